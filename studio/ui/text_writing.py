"""What the Text tab's writer and its Reply panel share: the tab's jobs, the model, the sampling form,
streaming a writing job's samples into columns side by side, and saving what was written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QFileDialog, QWidget

from studio.core.files import atomic_path
from studio.core.params.text import SamplingParams
from studio.core.progress import JobError, Progress
from studio.ui.jobs import TabJobs
from studio.ui.runner import Job, JobHandle
from studio.ui.settings import Settings
from studio.ui.text_model_bar import ModelBar
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.param_form import ParamForm
from studio.ui.widgets.sample_columns import SampleColumns


class WritingPanel(QWidget):
    """Writes with the model in `model` and the settings in `form`, on the tab's "write" channel."""

    def __init__(
        self,
        jobs: TabJobs,
        settings: Settings,
        model: ModelBar,
        form: ParamForm[SamplingParams],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.jobs = jobs
        self.settings = settings
        self.model = model
        self.form = form

    def generate(
        self, params: SamplingParams, into: SampleColumns, title: str, **callbacks: Callable[..., Any]
    ) -> JobHandle:
        """Write `params.samples` texts, each streamed into its column of `into` as it comes."""
        job = Job("text.generate", {"model_path": str(self.model.path), "params": params}, title=title)
        return self.jobs.start("write", job, on_progress=lambda event: stream_into(into, event), **callbacks)

    def save_texts(self, texts: list[str]) -> None:
        """Ask where, then save the texts (one after another) as UTF-8, atomically."""
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the text", self.settings.last_folder("text-output"), "Text (*.txt)"
        )
        if not path:
            return
        try:
            with atomic_path(path) as partial:
                partial.write_text("\n\n".join(text for text in texts if text), encoding="utf-8")
        except JobError as error:
            show_error(self, str(error))
            return
        self.settings.set_last_folder("text-output", path)


def stream_into(columns: SampleColumns, event: Progress) -> None:
    """Add a writing job's new text to each sample's column (one sample: the event's text)."""
    columns.append(event.data.get("pieces") or [event.text])
