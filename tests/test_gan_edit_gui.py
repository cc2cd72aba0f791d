"""The GAN page's Edit view and the Latent pages' history strip: sliders along a tiny real GAN's
main directions change its picture, a photo projected into it shows the match growing closer
before the result, and the stills made there come back after a restart, with undo and redo."""

from __future__ import annotations

import fake_latent
import numpy as np
import pytest
from PIL import Image

from studio.core.images import read_recipe
from studio.core.params.gan import GanParams
from studio.ui.gan_panel import EDIT_VIEW, SAMPLES_VIEW
from studio.ui.latent_tab import LatentTab
from studio.ui.settings import Settings

pytestmark = pytest.mark.filterwarnings(
    # Keras' own .keras writer trips NumPy 2's copy-keyword deprecation; nothing of ours.
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

TINY = GanParams(image_size=28, channels=1, latent_dim=8, base_filters=4, epochs=1, batch_size=32, seed=3)
WAIT_MS = 30_000


@pytest.fixture
def tiny_gan(tmp_path):
    """An untrained tiny GAN in a file, and a picture it can make exactly (a photo it can find)."""
    import keras

    from studio.engines.gan import GanModel, generate, save_gan

    keras.utils.set_random_seed(5)
    model = GanModel(TINY)
    photo = tmp_path / "photo.png"
    latent = np.random.default_rng(9).standard_normal((1, TINY.latent_dim)).astype(np.float32)
    Image.fromarray(generate(model, latent)[0, ..., 0]).resize((56, 56)).save(photo)
    return save_gan(model, tmp_path / "tiny-gan.keras"), photo


def test_sliders_move_the_picture_and_a_projected_photo_is_previewed_then_found(qtbot, runner, tmp_path, tiny_gan):
    model_path, photo = tiny_gan
    tab = LatentTab(runner, Settings(tmp_path / "config"))
    qtbot.addWidget(tab)
    tab.set_mode("gan")
    page, editor = tab.gan_page, tab.gan_page.editor
    page.open_path(str(model_path))
    qtbot.waitUntil(
        lambda: len(editor.slider_box.sliders) == 8 and editor.picture_view.image is not None, timeout=WAIT_MS
    )
    qtbot.waitUntil(lambda: not page.jobs.is_busy("picture"), timeout=WAIT_MS)
    centre = editor.picture_view.image.copy()

    editor.slider_box.sliders[0].setValue(editor.slider_box.sliders[0].maximum())
    qtbot.waitUntil(lambda: not np.array_equal(editor.picture_view.image, centre), timeout=WAIT_MS)
    moved = editor.picture_view.image.astype(int)
    assert np.abs(moved - centre).mean() > 1.0, "the first direction visibly changes the picture"

    editor.projection_form.update(steps=60)
    finished, previews_shown = [], []
    handle = editor.project(str(photo))
    handle.finished.connect(lambda _: finished.append(True))
    handle.preview.connect(lambda frame: previews_shown.append((editor.picture_view.image is frame, bool(finished))))
    with qtbot.waitSignal(handle.finished, timeout=WAIT_MS):
        pass
    assert previews_shown and previews_shown[0] == (True, False), "the match so far is shown before the result"
    assert len(editor.losses) >= 2 and editor.losses[-1] < editor.losses[0], "the difference falls"
    assert "difference fell" in page.status.text()
    entry = page.history.current
    assert entry.recipe["kind"] == "projection" and entry.recipe["projected_from"] == "photo.png"
    assert read_recipe(entry.path)["latent"] == pytest.approx(editor.code.tolist(), abs=1e-5)
    assert page.views.currentIndex() == EDIT_VIEW

    still = page.current_stills()[0]  # the Edit view's picture comes first while it is shown
    assert still.title == "the edited picture" and still.picture.shape == (28, 28, 3)
    saved = read_recipe(page.stills.save(str(tmp_path / "edited.png"), still, 1))
    assert saved["latent"] == pytest.approx(editor.code.tolist(), abs=1e-5) and saved["projected_from"] == "photo.png"
    assert saved["model"] == str(model_path) and Image.open(tmp_path / "edited.png").size[0] > 28


def test_a_stopped_projection_keeps_the_picture_shown_before(qtbot, runner, tmp_path, monkeypatch):
    fake_latent.use_fakes(monkeypatch)
    page = LatentTab(runner, Settings(tmp_path / "config")).gan_page
    qtbot.addWidget(page)
    model = tmp_path / "gan.keras"
    model.write_bytes(fake_latent.FAKE_MODEL)
    page.open_path(str(model))
    editor = page.editor
    qtbot.waitUntil(lambda: editor.picture_view.image is not None, timeout=WAIT_MS)
    photo = tmp_path / "bright.png"
    Image.fromarray(np.full((20, 20, 3), 200, np.uint8)).save(photo)
    editor.projection_form.update(steps=5000)
    handle = editor.project(str(photo))
    qtbot.waitUntil(lambda: len(editor.losses) > 3, timeout=WAIT_MS)
    with qtbot.waitSignal(handle.cancelled, timeout=WAIT_MS):
        editor.project_panel.cancel_button.click()
    qtbot.waitUntil(lambda: not page.jobs.is_busy("picture"), timeout=WAIT_MS)
    assert np.all(editor.picture_view.image == fake_latent.shade(editor.code)) and editor.code[0] == 0
    assert len(page.history.entries) == 0, "a stopped projection keeps nothing"


def test_stills_made_on_the_gan_page_come_back_after_a_restart_with_undo_and_redo(qtbot, runner, tmp_path, monkeypatch):
    fake_latent.use_fakes(monkeypatch)
    settings = Settings(tmp_path / "config")
    tab = LatentTab(runner, settings)
    qtbot.addWidget(tab)
    tab.set_mode("gan")
    page = tab.gan_page
    model = tmp_path / "gan.keras"
    model.write_bytes(fake_latent.FAKE_MODEL)
    page.open_path(str(model))
    qtbot.waitUntil(lambda: page.grid_view.image is not None and page.editor.explorer is not None, timeout=WAIT_MS)

    grid_still = next(still for still in page.current_stills() if still.title == "the grid")
    page.stills.save(str(tmp_path / "grid.png"), grid_still)  # a saved still joins the history
    page.grid_view.click_at(page.grid_view.cell_rect(3).center())  # the picked sample goes to the Edit view
    slider = page.editor.slider_box.sliders[0]
    slider.setValue(2.5)
    slider.sliderReleased.emit()  # what Qt sends when the user lets go of the slider
    qtbot.waitUntil(lambda: len(page.history.entries) == 2, timeout=WAIT_MS)
    edit = page.history.entries[1]
    assert edit.recipe["kind"] == "edit" and edit.recipe["latent"][0] == pytest.approx(2.5)
    assert np.all(page.editor.picture_view.image == fake_latent.shade([2.5]))

    assert tab.undo() and page.views.currentIndex() == SAMPLES_VIEW
    assert np.array_equal(page.grid_view.image, grid_still.picture), "undo shows the grid again"
    assert tab.redo() and page.views.currentIndex() == EDIT_VIEW
    assert np.all(page.editor.picture_view.image == fake_latent.shade([2.5]))

    again = LatentTab(runner, settings)
    qtbot.addWidget(again)
    again.set_mode("gan")
    strip = again.gan_page.history_strip
    assert strip.list.count() == 2
    kinds = [entry.recipe["kind"] for entry in again.gan_page.history.entries]
    assert kinds == ["grid", "edit"]
    again.gan_page.open_path(str(model))
    qtbot.waitUntil(lambda: again.gan_page.editor.explorer is not None, timeout=WAIT_MS)
    strip.list.itemClicked.emit(strip.list.item(1))
    qtbot.waitUntil(lambda: not again.gan_page.jobs.is_busy("picture"), timeout=WAIT_MS)
    assert again.gan_page.editor.code[0] == pytest.approx(2.5), "the sliders go on from the point kept"
    assert again.gan_page.editor.slider_box.sliders[0].value() == pytest.approx(2.5)
    strip.list.itemClicked.emit(strip.list.item(0))
    assert again.undo() and again.gan_page.views.currentIndex() == EDIT_VIEW


def test_a_vae_slider_let_go_and_a_found_picture_join_its_history(qtbot, runner, tmp_path, monkeypatch):
    fake_latent.use_fakes(monkeypatch)
    tab = LatentTab(runner, Settings(tmp_path / "config"))
    qtbot.addWidget(tab)
    page = tab.vae_page
    model = tmp_path / "vae.keras"
    model.write_bytes(fake_latent.FAKE_MODEL)
    page.open_path(str(model))
    view = page.explorer_view
    qtbot.waitUntil(lambda: view.picture_view.image is not None, timeout=WAIT_MS)
    view.sliders[0].setValue(-2.0)
    view.sliders[0].sliderReleased.emit()
    qtbot.waitUntil(lambda: len(page.history.entries) == 1, timeout=WAIT_MS)
    photo = tmp_path / "grey.png"
    Image.fromarray(np.full((12, 12, 3), 125, np.uint8)).save(photo)
    view.find_picture(str(photo))
    qtbot.waitUntil(lambda: len(page.history.entries) == 2, timeout=WAIT_MS)
    assert [entry.recipe["latent"][0] for entry in page.history.entries] == pytest.approx([-2.0, 1.25])
    assert tab.undo() and np.all(view.picture_view.image == fake_latent.shade([-2.0]))
    assert view.sliders[0].value() == pytest.approx(-2.0)
    qtbot.waitUntil(lambda: not view._full_grid_timer.isActive() and not page.jobs.is_busy("grid"), timeout=WAIT_MS)
