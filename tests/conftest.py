"""Shared fixtures: an offscreen Qt, isolated settings and caches, a tiny backbone, and a runner
that must be shut down by the end of each test."""

from __future__ import annotations

import asyncio
import os
import threading
import time
import weakref

import numpy as np
import pytest

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
def no_dangling_threads(monkeypatch):
    """Fail a test that leaves a QThread, an active QTimer or a Python helper thread running
    (napari's `_dangling_qthreads` and `_dangling_qtimers` idea): each would outlive the test and
    fire into the next one, or keep the process from exiting."""
    from PySide6.QtCore import QThread, QTimer

    started_threads: weakref.WeakSet = weakref.WeakSet()
    started_timers: weakref.WeakSet = weakref.WeakSet()
    thread_start, timer_start = QThread.start, QTimer.start

    def tracked_thread_start(self, *args):
        started_threads.add(self)
        return thread_start(self, *args)

    def tracked_timer_start(self, *args):
        started_timers.add(self)
        return timer_start(self, *args)

    monkeypatch.setattr(QThread, "start", tracked_thread_start)
    monkeypatch.setattr(QTimer, "start", tracked_timer_start)
    python_threads = set(threading.enumerate())
    yield
    dangling = []
    for thread in list(started_threads):
        if _alive(thread.isRunning):
            dangling.append(f"QThread {thread.objectName() or type(thread).__name__}")
            thread.quit()
            if not thread.wait(10_000):
                thread.terminate()
    for timer in list(started_timers):
        if _alive(timer.isActive):
            dangling.append(f"QTimer {timer.objectName() or timer.interval()} ms of {type(timer.parent()).__name__}")
            timer.stop()
    deadline = time.monotonic() + 5  # a helper thread may be finishing its last few milliseconds
    while (left := _new_python_threads(python_threads)) and time.monotonic() < deadline:
        time.sleep(0.01)
    dangling += [f"thread {thread.name}" for thread in left]
    assert not dangling, f"the test left these running: {', '.join(dangling)}"


def _new_python_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    # A QThread that ran Python code shows up as a never-ending "dummy" thread; QThreads are checked above.
    return [
        thread
        for thread in threading.enumerate()
        if thread not in before and thread.is_alive() and not isinstance(thread, threading._DummyThread)
    ]


def _alive(is_running) -> bool:
    """Whether a Qt object's `isRunning`/`isActive` says so (False once Qt has deleted it)."""
    try:
        return bool(is_running())
    except RuntimeError:  # the C++ object is gone, so nothing runs
        return False


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
