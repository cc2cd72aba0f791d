"""CycleGAN jobs for the app and the CLI: train (streaming losses and a strip of translations),
translate a picture of any size, load and save models."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import tensorflow as tf

from studio.core.image_ops import to_rgb, to_working
from studio.core.images import fit_within
from studio.core.params.cyclegan import (
    DIRECTIONS,
    GENERATORS,
    MAX_SIZE,
    MIN_SIZE,
    SIZE_STEP,
    CycleGanParams,
    CycleGanTranslateParams,
)
from studio.core.progress import JobError, Progress, relayed
from studio.engines.cyclegan.data import PREVIEW_COUNT, preview_pictures, read_collections, training_stream
from studio.engines.cyclegan.model import (
    CycleGanModel,
    CycleGanTrainer,
    learning_rate_at,
    load_cyclegan,
    save_cyclegan,
)
from studio.engines.latent import tile_images
from studio.engines.tiling import map_tiles, tile_count
from studio.engines.training import model_to_train

REPORT_SECONDS = 0.5  # at least this often a training job yields (the app cancels between yields)
STRIP_KEYS = ("a", "a2b", "a2b2a", "b", "b2a", "b2a2b")
STRIP_GAP = 2
# A large picture's statistics come from up to SAMPLE_GRID x SAMPLE_GRID samples, each of a side
# between these (smaller samples see more of their own reflected borders).
SAMPLE_GRID, MIN_SAMPLE_SIDE, MAX_SAMPLE_SIDE = 8, 64, 128
# Neighbouring tiles share a quarter of a tile, at most this: enough context for the generators'
# reach (a ResNet of 6 blocks sees about 60 px around each pixel).
MAX_OVERLAP = 128


def check_params(params: CycleGanParams, epochs_done: int = 0) -> None:
    """JobErrors for settings that cannot train, before any picture is read."""
    if params.generator not in GENERATORS:
        raise JobError(f"Unknown generator '{params.generator}'. Choose one of: {', '.join(GENERATORS)}.")
    if not MIN_SIZE <= params.size <= MAX_SIZE or params.size % SIZE_STEP:
        raise JobError(f"Choose a working size from {MIN_SIZE} to {MAX_SIZE} px in steps of {SIZE_STEP}.")
    if min(params.generator_filters, params.discriminator_filters, params.residual_blocks, params.batch_size) < 1:
        raise JobError("Network widths, residual blocks and the batch size must be at least 1.")
    if params.epochs <= epochs_done:
        raise JobError(f"This model has already trained {epochs_done} epochs; set more epochs to train further.")
    if params.steps_per_epoch is not None and params.steps_per_epoch < 1:
        raise JobError("Use at least one step per epoch (or leave it empty for one pass over the pictures).")
    if params.learning_rate <= 0 or min(params.cycle_weight, params.identity_weight, params.pool_size) < 0:
        raise JobError("The learning rate must be positive, and loss weights and the pool size not negative.")


def translate_batch(model: CycleGanModel, pictures: np.ndarray, direction: str) -> np.ndarray:
    """Working-space pictures (N, H, W, 3) translated one way, as a NumPy array."""
    return np.asarray(model.translator(direction).translate(pictures))


def sample_strip(model: CycleGanModel, pictures_a: np.ndarray, pictures_b: np.ndarray) -> dict[str, np.ndarray]:
    """The fixed pictures of each side, their translation, and the way back, as uint8 arrays
    (N, size, size, 3) under STRIP_KEYS: a, a2b, a2b2a, b, b2a, b2a2b."""
    a, b = to_working(pictures_a), to_working(pictures_b)
    a2b, b2a = translate_batch(model, a, "a2b"), translate_batch(model, b, "b2a")
    a2b2a, b2a2b = translate_batch(model, a2b, "b2a"), translate_batch(model, b2a, "a2b")
    working = {"a": a, "a2b": a2b, "a2b2a": a2b2a, "b": b, "b2a": b2a, "b2a2b": b2a2b}
    return {key: to_rgb(working[key]) for key in STRIP_KEYS}


def strip_picture(strip: dict[str, np.ndarray]) -> np.ndarray:
    """One uint8 RGB picture of a sample strip: a row per picture pair, reading
    A | A→B | back to A | B | B→A | back to B."""
    rows = np.stack([strip[key] for key in STRIP_KEYS], axis=1)
    return tile_images(rows.reshape(-1, *rows.shape[2:]), len(STRIP_KEYS), gap=STRIP_GAP)


def train_cyclegan(
    pictures_a: np.ndarray,
    pictures_b: np.ndarray,
    params: CycleGanParams,
    model: CycleGanModel | None = None,
    checkpoint_path: str | os.PathLike | None = None,
) -> Iterator[Progress]:
    """Train on uint8 pictures of each side (N, side, side, 3), side at least `params.size`,
    until `params.epochs` epochs in all; continues `model` if given (its networks are kept).

    Yields at least every REPORT_SECONDS: `metrics` holds the mean losses since the last event
    (LOSS_CURVES keys and CYCLE_ERROR), `step`/`total` count train steps of this run. Every
    `params.preview_every` steps, at the start and after each epoch, `preview` is the sample strip
    as one picture and `data["strip"]` its parts. Every event's `data["model"]` is the model;
    after each epoch `data["checkpoint"]` is the path saved to (when `checkpoint_path` is given).
    Returns the model.
    """
    check_params(params, model.epochs_done if model is not None else 0)
    for letter, pictures in zip("AB", (pictures_a, pictures_b)):
        if pictures.ndim != 4 or pictures.shape[3] != 3 or min(pictures.shape[1:3]) < params.size:
            raise JobError(f"Collection {letter} must be RGB pictures of at least {params.size} px a side.")
        if len(pictures) < 2:
            raise JobError(f"Collection {letter} needs at least 2 pictures (and learns well from hundreds).")
    model = model_to_train(model, params, CycleGanModel)
    params = model.params
    steps_per_epoch = params.steps_per_epoch or -(-max(len(pictures_a), len(pictures_b)) // params.batch_size)
    first_epoch = model.epochs_done
    total = (params.epochs - first_epoch) * steps_per_epoch
    count = min(len(pictures_a), len(pictures_b), PREVIEW_COUNT)
    shown_a = preview_pictures(pictures_a, params.size, count)
    shown_b = preview_pictures(pictures_b, params.size, count)

    def preview_event(step: int, stage: str, metrics: dict[str, float], data: dict) -> Progress:
        strip = sample_strip(model, shown_a, shown_b)
        data = {**data, "model": model, "strip": strip}
        return Progress(step, total, stage, preview=strip_picture(strip), metrics=metrics, data=data)

    yield preview_event(0, "Preparing the train step (the first step takes longer)", {}, {"epoch": first_epoch})
    trainer = CycleGanTrainer(model, params)
    batches = zip(
        training_stream(pictures_a, params.size, params.batch_size, params.seed),
        training_stream(pictures_b, params.size, params.batch_size, None if params.seed is None else params.seed + 1),
    )
    step = 0
    window: list[dict[str, tf.Tensor]] = []
    last_report = time.monotonic()
    for epoch in range(first_epoch, params.epochs):
        for index in range(steps_per_epoch):
            model.set_learning_rate(learning_rate_at(params, (epoch + index / steps_per_epoch) / params.epochs))
            window.append(trainer(*next(batches)))
            step += 1
            epoch_done = index == steps_per_epoch - 1
            show = step % params.preview_every == 0
            if not (show or epoch_done or time.monotonic() - last_report >= REPORT_SECONDS):
                continue
            metrics = {name: float(np.mean([losses[name] for losses in window])) for name in window[0]}
            window.clear()
            stage = f"Epoch {epoch + 1}/{params.epochs} · step {index + 1}/{steps_per_epoch}"
            data = {"epoch": epoch}
            if epoch_done:
                model.epochs_done = epoch + 1
                data["epoch"] = epoch + 1
                if checkpoint_path is not None:
                    data["checkpoint"] = str(save_cyclegan(model, checkpoint_path))
            if show or epoch_done:
                yield preview_event(step, stage, metrics, data)
            else:
                yield Progress(step, total, stage, metrics=metrics, data={**data, "model": model})
            last_report = time.monotonic()
    return model


def train_cyclegan_job(
    params: CycleGanParams,
    model: CycleGanModel | None = None,
    resume_from: str | os.PathLike | None = None,
    checkpoint_path: str | os.PathLike | None = None,
) -> Iterator[Progress]:
    """What the app and CLI run: check the settings, read both collections `params` names, then
    train (a fresh model, the given `model`, or the one saved at `resume_from`). The first event
    carries `data["skipped"]`: {"a": names, "b": names} of files that were not pictures."""
    if model is None and resume_from:
        model = load_cyclegan(resume_from)
    check_params(params, model.epochs_done if model is not None else 0)
    yield Progress(0, 0, "Reading the collections")
    collection_a, collection_b = read_collections(params.collection_a, params.collection_b, params.size)
    skipped = len(collection_a.skipped) + len(collection_b.skipped)
    note = f" ({skipped} files skipped: not pictures)" if skipped else ""
    yield Progress(
        0,
        0,
        f"{len(collection_a.pictures)} pictures in A, {len(collection_b.pictures)} in B{note}",
        data={"skipped": {"a": list(collection_a.skipped), "b": list(collection_b.skipped)}},
    )
    return (yield from train_cyclegan(collection_a.pictures, collection_b.pictures, params, model, checkpoint_path))


# -- translating ------------------------------------------------------------------------------------
def samples_across(picture: np.ndarray, tile_size: int, multiple: int) -> np.ndarray:
    """Crops of equal size, one from the middle of each cell of a grid spread evenly over the
    picture, at full resolution: samples of the whole picture holding about as many pixels as one
    tile (the whole picture itself, when the cells are no larger than the crops)."""
    height, width = picture.shape[:2]
    side = max(min(max(tile_size // SAMPLE_GRID, MIN_SAMPLE_SIDE), MAX_SAMPLE_SIDE), 8 * multiple)
    rows, columns = min(-(-height // side), SAMPLE_GRID), min(-(-width // side), SAMPLE_GRID)
    cell_height, cell_width = height // rows, width // columns
    crop_height = max(multiple, min(side, cell_height) // multiple * multiple)
    crop_width = max(multiple, min(side, cell_width) // multiple * multiple)
    tops = [row * cell_height + (cell_height - crop_height) // 2 for row in range(rows)]
    lefts = [column * cell_width + (cell_width - crop_width) // 2 for column in range(columns)]
    return np.stack([picture[top : top + crop_height, left : left + crop_width] for top in tops for left in lefts])


def even_tile(shape: tuple[int, int], largest: int, overlap: int, multiple: int) -> int:
    """The smallest tile side (a multiple of `multiple`, at most `largest`) that needs no more tiles
    than `largest` would: tiles of even size, so none is mostly overlap."""
    side = multiple
    for length in shape:
        count = max(1, -(-(length - overlap) // (largest - overlap)))
        side = max(side, -(-(length + (count - 1) * overlap) // count))
    return min(-(-side // multiple) * multiple, largest // multiple * multiple)


def translate(model: CycleGanModel, picture: np.ndarray, params: CycleGanTranslateParams) -> Iterator[Progress]:
    """Translate a uint8 RGB picture of any size (first shrunk to `params.size` on its long side
    when given) in `params.direction`; returns the uint8 RGB result, the same size.

    Pictures larger than `params.tile_size` go through in overlapping tiles blended without seams
    (memory stays bounded); one Progress per tile, so a large picture can be stopped.
    """
    if params.direction not in DIRECTIONS:
        raise JobError(f"Unknown direction '{params.direction}'. Choose a2b or b2a.")
    if params.tile_size < 64:
        raise JobError("Use tiles of at least 64 px.")
    if params.size is not None:
        if params.size < 16:
            raise JobError("Scale pictures to at least 16 px on the long side.")
        picture = fit_within(picture, params.size)
    height, width = picture.shape[:2]
    # Strided networks give the same pixels only on a grid of their multiple: the picture is padded
    # to it and tiles start on it, so each tile sees what the whole picture would.
    multiple = model.size_multiple
    working = to_working(picture)
    padded = np.pad(working, ((0, -height % multiple), (0, -width % multiple), (0, 0)), mode="reflect")
    overlap = min(params.tile_size // 4, MAX_OVERLAP) // multiple * multiple
    tile = even_tile(padded.shape[:2], params.tile_size, overlap, multiple)
    count = tile_count(*padded.shape[:2], tile, overlap)
    translator = model.translator(params.direction)
    function = translator.translate
    if count > 1:
        held = translator.measure(samples_across(working, tile, multiple))

        def function(tile_picture):
            return translator.translate_held(tile_picture, held)

    tiles = map_tiles(function, padded, tile, overlap)
    yield Progress(0, count, f"Translating {'A → B' if params.direction == 'a2b' else 'B → A'}")
    result = yield from relayed(tiles, lambda done: Progress(done, count, f"Tile {done}/{count}"))
    return to_rgb(result[:height, :width])


# -- files ------------------------------------------------------------------------------------------
def load_cyclegan_job(path: str | os.PathLike) -> Iterator[Progress]:
    yield Progress(0, 0, f"Loading {Path(path).name}")
    return load_cyclegan(path)


def save_cyclegan_job(model: CycleGanModel, path: str | os.PathLike) -> Iterator[Progress]:
    yield Progress(0, 0, f"Saving {Path(path).name}")
    return str(save_cyclegan(model, path))
