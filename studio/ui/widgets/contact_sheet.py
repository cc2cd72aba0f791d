"""A contact sheet: a batch of pictures side by side as they arrive, each with its label and how far
it is; click a finished one to pick it."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QWidget,
)

from studio.core.images import fit_within
from studio.ui.widgets.forms import column, fill, push_button, row
from studio.ui.widgets.images import to_qimage

THUMB_SIDE = 360  # long side of the pictures kept for the cells; they are drawn at the cells' size
MIN_CELL = QSize(120, 90)


class ContactSheet(QWidget):
    """One cell per picture of a batch. `picked(index)` when a finished cell is clicked;
    `cancel_requested` from the Cancel button (shown while some cells are still to come)."""

    picked = Signal(int)
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.cells: list[QToolButton] = []
        self.title = QLabel("Variations appear here: set them up under Variations and press Variations.")
        self.title.setObjectName("hint")
        self.cancel_button = push_button(
            "Cancel the rest",
            self.cancel_requested,
            "Stop the variations still to come; the finished ones stay to pick from",
        )
        self.cancel_button.hide()
        header = row((self.title, 1), self.cancel_button)
        inner = QWidget()
        self._grid = QGridLayout(inner)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._scroll = scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        fill(self, column(header, (scroll, 1)))

    def start(self, labels: list[str]) -> None:
        """A new batch: one waiting cell per label."""
        for cell in self.cells:
            cell.deleteLater()
        self.cells = []
        columns = math.ceil(math.sqrt(len(labels)))
        for index, label in enumerate(labels):
            cell = QToolButton()
            cell.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            cell.setEnabled(False)
            cell.clicked.connect(lambda _checked=False, at=index: self.picked.emit(at))
            cell.setProperty("label", label)
            self._grid.addWidget(cell, *divmod(index, columns))
            self.cells.append(cell)
            self.set_state(index, "waiting")
        self._size_cells()
        self.cancel_button.show()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._size_cells()

    def _size_cells(self) -> None:
        """Cells share the sheet's room: as many columns as rows, pictures as large as that allows."""
        if not self.cells:
            return
        columns = math.ceil(math.sqrt(len(self.cells)))
        rows = math.ceil(len(self.cells) / columns)
        room = self._scroll.viewport().size()
        spacing = self._grid.spacing() + 8
        text = self.fontMetrics().height() + 16
        width = max(MIN_CELL.width(), (room.width() - spacing * (columns + 1)) // columns)
        height = max(MIN_CELL.height(), (room.height() - spacing * (rows + 1)) // rows - text)
        icon = QSize(width - 12, height)
        for cell in self.cells:
            cell.setIconSize(icon)
            cell.setFixedSize(width, height + text)

    def set_state(self, index: int, state: str) -> None:
        """What the cell's job is doing ("waiting", "42%", "cancelled", "kept in the history")."""
        cell = self.cells[index]
        cell.setText(f"{cell.property('label')} · {state}")

    def set_picture(self, index: int, rgb: np.ndarray) -> None:
        """The cell's picture has arrived: show it and let it be picked."""
        cell = self.cells[index]
        thumbnail = fit_within(rgb, THUMB_SIDE)
        cell.setIcon(QIcon(QPixmap.fromImage(to_qimage(thumbnail))))
        cell.setEnabled(True)
        cell.setToolTip("Click to keep this one: it joins the history and shows in the After view")
        self.set_state(index, "click to keep")

    def set_title(self, text: str, running: bool) -> None:
        self.title.setText(text)
        self.cancel_button.setVisible(running)
