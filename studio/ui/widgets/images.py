"""Zoomable, pannable image views that accept dropped and pasted pictures."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QMimeData, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)


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


class AcceptsFileDrops:
    """Mixin for a widget with a `files_dropped = Signal(list)`: local files dropped on it are
    emitted as paths. The widget must call `setAcceptDrops(True)`."""

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


class ImageView(AcceptsFileDrops, QGraphicsView):
    """Shows one picture: wheel to zoom around the cursor, drag to pan, double-click to fit.

    Drop files on it to emit `files_dropped`; until a picture is set it shows `placeholder`.
    """

    files_dropped = Signal(list)
    zoomed = Signal(float)
    mask_changed = Signal()

    def __init__(self, placeholder: str = "Drop an image here", parent: QWidget | None = None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self._item)
        self._mask: QImage | None = None  # Grayscale8, white = selected; painted over the picture
        self._mask_item = QGraphicsPixmapItem(self._item)
        self._mask_item.setOpacity(0.45)
        self.painting = False
        self.brush_radius = 24
        self._last_paint: QPointF | None = None
        self._placeholder = placeholder
        self._fit = True
        self._shown_size = None  # scene size of the picture last shown; a new size is fitted to the view
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
        if rgb is None or self.image is None or rgb.shape[:2] != self.image.shape[:2]:
            self.clear_mask()
        self.image = rgb
        if rgb is None:
            self._item.setPixmap(QPixmap())
            self.viewport().update()
            return
        self._item.setPixmap(QPixmap.fromImage(to_qimage(rgb)))
        self._item.setScale((shown_width or rgb.shape[1]) / rgb.shape[1])
        rect = self._item.sceneBoundingRect()
        resized = rect.size() != self._shown_size
        self._shown_size = rect.size()
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

    # -- mask painting: where the user wants the effect ---------------------------------------
    def set_painting(self, on: bool) -> None:
        """In painting mode a left drag paints the mask (Shift+drag erases) instead of panning."""
        self.painting = on
        self.setDragMode(QGraphicsView.DragMode.NoDrag if on else QGraphicsView.DragMode.ScrollHandDrag)
        self.viewport().setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.OpenHandCursor)

    def mask(self) -> np.ndarray | None:
        """The painted mask as floats in [0, 1] at the picture's size, or None if nothing is painted."""
        if self._mask is None:
            return None
        width, height = self._mask.width(), self._mask.height()
        buffer = np.frombuffer(self._mask.constBits(), np.uint8, count=self._mask.bytesPerLine() * height)
        values = buffer.reshape(height, self._mask.bytesPerLine())[:, :width].astype(np.float32) / 255.0
        return values if values.any() else None

    def set_mask(self, mask: np.ndarray | None) -> None:
        """Show `mask` (floats in [0, 1], the picture's size) for further painting."""
        if mask is None or self.image is None:
            self.clear_mask()
            return
        self._mask = to_qimage(np.clip(mask * 255 + 0.5, 0, 255).astype(np.uint8))
        self._refresh_mask()

    def clear_mask(self) -> None:
        self._mask = None
        self._mask_item.setPixmap(QPixmap())
        self.mask_changed.emit()

    def _paint_at(self, position, erase: bool) -> None:
        if self.image is None:
            return
        if self._mask is None:
            self._mask = QImage(self.image.shape[1], self.image.shape[0], QImage.Format.Format_Grayscale8)
            self._mask.fill(0)
        point = self._item.mapFromScene(self.mapToScene(position))
        painter = QPainter(self._mask)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = QColor(0, 0, 0) if erase else QColor(255, 255, 255)
        if self._last_paint is None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawEllipse(point, self.brush_radius, self.brush_radius)
        else:
            painter.setPen(QPen(colour, 2 * self.brush_radius, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            painter.drawLine(self._last_paint, point)
        painter.end()
        self._last_paint = point
        self._refresh_mask()

    def _refresh_mask(self) -> None:
        overlay = QImage(self._mask.size(), QImage.Format.Format_ARGB32)
        overlay.fill(QColor(255, 60, 90))
        overlay.setAlphaChannel(self._mask)
        self._mask_item.setPixmap(QPixmap.fromImage(overlay))
        self.mask_changed.emit()

    def mousePressEvent(self, event) -> None:
        if self.painting and event.button() == Qt.MouseButton.LeftButton:
            self._last_paint = None
            self._paint_at(event.position().toPoint(), event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self.painting and event.buttons() & Qt.MouseButton.LeftButton:
            self._paint_at(event.position().toPoint(), event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            return
        super().mouseMoveEvent(event)

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
