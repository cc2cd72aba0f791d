"""A light line chart for loss curves (a few thousand points, redrawn on every new value)."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

SERIES_COLOURS = ("#4e9af1", "#f18f4e", "#5cc36b", "#d65ccf", "#e0d24a")


class LossPlot(QWidget):
    """Plots named series against step; `log_scale` suits losses that fall by orders of magnitude."""

    def __init__(self, log_scale: bool = False, parent: QWidget | None = None, placeholder: str = ""):
        super().__init__(parent)
        self.log_scale = log_scale
        self.placeholder = placeholder or "The loss curve appears here"
        self.series: dict[str, list[tuple[float, float]]] = {}
        self.setMinimumHeight(110)

    def clear(self) -> None:
        self.series.clear()
        self.update()

    def add(self, name: str, step: float, value: float) -> None:
        if math.isfinite(value) and (value > 0 or not self.log_scale):
            self.series.setdefault(name, []).append((step, value))
            self.update()

    def _y(self, value: float) -> float:
        return math.log10(value) if self.log_scale else value

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        points = [p for values in self.series.values() for p in values]
        if not points:
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.placeholder)
            return
        xs = [p[0] for p in points]
        ys = [self._y(p[1]) for p in points]
        x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
        y0, y1 = min(ys), max(ys) if max(ys) > min(ys) else min(ys) + 1
        margin, width, height = 8, self.width() - 16, self.height() - 24
        for index, (name, values) in enumerate(self.series.items()):
            colour = QColor(SERIES_COLOURS[index % len(SERIES_COLOURS)])
            painter.setPen(QPen(colour, 1.6))
            polygon = QPolygonF(
                [
                    QPointF(
                        margin + (x - x0) / (x1 - x0) * width, margin + (1 - (self._y(y) - y0) / (y1 - y0)) * height
                    )
                    for x, y in values
                ]
            )
            painter.drawPolyline(polygon)
            last = values[-1][1]
            painter.drawText(margin + index * 150, self.height() - 4, f"{name}: {last:.4g}")
