"""A line of numbers separated by commas: a form editor for a `tuple[float, ...]` field (the
temperatures of the samples written after each epoch)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QWidget

INVALID_STYLE = "QLineEdit { border: 1px solid #c0392b; }"


def parse_numbers(text: str, low: float, high: float) -> tuple[float, ...]:
    """The numbers in `text` ("0.2, 0.7 1.2"); ValueError naming the first that is not one, or out of range."""
    numbers = []
    for word in text.replace(",", " ").split():
        try:
            number = float(word)
        except ValueError:
            raise ValueError(f"'{word}' is not a number") from None
        if not low <= number <= high:
            raise ValueError(f"{number:g} is outside {low:g}–{high:g}")
        numbers.append(number)
    if not numbers:
        raise ValueError("give at least one number")
    return tuple(numbers)


class NumberListField(QLineEdit):
    """Reads as the numbers typed; while the text is not a valid list it is outlined in red, says why
    in its tooltip, and reads as the last valid list (so a job never gets a half-typed value)."""

    changed = Signal()

    def __init__(self, low: float, high: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.low, self.high = low, high
        self._numbers: tuple[float, ...] = ()
        self._tooltip = ""
        self.textEdited.connect(self._edited)

    def value(self) -> tuple[float, ...]:
        return self._numbers

    def set_value(self, numbers: tuple[float, ...]) -> None:
        self.check(numbers)
        self._numbers = tuple(float(n) for n in numbers)
        self.setText(", ".join(f"{n:g}" for n in self._numbers))
        self._mark(None)
        self.changed.emit()

    def check(self, numbers: object) -> None:
        if not isinstance(numbers, tuple):
            raise ValueError(f"{numbers!r} is not a list of numbers")
        parse_numbers(" ".join(str(n) for n in numbers), self.low, self.high)

    def setToolTip(self, text: str) -> None:
        self._tooltip = text
        super().setToolTip(text)

    def _edited(self, text: str) -> None:
        try:
            self._numbers = parse_numbers(text, self.low, self.high)
        except ValueError as error:
            self._mark(str(error))
            return
        self._mark(None)
        self.changed.emit()

    def _mark(self, problem: str | None) -> None:
        self.setStyleSheet(INVALID_STYLE if problem else "")
        super().setToolTip(f"{self._tooltip}\n\nNot used yet: {problem}." if problem else self._tooltip)
