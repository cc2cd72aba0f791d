"""A model save that runs out of room, from the command line: a full disk, a full temporary folder
(where Keras packs a model) or a file-size limit ends with one clear line and exit 2, never a
traceback, and leaves no file behind, not even a hidden partial one."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest
from tiny import bar_pictures

from studio.cli import main

TINY_VAE = ["--size", "16", "--filters", "8", "--epochs", "1", "--batch-size", "4", "--seed", "1"]


@pytest.fixture
def bars(tmp_path):
    return bar_pictures(tmp_path / "bars", 8)


@pytest.mark.parametrize(
    ("code", "in_temporary_folder", "reason"),
    [
        (errno.ENOSPC, True, "the disk is full in the temporary folder"),
        (errno.EFBIG, False, "the file would be larger than this system allows"),
    ],
)
def test_a_model_save_without_room_says_so_in_one_line(
    bars, tmp_path, monkeypatch, capsys, code, in_temporary_folder, reason
):
    import keras

    import studio.core.datasets
    import studio.engines.vae

    monkeypatch.setattr(studio.core.datasets, "EPOCH_PICTURES", 8)  # an epoch of two steps
    monkeypatch.setattr(studio.engines.vae, "STATS_PICTURES", 8)
    scratch = Path(tempfile.mkdtemp())  # stands for the folder Keras packs a model's pieces in

    def no_room(self, path, *args, **kwargs):
        Path(path).write_bytes(b"the beginning of a model")
        where = scratch / "model.weights.h5" if in_temporary_folder else Path(path)
        raise OSError(code, os.strerror(code), str(where))

    monkeypatch.setattr(keras.Model, "save", no_room)
    output = tmp_path / "models" / "bars.keras"
    output.parent.mkdir()
    try:
        assert main(["vae", "train", str(bars), "-o", str(output), *TINY_VAE]) == 2
    finally:
        scratch.rmdir()
    err = capsys.readouterr().err
    assert f"\nstudio: Could not save bars.keras: {reason}" in err
    assert "Traceback" not in err and "unexpected error" not in err
    assert list(output.parent.iterdir()) == [], "no model and no hidden partial file is left"
