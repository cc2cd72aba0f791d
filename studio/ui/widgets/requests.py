"""Interactive requests to the compute thread (a picture for a slider, a grid, a strip), and a note
that says what they wait for while another job holds the thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel

from studio.ui.jobs import TabJobs
from studio.ui.runner import Job, JobHandle
from studio.ui.widgets.job_panel import waiting_text


class RequestNote(QLabel):
    """Starts a view's requests on their channels (each new one supersedes the one waiting there)
    and shows itself, saying what for, while they wait behind a job that is not one of them."""

    def __init__(self, jobs: TabJobs):
        super().__init__()
        self.jobs = jobs
        self._titles: set[str] = set()  # what the requests are called: waiting behind one of them is no news
        self.setObjectName("hint")
        self.setWordWrap(True)
        self.hide()

    def request(
        self, channel: str, job: Job, on_done: Callable[[Any], None], on_started: Callable[[], None] | None = None
    ) -> JobHandle:
        self._titles.add(job.title)

        def started() -> None:
            self.hide()
            if on_started is not None:
                on_started()

        handle = self.jobs.start(channel, job, on_started=started, on_done=on_done)
        handle.waiting.connect(self._waiting)
        if handle.waiting_for is not None:
            self._waiting(handle.waiting_for)
        return handle

    def _waiting(self, title: str) -> None:
        if title not in self._titles:
            self.setText(f"{waiting_text(title)} The pictures follow as soon as it ends.")
            self.show()
