"""How a tab runs its jobs, one way for every tab (after Orange3's ConcurrentWidgetMixin).

A tab starts a job on a named channel and says what to do at each moment of its life::

    self.jobs.start("dream", Job("dream", {...}, title="Dream"),
                    on_preview=self._show_preview, on_done=self._dream_done)

Callbacks run on the GUI thread. Starting again on a channel supersedes the job there: it is
cancelled and none of its callbacks (not even a late preview) runs after that. A failure shows
a readable message unless the tab gives `on_failed`. A `JobPanel` attached to a channel follows
each job started on it: what it waits for, its progress and time left, and a Cancel button.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from studio.core.progress import Progress
from studio.ui.runner import Job, JobHandle, JobRunner
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.job_panel import JobPanel


@dataclass(frozen=True)
class _Listeners:
    started: Callable[[], None] | None
    progress: Callable[[Progress], None] | None
    preview: Callable[[np.ndarray], None] | None
    done: Callable[[Any], None] | None
    failed: Callable[[str, str], None] | None
    cancelled: Callable[[], None] | None


class TabJobs(QObject):
    """The jobs of one tab, one per named channel ("dream", "train", "write"...)."""

    busy_changed = Signal(str)  # channel: a job was started there, or the channel's job ended

    def __init__(self, runner: JobRunner, parent: QWidget):
        super().__init__(parent)
        self.runner = runner
        self._widget = parent
        self._current: dict[str, tuple[JobHandle, _Listeners]] = {}
        self._panels: dict[str, JobPanel] = {}

    def start(
        self,
        channel: str,
        job: Job,
        *,
        on_started: Callable[[], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        on_preview: Callable[[np.ndarray], None] | None = None,
        on_done: Callable[[Any], None] | None = None,
        on_failed: Callable[[str, str], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
    ) -> JobHandle:
        """Queue `job` on `channel`, superseding the channel's previous job.

        `on_started()` when it takes the compute thread; `on_progress(event)` for every Progress;
        `on_preview(frame)` for preview pictures (at most ~15 a second, always the newest);
        `on_done(result)`; `on_failed(message, details)` (default: an error box);
        `on_cancelled()` when the user or the tab stopped it (not when superseded).
        """
        previous = self._current.pop(channel, None)
        if previous is not None:
            previous[0].supersede()
        handle = self.runner.run(job)
        listeners = _Listeners(on_started, on_progress, on_preview, on_done, on_failed, on_cancelled)
        self._current[channel] = (handle, listeners)
        handle.started.connect(self._on_started)
        handle.progress.connect(self._on_progress)
        handle.preview.connect(self._on_preview)
        handle.finished.connect(self._on_finished)
        handle.failed.connect(self._on_failed)
        handle.cancelled.connect(self._on_cancelled)
        if channel in self._panels:
            self._panels[channel].watch(handle)
        self.busy_changed.emit(channel)
        return handle

    def attach_panel(self, channel: str, panel: JobPanel) -> None:
        """`panel` follows every job started on `channel` from now on."""
        self._panels[channel] = panel

    def cancel(self, channel: str) -> None:
        """Stop the channel's job (if any): `on_cancelled` runs once it has stopped."""
        if (handle := self.handle(channel)) is not None:
            handle.cancel()

    def is_busy(self, channel: str) -> bool:
        """Whether a job of `channel` is queued or running."""
        return channel in self._current

    def handle(self, channel: str) -> JobHandle | None:
        """The channel's queued or running job, if any."""
        current = self._current.get(channel)
        return current[0] if current is not None else None

    # -- from the handles (GUI thread) --------------------------------------------------------
    def _dispatch(self, moment: str, *args: Any, ends: bool = False) -> None:
        handle = self.sender()
        channel = next((name for name, (current, _) in self._current.items() if current is handle), None)
        if channel is None:
            return  # superseded: its listeners no longer hear from it
        listeners = self._current[channel][1]
        if ends:
            del self._current[channel]
        callback = getattr(listeners, moment)
        if callback is not None:
            callback(*args)
        elif moment == "failed":
            show_error(self._widget, *args)
        if ends:
            self.busy_changed.emit(channel)

    @Slot()
    def _on_started(self) -> None:
        self._dispatch("started")

    @Slot(object)
    def _on_progress(self, event: Progress) -> None:
        self._dispatch("progress", event)

    @Slot(object)
    def _on_preview(self, frame: np.ndarray) -> None:
        self._dispatch("preview", frame)

    @Slot(object)
    def _on_finished(self, result: Any) -> None:
        self._dispatch("done", result, ends=True)

    @Slot(str, str)
    def _on_failed(self, message: str, details: str) -> None:
        self._dispatch("failed", message, details, ends=True)

    @Slot()
    def _on_cancelled(self) -> None:
        self._dispatch("cancelled", ends=True)
