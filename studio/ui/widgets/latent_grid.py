"""A light picture view for latent-space exploring: drawn straight from a QImage (no scene graph,
so a slider can redraw it every frame), pixels kept crisp when enlarged, with markers and clicks
reported as fractions of the picture (what a latent plane understands)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from studio.ui.widgets.images import AcceptsFileDrops, to_qimage


class LatentPictureView(AcceptsFileDrops, QWidget):
    """Shows one uint8 RGB picture scaled to fit (nearest-neighbour, so a 28 px digit stays sharp).

    With `pickable`, a press or drag on the picture emits `point_picked(fx, fy)`, fractions of its
    width and height from the top left. `set_markers` draws labelled rings at such fractions.
    Dropped files arrive as `files_dropped`.
    """

    point_picked = Signal(float, float)
    files_dropped = Signal(list)

    def __init__(self, placeholder: str = "", pickable: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.placeholder = placeholder
        self.pickable = pickable
        self.image: np.ndarray | None = None
        self._qimage: QImage | None = None
        self._scaled: QPixmap | None = None  # the picture at its drawn size, so moving a marker repaints cheaply
        self._markers: list[tuple[float, float, str, QColor]] = []
        self.setAcceptDrops(True)
        self.setMinimumSize(96, 96)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        if pickable:
            self.setCursor(Qt.CursorShape.CrossCursor)

    def set_image(self, rgb: np.ndarray | None) -> None:
        self.image = rgb
        self._qimage = None if rgb is None else to_qimage(rgb)
        self._scaled = None
        self.update()

    def set_markers(self, markers: list[tuple[float, float, str, str]]) -> None:
        """(fx, fy, label, colour name) for each ring to draw; points outside the picture are skipped."""
        self._markers = [
            (fx, fy, label, QColor(colour))
            for fx, fy, label, colour in markers
            if 0.0 <= fx <= 1.0 and 0.0 <= fy <= 1.0
        ]
        self.update()

    def picture_rect(self) -> QRectF:
        """Where the picture is drawn: as large as fits, aspect kept, centred."""
        if self._qimage is None:
            return QRectF()
        scale = min(self.width() / self._qimage.width(), self.height() / self._qimage.height())
        width, height = self._qimage.width() * scale, self._qimage.height() * scale
        return QRectF((self.width() - width) / 2, (self.height() - height) / 2, width, height)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().dark())
        if self._qimage is None:
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.placeholder)
            return
        rect = self.picture_rect()
        size = rect.size().toSize()
        if self._scaled is None or self._scaled.size() != size:
            self._scaled = QPixmap.fromImage(
                self._qimage.scaled(
                    size, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation
                )
            )
        painter.drawPixmap(rect.topLeft(), self._scaled)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for fx, fy, label, colour in self._markers:
            centre = QPointF(rect.left() + fx * rect.width(), rect.top() + fy * rect.height())
            painter.setPen(QPen(QColor(0, 0, 0, 160), 4))
            painter.drawEllipse(centre, 7, 7)
            painter.setPen(QPen(colour, 2))
            painter.drawEllipse(centre, 7, 7)
            if label:
                painter.drawText(centre + QPointF(9, -9), label)

    def _pick(self, position) -> None:
        rect = self.picture_rect()
        if rect.isEmpty():
            return
        fx = min(max((position.x() - rect.left()) / rect.width(), 0.0), 1.0)
        fy = min(max((position.y() - rect.top()) / rect.height(), 0.0), 1.0)
        self.point_picked.emit(fx, fy)

    def mousePressEvent(self, event) -> None:
        if self.pickable and event.button() == Qt.MouseButton.LeftButton:
            self._pick(event.position())
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self.pickable and event.buttons() & Qt.MouseButton.LeftButton:
            self._pick(event.position())
        super().mouseMoveEvent(event)
