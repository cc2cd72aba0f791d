"""Modes of one technique (Latent Explorer's VAE and GAN; Style's optimised transfer, and later fast
styles): a row of radio buttons that picks which page of controls shows."""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QButtonGroup, QLabel, QRadioButton, QVBoxLayout, QWidget

from studio.ui.widgets.forms import STRETCH, fill, row


class ShownPageStack(QWidget):
    """Pages of which one shows, the stack as tall as that page. (A QStackedWidget takes its tallest
    page's height, and its height-for-width always does: a short page was pulled apart to a tall
    one's height, and the scrolled side panel scrolled through blank space.) It is as wide as its
    widest page, so the panel fits every mode's controls."""

    currentChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._pages: list[QWidget] = []
        self._current = -1
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def addWidget(self, page: QWidget) -> int:
        self._pages.append(page)
        self._layout.addWidget(page)
        if self._current < 0:
            self._current = 0
        else:
            page.hide()
        return len(self._pages) - 1

    def sizeHint(self) -> QSize:
        return self._widest(super().sizeHint(), lambda page: page.sizeHint())

    def minimumSizeHint(self) -> QSize:
        return self._widest(super().minimumSizeHint(), lambda page: page.minimumSizeHint())

    def _widest(self, size: QSize, page_size) -> QSize:
        return QSize(max([size.width(), *(page_size(page).width() for page in self._pages)]), size.height())

    def count(self) -> int:
        return len(self._pages)

    def widget(self, index: int) -> QWidget | None:
        return self._pages[index] if 0 <= index < len(self._pages) else None

    def currentIndex(self) -> int:
        return self._current

    def currentWidget(self) -> QWidget | None:
        return self.widget(self._current)

    def setCurrentIndex(self, index: int) -> None:
        if index != self._current and 0 <= index < len(self._pages):
            self._pages[self._current].hide()
            self._current = index
            self._pages[index].show()
            self.currentChanged.emit(index)


class ModeSwitch(QWidget):
    """The radio row (this widget) and the pages it switches (`pages`, placed by the tab). The row
    hides itself while there is only one mode, so a tab can be built on it before its second mode."""

    changed = Signal(str)  # the new mode's key

    def __init__(self, caption: str = "Mode:", parent: QWidget | None = None):
        super().__init__(parent)
        self.pages = ShownPageStack()
        self._keys: list[str] = []
        self._group = QButtonGroup(self)
        self._group.idToggled.connect(self._toggled)
        self._row = row(QLabel(caption), STRETCH)
        fill(self, self._row)
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
