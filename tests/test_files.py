"""Saving never leaves half a file behind: killed saves are cleaned up, full disks are named."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pytest

from studio.core.files import PARTIAL_MARK, atomic_path, remove_stale_partials
from studio.core.images import save_image
from studio.core.params.text import TextTrainParams
from studio.core.progress import JobError


def run_python(code: str) -> subprocess.Popen:
    command = [sys.executable, "-c", textwrap.dedent(code)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def partials(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if PARTIAL_MARK in p.name)


def test_a_killed_save_leaves_a_partial_that_the_next_save_removes(tmp_path):
    picture = save_image(tmp_path / "picture.png", np.zeros((8, 8, 3), np.uint8))
    before = picture.read_bytes()
    writer = run_python(
        f"""
        import time
        from studio.core.files import atomic_path
        with atomic_path({str(picture)!r}) as partial:
            partial.write_bytes(b"half a picture")
            print("writing", flush=True)
            time.sleep(60)
        """
    )
    assert writer.stdout.readline().strip() == "writing"
    writer.send_signal(signal.SIGKILL)  # as a crash, a power cut or `kill -9` would
    writer.wait(timeout=30)
    assert len(partials(tmp_path)) == 1 and partials(tmp_path)[0].startswith(".picture.studio-partial-")
    assert picture.read_bytes() == before  # the picture itself was never touched

    save_image(tmp_path / "another.png", np.full((8, 8, 3), 200, np.uint8))
    assert partials(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["another.png", "picture.png"]


def test_a_save_still_running_keeps_its_partial(tmp_path):
    (tmp_path / ".notes.txt").write_text("a user's own hidden file")
    (tmp_path / ".x.studio-partial-notes.txt").write_text("named like ours, but not in our pattern")
    with atomic_path(tmp_path / "model.keras") as partial:
        partial.write_bytes(b"in progress")
        assert remove_stale_partials([tmp_path]) == []  # this process is alive: its partial stays
        assert partial.exists()
        save_image(tmp_path / "picture.png", np.zeros((4, 4, 3), np.uint8))
        assert partial.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".notes.txt",
        ".x.studio-partial-notes.txt",
        "model.keras",
        "picture.png",
    ]


def test_the_app_can_clean_its_folders_at_start(tmp_path):
    history, checkpoints = tmp_path / "history", tmp_path / "checkpoints"
    for folder in (history, checkpoints):
        writer = run_python(
            f"""
            import os
            from studio.core.files import atomic_path
            with atomic_path({str(folder / "item.png")!r}) as partial:
                partial.write_bytes(b"half")
                os._exit(1)  # dies mid-save
            """
        )
        writer.wait(timeout=30)
        assert len(partials(folder)) == 1
    removed = remove_stale_partials([history, checkpoints, tmp_path / "not there"])
    assert sorted(p.parent.name for p in removed) == ["checkpoints", "history"]
    assert partials(history) == partials(checkpoints) == []


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs POSIX file-size limits")
def test_a_file_size_limit_gives_a_clear_message_and_no_partial(tmp_path):
    target = tmp_path / "big.png"
    writer = run_python(
        f"""
        import resource, signal
        import numpy as np
        from studio.core.images import save_image
        from studio.core.progress import JobError
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # else the kernel ends the process at the limit
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
        noise = np.random.default_rng(0).integers(0, 256, (200, 200, 3), np.uint8)
        try:
            save_image({str(target)!r}, noise)
        except JobError as error:
            print(error)
        """
    )
    out, err = writer.communicate(timeout=60)
    assert out.strip() == "Could not save big.png: the file would be larger than this system allows.", err
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_during_a_model_save_names_the_file_and_the_folder(tmp_path, monkeypatch):
    """Keras writes the model itself (through its own files and h5py): its OSError is caught too,
    whether the model's own folder is full or the temporary folder Keras packs assets in."""
    import keras

    from studio.engines.text import TextModel, save_text_model
    from studio.engines.text_models import build_model
    from studio.engines.text_tokens import Tokenizer

    full_folder = None

    def disk_full(self, path, *args, **kwargs):
        Path(path).write_bytes(b"the beginning of a model")
        where = Path(path) if full_folder is None else Path(full_folder) / "assets" / "vocabulary.txt"
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(where))

    tokenizer = Tokenizer("char", ["[UNK]", "a", "b"])
    params = TextTrainParams(architecture="gru", size="tiny", sequence_length=4, dropout=0.0)
    text_model = TextModel(build_model(params, tokenizer.size), tokenizer, params, 1)
    monkeypatch.setattr(keras.Model, "save", disk_full)
    with pytest.raises(JobError, match=r"^Could not save poems.textmodel: the disk is full\.$"):
        save_text_model(tmp_path / "poems.textmodel", text_model)
    assert list(tmp_path.iterdir()) == []

    full_folder = tempfile.mkdtemp()
    try:
        with pytest.raises(JobError, match=r"the disk is full in the temporary folder .+\.$"):
            save_text_model(tmp_path / "poems.textmodel", text_model)
    finally:
        os.rmdir(full_folder)
    assert list(tmp_path.iterdir()) == []
