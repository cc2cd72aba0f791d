"""Style transfer engine on the tiny backbone, and the `studio style` command on the real VGG16."""

from __future__ import annotations

import dataclasses
import threading

import numpy as np
import pytest
import tensorflow as tf
from tiny import TINY_STYLE_LAYERS

from studio.core.image_ops import to_working
from studio.core.images import load_image, read_recipe, save_image
from studio.core.params import params_from_dict, params_to_dict
from studio.core.params.style import StyleParams
from studio.core.progress import JobError, run_to_end
from studio.engines.style import StyleObjective, gram_matrix, objective_for, stylize, to_yiq, total_variation_loss
from studio.engines.style.objective import CALL_COST, FORWARD_COST, GRADIENT_COST
from studio.engines.tiling import aligned

TINY = StyleParams(**TINY_STYLE_LAYERS, style_weight=100.0, tv_weight=0.1, size=64, iterations=6, num_scales=1)


def run(job):
    """Drive a job to its end: its step events (those with a preview; light events between tiles
    and while L-BFGS computes carry none) and its result."""
    events, result = run_to_end(job)
    return [event for event in events if event.preview is not None], result


@pytest.fixture
def style_picture():
    """A colourful, busy texture, a different size from the content picture."""
    rng = np.random.default_rng(1)
    stripes = np.sin(np.arange(40)[:, None] / 2.0 + np.arange(56)[None, :] / 3.0)
    picture = np.stack([stripes, -stripes, rng.uniform(-1, 1, (40, 56))], axis=-1)
    return ((picture + 1) * 127.5).astype(np.uint8)


def test_gram_matrix_is_channel_correlation_averaged_over_positions():
    features = np.array([[[1.0, 2.0], [3.0, 0.0]], [[0.0, 1.0], [2.0, 2.0]]], np.float32)  # 2x2 positions, 2 channels
    flat = features.reshape(4, 2)
    expected = np.array([[1 + 9 + 0 + 4, 2 + 0 + 0 + 4], [2 + 0 + 0 + 4, 4 + 0 + 1 + 4]]) / 4
    assert np.allclose(gram_matrix(tf.constant(features)).numpy(), expected)
    assert np.allclose(expected, flat.T @ flat / 4)
    batch = np.stack([features, 2 * features])
    assert np.allclose(gram_matrix(tf.constant(batch)).numpy(), [expected, 4 * expected])  # one per picture


def test_total_variation_of_a_batch_is_the_mean_of_each_pictures():
    pictures = np.random.default_rng(0).random((2, 9, 7, 3)).astype(np.float32)
    each = [float(total_variation_loss(tf.constant(picture))) for picture in pictures]
    assert float(total_variation_loss(tf.constant(pictures))) == pytest.approx(np.mean(each), rel=1e-5)


@pytest.mark.parametrize("optimizer", ["lbfgs", "adam"])
def test_total_loss_falls(tiny_backbone, rgb, style_picture, optimizer):
    params = dataclasses.replace(TINY, optimizer=optimizer, learning_rate=0.05)
    events, result = run(stylize(rgb, [style_picture], params, tiny_backbone))
    losses = [event.metrics["loss"] for event in events]
    assert len(events) == params.iterations
    assert set(events[0].metrics) == {"loss", "content", "style", "tv"}
    assert losses[-1] < 0.7 * losses[0]
    assert result.shape == (48, 64, 3) and result.dtype == np.uint8
    assert not np.array_equal(result, rgb)


def test_lbfgs_stops_its_helper_thread_when_cancelled(tiny_backbone, rgb, style_picture):
    generator = stylize(rgb, [style_picture], dataclasses.replace(TINY, iterations=50), tiny_backbone)
    while next(generator).preview is None:
        pass
    assert any(thread.name == "studio-lbfgs" for thread in threading.enumerate())
    generator.close()
    assert not any(thread.name == "studio-lbfgs" for thread in threading.enumerate())


def chroma_error(result, content):
    return float(np.abs(to_yiq(to_working(result))[..., 1:] - to_yiq(to_working(content))[..., 1:]).mean())


def test_luminance_transfer_keeps_the_content_colours(tiny_backbone, rgb, style_picture):
    params = dataclasses.replace(TINY, iterations=8)
    _, plain = run(stylize(rgb, [style_picture], params, tiny_backbone))
    _, kept = run(
        stylize(rgb, [style_picture], dataclasses.replace(params, preserve_colors="luminance"), tiny_backbone)
    )
    assert chroma_error(kept, rgb) < 0.01
    assert chroma_error(plain, rgb) > 3 * chroma_error(kept, rgb)
    luminance_change = np.abs(to_yiq(to_working(kept))[..., 0] - to_yiq(to_working(rgb))[..., 0]).mean()
    assert luminance_change > 0.02  # it did transfer something


