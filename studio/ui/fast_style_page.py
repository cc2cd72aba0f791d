"""The Style tab's "Fast style" mode: a gallery of trained style models, one click paints the Content
picture with one (the result lands in the Result view and the history, saved with its recipe like
any other), a folder of pictures or a video painted into new files, and the training panel.

The page drives the tab it sits in (`PictureTab`): a painted picture is a `PictureRun` the tab starts
on its main channel, so undo, history, partial results and Save work as for the optimised transfer.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QLabel,
    QTabWidget,
    QWidget,
)

from studio.core.files import name_list
from studio.core.params import STYLE_MODEL_METHOD, params_from_dict, params_to_dict
from studio.core.params.fast_style import VIDEO_FORMATS, FastStyleApplyParams
from studio.ui.fast_style_training import FastStyleTraining
from studio.ui.picture_tab import PictureRun
from studio.ui.runner import Job, JobHandle
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.forms import STRETCH, column, fill, push_button, row
from studio.ui.widgets.job_panel import JobPanel
from studio.ui.widgets.latent_grid import LatentPictureView
from studio.ui.widgets.param_form import ParamForm
from studio.ui.widgets.saving import unique_path
from studio.ui.widgets.style_gallery import THUMB_SIDE, StyleGallery, thumbnail_path

if TYPE_CHECKING:
    from studio.core.history import HistoryEntry
    from studio.ui.picture_tab import PictureTab

FAST_MODE = STYLE_MODEL_METHOD  # the mode's key, and the recipe's `method` for a picture painted by a style model
FRAMES_CHANNEL, THUMBNAILS_CHANNEL = "fast-style-frames", "fast-style-thumbnails"
VIDEO_PATTERNS = f"Videos ({' '.join(f'*{suffix}' for suffix in VIDEO_FORMATS)})"


class FastStylePage(QWidget):
    """The Fast style mode's controls: Gallery (apply) and Train, as two sections."""

    def __init__(self, tab: PictureTab, parent: QWidget | None = None):
        super().__init__(parent)
        self.tab = tab
        self.folder = tab.settings.style_models_folder()
        self.gallery = StyleGallery(self.folder)
        self.gallery.model_clicked.connect(self.apply_model)
        self.form = ParamForm(FastStyleApplyParams)
        self.training = FastStyleTraining(tab.jobs, tab.settings)
        self.training.model_saved.connect(self._model_saved)
        self.frames_panel = JobPanel()
        self.frames_panel.label.setWordWrap(True)
        tab.jobs.attach_panel(FRAMES_CHANNEL, self.frames_panel)
        self.note = QLabel()  # about the gallery
        self.note.setWordWrap(True)
        self.frames_note = QLabel()  # about the folder or video being painted
        self.frames_note.setWordWrap(True)
        self.frames_preview = LatentPictureView()  # the frames as they are painted
        self.frames_preview.setFixedHeight(150)
        self.frames_preview.hide()
        self.sections = QTabWidget()
        self.sections.addTab(self._build_gallery_section(), "Paint")
        self.sections.addTab(self.training, "Train")
        fill(self, column(self.sections))
        self.gallery.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh_gallery()  # models copied into the folder meanwhile, thumbnails still to paint

    def _build_gallery_section(self) -> QWidget:
        box = QGroupBox("Style models")
        refresh = push_button("Refresh", self.refresh_gallery, f"Look again for models in {self.folder}")
        box.setLayout(
            column(row((QLabel("Click one to paint the Content picture"), 1), refresh), self.gallery, self.note)
        )
        self.folder_button = push_button(
            "Paint a folder…",
            self.paint_folder_dialog,
            "Paint every picture of a folder with the chosen model, into a new folder",
        )
        self.video_button = push_button(
            "Paint a video…",
            self.paint_video_dialog,
            "Paint every frame of a video with the chosen model (its sound is kept)",
        )
        moving = QGroupBox("Folders and videos")
        moving.setLayout(
            column(row(self.folder_button, self.video_button), self.frames_panel, self.frames_note, self.frames_preview)
        )
        section = QWidget()
        section.setLayout(column(box, self.form, moving, STRETCH))
        return section

    # -- the gallery ---------------------------------------------------------------------------------
    def refresh_gallery(self) -> None:
        """Show the models folder again, and paint the thumbnails that are missing or out of date."""
        stale = self.gallery.refresh()
        empty = "No style models yet: train one under Train, then click it here."
        self.note.setText("" if self.gallery.count() else empty)
        if stale:
            pairs = [(str(model), str(thumbnail_path(model))) for model in stale]
            self.tab.jobs.start(
                THUMBNAILS_CHANNEL,
                Job("fast_style.thumbnails", {"models": pairs, "side": THUMB_SIDE}, title="Painting thumbnails"),
                on_done=self._thumbnails_painted,
                on_failed=lambda message, _details: self.note.setText(f"Thumbnails not painted: {message}"),
            )

    def _thumbnails_painted(self, _written: list[str]) -> None:
        self.gallery.refresh()
        unreadable = [model.name for model in self.gallery.models() if not thumbnail_path(model).exists()]
        if unreadable:
            self.note.setText(f"Could not read {name_list(unreadable)}: not a style model trained by Studio?")

    def _model_saved(self, path: Path) -> None:
        self.refresh_gallery()
        self.gallery.choose(path)

    # -- painting a picture ----------------------------------------------------------------------------
    def apply_model(self, model: Path) -> JobHandle | None:
        """Paint the tab's Content picture with `model`; the result goes where the tab's results go."""
        tab = self.tab
        if tab.source is None:
            show_error(self, "Open a Content picture first (or drop one on it).")
            return None
        params = self.form.params()
        job = Job(
            "fast_style.paint",
            {"model_path": str(model), "content": tab.source, "params": params},
            title=f"Painting with {model.stem}",
        )
        extra = {"method": FAST_MODE, "model": model.name, "source_size": tab.source.shape[1::-1]}
        tab.start_run(
            PictureRun(job, params, extra, tab.source_name, tab.source.shape[1]), f"Painting with {model.stem}…"
        )
        return tab.jobs.handle(tab.main_channel)

    def apply_chosen(self) -> None:
        """The tab's main button in this mode: paint with the model chosen in the gallery."""
        if (model := self._chosen_model()) is not None:
            self.apply_model(model)

    def _chosen_model(self) -> Path | None:
        model = self.gallery.chosen()
        if model is None:
            show_error(self, "Choose a style model in the gallery first (train one under Train if there is none).")
        return model

    def continue_from(self, entry: HistoryEntry) -> None:
        """ "Continue from this one" on a picture a model painted: show it, take its settings and choose its model."""
        self.tab.show_entry(entry)
        self.form.set_params(params_from_dict(FastStyleApplyParams, entry.params))
        self.gallery.choose(self.folder / entry.recipe.get("model", ""))
        self.sections.setCurrentIndex(0)
        self.tab.status.setText("Its settings are back; click a model (or press Stylize) to paint again.")

    # -- what is remembered until next time -----------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        chosen = self.gallery.chosen()
        return {
            "paint": params_to_dict(self.form.params()),
            "train": params_to_dict(self.training.form.params()),
            "model": chosen.name if chosen is not None else None,
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Last session's settings; a value a control cannot show leaves that form as it is."""
        try:
            self.form.set_params(params_from_dict(FastStyleApplyParams, state.get("paint", {})))
            trained = params_from_dict(self.training.form.params_class, state.get("train", {}))
            # The style pictures are not remembered, so neither is their blend.
            self.training.form.set_params(dataclasses.replace(trained, style_blend=self.training.styles.blend()))
        except (TypeError, ValueError):
            pass
        if state.get("model"):
            self.gallery.choose(self.folder / state["model"])

    # -- folders and videos --------------------------------------------------------------------------------
    def paint_folder_dialog(self) -> None:
        if (model := self._chosen_model()) is None:
            return
        folder = QFileDialog.getExistingDirectory(self, "Paint the pictures of", self.tab.settings.last_folder("style"))
        if folder:
            self.tab.settings.set_last_folder("style", folder)
            self.paint_folder(model, Path(folder))

    def paint_video_dialog(self) -> None:
        if (model := self._chosen_model()) is None:
            return
        path, _ = QFileDialog.getOpenFileName(
            self, "Paint a video", self.tab.settings.last_folder("style-video"), VIDEO_PATTERNS
        )
        if path:
            self.tab.settings.set_last_folder("style-video", path)
            self.paint_video(model, Path(path))

    def paint_folder(self, model: Path, folder: Path) -> JobHandle:
        """Paint the pictures of `folder` into a new folder beside it (FOLDER-MODEL, or -2, -3...)."""
        return self.paint_frames(model, folder, unique_path(folder.parent, f"{folder.name}-{model.stem}"))

    def paint_video(self, model: Path, video: Path) -> JobHandle:
        """Paint `video` into a new MP4 beside it (VIDEO-MODEL.mp4, or -2, -3...), its sound kept."""
        return self.paint_frames(model, video, unique_path(video.parent, f"{video.stem}-{model.stem}.mp4"))

    def _show_frame(self, frame) -> None:
        self.frames_preview.show()
        self.frames_preview.set_image(frame)

    def paint_frames(self, model: Path, source: Path, output: Path) -> JobHandle:
        """Paint the video or folder `source` into `output`, a name no file or folder has yet."""
        kwargs = {"model_path": str(model), "source": str(source), "output": str(output), "params": self.form.params()}
        self.frames_note.setText(f"Painting {source.name} into {output.name}…")
        left = " (no video was written)." if output.suffix else f"; the frames painted so far are in {output.name}."
        return self.tab.jobs.start(
            FRAMES_CHANNEL,
            Job("fast_style.paint_frames", kwargs, title=f"Painting {source.name}"),
            on_preview=self._show_frame,
            on_done=lambda saved: self.frames_note.setText(f"Painted {source.name}: {saved}"),
            on_cancelled=lambda: self.frames_note.setText(f"Stopped before the end of {source.name}{left}"),
        )
