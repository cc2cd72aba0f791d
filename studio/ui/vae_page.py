"""The VAE page of the Latent Explorer: pictures and settings, training with its samples and loss
curves, the explorer of the trained model, and the history strip of the stills saved or made there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtWidgets import QTabWidget, QWidget

from studio.core.history import HistoryEntry
from studio.core.params.vae import VaeParams
from studio.core.progress import Progress
from studio.ui.latent_page import LatentPage
from studio.ui.runner import Job, JobRunner
from studio.ui.settings import Settings
from studio.ui.vae_explorer import VaeExplorer
from studio.ui.widgets.dataset_chooser import DatasetChooser
from studio.ui.widgets.forms import column, row
from studio.ui.widgets.latent_grid import LatentPictureView
from studio.ui.widgets.param_form import ParamForm
from studio.ui.widgets.plot import LossPlot
from studio.ui.widgets.stills import Still

TRAINING_VIEW, EXPLORE_VIEW = 0, 1


class VaePage(LatentPage):
    """Everything for one VAE: pictures, settings, training view and explorer."""

    stem = "vae"
    noun = "VAE"
    params_class = VaeParams

    def __init__(self, runner: JobRunner, settings: Settings, parent: QWidget | None = None):
        super().__init__(runner, settings, parent)
        self.dataset_chooser = DatasetChooser(settings, "latent")
        self.form = ParamForm(VaeParams, {"dataset": self.dataset_chooser})
        self.explorer_view = VaeExplorer(self.jobs, settings, self.status.setText)
        self.explorer_view.made.connect(lambda: self.keep_still(self.current_stills()[0]))
        self.views = QTabWidget()
        self.views.addTab(self._build_training_view(), "Training")
        self.views.addTab(self.explorer_view, "Explore")
        self.lay_out_explorer()
        self.stills.attach(self.explorer_view.picture_view, lambda: self.current_stills()[:1])
        self.stills.attach(self.explorer_view.grid_view, lambda: self.current_stills()[1:])
        self.greet("Choose pictures and press Train, or open a saved model.")
        self.refresh()

    def _build_training_view(self) -> QWidget:
        self.dataset_view = LatentPictureView("Drop a folder of pictures here\n(any sizes; cropped to squares)")
        self.dataset_view.setToolTip("The pictures it learns from, once read")
        self.dataset_view.files_dropped.connect(self._dataset_dropped)
        self.samples_view = LatentPictureView(
            "Pictures decoded from fixed points of the latent space appear here after each epoch, "
            "so you can watch them sharpen."
        )
        # One plot, each curve on its own scale: the KL term (what beta acts on) is hundreds of
        # times smaller than the reconstruction, and would be a flat line on a shared axis.
        self.loss_plot = LossPlot(own_scales=True)
        pictures = row((self.dataset_view, 1), (self.samples_view, 2))
        view = QWidget()
        view.setLayout(column((pictures, 3), (self.loss_plot, 1)))
        return view

    def _dataset_dropped(self, paths: list[str]) -> None:
        folder = Path(paths[0])
        self.dataset_chooser.use_folder(str(folder if folder.is_dir() else folder.parent))
        self.status.setText(f"Will train on the pictures in {self.dataset_chooser.value()}.")

    # -- the engine's side ----------------------------------------------------------------------
    def training_job(self, params: VaeParams, resume: bool, path: str) -> Job:
        kwargs = {"params": params, "checkpoint": path, "resume_from": path if resume else None}
        return Job("vae.train", kwargs, title="Training the VAE")

    def load_job(self, path: str) -> Job:
        return Job("vae.load", {"path": path}, title="Opening the VAE")

    def save_job(self, path: str) -> Job:
        return Job("vae.save", {"explorer": self.model, "path": path}, title="Saving the VAE")

    def model_params(self, model) -> VaeParams:
        return model.vae.params

    def model_epochs(self, model) -> int:
        return model.vae.epochs_done

    def problems(self, params: VaeParams) -> list[str]:
        return params.problems()

    # -- training -------------------------------------------------------------------------------
    def training_started(self, resume: bool) -> None:
        self.views.setCurrentIndex(TRAINING_VIEW)

    def training_progress(self, event: Progress) -> None:
        if "pictures" in event.data:
            self.dataset_view.set_image(event.data["pictures"])
            self.status.setText(event.stage[:1].upper() + event.stage[1:] + ".")

    def training_preview(self, frame: np.ndarray) -> None:
        self.samples_view.set_image(frame)

    def training_stopped(self) -> None:
        """The run saved its finished epochs: explore them (Resume goes on from there)."""
        if self.model_path is not None and self.model_path.exists():
            self.open_path(str(self.model_path), quiet=True)

    def model_ready(self, model, how: str) -> None:
        self.explorer_view.set_explorer(model)
        if how != "reopened":
            self.views.setCurrentIndex(EXPLORE_VIEW)

    # -- stills ---------------------------------------------------------------------------------
    def current_stills(self) -> list[Still]:
        """The slider picture, then the grid."""
        view = self.explorer_view
        stills = []
        if view.picture_view.image is not None:
            code = view.picture_code.tolist()
            stills.append(self.still("the picture", "picture", view.picture_view.image, latent=code))
        if view.grid_view.image is not None and (plane := view.grid_plane) is not None:
            grid = {"origin": plane.origin.tolist(), "x_axis": plane.u.tolist(), "y_axis": plane.v.tolist()}
            plane_recipe = {**grid, "extent": plane.extent, "cells": view.grid_cells}
            stills.append(self.still("the grid", "grid", view.grid_view.image, plane=plane_recipe))
        return stills

    def show_made(self, entry: HistoryEntry, own: bool) -> None:
        view = self.explorer_view
        self.views.setCurrentIndex(EXPLORE_VIEW)
        if entry.recipe.get("kind") == "grid":
            view.grid_view.set_image(entry.picture)
            return
        latent = np.asarray(entry.recipe.get("latent") or [], np.float32)
        view.picture_view.set_image(entry.picture)
        if own and latent.shape == view.code.shape:
            view.set_code(latent)

    # -- state ----------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {**super().state(), **self.explorer_view.state()}

    def restore_state(self, state: dict[str, Any]) -> None:
        self.explorer_view.restore_state(state)
        super().restore_state(state)
