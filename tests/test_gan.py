"""DCGAN engine and `studio gan` CLI: tiny networks on tiny synthetic pictures."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image
from tiny import with_config_edited

from studio.core.images import read_recipe
from studio.core.params.gan import GanParams, GanSampleParams
from studio.core.progress import JobError
from studio.core.progress import run_to_end as run

pytestmark = pytest.mark.filterwarnings(
    # Keras' own .keras writer trips NumPy 2's copy-keyword deprecation; nothing of ours.
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

TINY = GanParams(image_size=28, channels=1, latent_dim=8, base_filters=4, epochs=1, batch_size=32, seed=3)


def stripes(count=16, size=28, channels=1):
    """Pictures with an obvious structure (shifted stripes), nothing like the generator's first noise."""
    _, x = np.mgrid[0:size, 0:size]
    pictures = np.stack([(x * 9 + shift * 17) % 256 for shift in range(count)]).astype(np.uint8)
    return np.repeat(pictures[..., None], channels, axis=3)


def test_networks_have_the_chapter_shape_at_every_size_and_no_checkerboard_layers():
    from studio.engines.gan import GanModel

    for size, channels in ((28, 1), (32, 3), (64, 3)):
        model = GanModel(GanParams(image_size=size, channels=channels, latent_dim=8, base_filters=4))
        assert model.generator.output_shape == (None, size, size, channels)
        assert model.discriminator.output_shape == (None, 1)
        kinds = [type(layer).__name__ for layer in model.discriminator.layers]
        assert "Dropout" in kinds and "LeakyReLU" in kinds and "SpectralNormalization" in kinds
        generator_kinds = {type(layer).__name__ for layer in model.generator.layers}
        assert "UpSampling2D" in generator_kinds and "Conv2DTranspose" not in generator_kinds
    with pytest.raises(JobError, match="28, 32, 64"):
        GanModel(GanParams(image_size=48))


def test_train_step_updates_both_networks_and_the_monitor_grid_is_stable():
    from studio.engines.gan import GanModel, monitor_grid

    model = GanModel(TINY)
    grid = monitor_grid(model)
    assert grid.dtype == np.uint8 and grid.ndim == 3 and grid.shape[2] == 3
    np.testing.assert_array_equal(monitor_grid(model), grid)
    before = [w.copy() for w in model.generator.get_weights()], [w.copy() for w in model.discriminator.get_weights()]
    losses = model.trainer(stripes(8)).run_chunk(tf.constant(2)).numpy()
    assert losses.shape == (2,) and np.isfinite(losses).all()
    for network, old in zip((model.generator, model.discriminator), before):
        assert any(not np.allclose(a, b) for a, b in zip(network.get_weights(), old)), network.name
    assert not np.array_equal(monitor_grid(model), grid)


def test_discriminator_sees_augmented_real_and_generated_pictures_alike(monkeypatch):
    """DiffAugment's cutout blanks a square to mid-grey (exactly 0 on the [-1, 1] scale) in every
    picture the discriminator judges, real and generated; without augmentation none is blanked."""
    from studio.engines.gan import GanModel

    for augment in (True, False):
        model = GanModel(dataclasses.replace(TINY, augment=augment))
        trainer = model.trainer(stripes(16))
        seen = []
        judge = model.discriminator.call
        monkeypatch.setattr(
            model.discriminator,
            "call",
            lambda images, seen=seen, judge=judge, **kw: seen.append(images) or judge(images, **kw),
        )
        trainer.train_step()  # eagerly, so the pictures can be looked at
        images = np.asarray(seen[-1])
        assert images.shape == (2 * TINY.batch_size, 28, 28, 1)
        blanked = (images == 0.0).sum(axis=(1, 2, 3))
        reals, fakes = blanked[: TINY.batch_size], blanked[TINY.batch_size :]
        if augment:
            assert reals.min() >= 20 and fakes.min() >= 20  # at least a 5 x 5 corner of the 14 x 14 square
        else:
            assert reals.max() == 0 and fakes.max() <= 2


def test_pictures_come_from_the_moving_average_of_the_generator():
    from studio.core.image_ops import to_rgb
    from studio.engines.gan import generate, monitor_latents, train_gan

    _, model = run(train_gan(stripes(16), TINY))
    raw, average = model.generator.get_weights(), model.generator_ema.get_weights()
    assert any(not np.allclose(a, b) for a, b in zip(raw, average))
    latents = monitor_latents(TINY.latent_dim)
    np.testing.assert_array_equal(generate(model, latents), to_rgb(model.generator_ema(latents)))
    assert not np.array_equal(generate(model, latents), to_rgb(model.generator(latents)))


