"""The Dream tab: drop a picture, pick layers, watch it dream live, compare, go back and forth
through the results, try variations, fly into the dream as an animation, save with the recipe."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QComboBox, QFileDialog, QPushButton, QVBoxLayout, QWidget

from studio.core.catalog import BACKBONES, CUSTOM_BACKBONE, presets
from studio.core.images import fitted_shape, load_image, sample_image
from studio.core.params.dream import DreamParams
from studio.core.progress import JobError
from studio.ui.dream_animation import DreamAnimation
from studio.ui.picture_tab import IMAGE_SUFFIXES, PictureRun, PictureTab
from studio.ui.runner import Job
from studio.ui.shortcuts import RUN, with_key
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.file_field import FileField
from studio.ui.widgets.forms import column, fill, push_button, side_panel, work_and_controls
from studio.ui.widgets.layer_weights import LayerWeights
from studio.ui.widgets.mask_editor import MaskEditor
from studio.ui.widgets.param_form import ParamForm
from studio.ui.widgets.saving import file_stem
from studio.ui.widgets.size_note import place_below

SAMPLE = "chelsea"


class DreamTab(PictureTab):
    key = "dream"
    title = "Dream"
    opens = IMAGE_SUFFIXES
    params_class = DreamParams
    save_title = "Save dream"
    noun = "dream"
    main_channel = "dream"
    variation_kinds = ("seeds", "presets", "sweep")

    def __init__(self, runner, settings, parent: QWidget | None = None):
        super().__init__(runner, settings, parent)
        self.guide: np.ndarray | None = None
        self._layers_read_from: str | None = None
        self._build()
        self.set_source(sample_image(SAMPLE), f"{SAMPLE} (sample photo)")
        self.greet("A sample photo to start: drop a picture on Before, paste one (Ctrl+V) or Open… your own.")

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.form = self._build_form()
        self.animation = DreamAnimation(self)
        controls = fill(QWidget(), column(self.form, self.variations.form, self.animation.form))
        work = self.work_area(self._build_buttons(), self.animation.bar)
        QVBoxLayout(self).addWidget(work_and_controls(work, side_panel(controls)))
        self.jobs.attach_panel("animation", self.job_panel)
        self._backbone_changed()
        self.variations.suggest_range()

    def _build_buttons(self) -> list[QPushButton]:
        self.open_button = push_button(
            "Open…", self.open_dialog, "Open a picture to dream on (or drop one on Before, or paste it)"
        )
        self.dream_button = self.main_button = push_button(
            "Dream", self.start_dream, with_key("Dream on the Before picture with these settings", RUN), primary=True
        )
        self.again_button = push_button(
            "Dream on result", self.use_result_as_source, "Use the After picture as the new Before picture"
        )
        return [
            self.open_button,
            self.dream_button,
            self.variations.button,
            self.animation.button,
            self.save_button,
            self.again_button,
        ]

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
        place_below(form.editor("max_side"), self.size_note)
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

    def variation_presets(self) -> dict[str, dict[str, float]]:
        return presets("dream").get(self.form.params().backbone, {})

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
        self._update_size_note()
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
    def _picture_folder(self) -> str:
        return self.settings.last_folder("dream")

    def open_dialog(self) -> None:
        patterns = " ".join(f"*{s}" for s in IMAGE_SUFFIXES)
        path, _ = QFileDialog.getOpenFileName(self, "Open picture", self._picture_folder(), f"Pictures ({patterns})")
        if path:
            self.settings.add_recent_file(path)
            self.open_path(path)

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

    def continue_from_shown(self) -> None:
        self.use_result_as_source()
        self.status.setText("Continuing: the picture is now Before, with its settings. Press Dream.")

    def planned_shape(self) -> tuple[int, int]:
        return fitted_shape(self.source.shape[:2], self.form.params().max_side)

    def use_full_size(self) -> None:
        self.form.update(max_side=None)

    # -- dreaming -----------------------------------------------------------------------------
    def picture_run(self, params: DreamParams, title: str) -> PictureRun | None:
        if self.source is None:
            show_error(self, "Open or drop a picture first.")
            return None
        if not params.layers:
            show_error(self, "Give at least one layer a weight above 0 (or pick a preset).")
            return None
        kwargs = {"image": self.source, "params": params, "guide": self.guide, "mask": self.view.before.mask()}
        source = self.source
        return PictureRun(
            Job("dream", kwargs, title=title),
            params,
            {"source_size": source.shape[1::-1]},
            self.source_name,
            source.shape[1],
        )

    def start_dream(self) -> None:
        run = self.picture_run(self.form.params(), "Dream")
        if run is not None:
            self.start_run(run, "Dreaming… the preview updates with each step.")

    def refresh_buttons(self, busy: bool, settled: bool) -> None:
        self.again_button.setEnabled(settled)
        self.animation.refresh(busy)
