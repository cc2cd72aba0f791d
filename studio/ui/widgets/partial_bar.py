"""The bar that offers a stopped job's last picture: keep it as a result, or discard it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget


class PartialBar(QWidget):
    """ "The Result view shows the stopped painting. [Keep partial result] [Discard]"; hidden until shown."""

    keep_requested = Signal()
    discard_requested = Signal()

    def __init__(self, view_name: str, noun: str, parent: QWidget | None = None):
        super().__init__(parent)
        keep = QPushButton("Keep partial result")
        keep.setToolTip(f"Make the unfinished {noun} a result, to save it or go on from it")
        keep.clicked.connect(self.keep_requested)
        drop = QPushButton("Discard")
        drop.setToolTip("Show the last finished result again")
        drop.clicked.connect(self.discard_requested)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(f"The {view_name} view shows the stopped {noun}."))
        row.addWidget(keep)
        row.addWidget(drop)
        row.addStretch(1)
        self.hide()
