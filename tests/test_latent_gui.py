"""The Latent Explorer with fake models (tests/fake_latent.py): the forms, the explorer's requests
to the compute thread, the question Train asks, models reopened at start, and stills."""

from __future__ import annotations

import json

import fake_latent
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu, QMessageBox

from studio.core.images import read_recipe
from studio.core.params import params_from_dict
from studio.core.params.gan import GanParams, GanSampleParams
from studio.core.params.gan_projection import GanProjectionParams
from studio.core.params.vae import VaeParams
from studio.ui.latent_tab import LatentTab
from studio.ui.settings import Settings
from studio.ui.vae_explorer import PICTURE_TITLE
from studio.ui.widgets.model_training import TRAIN_QUESTION

WAIT_MS = 10_000


@pytest.fixture
def fakes(monkeypatch):
    fake_latent.use_fakes(monkeypatch)


@pytest.fixture
def tab(qtbot, runner, fakes, tmp_path):
    widget = LatentTab(runner, Settings(tmp_path / "config"))
    qtbot.addWidget(widget)
    widget.resize(1280, 820)
    return widget


def settled(page) -> bool:
    """No explorer request waits or runs, and no full grid is due."""
    busy = any(page.jobs.is_busy(channel) for channel in ("model", "picture", "grid", "strip", "encode", "sample"))
    timer = getattr(getattr(page, "explorer_view", None), "_full_grid_timer", None)
    return not busy and not (timer is not None and timer.isActive())


def open_fake(qtbot, page, path):
    path.write_bytes(fake_latent.FAKE_MODEL)
    page.open_path(str(path))
    qtbot.waitUntil(lambda: page.model is not None and settled(page), timeout=WAIT_MS)
    return path


def question(page) -> QMessageBox:
    """The train question on screen (a closed one may linger until Qt deletes it)."""
    (box,) = [box for box in page.findChildren(QMessageBox, TRAIN_QUESTION) if box.isVisible()]
    return box


def train_calls():
    return [kwargs for name, kwargs in fake_latent.calls if name == "train"]


def test_the_forms_show_read_and_remember_every_setting(qtbot, runner, tab, tmp_path):
    folder = tmp_path / "my pictures"
    folder.mkdir()
    vae = VaeParams(
        dataset=str(folder), image_size=16, channels=3, limit=50, latent_dim=5, filters=(8, 16), dense_units=32,
        beta=2.5, epochs=7, batch_size=16, learning_rate=0.005, seed=42,
    )  # fmt: skip
    gan = GanParams(
        dataset="mnist", limit=200, image_size=28, channels=1, latent_dim=16, base_filters=8, epochs=9, batch_size=24,
        d_learning_rate=3e-4, g_learning_rate=2e-4, adam_beta_1=0.4, label_noise=0.1, dropout=0.3,
        seed=5,
    )  # fmt: skip
    tab.vae_page.form.set_params(vae)
    tab.gan_page.form.set_params(gan)
    tab.gan_page.sample_form.update(seed=77, truncation=1.5)
    tab.gan_page.editor.projection_form.update(steps=120, learning_rate=0.02)
    assert tab.vae_page.form.params() == vae and tab.gan_page.form.params() == gan
    assert tab.vae_page.dataset_chooser.combo.currentText() == "Folder: my pictures"
    assert tab.vae_page.form.editor("limit").text() == "50" and tab.vae_page.form.editor("beta").value() == 2.5

    tab.vae_page.form.editor("latent_dim").setValue(3)  # what the user changes is what a job gets
    tab.gan_page.form.editor("channels").setCurrentIndex(1)
    assert tab.vae_page.form.params().latent_dim == 3 and tab.gan_page.form.params().channels == 3

    later = LatentTab(runner, Settings(tmp_path / "config"))
    qtbot.addWidget(later)
    later.restore_state(json.loads(json.dumps(tab.state())))
    assert later.vae_page.form.params() == tab.vae_page.form.params()
    assert later.gan_page.form.params() == tab.gan_page.form.params()
    assert later.gan_page.sample_form.params() == GanSampleParams(count=36, columns=6, seed=77, truncation=1.5)
    assert later.gan_page.editor.projection_form.params() == GanProjectionParams(steps=120, learning_rate=0.02)


