"""The strip of a session's results: a thumbnail for each (its recipe in the tooltip), click one to
view it, "Continue from this one" to go on from it, and where the history folder is, with Copy Path.

It shows `studio.core.history.HistoryEntry` objects; the tab keeps the `History` they belong to.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from studio.core.history import HistoryEntry
from studio.ui.widgets.forms import push_button
from studio.ui.widgets.images import to_qimage

ICON = QSize(72, 54)
_STAMP = re.compile(r"^(\d{8}-\d{6})-")


class HistoryStrip(QWidget):
    """Thumbnails of `HistoryEntry`s, oldest left. `defaults` (the technique's default parameters
    as a dict) lets tooltips name only the settings an entry changed."""

    entry_chosen = Signal(object)  # HistoryEntry: the user clicked it, to view it
    continue_requested = Signal(object)  # HistoryEntry: go on from it
    path_copied = Signal(str)

    def __init__(self, folder: Path, defaults: dict[str, Any], parent: QWidget | None = None):
        super().__init__(parent)
        self.folder = folder
        self.defaults = defaults
        self._items: dict[int, QListWidgetItem] = {}
        self.list = QListWidget()
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setFlow(QListView.Flow.LeftToRight)
        self.list.setWrapping(False)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setIconSize(ICON)
        self.list.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setFixedHeight(ICON.height() + 44)
        self.list.setToolTip("This session's results: click one to view it in the After view (Ctrl+Z steps back)")
        self.list.itemClicked.connect(lambda item: self.entry_chosen.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.list.currentItemChanged.connect(lambda *_: self._refresh())
        self._build_side()

    def _build_side(self) -> None:
        self.continue_button = push_button(
            "Continue from this one", self._continue, "Take this picture's settings and go on from the picture itself"
        )
        self.path_label = QLabel()
        self.path_label.setObjectName("hint")
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.path_label.setToolTip(f"Every finished picture is kept here: {self.folder}")
        copy = push_button(
            "Copy Path",
            self.copy_path,
            "Copy the history folder's path, to paste it in a file manager or an Open dialog",
        )
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 0, 0, 3, 1)
        layout.addWidget(self.continue_button, 0, 1)
        layout.addWidget(self.path_label, 1, 1)
        layout.addWidget(copy, 2, 1)
        layout.setColumnStretch(0, 1)
        self.path_label.setFixedWidth(self.continue_button.sizeHint().width())
        self._show_path()
        self._refresh()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._show_path()

    def _show_path(self) -> None:
        text = f"History: {self.folder}"
        metrics = self.path_label.fontMetrics()
        self.path_label.setText(metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, self.path_label.width()))

    # -- entries --------------------------------------------------------------------------------------
    def set_entries(self, entries: list[HistoryEntry]) -> None:
        self.list.clear()
        self._items.clear()
        for entry in entries:
            self.add(entry)

    def add(self, entry: HistoryEntry) -> None:
        item = QListWidgetItem(QIcon(QPixmap.fromImage(to_qimage(entry.thumbnail))), _when(entry))
        item.setData(Qt.ItemDataRole.UserRole, entry)
        item.setToolTip(self.describe(entry))
        item.setSizeHint(QSize(ICON.width() + 12, ICON.height() + 26))
        self.list.addItem(item)
        self._items[id(entry)] = item
        self.list.scrollToItem(item)

    def remove(self, entry: HistoryEntry) -> None:
        item = self._items.pop(id(entry), None)
        if item is not None:
            self.list.takeItem(self.list.row(item))

    def select(self, entry: HistoryEntry | None) -> None:
        """Mark the entry the view shows (None: none)."""
        item = self._items.get(id(entry)) if entry is not None else None
        self.list.setCurrentItem(item)
        if item is None:
            self.list.clearSelection()
        else:
            self.list.scrollToItem(item)
        self._refresh()

    def current(self) -> HistoryEntry | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None and item.isSelected() else None

    def describe(self, entry: HistoryEntry) -> str:
        """The tooltip: the file, and the settings that differ from the defaults."""
        changed = [
            f"{name.replace('_', ' ')} {_short(value)}"
            for name, value in entry.params.items()
            if name in self.defaults and value != self.defaults[name]
        ]
        lines = [entry.name, " · ".join(changed) or "default settings"]
        if entry.recipe.get("stopped_at"):
            lines.append(f"stopped at {entry.recipe['stopped_at']}")
        return "\n".join(lines)

    def copy_path(self) -> None:
        QGuiApplication.clipboard().setText(str(self.folder))
        self.path_copied.emit(str(self.folder))

    def _continue(self) -> None:
        if (entry := self.current()) is not None:
            self.continue_requested.emit(entry)

    def _refresh(self) -> None:
        self.continue_button.setEnabled(self.current() is not None)


def _when(entry: HistoryEntry) -> str:
    """When the entry was made, from its file name ("14:03", or "3 Mar 14:03" on another day)."""
    match = _STAMP.match(entry.path.name) if entry.path is not None else None
    if match is None:
        return "now"
    made = time.strptime(match.group(1), "%Y%m%d-%H%M%S")
    return time.strftime("%H:%M" if made[:3] == time.localtime()[:3] else "%d %b %H:%M", made)


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(
            f"{key} {weight:g}" if isinstance(weight, (int, float)) else key for key, weight in value.items()
        )
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
