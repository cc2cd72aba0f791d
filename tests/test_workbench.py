"""The picture tabs as an artist's workbench: undo and redo through the results, the history strip
rebuilt at start, variations on a contact sheet, animations, compare and zoom, dragging a result
out, the result's size told before the run, and the traps: the wheel over a setting, the drop
hint, a status line that keeps its place."""

from __future__ import annotations

import fake_engines
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QScrollArea

from studio.core.images import fit_within, read_recipe, save_image
from studio.core.params import make_recipe
from studio.core.params.dream import DreamParams
from studio.ui.dream_tab import DreamTab
from studio.ui.settings import Settings
from studio.ui.style_tab import StyleTab


@pytest.fixture
def tab(open_tab):
    return open_tab(DreamTab)


def dream_with_seed(qtbot, tab, seed: int) -> np.ndarray:
    tab.form.update(seed=seed)
    tab.start_dream()
    qtbot.waitUntil(lambda: not tab.jobs.is_busy("dream"), timeout=5000)
    return tab.view.after.image


def shown_value(tab) -> int | None:
    image = tab.view.after.image
    return None if image is None else int(image[0, 0, 0])


def test_undo_and_redo_step_through_what_the_after_view_showed(qtbot, tab, fake_target):
    fake_target("dream", "seeded")
    for seed in (10, 20, 30):
        dream_with_seed(qtbot, tab, seed)
    assert shown_value(tab) == 30 and tab.history_strip.list.count() == 3
    shown = []
    for step in (tab.undo, tab.undo, tab.undo, tab.redo, tab.redo):
        step()
        shown.append(shown_value(tab))
    assert shown == [20, 10, None, 10, 20]
    assert tab.save_button.isEnabled() and tab.result[0, 0, 0] == 20, "Save saves what Undo shows"

    fake_target("dream", "endless")
    tab.start_dream()
    qtbot.waitUntil(lambda: shown_value(tab) == 100, timeout=5000)
    tab.job_panel.cancel()
    qtbot.waitUntil(lambda: tab.partial is not None, timeout=5000)
    tab.undo()
    assert shown_value(tab) == 20, "undo steps back from the stopped dream"
    kept = [int(entry.picture[0, 0, 0]) for entry in tab.history.entries]
    assert kept == [10, 20, 30, 100], "nothing is lost: the stopped dream and the undone 30 are in the history"
    tab.redo()
    assert shown_value(tab) == 100 and tab.save_button.isEnabled()


def write_history(folder, seeds) -> list:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, seed in enumerate(seeds):
        path = folder / f"20240101-10000{index}-cat-dream.png"
        save_image(path, np.full((30, 40, 3), seed, np.uint8), make_recipe("dream", DreamParams(seed=seed, octaves=5)))
        paths.append(path)
    return paths


def test_the_history_strip_is_rebuilt_at_start_and_goes_on_from_an_entry(qtbot, runner):
    settings = Settings()
    first, second = write_history(settings.history_folder(), (11, 22))
    (settings.history_folder() / "20240101-100009-cat-dream.png").write_bytes(b"\x89PNG damaged")
    tab = DreamTab(runner, settings)
    qtbot.addWidget(tab)
    assert tab.history_strip.list.count() == 2
    assert "Skipped 1 history file" in tab.status.text() and "100009" in tab.status.text()
    assert tab.history_strip.path_label.toolTip().endswith(str(settings.history_folder()))

    entries = tab.history.entries
    tab.history_strip.list.itemClicked.emit(tab.history_strip.list.item(0))
    assert shown_value(tab) == 11 and tab.save_button.isEnabled()
    tab.history_strip.continue_button.click()
    assert tab.form.params().seed == 11 and tab.form.params().octaves == 5, "its settings come back"
    assert np.array_equal(tab.source, np.full((30, 40, 3), 11, np.uint8)), "and its picture is the one to dream on"

    second.unlink()
    tab.show_entry(entries[1])
    assert tab.history_strip.list.count() == 1 and "could not be shown" in tab.status.text(), "a deleted file: a note"
    tab.history_strip.copy_path()
    assert QApplication.clipboard().text() == str(settings.history_folder())


