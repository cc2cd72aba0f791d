"""Cutting pictures into overlapping tiles, so work on large pictures fits in bounded memory.

Two kinds of window: `shifted_tiles` for iterative work (DeepDream), whose grid moves at random
between steps so seams never settle in one place; `fixed_tiles` for work whose per-tile targets are computed
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


def shifted_tiles(height: int, width: int, tile: int, halo: int, rng: np.random.Generator) -> list[tuple[Box, Box]]:
    """(core, patch) windows as (y0, y1, x0, x1) covering the image once.

    Each core is one cell of a grid of `tile` pixels whose origin is, along each axis, at 0 or half
    a tile, picked at random: tile borders move between steps so seams never settle, while patches
    keep to few distinct shapes (a grid shifted anywhere would make hundreds for one picture, each
    costing memory in oneDNN's per-shape caches; see `pad_to_multiple`). Each patch is its core
    grown by `halo` so the gradient in the core sees enough context. With `tile` and `halo`
    multiples of TILE_ALIGN, every patch starts on that alignment.
    """
    if max(height, width) <= tile:
        return [((0, height, 0, width), (0, height, 0, width))]
    origins = _grid_origins(tile)
    offset_y, offset_x = (origins[index] for index in rng.integers(0, len(origins), size=2))
    return _windows(_spans(height, tile, halo, offset_y), _spans(width, tile, halo, offset_x))


def fixed_tiles(height: int, width: int, tile: int, halo: int) -> list[tuple[Box, Box]]:
    """(core, patch) windows covering the picture once with cores of `tile` pixels; each patch is
    its core grown by `halo` (fixed grid, so targets computed once line up with every step)."""
    if max(height, width) <= tile:
        return [((0, height, 0, width), (0, height, 0, width))]
    return _windows(_spans(height, tile, halo, 0), _spans(width, tile, halo, 0))


def mean_shifted_tile_pixels(height: int, width: int, tile: int, halo: int) -> float:
    """The pixels the patches of `shifted_tiles` hold in all, each padded to TILE_ALIGN as the
    network gets them, on average over the grid's random shifts (what one tiled pass costs)."""
    if max(height, width) <= tile:
        return aligned(height) * aligned(width)

    def mean_length(length: int) -> float:
        origins = _grid_origins(tile)
        padded = [aligned(end - start) for offset in origins for _, (start, end) in _spans(length, tile, halo, offset)]
        return sum(padded) / len(origins)

    return mean_length(height) * mean_length(width)


def _grid_origins(tile: int) -> tuple[int, int]:
    """Where `shifted_tiles` may start its grid along an axis: 0, or half a tile on the alignment."""
    return 0, tile // 2 // TILE_ALIGN * TILE_ALIGN


Span = tuple[tuple[int, int], tuple[int, int]]  # (core start, end), (patch start, end) along one axis


def _spans(length: int, tile: int, halo: int, offset: int) -> list[Span]:
    """Along one axis: cores of `tile` pixels on a grid starting at -`offset`, patches grown by `halo`."""
    spans = []
    for start in range(-offset, length, tile):
        core = (max(start, 0), min(start + tile, length))
        spans.append((core, (max(core[0] - halo, 0), min(core[1] + halo, length))))
    return spans


def _windows(rows: list[Span], columns: list[Span]) -> list[tuple[Box, Box]]:
    return [
        ((y0, y1, x0, x1), (py0, py1, px0, px1)) for (y0, y1), (py0, py1) in rows for (x0, x1), (px0, px1) in columns
    ]


def aligned(length: int, multiple: int = TILE_ALIGN) -> int:
    """`length` rounded up to a multiple of `multiple`."""
    return -(-length // multiple) * multiple


def pad_to_multiple(image: np.ndarray, multiple: int = TILE_ALIGN) -> np.ndarray:
    """A (H, W, C) picture grown at its bottom and right by reflection to a multiple of `multiple`
    pixels each way (the caller crops the result back to H x W).

    Networks see few distinct shapes this way: TensorFlow's CPU kernels (oneDNN) keep compiled
    kernels and buffers for every input shape they meet, so a session of many picture sizes would
    otherwise grow by hundreds of megabytes. Padding only at the far edges keeps every pixel's place
    on the pooling grid, so nothing shifts.
    """
    height, width = image.shape[:2]
    pad_y, pad_x = aligned(height, multiple) - height, aligned(width, multiple) - width
    if not pad_y and not pad_x:
        return image
    return np.pad(image, ((0, pad_y), (0, pad_x), (0, 0)), mode="reflect")


def tile_starts(length: int, tile: int, overlap: int) -> list[int]:
    """Start offsets of tiles of `tile` pixels covering `length`, neighbours sharing `overlap` pixels."""
    if length <= tile:
        return [0]
    stride = tile - overlap
    starts = list(range(0, length - tile, stride))
    return [*starts, length - tile]


def tile_count(height: int, width: int, tile: int, overlap: int) -> int:
    """How many tiles `map_tiles` takes to cover a picture of `height` x `width` pixels."""
    return len(tile_starts(height, tile, overlap)) * len(tile_starts(width, tile, overlap))


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
    padded = pad_to_multiple(patch, multiple)
    output = np.asarray(function(padded[None].astype(np.float32)))[0]
    return output[: patch.shape[0], : patch.shape[1]]
