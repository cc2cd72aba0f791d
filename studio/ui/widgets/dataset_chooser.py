"""Where a model's training pictures come from: a shipped set or a folder of the user's own."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel, QWidget

from studio.core.catalog import SHIPPED_DATASETS
from studio.ui.settings import Settings
from studio.ui.widgets.forms import column, fill

FOLDER_CHOICE = "Folder…"


def short_title(title: str) -> str:
    """ "Faces (100 greyscale faces from LFW, offline)" -> "Faces": the combo stays narrow, the rest shows below."""
    return title.split(" (", 1)[0]


class DatasetChooser(QWidget):
    """A shipped set or a folder, with a line saying what it is: the form's editor for `dataset`
    (`value()`, `set_value()`, `check()`, `changed`). Folders chosen or dropped join the list."""

    changed = Signal()

    def __init__(
        self,
        settings: Settings,
        purpose: str,
        parent: QWidget | None = None,
        shipped: dict[str, str] | None = None,
    ):
        super().__init__(parent)
        self.settings = settings
        self.purpose = purpose  # the key under which the last folder is remembered
        self.shipped = SHIPPED_DATASETS if shipped is None else shipped  # name -> "Title (what it is)"
        self.combo = QComboBox()
        for name, title in self.shipped.items():
            self.combo.addItem(short_title(title), name)
            self.combo.setItemData(self.combo.count() - 1, title, Qt.ItemDataRole.ToolTipRole)
        self.combo.addItem(FOLDER_CHOICE, "")
        self.about = QLabel()
        self.about.setObjectName("hint")
        self.about.setWordWrap(True)
        fill(self, column(self.combo, self.about))
        self._shown_index = 0
        self.combo.currentIndexChanged.connect(self._index_changed)
        self.combo.activated.connect(self._activated)
        self._index_changed(0)

    def value(self) -> str:
        return self.combo.itemData(self._shown_index)

    def set_value(self, source: str) -> None:
        """Show a shipped set by name or a folder by path (added to the list once)."""
        self.check(source)
        index = self.combo.findData(source)
        if index < 0:
            index = self.combo.findData("")  # folders sit above "Folder…"
            self.combo.insertItem(index, f"Folder: {Path(source).name}", source)
            self.combo.setItemData(index, source, Qt.ItemDataRole.ToolTipRole)
        self.combo.setCurrentIndex(index)

    def check(self, source: object) -> None:
        if not isinstance(source, str) or not source:
            raise ValueError(f"Pictures: {source!r} is neither a shipped set nor a folder")

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of pictures", self.settings.last_folder(self.purpose))
        if folder:
            self.use_folder(folder)
        else:
            self.combo.setCurrentIndex(self._shown_index)

    def use_folder(self, folder: str) -> None:
        self.settings.set_last_folder(self.purpose, folder)
        self.set_value(folder)

    def _activated(self, index: int) -> None:
        if self.combo.itemData(index) == "":
            self.choose_folder()

    def _index_changed(self, index: int) -> None:
        source = self.combo.itemData(index)
        if not source:
            return  # "Folder…" while its dialog is open: the value stays what it was
        self._shown_index = index
        text, tooltip = self.describe(source)
        self.about.setText(text)
        self.about.setToolTip(tooltip)
        self.changed.emit()

    def describe(self, source: str) -> tuple[str, str]:
        """(the line under the combo, its tooltip) for a shipped set or a folder."""
        detail = self.shipped[source].partition(" (")[2].rstrip(")") if source in self.shipped else ""
        text = detail[:1].upper() + detail[1:] if detail else f"The pictures in {Path(source).name}"
        return text, "" if source in self.shipped else source
