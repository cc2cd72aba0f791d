"""A tab's jobs: started on named channels, heard on the GUI thread, superseded without late
echoes, failures shown by default, and a job panel that follows its channel."""

from __future__ import annotations

import threading

import fake_engines
import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from studio.core.progress import JobError, Progress
from studio.ui.jobs import TabJobs
from studio.ui.runner import Job
from studio.ui.widgets.job_panel import JobPanel


def marked_frames(marker, count=3, fail=False):
    for step in range(1, count + 1):
        yield Progress(step=step, total=count, preview=np.full((4, 4, 3), marker, np.uint8), data={"marker": marker})
    if fail:
        raise JobError("The picture is too dark: brighten it first.")
    return marker


@pytest.fixture
def tab(qtbot, runner):
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.jobs = TabJobs(runner, widget)
    return widget


def test_callbacks_follow_the_life_of_a_job_on_the_gui_thread(qtbot, tab):
    heard = []
    gui = threading.get_ident()

    def note(moment):
        return lambda *args: heard.append((moment, threading.get_ident() == gui))

    tab.jobs.start(
        "draw",
        Job(marked_frames, {"marker": 1}),
        on_started=note("started"),
        on_progress=note("progress"),
        on_preview=note("preview"),
        on_done=note("done"),
    )
    assert tab.jobs.is_busy("draw")
    qtbot.waitUntil(lambda: not tab.jobs.is_busy("draw"), timeout=5000)
    moments = [moment for moment, _ in heard]
    assert moments[0] == "started" and moments[-1] == "done" and "preview" in moments
    assert moments.count("progress") == 3
    assert all(on_gui for _, on_gui in heard)


def test_a_superseded_channel_never_hears_from_its_old_job_again(qtbot, tab):
    previews, ends = [], []
    tab.jobs.start(
        "draw",
        Job(fake_engines.endless, {"marker": 1}),
        on_preview=lambda frame: previews.append(int(frame[0, 0, 0])),
        on_cancelled=lambda: ends.append("old cancelled"),
    )
    qtbot.waitUntil(lambda: 1 in previews, timeout=5000)
    tab.jobs.start(
        "draw",
        Job(marked_frames, {"marker": 2}),
        on_preview=lambda frame: previews.append(int(frame[0, 0, 0])),
        on_done=lambda result: ends.append(result),
    )
    first_new = len(previews)
    qtbot.waitUntil(lambda: ends == [2], timeout=5000)
    qtbot.wait(100)
    assert previews[first_new:] and set(previews[first_new:]) == {2}, "no late preview of the old job"
    assert ends == [2]


def test_channels_are_independent(qtbot, tab):
    done = []
    train = tab.jobs.start("train", Job(fake_engines.endless), on_cancelled=lambda: done.append("train stopped"))
    tab.jobs.start("write", Job(marked_frames, {"marker": 3}), on_done=done.append)
    qtbot.waitUntil(lambda: train.state == "running", timeout=5000)
    assert tab.jobs.is_busy("train") and tab.jobs.is_busy("write"), "a new job on another channel supersedes nothing"
    tab.jobs.cancel("train")
    qtbot.waitUntil(lambda: len(done) == 2, timeout=5000)
    assert sorted(map(str, done)) == ["3", "train stopped"]


def test_a_failure_shows_a_readable_message_unless_the_tab_handles_it(qtbot, tab):
    tab.jobs.start("draw", Job(marked_frames, {"marker": 1, "fail": True}))
    qtbot.waitUntil(lambda: not tab.jobs.is_busy("draw"), timeout=5000)
    boxes = tab.findChildren(QMessageBox)
    assert len(boxes) == 1 and boxes[0].text() == "The picture is too dark: brighten it first."

    told = []
    tab.jobs.start("draw", Job(marked_frames, {"marker": 1, "fail": True}), on_failed=lambda *args: told.append(args))
    qtbot.waitUntil(lambda: not tab.jobs.is_busy("draw"), timeout=5000)
    assert told == [("The picture is too dark: brighten it first.", "")]
    assert len(tab.findChildren(QMessageBox)) == 1


def test_an_attached_panel_follows_each_new_job_of_its_channel(qtbot, tab):
    panel = JobPanel()
    qtbot.addWidget(panel)
    tab.jobs.attach_panel("draw", panel)
    old = tab.jobs.start("draw", Job(fake_engines.endless))
    qtbot.waitUntil(lambda: old.state == "running", timeout=5000)
    new = tab.jobs.start("draw", Job(fake_engines.endless, {"marker": 2}))
    qtbot.waitUntil(lambda: old.is_done and new.state == "running", timeout=5000)
    qtbot.waitUntil(lambda: panel.label.text().startswith("step"), timeout=5000)
    assert panel.cancel_button.isEnabled(), "the old job's end does not settle the panel of the new one"
    panel.cancel()
    qtbot.waitUntil(lambda: panel.label.text() == "Cancelled", timeout=5000)
    assert new.outcome == ("cancelled", None)


def test_a_panel_that_watches_a_new_job_no_longer_hears_the_old_one(qtbot, runner):
    panel = JobPanel()
    qtbot.addWidget(panel)
    training = runner.run(Job(fake_engines.endless, title="Training GAN"))
    panel.watch(training)
    qtbot.waitUntil(lambda: panel.label.text().startswith("step"), timeout=5000)
    sampling = runner.run(Job(marked_frames, {"marker": 1}, title="Sampling"))
    panel.watch(sampling)
    qtbot.wait(100)  # the training keeps reporting steps meanwhile
    assert panel.label.text() == "Waiting for “Training GAN” to finish…"
    training.cancel()
    qtbot.waitUntil(lambda: sampling.is_done, timeout=5000)
    assert panel.label.text() == "Done" and panel.bar.value() == 1000


def test_cancelling_a_job_that_waits_tells_the_tab_at_once(qtbot, runner, tab):
    training = runner.run(Job(fake_engines.endless, title="Training GAN"))
    stopped = []
    tab.jobs.start("draw", Job(marked_frames, {"marker": 1}), on_cancelled=lambda: stopped.append(True))
    tab.jobs.cancel("draw")
    assert stopped == [True] and not tab.jobs.is_busy("draw")
    training.cancel()
    qtbot.waitUntil(lambda: training.is_done, timeout=5000)
