"""The Latent Explorer tab with a real tiny VAE: train, explore by slider and grid, export."""

import numpy as np
import pytest
from PIL import Image

from studio.ui.latent_tab import LatentTab
from studio.ui.settings import Settings

WAIT_MS = 90_000


@pytest.fixture
def bars_folder(tmp_path):
    folder = tmp_path / "bars"
    folder.mkdir()
    for index in range(24):
        picture = np.zeros((16, 16), np.uint8)
        left = index * 11 // 23
        picture[:, left : left + 5] = 255
        Image.fromarray(picture).save(folder / f"{index:02d}.png")
    return folder


@pytest.fixture
def tab(qtbot, runner, tmp_path):
    tab = LatentTab(runner, Settings(tmp_path / "config"))
    qtbot.addWidget(tab)
    tab.resize(1280, 820)
    return tab


def train_tiny(qtbot, page, folder):
    page.use_folder(str(folder))
    page.size_spin.setValue(16)
    page.latent_spin.setValue(2)
    page.epochs_spin.setValue(3)
    page.batch_spin.setValue(32)
    page.rate_spin.setValue(0.01)
    page.seed_spin.setValue(1)
    page.train()
    with qtbot.waitSignal(page._training.finished, timeout=WAIT_MS):
        pass


def test_train_then_drag_a_slider_and_pick_on_the_grid(qtbot, tab, bars_folder, tmp_path):
    page = tab.vae_page
    assert not page.save_button.isEnabled()
    train_tiny(qtbot, page, bars_folder)
    assert page.explorer is not None and page.views.currentIndex() == 1
    assert page.samples_view.image is not None  # the epoch previews arrived
    assert set(page.loss_plot.series) == {"loss", "reconstruction"} and set(page.kl_plot.series) == {"kl"}
    assert page.dataset_view.image is not None
    assert len(page.sliders) == 2 and page.save_button.isEnabled()

    before = page.picture_view.image.copy()
    page.sliders[0].setValue(page.sliders[0].maximum())
    after = page.picture_view.image
    assert after.shape == (16, 16, 3) and not np.array_equal(before, after)
    assert page.explorer.slider_values(page.code)[0] == pytest.approx(page.sliders[0].maximum(), abs=1e-3)

    # The grid shows the coarse version at once, then the full 30 x 30 decode from the compute thread.
    live_cells = page.grid_view.image.shape[0] // 16
    assert 4 <= live_cells <= 12 and page.grid_view.image.shape == (live_cells * 16, live_cells * 16, 3)
    qtbot.waitUntil(lambda: page.grid_view.image.shape == (30 * 16, 30 * 16, 3), timeout=WAIT_MS)
    page._grid_picked(0.5 / 30, 1 - 0.5 / 30)  # the bottom left cell: both axes at their minimum
    np.testing.assert_allclose(page.code, [-1.0, -1.0], atol=1e-5)
    assert page.sliders[1].value() == pytest.approx(-1.0, abs=1e-2)

    page._set_end("A")
    page._grid_picked(1.0, 0.0)
    page._set_end("B")
    assert page.strip_view.image.shape == (16, 16 * 8, 3)
    handle = page.export_animation(str(tmp_path / "loop.gif"), walk=False)
    with qtbot.waitSignal(handle.finished, timeout=WAIT_MS):
        pass
    with Image.open(tmp_path / "loop.gif") as gif:
        assert gif.n_frames > 8

    page._picture_dropped([str(bars_folder / "00.png")])
    dropped = np.asarray(Image.open(bars_folder / "00.png").convert("RGB"))
    np.testing.assert_allclose(page.code, page.explorer.encode(dropped), atol=1e-5)

    # A concept from two groups: bars on the left versus bars on the right.
    groups = {}
    for which, indices in (("with", range(0, 6)), ("without", range(18, 24))):
        groups[which] = tmp_path / which
        groups[which].mkdir()
        for index in indices:
            (groups[which] / f"{index:02d}.png").write_bytes((bars_folder / f"{index:02d}.png").read_bytes())
        page.set_concept_group(which, str(groups[which]))
    plain = page.picture_view.image.copy()
    handle = page._find_concept()
    with qtbot.waitSignal(handle.finished, timeout=WAIT_MS):
        pass
    assert page.concept is not None and page.concept_slider.isEnabled() and page.concept_slider.value() == 1.0
    np.testing.assert_allclose(page.shown_code(), page.code + page.concept, atol=1e-6)
    assert not np.array_equal(page.picture_view.image, plain)

    state = tab.state()
    assert state["mode"] == "vae" and state["vae"]["params"]["image_size"] == 16


def test_bad_settings_are_shown_not_run(qtbot, tab, monkeypatch):
    shown = []
    monkeypatch.setattr("studio.ui.latent_tab.show_error", lambda parent, message, details="": shown.append(message))
    tab.vae_page.size_spin.setValue(30)
    tab.vae_page.train()
    assert shown and "divisible by 8" in shown[0]
    assert tab.vae_page._training is None


def test_mode_switch_shows_the_gan_page(tab):
    tab.set_mode("gan")
    assert tab.pages.currentWidget() is tab.gan_page
    tab.restore_state({"mode": "vae", "vae": {"params": {"latent_dim": 5}, "cells": 20}})
    assert tab.pages.currentWidget() is tab.vae_page
    assert tab.vae_page.latent_spin.value() == 5 and tab.vae_page.cells_spin.value() == 20
