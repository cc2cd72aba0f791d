"""The VAE engine: sampler, training, explorer, save/load/resume, and the `studio vae` CLI."""

import numpy as np
import pytest
from PIL import Image

from studio.core.datasets import load_pictures
from studio.core.images import read_recipe
from studio.core.params.vae import VaeParams
from studio.core.progress import JobError
from studio.core.progress import run_to_end as run
from studio.engines.vae import Explorer, Sampler, Vae, latent_stats, train_job, train_vae

TINY = VaeParams(
    image_size=16, filters=(8, 16), dense_units=32, latent_dim=2, epochs=3, batch_size=32, learning_rate=1e-2, seed=3
)


def bars(count: int = 32, size: int = 16) -> np.ndarray:
    """Grey pictures of one bright vertical bar sliding from left to right: learnt in seconds."""
    pictures = np.zeros((count, size, size, 1), np.uint8)
    for index, picture in enumerate(pictures):
        left = index * (size - 5) // (count - 1)
        picture[:, left : left + 5] = 255
    return pictures


@pytest.fixture(scope="module")
def trained():
    events, vae = run(train_vae(bars(), TINY))
    return vae, events


def test_sampler_draws_from_the_given_gaussian():
    mean = np.array([[2.0, -1.0, 0.0]], np.float32).repeat(20000, axis=0)
    log_var = np.log(np.array([[0.25, 1.0, 4.0]], np.float32)).repeat(20000, axis=0)
    codes = np.asarray(Sampler(seed=1)(mean, log_var))
    np.testing.assert_allclose(codes.mean(axis=0), [2.0, -1.0, 0.0], atol=0.05)
    np.testing.assert_allclose(codes.var(axis=0), [0.25, 1.0, 4.0], rtol=0.06)


def test_loss_falls_and_previews_arrive_each_epoch(trained):
    vae, events = trained
    epoch_ends = [e for e in events if "epoch" in e.data]
    assert [e.data["epoch"] for e in epoch_ends] == list(range(1, TINY.epochs + 1))
    first, last = epoch_ends[0].metrics, epoch_ends[-1].metrics
    assert set(first) == {"loss", "reconstruction", "kl"}
    assert last["loss"] < 0.8 * first["loss"]
    assert epoch_ends[-1].preview.shape == (8 * 16, 8 * 16, 3) and epoch_ends[-1].preview.dtype == np.uint8
    assert not np.array_equal(epoch_ends[0].preview, epoch_ends[-1].preview)
    assert events[-1].step == events[-1].total
    assert vae.epochs_done == TINY.epochs and vae.latent_stats is not None


def test_the_default_vae_on_the_shipped_faces_does_not_collapse():
    """The default recipe, shortened (16 px, 6 epochs of 32 steps, seeded), keeps about 10 nats of
    information in its codes, and the 5 x 5 grid over the explorer's first plane (+-2) has cells
    that differ in shape, not only in brightness: each cell minus its own mean, the standard
    deviation across cells averages 22 grey levels (the faces themselves: 39).
    The reference chapter's objective (cross-entropy, no warm-up, no free bits, no augmentation)
    run the same way keeps 2.3 nats and a spread of 18: one blurred face, brighter or darker,
    as the issue saw. The floors (6 nats, 20 levels) sit between the two."""
    faces = load_pictures("faces", 16, 1)
    events, vae = run(train_vae(faces, VaeParams(image_size=16, epochs=6, seed=0)))
    explorer = Explorer(vae)
    cells = explorer.decode(explorer.plane(0, 1, extent=2.0).codes(5))[..., 0].astype(float).reshape(25, -1)
    cells -= cells.mean(axis=1, keepdims=True)
    assert events[-1].metrics["kl"] > 6.0
    assert cells.std(axis=0).mean() > 20.0


def test_decoded_grid_has_the_right_shape_and_range(trained):
    explorer = Explorer(trained[0])
    grid = explorer.grid(explorer.plane(extent=2.0), n=5)
    assert grid.shape == (5 * 16, 5 * 16, 3) and grid.dtype == np.uint8
    assert grid.max() > 128 and grid.min() < 64  # squares on black, not a flat grey
    cells = grid.reshape(5, 16, 5, 16, 3).transpose(0, 2, 1, 3, 4).reshape(25, -1)
    assert len({cell.tobytes() for cell in cells}) > 5  # the plane is not one picture repeated
    single = explorer.decode(np.zeros(2, np.float32))
    assert single.shape == (16, 16, 3)
    np.testing.assert_array_equal(explorer.decode(np.zeros((3, 2), np.float32))[1], single)


def test_encode_then_decode_gives_back_the_picture_not_another(trained):
    explorer = Explorer(trained[0])
    pictures = bars()[[0, -1], ..., 0].astype(float)
    rgb = np.repeat(bars()[[0, -1]], 3, axis=3)
    codes = explorer.encode(list(rgb))
    assert codes.shape == (2, 2)
    left, right = explorer.decode(codes)[..., 0].astype(float)
    assert np.abs(left - pictures[0]).mean() < np.abs(left - pictures[1]).mean()
    assert np.abs(right - pictures[1]).mean() < np.abs(right - pictures[0]).mean()
    np.testing.assert_allclose(explorer.encode(rgb[0]), codes[0], atol=1e-5)


def test_sliders_move_a_code_along_one_axis(trained):
    explorer = Explorer(trained[0])
    code = np.array([0.3, -0.2], np.float32)
    moved = explorer.with_slider(code, 1, 1.5)
    np.testing.assert_allclose(explorer.slider_values(moved), [0.3, 1.5], atol=1e-6)
    assert not np.array_equal(explorer.decode(moved), explorer.decode(code))
    assert explorer.slider_names == ["z1", "z2"]


