"""The Text tab: drop in your own writing, train a language model (or a reply model) on it, watch its
samples improve, then write with it: stream continuations side by side, pick the next word yourself
from the model's suggestions, or, with a reply model, type a line and read its replies.

The pieces live in their own modules: the corpus (`text_corpus`), the model file (`text_model_bar`),
training (`text_training`), the writer (`text_writer`) and the Reply panel (`text_reply`). This
module puts them on screen, keeps them in step, and remembers their settings through their forms.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from studio.core.params import params_from_dict, params_to_dict
from studio.core.params.text import MODEL_SUFFIX, SamplingParams
from studio.ui.runner import JobRunner
from studio.ui.settings import Settings
from studio.ui.tab import StudioTab
from studio.ui.text_corpus import TEXT_SUFFIXES, CorpusBox
from studio.ui.text_model_bar import ModelBar
from studio.ui.text_reply import ReplyPanel
from studio.ui.text_training import FIELD_WIDTH, TrainingControls, TrainingView
from studio.ui.text_writer import Writer
from studio.ui.widgets.forms import column, row, side_panel
from studio.ui.widgets.job_panel import JobPanel
from studio.ui.widgets.param_form import ParamForm

WRITER_PAGE, REPLY_PAGE = 0, 1
TRAINING_VIEW, WRITE_VIEW = 0, 1


class TextTab(StudioTab):
    key = "text"
    title = "Text"
    opens = (*TEXT_SUFFIXES, MODEL_SUFFIX)

    def __init__(self, runner: JobRunner, settings: Settings, parent: QWidget | None = None):
        super().__init__(runner, settings, parent)
        self.model = ModelBar(self.jobs, settings)
        self.training_view = TrainingView()
        self.corpus = CorpusBox(self.jobs, settings, lambda: self.training.form.params().lowercase)
        self.training = TrainingControls(
            self.jobs, self.corpus, self.model, self.training_view, Path(settings.path).parent / "text"
        )
        self.sampling_form = ParamForm(SamplingParams)
        self.sampling_form.set_field_width(FIELD_WIDTH)
        self.writer = Writer(self.jobs, settings, self.model, self.sampling_form)
        self.reply_panel = ReplyPanel(self.jobs, settings, self.model, self.sampling_form)
        self._last_seen: tuple[bool, Path | None] = (False, None)
        self._build()
        self.model.changed.connect(self.refresh)
        self.jobs.busy_changed.connect(lambda _channel: self.refresh())
        self.corpus.summarize()
        self.refresh()

    def _build(self) -> None:
        self.pages = QStackedWidget()
        self.pages.insertWidget(WRITER_PAGE, self.writer)
        self.pages.insertWidget(REPLY_PAGE, self.reply_panel)
        write_job = JobPanel()
        write_job.cancel_button.hide()  # the writer's Stop does it
        self.jobs.attach_panel("write", write_job)
        texts_and_settings = row((self.pages, 1), side_panel(self.sampling_form))
        write_view = QWidget()
        write_view.setLayout(column(self.model, (texts_and_settings, 1), write_job))
        # Training and writing each get the whole height: they never run at once (one compute thread).
        self.views = QTabWidget()
        self.views.insertTab(TRAINING_VIEW, self.training_view, "Training")
        self.views.insertTab(WRITE_VIEW, write_view, "Write")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.training)
        splitter.addWidget(self.views)
        splitter.setStretchFactor(1, 1)
        QVBoxLayout(self).addWidget(splitter)

    def refresh(self) -> None:
        """Keep the buttons and pages in step with the model and the jobs; show the training while it
        runs, and the writer once it stops or a model is opened."""
        training = self.jobs.is_busy("train")
        if (training, self.model.path) != self._last_seen:
            self._last_seen = (training, self.model.path)
            self.views.setCurrentIndex(TRAINING_VIEW if training or not self.model.exists() else WRITE_VIEW)
        replies = self.model.replies
        self.training.refresh()
        self.model.set_busy(training)
        self.pages.setCurrentIndex(REPLY_PAGE if replies else WRITER_PAGE)
        self.sampling_form.set_row_visible("prompt", not replies)  # a reply answers the line typed
        can_write = self.model.exists() and not training
        self.writer.set_enabled(can_write)
        self.reply_panel.set_enabled(can_write)

    # -- files ----------------------------------------------------------------------------------
    def open_path(self, path: str) -> None:
        if path.lower().endswith(MODEL_SUFFIX):
            if self.jobs.is_busy("train"):
                self.training.status.setText(f"Stop the training to open {Path(path).name}.")
            else:
                self.model.use(path)
        else:
            self.corpus.set_paths([path])

    # -- the menus' shortcuts -------------------------------------------------------------------
    def run_main(self) -> bool:
        """Ctrl+Return writes (or replies) when a model is ready, else trains."""
        if self.model.replies and self.reply_panel.reply_button.isEnabled():
            return self.reply_panel.reply() is not None
        if self.writer.generate_button.isEnabled():
            self.writer.write()
        elif self.training.train_button.isEnabled():
            self.training.train()
        else:
            return False
        return True

    def cancel_main(self) -> bool:
        for channel in ("write", "train"):
            if self.jobs.is_busy(channel):
                self.jobs.cancel(channel)
                return True
        return False

    # -- state ----------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {
            "train": params_to_dict(self.training.form.params()),
            "sampling": params_to_dict(self.sampling_form.params()),
            "corpus": self.corpus.paths,
            "model": str(self.model.path) if self.model.path else None,
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Last session's settings, corpus and model; what no longer fits or exists is left as it is."""
        for form, key in ((self.training.form, "train"), (self.sampling_form, "sampling")):
            try:
                form.set_params(params_from_dict(form.params_class, state.get(key, {})))
            except (TypeError, ValueError):
                pass
        self.corpus.restore(state.get("corpus", []))
        model = state.get("model")
        if model and Path(model).is_file():
            self.model.use(model)
