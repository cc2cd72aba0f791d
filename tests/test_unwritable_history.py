"""When the config folder (and so the history folder) cannot be written: in the Style tab a stopped
picture that the user keeps still becomes the result, can be saved, and the user is told once; a
Dream animation ends and says it has no copy there. (The Dream tab's own case is in test_dream_tab.)"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from studio.core.images import load_image
from studio.ui.dream_tab import DreamTab
from studio.ui.settings import Settings
from studio.ui.style_tab import StyleTab


def test_a_history_folder_that_cannot_be_written_never_stops_a_style_transfer(
    qtbot, runner, fake_target, tmp_path, unwritable_config
):
    tab = StyleTab(runner, Settings())
    qtbot.addWidget(tab)
    fake_target("style.stylize", "painting")
    for _ in range(2):
        tab.start_stylize()
        qtbot.waitUntil(lambda: tab.view.after.image is not None and tab.jobs.is_busy("style"), timeout=5000)
        qtbot.wait(50)
        tab.job_panel.cancel()
        qtbot.waitUntil(lambda: tab.partial is not None and not tab.jobs.is_busy("style"), timeout=5000)
        tab.keep_partial()
        assert tab.result is not None and tab.save_button.isEnabled() and tab.stylize_button.isEnabled()
        assert "Kept the partial" in tab.status.text() and "No copy is in the history folder" in tab.status.text()
    boxes = [box for box in tab.findChildren(QMessageBox) if box.objectName() == "error-box"]
    assert len(boxes) == 1 and "history folder" in boxes[0].text(), "told once, not after every picture"
    saved = tab.save_result(str(tmp_path / "kept.png"))
    assert (load_image(saved) == tab.result).all(), "Save still keeps what is shown"


def test_an_animation_says_when_the_history_folder_cannot_keep_it(qtbot, open_tab, fake_target, unwritable_config):
    tab = open_tab(DreamTab)
    fake_target("dream.animation", "flight")
    tab.animation.form.update(frames=3)
    tab.animation.button.click()
    qtbot.waitUntil(lambda: not tab.jobs.is_busy("animation") and len(tab.animation.frames) == 3, timeout=5000)
    assert "No copy is in the history folder" in tab.status.text() and "Save animation" in tab.status.text()
    assert tab.animation.save_button.isEnabled() and tab.dream_button.isEnabled()
