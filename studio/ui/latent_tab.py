"""The Latent Explorer tab: train a VAE (or, on the GAN page, a DCGAN) on pictures, watch it learn,
then explore its latent space by hand: a decoded grid over a plane, sliders, interpolation,
animations and concept vectors.

Training, loading, saving and the full-size grid run as jobs on the compute thread. The explorer
that a training or loading job returns is called directly for single pictures and small grids
(see studio.engines.vae.Explorer for why that is safe and fast); the tab only ever sees NumPy
arrays, never tensors.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from superqt import QLabeledDoubleSlider

from studio.core.catalog import SHIPPED_DATASETS
from studio.core.images import load_image
from studio.core.params import params_from_dict, params_to_dict
from studio.core.params.vae import VaeParams
from studio.core.progress import JobError, Progress
from studio.ui.gan_panel import GanPanel
from studio.ui.runner import Job, JobRunner
from studio.ui.settings import Settings
from studio.ui.tab import StudioTab
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.forms import side_panel, spin
from studio.ui.widgets.job_panel import JobPanel
from studio.ui.widgets.latent_grid import LatentPictureView
from studio.ui.widgets.plot import LossPlot

FOLDER_CHOICE = "Folder of pictures…"
LIVE_BUDGET_S = 0.025  # a live (coarse) grid may take this long to decode, so drags stay fluid
LIVE_CELLS = (4, 12)  # the live grid's fewest and most pictures per side
FULL_GRID_DELAY_MS = 150  # after the last change, the full grid is decoded on the compute thread
STRIP_FRAMES = 8


class VaePage(QWidget):
    """Everything for one VAE: pictures, settings, training view and explorer."""

    def __init__(self, runner: JobRunner, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self.settings = settings
        self.explorer = None  # studio.engines.vae.Explorer, handed over by a job
        self.code: np.ndarray | None = None
        self.concept: np.ndarray | None = None
        self.ends: dict[str, np.ndarray] = {}
        self.concept_groups: dict[str, str] = {}
        self._grid_cells = 0
        self._seconds_per_picture = 0.001  # measured on each live grid; sets how many cells fit the budget
        self._training = None
        self._plot_offset = 0
        self.checkpoint = Path(settings.path).parent / "checkpoints" / "vae.keras"
        self._full_grid_timer = QTimer(self, singleShot=True, interval=FULL_GRID_DELAY_MS)
        self._full_grid_timer.timeout.connect(self._decode_full_grid)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_controls())
        self.views = QTabWidget()
        self.views.addTab(self._build_training_view(), "Training")
        self.views.addTab(self._build_explorer_view(), "Explore")
        splitter.addWidget(self.views)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([320, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._set_explorer_enabled(False)
        self._update_buttons()

    # -- building ------------------------------------------------------------------------------
    def _build_controls(self) -> QWidget:
        data = QGroupBox("Pictures")
        form = QFormLayout(data)
        self.dataset_combo = QComboBox()
        self.dataset_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.dataset_combo.setMinimumContentsLength(14)
        for name, title in SHIPPED_DATASETS.items():
            self.dataset_combo.addItem(title, name)
        self.dataset_combo.addItem(FOLDER_CHOICE, "")
        self.dataset_combo.activated.connect(self._dataset_chosen)
        form.addRow("Train on", self.dataset_combo)
        self.dataset_view = LatentPictureView("Drop a folder of pictures here\n(any sizes; cropped to squares)")
        self.dataset_view.setMinimumHeight(120)
        self.dataset_view.files_dropped.connect(self._dataset_dropped)
        form.addRow(self.dataset_view)
        self.size_spin = spin(8, 256, 4)
        self.size_spin.setSuffix(" px")
        form.addRow("Picture size", self.size_spin)
        self.channels_combo = QComboBox()
        self.channels_combo.addItem("Grey", 1)
        self.channels_combo.addItem("Colour", 3)
        form.addRow("Colours", self.channels_combo)
        self.limit_spin = spin(0, 1_000_000, 100)
        self.limit_spin.setSpecialValueText("all")
        form.addRow("At most", self.limit_spin)

        model = QGroupBox("Model")
        form = QFormLayout(model)
        self.latent_spin = spin(1, 256, 1)
        self.latent_spin.setToolTip("2 shows the whole space as one plane; more dimensions hold more detail.")
        form.addRow("Latent size", self.latent_spin)
        self.beta_slider = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
        self.beta_slider.setRange(0.0, 8.0)
        self.beta_slider.setDecimals(2)
        self.beta_slider.setToolTip("Weight of the KL term: higher gives a smoother space and blurrier pictures.")
        form.addRow("Beta (KL weight)", self.beta_slider)
        self.epochs_spin = spin(1, 10_000, 1)
        form.addRow("Epochs", self.epochs_spin)
        self.batch_spin = spin(1, 4096, 8)
        form.addRow("Batch size", self.batch_spin)
        self.rate_spin = QDoubleSpinBox()
        self.rate_spin.setDecimals(5)
        self.rate_spin.setRange(1e-5, 0.1)
        self.rate_spin.setSingleStep(1e-4)
        form.addRow("Learning rate", self.rate_spin)
        self.seed_spin = spin(-1, 2**31 - 1, 1)
        self.seed_spin.setSpecialValueText("random")
        form.addRow("Seed", self.seed_spin)

        self.train_button = QPushButton("Train")
        self.train_button.clicked.connect(lambda: self.train(resume=False))
        self.resume_button = QPushButton("Resume")
        self.resume_button.setToolTip("Continue the last stopped or finished run up to the number of epochs set.")
        self.resume_button.clicked.connect(lambda: self.train(resume=True))
        self.open_button = QPushButton("Open…")
        self.open_button.clicked.connect(self._open_dialog)
        self.save_button = QPushButton("Save…")
        self.save_button.clicked.connect(self._save_dialog)
        buttons = QGridLayout()
        for index, button in enumerate((self.train_button, self.resume_button, self.open_button, self.save_button)):
            buttons.addWidget(button, index // 2, index % 2)
        self.job_panel = JobPanel()
        self.status = QLabel("Choose pictures and press Train, or open a saved model.")
        self.status.setWordWrap(True)

        column = QWidget()
        layout = QVBoxLayout(column)
        layout.addWidget(data)
        layout.addWidget(model)
        layout.addLayout(buttons)
        layout.addWidget(self.job_panel)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.set_params(VaeParams())
        return side_panel(column, min_width=330)

    def _build_training_view(self) -> QWidget:
        # Two plots: the KL term is hundreds of times smaller than the reconstruction, so on one
        # axis its curve (the one beta acts on) would be a flat line.
        self.loss_plot = LossPlot()
        self.kl_plot = LossPlot()
        self.samples_view = LatentPictureView(
            "Pictures decoded from fixed points of the latent space appear "
            "here after each epoch, so you can watch them sharpen."
        )
        plots = QHBoxLayout()
        plots.addWidget(self.loss_plot)
        plots.addWidget(self.kl_plot)
        view = QWidget()
        layout = QVBoxLayout(view)
        layout.addWidget(self.samples_view, 3)
        layout.addLayout(plots, 1)
        return view

    def _build_explorer_view(self) -> QWidget:
        self.grid_view = LatentPictureView("Train or open a model to see its latent space.", pickable=True)
        self.grid_view.point_picked.connect(self._grid_picked)
        self.cells_spin = spin(2, 60, 1)
        self.cells_spin.setValue(30)
        self.cells_spin.setToolTip("Pictures per side of the grid")
        self.cells_spin.valueChanged.connect(self._plane_changed)
        self.extent_slider = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
        self.extent_slider.setRange(0.1, 6.0)
        self.extent_slider.setValue(1.0)
        self.extent_slider.setDecimals(2)
        self.extent_slider.setToolTip("The grid spans this far either side of the centre")
        self.extent_slider.valueChanged.connect(self._plane_changed)
        self.x_axis_combo, self.y_axis_combo = QComboBox(), QComboBox()
        self.x_axis_combo.currentIndexChanged.connect(self._plane_changed)
        self.y_axis_combo.currentIndexChanged.connect(self._plane_changed)
        grid_controls = QHBoxLayout()
        for label, widget in (
            ("Grid", self.cells_spin),
            ("Range ±", self.extent_slider),
            ("x", self.x_axis_combo),
            ("y", self.y_axis_combo),
        ):
            grid_controls.addWidget(QLabel(label))
            grid_controls.addWidget(widget, 2 if widget is self.extent_slider else 0)
        grid_column = QVBoxLayout()
        grid_column.addWidget(self.grid_view, 1)
        grid_column.addLayout(grid_controls)

        self.picture_view = LatentPictureView("Drop a picture here to find its place in the latent space")
        self.picture_view.setMinimumSize(160, 160)
        self.picture_view.files_dropped.connect(self._picture_dropped)
        self.random_button = QPushButton("Random point")
        self.random_button.clicked.connect(self._random_point)
        self.sliders_box = QGroupBox("Latent sliders")
        self.sliders_form = QFormLayout(self.sliders_box)
        self.sliders: list[QLabeledDoubleSlider] = []

        concept_box = QGroupBox("Concept vector")
        concept_layout = QFormLayout(concept_box)
        self.with_button = QPushButton("Pictures with it…")
        self.with_button.clicked.connect(lambda: self._choose_group("with"))
        self.without_button = QPushButton("Pictures without it…")
        self.without_button.clicked.connect(lambda: self._choose_group("without"))
        groups = QHBoxLayout()
        groups.addWidget(self.with_button)
        groups.addWidget(self.without_button)
        concept_layout.addRow(groups)
        self.concept_button = QPushButton("Find the concept")
        self.concept_button.clicked.connect(self._find_concept)
        concept_layout.addRow(self.concept_button)
        self.concept_slider = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
        self.concept_slider.setRange(-3.0, 3.0)
        self.concept_slider.setDecimals(2)
        self.concept_slider.setEnabled(False)
        self.concept_slider.valueChanged.connect(self._show_code)
        concept_layout.addRow("Amount", self.concept_slider)

        path_box = QGroupBox("Interpolation and animation")
        path_layout = QVBoxLayout(path_box)
        ends = QHBoxLayout()
        self.start_button = QPushButton("Set A")
        self.start_button.setToolTip("Remember the current point as the start of the path")
        self.start_button.clicked.connect(lambda: self._set_end("A"))
        self.end_button = QPushButton("Set B")
        self.end_button.clicked.connect(lambda: self._set_end("B"))
        self.spherical_check = QCheckBox("Spherical")
        self.spherical_check.setChecked(True)
        self.spherical_check.setToolTip("Follow the great circle (keeps codes at a typical distance from the centre)")
        self.spherical_check.toggled.connect(self._update_strip)
        for widget in (self.start_button, self.end_button, self.spherical_check):
            ends.addWidget(widget)
        path_layout.addLayout(ends)
        self.strip_view = LatentPictureView("Set A and B to see the path between them")
        self.strip_view.setMinimumHeight(60)
        self.strip_view.setMaximumHeight(110)
        path_layout.addWidget(self.strip_view)
        exports = QHBoxLayout()
        self.export_loop_button = QPushButton("Export A↔B loop…")
        self.export_loop_button.clicked.connect(lambda: self._export_animation(walk=False))
        self.export_walk_button = QPushButton("Export walk…")
        self.export_walk_button.setToolTip("A looping figure-of-eight through the plane shown in the grid")
        self.export_walk_button.clicked.connect(lambda: self._export_animation(walk=True))
        exports.addWidget(self.export_loop_button)
        exports.addWidget(self.export_walk_button)
        path_layout.addLayout(exports)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.picture_view, 2)
        side_layout.addWidget(self.random_button)
        side_layout.addWidget(self.sliders_box)
        side_layout.addWidget(concept_box)
        side_layout.addWidget(path_box)
        side_scroll = side_panel(side, min_width=330)

        view = QWidget()
        layout = QHBoxLayout(view)
        layout.addLayout(grid_column, 3)
        layout.addWidget(side_scroll, 2)
        return view

    # -- parameters -----------------------------------------------------------------------------
    def current_params(self) -> VaeParams:
        seed = self.seed_spin.value()
        return VaeParams(
            dataset=self.dataset_combo.currentData() or "faces",
            image_size=self.size_spin.value(),
            channels=self.channels_combo.currentData(),
            limit=self.limit_spin.value() or None,
            latent_dim=self.latent_spin.value(),
            beta=round(self.beta_slider.value(), 4),
            epochs=self.epochs_spin.value(),
            batch_size=self.batch_spin.value(),
            learning_rate=self.rate_spin.value(),
            seed=None if seed < 0 else seed,
            filters=self._filters,
            dense_units=self._dense_units,
        )

    def set_params(self, params: VaeParams) -> None:
        self._select_dataset(params.dataset)
        self.size_spin.setValue(params.image_size)
        self.channels_combo.setCurrentIndex(max(0, self.channels_combo.findData(params.channels)))
        self.limit_spin.setValue(params.limit or 0)
        self.latent_spin.setValue(params.latent_dim)
        self.beta_slider.setValue(params.beta)
        self.epochs_spin.setValue(params.epochs)
        self.batch_spin.setValue(params.batch_size)
        self.rate_spin.setValue(params.learning_rate)
        self.seed_spin.setValue(-1 if params.seed is None else params.seed)
        # Not on screen (the chapter's widths suit every size offered), but kept with the recipe.
        self._filters, self._dense_units = params.filters, params.dense_units

    def _select_dataset(self, source: str) -> None:
        index = self.dataset_combo.findData(source)
        if index < 0 and source:
            self.dataset_combo.insertItem(0, Path(source).name or source, source)
            self.dataset_combo.setItemData(0, source, Qt.ItemDataRole.ToolTipRole)
            index = 0
        self.dataset_combo.setCurrentIndex(max(index, 0))

    def _dataset_chosen(self, index: int) -> None:
        if self.dataset_combo.itemData(index) == "":
            folder = QFileDialog.getExistingDirectory(self, "Folder of pictures", self.settings.last_folder("latent"))
            if folder:
                self.use_folder(folder)
            else:
                self.dataset_combo.setCurrentIndex(0)

    def _dataset_dropped(self, paths: list[str]) -> None:
        folder = Path(paths[0])
        self.use_folder(str(folder if folder.is_dir() else folder.parent))

    def use_folder(self, folder: str) -> None:
        self.settings.set_last_folder("latent", folder)
        self._select_dataset(folder)
        self.status.setText(f"Will train on the pictures in {Path(folder).name}.")

    # -- training --------------------------------------------------------------------------------
    def train(self, resume: bool = False) -> None:
        params = self.current_params()
        problems = params.problems()
        if problems:
            show_error(self, " ".join(problems))
            return
        kwargs: dict[str, Any] = {"params": params, "checkpoint": str(self.checkpoint)}
        if resume:
            kwargs["resume_from"] = str(self.checkpoint)
            # The resumed run counts its steps from 0 again; its curves continue where the last ones ended.
            self._plot_offset = max((x for values in self.loss_plot.series.values() for x, _ in values), default=0)
        else:
            self._plot_offset = 0
            self.loss_plot.clear()
            self.kl_plot.clear()
        handle = self.runner.run(Job("vae.train", kwargs, title="Training the VAE"), owner=self)
        self._training = handle
        self.job_panel.watch(handle)
        handle.progress.connect(self._on_progress)
        handle.preview.connect(self.samples_view.set_image)
        handle.finished.connect(self._on_trained)
        handle.failed.connect(self._on_failed)
        handle.cancelled.connect(self._on_stopped)
        self.views.setCurrentIndex(0)
        self._update_buttons()

    def _on_progress(self, event: Progress) -> None:
        if "pictures" in event.data:
            self.dataset_view.set_image(event.data["pictures"])
            self.status.setText(event.stage.capitalize() + ".")
        for name, value in event.metrics.items():
            (self.kl_plot if name == "kl" else self.loss_plot).add(name, self._plot_offset + event.step, value)

    def _on_trained(self, explorer) -> None:
        self._training = None
        self.status.setText(f"Trained for {explorer.vae.epochs_done} epochs. Explore it, or save it.")
        self.set_explorer(explorer)
        self.views.setCurrentIndex(1)
        self._update_buttons()

    def _on_failed(self, message: str, details: str) -> None:
        self._training = None
        self._update_buttons()
        show_error(self, message, details)

    def _on_stopped(self) -> None:
        self._training = None
        self._update_buttons()
        if self.checkpoint.exists():
            self.status.setText("Stopped. Resume continues from where it stopped; meanwhile you can explore it.")
            self._open_model(str(self.checkpoint), switch=False)

    def _update_buttons(self) -> None:
        busy = self._training is not None
        self.train_button.setEnabled(not busy)
        self.resume_button.setEnabled(not busy and self.checkpoint.exists())
        self.save_button.setEnabled(self.explorer is not None)

    # -- opening and saving ------------------------------------------------------------------------
    def _open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a VAE", self.settings.last_folder("latent-models"), "Keras models (*.keras)"
        )
        if path:
            self.settings.set_last_folder("latent-models", path)
            self.open_path(path)

    def open_path(self, path: str) -> None:
        self._open_model(path, switch=True)

    def _open_model(self, path: str, switch: bool) -> None:
        handle = self.runner.run(Job("vae.load", {"path": path}, title="Opening the VAE"), owner=(self, "open"))
        handle.finished.connect(lambda explorer: self._on_opened(explorer, path, switch))
        handle.failed.connect(lambda message, details: show_error(self, message, details))

    def _on_opened(self, explorer, path: str, switch: bool) -> None:
        self.set_params(explorer.vae.params)
        self.set_explorer(explorer)
        if switch:
            self.status.setText(f"Opened {Path(path).name} ({explorer.vae.epochs_done} epochs).")
            self.views.setCurrentIndex(1)

    def _save_dialog(self) -> None:
        if self.explorer is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the VAE", self.settings.last_folder("latent-models"), "Keras models (*.keras)"
        )
        if not path:
            return
        path = path if path.endswith(".keras") else path + ".keras"
        self.settings.set_last_folder("latent-models", path)
        handle = self.runner.run(
            Job("vae.save", {"explorer": self.explorer, "path": path}, title="Saving the VAE"),
            owner=self.save_button,
        )
        handle.finished.connect(lambda saved: self.status.setText(f"Saved {Path(saved).name}."))
        handle.failed.connect(lambda message, details: show_error(self, message, details))

    # -- the explorer -------------------------------------------------------------------------------
    def set_explorer(self, explorer) -> None:
        """Take over a trained model's explorer: sliders for its axes, the grid of its plane."""
        self.explorer = explorer
        self.code = explorer.center.copy()
        self.concept = None
        self.ends.clear()
        self.concept_slider.setEnabled(False)
        self.strip_view.set_image(None)
        while self.sliders_form.rowCount():
            self.sliders_form.removeRow(0)
        self.sliders = []
        for index, name in enumerate(explorer.slider_names):
            slider = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
            reach = max(3.0 * float(explorer.spread[index]), 1.0)
            slider.setRange(-reach, reach)
            slider.setDecimals(2)
            slider.valueChanged.connect(lambda value, axis=index: self._slider_moved(axis, value))
            self.sliders_form.addRow(name, slider)
            self.sliders.append(slider)
        for combo, default in ((self.x_axis_combo, 0), (self.y_axis_combo, 1)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(explorer.slider_names)
            combo.setCurrentIndex(min(default, combo.count() - 1))
            combo.blockSignals(False)
        self._set_explorer_enabled(True)
        self._update_buttons()
        self._sync_sliders()
        self._plane_changed()
        self._show_code()

    def _set_explorer_enabled(self, on: bool) -> None:
        two_d = on and self.explorer is not None and self.explorer.slider_count >= 2
        for widget in (
            self.cells_spin,
            self.extent_slider,
            self.x_axis_combo,
            self.y_axis_combo,
            self.export_walk_button,
        ):
            widget.setEnabled(two_d)
        for widget in (
            self.random_button,
            self.with_button,
            self.without_button,
            self.concept_button,
            self.start_button,
            self.end_button,
            self.spherical_check,
            self.export_loop_button,
        ):
            widget.setEnabled(on)

    def plane(self):
        """The plane the grid shows (None when the space has fewer than two axes)."""
        if self.explorer is None or self.explorer.slider_count < 2:
            return None
        first, second = self.x_axis_combo.currentIndex(), self.y_axis_combo.currentIndex()
        if first == second or min(first, second) < 0:
            second = (first + 1) % self.explorer.slider_count
        return self.explorer.plane(first, second, self.extent_slider.value())

    def _plane_changed(self, *_args) -> None:
        """Redraw at once with a coarse grid (one small batched decode, fast enough to follow a drag),
        then decode the full grid off the GUI thread once the user pauses."""
        plane = self.plane()
        if plane is None:
            if self.explorer is not None:
                self.grid_view.placeholder = "A one-dimensional latent space has no plane to draw: use its slider."
            self.grid_view.set_image(None)
            return
        cells = self.cells_spin.value()
        fitting = int((LIVE_BUDGET_S / self._seconds_per_picture) ** 0.5)
        self._grid_cells = min(cells, max(LIVE_CELLS[0], min(LIVE_CELLS[1], fitting)))
        started = time.perf_counter()
        self.grid_view.set_image(self.explorer.grid(plane, self._grid_cells))
        self._seconds_per_picture = (time.perf_counter() - started) / self._grid_cells**2
        self._update_markers()
        if cells > self._grid_cells:
            self._full_grid_timer.start()

    def _decode_full_grid(self) -> None:
        plane, cells = self.plane(), self.cells_spin.value()
        if plane is None:
            return
        handle = self.runner.run(
            Job("vae.grid", {"explorer": self.explorer, "plane": plane, "n": cells}, title="Drawing the grid"),
            owner=self.grid_view,
        )
        handle.finished.connect(lambda grid: self._show_full_grid(grid, cells))

    def _show_full_grid(self, grid: np.ndarray, cells: int) -> None:
        self._grid_cells = cells
        self.grid_view.set_image(grid)
        self._update_markers()

    def _grid_picked(self, fx: float, fy: float) -> None:
        plane = self.plane()
        if plane is not None:
            self._set_code(plane.point(fx, fy, cells=self._grid_cells))

    def _slider_moved(self, axis: int, value: float) -> None:
        if self.explorer is not None and self.code is not None:
            self.code = self.explorer.with_slider(self.code, axis, value)
            self._show_code()

    def _set_code(self, code: np.ndarray) -> None:
        self.code = np.asarray(code, np.float32)
        self._sync_sliders()
        self._show_code()

    def _sync_sliders(self) -> None:
        for slider, value in zip(self.sliders, self.explorer.slider_values(self.code)):
            slider.blockSignals(True)
            slider.setValue(round(float(value), 2))  # float noise along unused axes would read as 3e-09
            slider.blockSignals(False)

    def shown_code(self) -> np.ndarray:
        """The current point with the concept vector applied."""
        if self.concept is None:
            return self.code
        return self.code + self.concept_slider.value() * self.concept

    def _show_code(self, *_args) -> None:
        if self.explorer is None or self.code is None:
            return
        self.picture_view.set_image(self.explorer.decode(self.shown_code()))
        self._update_markers()

    def _update_markers(self) -> None:
        plane = self.plane()
        if plane is None or self.code is None:
            return
        markers = [(*plane.coordinates(code, self._grid_cells), label, "#f0c419") for label, code in self.ends.items()]
        markers.append((*plane.coordinates(self.shown_code(), self._grid_cells), "", "#ff4f4f"))
        self.grid_view.set_markers(markers)

    def _random_point(self) -> None:
        if self.explorer is not None:
            self._set_code(self.explorer.random_code())

    def _picture_dropped(self, paths: list[str]) -> None:
        if self.explorer is None:
            show_error(self, "Train or open a model first; then drop a picture to find its place.")
            return
        try:
            rgb = load_image(paths[0])
        except JobError as error:
            show_error(self, str(error))
            return
        self._set_code(self.explorer.encode(rgb))
        self.status.setText(f"{Path(paths[0]).name} encoded; the sliders now edit it.")

    # -- interpolation and animation ---------------------------------------------------------------
    def _set_end(self, label: str) -> None:
        if self.code is None:
            return
        self.ends[label] = self.shown_code().copy()
        self._update_markers()
        self._update_strip()

    def _update_strip(self, *_args) -> None:
        if self.explorer is None or len(self.ends) < 2:
            return
        frames = self.explorer.interpolation(
            self.ends["A"], self.ends["B"], STRIP_FRAMES, spherical=self.spherical_check.isChecked()
        )
        self.strip_view.set_image(np.concatenate(frames, axis=1))

    def _export_animation(self, walk: bool) -> None:
        if self.explorer is None:
            return
        if not walk and len(self.ends) < 2:
            show_error(self, "Set A and B first: pick a point, press Set A, pick another, press Set B.")
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the animation", self.settings.last_folder("latent-animations"), "GIF (*.gif);;MP4 video (*.mp4)"
        )
        if not path:
            return
        path = path if Path(path).suffix.lower() in (".gif", ".mp4") else path + ".gif"
        self.settings.set_last_folder("latent-animations", path)
        self.export_animation(path, walk)

    def export_animation(self, path: str, walk: bool):
        kwargs: dict[str, Any] = {"explorer": self.explorer, "path": path}
        if walk:
            kwargs["plane"] = self.plane()
        else:
            kwargs.update(start=self.ends["A"], end=self.ends["B"], spherical=self.spherical_check.isChecked())
        handle = self.runner.run(Job("vae.animation", kwargs, title="Saving the animation"), owner=self.strip_view)
        handle.finished.connect(lambda saved: self.status.setText(f"Saved {Path(saved).name}."))
        handle.failed.connect(lambda message, details: show_error(self, message, details))
        return handle

    # -- concept vectors --------------------------------------------------------------------------
    def _choose_group(self, which: str) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, f"Pictures {which} the concept", self.settings.last_folder("latent-concepts")
        )
        if folder:
            self.settings.set_last_folder("latent-concepts", folder)
            self.set_concept_group(which, folder)

    def set_concept_group(self, which: str, folder: str) -> None:
        self.concept_groups[which] = folder
        button = self.with_button if which == "with" else self.without_button
        button.setText(f"{which.capitalize()}: {Path(folder).name}")

    def _find_concept(self):
        if self.explorer is None:
            return None
        if set(self.concept_groups) != {"with", "without"}:
            show_error(
                self,
                "Choose a folder of pictures with the concept and one without it "
                "(for example smiling and not smiling faces).",
            )
            return None
        handle = self.runner.run(
            Job(
                "vae.concept",
                {
                    "explorer": self.explorer,
                    "group_with": self.concept_groups["with"],
                    "group_without": self.concept_groups["without"],
                },
                title="Finding the concept",
            ),
            owner=self.concept_button,
        )
        handle.finished.connect(self._on_concept)
        handle.failed.connect(lambda message, details: show_error(self, message, details))
        return handle

    def _on_concept(self, vector: np.ndarray) -> None:
        self.concept = vector
        self.concept_slider.setEnabled(True)
        self.concept_slider.setValue(1.0)
        self._show_code()
        self.status.setText("Concept found: the Amount slider adds it to (or takes it from) the current picture.")

    # -- state ----------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {
            "params": params_to_dict(self.current_params()),
            "cells": self.cells_spin.value(),
            "extent": self.extent_slider.value(),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        try:
            if "params" in state:
                params = params_from_dict(VaeParams, state["params"])
                if params.dataset not in SHIPPED_DATASETS and not Path(params.dataset).is_dir():
                    params = dataclasses.replace(params, dataset=VaeParams().dataset)
                self.set_params(params)
            self.cells_spin.setValue(int(state.get("cells", 30)))
            self.extent_slider.setValue(float(state.get("extent", 1.0)))
        except (TypeError, ValueError):
            pass


