"""The Latent Explorer fits a 1024 x 640 window and a 1600 x 1000 one, idle, training, exploring and editing:
no button, box or label is cut. Screenshots of each state go to $STUDIO_SCREENSHOTS when set."""

from __future__ import annotations

import os
from pathlib import Path

import fake_latent
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLabel, QWidget

from studio.ui.gan_panel import EDIT_VIEW
from studio.ui.main_window import MainWindow
from studio.ui.settings import Settings
from studio.ui.vae_page import EXPLORE_VIEW

SIZES = ((1024, 640), (1600, 1000))
WAIT_MS = 10_000


def cut_widgets(root: QWidget) -> list[str]:
    """Visible controls narrower than their content needs, or hidden in part sideways by their parent."""
    cut = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root) or isinstance(widget, QLabel) and (widget.wordWrap() or not widget.text()):
            continue
        name = f"{type(widget).__name__} {getattr(widget, 'text', lambda: '')()!r}"
        if isinstance(widget, (QAbstractButton, QComboBox, QLabel)) and widget.width() < widget.sizeHint().width():
            cut.append(f"{name}: {widget.width()} px of {widget.sizeHint().width()}")
        elif isinstance(widget, QAbstractSpinBox) and widget.width() < widget.minimumSizeHint().width():
            cut.append(f"{name}: {widget.width()} px of {widget.minimumSizeHint().width()}")
        if isinstance(widget, (QAbstractButton, QComboBox, QLabel, QAbstractSpinBox)):
            if (shown := sideways_shown(widget)) < widget.width():
                cut.append(f"{name}: {shown} px of {widget.width()} inside its parents")
    return cut


def sideways_shown(widget: QWidget) -> int:
    """How many of the widget's columns of pixels lie inside all its parents (a scroll area's
    viewport included): what is left of it once the parents clip it from the sides."""
    left, right = 0, widget.width()
    parent = widget.parentWidget()
    while parent is not None:
        x = widget.mapTo(parent, QPoint(0, 0)).x()
        left, right = max(left, -x), min(right, parent.width() - x)
        parent = parent.parentWidget()
    return max(0, right - left)


@pytest.fixture
def window(qtbot, runner, monkeypatch, tmp_path):
    fake_latent.use_fakes(monkeypatch)
    main = MainWindow(runner, Settings(tmp_path / "config"))
    qtbot.addWidget(main)
    main.tabs_widget.setCurrentWidget(main.tab("latent"))
    main.show()
    return main


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_nothing_is_cut_idle_training_or_exploring(qtbot, window, tmp_path, size):
    shots = Path(os.environ.get("STUDIO_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    window.resize(*size)
    assert (window.width(), window.height()) == size, "the window can take this size"
    tab = window.tab("latent")

    def look(name: str) -> None:
        qtbot.wait(30)
        window.grab().save(str(shots / f"latent-{name}-{size[0]}x{size[1]}.png"))
        assert not cut_widgets(window), f"{name}: {cut_widgets(window)}"

    for mode in ("vae", "gan"):
        tab.set_mode(mode)
        walk_through(qtbot, tab.vae_page if mode == "vae" else tab.gan_page, mode, look, tmp_path)


def walk_through(qtbot, page, mode: str, look, tmp_path) -> None:
    """Look at a page idle, while it trains, and with a model open."""
    look(f"{mode}-idle")
    page.train()
    qtbot.waitUntil(lambda: page.job_panel.bar.value() > 0, timeout=WAIT_MS)
    qtbot.wait(150)  # the curves and the stage line fill in
    look(f"{mode}-training")
    page.stop()
    qtbot.waitUntil(lambda: not page.jobs.is_busy("train"), timeout=WAIT_MS)
    model = tmp_path / f"{mode}-mine.keras"
    model.write_bytes(fake_latent.FAKE_MODEL)
    page.open_path(str(model))
    qtbot.waitUntil(lambda: page.model_path == model, timeout=WAIT_MS)
    if mode == "vae":
        timer = page.explorer_view._full_grid_timer
        qtbot.waitUntil(lambda: page.explorer_view.grid_view.image is not None, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: not timer.isActive() and not page.jobs.is_busy("grid"), timeout=WAIT_MS)
        assert page.views.currentIndex() == EXPLORE_VIEW
    else:
        qtbot.waitUntil(lambda: page.grid_view.image is not None, timeout=WAIT_MS)
    look(f"{mode}-explorer")
    if mode == "gan":
        page.views.setCurrentIndex(EDIT_VIEW)
        qtbot.waitUntil(lambda: page.editor.picture_view.image is not None, timeout=WAIT_MS)
        look("gan-edit")
