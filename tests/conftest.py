"""Shared fixtures: an offscreen Qt, isolated settings and caches, a tiny backbone, and a runner
that must be shut down by the end of each test."""

from __future__ import annotations

import asyncio
import os

import numpy as np
import pytest
from leftovers import no_leftovers

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
    import keras

    from studio.core.backbones import Backbone

    keras.utils.set_random_seed(0)
    inputs = keras.Input((None, None, 3))
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="conv1")(inputs)
    x = keras.layers.MaxPooling2D(2, name="pool1")(x)
    x = keras.layers.Conv2D(16, 3, padding="same", activation="relu", name="conv2")(x)
    x = keras.layers.Conv2D(16, 3, padding="same", activation="relu", name="conv3")(x)
    model = keras.Model(inputs, x)
    return Backbone.from_model("tiny", model, ("conv1", "conv2", "conv3"))


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
