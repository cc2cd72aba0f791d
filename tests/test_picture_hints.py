"""What the picture tabs tell a newcomer without being asked: where the history folder is (with
Copy Path), that a picture can be dropped on the view (over the view while the pointer rests on it,
and in the status bar), and a finish message that leaves the pictures where they were."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPointF
from PySide6.QtGui import QEnterEvent, QGuiApplication
from PySide6.QtWidgets import QApplication

from studio.ui.dream_tab import DreamTab
from studio.ui.main_window import MainWindow
from studio.ui.settings import Settings
from studio.ui.style_tab import StyleTab


@pytest.mark.parametrize("tab_class", [DreamTab, StyleTab])
def test_the_history_folder_is_shown_and_copy_path_copies_it(open_tab, tab_class):
    tab = open_tab(tab_class)
    folder = str(tab.settings.history_folder(create=False))
    strip = tab.history_strip
    assert strip.path_label.isVisibleTo(tab) and strip.path_label.text().startswith("History: ")
    assert folder in strip.path_label.toolTip()
    QGuiApplication.clipboard().clear()
    copy = next(button for button in strip.findChildren(type(strip.continue_button)) if button.text() == "Copy Path")
    assert copy.isVisibleTo(tab)
    copy.click()
    assert QGuiApplication.clipboard().text() == folder
    assert tab.status.text() == f"Copied the path: {folder}"


def test_resting_the_pointer_on_the_picture_says_drop_one_here_over_it_and_in_the_status_bar(qtbot, runner):
    window = MainWindow(runner, Settings())
    qtbot.addWidget(window)
    window.resize(1100, 700)
    window.show()
    qtbot.waitExposed(window)
    view = window.tab("dream").view.before
    assert view.image is not None, "the tab opens on the sample picture, which hides the placeholder"
    window.statusBar().clearMessage()
    quiet = view.viewport().grab().toImage()

    point = QPointF(30, 30)
    QApplication.sendEvent(view, QEnterEvent(point, point, view.mapToGlobal(point)))
    assert "Drop a picture here" in window.statusBar().currentMessage()
    hovered = view.viewport().grab().toImage()
    assert hovered != quiet, "the hint shows over the picture"

    QApplication.sendEvent(view, QEvent(QEvent.Type.Leave))
    assert view.viewport().grab().toImage() == quiet, "and goes when the pointer leaves"


def test_the_finish_message_leaves_the_pictures_in_place(qtbot, open_tab, fake_target):
    tab = open_tab(DreamTab, (1024, 640))
    qtbot.waitExposed(tab)
    where = tab.view.geometry()
    fake_target("dream", "dream")
    tab.start_dream()
    qtbot.waitUntil(lambda: tab.result is not None, timeout=5000)
    qtbot.wait(50)
    message = tab.status.text()
    assert message.startswith("Done") and "history folder" in message, "the finish message says both things"
    assert tab.status.fontMetrics().horizontalAdvance(message) > tab.status.width(), "it is longer than the line"
    assert tab.view.geometry() == where, "the pictures did not move"
