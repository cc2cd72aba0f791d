"""A button that holds an optional file or folder path: a form editor for a `str | None` path field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget


class FileField(QPushButton):
    """Shows "Choose…" until a file (with `folder`: a folder) is chosen, then its name; a click on a
    chosen one clears it."""

    changed = Signal()

    def __init__(
        self,
        dialog_title: str,
        start_folder: Callable[[], str],
        name_filter: str = "",
        parent: QWidget | None = None,
        folder: bool = False,
    ):
        super().__init__("Choose…", parent)
        self.folder = folder
        self.dialog_title = dialog_title
        self.start_folder = start_folder
        self.name_filter = name_filter
        self._path: str | None = None
        self.clicked.connect(self._clicked)

    def value(self) -> str | None:
        return self._path

    def set_value(self, path: str | None) -> None:
        self._path = path or None
        self.setText(f"{Path(path).name} (clear)" if path else "Choose…")
        self.changed.emit()

    def _clicked(self) -> None:
        if self._path:
            self.set_value(None)
            return
        if self.folder:
            path = QFileDialog.getExistingDirectory(self, self.dialog_title, self.start_folder())
        else:
            path, _ = QFileDialog.getOpenFileName(self, self.dialog_title, self.start_folder(), self.name_filter)
        if path:
            self.set_value(path)