def test_a_dragged_slider_paints_only_ever_newer_pictures_and_never_piles_up_work(qtbot, runner, tab, tmp_path):
    page = tab.vae_page
    open_fake(qtbot, page, tmp_path / "vae.keras")
    view = page.explorer_view
    painted, queued = [], []
    show = view.picture_view.set_image
    view.picture_view.set_image = lambda rgb: (painted.append(int(rgb[0, 0, 0])), show(rgb))
    fake_latent.calls.clear()
    for value in np.linspace(-2.0, 2.0, 41):  # a drag: a new value every few ms, faster than a decode
        view.sliders[0].setValue(float(value))
        queued.append(sum(handle.job.title == PICTURE_TITLE for handle in runner.jobs()))
        qtbot.wait(3)
    qtbot.waitUntil(lambda: settled(page), timeout=WAIT_MS)
    assert painted[-1] == fake_latent.shade([2.0, 0.0]) == int(view.picture_view.image[0, 0, 0])
    assert painted == sorted(painted), "a superseded (older) picture was painted after a newer one"
    # At most: a decode that ended (the GUI has yet to hear it), the one running, and the newest request.
    assert max(queued) <= 3
    decodes = [name for name, _ in fake_latent.calls if name == "decode"]
    assert len(decodes) < 41 / 2, "requests replaced while waiting are never decoded"


def test_while_training_holds_the_compute_thread_the_explorer_says_so_then_catches_up(qtbot, runner, tab, tmp_path):
    page = tab.vae_page
    open_fake(qtbot, page, tmp_path / "vae.keras")
    view = page.explorer_view
    before = int(view.picture_view.image[0, 0, 0])
    tab.gan_page.train()  # a GAN with no model trains at once, and holds the compute thread
    qtbot.waitUntil(lambda: runner.jobs() and runner.jobs()[0].state == "running", timeout=WAIT_MS)
    view.sliders[0].setValue(1.5)
    assert view.waiting_note.isVisibleTo(page) and "Training the GAN" in view.waiting_note.text()
    qtbot.wait(100)
    assert int(view.picture_view.image[0, 0, 0]) == before  # nothing drawn yet, and nothing froze
    tab.gan_page.stop()
    qtbot.waitUntil(lambda: int(view.picture_view.image[0, 0, 0]) == fake_latent.shade([1.5, 0.0]), timeout=WAIT_MS)
    assert not view.waiting_note.isVisibleTo(page)


@pytest.mark.parametrize("mode", ["vae", "gan"])
def test_train_on_a_trained_model_asks_and_replaces_nothing_unasked(qtbot, tab, tmp_path, mode):
    tab.set_mode(mode)
    page = tab.vae_page if mode == "vae" else tab.gan_page
    opened = open_fake(qtbot, page, tmp_path / f"{mode}-mine.keras")
    page.form.update(epochs=3)

    def answer(text):
        page.train_button.click()
        box = question(page)
        assert "3 epochs" in box.text()
        button = next(b for b in box.buttons() if b.text().startswith(text))
        if button.isEnabled():
            button.click()
        return box, button

    box, go_on = answer("Continue")
    assert not go_on.isEnabled() and "set Epochs above 3" in box.informativeText()
    box.reject()
    page.form.update(epochs=10)
    answer("Cancel")
    assert not train_calls() and not page.jobs.is_busy("train")

    answer("Continue")
    qtbot.waitUntil(lambda: len(train_calls()) == 1, timeout=WAIT_MS)
    assert train_calls()[-1]["into"] == opened
    if mode == "vae":
        assert train_calls()[-1]["resume_from"] == str(opened)
    else:
        assert train_calls()[-1]["model"] is page.model
    page.stop_button.click()
    qtbot.waitUntil(lambda: not page.jobs.is_busy("train") and settled(page), timeout=WAIT_MS)

    answer(f"Start a new {mode.upper()}")
    qtbot.waitUntil(lambda: len(train_calls()) == 2, timeout=WAIT_MS)
    new = train_calls()[-1]
    assert new["into"] == page.checkpoints / f"{mode}.keras" and new["resume_from"] is None and new["model"] is None
    assert opened.read_bytes() == fake_latent.FAKE_MODEL  # the model it had is still there
    page.stop_button.click()
    qtbot.waitUntil(lambda: not page.jobs.is_busy("train") and settled(page), timeout=WAIT_MS)
    answer(f"Start a new {mode.upper()}")  # a third model gets a third name
    qtbot.waitUntil(lambda: len(train_calls()) == 3, timeout=WAIT_MS)
    assert train_calls()[-1]["into"] == page.checkpoints / f"{mode}-2.keras"
    page.stop_button.click()
    qtbot.waitUntil(lambda: not page.jobs.is_busy("train") and settled(page), timeout=WAIT_MS)


