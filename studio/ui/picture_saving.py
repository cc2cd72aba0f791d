"""Saving a picture tab's result and dragging it out: the part of `PictureTab` that hands the
picture shown to files and other programs (a mixin; it uses the tab's `saver`, `history`, `status`,
`save_button`, `partial`, `source_name` and `save_title`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData

from studio.core.progress import JobError
from studio.ui.widgets.drag_out import picture_mime


class PictureSaving:
    """Save… (asks where), Ctrl+S (saves again beside the last save without asking, never over a
    file), Ctrl+Shift+S, and the drag that carries the picture out of the app."""

    def _recipe(self) -> dict[str, Any]:
        return self.history.current.recipe

    def save_dialog(self) -> None:
        if self.result is not None:
            self._saved(self.saver.ask_and_save(self.result, self._recipe(), self.source_name, self.save_title))

    def save_result(self, path: str) -> Path | None:
        return self._saved(self.saver.save(path, self.result, self._recipe()))

    def save(self) -> bool:
        if not self.save_button.isEnabled():
            return False
        saved = self.saver.save_again(self.result, self._recipe(), self.source_name)
        if saved is None:
            self.save_dialog()
        else:
            self._saved(saved)
        return True

    def save_as(self) -> bool:
        if not self.save_button.isEnabled():
            return False
        self.save_dialog()
        return True

    def _saved(self, saved: Path | None) -> Path | None:
        if saved is not None:
            self.status.setText(f"Saved {saved}.")
        return saved

    def drag_mime(self) -> QMimeData | None:
        """The After picture as a drag carries it out: its history file (or a temporary copy) and pixels."""
        entry = self.history.current
        if entry is None or self.partial is not None:
            return None
        try:
            path = self.saver.file_of(entry.picture, entry.recipe, entry.path, self.source_name)
        except JobError as error:
            self.status.setText(f"The picture could not be dragged out: {error}")
            return None
        return picture_mime(entry.picture, path)
