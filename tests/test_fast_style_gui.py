"""The Style tab's Fast style mode as an artist meets it: train a style model (a tiny one, on the
tiny backbone) and watch its preview, then paint the Content picture from the gallery with one
click; paint a folder into a new folder; a model's name is never trained over without a question."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from tiny import TINY_STYLE_MODEL

from studio.core.images import load_image, read_recipe, save_image
from studio.core.style_presets import DEFAULT_PRESET, load_preset
from studio.ui.fast_style_training import CHANNEL, TRAIN_QUESTION
from studio.ui.settings import Settings
from studio.ui.style_tab import StyleTab

TINY_TRAINING = {**TINY_STYLE_MODEL, "style_weight": 1.0, "steps": 6, "faces_share": 0.0, "preview_every": 2}


@pytest.fixture
def tab(qtbot, runner, serve_backbone, tiny_backbone):
    import studio.engines.fast_style.training as training

    serve_backbone(training, tiny_backbone)
    widget = StyleTab(runner, Settings())
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    widget.modes.set_mode("fast")
    widget.fast_style.training.form.update(**TINY_TRAINING)
    return widget


def click_model(qtbot, gallery, row: int) -> None:
    rect = gallery.visualItemRect(gallery.item(row))
    qtbot.mouseClick(gallery.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_starts_with_the_brush_strokes_preset_in_both_modes(tab):
    preset = load_preset(DEFAULT_PRESET)
    assert np.array_equal(tab.styles.pictures()[0], preset), "the optimised transfer's default style"
    assert np.array_equal(tab.fast_style.training.styles.pictures()[0], preset), "and the one to train"
    tab.presets.buttons["ink_wash"].click()
    assert len(tab.styles.thumbs) == 2 and "Ink wash" in tab.styles.names()[1]


def test_each_mode_takes_the_height_of_its_own_controls(qtbot, tab):
    tab.modes.set_mode("gatys")
    qtbot.waitUntil(lambda: tab.styles.thumbs[0].isVisible())
    thumb = tab.styles.thumbs[0]
    assert thumb.height() <= thumb.sizeHint().height() + 2, "not pulled apart to the Fast style page's height"
    assert tab.modes.pages.height() < tab.fast_style.sizeHint().height()


def test_train_shows_a_changing_preview_then_paints_from_the_gallery(qtbot, tab, tmp_path):
    training, page = tab.fast_style.training, tab.fast_style
    previews, before_the_end = [], []
    training.train()
    handle = tab.jobs.handle(CHANNEL)
    handle.preview.connect(lambda frame: previews.append(frame.copy()))
    handle.finished.connect(lambda _model: before_the_end.extend(previews))
    qtbot.waitUntil(lambda: not tab.jobs.is_busy(CHANNEL), timeout=60_000)
    previews = before_the_end
    assert len(previews) >= 2 and any(not np.array_equal(a, b) for a, b in itertools.pairwise(previews)), (
        "the preview changes while the model learns"
    )
    assert np.array_equal(training.preview.image, previews[-1])
    assert len(training.plot.series["loss"]) == 6
    model = tab.settings.style_models_folder() / "brush-strokes.keras"
    assert model.is_file() and training.resume_button.isEnabled()

    qtbot.waitUntil(lambda: not tab.jobs.is_busy("fast-style-thumbnails") and page.gallery.count() == 1, timeout=30_000)
    assert not page.gallery.item(0).icon().isNull()
    page.form.update(strength=0.8)
    click_model(qtbot, page.gallery, 0)
    qtbot.waitUntil(lambda: tab.result is not None, timeout=30_000)
    assert tab.result.shape == tab.content.shape and np.abs(tab.result.astype(int) - tab.content).mean() > 1
    assert np.array_equal(tab.view.after.image, tab.result)

    saved = tab.save_result(str(tmp_path / "painted"))
    recipe = read_recipe(saved)
    assert recipe["method"] == "fast" and recipe["model"] == "brush-strokes.keras"
    assert recipe["params"]["strength"] == 0.8 and np.array_equal(load_image(saved), tab.result)


def test_training_over_a_models_name_asks_first(qtbot, tab):
    folder = tab.settings.style_models_folder()
    folder.mkdir(parents=True)
    (folder / "brush-strokes.keras").write_bytes(b"the artist's model")
    tab.fast_style.training.train()
    box = next(w for w in QApplication.topLevelWidgets() if w.objectName() == TRAIN_QUESTION and w.isVisible())
    assert "brush-strokes-2.keras" in box.informativeText()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert not tab.jobs.is_busy(CHANNEL)
    assert (folder / "brush-strokes.keras").read_bytes() == b"the artist's model"


@pytest.fixture
def stripes_model(tab):
    """An untrained tiny style model in the models folder, shown in the gallery."""
    from studio.core.params.fast_style import FastStyleTrainParams
    from studio.engines.fast_style import FastStyleModel, save_style_model

    model = FastStyleModel(FastStyleTrainParams(filters=8, residual_blocks=1))
    path = save_style_model(model, tab.settings.style_models_folder() / "stripes.keras")
    tab.fast_style.gallery.refresh()
    return path


def test_continue_from_a_painted_picture_takes_its_settings_and_model(qtbot, tab, stripes_model, tmp_path):
    page = tab.fast_style
    gatys = tab.current_params()
    page.form.update(strength=0.3, preserve_colors="luminance")
    page.gallery.choose(stripes_model)
    tab.stylize_button.click()  # the main button paints with the chosen model in this mode
    qtbot.waitUntil(lambda: tab.result is not None, timeout=30_000)
    painted = tab.history.current
    page.form.update(strength=1.0, preserve_colors="none")
    page.gallery.clearSelection()
    page.gallery.setCurrentItem(None)
    tab.continue_from(painted)
    assert page.form.params().strength == 0.3 and page.form.params().preserve_colors == "luminance"
    assert page.gallery.chosen() == stripes_model and tab.current_params() == gatys, "the Optimise settings stay"

    state = tab.state()
    again = StyleTab(tab.runner, tab.settings)
    qtbot.addWidget(again)
    again.restore_state(state)
    assert again.modes.mode == "fast" and again.fast_style.form.params().strength == 0.3
    assert again.fast_style.gallery.chosen() == stripes_model

    tab.open_path(str(tab.save_result(str(tmp_path / "painted.png"))))
    assert not tab.recipe_bar.isVisibleTo(tab), "no Optimise settings are offered from a fast-style picture"
    assert "stripes.keras" in tab.status.text()


def test_paints_a_folder_into_a_new_folder_never_over_one(qtbot, tab, tmp_path, rgb, stripes_model):
    frames = tmp_path / "frames"
    for index in range(2):
        save_image(frames / f"{index}.png", rgb)
    taken = tmp_path / "frames-stripes"
    taken.mkdir()
    (taken / "mine.png").write_bytes(b"")
    tab.fast_style.paint_folder(stripes_model, frames)
    qtbot.waitUntil(lambda: not tab.jobs.is_busy("fast-style-frames"), timeout=30_000)
    assert sorted(p.name for p in taken.iterdir()) == ["mine.png"], "the folder that was there is left alone"
    painted = sorted((tmp_path / "frames-stripes-2").iterdir())
    assert len(painted) == 2 and load_image(painted[0]).shape == rgb.shape
    assert "Painted frames" in tab.fast_style.frames_note.text()
    assert np.array_equal(tab.fast_style.frames_preview.image, load_image(painted[-1])), "the frames show as painted"


def test_a_painting_saved_by_the_app_or_the_cli_is_read_by_the_other(qtbot, tab, stripes_model, tmp_path, rgb, capsys):
    """One recipe for a style model's picture: `studio style apply --recipe` takes the app's settings,
    and the app knows a picture the CLI painted (or an earlier CLI, which named it "fast_style")."""
    from studio.cli import main

    photo = save_image(tmp_path / "photo.png", rgb)
    tab.set_content(rgb, "photo.png")
    tab.fast_style.form.update(strength=0.3, preserve_colors="luminance")
    tab.fast_style.apply_model(stripes_model)
    qtbot.waitUntil(lambda: tab.result is not None, timeout=30_000)
    by_app = tab.save_result(str(tmp_path / "by-app.png"))

    by_cli = tmp_path / "by-cli.png"
    assert main(["style", "apply", str(stripes_model), str(photo), "-o", str(by_cli), "--recipe", str(by_app)]) == 0
    assert read_recipe(by_cli)["params"] == read_recipe(by_app)["params"], "the CLI painted with the app's settings"
    capsys.readouterr()
    assert main(["style", str(photo), str(photo), "-o", str(tmp_path / "y.png"), "--recipe", str(by_app)]) == 2
    assert "by-app.png holds no Style recipe" in capsys.readouterr().err, "the optimised transfer's settings differ"

    older = {key: value for key, value in read_recipe(by_cli).items() if key != "method"}
    older_cli = save_image(tmp_path / "older.png", rgb, {**older, "technique": "fast_style"})  # an earlier CLI's
    again = tmp_path / "again.png"
    assert main(["style", "apply", str(stripes_model), str(photo), "-o", str(again), "--recipe", str(older_cli)]) == 0
    assert read_recipe(again)["params"] == read_recipe(by_app)["params"]
    for picture in (by_cli, older_cli):
        tab.open_path(str(picture))
        assert "painted by the style model stripes.keras" in tab.status.text()
        assert not tab.recipe_bar.isVisibleTo(tab), "no Optimise settings are offered from a style model's picture"
