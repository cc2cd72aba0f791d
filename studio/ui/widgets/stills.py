"""Stills of a latent model: the picture, the grid or a picked sample, at the model's own size or
enlarged (crisp square pixels or smooth), saved as a PNG whose recipe names the model file and
the latent code(s) the picture was decoded from. From a button, a view's context menu, or Ctrl+Shift+S."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QMenu, QWidget

from studio.core.images import factor_to_reach, render_still
from studio.ui.settings import Settings
from studio.ui.widgets.forms import push_button
from studio.ui.widgets.saving import PictureSaver

STILL_SIDE = 1024  # an enlarged still's long side reaches at least this
SHORTCUT = "Ctrl+Shift+S"


@dataclass(frozen=True)
class Still:
    """What a view can save: `title` ("the grid"), the model's own pixels, the recipe, a file-name stem."""

    title: str
    picture: np.ndarray
    recipe: dict[str, Any]
    name: str


@dataclass(frozen=True)
class StillSize:
    factor: int  # 1: the model's own size
    smooth: bool = False

    def describe(self, picture: np.ndarray) -> str:
        height, width = picture.shape[0] * self.factor, picture.shape[1] * self.factor
        if self.factor == 1:
            return f"at the model's size ({width} × {height} px)"
        return f"enlarged, {'smooth' if self.smooth else 'crisp pixels'} ({width} × {height} px)"


def still_sizes(picture: np.ndarray) -> tuple[StillSize, ...]:
    """The model's size, then enlarged to about STILL_SIDE: crisp, and smooth."""
    factor = factor_to_reach(picture, STILL_SIDE)
    return (StillSize(1),) if factor == 1 else (StillSize(1), StillSize(factor), StillSize(factor, smooth=True))


class StillSaver:
    """Offers a page's stills (`stills()` lists what it shows now, the main one first) in a
    "Save still" button menu, in context menus of its views, and on Ctrl+Shift+S (the main still
    at the size last chosen). `saved(path, still)` is called after each save."""

    def __init__(
        self,
        page: QWidget,
        settings: Settings,
        stills: Callable[[], list[Still]],
        saved: Callable[[Path, Still], None],
    ):
        self.page = page
        self.stills = stills
        self.saved = saved
        self.saver = PictureSaver(page, settings, "still")
        self.size_choice = 1  # enlarged with crisp pixels, until the user picks another size
        self.button = push_button("Save still", tip=f"Save what the views show as a PNG with its recipe ({SHORTCUT})")
        menu = QMenu(self.button)
        menu.aboutToShow.connect(lambda: self.fill(menu, self.stills()))
        self.button.setMenu(menu)
        # A window shortcut is live only while its page is visible, so the VAE and GAN pages never compete.
        QShortcut(QKeySequence(SHORTCUT), page, activated=self.save_main)

    def attach(self, view: QWidget, stills: Callable[[], list[Still]]) -> None:
        """Give `view` a context menu that saves the stills `stills()` lists."""
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(partial(self._popup, view, stills))

    def _popup(self, view: QWidget, stills: Callable[[], list[Still]], position: QPoint) -> None:
        menu = QMenu(view)
        self.fill(menu, stills())
        menu.popup(view.mapToGlobal(position))

    def fill(self, menu: QMenu, stills: list[Still]) -> None:
        menu.clear()
        if not stills:
            menu.addAction("Nothing to save yet: train or open a model").setEnabled(False)
        for still in stills:
            for index, size in enumerate(still_sizes(still.picture)):
                action = menu.addAction(f"Save {still.title} {size.describe(still.picture)}…")
                action.triggered.connect(partial(self.ask_and_save, still, index))
            menu.addSeparator()

    def save_main(self) -> None:
        if stills := self.stills():
            self.ask_and_save(stills[0], self.size_choice)

    def ask_and_save(self, still: Still, size_index: int, *_: Any) -> Path | None:
        self.size_choice = size_index
        rgb, recipe = self._rendered(still, size_index)
        return self._done(self.saver.ask_and_save(rgb, recipe, still.name, f"Save {still.title}"), still)

    def save(self, path: str, still: Still, size_index: int = 0) -> Path | None:
        """Save `still` at its `size_index`-th size (see `still_sizes`) without asking where."""
        rgb, recipe = self._rendered(still, size_index)
        return self._done(self.saver.save(path, rgb, recipe), still)

    def _rendered(self, still: Still, size_index: int) -> tuple[np.ndarray, dict[str, Any]]:
        sizes = still_sizes(still.picture)
        size = sizes[min(size_index, len(sizes) - 1)]
        return render_still(still.picture, size.factor, size.smooth), {
            **still.recipe,
            "enlarged": size.factor,
            "smooth": size.smooth,
        }

    def _done(self, path: Path | None, still: Still) -> Path | None:
        if path is not None:
            self.saved(path, still)
        return path
