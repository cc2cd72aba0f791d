"""A grid of generated pictures whose cells can be picked with a click (a drag still pans)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QWidget

from studio.ui.widgets.images import ImageView

PICK_COLOURS = ("#4e9af1", "#f18f4e")  # the interpolation's start and end


class SampleGridView(ImageView):
    """A grid of generated pictures; a click (not a drag) on a cell emits its index."""

    cell_clicked = Signal(int)

    def __init__(self, placeholder: str, parent: QWidget | None = None):
        super().__init__(placeholder, parent)
        self.columns = 0  # 0: the grid shown cannot be picked from
        self.count = 0
        self._pressed_at: QPointF | None = None
        self._marks = []

    def set_grid(self, rgb: np.ndarray | None, columns: int = 0, count: int = 0) -> None:
        self.clear_marks()
        self.set_image(rgb)
        self.columns, self.count = columns, count

    @property
    def rows(self) -> int:
        return -(-self.count // self.columns)

    def cell_rect(self, index: int) -> QRectF:
        width, height = self.image.shape[1] / self.columns, self.image.shape[0] / self.rows
        row, column = divmod(index, self.columns)
        return QRectF(column * width, row * height, width, height)

    def cell_picture(self, index: int, side: int) -> np.ndarray:
        """The `side` px picture of cell `index`, cut exactly from the grid (cells may be apart by a gap)."""
        gap_x = (self.image.shape[1] - self.columns * side) // max(self.columns - 1, 1)
        gap_y = (self.image.shape[0] - self.rows * side) // max(self.rows - 1, 1)
        row, column = divmod(index, self.columns)
        top, left = row * (side + gap_y), column * (side + gap_x)
        return self.image[top : top + side, left : left + side].copy()

    def mark(self, indices: list[int]) -> None:
        """Outline the picked cells, first in the start colour, second in the end colour."""
        self.clear_marks()
        for index, colour in zip(indices, PICK_COLOURS):
            pen = QPen(QColor(colour), 2)
            pen.setCosmetic(True)
            self._marks.append(self.scene().addRect(self.cell_rect(index).adjusted(1, 1, -1, -1), pen))

    def clear_marks(self) -> None:
        for item in self._marks:
            self.scene().removeItem(item)
        self._marks.clear()

    def mousePressEvent(self, event) -> None:
        self._pressed_at = event.position()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        pressed, self._pressed_at = self._pressed_at, None
        if pressed is None or event.button() != Qt.MouseButton.LeftButton or self.columns <= 0 or self.image is None:
            return  # a right click opens the context menu, it picks nothing
        if (event.position() - pressed).manhattanLength() > 4:
            return  # a pan, not a pick
        self.click_at(self.mapToScene(event.position().toPoint()))

    def click_at(self, point: QPointF) -> None:
        """Emit the index of the cell under a scene point, if any."""
        column = int(point.x() / (self.image.shape[1] / self.columns))
        row = int(point.y() / (self.image.shape[0] / self.rows))
        index = row * self.columns + column
        if 0 <= column < self.columns and 0 <= row < self.rows and index < self.count:
            self.cell_clicked.emit(index)
