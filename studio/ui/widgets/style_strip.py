"""The style pictures of a style transfer: a thumbnail each, with its blend weight, where it paints
when the picture has a mask, and a button to remove it; drop files (or press Add) to add more.

`blend_field` and `regions_field` are form editors for `StyleParams.style_blend` and
`style_regions`, so the parameter form reads and restores them with the other settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.images import fit_within, load_image
from studio.core.params.style import REGIONS
from studio.core.progress import JobError
from studio.ui.settings import Settings
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.forms import column, fill, labeled_slider, push_button, row
from studio.ui.widgets.images import AcceptsFileDrops, to_qimage

IMAGE_PATTERNS = "Pictures (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff *.gif)"
THUMB_SIDE = 72
COLUMNS = 2
REGION_LABELS = {"inside": "Inside mask", "outside": "Outside mask"}


class StyleThumb(QFrame):
    """One style picture: a thumbnail, its blend weight, its region, and a button to remove it."""

    remove_requested = Signal(object)

    def __init__(self, rgb: np.ndarray, name: str, with_region: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.rgb = rgb
        self.name = name
        self.setFrameShape(QFrame.Shape.StyledPanel)
        picture = QLabel()
        picture.setPixmap(QPixmap.fromImage(to_qimage(fit_within(rgb, THUMB_SIDE))))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        picture.setFixedSize(THUMB_SIDE, THUMB_SIDE)
        picture.setToolTip(f"{name} · {rgb.shape[1]} × {rgb.shape[0]}")
        remove = QToolButton()
        remove.setText("✕")
        remove.setToolTip(f"Remove {name}")
        remove.clicked.connect(lambda: self.remove_requested.emit(self))
        self.region = QComboBox()
        for key, label in REGION_LABELS.items():
            self.region.addItem(label, key)
        self.region.setToolTip("Where this style paints when the content has a mask: inside it or outside it")
        self.blend = labeled_slider(0.0, 1.0)
        self.blend.setValue(1.0)
        self.blend.setToolTip("How much of this style goes into the blend with the others painting the same region")
        side = QVBoxLayout()
        side.addWidget(remove, 0, Qt.AlignmentFlag.AlignRight)
        side.addStretch(1)
        top = row(picture, (side, 1))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        if with_region:
            layout.addWidget(self.region)
        layout.addWidget(self.blend)


class StripField(QObject):
    """A form editor made of two functions, for a value the strip's thumbnails hold together."""

    changed = Signal()

    def __init__(self, read: Callable[[], Any], write: Callable[[Any], None], check: Callable[[Any], None], parent):
        super().__init__(parent)
        self.value, self.set_value, self.check = read, write, check


class StyleStrip(AcceptsFileDrops, QWidget):
    """The style pictures, two to a row; drop files on it (or press Add style…) to add more.
    Without `with_regions` the thumbnails offer no region (a style model paints the whole picture)."""

    files_dropped = Signal(list)
    changed = Signal()

    def __init__(self, parent: QWidget | None = None, with_regions: bool = True):
        super().__init__(parent)
        self.with_regions = with_regions
        self.setAcceptDrops(True)
        self.thumbs: list[StyleThumb] = []
        self.add_button = push_button(
            "Add style…", tip="Add style pictures (or drop them here); their looks are blended"
        )
        self.hint = QLabel("Drop style pictures here")
        self.hint.setObjectName("hint")
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        fill(self, column(row((self.hint, 1), self.add_button), self._grid))
        self.blend_field = StripField(self.blend, self._set_blend, _numbers_checker(0.0, 1.0), self)
        self.regions_field = StripField(self.regions, self._set_regions, _regions_checker, self)
        self.changed.connect(self.blend_field.changed)
        self.changed.connect(self.regions_field.changed)

    def add(self, rgb: np.ndarray, name: str, blend: float = 1.0) -> StyleThumb:
        thumb = StyleThumb(rgb, name, self.with_regions)
        thumb.blend.setValue(blend)
        thumb.blend.valueChanged.connect(lambda _value: self.changed.emit())
        thumb.region.currentIndexChanged.connect(lambda _index: self.changed.emit())
        thumb.remove_requested.connect(self.remove)
        self.thumbs.append(thumb)
        self._lay_out()
        return thumb

    def take_files(self, settings: Settings) -> None:
        """Add the pictures dropped on the strip or chosen with Add style… (a file that cannot be used
        says why); `settings` remembers their folder."""
        self._settings = settings
        self.files_dropped.connect(self.add_paths)
        self.add_button.clicked.connect(self.add_dialog)

    def add_paths(self, paths: list[str]) -> None:
        for path in paths:
            try:
                self.add(load_image(path), Path(path).name)
            except JobError as error:
                show_error(self, f"That style picture can't be used: {error}")
            else:
                self._settings.set_last_folder("style-styles", path)

    def add_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Add style pictures", self._settings.last_folder("style-styles"), IMAGE_PATTERNS
        )
        self.add_paths(paths)

    def remove(self, thumb: StyleThumb) -> None:
        self.thumbs.remove(thumb)
        self._grid.removeWidget(thumb)
        thumb.deleteLater()
        self._lay_out()

    def _lay_out(self) -> None:
        for index, thumb in enumerate(self.thumbs):
            self._grid.addWidget(thumb, *divmod(index, COLUMNS))
        self.hint.setText("Drop more style pictures here" if self.thumbs else "Drop style pictures here")
        self.changed.emit()

    def pictures(self) -> list[np.ndarray]:
        return [thumb.rgb for thumb in self.thumbs]

    def names(self) -> list[str]:
        return [thumb.name for thumb in self.thumbs]

    def blend(self) -> tuple[float, ...]:
        return tuple(round(thumb.blend.value(), 3) for thumb in self.thumbs)

    def regions(self) -> tuple[str, ...]:
        return tuple(thumb.region.currentData() for thumb in self.thumbs)

    def set_regions_enabled(self, on: bool) -> None:
        """Regions mean something only while the content has a mask."""
        for thumb in self.thumbs:
            thumb.region.setEnabled(on)

    def _set_blend(self, blend: tuple[float, ...]) -> None:
        for thumb, weight in zip(self.thumbs, blend):
            thumb.blend.setValue(weight)

    def _set_regions(self, regions: tuple[str, ...]) -> None:
        for thumb, region in zip(self.thumbs, regions):
            thumb.region.setCurrentIndex(max(thumb.region.findData(region), 0))


def _numbers_checker(low: float, high: float) -> Callable[[Any], None]:
    def check(values: Any) -> None:
        if not isinstance(values, (tuple, list)) or not all(
            isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high for value in values
        ):
            raise ValueError(f"blend weights must be numbers from {low} to {high}")

    return check


def _regions_checker(values: Any) -> None:
    if not isinstance(values, (tuple, list)) or not set(values) <= set(REGIONS):
        raise ValueError(f"style regions must each be one of: {', '.join(REGIONS)}")
