"""What the picture tabs (Dream, Style) share: a source picture and what became of it, compared
side by side or wiped; the session's results in a history strip that undo and redo walk; a stopped
job's last picture offered as a partial result; saving with the recipe; dragging a result out;
variations on a contact sheet; the result's size told before the run."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton, QTabWidget, QWidget

from studio.core.history import HistoryEntry
from studio.core.images import load_image
from studio.core.params import make_recipe, params_from_dict, params_to_dict
from studio.core.progress import JobError, Progress
from studio.ui.picture_saving import PictureSaving
from studio.ui.runner import Job, JobRunner
from studio.ui.settings import Settings
from studio.ui.shortcuts import CANCEL, SAVE, SAVE_AS, with_key
from studio.ui.shown_history import ShownHistory
from studio.ui.tab import StudioTab
from studio.ui.variations import VariationBatch
from studio.ui.widgets.compare import BeforeAfterView
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.forms import column, fill, push_button, row
from studio.ui.widgets.images import from_qimage
from studio.ui.widgets.job_panel import JobPanel
from studio.ui.widgets.partial_bar import PartialBar
from studio.ui.widgets.recipe_bar import RecipeBar
from studio.ui.widgets.saving import PictureSaver
from studio.ui.widgets.size_note import ResultSizeNote
from studio.ui.widgets.status_line import StatusLine

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".gif")


@dataclass(frozen=True)
class PictureRun:
    """A picture job as the tab starts it, with what its result's recipe needs: the parameters,
    recipe extras (the source's size...), the source's name and width (previews are shown at it)."""

    job: Job
    params: Any
    extra: dict[str, Any]
    source_name: str
    source_width: int


class PictureTab(PictureSaving, ShownHistory, StudioTab):
    """A tab whose result is one picture made from `source` with a frozen parameter recipe.

    Subclasses set `params_class`, `noun` and `main_channel`, build `self.form`, and provide
    `picture_run(params, title)` (the job for some parameters, or None after telling why) and
    `planned_shape()`; they call `start_run` to run and may extend `show_progress`. The After view
    shows `history.current` once a job has settled: that is `result`, what Save saves.
    """

    save_title = "Save picture"
    before_title, after_title = "Before", "After"
    noun = "picture"  # what a run makes, in messages ("dream")
    main_channel = "main"
    variation_kinds = ("seeds", "sweep")

    def __init__(self, runner: JobRunner, settings: Settings, parent: QWidget | None = None):
        super().__init__(runner, settings, parent)
        self.source: np.ndarray | None = None
        self.source_name = "untitled"
        self.partial: tuple[np.ndarray, PictureRun] | None = None  # a stopped job's last picture, shown
        self.other_shown = False  # the After view shows something else (an animation's frames)
        self._running: PictureRun | None = None
        self._last_frame: np.ndarray | None = None
        self._last_stage = ""
        self.saver = PictureSaver(self, settings, self.key)
        self.recipe_bar = RecipeBar(self.key, self.title, self._restore_recipe)
        self.view = BeforeAfterView(self.before_title, self.after_title, f"The {self.noun} appears here")
        self.view.files_dropped.connect(lambda paths: self.open_path(paths[0]))
        self.view.set_drag_source(self.drag_mime)
        self.status = StatusLine()
        self.job_panel = JobPanel()
        self.job_panel.cancel_button.setToolTip(with_key("Stop; the picture so far is offered to keep", CANCEL))
        self.save_button = push_button(
            "Save…",
            self.save_dialog,
            f"{with_key('Save the picture shown, with its recipe, asking where', SAVE_AS)}; "
            f"{with_key('save again beside the last without asking', SAVE)}",
        )
        self.size_note = ResultSizeNote()
        self.size_note.full_size_requested.connect(self.use_full_size)
        self._build_history()
        self.partial_bar = PartialBar(self.after_title, self.noun)
        self.partial_bar.keep_requested.connect(self.keep_partial)
        self.partial_bar.discard_requested.connect(self.discard_partial)
        self.variations = VariationBatch(self, self.variation_kinds)
        self.jobs.busy_changed.connect(lambda _channel: self._refresh())

    def _build_history(self) -> None:
        self.build_history(self.key, params_to_dict(self.params_class()))
        self.history_strip.continue_requested.connect(self.continue_from)

    def work_area(self, buttons: list[QPushButton], *bars: QWidget, beside_history: QWidget | None = None) -> QWidget:
        """The pictures (and the variations' contact sheet), the history strip (with `beside_history`
        to its right), the tab's `bars`, `buttons`, the job panel and the status line, top to bottom."""
        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        self.pages.addTab(self.view, "Pictures")
        self.pages.addTab(self.variations.sheet, "Variations")
        self.pages.tabBar().hide()  # until there are variations to switch to
        beside = [(beside_history, 1)] if beside_history is not None else []
        area = fill(
            QWidget(),
            column(
                (self.pages, 1),
                row((self.history_strip, 3), *beside),
                self.recipe_bar,
                self.partial_bar,
                *bars,
                row(*buttons),
                self.job_panel,
                self.status,
            ),
        )
        self.jobs.attach_panel(self.main_channel, self.job_panel)
        return area

    # -- the source picture ------------------------------------------------------------------------
    def set_source(self, rgb: np.ndarray, name: str) -> None:
        """Make `rgb` the picture to work on; the After view empties (Undo shows the last result again)."""
        self.source, self.source_name = rgb, name
        self.view.before.set_image(rgb)
        self.show_entry(None)
        self._update_size_note()

    def open_path(self, path: str) -> None:
        """Open a picture to work on; a PNG saved by this tab also offers its settings back."""
        try:
            rgb = load_image(path)
        except JobError as error:
            show_error(self, str(error))
            return
        self.set_source(rgb, Path(path).name)
        self.settings.set_last_folder(self.key, path)
        self.recipe_bar.offer(path)

    def paste(self) -> bool:
        mime = QGuiApplication.clipboard().mimeData()
        if mime.hasImage():
            self.set_source(from_qimage(mime.imageData()), "pasted picture")
        elif mime.hasUrls() and mime.urls()[0].isLocalFile():
            self.open_path(mime.urls()[0].toLocalFile())
        else:
            self.status.setText("The clipboard holds no picture.")
        return True

    def _restore_recipe(self, params: dict[str, Any]) -> None:
        self.set_params(params_from_dict(self.params_class, params))
        self.status.setText("Settings restored from the picture's recipe.")

    # -- what a subclass provides ---------------------------------------------------------------------
    def picture_run(self, params: Any, title: str) -> PictureRun | None:
        """The job that makes a picture with `params` from the source (None after telling why not)."""
        raise NotImplementedError

    def planned_shape(self) -> tuple[int, int]:
        """(height, width) of the result the current settings would make from the source."""
        raise NotImplementedError

    def use_full_size(self) -> None:
        """Set the controls so the result has the source's full size."""
        raise NotImplementedError

    def variation_presets(self) -> dict[str, dict[str, float]] | None:
        return None

    def show_progress(self, event: Progress) -> None:
        """Say how a running job is doing (a subclass adds curves or checkpoints)."""
        if "loss" in event.metrics:
            self.status.setText(f"{event.stage} · loss {event.metrics['loss']:.3g}")

    def continue_from_shown(self) -> None:
        """After "Continue from this one" showed an entry and took its settings: go on from its picture."""

    # -- running ----------------------------------------------------------------------------------------
    def start_run(self, run: PictureRun, working: str) -> None:
        """Run `run` on the main channel: previews in the After view, the result into the history."""
        self.partial, self._running, self._last_frame, self._last_stage = None, run, None, ""
        self.other_shown = False
        self.jobs.start(
            self.main_channel,
            run.job,
            on_started=lambda: self.status.setText(working),
            on_preview=self._show_preview,
            on_progress=self._progress,
            on_done=self._run_done,
            on_failed=self._run_failed,
            on_cancelled=self._run_stopped,
        )
        self.status.setText("")
        self._refresh()

    def run_main(self) -> bool:
        self.main_button.click()
        return True

    def cancel_main(self) -> bool:
        """Stop the job the progress bar follows, else the variations still to come."""
        if self.job_panel.cancel_button.isEnabled():
            self.job_panel.cancel()
        elif self.variations.running():
            self.variations.cancel()
        else:
            return False
        return True

    def _show_preview(self, frame: np.ndarray) -> None:
        self._last_frame = frame
        self.view.after.set_image(frame, shown_width=self._running.source_width)

    def _progress(self, event: Progress) -> None:
        self._last_stage = event.stage
        self.show_progress(event)

    def _run_done(self, result: np.ndarray) -> None:
        run = self._running
        self.keep_result(result, run, f"Done: {result.shape[1]} × {result.shape[0]} from {run.source_name}.")

    def _run_failed(self, message: str, details: str) -> None:
        self.status.setText(f"The {self.noun} failed.")
        show_error(self, message, details)

    def _run_stopped(self) -> None:
        if self._last_frame is None:
            self.status.setText("Cancelled before the first step; nothing changed.")
            return
        run = self._running
        self.partial = (self._last_frame, replace(run, extra={**run.extra, "stopped_at": self._last_stage}))
        self.status.setText("Cancelled. Keep the partial result to save it or go on from it; nothing was lost.")
        self._refresh()

    def keep_partial(self) -> None:
        """Make the stopped job's last picture a result, with its recipe."""
        if self.partial is not None:
            frame, run = self.partial
            self.keep_result(frame, run, f"Kept the partial {self.noun} ({frame.shape[1]} × {frame.shape[0]}).")

    def discard_partial(self) -> None:
        """Show the last result again (or nothing), so the After view is what Save saves."""
        self.display_current()
        self.status.setText(f"Discarded the partial {self.noun}.")

    def keep_result(self, picture: np.ndarray, run: PictureRun, summary: str) -> HistoryEntry:
        """Make `picture` a result: kept in the history folder with its recipe, on the strip, shown."""
        recipe = make_recipe(self.key, run.params, **run.extra)
        entry, kept = self.add_to_history(self.saver, picture, recipe, run.source_name)
        self.status.setText(f"{summary} {self.saver.history_note(kept)}")
        return entry

    # -- what the After view shows: history, undo and redo ----------------------------------------------
    @property
    def result(self) -> np.ndarray | None:
        """The result the After view shows once settled (what Save saves); None when there is none."""
        entry = self.history.current
        return entry.picture if entry is not None else None

    @property
    def result_params(self) -> Any:
        entry = self.history.current
        return params_from_dict(self.params_class, entry.params) if entry is not None else None

    def display_current(self) -> None:
        """Show `history.current` in the After view: it is the result now, what Save saves."""
        entry = self.current_loaded()
        self.partial, self.other_shown = None, False
        width = self.source.shape[1] if self.source is not None else None
        self.view.after.set_image(entry.picture if entry is not None else None, shown_width=width)
        self._refresh()

    def undo(self) -> bool:
        if self._running_note():
            return True
        if self.partial is not None:
            self.keep_partial()  # the stopped picture joins the history first, so Redo brings it back
        if self.step_history(back=True):
            self.status.setText("Undo: the After view shows what it showed before (Ctrl+Shift+Z goes forward again).")
        return True

    def redo(self) -> bool:
        if self._running_note():
            return True
        if self.partial is not None:
            self.status.setText("Nothing to redo.")
        elif self.step_history(back=False):
            self.status.setText("Redo.")
        return True

    def _running_note(self) -> bool:
        """While a job paints the After view, undo and redo wait; say so."""
        busy = self.jobs.is_busy(self.main_channel)
        if busy:
            self.status.setText(f"Undo and redo wait until the {self.noun} ends (Esc stops it).")
        return busy

    def continue_from(self, entry: HistoryEntry) -> None:
        """Show `entry`, take its settings, and go on from its picture."""
        self.show_entry(entry)
        if self.history.current is entry:
            self.recipe_bar.offer_params(entry.params)
            self.recipe_bar.restore()
            self.continue_from_shown()

    # -- keeping the controls honest ---------------------------------------------------------------------
    def _update_size_note(self) -> None:
        if self.source is not None:
            self.size_note.show_sizes(self.planned_shape(), self.source.shape[:2])

    def _refresh(self) -> None:
        busy = self.jobs.is_busy(self.main_channel)
        settled = self.result is not None and self.partial is None and not busy and not self.other_shown
        self.main_button.setEnabled(self.source is not None and not busy)
        self.save_button.setEnabled(settled)
        self.partial_bar.setVisible(self.partial is not None)
        self._show_captions()
        self.refresh_buttons(busy, settled)

    def refresh_buttons(self, busy: bool, settled: bool) -> None:
        """Enable the tab's own buttons (called whenever a job starts or ends or the view changes)."""

    def _show_captions(self) -> None:
        before = self.before_title
        if self.source is not None:
            before += f" · {self.source_name} · {self.source.shape[1]} × {self.source.shape[0]}"
        after = self.after_title
        shown = self.partial[0] if self.partial is not None else self.result
        if shown is not None:
            after += f" · {shown.shape[1]} × {shown.shape[0]}" + (" · stopped" if self.partial is not None else "")
        self.view.set_captions(before, after)
