"""Zoomable, pannable image views that accept dropped and pasted pictures, say so while a file is
dragged over them or the pointer rests on them, show their zoom level, and let a picture be
dragged out to another program (see `widgets.drag_out`)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QLineF, QMimeData, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QDrag, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
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


def start_drag(source: QWidget, mime: QMimeData) -> None:
    """Drag `mime` out of `source` as a copy, with a small picture under the pointer."""
    drag = QDrag(source)
    drag.setMimeData(mime)
    if mime.hasImage():
        drag.setPixmap(
            QPixmap.fromImage(mime.imageData()).scaledToWidth(96, Qt.TransformationMode.SmoothTransformation)
        )
    drag.exec(Qt.DropAction.CopyAction)


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
    """Shows one picture: wheel to zoom around the cursor, drag to pan, double-click to fit; its zoom
    level in a corner.

    Drop files on it to emit `files_dropped`; until a picture is set it shows `placeholder`. With a
    `drop_hint`, that hint shows over the picture while the pointer rests on it (and in the main
    window's status bar), and "Drop to open" while a file is dragged over it. With a `drag_source`
    (a function returning the QMimeData of the picture, or None), dragging the picture while it
    fits the view drags it out of the app. `set_overlay` and `set_wipe` show a second picture over
    the left part of this one (a before/after wipe).
    """

    files_dropped = Signal(list)
    zoomed = Signal(float)
    mask_changed = Signal()
    image_changed = Signal()
    painting_changed = Signal(bool)

    def __init__(self, placeholder: str = "Drop an image here", parent: QWidget | None = None, drop_hint: str = ""):
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
        self.drop_hint = drop_hint
        self.setStatusTip(drop_hint)
        self.drag_source: Callable[[], QMimeData | None] | None = None
        self._pressed_at: QPoint | None = None
        self._hovered = False
        self._file_over = False
        self._build_overlay()
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
        else:
            self._item.setPixmap(QPixmap.fromImage(to_qimage(rgb)))
            self._item.setScale((shown_width or rgb.shape[1]) / rgb.shape[1])
        self._refresh_scene()
        self.image_changed.emit()

    def _shown_item(self) -> QGraphicsPixmapItem | None:
        """The item whose picture sets the scene: the picture, or the overlay alone in a wipe before any result."""
        if not self._item.pixmap().isNull():
            return self._item
        return self._overlay if self._clip.isVisible() and not self._overlay.pixmap().isNull() else None

    def _refresh_scene(self) -> None:
        item = self._shown_item()
        if item is None:
            self.viewport().update()
            return
        rect = item.sceneBoundingRect()
        resized = rect.size() != self._shown_size
        self._shown_size = rect.size()
        self.scene().setSceneRect(rect)
        self._place_wipe()
        if resized and self._fit:
            self.fit()
        self.viewport().update()

    def fit(self) -> None:
        self._fit = True
        item = self._shown_item()
        if item is not None:
            self.fitInView(item, Qt.AspectRatioMode.KeepAspectRatio)
            self.zoomed.emit(self.transform().m11())

    @property
    def fitting(self) -> bool:
        """Whether the view keeps the whole picture in sight (as it resizes) rather than a zoom level."""
        return self._fit

    def set_zoom(self, scale: float) -> None:
        self._fit = False
        current = self.transform().m11()
        if current > 0:
            self.scale(scale / current, scale / current)
        self.viewport().update()

    def actual_size(self) -> None:
        """Zoom so one pixel of the picture is one pixel of the screen (100%)."""
        self.set_zoom(1.0 / self._picture_scale())
        self.zoomed.emit(self.transform().m11())

    def zoom_percent(self) -> float | None:
        """How large the picture's pixels are on screen, in percent (None with no picture)."""
        if self._shown_item() is None:
            return None
        return 100.0 * self.transform().m11() * self._picture_scale()

    def _picture_scale(self) -> float:
        item = self._shown_item()
        return item.scale() if item is not None else 1.0

    # -- a second picture over the left part: the before/after wipe -----------------------------
    def _build_overlay(self) -> None:
        self._clip = QGraphicsRectItem()
        self._clip.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)
        self._clip.setPen(Qt.PenStyle.NoPen)
        self._clip.setZValue(1)
        self._overlay = QGraphicsPixmapItem(self._clip)
        self._overlay.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        pen = QPen(QColor(255, 255, 255, 220), 2)
        pen.setCosmetic(True)
        self._wipe_line = QGraphicsLineItem()
        self._wipe_line.setPen(pen)
        self._wipe_line.setZValue(2)
        self.scene().addItem(self._clip)
        self.scene().addItem(self._wipe_line)
        self._wipe = 0.5
        self.set_overlay(None)

    def set_overlay(self, rgb: np.ndarray | None, shown_width: int | None = None) -> None:
        """Show `rgb` over the part of the picture left of the wipe line (None: no overlay)."""
        shown = rgb is not None
        if shown:
            self._overlay.setPixmap(QPixmap.fromImage(to_qimage(rgb)))
            self._overlay.setScale((shown_width or rgb.shape[1]) / rgb.shape[1])
        else:
            self._overlay.setPixmap(QPixmap())
        self._clip.setVisible(shown)
        self._wipe_line.setVisible(shown)
        self._refresh_scene()

    def set_wipe(self, fraction: float) -> None:
        """Where the wipe line is, as a fraction of the picture's width from the left."""
        self._wipe = min(max(fraction, 0.0), 1.0)
        self._place_wipe()

    def _place_wipe(self) -> None:
        rect = self._overlay.sceneBoundingRect()
        edge = rect.left() + self._wipe * rect.width()
        self._clip.setRect(QRectF(rect.left(), rect.top(), edge - rect.left(), rect.height()))
        self._wipe_line.setLine(QLineF(edge, rect.top(), edge, rect.bottom()))

    # -- mask painting: where the user wants the effect ---------------------------------------
    def set_painting(self, on: bool) -> None:
        """In painting mode a left drag paints the mask (Shift+drag erases) instead of panning."""
        self.painting = on
        self.painting_changed.emit(on)
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
        self._pressed_at = event.position().toPoint() if event.button() == Qt.MouseButton.LeftButton else None
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self.painting and event.buttons() & Qt.MouseButton.LeftButton:
            self._paint_at(event.position().toPoint(), event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            return
        if self._pressed_at is not None and self._drags_out(event.position().toPoint()):
            self._pressed_at = None
            self._drag_out()
            return
        super().mouseMoveEvent(event)

    def _drags_out(self, position: QPoint) -> bool:
        """A press-and-drag on a picture that fits the view (nothing to pan) takes the picture out."""
        if self.drag_source is None or self.image is None:
            return False
        fits = self.horizontalScrollBar().maximum() == 0 and self.verticalScrollBar().maximum() == 0
        moved = (position - self._pressed_at).manhattanLength() >= QApplication.startDragDistance()
        return fits and moved

    def _drag_out(self) -> None:
        mime = self.drag_source()
        if mime is not None:
            start_drag(self, mime)

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

    # -- what the view says about itself: placeholder, drop hint, zoom level -------------------------
    def enterEvent(self, event) -> None:
        self._hovered = True
        self.viewport().update()
        super().enterEvent(event)

    def leaveEvent(self, event) -> None:
        self._hovered = False
        self.viewport().update()
        super().leaveEvent(event)

    def dragEnterEvent(self, event) -> None:
        super().dragEnterEvent(event)
        self._file_over = event.isAccepted() and bool(dropped_paths(event.mimeData()))
        self.viewport().update()

    def dragLeaveEvent(self, event) -> None:
        self._drag_over()
        super().dragLeaveEvent(event)

    def dropEvent(self, event) -> None:
        self._drag_over()
        super().dropEvent(event)

    def _drag_over(self) -> None:
        """A drag left or dropped: the drop hint goes."""
        self._file_over = False
        self.viewport().update()

    def drawForeground(self, painter: QPainter, rect) -> None:
        painter.resetTransform()
        area = self.viewport().rect()
        if self._file_over:
            painter.fillRect(area, QColor(40, 110, 200, 110))
            _label(painter, area, "Drop to open it here", Qt.AlignmentFlag.AlignCenter)
        elif self._shown_item() is None:
            painter.setPen(self.palette().brightText().color())
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, self._placeholder)
            return
        elif self._hovered and self.drop_hint:
            _label(painter, area.adjusted(6, 6, -6, -6), self.drop_hint, Qt.AlignmentFlag.AlignTop)
        percent = self.zoom_percent()
        if percent is not None:
            corner = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom
            _label(painter, area.adjusted(4, 4, -4, -4), f"{percent:.0f}%", corner)


def _label(painter: QPainter, area, text: str, alignment) -> None:
    """`text` on a dark rounded plate, aligned within `area`, readable over any picture."""
    metrics = painter.fontMetrics()
    box = metrics.boundingRect(area, int(alignment | Qt.AlignmentFlag.AlignHCenter), text).adjusted(-6, -3, 6, 3)
    if alignment & Qt.AlignmentFlag.AlignRight:
        box.moveRight(area.right())
    if alignment & Qt.AlignmentFlag.AlignBottom:
        box.moveBottom(area.bottom())
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(0, 0, 0, 150))
    painter.drawRoundedRect(box, 4, 4)
    painter.setPen(QColor(255, 255, 255))
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
