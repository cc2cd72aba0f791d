"""Telling the user something: a readable message, with the technical details on demand."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


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
