"""What the pages that train a model share (the Latent pages, the Text tab): the question Train asks
where a model is already open (continue it, start a new one under a new name, or cancel: nothing a
user trained is replaced without it), and how a run that ends early is told."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton, QWidget

from studio.ui.widgets.errors import show_error

TRAIN_QUESTION = "train-question"  # the object name of the dialog, for tests


def free_model_path(folder: Path, stem: str, suffix: str = ".keras") -> Path:
    """`folder/stem.suffix`, else `stem-2.suffix`, `stem-3.suffix`...: the first name no file has."""
    candidate, number = folder / f"{stem}{suffix}", 2
    while candidate.exists():
        candidate, number = folder / f"{stem}-{number}{suffix}", number + 1
    return candidate


def ask_how_to_train(
    parent: QWidget,
    noun: str,
    model_path: Path,
    new_path: Path,
    epochs_done: int | None,
    epochs_wanted: int,
    on_continue: Callable[[], None],
    on_new: Callable[[], None],
) -> QMessageBox:
    """Ask (without blocking) whether to continue the `noun` in `model_path`, which has trained
    `epochs_done` epochs (None: not known), or to start a new one in `new_path`; Cancel does
    nothing. Continuing needs `epochs_wanted` above the epochs done, or the button says how."""
    name = model_path.name
    had = f"has trained for {epochs_done} epochs" if epochs_done is not None else "holds a model"
    box = QMessageBox(QMessageBox.Icon.Question, f"Train the {noun}", f"{name} {had}.", parent=parent)
    box.setObjectName(TRAIN_QUESTION)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    more = epochs_done is None or epochs_wanted > epochs_done
    new_one = f"start a new {noun} saved as {new_path.name}, which leaves {name} as it is?"
    box.setInformativeText(
        f"Continue training it (its file grows with each epoch), or {new_one}"
        if more
        else f"{new_one[:1].upper()}{new_one[1:]} To continue {name} instead, set Epochs above {epochs_done} first."
    )
    go_on = box.addButton("Continue training it", QMessageBox.ButtonRole.AcceptRole)
    go_on.setEnabled(more)
    new = box.addButton(f"Start a new {noun}", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Cancel)

    def answered(clicked: QPushButton) -> None:
        if clicked is go_on:
            on_continue()
        elif clicked is new:
            on_new()

    box.buttonClicked.connect(answered)
    box.open()
    return box


def training_ended_early(
    parent: QWidget, status: QLabel, keep_checkpoint: Callable[[], None], failure: tuple[str, str] | None = None
) -> None:
    """A run that was stopped, or `failure` (message, details) ended: its finished epochs are saved,
    so `keep_checkpoint` makes that file the page's model; the status line (and an error box) say so."""
    if failure is None:
        status.setText("Stopped. Every finished epoch is kept: Resume goes on from the last one.")
    else:
        status.setText("Training did not start or stopped with a problem.")
    keep_checkpoint()
    if failure is not None:
        show_error(parent, *failure)
