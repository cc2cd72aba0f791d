"""The gallery of trained style models: each `.keras` file of the models folder as a thumbnail (what
the model paints of a fixed picture) with its name; a click chooses it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem, QWidget

THUMB_SIDE = 96
THUMBNAILS = ".thumbnails"  # a hidden folder beside the models, so no name of the user's is taken


def thumbnail_path(model: Path) -> Path:
    return model.parent / THUMBNAILS / f"{model.stem}.png"


def thumbnail_current(model: Path) -> bool:
    """Whether the model's thumbnail exists and is newer than the model (a model trained on is not)."""
    thumbnail = thumbnail_path(model)
    try:
        return thumbnail.stat().st_mtime >= model.stat().st_mtime
    except OSError:
        return False


class StyleGallery(QListWidget):
    """The models of `folder`, as thumbnails that wrap in rows; `model_clicked(path)` on a click."""

    model_clicked = Signal(Path)

    def __init__(self, folder: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.folder = folder
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(QSize(THUMB_SIDE, THUMB_SIDE))
        self.setGridSize(QSize(THUMB_SIDE + 16, THUMB_SIDE + 24))
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setMinimumHeight(THUMB_SIDE + 40)
        self.itemClicked.connect(lambda item: self.model_clicked.emit(item.data(Qt.ItemDataRole.UserRole)))

    def models(self) -> list[Path]:
        try:
            return sorted(
                (path for path in self.folder.glob("*.keras") if path.is_file()), key=lambda p: p.name.lower()
            )
        except OSError:
            return []

    def refresh(self) -> list[Path]:
        """Show the folder's models again (keeping the chosen one chosen); returns those whose
        thumbnail is missing or older than the model, to paint."""
        chosen = self.chosen()
        self.clear()
        stale = []
        for model in self.models():
            item = QListWidgetItem(model.stem)
            item.setData(Qt.ItemDataRole.UserRole, model)
            item.setToolTip(f"{model.name}: click to paint the Content picture with it")
            if thumbnail_path(model).exists():  # an old thumbnail shows until the new one is painted
                item.setIcon(QIcon(str(thumbnail_path(model))))
            else:
                item.setIcon(_blank_icon())
            if not thumbnail_current(model):
                stale.append(model)
            self.addItem(item)
            if model == chosen:
                self.setCurrentItem(item)
        return stale

    def chosen(self) -> Path | None:
        item = self.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def choose(self, model: Path) -> None:
        for index in range(self.count()):
            if self.item(index).data(Qt.ItemDataRole.UserRole) == model:
                self.setCurrentRow(index)


def _blank_icon() -> QIcon:
    pixmap = QPixmap(THUMB_SIDE, THUMB_SIDE)
    pixmap.fill(QColor(128, 128, 128, 60))
    return QIcon(pixmap)