class LatentTab(StudioTab):
    """Train a VAE or a GAN on pictures and explore what it learned."""

    key = "latent"
    title = "Latent Explorer"
    opens = (".keras",)

    def __init__(self, runner: JobRunner, settings: Settings, parent: QWidget | None = None):
        super().__init__(runner, settings, parent)
        self.vae_page = VaePage(runner, settings)
        self.gan_page = GanPanel(runner, settings)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.vae_page)
        self.pages.addWidget(self.gan_page)
        self.vae_radio = QRadioButton("Variational autoencoder (VAE)")
        self.vae_radio.setToolTip("A smooth, continuous space: good for grids, sliders and concept vectors")
        self.gan_radio = QRadioButton("Generative adversarial network (GAN)")
        self.gan_radio.setToolTip("Sharper pictures, a less orderly space")
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.vae_radio, 0)
        self.mode_group.addButton(self.gan_radio, 1)
        self.mode_group.idToggled.connect(lambda index, on: on and self.pages.setCurrentIndex(index))
        self.vae_radio.setChecked(True)
        switch = QHBoxLayout()
        switch.addWidget(QLabel("Model:"))
        switch.addWidget(self.vae_radio)
        switch.addWidget(self.gan_radio)
        switch.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(switch)
        layout.addWidget(self.pages, 1)

    @property
    def mode(self) -> str:
        return "gan" if self.gan_radio.isChecked() else "vae"

    def set_mode(self, mode: str) -> None:
        (self.gan_radio if mode == "gan" else self.vae_radio).setChecked(True)

    def open_path(self, path: str) -> None:
        if self.mode == "gan" and hasattr(self.gan_page, "open_paths"):
            self.gan_page.open_paths([path])
        else:
            self.vae_page.open_path(path)

    def state(self) -> dict[str, Any]:
        return {"mode": self.mode, "vae": self.vae_page.state(), "gan": self.gan_page.state()}

    def restore_state(self, state: dict[str, Any]) -> None:
        self.vae_page.restore_state(state.get("vae", {}))
        if isinstance(state.get("gan"), dict):
            self.gan_page.restore_state(state["gan"])
        self.set_mode(state.get("mode", "vae"))
