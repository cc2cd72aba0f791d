"""The Dream tab: drop a picture, pick layers, watch it dream live, save the result with its recipe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
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
from qasync import asyncSlot
from superqt import QLabeledDoubleSlider, QLabeledSlider

from studio.core.catalog import BACKBONES, CUSTOM_BACKBONE, presets
from studio.core.images import load_image, load_mask, sample_image
from studio.core.params import make_recipe
from studio.core.params.dream import DreamParams
from studio.core.progress import JobError, Progress
from studio.ui.runner import Job, JobCancelled, JobFailed, JobHandle
from studio.ui.tab import PictureTab
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.forms import double_spin, side_panel, spin, work_and_controls
from studio.ui.widgets.images import BeforeAfterView, from_qimage
from studio.ui.widgets.job_panel import JobPanel
from studio.ui.widgets.saving import file_stem

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".gif")
WORK_SIZES = ((512, "512 px (fast)"), (768, "768 px"), (1024, "1024 px"), (2048, "2048 px"), (None, "Full size"))
SAMPLE = "chelsea"


class LayerWeights(QWidget):
    """One weight slider per backbone layer; weight 0 leaves the layer out of the dream."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._form = QFormLayout(self)
        self._form.setContentsMargins(0, 0, 0, 0)
        self.sliders: dict[str, QLabeledDoubleSlider] = {}

    def set_layers(self, names: tuple[str, ...]) -> None:
        while self._form.rowCount():
            self._form.removeRow(0)
        self.sliders = {}
        for name in names:
            slider = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
            slider.setRange(0.0, 3.0)
            slider.setSingleStep(0.1)
            slider.setDecimals(1)
            slider.setValue(0.0)
            self._form.addRow(name, slider)
            self.sliders[name] = slider

    def weights(self) -> dict[str, float]:
        return {name: round(slider.value(), 2) for name, slider in self.sliders.items() if slider.value() > 0}

    def set_weights(self, weights: dict[str, float]) -> None:
        for name, slider in self.sliders.items():
            slider.setValue(float(weights.get(name, 0.0)))


