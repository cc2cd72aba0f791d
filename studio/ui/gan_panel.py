"""The GAN page of the Latent Explorer: pick pictures, train a DCGAN while watching its losses and
a fixed grid of samples, then draw new grids, interpolate between two picked samples, export walks,
edit a sample or a projected photo along the main directions (`gan_edit`) and save stills, which
join the history strip.

The trained model is an opaque object handed back by the engine's jobs; this page only passes it
back into later jobs (sampling, saving), it never touches TensorFlow itself.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QLabel,
    QTabWidget,
    QWidget,
)

from studio.core.catalog import GREY_DATASETS
from studio.core.history import HistoryEntry
from studio.core.params import params_from_dict, params_to_dict
from studio.core.params.gan import GanParams, GanSampleParams
from studio.core.progress import Progress
from studio.ui.gan_edit import GanEditView
from studio.ui.latent_page import LatentPage
from studio.ui.runner import Job, JobHandle, JobRunner
from studio.ui.settings import Settings
from studio.ui.widgets.dataset_chooser import DatasetChooser
from studio.ui.widgets.forms import column, push_button, row, spin
from studio.ui.widgets.images import ImageView
from studio.ui.widgets.param_form import ParamForm
from studio.ui.widgets.plot import LossPlot
from studio.ui.widgets.requests import RequestNote
from studio.ui.widgets.sample_grid import SampleGridView
from studio.ui.widgets.stills import Still

GRID_COUNT, GRID_COLUMNS = 36, 6
SAMPLING = "Sampling"
SAMPLES_VIEW, EDIT_VIEW = 0, 1


class GanPanel(LatentPage):
    """Train a DCGAN on a set of pictures and explore what it makes."""

    stem = "gan"
    noun = "GAN"
    params_class = GanParams

    def __init__(self, runner: JobRunner, settings: Settings, parent: QWidget | None = None):
        super().__init__(runner, settings, parent)
        self.latents: np.ndarray | None = None  # latent points of the grid shown, in reading order
        self.grid_sampling: GanSampleParams | None = None  # how the grid shown was drawn (None: the training monitor)
        self.picked: list[int] = []
        self.dataset_chooser = DatasetChooser(settings, "gan-data")
        self.dataset_chooser.changed.connect(self._dataset_changed)
        self.form = ParamForm(GanParams, {"dataset": self.dataset_chooser})
        self.sample_form = self._build_sample_form()
        self._build_views()
        self.lay_out_explorer(more_controls=(self.sample_form,), above_views=(self.warning_label,))
        self.stills.attach(self.grid_view, self.current_stills)
        self.stills.attach(self.editor.picture_view, self.current_stills)
        self.greet("Choose pictures (or drop a folder on the grid), then press Train.")
        self.refresh()

    def _build_views(self) -> None:
        self.grid_view = SampleGridView("Drop a folder of pictures here, or choose a dataset and press Train")
        self.grid_view.files_dropped.connect(self.open_paths)
        self.grid_view.cell_clicked.connect(self.pick)
        self.warning_label = QLabel()
        self.warning_label.setObjectName("warning")
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(
            "QLabel#warning { background: #fff3cd; color: #664d03; padding: 6px; border-radius: 4px; }"
        )
        self.warning_label.hide()
        self.strip_view = ImageView("Click two pictures of the grid to see the way between them")
        self.strip_view.setMinimumHeight(70)
        self.strip_view.setMaximumHeight(140)
        self.loss_plot = LossPlot()
        self.loss_plot.setMaximumHeight(140)
        self.waiting_note = RequestNote(self.jobs)
        samples = QWidget()
        # The strip and the plot side by side below the grid, so the grid keeps its height in a small window.
        samples.setLayout(
            column(self.waiting_note, (self.grid_view, 1), row((self.strip_view, 3), (self.loss_plot, 2)))
        )
        self.editor = GanEditView(self.jobs, self.settings, self.status.setText)
        self.editor.made.connect(self._made)
        self.views = QTabWidget()
        self.views.addTab(samples, "Samples")
        self.views.addTab(self.editor, "Edit: directions and photos")

    def _build_sample_form(self) -> ParamForm:
        form = ParamForm(GanSampleParams)
        form.update(count=GRID_COUNT, columns=GRID_COLUMNS)
        form.changed.connect(self.sample)
        self.new_grid_button = push_button("New grid", self.new_grid, "Draw a grid from a new random seed")
        self.steps = spin(3, 64)
        self.steps.setValue(8)
        self.spherical = QCheckBox("Spherical (slerp)")
        self.spherical.setChecked(True)
        self.export_button = push_button("Export walk…", self.export_dialog)
        form.add_row(SAMPLING, "", self.new_grid_button)
        form.add_row(SAMPLING, "Interpolation steps", self.steps, "Pictures in the strip between two picked ones")
        form.add_row(
            SAMPLING, "", self.spherical, "Follow the sphere where most latent points lie, rather than a straight line"
        )
        form.add_row(
            SAMPLING,
            "",
            self.export_button,
            "A looping animation through the two picked pictures, or through four random points when none are picked",
        )
        return form

    def _dataset_changed(self) -> None:
        source = self.dataset_chooser.value()
        if source in GREY_DATASETS:
            self.form.update(channels=1)
        elif source == "cifar10":
            self.form.update(channels=3)
        if source in ("mnist", "fashion_mnist"):
            self.form.update(image_size=28)

    def open_paths(self, paths: list[str]) -> None:
        """A dropped folder becomes the dataset; a dropped .keras file is opened as the model."""
        path = Path(paths[0])
        if path.is_dir():
            self.dataset_chooser.use_folder(str(path))
            self.status.setText(f"Will train on the pictures in {path.name}.")
        elif path.suffix.lower() == ".keras":
            self.open_path(str(path))
        else:
            self.status.setText(f"Drop a folder of pictures (to train on) or a .keras GAN model, not {path.name}.")

    # -- the engine's side ----------------------------------------------------------------------
    def training_job(self, params: GanParams, resume: bool, path: str) -> Job:
        kwargs: dict[str, Any] = {"params": params, "checkpoint_path": path}
        if resume and self.model is not None:
            kwargs["model"] = self.model
        elif resume:
            kwargs["resume_from"] = path
        return Job("gan.train", kwargs, title="Training the GAN")

    def load_job(self, path: str) -> Job:
        return Job("gan.load", {"path": path}, title="Opening the GAN")

    def save_job(self, path: str) -> Job:
        return Job("gan.save", {"model": self.model, "path": path}, title="Saving the GAN")

    # -- training -------------------------------------------------------------------------------
    def training_started(self, resume: bool) -> None:
        self.warning_label.hide()
        self.editor.set_model(None)  # its directions would belong to the weights training changes
        self.views.setCurrentIndex(SAMPLES_VIEW)

    def training_progress(self, event: Progress) -> None:
        if "checkpoint" in event.data:  # an epoch is done and saved: that is the model now
            self.model, self.model_path = event.data["model"], Path(event.data["checkpoint"])
            self.status.setText(
                f"Epoch {event.data['epoch']} done and saved. The grid shows the same latent points after every epoch."
            )
        if "warning" in event.data:
            self.warning_label.setText(event.data["warning"] or "")
            self.warning_label.setVisible(bool(event.data["warning"]))
        if "latents" in event.data:
            self.latents, self.grid_sampling = event.data["latents"], None

    def training_preview(self, grid: np.ndarray) -> None:
        self.picked.clear()
        if self.latents is None:
            self.grid_view.set_grid(grid)
        else:
            self.grid_view.set_grid(grid, GRID_COLUMNS, len(self.latents))

    def model_ready(self, model, how: str) -> None:
        if how != "trained":  # a trained model's grid is its monitor's, still pickable
            self.latents = None
            self.sample()
        self.editor.set_model(model)

    def training_stopped(self) -> None:
        """The run saved its finished epochs: edit them (Resume goes on from there)."""
        if self.model is not None:
            self.editor.set_model(self.model)

    def refresh(self) -> None:
        super().refresh()
        ready = self.model is not None and not self.jobs.is_busy("train")
        self.sample_form.setEnabled(ready)

    # -- sampling -------------------------------------------------------------------------------
    def new_grid(self) -> None:
        self.sample_form.update(seed=random.randrange(2**31 - 1))

    def sample(self) -> JobHandle | None:
        """Draw the grid for the sampling settings (the newest request wins)."""
        if self.model is None or self.jobs.is_busy("train"):
            return None
        params = self.sample_form.params()
        job = Job("gan.sample_grid", {"model": self.model, "params": params}, title="Drawing samples")
        return self.waiting_note.request("sample", job, lambda result: self._show_samples(params, result))

    def _show_samples(self, params: GanSampleParams, result: dict[str, Any]) -> None:
        self.latents, self.grid_sampling = result["latents"], params
        self.picked.clear()
        self.grid_view.set_grid(result["grid"], result["columns"], len(self.latents))
        self.status.setText("Click two pictures to see the way from one to the other.")

    def pick(self, index: int) -> None:
        """Pick a sample: the first click sets the start, the second the end, a third starts over."""
        if self.latents is None or self.jobs.is_busy("train"):
            return  # the grid still belongs to the running training
        self.picked = [index] if len(self.picked) != 1 else [self.picked[0], index]
        self.grid_view.mark(self.picked)
        self.editor.set_code(self.latents[index])
        if len(self.picked) == 2:
            self.interpolate()
        else:
            self.status.setText("Now click the picture to go to, or edit this one in the Edit view.")

    def interpolate(self) -> JobHandle:
        start, end = (self.latents[index] for index in self.picked)
        kwargs = {
            "model": self.model,
            "start": start,
            "end": end,
            "steps": self.steps.value(),
            "spherical": self.spherical.isChecked(),
        }
        self.status.setText("The strip below goes from the first picked picture to the second.")
        job = Job("gan.interpolation", kwargs, title="Interpolating")
        return self.waiting_note.request("strip", job, self.strip_view.set_image)

    def export_dialog(self) -> None:
        suggested = Path(self.settings.last_folder("gan-export")) / "latent-walk.gif"
        path, _ = QFileDialog.getSaveFileName(self, "Export latent walk", str(suggested), "GIF (*.gif);;MP4 (*.mp4)")
        if path:
            self.settings.set_last_folder("gan-export", path)
            self.export_walk(path)

    def export_walk(self, path: str) -> JobHandle | None:
        """Save a looping walk through the picked pictures (or random points) as an animation."""
        if self.model is None:
            return None
        kwargs: dict[str, Any] = {"model": self.model, "path": path, "steps_per_leg": 4 * self.steps.value()}
        if len(self.picked) == 2:
            kwargs["keypoints"] = self.latents[self.picked]
        else:
            sampling = self.sample_form.params()
            kwargs.update(seed=sampling.seed, truncation=sampling.truncation)
        self.status.setText(f"Saving {Path(path).name}…")
        return self.jobs.start(
            "animation",
            Job("gan.export_walk", kwargs, title="Exporting walk"),
            on_done=lambda saved: self.status.setText(f"Saved {Path(saved).name}."),
        )

    # -- state ----------------------------------------------------------------------------------
    def _forms(self) -> dict[str, ParamForm]:
        return {"sampling": self.sample_form, "projection": self.editor.projection_form}

    def state(self) -> dict[str, Any]:
        return {**super().state(), **{key: params_to_dict(form.params()) for key, form in self._forms().items()}}

    def restore_state(self, state: dict[str, Any]) -> None:
        for key, form in self._forms().items():
            try:
                form.set_params(params_from_dict(form.params_class, state[key]))
            except (KeyError, TypeError, ValueError):
                pass
        super().restore_state(state)

    # -- stills and the history ------------------------------------------------------------------
    def current_stills(self) -> list[Still]:
        """The edited picture (first when the Edit view is shown), the last picked picture, the grid."""
        if self.model is None:
            return []
        stills = []
        if self.latents is not None and self.grid_view.image is not None:
            if self.picked:
                index = self.picked[-1]
                picture = self.grid_view.cell_picture(index, self.model.params.image_size)
                latent = self.latents[index].tolist()
                stills.append(self.still(f"picture {index + 1}", "sample", picture, latent=latent))
            sampling = (
                {"seed": self.grid_sampling.seed, "truncation": self.grid_sampling.truncation}
                if self.grid_sampling
                else {}
            )
            latents = self.latents.tolist()
            columns = self.grid_view.columns
            stills.append(
                self.still("the grid", "grid", self.grid_view.image, latent=latents, columns=columns, **sampling)
            )
        edited = self.edited_still()
        if edited is not None:
            stills.insert(0 if self.views.currentIndex() == EDIT_VIEW else len(stills), edited)
        return stills

    def edited_still(self, kind: str = "edit") -> Still | None:
        """The Edit view's picture, with its latent point (and the photo it was projected from)."""
        editor = self.editor
        if editor.picture_view.image is None or editor.picture_code is None:
            return None
        photo = {"projected_from": editor.projected_from} if editor.projected_from else {}
        return self.still(
            "the edited picture", kind, editor.picture_view.image, latent=editor.picture_code.tolist(), **photo
        )

    def _made(self, kind: str, *_: Any) -> None:
        """A finished projection or a slider edit joins the history strip."""
        if (still := self.edited_still(kind)) is not None:
            self.keep_still(still)

    def show_made(self, entry: HistoryEntry, own: bool) -> None:
        latent = np.asarray(entry.recipe.get("latent") or [], np.float32)
        if entry.recipe.get("kind") == "grid":
            self.views.setCurrentIndex(SAMPLES_VIEW)
            columns = int(entry.recipe.get("columns") or GRID_COLUMNS)
            own = own and latent.ndim == 2
            self.latents, self.grid_sampling, self.picked = (latent if own else None), None, []
            self.grid_view.set_grid(entry.picture, columns, len(latent) if own else 0)
        else:
            self.views.setCurrentIndex(EDIT_VIEW)
            self.editor.picture_view.set_image(entry.picture)
            if own and latent.ndim == 1:
                self.editor.set_code(latent, entry.recipe.get("projected_from"))
