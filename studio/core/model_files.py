"""What a saved model file holds, read from its zip without TensorFlow.

Loaders use it to refuse a file of the wrong kind with a clear message before Keras tries (and
fails obscurely); the command line uses it to check its inputs before TensorFlow starts.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from studio.core.files import atomic_path, plain_reason
from studio.core.progress import JobError

VAE, GAN, TEXT, CYCLEGAN = "vae", "gan", "text", "cyclegan"
KIND_NAMES = {VAE: "a VAE", GAN: "a GAN", TEXT: "a text model", CYCLEGAN: "a CycleGAN"}
# Studio's own metadata inside the zip: a VAE's beside Keras's files, a text model's beside its .keras.
VAE_ENTRY = "studio.json"
TEXT_ENTRY = "settings.json"
TEXT_FORMAT = "studio-text-model"
GAN_CLASS = "studio>GanModel"
CYCLEGAN_CLASS = "studio>CycleGanModel"
# Models saved whole by Keras, known by their registered class.
KERAS_CLASSES = {GAN_CLASS: GAN, CYCLEGAN_CLASS: CYCLEGAN}


def read_model_file(path: str | os.PathLike, kind: str) -> dict[str, Any]:
    """Studio's metadata in the model file at `path` (for a GAN or CycleGAN: Keras's config), after
    checking that the file holds a model of `kind` (VAE, GAN, TEXT or CYCLEGAN); otherwise a JobError saying what the
    file is and what to do."""
    path = Path(path)
    if path.is_dir():
        raise JobError(f"{path.name} is a folder; choose a model file saved by Studio.")
    found, metadata = _inspect(path)
    if found == kind:
        return metadata
    wanted = KIND_NAMES[kind]
    if found in KIND_NAMES:
        raise JobError(f"{path.name} holds {KIND_NAMES[found]}, not {wanted}. Open it as {KIND_NAMES[found]} instead.")
    if found == "keras":
        raise JobError(f"{path.name} is a Keras model that Studio did not save; choose {wanted} saved by Studio.")
    raise JobError(f"{path.name} is not a model file; choose {wanted} saved by Studio.")


def _inspect(path: Path) -> tuple[str | None, dict[str, Any]]:
    """(kind, metadata): kind is VAE, GAN, TEXT, CYCLEGAN, "keras" for another Keras model, or None."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if TEXT_ENTRY in names:
                settings = json.loads(archive.read(TEXT_ENTRY))
                if settings.get("format") == TEXT_FORMAT:
                    return TEXT, settings
            if VAE_ENTRY in names:
                metadata = json.loads(archive.read(VAE_ENTRY))
                if metadata.get("technique") in KIND_NAMES:
                    return metadata["technique"], metadata
            if "config.json" in names:
                config = json.loads(archive.read("config.json"))
                return KERAS_CLASSES.get(config.get("registered_name"), "keras"), config
    except FileNotFoundError:
        raise JobError(f"{path.name} was not found. It may have been moved or deleted.") from None
    except zipfile.BadZipFile:
        return None, {}
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError, zipfile.LargeZipFile):
        raise damaged(path, "its settings cannot be read") from None
    except OSError as error:
        raise JobError(f"{path.name} could not be read: {plain_reason(error, path)}.") from None
    return None, {}


def save_keras_model(model: Any, path: str | os.PathLike, kind: str) -> Path:
    """Write a Keras model of `kind` that saves itself whole (GAN, CycleGAN) to a .keras file
    atomically: a stop mid-save never leaves half a file, and the file it replaces stays until the new one is whole."""
    path = Path(path)
    if path.suffix.lower() != ".keras":
        raise JobError(f"Save {KIND_NAMES[kind]} as a .keras file, not '{path.suffix or path.name}'.")
    with atomic_path(path) as temp:
        model.save(temp)
    return path


def load_keras_model(
    path: str | os.PathLike, kind: str, check_config: Callable[[dict[str, Any]], None] | None = None
) -> Any:
    """A model of `kind` saved whole by `save_keras_model`, after checking the file holds one (another
    kind would fail obscurely inside Keras) and, with `check_config`, that its Keras config suits
    this Studio (it raises a JobError if not); a damaged file becomes one clear JobError."""
    config = read_model_file(path, kind)
    if check_config is not None:
        check_config(config)
    import keras  # only now: the checks above run before TensorFlow starts

    with reading_weights(path):
        return keras.saving.load_model(path)


def damaged(path: Path, what: str) -> JobError:
    return JobError(f"{path.name} is damaged: {what}. Use another copy of the model, or train it again.")


@contextmanager
def reading_weights(path: str | os.PathLike) -> Iterator[None]:
    """Turn whatever Keras raises on a damaged file (many error types: OSError from h5py, ValueError,
    KeyError, ...) into one clear JobError naming the file."""
    try:
        yield
    except JobError:
        raise
    except OSError as error:
        if error.errno is None:  # h5py's "truncated file", "bad object header", ...
            raise damaged(Path(path), f"its weights cannot be read ({_first_line(error)})") from None
        raise JobError(f"{Path(path).name} could not be read: {plain_reason(error, Path(path))}.") from None
    except Exception as error:  # noqa: BLE001 (Keras reports a bad file with many error types)
        raise damaged(Path(path), f"its weights cannot be read ({_first_line(error)})") from None


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__
