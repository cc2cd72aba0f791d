"""The Style tab as a user meets it: sample pictures at start, add styles, stylize with a live
preview and loss curve, stop and resume from the very picture on screen, paint inside a mask,
save with the recipe."""

from __future__ import annotations

import dataclasses
import itertools

import fake_engines
import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from studio.core.images import load_image, read_recipe, save_image
from studio.core.params import control_spec
from studio.core.params.style import StyleParams
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
def tab(qtbot, runner, event_loop_qt, serve_backbone, vgg_named_tiny_backbone):
    import studio.engines.style.job as engine

    serve_backbone(engine, vgg_named_tiny_backbone)
    widget = StyleTab(runner, Settings())
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    widget.form.update(size=64, num_scales=2, style_weight=0.02)
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
    shown = [field.name for field in dataclasses.fields(StyleParams) if control_spec(field) is not None]
    assert len(shown) >= 15 and all(len(tab.form.editor(name).toolTip()) > 30 for name in shown), (
        "each says what it does"
    )
    params = tab.current_params()
    assert params.optimizer == "lbfgs" and params.style_blend == (1.0,)


def test_stylize_shows_changing_previews_and_a_loss_curve_then_saves_the_recipe(qtbot, tab, tmp_path):
    tab.form.update(iterations=6)
    previews = []
    tab.view.after.scene().changed.connect(lambda _: previews.append(tab.view.after.image))
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


def test_stop_keeps_the_last_picture_and_resume_continues_from_it(qtbot, tab, fake_target, tmp_path):
    fake_target("style.stylize", "painting")
    tab.start_stylize()
    qtbot.waitUntil(lambda: tab.view.after.image is not None and tab.view.after.image[0, 0, 0] > 25, timeout=10_000)
    tab.job_panel.cancel()
    qtbot.waitUntil(lambda: tab.stylize_button.isEnabled(), timeout=10_000)
    stopped = tab.view.after.image.copy()
    assert "Cancelled" in tab.status.text() and tab.partial_bar.isVisibleTo(tab)
    assert tab.resume_button.isEnabled() and not tab.save_button.isEnabled(), "Save would not save what is shown"

    tab.start_stylize(resume=True)
    qtbot.waitUntil(lambda: len(fake_engines.calls) == 2, timeout=10_000)
    started_from = fake_engines.calls[-1]["init_image"]
    assert started_from is not None and np.array_equal(started_from, stopped), "Resume starts from the picture shown"
    assert fake_engines.calls[-1]["params"].init == "image"
    tab.job_panel.cancel()
    qtbot.waitUntil(lambda: tab.partial is not None and not tab.jobs.is_busy("style"), timeout=10_000)

    tab.keep_partial()
    assert np.array_equal(tab.result, tab.view.after.image) and tab.save_button.isEnabled()
    saved = tab.save_result(str(tmp_path / "stopped.png"))
    assert np.array_equal(load_image(saved), tab.view.after.image), "Save saves what the Result view shows"
    assert read_recipe(saved)["stopped_at"].startswith("step ")


def test_a_masked_style_leaves_the_outside_as_it_was(qtbot, tab, rgb):
    tab.set_content(rgb, "gradient")
    mask = np.zeros(rgb.shape[:2], np.float32)
    mask[:, :24] = 1.0
    tab.view.before.set_mask(mask)
    assert tab.styles.thumbs[0].region.isEnabled(), "with a mask, each style can paint inside or outside it"
    tab.form.update(iterations=4)
    tab.start_stylize()
    qtbot.waitUntil(lambda: tab.result is not None, timeout=60_000)
    assert tab.result.shape == rgb.shape
    change = np.abs(tab.result.astype(int) - rgb.astype(int)).sum(axis=2)
    assert change[:, 32:].max() == 0, "outside the mask the content stays exactly as it was"
    assert change[:, :16].mean() > 1, "inside the mask it is painted"


def test_settings_survive_a_restart(tab, runner, qtbot):
    tab.form.editor("iterations").setValue(77)
    tab.form.editor("preserve_colors").setCurrentIndex(1)
    again = StyleTab(runner, Settings())
    qtbot.addWidget(again)
    again.restore_state(tab.state())
    assert again.current_params().iterations == 77
    assert again.current_params().preserve_colors == "luminance"
