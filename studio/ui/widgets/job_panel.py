"""Progress bar with stage, time left and a Cancel button, bound to one running job at a time."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from studio.core.progress import Progress
from studio.ui.runner import JobHandle, format_seconds

ENDINGS = {"finished": "Done", "failed": "Failed", "cancelled": "Cancelled"}


class JobPanel(QWidget):
    """Shows what the current job is doing and lets the user stop it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.label = QLabel("Ready")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar, 2)
        layout.addWidget(self.label, 3)
        layout.addWidget(self.cancel_button)
        self._handle: JobHandle | None = None
        self.cancel_button.clicked.connect(self.cancel)

    def watch(self, handle: JobHandle) -> None:
        self._handle = handle
        self.bar.setRange(0, 0)
        self.label.setText(f"{handle.job.title}: waiting for the compute thread…")
        self.cancel_button.setEnabled(True)
        handle.progress.connect(self._on_progress)
        handle.ended.connect(lambda kind: self._settle(ENDINGS[kind], handle))

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self.label.setText("Stopping after this step…")
            self.cancel_button.setEnabled(False)

    def _on_progress(self, event: Progress) -> None:
        if event.total > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(round(event.fraction * 1000))
        parts = [event.stage or self._handle.job.title]
        if event.total > 0:
            parts.append(format_seconds(self._handle.seconds_left()))
        self.label.setText(" · ".join(parts))

    def _settle(self, word: str, handle: JobHandle) -> None:
        if handle is not self._handle:
            return
        self._handle = None
        self.bar.setRange(0, 1000)
        self.bar.setValue(1000 if word == "Done" else 0)
        self.label.setText(word)
        self.cancel_button.setEnabled(False)
