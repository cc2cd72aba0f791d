"""Variations of a recipe, without Qt: new seeds differ, presets and sweeps share one seed so only
what is varied changes, and a sweep stays within what its setting allows."""

from __future__ import annotations

import pytest

from studio.core.params.dream import DreamParams
from studio.core.params.style import StyleParams
from studio.core.progress import JobError
from studio.core.variations import VariationParams, plan_variations, sweepable_fields


def test_seed_variations_differ_and_start_from_a_fixed_seed():
    plans = plan_variations(DreamParams(seed=40), VariationParams(count=4, kind="seeds"))
    assert [label for label, _ in plans] == ["seed 40", "seed 41", "seed 42", "seed 43"]
    random = plan_variations(DreamParams(), VariationParams(count=5, kind="seeds"), seed=1)
    assert len({params.seed for _, params in random}) == 5


def test_a_sweep_changes_one_setting_within_its_limits_with_one_seed():
    plan = VariationParams(count=4, kind="sweep", sweep_field="octaves", sweep_from=0.0, sweep_to=20.0)
    plans = plan_variations(DreamParams(octaves=3), plan, seed=2)
    assert [params.octaves for _, params in plans] == [1, 7, 10], "clipped to 1-10; repeats dropped"
    assert len({params.seed for _, params in plans}) == 1 and plans[0][0] == "Octaves 1"
    weights = plan_variations(
        StyleParams(),
        VariationParams(count=3, kind="sweep", sweep_field="style_weight", sweep_from=0.001, sweep_to=0.003),
    )
    assert [params.style_weight for _, params in weights] == [0.001, 0.002, 0.003]


def test_presets_and_mistakes():
    presets = {"Eyes": {"block5_conv1": 1.0}, "Texture": {"block2_conv1": 1.0}}
    plans = plan_variations(DreamParams(), VariationParams(count=5, kind="presets"), presets)
    assert [(label, params.layers) for label, params in plans] == list(presets.items())
    with pytest.raises(JobError, match="no presets"):
        plan_variations(StyleParams(), VariationParams(kind="presets"))
    with pytest.raises(JobError, match="Choose the setting"):
        plan_variations(DreamParams(), VariationParams(kind="sweep", sweep_field="guide_path"))
    assert "tile_size" in sweepable_fields(DreamParams) and "seed" not in sweepable_fields(DreamParams)
