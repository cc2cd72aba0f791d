"""The DeepDream engine on a tiny random-weight backbone (milliseconds per step), plus one slow
check on the real offline VGG16."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from studio.core.image_ops import octave_shapes, to_working
from studio.core.params.dream import DreamParams
from studio.core.progress import JobError
from studio.core.progress import run_to_end as run
from studio.engines import dream as engine
from studio.engines.tiling import aligned, shifted_tiles

TINY_LAYERS = {"conv2": 1.0, "conv3": 0.5}


def tiny_params(**changes) -> DreamParams:
    base = DreamParams(layers=TINY_LAYERS, octaves=1, steps_per_octave=3, step_size=0.05, seed=0)
    return dataclasses.replace(base, **changes)


def step_events(events):
    """The events that end a step (with a preview), without the light ones a step yields as it goes."""
    return [event for event in events if event.preview is not None]


def textured(height: int, width: int, seed: int = 1) -> np.ndarray:
    """A noisy picture: random-weight filters respond to texture, not to smooth ramps."""
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_dream_raises_the_loss(tiny_backbone, rgb):
    events, result = run(engine.dream(rgb, tiny_params(steps_per_octave=6), tiny_backbone))
    events = step_events(events)
    losses = [event.metrics["loss"] for event in events]
    assert len(losses) == 6
    assert losses[-1] > losses[0] * 1.05
    assert result.shape == rgb.shape and result.dtype == np.uint8
    assert np.abs(result.astype(int) - rgb).mean() > 1
    assert all(event.preview.shape == rgb.shape and event.preview.dtype == np.uint8 for event in events)
    assert [event.step for event in events] == list(range(1, 7)) and events[-1].total == 6


def test_octave_shapes_ascend_to_the_input_size_and_respect_the_minimum_side():
    shapes = octave_shapes((300, 400), octaves=4, scale=1.4, min_side=32)
    assert len(shapes) == 4
    assert shapes[-1] == (300, 400)
    assert all(a[0] < b[0] and a[1] < b[1] for a, b in zip(shapes, shapes[1:]))
    assert shapes[0] == (round(300 / 1.4**3), round(400 / 1.4**3))

    clamped = octave_shapes((48, 64), octaves=5, scale=2.0, min_side=32)
    assert clamped[-1] == (48, 64)
    assert min(min(shape) for shape in clamped) == 32
    assert len(clamped) == len(set(clamped))  # sizes that clamp to the same shape are processed once

    assert octave_shapes((20, 30), octaves=3, scale=1.4, min_side=32) == [(20, 30)]


def test_several_octaves_keep_odd_sizes(tiny_backbone):
    picture = textured(37, 53)
    events, result = run(
        engine.dream(picture, tiny_params(octaves=3, octave_scale=1.3, steps_per_octave=2), tiny_backbone)
    )
    assert result.shape == (37, 53, 3)
    events = step_events(events)
    sizes = [event.preview.shape[:2] for event in events]
    assert sizes[-1] == (37, 53) and sizes[0] != (37, 53)
    assert events[-1].step == events[-1].total


def test_detail_reinjection_restores_what_upscaling_blurs(tiny_backbone):
    """With a zero step the dream changes nothing, so after octaves the picture must come back
    nearly intact: only re-injected detail can make up for the blur of shrinking and growing."""
    picture = textured(45, 61)
    _, result = run(engine.dream(picture, tiny_params(octaves=3, octave_scale=1.4, step_size=0.0), tiny_backbone))
    assert result.shape == picture.shape
    assert np.abs(result.astype(int) - picture).max() <= 1


def test_tiling_matches_the_untiled_dream(tiny_backbone):
    picture = textured(150, 200)
    params = tiny_params(steps_per_octave=3, step_size=0.03)
    _, whole = run(engine.dream(picture, dataclasses.replace(params, tile_size=512), tiny_backbone))
    _, tiled = run(engine.dream(picture, dataclasses.replace(params, tile_size=64), tiny_backbone))
    change = np.abs(whole.astype(float) - picture).mean()
    difference = np.abs(tiled.astype(float) - whole).mean()
    assert change > 2
    assert difference < 0.1 * change


def test_tiled_gradient_is_the_whole_pictures_gradient(tiny_backbone):
    """Aligned tiles with enough context give each pixel exactly its untiled gradient, guided or not."""
    import tensorflow as tf

    image = to_working(textured(150, 200))
    guide = engine.guide_vectors(tiny_backbone, textured(40, 40, seed=9), ("conv2", "conv3"))
    weights = tf.constant([1.0, 0.5])
    for guides in ([], guide):
        objective = engine.objective_for(tiny_backbone, ("conv2", "conv3"), guided=bool(guides))
        whole_loss, whole = run(
            engine.image_gradient(objective, image, weights, guides, 512, np.random.default_rng(0))
        )[1]
        tiled_loss, tiled = run(engine.image_gradient(objective, image, weights, guides, 64, np.random.default_rng(0)))[
            1
        ]
        np.testing.assert_allclose(tiled, whole, rtol=1e-3, atol=1e-4 * np.abs(whole).max())
        assert tiled_loss == pytest.approx(whole_loss, rel=0.15)


def test_same_seed_gives_the_same_tiled_dream(tiny_backbone):
    picture = textured(150, 170)
    params = tiny_params(tile_size=64, seed=7)
    _, first = run(engine.dream(picture, params, tiny_backbone))
    _, second = run(engine.dream(picture, params, tiny_backbone))
    np.testing.assert_array_equal(first, second)


def test_closing_the_generator_stops_the_dream(tiny_backbone, rgb):
    generator = engine.dream(rgb, tiny_params(steps_per_octave=50), tiny_backbone)
    first = next(event for event in generator if event.preview is not None)
    assert first.step == 1
    generator.close()
    assert generator.gi_frame is None
    with pytest.raises(StopIteration):
        next(generator)


def test_closing_the_job_closes_the_inner_dream(tiny_backbone, rgb, monkeypatch):
    """The runner closes `dream_job`; the dream it delegates to must be closed with it."""
    closed = []
    real_dream = engine.dream

    def recording_dream(*args):
        try:
            yield from real_dream(*args)
        finally:
            closed.append(True)

    def ready_backbone(key, path=None):
        return tiny_backbone
        yield

    monkeypatch.setattr(engine, "load_backbone", ready_backbone)
    monkeypatch.setattr(engine, "dream", recording_dream)
    job = engine.dream_job(rgb, tiny_params(steps_per_octave=50))
    next(job)
    job.close()
    assert closed == [True]


def test_mask_limits_the_dream_to_its_region(tiny_backbone):
    picture = textured(48, 64)
    mask = np.zeros((48, 64), np.float32)
    mask[:, 32:] = 1.0
    _, result = run(engine.dream(picture, tiny_params(steps_per_octave=4), tiny_backbone, mask=mask))
    np.testing.assert_array_equal(result[:, :32], picture[:, :32])
    assert np.abs(result[:, 32:].astype(int) - picture[:, 32:]).mean() > 2


def test_mask_of_the_wrong_size_is_refused(tiny_backbone, rgb):
    with pytest.raises(JobError, match="same size"):
        run(engine.dream(rgb, tiny_params(), tiny_backbone, mask=np.ones((10, 10), np.float32)))


def test_guide_image_steers_the_dream(tiny_backbone):
    picture = textured(48, 64)
    guide = textured(40, 40, seed=9)
    guide[..., 1:] = 0  # a red guide, nothing like the picture's colour balance
    params = tiny_params(steps_per_octave=4)
    _, free = run(engine.dream(picture, params, tiny_backbone))
    guided_events, guided = run(engine.dream(picture, params, tiny_backbone, guide=guide))
    assert guided.shape == picture.shape
    assert np.abs(guided.astype(int) - free).mean() > 1
    guided_losses = [event.metrics["loss"] for event in step_events(guided_events)]
    assert guided_losses[-1] > guided_losses[0]


def test_no_retracing_across_image_sizes(tiny_backbone):
    params = tiny_params(layers={"conv1": 1.0, "conv3": 1.0}, steps_per_octave=1)
    for height, width in [(33, 40), (48, 64), (61, 37), (80, 80), (45, 99)]:
        run(engine.dream(textured(height, width), params, tiny_backbone))
    objective = engine.objective_for(tiny_backbone, ("conv1", "conv3"), guided=False)
    assert objective.network.tracing_counts() == [1] * len(objective.network.functions)


def test_max_loss_ends_the_octave_early(tiny_backbone):
    picture = textured(48, 64)
    params = tiny_params(octaves=2, octave_scale=1.4, steps_per_octave=5, max_loss=1e-9)
    events, result = run(engine.dream(picture, params, tiny_backbone))
    events = step_events(events)
    assert [event.step for event in events] == [5, 10]
    assert all(event.total == 10 for event in events)
    assert result.shape == picture.shape


def test_bad_parameters_are_refused(tiny_backbone, rgb):
    with pytest.raises(JobError, match="layer"):
        run(engine.dream(rgb, tiny_params(layers={"conv1": 0.0}), tiny_backbone))
    with pytest.raises(JobError, match="octave"):
        run(engine.dream(rgb, tiny_params(octave_scale=1.0), tiny_backbone))
    with pytest.raises(JobError, match="no layer named"):
        run(engine.dream(rgb, tiny_params(layers={"nope": 1.0}), tiny_backbone))


@pytest.mark.slow
def test_offline_vgg16_dream_raises_the_loss():
    from studio.core.backbones import load_backbone

    backbone = run(load_backbone("vgg16"))[1]
    picture = textured(64, 64)
    params = DreamParams(layers={"block3_conv3": 1.0, "block4_conv1": 1.0}, octaves=1, steps_per_octave=2, seed=0)
    events, result = run(engine.dream(picture, params, backbone))
    events = step_events(events)
    assert events[-1].metrics["loss"] > events[0].metrics["loss"]
    assert result.shape == picture.shape


def counting_gradient(objective, monkeypatch) -> list[int]:
    """Count the tiles the objective computes (one call of its gradient function each)."""
    calls = []
    real = objective.gradient

    def counted(*args):
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(objective, "gradient", counted)
    return calls


def test_cancel_lands_between_tiles(tiny_backbone, monkeypatch):
    """A job yields between the tiles of a large picture, so Cancel (checked between events) waits
    for one tile's work at most, and closing it computes nothing more."""
    params = tiny_params(tile_size=64, steps_per_octave=4)
    tiles = counting_gradient(engine.objective_for(tiny_backbone, tuple(TINY_LAYERS), guided=False), monkeypatch)
    job = engine.dream(textured(150, 200), params, tiny_backbone)
    done_at_each_event = []
    for event in job:
        done_at_each_event.append(len(tiles))
        if event.step == 2:
            break
    assert len(done_at_each_event) > 2 * 4  # several tiles per step
    assert all(later - earlier <= 1 for earlier, later in zip([0, *done_at_each_event], done_at_each_event))
    next(job)  # into the third step
    computed = len(tiles)
    job.close()
    assert len(tiles) == computed


