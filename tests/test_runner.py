"""The runner turns engine generators into Qt signals on the GUI thread, throttles previews and cancels."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from studio.core.progress import JobError, Progress
from studio.ui.runner import Job, JobCancelled, JobFailed


def frames(count=5, delay=0.0, fail_at=None, user_error=False, closed=None):
    """A fake engine: `count` tiny preview frames, optionally failing, and noting when it is closed."""
    try:
        for index in range(count):
            if index == fail_at:
                raise (JobError("The picture is too dark.") if user_error else RuntimeError("boom"))
            time.sleep(delay)
            yield Progress(
                step=index + 1,
                total=count,
                stage="frames",
                preview=np.full((4, 4, 3), index, np.uint8),
                data={"thread": threading.get_ident()},
            )
        return "done"
    finally:
        if closed is not None:
            closed.set()


def test_life_of_a_job_in_order(qtbot, runner):
    handle = runner.run(Job(frames, {"count": 1}))
    with qtbot.waitSignals(
        [handle.started, handle.progress, handle.preview, handle.finished], order="strict", timeout=5000
    ):
        pass
    assert handle.outcome == ("finished", "done")


def test_engine_runs_off_the_gui_thread_and_signals_arrive_on_it(qtbot, runner):
    seen = []
    handle = runner.run(Job(frames, {"count": 2}))
    handle.progress.connect(lambda event: seen.append((event.data["thread"], threading.get_ident())))
    with qtbot.waitSignal(handle.finished, timeout=5000):
        pass
    gui = threading.get_ident()
    assert seen and all(worker != gui and receiver == gui for worker, receiver in seen)


def test_previews_are_throttled_but_the_newest_always_arrives(qtbot, runner):
    shown = []
    handle = runner.run(Job(frames, {"count": 200}))
    handle.preview.connect(lambda frame: shown.append(int(frame[0, 0, 0])))
    with qtbot.waitSignal(handle.finished, timeout=5000):
        pass
    assert len(shown) < 200
    assert shown[-1] == 199


def test_a_fast_job_redraws_its_progress_bar_at_the_eyes_pace_and_ends_showing_its_newest_step(qtbot, runner):
    from studio.ui.widgets.job_panel import JobPanel

    hold = threading.Event()

    def fast_then_held():
        for step in range(1, 3001):
            yield Progress(step, 3001, f"token {step}")
        hold.wait(10)  # no more events: the newest must still reach the panel
        yield Progress(3001, 3001, "done")

    panel = JobPanel()
    qtbot.addWidget(panel)
    handle = runner.run(Job(fast_then_held))
    panel.watch(handle)
    drawn, events = [], []
    handle.progress.connect(events.append)
    panel.bar.valueChanged.connect(drawn.append)
    qtbot.waitUntil(lambda: panel.label.text().startswith("token 3000 ·"), timeout=10_000)
    assert len(events) == 3000, "every event still reaches those who need each one (streamed text)"
    assert len(drawn) < 300, "the bar is not redrawn for each of 3000 events"
    assert panel.bar.value() == round(3000 / 3001 * 1000)
    with qtbot.waitSignal(handle.finished, timeout=5000):
        hold.set()


def test_cancel_closes_the_generator_between_steps(qtbot, runner):
    closed = threading.Event()
    handle = runner.run(Job(frames, {"count": 1000, "delay": 0.005, "closed": closed}))
    with qtbot.waitSignal(handle.progress, timeout=5000):
        pass
    with qtbot.waitSignal(handle.cancelled, timeout=5000):
        handle.cancel()
    assert closed.is_set()
    assert handle.last_progress.step < 1000


def test_user_errors_read_as_is_and_crashes_carry_details(qtbot, runner):
    handle = runner.run(Job(frames, {"fail_at": 1, "user_error": True}))
    with qtbot.waitSignal(handle.failed, timeout=5000) as blocker:
        pass
    assert blocker.args == ["The picture is too dark.", ""]
    crash = runner.run(Job(frames, {"fail_at": 0}, title="Dream"))
    with qtbot.waitSignal(crash.failed, timeout=5000) as blocker:
        pass
    message, details = blocker.args
    assert message == "Dream failed: boom" and "RuntimeError" in details
    # the compute thread survived both
    after = runner.run(Job(frames, {"count": 1}))
    with qtbot.waitSignal(after.finished, timeout=5000):
        pass


def test_a_new_job_from_the_same_owner_cancels_and_silences_the_old_one(qtbot, runner):
    owner = object()
    old = runner.run(Job(frames, {"count": 1000, "delay": 0.005}), owner=owner)
    late = []
    old.preview.connect(late.append)
    with qtbot.waitSignal(old.progress, timeout=5000):
        pass
    late.clear()
    new = runner.run(Job(frames, {"count": 2}), owner=owner)
    with qtbot.waitSignal(new.finished, timeout=5000):
        pass
    assert old.outcome == ("cancelled", None)
    assert late == []


def test_await_returns_the_result_or_raises(qtbot, runner, event_loop_qt):
    async def scenario():
        result = await runner.run(Job(frames, {"count": 2}))
        with pytest.raises(JobFailed, match="boom"):
            await runner.run(Job(frames, {"fail_at": 0}, title="Fake"))
        doomed = runner.run(Job(frames, {"count": 1000, "delay": 0.005}))
        doomed.cancel()
        with pytest.raises(JobCancelled):
            await doomed
        return result

    task = event_loop_qt.create_task(scenario())
    qtbot.waitUntil(task.done, timeout=10_000)
    assert task.result() == "done"


def test_a_job_named_in_the_registry_runs_its_engine(qtbot, runner):
    handle = runner.run(Job("compute.warm_up"))
    with qtbot.waitSignal(handle.finished, timeout=60_000) as blocker:
        pass
    assert blocker.args[0] == "CPU" or blocker.args[0].startswith("GPU")


def test_the_compute_thread_runs_one_job_and_the_rest_wait_behind_it(qtbot, runner):
    training = runner.run(Job(frames, {"count": 1000, "delay": 0.005}, title="Training GAN"))
    dream = runner.run(Job(frames, {"count": 2}, title="Dream"))
    told = []
    dream.waiting.connect(told.append)
    qtbot.waitUntil(lambda: training.state == "running", timeout=5000)
    assert runner.jobs() == [training, dream]
    assert dream.state == "queued" and dream.waiting_for == "Training GAN"
    with qtbot.waitSignal(dream.finished, timeout=5000):
        training.cancel()
    assert runner.jobs() == []
    assert training.outcome == ("cancelled", None) and dream.outcome == ("finished", "done")


def test_cancelling_a_queued_job_ends_it_at_once_and_leaves_the_running_one(qtbot, runner):
    closed = threading.Event()
    training = runner.run(Job(frames, {"count": 1000, "delay": 0.005, "closed": closed}, title="Training GAN"))
    waiting = runner.run(Job(frames, {"count": 2}, title="Dream"))
    qtbot.waitUntil(lambda: training.state == "running", timeout=5000)
    with qtbot.waitSignal(runner.jobs_changed, timeout=1000):
        waiting.cancel()
    assert waiting.outcome == ("cancelled", None), "a queued job does not wait for the running one to end"
    assert runner.jobs() == [training] and training.state == "running"
    with qtbot.waitSignal(training.cancelled, timeout=5000):
        training.cancel()
    assert closed.is_set()


def test_finished_jobs_free_their_pictures(qtbot, runner):
    import gc
    import weakref

    alive = []
    for _ in range(20):
        handle = runner.run(Job(frames, {"count": 1}))
        with qtbot.waitSignal(handle.finished, timeout=5000):
            pass
        alive.append(weakref.ref(handle))
        del handle
    qtbot.wait(10)
    gc.collect()
    assert sum(ref() is not None for ref in alive) <= 1


def test_a_superseded_job_still_tells_progress_displays_it_ended(qtbot, runner):
    from studio.ui.widgets.job_panel import JobPanel

    panel = JobPanel()
    qtbot.addWidget(panel)
    owner = object()
    old = runner.run(Job(frames, {"count": 1000, "delay": 0.005}), owner=owner)
    panel.watch(old)
    with qtbot.waitSignal(old.progress, timeout=5000):
        pass
    with qtbot.waitSignal(old.ended, timeout=5000):
        runner.run(Job(frames, {"count": 1}), owner=owner)
    assert panel.label.text() == "Cancelled" and not panel.cancel_button.isEnabled()


def test_time_left_shown_is_within_a_quarter_of_the_truth_once_a_fifth_is_done(qtbot, runner):
    from fake_engines import growing

    # Steps that grow in cost: counting steps alone would promise about a third of the true time;
    # a second of setting up first, counted in the pace, would promise over three times it.
    # A busy machine can stall this process at any moment, which only ever spoils an estimate, so
    # the estimate must come out right in one of a few tries.
    errors = []
    for _ in range(3):
        handle = runner.run(Job(growing, {"seconds": 1.5, "setup_seconds": 1.0}))
        shown_at_a_fifth: list[tuple[float, float]] = []  # (when, seconds left shown)

        def note(event, handle=handle, shown=shown_at_a_fifth):
            if event.fraction >= 0.2 and not shown:
                shown.append((time.monotonic(), handle.seconds_left()))

        handle.progress.connect(note)
        with qtbot.waitSignal(handle.finished, timeout=10_000):
            pass
        when, estimate = shown_at_a_fifth[0]
        errors.append(abs(estimate / (time.monotonic() - when) - 1))
        if errors[-1] <= 0.25:
            break
    assert min(errors) <= 0.25, f"time left off by {errors}"
