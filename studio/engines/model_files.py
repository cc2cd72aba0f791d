"""The .keras files of models Studio trains: written atomically, and looked into before Keras
builds them, so a wrong or damaged file gets a message that says what it is."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import keras

from studio.core.files import atomic_path
from studio.core.progress import JobError


def save_model_file(model: keras.Model, path: str | os.PathLike, kind: str) -> Path:
    """Write `model` to a .keras file atomically (a stop mid-save never leaves half a file)."""
    path = Path(path)
    if path.suffix.lower() != ".keras":
        raise JobError(f"Save {kind} models as .keras files, not '{path.suffix or path.name}'.")
    with atomic_path(path) as temp:
        model.save(temp)
    return path


def load_model_file(path: str | os.PathLike, registered_name: str, kind: str, hint: str = "") -> keras.Model:
    """The model saved at `path`, which must be a Keras model registered as `registered_name` (a
    `kind` of model, for messages; `hint` follows the message for another kind of model)."""
    path = Path(path)
    if not path.is_file():
        raise JobError(f"{path.name} was not found. It may have been moved or deleted.")
    # Look at what the file holds before Keras builds it: another kind of model would fail obscurely.
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise JobError(f"{path.name} is not a .keras model file, or the file is damaged.") from None
    if config.get("registered_name") != registered_name:
        raise JobError(f"{path.name} holds a {config.get('class_name', 'model')}, not a {kind} saved by Studio{hint}.")
    try:
        return keras.saving.load_model(path)
    except Exception as error:  # Keras reports a bad file with many error types
        raise JobError(f"{path.name} could not be read ({error}); the file may be damaged.") from None
