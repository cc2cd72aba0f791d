"""What the VAE and GAN pages of the Latent Explorer share: the parameter form's persistence,
training with Train, Resume and Stop, the model file (opened, saved, reopened at start, never
replaced without a question), stills, and the history strip of the stills saved or made here
(undo and redo step through what the views showed).

A page keeps the engine's model object (opaque here) in `model` and the file it lives in in
`model_path`: the checkpoint a training run writes after every epoch, or the file it was opened
from. Train on a page that has a model asks first: continue it (in its own file), or start a new
model under a new name; nothing is replaced without that question.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QGridLayout, QLabel, QMessageBox, QWidget

from studio.core.catalog import SHIPPED_DATASETS
from studio.core.history import HistoryEntry
from studio.core.params import make_recipe, params_from_dict, params_to_dict
from studio.core.progress import Progress
from studio.ui.jobs import TabJobs
from studio.ui.runner import Job, JobHandle, JobRunner
from studio.ui.settings import Settings
from studio.ui.shown_history import ShownHistory
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.forms import STRETCH, column, fill, grid, push_button, side_panel, work_and_controls
from studio.ui.widgets.job_panel import JobPanel
from studio.ui.widgets.model_training import ask_how_to_train, free_model_path, training_ended_early
from studio.ui.widgets.param_form import ParamForm
from studio.ui.widgets.plot import LossPlot
from studio.ui.widgets.saving import PictureSaver
from studio.ui.widgets.stills import Still, StillSaver

MODEL_FILTER = "Keras models (*.keras)"


class LatentPage(ShownHistory, QWidget):
    """A page that trains one kind of model. Subclasses build `self.form` (of `params_class`), the
    training's `self.loss_plot` and their views (with `history_strip` among them; a Latent Explorer
    page lays them out with `lay_out_explorer`), and say which jobs train, open and save their model,
    what a model tells and how a history entry is shown (the hooks below)."""

    stem = "model"  # checkpoints/<stem>.keras, and the recipe's technique
    noun = "model"  # "VAE", "GAN" in messages
    params_class: type
    loss_curves: dict[str, str] | None = None  # metric -> its curve's name; None: every metric, under its own

    def __init__(self, runner: JobRunner, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self.settings = settings
        self.jobs = TabJobs(runner, self)
        self.form: ParamForm
        self.loss_plot: LossPlot
        self._plot_offset = 0  # a resumed run counts its steps from 0 again; its curves go on from here
        self.model: Any = None
        self.model_path: Path | None = None
        self.training_into: Path | None = None  # where the running (or last) training writes its epochs
        self.checkpoints = Path(settings.path).parent / "checkpoints"
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.job_panel = JobPanel()
        self.job_panel.cancel_button.hide()  # Stop does it, beside Train
        self.job_panel.label.setWordWrap(True)  # a long stage line must not widen the page
        self.jobs.attach_panel("train", self.job_panel)
        self.jobs.busy_changed.connect(self._busy_changed)
        self.stills = StillSaver(self, settings, self.current_stills, self._still_saved)
        self.history_saver = PictureSaver(self, settings, self.stem)
        self.build_history(self.stem, params_to_dict(self.params_class()))

    def build_run_buttons(self) -> QGridLayout:
        self.train_button = push_button(
            "Train", self.train, f"Train a new {self.noun} (asks first when one is open)", primary=True
        )
        self.resume_button = push_button(
            "Resume", self.resume, f"Go on training the open {self.noun} up to the epochs set, in its own file"
        )
        self.stop_button = push_button("Stop", self.stop, "Stop after this step; every finished epoch is kept")
        self.open_button = push_button("Open…", self.open_dialog)
        self.save_button = push_button("Save…", self.save_dialog, f"Save a copy of the {self.noun} as a .keras file")
        return grid(
            self.train_button,
            self.resume_button,
            self.stop_button,
            self.open_button,
            self.save_button,
            self.stills.button,
            columns=3,
        )

    def lay_out_explorer(self, more_controls: tuple[QWidget, ...] = (), above_views: tuple[QWidget, ...] = ()) -> None:
        """A Latent Explorer page: the form, the run buttons and `more_controls` in a scrolled panel on
        the left; on the right `above_views`, the tabs of the page's views (`self.views`, which take the
        spare height), the history strip, the job line and the status line."""
        self.history_strip.continue_button.hide()  # showing an entry already lets the sliders go on from it
        controls = QWidget()
        controls.setLayout(column(self.form, self.build_run_buttons(), *more_controls, STRETCH))
        work = fill(QWidget(), column(*above_views, (self.views, 1), self.history_strip, self.job_panel, self.status))
        fill(self, column(work_and_controls(work, side_panel(controls), controls_first=True)))

    # -- hooks ----------------------------------------------------------------------------------
    def training_job(self, params: Any, resume: bool, path: str) -> Job:
        raise NotImplementedError

    def load_job(self, path: str) -> Job:
        raise NotImplementedError

    def save_job(self, path: str) -> Job:
        raise NotImplementedError

    def model_params(self, model: Any) -> Any:
        """The parameters the open model was built and trained with (an engine's ModelWithParams keeps
        them as `params`; a page whose model keeps them elsewhere says where)."""
        return model.params

    def model_epochs(self, model: Any) -> int:
        return model.epochs_done

    def problems(self, params: Any) -> list[str]:
        """What is wrong with `params`, in words a user can act on."""
        return []

    def training_started(self, resume: bool) -> None: ...

    def training_progress(self, event: Progress) -> None:
        """A training event, its losses already plotted on `loss_plot`."""

    def training_preview(self, frame: Any) -> None: ...

    def training_stopped(self) -> None: ...

    def model_ready(self, model: Any, how: str) -> None:
        """`model` is `self.model` now: "trained", "opened" (the user asked for it) or "reopened"
        (quietly: at start, or after a stop)."""

    def current_stills(self) -> list[Still]:
        """What the views show that can be saved as a still, the main one first."""
        return []

    def show_made(self, entry: HistoryEntry, own: bool) -> None:
        """Show a history entry in the view its kind belongs to; `own`: it was made by the open
        model (so its latent code can be edited further), not by another one or an earlier session's."""

    # -- training -------------------------------------------------------------------------------
    def train(self) -> None:
        """Train a new model; on a page that has one, ask first whether to continue it instead."""
        params = self.form.params()
        if problems := self.problems(params):
            show_error(self, " ".join(problems))
        elif self.model is not None or (self.model_path is not None and self.model_path.exists()):
            self.ask_how_to_train()
        else:
            self._start_training(params, resume=False)

    def resume(self) -> None:
        self._start_training(self.form.params(), resume=True)

    def stop(self) -> None:
        if self.jobs.is_busy("train"):
            self.jobs.cancel("train")
            self.status.setText("Stopping after this step…")

    def ask_how_to_train(self) -> QMessageBox:
        """Continue the model, start a new one under a new name, or cancel: a non-blocking question."""
        return ask_how_to_train(
            self,
            self.noun,
            self.model_path,
            free_model_path(self.checkpoints, self.stem),
            self.model_epochs(self.model) if self.model is not None else None,
            self.form.params().epochs,
            on_continue=self.resume,
            on_new=lambda: self._start_training(self.form.params(), resume=False),
        )

    def _start_training(self, params: Any, resume: bool) -> JobHandle:
        resume = resume and self.model_path is not None
        into = self.model_path if resume else free_model_path(self.checkpoints, self.stem)
        self.training_into = into
        handle = self.jobs.start(
            "train",
            self.training_job(params, resume, str(into)),
            on_progress=self._training_progress,
            on_preview=self.training_preview,
            on_done=self._trained,
            on_failed=self._training_failed,
            on_cancelled=self._stopped,
        )
        self._plot_offset = self.loss_plot.last_step() if resume else 0
        if not resume:
            self.loss_plot.clear()
        self.training_started(resume)
        self.status.setText(f"Continuing {into.name}." if resume else f"Training a new {self.noun} into {into.name}.")
        return handle

    def _training_progress(self, event: Progress) -> None:
        curves = self.loss_curves or {name: name for name in event.metrics}
        for name, curve in curves.items():
            if name in event.metrics:
                self.loss_plot.add(curve, self._plot_offset + event.step, event.metrics[name])
        self.training_progress(event)

    def _trained(self, model: Any) -> None:
        self.model, self.model_path = model, self.training_into
        self.status.setText(f"Trained {self.model_summary()}: explore it, or save a copy.")
        self.model_ready(model, "trained")
        self.refresh()

    def _training_failed(self, message: str, details: str) -> None:
        training_ended_early(self, self.status, self._keep_checkpoint, (message, details))

    def _stopped(self) -> None:
        training_ended_early(self, self.status, self._keep_checkpoint)
        self.training_stopped()

    def _keep_checkpoint(self) -> None:
        """A run that ends early has saved its finished epochs: that file is the page's model now."""
        if self.training_into.exists():
            self.model_path = self.training_into

    def model_summary(self) -> str:
        name = self.model_path.name if self.model_path else f"the {self.noun}"
        return f"{name} ({self.model_epochs(self.model)} epochs)"

    # -- the model file -------------------------------------------------------------------------
    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, f"Open a {self.noun}", self.settings.last_folder(f"{self.stem}-models"), MODEL_FILTER
        )
        if path:
            self.settings.set_last_folder(f"{self.stem}-models", path)
            self.open_path(path)

    def open_path(self, path: str, quiet: bool = False) -> JobHandle:
        """Open a saved model. `quiet` (reopening at start, or after a stop): keep the settings shown,
        and a file that cannot be read gives a note in the status line, not an error box."""
        self.status.setText(f"Opening {Path(path).name}…")
        failed = partial(self._open_failed, path) if quiet else None
        return self.jobs.start(
            "model", self.load_job(path), on_done=partial(self._opened, path, quiet), on_failed=failed
        )

    def _opened(self, path: str, quiet: bool, model: Any) -> None:
        self.model, self.model_path = model, Path(path)
        note = ""
        if not quiet:
            params = self.model_params(model)
            try:
                self.form.set_params(
                    dataclasses.replace(params, epochs=max(params.epochs, self.model_epochs(model) + 1))
                )
            except ValueError as error:  # a model made elsewhere may have settings the controls cannot show
                note = f" Its settings are not shown ({error})."
        self.status.setText(f"Opened {self.model_summary()}.{note}")
        self.model_ready(model, "reopened" if quiet else "opened")
        self.refresh()

    def _open_failed(self, path: str, message: str, _details: str) -> None:
        self.status.setText(f"{Path(path).name} could not be reopened: {message}")

    def reopen(self, path: str | None) -> None:
        """Open last session's model again; a missing or damaged file only gives a note."""
        if not path:
            return
        if not Path(path).is_file():
            self.status.setText(f"Last session's {self.noun}, {Path(path).name}, is no longer there.")
            return
        self.model_path = Path(path)
        self.open_path(path, quiet=True)
        self.refresh()

    def save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, f"Save the {self.noun}", self.settings.last_folder(f"{self.stem}-models"), MODEL_FILTER
        )
        if path:
            self.settings.set_last_folder(f"{self.stem}-models", path)
            self.save_model(path if path.lower().endswith(".keras") else path + ".keras")

    def save_model(self, path: str) -> JobHandle:
        return self.jobs.start(
            "model",
            self.save_job(path),
            on_done=lambda saved: self.status.setText(f"Saved a copy as {Path(saved).name}."),
        )

    # -- stills ---------------------------------------------------------------------------------
    def still(self, title: str, kind: str, picture: Any, **latent: Any) -> Still:
        """A still of the model's picture `picture`, with a recipe naming the model and the code(s)."""
        model = str(self.model_path) if self.model_path else None
        recipe = make_recipe(self.stem, self.model_params(self.model), model=model, kind=kind, **latent)
        stem = self.model_path.stem if self.model_path else self.stem
        return Still(title, picture, recipe, f"{stem}-{kind}")

    def _still_saved(self, path: Path, still: Still) -> None:
        self.keep_still(still)
        self.status.setText(f"Saved {path.name} with its recipe.")

    def keep_still(self, still: Still) -> HistoryEntry:
        """Put a still saved or made here on the history strip (and its copy in the history folder)."""
        entry, kept = self.add_to_history(self.history_saver, still.picture, still.recipe, still.name)
        problem = "" if kept else f" {self.history_saver.history_note(kept)}"  # the file name is in its tooltip
        self.status.setText(f"Kept {still.title} on the history strip.{problem}")
        return entry

    # -- the history: what the views showed -------------------------------------------------------
    def display_current(self) -> None:
        entry = self.current_loaded()
        if entry is not None:
            own = self.model is not None and entry.recipe.get("model") == str(self.model_path)
            self.show_made(entry, own)
            if not own:
                made_by = Path(entry.recipe.get("model") or f"another {self.noun}").name
                self.status.setText(f"{entry.name} was made by {made_by}: open that model to edit it.")

    def undo(self) -> bool:
        if self.step_history(back=True):
            self.status.setText("Undo: the views show what they showed before (Ctrl+Shift+Z goes forward again).")
        return True

    def redo(self) -> bool:
        if self.step_history(back=False):
            self.status.setText("Redo.")
        return True

    # -- buttons and state ----------------------------------------------------------------------
    def _busy_changed(self, channel: str) -> None:
        if channel in ("train", "model"):
            self.refresh()

    def refresh(self) -> None:
        training = self.jobs.is_busy("train")
        has_model = self.model is not None or (self.model_path is not None and self.model_path.exists())
        self.train_button.setEnabled(not training)
        self.stop_button.setEnabled(training)
        self.resume_button.setEnabled(not training and has_model)
        self.open_button.setEnabled(not training)
        self.save_button.setEnabled(self.model is not None and not training)

    def state(self) -> dict[str, Any]:
        return {"params": params_to_dict(self.form.params()), "model": str(self.model_path or "") or None}

    def restore_state(self, state: dict[str, Any]) -> None:
        """Last session's settings (a folder that is gone falls back to the default pictures), then its model."""
        try:
            self.form.set_params(self.restorable(params_from_dict(self.form.params_class, state.get("params", {}))))
        except (TypeError, ValueError):
            pass
        self.reopen(state.get("model"))

    def restorable(self, params: Any) -> Any:
        """Last session's `params` as they can be used now: pictures that are gone become the default ones."""
        if params.dataset not in SHIPPED_DATASETS and not Path(params.dataset).is_dir():
            params = dataclasses.replace(params, dataset=self.form.params_class().dataset)
        return params
