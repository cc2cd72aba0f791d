"""The Text tab's corpus: drop text files or a folder (or pick them, or take the sample corpus); the
box names them at once and counts their characters and words on the compute thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QFrame, QGroupBox, QLabel, QWidget

from studio.core.corpus import BUILTIN_CORPUS, BUILTIN_DESCRIPTION
from studio.ui.jobs import TabJobs
from studio.ui.runner import Job
from studio.ui.settings import Settings
from studio.ui.widgets.forms import column, push_button, row
from studio.ui.widgets.images import AcceptsFileDrops

TEXT_SUFFIXES = (".txt", ".md", ".rst", ".text", ".tsv")


class CorpusDropZone(AcceptsFileDrops, QFrame):
    """A framed area that takes dropped text files and folders."""

    files_dropped = Signal(list)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumHeight(120)  # room for the wrapped title and summary in a narrow panel
        self.setToolTip("Drop text files or a folder here to train on your own writing")
        self.title = QLabel("<b>Drop text files or a folder here</b>")
        self.title.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setLayout(column(self.title, (self.summary, 1)))


class CorpusBox(QGroupBox):
    """The text a model trains on (`paths`: files and folders, or the sample corpus)."""

    changed = Signal()

    def __init__(self, jobs: TabJobs, settings: Settings, lowercase: Callable[[], bool], parent: QWidget | None = None):
        super().__init__("Corpus", parent)
        self.jobs = jobs
        self.settings = settings
        self.lowercase = lowercase
        self.paths: list[str] = [BUILTIN_CORPUS]
        self.drop_zone = CorpusDropZone()
        self.drop_zone.files_dropped.connect(self.set_paths)
        files_button = push_button("Files…", self._choose_files)
        folder_button = push_button("Folder…", self._choose_folder)
        sample_button = push_button("Sample corpus", lambda: self.set_paths([BUILTIN_CORPUS]), BUILTIN_DESCRIPTION)
        self.setLayout(column(self.drop_zone, row(files_button, folder_button, sample_button)))

    def set_paths(self, paths: list[str]) -> None:
        self.paths = list(paths)
        self.summarize()
        self.changed.emit()

    def summarize(self) -> None:
        """Name the corpus at once, then count its characters and words on the compute thread."""
        if self.paths == [BUILTIN_CORPUS]:
            self.drop_zone.title.setText(f"<b>Sample corpus:</b> {BUILTIN_DESCRIPTION}.")
        else:
            self.drop_zone.title.setText(f"<b>Your corpus:</b> {', '.join(Path(p).name for p in self.paths)}")
        self.drop_zone.summary.setText("Reading…")
        self.jobs.start(
            "corpus",
            Job(
                "text.summarize_corpus",
                {"paths": self.paths, "lowercase": self.lowercase()},
                title="Reading the corpus",
            ),
            on_done=lambda summary: self.drop_zone.summary.setText(summary.describe()),
            on_failed=lambda message, _details: self.drop_zone.summary.setText(
                f"<span style='color:#c0392b'>{message}</span>"
            ),
        )

    def restore(self, paths: list[str]) -> None:
        """Last session's corpus, where its files are still there."""
        kept = [p for p in paths if p == BUILTIN_CORPUS or Path(p).exists()]
        if kept and kept != self.paths:
            self.set_paths(kept)

    def _choose_files(self) -> None:
        patterns = " ".join(f"*{s}" for s in TEXT_SUFFIXES)
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Text to train on", self.settings.last_folder("text"), f"Text ({patterns});;All files (*)"
        )
        if paths:
            self.settings.set_last_folder("text", paths[0])
            self.set_paths(paths)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of text to train on", self.settings.last_folder("text"))
        if folder:
            self.settings.set_last_folder("text", folder)
            self.set_paths([folder])
