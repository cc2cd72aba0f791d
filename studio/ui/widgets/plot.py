"""A light line chart for loss curves (a few thousand points, redrawn on every new value)."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

SERIES_COLOURS = ("#4e9af1", "#f18f4e", "#5cc36b", "#d65ccf", "#e0d24a")
PLACEHOLDER = "The loss curves appear here while it trains"


class LossPlot(QWidget):
    """Plots named series against step; `log_scale` suits losses that fall by orders of magnitude.

    With `own_scales` each curve spans the plot's height on its own scale: terms hundreds of times
    apart (a VAE's reconstruction and KL) all show their shape, and the legend gives their values.
    """

    def __init__(
        self, log_scale: bool = False, own_scales: bool = False, parent: QWidget | None = None, placeholder: str = ""
    ):
        super().__init__(parent)
        self.log_scale = log_scale
        self.own_scales = own_scales
        self.placeholder = placeholder or PLACEHOLDER
        self.series: dict[str, list[tuple[float, float]]] = {}
        self.setMinimumHeight(90)

    def clear(self) -> None:
        self.series.clear()
        self.update()

    def add(self, name: str, step: float, value: float) -> None:
        if math.isfinite(value) and (value > 0 or not self.log_scale):
            self.series.setdefault(name, []).append((step, value))
            self.update()

    def last_step(self) -> float:
        """The step of the newest point (0 when empty): a resumed run's curves continue from it."""
        return max((values[-1][0] for values in self.series.values()), default=0)

    def _y(self, value: float) -> float:
        return math.log10(value) if self.log_scale else value

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        if not self.series:
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.placeholder)
            return
        legend_height = self._draw_legend(painter)
        xs = [x for values in self.series.values() for x, _ in values]
        x0, x1 = min(xs), max(xs)
        x1 = x1 if x1 > x0 else x0 + 1
        margin, width, height = 8, self.width() - 16, self.height() - 16 - legend_height
        ranges = {name: self._range(values) for name, values in self.series.items()}
        if not self.own_scales:
            shared = (min(low for low, _ in ranges.values()), max(high for _, high in ranges.values()))
            ranges = dict.fromkeys(ranges, shared)
        for index, (name, values) in enumerate(self.series.items()):
            low, high = ranges[name]
            painter.setPen(QPen(QColor(SERIES_COLOURS[index % len(SERIES_COLOURS)]), 1.6))
            painter.drawPolyline(
                QPolygonF(
                    [
                        QPointF(
                            margin + (x - x0) / (x1 - x0) * width,
                            margin + (1 - (self._y(y) - low) / (high - low)) * height,
                        )
                        for x, y in values
                    ]
                )
            )

    def _range(self, values: list[tuple[float, float]]) -> tuple[float, float]:
        ys = [self._y(y) for _, y in values]
        low, high = min(ys), max(ys)
        return low, high if high > low else low + 1

    def _draw_legend(self, painter: QPainter) -> int:
        """'name: last value' for each series along the bottom, wrapping to more lines when narrow;
        returns the height it took."""
        metrics = painter.fontMetrics()
        entries = [f"{name}: {values[-1][1]:.4g}" for name, values in self.series.items()]
        if self.own_scales and len(entries) > 1:
            entries.append("(each curve on its own scale)")
        lines, x = 1, 8
        positions = []
        for entry in entries:
            width = metrics.horizontalAdvance(entry) + 16
            if x > 8 and x + width > self.width():
                lines, x = lines + 1, 8
            positions.append((x, lines))
            x += width
        top = self.height() - lines * metrics.height() - 2
        for index, (entry, (x, line)) in enumerate(zip(entries, positions)):
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)] if index < len(self.series) else None
            painter.setPen(QColor(colour) if colour else self.palette().placeholderText().color())
            painter.drawText(x, top + line * metrics.height() - metrics.descent(), entry)
        return lines * metrics.height() + 2
