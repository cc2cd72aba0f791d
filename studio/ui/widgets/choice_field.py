"""A combo box whose choices a tab sets at run time: a form editor for a `str` field whose
choices are not known in advance (a network's layers, the settings a variation can sweep)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget


class ChoiceField(QComboBox):
    """(value, label) choices; the value is the chosen one's value. A value not among the choices
    is kept and shown as itself, so a recipe's choice survives until the choices that hold it arrive;
    an empty one ("" or None, a field's "not chosen yet") chooses the first."""

    changed = Signal()

    def __init__(self, choices: tuple[tuple[Any, str], ...] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.currentIndexChanged.connect(lambda _index: self.changed.emit())
        self.set_choices(choices)

    def set_choices(self, choices: tuple[tuple[Any, str], ...]) -> None:
        """Offer `choices`, keeping the chosen value if it is among them (else the first)."""
        chosen = self.value()
        self.blockSignals(True)
        self.clear()
        for value, label in choices:
            self.addItem(label, value)
        self.blockSignals(False)
        index = self.findData(chosen)
        self.setCurrentIndex(index if index >= 0 else 0)
        if self.value() != chosen:
            self.changed.emit()

    def value(self) -> Any:
        return self.currentData()

    def set_value(self, value: Any) -> None:
        """Choose `value`; an empty value ("" or None) chooses the first choice."""
        if value in ("", None):
            self.setCurrentIndex(0)
            return
        if self.findData(value) < 0:
            self.addItem(str(value), value)
        self.setCurrentIndex(self.findData(value))
