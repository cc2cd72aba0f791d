"""Training a fast style model in the Style tab: the style pictures (presets or the user's own, a
blend of several), the training settings, a live preview of a fixed picture, the loss curve and the
time left; Stop keeps what was learned and Resume goes on from there. Models are `.keras` files in
the user's style models folder; an existing one is never replaced without a question."""

from __future__ import annotations

from collections import deque
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from studio.core.params.fast_style import FastStyleTrainParams
from studio.core.progress import Progress
from studio.core.style_presets import DEFAULT_PRESET, load_preset
from studio.ui.jobs import TabJobs
from studio.ui.latent_page import free_model_path
from studio.ui.runner import Job, JobHandle
from studio.ui.settings import Settings
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.file_field import FileField
from studio.ui.widgets.forms import column, push_button, row
from studio.ui.widgets.job_panel import JobPanel
from studio.ui.widgets.latent_grid import LatentPictureView
from studio.ui.widgets.param_form import ParamForm
from studio.ui.widgets.plot import LossPlot
from studio.ui.widgets.preset_row import PresetRow, preset_label
from studio.ui.widgets.saving import file_stem
from studio.ui.widgets.style_strip import StyleStrip

CHANNEL = "fast-style-train"
TRAIN_QUESTION = "style-train-question"  # the object name of the question Train asks about an existing model
PLOTTED = ("loss", "style", "content")
# Each step sees one random crop, so its losses jump about: the curve shows their mean over the
# last steps, where the trend can be seen.
SMOOTHING_STEPS = 10