def test_previews_come_once_per_step_with_light_events_between_tiles(tiny_backbone):
    events, result = run(engine.dream(textured(150, 200), tiny_params(tile_size=64, steps_per_octave=3), tiny_backbone))
    with_preview = [event for event in events if event.preview is not None]
    assert [event.step for event in with_preview] == [1, 2, 3]
    assert all(event.metrics == {} and event.preview is None for event in events if event not in with_preview)
    np.testing.assert_array_equal(with_preview[-1].preview, result)


def test_progress_is_weighed_by_each_octaves_pixels(tiny_backbone):
    """A step costs what its octave's pixels do (padded as the network gets them), so the share
    done grows slowly through small octaves and fast through the full-size one."""
    params = tiny_params(octaves=2, octave_scale=2.0, steps_per_octave=2)
    events = step_events(run(engine.dream(textured(90, 120), params, tiny_backbone))[0])
    small, large = 64 * 64, 96 * 128  # octaves of 45 x 60 and 90 x 120 pixels, padded to multiples of 32
    total = 2 * small + 2 * large
    assert [event.step for event in events] == [1, 2, 3, 4]
    assert [event.fraction for event in events] == pytest.approx(
        [small / total, 2 * small / total, (2 * small + large) / total, 1.0]
    )


def test_a_tiled_steps_cost_is_what_its_patches_hold_on_average():
    """The planned cost of a tiled step is the mean, over the grid's random shifts, of the pixels
    its padded patches hold (halos included)."""
    shape, tile_size = (300, 400), 64
    tile, halo = engine.tile_and_halo(tile_size)
    seen = []
    for seed in range(400):
        windows = shifted_tiles(*shape, tile, halo, np.random.default_rng(seed))
        seen.append(sum(aligned(py1 - py0) * aligned(px1 - px0) for _, (py0, py1, px0, px1) in windows))
    assert engine.step_cost(shape, tile_size) == pytest.approx(np.mean(seen), rel=0.02)
    assert engine.step_cost(shape, tile_size) > 1.5 * 320 * 416  # halos cost more than the picture alone
    assert engine.step_cost(shape, 512) == 320 * 416  # untiled: the padded picture