class DreamTab(PictureTab):
    key = "dream"
    title = "Dream"
    opens = IMAGE_SUFFIXES
    params_class = DreamParams
    save_title = "Save dream"

    def __init__(self, runner, settings, parent: QWidget | None = None):
        super().__init__(runner, settings, parent)
        self.source: np.ndarray | None = None
        self.source_name = "untitled"
        self.result_params: DreamParams | None = None
        self._job: JobHandle | None = None
        self.guide: np.ndarray | None = None
        self.guide_path: str | None = None
        self.mask_path: str | None = None
        self.backbone_path: str | None = None
        self._build()
        self.set_params(DreamParams())
        self.set_source(sample_image(SAMPLE), f"{SAMPLE} (sample photo)")
        QShortcut(QKeySequence.StandardKey.Paste, self, activated=self.paste)

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.view = BeforeAfterView()
        self.view.files_dropped.connect(lambda paths: self.open_path(paths[0]))
        self.source_label = QLabel()
        self.source_label.setObjectName("hint")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.view, 1)
        left_layout.addWidget(self.source_label)
        left_layout.addWidget(self.recipe_bar)

        self.dream_button = QPushButton("Dream")
        self.dream_button.setObjectName("primary")
        self.dream_button.clicked.connect(self.start_dream)
        self.open_button = QPushButton("Open…")
        self.open_button.clicked.connect(self.open_dialog)
        self.save_button = QPushButton("Save…")
        self.save_button.clicked.connect(self.save_dialog)
        self.again_button = QPushButton("Dream on result")
        self.again_button.setToolTip("Use the result as the new starting picture")
        self.again_button.clicked.connect(self.use_result_as_source)
        self.job_panel = JobPanel()
        self.status = QLabel("Press Dream to start.")
        self.status.setWordWrap(True)

        buttons = QHBoxLayout()
        for button in (self.open_button, self.dream_button, self.save_button, self.again_button):
            buttons.addWidget(button)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.job_panel)
        left_layout.addWidget(self.status)

        QVBoxLayout(self).addWidget(work_and_controls(left, self._build_parameters()))
        self._refresh_buttons()

    def _build_parameters(self) -> QScrollArea:
        panel = QWidget()
        layout = QVBoxLayout(panel)

        network = QGroupBox("Network")
        network_form = QFormLayout(network)
        self.backbone_combo = QComboBox()
        for info in BACKBONES.values():
            self.backbone_combo.addItem(info.label, info.key)
        self.backbone_combo.addItem("Model file…", CUSTOM_BACKBONE)
        self.backbone_combo.activated.connect(self._backbone_chosen)
        self.backbone_combo.currentIndexChanged.connect(self._backbone_changed)
        self.preset_combo = QComboBox()
        self.preset_combo.activated.connect(self._apply_preset)
        network_form.addRow("Backbone", self.backbone_combo)
        network_form.addRow("Preset", self.preset_combo)
        layout.addWidget(network)

        layers_box = QGroupBox("Layers (weight 0 = off)")
        self.layer_weights = LayerWeights()
        QVBoxLayout(layers_box).addWidget(self.layer_weights)
        layout.addWidget(layers_box)

        dream_box = QGroupBox("Dream")
        form = QFormLayout(dream_box)
        self.size_combo = QComboBox()
        for size, label in WORK_SIZES:
            self.size_combo.addItem(label, size)
        self.octaves = spin(1, 10)
        self.octave_scale = double_spin(1.05, 3.0, 0.05, 2)
        self.steps = spin(1, 500)
        self.step_size = double_spin(0.001, 0.2, 0.001, 3)
        self.max_loss_on = QCheckBox("Stop an octave above")
        self.max_loss = double_spin(0.1, 1e6, 10.0, 1)
        self.max_loss_on.toggled.connect(self.max_loss.setEnabled)
        self.seed_on = QCheckBox("Fixed seed")
        self.seed = spin(0, 2**31 - 1)
        self.seed_on.toggled.connect(self.seed.setEnabled)
        self.tile_size = spin(128, 2048)
        self.tile_size.setSingleStep(64)
        form.addRow("Work size", self.size_combo)
        form.addRow("Octaves", self.octaves)
        form.addRow("Octave scale", self.octave_scale)
        form.addRow("Steps per octave", self.steps)
        form.addRow("Step size", self.step_size)
        form.addRow(self.max_loss_on, self.max_loss)
        form.addRow(self.seed_on, self.seed)
        form.addRow("Tile size", self.tile_size)
        layout.addWidget(dream_box)

        steer = QGroupBox("Steer")
        steer_form = QFormLayout(steer)
        self.guide_button = QPushButton("Choose…")
        self.guide_button.clicked.connect(self.choose_guide)
        self.paint_button = QPushButton("Paint")
        self.paint_button.setCheckable(True)
        self.paint_button.setToolTip(
            "Paint on the Before picture where the dream should go (Shift+drag erases). "
            "With no mask, the whole picture dreams."
        )
        self.paint_button.toggled.connect(self.view.before.set_painting)
        self.mask_button = QPushButton("Load…")
        self.mask_button.setToolTip("A greyscale picture: white areas dream, black areas stay as they are")
        self.mask_button.clicked.connect(self.choose_mask)
        clear_mask = QPushButton("Clear")
        clear_mask.clicked.connect(lambda: self._set_mask(None))
        mask_row = QHBoxLayout()
        for button in (self.paint_button, self.mask_button, clear_mask):
            mask_row.addWidget(button)
        self.brush = QLabeledSlider(Qt.Orientation.Horizontal)
        self.brush.setRange(2, 200)
        self.brush.setValue(self.view.before.brush_radius)
        self.brush.valueChanged.connect(lambda radius: setattr(self.view.before, "brush_radius", radius))
        self.mask_label = QLabel("No mask: the whole picture dreams.")
        self.mask_label.setObjectName("hint")
        self.view.before.mask_changed.connect(self._mask_changed)
        steer_form.addRow("Guide picture", self.guide_button)
        steer_form.addRow("Mask", mask_row)
        steer_form.addRow("Brush radius", self.brush)
        steer_form.addRow(self.mask_label)
        layout.addWidget(steer)
        layout.addStretch(1)

        return side_panel(panel)

    # -- parameters -----------------------------------------------------------------------
    def current_params(self) -> DreamParams:
        """Freeze the panel into a recipe (on the GUI thread, before the job starts)."""
        return DreamParams(
            backbone=self.backbone_combo.currentData(),
            backbone_path=self.backbone_path if self.backbone_combo.currentData() == CUSTOM_BACKBONE else None,
            layers=self.layer_weights.weights(),
            octaves=self.octaves.value(),
            octave_scale=self.octave_scale.value(),
            steps_per_octave=self.steps.value(),
            step_size=self.step_size.value(),
            max_loss=self.max_loss.value() if self.max_loss_on.isChecked() else None,
            seed=self.seed.value() if self.seed_on.isChecked() else None,
            tile_size=self.tile_size.value(),
            guide_path=self.guide_path,
            mask_path=self.mask_path,
            max_side=self.size_combo.currentData(),
        )

    def set_params(self, params: DreamParams) -> None:
        self.backbone_path = params.backbone_path
        index = self.backbone_combo.findData(params.backbone)
        if params.backbone == CUSTOM_BACKBONE and not (params.backbone_path and Path(params.backbone_path).exists()):
            index = 0
        self.backbone_combo.setCurrentIndex(max(index, 0))
        self._backbone_changed()
        self.layer_weights.set_weights(params.layers)
        self.octaves.setValue(params.octaves)
        self.octave_scale.setValue(params.octave_scale)
        self.steps.setValue(params.steps_per_octave)
        self.step_size.setValue(params.step_size)
        self.max_loss_on.setChecked(params.max_loss is not None)
        self.max_loss.setEnabled(params.max_loss is not None)
        self.max_loss.setValue(params.max_loss or 100.0)
        self.seed_on.setChecked(params.seed is not None)
        self.seed.setEnabled(params.seed is not None)
        self.seed.setValue(params.seed or 0)
        self.tile_size.setValue(params.tile_size)
        self.size_combo.setCurrentIndex(max(self.size_combo.findData(params.max_side), 0))
        self._set_guide(params.guide_path)
        self._set_mask(params.mask_path)

    def _backbone_chosen(self) -> None:
        """The user picked a backbone; a model file needs choosing first."""
        if self.backbone_combo.currentData() != CUSTOM_BACKBONE:
            return
        path, _ = QFileDialog.getOpenFileName(
            self, "Backbone model", self.settings.last_folder("models"), "Keras models (*.keras *.h5)"
        )
        if not path:
            self.backbone_combo.setCurrentIndex(0)
            return
        self.backbone_path = path
        self.settings.set_last_folder("models", path)
        self.status.setText(f"Reading the layers of {Path(path).name}…")
        handle = self.runner.run(
            Job("backbone.layer_names", {"key": CUSTOM_BACKBONE, "path": path}, title="Reading model")
        )
        handle.finished.connect(self._custom_layers_ready)
        handle.failed.connect(
            lambda message, details: (show_error(self, message, details), self.backbone_combo.setCurrentIndex(0))
        )

    def _custom_layers_ready(self, names: tuple[str, ...]) -> None:
        self.layer_weights.set_layers(names)
        self.layer_weights.set_weights({names[len(names) // 2]: 1.0})
        self.status.setText(f"{Path(self.backbone_path).name}: {len(names)} layers. Weight the ones to dream with.")

    def _backbone_changed(self) -> None:
        key = self.backbone_combo.currentData()
        info = BACKBONES.get(key)
        previous = self.layer_weights.weights()
        self.layer_weights.set_layers(info.layers if info else ())
        self.preset_combo.clear()
        mixes = presets("dream").get(key, {})
        self.preset_combo.addItems(list(mixes))
        if info is not None and set(previous) <= set(info.layers) and previous:
            self.layer_weights.set_weights(previous)
        elif mixes:
            self._apply_preset()
        if info is not None and not info.offline:
            self.status.setText(f"{info.label}: its weights (about {info.download_mb} MB) download once on first use.")

    def _apply_preset(self) -> None:
        mixes = presets("dream").get(self.backbone_combo.currentData(), {})
        name = self.preset_combo.currentText()
        if name in mixes:
            self.layer_weights.set_weights(mixes[name])

    # -- pictures ---------------------------------------------------------------------------
    def set_source(self, rgb: np.ndarray, name: str) -> None:
        self.source = rgb
        self.source_name = name
        self.result = None
        self.view.before.set_image(rgb)
        self.view.after.set_image(None)
        height, width = rgb.shape[:2]
        self.source_label.setText(f"{name} · {width} × {height}")
        self._refresh_buttons()

    set_input = set_source

    def open_dialog(self) -> None:
        patterns = " ".join(f"*{s}" for s in IMAGE_SUFFIXES)
        path, _ = QFileDialog.getOpenFileName(
            self, "Open picture", self.settings.last_folder("dream"), f"Pictures ({patterns})"
        )
        if path:
            self.settings.add_recent_file(path)
            self.open_path(path)

    def paste(self) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        if mime.hasImage():
            self.set_source(from_qimage(mime.imageData()), "pasted picture")
        elif mime.hasUrls() and mime.urls()[0].isLocalFile():
            self.open_path(mime.urls()[0].toLocalFile())
        else:
            self.status.setText("The clipboard holds no picture.")

    def choose_guide(self) -> None:
        if self.guide_path:
            self._set_guide(None)
            return
        path, _ = QFileDialog.getOpenFileName(self, "Guide picture", self.settings.last_folder("dream"))
        if path:
            self._set_guide(path)

    def _set_guide(self, path: str | None) -> None:
        self.guide, self.guide_path = None, None
        if path:
            try:
                self.guide, self.guide_path = load_image(path), path
            except JobError as error:
                show_error(self, f"The guide picture can't be used: {error}")
        self.guide_button.setText(f"{Path(self.guide_path).name} (clear)" if self.guide_path else "Choose…")

    def choose_mask(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Mask picture", self.settings.last_folder("dream"))
        if path:
            self._set_mask(path)

    def _set_mask(self, path: str | None) -> None:
        """Load a mask picture into the Before view (where it can be painted further), or clear it."""
        mask = None
        if path and self.source is not None:
            try:
                mask = load_mask(path, self.source.shape[:2])
            except JobError as error:
                show_error(self, f"The mask can't be used: {error}")
                path = None
        self.view.before.set_mask(mask)
        self.mask_path = path if mask is not None else None

    def _mask_changed(self) -> None:
        mask = self.view.before.mask()
        if mask is None:
            self.mask_path = None
            self.mask_label.setText("No mask: the whole picture dreams.")
        else:
            self.mask_label.setText(f"Dreaming on {mask.mean():.0%} of the picture.")

    def use_result_as_source(self) -> None:
        if self.result is not None:
            self.set_source(self.result, f"{file_stem(self.source_name)}-dream")

    # -- dreaming -----------------------------------------------------------------------------
    @asyncSlot()
    async def start_dream(self) -> None:
        if self.source is None:
            show_error(self, "Open or drop a picture first.")
            return
        params = self.current_params()
        if not params.layers:
            show_error(self, "Give at least one layer a weight above 0 (or pick a preset).")
            return
        mask = self.view.before.mask()
        source, source_name = self.source, self.source_name
        handle = self.runner.run(
            Job(
                "dream",
                {"image": source, "params": params, "guide": self.guide, "mask": mask},
                title="Dream",
            ),
            owner=self,
        )
        self.job_panel.watch(handle)
        handle.preview.connect(self._show_preview)
        handle.progress.connect(self._show_progress)
        self.status.setText("Dreaming… the preview updates with each step.")
        self._job = handle
        self._refresh_buttons()
        try:
            result = await handle
        except JobCancelled:
            if not handle.superseded:
                self.status.setText("Cancelled. The last preview stays on screen; nothing was lost.")
        except JobFailed as error:
            self.status.setText("The dream failed.")
            show_error(self, error.message, error.details)
        else:
            self.result = result
            self.result_params = params
            self._result_source_size = source.shape[1::-1]
            self.view.after.set_image(result, shown_width=source.shape[1])
            kept = self.saver.keep_in_history(result, self._recipe(), source_name)
            self.status.setText(
                f"Done: {result.shape[1]} × {result.shape[0]} from {source_name}. "
                + (f"A copy is in the history folder ({kept.name}); " if kept else "")
                + "Save… to put it elsewhere."
            )
        finally:
            self._refresh_buttons()

    def _show_preview(self, frame: np.ndarray) -> None:
        if self.source is not None:
            self.view.after.set_image(frame, shown_width=self.source.shape[1])

    def _show_progress(self, event: Progress) -> None:
        if "loss" in event.metrics:
            self.status.setText(f"{event.stage} · loss {event.metrics['loss']:.3g}")

    def _refresh_buttons(self) -> None:
        running = self._job is not None and not self._job.is_done
        self.dream_button.setEnabled(self.source is not None and not running)
        self.save_button.setEnabled(self.result is not None)
        self.again_button.setEnabled(self.result is not None and not running)

    # -- saving ---------------------------------------------------------------------------------
    def _recipe(self) -> dict[str, Any]:
        return make_recipe("dream", self.result_params, source_size=self._result_source_size)

    def _source_name(self) -> str:
        return self.source_name