def test_a_batch_of_variations_runs_as_jobs_and_each_pick_joins_the_history(qtbot, tab, runner, fake_target):
    fake_target("dream", "seeded")
    tab.form.update(seed=None)
    tab.variations.form.update(count=3, kind="seeds")
    tab.variations.button.click()
    titles = [handle.job.title for handle in runner.jobs() if "variation" in handle.job.title]
    assert len(titles) == 3 and titles[0].startswith("Dream variation 1/3 (seed "), "each is a job in the job list"
    qtbot.waitUntil(lambda: len(tab.variations.results) == 3, timeout=5000)
    seeds = [call["params"].seed for call in fake_engines.calls]
    assert len(set(seeds)) == 3, "distinct seeds"
    pictures = [int(picture[0, 0, 0]) for picture in tab.variations.results.values()]
    assert len(set(pictures)) == 3 and tab.pages.currentWidget() is tab.variations.sheet
    assert all(not cell.icon().isNull() for cell in tab.variations.sheet.cells)

    tab.variations.sheet.cells[1].click()
    assert len(tab.history.entries) == 1 and shown_value(tab) == pictures[1]
    assert read_recipe(tab.history.entries[0].path)["params"]["seed"] == seeds[1]


def test_cancelling_variations_keeps_those_finished(qtbot, tab, fake_target):
    fake_target("dream", "dream")
    tab.variations.form.update(count=3, kind="sweep", sweep_field="octaves", sweep_from=1.0, sweep_to=3.0)
    tab.variations.start()
    assert [label for label, _ in tab.variations.runs] == ["Octaves 1", "Octaves 2", "Octaves 3"]
    qtbot.waitUntil(lambda: len(tab.variations.results) == 1, timeout=10_000)
    tab.variations.sheet.cancel_button.click()
    qtbot.waitUntil(lambda: not tab.variations.running(), timeout=10_000)
    assert len(tab.variations.results) == 1 and "1 of 3 done" in tab.variations.sheet.title.text()
    assert "cancelled" in tab.variations.sheet.cells[2].text()
    assert tab.variations.sheet.cells[0].isEnabled(), "the finished one can still be picked"


def test_an_animation_keeps_its_frames_and_saves_them(qtbot, tab, fake_target, tmp_path):
    fake_target("dream.animation", "flight")
    tab.animation.form.update(frames=4)
    tab.animation.button.click()
    qtbot.waitUntil(lambda: not tab.jobs.is_busy("animation") and len(tab.animation.frames) == 4, timeout=5000)
    assert tab.animation.bar.isVisibleTo(tab) and "4 frames" in tab.animation.label.text()
    assert shown_value(tab) == 40 and not tab.save_button.isEnabled(), "Save does not save a frame it would not show"
    qtbot.waitUntil(lambda: any(tab.settings.history_folder().glob("*-dream-animation.gif")), timeout=60_000)
    tab.animation.slider.setValue(2)
    assert shown_value(tab) == 20
    tab.animation.keep_frame()
    assert tab.result[0, 0, 0] == 20 and read_recipe(tab.history.entries[-1].path)["frame"] == 2

    out = tmp_path / "flight.gif"
    tab.animation._save(str(out), "Saved")
    qtbot.waitUntil(lambda: "Saved the animation" in tab.status.text(), timeout=60_000)
    with Image.open(out) as gif:
        assert gif.n_frames == 4


def test_a_stopped_animation_keeps_the_frames_it_finished(qtbot, tab, fake_target, monkeypatch):
    monkeypatch.setattr(fake_engines.flight, "__defaults__", (None, None, 0.2))
    fake_target("dream.animation", "flight")
    tab.animation.form.update(frames=50)
    tab.animation.start()
    qtbot.waitUntil(lambda: len(tab.animation.frames) >= 2, timeout=10_000)
    tab.job_panel.cancel()
    qtbot.waitUntil(lambda: not tab.jobs.is_busy("animation"), timeout=5000)
    assert 2 <= len(tab.animation.frames) < 50 and "stopped after" in tab.animation.label.text()
    assert tab.animation.save_button.isEnabled() and "Save animation" in tab.status.text()


def test_the_result_size_is_told_before_the_run(qtbot, tab):
    photo = np.zeros((1600, 2400, 3), np.uint8)
    tab.set_source(photo, "big photo")
    assert tab.size_note.label.text() == "Result: 768 × 512 (the picture is 2400 × 1600)"
    assert fit_within(photo, tab.form.params().max_side).shape[:2] == (512, 768), "what the dream will make"
    assert tab.size_note.full_button.isVisibleTo(tab)
    tab.size_note.full_button.click()
    assert tab.form.params().max_side is None and tab.size_note.label.text() == "Result: 2400 × 1600"
    assert not tab.size_note.full_button.isVisibleTo(tab)


