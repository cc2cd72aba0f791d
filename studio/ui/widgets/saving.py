"""Saving a tab's pictures: the Save… dialog, and a copy of every finished result in the history folder."""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtWidgets import QFileDialog, QWidget

from studio.core.images import SAVE_FORMATS, save_image
from studio.core.progress import JobError
from studio.ui.settings import Settings
from studio.ui.widgets.errors import show_error

SAVE_FILTER = "PNG with recipe (*.png);;JPEG (*.jpg *.jpeg);;WebP (*.webp)"


def unique_path(folder: Path, name: str, numbered: Callable[[int], str] | None = None) -> Path:
    """`folder / name` if no such file exists, else the first free `numbered(2)`, `numbered(3)`...
    (by default `name` with -2, -3... before its suffix): never an existing file."""
    numbered = numbered or (lambda number: f"{Path(name).stem}-{number}{Path(name).suffix}")
    path = folder / name
    number = 2
    while path.exists():
        path = folder / numbered(number)
        number += 1
    return path


def file_stem(name: str) -> str:
    """A file-name-safe stem from a picture's display name ("chelsea (sample photo)" -> "chelsea-sample-photo")."""
    return re.sub(r"[^\w-]+", "-", Path(name).stem).strip("-") or "picture"


class PictureSaver:
    """Saves results of one technique (`dream`, `style`...) with their recipe, for one tab."""

    def __init__(self, parent: QWidget, settings: Settings, technique: str):
        self.parent = parent
        self.settings = settings
        self.technique = technique
        # Why the last result could not be kept in the history folder (None: it was kept).
        self.history_problem: str | None = None
        self._history_problem_shown = False
        self.saved_folder: Path | None = None  # where this session last saved (Save without asking goes there)

    def suggested_name(self, source_name: str) -> str:
        return f"{file_stem(source_name)}-{self.technique}.png"

    def ask_and_save(self, rgb: np.ndarray, recipe: dict[str, Any], source_name: str, title: str) -> Path | None:
        folder = Path(self.settings.last_folder(f"{self.technique}-save"))
        path, _ = QFileDialog.getSaveFileName(
            self.parent, title, str(folder / self.suggested_name(source_name)), SAVE_FILTER
        )
        return self.save(path, rgb, recipe) if path else None

    def save_again(self, rgb: np.ndarray, recipe: dict[str, Any], source_name: str) -> Path | None:
        """Save without asking, in the folder of this session's last save, under a name no file has."""
        if self.saved_folder is None:
            return None
        return self.save(str(unique_path(self.saved_folder, self.suggested_name(source_name))), rgb, recipe)

    def save(self, path: str, rgb: np.ndarray, recipe: dict[str, Any], remember: bool = True) -> Path | None:
        """Save atomically (PNG unless the suffix says otherwise); a failure is shown, not raised."""
        if Path(path).suffix.lower() not in SAVE_FORMATS:
            path += ".png"
        try:
            saved = save_image(path, rgb, recipe)
        except JobError as error:
            show_error(self.parent, str(error))
            return None
        if remember:
            self.saved_folder = saved.parent
            self.settings.set_last_folder(f"{self.technique}-save", saved)
            self.settings.add_recent_file(saved)
        return saved

    def file_of(self, rgb: np.ndarray, recipe: dict[str, Any], kept: Path | None, source_name: str) -> Path:
        """A PNG of the picture with its recipe, to hand to another program: `kept` (its history file)
        while it exists, else a fresh copy in the temporary folder (a JobError if none can be written)."""
        if kept is not None and kept.exists():
            return kept
        folder = Path(tempfile.gettempdir()) / "generative-studio"
        try:
            folder.mkdir(exist_ok=True)
        except OSError as error:
            raise JobError(f"{folder} cannot be made ({error.strerror or error})") from None
        return save_image(unique_path(folder, self.suggested_name(source_name)), rgb, recipe)

    def keep_in_history(self, rgb: np.ndarray, recipe: dict[str, Any], source_name: str) -> Path | None:
        """Keep a copy of a finished result, so nothing made is lost even if it is never saved.

        A history folder that cannot be written never stops the job's end: the copy is skipped,
        `history_problem` says why, and the user is told once (`history_note` says it each time)."""
        stamp, name = time.strftime("%Y%m%d-%H%M%S"), self.suggested_name(source_name)
        try:
            # Two results in one second get -2, -3... after the time, so the name still ends in the technique.
            path = unique_path(self.settings.history_folder(), f"{stamp}-{name}", lambda n: f"{stamp}-{n}-{name}")
            kept = save_image(path, rgb, recipe)
        except (OSError, JobError) as error:
            self.history_problem = str(error) if isinstance(error, JobError) else (error.strerror or str(error))
            if not self._history_problem_shown:
                self._history_problem_shown = True
                show_error(
                    self.parent,
                    f"Finished pictures cannot be kept in the history folder ({self.history_problem}). "
                    "Use Save… to keep them, and check that the folder can be written: "
                    f"{self.settings.history_folder(create=False)}",
                )
            return None
        self.history_problem = None
        return kept

    def history_note(self, kept: Path | None) -> str:
        """A sentence for the status line about the history copy `keep_in_history` returned."""
        if kept is not None:
            return f"A copy is in the history folder ({kept.name}); Save… to put it elsewhere."
        return f"No copy is in the history folder ({self.history_problem}): Save… to keep it."