def test_training_streams_losses_and_a_grid_each_epoch_then_resumes(tmp_path):
    from studio.core.datasets import batches_per_epoch
    from studio.engines.gan import load_gan, train_gan

    checkpoint = tmp_path / "gan.keras"
    events, model = run(train_gan(stripes(16), TINY, checkpoint_path=checkpoint))
    losses = [e for e in events if e.metrics]
    assert losses and all(set(e.metrics) == {"d_loss", "g_loss"} for e in losses)
    grids = [e.preview for e in events if e.preview is not None]
    assert len(grids) == 2 and grids[0].shape == grids[1].shape  # before training and after the epoch
    assert events[-1].data["checkpoint"] == str(checkpoint) and model.epochs_done == 1
    # A small set's epoch is 2,000 varied pictures, and progress counts its steps.
    assert events[-1].step == events[-1].total == batches_per_epoch(16, TINY.batch_size) == 63
    assert "Only 16 pictures" in events[-1].data["warning"]

    resumed = load_gan(checkpoint)
    more = dataclasses.replace(TINY, epochs=2, d_learning_rate=5e-5, dropout=0.4)
    events, model = run(train_gan(stripes(16), more, model=resumed))
    assert model is resumed and model.epochs_done == 2 and events[-1].total == 63
    assert float(model.d_optimizer.learning_rate) == pytest.approx(5e-5)
    assert model.discriminator.get_layer("dropout").rate == 0.4
    with pytest.raises(JobError, match="already trained 2 epochs"):
        run(train_gan(stripes(16), more, model=model))


def test_save_and_load_round_trip_keeps_pictures_optimizers_and_epochs(tmp_path, refuses_what_is_not_its_model):
    from studio.engines.gan import generate, load_gan, monitor_latents, save_gan, train_gan

    _, model = run(train_gan(stripes(16), TINY))
    path = save_gan(model, tmp_path / "saved.keras")
    loaded = load_gan(path)
    latents = monitor_latents(TINY.latent_dim)
    np.testing.assert_array_equal(generate(loaded, latents), generate(model, latents))
    assert loaded.epochs_done == 1 and loaded.params == model.params
    assert int(loaded.g_optimizer.iterations) == int(model.g_optimizer.iterations) == 63
    for saved, restored in zip(model.d_optimizer.variables, loaded.d_optimizer.variables):
        np.testing.assert_array_equal(np.asarray(saved), np.asarray(restored))
    with pytest.raises(JobError, match=".keras"):
        save_gan(model, tmp_path / "model.h5")
    refuses_what_is_not_its_model(load_gan, "a GAN")


def test_a_gan_from_an_earlier_generator_design_is_refused_not_drawn_wrong(tmp_path):
    """Its weights would fit today's layers and draw garbage; the user is told to train again and
    the file is left as it is."""
    from studio.engines.gan import GanModel, load_gan, save_gan

    path = save_gan(GanModel(TINY), tmp_path / "new.keras")
    assert load_gan(path).params == TINY

    def forget_the_design(config):  # as files saved before the design had a number
        del config["config"]["generator_design"]

    older = with_config_edited(path, tmp_path / "older.keras", forget_the_design)
    before = older.read_bytes()
    with pytest.raises(JobError, match="older.keras was trained by an earlier Studio.*Train a new GAN"):
        load_gan(older)
    assert older.read_bytes() == before


def test_warning_when_the_discriminator_wins():
    """Rigged: the generator never learns (rate 0) and the discriminator trains fast without tricks."""
    from studio.engines.gan import discriminator_advice, train_gan

    no_tricks = {"label_noise": 0.0, "dropout": 0.0, "augment": False}
    rigged = dataclasses.replace(
        TINY, base_filters=8, epochs=30, seed=1, g_learning_rate=0.0, d_learning_rate=3e-3, **no_tricks
    )
    warned = None
    for event in train_gan(stripes(16), rigged):
        if "discriminator is winning" in event.stage:
            warned = event
            break
    assert warned is not None and warned.metrics["d_loss"] < 0.05
    assert "discriminator is winning" in warned.stage
    assert "learning rate" in warned.data["warning"] and "dropout" in warned.data["warning"]
    assert discriminator_advice(0.6, TINY) is None


