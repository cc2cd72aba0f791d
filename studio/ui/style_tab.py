"""The Style tab: drop a content picture and one or more style pictures, watch the content repaint
itself in their style, stop and resume at will, and save the result with its recipe."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from studio.core.catalog import BACKBONES
from studio.core.images import fit_within, load_image, sample_image, save_image
from studio.core.params import make_recipe
from studio.core.params.style import StyleParams
from studio.core.progress import JobError, Progress
from studio.ui.runner import Job, JobCancelled, JobFailed
from studio.ui.tab import PictureTab
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.forms import labeled_slider, side_panel, spin, work_and_controls
from studio.ui.widgets.images import AcceptsFileDrops, ImageView, to_qimage
from studio.ui.widgets.job_panel import JobPanel
from studio.ui.widgets.plot import LossPlot

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".gif")
SAMPLE_CONTENT = "astronaut"
THUMB_SIDE = 88
OPTIMIZER_LABELS = (("lbfgs", "L-BFGS (best quality)"), ("adam", "Adam"))
COLOR_LABELS = (
    ("none", "Off: take the style's colours"),
    ("luminance", "Luminance only: keep content colours"),
    ("match", "Match: recolour the style first"),
)
START_LABELS = (("content", "The content picture"), ("noise", "Noise"), ("image", "The current result"))


def sample_style() -> np.ndarray:
    """A colourful stained-tissue texture shipped with scikit-image: a striking first-run style."""
    from skimage import data

    return np.ascontiguousarray(np.asarray(data.immunohistochemistry())[..., :3])


class StyleThumb(QFrame):
    """One style picture: a thumbnail, its blend weight, and a button to remove it."""

    remove_requested = Signal(object)

    def __init__(self, rgb: np.ndarray, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.rgb = rgb
        self.name = name
        self.setFrameShape(QFrame.Shape.StyledPanel)
        picture = QLabel()
        picture.setPixmap(QPixmap.fromImage(to_qimage(fit_within(rgb, THUMB_SIDE))))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        picture.setFixedHeight(THUMB_SIDE)
        picture.setToolTip(f"{name} · {rgb.shape[1]} × {rgb.shape[0]}")
        remove = QToolButton()
        remove.setText("✕")
        remove.setToolTip(f"Remove {name}")
        remove.clicked.connect(lambda: self.remove_requested.emit(self))
        self.blend = labeled_slider(0.0, 1.0)
        self.blend.setValue(1.0)
        self.blend.setToolTip("How much of this style goes into the blend")
        top = QHBoxLayout()
        top.addWidget(picture, 1)
        top.addWidget(remove, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.blend)
        self.setFixedWidth(THUMB_SIDE + 90)


class StyleStrip(AcceptsFileDrops, QWidget):
    """The style pictures in a row; drop files on it (or press Add) to add more."""

    files_dropped = Signal(list)
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.thumbs: list[StyleThumb] = []
        self.add_button = QPushButton("Add style…")
        self.hint = QLabel("Drop style pictures here")
        self.hint.setObjectName("hint")
        self._row = QHBoxLayout()
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.addWidget(self.hint)
        self._row.addStretch(1)
        self._row.addWidget(self.add_button)
        inner = QWidget()
        inner.setLayout(self._row)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFixedHeight(THUMB_SIDE + 62)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def add(self, rgb: np.ndarray, name: str, blend: float = 1.0) -> StyleThumb:
        thumb = StyleThumb(rgb, name)
        thumb.blend.setValue(blend)
        thumb.remove_requested.connect(self.remove)
        self._row.insertWidget(len(self.thumbs), thumb)
        self.thumbs.append(thumb)
        self.hint.setVisible(not self.thumbs)
        self.changed.emit()
        return thumb

    def remove(self, thumb: StyleThumb) -> None:
        self.thumbs.remove(thumb)
        thumb.deleteLater()
        self.hint.setVisible(not self.thumbs)
        self.changed.emit()

    def clear(self) -> None:
        for thumb in list(self.thumbs):
            self.remove(thumb)

    def pictures(self) -> list[np.ndarray]:
        return [thumb.rgb for thumb in self.thumbs]

    def names(self) -> list[str]:
        return [thumb.name for thumb in self.thumbs]

    def blend(self) -> tuple[float, ...]:
        return tuple(round(thumb.blend.value(), 3) for thumb in self.thumbs)


class StyleTab(PictureTab):
    key = "style"
    title = "Style"
    opens = IMAGE_SUFFIXES
    params_class = StyleParams
    save_title = "Save stylized picture"

    def __init__(self, runner, settings, parent: QWidget | None = None):
        super().__init__(runner, settings, parent)
        self.content: np.ndarray | None = None
        self.content_name = "untitled"
        self.result_params: StyleParams | None = None
        self.result_styles: list[str] = []
        self.last_picture: np.ndarray | None = None  # newest preview: what Resume continues from
        self._job_params = StyleParams()
        self._shown_width: int | None = None  # previews of coarse scales are stretched to the result's width
        self._build()
        self.set_params(StyleParams())
        self.set_content(sample_image(SAMPLE_CONTENT), f"{SAMPLE_CONTENT} (sample photo)")
        self.styles.add(sample_style(), "stained tissue (sample texture)")

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.content_view = ImageView("Drop the content picture here")
        self.content_view.files_dropped.connect(lambda paths: self.open_path(paths[0]))
        self.result_view = ImageView("The stylized picture appears here")
        self.result_view.files_dropped.connect(lambda paths: self.open_path(paths[0]))
        views = QHBoxLayout()
        for title, view in (("Content", self.content_view), ("Result", self.result_view)):
            column = QVBoxLayout()
            column.addWidget(QLabel(title))
            column.addWidget(view, 1)
            views.addLayout(column, 1)
        self.content_label = QLabel()
        self.content_label.setObjectName("hint")

        self.styles = StyleStrip()
        self.styles.files_dropped.connect(self.add_style_paths)
        self.styles.add_button.clicked.connect(self.add_style_dialog)
        self.styles.changed.connect(self._refresh_buttons)

        self.stylize_button = QPushButton("Stylize")
        self.stylize_button.setObjectName("primary")
        self.stylize_button.clicked.connect(lambda: self.start_stylize())
        self.resume_button = QPushButton("Resume")
        self.resume_button.setToolTip("Continue from the last picture (after a stop, or to refine a result)")
        self.resume_button.clicked.connect(lambda: self.start_stylize(resume=True))
        self.open_button = QPushButton("Open content…")
        self.open_button.clicked.connect(self.open_dialog)
        self.save_button = QPushButton("Save…")
        self.save_button.clicked.connect(self.save_dialog)
        buttons = QHBoxLayout()
        for button in (self.open_button, self.stylize_button, self.resume_button, self.save_button):
            buttons.addWidget(button)
        self.job_panel = JobPanel()
        self.status = QLabel("Press Stylize to start.")
        self.status.setWordWrap(True)
        self.loss_plot = LossPlot(log_scale=True)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(views, 1)
        left_layout.addWidget(self.content_label)
        left_layout.addWidget(self.recipe_bar)
        left_layout.addWidget(QLabel("Style pictures (blend weights below each)"))
        left_layout.addWidget(self.styles)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.job_panel)
        left_layout.addWidget(self.status)
        left_layout.addWidget(self.loss_plot)

        QVBoxLayout(self).addWidget(work_and_controls(left, self._build_parameters()))
        self._refresh_buttons()

    def _build_parameters(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)

        weights = QGroupBox("Balance")
        weights_form = QFormLayout(weights)
        self.content_weight = labeled_slider(0.0, 10.0, 2)
        self.content_weight.setToolTip("Higher keeps more of the content's shapes")
        self.style_weight = labeled_slider(0.0, 0.02, 4)
        self.style_weight.setToolTip("Higher paints more of the style's texture")
        self.tv_weight = labeled_slider(0.0, 200.0, 1)
        self.tv_weight.setToolTip("Higher gives a smoother, less grainy picture")
        self.style_scale = labeled_slider(0.25, 3.0, 2)
        self.style_scale.setToolTip("Size of the style's texture: above 1, larger brush strokes")
        weights_form.addRow("Content", self.content_weight)
        weights_form.addRow("Style", self.style_weight)
        weights_form.addRow("Smoothness", self.tv_weight)
        weights_form.addRow("Style scale", self.style_scale)
        layout.addWidget(weights)

        run_box = QGroupBox("Result")
        form = QFormLayout(run_box)
        self.size = spin(64, 8192, 64)
        self.size.setSuffix(" px")
        self.size.setToolTip("Long side of the result. Large sizes work in tiles, so memory stays bounded")
        self.iterations = spin(1, 5000, 10)
        self.scales = spin(1, 6, 1)
        self.scales.setToolTip("Coarse-to-fine: start this many halvings smaller, then refine")
        self.optimizer = _combo(OPTIMIZER_LABELS)
        self.optimizer.currentIndexChanged.connect(self._optimizer_changed)
        self.learning_rate = QDoubleSpinBox()
        self.learning_rate.setRange(0.001, 0.5)
        self.learning_rate.setSingleStep(0.005)
        self.learning_rate.setDecimals(3)
        self.colors = _combo(COLOR_LABELS)
        self.start = _combo(START_LABELS)
        self.seed_on = QCheckBox("Fixed seed")
        self.seed = spin(0, 2**31 - 1, 1)
        self.seed_on.toggled.connect(self.seed.setEnabled)
        self.checkpoint_every = spin(0, 1000, 10)
        self.checkpoint_every.setSpecialValueText("Off")
        self.checkpoint_every.setToolTip("Every N steps, save the picture so far beside the app's settings")
        form.addRow("Size", self.size)
        form.addRow("Iterations", self.iterations)
        form.addRow("Scales", self.scales)
        form.addRow("Optimizer", self.optimizer)
        form.addRow("Learning rate", self.learning_rate)
        form.addRow("Colours", self.colors)
        form.addRow("Start from", self.start)
        form.addRow(self.seed_on, self.seed)
        form.addRow("Checkpoint every", self.checkpoint_every)
        layout.addWidget(run_box)

        network = QGroupBox("Network")
        network_form = QFormLayout(network)
        self.backbone = QComboBox()
        for info in BACKBONES.values():
            if info.key.startswith("vgg"):
                self.backbone.addItem(info.label, info.key)
        self.backbone.currentIndexChanged.connect(self._backbone_changed)
        self.content_layer = QComboBox()
        network_form.addRow("Backbone", self.backbone)
        network_form.addRow("Content layer", self.content_layer)
        layout.addWidget(network)
        layout.addStretch(1)

        return side_panel(panel)

    # -- parameters -----------------------------------------------------------------------
    def current_params(self, init: str | None = None) -> StyleParams:
        """Freeze the panel into a recipe (on the GUI thread, before the job starts)."""
        return StyleParams(
            backbone=self.backbone.currentData(),
            content_layer=self.content_layer.currentText(),
            style_layers=self._style_layers,
            content_weight=round(self.content_weight.value(), 4),
            style_weight=round(self.style_weight.value(), 6),
            tv_weight=round(self.tv_weight.value(), 3),
            size=self.size.value(),
            iterations=self.iterations.value(),
            num_scales=self.scales.value(),
            optimizer=self.optimizer.currentData(),
            learning_rate=self.learning_rate.value(),
            style_scale=round(self.style_scale.value(), 3),
            style_blend=self.styles.blend(),
            preserve_colors=self.colors.currentData(),
            init=init or self.start.currentData(),
            seed=self.seed.value() if self.seed_on.isChecked() else None,
            checkpoint_every=self.checkpoint_every.value(),
            tile_size=self._tile_size,
        )

    def set_params(self, params: StyleParams) -> None:
        self.backbone.setCurrentIndex(max(self.backbone.findData(params.backbone), 0))
        self._backbone_changed()
        self.content_layer.setCurrentIndex(max(self.content_layer.findText(params.content_layer), 0))
        self._style_layers = dict(params.style_layers)
        self._tile_size = params.tile_size
        self.content_weight.setValue(params.content_weight)
        self.style_weight.setValue(params.style_weight)
        self.tv_weight.setValue(params.tv_weight)
        self.style_scale.setValue(params.style_scale)
        self.size.setValue(params.size)
        self.iterations.setValue(params.iterations)
        self.scales.setValue(params.num_scales)
        _select(self.optimizer, params.optimizer)
        self.learning_rate.setValue(params.learning_rate)
        _select(self.colors, params.preserve_colors)
        _select(self.start, params.init)
        self.seed_on.setChecked(params.seed is not None)
        self.seed.setEnabled(params.seed is not None)
        self.seed.setValue(params.seed or 0)
        self.checkpoint_every.setValue(params.checkpoint_every)
        for thumb, blend in zip(self.styles.thumbs, params.style_blend):
            thumb.blend.setValue(blend)
        self._optimizer_changed()

    def _backbone_changed(self) -> None:
        info = BACKBONES[self.backbone.currentData()]
        chosen = self.content_layer.currentText()
        self.content_layer.clear()
        self.content_layer.addItems(list(info.layers))
        self.content_layer.setCurrentIndex(max(self.content_layer.findText(chosen or "block4_conv2"), 0))
        if not info.offline:
            self.status.setText(f"{info.label}: its weights (about {info.download_mb} MB) download once on first use.")

    def _optimizer_changed(self) -> None:
        self.learning_rate.setEnabled(self.optimizer.currentData() == "adam")

    # -- pictures ---------------------------------------------------------------------------
    def set_content(self, rgb: np.ndarray, name: str) -> None:
        self.content = rgb
        self.content_name = name
        self.result = None
        self.last_picture = None
        self.content_view.set_image(rgb)
        self.result_view.set_image(None)
        self.content_label.setText(f"{name} · {rgb.shape[1]} × {rgb.shape[0]}")
        self._refresh_buttons()

    set_input = set_content

    def add_style_paths(self, paths: list[str]) -> None:
        for path in paths:
            try:
                self.styles.add(load_image(path), Path(path).name)
            except JobError as error:
                show_error(self, f"That style picture can't be used: {error}")
            else:
                self.settings.set_last_folder("style-styles", path)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open content picture", self.settings.last_folder("style"), _patterns()
        )
        if path:
            self.settings.add_recent_file(path)
            self.open_path(path)

    def add_style_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Add style pictures", self.settings.last_folder("style-styles"), _patterns()
        )
        self.add_style_paths(paths)

    # -- stylizing ---------------------------------------------------------------------------------
    @asyncSlot()
    async def start_stylize(self, resume: bool = False) -> None:
        if self.content is None or not self.styles.thumbs:
            show_error(self, "Open a content picture and add at least one style picture first.")
            return
        start_picture = self.last_picture if resume else None
        params = self.current_params(init="image" if resume else None)
        if params.init == "image" and start_picture is None:
            start_picture = self.result
        if params.init == "image" and start_picture is None:
            show_error(self, "There is no result to start from yet: stylize once, or start from the content.")
            return
        if sum(params.style_blend) <= 0:
            show_error(self, "Give at least one style picture a blend weight above 0.")
            return
        content, content_name, style_names = self.content, self.content_name, self.styles.names()
        self._job_params = params
        height, width = content.shape[:2]
        self._shown_width = params.size if width >= height else round(params.size * width / height)
        handle = self.runner.run(
            Job(
                "style.stylize",
                {"content": content, "styles": self.styles.pictures(), "params": params, "init_image": start_picture},
                title="Stylize",
            ),
            owner=self,
        )
        self.job_panel.watch(handle)
        handle.preview.connect(self._show_preview)
        handle.progress.connect(self._show_progress)
        self.loss_plot.clear()
        self.result_view.set_image(None)
        self.status.setText("Stylizing… the preview updates with each step.")
        self._refresh_buttons(running=True)
        try:
            result = await handle
        except JobCancelled:
            if not handle.superseded:
                self.status.setText("Stopped. Resume continues from the last picture; Save keeps it.")
                self._keep_result(self.last_picture, params, style_names)
        except JobFailed as error:
            self.status.setText("Stylizing failed.")
            show_error(self, error.message, error.details)
        else:
            self._keep_result(result, params, style_names)
            self.last_picture = result
            self.result_view.set_image(result)
            kept = self.saver.keep_in_history(result, self._recipe(), content_name)
            self.status.setText(
                f"Done: {result.shape[1]} × {result.shape[0]} from {content_name}. "
                + (f"A copy is in the history folder ({kept.name}); " if kept else "")
                + "Save… to put it elsewhere."
            )
        finally:
            self._refresh_buttons()

    def _keep_result(self, picture: np.ndarray | None, params: StyleParams, style_names: list[str]) -> None:
        if picture is not None:
            self.result, self.result_params, self.result_styles = picture, params, style_names

    def _show_preview(self, frame: np.ndarray) -> None:
        self.result_view.set_image(frame, shown_width=self._shown_width)

    def _show_progress(self, event: Progress) -> None:
        if event.preview is not None:
            self.last_picture = event.preview
        for name, value in event.metrics.items():
            self.loss_plot.add(name, event.step, value)
        if "checkpoint" in event.data:
            self._save_checkpoint(event)

    def _save_checkpoint(self, event: Progress) -> None:
        path = self.settings.path.parent / "checkpoints" / f"{Path(self.content_name).stem}-style-checkpoint.png"
        try:
            save_image(path, event.data["checkpoint"], make_recipe("style", self._job_params, step=event.step))
        except JobError as error:
            self.status.setText(f"Checkpoint not saved: {error}")
        else:
            self.status.setText(f"Checkpoint saved at step {event.step}: {path}")

    def _refresh_buttons(self, running: bool = False) -> None:
        ready = self.content is not None and bool(self.styles.thumbs) and not running
        self.stylize_button.setEnabled(ready)
        self.resume_button.setEnabled(ready and (self.last_picture is not None or self.result is not None))
        self.save_button.setEnabled(self.result is not None)

    # -- saving ---------------------------------------------------------------------------------
    def _recipe(self) -> dict[str, Any]:
        return make_recipe(
            "style", self.result_params, source_size=self.content.shape[1::-1], style_sources=self.result_styles
        )

    def _source_name(self) -> str:
        return self.content_name

    # -- remembered between runs ------------------------------------------------------------------
    def restorable(self, params: StyleParams) -> StyleParams:
        # Last session's result is gone, so it cannot be the start of this one's.
        return dataclasses.replace(params, init="content") if params.init == "image" else params


def _patterns() -> str:
    return f"Pictures ({' '.join(f'*{suffix}' for suffix in IMAGE_SUFFIXES)})"


def _combo(items: tuple[tuple[str, str], ...]) -> QComboBox:
    combo = QComboBox()
    for key, label in items:
        combo.addItem(label, key)
    return combo


def _select(combo: QComboBox, key: str) -> None:
    combo.setCurrentIndex(max(combo.findData(key), 0))
