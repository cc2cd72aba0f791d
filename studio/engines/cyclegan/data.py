"""The two collections a CycleGAN learns from: reading them (folders, files or demo sets), checking
them before any training, and the stream of random, mirrored crops the train step eats."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.core.datasets import MIN_PICTURES, folder_files, load_files
from studio.core.images import sample_image
from studio.core.params.cyclegan import DEMO_COLLECTIONS
from studio.core.progress import JobError

# Pictures are scaled a little above the working size and cropped at random (the paper's 286 -> 256).
LOAD_SCALE = 286 / 256
DEMO_TEXTURES = {"grass": "grass", "gravel": "gravel", "brick": "brick", "tissue": "immunohistochemistry"}
DEMO_CROPS = 32
PREVIEW_COUNT = 3  # pictures per side in the training strip


@dataclass(frozen=True)
class Collection:
    """One side's pictures as uint8 (N, side, side, 3), the files skipped as unreadable, and a name."""

    pictures: np.ndarray
    skipped: tuple[str, ...]
    name: str


def load_side(size: int) -> int:
    """Side of the squares a collection is kept at, for crops of `size` px."""
    return round(size * LOAD_SCALE)


def demo_collection(name: str, side: int, count: int = DEMO_CROPS, seed: int = 0) -> np.ndarray:
    """`count` random `side` px crops of a scikit-image texture, uint8 (count, side, side, 3)."""
    texture = sample_image(DEMO_TEXTURES[name])
    rng = np.random.default_rng(seed)
    height, width = texture.shape[:2]
    tops = rng.integers(0, height - side + 1, count)
    lefts = rng.integers(0, width - side + 1, count)
    return np.stack([texture[top : top + side, left : left + side] for top, left in zip(tops, lefts)])


def resolve_sources(sources: Sequence[str | os.PathLike], letter: str) -> tuple[list[str], list[Path]]:
    """(demo collection names, picture files) that `sources` name; a JobError for a missing path
    or an empty folder. Folders give their files and their subfolders' files."""
    demos, files = [], []
    for source in sources:
        if str(source) in DEMO_COLLECTIONS:
            demos.append(str(source))
            continue
        path = Path(source)
        if path.is_dir():
            try:
                files += folder_files(path)
            except JobError as error:
                raise JobError(f"Collection {letter}: {error}") from None
        elif path.is_file():
            files.append(path)
        else:
            raise JobError(
                f"Collection {letter}: {path} does not exist. Choose a folder of pictures, picture files, "
                f"or a demo collection ({', '.join(DEMO_COLLECTIONS)})."
            )
    if not demos and not files:
        raise JobError(
            f"Collection {letter} is empty. Add a folder or at least {MIN_PICTURES} pictures, "
            f"or choose a demo collection ({', '.join(DEMO_COLLECTIONS)})."
        )
    return demos, files


def describe(sources: Sequence[str | os.PathLike]) -> str:
    names = [str(source) if str(source) in DEMO_COLLECTIONS else Path(source).name for source in sources]
    return names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} more"


def read_collections(
    sources_a: Sequence[str | os.PathLike], sources_b: Sequence[str | os.PathLike], size: int
) -> tuple[Collection, Collection]:
    """Both collections at `load_side(size)`, checked: each side readable with at least two
    pictures, and the two sides not the same pictures. JobErrors say which side is wrong and how."""
    resolved = [resolve_sources(sources_a, "A"), resolve_sources(sources_b, "B")]
    (demos_a, files_a), (demos_b, files_b) = resolved
    if sorted(demos_a) == sorted(demos_b) and {p.resolve() for p in files_a} == {p.resolve() for p in files_b}:
        raise JobError(
            "Collections A and B hold the same pictures. A CycleGAN learns the difference between two "
            "sets: choose different pictures for each side."
        )
    side = load_side(size)
    collections = []
    for letter, sources, (demos, files) in zip("AB", (sources_a, sources_b), resolved):
        parts = [demo_collection(name, side, seed=index) for index, name in enumerate(demos)]
        skipped: list[str] = []
        if files:
            try:
                pictures, skipped = load_files(files, side, 3, name=describe(sources))
            except JobError as error:
                raise JobError(f"Collection {letter}: {error}") from None
            parts.append(pictures)
        collections.append(Collection(np.concatenate(parts), tuple(skipped), describe(sources)))
    return collections[0], collections[1]


def preview_pictures(pictures: np.ndarray, size: int, count: int = PREVIEW_COUNT) -> np.ndarray:
    """`count` pictures spread over the collection, centre-cropped to `size`: the fixed strip a
    training run shows, so one preview compares with the next."""
    picks = np.unique(np.linspace(0, len(pictures) - 1, count).round().astype(int))
    margin = (pictures.shape[1] - size) // 2
    return pictures[picks, margin : margin + size, margin : margin + size]


def training_stream(pictures: np.ndarray, size: int, batch_size: int, seed: int | None = None):
    """An endless `tf.data.Dataset` of float32 batches in [-1, 1]: random `size` crops of shuffled
    pictures, mirrored left-right half the time."""
    import tensorflow as tf

    def crop_and_mirror(picture):
        crop = tf.image.random_flip_left_right(tf.image.random_crop(picture, (size, size, 3)))
        return tf.cast(crop, tf.float32) / 127.5 - 1.0

    dataset = tf.data.Dataset.from_tensor_slices(pictures)
    dataset = dataset.shuffle(len(pictures), seed=seed, reshuffle_each_iteration=True).repeat()
    dataset = dataset.map(crop_and_mirror, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
