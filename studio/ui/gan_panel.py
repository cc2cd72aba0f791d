"""The GAN half of the Latent Explorer: pick pictures, train a DCGAN while watching its losses and a
fixed grid of samples, then draw new grids, interpolate between two picked samples and export walks.

The trained model lives on as an opaque object handed back by the engine's jobs; this panel only
passes it back into later jobs (sampling, saving), it never touches TensorFlow itself.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from studio.core.catalog import GREY_DATASETS, SHIPPED_DATASETS
from studio.core.params import params_from_dict, params_to_dict
from studio.core.params.gan import GAN_SIZES, GanParams, GanSampleParams
from studio.core.progress import Progress
from studio.ui.runner import Job, JobHandle, JobRunner
from studio.ui.settings import Settings
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.forms import double_spin, labeled_slider, side_panel, spin, work_and_controls
from studio.ui.widgets.images import ImageView
from studio.ui.widgets.job_panel import JobPanel
from studio.ui.widgets.plot import LossPlot

PICK_COLOURS = ("#4e9af1", "#f18f4e")  # the interpolation's start and end


class SampleGridView(ImageView):
    """A grid of generated pictures; a click (not a drag) on a cell emits its index."""

    cell_clicked = Signal(int)

    def __init__(self, placeholder: str, parent: QWidget | None = None):
        super().__init__(placeholder, parent)
        self.columns = 0  # 0: the grid shown cannot be picked from (a training preview)
        self.count = 0
        self._pressed_at: QPointF | None = None
        self._marks = []

    def set_grid(self, rgb: np.ndarray, columns: int = 0, count: int = 0) -> None:
        self.clear_marks()
        self.set_image(rgb)
        self.columns, self.count = columns, count

    def cell_rect(self, index: int) -> QRectF:
        rows = -(-self.count // self.columns)
        width, height = self.image.shape[1] / self.columns, self.image.shape[0] / rows
        row, column = divmod(index, self.columns)
        return QRectF(column * width, row * height, width, height)

    def mark(self, indices: list[int]) -> None:
        """Outline the picked cells, first in the start colour, second in the end colour."""
        self.clear_marks()
        for index, colour in zip(indices, PICK_COLOURS):
            pen = QPen(QColor(colour), 2)
            pen.setCosmetic(True)
            self._marks.append(self.scene().addRect(self.cell_rect(index).adjusted(1, 1, -1, -1), pen))

    def clear_marks(self) -> None:
        for item in self._marks:
            self.scene().removeItem(item)
        self._marks.clear()

    def mousePressEvent(self, event) -> None:
        self._pressed_at = event.position()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        pressed, self._pressed_at = self._pressed_at, None
        if pressed is None or self.columns <= 0 or self.image is None:
            return
        if (event.position() - pressed).manhattanLength() > 4:
            return  # a pan, not a pick
        self.click_at(self.mapToScene(event.position().toPoint()))

    def click_at(self, point: QPointF) -> None:
        """Emit the index of the cell under a scene point, if any."""
        rows = -(-self.count // self.columns)
        column = int(point.x() / (self.image.shape[1] / self.columns))
        row = int(point.y() / (self.image.shape[0] / rows))
        index = row * self.columns + column
        if 0 <= column < self.columns and 0 <= row < rows and index < self.count:
            self.cell_clicked.emit(index)


class GanPanel(QWidget):
    """Train a DCGAN on a set of pictures and explore what it makes."""

    def __init__(self, runner: JobRunner, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self.settings = settings
        self.model: object | None = None  # the engine's GanModel, opaque here
        self.latents: np.ndarray | None = None  # latent points of the grid shown, in reading order
        self._grid_columns = 0
        self.picked: list[int] = []
        self.training: JobHandle | None = None
        self.current_job: JobHandle | None = None  # the latest job this panel started
        self._plot_offset = 0  # a resumed run's steps continue the curves
        self._last_step = 0
        self.checkpoint_path = Path(settings.path).parent / "checkpoints" / "gan.keras"
        self._build()
        self.set_params(GanParams())
        self.status.setText("Choose pictures (or drop a folder on the grid), then press Train.")
        self._refresh()

    # -- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
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
        self.strip_view.setMinimumHeight(90)
        self.strip_view.setMaximumHeight(140)
        self.plot = LossPlot()
        self.plot.setMaximumHeight(150)
        self.job_panel = JobPanel()
        self.status = QLabel()
        self.status.setWordWrap(True)

        views = QWidget()
        views_layout = QVBoxLayout(views)
        views_layout.setContentsMargins(0, 0, 0, 0)
        views_layout.addWidget(self.warning_label)
        views_layout.addWidget(self.grid_view, 1)
        views_layout.addWidget(self.strip_view)
        views_layout.addWidget(self.plot)
        views_layout.addWidget(self.job_panel)
        views_layout.addWidget(self.status)

        splitter = work_and_controls(views, self._build_controls(), controls_first=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def _build_controls(self) -> QScrollArea:
        panel = QWidget()
        layout = QVBoxLayout(panel)

        data = QGroupBox("Pictures")
        data_form = QFormLayout(data)
        self.dataset_combo = QComboBox()
        for name, title in SHIPPED_DATASETS.items():
            self.dataset_combo.addItem(title, name)
        self.dataset_combo.currentIndexChanged.connect(self._dataset_changed)
        self.folder_button = QPushButton("Folder…")
        self.folder_button.setToolTip("Train on a folder of your own pictures (or drop the folder on the grid)")
        self.folder_button.clicked.connect(self.choose_folder)
        self.limit = spin(0, 1_000_000)
        self.limit.setSpecialValueText("all")
        self.limit.setToolTip("Use at most this many pictures (0 = all)")
        data_form.addRow(self.dataset_combo)
        data_form.addRow(self.folder_button)
        data_form.addRow("Use at most", self.limit)
        layout.addWidget(data)

        model = QGroupBox("Model")
        model_form = QFormLayout(model)
        self.size_combo = QComboBox()
        for size in GAN_SIZES:
            self.size_combo.addItem(f"{size} × {size} px", size)
        self.colour = QCheckBox("Colour")
        self.latent_dim = spin(2, 1024)
        self.base_filters = spin(4, 512)
        self.base_filters.setToolTip("Width of the first discriminator layer; the networks double it per step")
        self.epochs = spin(1, 10_000)
        self.epochs.setToolTip("Epochs in all: a resumed model trains until it has done this many")
        self.batch_size = spin(1, 1024)
        model_form.addRow("Size", self.size_combo)
        model_form.addRow("", self.colour)
        model_form.addRow("Latent size", self.latent_dim)
        model_form.addRow("Width", self.base_filters)
        model_form.addRow("Epochs", self.epochs)
        model_form.addRow("Batch size", self.batch_size)
        layout.addWidget(model)

        tricks = QGroupBox("Training tricks")
        tricks_form = QFormLayout(tricks)
        self.d_learning_rate = double_spin(0.0, 0.01, 1e-5, 6)
        self.g_learning_rate = double_spin(0.0, 0.01, 1e-5, 6)
        self.label_noise = labeled_slider(0.0, 0.45)
        self.label_noise.setToolTip("Random softening of the real/fake labels: keeps the game from stalling")
        self.dropout = labeled_slider(0.0, 0.9)
        self.dropout.setToolTip("Dropout in the discriminator: more of it slows a discriminator that wins")
        tricks_form.addRow("Discriminator rate", self.d_learning_rate)
        tricks_form.addRow("Generator rate", self.g_learning_rate)
        tricks_form.addRow("Label noise", self.label_noise)
        tricks_form.addRow("Dropout", self.dropout)
        layout.addWidget(tricks)

        self.train_button = QPushButton("Train")
        self.train_button.setObjectName("primary")
        self.train_button.setToolTip("Train a new model from scratch")
        self.train_button.clicked.connect(self.train)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop after this batch; every finished epoch is kept")
        self.stop_button.clicked.connect(self.stop)
        self.resume_button = QPushButton("Resume")
        self.resume_button.setToolTip("Go on training the current model with the settings above")
        self.resume_button.clicked.connect(self.resume)
        run_row = QHBoxLayout()
        for button in (self.train_button, self.stop_button, self.resume_button):
            run_row.addWidget(button)
        layout.addLayout(run_row)
        self.save_button = QPushButton("Save model…")
        self.save_button.clicked.connect(self.save_dialog)
        self.load_button = QPushButton("Load model…")
        self.load_button.clicked.connect(self.load_dialog)
        file_row = QHBoxLayout()
        file_row.addWidget(self.save_button)
        file_row.addWidget(self.load_button)
        layout.addLayout(file_row)

        sampling = QGroupBox("Sampling")
        sampling_form = QFormLayout(sampling)
        self.seed = spin(0, 2**31 - 1)
        self.seed.editingFinished.connect(self.sample)
        self.truncation_on = QCheckBox("Truncate")
        self.truncation_on.setToolTip("Redraw latent values beyond the limit: cleaner pictures, less variety")
        self.truncation = labeled_slider(0.2, 3.0)
        self.truncation.setValue(1.5)
        self.truncation_on.toggled.connect(self.truncation.setEnabled)
        self.truncation_on.toggled.connect(self.sample)
        self.truncation.sliderReleased.connect(lambda: self.truncation_on.isChecked() and self.sample())
        self.new_grid_button = QPushButton("New grid")
        self.new_grid_button.setToolTip("Draw a grid from a new random seed")
        self.new_grid_button.clicked.connect(self.new_grid)
        self.steps = spin(3, 64)
        self.steps.setValue(8)
        self.spherical = QCheckBox("Spherical (slerp)")
        self.spherical.setChecked(True)
        self.spherical.setToolTip("Follow the sphere where most latent points lie, rather than a straight line")
        self.export_button = QPushButton("Export walk…")
        self.export_button.setToolTip(
            "A looping animation through the two picked pictures, or through four random points when none are picked"
        )
        self.export_button.clicked.connect(self.export_dialog)
        sampling_form.addRow("Seed", self.seed)
        sampling_form.addRow(self.truncation_on, self.truncation)
        sampling_form.addRow(self.new_grid_button)
        sampling_form.addRow("Interpolation steps", self.steps)
        sampling_form.addRow("", self.spherical)
        sampling_form.addRow(self.export_button)
        layout.addWidget(sampling)
        layout.addStretch(1)

        return side_panel(panel)

    # -- parameters -----------------------------------------------------------------------------
    def current_params(self) -> GanParams:
        """Freeze the controls into parameters (on the GUI thread, before the job starts)."""
        return GanParams(
            dataset=self.dataset_combo.currentData(),
            limit=self.limit.value() or None,
            image_size=self.size_combo.currentData(),
            channels=3 if self.colour.isChecked() else 1,
            latent_dim=self.latent_dim.value(),
            base_filters=self.base_filters.value(),
            epochs=self.epochs.value(),
            batch_size=self.batch_size.value(),
            d_learning_rate=self.d_learning_rate.value(),
            g_learning_rate=self.g_learning_rate.value(),
            label_noise=round(self.label_noise.value(), 3),
            dropout=round(self.dropout.value(), 3),
            adam_beta_1=self._defaults.adam_beta_1,
            seed=self._defaults.seed,
        )

    def set_params(self, params: GanParams) -> None:
        self._defaults = params
        self.set_dataset(params.dataset)
        self.limit.setValue(params.limit or 0)
        self.size_combo.setCurrentIndex(max(0, self.size_combo.findData(params.image_size)))
        self.colour.setChecked(params.channels == 3)
        self.latent_dim.setValue(params.latent_dim)
        self.base_filters.setValue(params.base_filters)
        self.epochs.setValue(params.epochs)
        self.batch_size.setValue(params.batch_size)
        self.d_learning_rate.setValue(params.d_learning_rate)
        self.g_learning_rate.setValue(params.g_learning_rate)
        self.label_noise.setValue(params.label_noise)
        self.dropout.setValue(params.dropout)

    def sample_params(self) -> GanSampleParams:
        return GanSampleParams(
            count=36,
            columns=6,
            seed=self.seed.value(),
            truncation=self.truncation.value() if self.truncation_on.isChecked() else None,
        )

    def set_dataset(self, source: str) -> None:
        """Select a shipped set by name or a folder by path (added to the list once)."""
        index = self.dataset_combo.findData(source)
        if index < 0:
            self.dataset_combo.addItem(f"Folder: {Path(source).name}", source)
            index = self.dataset_combo.count() - 1
            self.dataset_combo.setItemData(index, source, Qt.ItemDataRole.ToolTipRole)
        self.dataset_combo.setCurrentIndex(index)

    def _dataset_changed(self) -> None:
        source = self.dataset_combo.currentData()
        if source in GREY_DATASETS:
            self.colour.setChecked(False)
        elif source == "cifar10":
            self.colour.setChecked(True)
        if source in ("mnist", "fashion_mnist"):
            self.size_combo.setCurrentIndex(self.size_combo.findData(28))

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of pictures", self.settings.last_folder("gan-data"))
        if folder:
            self.settings.set_last_folder("gan-data", folder)
            self.set_dataset(folder)

    def open_paths(self, paths: list[str]) -> None:
        """A dropped folder becomes the dataset; a dropped .keras file is loaded as the model."""
        path = Path(paths[0])
        if path.is_dir():
            self.set_dataset(str(path))
            self.status.setText(f"Will train on the pictures in {path.name}.")
        elif path.suffix.lower() == ".keras":
            self.load_model(str(path))
        else:
            show_error(self, f"Drop a folder of pictures (to train on) or a .keras GAN model, not {path.name}.")

    # -- training -------------------------------------------------------------------------------
    def train(self) -> None:
        """Start a new model from scratch."""
        self.plot.clear()
        self._plot_offset = self._last_step = 0
        self._start_training({"params": self.current_params()}, "Training a new GAN…")

    def resume(self) -> None:
        """Go on training the current model (or the last checkpoint) with the current settings."""
        if self.model is not None:
            kwargs = {"params": self.current_params(), "model": self.model}
        elif self.checkpoint_path.is_file():
            kwargs = {"params": self.current_params(), "resume_from": str(self.checkpoint_path)}
        else:
            show_error(self, "There is no model to resume yet: press Train first.")
            return
        self._plot_offset = self._last_step
        self._start_training(
            kwargs, "Resuming training: the model keeps its size and widths, the tricks follow the settings above."
        )

    def _start_training(self, kwargs: dict[str, Any], message: str) -> None:
        kwargs["checkpoint_path"] = str(self.checkpoint_path)
        handle = self._run(Job("gan.train", kwargs, title="Training GAN"))
        self.training = handle
        self.job_panel.watch(handle)
        handle.progress.connect(self._training_progress)
        handle.preview.connect(self._show_monitor)
        handle.finished.connect(self._training_finished)
        handle.failed.connect(self._failed)
        handle.cancelled.connect(self._training_stopped)
        self.warning_label.hide()
        self.status.setText(message)
        self._refresh()

    def stop(self) -> None:
        if self.training is not None:
            self.training.cancel()
            self.status.setText("Stopping after this batch…")

    def _training_progress(self, event: Progress) -> None:
        if "model" in event.data:
            self.model = event.data["model"]
        step = self._plot_offset + event.step
        self._last_step = step
        for name, value in event.metrics.items():
            self.plot.add(name, step, value)
        if "warning" in event.data:
            warning = event.data["warning"]
            self.warning_label.setText(warning or "")
            self.warning_label.setVisible(bool(warning))
        if "latents" in event.data:
            self.latents, self._grid_columns = event.data["latents"], event.data["columns"]
        if "checkpoint" in event.data:
            self.status.setText(
                f"Epoch {event.data['epoch']} done; checkpoint saved. "
                "The grid shows the same latent points after every epoch."
            )

    def _show_monitor(self, grid: np.ndarray) -> None:
        self.picked.clear()
        if self.latents is None:
            self.grid_view.set_grid(grid)
        else:
            self.grid_view.set_grid(grid, self._grid_columns, len(self.latents))

    def _training_finished(self, model: object) -> None:
        self.model = model
        self.training = None
        self.status.setText(
            f"Trained {self._model_summary()}. Click two pictures to see the way between them, "
            "draw a new grid, or save the model."
        )
        self._refresh()

    def _training_stopped(self) -> None:
        self.training = None
        self.status.setText("Stopped. Every finished epoch is kept: Resume goes on from the last one.")
        self._refresh()

    def _failed(self, message: str, details: str) -> None:
        self.training = None
        self.status.setText("That did not work.")
        show_error(self, message, details)
        self._refresh()

    # -- sampling -------------------------------------------------------------------------------
    def new_grid(self) -> None:
        self.seed.setValue(random.randrange(2**31 - 1))
        self.sample()

    def sample(self) -> JobHandle | None:
        """Draw the grid for the current seed and truncation."""
        if self.model is None or self.training is not None:
            return None
        handle = self._run(
            Job("gan.sample_grid", {"model": self.model, "params": self.sample_params()}, title="Sampling")
        )
        handle.finished.connect(self._show_samples)
        handle.failed.connect(self._failed)
        return handle

    def _show_samples(self, result: dict[str, Any]) -> None:
        self.latents, self._grid_columns = result["latents"], result["columns"]
        self.picked.clear()
        self.grid_view.set_grid(result["grid"], self._grid_columns, len(self.latents))
        self.status.setText("Click two pictures to see the way from one to the other.")

    def pick(self, index: int) -> None:
        """Pick a sample: the first click sets the start, the second the end, a third starts over."""
        if self.latents is None or self.training is not None:
            return  # picking starts a job, which would stop the training
        self.picked = [index] if len(self.picked) != 1 else [self.picked[0], index]
        self.grid_view.mark(self.picked)
        if len(self.picked) == 2:
            self.interpolate()
        else:
            self.status.setText("Now click the picture to go to.")

    def interpolate(self) -> JobHandle:
        start, end = (self.latents[index] for index in self.picked)
        handle = self._run(
            Job(
                "gan.interpolation",
                {
                    "model": self.model,
                    "start": start,
                    "end": end,
                    "steps": self.steps.value(),
                    "spherical": self.spherical.isChecked(),
                },
                title="Interpolating",
            )
        )
        handle.finished.connect(self.strip_view.set_image)
        handle.failed.connect(self._failed)
        self.status.setText("The strip below goes from the first picked picture to the second.")
        return handle

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
            sample = self.sample_params()
            kwargs.update(seed=sample.seed, truncation=sample.truncation)
        handle = self._run(Job("gan.export_walk", kwargs, title="Exporting walk"))
        self.job_panel.watch(handle)
        handle.finished.connect(lambda saved: self.status.setText(f"Saved {Path(saved).name}."))
        handle.failed.connect(self._failed)
        return handle

    # -- saving and loading ----------------------------------------------------------------------
    def save_dialog(self) -> None:
        suggested = Path(self.settings.last_folder("gan-model")) / "gan.keras"
        path, _ = QFileDialog.getSaveFileName(self, "Save GAN", str(suggested), "Keras model (*.keras)")
        if path:
            self.save_model(path if path.lower().endswith(".keras") else path + ".keras")

    def save_model(self, path: str) -> JobHandle | None:
        if self.model is None:
            return None
        self.settings.set_last_folder("gan-model", path)
        handle = self._run(Job("gan.save", {"model": self.model, "path": path}, title="Saving GAN"))
        handle.finished.connect(lambda saved: self.status.setText(f"Saved {Path(saved).name}."))
        handle.failed.connect(self._failed)
        return handle

    def load_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Load GAN", self.settings.last_folder("gan-model"), "Keras model (*.keras)"
        )
        if path:
            self.load_model(path)

    def load_model(self, path: str) -> JobHandle:
        self.settings.set_last_folder("gan-model", path)
        handle = self._run(Job("gan.load", {"path": path}, title="Loading GAN"))
        handle.finished.connect(self._model_loaded)
        handle.failed.connect(self._failed)
        return handle

    def _model_loaded(self, model: object) -> None:
        self.model = model
        self.latents = None  # the grid shown belongs to the previous model until the new one draws
        params = model.gan_params
        self.set_params(params)
        self.epochs.setValue(max(params.epochs, model.epochs_done + 1))
        self.status.setText(f"Loaded {self._model_summary()}.")
        self._refresh()
        self.sample()

    def _model_summary(self) -> str:
        params = self.model.gan_params
        kind = "colour" if params.channels == 3 else "grey"
        return f"a {params.image_size} px {kind} GAN ({self.model.epochs_done} epochs)"

    def _run(self, job: Job) -> JobHandle:
        """Start `job` as this panel's one job (a job still running is cancelled and silenced:
        opening a model while training stops the training)."""
        self.current_job = self.runner.run(job, owner=self)
        self.training = None
        self._refresh()
        return self.current_job

    def _refresh(self) -> None:
        running = self.training is not None
        ready = self.model is not None and not running
        self.train_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.resume_button.setEnabled(not running and (self.model is not None or self.checkpoint_path.is_file()))
        for widget in (self.save_button, self.new_grid_button, self.export_button, self.seed, self.truncation_on):
            widget.setEnabled(ready)
        self.truncation.setEnabled(ready and self.truncation_on.isChecked())
        self.load_button.setEnabled(not running)

    # -- remembered between runs -----------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {"params": params_to_dict(self.current_params())}

    def restore_state(self, state: dict[str, Any]) -> None:
        try:
            self.set_params(params_from_dict(GanParams, state.get("params", {})))
        except (TypeError, ValueError):
            return
