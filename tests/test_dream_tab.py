"""The Dream tab as a user meets it: a sample picture at start, drop a picture, dream, see the
preview change, save with the recipe and get the recipe back; stop a dream and keep or drop what
it made; wait behind another job; dream on when the history folder cannot be written."""

from __future__ import annotations

import fake_engines
import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from studio.core.catalog import presets
from studio.core.images import read_recipe, save_image
from studio.ui.dream_tab import DreamTab
from studio.ui.runner import Job
from studio.ui.settings import Settings


@pytest.fixture
def tab(open_tab):
    return open_tab(DreamTab, (1000, 700))


@pytest.fixture
def picture(tmp_path, rgb):
    path = tmp_path / "gradient.png"
    save_image(path, np.repeat(np.repeat(rgb, 2, axis=0), 2, axis=1))
    return path


def drop_file(view, path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    view.dropEvent(event)


def error_boxes(widget) -> list[QMessageBox]:
    return [box for box in widget.findChildren(QMessageBox) if box.objectName() == "error-box"]


def test_starts_with_a_sample_photo_ready_to_dream(tab):
    assert tab.source is not None and tab.source.shape[2] == 3
    assert tab.dream_button.isEnabled()
    assert tab.current_params().layers


def test_drop_dream_preview_save_and_restore_recipe(qtbot, tab, fake_target, picture, tmp_path):
    fake_target("dream", "dream")
    drop_file(tab.view.before, picture)
    assert tab.source.shape == (96, 128, 3)
    tab.form.editor("steps_per_octave").setValue(2)
    fake_engines.results_released.clear()
    try:
        tab.start_dream()
        qtbot.waitUntil(
            lambda: tab.view.after.image is not None and tab.view.after.image[0, 0, 0] in fake_engines.PREVIEW_VALUES,
            timeout=5000,
        )
        assert tab.jobs.is_busy("dream") and tab.result is None, "a preview frame shows while the dream runs"
        assert not tab.save_button.isEnabled(), "nothing to save is on screen yet"
    finally:
        fake_engines.results_released.set()
    qtbot.waitUntil(lambda: tab.result is not None, timeout=5000)
    assert np.array_equal(tab.view.after.image, 255 - tab.source), "the result replaces the preview"
    assert "Done" in tab.status.text()

    kept = list(tab.settings.history_folder().glob("*-gradient-dream.png"))
    assert len(kept) == 1 and read_recipe(kept[0])["technique"] == "dream", "every result is kept automatically"

    saved = tab.save_result(str(tmp_path / "out.png"))
    recipe = read_recipe(saved)
    assert recipe["technique"] == "dream" and recipe["params"]["steps_per_octave"] == 2
    assert recipe["source_size"] == [128, 96]

    tab.form.editor("steps_per_octave").setValue(7)
    tab.open_path(str(saved))
    assert tab.recipe_bar.isVisibleTo(tab)
    tab.recipe_bar.restore()
    assert tab.form.editor("steps_per_octave").value() == 2


def test_what_the_controls_show_is_what_the_dream_gets(qtbot, tab, fake_target, picture):
    fake_target("dream", "dream")
    form = tab.form
    form.editor("octaves").setValue(5)
    form.editor("seed").setValue(42)
    form.editor("max_side").setCurrentIndex(form.editor("max_side").findText("Full size"))
    tab.preset_combo.setCurrentText("Fine texture")
    tab.preset_combo.activated.emit(tab.preset_combo.currentIndex())
    tab.guide_field.set_value(str(picture))
    tab.start_dream()
    qtbot.waitUntil(lambda: tab.result is not None, timeout=5000)
    call = fake_engines.calls[-1]
    params = call["params"]
    assert (params.octaves, params.seed, params.max_side) == (5, 42, None)
    assert params.layers == presets("dream")["vgg16"]["Fine texture"]
    assert params.guide_path == str(picture) and call["guide"].shape == (96, 128, 3)


def test_a_bad_file_gives_a_message_and_keeps_the_picture(qtbot, tab, tmp_path):
    before = tab.source
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    drop_file(tab.view.before, broken)
    boxes = error_boxes(tab)
    assert len(boxes) == 1 and "broken.png" in boxes[0].text()
    assert tab.source is before and tab.dream_button.isEnabled()


def test_a_stopped_dream_shows_what_save_would_save(qtbot, tab, fake_target, tmp_path):
    fake_target("dream", "dream")
    tab.start_dream()
    qtbot.waitUntil(lambda: tab.result is not None, timeout=5000)
    finished = tab.result

    fake_target("dream", "endless")
    tab.start_dream()
    qtbot.waitUntil(lambda: tab.view.after.image is not None and tab.view.after.image[0, 0, 0] == 100, timeout=5000)
    tab.job_panel.cancel()
    qtbot.waitUntil(lambda: "Cancelled" in tab.status.text(), timeout=5000)
    assert tab.dream_button.isEnabled()
    assert tab.view.after.image[0, 0, 0] == 100, "the stopped dream stays on screen"
    assert not tab.save_button.isEnabled() and not tab.again_button.isEnabled(), "Save would not save what is shown"
    assert tab.partial_bar.isVisibleTo(tab)

    tab.discard_partial()
    assert np.array_equal(tab.view.after.image, finished) and tab.save_button.isEnabled()
    assert not tab.partial_bar.isVisibleTo(tab)

    tab.start_dream()
    qtbot.waitUntil(lambda: tab.view.after.image is not None and tab.view.after.image[0, 0, 0] == 100, timeout=5000)
    tab.job_panel.cancel()
    qtbot.waitUntil(lambda: tab.partial_bar.isVisibleTo(tab), timeout=5000)
    tab.keep_partial()
    assert tab.result[0, 0, 0] == 100 and tab.save_button.isEnabled() and tab.again_button.isEnabled()
    recipe = read_recipe(tab.save_result(str(tmp_path / "partial.png")))
    assert recipe["technique"] == "dream" and recipe["stopped_at"].startswith("step ")


def test_a_queued_dream_says_what_it_waits_for(qtbot, tab, runner, fake_target):
    fake_target("dream", "dream")
    training = runner.run(Job(fake_engines.endless, title="Training GAN"))
    qtbot.waitUntil(lambda: training.state == "running", timeout=5000)
    tab.start_dream()
    assert tab.job_panel.label.text() == "Waiting for “Training GAN” to finish…"
    assert "Dreaming" not in tab.status.text() and not tab.dream_button.isEnabled()
    qtbot.wait(200)
    assert tab.view.after.image is None and "Waiting" in tab.job_panel.label.text()
    training.cancel()
    qtbot.waitUntil(lambda: "Octave" in tab.job_panel.label.text(), timeout=5000)
    qtbot.waitUntil(lambda: tab.result is not None, timeout=5000)


def test_a_history_folder_that_cannot_be_written_never_stops_a_dream(qtbot, runner, fake_target, unwritable_config):
    tab = DreamTab(runner, Settings())
    qtbot.addWidget(tab)
    fake_target("dream", "dream")
    for _ in range(2):
        tab.start_dream()
        qtbot.waitUntil(lambda: not tab.jobs.is_busy("dream"), timeout=5000)
        assert tab.result is not None and tab.save_button.isEnabled()
        assert "Done" in tab.status.text() and "No copy is in the history folder" in tab.status.text()
    boxes = error_boxes(tab)
    assert len(boxes) == 1 and "history folder" in boxes[0].text(), "told once, not after every dream"


def test_parameters_survive_a_restart(qtbot, runner, tab):
    tab.form.editor("octaves").setValue(5)
    tab.form.editor("seed").setValue(7)
    tab.layer_weights.sliders["block3_conv1"].setValue(2.0)
    state = tab.state()
    fresh = DreamTab(runner, Settings())
    qtbot.addWidget(fresh)
    fresh.restore_state(state)
    assert fresh.form.editor("octaves").value() == 5 and fresh.form.editor("seed").text() == "7"
    assert fresh.current_params().layers == tab.current_params().layers
    assert fresh.current_params().layers["block3_conv1"] == 2.0


def test_a_model_file_backbone_comes_back_with_its_layers(qtbot, runner, tab, fake_target, tmp_path):
    fake_target("backbone.layer_names", "layer_names")
    model = tmp_path / "mine.keras"
    model.write_bytes(b"a model")
    state = {"params": {"backbone": "file", "backbone_path": str(model), "layers": {"conv_b": 2.0}}}
    tab.restore_state(state)
    qtbot.waitUntil(lambda: list(tab.layer_weights.sliders) == list(fake_engines.LAYER_NAMES), timeout=5000)
    assert tab.current_params().layers == {"conv_b": 2.0}
    assert tab.current_params().backbone_path == str(model)
    tab.backbone_combo.setCurrentIndex(0)
    assert tab.current_params().backbone_path is None, "a built-in network carries no model file"


@pytest.mark.slow
def test_painted_mask_keeps_the_dream_inside_it(qtbot, tab, picture):
    tab.open_path(str(picture))
    tab.view.before.fit()
    tab.mask_editor.paint_button.setChecked(True)
    tab.view.before.brush_radius = 20
    centre = tab.view.before.mapFromScene(QPointF(96, 48))
    qtbot.mousePress(tab.view.before.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseRelease(tab.view.before.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    mask = tab.view.before.mask()
    assert mask is not None and mask[48, 96] == 1.0 and mask[48, 10] == 0.0
    assert "of the picture" in tab.mask_editor.hint.text()
    tab.form.update(steps_per_octave=3, octaves=1, max_side=None)
    tab.start_dream()
    qtbot.waitUntil(lambda: tab.result is not None, timeout=120_000)
    change = np.abs(tab.result.astype(int) - tab.source.astype(int)).sum(axis=2)
    assert change[mask == 0].max() == 0
    assert change[mask == 1].mean() > 1


def test_a_recipe_that_does_not_fit_gives_a_message(qtbot, tab, tmp_path):
    from studio.core.params import make_recipe
    from studio.core.params.dream import DreamParams

    picture = tmp_path / "odd.png"
    recipe = make_recipe("dream", DreamParams(octaves=4))
    recipe["params"]["seed"] = 3_000_000_000  # a seed the CLI accepts but no spin box can hold
    save_image(picture, np.zeros((8, 8, 3), np.uint8), recipe)
    tab.open_path(str(picture))
    tab.recipe_bar.restore()
    boxes = error_boxes(tab)
    assert len(boxes) == 1 and "does not fit" in boxes[0].text()
    assert tab.form.editor("octaves").value() == 3, "a recipe that does not fit changes nothing"
    assert tab.dream_button.isEnabled()
