"""Training in the Text tab: the settings form, Train / Resume / Stop, and what a run shows (the loss
curves, and after each epoch the sample prompt continued at each of the ladder's temperatures).

A new model trains into a file of its own (`text/model.textmodel`, `model-2`...); Train on a model
that has trained asks first whether to continue it or start a new one (`widgets.model_training`), so no
model is replaced without a question. Resume goes on with the model's own file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from studio.core.params.text import MODEL_SUFFIX, TextTrainParams
from studio.core.progress import Progress
from studio.ui.jobs import TabJobs
from studio.ui.runner import Job, JobHandle
from studio.ui.text_corpus import CorpusBox
from studio.ui.text_model_bar import ModelBar
from studio.ui.widgets.forms import column, fill, push_button, row, side_panel
from studio.ui.widgets.job_panel import JobPanel
from studio.ui.widgets.model_training import ask_how_to_train, free_model_path, training_ended_early
from studio.ui.widgets.number_list import NumberListField
from studio.ui.widgets.param_form import ParamForm
from studio.ui.widgets.plot import LossPlot
from studio.ui.widgets.sample_columns import SampleColumns

REPLY_GROUP = "Reply model"
MAX_TEMPERATURE = 5.0
FIELD_WIDTH = 120  # the tab's settings panels beside its texts fit a 1024-pixel-wide window
SAMPLES_HINT = "Samples at each temperature appear here after every epoch."


class TrainingView(QWidget):
    """The loss curves, and the samples written after the latest epoch, one column per temperature."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.loss_plot = LossPlot()
        self.loss_plot.setMinimumHeight(70)
        self.title = QLabel(SAMPLES_HINT)
        self.title.setWordWrap(True)
        self.samples = SampleColumns()
        self._layout = column((self.loss_plot, 2), self.title, (self.samples, 3))
        fill(self, self._layout)

    def add_job_line(self, job_panel: JobPanel, status: QLabel) -> None:
        """The training job's progress and the status line, under what it shows."""
        self._layout.addWidget(job_panel)
        self._layout.addWidget(status)

    def clear(self, temperatures: tuple[float, ...]) -> None:
        self.loss_plot.clear()
        self.title.setText(SAMPLES_HINT)
        self.name_columns(temperatures)
        self.samples.set_texts([""])

    def name_columns(self, temperatures: tuple[float, ...]) -> None:
        self.samples.set_titles([f"T = {t:g}" for t in temperatures])

    def add_event(self, event: Progress, offset: float) -> None:
        """Plot a run's losses (its steps after `offset`) and show an epoch's samples."""
        metrics, data = event.metrics, event.data
        if "batches_done" in data and "loss" in metrics and "samples" not in data:
            self.loss_plot.add("loss", offset + event.step, metrics["loss"])
        if "val_loss" in metrics and "samples" in data:
            self.loss_plot.add("val_loss", offset + event.step, metrics["val_loss"])
        samples: dict[float, str] | None = data.get("samples")
        if samples:
            prompt = data.get("prompt", "")
            does = "answers" if data.get("reply") else "continues"
            self.title.setText(f"Epoch {data['epoch']}: the model {does} “{prompt}”")
            self.name_columns(tuple(samples))
            lead = f"› {prompt}\n" if data.get("reply") else prompt
            self.samples.set_texts([lead + text for text in samples.values()])


