"""The Style tab: drop a content picture and one or more style pictures, watch the content repaint
itself in their style (inside a mask, or one style per region, if painted), stop and resume at
will, compare, go back and forth through the results, try variations, save with the recipe.

The side panel has a mode switch (`ModeSwitch`): the optimised transfer of Gatys et al. (its page:
the style pictures, with the shipped presets a click away, and the parameter form), and fast styles
(`fast_style_page`: a gallery of trained style models, one click paints, and their training). Another
mode adds its page with `self.modes.add_mode(...)` and its own job.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QFileDialog, QGroupBox, QPushButton, QVBoxLayout, QWidget

from studio.core.catalog import BACKBONES
from studio.core.images import read_recipe, sample_image, save_image, scaled_shape
from studio.core.params import make_recipe
from studio.core.params.style import MAX_SIZE, StyleParams
from studio.core.progress import JobError, Progress
from studio.core.style_presets import DEFAULT_PRESET, load_preset
from studio.ui.fast_style_page import FAST_MODE, FastStylePage
from studio.ui.picture_tab import IMAGE_SUFFIXES, PictureRun, PictureTab
from studio.ui.runner import Job
from studio.ui.shortcuts import RUN, with_key
from studio.ui.style_cyclegan import CYCLEGAN_MODE, CycleGanMode
from studio.ui.widgets.choice_field import ChoiceField
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.forms import column, fill, push_button, side_panel, work_and_controls
from studio.ui.widgets.mask_editor import MaskEditor
from studio.ui.widgets.mode_switch import ModeSwitch
from studio.ui.widgets.param_form import ParamForm
from studio.ui.widgets.plot import LossPlot
from studio.ui.widgets.preset_row import PresetRow, preset_label
from studio.ui.widgets.size_note import place_below
from studio.ui.widgets.style_strip import StyleStrip

SAMPLE_CONTENT = "astronaut"
PATTERNS = f"Pictures ({' '.join(f'*{suffix}' for suffix in IMAGE_SUFFIXES)})"


class StyleTab(PictureTab):
    key = "style"
    title = "Style"
    opens = IMAGE_SUFFIXES
    params_class = StyleParams
    save_title = "Save stylized picture"
    before_title, after_title = "Content", "Result"
    noun = "painting"
    main_channel = "style"

    def __init__(self, runner, settings, parent: QWidget | None = None):
        super().__init__(runner, settings, parent)
        self._build()
        self.set_content(sample_image(SAMPLE_CONTENT), f"{SAMPLE_CONTENT} (sample photo)")
        self.styles.add(load_preset(DEFAULT_PRESET), preset_label(DEFAULT_PRESET))
        self.greet("Sample pictures to start: drop your own on Content, and style pictures under Style pictures.")

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.modes = ModeSwitch("Method:")
        self.modes.add_mode(
            "gatys",
            "Optimise (any style)",
            "Paint with any style pictures, refining step by step (Gatys et al.)",
            self._build_gatys_page(),
        )
        self.fast_style = FastStylePage(self)
        self.modes.add_mode(
            FAST_MODE,
            "Fast style (trained)",
            "Train a style model once, then paint any picture, folder or video with it in a moment",
            self.fast_style,
        )
        self.modes.changed.connect(self._mode_changed)
        controls = fill(QWidget(), column(self.modes, self.modes.pages, self.variations.form))
        self.loss_plot = LossPlot(log_scale=True, placeholder="Loss curve")
        self.loss_plot.setMinimumHeight(0)
        self.loss_plot.setFixedHeight(self.history_strip.list.height())
        work = self.work_area(self._build_buttons(), beside_history=self.loss_plot)
        QVBoxLayout(self).addWidget(work_and_controls(work, side_panel(controls)))
        self.cyclegan = CycleGanMode(self)
        self.variations.suggest_range()

    def _build_gatys_page(self) -> QWidget:
        self.styles = StyleStrip()
        self.styles.take_files(self.settings)
        self.styles.changed.connect(self._refresh)
        self.styles.changed.connect(self._mask_changed)
        self.presets = PresetRow()
        self.presets.chosen.connect(self.styles.add)
        self.form = self._build_form()
        box = QGroupBox("Style pictures")
        box.setLayout(column(self.presets, self.styles))
        return fill(QWidget(), column(box, self.form))

    def _build_form(self) -> ParamForm:
        self.content_layer = ChoiceField()
        self.mask_editor = MaskEditor(self.view.before, lambda: self.settings.last_folder("style"))
        self.mask_editor.changed.connect(self._mask_changed)
        self.view.before.mask_changed.connect(self._mask_changed)
        form = ParamForm(
            StyleParams,
            {
                "content_layer": self.content_layer,
                "mask_path": self.mask_editor,
                "style_blend": self.styles.blend_field,
                "style_regions": self.styles.regions_field,
            },
        )
        form.add_row("Steer", "Brush radius", self.mask_editor.brush)
        form.add_row("Steer", "", self.mask_editor.hint)
        place_below(form.editor("size"), self.size_note)
        self._backbone_changed_for(form.params().backbone)
        form.editor("backbone").currentIndexChanged.connect(self._backbone_changed)
        form.changed.connect(self._params_changed)
        return form

    def _build_buttons(self) -> list[QPushButton]:
        self.open_button = push_button(
            "Open content…", self.open_dialog, "Open the picture to repaint (or drop one on Content, or paste it)"
        )
        self.stylize_button = self.main_button = push_button(
            "Stylize",
            lambda: self.start_stylize(),
            with_key("Paint the content in the style pictures' style", RUN),
            primary=True,
        )
        self.resume_button = push_button(
            "Resume",
            lambda: self.start_stylize(resume=True),
            "Go on painting from the Result picture (after a stop, or to refine a result)",
        )
        return [self.open_button, self.stylize_button, self.resume_button, self.variations.button, self.save_button]

    # -- parameters -----------------------------------------------------------------------
    def _backbone_changed(self) -> None:
        self._backbone_changed_for(self.form.params().backbone)

    def _backbone_changed_for(self, key: str) -> None:
        info = BACKBONES[key]
        self.content_layer.set_choices(tuple((name, name) for name in info.layers))
        if not info.offline:
            self.status.setText(f"{info.label}: its weights (about {info.download_mb} MB) download once on first use.")

    def _params_changed(self) -> None:
        self.form.editor("learning_rate").setEnabled(self.form.params().optimizer == "adam")
        self._update_size_note()

    def _mode_changed(self, mode: str) -> None:
        for widget in (self.resume_button, self.variations.button, self.variations.form):
            widget.setVisible(mode == "gatys")  # they go on optimising; the other modes' models paint in one pass
        self._refresh()

    def _mask_changed(self) -> None:
        self.styles.set_regions_enabled(self.view.before.mask() is not None)

    def state(self) -> dict:
        modes = {FAST_MODE: self.fast_style.state(), CYCLEGAN_MODE: self.cyclegan.page.state()}
        return {**super().state(), "mode": self.modes.mode, **modes}

    def restore_state(self, state: dict) -> None:
        super().restore_state(state)
        self.fast_style.restore_state(state.get(FAST_MODE, {}))
        self.cyclegan.page.restore_state(state.get(CYCLEGAN_MODE, {}))
        self.modes.set_mode(state.get("mode", ""))

    def open_path(self, path: str) -> None:
        super().open_path(path)
        recipe = read_recipe(path) or {}
        if (method := recipe.get("method")) in (FAST_MODE, CYCLEGAN_MODE):  # not the optimised transfer's settings
            self.recipe_bar.hide()
            maker = "style model" if method == FAST_MODE else "CycleGAN"
            self.status.setText(f"This picture was painted by the {maker} {recipe.get('model')}.")

    def continue_from(self, entry) -> None:
        if entry.recipe.get("method") == FAST_MODE:
            self.fast_style.continue_from(entry)
        elif entry.recipe.get("method") == CYCLEGAN_MODE:
            self.cyclegan.continue_from(entry)
        else:
            super().continue_from(entry)

    def restorable(self, params: StyleParams) -> StyleParams:
        # Last session's result is gone, so it cannot be the start of this one's.
        return dataclasses.replace(params, init="content") if params.init == "image" else params

    # -- pictures ---------------------------------------------------------------------------
    def set_content(self, rgb: np.ndarray, name: str) -> None:
        self.set_source(rgb, name)

    @property
    def content(self) -> np.ndarray | None:
        return self.source

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open content picture", self.settings.last_folder("style"), PATTERNS
        )
        if path:
            self.settings.add_recent_file(path)
            self.open_path(path)

    def planned_shape(self) -> tuple[int, int]:
        return scaled_shape(self.source.shape[:2], self.form.params().size)

    def use_full_size(self) -> None:
        self.form.update(size=min(max(self.source.shape[:2]), MAX_SIZE))

    def continue_from_shown(self) -> None:
        self.status.setText("Continuing: the picture is the Result again, with its settings. Resume paints on.")

    # -- stylizing ---------------------------------------------------------------------------------
    def shown_picture(self) -> np.ndarray | None:
        """What the Result view shows, settled or stopped: where Resume continues from."""
        return self.partial[0] if self.partial is not None else self.result

    def picture_run(self, params: StyleParams, title: str) -> PictureRun | None:
        if self.source is None or not self.styles.thumbs:
            show_error(self, "Open a content picture and add at least one style picture first.")
            return None
        start = self.shown_picture() if params.init == "image" else None
        if params.init == "image" and start is None:
            show_error(self, "There is no result to start from yet: stylize once, or start from the content.")
            return None
        if sum(params.style_blend) <= 0:
            show_error(self, "Give at least one style picture a blend weight above 0.")
            return None
        kwargs = {"content": self.source, "styles": self.styles.pictures(), "params": params, "init_image": start}
        mask = self.view.before.mask()
        if mask is None:
            job = Job("style.stylize", kwargs, title=title)
        else:
            job = Job("style.stylize_regions", {**kwargs, "mask": mask}, title=title)
        extra = {"source_size": self.source.shape[1::-1], "style_sources": self.styles.names()}
        return PictureRun(job, params, extra, self.source_name, self.source.shape[1])

    def start_stylize(self, resume: bool = False) -> None:
        if self.modes.mode == FAST_MODE:
            self.fast_style.apply_chosen()
            return
        params = self.form.params()
        run = self.picture_run(dataclasses.replace(params, init="image") if resume else params, "Stylize")
        if run is not None:
            self.loss_plot.clear()
            self.start_run(run, "Stylizing… the preview updates with each step.")

    def show_progress(self, event: Progress) -> None:
        super().show_progress(event)
        for name, value in event.metrics.items():
            self.loss_plot.add(name, event.step, value)
        if "checkpoint" in event.data:
            self._save_checkpoint(event)

    def _save_checkpoint(self, event: Progress) -> None:
        path = self.settings.path.parent / "checkpoints" / f"{Path(self.source_name).stem}-style-checkpoint.png"
        try:
            save_image(path, event.data["checkpoint"], make_recipe("style", self._running.params, step=event.step))
        except JobError as error:
            self.status.setText(f"Checkpoint not saved: {error}")
        else:
            self.status.setText(f"Checkpoint saved at step {event.step}: {path}")

    def refresh_buttons(self, busy: bool, settled: bool) -> None:
        ready = self.source is not None and not busy and (bool(self.styles.thumbs) or self.modes.mode == FAST_MODE)
        self.stylize_button.setEnabled(ready)
        self.resume_button.setEnabled(ready and self.shown_picture() is not None)
