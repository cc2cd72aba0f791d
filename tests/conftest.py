"""Shared fixtures: an offscreen Qt, isolated settings and caches, a tiny backbone, and a runner
that must be shut down by the end of each test."""

from __future__ import annotations

import asyncio
import os
import re

import numpy as np
import pytest
from leftovers import no_leftovers
from tiny import TINY_CYCLEGAN, TINY_LAYERS, blobs, stripes, tiny_convnet

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """No test reads or writes the user's settings or Keras cache."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("STUDIO_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("KERAS_HOME", str(home / "keras"))
    return home


@pytest.fixture(scope="session")
def tiny_backbone():
    """A random-weight three-layer convnet: real gradients, milliseconds per step."""
    from studio.core.backbones import Backbone

    return Backbone.from_model("tiny", tiny_convnet(), TINY_LAYERS)


@pytest.fixture(scope="session")
def tiny_model_file(tmp_path_factory):
    """The tiny convnet saved as a model file of one's own (`--backbone file --model`; no VGG16 to load)."""
    path = tmp_path_factory.mktemp("backbone") / "tiny.keras"
    tiny_convnet().save(path)
    return path


@pytest.fixture(scope="session")
def trained_cyclegan(tmp_path_factory):
    """One tiny CycleGAN trained for an epoch with checkpoints, for every test that needs one
    trained (training's cost is mostly tracing its first step): its events, the model and the file."""
    from studio.core.progress import run_to_end
    from studio.engines.cyclegan import train_cyclegan

    checkpoint = tmp_path_factory.mktemp("cyclegan") / "tiny.keras"
    events, model = run_to_end(train_cyclegan(stripes(), blobs(), TINY_CYCLEGAN, checkpoint_path=checkpoint))
    return events, model, checkpoint


@pytest.fixture
def serve_backbone(monkeypatch):
    """`serve(module, backbone)`: the engine `module` loads `backbone` at once, whatever it asks for."""

    def serve(module, backbone) -> None:
        def load_backbone(key, path=None):
            return backbone
            yield  # a generator, like the real loader

        monkeypatch.setattr(module, "load_backbone", load_backbone)

    return serve


@pytest.fixture
def refuses_what_is_not_its_model(tmp_path):
    """`refuses(load_gan, "a GAN")`: the loader turns a missing file, a file that is no model and a Keras
    model Studio did not save into messages that name the file and the kind of model to choose."""
    import keras

    from studio.core.progress import JobError

    def refuses(load, kind: str, suffix: str = ".keras") -> None:
        junk = tmp_path / f"junk{suffix}"
        junk.write_bytes(b"not a model")
        other = tmp_path / "other.keras"
        keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]).save(other)
        for path, message in (
            (tmp_path / f"missing{suffix}", "was not found. It may have been moved or deleted."),
            (junk, f"is not a model file; choose {kind} saved by Studio."),
            (other, f"is a Keras model that Studio did not save; choose {kind} saved by Studio."),
        ):
            with pytest.raises(JobError, match=re.escape(f"{path.name} {message}")):
                load(path)

    return refuses


@pytest.fixture
def rgb():
    """A small, smooth, colourful uint8 picture (48 x 64)."""
    y, x = np.mgrid[0:48, 0:64]
    picture = np.stack([x * 4, y * 5, (x + y) * 2], axis=-1) % 256
    return picture.astype(np.uint8)


@pytest.fixture
def runner(qtbot):
    from studio.ui.runner import JobRunner

    job_runner = JobRunner()
    yield job_runner
    job_runner.shutdown()
    assert not job_runner.is_running()


@pytest.fixture
def unwritable_config(tmp_path, monkeypatch):
    """Settings (and so the history folder) under a path that cannot be made: a file stands where
    the config folder's parent should be."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the config folder's parent should be")
    monkeypatch.setenv("STUDIO_CONFIG_DIR", str(blocker / "config"))


@pytest.fixture
def open_tab(qtbot, runner):
    """`open_tab(DreamTab, (1000, 700))`: a tab on the test's own settings, shown at that size."""
    from studio.ui.settings import Settings

    def open_(tab_class, size=(1100, 700)):
        widget = tab_class(runner, Settings())
        qtbot.addWidget(widget)
        widget.resize(*size)
        widget.show()
        return widget

    return open_


@pytest.fixture(autouse=True)
def no_dangling_threads():
    """Fail a test that leaves a QThread, an active QTimer or a Python helper thread running."""
    with no_leftovers():
        yield


@pytest.fixture
def event_loop_qt(qapp):
    """qasync's loop as the running asyncio loop, as in the app, so tabs can `await` jobs."""
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    asyncio.events._set_running_loop(loop)
    yield loop
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


@pytest.fixture
def fake_target(monkeypatch):
    """`fake_target("dream", "endless")` makes the job named "dream" run `fake_engines.endless`."""
    import fake_engines

    from studio.core import job_targets

    fake_engines.calls.clear()

    def use(name: str, fake: str) -> None:
        monkeypatch.setitem(job_targets.TARGETS, name, f"fake_engines:{fake}")

    return use
