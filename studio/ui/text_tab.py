"""The Text tab: drop in your own writing, train a language model on it, watch its samples improve,
then write with it: stream a continuation, or pick the next word yourself from the model's suggestions."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from superqt import QLabeledDoubleSlider

from studio.core.corpus import BUILTIN_CORPUS, BUILTIN_DESCRIPTION
from studio.core.files import atomic_path
from studio.core.params import params_from_dict, params_to_dict
from studio.core.params.text import DEFAULT_TEMPERATURES, MODEL_SUFFIX, SamplingParams, TextTrainParams
from studio.core.progress import JobError, Progress
from studio.ui.runner import Job, JobHandle
from studio.ui.tab import StudioTab
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.forms import side_panel
from studio.ui.widgets.images import AcceptsFileDrops
from studio.ui.widgets.job_panel import JobPanel
from studio.ui.widgets.plot import LossPlot

TEXT_SUFFIXES = (".txt", ".md", ".rst", ".text")
ARCHITECTURE_NAMES = {"lstm": "LSTM", "gru": "GRU", "transformer": "Transformer"}
SIZE_NAMES = {"small": "Small (minutes on a CPU)", "medium": "Medium", "large": "Large (wants a GPU)"}
LEVEL_NAMES = {"char": "Characters", "word": "Words"}
SUGGESTIONS = 10


def visible(piece: str) -> str:
    """A token as a list entry: spaces and line breaks made visible."""
    return piece.replace("\n", "⏎").replace(" ", "·") or "∅"


class CorpusDropZone(AcceptsFileDrops, QFrame):
    """A framed area that takes dropped text files and folders."""

    files_dropped = Signal(list)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumHeight(90)
        self.title = QLabel("<b>Drop text files or a folder here</b>")
        self.title.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary, 1)


class TextTab(StudioTab):
    key = "text"
    title = "Text"
    opens = (*TEXT_SUFFIXES, MODEL_SUFFIX)

    def __init__(self, runner, settings, parent: QWidget | None = None):
        super().__init__(runner, settings, parent)
        self.corpus_paths: list[str] = [BUILTIN_CORPUS]
        # New runs train into this file; a loaded model is written with and resumed in place.
        self.checkpoint_path = Path(settings.path).parent / "text" / f"current{MODEL_SUFFIX}"
        self.model_path = self.checkpoint_path
        self.train_handle: JobHandle | None = None
        self.write_handle: JobHandle | None = None
        self._build()
        self._show_corpus()
        self._show_model()

    # -- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_settings())
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self._build_training_view())
        right.addWidget(self._build_writer())
        right.setSizes([380, 420])
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([360, 920])
        QVBoxLayout(self).addWidget(splitter)

    def _build_settings(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)

        corpus_box = QGroupBox("Corpus")
        corpus_layout = QVBoxLayout(corpus_box)
        self.drop_zone = CorpusDropZone()
        self.drop_zone.files_dropped.connect(self.set_corpus)
        corpus_layout.addWidget(self.drop_zone)
        row = QHBoxLayout()
        self.files_button = QPushButton("Files…")
        self.folder_button = QPushButton("Folder…")
        self.sample_button = QPushButton("Python help texts")
        self.sample_button.setToolTip(BUILTIN_DESCRIPTION)
        for button in (self.files_button, self.folder_button, self.sample_button):
            row.addWidget(button)
        self.files_button.clicked.connect(self._choose_files)
        self.folder_button.clicked.connect(self._choose_folder)
        self.sample_button.clicked.connect(lambda: self.set_corpus([BUILTIN_CORPUS]))
        corpus_layout.addLayout(row)
        layout.addWidget(corpus_box)

        model_box = QGroupBox("Model")
        form = QFormLayout(model_box)
        self.architecture = QComboBox()
        for key, name in ARCHITECTURE_NAMES.items():
            self.architecture.addItem(name, key)
        self.size = QComboBox()
        for key, name in SIZE_NAMES.items():
            self.size.addItem(name, key)
        self.level = QComboBox()
        for key, name in LEVEL_NAMES.items():
            self.level.addItem(name, key)
        self.level.currentIndexChanged.connect(self._level_changed)
        self.vocabulary = QSpinBox(minimum=100, maximum=100_000, singleStep=1000)
        self.vocabulary.setToolTip("Words beyond the most frequent ones become [UNK].")
        self.sequence_length = QSpinBox(minimum=8, maximum=1024, singleStep=10)
        self.sequence_length.setToolTip("Tokens the model sees at once while training (the Transformer's context).")
        self.dropout = QDoubleSpinBox(minimum=0.0, maximum=0.8, singleStep=0.05, decimals=2)
        self.lowercase = QCheckBox("Fold to lower case")
        form.addRow("Architecture", self.architecture)
        form.addRow("Size", self.size)
        form.addRow("Tokens", self.level)
        form.addRow("Vocabulary", self.vocabulary)
        form.addRow("Sequence length", self.sequence_length)
        form.addRow("Dropout", self.dropout)
        form.addRow("", self.lowercase)
        layout.addWidget(model_box)

        training_box = QGroupBox("Training")
        form = QFormLayout(training_box)
        self.epochs = QSpinBox(minimum=1, maximum=1000)
        self.batch_size = QSpinBox(minimum=1, maximum=1024)
        self.learning_rate = QDoubleSpinBox(minimum=0.00001, maximum=0.1, singleStep=0.0005, decimals=5)
        self.steps_per_epoch = QSpinBox(minimum=0, maximum=1_000_000, singleStep=50)
        self.steps_per_epoch.setSpecialValueText("all")
        self.steps_per_epoch.setToolTip("Cap the batches per epoch on a big corpus (samples come sooner).")
        self.sample_prompt = QLineEdit()
        self.sample_prompt.setToolTip("After each epoch the model continues this prompt at several temperatures.")
        form.addRow("Epochs", self.epochs)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Learning rate", self.learning_rate)
        form.addRow("Batches per epoch", self.steps_per_epoch)
        form.addRow("Sample prompt", self.sample_prompt)
        layout.addWidget(training_box)

        buttons = QHBoxLayout()
        self.train_button = QPushButton("Train")
        self.train_button.setToolTip(
            f"Train a new model into {self.checkpoint_path.name} (Save model as… keeps a copy)"
        )
        self.stop_button = QPushButton("Stop")
        self.resume_button = QPushButton("Resume")
        self.resume_button.setToolTip("Continue training the current model up to the number of epochs")
        for button in (self.train_button, self.stop_button, self.resume_button):
            buttons.addWidget(button)
        self.train_button.clicked.connect(lambda: self.start_training(resume=False))
        self.resume_button.clicked.connect(lambda: self.start_training(resume=True))
        self.stop_button.clicked.connect(self.stop_training)
        self.stop_button.setEnabled(False)
        layout.addLayout(buttons)
        self.train_panel = JobPanel()
        self.train_panel.cancel_button.hide()  # Stop does this
        layout.addWidget(self.train_panel)
        layout.addStretch(1)
        self._set_train_params(TextTrainParams())

        return side_panel(panel, min_width=340)

    def _build_training_view(self) -> QWidget:
        view = QWidget()
        layout = QVBoxLayout(view)
        layout.setContentsMargins(0, 0, 0, 0)
        self.loss_plot = LossPlot()
        self.loss_plot.setMinimumHeight(140)
        layout.addWidget(self.loss_plot, 2)
        self.samples_title = QLabel("Samples at each temperature appear here after every epoch.")
        layout.addWidget(self.samples_title)
        grid = QGridLayout()
        self.sample_views: dict[float, QPlainTextEdit] = {}
        for column, temperature in enumerate(DEFAULT_TEMPERATURES):
            label = QLabel(f"<b>T = {temperature:g}</b>")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            view_box = QPlainTextEdit(readOnly=True)
            view_box.setFont(QFont("monospace", 9))
            view_box.setMinimumWidth(120)
            grid.addWidget(label, 0, column)
            grid.addWidget(view_box, 1, column)
            self.sample_views[temperature] = view_box
        layout.addLayout(grid, 3)
        return view

    def _build_writer(self) -> QWidget:
        box = QGroupBox("Write")
        layout = QVBoxLayout(box)
        model_row = QHBoxLayout()
        self.model_label = QLabel()
        self.model_label.setWordWrap(True)
        self.load_model_button = QPushButton("Load model…")
        self.save_model_button = QPushButton("Save model as…")
        self.load_model_button.clicked.connect(self._choose_model)
        self.save_model_button.clicked.connect(self._save_model_as)
        model_row.addWidget(self.model_label, 1)
        model_row.addWidget(self.load_model_button)
        model_row.addWidget(self.save_model_button)
        layout.addLayout(model_row)

        controls = QHBoxLayout()
        form = QFormLayout()
        self.prompt = QLineEdit("The ")
        self.length = QSpinBox(minimum=1, maximum=5000, value=400)
        self.seed = QSpinBox(minimum=-1, maximum=1_000_000, value=-1)
        self.seed.setSpecialValueText("random")
        form.addRow("Prompt", self.prompt)
        form.addRow("Length (tokens)", self.length)
        form.addRow("Seed", self.seed)
        controls.addLayout(form, 2)
        form = QFormLayout()
        self.temperature = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
        self.temperature.setRange(0.0, 2.0)
        self.temperature.setValue(0.7)
        self.temperature.setToolTip("0 always takes the likeliest token; higher is more surprising.")
        self.top_k = QSpinBox(minimum=0, maximum=100_000, value=0)
        self.top_k.setSpecialValueText("off")
        self.top_k.setToolTip("Sample only among the k likeliest tokens.")
        self.top_p = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
        self.top_p.setRange(0.05, 1.0)
        self.top_p.setValue(1.0)
        self.top_p.setToolTip(
            "Sample only among the likeliest tokens that together hold this much probability (1 = off)."
        )
        form.addRow("Temperature", self.temperature)
        form.addRow("Top-k", self.top_k)
        form.addRow("Top-p", self.top_p)
        controls.addLayout(form, 3)
        layout.addLayout(controls)

        buttons = QHBoxLayout()
        self.generate_button = QPushButton("Generate")
        self.generate_button.setToolTip("Write a continuation of the prompt")
        self.continue_button = QPushButton("Continue")
        self.continue_button.setToolTip("Write more after the text below")
        self.suggest_button = QPushButton("Suggest next")
        self.suggest_button.setToolTip("Show the likeliest next tokens; double-click one to add it")
        self.stop_writing_button = QPushButton("Stop")
        self.copy_button = QPushButton("Copy")
        self.save_text_button = QPushButton("Save text…")
        for button in (
            self.generate_button,
            self.continue_button,
            self.suggest_button,
            self.stop_writing_button,
            self.copy_button,
            self.save_text_button,
        ):
            buttons.addWidget(button)
        self.generate_button.clicked.connect(lambda: self.start_writing(continue_text=False))
        self.continue_button.clicked.connect(lambda: self.start_writing(continue_text=True))
        self.suggest_button.clicked.connect(self.suggest_next)
        self.stop_writing_button.clicked.connect(self._stop_writing)
        self.stop_writing_button.setEnabled(False)
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.output.toPlainText()))
        self.save_text_button.clicked.connect(self._save_text)
        layout.addLayout(buttons)

        text_row = QHBoxLayout()
        self.output = QPlainTextEdit()
        self.output.setPlaceholderText(
            "Generated text streams in here. You can edit it, then Continue or Suggest next."
        )
        self.suggestions = QListWidget()
        self.suggestions.setMaximumWidth(190)
        self.suggestions.setToolTip("Double-click to add a token, then pick again")
        self.suggestions.itemActivated.connect(self._take_suggestion)
        text_row.addWidget(self.output, 1)
        text_row.addWidget(self.suggestions)
        layout.addLayout(text_row, 1)
        self.write_panel = JobPanel()
        self.write_panel.cancel_button.hide()
        layout.addWidget(self.write_panel)
        return box

    # -- corpus ----------------------------------------------------------------------------
    def set_corpus(self, paths: list[str]) -> None:
        self.corpus_paths = list(paths)
        self._show_corpus()

    def open_path(self, path: str) -> None:
        if path.lower().endswith(MODEL_SUFFIX):
            self.use_model(path)
        else:
            self.set_corpus([path])

    def _choose_files(self) -> None:
        patterns = " ".join(f"*{s}" for s in TEXT_SUFFIXES)
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Text to train on", self.settings.last_folder("text"), f"Text ({patterns});;All files (*)"
        )
        if paths:
            self.settings.set_last_folder("text", paths[0])
            self.set_corpus(paths)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of text to train on", self.settings.last_folder("text"))
        if folder:
            self.settings.set_last_folder("text", folder)
            self.set_corpus([folder])

    def _show_corpus(self) -> None:
        """Name the corpus at once, then count its characters and words on the compute thread."""
        if self.corpus_paths == [BUILTIN_CORPUS]:
            self.drop_zone.title.setText(
                f"<b>Sample corpus:</b> {BUILTIN_DESCRIPTION}. Drop your own text to replace it."
            )
        else:
            names = ", ".join(Path(p).name for p in self.corpus_paths)
            self.drop_zone.title.setText(f"<b>Your corpus:</b> {names}")
        self.drop_zone.summary.setText("Reading…")
        handle = self.runner.run(
            Job(
                "text.summarize_corpus",
                {"paths": self.corpus_paths, "lowercase": self.lowercase.isChecked()},
                title="Reading the corpus",
            ),
            owner=(self, "corpus"),
        )
        handle.finished.connect(self._corpus_summarized)
        handle.failed.connect(self._corpus_failed)

    def _corpus_summarized(self, summary) -> None:
        self.drop_zone.summary.setText(summary.describe())

    def _corpus_failed(self, message: str, details: str) -> None:
        self.drop_zone.summary.setText(f"<span style='color:#c0392b'>{message}</span>")

    def _level_changed(self) -> None:
        words = self.level.currentData() == "word"
        self.vocabulary.setEnabled(words)
        self.sequence_length.setValue(40 if words else 100)

    # -- training --------------------------------------------------------------------------
    def train_params(self) -> TextTrainParams:
        return TextTrainParams(
            level=self.level.currentData(),
            lowercase=self.lowercase.isChecked(),
            max_vocabulary=self.vocabulary.value(),
            sequence_length=self.sequence_length.value(),
            architecture=self.architecture.currentData(),
            size=self.size.currentData(),
            dropout=self.dropout.value(),
            epochs=self.epochs.value(),
            batch_size=self.batch_size.value(),
            learning_rate=self.learning_rate.value(),
            steps_per_epoch=self.steps_per_epoch.value() or None,
            sample_prompt=self.sample_prompt.text(),
        )

    def _set_train_params(self, params: TextTrainParams) -> None:
        for combo, value in (
            (self.architecture, params.architecture),
            (self.size, params.size),
            (self.level, params.level),
        ):
            index = combo.findData(value)
            if index >= 0:
                combo.setCurrentIndex(index)
        self.lowercase.setChecked(params.lowercase)
        self.vocabulary.setValue(params.max_vocabulary)
        self.vocabulary.setEnabled(params.level == "word")
        self.sequence_length.setValue(params.sequence_length)
        self.dropout.setValue(params.dropout)
        self.epochs.setValue(params.epochs)
        self.batch_size.setValue(params.batch_size)
        self.learning_rate.setValue(params.learning_rate)
        self.steps_per_epoch.setValue(params.steps_per_epoch or 0)
        self.sample_prompt.setText(params.sample_prompt)

    def start_training(self, resume: bool = False) -> JobHandle:
        if not resume:
            self.model_path = self.checkpoint_path
            self.loss_plot.clear()
            for view in self.sample_views.values():
                view.clear()
        handle = self.runner.run(
            Job(
                "text.train",
                {
                    "corpus_paths": self.corpus_paths,
                    "params": self.train_params(),
                    "model_path": str(self.model_path),
                    "resume_from": str(self.model_path) if resume else None,
                },
                title="Resuming training" if resume else "Training",
            ),
            owner=(self, "train"),
        )
        self.train_handle = handle
        self.train_panel.watch(handle)
        handle.progress.connect(self._training_progress)
        handle.finished.connect(self._training_done)
        handle.failed.connect(self._training_failed)
        handle.cancelled.connect(self._training_done)
        self._set_training(True)
        return handle

    def stop_training(self) -> None:
        if self.train_handle is not None:
            self.train_handle.cancel()
            self.train_panel.label.setText("Stopping after this batch; the last epoch's checkpoint is kept…")

    def _training_progress(self, event: Progress) -> None:
        if "loss" in event.metrics and "samples" not in event.data and "val_loss" not in event.metrics:
            self.loss_plot.add("loss", event.step, event.metrics["loss"])
        if "val_loss" in event.metrics and "samples" in event.data:
            self.loss_plot.add("val_loss", event.step, event.metrics["val_loss"])
        samples = event.data.get("samples")
        if samples:
            prompt = event.data.get("prompt", "")
            self.samples_title.setText(f"Epoch {event.data['epoch']}: the model continues “{prompt}”")
            for temperature, text in samples.items():
                view = self.sample_views.get(temperature)
                if view is not None:
                    view.setPlainText(prompt + text)
            self._show_model()

    def _training_done(self, _result=None) -> None:
        self._set_training(False)
        self._show_model()

    def _training_failed(self, message: str, details: str) -> None:
        self._training_done()
        show_error(self, message, details)

    def _set_training(self, running: bool) -> None:
        self.train_button.setEnabled(not running)
        self.resume_button.setEnabled(not running and self.model_path.exists())
        self.stop_button.setEnabled(running)
        self._enable_writing(self.model_path.exists() and not running)

    def _enable_writing(self, enabled: bool) -> None:
        """Writing needs the compute thread, which a training run holds until it stops."""
        for button in (self.generate_button, self.continue_button, self.suggest_button, self.save_model_button):
            button.setEnabled(enabled)
            button.setToolTip("" if enabled or not self.model_path.exists() else "Available when training stops")

    # -- the model file ----------------------------------------------------------------------
    def _show_model(self) -> None:
        """Name the model file at once; when no training holds the compute thread, describe it too."""
        exists = self.model_path.exists()
        self.model_label.setText(
            f"Model: <b>{self.model_path.name}</b>"
            if exists
            else "No model yet: press Train (the sample corpus works at once)."
        )
        self.model_label.setToolTip(str(self.model_path))
        idle = self.train_handle is None or self.train_handle.is_done
        self._enable_writing(exists and idle)
        self.resume_button.setEnabled(exists and idle)
        if exists and idle:
            handle = self.runner.run(
                Job(
                    "text.describe_model",
                    {"model_path": str(self.model_path)},
                    title="Reading the model",
                ),
                owner=(self, "model"),
            )
            handle.finished.connect(self._describe_model)
            handle.failed.connect(lambda message, _details: self.model_label.setText(message))

    def _describe_model(self, about: dict[str, Any]) -> None:
        params = about["params"]
        losses = about["history"][-1] if about["history"] else {}
        loss_text = ", ".join(f"{name} {value:.3f}" for name, value in losses.items())
        self.model_label.setText(
            f"Model: <b>{self.model_path.name}</b> · {ARCHITECTURE_NAMES.get(params['architecture'], '?')} "
            f"{params['size']} on {LEVEL_NAMES.get(params['level'], '?').lower()} ({about['vocabulary']:,} tokens) · "
            f"{about['epochs_done']} epochs{' · ' + loss_text if loss_text else ''}"
        )

    def use_model(self, path: str) -> None:
        """Write with (and resume training) the model saved in `path`."""
        self.model_path = Path(path)
        self._show_model()

    def _choose_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Load a text model", self.settings.last_folder("text-model"), f"Text models (*{MODEL_SUFFIX})"
        )
        if path:
            self.settings.set_last_folder("text-model", path)
            self.use_model(path)

    def _save_model_as(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the model", self.settings.last_folder("text-model"), f"Text models (*{MODEL_SUFFIX})"
        )
        if not path:
            return
        if not path.endswith(MODEL_SUFFIX):
            path += MODEL_SUFFIX
        try:
            with atomic_path(path) as partial:
                shutil.copyfile(self.model_path, partial)
        except JobError as error:
            show_error(self, str(error))
            return
        self.settings.set_last_folder("text-model", path)

    # -- writing ---------------------------------------------------------------------------
    def sampling_params(self, prompt: str) -> SamplingParams:
        return SamplingParams(
            prompt=prompt,
            length=self.length.value(),
            temperature=self.temperature.value(),
            top_k=self.top_k.value(),
            top_p=self.top_p.value(),
            seed=None if self.seed.value() < 0 else self.seed.value(),
        )

    def start_writing(self, continue_text: bool = False) -> JobHandle:
        if continue_text:
            prompt = self.output.toPlainText()
        else:
            prompt = self.prompt.text()
            self.output.setPlainText(prompt)
        self.suggestions.clear()
        handle = self.runner.run(
            Job(
                "text.generate",
                {"model_path": str(self.model_path), "params": self.sampling_params(prompt)},
                title="Writing",
            ),
            owner=(self, "write"),
        )
        self._watch_writing(handle)
        handle.progress.connect(self._wrote)
        return handle

    def suggest_next(self) -> JobHandle:
        text = self.output.toPlainText() or self.prompt.text()
        if not self.output.toPlainText():
            self.output.setPlainText(text)
        handle = self.runner.run(
            Job(
                "text.choices",
                {
                    "model_path": str(self.model_path),
                    "text": text,
                    "params": self.sampling_params(text),
                    "count": SUGGESTIONS,
                },
                title="Suggesting",
            ),
            owner=(self, "write"),
        )
        self._watch_writing(handle)
        handle.finished.connect(self._show_suggestions)
        return handle

    def _watch_writing(self, handle: JobHandle) -> None:
        self.write_handle = handle
        self.write_panel.watch(handle)
        self.stop_writing_button.setEnabled(True)
        handle.finished.connect(self._writing_done)
        handle.cancelled.connect(self._writing_done)
        handle.failed.connect(self._writing_failed)

    def _wrote(self, event: Progress) -> None:
        if event.text:
            cursor = self.output.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(event.text)
            self.output.setTextCursor(cursor)

    def _show_suggestions(self, choices: list[tuple[str, float]]) -> None:
        self.suggestions.clear()
        for piece, probability in choices:
            item = QListWidgetItem(f"{visible(piece)}   {probability:.1%}")
            item.setData(Qt.ItemDataRole.UserRole, piece)
            self.suggestions.addItem(item)

    def _take_suggestion(self, item: QListWidgetItem) -> None:
        self._wrote(Progress(step=0, total=0, text=item.data(Qt.ItemDataRole.UserRole)))
        self.suggest_next()

    def _stop_writing(self) -> None:
        if self.write_handle is not None:
            self.write_handle.cancel()

    def _writing_done(self, _result=None) -> None:
        self.stop_writing_button.setEnabled(False)

    def _writing_failed(self, message: str, details: str) -> None:
        self._writing_done()
        show_error(self, message, details)

    def _save_text(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the text", self.settings.last_folder("text-output"), "Text (*.txt)"
        )
        if not path:
            return
        try:
            with atomic_path(path) as partial:
                partial.write_text(self.output.toPlainText(), encoding="utf-8")
        except JobError as error:
            show_error(self, str(error))
            return
        self.settings.set_last_folder("text-output", path)

    # -- state -----------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {
            "train": params_to_dict(self.train_params()),
            "corpus": self.corpus_paths,
            "model": str(self.model_path),
            "sampling": params_to_dict(self.sampling_params(self.prompt.text())),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        try:
            if "train" in state:
                self._set_train_params(params_from_dict(TextTrainParams, state["train"]))
            sampling = params_from_dict(SamplingParams, state.get("sampling", {}))
        except (TypeError, ValueError):
            return
        self.prompt.setText(sampling.prompt)
        self.length.setValue(sampling.length)
        self.temperature.setValue(sampling.temperature)
        self.top_k.setValue(sampling.top_k)
        self.top_p.setValue(sampling.top_p)
        self.seed.setValue(-1 if sampling.seed is None else sampling.seed)
        corpus = [p for p in state.get("corpus", []) if p == BUILTIN_CORPUS or Path(p).exists()]
        if corpus and corpus != self.corpus_paths:
            self.set_corpus(corpus)
        model = state.get("model")
        if model and Path(model).exists():
            self.use_model(model)
