"""The strip that offers a saved picture's settings back: "This picture carries a Dream recipe."."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

from studio.core.images import read_recipe
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.forms import STRETCH, fill, push_button, row


class RecipeBar(QWidget):
    """Hidden until `offer(path)` finds a recipe of `technique` in a picture; then one click passes
    the recipe's parameters (a plain dict) to `apply`. A recipe that does not fit (from another
    version, or edited by hand) gets a message instead of a half-applied panel and a traceback."""

    def __init__(
        self, technique: str, title: str, apply: Callable[[dict[str, Any]], None], parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.technique = technique
        self.title = title
        self._apply = apply
        self._params: dict[str, Any] | None = None
        offer = QLabel(f"This picture carries a {title} recipe.")
        fill(self, row(offer, push_button("Use its settings", self.restore), STRETCH))
        self.hide()

    def offer(self, path: str | os.PathLike) -> None:
        recipe = read_recipe(path)
        self._params = recipe.get("params", {}) if recipe and recipe.get("technique") == self.technique else None
        self.setVisible(self._params is not None)

    def offer_params(self, params: dict[str, Any]) -> None:
        """Offer parameters already read (from a history entry); `restore` applies them."""
        self._params = params

    def restore(self) -> None:
        self.hide()
        if self._params is None:
            return
        try:
            self._apply(self._params)
        except (TypeError, ValueError, OverflowError, AttributeError, KeyError) as error:
            show_error(
                self,
                f"This picture's {self.title} recipe does not fit this version of Studio ({error}). "
                "Check the settings before you run it again.",
            )
