"""Cutting pictures into overlapping tiles, so work on large pictures fits in bounded memory.

Two kinds of window: `shifted_tiles` for iterative work (DeepDream), whose grid moves at random each
step so seams never settle in one place; `fixed_tiles` for work whose per-tile targets are computed
once (style transfer). Both give (core, patch) pairs: the core is the part of the picture a tile
owns, the patch is the core grown by a halo of context.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

# Tiles start on multiples of this (the largest total stride of our backbones), so a tile's pooling
# grid lines up with the whole image's and its activations are the ones the whole image would have.
TILE_ALIGN = 32
Box = tuple[int, int, int, int]  # y0, y1, x0, x1


def shifted_tiles(height: int, width: int, tile: int, halo: int, rng: np.random.Generator):
    """Yield (core, patch) windows as (y0, y1, x0, x1) covering the image once.

    Each core is one cell of a grid of `tile` pixels whose origin is shifted at random (by whole
    multiples of TILE_ALIGN), so tile borders fall in new places every step; each patch is its core
    grown by `halo` so the gradient in the core sees enough context. With `tile` and `halo`
    multiples of TILE_ALIGN, every patch starts on that alignment.
    """
    if max(height, width) <= tile:
        yield (0, height, 0, width), (0, height, 0, width)
        return
    offset_y, offset_x = rng.integers(0, tile // TILE_ALIGN, size=2) * TILE_ALIGN
    for y in range(-int(offset_y), height, tile):
        for x in range(-int(offset_x), width, tile):
            core = (max(y, 0), min(y + tile, height), max(x, 0), min(x + tile, width))
            if core[0] < core[1] and core[2] < core[3]:
                patch = (
                    max(core[0] - halo, 0),
                    min(core[1] + halo, height),
                    max(core[2] - halo, 0),
                    min(core[3] + halo, width),
                )
                yield core, patch


def fixed_tiles(height: int, width: int, tile: int, halo: int) -> list[tuple[Box, Box]]:
    """(core, patch) windows covering the picture once with cores of `tile` pixels; each patch is
    its core grown by `halo` (fixed grid, so targets computed once line up with every step)."""
    if max(height, width) <= tile:
        return [((0, height, 0, width), (0, height, 0, width))]
    windows = []
    for y in range(0, height, tile):
        for x in range(0, width, tile):
            core = (y, min(y + tile, height), x, min(x + tile, width))
            patch = (max(y - halo, 0), min(y + tile + halo, height), max(x - halo, 0), min(x + tile + halo, width))
            windows.append((core, patch))
    return windows


def tile_starts(length: int, tile: int, overlap: int) -> list[int]:
    """Start offsets of tiles of `tile` pixels covering `length`, neighbours sharing `overlap` pixels."""
    if length <= tile:
        return [0]
    stride = tile - overlap
    starts = list(range(0, length - tile, stride))
    return [*starts, length - tile]


def _ramp(length: int, overlap: int, at_start: bool, at_end: bool) -> np.ndarray:
    """Blend weights along one side of a tile where a neighbour overlaps it.

    The outer quarter of the overlap gets no weight (a tile's edge pixels lack context), and the rest
    rises linearly so that two neighbours' weights sum to one across their shared pixels.
    """
    margin = overlap // 4
    position = np.arange(overlap, dtype=np.float32)
    rise = np.clip((position - margin + 0.5) / max(overlap - 2 * margin, 1), 0.0, 1.0)
    weights = np.ones(length, np.float32)
    if at_start and overlap:
        weights[:overlap] = rise
    if at_end and overlap:
        weights[-overlap:] = np.minimum(weights[-overlap:], rise[::-1])
    return weights


def map_tiles(
    function: Callable[[np.ndarray], np.ndarray], image: np.ndarray, tile: int, overlap: int, multiple: int = 1
) -> Iterator[int]:
    """Apply a fully-convolutional `function` to a (H, W, C) float picture tile by tile; returns the
    (H, W, C') result. A generator: it yields the number of tiles done after each one (so a job can
    report progress and be cancelled between tiles).

    `function` takes and returns a batch of one, (1, h, w, C) -> (1, h, w, C'). Neighbouring outputs
    are blended across their `overlap` (the outer quarter of it dropped, the rest ramped), so no seam
    shows; a function that sees less than a quarter of the overlap around each pixel gives exactly the
    whole picture's result. Each tile (or the whole
    picture, when it fits in one) is padded by reflection to a multiple of `multiple` pixels, as
    networks with strided layers need, and the padding is cropped off again.
    """
    height, width = image.shape[:2]
    rows, columns = tile_starts(height, tile, overlap), tile_starts(width, tile, overlap)
    result = None
    weight_sum = np.zeros((height, width, 1), np.float32)
    done = 0
    for y in rows:
        for x in columns:
            patch = image[y : y + tile, x : x + tile]
            output = _padded_call(function, patch, multiple)
            weights = np.outer(
                _ramp(patch.shape[0], overlap, y > 0, y + tile < height),
                _ramp(patch.shape[1], overlap, x > 0, x + tile < width),
            )[..., None]
            if result is None:
                result = np.zeros((height, width, output.shape[-1]), np.float32)
            result[y : y + patch.shape[0], x : x + patch.shape[1]] += output * weights
            weight_sum[y : y + patch.shape[0], x : x + patch.shape[1]] += weights
            done += 1
            yield done
    return result / weight_sum


def _padded_call(function: Callable[[np.ndarray], np.ndarray], patch: np.ndarray, multiple: int) -> np.ndarray:
    height, width = patch.shape[:2]
    pad_y, pad_x = -height % multiple, -width % multiple
    padded = np.pad(patch, ((0, pad_y), (0, pad_x), (0, 0)), mode="reflect") if pad_y or pad_x else patch
    output = np.asarray(function(padded[None].astype(np.float32)))[0]
    return output[:height, :width]