def test_odd_sizes_dream_the_same_as_padded_ones_away_from_the_far_edges(tiny_backbone):
    """Pictures reach the network padded (by reflection, at the bottom and right) to a multiple of
    32 pixels: nothing shifts, and the dream matches a picture that needs no padding except near
    the far edges, where the network sees the reflection instead of the picture going on."""
    picture = textured(96, 128)
    params = tiny_params(steps_per_octave=3)
    _, whole = run(engine.dream(picture, params, tiny_backbone))
    _, cut = run(engine.dream(picture[:83, :109], params, tiny_backbone))
    change = np.abs(whole.astype(float) - picture).mean()
    assert np.abs(cut[:60, :80].astype(float) - whole[:60, :80]).mean() < 0.1 * change


def test_a_long_tiled_dream_sends_few_distinct_shapes_to_the_network(tiny_backbone, monkeypatch):
    """TensorFlow's CPU kernels (oneDNN) keep compiled kernels and buffers for every input shape
    they meet, so memory grows with each new one: the tiles of a long dream keep to a few shapes
    (the grid takes one of two places along each axis, and patches are padded to multiples of 32),
    where a grid shifted anywhere gave over a hundred."""
    objective = engine.objective_for(tiny_backbone, tuple(TINY_LAYERS), guided=False)
    real = objective.gradient
    shapes = set()

    def recording(image, *args):
        shapes.add(tuple(image.shape[:2]))
        return real(image, *args)

    monkeypatch.setattr(objective, "gradient", recording)
    run(engine.dream(textured(300, 400), tiny_params(tile_size=256, steps_per_octave=24), tiny_backbone))
    assert all(height % 32 == 0 and width % 32 == 0 for height, width in shapes)
    assert len(shapes) <= 20
