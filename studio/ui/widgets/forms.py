"""Small builders for parameter panels, buttons and layouts, so every tab's controls look and behave alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, SignalInstance
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QBoxLayout,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLayout,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from superqt import QLabeledDoubleSlider

# Controls whose value the mouse wheel changes.
WHEEL_CONTROLS = (QAbstractSpinBox, QAbstractSlider, QComboBox)

# In a row or column: empty space that takes the spare room, pushing what follows to the far end.
STRETCH = 1

Box = TypeVar("Box", bound=QBoxLayout)
Owner = TypeVar("Owner", bound=QWidget)
Item = QWidget | QLayout | tuple[QWidget | QLayout, int] | int


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


def push_button(
    text: str, clicked: Callable[..., object] | SignalInstance | None = None, tip: str = "", primary: bool = False
) -> QPushButton:
    """A button saying `text`, with the tooltip `tip`, that calls `clicked` (or emits it, a signal) when
    clicked; `primary`: the tab's main action, which the stylesheet makes stand out."""
    made = QPushButton(text)
    if primary:
        made.setObjectName("primary")
    if tip:
        made.setToolTip(tip)
    if clicked is not None:
        made.clicked.connect(clicked)
    return made


def row(*items: Item) -> QHBoxLayout:
    """Widgets or layouts side by side, left to right; an (item, stretch) pair shares out the spare
    width by its stretch (items without one keep their natural width), and a number alone (`STRETCH`)
    is empty space taking that share."""
    return _lay_out(QHBoxLayout(), items)


def column(*items: Item) -> QVBoxLayout:
    """Widgets or layouts one above the other, top to bottom; stretches as in `row`."""
    return _lay_out(QVBoxLayout(), items)


def _lay_out(layout: Box, items: tuple[Item, ...]) -> Box:
    for item in items:
        if isinstance(item, int):
            layout.addStretch(item)
            continue
        part, stretch = item if isinstance(item, tuple) else (item, 0)
        if isinstance(part, QLayout):
            layout.addLayout(part, stretch)
        else:
            layout.addWidget(part, stretch)
    return layout


def grid(*items: QWidget | tuple[QWidget, int], columns: int) -> QGridLayout:
    """Widgets in reading order, `columns` cells to a line; a (widget, cells) pair spans that many
    cells of its line."""
    layout = QGridLayout()
    cell = 0
    for item in items:
        widget, span = item if isinstance(item, tuple) else (item, 1)
        layout.addWidget(widget, *divmod(cell, columns), 1, span)
        cell += span
    return layout


def fill(widget: Owner, layout: QLayout) -> Owner:
    """Lay `widget` out with `layout`, edge to edge: a part of a larger view, whose layout spaces it."""
    layout.setContentsMargins(0, 0, 0, 0)
    widget.setLayout(layout)
    return widget


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