class TrainingControls(QWidget):
    """The corpus, the training settings and the buttons that run a training job on channel "train"."""

    def __init__(self, jobs: TabJobs, corpus: CorpusBox, model: ModelBar, view: TrainingView, folder: Path):
        super().__init__()
        self.jobs = jobs
        self.corpus = corpus
        self.model = model
        self.view = view
        self.folder = folder  # new models are trained into files here
        self.training_into: Path | None = None
        self._plot_offset = 0.0
        self.temperatures = NumberListField(0.0, MAX_TEMPERATURE)
        self.form = ParamForm(TextTrainParams, {"temperatures": self.temperatures})
        self.form.set_field_width(FIELD_WIDTH)
        self.form.editor("level").activated.connect(self._level_chosen)
        self.form.changed.connect(self._settings_changed)
        self.train_button = push_button(
            "Train", self.train, "Train a new model on the corpus (asks first when a trained one is open)", primary=True
        )
        self.resume_button = push_button(
            "Resume",
            lambda: self.start(resume=True),
            "Go on training the open model up to the epochs set, in its own file",
        )
        self.stop_button = push_button("Stop", self.stop, "Stop after this batch; every finished epoch is kept")
        self.job_panel = JobPanel()
        self.job_panel.cancel_button.hide()  # Stop does it
        self.job_panel.label.setWordWrap(True)
        jobs.attach_panel("train", self.job_panel)
        self.status = QLabel()
        self.status.setWordWrap(True)
        buttons = row(self.train_button, self.resume_button, self.stop_button)
        settings = fill(QWidget(), column(corpus, self.form))
        # The buttons stay in sight below the scrolled settings.
        fill(self, column((side_panel(settings), 1), buttons))
        view.add_job_line(self.job_panel, self.status)
        self._settings_changed()

    # -- settings -------------------------------------------------------------------------------
    def _level_chosen(self) -> None:
        """Words carry more than characters: a shorter context sees as much text."""
        self.form.update(sequence_length=40 if self.form.params().level == "word" else 100)

    def _settings_changed(self) -> None:
        params = self.form.params()
        self.form.editor("max_vocabulary").setEnabled(params.level == "word")
        self.form.set_group_visible(REPLY_GROUP, params.architecture == "seq2seq")
        self.form.set_row_visible("line_items", params.architecture != "seq2seq")
        if self.view.title.text() == SAMPLES_HINT:  # no samples yet: name the columns they will fill
            self.view.name_columns(params.temperatures)

    # -- running --------------------------------------------------------------------------------
    def train(self) -> QMessageBox | None:
        """Train a new model; where a trained one is open, ask first whether to continue it instead."""
        if not self.model.exists():
            self.start(resume=False)
            return None
        return ask_how_to_train(
            self,
            "model",
            self.model.path,
            free_model_path(self.folder, "model", MODEL_SUFFIX),
            self.model.epochs_done,
            self.form.params().epochs,
            on_continue=lambda: self.start(resume=True),
            on_new=lambda: self.start(resume=False),
        )

    def start(self, resume: bool) -> JobHandle:
        """Continue the open model in its own file (`resume`), or train a new one into a new file."""
        resume = resume and self.model.exists()
        into = self.model.path if resume else free_model_path(self.folder, "model", MODEL_SUFFIX)
        params = self.form.params()
        self.training_into = into
        if resume:
            self._plot_offset = self.view.loss_plot.last_step()
        else:
            self._plot_offset = 0.0
            self.view.clear(params.temperatures)
        job = Job(
            "text.train",
            {
                "corpus_paths": self.corpus.paths,
                "params": params,
                "model_path": str(into),
                "resume_from": str(into) if resume else None,
            },
            title="Resuming training" if resume else "Training",
        )
        handle = self.jobs.start(
            "train",
            job,
            on_progress=self._progress,
            on_done=self._trained,
            on_failed=self._failed,
            on_cancelled=self._stopped,
        )
        self.status.setText(f"Continuing {into.name}." if resume else f"Training a new model into {into.name}.")
        return handle

    def stop(self) -> None:
        if self.jobs.is_busy("train"):
            self.jobs.cancel("train")
            self.status.setText("Stopping after this batch; every finished epoch is kept…")

    def _progress(self, event: Progress) -> None:
        self.view.add_event(event, self._plot_offset)
        if "note" in event.data:
            self.status.setText(event.data["note"])
        if "samples" in event.data:
            self.model.use(self.training_into, describe=False)  # the epoch is saved: this is the model now

    def _trained(self, result: dict[str, Any]) -> None:
        self.status.setText(f"Trained {Path(result['path']).name} for {result['epochs']} epochs.")
        self.model.use(result["path"])

    def _failed(self, message: str, details: str) -> None:
        training_ended_early(self, self.status, self._keep_checkpoint, (message, details))

    def _stopped(self) -> None:
        training_ended_early(self, self.status, self._keep_checkpoint)

    def _keep_checkpoint(self) -> None:
        """A run that ends early has saved its finished epochs: that file is the model now."""
        if self.training_into is not None and self.training_into.exists():
            self.model.use(self.training_into)
        elif self.model.path is not None:
            self.model.use(self.model.path)

    def refresh(self) -> None:
        training = self.jobs.is_busy("train")
        self.train_button.setEnabled(not training)
        self.stop_button.setEnabled(training)
        self.resume_button.setEnabled(not training and self.model.exists())
