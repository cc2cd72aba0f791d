"""Pictures to train generative models on: a user's folder or a shipped set, as uint8 arrays of one
size, and their `tf.data` stream of float batches.

Folders may hold pictures of any size and mode; each is centre-cropped to a square and resized, so
faces keep their proportions. Files that are not pictures are skipped and counted, not fatal.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

from studio.core.catalog import SHIPPED_DATASETS
from studio.core.images import load_image
from studio.core.progress import JobError

SHIPPED = tuple(SHIPPED_DATASETS)
SCALES = ("tanh", "sigmoid")
MIN_PICTURES = 2


def load_pictures(source: str | os.PathLike, size: int, channels: int, limit: int | None = None) -> np.ndarray:
    """Pictures from a folder path or a SHIPPED name, as uint8 (N, size, size, channels).

    `channels` is 1 (greyscale) or 3 (RGB). `limit` keeps at most that many pictures.
    Raises JobError when there is nothing usable to train on.
    """
    if str(source) in SHIPPED:
        return load_shipped(str(source), size, channels, limit)
    return load_folder(source, size, channels, limit)[0]


def load_folder(
    folder: str | os.PathLike, size: int, channels: int, limit: int | None = None
) -> tuple[np.ndarray, list[str]]:
    """The readable pictures in `folder` (and its subfolders), and the names of the files skipped
    because they could not be read as pictures."""
    _check_shape(size, channels)
    return load_files(folder_files(folder), size, channels, limit, Path(folder).name)


def folder_files(folder: str | os.PathLike) -> list[Path]:
    """The files in `folder` and its subfolders (hidden ones left out), sorted; a JobError when
    the folder is missing, is a file, or holds nothing."""
    folder = Path(folder)
    if not folder.exists():
        raise JobError(f"{folder} does not exist. Choose a folder of pictures, or one of: {', '.join(SHIPPED)}.")
    if not folder.is_dir():
        raise JobError(f"{folder.name} is a file; choose the folder that holds your pictures.")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not files:
        raise JobError(f"The folder {folder.name} is empty. Put at least {MIN_PICTURES} pictures in it.")
    return files


def load_files(
    files: list[Path], size: int, channels: int, limit: int | None = None, name: str = "the collection"
) -> tuple[np.ndarray, list[str]]:
    """The readable pictures among `files` as (N, size, size, channels) uint8, and the names of the
    files skipped because they could not be read; `name` says where they came from in messages."""
    pictures, skipped = [], []
    for path in files:
        if limit is not None and len(pictures) >= limit:
            break
        try:
            rgb = load_image(path)
        except JobError:
            skipped.append(path.name)
            continue
        pictures.append(fit_square(rgb, size, channels))
    if not pictures:
        raise JobError(
            f"None of the {len(files)} files in {name} is a picture Studio can read (use PNG, JPEG, WebP or TIFF)."
        )
    if len(pictures) < MIN_PICTURES:
        raise JobError(
            f"{name} holds only one readable picture; a model needs at least {MIN_PICTURES} "
            "(and learns well from hundreds)."
        )
    return np.stack(pictures), skipped


def fit_square(rgb: np.ndarray, size: int, channels: int) -> np.ndarray:
    """Centre-crop a uint8 RGB picture to a square and resize it to (size, size, channels)."""
    image = Image.fromarray(rgb)
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    image = image.crop((left, top, left + side, top + side))
    if side != size:
        image = image.resize((size, size), Image.Resampling.LANCZOS if side > size else Image.Resampling.BICUBIC)
    if channels == 1:
        return np.asarray(image.convert("L"), dtype=np.uint8)[..., None]
    return np.asarray(image, dtype=np.uint8)


def load_shipped(name: str, size: int, channels: int, limit: int | None = None) -> np.ndarray:
    """A shipped set by name, at the requested size and channels."""
    _check_shape(size, channels)
    if name == "faces":
        from skimage import data

        # lfw_subset holds 100 faces followed by 100 background patches; only the faces are wanted.
        raw = np.asarray(data.lfw_subset()[:100])
        raw = np.clip(raw * 255.0 + 0.5, 0, 255).astype(np.uint8) if raw.dtype != np.uint8 else raw
    elif name in ("mnist", "fashion_mnist", "cifar10"):
        raw = _keras_dataset(name)
    else:
        raise JobError(f"Unknown dataset '{name}'. Choose a folder or one of: {', '.join(SHIPPED)}.")
    if limit is not None:
        raw = raw[:limit]
    if raw.ndim == 3:
        raw = raw[..., None]
    if raw.shape[1:] == (size, size, channels):
        return np.ascontiguousarray(raw)
    rgb = np.repeat(raw, 3, axis=3) if raw.shape[3] == 1 else raw
    return np.stack([fit_square(picture, size, channels) for picture in rgb])


def _keras_dataset(name: str) -> np.ndarray:
    """Train and test images of a keras.datasets set (downloaded once into ~/.keras/datasets)."""
    import keras

    try:
        (train, _), (test, _) = getattr(keras.datasets, name).load_data()
    except Exception as error:  # the download surfaces as many error types (URLError, OSError, ...)
        raise JobError(
            f"{name} must be downloaded once and the download failed ({type(error).__name__}). "
            "Connect to the internet and try again, or use 'faces' or a folder of your pictures."
        ) from None
    return np.concatenate([train, test])


def to_dataset(pictures: np.ndarray, batch_size: int, seed: int | None = None, scale: str = "tanh"):
    """A shuffled, prefetched `tf.data.Dataset` of float32 batches: [-1, 1] for "tanh" models,
    [0, 1] for "sigmoid" ones. The uint8 pictures are converted per batch, so memory stays small."""
    import tensorflow as tf

    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, not {scale!r}")
    if batch_size < 1:
        raise JobError("The batch size must be at least 1.")
    if scale == "tanh":

        def convert(batch):
            return tf.cast(batch, tf.float32) / 127.5 - 1.0
    else:

        def convert(batch):
            return tf.cast(batch, tf.float32) / 255.0

    dataset = tf.data.Dataset.from_tensor_slices(pictures)
    dataset = dataset.shuffle(len(pictures), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).map(convert, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def _check_shape(size: int, channels: int) -> None:
    if channels not in (1, 3):
        raise JobError(f"Pictures have 1 (grey) or 3 (colour) channels, not {channels}.")
    if size < 8:
        raise JobError(f"A picture size of {size} px is too small; use 28, 32 or 64.")
