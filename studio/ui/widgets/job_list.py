"""The job list: what holds the compute thread and what waits behind it, with Cancel for each.
The main window's status bar shows a button with a summary; clicking it opens the list."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QToolButton, QVBoxLayout, QWidget, QWidgetAction

from studio.ui.runner import JobHandle, JobRunner
from studio.ui.widgets.job_panel import JobPanel


def summary(handles: list[JobHandle]) -> str:
    """'Dream running · 2 waiting' style text for the status bar."""
    if not handles:
        return "No jobs"
    text = f"{handles[0].job.title} {'running' if handles[0].state == 'running' else 'starting'}"
    return text + (f" · {len(handles) - 1} waiting" if len(handles) > 1 else "")


class JobRow(QWidget):
    """One job: its title, then a `JobPanel` following it (what it waits for, progress, Cancel)."""

    def __init__(self, handle: JobHandle, parent: QWidget | None = None):
        super().__init__(parent)
        self.handle = handle
        self.title = QLabel(handle.job.title)
        self.title.setStyleSheet("font-weight: 600")
        self.title.setMinimumWidth(130)
        self.panel = JobPanel()
        self.panel.bar.setMaximumWidth(140)  # leave the words room in a narrow popup
        self.panel.watch(handle)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.title)
        layout.addWidget(self.panel, 1)


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
        self.setMinimumWidth(660)
        runner.jobs_changed.connect(self.refresh)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Drop the rows of jobs that ended (their panels have let go of them) and add rows for new jobs."""
        handles = self.runner.jobs()
        for row in [row for row in self.rows if row.handle not in handles]:
            self.rows.remove(row)
            self._layout.removeWidget(row)
            row.hide()
            row.deleteLater()
        shown = {row.handle for row in self.rows}
        for handle in handles:
            if handle not in shown:
                self.rows.append(JobRow(handle))
                self._layout.addWidget(self.rows[-1])
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