def test_colour_matching_moves_the_result_toward_the_content_palette(tiny_backbone, rgb, style_picture):
    params = dataclasses.replace(TINY, iterations=8)
    _, plain = run(stylize(rgb, [style_picture], params, tiny_backbone))
    _, matched = run(stylize(rgb, [style_picture], dataclasses.replace(params, preserve_colors="match"), tiny_backbone))
    assert chroma_error(matched, rgb) < chroma_error(plain, rgb)


def test_coarse_to_fine_ends_at_the_requested_size(tiny_backbone, rgb, style_picture):
    params = dataclasses.replace(TINY, size=100, num_scales=3, iterations=6)
    events, result = run(stylize(rgb, [style_picture], params, tiny_backbone))
    assert result.shape == (75, 100, 3)
    sizes = [event.preview.shape[:2] for event in events]
    assert sizes[0] == (32, 43) and sizes[-1] == (75, 100)
    assert sizes == sorted(sizes)
    assert events[-1].step == events[-1].total == 6


def test_tiles_give_the_same_loss_and_gradient_as_the_whole_picture(tiny_backbone, rgb, style_picture):
    whole = StyleObjective(tiny_backbone, "conv3", ("conv1", "conv2"), tile_size=512)
    tiled = StyleObjective(tiny_backbone, "conv3", ("conv1", "conv2"), tile_size=16)
    assert len(tiled.tiles(48, 64)) == 12
    picture = to_working(rgb) + np.random.default_rng(0).normal(0, 0.1, (48, 64, 3)).astype(np.float32)
    weights = np.array([1.0, 0.1, 50.0, 50.0], np.float32)
    evaluations = []
    for objective in (whole, tiled):
        targets = run_to_end(objective.targets(to_working(rgb), [to_working(style_picture)], [1.0]))[1]
        evaluations.append(run_to_end(objective.evaluate(picture, targets, weights))[1])
    assert evaluations[1].total == pytest.approx(evaluations[0].total, rel=1e-4)
    assert np.allclose(
        evaluations[1].gradient, evaluations[0].gradient, atol=1e-4 * np.abs(evaluations[0].gradient).max()
    )


def test_tiled_run_reaches_the_requested_size(tiny_backbone, rgb, style_picture):
    params = dataclasses.replace(TINY, size=96, num_scales=2, iterations=4, tile_size=32)
    _, result = run(stylize(rgb, [style_picture], params, tiny_backbone))
    assert result.shape == (72, 96, 3)


def test_checkpoints_and_resume_skip_the_scales_already_done(tiny_backbone, rgb, style_picture):
    params = dataclasses.replace(TINY, size=64, num_scales=2, iterations=6, checkpoint_every=2)
    events, result = run(stylize(rgb, [style_picture], params, tiny_backbone))
    checkpoints = [event.data["checkpoint"] for event in events if "checkpoint" in event.data]
    assert len(checkpoints) == 3 and checkpoints[-1].shape == result.shape
    resumed = dataclasses.replace(params, init="image", checkpoint_every=0)
    events, again = run(stylize(rgb, [style_picture], resumed, tiny_backbone, init_image=result))
    assert all(event.preview.shape == result.shape for event in events)  # only the full-size scale ran
    assert again.shape == result.shape


def test_several_styles_blend_and_noise_start_is_seeded(tiny_backbone, rgb, style_picture):
    params = dataclasses.replace(TINY, init="noise", seed=3, iterations=2, style_blend=(1.0, 0.5))
    flat_grey = np.full((30, 30, 3), 128, np.uint8)
    first = run(stylize(rgb, [style_picture, flat_grey], params, tiny_backbone))[1]
    second = run(stylize(rgb, [style_picture, flat_grey], params, tiny_backbone))[1]
    assert np.array_equal(first, second)
    other_blend = run(
        stylize(rgb, [style_picture, flat_grey], dataclasses.replace(params, style_blend=(0.0, 1.0)), tiny_backbone)
    )[1]
    assert not np.array_equal(first, other_blend)


@pytest.mark.parametrize(
    "change, num_styles, message",
    [
        ({}, 0, "style picture"),
        ({"size": 10}, 1, "size"),
        ({"optimizer": "sgd"}, 1, "optimizer"),
        ({"init": "image"}, 1, "needs that image"),
        ({"style_blend": (1.0, 2.0)}, 1, "blend weight"),
        ({"style_layers": {"nope": 1.0}}, 1, "no layer named nope"),
    ],
)
def test_bad_parameters_say_how_to_fix_them(tiny_backbone, rgb, change, num_styles, message):
    params = dataclasses.replace(TINY, **change)
    with pytest.raises(JobError, match=message):
        run(stylize(rgb, [rgb] * num_styles, params, tiny_backbone))


def test_params_round_trip_through_json():
    params = dataclasses.replace(StyleParams(), style_blend=(1.0, 0.25), preserve_colors="luminance")
    assert params_from_dict(StyleParams, params_to_dict(params)) == params