def test_bad_training_input_is_explained():
    from studio.engines.gan import train_gan

    with pytest.raises(JobError, match="at least 8 pictures"):
        run(train_gan(stripes(3), TINY))
    with pytest.raises(JobError, match="28 px pictures with 1 channel"):
        run(train_gan(stripes(16, size=32, channels=3), TINY))


def test_truncation_keeps_latents_inside_and_seeds_repeat():
    from studio.engines.gan import sample_latents

    latents = sample_latents(500, 16, seed=1, truncation=1.0)
    assert latents.shape == (500, 16) and np.abs(latents).max() <= 1.0
    assert latents.std() < 0.7  # a normal cut at 1 has std 0.54
    np.testing.assert_array_equal(sample_latents(4, 16, seed=7), sample_latents(4, 16, seed=7))
    plain = sample_latents(2000, 4, seed=2)
    assert abs(plain.mean()) < 0.1 and abs(plain.std() - 1) < 0.1
    with pytest.raises(JobError, match="truncation"):
        sample_latents(4, 16, truncation=0.0)


def test_sampling_interpolation_and_walk(tmp_path):
    from studio.engines.gan import GanModel, export_walk_job, generate, interpolation_strip, sample_grid, sample_latents

    model = GanModel(TINY)
    grid, latents = sample_grid(model, GanSampleParams(count=6, columns=3, seed=5, truncation=1.5))
    assert grid.shape == (56, 84, 3) and latents.shape == (6, 8)
    np.testing.assert_array_equal(
        sample_grid(model, GanSampleParams(count=6, columns=3, seed=5, truncation=1.5))[0], grid
    )
    start, end = latents[0], latents[5]
    strip = interpolation_strip(model, start, end, steps=5)
    assert strip.shape == (28, 5 * 28 + 4, 3)
    np.testing.assert_array_equal(strip[:, :28, 0], generate(model, latents[:1])[0, ..., 0])
    np.testing.assert_array_equal(strip[:, -28:, 0], generate(model, latents[5:])[0, ..., 0])
    events, saved = run(
        export_walk_job(model, str(tmp_path / "walk.gif"), keypoints=sample_latents(3, 8, seed=1), steps_per_leg=4)
    )
    with Image.open(saved) as gif:
        assert gif.n_frames == 12 and min(gif.size) >= 192


def cli(*argv):
    from studio.cli import main

    return main(list(argv))


def test_cli_trains_then_samples_and_walks(tmp_path, capsys):
    folder = tmp_path / "pictures"
    folder.mkdir()
    for index, picture in enumerate(stripes(16, size=40, channels=3)):
        Image.fromarray(picture).save(folder / f"{index}.png")
    (folder / "notes.txt").write_text("not a picture")
    model = tmp_path / "gan.keras"
    assert (
        cli(
            "gan",
            "train",
            str(folder),
            "--size",
            "28",
            "--grey",
            "--latent-dim",
            "8",
            "--filters",
            "4",
            "--epochs",
            "1",
            "--batch-size",
            "32",
            "--seed",
            "0",
            "-o",
            str(model),
            "--grid",
            str(tmp_path / "monitor.png"),
        )
        == 0
    )
    assert model.is_file() and (tmp_path / "monitor.png").is_file()
    assert "\r16 pictures from pictures; skipped 1 file that is not a picture: notes.txt " in capsys.readouterr().err
    first = model.read_bytes()
    resumed = tmp_path / "gan-2.keras"
    resume = ["gan", "train", str(folder), "--resume", str(model), "--epochs", "2", "--batch-size", "32", "-o"]
    assert cli(*resume, str(resumed)) == 0
    out = capsys.readouterr().out
    assert "(2 epochs)" in out and "Only 16 pictures: a GAN learns best from thousands" in out
    assert model.read_bytes() == first  # the model resumed from is left as it was
    model = resumed
    grid_path = tmp_path / "grid.png"
    assert (
        cli(
            "gan",
            "sample",
            str(model),
            "-o",
            str(grid_path),
            "--count",
            "8",
            "--columns",
            "4",
            "--seed",
            "1",
            "--truncation",
            "1.5",
        )
        == 0
    )
    with Image.open(grid_path) as grid:
        assert grid.size == (4 * 28, 2 * 28)
    assert read_recipe(grid_path)["params"]["truncation"] == 1.5
    assert cli("gan", "walk", str(model), "-o", str(tmp_path / "walk.gif"), "--points", "2", "--steps", "3") == 0
    assert (tmp_path / "walk.gif").is_file()
    assert cli("gan", "sample", str(tmp_path / "missing.keras"), "-o", str(grid_path)) == 2
    assert "not found" in capsys.readouterr().err

    sheet = tmp_path / "directions.png"
    assert cli("gan", "directions", str(model), "-o", str(sheet), "--steps", "5", "--scale", "1") == 0
    with Image.open(sheet) as picture:
        assert picture.size == (5 * 29 - 1, 8 * 29 - 1)  # a row of 5 per direction, 1 px apart
    photo = tmp_path / "photo.png"
    Image.fromarray(stripes(1, size=40, channels=3)[0]).save(photo)
    matched = tmp_path / "matched.png"
    assert cli("gan", "project", str(model), str(photo), "-o", str(matched), "--steps", "5", "--scale", "2") == 0
    recipe = read_recipe(matched)
    assert recipe["technique"] == "gan-still" and recipe["model"] == str(model) and len(recipe["latent"]) == 8
    with Image.open(matched) as picture:
        assert picture.size == (56, 56)


