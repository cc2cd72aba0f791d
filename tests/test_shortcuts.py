"""The keys an artist expects, through the real main window: Ctrl+Return runs the tab's main job,
Esc stops it, Ctrl+S and Ctrl+Shift+S save, Ctrl+Z and Ctrl+Shift+Z walk the results, F11 fills
the screen; menus and tooltips name them; the history folder's path can be copied."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from studio.core.images import read_recipe
from studio.ui import shortcuts
from studio.ui.main_window import MainWindow
from studio.ui.settings import Settings


def press(qtbot, window, key: QKeySequence) -> None:
    qtbot.keyClick(window, key[0].key(), key[0].keyboardModifiers())


def test_shortcuts_trigger_their_actions_in_the_current_tab(qtbot, runner, fake_target, tmp_path, monkeypatch):
    fake_target("dream", "seeded")
    window = MainWindow(runner, Settings())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)  # window shortcuts need the window active
    dream = window.tab("dream")
    assert window.tab_actions["run_main"].shortcut() == shortcuts.RUN
    assert "(Ctrl+Return)" in dream.dream_button.toolTip() and "(Ctrl+S)" in dream.save_button.toolTip()

    for seed in (5, 6):
        dream.form.update(seed=seed)
        press(qtbot, window, shortcuts.RUN)
        qtbot.waitUntil(lambda: dream.result is not None and not dream.jobs.is_busy("dream"), timeout=10_000)
    assert dream.result[0, 0, 0] == 6
    press(qtbot, window, shortcuts.UNDO)
    assert dream.view.after.image[0, 0, 0] == 5
    press(qtbot, window, shortcuts.REDO)
    assert dream.view.after.image[0, 0, 0] == 6

    fake_target("dream", "endless")
    press(qtbot, window, shortcuts.RUN)
    qtbot.waitUntil(lambda: dream.view.after.image[0, 0, 0] == 100, timeout=10_000)
    press(qtbot, window, shortcuts.CANCEL)
    qtbot.waitUntil(lambda: "Cancelled" in dream.status.text(), timeout=10_000)
    dream.discard_partial()

    chosen = tmp_path / "first.png"
    monkeypatch.setattr(
        "studio.ui.widgets.saving.QFileDialog.getSaveFileName", lambda *args, **kwargs: (str(chosen), "")
    )
    press(qtbot, window, shortcuts.SAVE)  # nothing saved yet this session: it asks where
    assert read_recipe(chosen)["params"]["seed"] == 6
    press(qtbot, window, shortcuts.SAVE)  # then saves beside it without asking, never over it
    assert read_recipe(tmp_path / "chelsea-sample-photo-dream.png")["technique"] == "dream"
    press(qtbot, window, shortcuts.SAVE_AS)
    assert "first.png" in dream.status.text()

    window.tabs_widget.setCurrentWidget(window.tab("text"))
    press(qtbot, window, shortcuts.UNDO)
    assert "Nothing to undo in the Text tab" in window.statusBar().currentMessage()
    window.tabs_widget.setCurrentWidget(window.tab("latent"))
    press(qtbot, window, shortcuts.UNDO)  # the Latent Explorer's pages step through their stills
    assert "Nothing to undo." in window.tab("latent").page.status.text()
    press(qtbot, window, shortcuts.FULL_SCREEN)
    assert window.full_screen_action.isChecked() and window.windowState() & Qt.WindowState.WindowFullScreen
    press(qtbot, window, shortcuts.FULL_SCREEN)
    assert not window.windowState() & Qt.WindowState.WindowFullScreen


def test_the_history_folder_is_shown_with_copy_path(qtbot, runner):
    window = MainWindow(runner, Settings())
    qtbot.addWidget(window)
    box = window.show_history_folder()
    folder = str(window.settings.history_folder(create=False))
    assert folder in box.text()
    copy = next(button for button in box.buttons() if button.text() == "Copy Path")
    copy.click()
    assert QApplication.clipboard().text() == folder
