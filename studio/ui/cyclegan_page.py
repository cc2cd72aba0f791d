"""The CycleGAN page of the Style tab's side panel: two collections and the training settings,
Train, Resume, Stop, the model file (opened, saved, never replaced without a question), and how to
translate. Its training view (the sample strip and the four loss curves) is shown by the tab.

Training, the train question and the model file work as on the Latent Explorer's pages
(`LatentPage`); the model is an opaque object handed back by the engine's jobs.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget

from studio.core.params.cyclegan import (
    CYCLE_ERROR,
    DEMO_COLLECTIONS,
    LOSS_CURVES,
    TRANSLATE_GROUP,
    CycleGanParams,
    CycleGanTranslateParams,
)
from studio.core.progress import Progress
from studio.ui.latent_page import LatentPage
from studio.ui.runner import Job, JobRunner
from studio.ui.settings import Settings
from studio.ui.shortcuts import RUN, with_key
from studio.ui.widgets.collection_chooser import CollectionChooser
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.forms import column, fill, push_button
from studio.ui.widgets.latent_grid import LatentPictureView
from studio.ui.widgets.param_form import ParamForm
from studio.ui.widgets.plot import LossPlot
from studio.ui.widgets.stills import Still

STRIP_CAPTION = "Each row: A · A→B · back to A   |   B · B→A · back to B"


class CycleGanPage(LatentPage):
    """Train a CycleGAN between collections A and B; the tab translates its pictures with it."""

    stem = "cyclegan"
    noun = "CycleGAN"
    params_class = CycleGanParams
    loss_curves = LOSS_CURVES
    training_begun = Signal()  # the tab shows the training view

    def __init__(self, runner: JobRunner, settings: Settings, parent: QWidget | None = None):
        super().__init__(runner, settings, parent)
        self.choosers = {side: CollectionChooser(settings, f"cyclegan-{side}") for side in "ab"}
        self.form = ParamForm(CycleGanParams, {"collection_a": self.choosers["a"], "collection_b": self.choosers["b"]})
        self.translate_form = ParamForm(CycleGanTranslateParams)
        self.translate_button = push_button(
            "Translate", tip=with_key("Translate the Content picture with the model, at full size", RUN), primary=True
        )
        self.translate_form.add_row(TRANSLATE_GROUP, "", self.translate_button)
        # The collections and what to do with them first, the settings of the networks below.
        self.form.add_row("Collections", "", fill(QWidget(), self.build_run_buttons()))
        self.translate_form.layout().setContentsMargins(0, 0, 0, 0)
        self.form.layout().insertWidget(1, self.translate_form)
        fill(self, column(self.form))
        self.training_view = self._build_training_view()
        self.stills.attach(self.strip_view, self.current_stills)
        self.status.setText(
            "Demo collections are chosen: press Train to watch grass learn to become gravel, or choose your own."
        )
        self.refresh()

    def _build_training_view(self) -> QWidget:
        self.strip_view = LatentPictureView(
            "Fixed pictures of both collections and their translations appear here as it trains."
        )
        caption = QLabel(STRIP_CAPTION)
        caption.setObjectName("hint")
        self.loss_plot = LossPlot(placeholder="The four losses appear here while it trains")
        view = QWidget()
        view.setLayout(column(self.job_panel, self.status, caption, (self.strip_view, 3), (self.loss_plot, 1)))
        return view

    # -- the engine's side ----------------------------------------------------------------------
    def training_job(self, params: CycleGanParams, resume: bool, path: str) -> Job:
        kwargs = {"params": params, "resume_from": path if resume else None, "checkpoint_path": path}
        return Job("cyclegan.train", kwargs, title="Training the CycleGAN")

    def load_job(self, path: str) -> Job:
        return Job("cyclegan.load", {"path": path}, title="Opening the CycleGAN")

    def save_job(self, path: str) -> Job:
        return Job("cyclegan.save", {"model": self.model, "path": path}, title="Saving the CycleGAN")

    def problems(self, params: CycleGanParams) -> list[str]:
        if set(params.collection_a) == set(params.collection_b):
            return ["Collections A and B are the same: choose pictures of another kind for one of them."]
        return []

    # -- training -------------------------------------------------------------------------------
    def training_started(self, resume: bool) -> None:
        self.training_begun.emit()

    def training_progress(self, event: Progress) -> None:
        if "skipped" in event.data:
            skipped = {side: names for side, names in event.data["skipped"].items() if names}
            notes = [f"{len(names)} files in {side.upper()} are not pictures" for side, names in skipped.items()]
            self.status.setText(event.stage + (f" ({'; '.join(notes)}: skipped)." if notes else "."))
        if CYCLE_ERROR in event.metrics:
            self.status.setText(f"{event.stage} · round-trip error {event.metrics[CYCLE_ERROR]:.3f}")

    def training_preview(self, frame: np.ndarray) -> None:
        self.strip_view.set_image(frame)

    def training_stopped(self) -> None:
        """The run saved its finished epochs: reopen them, so Translate can use them."""
        if self.model_path is not None and self.model_path.exists():
            self.open_path(str(self.model_path), quiet=True)

    def model_ready(self, model: Any, how: str) -> None:
        if how == "trained":
            self.status.setText(f"Trained {self.model_summary()}: open a picture as Content and press Translate.")

    def current_stills(self) -> list[Still]:
        if self.model is None or self.strip_view.image is None:
            return []
        return [self.still("the sample strip", "strip", self.strip_view.image)]

    # -- translating ----------------------------------------------------------------------------
    def translation_job(self, picture: np.ndarray) -> tuple[Job, CycleGanTranslateParams, dict[str, Any]] | None:
        """The job that translates `picture` with the open model, its parameters and recipe extras;
        None while there is no model to translate with (the status line says why)."""
        if self.model is None:
            show_error(self, "Train a CycleGAN or open one first: Translate uses the open model.")
            return None
        params = self.translate_form.params()
        kwargs = {"model": self.model, "picture": picture, "params": params}
        name = self.model_path.name if self.model_path else None
        extra = {"model": str(self.model_path) if self.model_path else None, "source_size": picture.shape[1::-1]}
        return Job("cyclegan.translate", kwargs, title=f"Translating with {name or 'the CycleGAN'}"), params, extra

    def restorable(self, params: CycleGanParams) -> CycleGanParams:
        defaults = CycleGanParams()
        for side in ("collection_a", "collection_b"):
            if not all(source in DEMO_COLLECTIONS or Path(source).exists() for source in getattr(params, side)):
                params = dataclasses.replace(params, **{side: getattr(defaults, side)})
        return params