def test_cli_stylizes_with_the_real_backbone_and_saves_recipe_and_checkpoint(tmp_path, rgb, style_picture):
    from studio.cli import main

    content_path, style_path = tmp_path / "content.png", tmp_path / "style.jpg"
    save_image(content_path, rgb)
    save_image(style_path, style_picture)
    out = tmp_path / "out.png"
    code = main(
        [
            "style",
            str(content_path),
            str(style_path),
            str(style_path),
            "-o",
            str(out),
            "--size",
            "48",
            "--iterations",
            "2",
            "--scales",
            "1",
            "--blend",
            "1,2",
            "--checkpoint-every",
            "1",
        ]
    )
    assert code == 0
    assert load_image(out).shape == (36, 48, 3)
    recipe = read_recipe(out)
    assert recipe["technique"] == "style"
    assert params_from_dict(StyleParams, recipe["params"]).style_blend == (1.0, 2.0)
    assert load_image(tmp_path / "out-checkpoint.png").shape == (36, 48, 3)


def test_cli_reports_unreadable_pictures(tmp_path, capsys):
    from studio.cli import main

    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a picture")
    assert main(["style", str(broken), str(broken), "-o", str(tmp_path / "out.png")]) == 2
    assert "not an image" in capsys.readouterr().err


def counting_tiles(objective, monkeypatch) -> list[str]:
    """Record each tile the objective computes (a statistics pass or a gradient, one call each)."""
    tiles = []
    for name in ("_statistics", "_tile_gradient"):
        real = getattr(objective, name)

        def counted(*args, real=real, name=name):
            tiles.append(name)
            return real(*args)

        monkeypatch.setattr(objective, name, counted)
    return tiles


@pytest.mark.parametrize("optimizer", ["lbfgs", "adam"])
def test_cancel_lands_between_tiles_and_releases_the_helper_thread(
    tiny_backbone, rgb, style_picture, monkeypatch, optimizer
):
    """Each evaluation of a tiled picture yields between tiles (and so does preparing the
    targets), so Cancel waits for one tile's work at most; closing the job computes nothing more
    and ends L-BFGS's helper thread."""
    params = dataclasses.replace(TINY, size=96, iterations=20, tile_size=32, optimizer=optimizer)
    objective = objective_for(tiny_backbone, params.content_layer, tuple(params.active_style_layers()), 32)
    tiles = counting_tiles(objective, monkeypatch)
    job = stylize(rgb, [style_picture], params, tiny_backbone)
    done_at_each_event = []
    for event in job:
        done_at_each_event.append(len(tiles))
        if event.step == 2:
            break
    assert len(set(done_at_each_event)) > 2 * len(objective.tiles(72, 96))  # several tiles per step
    assert all(later - earlier <= 1 for earlier, later in zip([0, *done_at_each_event], done_at_each_event))
    while next(job).preview is None and len(tiles) == done_at_each_event[-1]:
        pass  # to a light event part-way through the third step
    computed = len(tiles)
    job.close()
    assert len(tiles) == computed
    assert not any(thread.name == "studio-lbfgs" for thread in threading.enumerate())


def test_progress_is_weighed_by_each_scales_cost(tiny_backbone, rgb, style_picture):
    """A step costs what an evaluation at its scale does, so the share done at the end of each
    scale is that scale's share of the planned cost."""
    params = dataclasses.replace(TINY, size=128, num_scales=3, iterations=6, optimizer="adam")
    objective = objective_for(tiny_backbone, params.content_layer, tuple(params.active_style_layers()), 768)
    events, _ = run(stylize(rgb, [style_picture], params, tiny_backbone))
    shapes = [(32, 43), (48, 64), (96, 128)]
    assert [event.preview.shape[:2] for event in events[1::2]] == shapes
    costs = [2 * objective.evaluation_cost(*shape) for shape in shapes]
    # Untiled: the padded pixels forward and back, and a call.
    assert costs == [2 * (GRADIENT_COST * pixels + CALL_COST) for pixels in (32 * 64, 64 * 64, 96 * 128)]
    assert [event.fraction for event in events[1::2]] == pytest.approx(np.cumsum(costs) / sum(costs))
    assert [event.step for event in events] == [1, 2, 3, 4, 5, 6]


def test_a_tiled_evaluation_costs_a_statistics_pass_and_a_gradient_pass_over_its_patches_and_calls(tiny_backbone):
    objective = StyleObjective(tiny_backbone, "conv3", ("conv1", "conv2"), tile_size=32)
    windows = objective.tiles(72, 96)
    patches = sum(aligned(py1 - py0) * aligned(px1 - px0) for _, (py0, py1, px0, px1) in windows)
    assert len(windows) == 9
    assert objective.evaluation_cost(72, 96) == (FORWARD_COST + GRADIENT_COST) * patches + 2 * 9 * CALL_COST
