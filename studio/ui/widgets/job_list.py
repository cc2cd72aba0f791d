"""The job list: what holds the compute thread and what waits behind it, with Cancel for each.
The main window's status bar shows a button with a summary; clicking it opens the list."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from studio.core.progress import Progress
from studio.ui.runner import JobHandle, JobRunner, format_seconds


def summary(handles: list[JobHandle]) -> str:
    """'Dream running · 2 waiting' style text for the status bar."""
    if not handles:
        return "No jobs"
    text = f"{handles[0].job.title} {'running' if handles[0].state == 'running' else 'starting'}"
    return text + (f" · {len(handles) - 1} waiting" if len(handles) > 1 else "")


class JobRow(QWidget):
    """One job: its title, what it is doing (or that it waits), its progress and a Cancel button."""

    def __init__(self, handle: JobHandle, parent: QWidget | None = None):
        super().__init__(parent)
        self.handle = handle
        self.title = QLabel(f"<b>{handle.job.title}</b>")
        self.detail = QLabel()
        self.detail.setObjectName("hint")
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(120)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip(f"Stop {handle.job.title}")
        self.cancel_button.clicked.connect(self.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.title)
        layout.addWidget(self.detail, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        handle.progress.connect(self._on_progress)
        self._show_state()

    def _show_state(self) -> None:
        running = self.handle.state == "running"
        self.bar.setVisible(running)
        self.bar.setRange(0, 0)
        if self.handle.stop_requested:
            self.detail.setText("stopping after this step…")
            self.cancel_button.setEnabled(False)
        elif self.handle.last_progress is not None:
            self._on_progress(self.handle.last_progress)
        else:
            self.detail.setText("running" if running else "waiting")

    def cancel(self) -> None:
        self.handle.cancel()
        if not self.handle.is_done:
            self._show_state()

    @Slot(object)
    def _on_progress(self, event: Progress) -> None:
        if event.total > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(round(event.fraction * 1000))
        words = [event.stage] if event.stage else []
        if event.total > 0:
            words.append(format_seconds(self.handle.seconds_left()))
        self.detail.setText(" · ".join(words) or "running")


class JobList(QWidget):
    """Every job of `runner` not yet ended, in the order they run, each with Cancel."""

    def __init__(self, runner: JobRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self.rows: list[JobRow] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self.empty = QLabel("Nothing is running: the compute thread is free.")
        self.empty.setObjectName("hint")
        self._layout.addWidget(self.empty)
        self.setMinimumWidth(460)
        runner.jobs_changed.connect(self.refresh)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        for row in self.rows:
            row.handle.progress.disconnect(row._on_progress)
            self._layout.removeWidget(row)
            row.hide()
            row.deleteLater()
        self.rows = [JobRow(handle) for handle in self.runner.jobs()]
        for row in self.rows:
            self._layout.addWidget(row)
        self.empty.setVisible(not self.rows)
        self.adjustSize()


class JobListButton(QToolButton):
    """A status-bar button that sums up the jobs and opens the `JobList` when clicked."""

    def __init__(self, runner: JobRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self.setToolTip("What uses the compute thread and what waits for it; click to see or cancel them")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setAutoRaise(True)
        self.setStyleSheet("QToolButton::menu-indicator { image: none; }")  # the text says what a click shows
        self.job_list = JobList(runner)
        menu = QMenu(self)
        action = QWidgetAction(menu)
        action.setDefaultWidget(self.job_list)
        menu.addAction(action)
        self.setMenu(menu)
        runner.jobs_changed.connect(self._refresh)
        self._refresh()

    @Slot()
    def _refresh(self) -> None:
        self.setText(summary(self.runner.jobs()))
        if self.menu().isVisible():
            self.menu().adjustSize()
