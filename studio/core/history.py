"""The session's results, without Qt: entries that carry their recipe, the timeline of what a
picture view showed (undo and redo walk it), and the history folder read back at start.

A tab keeps every finished picture as a `HistoryEntry` in its `History`; showing one puts it on
the timeline. Undo and redo move along the timeline and never drop an entry, so the picture an undo
steps away from is still in `entries` (and one redo away). Showing something new after an undo
cuts the timeline's redo part, as every editor does; the entries stay.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from studio.core.files import name_list
from studio.core.images import fit_within, load_image, read_recipe
from studio.core.progress import JobError

THUMB_SIDE = 96  # long side of a strip thumbnail, in pixels
HISTORY_LIMIT = 60  # newest files per technique read back at start


@dataclass(eq=False)
class HistoryEntry:
    """One result: its recipe (technique, parameters, context), the history file it was kept in
    (None when the folder could not be written), a thumbnail, and the picture once needed."""

    recipe: dict[str, Any]
    path: Path | None
    thumbnail: np.ndarray
    picture: np.ndarray | None = None

    @classmethod
    def made(cls, picture: np.ndarray, recipe: dict[str, Any], path: Path | None) -> HistoryEntry:
        """An entry for a picture made in this session (kept in memory: it may have no file)."""
        return cls(recipe, path, fit_within(picture, THUMB_SIDE), picture)

    @property
    def name(self) -> str:
        return self.path.name if self.path is not None else "not in the history folder"

    @property
    def params(self) -> dict[str, Any]:
        """The recipe's parameters as a plain dict (`params_from_dict` makes them a dataclass)."""
        params = self.recipe.get("params", {})
        return params if isinstance(params, dict) else {}

    def image(self) -> np.ndarray:
        """The picture, read from its file the first time (a JobError if the file is gone or damaged)."""
        if self.picture is None:
            if self.path is None:
                raise JobError("This picture was never kept in a file, and it is no longer in memory.")
            self.picture = load_image(self.path)
        return self.picture


class History:
    """The entries of one tab, oldest first, and the timeline of what its view showed.

    The timeline starts with None (the view empty, before any result), so undoing the first result
    shows the untouched picture again.
    """

    def __init__(self) -> None:
        self.entries: list[HistoryEntry] = []
        self._timeline: list[HistoryEntry | None] = [None]
        self._position = 0

    @property
    def current(self) -> HistoryEntry | None:
        """The entry the view shows (None: no result shown)."""
        return self._timeline[self._position]

    def add(self, entry: HistoryEntry) -> HistoryEntry:
        self.entries.append(entry)
        return entry

    def show(self, entry: HistoryEntry | None) -> None:
        """`entry` is now what the view shows: it goes on the timeline after the current point."""
        if entry is self.current:
            return
        del self._timeline[self._position + 1 :]
        self._timeline.append(entry)
        self._position += 1

    def remove(self, entry: HistoryEntry) -> None:
        """Forget an entry whose file is gone, from the entries and the timeline."""
        if entry in self.entries:
            self.entries.remove(entry)
        before = [item for item in self._timeline[: self._position + 1] if item is not entry]
        after = [item for item in self._timeline[self._position + 1 :] if item is not entry]
        self._timeline = before + after
        self._position = len(before) - 1

    @property
    def can_undo(self) -> bool:
        return self._position > 0

    @property
    def can_redo(self) -> bool:
        return self._position < len(self._timeline) - 1

    def undo(self) -> HistoryEntry | None:
        """Step back to what the view showed before; returns what it shows now."""
        if self.can_undo:
            self._position -= 1
        return self.current

    def redo(self) -> HistoryEntry | None:
        """Step forward again after an undo; returns what the view shows now."""
        if self.can_redo:
            self._position += 1
        return self.current


def read_history(
    folder: str | os.PathLike, technique: str, limit: int = HISTORY_LIMIT
) -> tuple[list[HistoryEntry], str]:
    """The newest `limit` results of `technique` kept in `folder`, oldest first, and a note naming
    the files skipped (damaged, unreadable, or without a recipe of that technique; "" if none).

    Nothing here raises for a bad file: a history folder edited by hand must never stop the app.
    """
    try:
        # Oldest first: by the time stamp that starts each name, then, within one second, by when written.
        paths = sorted(
            Path(folder).glob(f"*-{technique}.png"), key=lambda path: (path.name[:15], path.stat().st_mtime_ns)
        )
        paths = paths[-limit:]
    except OSError:
        return [], f"The history folder {folder} could not be read."
    entries, skipped = [], []
    for path in paths:
        try:
            picture = load_image(path)
        except JobError:
            skipped.append(path.name)
            continue
        recipe = read_recipe(path)
        if recipe is None or recipe.get("technique") != technique:
            skipped.append(path.name)
            continue
        entries.append(HistoryEntry(recipe, path, fit_within(picture, THUMB_SIDE)))
    note = f"Skipped {len(skipped)} history file(s) that could not be read: {name_list(skipped)}." if skipped else ""
    return entries, note