def test_the_style_tab_tells_its_result_size_too(qtbot, runner):
    tab = StyleTab(runner, Settings())
    qtbot.addWidget(tab)
    tab.set_content(np.zeros((1600, 2400, 3), np.uint8), "big photo")
    assert tab.size_note.label.text() == "Result: 384 × 256 (the picture is 2400 × 1600)"
    tab.size_note.full_button.click()
    assert tab.form.params().size == 2400


@pytest.mark.parametrize("tab_class", [DreamTab, StyleTab])
def test_the_wheel_over_a_setting_scrolls_the_panel_and_leaves_the_setting(qtbot, open_tab, tab_class):
    widget = open_tab(tab_class, (900, 420))
    panel = next(scroll for scroll in widget.findChildren(QScrollArea) if scroll.widget().isAncestorOf(widget.form))
    scrollbar = panel.verticalScrollBar()
    assert scrollbar.maximum() > 0
    for name in ("tile_size", "backbone") if tab_class is DreamTab else ("iterations", "optimizer", "content_weight"):
        control = widget.form.editor(name)
        before, position = widget.form.params(), scrollbar.value()
        event = QWheelEvent(
            QPointF(5, 5), QPointF(5, 5), QPoint(0, 0), QPoint(0, -120), Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False,
        )  # fmt: skip
        QApplication.sendEvent(control, event)
        assert widget.form.params() == before, f"the wheel over {name} must not change it"
        assert scrollbar.value() > position or scrollbar.value() == scrollbar.maximum(), "it scrolls the panel"
        scrollbar.setValue(0)


def test_dragging_a_result_out_carries_a_png_with_its_recipe_and_the_picture(qtbot, tab, fake_target):
    assert tab.drag_mime() is None, "nothing to drag before a result"
    fake_target("dream", "seeded")
    dream_with_seed(qtbot, tab, 42)
    mime = tab.drag_mime()
    path = mime.urls()[0].toLocalFile()
    assert read_recipe(path)["params"]["seed"] == 42 and mime.hasImage()
    tab.history.current.path.unlink()
    copy = tab.drag_mime().urls()[0].toLocalFile()
    assert copy != path and read_recipe(copy)["technique"] == "dream", "a gone history file: a temporary copy"


def test_compare_by_wipe_and_zoom_to_actual_size(qtbot, tab, fake_target):
    fake_target("dream", "seeded")
    dream_with_seed(qtbot, tab, 7)
    view = tab.view
    view.wipe_button.click()
    assert not view.before.isVisibleTo(tab) and view.wipe_slider.isVisibleTo(tab)
    view.wipe_slider.setValue(250)
    clip = view.after._clip.rect()
    assert clip.width() == pytest.approx(0.25 * tab.source.shape[1]), "Before shows left of the line"
    view.actual_size()
    assert view.after.zoom_percent() == pytest.approx(100.0)
    view.fit()
    assert view.after.zoom_percent() < 100
    tab.mask_editor.paint_button.click()
    assert not view.wipe_mode and view.before.isVisibleTo(tab), "painting a mask needs the Before view"


def test_the_drop_hint_shows_while_a_file_is_dragged_over(qtbot, tab, tmp_path):
    assert "Drop a picture here" in tab.view.before.statusTip() and "drop a picture" in tab.status.text()
    before = tab.view.before.viewport().grab().toImage()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "a.png"))])
    event = QDragEnterEvent(
        QPoint(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(tab.view.before.viewport(), event)
    assert tab.view.before.viewport().grab().toImage() != before, "the view says where to drop"


def test_a_long_status_keeps_one_line_and_the_pictures_in_place(qtbot, tab):
    height, top = tab.status.height(), tab.view.geometry().height()
    tab.status.setText("A long message. " * 40)
    qtbot.wait(50)
    assert tab.status.height() == height and tab.view.geometry().height() == top
    assert tab.status.text() == "A long message. " * 40 and tab.status.toolTip() == tab.status.text()


def test_a_new_batch_replaces_one_still_running(qtbot, tab, runner, fake_target):
    fake_target("dream", "endless")
    tab.variations.form.update(count=4, kind="seeds")
    tab.variations.start()
    qtbot.waitUntil(lambda: any(handle.state == "running" for handle in runner.jobs()), timeout=5000)
    tab.variations.form.update(count=2)
    tab.variations.start()
    assert len(tab.variations.sheet.cells) == 2
    tab.variations.cancel()
    qtbot.waitUntil(lambda: not runner.jobs(), timeout=10_000)
    assert all("cancelled" in cell.text() for cell in tab.variations.sheet.cells)
