"""Watching a test for what it leaves running: every QThread, active QTimer and Python helper thread
started while it ran (napari's `_dangling_qthreads` and `_dangling_qtimers` idea). Each would
outlive the test and fire into the next one, or keep the process from exiting."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


@contextmanager
def no_leftovers(grace_s: float = 5.0) -> Iterator[None]:
    """Fail (AssertionError naming each) if the block leaves a QThread, an active QTimer or a Python
    thread running; those left are stopped first so they cannot disturb what comes next. A helper
    thread gets `grace_s` to finish its last few milliseconds."""
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

    python_threads = set(threading.enumerate())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QThread, "start", tracked_thread_start)
        patch.setattr(QTimer, "start", tracked_timer_start)
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
    deadline = time.monotonic() + grace_s
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
