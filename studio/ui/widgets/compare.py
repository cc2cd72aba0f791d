"""Comparing a picture with what became of it: Before and After side by side, their zoom and pan
moving together, or one over the other with a wipe line; a bar to switch, fit, zoom to 100% and
drag the After picture out of the app."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QSlider, QToolButton, QWidget

from studio.ui.widgets.drag_out import DragOutButton
from studio.ui.widgets.forms import STRETCH, column, fill, row
from studio.ui.widgets.images import ImageView

DROP_HINT = "Drop a picture here, or paste one (Ctrl+V)"


class BeforeAfterView(QWidget):
    """`before` and `after` image views with titles, and a bar below them (`bar`)."""

    files_dropped = Signal(list)

    def __init__(
        self,
        before_title: str = "Before",
        after_title: str = "After",
        after_placeholder: str = "The result appears here",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.before = ImageView("Drop a picture here,\nor paste one (Ctrl+V)", drop_hint=DROP_HINT)
        self.after = ImageView(after_placeholder)
        self.before_title, self.after_title = QLabel(before_title), QLabel(after_title)
        self._captions = (before_title, after_title)
        self._linking = False
        views = QGridLayout()
        views.setContentsMargins(0, 0, 0, 0)
        for side, (title, view) in enumerate(((self.before_title, self.before), (self.after_title, self.after))):
            views.addWidget(title, 0, side)
            views.addWidget(view, 1, side)
            views.setColumnStretch(side, 1)
            view.files_dropped.connect(self.files_dropped)
        views.setRowStretch(1, 1)
        fill(self, column((views, 1), self._build_bar()))
        self._link(self.before, self.after)
        self._link(self.after, self.before)
        self.before.image_changed.connect(self._refresh_overlay)
        self.before.painting_changed.connect(lambda on: on and self.set_wipe_mode(False))

    def _build_bar(self) -> QWidget:
        self.bar = QWidget()
        self.wipe_button = QToolButton()
        self.wipe_button.setText("Wipe")
        self.wipe_button.setCheckable(True)
        self.wipe_button.setToolTip("Show Before over After in one view, split by a line: slide it to compare")
        self.wipe_button.toggled.connect(self.set_wipe_mode)
        self.wipe_slider = QSlider(Qt.Orientation.Horizontal)
        self.wipe_slider.setRange(0, 1000)
        self.wipe_slider.setValue(500)
        self.wipe_slider.setToolTip("Where the line between Before (left) and After (right) is")
        self.wipe_slider.valueChanged.connect(lambda value: self.after.set_wipe(value / 1000))
        self.wipe_slider.hide()
        fit = QToolButton()
        fit.setText("Fit")
        fit.setToolTip("Show the whole picture (or double-click it)")
        fit.clicked.connect(self.fit)
        actual = QToolButton()
        actual.setText("100%")
        actual.setToolTip("One pixel of the picture to one pixel of the screen (the wheel zooms, a drag pans)")
        actual.clicked.connect(self.actual_size)
        self.drag_button = DragOutButton(lambda: None)
        return fill(self.bar, row(self.wipe_button, (self.wipe_slider, 1), STRETCH, fit, actual, self.drag_button))

    def set_drag_source(self, source: Callable[[], QMimeData | None]) -> None:
        """What dragging the After picture (or the Drag out button) carries out of the app."""
        self.after.drag_source = source
        self.drag_button.source = source

    def set_captions(self, before: str, after: str) -> None:
        """The titles above the two pictures (what they are, their sizes)."""
        self._captions = (before, after)
        self.before_title.setText(before)
        self.after_title.setText(f"{before}   ◀ wipe ▶   {after}" if self.wipe_button.isChecked() else after)

    @property
    def wipe_mode(self) -> bool:
        return self.wipe_button.isChecked()

    def set_wipe_mode(self, on: bool) -> None:
        """One view with Before over the left of After (on), or the two side by side."""
        self.wipe_button.setChecked(on)
        self.wipe_slider.setVisible(on)
        self.before.setVisible(not on)
        self.before_title.setVisible(not on)
        self._refresh_overlay()
        self.set_captions(*self._captions)

    def _refresh_overlay(self) -> None:
        picture = self.before.image if self.wipe_mode else None
        self.after.set_overlay(picture)
        self.after.set_wipe(self.wipe_slider.value() / 1000)

    def fit(self) -> None:
        self.after.fit()
        self.before.fit()

    def actual_size(self) -> None:
        (self.after if self.after.zoom_percent() is not None else self.before).actual_size()

    def _link(self, source: ImageView, target: ImageView) -> None:
        source.horizontalScrollBar().valueChanged.connect(target.horizontalScrollBar().setValue)
        source.verticalScrollBar().valueChanged.connect(target.verticalScrollBar().setValue)
        source.zoomed.connect(lambda scale: self._follow(source, target, scale))

    def _follow(self, source: ImageView, target: ImageView, scale: float) -> None:
        """The other view follows a zoom: fitted if the source fits its picture, else the same scale."""
        if self._linking:
            return
        self._linking = True
        try:
            target.fit() if source.fitting else target.set_zoom(scale)
        finally:
            self._linking = False
