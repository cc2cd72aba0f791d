"""The strip that offers a saved picture's settings back: "This picture carries a Dream recipe."."""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from studio.core.images import read_recipe


class RecipeBar(QWidget):
    """Hidden until `offer(path)` finds a recipe of `technique` in a picture; then one click emits
    `restore_requested` with the recipe's parameters (a plain dict)."""

    restore_requested = Signal(dict)

    def __init__(self, technique: str, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.technique = technique
        self._params: dict[str, Any] | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(f"This picture carries a {title} recipe."))
        button = QPushButton("Use its settings")
        button.clicked.connect(self.restore)
        layout.addWidget(button)
        layout.addStretch(1)
        self.hide()

    def offer(self, path: str | os.PathLike) -> None:
        recipe = read_recipe(path)
        self._params = recipe.get("params", {}) if recipe and recipe.get("technique") == self.technique else None
        self.setVisible(self._params is not None)

    def restore(self) -> None:
        if self._params is not None:
            self.restore_requested.emit(self._params)
        self.hide()
