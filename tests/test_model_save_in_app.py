"""Saving a model from the app when there is no room (a full temporary folder, where Keras packs a
model, or a file-size limit): the user reads one clear message, the page is ready again, and no
file is left behind. A real tiny VAE goes through the real save job."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from studio.core.params.vae import VaeParams
from studio.ui.settings import Settings
from studio.ui.vae_page import VaePage


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.ENOSPC, "the disk is full in the temporary folder"),
        (errno.EFBIG, "the file would be larger than this system allows"),
    ],
)
def test_saving_a_model_without_room_gives_one_clear_message(qtbot, runner, tmp_path, monkeypatch, code, reason):
    import keras

    from studio.engines.vae import Explorer, Vae

    scratch = Path(tempfile.mkdtemp())  # stands for the folder Keras packs a model's pieces in

    def no_room(self, path, *args, **kwargs):
        Path(path).write_bytes(b"the beginning of a model")
        where = scratch / "model.weights.h5" if code == errno.ENOSPC else Path(path)
        raise OSError(code, os.strerror(code), str(where))

    monkeypatch.setattr(keras.Model, "save", no_room)
    page = VaePage(runner, Settings())
    qtbot.addWidget(page)
    page.model = Explorer(Vae.build(VaeParams(image_size=16, filters=(8,), latent_dim=2)))
    folder = tmp_path / "models"
    folder.mkdir()
    try:
        handle = page.save_model(str(folder / "faces.keras"))
        qtbot.waitUntil(lambda: handle.state != "running" and not page.jobs.is_busy("model"), timeout=30_000)
    finally:
        scratch.rmdir()
    boxes = [box for box in page.findChildren(QMessageBox) if box.objectName() == "error-box"]
    assert len(boxes) == 1 and boxes[0].text().startswith(f"Could not save faces.keras: {reason}")
    assert "Traceback" not in boxes[0].text()
    assert list(folder.iterdir()) == [], "no model and no hidden partial file is left"
