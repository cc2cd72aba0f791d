"""The GAN's latent space edited by hand: sliders along the generator's principal directions
(the GANSpace idea; found by a job once a model is ready), and a photo projected into the GAN
(the latent point whose picture looks most like it, found by gradient descent with a live
preview, progress and Cancel), which the sliders then edit.

As in the VAE's explorer, every picture is drawn on the compute thread through a request that a
newer one supersedes, so dragging a slider never piles up work. The model and its explorer are
opaque here: they only travel into jobs, and the explorer's NumPy helpers place codes on sliders.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from studio.core.params import params_to_dict
from studio.core.params.gan_projection import GanProjectionParams
from studio.core.progress import Progress
from studio.ui.jobs import TabJobs
from studio.ui.runner import Job, JobHandle
from studio.ui.settings import Settings
from studio.ui.widgets.errors import picture_or_error
from studio.ui.widgets.forms import STRETCH, column, fill, push_button, row, side_panel
from studio.ui.widgets.job_panel import JobPanel
from studio.ui.widgets.latent_grid import LatentPictureView
from studio.ui.widgets.latent_sliders import LatentSliderBox
from studio.ui.widgets.param_form import ParamForm
from studio.ui.widgets.requests import RequestNote

PICTURE_TITLE, DIRECTIONS_TITLE, PROJECT_TITLE = (
    "Drawing the picture",
    "Finding the main directions",
    "Finding the photo",
)
PHOTO_FILTER = "Pictures (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff)"


class GanEditView(QWidget):
    """One latent point of a GAN, shown as a picture and moved by sliders along its main directions.
    `made(kind, picture, code)` when a picture worth keeping was made here: a finished projection
    ("projection") or a slider let go ("edit")."""

    made = Signal(str, object, object)

    def __init__(self, jobs: TabJobs, settings: Settings, say, parent: QWidget | None = None):
        super().__init__(parent)
        self.jobs = jobs
        self.settings = settings
        self.say = say  # puts a sentence in the page's status line
        self.model: Any = None
        self.explorer: Any = None  # a studio.engines.gan.GanExplorer, once its directions are found
        self.code: np.ndarray | None = None  # the latent point the sliders edit
        self.picture_code: np.ndarray | None = None  # the latent point of the picture shown
        self.projected_from: str | None = None  # the photo the point was projected from (None: not a photo)
        self.losses: list[float] = []  # the running projection's difference to its photo, step by step
        self._edit_pending = False  # a slider was let go: keep the picture once it is drawn
        self.waiting_note = RequestNote(jobs)
        self.picture_view = LatentPictureView(
            "Drop a photo here (or Open photo…): the GAN finds its closest picture, and the sliders edit it"
        )
        self.picture_view.files_dropped.connect(lambda paths: self.project(paths[0]))
        self.project_panel = JobPanel()
        self.project_panel.label.setWordWrap(True)
        jobs.attach_panel("project", self.project_panel)
        picture = column(self.waiting_note, (self.picture_view, 1), self.project_panel)
        fill(self, row((picture, 3), (side_panel(self._build_side()), 2)))
        self.set_model(None)

    def _build_side(self) -> QWidget:
        self.open_button = push_button(
            "Open photo…", self.open_dialog, "Find the GAN's closest picture to a photo (or drop one on the picture)"
        )
        self.projection_form = ParamForm(GanProjectionParams)
        self.random_button = push_button(
            "Random point",
            lambda: self.set_code(self.explorer.random_code()),
            "Jump to a random point: a picture the GAN could make",
        )
        self.centre_button = push_button(
            "Centre",
            lambda: self.set_code(self.explorer.center),
            "The centre of the latent space: the GAN's most typical picture",
        )
        self.photo_view = LatentPictureView()
        self.photo_view.setToolTip("The photo last looked for, to compare with what the GAN found")
        self.photo_view.setMaximumHeight(120)
        self.photo_view.hide()
        self.slider_box = LatentSliderBox("Main directions")
        self.slider_box.setToolTip("Each slider moves the picture along one of the ways the GAN's pictures vary most")
        self.slider_box.moved.connect(self._slider_moved)
        self.slider_box.released.connect(self._slider_released)
        side = QWidget()
        # The sliders first: in a small window they matter more than the projection's settings.
        side.setLayout(
            column(
                row(self.open_button, self.random_button, self.centre_button),
                self.slider_box,
                self.projection_form,
                self.photo_view,
                STRETCH,
            )
        )
        return side

    # -- the model and its directions -------------------------------------------------------------
    def set_model(self, model: Any) -> JobHandle | None:
        """Take a model (None: none, or one still training): its main directions are found by a job."""
        self.model, self.explorer = model, None
        self.slider_box.set_axes([], np.zeros(0))
        self.set_enabled()
        if model is None:
            return None
        job = Job("gan.directions", {"model": model}, title=DIRECTIONS_TITLE)
        return self.waiting_note.request("directions", job, self.set_explorer)

    def set_explorer(self, explorer: Any) -> None:
        """Sliders along the explorer's directions; the point shown stays if it belongs to this model."""
        self.explorer = explorer
        notes = [
            f"Direction {index + 1}: about {share:.0%} of the variety of the GAN's first features"
            for index, share in enumerate(explorer.explained)
        ]
        self.slider_box.set_axes(explorer.slider_names, explorer.spread, notes)
        if self.code is None or self.code.shape != explorer.center.shape:
            self.code, self.projected_from = explorer.center.copy(), None
        self.set_enabled()
        self.set_code(self.code)

    def set_enabled(self) -> None:
        ready = self.explorer is not None
        for widget in (self.random_button, self.centre_button, self.slider_box):
            widget.setEnabled(ready)
        self.open_button.setEnabled(self.model is not None)

    # -- the picture and its sliders --------------------------------------------------------------
    def set_code(self, code: np.ndarray, projected_from: str | None = None) -> None:
        """Show the picture of latent point `code` and put the sliders where it sits."""
        self.code, self.projected_from = np.asarray(code, np.float32), projected_from
        if self.explorer is not None:
            self.slider_box.show_values(self.explorer.slider_values(self.code))
            self.show_code()

    def _slider_moved(self, axis: int, value: float) -> None:
        if self.explorer is not None and self.code is not None:
            self.code = self.explorer.with_slider(self.code, axis, value)
            self.show_code()

    def _slider_released(self) -> None:
        self._edit_pending = True
        if self.picture_code is not None and np.array_equal(self.picture_code, self.code):
            self._keep_edit()

    def show_code(self) -> JobHandle | None:
        if self.explorer is None or self.code is None:
            return None
        code = self.code
        job = Job("gan.decode", {"explorer": self.explorer, "codes": code}, title=PICTURE_TITLE)
        return self.waiting_note.request("picture", job, partial(self._show_picture, code))

    def _show_picture(self, code: np.ndarray, picture: np.ndarray) -> None:
        self.picture_code = code
        self.picture_view.set_image(picture)
        if self._edit_pending:
            self._keep_edit()

    def _keep_edit(self) -> None:
        self._edit_pending = False
        self.made.emit("edit", self.picture_view.image, self.picture_code)

    # -- a photo projected into the GAN -----------------------------------------------------------
    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Find a photo in the GAN", self.settings.last_folder("gan-photo"))
        if path:
            self.settings.set_last_folder("gan-photo", path)
            self.project(path)

    def project(self, path: str) -> JobHandle | None:
        """Find the GAN's picture closest to the photo at `path`; the preview follows the search."""
        not_ready = (
            "Train or open a GAN first; then drop a photo to find it in the GAN." if self.model is None else None
        )
        if (rgb := picture_or_error(self, path, not_ready)) is None:
            return None
        name, params = Path(path).name, self.projection_form.params()
        self.losses = []
        self.photo_view.set_image(rgb)
        self.photo_view.show()
        kwargs = {"model": self.model, "picture": rgb, **params_to_dict(params)}
        job = Job("gan.project", kwargs, title=PROJECT_TITLE)
        self.say(f"Looking for {name} in the GAN ({params.steps} steps): the picture shows the match so far.")
        return self.jobs.start(
            "project",
            job,
            on_preview=self.picture_view.set_image,
            on_progress=partial(self._projecting, name),
            on_done=partial(self._projected, name),
            on_cancelled=self._projection_stopped,
        )

    def _projecting(self, name: str, event: Progress) -> None:
        if "loss" in event.metrics:
            self.losses.append(event.metrics["loss"])
            self.say(f"Looking for {name}: step {event.step} of {event.total}, difference {event.metrics['loss']:.4f}.")

    def _projected(self, name: str, result: dict[str, Any]) -> None:
        self.set_code(result["latent"], projected_from=name)
        self.picture_view.set_image(result["picture"])
        self.picture_code = self.code
        self.made.emit("projection", result["picture"], self.code)
        self.say(
            f"Found {name}: the difference fell from {result['start_loss']:.4f} to {result['loss']:.4f}. "
            "The sliders now edit it; it is on the history strip."
        )

    def _projection_stopped(self) -> None:
        self.say("Stopped looking; the picture is back to the point shown before.")
        self.picture_view.set_image(None)
        self.show_code()
