"""The CycleGAN mode of the Style tab: its page in the side panel, its training view beside the
pictures, and translation of the Content picture into the Result view (kept in the tab's history,
saved with its recipe by the tab's Save; the recipe's `method` says a CycleGAN made it).

While the mode is on, Translate is the tab's main button (Ctrl+Enter); Stylize and the optimised
transfer's loss curve step aside.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from studio.core.history import HistoryEntry
from studio.core.params import CYCLEGAN_METHOD, params_from_dict
from studio.core.params.cyclegan import CycleGanTranslateParams
from studio.ui.cyclegan_page import CycleGanPage
from studio.ui.picture_tab import PictureRun
from studio.ui.widgets.errors import show_error

if TYPE_CHECKING:
    from studio.ui.style_tab import StyleTab

CYCLEGAN_MODE = CYCLEGAN_METHOD  # the mode's key, and the recipe's `method` for a picture it translated


class CycleGanMode:
    """Adds the CycleGAN mode to `tab` (call once its work area is built)."""

    def __init__(self, tab: StyleTab):
        self.tab = tab
        self.page = CycleGanPage(tab.runner, tab.settings)
        self.page.translate_button.clicked.connect(self.translate)
        self.page.training_begun.connect(self.show_training)
        tab.modes.add_mode(
            CYCLEGAN_MODE,
            "CycleGAN",
            "Learn the look of one collection of pictures from another (folders, no pairs), then translate",
            self.page,
        )
        self.training_index = tab.pages.addTab(self.page.training_view, "Training")
        tab.pages.setTabVisible(self.training_index, False)
        self._bar_shown_before = False  # the pages' tab bar, as the other modes left it
        tab.modes.changed.connect(self._mode_changed)

    def _mode_changed(self, mode: str) -> None:
        tab, on = self.tab, mode == CYCLEGAN_MODE
        if on:
            self._bar_shown_before = not tab.pages.tabBar().isHidden()
        tab.stylize_button.setVisible(not on)
        tab.loss_plot.setVisible(not on)
        tab.pages.setTabVisible(self.training_index, on)
        tab.pages.setTabVisible(tab.pages.indexOf(tab.variations.sheet), not on)
        tab.pages.tabBar().setVisible(on or self._bar_shown_before)
        if not on and tab.pages.currentIndex() == self.training_index:
            tab.pages.setCurrentWidget(tab.view)
        tab.main_button = self.page.translate_button if on else tab.stylize_button
        if on:
            tab.status.setText(
                "CycleGAN: train on two collections or open a model, then Translate the Content picture."
            )
        tab._refresh()  # the main button's state follows the new button

    def show_training(self) -> None:
        self.tab.pages.setCurrentIndex(self.training_index)

    def translate(self) -> None:
        tab = self.tab
        if tab.source is None:
            show_error(tab, "Open a picture to translate first (drop one on Content).")
            return
        made = self.page.translation_job(tab.source)
        if made is None:
            return
        job, params, extra = made
        run = PictureRun(job, params, {"method": CYCLEGAN_MODE, **extra}, tab.source_name, tab.source.shape[1])
        tab.pages.setCurrentWidget(tab.view)
        direction = "A → B" if params.direction == "a2b" else "B → A"
        tab.start_run(run, f"Translating {direction}…")

    def continue_from(self, entry: HistoryEntry) -> None:
        """ "Continue from this one" on a translation: show it, take its settings, and open its model."""
        self.tab.show_entry(entry)
        self.tab.modes.set_mode(CYCLEGAN_MODE)
        self.page.translate_form.set_params(params_from_dict(CycleGanTranslateParams, entry.params))
        model = entry.recipe.get("model")
        if model and Path(model).is_file() and Path(model) != self.page.model_path:
            self.page.open_path(model)
        self.tab.status.setText("Its settings are back; Translate uses them on the Content picture.")
