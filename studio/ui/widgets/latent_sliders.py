"""A slider per axis of a latent space (a VAE's dimensions or a GAN's principal directions), as
used by both explorers of the Latent Explorer."""

from __future__ import annotations

from functools import partial

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QWidget
from superqt import QLabeledDoubleSlider

from studio.ui.widgets.forms import labeled_slider

SPREADS_REACHED = 3.0  # a slider reaches this many spreads of the model's codes either side


class LatentSliderBox(QGroupBox):
    """Sliders over an explorer's axes (`slider_names`, `spread`: see
    `studio.engines.latent.LatentSliders`). `moved(index, value)` when the user moves one;
    `released()` when the user lets go of one (an edit is done)."""

    moved = Signal(int, float)
    released = Signal()

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(title, parent)
        self.form = QFormLayout(self)
        self.sliders: list[QLabeledDoubleSlider] = []

    def set_axes(self, names: list[str], spread: np.ndarray, notes: list[str] | None = None) -> None:
        """One slider per axis, reaching about three spreads of the model's codes either side;
        `notes` become the sliders' tooltips."""
        while self.form.rowCount():
            self.form.removeRow(0)
        self.sliders = []
        for index, name in enumerate(names):
            slider = labeled_slider(-1.0, 1.0)
            reach = max(SPREADS_REACHED * float(spread[index]), 1.0)
            slider.setRange(-reach, reach)
            slider.valueChanged.connect(partial(self._moved, index))
            slider.sliderReleased.connect(self.released)
            if notes:
                slider.setToolTip(notes[index])
            self.form.addRow(name, slider)
            self.sliders.append(slider)

    def _moved(self, index: int, value: float) -> None:
        self.moved.emit(index, float(value))

    def show_values(self, values: np.ndarray) -> None:
        """Put the sliders where a code sits, without reporting it as a move."""
        for slider, value in zip(self.sliders, values):
            slider.blockSignals(True)
            slider.setValue(round(float(value), 2))  # float noise along unused axes would read as 3e-09
            slider.blockSignals(False)
