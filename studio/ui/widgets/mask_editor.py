"""Where a picture may change: paint a mask on an image view or load one from a file (a form
editor for a `str | None` mask path field)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QWidget
from superqt import QLabeledSlider

from studio.core.images import load_mask
from studio.core.progress import JobError
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.forms import fill, push_button, row
from studio.ui.widgets.images import ImageView

NO_MASK = "No mask: the whole picture changes."


class MaskEditor(QWidget):
    """Paint / Load… / Clear for the mask shown on `view`. The value is the mask file last loaded
    (painting refines it; erasing it all clears it). `brush` and `hint` are for the form to place."""

    changed = Signal()

    def __init__(self, view: ImageView, start_folder: Callable[[], str], parent: QWidget | None = None):
        super().__init__(parent)
        self.view = view
        self.start_folder = start_folder
        self._path: str | None = None
        self.paint_button = push_button(
            "Paint", tip="Paint on the Before picture where the change should go (Shift+drag erases)"
        )
        self.paint_button.setCheckable(True)
        self.paint_button.toggled.connect(view.set_painting)
        load_button = push_button(
            "Load…", self._choose, "A greyscale picture: white areas change, black areas stay as they are"
        )
        clear_button = push_button("Clear", lambda: self.set_value(None), "Remove the mask: the whole picture changes")
        fill(self, row(self.paint_button, load_button, clear_button))
        self.brush = QLabeledSlider(Qt.Orientation.Horizontal)
        self.brush.setRange(2, 200)
        self.brush.setValue(view.brush_radius)
        self.brush.setToolTip("The size of the painting brush, in pixels of the picture")
        self.brush.valueChanged.connect(lambda radius: setattr(view, "brush_radius", radius))
        self.hint = QLabel(NO_MASK)
        self.hint.setObjectName("hint")
        view.mask_changed.connect(self._mask_changed)

    def value(self) -> str | None:
        return self._path

    def set_value(self, path: str | None) -> None:
        """Load the mask file `path` onto the view's picture (a file that does not fit gives a message), or clear it."""
        mask = None
        if path and self.view.image is not None:
            try:
                mask = load_mask(path, self.view.image.shape[:2])
            except JobError as error:
                show_error(self, f"The mask can't be used: {error}")
        self.view.set_mask(mask)
        self._path = path if mask is not None else None
        self.changed.emit()

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Mask picture", self.start_folder())
        if path:
            self.set_value(path)

    def _mask_changed(self) -> None:
        mask = self.view.mask()
        if mask is not None:
            self.hint.setText(f"The mask covers {mask.mean():.0%} of the picture.")
            return
        self.hint.setText(NO_MASK)
        if self._path is not None:
            self._path = None
            self.changed.emit()
