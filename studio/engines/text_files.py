"""A trained text model with what it needs to be used again, kept in one file (`.textmodel`).

The file is a zip of the Keras model (with its optimizer state), the tokenizer and the settings.
Language models (LSTM, GRU, Transformer) and reply models (seq2seq) share it: the settings say which.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keras

from studio.core.files import atomic_path
from studio.core.model_files import TEXT, TEXT_ENTRY, TEXT_FORMAT, read_model_file, reading_weights
from studio.core.params import params_from_dict, params_to_dict
from studio.core.params.text import TextTrainParams
from studio.engines import text_models, text_reply  # noqa: F401  (registers the model classes that files name)
from studio.engines.text_tokens import Tokenizer


@dataclass
class TextModel:
    """A trained model with its tokenizer, settings and history. `compiled` caches the model's
    compiled generation functions (see text_writing), made on first use."""

    model: keras.Model
    tokenizer: Tokenizer
    params: TextTrainParams
    epochs_done: int = 0
    history: list[dict[str, float]] = field(default_factory=list)
    corpus: str = ""
    compiled: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def is_reply(self) -> bool:
        """True for a reply (encoder-decoder) model, which answers a line instead of continuing it."""
        return self.params.architecture == "seq2seq"

    def settings(self) -> dict[str, Any]:
        """How it was trained, as its file keeps it (and the tab shows it): parameters, epochs
        trained, losses per epoch and the corpus it read."""
        return {
            "params": params_to_dict(self.params),
            "epochs_done": self.epochs_done,
            "history": self.history,
            "corpus": self.corpus,
        }


def save_text_model(path: str | os.PathLike, text_model: TextModel) -> Path:
    """Write model (.keras, with optimizer state), tokenizer and settings into one zip, atomically.

    The inner .keras is written beside the target under a partial name too, so a full disk names
    the model's file and a killed save leaves nothing that the next save does not clean up."""
    settings = {"format": TEXT_FORMAT, "version": 1, **text_model.settings()}
    with atomic_path(path) as partial:
        keras_file = partial.with_suffix(".keras")
        try:
            text_model.model.save(keras_file)
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as bundle:
                bundle.write(keras_file, "model.keras")
                bundle.writestr("tokenizer.json", json.dumps(text_model.tokenizer.to_dict()))
                bundle.writestr(TEXT_ENTRY, json.dumps(settings, indent=1))
        finally:
            keras_file.unlink(missing_ok=True)
    return Path(path)


def load_text_model(path: str | os.PathLike) -> TextModel:
    settings = read_model_file(path, TEXT)
    with reading_weights(path), zipfile.ZipFile(path) as bundle, tempfile.TemporaryDirectory() as folder:
        tokenizer = Tokenizer.from_dict(json.loads(bundle.read("tokenizer.json")))
        bundle.extract("model.keras", folder)
        model = keras.saving.load_model(Path(folder) / "model.keras")
    return TextModel(
        model,
        tokenizer,
        params_from_dict(TextTrainParams, settings["params"]),
        settings.get("epochs_done", 0),
        settings.get("history", []),
        settings.get("corpus", ""),
    )


_loaded: dict[str, tuple[float, TextModel]] = {}


def cached_text_model(path: str | os.PathLike) -> TextModel:
    """The model in `path`, loaded once while the file is unchanged (generation calls this per request)."""
    key = str(Path(path).resolve())
    stamp = Path(path).stat().st_mtime if Path(path).exists() else -1.0
    if key not in _loaded or _loaded[key][0] != stamp:
        _loaded.clear()  # one model in memory at a time
        _loaded[key] = (stamp, load_text_model(path))
    return _loaded[key][1]
