"""The Latent Explorer tab with a real tiny VAE: train, explore by slider and grid, export."""

import numpy as np
import pytest
from PIL import Image
from tiny import bar_pictures

from studio.core.params.vae import GRID_EXTENT
from studio.ui.latent_tab import LatentTab
from studio.ui.settings import Settings

WAIT_MS = 90_000


@pytest.fixture
def bars_folder(tmp_path):
    return bar_pictures(tmp_path / "bars", 24)


@pytest.fixture
def tab(qtbot, runner, tmp_path):
    tab = LatentTab(runner, Settings(tmp_path / "config"))
    qtbot.addWidget(tab)
    tab.resize(1280, 820)
    return tab


def train_tiny(qtbot, page, folder):
    page.form.update(
        dataset=str(folder), image_size=16, latent_dim=2, epochs=3, batch_size=32, learning_rate=0.01, seed=1
    )
    page.train()
    with qtbot.waitSignal(page.jobs.handle("train").finished, timeout=WAIT_MS):
        pass


def settle(qtbot, page):
    """Wait until every picture the explorer asked the compute thread for has arrived."""
    timer = page.explorer_view._full_grid_timer
    channels = ("model", "picture", "grid", "strip", "encode")
    qtbot.waitUntil(lambda: not timer.isActive() and not any(map(page.jobs.is_busy, channels)), timeout=WAIT_MS)


def test_train_then_drag_a_slider_and_pick_on_the_grid(qtbot, tab, bars_folder, tmp_path):
    page = tab.vae_page
    view = page.explorer_view
    assert not page.save_button.isEnabled() and not page.resume_button.isEnabled()
    train_tiny(qtbot, page, bars_folder)
    assert page.model is not None and page.views.currentIndex() == 1
    assert page.samples_view.image is not None  # the epoch previews arrived
    assert set(page.loss_plot.series) == {"loss", "reconstruction", "kl"}
    assert page.dataset_view.image is not None
    assert len(view.sliders) == 2 and page.save_button.isEnabled() and page.resume_button.isEnabled()
    settle(qtbot, page)

    before = view.picture_view.image.copy()
    view.sliders[0].setValue(view.sliders[0].maximum())
    qtbot.waitUntil(lambda: not np.array_equal(before, view.picture_view.image), timeout=WAIT_MS)
    assert view.picture_view.image.shape == (16, 16, 3)
    assert page.model.slider_values(view.code)[0] == pytest.approx(view.sliders[0].maximum(), abs=1e-3)

    # The full 30 x 30 grid follows the coarse one the compute thread drew at once.
    settle(qtbot, page)
    assert view.grid_view.image.shape == (30 * 16, 30 * 16, 3)
    view._grid_picked(0.5 / 30, 1 - 0.5 / 30)  # the bottom left cell: both axes at their minimum
    np.testing.assert_allclose(view.code, [-GRID_EXTENT, -GRID_EXTENT], atol=1e-5)
    assert view.sliders[1].value() == pytest.approx(-GRID_EXTENT, abs=1e-2)

    view.path_box.set_end("A")
    view._grid_picked(1.0, 0.0)
    view.path_box.set_end("B")
    qtbot.waitUntil(lambda: view.path_box.strip_view.image is not None, timeout=WAIT_MS)
    assert view.path_box.strip_view.image.shape == (16, 16 * 8, 3)
    with qtbot.waitSignal(view.path_box.export(str(tmp_path / "loop.gif"), walk=False).finished, timeout=WAIT_MS):
        pass
    with Image.open(tmp_path / "loop.gif") as gif:
        assert gif.n_frames > 8

    with qtbot.waitSignal(view.find_picture(str(bars_folder / "00.png")).finished, timeout=WAIT_MS):
        pass
    dropped = np.asarray(Image.open(bars_folder / "00.png").convert("RGB"))
    np.testing.assert_allclose(view.code, page.model.encode(dropped), atol=1e-5)
    assert "00.png" in page.status.text()

    # A concept from two groups: bars on the left versus bars on the right.
    for which, indices in (("with", range(0, 6)), ("without", range(18, 24))):
        group = tmp_path / which
        group.mkdir()
        for index in indices:
            (group / f"{index:02d}.png").write_bytes((bars_folder / f"{index:02d}.png").read_bytes())
        view.concept_box.set_group(which, str(group))
    settle(qtbot, page)
    plain = view.picture_view.image.copy()
    with qtbot.waitSignal(view.concept_box.find().finished, timeout=WAIT_MS):
        pass
    concept = view.concept_box
    assert concept.vector is not None and concept.amount.isEnabled() and concept.amount.value() == 1.0
    np.testing.assert_allclose(view.shown_code(), view.code + concept.vector, atol=1e-6)
    qtbot.waitUntil(lambda: not np.array_equal(view.picture_view.image, plain), timeout=WAIT_MS)
    settle(qtbot, page)

    state = tab.state()
    assert state["mode"] == "vae" and state["vae"]["params"]["image_size"] == 16
    assert state["vae"]["model"] == str(page.checkpoints / "vae.keras")


def test_bad_settings_are_shown_not_run(qtbot, tab, monkeypatch):
    shown = []
    monkeypatch.setattr("studio.ui.latent_page.show_error", lambda parent, message, details="": shown.append(message))
    tab.vae_page.form.update(image_size=30)
    tab.vae_page.train()
    assert shown and "divisible by 8" in shown[0]
    assert not tab.vae_page.jobs.is_busy("train")


def test_mode_switch_shows_the_gan_page(tab):
    tab.set_mode("gan")
    assert tab.pages.currentWidget() is tab.gan_page
    tab.restore_state({"mode": "vae", "vae": {"params": {"latent_dim": 5}, "cells": 20}})
    assert tab.pages.currentWidget() is tab.vae_page
    assert tab.vae_page.form.params().latent_dim == 5 and tab.vae_page.explorer_view.cells_spin.value() == 20
