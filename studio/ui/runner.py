"""The one place where Qt meets the engines.

A `Job` names an engine generator by its name in `studio.core.job_targets` so the UI never imports
TensorFlow; the `JobRunner` imports and runs it on its single compute thread, and each `JobHandle`
turns the generator's `Progress` events into Qt signals on the GUI thread. Tabs start jobs through
`studio.ui.jobs.TabJobs`; a handle can also be awaited from a qasync coroutine or connected to.
The runner shows its queue (`jobs()`, `jobs_changed`): what holds the compute thread and what waits.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from studio.core.job_targets import check_target, resolve
from studio.core.memory import release_freed_memory
from studio.core.progress import JobError, Pace, Progress

DISPLAY_INTERVAL_MS = 66  # about 15 previews and progress displays a second: what the eye can follow
COMPUTE_STACK_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Job:
    """What to run: `target` names an engine function in `studio.core.job_targets.TARGETS` (or is a
    callable, for tests); it is called with `kwargs` and returns a generator. `title` names the job
    in progress displays and the job list ("Dream", "Training GAN")."""

    target: str | Callable[..., Iterator[Progress]]
    kwargs: dict[str, Any] = field(default_factory=dict)
    title: str = "Working"

    def __post_init__(self) -> None:
        if isinstance(self.target, str):
            check_target(self.target)

    def start(self) -> Iterator[Progress]:
        function = resolve(self.target) if isinstance(self.target, str) else self.target
        return function(**self.kwargs)


class JobCancelled(Exception):
    """The job was stopped before it finished."""


class JobFailed(Exception):
    """The job raised; `message` is for the user, `details` for the curious."""

    def __init__(self, message: str, details: str = ""):
        super().__init__(message)
        self.message = message
        self.details = details


class JobHandle(QObject):
    """One job's life, seen from the GUI thread: queued, running, then finished, failed or cancelled.

    Public signals always fire on the GUI thread, so connecting them to lambdas is safe. Call its
    methods on the GUI thread.
    """

    started = Signal()
    waiting = Signal(str)  # while queued: the title of the job that holds the compute thread
    progress = Signal(object)  # Progress, every event
    # The newest Progress, throttled to ~15/s like previews: for bars and labels, which need not
    # redraw for every event of a fast job (a QProgressBar repaints at once when its value moves).
    progress_display = Signal(object)
    preview = Signal(object)  # np.ndarray, throttled to ~15/s, always the newest
    finished = Signal(object)  # the generator's return value
    failed = Signal(str, str)  # message, details
    cancelled = Signal()
    ended = Signal(str)  # "finished" | "failed" | "cancelled"; also for a superseded job, for progress displays
    state_changed = Signal()  # began running or ended; also for a superseded job, for job lists

    # Emitted from the compute thread; queued to the slots below on the GUI thread.
    _reported_start = Signal()
    _reported_event = Signal(object)
    _reported_result = Signal(object)
    _reported_error = Signal(str, str)
    _reported_cancel = Signal()

    def __init__(self, job: Job, parent: QObject | None = None):
        super().__init__(parent)
        self.job = job
        self.last_progress: Progress | None = None
        self.outcome: tuple[str, Any] | None = (
            None  # ("finished", result) | ("failed", JobFailed) | ("cancelled", None)
        )
        self.waiting_for: str | None = None
        self._stop_requested = threading.Event()
        # Whether the compute thread has taken the job; until then a cancel ends it at once.
        self._claim_lock = threading.Lock()
        self._claimed = False
        self._silenced = False
        self._started_at: float | None = None
        self._pace: Pace | None = None
        self._pending_preview: np.ndarray | None = None
        self._pending_progress: Progress | None = None
        self._futures: list[asyncio.Future] = []
        self._display_timer = QTimer(self, singleShot=True, interval=DISPLAY_INTERVAL_MS)
        self._display_timer.timeout.connect(self._flush_display)
        self._reported_start.connect(self._on_start)
        self._reported_event.connect(self._on_event)
        self._reported_result.connect(self._on_result)
        self._reported_error.connect(self._on_error)
        self._reported_cancel.connect(self._on_cancel)

    # -- control -----------------------------------------------------------------------
    def cancel(self) -> None:
        """Stop the job: a queued job ends now, a running one before its next step."""
        with self._claim_lock:
            self._stop_requested.set()
            queued = not self._claimed
        if queued and self.outcome is None:
            self._on_cancel()

    def supersede(self) -> None:
        """Cancel and go quiet: no more signals reach the old job's listeners (awaiters still get
        JobCancelled), so a replaced job's late previews never land on a tab."""
        self._silenced = True
        self._stop_displays()
        self.cancel()

    @property
    def superseded(self) -> bool:
        return self._silenced

    @property
    def state(self) -> str:
        """ "queued", "running", or how it ended: "finished", "failed" or "cancelled"."""
        if self.outcome is not None:
            return self.outcome[0]
        return "queued" if self._started_at is None else "running"

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested.is_set()

    @property
    def is_done(self) -> bool:
        return self.outcome is not None

    def seconds_left(self) -> float | None:
        """Estimated seconds to the end from the pace so far, or None before there is a pace."""
        if self.last_progress is None or self._pace is None:
            return None
        return self._pace.seconds_left(self.last_progress.fraction, time.monotonic())

    def __await__(self):
        future = asyncio.get_event_loop().create_future()
        if self.outcome is None:
            self._futures.append(future)
        else:
            self._settle(future)
        return future.__await__()

    # -- GUI-thread side ----------------------------------------------------------------
    def _wait_behind(self, title: str | None) -> None:
        """The runner tells a queued job what holds the compute thread ahead of it."""
        if title != self.waiting_for:
            self.waiting_for = title
            if title is not None and not self._silenced:
                self.waiting.emit(title)

    @Slot()
    def _on_start(self) -> None:
        self._started_at = time.monotonic()
        self._pace = Pace(self._started_at)
        self.waiting_for = None
        self.state_changed.emit()
        if not self._silenced:
            self.started.emit()

    @Slot(object)
    def _on_event(self, event: Progress) -> None:
        self.last_progress = event
        if self._pace is not None:
            self._pace.report(event.fraction, time.monotonic())
        if self._silenced:
            return
        self.progress.emit(event)
        self._pending_progress = event
        if event.preview is not None:
            self._pending_preview = event.preview
        if not self._display_timer.isActive():
            self._flush_display()

    @Slot()
    def _flush_display(self) -> None:
        """Emit the newest progress and preview not shown yet; the next wait an interval."""
        shown = self._pending_progress is not None or self._pending_preview is not None
        if self._pending_progress is not None:
            event, self._pending_progress = self._pending_progress, None
            self.progress_display.emit(event)
        if self._pending_preview is not None:
            frame, self._pending_preview = self._pending_preview, None
            self.preview.emit(frame)
        if shown:
            self._display_timer.start()

    def _stop_displays(self) -> None:
        """Show nothing more of this job: what waits to be shown is dropped, the throttle stops."""
        self._pending_preview = None
        self._pending_progress = None
        self._display_timer.stop()

    def _finish(self, kind: str, value: Any) -> None:
        self._display_timer.stop()
        self.outcome = (kind, value)
        for future in self._futures:
            self._settle(future)
        self._futures.clear()
        self.ended.emit(kind)
        self.state_changed.emit()
        # The runner kept the job alive while it ran; from now on only those who hold the handle
        # do, so a finished job's pictures and results are freed once nobody needs them.
        self.setParent(None)

    @Slot(object)
    def _on_result(self, result: Any) -> None:
        if self._silenced:
            return self._on_cancel()
        self._flush_display()
        self._finish("finished", result)
        self.finished.emit(result)

    @Slot(str, str)
    def _on_error(self, message: str, details: str) -> None:
        if self._silenced:
            return self._on_cancel()
        self._stop_displays()
        self._finish("failed", JobFailed(message, details))
        self.failed.emit(message, details)

    @Slot()
    def _on_cancel(self) -> None:
        self._stop_displays()
        self._finish("cancelled", None)
        if not self._silenced:
            self.cancelled.emit()

    def _settle(self, future: asyncio.Future) -> None:
        if future.done():
            return
        kind, value = self.outcome
        if kind == "finished":
            future.set_result(value)
        elif kind == "failed":
            future.set_exception(value)
        else:
            future.set_exception(JobCancelled(self.job.title))

    # -- compute-thread side --------------------------------------------------------------
    def _execute(self) -> None:
        with self._claim_lock:
            if self.stop_requested:
                return  # cancelled while queued: `cancel` already ended it on the GUI thread
            self._claimed = True
        self._reported_start.emit()
        generator = None
        try:
            generator = self.job.start()
            while True:
                if self.stop_requested:
                    generator.close()
                    self._reported_cancel.emit()
                    return
                try:
                    event = next(generator)
                except StopIteration as stop:
                    self._reported_result.emit(stop.value)
                    return
                self._reported_event.emit(event)
        except JobError as error:
            self._reported_error.emit(str(error), "")
        except MemoryError:
            self._reported_error.emit(
                "Ran out of memory. Try a smaller size or fewer layers, then run again.", traceback.format_exc()
            )
        except Exception as error:  # any engine failure must reach the user, never kill the thread silently
            self._reported_error.emit(f"{self.job.title} failed: {error}", traceback.format_exc())
        finally:
            if generator is not None:
                generator.close()