def test_concept_vector_from_two_groups(trained):
    explorer = Explorer(trained[0])
    rgb = np.repeat(bars(), 3, axis=3)
    top, bottom = list(rgb[:6]), list(rgb[-6:])
    vector = explorer.concept(top, bottom)
    np.testing.assert_allclose(vector, explorer.encode(top).mean(0) - explorer.encode(bottom).mean(0), atol=1e-5)
    with pytest.raises(JobError):
        explorer.concept(top, [])


def test_save_load_round_trip_and_resume(trained, tmp_path):
    vae, _ = trained
    path = vae.save(tmp_path / "squares.keras")
    loaded = Vae.load(path)
    assert loaded.params == vae.params and loaded.epochs_done == vae.epochs_done
    codes = np.random.default_rng(0).standard_normal((6, 2)).astype(np.float32)
    np.testing.assert_array_equal(Explorer(loaded).decode(codes), Explorer(vae).decode(codes))
    assert int(loaded.model.optimizer.iterations) == int(vae.model.optimizer.iterations) > 0
    events, resumed = run(train_vae(bars(), TINY.__class__(**{**TINY.__dict__, "epochs": TINY.epochs + 1}), loaded))
    assert resumed.epochs_done == TINY.epochs + 1
    assert [e.data["epoch"] for e in events if "epoch" in e.data] == [TINY.epochs + 1]
    with pytest.raises(JobError, match="already trained"):
        run(train_vae(bars(), TINY, Vae.load(path)))


def test_stopping_training_leaves_a_checkpoint_to_resume_from(tmp_path):
    checkpoint = tmp_path / "stopped.keras"
    generator = train_vae(bars(), TINY, checkpoint=checkpoint)
    next(generator)
    generator.close()
    stopped = Vae.load(checkpoint)
    assert stopped.epochs_done == 0 and int(stopped.model.optimizer.iterations) > 0


def test_loading_something_else_says_so(refuses_what_is_not_its_model):
    refuses_what_is_not_its_model(Vae.load, "a VAE")


def test_bad_settings_are_refused_before_any_work():
    with pytest.raises(JobError, match="divisible by 8"):
        next(train_job(VaeParams(image_size=25)))


def test_many_dimensions_get_principal_sliders():
    vae = Vae.build(VaeParams(image_size=16, filters=(8,), latent_dim=12, seed=0))
    vae.latent_stats = latent_stats(vae, bars())
    explorer = Explorer(vae)
    assert explorer.slider_count == 8 and explorer.slider_names[0] == "direction 1"
    code = explorer.random_code(seed=1)
    moved = explorer.with_slider(code, 0, float(explorer.slider_values(code)[0]) + 1.0)
    np.testing.assert_allclose(np.linalg.norm(moved - code), 1.0, atol=1e-5)


def test_cli_trains_then_draws_a_grid_and_a_walk(tmp_path):
    from studio.cli import main

    folder = tmp_path / "squares"
    folder.mkdir()
    for index, picture in enumerate(bars(12)):
        Image.fromarray(picture[..., 0]).save(folder / f"{index}.png")
    model = tmp_path / "model.keras"
    assert (
        main(
            [
                "vae",
                "train",
                str(folder),
                "-o",
                str(model),
                "--size",
                "16",
                "--filters",
                "8,16",
                "--epochs",
                "1",
                "--batch-size",
                "32",
                "--seed",
                "1",
            ]
        )
        == 0
    )
    assert Vae.load(model).epochs_done == 1
    grid = tmp_path / "grid.png"
    assert main(["vae", "grid", str(model), "-o", str(grid), "-n", "6", "--extent", "2"]) == 0
    with Image.open(grid) as image:
        assert image.size == (6 * 16, 6 * 16)
    assert read_recipe(grid)["technique"] == "vae"
    walk = tmp_path / "walk.gif"
    assert main(["vae", "walk", str(model), "-o", str(walk), "--steps", "6", "--scale", "2"]) == 0
    with Image.open(walk) as gif:
        assert gif.n_frames == 6 and gif.size == (32, 32)
    assert main(["vae", "grid", str(tmp_path / "missing.keras"), "-o", str(grid)]) == 2

    groups = {}
    for which, pictures in (("with", bars(12)[:4]), ("without", bars(12)[-4:])):
        groups[which] = tmp_path / which
        groups[which].mkdir()
        for index, picture in enumerate(pictures):
            Image.fromarray(picture[..., 0]).save(groups[which] / f"{index}.png")
    sheet = tmp_path / "concept.png"
    concept = ["vae", "concept", str(model), "--with", str(groups["with"]), "--without", str(groups["without"])]
    assert main([*concept, "-o", str(sheet), "--steps", "5", "--scale", "1"]) == 0
    with Image.open(sheet) as image:
        assert image.size == (5 * 17 - 1, 4 * 17 - 1)  # a row per picture without, 5 amounts of the concept
    recipe = read_recipe(sheet)
    assert recipe["technique"] == "vae-concept" and len(recipe["latent"]) == VaeParams().latent_dim
    animation = tmp_path / "concept.gif"
    assert main([*concept, "-o", str(animation), "--steps", "4", "--scale", "2"]) == 0
    with Image.open(animation) as gif:
        assert gif.n_frames == 6 and gif.size == (2 * (4 * 17 - 1), 32)
