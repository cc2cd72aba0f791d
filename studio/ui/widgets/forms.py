"""Small builders for parameter panels, so every tab's controls look and behave alike."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLayout,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QWidget,
)
from superqt import QLabeledDoubleSlider

# Controls whose value the mouse wheel changes.
WHEEL_CONTROLS = (QAbstractSpinBox, QAbstractSlider, QComboBox)


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


class WheelGuard(QObject):
    """In a scrolled panel, the mouse wheel over a spin box, slider or combo box scrolls the panel
    unless that control has focus (click it first to change it with the wheel): scrolling down a
    panel must never change a setting the pointer happens to pass over.

    It watches every widget inside the panel, those added later too (a network's layer sliders)."""

    def __init__(self, scroll: QScrollArea):
        super().__init__(scroll)
        self.scroll = scroll

    def watch(self, widget: QWidget) -> None:
        for each in (widget, *widget.findChildren(QWidget)):
            each.installEventFilter(self)
            if isinstance(each, WHEEL_CONTROLS):
                each.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # no focus from the wheel itself

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ChildAdded and event.child().isWidgetType():
            self.watch(event.child())
        elif kind == QEvent.Type.Polish and isinstance(watched, WHEEL_CONTROLS):
            watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a control still being built at ChildAdded
        elif kind == QEvent.Type.Wheel and isinstance(watched, WHEEL_CONTROLS) and not watched.hasFocus():
            QCoreApplication.sendEvent(self.scroll.verticalScrollBar(), event)
            return True
        return False


def row(*items: QWidget | QLayout | tuple[QWidget | QLayout, int]) -> QHBoxLayout:
    """Widgets or layouts side by side, left to right; an (item, stretch) pair shares out the spare
    width by its stretch (items without one keep their natural width)."""
    layout = QHBoxLayout()
    for item in items:
        part, stretch = item if isinstance(item, tuple) else (item, 0)
        if isinstance(part, QLayout):
            layout.addLayout(part, stretch)
        else:
            layout.addWidget(part, stretch)
    return layout


def side_panel(panel: QWidget, min_width: int | None = None) -> QScrollArea:
    """`panel` in a vertical scroll area wide enough that its controls are never clipped; the mouse
    wheel scrolls it rather than changing the control under the pointer (see `WheelGuard`)."""
    scroll = QScrollArea()
    scroll.setWidget(panel)
    WheelGuard(scroll).watch(panel)
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
