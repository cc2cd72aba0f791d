"""The Dream tab as a user meets it: a sample picture at start, drop a picture, dream, see the
preview change, save with the recipe and get the recipe back."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from studio.core.images import read_recipe, save_image
from studio.ui.dream_tab import DreamTab
from studio.ui.settings import Settings


@pytest.fixture
def tab(qtbot, runner, event_loop_qt):
    widget = DreamTab(runner, Settings())
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    return widget


def drop_file(view, path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    view.dropEvent(event)


def test_starts_with_a_sample_photo_ready_to_dream(tab):
    assert tab.source is not None and tab.source.shape[2] == 3
    assert tab.dream_button.isEnabled()
    assert tab.current_params().layers


@pytest.mark.slow
def test_drop_dream_preview_save_and_restore_recipe(qtbot, tab, tmp_path, rgb):
    picture = tmp_path / "gradient.png"
    save_image(picture, np.repeat(np.repeat(rgb, 2, axis=0), 2, axis=1))
    drop_file(tab.view.before, picture)
    assert tab.source.shape == (96, 128, 3)
    tab.steps.setValue(2)
    tab.octaves.setValue(2)
    tab.size_combo.setCurrentIndex(tab.size_combo.findData(None))
    previews = []
    tab.view.after.scene().changed.connect(lambda _: previews.append(tab.view.after.image))
    tab.start_dream()
    qtbot.waitUntil(lambda: tab.result is not None, timeout=120_000)
    shown = tab.view.after.image
    assert shown is not None and shown.shape == tab.source.shape
    assert np.abs(shown.astype(int) - tab.source.astype(int)).mean() > 0.5, "the dream should change the picture"
    assert any(p is not None for p in previews)

    kept = list(tab.settings.history_folder().glob("*-gradient-dream.png"))
    assert len(kept) == 1 and read_recipe(kept[0])["technique"] == "dream", "every result is kept automatically"

    saved = tab.save_result(str(tmp_path / "out.png"))
    recipe = read_recipe(saved)
    assert recipe["technique"] == "dream" and recipe["params"]["steps_per_octave"] == 2
    assert recipe["source_size"] == [128, 96]

    tab.steps.setValue(7)
    tab.open_path(str(saved))
    assert tab.recipe_bar.isVisibleTo(tab)
    tab.recipe_bar.restore()
    assert tab.steps.value() == 2


def test_a_bad_file_gives_a_message_and_keeps_the_picture(qtbot, tab, tmp_path):
    before = tab.source
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    drop_file(tab.view.before, broken)
    box = tab.findChild(object, "error-box")
    assert box is not None and "broken.png" in box.text()
    assert tab.source is before and tab.dream_button.isEnabled()


def test_cancel_leaves_the_tab_ready(qtbot, tab):
    tab.steps.setValue(500)
    tab.size_combo.setCurrentIndex(0)
    tab.start_dream()
    qtbot.waitUntil(lambda: tab.job_panel.cancel_button.isEnabled(), timeout=10_000)
    qtbot.waitUntil(lambda: tab.view.after.image is not None, timeout=120_000)
    tab.job_panel.cancel()
    qtbot.waitUntil(lambda: "Cancelled" in tab.status.text(), timeout=60_000)
    assert tab.dream_button.isEnabled()
    assert tab.result is None


def test_parameters_survive_a_restart(qtbot, runner, tab):
    tab.octaves.setValue(5)
    tab.layer_weights.set_weights({"block3_conv1": 2.0})
    state = tab.state()
    fresh = DreamTab(runner, Settings())
    qtbot.addWidget(fresh)
    fresh.restore_state(state)
    assert fresh.octaves.value() == 5
    assert fresh.current_params().layers == {"block3_conv1": 2.0}


@pytest.mark.slow
def test_painted_mask_keeps_the_dream_inside_it(qtbot, tab, tmp_path, rgb):
    picture = tmp_path / "gradient.png"
    save_image(picture, np.repeat(np.repeat(rgb, 2, axis=0), 2, axis=1))
    tab.open_path(str(picture))
    tab.view.before.fit()
    tab.paint_button.setChecked(True)
    tab.view.before.brush_radius = 20
    centre = tab.view.before.mapFromScene(QPointF(96, 48))
    qtbot.mousePress(tab.view.before.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseRelease(tab.view.before.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    mask = tab.view.before.mask()
    assert mask is not None and mask[48, 96] == 1.0 and mask[48, 10] == 0.0
    assert "of the picture" in tab.mask_label.text()
    tab.steps.setValue(3)
    tab.octaves.setValue(1)
    tab.size_combo.setCurrentIndex(tab.size_combo.findData(None))
    tab.start_dream()
    qtbot.waitUntil(lambda: tab.result is not None, timeout=120_000)
    change = np.abs(tab.result.astype(int) - tab.source.astype(int)).sum(axis=2)
    assert change[mask == 0].max() == 0
    assert change[mask == 1].mean() > 1


def test_a_recipe_that_does_not_fit_gives_a_message(qtbot, tab, tmp_path):
    from studio.core.params import make_recipe
    from studio.core.params.dream import DreamParams

    picture = tmp_path / "odd.png"
    recipe = make_recipe("dream", DreamParams())
    recipe["params"]["seed"] = 3_000_000_000  # a seed the CLI accepts but no spin box can hold
    save_image(picture, np.zeros((8, 8, 3), np.uint8), recipe)
    tab.open_path(str(picture))
    tab.recipe_bar.restore()
    box = tab.findChild(object, "error-box")
    assert box is not None and "does not fit" in box.text()
    assert tab.dream_button.isEnabled()