def test_the_last_models_come_back_at_start_and_missing_or_damaged_ones_only_leave_a_note(
    qtbot, runner, fakes, tmp_path
):
    settings = Settings(tmp_path / "config")
    vae_file, gan_file = tmp_path / "vae-faces.keras", tmp_path / "gan-faces.keras"
    for path in (vae_file, gan_file):
        path.write_bytes(fake_latent.FAKE_MODEL)
    first = LatentTab(runner, settings)
    qtbot.addWidget(first)
    assert not first.vae_page.resume_button.isEnabled() and not first.gan_page.resume_button.isEnabled()
    first.restore_state({"mode": "gan", "vae": {"model": str(vae_file)}, "gan": {"model": str(gan_file)}})
    qtbot.waitUntil(lambda: first.vae_page.model is not None and first.gan_page.model is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: settled(first.vae_page) and settled(first.gan_page), timeout=WAIT_MS)
    assert first.vae_page.explorer_view.picture_view.image is not None  # ready to explore
    assert first.gan_page.grid_view.image is not None and first.gan_page.resume_button.isEnabled()
    assert first.state()["vae"]["model"] == str(vae_file) and first.state()["gan"]["model"] == str(gan_file)

    gan_file.write_bytes(b"half a file")
    second = LatentTab(runner, settings)
    qtbot.addWidget(second)
    second.restore_state({"vae": {"model": str(tmp_path / "gone.keras")}, "gan": {"model": str(gan_file)}})
    qtbot.waitUntil(lambda: "could not be reopened" in second.gan_page.status.text(), timeout=WAIT_MS)
    assert "damaged" in second.gan_page.status.text()
    assert "gone.keras" in second.vae_page.status.text() and "no longer there" in second.vae_page.status.text()
    assert not second.findChildren(QMessageBox), "a quiet note, not an error box"
    assert not second.vae_page.resume_button.isEnabled() and second.vae_page.model is None


def test_stills_are_saved_at_the_model_size_or_enlarged_with_their_recipe(qtbot, tab, tmp_path, monkeypatch):
    page = tab.vae_page
    model = open_fake(qtbot, page, tmp_path / "vae.keras")
    page.explorer_view.sliders[0].setValue(1.5)
    qtbot.waitUntil(lambda: settled(page), timeout=WAIT_MS)
    picture, grid = page.current_stills()
    assert (picture.title, grid.title) == ("the picture", "the grid")

    small = page.stills.save(str(tmp_path / "small.png"), picture, 0)
    crisp = page.stills.save(str(tmp_path / "crisp.png"), picture, 1)
    smooth = page.stills.save(str(tmp_path / "smooth.png"), picture, 2)
    assert Image.open(small).size == (8, 8) and Image.open(crisp).size == Image.open(smooth).size == (1024, 1024)
    assert np.all(np.asarray(Image.open(crisp)) == fake_latent.shade([1.5, 0.0]))
    recipe = read_recipe(crisp)
    assert recipe["technique"] == "vae" and recipe["model"] == str(model) and recipe["latent"] == [1.5, 0.0]
    assert (
        recipe["enlarged"] == 128
        and recipe["smooth"] is False
        and params_from_dict(VaeParams, recipe["params"]) == VaeParams()
    )
    grid_recipe = read_recipe(page.stills.save(str(tmp_path / "grid.png"), grid, 0))
    assert grid_recipe["plane"]["cells"] == 30 and grid_recipe["plane"]["x_axis"] == [1.0, 0.0]
    assert "saved" in page.status.text().lower()

    menu = QMenu()
    page.stills.fill(menu, page.current_stills())
    labels = [action.text() for action in menu.actions() if action.text()]
    assert labels[0] == "Save the picture at the model's size (8 × 8 px)…"
    assert "Save the grid enlarged, smooth (1200 × 1200 px)…" in labels
    assert page.explorer_view.picture_view.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu

    chosen = tmp_path / "from the shortcut.png"
    monkeypatch.setattr("studio.ui.widgets.saving.QFileDialog.getSaveFileName", lambda *args: (str(chosen), ""))
    tab.show()
    tab.activateWindow()
    qtbot.waitUntil(tab.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(
        page.explorer_view.picture_view,
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert Image.open(chosen).size == (8 * 128, 8 * 128) and read_recipe(chosen)["latent"] == [1.5, 0.0]


def test_a_picked_gan_sample_is_saved_as_itself(qtbot, tab, tmp_path):
    tab.set_mode("gan")
    page = tab.gan_page
    open_fake(qtbot, page, tmp_path / "gan.keras")
    page.grid_view.click_at(page.grid_view.cell_rect(4).center())
    sample, grid = page.current_stills()[:2]  # the Edit view's picture of the same point may follow
    assert sample.title == "picture 5" and sample.picture.shape == (28, 28, 3)
    assert np.all(sample.picture == fake_latent.shade(page.latents[4]))
    recipe = read_recipe(page.stills.save(str(tmp_path / "sample.png"), sample, 0))
    assert recipe["latent"] == pytest.approx(page.latents[4].tolist()) and recipe["model"] == str(
        tmp_path / "gan.keras"
    )
    grid_recipe = read_recipe(page.stills.save(str(tmp_path / "grid.png"), grid, 0))
    assert len(grid_recipe["latent"]) == 36 and grid_recipe["seed"] == page.sample_form.params().seed
