"""The Latent Explorer tab: train a VAE (`vae_page`) or a DCGAN (`gan_panel`) on pictures, watch it
learn, then explore what it learned by hand."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QButtonGroup, QLabel, QRadioButton, QStackedWidget, QWidget

from studio.ui.gan_panel import GanPanel
from studio.ui.runner import JobRunner
from studio.ui.settings import Settings
from studio.ui.tab import StudioTab
from studio.ui.vae_page import VaePage
from studio.ui.widgets.forms import STRETCH, column, row


class LatentTab(StudioTab):
    """Train a VAE or a GAN on pictures and explore what it learned."""

    key = "latent"
    title = "Latent Explorer"
    opens = (".keras",)

    def __init__(self, runner: JobRunner, settings: Settings, parent: QWidget | None = None):
        super().__init__(runner, settings, parent)
        self.vae_page = VaePage(runner, settings)
        self.gan_page = GanPanel(runner, settings)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.vae_page)
        self.pages.addWidget(self.gan_page)
        self.vae_radio = QRadioButton("Variational autoencoder (VAE)")
        self.vae_radio.setToolTip("A smooth, continuous space: good for grids, sliders and concept vectors")
        self.gan_radio = QRadioButton("Generative adversarial network (GAN)")
        self.gan_radio.setToolTip("Sharper pictures, a less orderly space")
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.vae_radio, 0)
        self.mode_group.addButton(self.gan_radio, 1)
        self.mode_group.idToggled.connect(lambda index, on: on and self.pages.setCurrentIndex(index))
        self.vae_radio.setChecked(True)
        switch = row(QLabel("Model:"), self.vae_radio, self.gan_radio, STRETCH)
        self.setLayout(column(switch, (self.pages, 1)))

    @property
    def mode(self) -> str:
        return "gan" if self.gan_radio.isChecked() else "vae"

    def set_mode(self, mode: str) -> None:
        (self.gan_radio if mode == "gan" else self.vae_radio).setChecked(True)

    @property
    def page(self) -> VaePage | GanPanel:
        return self.gan_page if self.mode == "gan" else self.vae_page

    def open_path(self, path: str) -> None:
        self.page.open_path(path)

    def undo(self) -> bool:
        return self.page.undo()

    def redo(self) -> bool:
        return self.page.redo()

    def state(self) -> dict[str, Any]:
        return {"mode": self.mode, "vae": self.vae_page.state(), "gan": self.gan_page.state()}

    def restore_state(self, state: dict[str, Any]) -> None:
        for page, key in ((self.vae_page, "vae"), (self.gan_page, "gan")):
            if isinstance(state.get(key), dict):
                page.restore_state(state[key])
        self.set_mode(state.get("mode", "vae"))
