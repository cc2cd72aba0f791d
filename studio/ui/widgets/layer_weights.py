"""A weight slider per layer of a network: a form editor for a `dict[str, float]` of layer weights."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QWidget
from superqt import QLabeledDoubleSlider


class LayerWeights(QWidget):
    """One slider per layer of the current network; weight 0 leaves a layer out.

    The value is the weights of the layers shown that are above 0. Weights of layers not shown
    (a network whose layers are still being read) are kept until `set_layers` shows them.
    """

    changed = Signal()

    def __init__(self, maximum: float = 3.0, parent: QWidget | None = None):
        super().__init__(parent)
        self.maximum = maximum
        self._form = QFormLayout(self)
        self._form.setContentsMargins(0, 0, 0, 0)
        self.sliders: dict[str, QLabeledDoubleSlider] = {}
        self._weights: dict[str, float] = {}

    def set_layers(self, names: tuple[str, ...]) -> None:
        """Show a slider for each of `names`, at its kept weight (0 for a layer not weighted yet)."""
        while self._form.rowCount():
            self._form.removeRow(0)
        self.sliders = {}
        for name in names:
            slider = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
            slider.setRange(0.0, self.maximum)
            slider.setSingleStep(0.1)
            slider.setDecimals(1)
            slider.setValue(self._weights.get(name, 0.0))
            slider.setToolTip(self.toolTip())
            slider.valueChanged.connect(lambda weight, layer=name: self._slid(layer, weight))
            self._form.addRow(name, slider)
            self.sliders[name] = slider

    def value(self) -> dict[str, float]:
        return {
            name: round(self._weights.get(name, 0.0), 2) for name in self.sliders if self._weights.get(name, 0.0) > 0
        }

    def check(self, weights: Any) -> None:
        if not isinstance(weights, dict) or not all(
            isinstance(name, str) and isinstance(weight, (int, float)) and 0 <= weight <= self.maximum
            for name, weight in weights.items()
        ):
            raise ValueError(f"layer weights must map layer names to numbers from 0 to {self.maximum}")

    def set_value(self, weights: dict[str, float]) -> None:
        self._weights = {name: float(weight) for name, weight in weights.items()}
        for name, slider in self.sliders.items():
            slider.blockSignals(True)
            slider.setValue(self._weights.get(name, 0.0))
            slider.blockSignals(False)
        self.changed.emit()

    def _slid(self, layer: str, weight: float) -> None:
        self._weights[layer] = weight
        self.changed.emit()
