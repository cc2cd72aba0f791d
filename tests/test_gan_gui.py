"""The GAN panel: train one tiny epoch on a dropped folder, watch the grid, sample, pick and interpolate, save/load."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image

from studio.core.params.gan import GanParams

pytestmark = pytest.mark.filterwarnings(
    # Keras' own .keras writer trips NumPy 2's copy-keyword deprecation; nothing of ours.
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

TINY = GanParams(image_size=28, channels=1, latent_dim=8, base_filters=4, epochs=1, batch_size=32, seed=3)


@pytest.fixture
def picture_folder(tmp_path):
    folder = tmp_path / "pictures"
    folder.mkdir()
    _, x = np.mgrid[0:36, 0:36]
    for index in range(16):
        Image.fromarray(((x * 7 + index * 15) % 256).astype(np.uint8)).save(folder / f"{index}.png")
    return folder


@pytest.fixture
def panel(qtbot, runner):
    from studio.ui.gan_panel import GanPanel
    from studio.ui.settings import Settings

    widget = GanPanel(runner, Settings())
    qtbot.addWidget(widget)
    widget.resize(1100, 760)
    return widget


def wait_for(qtbot, signal, timeout=60_000):
    with qtbot.waitSignal(signal, timeout=timeout) as blocker:
        pass
    return blocker.args


def test_train_a_tiny_epoch_then_sample_pick_interpolate_and_reload(qtbot, panel, picture_folder, tmp_path):
    assert not panel.stop_button.isEnabled() and not panel.new_grid_button.isEnabled()
    panel.form.set_params(TINY)
    panel.open_paths([str(picture_folder)])
    assert panel.form.params().dataset == str(picture_folder)

    panel.train()
    assert panel.stop_button.isEnabled() and not panel.train_button.isEnabled()
    wait_for(qtbot, panel.jobs.handle("train").finished)
    grid = panel.grid_view.image
    assert grid is not None and grid.shape[2] == 3 and grid.shape[0] >= 6 * 28  # the 6 x 6 monitor grid
    assert set(panel.loss_plot.series) == {"d_loss", "g_loss"}
    assert panel.model is not None and panel.model.epochs_done == 1
    assert panel.model_path == panel.checkpoints / "gan.keras" and panel.model_path.is_file()
    assert panel.resume_button.isEnabled() and "Trained gan.keras (1 epochs)" in panel.status.text()
    panel.grid_view.click_at(panel.grid_view.cell_rect(2).center())  # the monitor grid can be picked from
    assert panel.picked == [2] and panel.latents.shape == (36, 8)
    assert panel.current_stills()[0].picture.shape == (28, 28, 3)  # one cell of the grid, gaps left out

    panel.sample_form.update(seed=11)
    wait_for(qtbot, panel.jobs.handle("sample").finished)
    assert panel.latents.shape == (36, 8) and panel.grid_view.columns == 6
    first_grid = panel.grid_view.image.copy()
    panel.grid_view.click_at(panel.grid_view.cell_rect(7).center())
    assert panel.picked == [7]
    panel.grid_view.click_at(panel.grid_view.cell_rect(20).center())
    assert panel.picked == [7, 20]
    strip = wait_for(qtbot, panel.jobs.handle("strip").finished)[0]
    assert strip.shape == (28, 8 * 28 + 7, 3)
    assert panel.strip_view.image is strip

    model_path = tmp_path / "saved.keras"
    wait_for(qtbot, panel.save_model(str(model_path)).finished)
    assert model_path.is_file()
    panel.model = None
    wait_for(qtbot, panel.open_path(str(model_path)).finished)
    assert panel.model is not None and panel.model.epochs_done == 1 and panel.form.params().epochs == 2
    wait_for(qtbot, panel.jobs.handle("sample").finished)  # opening draws the grid for the current seed
    np.testing.assert_array_equal(panel.grid_view.image, first_grid)


def test_resume_continues_the_curves_and_stop_keeps_the_model(qtbot, panel, picture_folder):
    panel.form.set_params(dataclasses.replace(TINY, dataset=str(picture_folder)))
    panel.train()
    wait_for(qtbot, panel.jobs.handle("train").finished)
    steps_first_run = panel.loss_plot.series["d_loss"][-1][0]
    panel.form.update(epochs=30)
    panel.resume()
    handle = panel.jobs.handle("train")
    qtbot.waitUntil(lambda: panel.loss_plot.series["d_loss"][-1][0] > steps_first_run, timeout=30_000)
    panel.stop()
    wait_for(qtbot, handle.cancelled)
    assert not panel.jobs.is_busy("train") and panel.train_button.isEnabled() and panel.resume_button.isEnabled()
    assert panel.model is not None and "Stopped" in panel.status.text()
    qtbot.waitUntil(lambda: not panel.jobs.is_busy("sample"), timeout=30_000)


def test_warning_label_shows_the_advice(qtbot, panel):
    from studio.core.progress import Progress

    panel.training_progress(Progress(3, 10, data={"warning": "The discriminator is winning…"}))
    assert panel.warning_label.isVisibleTo(panel) and "winning" in panel.warning_label.text()
    panel.training_progress(Progress(4, 10, data={"warning": None}))
    assert not panel.warning_label.isVisibleTo(panel)


def test_shipped_names_match_the_datasets_module(panel):
    from studio.core.datasets import SHIPPED

    combo = panel.dataset_chooser.combo
    names = [combo.itemData(index) for index in range(combo.count()) if combo.itemData(index)]
    assert tuple(names) == SHIPPED
    panel.dataset_chooser.set_value("cifar10")
    assert panel.form.params().channels == 3
    panel.dataset_chooser.set_value("mnist")
    assert panel.form.params().channels == 1 and panel.form.params().image_size == 28


def test_an_empty_folder_is_explained(qtbot, panel, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    empty = tmp_path / "empty"
    empty.mkdir()
    panel.open_paths([str(empty)])
    panel.train()
    message, _ = wait_for(qtbot, panel.jobs.handle("train").failed)
    assert "empty" in message
    box = panel.findChild(QMessageBox, "error-box")
    assert box is not None and "empty" in box.text()
    assert not panel.jobs.is_busy("train") and panel.train_button.isEnabled()
