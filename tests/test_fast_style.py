"""Fast style transfer on tiny networks and the tiny backbone: training, painting, video, presets, CLI."""

from __future__ import annotations

import dataclasses
import json
import subprocess

import numpy as np
import pytest
from tiny import TINY_STYLE_MODEL, with_config_edited

from studio.core.image_ops import to_rgb, to_working
from studio.core.params import params_from_dict, params_to_dict
from studio.core.params.fast_style import FastStyleApplyParams, FastStyleTrainParams
from studio.core.progress import JobError
from studio.core.progress import run_to_end as run
from studio.core.style_presets import load_preset, paint_preset, preset_names

TINY = FastStyleTrainParams(**TINY_STYLE_MODEL, style_weight=50.0, steps=30, batch_size=2, preview_every=10)


@pytest.fixture
def style_picture():
    """Bold diagonal stripes in two colours, with a little noise: a texture a network can learn fast."""
    y, x = np.mgrid[0:96, 0:96]
    stripes = ((x + y) // 6) % 2
    picture = np.where(stripes[..., None], [230, 60, 40], [30, 60, 200]).astype(np.float64)
    picture += np.random.default_rng(0).normal(0, 10, picture.shape)
    return np.clip(picture, 0, 255).astype(np.uint8)


@pytest.fixture
def tiny_model():
    """A small untrained network that changes pictures: its last layer (which starts at zero, so a
    fresh network returns the picture unchanged) is given random weights."""
    import keras

    from studio.engines.fast_style import FastStyleModel

    keras.utils.set_random_seed(0)
    model = FastStyleModel(TINY)
    strokes = [layer for layer in model.transformer.layers if isinstance(layer, keras.layers.Conv2D)][-1]
    strokes.kernel.assign(keras.random.normal(strokes.kernel.shape, stddev=0.05, seed=1))
    return model


def forward(model, rgb):
    return to_rgb(model(to_working(rgb)[None])[0])


def test_transformer_keeps_odd_sizes_and_the_working_range(tiny_model):
    for height, width in ((37, 51), (64, 64), (5, 9)):
        painted = np.asarray(tiny_model(np.zeros((1, height, width, 3), np.float32)))
        assert painted.shape == (1, height, width, 3)
        assert painted.min() >= -1 and painted.max() <= 1


def test_a_fresh_network_returns_the_picture_softened():
    """Training starts from the picture: a fresh network keeps every shape, only lowering the contrast."""
    from studio.engines.fast_style import FastStyleModel

    photo = np.random.default_rng(0).integers(0, 256, (20, 28, 3)).astype(np.uint8)
    painted = forward(FastStyleModel(TINY), photo).astype(float)
    assert np.corrcoef(painted.ravel(), photo.ravel())[0, 1] > 0.99
    assert np.abs(painted - 127.5).max() < np.abs(photo - 127.5).max()


def _with_strokes(model, value: float):
    """The model with its last layer painting the same stroke, `value`, on every pixel and channel."""
    import keras

    strokes = [layer for layer in model.transformer.layers if isinstance(layer, keras.layers.Conv2D)][-1]
    strokes.kernel.assign(np.zeros(strokes.kernel.shape))
    strokes.bias.assign(np.full(strokes.bias.shape, value))
    return model


def test_a_stroke_repaints_white_and_black_areas_as_much_as_mid_tones():
    """The earlier models needed far larger strokes to change a saturated pixel than a grey one, and
    left bright and dark areas (an orange suit, a black helmet) as they were."""
    from studio.engines.fast_style import FastStyleModel

    photo = np.zeros((8, 24, 3), np.uint8)
    photo[:, 8:16], photo[:, 16:] = 128, 255  # black, grey, white
    fresh = forward(FastStyleModel(TINY), photo).astype(float)
    for value, saturated in ((-1.0, slice(16, 24)), (1.0, slice(0, 8))):
        change = np.abs(forward(_with_strokes(FastStyleModel(TINY), value), photo) - fresh)
        assert change[:, saturated].mean() > 0.5 * change[:, 8:16].mean() > 20


def test_training_lowers_the_loss_and_reports_progress(tiny_backbone, style_picture):
    import tensorflow as tf

    from studio.engines.fast_style import train_style
    from studio.engines.fast_style.training import ContentSet, PerceptualLoss

    events, model = run(train_style([style_picture], TINY, tiny_backbone, style_names=["stripes"]))
    assert len(events) == TINY.steps and events[-1].fraction == 1
    assert set(events[0].metrics) == {"loss", "content", "style", "tv"}
    # On crops it never saw, the trained network's paintings are much nearer the style than the
    # crops themselves (what a fresh network returns). Each step's own loss varies too much from
    # crop to crop to show this in 30 steps.
    crops = tf.constant(ContentSet(TINY.size, 0.0, None, np.random.default_rng(1)).batch(8))
    loss = PerceptualLoss(tiny_backbone, TINY, [style_picture])
    assert float(loss(crops, model.transformer(crops))["loss"]) < 0.7 * float(loss(crops, crops)["loss"])
    previews = [event for event in events if event.preview is not None]
    assert [event.data["steps_done"] for event in previews] == [1, 10, 20, 30]
    assert previews[0].preview.ndim == 3 and previews[0].preview.dtype == np.uint8
    assert events[0].data["seconds_left"] is None and events[-2].data["seconds_left"] > 0
    assert model.steps_done == TINY.steps and model.style_names == ["stripes"]


def test_stop_saves_a_checkpoint_that_resumes_to_the_end(tiny_backbone, style_picture, tmp_path):
    from studio.engines.fast_style import load_style_model, train_style

    params = dataclasses.replace(TINY, steps=8)
    path = tmp_path / "stripes.keras"
    job = train_style([style_picture], params, tiny_backbone, checkpoint_path=path)
    for _ in range(3):
        next(job)
    job.close()  # what Stop does
    stopped = load_style_model(path)
    assert stopped.steps_done == 3
    assert int(stopped.optimizer_state.iterations) == 3  # Adam's state came along, not just the weights
    events, resumed = run(train_style([style_picture], params, tiny_backbone, model=stopped, checkpoint_path=path))
    assert len(events) == 5 and events[0].stage == "Step 4/8"
    assert load_style_model(path).steps_done == 8
    with pytest.raises(JobError, match="already trained 8 steps"):
        run(train_style([style_picture], params, tiny_backbone, model=resumed))


def test_saved_model_paints_as_before(tiny_model, rgb, tmp_path):
    from studio.engines.fast_style import load_style_model, save_style_model

    path = save_style_model(tiny_model, tmp_path / "style.keras")
    assert np.array_equal(forward(load_style_model(path), rgb), forward(tiny_model, rgb))


def test_a_model_saved_before_the_output_kernel_was_a_parameter_still_paints(rgb, tmp_path):
    """Models saved by earlier versions have no `output_kernel` or `output` in their parameters: they
    had a 9 x 9 last convolution and added their strokes in artanh space."""
    import keras

    from studio.engines.fast_style import FastStyleModel, load_style_model, save_style_model
    from studio.engines.fast_style.network import LEGACY_ARCHITECTURE

    keras.utils.set_random_seed(0)
    old = FastStyleModel(dataclasses.replace(TINY, **LEGACY_ARCHITECTURE))
    strokes = [layer for layer in old.transformer.layers if isinstance(layer, keras.layers.Conv2D)][-1]
    strokes.kernel.assign(keras.random.normal(strokes.kernel.shape, stddev=0.05, seed=1))
    saved = save_style_model(old, tmp_path / "saved.keras")

    def forget_the_architecture(config):
        for name in LEGACY_ARCHITECTURE:
            del config["config"]["params"][name]

    path = with_config_edited(saved, tmp_path / "old.keras", forget_the_architecture)
    assert np.array_equal(forward(load_style_model(path), rgb), forward(old, rgb))


def test_apply_is_the_networks_forward_pass_and_strength_blends(tiny_model, rgb):
    from studio.engines.fast_style import apply_style

    painted = apply_style(tiny_model, rgb)
    assert np.abs(painted.astype(int) - forward(tiny_model, rgb)).max() <= 1
    assert apply_style(tiny_model, rgb, FastStyleApplyParams(strength=0.0)) is rgb
    half = apply_style(tiny_model, rgb, FastStyleApplyParams(strength=0.5)).astype(float)
    expected = (painted.astype(float) + rgb) / 2
    assert np.abs(half - expected).mean() < 1.5


def test_tiled_painting_matches_the_whole_picture(tiny_model):
    from studio.engines.fast_style import apply_style

    y, x = np.mgrid[0:300, 0:420]
    picture = np.stack([x * 0.6, y * 0.8, (x + y) * 0.3 % 255], axis=-1).astype(np.uint8)
    whole = apply_style(tiny_model, picture, FastStyleApplyParams(tile_size=1024)).astype(float)
    tiled = apply_style(tiny_model, picture, FastStyleApplyParams(tile_size=256)).astype(float)
    # A random network amplifies any difference in its normalisation statistics; with each tile
    # normalised by its own statistics the difference here is 35.
    assert np.abs(whole - tiled).mean() < 8


def test_luminance_mode_keeps_the_pictures_colours(tiny_model, rgb):
    from studio.engines.fast_style import apply_style
    from studio.engines.style import to_yiq

    def chroma_error(result):
        return np.abs(to_yiq(to_working(result))[..., 1:] - to_yiq(to_working(rgb))[..., 1:]).mean()

    kept = apply_style(tiny_model, rgb, FastStyleApplyParams(preserve_colors="luminance"))
    assert chroma_error(kept) < 0.02 < chroma_error(apply_style(tiny_model, rgb))


def write_video(path, frames, fps=10, audio=False):
    """Encode frames with imageio's ffmpeg, and add a sine tone when `audio`."""
    import imageio.v2 as imageio
    import imageio_ffmpeg

    silent = path.with_name("silent" + path.suffix) if audio else path
    with imageio.get_writer(str(silent), format="FFMPEG", fps=fps, macro_block_size=1) as writer:
        for frame in frames:
            writer.append_data(frame)
    if audio:
        ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
        tone = ["-f", "lavfi", "-i", f"sine=frequency=440:duration={len(frames) / fps}"]
        codecs = ["-c:v", "copy", "-c:a", "aac"]
        subprocess.run([ffmpeg, "-y", "-loglevel", "error", "-i", str(silent), *tone, *codecs, str(path)], check=True)
    return path


def video_facts(path):
    import imageio.v2 as imageio

    reader = imageio.get_reader(str(path), "ffmpeg")
    try:
        meta = reader.get_meta_data()
        return reader.count_frames(), meta["size"], bool(meta.get("audio_codec"))
    finally:
        reader.close()


def moving_frames(count=6, height=48, width=64):
    y, x = np.mgrid[0:height, 0:width]
    return [np.stack([(x * 4 + 8 * i) % 256, y * 5, (x + y) * 2], axis=-1).astype(np.uint8) for i in range(count)]


def test_video_keeps_frame_count_size_and_sound(tiny_model, tmp_path):
    from studio.engines.fast_style.video import paint_frames

    source = write_video(tmp_path / "clip.mp4", moving_frames(), audio=True)
    events, saved = run(paint_frames(tiny_model, source, tmp_path / "painted.mp4", FastStyleApplyParams()))
    assert video_facts(saved) == (6, (64, 48), True)
    assert [event.step for event in events if event.stage.endswith("/6")][-1] == 6 and events[0].preview is not None
    assert not list(tmp_path.glob(".painted*"))  # no temporary files left behind


def test_folder_of_frames_becomes_frames_or_a_video(tiny_model, tmp_path):
    from studio.core.images import load_image, save_image
    from studio.engines.fast_style.video import paint_frames

    frames = tmp_path / "frames"
    for index, frame in enumerate(moving_frames(4)):
        save_image(frames / f"{index:03d}.png", frame)
    run(paint_frames(tiny_model, frames, tmp_path / "painted", FastStyleApplyParams()))
    painted = sorted((tmp_path / "painted").iterdir())
    assert len(painted) == 4 and load_image(painted[0]).shape == (48, 64, 3)
    run(paint_frames(tiny_model, frames, tmp_path / "painted.mov", FastStyleApplyParams()))
    assert video_facts(tmp_path / "painted.mov") == (4, (64, 48), False)


def test_steadying_reduces_flicker_where_the_scene_is_still(tiny_model, tmp_path):
    from studio.engines.fast_style.video import paint_frames

    still = moving_frames(1)[0]
    noise = np.random.default_rng(0)
    frames = [np.clip(still + noise.normal(0, 3, still.shape), 0, 255).astype(np.uint8) for _ in range(6)]
    frames_dir = tmp_path / "still"
    from studio.core.images import save_image

    for index, frame in enumerate(frames):
        save_image(frames_dir / f"{index:03d}.png", frame)

    def mean_flicker(amount, name):
        params = FastStyleApplyParams(temporal_smoothing=amount)
        events, _ = run(paint_frames(tiny_model, frames_dir, tmp_path / name, params))
        return np.mean([event.metrics["flicker"] for event in events if "flicker" in event.metrics])

    assert mean_flicker(0.8, "steady") < 0.5 * mean_flicker(0.0, "raw")


def test_bad_video_input_and_output_fail_before_any_work(tiny_model, tmp_path):
    from studio.engines.fast_style.video import paint_frames

    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all" * 100)
    with pytest.raises(JobError, match="not a video Studio can read"):
        next(paint_frames(tiny_model, broken, tmp_path / "out.mp4", FastStyleApplyParams()))
    clip = write_video(tmp_path / "clip.mp4", moving_frames(3))
    with pytest.raises(JobError, match="save them as a video"):
        next(paint_frames(tiny_model, clip, tmp_path / "out.png", FastStyleApplyParams()))
    with pytest.raises(JobError, match="Cannot write video as '.gif'"):
        next(paint_frames(tiny_model, clip, tmp_path / "out.gif", FastStyleApplyParams()))
    (tmp_path / "empty").mkdir()
    with pytest.raises(JobError, match="holds no pictures"):
        next(paint_frames(tiny_model, tmp_path / "empty", tmp_path / "out.mp4", FastStyleApplyParams()))
    assert not (tmp_path / "out.mp4").exists() and not (tmp_path / "out.png").exists()


def test_bad_training_input_says_how_to_fix_it(tiny_backbone, style_picture, tmp_path):
    from studio.engines.fast_style import train_style, train_style_job

    with pytest.raises(JobError, match="at least 64 px"):
        next(train_style([style_picture[:40, :40]], TINY, tiny_backbone))
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("no pictures here")
    with pytest.raises(JobError, match="None of the 1 files in notes is a picture"):
        next(train_style_job([style_picture], dataclasses.replace(TINY, content_dir=str(tmp_path / "notes"))))
    with pytest.raises(JobError, match="one blend weight per style picture"):
        next(train_style([style_picture], dataclasses.replace(TINY, style_blend=(1.0, 2.0)), tiny_backbone))


def test_params_round_trip_through_json():
    train = dataclasses.replace(TINY, style_blend=(1.0, 0.5), content_dir="/pictures")
    assert params_from_dict(FastStyleTrainParams, json.loads(json.dumps(params_to_dict(train)))) == train
    apply = FastStyleApplyParams(strength=0.8, preserve_colors="match")
    assert params_from_dict(FastStyleApplyParams, json.loads(json.dumps(params_to_dict(apply)))) == apply


def test_presets_are_distinct_painterly_pictures():
    from importlib import resources

    pictures = {name: load_preset(name) for name in preset_names()}
    assert len(pictures) >= 5
    for name, picture in pictures.items():
        assert picture.shape == (512, 512, 3) and picture.dtype == np.uint8
        size = resources.files("studio.resources").joinpath("styles", f"{name}.jpg").stat().st_size
        assert size < 200_000, name
        # Painterly: strong edges over much of the picture (strokes, leading, dots), not a smooth photo.
        grey = picture.astype(float).mean(axis=-1)
        edges = np.hypot(np.diff(grey, axis=0)[:, :-1], np.diff(grey, axis=1)[:-1])
        assert (edges > 20).mean() > 0.03, name
    names = list(pictures)
    for index, first in enumerate(names):
        for second in names[index + 1 :]:
            assert np.abs(pictures[first].astype(int) - pictures[second]).mean() > 30, (first, second)


def test_shipped_presets_are_what_the_painters_paint():
    name = "stained_glass"
    assert np.abs(paint_preset(name).astype(int) - load_preset(name)).mean() < 8  # JPEG's loss; presets differ by 30+
    with pytest.raises(JobError, match="Unknown style preset"):
        load_preset("mona_lisa")


def test_style_verb_dispatches_on_its_first_word():
    from studio.cli import build_parser

    parser = build_parser()
    gatys = parser.parse_args(["style", "photo.png", "a.png", "b.png", "-o", "out.png"])
    assert (gatys.content, gatys.styles) == ("photo.png", ["a.png", "b.png"])
    train = parser.parse_args(["style", "train-model", "ink_wash", "a.png", "-o", "m.keras", "--steps", "9"])
    assert (train.styles, train.steps, train.run.__name__) == (["ink_wash", "a.png"], 9, "run_train_model")
    apply = parser.parse_args(["style", "apply", "m.keras", "in.mp4", "-o", "out.mp4", "--strength", "0.8"])
    assert (apply.model, apply.input, apply.strength, apply.run.__name__) == ("m.keras", "in.mp4", 0.8, "run_apply")


def test_cli_apply_paints_a_picture_and_never_overwrites(tiny_model, rgb, tmp_path):
    from studio.cli import main
    from studio.core.images import load_image, read_recipe, save_image
    from studio.engines.fast_style import save_style_model

    model = save_style_model(tiny_model, tmp_path / "style.keras")
    photo = save_image(tmp_path / "photo.png", rgb)
    out = tmp_path / "painted.png"
    assert main(["style", "apply", str(model), str(photo), "-o", str(out), "--strength", "0.7"]) == 0
    assert load_image(out).shape == rgb.shape
    assert read_recipe(out)["params"]["strength"] == 0.7
    before = out.read_bytes()
    assert main(["style", "apply", str(model), str(photo), "-o", str(out)]) == 2
    assert out.read_bytes() == before
    assert main(["style", "apply", str(model), str(photo), "-o", str(tmp_path / "painted.mp4")]) == 2


@pytest.mark.slow
def test_cli_trains_a_model_on_the_real_backbone_and_resumes(tmp_path, capsys):
    from studio.cli import main
    from studio.engines.fast_style import load_style_model

    model = tmp_path / "glass.keras"
    common = ["--size", "64", "--filters", "8", "--residual-blocks", "1", "--faces-share", "0.5"]
    assert main(["style", "train-model", "stained_glass", "-o", str(model), "--steps", "2", *common]) == 0
    before = model.read_bytes()
    assert main(["style", "train-model", "stained_glass", "-o", str(model), "--steps", "3", *common]) == 2
    assert "already exists" in capsys.readouterr().err and model.read_bytes() == before
    resume = ["--resume", str(model), "--steps", "3"]
    assert main(["style", "train-model", "stained_glass", "-o", str(model), *resume]) == 2
    assert "never writes over what it reads" in capsys.readouterr().err  # the model resumed stays as it was
    resumed = tmp_path / "glass-3.keras"
    assert main(["style", "train-model", "stained_glass", "-o", str(resumed), *resume]) == 0
    assert load_style_model(resumed).steps_done == 3 and model.read_bytes() == before