class FastStyleTraining(QWidget):
    """Train a style model; `model_saved(path)` whenever a run ends with the model written (done or stopped)."""

    model_saved = Signal(Path)

    def __init__(self, jobs: TabJobs, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.jobs, self.settings = jobs, settings
        self.folder = settings.style_models_folder()
        self.model_path: Path | None = None  # the model this session trained last: what Resume continues
        self.training_into: Path | None = None
        self.styles = StyleStrip(with_regions=False)
        self.styles.take_files(settings)
        self.presets = PresetRow()
        self.presets.chosen.connect(self.styles.add)
        self.name = QLineEdit()
        self.name.setToolTip(f"The model's file name in {self.folder}; empty: named after the first style")
        self.content_dir = FileField(
            "Your pictures to learn on", lambda: self.settings.last_folder("style-content"), folder=True
        )
        self.form = ParamForm(
            FastStyleTrainParams, {"style_blend": self.styles.blend_field, "content_dir": self.content_dir}
        )
        self.preview = LatentPictureView("A picture painted by the model in training appears here")
        self.preview.setFixedHeight(200)
        self.plot = LossPlot(log_scale=True, placeholder="Loss curve")
        self.plot.setFixedHeight(110)
        self.plot.setToolTip(
            f"The losses, averaged over the last {SMOOTHING_STEPS} steps: they fall as the model learns the style"
        )
        self._recent: dict[str, deque[float]] = {name: deque(maxlen=SMOOTHING_STEPS) for name in PLOTTED}
        self.job_panel = JobPanel()
        self.job_panel.cancel_button.hide()  # Stop does it, beside Train
        self.job_panel.label.setWordWrap(True)
        jobs.attach_panel(CHANNEL, self.job_panel)
        jobs.busy_changed.connect(lambda channel: self.refresh() if channel == CHANNEL else None)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self._build()
        self.styles.add(load_preset(DEFAULT_PRESET), preset_label(DEFAULT_PRESET))
        self.styles.changed.connect(self._name_hint)
        self._name_hint()
        self.refresh()

    def _build(self) -> None:
        box = QGroupBox("Style pictures")
        box.setLayout(column(self.presets, self.styles))
        self.train_button = push_button(
            "Train", self.train, "Train a new style model (asks first when the name is taken)", primary=True
        )
        self.resume_button = push_button(
            "Resume", self.resume, "Go on training the last model up to the steps set, from its last save"
        )
        self.stop_button = push_button(
            "Stop", self.stop, "Stop after this step; the model is saved as it is, to use or resume"
        )
        buttons = row(self.train_button, self.resume_button, self.stop_button)
        name_row = row(QLabel("Name:"), (self.name, 1))
        self.setLayout(column(box, name_row, buttons, self.job_panel, self.preview, self.plot, self.status, self.form))

    # -- style pictures ----------------------------------------------------------------------------
    def model_name(self) -> str:
        names = self.styles.names()
        given = self.name.text().strip()
        return file_stem(given or (names[0].removesuffix(" (preset)").lower() if names else "style"))

    def _name_hint(self) -> None:
        self.name.setPlaceholderText(self.model_name() if not self.name.text().strip() else "")

    # -- training ---------------------------------------------------------------------------------
    def train(self) -> None:
        """Train a new model under the name given; when a model has that name, ask first."""
        if self._problem() is None:
            path = self.folder / f"{self.model_name()}.keras"
            if path.exists():
                self.ask_about(path)
            else:
                self.start(path, resume=False)

    def resume(self) -> None:
        if self.model_path is not None and self._problem() is None:
            self.start(self.model_path, resume=True)

    def stop(self) -> None:
        if self.jobs.is_busy(CHANNEL):
            self.jobs.cancel(CHANNEL)
            self.status.setText("Stopping after this step; the model is saved as it is…")

    def _problem(self) -> str | None:
        problem = None
        if not self.styles.thumbs:
            problem = "Add at least one style picture: click a preset, or add a picture of your own."
        elif sum(self.styles.blend()) <= 0:
            problem = "Give at least one style picture a blend weight above 0."
        if problem is not None:
            show_error(self, problem)
        return problem

    def ask_about(self, path: Path) -> QMessageBox:
        """Continue the model of that name, train a new one under a free name, or cancel (non-blocking)."""
        new_path = free_model_path(self.folder, path.stem)
        box = QMessageBox(QMessageBox.Icon.Question, "Train the style model", f"{path.name} exists.", parent=self)
        box.setObjectName(TRAIN_QUESTION)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setInformativeText(
            f"Continue training it up to {self.form.params().steps} steps (it is saved over as it learns), "
            f"or train a new model as {new_path.name}, which leaves {path.name} as it is?"
        )
        go_on = box.addButton("Continue training it", QMessageBox.ButtonRole.AcceptRole)
        new = box.addButton(f"New model: {new_path.name}", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(partial(self._answered, {go_on: (path, True), new: (new_path, False)}))
        box.open()
        return box

    def _answered(self, choices: dict, clicked: QPushButton) -> None:
        if clicked in choices:
            self.start(*choices[clicked])

    def start(self, path: Path, resume: bool) -> JobHandle:
        """Train into `path`: a new model, or (`resume`) the model in it, further."""
        params = self.form.params()
        kwargs = {
            "styles": self.styles.pictures(),
            "params": params,
            "resume_from": str(path) if resume else None,
            "checkpoint_path": str(path),
            "style_names": self.styles.names(),
        }
        self.training_into = path
        self.plot.clear()
        for recent in self._recent.values():
            recent.clear()
        handle = self.jobs.start(
            CHANNEL,
            Job("fast_style.train", kwargs, title=f"Training {path.stem}"),
            on_progress=self._progress,
            on_preview=self.preview.set_image,
            on_done=lambda _model: self._ended(f"Trained {path.name}: click it in the gallery to paint with it."),
            on_failed=self._failed,
            on_cancelled=lambda: self._ended(f"Stopped. {path.name} keeps what it learned: Resume goes on."),
        )
        self.status.setText(f"{'Continuing' if resume else 'Training a new model,'} {path.name}.")
        self.refresh()
        return handle

    def _progress(self, event: Progress) -> None:
        step = event.data.get("steps_done", event.step)
        for name in PLOTTED:
            if name in event.metrics:
                self._recent[name].append(event.metrics[name])
                self.plot.add(name, step, sum(self._recent[name]) / len(self._recent[name]))

    def _ended(self, text: str) -> None:
        self.status.setText(text)
        self._keep_model()

    def _failed(self, message: str, details: str) -> None:
        self.status.setText("Training did not start, or stopped with a problem.")
        self._keep_model()
        show_error(self, message, details)

    def _keep_model(self) -> None:
        if self.training_into is not None and self.training_into.exists():
            self.model_path = self.training_into
            self.model_saved.emit(self.training_into)
        self.refresh()

    def refresh(self) -> None:
        training = self.jobs.is_busy(CHANNEL)
        self.train_button.setEnabled(not training)
        self.stop_button.setEnabled(training)
        self.resume_button.setEnabled(not training and self.model_path is not None and self.model_path.exists())
