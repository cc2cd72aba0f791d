"""Where one side of a CycleGAN learns from: a demo collection, a folder, or several pictures."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from studio.core.params.cyclegan import DEMO_COLLECTIONS
from studio.ui.settings import Settings
from studio.ui.widgets.dataset_chooser import DatasetChooser
from studio.ui.widgets.images import AcceptsFileDrops

PICTURES_CHOICE = "Pictures…"
PATTERNS = "Pictures (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff)"


class CollectionChooser(AcceptsFileDrops, DatasetChooser):
    """The form's editor for a collection (a tuple of sources): the demo collections first, then
    folders and groups of pictures chosen or dropped on it, "Folder…" and "Pictures…"."""

    files_dropped = Signal(list)

    def __init__(self, settings: Settings, purpose: str, parent: QWidget | None = None):
        super().__init__(settings, purpose, parent, shipped=DEMO_COLLECTIONS)
        self.combo.addItem(PICTURES_CHOICE, ())
        self.setAcceptDrops(True)
        self.files_dropped.connect(self.use_paths)

    def value(self) -> tuple[str, ...]:
        source = self.combo.itemData(self._shown_index)
        return source if isinstance(source, tuple) else (source,)

    def set_value(self, sources: tuple[str, ...]) -> None:
        self.check(sources)
        if len(sources) == 1:
            super().set_value(sources[0])
            return
        sources = tuple(sources)
        index = next((i for i in range(self.combo.count()) if self.combo.itemData(i) == sources), -1)
        if index < 0:
            index = self.combo.findData("")  # above "Folder…" and "Pictures…"
            self.combo.insertItem(index, f"{len(sources)} pictures", tuple(sources))
            self.combo.setItemData(index, "\n".join(sources), Qt.ItemDataRole.ToolTipRole)
        self.combo.setCurrentIndex(index)

    def check(self, sources: object) -> None:
        """Accepts a collection, or one source (a folder chosen with the chooser's own dialog)."""
        if isinstance(sources, str):
            super().check(sources)
        elif (
            not isinstance(sources, (tuple, list)) or not sources or not all(isinstance(s, str) and s for s in sources)
        ):
            raise ValueError(f"Collection: {sources!r} is neither a demo set, a folder nor a list of pictures")

    def use_paths(self, paths: list[str]) -> None:
        """Chosen or dropped paths: one folder is that folder; files (or several folders) are the collection."""
        self.settings.set_last_folder(self.purpose, paths[0])
        self.set_value(tuple(paths))

    def choose_pictures(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Pictures", self.settings.last_folder(self.purpose), PATTERNS)
        if paths:
            self.use_paths(paths)
        else:
            self.combo.setCurrentIndex(self._shown_index)

    def describe(self, source: str | tuple[str, ...]) -> tuple[str, str]:
        if isinstance(source, tuple):
            names = ", ".join(Path(path).name for path in source[:3])
            return f"{len(source)} pictures: {names}{', …' if len(source) > 3 else ''}", "\n".join(source)
        return super().describe(source)

    def _activated(self, index: int) -> None:
        if self.combo.itemData(index) == ():
            self.choose_pictures()
        else:
            super()._activated(index)
