"""The watch every test runs under (conftest's `no_dangling_threads`) catches each kind of thing a
test can leave running: a QTimer, a QThread and a Python helper thread."""

from __future__ import annotations

import threading

import pytest
from leftovers import no_leftovers
from PySide6.QtCore import QThread, QTimer


def test_a_timer_left_running_fails_the_test_and_is_stopped(qapp):
    timer = QTimer()
    timer.setObjectName("forgotten")
    with pytest.raises(AssertionError, match="the test left these running: QTimer forgotten"):
        with no_leftovers():
            timer.start(60_000)
    assert not timer.isActive()


def test_a_qthread_left_running_fails_the_test_and_is_ended(qapp):
    thread = QThread()
    thread.setObjectName("worker")
    with pytest.raises(AssertionError, match="the test left these running: QThread worker"):
        with no_leftovers():
            thread.start()
    assert thread.isFinished()


def test_a_python_helper_thread_left_running_fails_the_test(qapp):
    release = threading.Event()
    helper = threading.Thread(target=release.wait, name="helper")
    try:
        with pytest.raises(AssertionError, match="the test left these running: thread helper"):
            with no_leftovers(grace_s=0.1):
                helper.start()
    finally:
        release.set()
        helper.join()


def test_what_a_test_stops_itself_passes(qapp):
    with no_leftovers(grace_s=0.1):
        timer = QTimer()
        timer.start(60_000)
        timer.stop()
        thread = QThread()
        thread.start()
        thread.quit()
        thread.wait()
        helper = threading.Thread(target=lambda: None)
        helper.start()
        helper.join()
