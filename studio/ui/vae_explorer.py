"""The VAE's latent space, explored by hand: a grid of decoded pictures over a plane, a picture
with a slider per axis, a dropped photo found in the space, concept vectors and paths between
two points (see `latent_paths`).

Every picture is decoded on the compute thread, as a job on a channel that keeps only the newest
request: dragging a slider supersedes the request still waiting, so work never piles up and a
late picture never lands over a newer one. While another job holds the compute thread (a
training run), the view says what it waits for instead of freezing.
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from studio.core.params.vae import GRID_EXTENT
from studio.ui.jobs import TabJobs
from studio.ui.latent_paths import ConceptBox, PathBox
from studio.ui.runner import Job, JobHandle
from studio.ui.settings import Settings
from studio.ui.widgets.errors import picture_or_error
from studio.ui.widgets.forms import column, labeled_slider, push_button, row, side_panel, spin
from studio.ui.widgets.latent_grid import LatentPictureView
from studio.ui.widgets.latent_sliders import LatentSliderBox
from studio.ui.widgets.requests import RequestNote

LIVE_BUDGET_S = 0.03  # while the plane changes, a coarse grid that decodes in about this long follows at once
LIVE_CELLS = (4, 12)  # the coarse grid's fewest and most pictures per side
FULL_GRID_DELAY_MS = 150  # after the last change, the full grid is decoded
PICTURE_TITLE, GRID_TITLE, ENCODE_TITLE = "Drawing the picture", "Drawing the grid", "Finding the picture"


class VaeExplorer(QWidget):
    """Explores one `studio.engines.vae.Explorer` (opaque here: it only travels into jobs, and
    its NumPy-only helpers place codes on planes and sliders). `made()` when the slider picture is
    worth keeping: a slider was let go, or a dropped picture was found."""

    made = Signal()

    def __init__(self, jobs: TabJobs, settings: Settings, say, parent: QWidget | None = None):
        super().__init__(parent)
        self.jobs = jobs
        self.say = say  # puts a sentence in the page's status line
        self.explorer = None
        self.code: np.ndarray | None = None
        self.grid_cells = 0  # pictures per side of the grid shown
        self._seconds_per_picture = 0.001  # measured on each grid; sets how many cells the coarse grid has
        self.grid_plane = None  # the plane of the grid shown
        self.picture_code: np.ndarray | None = None  # the code of the picture shown
        self._keep_next = False  # keep the next picture drawn (a slider was let go, a picture found)
        self._full_grid_timer = QTimer(self, singleShot=True, interval=FULL_GRID_DELAY_MS)
        self._full_grid_timer.timeout.connect(self._draw_full_grid)
        self.concept_box = ConceptBox(self, settings)
        self.path_box = PathBox(self, settings)
        self.waiting_note = RequestNote(jobs)
        self.request = self.waiting_note.request
        self.setLayout(row((self._build_grid_column(), 3), (side_panel(self._build_side()), 2)))
        self.set_enabled(False)

    def _build_grid_column(self) -> QVBoxLayout:
        self.grid_view = LatentPictureView("Train or open a model to see its latent space.", pickable=True)
        self.grid_view.point_picked.connect(self._grid_picked)
        self.cells_spin = spin(2, 60)
        self.cells_spin.setValue(30)
        self.cells_spin.setToolTip("Pictures per side of the grid")
        self.extent_slider = labeled_slider(0.1, 6.0)
        self.extent_slider.setValue(GRID_EXTENT)
        self.extent_slider.setToolTip("How far the grid reaches either side of the centre")
        self.x_axis_combo, self.y_axis_combo = QComboBox(), QComboBox()
        controls = QGridLayout()
        for index, (label, widget) in enumerate(
            (
                ("Grid", self.cells_spin),
                ("Range ±", self.extent_slider),
                ("x", self.x_axis_combo),
                ("y", self.y_axis_combo),
            )
        ):
            controls.addWidget(QLabel(label), index // 2, 2 * (index % 2))
            controls.addWidget(widget, index // 2, 2 * (index % 2) + 1)
        controls.setColumnStretch(3, 1)
        for signal in (
            self.cells_spin.valueChanged,
            self.extent_slider.valueChanged,
            self.x_axis_combo.currentIndexChanged,
            self.y_axis_combo.currentIndexChanged,
        ):
            signal.connect(self.draw_grid)
        return column(self.waiting_note, (self.grid_view, 1), controls)

    def _build_side(self) -> QWidget:
        self.picture_view = LatentPictureView("Drop a picture here to find its place in the latent space")
        self.picture_view.setMinimumSize(140, 140)
        self.picture_view.files_dropped.connect(lambda paths: self.find_picture(paths[0]))
        self.random_button = push_button(
            "Random point",
            lambda: self.set_code(self.explorer.random_code()),
            "Jump to a random point: a picture the model could make",
        )
        self.sliders_box = LatentSliderBox("Latent sliders")
        self.sliders_box.moved.connect(self._slider_moved)
        self.sliders_box.released.connect(self._keep_when_drawn)
        side = QWidget()
        side.setLayout(
            column((self.picture_view, 2), self.random_button, self.sliders_box, self.concept_box, self.path_box)
        )
        return side

    # -- the model ----------------------------------------------------------------------------
    def set_explorer(self, explorer) -> None:
        """Take over a model's explorer: a slider per axis, the grid of its plane, its centre."""
        self.explorer = explorer
        self.code = explorer.center.copy()
        self.picture_code, self.grid_plane = None, None
        self.picture_view.set_image(None)  # the last model's pictures: their recipe would name this one
        self.grid_view.set_image(None)
        self.concept_box.clear()
        self.path_box.clear()
        self.sliders_box.set_axes(explorer.slider_names, explorer.spread)
        for combo, default in ((self.x_axis_combo, 0), (self.y_axis_combo, 1)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(explorer.slider_names)
            combo.setCurrentIndex(min(default, combo.count() - 1))
            combo.blockSignals(False)
        self.set_enabled(True)
        self._sync_sliders()
        self.draw_grid()
        self.show_code()

    def set_enabled(self, on: bool) -> None:
        flat = on and self.explorer is not None and self.explorer.slider_count >= 2
        for widget in (self.cells_spin, self.extent_slider, self.x_axis_combo, self.y_axis_combo):
            widget.setEnabled(flat)
        self.random_button.setEnabled(on)
        self.concept_box.set_enabled(on)
        self.path_box.set_enabled(on, flat)

    # -- the grid ------------------------------------------------------------------------------
    def plane(self):
        """The plane the grid shows (None when the space has fewer than two axes)."""
        if self.explorer is None or self.explorer.slider_count < 2:
            return None
        first, second = self.x_axis_combo.currentIndex(), self.y_axis_combo.currentIndex()
        if first == second or min(first, second) < 0:
            second = (first + 1) % self.explorer.slider_count
        return self.explorer.plane(first, second, self.extent_slider.value())

    def draw_grid(self, *_: Any) -> None:
        """A coarse grid at once, so a drag is followed; the full grid once the user pauses."""
        plane = self.plane()
        if plane is None:
            if self.explorer is not None:
                self.grid_view.placeholder = "A one-dimensional latent space has no plane to draw: use its slider."
            self.grid_view.set_image(None)
            return
        cells = self.cells_spin.value()
        fitting = int((LIVE_BUDGET_S / self._seconds_per_picture) ** 0.5)
        live = min(cells, max(LIVE_CELLS[0], min(LIVE_CELLS[1], fitting)))
        self._request_grid(plane, live)
        if cells > live:
            self._full_grid_timer.start()
        self.update_markers()

    def _draw_full_grid(self) -> None:
        if (plane := self.plane()) is not None:
            self._request_grid(plane, self.cells_spin.value())

    def _request_grid(self, plane, cells: int) -> JobHandle:
        job = Job("vae.grid", {"explorer": self.explorer, "plane": plane, "n": cells}, title=GRID_TITLE)
        started = []
        return self.request(
            "grid",
            job,
            partial(self._show_grid, plane, cells, started),
            on_started=lambda: started.append(time.perf_counter()),
        )

    def _show_grid(self, plane, cells: int, started: list[float], grid: np.ndarray) -> None:
        if started:
            self._seconds_per_picture = max((time.perf_counter() - started[0]) / cells**2, 1e-5)
        self.grid_plane, self.grid_cells = plane, cells
        self.grid_view.set_image(grid)
        self.update_markers()

    def _grid_picked(self, fx: float, fy: float) -> None:
        if (plane := self.plane()) is not None and self.grid_view.image is not None:
            self.set_code(plane.point(fx, fy, cells=self.grid_cells))

    def update_markers(self) -> None:
        plane = self.plane()
        if plane is None or self.code is None:
            return
        markers = [
            (*plane.coordinates(code, self.grid_cells), label, "#f0c419") for label, code in self.path_box.ends.items()
        ]
        markers.append((*plane.coordinates(self.shown_code(), self.grid_cells), "", "#ff4f4f"))
        self.grid_view.set_markers(markers)

    # -- the picture and its sliders -----------------------------------------------------------
    def _slider_moved(self, axis: int, value: float) -> None:
        if self.explorer is not None and self.code is not None:
            self.code = self.explorer.with_slider(self.code, axis, value)
            self.show_code()

    def set_code(self, code: np.ndarray) -> None:
        self.code = np.asarray(code, np.float32)
        self._sync_sliders()
        self.show_code()

    @property
    def sliders(self) -> list:
        return self.sliders_box.sliders

    def _sync_sliders(self) -> None:
        self.sliders_box.show_values(self.explorer.slider_values(self.code))

    def _keep_when_drawn(self) -> None:
        self._keep_next = True
        if self.picture_code is not None and np.array_equal(self.picture_code, self.shown_code()):
            self._keep_drawn()

    def _keep_drawn(self) -> None:
        self._keep_next = False
        self.made.emit()

    def shown_code(self) -> np.ndarray:
        """The current point with the concept vector applied."""
        return self.concept_box.applied_to(self.code)

    def show_code(self, *_: Any) -> None:
        if self.explorer is None or self.code is None:
            return
        code = self.shown_code()
        job = Job("vae.decode", {"explorer": self.explorer, "codes": code}, title=PICTURE_TITLE)
        self.request("picture", job, partial(self._show_picture, code))
        self.update_markers()

    def _show_picture(self, code: np.ndarray, picture: np.ndarray) -> None:
        self.picture_code = code
        self.picture_view.set_image(picture)
        if self._keep_next:
            self._keep_drawn()

    def find_picture(self, path: str) -> JobHandle | None:
        """Encode a dropped picture: the sliders then edit it."""
        not_ready = (
            "Train or open a model first; then drop a picture to find its place." if self.explorer is None else None
        )
        if (rgb := picture_or_error(self, path, not_ready)) is None:
            return None
        job = Job("vae.encode", {"explorer": self.explorer, "picture": rgb}, title=ENCODE_TITLE)
        return self.request("encode", job, partial(self._found, Path(path).name))

    def _found(self, name: str, code: np.ndarray) -> None:
        self._keep_next = True
        self.set_code(code)
        self.say(f"{name} found in the latent space; the sliders now edit it.")

    # -- state ----------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {"cells": self.cells_spin.value(), "extent": self.extent_slider.value()}

    def restore_state(self, state: dict[str, Any]) -> None:
        try:
            self.cells_spin.setValue(int(state.get("cells", 30)))
            self.extent_slider.setValue(float(state.get("extent", GRID_EXTENT)))
        except (TypeError, ValueError):
            pass
