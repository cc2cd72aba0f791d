"""The Style tab's CycleGAN mode as an artist meets it: choose two collections, train a few steps
and watch the sample strip change, translate the Content picture at its own size and save it with
its recipe; bad collections are refused with a message before any training."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtWidgets import QMessageBox
from test_latent_layout import SIZES, cut_widgets

from studio.cli import main
from studio.core.images import load_image, read_recipe, save_image
from studio.ui.main_window import MainWindow
from studio.ui.settings import Settings
from studio.ui.style_tab import StyleTab
from studio.ui.widgets.model_training import TRAIN_QUESTION

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)
# The smallest networks (a ResNet of one block traces about a third fewer operations than a U-Net):
# tracing the train step is most of a training test's time.
TINY = {
    "size": 64,
    "generator": "resnet",
    "generator_filters": 8,
    "residual_blocks": 1,
    "discriminator_filters": 8,
    "epochs": 1,
    "steps_per_epoch": 8,
    "preview_every": 2,
    "seed": 0,
}


def picture_folder(folder, tint, count=3):
    folder.mkdir()
    rng = np.random.default_rng(len(str(folder)))
    for index in range(count):
        noise = rng.integers(-40, 40, (72, 80, 3))
        Image.fromarray(np.clip(np.add(tint, noise), 0, 255).astype(np.uint8)).save(folder / f"{index}.png")
    return folder


@pytest.fixture
def tab(qtbot, runner, event_loop_qt):
    widget = StyleTab(runner, Settings())
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    widget.modes.set_mode("cyclegan")
    return widget


def error_boxes(widget):
    return [box for box in widget.findChildren(QMessageBox, "error-box") if box.isVisible()]


def test_train_watch_the_strip_change_then_translate_and_save(qtbot, tab, tmp_path):
    page = tab.cyclegan.page
    assert tab.main_button is page.translate_button and not tab.stylize_button.isVisible()
    assert page.form.params().collection_a == ("grass",), "the demo collections are offered by default"
    summer, winter = picture_folder(tmp_path / "summer", (40, 160, 40)), picture_folder(tmp_path / "winter", (230,) * 3)
    page.form.update(collection_a=(str(summer),), collection_b=(str(winter),), **TINY)
    strips = []
    show_strip = page.training_preview
    page.training_preview = lambda frame: (strips.append(frame.copy()), show_strip(frame))

    page.train_button.click()
    assert tab.pages.currentWidget() is page.training_view
    qtbot.waitUntil(lambda: page.model is not None, timeout=90_000)
    assert len(strips) >= 2 and strips[0].shape == strips[-1].shape
    translated = slice(64 + 2, 2 * 64 + 2)  # the A→B column of the first row
    assert np.abs(strips[-1][:64, translated].astype(int) - strips[0][:64, translated]).mean() > 1
    assert np.array_equal(page.strip_view.image, strips[-1])
    assert len(page.loss_plot.series) == 4 and all(len(points) >= 1 for points in page.loss_plot.series.values())

    odd = np.random.default_rng(1).integers(0, 256, (53, 71, 3), np.uint8)
    tab.set_content(odd, "odd.png")
    page.translate_form.update(direction="b2a")
    page.translate_button.click()
    qtbot.waitUntil(lambda: tab.result is not None, timeout=30_000)
    assert tab.pages.currentWidget() is tab.view
    assert tab.result.shape == odd.shape and tab.view.after.image is not None
    saved = tab.save_result(str(tmp_path / "odd-b2a.png"))
    recipe = read_recipe(saved)
    assert recipe["technique"] == "style" and recipe["method"] == "cyclegan" and recipe["params"]["direction"] == "b2a"
    assert recipe["model"] == str(page.model_path) and recipe["source_size"] == [71, 53]
    page.translate_form.update(direction="a2b")
    tab.continue_from(tab.history.current)  # a translation's own settings come back, not the transfer's
    assert tab.modes.mode == "cyclegan" and page.translate_form.params().direction == "b2a"

    page.train_button.click()  # a trained model: asked first, never replaced
    (box,) = [box for box in page.findChildren(QMessageBox, TRAIN_QUESTION) if box.isVisible()]
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert not page.jobs.is_busy("train")

    later = StyleTab(tab.runner, Settings())  # the next session: the mode, the collections, the model
    qtbot.addWidget(later)
    later.restore_state(tab.state())
    assert later.modes.mode == "cyclegan" and later.cyclegan.page.form.params().collection_a == (str(summer),)
    qtbot.waitUntil(lambda: later.cyclegan.page.model is not None, timeout=30_000)
    assert later.cyclegan.page.model_path == page.model_path

    by_cli = tmp_path / "by-cli.png"  # the CLI translates with the app's settings, and the app knows its picture
    odd_file = save_image(tmp_path / "odd.png", odd)
    assert (
        main(["cyclegan", "translate", str(page.model_path), str(odd_file), "-o", str(by_cli), "--recipe", str(saved)])
        == 0
    )
    assert np.array_equal(load_image(by_cli), tab.result), "translated B → A, as the app did"
    tab.open_path(str(by_cli))
    assert f"painted by the CycleGAN {page.model_path.name}" in tab.status.text()


def test_bad_collections_get_a_message_before_training(qtbot, tab, tmp_path):
    page = tab.cyclegan.page
    page.form.update(collection_a=("gravel",), collection_b=("gravel",))
    page.train_button.click()
    assert "are the same" in error_boxes(page)[0].text() and not page.jobs.is_busy("train")
    error_boxes(page)[0].close()

    lonely = picture_folder(tmp_path / "lonely", (90, 90, 90), count=1)
    (lonely / "notes.txt").write_text("not a picture")
    page.form.update(collection_a=(str(lonely),), collection_b=("gravel",), **TINY)
    page.train_button.click()
    qtbot.waitUntil(lambda: bool(error_boxes(page)), timeout=30_000)
    assert "Collection A" in error_boxes(page)[0].text()
    assert page.model is None and page.strip_view.image is None, "no training started"


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_the_mode_fits_small_and_large_windows(qtbot, runner, tmp_path, size):
    shots = Path(os.environ.get("STUDIO_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    window = MainWindow(runner, Settings(tmp_path / "config"))
    qtbot.addWidget(window)
    tab = window.tab("style")
    window.tabs_widget.setCurrentWidget(tab)
    window.show()
    window.resize(*size)
    tab.modes.set_mode("cyclegan")
    for view in (tab.view, tab.cyclegan.page.training_view):
        tab.pages.setCurrentWidget(view)
        qtbot.wait(30)
        window.grab().save(str(shots / f"style-cyclegan-{tab.pages.currentIndex()}-{size[0]}x{size[1]}.png"))
        assert not cut_widgets(window), cut_widgets(window)
    assert tab.cyclegan.page.train_button.isVisible() and not tab.stylize_button.isVisible()
    tab.modes.set_mode("gatys")
    assert tab.stylize_button.isVisible() and tab.main_button is tab.stylize_button
    assert tab.pages.currentWidget() is tab.view and not tab.pages.isTabVisible(tab.cyclegan.training_index)
