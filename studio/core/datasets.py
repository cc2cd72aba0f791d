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

from studio.core.catalog import SHIPPED_DATASETS, SHIPPED_PICTURES
from studio.core.files import name_list
from studio.core.images import load_image
from studio.core.progress import JobError

SHIPPED = tuple(SHIPPED_DATASETS)
SCALES = ("tanh", "sigmoid")
MIN_PICTURES = 2
# A training epoch sees at least this many pictures: a small set is repeated (each copy varied by
# augmentation), so an epoch of 100 faces is not 2 steps long and progress counts real work.
EPOCH_PICTURES = 2000
PATCH_SEED = 2024  # shipped patch sets are cut the same way every time
TEXTURES = ("brick", "grass", "gravel")


def load_pictures(source: str | os.PathLike, size: int, channels: int, limit: int | None = None) -> np.ndarray:
    """Pictures from a folder path or a SHIPPED name, as uint8 (N, size, size, channels).

    `channels` is 1 (greyscale) or 3 (RGB). `limit` keeps at most that many pictures.
    Raises JobError when there is nothing usable to train on.
    """
    if str(source) in SHIPPED:
        return load_shipped(str(source), size, channels, limit)
    return load_folder(source, size, channels, limit)[0]


def read_training_pictures(
    source: str | os.PathLike, size: int, channels: int, limit: int | None = None
) -> tuple[np.ndarray, str]:
    """`load_pictures`, and a sentence for the user about them: how many, from where, and which
    files of a folder were skipped because they are not pictures."""
    if str(source) in SHIPPED:
        pictures = load_shipped(str(source), size, channels, limit)
        return pictures, f"{len(pictures)} pictures from {source}"
    pictures, skipped = load_folder(source, size, channels, limit)
    note = f"{len(pictures)} pictures from {Path(source).name}"
    if skipped:
        files = "file that is not a picture" if len(skipped) == 1 else "files that are not pictures"
        note += f"; skipped {len(skipped)} {files}: {name_list(skipped)}"
    return pictures, note


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
    elif name in ("textures", "galaxies"):
        count = SHIPPED_PICTURES[name] if limit is None else min(limit, SHIPPED_PICTURES[name])
        return shipped_patches(name, count, size, channels)
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


def shipped_patches(name: str, count: int, size: int, channels: int) -> np.ndarray:
    """Square patches cut from pictures scikit-image ships (no download): "textures" from its brick,
    grass and gravel photos in turn; "galaxies" from the Hubble Deep Field, centred where the sky
    is bright so most patches hold a galaxy. Sides vary (a zoom range), positions are seeded."""
    from skimage import data

    rng = np.random.default_rng(PATCH_SEED)
    if name == "textures":
        sources = [np.asarray(getattr(data, texture)()) for texture in TEXTURES]
        picks = [(sources[index % len(sources)], None) for index in range(count)]
    else:
        sky = np.asarray(data.hubble_deep_field())
        brightness = np.asarray(Image.fromarray(sky).convert("L").resize((sky.shape[1] // 8, sky.shape[0] // 8)))
        weights = brightness.astype(np.float64).ravel() ** 2
        centres = rng.choice(weights.size, size=count, p=weights / weights.sum())
        picks = [(sky, divmod(int(centre), brightness.shape[1])) for centre in centres]
    patches = []
    for source, centre in picks:
        height, width = source.shape[:2]
        side = int(rng.integers(48, 129))
        if centre is None:
            top, left = int(rng.integers(0, height - side + 1)), int(rng.integers(0, width - side + 1))
        else:
            top = int(np.clip(centre[0] * 8 + 4 - side // 2 + rng.integers(-8, 9), 0, height - side))
            left = int(np.clip(centre[1] * 8 + 4 - side // 2 + rng.integers(-8, 9), 0, width - side))
        patch = Image.fromarray(source[top : top + side, left : left + side]).resize(
            (size, size), Image.Resampling.LANCZOS
        )
        patch = patch.convert("L" if channels == 1 else "RGB")
        patches.append(np.asarray(patch, dtype=np.uint8).reshape(size, size, channels))
    return np.stack(patches)


def batches_per_epoch(count: int, batch_size: int) -> int:
    """Training steps in one epoch over `count` pictures (see EPOCH_PICTURES)."""
    return max(1, -(-max(count, EPOCH_PICTURES) // batch_size))


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
