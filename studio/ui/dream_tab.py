"""The Dream tab: drop a picture, pick layers, watch it dream live, save the result with its recipe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from studio.core.catalog import BACKBONES, CUSTOM_BACKBONE, presets
from studio.core.images import load_image, sample_image
from studio.core.params import make_recipe
from studio.core.params.dream import DreamParams
from studio.core.progress import JobError, Progress
from studio.ui.runner import Job
from studio.ui.tab import PictureTab
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.file_field import FileField
from studio.ui.widgets.forms import side_panel, work_and_controls
from studio.ui.widgets.images import BeforeAfterView, from_qimage
from studio.ui.widgets.job_panel import JobPanel
from studio.ui.widgets.layer_weights import LayerWeights
from studio.ui.widgets.mask_editor import MaskEditor
from studio.ui.widgets.param_form import ParamForm
from studio.ui.widgets.saving import file_stem

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".gif")
SAMPLE = "chelsea"


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
        self.guide: np.ndarray | None = None
        self.result_params: DreamParams | None = None
        self._result_extra: dict[str, Any] = {}
        # A stopped dream's last frame, shown but not yet the result: (frame, params, recipe extras).
        self.partial: tuple[np.ndarray, DreamParams, dict[str, Any]] | None = None
        self._dreaming: tuple[np.ndarray, str, DreamParams] | None = None  # source, its name, params
        self._last_frame: np.ndarray | None = None  # the newest preview shown, and where the dream was then
        self._last_stage = ""
        self._layers_read_from: str | None = None
        self._build()
        self.set_source(sample_image(SAMPLE), f"{SAMPLE} (sample photo)")
        QShortcut(QKeySequence.StandardKey.Paste, self, activated=self.paste)

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.view = BeforeAfterView()
        self.view.files_dropped.connect(lambda paths: self.open_path(paths[0]))
        self.form = self._build_form()
        QVBoxLayout(self).addWidget(work_and_controls(self._build_work_area(), side_panel(self.form)))
        self.jobs.attach_panel("dream", self.job_panel)
        self.jobs.busy_changed.connect(self._refresh_buttons)
        self._backbone_changed()

    def _build_work_area(self) -> QWidget:
        self.source_label = QLabel()
        self.source_label.setObjectName("hint")
        self.job_panel = JobPanel()
        self.status = QLabel("Press Dream to start.")
        self.status.setWordWrap(True)
        area = QWidget()
        layout = QVBoxLayout(area)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.source_label)
        for row in (self.recipe_bar, self._build_partial_bar()):
            layout.addWidget(row)
        layout.addLayout(self._build_buttons())
        layout.addWidget(self.job_panel)
        layout.addWidget(self.status)
        return area

    def _build_buttons(self) -> QHBoxLayout:
        self.open_button = QPushButton("Open…")
        self.open_button.clicked.connect(self.open_dialog)
        self.dream_button = QPushButton("Dream")
        self.dream_button.setObjectName("primary")
        self.dream_button.clicked.connect(self.start_dream)
        self.save_button = QPushButton("Save…")
        self.save_button.clicked.connect(self.save_dialog)
        self.again_button = QPushButton("Dream on result")
        self.again_button.setToolTip("Use the result as the new starting picture")
        self.again_button.clicked.connect(self.use_result_as_source)
        buttons = QHBoxLayout()
        for button in (self.open_button, self.dream_button, self.save_button, self.again_button):
            buttons.addWidget(button)
        return buttons

    def _build_partial_bar(self) -> QWidget:
        self.partial_bar = QWidget()
        keep = QPushButton("Keep partial result")
        keep.setToolTip("Make the unfinished dream the result, to save it or dream on it")
        keep.clicked.connect(self.keep_partial)
        drop = QPushButton("Discard")
        drop.setToolTip("Show the last finished result again")
        drop.clicked.connect(self.discard_partial)
        row = QHBoxLayout(self.partial_bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("The After view shows the stopped dream."))
        row.addWidget(keep)
        row.addWidget(drop)
        row.addStretch(1)
        self.partial_bar.hide()
        return self.partial_bar

    def _build_form(self) -> ParamForm:
        self.layer_weights = LayerWeights()
        self.guide_field = FileField("Guide picture", self._picture_folder)
        self.guide_field.changed.connect(self._guide_changed)
        self.mask_editor = MaskEditor(self.view.before, self._picture_folder)
        form = ParamForm(
            DreamParams, {"layers": self.layer_weights, "guide_path": self.guide_field, "mask_path": self.mask_editor}
        )
        self.preset_combo = QComboBox()
        self.preset_combo.activated.connect(self._apply_preset)
        form.add_row("Network", "Preset", self.preset_combo, "Layer mixes that dream well on this network")
        form.add_row("Steer", "Brush radius", self.mask_editor.brush)
        form.add_row("Steer", "", self.mask_editor.hint)
        self.backbone_combo = form.editor("backbone")
        self.backbone_combo.currentIndexChanged.connect(self._backbone_changed)
        self.backbone_combo.activated.connect(self._backbone_chosen)
        form.changed.connect(self._params_changed)
        return form

    # -- network and layers -------------------------------------------------------------------
    def _backbone_changed(self) -> None:
        key = self.form.params().backbone
        info = BACKBONES.get(key)
        self._layers_read_from = None
        self.layer_weights.set_layers(info.layers if info else ())
        self.preset_combo.clear()
        self.preset_combo.addItems(list(presets("dream").get(key, {})))
        if info is not None and not self.layer_weights.value():
            self._apply_preset()
        if info is not None and not info.offline:
            self.status.setText(f"{info.label}: its weights (about {info.download_mb} MB) download once on first use.")

    def _apply_preset(self) -> None:
        mixes = presets("dream").get(self.form.params().backbone, {})
        if (name := self.preset_combo.currentText()) in mixes:
            self.layer_weights.set_value(mixes[name])

    def _backbone_chosen(self) -> None:
        """The user picked a backbone; a model file needs choosing first."""
        if self.form.params().backbone != CUSTOM_BACKBONE:
            return
        path, _ = QFileDialog.getOpenFileName(
            self, "Backbone model", self.settings.last_folder("models"), "Keras models (*.keras *.h5)"
        )
        if path:
            self.settings.set_last_folder("models", path)
            self.form.update(backbone_path=path)
        elif not self.form.params().backbone_path:
            self.backbone_combo.setCurrentIndex(0)

    def _params_changed(self) -> None:
        """A built-in backbone carries no model file; a model file's layers are read once chosen."""
        params = self.form.params()
        if params.backbone != CUSTOM_BACKBONE:
            if params.backbone_path is not None:
                self.form.update(backbone_path=None)
        elif params.backbone_path != self._layers_read_from:
            self._layers_read_from = params.backbone_path
            self._read_layers(params.backbone_path)

    def _read_layers(self, path: str | None) -> None:
        if not path or not Path(path).exists():
            self.status.setText("Choose the model file (Backbone: Model file…) to dream with it.")
            return
        self.status.setText(f"Reading the layers of {Path(path).name}…")
        self.jobs.start(
            "layers",
            Job("backbone.layer_names", {"key": CUSTOM_BACKBONE, "path": path}, title="Reading model"),
            on_done=self._custom_layers_ready,
            on_failed=self._custom_layers_failed,
        )

    def _custom_layers_ready(self, names: tuple[str, ...]) -> None:
        self.layer_weights.set_layers(names)
        if not self.layer_weights.value():
            self.layer_weights.set_value({names[len(names) // 2]: 1.0})
        path = Path(self.form.params().backbone_path or "")
        self.status.setText(f"{path.name}: {len(names)} layers. Weight the ones to dream with.")

    def _custom_layers_failed(self, message: str, details: str) -> None:
        show_error(self, message, details)
        self.backbone_combo.setCurrentIndex(0)

    # -- pictures ---------------------------------------------------------------------------
    def set_source(self, rgb: np.ndarray, name: str) -> None:
        self.source = rgb
        self.source_name = name
        self.result = None
        self.partial = None
        self.view.before.set_image(rgb)
        self.view.after.set_image(None)
        height, width = rgb.shape[:2]
        self.source_label.setText(f"{name} · {width} × {height}")
        self._refresh_buttons()

    set_input = set_source

    def _picture_folder(self) -> str:
        return self.settings.last_folder("dream")

    def open_dialog(self) -> None:
        patterns = " ".join(f"*{s}" for s in IMAGE_SUFFIXES)
        path, _ = QFileDialog.getOpenFileName(self, "Open picture", self._picture_folder(), f"Pictures ({patterns})")
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

    def _guide_changed(self) -> None:
        self.guide = None
        if path := self.guide_field.value():
            try:
                self.guide = load_image(path)
            except JobError as error:
                show_error(self, f"The guide picture can't be used: {error}")
                self.guide_field.set_value(None)

    def use_result_as_source(self) -> None:
        if self.result is not None:
            self.set_source(self.result, f"{file_stem(self.source_name)}-dream")

    # -- dreaming -----------------------------------------------------------------------------
    def start_dream(self) -> None:
        if self.source is None:
            show_error(self, "Open or drop a picture first.")
            return
        params = self.form.params()
        if not params.layers:
            show_error(self, "Give at least one layer a weight above 0 (or pick a preset).")
            return
        self.partial, self._last_frame, self._last_stage = None, None, ""
        self._dreaming = (self.source, self.source_name, params)
        job = Job(
            "dream",
            {"image": self.source, "params": params, "guide": self.guide, "mask": self.view.before.mask()},
            title="Dream",
        )
        self.jobs.start(
            "dream",
            job,
            on_started=lambda: self.status.setText("Dreaming… the preview updates with each step."),
            on_preview=self._show_preview,
            on_progress=self._show_progress,
            on_done=self._dream_done,
            on_failed=self._dream_failed,
            on_cancelled=self._dream_stopped,
        )
        self.status.setText("")

    def _show_preview(self, frame: np.ndarray) -> None:
        self._last_frame = frame
        self.view.after.set_image(frame, shown_width=self._dreaming[0].shape[1])

    def _show_progress(self, event: Progress) -> None:
        self._last_stage = event.stage
        if "loss" in event.metrics:
            self.status.setText(f"{event.stage} · loss {event.metrics['loss']:.3g}")

    def _dream_done(self, result: np.ndarray) -> None:
        source, source_name, params = self._dreaming
        summary = f"Done: {result.shape[1]} × {result.shape[0]} from {source_name}."
        self._take_result(result, params, {"source_size": source.shape[1::-1]}, summary)

    def _dream_failed(self, message: str, details: str) -> None:
        self.status.setText("The dream failed.")
        show_error(self, message, details)

    def _dream_stopped(self) -> None:
        if self._last_frame is None:
            self.status.setText("Cancelled before the first step; nothing changed.")
            return
        source, _, params = self._dreaming
        self.partial = (self._last_frame, params, {"source_size": source.shape[1::-1], "stopped_at": self._last_stage})
        self.status.setText("Cancelled. Keep the partial result to save it or dream on it; nothing was lost.")
        self._refresh_buttons()

    def keep_partial(self) -> None:
        """Make the stopped dream's last frame the result, with its recipe."""
        if self.partial is not None:
            frame, params, extra = self.partial
            self.partial = None
            self._take_result(frame, params, extra, f"Kept the partial dream ({frame.shape[1]} × {frame.shape[0]}).")

    def discard_partial(self) -> None:
        """Show the last finished result again (or nothing), so the After view is what Save saves."""
        self.partial = None
        self.view.after.set_image(self.result, shown_width=self.source.shape[1])
        self.status.setText("Discarded the partial dream.")
        self._refresh_buttons()

    def _take_result(self, picture: np.ndarray, params: DreamParams, extra: dict[str, Any], summary: str) -> None:
        """Make `picture` the result: shown, kept in the history folder with its recipe, told in the status line."""
        self.result, self.result_params, self._result_extra = picture, params, extra
        self.view.after.set_image(picture, shown_width=self._dreaming[0].shape[1])
        kept = self.saver.keep_in_history(picture, self._recipe(), self._dreaming[1])
        self.status.setText(f"{summary} {self.saver.history_note(kept)}")
        self._refresh_buttons()

    def _refresh_buttons(self) -> None:
        dreaming = self.jobs.is_busy("dream")
        settled = self.result is not None and self.partial is None and not dreaming
        self.dream_button.setEnabled(self.source is not None and not dreaming)
        self.save_button.setEnabled(settled)
        self.again_button.setEnabled(settled)
        self.partial_bar.setVisible(self.partial is not None)

    # -- saving ---------------------------------------------------------------------------------
    def _recipe(self) -> dict[str, Any]:
        return make_recipe("dream", self.result_params, **self._result_extra)

    def _source_name(self) -> str:
        return self.source_name
