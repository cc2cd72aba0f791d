"""DeepDream animations in the Dream tab: dream, zoom in a little, dream again, with a live preview
in the After view; look through the frames, keep one as a picture, save the whole as GIF or MP4.
A stopped animation keeps the frames it finished. Every finished animation is also kept in the
history folder (as a GIF), so nothing made is lost."""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QSlider, QWidget

from studio.core.params import params_to_dict
from studio.core.params.dream_animation import DreamAnimationParams
from studio.core.progress import Progress
from studio.ui.runner import Job
from studio.ui.widgets.forms import fill, push_button, row
from studio.ui.widgets.param_form import ParamForm
from studio.ui.widgets.saving import file_stem, unique_path

if TYPE_CHECKING:
    from studio.ui.dream_tab import DreamTab
    from studio.ui.picture_tab import PictureRun

ANIMATION_FILTER = "GIF animation (*.gif);;MP4 video (*.mp4)"


class DreamAnimation(QObject):
    """`form` (frames, zoom...) for the side panel, `button` to start, `bar` for the work area."""

    def __init__(self, tab: DreamTab):
        super().__init__(tab)
        self.tab = tab
        self.form = ParamForm(DreamAnimationParams)
        self.frames: list[np.ndarray] = []
        self._run: PictureRun | None = None
        self._params = DreamAnimationParams()
        self.button = push_button(
            "Animate",
            self.start,
            "Fly into the dream: dream, zoom in a little, dream again (set it up under Animation); "
            "save it as GIF or MP4",
        )
        self.bar = self._build_bar()

    def _build_bar(self) -> QWidget:
        self.label = QLabel()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("Look through the frames in the After view")
        self.slider.valueChanged.connect(self._show_frame)
        self.keep_button = push_button(
            "Keep this frame",
            self.keep_frame,
            "Keep the frame shown as a picture: it joins the history, to save or dream on",
        )
        self.save_button = push_button(
            "Save animation…", self.save_dialog, "Save the frames as a looping GIF or an MP4 video"
        )
        bar = fill(QWidget(), row(self.label, (self.slider, 1), self.keep_button, self.save_button))
        bar.hide()
        return bar

    def start(self) -> None:
        """Start the animation from the Before picture with the Dream settings and these."""
        tab = self.tab
        self._params = self.form.params()
        run = tab.picture_run(tab.form.params(), "Dream animation")
        if run is None:
            return
        params = dataclasses.replace(run.params, steps_per_octave=self._params.steps_per_frame)
        extra = {**run.extra, "animation": params_to_dict(self._params)}
        self._run = dataclasses.replace(run, params=params, extra=extra)
        self.frames = []
        tab.jobs.start(
            "animation",
            Job("dream.animation", {**run.job.kwargs, "animation": self._params}, title="Dream animation"),
            on_started=lambda: tab.status.setText("Animating… each frame is dreamed from the last, zoomed in."),
            on_preview=self._show_preview,
            on_progress=self._progress,
            on_done=self._finished,
            on_cancelled=self._stopped,
        )
        tab.status.setText("")

    def _show_preview(self, frame: np.ndarray) -> None:
        self.tab.other_shown = True
        self.tab.view.after.set_image(frame, shown_width=self._run.source_width)
        self.tab._refresh()

    def _progress(self, event: Progress) -> None:
        if "frame" in event.data:
            self.frames.append(event.data["frame"])
            self._show_bar(f"{len(self.frames)} of {self._params.frames} frames")

    def _finished(self, frames: list[np.ndarray]) -> None:
        self.frames = list(frames)
        self._show_bar(f"{len(frames)} frames, {frames[0].shape[1]} × {frames[0].shape[0]}")
        self.tab.status.setText(f"The animation is done: {len(frames)} frames. Save animation… keeps it as GIF or MP4.")
        self._keep_copy()

    def _stopped(self) -> None:
        if not self.frames:
            self.tab.status.setText("Cancelled before the first frame was finished; nothing to keep.")
            return
        self._show_bar(f"stopped after {len(self.frames)} frames")
        self.tab.status.setText(
            f"Cancelled. The {len(self.frames)} finished frames are kept: Save animation… saves them."
        )

    def _show_bar(self, text: str) -> None:
        self.label.setText(f"Animation: {text}")
        self.slider.blockSignals(True)
        self.slider.setRange(1, max(1, len(self.frames)))
        self.slider.setValue(len(self.frames))
        self.slider.blockSignals(False)
        self.bar.show()
        self.refresh(self.tab.jobs.is_busy("animation"))

    def _show_frame(self, number: int) -> None:
        if 0 < number <= len(self.frames):
            self.tab.other_shown = True
            self.tab.view.after.set_image(self.frames[number - 1], shown_width=self._run.source_width)
            self.tab._refresh()

    def keep_frame(self) -> None:
        """Keep the frame on the slider as a picture with its recipe (the frame's number in it)."""
        number = self.slider.value()
        run = dataclasses.replace(self._run, extra={**self._run.extra, "frame": number})
        self.tab.keep_result(self.frames[number - 1], run, f"Kept frame {number} of the animation.")

    def refresh(self, busy: bool) -> None:
        animating = self.tab.jobs.is_busy("animation")
        self.button.setEnabled(self.tab.source is not None and not animating)
        self.keep_button.setEnabled(bool(self.frames) and not animating)
        self.save_button.setEnabled(bool(self.frames) and not animating)

    # -- saving ----------------------------------------------------------------------------------------
    def save_dialog(self) -> None:
        folder = self.tab.settings.last_folder("dream-save")
        name = f"{folder}/{file_stem(self.tab.source_name)}-dream.gif"
        path, chosen = QFileDialog.getSaveFileName(self.tab, "Save animation", name, ANIMATION_FILTER)
        if path:
            if not path.lower().endswith((".gif", ".mp4")):
                path += ".mp4" if "mp4" in chosen.lower() else ".gif"
            self._save(path, "Saved")

    def _keep_copy(self) -> None:
        """A copy in the history folder, as every finished result has (skipped if it cannot be written)."""
        try:
            folder = self.tab.settings.history_folder()
        except OSError as error:
            self.tab.status.setText(
                f"The animation is done: {len(self.frames)} frames. No copy is in the history folder "
                f"({error.strerror or error}): Save animation… to keep it."
            )
            return
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self._save(str(unique_path(folder, f"{stamp}-{file_stem(self.tab.source_name)}-dream-animation.gif")), "Kept")

    def _save(self, path: str, verb: str) -> None:
        self.tab.jobs.start(
            f"save animation {path}",
            Job(
                "dream.save_animation",
                {"frames": self.frames, "path": path, "fps": self._params.fps},
                "Saving animation",
            ),
            on_done=lambda saved: self.tab.status.setText(f"{verb} the animation: {saved}"),
        )
