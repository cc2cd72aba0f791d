"""Zoomable, pannable image views that accept dropped and pasted pictures."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QHBoxLayout, QLabel, QVBoxLayout, QWidget


def to_qimage(rgb: np.ndarray) -> QImage:
    """A QImage that owns its pixels (QImage would otherwise borrow the NumPy buffer)."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    height, width = rgb.shape[:2]
    if rgb.ndim == 2:
        return QImage(rgb.data, width, height, width, QImage.Format.Format_Grayscale8).copy()
    return QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


def from_qimage(image: QImage) -> np.ndarray:
    """uint8 RGB array from a QImage (for pasted pictures)."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height = image.width(), image.height()
    buffer = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.bytesPerLine() * height)
    return buffer.reshape(height, image.bytesPerLine())[:, : 3 * width].reshape(height, width, 3).copy()


def dropped_paths(mime: QMimeData) -> list[str]:
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]


class ImageView(QGraphicsView):
    """Shows one picture: wheel to zoom around the cursor, drag to pan, double-click to fit.

    Drop files on it to emit `files_dropped`; until a picture is set it shows `placeholder`.
    """

    files_dropped = Signal(list)
    zoomed = Signal(float)

    def __init__(self, placeholder: str = "Drop an image here", parent: QWidget | None = None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self._item)
        self._placeholder = placeholder
        self._fit = True
        self.image: np.ndarray | None = None
        self.setAcceptDrops(True)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setMinimumSize(160, 120)
        self.setBackgroundBrush(self.palette().dark())

    def set_image(self, rgb: np.ndarray | None, shown_width: int | None = None) -> None:
        """Show `rgb` (uint8 RGB), stretched to `shown_width` scene pixels if given, so a small
        preview of a big picture covers the same area. A new shown size is fitted to the view."""
        self.image = rgb
        if rgb is None:
            self._item.setPixmap(QPixmap())
            self.viewport().update()
            return
        self._item.setPixmap(QPixmap.fromImage(to_qimage(rgb)))
        self._item.setScale((shown_width or rgb.shape[1]) / rgb.shape[1])
        rect = self._item.sceneBoundingRect()
        resized = rect.size() != self.scene().sceneRect().size()
        self.scene().setSceneRect(rect)
        if resized and self._fit:
            self.fit()

    def fit(self) -> None:
        self._fit = True
        if not self._item.pixmap().isNull():
            self.fitInView(self._item, Qt.AspectRatioMode.KeepAspectRatio)
            self.zoomed.emit(self.transform().m11())

    def set_zoom(self, scale: float) -> None:
        self._fit = False
        current = self.transform().m11()
        if current > 0:
            self.scale(scale / current, scale / current)

    def wheelEvent(self, event) -> None:
        factor = 1.25 if event.angleDelta().y() > 0 else 0.8
        self.set_zoom(min(max(self.transform().m11() * factor, 0.02), 32.0))
        self.zoomed.emit(self.transform().m11())

    def mouseDoubleClickEvent(self, event) -> None:
        self.fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._fit:
            self.fit()

    def drawForeground(self, painter: QPainter, rect) -> None:
        if self._item.pixmap().isNull():
            painter.resetTransform()
            painter.setPen(self.palette().brightText().color())
            painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, self._placeholder)

    def dragEnterEvent(self, event) -> None:
        if dropped_paths(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        if dropped_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = dropped_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)


class BeforeAfterView(QWidget):
    """Two image views side by side whose zoom and pan move together."""

    files_dropped = Signal(list)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.before = ImageView("Drop an image here,\nor paste one (Ctrl+V)")
        self.after = ImageView("The result appears here")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for title, view in (("Before", self.before), ("After", self.after)):
            column = QVBoxLayout()
            column.addWidget(QLabel(title))
            column.addWidget(view, 1)
            layout.addLayout(column, 1)
            view.files_dropped.connect(self.files_dropped)
        self._link(self.before, self.after)
        self._link(self.after, self.before)

    @staticmethod
    def _link(source: ImageView, target: ImageView) -> None:
        source.horizontalScrollBar().valueChanged.connect(target.horizontalScrollBar().setValue)
        source.verticalScrollBar().valueChanged.connect(target.verticalScrollBar().setValue)
        source.zoomed.connect(target.set_zoom)