class _ComputeThread(QThread):
    """Runs queued jobs one at a time, in order.

    The whole loop is one Python call on purpose: PySide gives each slot invoked on a plain QThread
    a fresh Python thread state, which would wipe TensorFlow's thread-local graph state between
    jobs and crash the next one.
    """

    def __init__(self):
        super().__init__()
        self.setObjectName("studio-compute")
        # TensorFlow's graph tracing recurses deeply; give it room.
        self.setStackSize(COMPUTE_STACK_BYTES)
        self.jobs: queue.SimpleQueue[JobHandle | None] = queue.SimpleQueue()

    def run(self) -> None:
        while (handle := self.jobs.get()) is not None:
            handle._execute()
            release_freed_memory()  # so a session of many picture sizes levels off


_live_runners: weakref.WeakSet[JobRunner] = weakref.WeakSet()


class JobRunner(QObject):
    """Runs engine generators on one compute thread (TensorFlow work is serialised there), in the
    order they were queued. `jobs()` lists those not yet ended; `jobs_changed` fires when one is
    queued, starts or ends."""

    jobs_changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._thread = _ComputeThread()
        self._thread.start()
        self._by_owner: dict[object, JobHandle] = {}
        self._pending: list[JobHandle] = []
        _live_runners.add(self)

    def run(self, job: Job, owner: object | None = None) -> JobHandle:
        """Queue `job`. With an `owner`, that owner's previous job is cancelled and cut off, so its
        late previews never reach the owner (tabs use `studio.ui.jobs.TabJobs` channels instead)."""
        if owner is not None and (previous := self._by_owner.get(owner)) is not None and not previous.is_done:
            previous.supersede()
        handle = JobHandle(job, self)
        handle.state_changed.connect(self._job_state_changed)
        self._pending.append(handle)
        if owner is not None:
            self._by_owner[owner] = handle
        self._thread.jobs.put(handle)
        self._queue_changed()
        return handle

    def jobs(self) -> list[JobHandle]:
        """Jobs not yet ended, in the order they run: the first holds (or is about to take) the compute thread."""
        return list(self._pending)

    @Slot()
    def _job_state_changed(self) -> None:
        self._pending = [handle for handle in self._pending if not handle.is_done]
        self._queue_changed()

    def _queue_changed(self) -> None:
        if self._pending:
            ahead = self._pending[0]
            for handle in self._pending[1:]:
                handle._wait_behind(ahead.job.title)
        self.jobs_changed.emit()

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Cancel every job and stop the compute thread (the app calls this on quit).
        False if a step still running did not end within `timeout_ms`."""
        for handle in list(self._pending):
            handle.cancel()
            handle._stop_displays()  # the loop that would show its last events is ending
        self._thread.jobs.put(None)
        return self._thread.wait(timeout_ms)


def format_seconds(seconds: float | None) -> str:
    """'about 3 min left' style text for a progress label."""
    if seconds is None:
        return "estimating time left…"
    if seconds < 60:
        return f"about {max(1, round(seconds))} s left"
    if seconds < 3600:
        return f"about {round(seconds / 60)} min left"
    return f"about {seconds / 3600:.1f} h left"
