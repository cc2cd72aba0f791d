"""Style through a mask on the tiny backbone: outside the mask the content stays exactly as it was;
with one style per region each side is painted by its own style."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from tiny import TINY_STYLE_LAYERS

from studio.core.params.style import StyleParams
from studio.core.progress import JobError, run_to_end
from studio.engines.style import stylize
from studio.engines.style.regions import stylize_in_regions

PARAMS = StyleParams(**TINY_STYLE_LAYERS, size=64, iterations=4, num_scales=1, style_weight=0.02, seed=0)


@pytest.fixture
def painter(tiny_backbone):
    def paint(content, styles, params, init_image):
        return stylize(content, styles, params, tiny_backbone, init_image)

    return paint


@pytest.fixture
def left_half(rgb):
    mask = np.zeros(rgb.shape[:2], np.float32)
    mask[:, :32] = 1.0
    return mask


def stripes(value: int) -> np.ndarray:
    picture = np.full((40, 40, 3), value, np.uint8)
    picture[::4] = 255 - value
    return picture


def test_a_masked_style_leaves_the_outside_unchanged(rgb, left_half, painter):
    events, result = run_to_end(stylize_in_regions(rgb, [stripes(30)], PARAMS, left_half, painter))
    assert result.shape == rgb.shape
    change = np.abs(result.astype(int) - rgb.astype(int)).sum(axis=2)
    assert change[:, 32:].max() == 0, "outside the mask the content is untouched"
    assert change[:, :32].mean() > 1, "inside it is painted"
    previews = [event.preview for event in events if event.preview is not None]
    assert previews and all(np.array_equal(preview[:, 40:], rgb[:, 40:]) for preview in previews), "previews too"


def test_one_style_per_region_paints_each_side_with_its_own(rgb, left_half, painter):
    params = dataclasses.replace(PARAMS, style_regions=("inside", "outside"))
    events, both = run_to_end(stylize_in_regions(rgb, [stripes(30), stripes(220)], params, left_half, painter))
    _, inside_only = run_to_end(stylize_in_regions(rgb, [stripes(30)], PARAMS, left_half, painter))
    assert np.array_equal(both[:, :30], inside_only[:, :30]), "inside: the first style alone"
    assert np.abs(both[:, 34:].astype(int) - rgb[:, 34:].astype(int)).sum(axis=2).mean() > 1, "outside: the second"
    assert events[-1].step == events[-1].total == 2 * PARAMS.iterations, "both regions count in the progress"
    fractions = [event.fraction for event in events]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0, "the bar never goes back between regions"
    assert "Outside the mask" in events[-1].stage


def test_a_mask_of_another_size_is_refused_before_any_work(rgb, painter):
    with pytest.raises(JobError, match="same size as the content"):
        run_to_end(stylize_in_regions(rgb, [stripes(30)], PARAMS, np.ones((5, 5), np.float32), painter))
