"""Telling the user something: a readable message, with the technical details on demand."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QMessageBox, QWidget

from studio.core.images import load_image
from studio.core.progress import JobError


def show_message(
    parent: QWidget,
    message: str,
    details: str = "",
    title: str = "Generative Studio",
    icon: QMessageBox.Icon = QMessageBox.Icon.Information,
) -> QMessageBox:
    """Open a non-blocking message box (never `exec()`, which breaks qasync coroutines)."""
    box = QMessageBox(icon, title, message, QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText(details)
    box.open()
    return box


def show_error(parent: QWidget, message: str, details: str = "", title: str = "Generative Studio") -> QMessageBox:
    box = show_message(parent, message, details, title, QMessageBox.Icon.Warning)
    box.setObjectName("error-box")
    return box


def picture_or_error(parent: QWidget, path: str, not_ready: str | None = None) -> np.ndarray | None:
    """The picture at `path` (uint8 RGB), or None after an error box saying why: it cannot be read,
    or `not_ready` (what must happen first) is given."""
    if not_ready:
        show_error(parent, not_ready)
        return None
    try:
        return load_image(path)
    except JobError as error:
        show_error(parent, str(error))
        return None
