"""The main window: four tabs, menus (recent files, the history folder, the tab's main actions
with their shortcuts), and a status bar with the job list and the compute device."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMessageBox, QTabWidget

from studio import __version__
from studio.ui import shortcuts
from studio.ui.dream_tab import DreamTab
from studio.ui.latent_tab import LatentTab
from studio.ui.runner import Job, JobHandle, JobRunner
from studio.ui.settings import Settings
from studio.ui.style_tab import StyleTab
from studio.ui.tab import StudioTab
from studio.ui.text_tab import TextTab
from studio.ui.widgets.errors import show_error, show_message
from studio.ui.widgets.job_list import JobListButton

# Menu actions that ask the current tab: (menu, text, shortcut, tab method, what it does for the status bar).
TAB_ACTIONS = (
    ("&File", "&Save", shortcuts.SAVE, "save", "save"),
    ("&File", "Save &As…", shortcuts.SAVE_AS, "save_as", "save"),
    ("&Edit", "&Undo", shortcuts.UNDO, "undo", "undo"),
    ("&Edit", "&Redo", shortcuts.REDO, "redo", "redo"),
    ("&Edit", "&Paste Picture", shortcuts.PASTE, "paste", "paste"),
    ("&Run", "&Run", shortcuts.RUN, "run_main", "run"),
    ("&Run", "&Cancel", shortcuts.CANCEL, "cancel_main", "cancel"),
)


def tensorflow_job(verbose: bool = False) -> Job:
    """Loading TensorFlow, with its start-up messages hidden unless `verbose`. It must be the first
    job that needs TensorFlow: the one that imports it is the one that hides them."""
    return Job("compute.warm_up", {"verbose": verbose}, title="Loading TensorFlow")


def build_tabs(runner: JobRunner, settings: Settings) -> list[StudioTab]:
    return [
        DreamTab(runner, settings),
        StyleTab(runner, settings),
        TextTab(runner, settings),
        LatentTab(runner, settings),
    ]


class MainWindow(QMainWindow):
    def __init__(self, runner: JobRunner, settings: Settings):
        super().__init__()
        self.runner = runner
        self.settings = settings
        self.setWindowTitle("Generative Studio")
        self.tabs_widget = QTabWidget()
        self.tabs: list[StudioTab] = build_tabs(runner, settings)
        unrestored = []
        for tab in self.tabs:
            self.tabs_widget.addTab(tab, tab.title)
            try:
                tab.restore_state(settings.tab_state(tab.key))
            except Exception:  # a damaged or older settings file must never keep the app from starting
                unrestored.append(tab.title)
        self.setCentralWidget(self.tabs_widget)
        self.jobs_button = JobListButton(runner)
        self.device_label = QLabel("Loading TensorFlow…")
        self.statusBar().addPermanentWidget(self.jobs_button)
        self.statusBar().addPermanentWidget(self.device_label)
        self._build_menus()
        if unrestored:
            self.statusBar().showMessage(
                f"Saved settings of {', '.join(unrestored)} could not be read back; defaults are used.", 10_000
            )
        geometry = settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 820)

    def tab(self, key: str) -> StudioTab:
        return next(tab for tab in self.tabs if tab.key == key)

    # -- start-up ------------------------------------------------------------------------
    def follow_tensorflow(self, handle: JobHandle) -> None:
        """Say in the status bar how loading TensorFlow (the `tensorflow_job` of `handle`) ends."""
        handle.finished.connect(lambda device: self.device_label.setText(f"TensorFlow ready · {device}"))
        handle.failed.connect(self._tensorflow_failed)

    def _tensorflow_failed(self, message: str, details: str) -> None:
        self.device_label.setText("TensorFlow unavailable")
        show_error(self, f"TensorFlow could not start, so nothing can run: {message}", details)

    # -- menus ---------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        open_action = QAction("&Open…", self, shortcut=QKeySequence.StandardKey.Open)
        open_action.triggered.connect(self._open_dialog)
        file_menu.addAction(open_action)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        menus = {"&File": file_menu}
        for name in ("&Edit", "&Run", "&View"):
            menus[name] = self.menuBar().addMenu(name)
        self.tab_actions: dict[str, QAction] = {}
        for menu, text, key, method, what in TAB_ACTIONS:
            action = QAction(text, self, shortcut=key)
            action.triggered.connect(lambda _checked=False, m=method, w=what: self._ask_tab(m, w))
            menus[menu].addAction(action)
            self.tab_actions[method] = action
        file_menu.addSeparator()
        history = QAction("&History Folder…", self)
        history.setToolTip("Every finished result is kept here automatically")
        history.triggered.connect(self.show_history_folder)
        file_menu.addAction(history)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self.full_screen_action = QAction("&Full Screen", self, shortcut=shortcuts.FULL_SCREEN, checkable=True)
        self.full_screen_action.toggled.connect(self.set_full_screen)
        menus["&View"].addAction(self.full_screen_action)
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def _ask_tab(self, method: str, what: str) -> None:
        """Do a menu action in the current tab; say so when the tab has nothing of the kind."""
        tab = self._current_tab()
        act = getattr(tab, method, None)
        if act is None or not act():
            self.statusBar().showMessage(f"Nothing to {what} in the {tab.title} tab.", 4000)

    def set_full_screen(self, on: bool) -> None:
        self.showFullScreen() if on else self.showNormal()

    def show_history_folder(self) -> QMessageBox:
        """Say where the history folder is, with Copy Path and Open (a desktop may have no file manager)."""
        folder = self.settings.history_folder(create=False)
        box = QMessageBox(QMessageBox.Icon.Information, "History folder", "", QMessageBox.StandardButton.Close, self)
        box.setText(f"Every finished picture is kept in this folder:\n\n{folder}")
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        copy = box.addButton("Copy Path", QMessageBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: self._copy_path(folder))
        opener = box.addButton("Open", QMessageBox.ButtonRole.ActionRole)
        opener.clicked.connect(lambda: self._open_folder(folder))
        box.open()
        return box

    def _copy_path(self, folder: Path) -> None:
        QGuiApplication.clipboard().setText(str(folder))
        self.statusBar().showMessage(f"Copied {folder}", 6000)

    def _open_folder(self, folder: Path) -> None:
        try:
            folder = self.settings.history_folder()
        except OSError as error:
            show_error(self, f"The history folder {folder} cannot be made: {error.strerror or error}")
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self._copy_path(folder)
            self.statusBar().showMessage(f"No file manager could open it; the path is copied: {folder}", 8000)

    def _current_tab(self) -> StudioTab:
        return self.tabs_widget.currentWidget()

    def _open_dialog(self) -> None:
        tab = self._current_tab()
        if not tab.opens:
            self.statusBar().showMessage(f"The {tab.title} tab has nothing to open from the menu.", 4000)
            return
        patterns = " ".join(f"*{suffix}" for suffix in tab.opens)
        path, _ = QFileDialog.getOpenFileName(
            self, "Open", self.settings.last_folder(tab.key), f"Supported ({patterns})"
        )
        if path:
            self.open_path(path)

    def open_path(self, path: str) -> None:
        """Open `path` in the current tab if it takes that kind of file, else in the first tab that does."""
        suffix = Path(path).suffix.lower()
        candidates = [self._current_tab()] + self.tabs
        tab = next((t for t in candidates if suffix in t.opens), None)
        if tab is None:
            show_error(self, f"No tab opens {Path(path).name}.")
            return
        self.tabs_widget.setCurrentWidget(tab)
        self.settings.add_recent_file(path)
        self.settings.set_last_folder(tab.key, path)
        tab.open_path(path)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.settings.recent_files()
        for path in files:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_path(p))
        if not files:
            self.recent_menu.addAction("No recent files").setEnabled(False)

    def _about(self) -> None:
        show_message(
            self,
            f"Generative Studio {__version__}\n\nDeepDream, style transfer, text models, VAEs and GANs, "
            "trained and run on your own machine.",
            title="About Generative Studio",
        )

    # -- shutdown ------------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        self.save_settings()
        super().closeEvent(event)

    def save_settings(self) -> None:
        self.settings.set_geometry(self.saveGeometry())
        for tab in self.tabs:
            self.settings.set_tab_state(tab.key, tab.state())
        self.settings.sync()
