"""Modes of one technique (Latent Explorer's VAE and GAN; Style's optimised transfer, and later fast
styles): a row of radio buttons that picks which page of controls shows."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QRadioButton, QStackedWidget, QWidget


class ModeSwitch(QWidget):
    """The radio row (this widget) and the pages it switches (`pages`, placed by the tab). The row
    hides itself while there is only one mode, so a tab can be built on it before its second mode."""

    changed = Signal(str)  # the new mode's key

    def __init__(self, caption: str = "Mode:", parent: QWidget | None = None):
        super().__init__(parent)
        self.pages = QStackedWidget()
        self._keys: list[str] = []
        self._group = QButtonGroup(self)
        self._group.idToggled.connect(self._toggled)
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.addWidget(QLabel(caption))
        self._row.addStretch(1)
        self.hide()

    def add_mode(self, key: str, title: str, tooltip: str, page: QWidget) -> None:
        button = QRadioButton(title)
        button.setToolTip(tooltip)
        self._group.addButton(button, len(self._keys))
        self._row.insertWidget(len(self._keys) + 1, button)
        self._keys.append(key)
        self.pages.addWidget(page)
        if len(self._keys) == 1:
            button.setChecked(True)
        self.setVisible(len(self._keys) > 1)

    @property
    def mode(self) -> str:
        return self._keys[self.pages.currentIndex()]

    def set_mode(self, key: str) -> None:
        if key in self._keys:
            self._group.button(self._keys.index(key)).setChecked(True)

    def _toggled(self, index: int, on: bool) -> None:
        if on:
            self.pages.setCurrentIndex(index)
            self.changed.emit(self._keys[index])
