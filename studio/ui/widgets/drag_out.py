"""Taking a picture out of the app by dragging it: into a file manager (a PNG file that carries its
recipe) or another program (the picture itself)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtWidgets import QApplication, QToolButton, QWidget

from studio.ui.widgets.images import start_drag, to_qimage


def picture_mime(rgb: np.ndarray, path: Path) -> QMimeData:
    """What a dragged picture carries: the PNG file at `path` (for file managers and programs that
    open files) and the picture's pixels (for programs that take an image)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    mime.setImageData(to_qimage(rgb))
    return mime


class DragOutButton(QToolButton):
    """Press and drag this button to drag the picture `source()` describes (its QMimeData, or None
    when there is nothing to drag) out of the app."""

    def __init__(self, source: Callable[[], QMimeData | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.source = source
        self.setText("⇱ Drag out")
        self.setToolTip(
            "Drag the After picture into a file manager (a PNG with its recipe) or another program (the picture)"
        )
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self._pressed_at: QPoint | None = None

    def mousePressEvent(self, event) -> None:
        self._pressed_at = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        moved = self._pressed_at is not None and (
            (event.position().toPoint() - self._pressed_at).manhattanLength() >= QApplication.startDragDistance()
        )
        if moved and (mime := self.source()) is not None:
            self._pressed_at = None
            self.setDown(False)
            start_drag(self, mime)
            return
        super().mouseMoveEvent(event)
