"""Progress bar with stage, time left and a Cancel button, bound to one job at a time."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QProgressBar, QWidget

from studio.core.progress import Progress
from studio.ui.runner import JobHandle, format_seconds
from studio.ui.widgets.forms import fill, push_button, row

ENDINGS = {"finished": "Done", "failed": "Failed", "cancelled": "Cancelled"}


def waiting_text(title: str) -> str:
    """What a queued job tells the user while another job holds the compute thread."""
    return f"Waiting for “{title}” to finish…"


class JobPanel(QWidget):
    """Shows what the watched job is doing (or what it waits for) and lets the user stop it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.label = QLabel("Ready")
        self.cancel_button = push_button("Cancel", self.cancel)
        self.cancel_button.setEnabled(False)
        fill(self, row((self.bar, 2), (self.label, 3), self.cancel_button))
        self._handle: JobHandle | None = None

    def watch(self, handle: JobHandle) -> None:
        """Follow `handle` from now on; the job watched before no longer reaches this panel."""
        self._release()
        self._handle = handle
        for signal, slot in self._connections(handle):
            signal.connect(slot)
        self.cancel_button.setEnabled(True)
        if handle.waiting_for is not None:
            self._on_waiting(handle.waiting_for)
        else:
            self._on_started()

    def _release(self) -> None:
        if self._handle is not None:
            for signal, slot in self._connections(self._handle):
                signal.disconnect(slot)
            self._handle = None

    def _connections(self, handle: JobHandle) -> tuple:
        return (
            (handle.waiting, self._on_waiting),
            (handle.started, self._on_started),
            (handle.progress_display, self._on_progress),
            (handle.ended, self._on_ended),
        )

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            if self._handle is not None:  # still running: it stops at its next step
                self.label.setText("Stopping after this step…")
                self.cancel_button.setEnabled(False)

    @Slot(str)
    def _on_waiting(self, title: str) -> None:
        self.bar.setRange(0, 1000)
        self.bar.setValue(0)
        self.label.setText(waiting_text(title))

    @Slot()
    def _on_started(self) -> None:
        self.bar.setRange(0, 0)  # busy until the job says how far it is
        self.label.setText(f"{self._handle.job.title}: starting…")

    @Slot(object)
    def _on_progress(self, event: Progress) -> None:
        if event.total > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(round(event.fraction * 1000))
        parts = [event.stage or self._handle.job.title]
        if event.total > 0:
            parts.append(format_seconds(self._handle.seconds_left()))
        self.label.setText(" · ".join(parts))

    @Slot(str)
    def _on_ended(self, kind: str) -> None:
        self._release()
        self.bar.setRange(0, 1000)
        self.bar.setValue(1000 if kind == "finished" else 0)
        self.label.setText(ENDINGS[kind])
        self.cancel_button.setEnabled(False)
