"""The Style tab as a user meets it: sample pictures at start, add styles, stylize with a live
preview and loss curve, stop and resume, save with the recipe."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from studio.core.images import read_recipe, save_image
from studio.ui.settings import Settings
from studio.ui.style_tab import StyleTab

VGG_NAMES = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block4_conv2", "block5_conv1")


@pytest.fixture(scope="module")
def vgg_named_tiny_backbone():
    """A tiny random convnet whose layers carry VGG names, so the tab's default layers exist."""
    import keras

    from studio.core.backbones import Backbone

    keras.utils.set_random_seed(0)
    inputs = keras.Input((None, None, 3))
    x = inputs
    for index, name in enumerate(VGG_NAMES):
        x = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name=name)(x)
        if index in (0, 2):
            x = keras.layers.MaxPooling2D(2)(x)
    return Backbone.from_model("vgg16", keras.Model(inputs, x), VGG_NAMES)


@pytest.fixture
def tab(qtbot, runner, event_loop_qt, monkeypatch, vgg_named_tiny_backbone):
    import studio.engines.style.job as engine

    def load_tiny(key, path=None):
        return vgg_named_tiny_backbone
        yield  # a generator, like the real loader

    monkeypatch.setattr(engine, "load_backbone", load_tiny)
    widget = StyleTab(runner, Settings())
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    widget.size.setValue(64)
    widget.scales.setValue(2)
    widget.style_weight.setValue(0.02)
    return widget


def drop_files(widget, *paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    widget.dropEvent(event)


def test_starts_with_sample_pictures_ready_to_stylize(tab):
    assert tab.content is not None and len(tab.styles.thumbs) == 1
    assert tab.stylize_button.isEnabled() and not tab.save_button.isEnabled()
    params = tab.current_params()
    assert params.optimizer == "lbfgs" and params.style_blend == (1.0,)


def test_stylize_shows_changing_previews_and_a_loss_curve_then_saves_the_recipe(qtbot, tab, tmp_path):
    tab.iterations.setValue(6)
    previews = []
    tab.result_view.scene().changed.connect(lambda _: previews.append(tab.result_view.image))
    tab.start_stylize()
    qtbot.waitUntil(lambda: tab.result is not None, timeout=60_000)
    shown = [p for p in previews if p is not None]
    assert len(shown) >= 2
    assert any(not np.array_equal(a, b) for a, b in itertools.pairwise(shown)), "the preview should change"
    assert tab.result.shape == (64, 64, 3)
    assert len(tab.loss_plot.series["loss"]) >= 3
    assert tab.resume_button.isEnabled()
    kept = list(tab.settings.history_folder().glob("*-astronaut-sample-photo-style.png"))
    assert len(kept) == 1 and read_recipe(kept[0])["technique"] == "style", "every result is kept automatically"

    saved = tab.save_result(str(tmp_path / "painted"))
    recipe = read_recipe(saved)
    assert saved.suffix == ".png" and recipe["technique"] == "style"
    assert recipe["params"]["iterations"] == 6 and recipe["style_sources"] == tab.styles.names()


def test_dropped_styles_get_blend_sliders_and_can_be_removed(tab, tmp_path, rgb):
    first, second = tmp_path / "a.png", tmp_path / "b.jpg"
    save_image(first, rgb)
    save_image(second, rgb[::-1])
    drop_files(tab.styles, first, second)
    assert tab.styles.names()[1:] == ["a.png", "b.jpg"]
    tab.styles.thumbs[1].blend.setValue(0.25)
    assert tab.current_params().style_blend == (1.0, 0.25, 1.0)
    tab.styles.remove(tab.styles.thumbs[0])
    assert tab.current_params().style_blend == (0.25, 1.0)


def test_stop_keeps_the_last_picture_and_resume_continues_from_it(qtbot, tab):
    tab.iterations.setValue(400)
    tab.start_stylize()
    qtbot.waitUntil(lambda: tab.last_picture is not None, timeout=60_000)
    tab.job_panel.cancel()
    qtbot.waitUntil(lambda: tab.stylize_button.isEnabled(), timeout=60_000)
    assert tab.result is not None and tab.resume_button.isEnabled()
    tab.iterations.setValue(2)
    tab.start_stylize(resume=True)
    qtbot.waitUntil(lambda: tab.stylize_button.isEnabled() and tab.result.shape == (64, 64, 3), timeout=60_000)
    assert tab.result_params.init == "image"


def test_settings_survive_a_restart(tab, runner, qtbot):
    tab.iterations.setValue(77)
    tab.colors.setCurrentIndex(tab.colors.findData("luminance"))
    again = StyleTab(runner, Settings())
    qtbot.addWidget(again)
    again.restore_state(tab.state())
    assert again.current_params().iterations == 77
    assert again.current_params().preserve_colors == "luminance"
