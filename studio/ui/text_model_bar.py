"""The Text tab's model: which file the writer uses and training continues, what it is (read on the
compute thread), and Load… / Save as… for it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QWidget

from studio.core.files import atomic_path
from studio.core.params.text import MODEL_SUFFIX
from studio.core.progress import JobError
from studio.ui.jobs import TabJobs
from studio.ui.runner import Job
from studio.ui.settings import Settings
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.forms import fill, push_button, row

ARCHITECTURE_NAMES = {"lstm": "LSTM", "gru": "GRU", "transformer": "Transformer", "seq2seq": "Reply"}
LEVEL_NAMES = {"char": "characters", "word": "words"}
MODEL_FILTER = f"Text models (*{MODEL_SUFFIX})"
NO_MODEL = "No model yet: press Train (the sample corpus works at once), or load one."


class ModelBar(QWidget):
    """Names the model file (`path`) and, once read, what it is (`about`: settings, epochs, losses,
    whether it replies). `changed` fires when the path or what is known of it changes."""

    changed = Signal()

    def __init__(self, jobs: TabJobs, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.jobs = jobs
        self.settings = settings
        self.path: Path | None = None
        self.about: dict[str, Any] | None = None
        self.label = QLabel(NO_MODEL)
        self.label.setWordWrap(True)
        self.load_button = push_button(
            "Load model…", self._choose, "Write with a model saved before (and continue training it)"
        )
        self.save_button = push_button(
            "Save model as…", self._save_as, "Keep a copy of the model under a name of your own"
        )
        fill(self, row((self.label, 1), self.load_button, self.save_button))

    def exists(self) -> bool:
        return self.path is not None and self.path.exists()

    @property
    def epochs_done(self) -> int | None:
        return self.about["epochs_done"] if self.about else None

    @property
    def replies(self) -> bool:
        """Whether the model answers a line (an encoder-decoder) rather than continuing text."""
        return bool(self.about and self.about.get("reply"))

    def use(self, path: str | Path, describe: bool = True) -> None:
        """Write with (and continue training) the model in `path`; `describe`: read what it is now
        (not while a training run holds the compute thread: it describes it when it stops)."""
        if Path(path) != self.path or not Path(path).exists():
            self.about = None  # what was read belongs to another file
        self.path = Path(path)
        self.label.setText(f"Model: <b>{self.path.name}</b>" if self.exists() else NO_MODEL)
        self.label.setToolTip(str(self.path))
        if describe and self.exists():
            self.jobs.start(
                "model",
                Job("text.describe_model", {"model_path": str(self.path)}, title="Reading the model"),
                on_done=self._described,
                on_failed=lambda message, _details: self.label.setText(message),
            )
        self.changed.emit()

    def set_busy(self, training: bool) -> None:
        """A training run holds the model file: it cannot be swapped or copied until it stops."""
        self.load_button.setEnabled(not training)
        self.save_button.setEnabled(not training and self.exists())

    def _described(self, about: dict[str, Any]) -> None:
        self.about = about
        params = about["params"]
        losses = about["history"][-1] if about["history"] else {}
        loss_text = "".join(f" · {name} {value:.3f}" for name, value in losses.items())
        architecture = ARCHITECTURE_NAMES.get(params["architecture"], "?")
        level = LEVEL_NAMES.get(params["level"], "?")
        epochs = about["epochs_done"]
        self.label.setText(
            f"Model: <b>{self.path.name}</b> · {architecture} {params['size']} on {level} "
            f"({about['vocabulary']:,} tokens) · {epochs} epoch{'' if epochs == 1 else 's'}{loss_text}"
        )
        self.changed.emit()

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Load a text model", self.settings.last_folder("text-model"), MODEL_FILTER
        )
        if path:
            self.settings.set_last_folder("text-model", path)
            self.use(path)

    def _save_as(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the model", self.settings.last_folder("text-model"), MODEL_FILTER
        )
        if not path:
            return
        if not path.endswith(MODEL_SUFFIX):
            path += MODEL_SUFFIX
        try:
            with atomic_path(path) as partial:
                shutil.copyfile(self.path, partial)
        except JobError as error:
            show_error(self, str(error))
            return
        self.settings.set_last_folder("text-model", path)