def test_principal_directions_are_orthogonal_sliders_that_change_the_picture():
    from studio.engines.gan import GanExplorer, GanModel

    explorer = GanExplorer(GanModel(TINY))
    assert explorer.slider_count == 8 and explorer.slider_names[0] == "direction 1"
    np.testing.assert_allclose(explorer.axes @ explorer.axes.T, np.eye(8), atol=1e-4)
    np.testing.assert_allclose(explorer.spread, 1.0, atol=0.1)  # random latent points spread ~1 along any unit axis
    assert explorer.explained[0] >= explorer.explained[-1] > 0
    code = explorer.random_code(seed=2)
    moved = explorer.with_slider(code, 0, 2.5)
    assert explorer.slider_values(moved)[0] == pytest.approx(2.5, abs=1e-4)
    picture = explorer.decode(code)
    assert picture.shape == (28, 28, 3) and picture.dtype == np.uint8
    assert np.abs(explorer.decode(moved).astype(int) - picture).mean() > 0.5
    grid = explorer.grid(explorer.plane(0, 1, extent=2.0), 3)
    assert grid.shape == (3 * 28, 3 * 28, 3)


def test_projecting_a_picture_lowers_its_loss_and_can_be_stopped():
    from studio.engines.gan import GanModel, generate, project_job, sample_latents

    model = GanModel(TINY)
    target = np.repeat(generate(model, sample_latents(1, 8, seed=42))[0], 3, axis=2)
    events, result = run(project_job(model, target, steps=60, seed=1))
    losses = [e.metrics["loss"] for e in events if e.metrics]
    assert result["loss"] < result["start_loss"] and losses[-1] < losses[0]
    assert result["latent"].shape == (8,) and result["picture"].shape == (28, 28, 3)
    assert events[-1].preview.shape == (28, 28, 3) and events[-1].step == events[-1].total == 60
    job = project_job(model, target, steps=10_000)
    next(job), next(job)
    job.close()  # a Stop between yields ends it at once


def test_a_still_is_saved_at_any_scale_with_its_recipe(tmp_path):
    from studio.engines.gan import GanExplorer, GanModel
    from studio.engines.latent import render_still, save_still, still_recipe

    explorer = GanExplorer(GanModel(TINY))
    code = explorer.random_code(seed=4)
    picture = explorer.decode(code)
    path = save_still(tmp_path / "still.png", picture, still_recipe("gan-still", TINY, "gan.keras", code), scale=3)
    recipe = read_recipe(path)
    assert recipe["technique"] == "gan-still" and recipe["model"] == "gan.keras"
    np.testing.assert_allclose(recipe["latent"], code, atol=1e-5)
    with Image.open(path) as saved:
        pixels = np.asarray(saved.convert("RGB"))
    np.testing.assert_array_equal(pixels[::3, ::3], picture)  # nearest neighbour: crisp squares
    smooth = render_still(picture, 3, smooth=True)
    assert smooth.shape == pixels.shape and not np.array_equal(smooth, pixels)
    with pytest.raises(JobError, match="whole factor"):
        render_still(picture, 0)


def test_a_stop_mid_epoch_lands_before_the_epoch_ends():
    from studio.engines.gan import GanModel, train_gan

    model = GanModel(TINY)
    job = train_gan(stripes(16), TINY, model=model)
    event = next(job)
    while event.step == 0:
        event = next(job)
    job.close()  # what Stop does, at the first report after a batch
    assert 0 < event.step < event.total, "the one epoch has batches left"
    assert model.epochs_done == 0 and "done" not in event.stage
