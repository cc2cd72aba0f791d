"""Tiling: windows that cover a picture once, and tiled application of a fully-convolutional function."""

from __future__ import annotations

import numpy as np

from studio.core.progress import run_to_end
from studio.engines.tiling import map_tiles, shifted_tiles


def test_tiles_cover_every_pixel_once_with_a_halo():
    rng = np.random.default_rng(3)
    covered = np.zeros((70, 90), int)
    windows = list(shifted_tiles(70, 90, tile=32, halo=8, rng=rng))
    assert len(windows) > 4
    for (y0, y1, x0, x1), (py0, py1, px0, px1) in windows:
        covered[y0:y1, x0:x1] += 1
        assert py0 <= y0 and py1 >= y1 and px0 <= x0 and px1 >= x1
        assert py0 == max(y0 - 8, 0) and px1 == min(x1 + 8, 90)
    assert (covered == 1).all()


def blurred(batch: np.ndarray) -> np.ndarray:
    """A 5 x 5 box blur with reflected edges: a fully-convolutional function with a 2-pixel reach."""
    padded = np.pad(batch, ((0, 0), (2, 2), (2, 2), (0, 0)), mode="reflect")
    height, width = batch.shape[1:3]
    return sum(padded[:, dy : dy + height, dx : dx + width] for dy in range(5) for dx in range(5)) / 25.0


def test_tiled_map_matches_the_whole_picture_away_from_tile_borders_and_blends_without_seams():
    picture = np.random.default_rng(0).random((61, 83, 3)).astype(np.float32)
    whole = blurred(picture[None])[0]
    events, tiled = run_to_end(map_tiles(blurred, picture, tile=32, overlap=12))
    assert tiled.shape == picture.shape
    assert events[-1] == len(events) > 4  # one event per tile: a job can stop between tiles
    np.testing.assert_allclose(tiled, whole, atol=1e-5)


def test_tiled_map_pads_each_tile_to_the_multiple_a_strided_network_needs():
    seen = []

    def strided(batch):
        seen.append(batch.shape[1:3])
        return batch * 2

    picture = np.ones((37, 50, 3), np.float32)
    _, result = run_to_end(map_tiles(strided, picture, tile=64, overlap=8, multiple=4))
    assert seen == [(40, 52)]
    np.testing.assert_allclose(result, 2.0)
