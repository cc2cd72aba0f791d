"""The shipped painterly style presets as a row of clickable thumbnails: a click offers the preset
as a style picture (to the optimised transfer, or to a style model being trained)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from studio.core.images import fit_within
from studio.core.style_presets import load_preset, preset_names, preset_title
from studio.ui.widgets.images import to_qimage

ICON_SIDE = 40


class PresetRow(QWidget):
    """A caption and one button per preset; `chosen(picture, name)` when one is clicked."""

    chosen = Signal(object, str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(QLabel("Presets:"))
        self.buttons: dict[str, QToolButton] = {}
        for name in preset_names():
            button = QToolButton()
            button.setIcon(QIcon(QPixmap.fromImage(to_qimage(fit_within(load_preset(name), ICON_SIDE)))))
            button.setIconSize(QSize(ICON_SIDE, ICON_SIDE))
            button.setToolTip(f"Add the {preset_title(name)} preset as a style picture")
            button.setAutoRaise(True)
            button.clicked.connect(lambda _checked=False, name=name: self.choose(name))
            layout.addWidget(button)
            self.buttons[name] = button
        layout.addStretch(1)

    def choose(self, name: str) -> None:
        self.chosen.emit(load_preset(name), preset_label(name))


def preset_label(name: str) -> str:
    """How a preset is named among the style pictures."""
    return f"{preset_title(name)} (preset)"
