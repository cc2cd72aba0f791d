"""Saying before a run what size the result will be, next to the control that decides it, with a
button to work at the picture's full size."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from studio.ui.widgets.forms import fill, push_button, row


class ResultSizeNote(QWidget):
    """ "Result: 768 × 512 (the photo is 2400 × 1600)" and "Full size" (shown when the result would
    be smaller than the picture); `full_size_requested` when that is pressed."""

    full_size_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = QLabel()
        self.label.setObjectName("hint")
        self.label.setWordWrap(True)
        self.full_button = push_button(
            "Full size", self.full_size_requested, "Work at the picture's own size (slower, more detail)"
        )
        fill(self, row((self.label, 1), self.full_button))

    def show_sizes(self, result: tuple[int, int], source: tuple[int, int], source_word: str = "picture") -> None:
        """`result` and `source` are (height, width)."""
        text = f"Result: {result[1]} × {result[0]}"
        if result[:2] != source[:2]:
            text += f" (the {source_word} is {source[1]} × {source[0]})"
        self.label.setText(text)
        self.full_button.setVisible(max(result[:2]) < max(source[:2]))


def place_below(anchor: QWidget, widget: QWidget) -> None:
    """Put `widget` in the row under `anchor`'s in the form layout that holds it (a ParamForm's group)."""
    form = anchor.parentWidget().layout()
    if not isinstance(form, QFormLayout):
        raise ValueError("place_below needs a widget that sits in a QFormLayout")
    row, _role = form.getWidgetPosition(anchor)
    form.insertRow(row + 1, "", widget)
