"""Starting the desktop app: Qt on qasync's event loop, TensorFlow loading on the compute thread."""

from __future__ import annotations

import asyncio
import sys
from importlib import resources

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication


def application_icon() -> QIcon:
    return QIcon(str(resources.files("studio.resources").joinpath("icons", "studio.svg")))


def main(argv: list[str] | None = None, verbose: bool = False) -> int:
    """Open the main window (optionally opening `argv[1:]` files) and run until it closes; the exit
    status. `verbose` lets TensorFlow's start-up messages through to the terminal."""
    import qasync

    from studio.core.files import remove_stale_partials
    from studio.ui.main_window import MainWindow, tensorflow_job
    from studio.ui.runner import JobRunner
    from studio.ui.settings import Settings

    argv = sys.argv if argv is None else argv
    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName("Generative Studio")
    app.setOrganizationName("GenerativeStudio")
    app.setDesktopFileName("generative-studio")
    app.setWindowIcon(application_icon())
    app.setStyleSheet(resources.files("studio.resources").joinpath("style.qss").read_text("utf-8"))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    settings = Settings()
    remove_stale_partials(settings.work_folders())  # what saves killed midway left behind
    runner = JobRunner()
    # Queued before the tabs start theirs (reading last session's text model imports TensorFlow too).
    loading = runner.run(tensorflow_job(verbose))
    window = MainWindow(runner, settings)
    window.follow_tensorflow(loading)
    window.show()
    for path in argv[1:]:
        window.open_path(path)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.run_until_complete(closed.wait())
    # Jobs stop between steps, and engines yield at least every second or so: this returns soon.
    while not runner.shutdown(timeout_ms=5_000):
        print("Generative Studio: waiting for the running job to stop…", file=sys.stderr, flush=True)
    return 0
