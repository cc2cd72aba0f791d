"""The job list in the main window's status bar: what holds the compute thread, what waits, and Cancel for each."""

from __future__ import annotations

import fake_engines

from studio.ui.runner import Job
from studio.ui.widgets.job_list import JobList, JobListButton


def test_the_list_shows_the_running_job_and_the_one_waiting_and_cancels_the_waiting_one(qtbot, runner):
    job_list = JobList(runner)
    button = JobListButton(runner)
    for widget in (job_list, button):
        qtbot.addWidget(widget)
    assert job_list.empty.isVisibleTo(job_list) and button.text() == "No jobs"

    training = runner.run(Job(fake_engines.endless, title="Training GAN"))
    dream = runner.run(Job(fake_engines.endless, title="Dream"))
    qtbot.waitUntil(lambda: training.state == "running", timeout=5000)
    qtbot.waitUntil(lambda: job_list.rows[0].panel.label.text().startswith("step"), timeout=5000)
    rows = [(row.title.text(), row.panel.label.text()) for row in job_list.rows]
    assert rows[0][0] == "Training GAN" and rows[1] == ("Dream", "Waiting for “Training GAN” to finish…")
    assert button.text() == "Training GAN running · 1 waiting"
    assert not job_list.empty.isVisibleTo(job_list)

    job_list.rows[1].panel.cancel_button.click()
    assert dream.outcome == ("cancelled", None)
    assert [row.handle for row in job_list.rows] == [training] and training.state == "running"
    assert button.text() == "Training GAN running"

    job_list.rows[0].panel.cancel_button.click()
    qtbot.waitUntil(lambda: not job_list.rows, timeout=5000)
    assert training.outcome == ("cancelled", None) and button.text() == "No jobs"
