"""Small builders for parameter panels, so every tab's controls look and behave alike."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox, QScrollArea, QSpinBox, QSplitter, QWidget
from superqt import QLabeledDoubleSlider


def spin(low: int, high: int, step: int = 1) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setSingleStep(step)
    return box


def double_spin(low: float, high: float, step: float, decimals: int) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setDecimals(decimals)
    return box


def labeled_slider(low: float, high: float, decimals: int = 2) -> QLabeledDoubleSlider:
    slider = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
    slider.setRange(low, high)
    slider.setDecimals(decimals)
    slider.setSingleStep(10**-decimals)
    return slider


def side_panel(panel: QWidget, min_width: int | None = None) -> QScrollArea:
    """`panel` in a vertical scroll area wide enough that its controls are never clipped."""
    scroll = QScrollArea()
    scroll.setWidget(panel)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    fitted = panel.sizeHint().width() + scroll.verticalScrollBar().sizeHint().width() + 8
    scroll.setMinimumWidth(max(fitted, min_width or 0))
    return scroll


def work_and_controls(work: QWidget, controls: QWidget, controls_first: bool = False) -> QSplitter:
    """The work area and its controls side by side; the work area takes three quarters of any extra room."""
    splitter = QSplitter()
    for widget in (controls, work) if controls_first else (work, controls):
        splitter.addWidget(widget)
    splitter.setStretchFactor(splitter.indexOf(work), 3)
    splitter.setStretchFactor(splitter.indexOf(controls), 1)
    return splitter
