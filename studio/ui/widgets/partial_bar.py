"""The bar that offers a stopped job's last picture: keep it as a result, or discard it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget

from studio.ui.widgets.forms import STRETCH, fill, push_button, row


class PartialBar(QWidget):
    """ "The Result view shows the stopped painting. [Keep partial result] [Discard]"; hidden until shown."""

    keep_requested = Signal()
    discard_requested = Signal()

    def __init__(self, view_name: str, noun: str, parent: QWidget | None = None):
        super().__init__(parent)
        keep = push_button(
            "Keep partial result",
            self.keep_requested,
            f"Make the unfinished {noun} a result, to save it or go on from it",
        )
        drop = push_button("Discard", self.discard_requested, "Show the last finished result again")
        fill(self, row(QLabel(f"The {view_name} view shows the stopped {noun}."), keep, drop, STRETCH))
        self.hide()
