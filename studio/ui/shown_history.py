"""The session's results on a history strip, and undo and redo of what a view shows: the part the
picture tabs (Dream, Style) and the Latent Explorer's pages share (a mixin for a QWidget with
`settings` and a `status` line).

The host calls `build_history` once, `add_to_history` for each result, and implements
`display_current` (show `self.history.current`, or the state before any result when it is None).
A result whose file is gone is taken off the strip with a note, never a crash.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from studio.core.history import History, HistoryEntry, read_history
from studio.core.progress import JobError
from studio.ui.widgets.history_strip import HistoryStrip
from studio.ui.widgets.saving import PictureSaver


class ShownHistory:
    """History, its strip and the undo timeline of one view (see the module's docstring)."""

    history: History
    history_strip: HistoryStrip
    history_note: str  # which history files could not be read back at start ("" if none)

    def build_history(self, technique: str, defaults: dict[str, Any]) -> None:
        """Read back `technique`'s results from the history folder onto a new strip."""
        folder = self.settings.history_folder(create=False)
        self.history = History()
        self.history_strip = HistoryStrip(folder, defaults)
        self.history_strip.entry_chosen.connect(self.show_entry)
        self.history_strip.path_copied.connect(lambda path: self.status.setText(f"Copied the path: {path}"))
        entries, self.history_note = read_history(folder, technique)
        for entry in entries:
            self.history.add(entry)
        self.history_strip.set_entries(entries)

    def greet(self, text: str) -> None:
        """The status line at start: `text`, and a note on history files that could not be read."""
        self.status.setText(" ".join(part for part in (text, self.history_note) if part))

    def add_to_history(
        self, saver: PictureSaver, picture: np.ndarray, recipe: dict[str, Any], source_name: str
    ) -> tuple[HistoryEntry, Path | None]:
        """Keep `picture` in the history folder (through `saver`) and on the strip, and show it.
        Returns the entry and its history file (None when it could not be written)."""
        kept = saver.keep_in_history(picture, recipe, source_name)
        entry = self.history.add(HistoryEntry.made(picture, recipe, kept))
        self.history_strip.add(entry)
        self.show_entry(entry)
        return entry, kept

    def show_entry(self, entry: HistoryEntry | None) -> None:
        """Show `entry` (None: no result); Undo comes back to what was shown before."""
        if entry is None or self._loaded(entry):
            self.history.show(entry)
            self.display_current()

    def display_current(self) -> None:
        """Show `self.history.current` (the host's views)."""
        raise NotImplementedError

    def current_loaded(self) -> HistoryEntry | None:
        """`history.current`, after taking off the strip entries whose picture can no longer be read."""
        while (entry := self.history.current) is not None and not self._loaded(entry):
            pass
        self.history_strip.select(entry)
        return entry

    def _loaded(self, entry: HistoryEntry) -> bool:
        """Whether the entry's picture can be had; one whose file is gone is taken off, with a note."""
        try:
            entry.image()
        except JobError as error:
            self.history.remove(entry)
            self.history_strip.remove(entry)
            self.status.setText(f"{entry.name} could not be shown ({error}); it is off the strip now.")
            return False
        return True

    def step_history(self, back: bool) -> bool:
        """Undo (`back`) or redo one step of what the view showed; False (with a note) at either end."""
        if not (self.history.can_undo if back else self.history.can_redo):
            self.status.setText(f"Nothing to {'undo' if back else 'redo'}.")
            return False
        if back:
            self.history.undo()
        else:
            self.history.redo()
        self.display_current()
        return True
