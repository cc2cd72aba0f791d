"""CycleGAN engine: tiny networks on tiny synthetic collections."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image
from tiny import TINY_CYCLEGAN as TINY
from tiny import blobs, stripes

from studio.core.params import control_spec, params_from_dict, params_to_dict
from studio.core.params.cyclegan import LOSS_CURVES, CycleGanParams, CycleGanTranslateParams
from studio.core.progress import JobError
from studio.core.progress import run_to_end as run

pytestmark = pytest.mark.filterwarnings(
    # Keras' own .keras writer trips NumPy 2's copy-keyword deprecation; nothing of ours.
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


@pytest.mark.parametrize("generator", ["resnet", "unet"])
def test_generators_keep_the_picture_size_and_discriminators_answer_with_a_patch_map(generator):
    import keras

    from studio.engines.cyclegan import CycleGanModel

    model = CycleGanModel(dataclasses.replace(TINY, generator=generator))
    pictures = np.zeros((2, 64, 96, 3), np.float32)
    for network in (model.generator_a2b, model.generator_b2a):
        translated = np.asarray(network(pictures))
        assert translated.shape == pictures.shape
        assert translated.min() >= -1 and translated.max() <= 1
    for network in (model.discriminator_a, model.discriminator_b):
        assert network(pictures).shape == (2, 8, 12, 1)  # one verdict per overlapping patch
    kinds = {type(layer).__name__ for layer in model.generator_a2b.layers}
    assert {"ReflectionPadding2D", "UpSampling2D"} <= kinds
    assert "Conv2DTranspose" not in kinds  # resize, then convolve: no checkerboard
    assert ("Concatenate" if generator == "unet" else "Add") in kinds
    norms = [layer for layer in model.generator_a2b.layers if isinstance(layer, keras.layers.GroupNormalization)]
    assert norms and all(layer.groups == layer.gamma.shape[0] for layer in norms)  # a group per channel
    # ... which is instance normalisation, exactly as Keras' own layer computes it
    reference = keras.layers.GroupNormalization(groups=-1)
    features = np.random.default_rng(0).normal(1, 2, (2, 6, 5, norms[0].gamma.shape[0])).astype(np.float32)
    reference.build(features.shape)
    reference.set_weights([np.random.default_rng(1).normal(size=w.shape) for w in norms[0].get_weights()])
    norms[0].set_weights(reference.get_weights())
    np.testing.assert_allclose(norms[0](features), reference(features), atol=1e-5)


def test_the_round_trip_gets_closer_to_the_original_as_it_trains(trained_cyclegan):
    events, _, _ = trained_cyclegan
    errors = [event.metrics["cycle"] for event in events if event.metrics]
    assert errors[-1] < 0.7 * errors[0]


def test_the_pool_gives_back_earlier_fakes_about_half_the_time_once_full():
    import tensorflow as tf

    from studio.engines.cyclegan import FakePool

    pool = FakePool(10, (2, 2, 3), tf.random.Generator.from_seed(1))
    marked = [np.full((1, 2, 2, 3), index, np.float32) for index in range(410)]
    shown = [float(pool.exchange(tf.constant(picture))[0, 0, 0, 0]) for picture in marked]
    assert shown[:10] == list(range(10))  # while filling, the newest passes through
    earlier = [value < index for index, value in enumerate(shown[10:], start=10)]
    assert all(value <= index for index, value in enumerate(shown))
    assert 0.4 < np.mean(earlier) < 0.6
    # What comes back was really made earlier, some of it long before (not only the last step's).
    assert np.mean([index - value > 10 for index, value in enumerate(shown[10:], start=10)]) > 0.1
    assert (
        float(FakePool(0, (2, 2, 3), tf.random.Generator.from_seed(1)).exchange(tf.constant(marked[3]))[0, 0, 0, 0])
        == 3
    )


def test_training_streams_the_four_losses_a_sample_strip_and_checkpoints(trained_cyclegan):
    events, model, checkpoint = trained_cyclegan
    losses = [event for event in events if event.metrics]
    assert losses and all(set(LOSS_CURVES) <= set(event.metrics) for event in losses)
    assert all(np.isfinite(list(event.metrics.values())).all() for event in losses)
    strips = [event for event in events if event.preview is not None]
    assert len(strips) >= 4  # before training, every five steps, and after the epoch
    first, last = strips[0], strips[-1]
    assert first.preview.shape == last.preview.shape and first.preview.dtype == np.uint8
    parts = last.data["strip"]
    assert set(parts) == {"a", "a2b", "a2b2a", "b", "b2a", "b2a2b"}
    assert all(part.shape == (3, 64, 64, 3) for part in parts.values())
    np.testing.assert_array_equal(parts["a"], first.data["strip"]["a"])  # the same pictures all along
    assert not np.array_equal(parts["a2b"], first.data["strip"]["a2b"])  # but translated anew
    assert events[-1].step == events[-1].total == TINY.steps_per_epoch
    assert events[-1].data["checkpoint"] == str(checkpoint) and checkpoint.is_file()
    assert model.epochs_done == 1 and events[-1].data["model"] is model


def test_learning_rate_holds_then_falls_to_zero_over_the_second_half():
    from studio.engines.cyclegan.model import learning_rate_at

    rates = [learning_rate_at(CycleGanParams(), progress) for progress in (0.0, 0.5, 0.75, 1.0)]
    assert rates == pytest.approx([2e-4, 2e-4, 1e-4, 0.0])


def test_save_and_load_keep_translations_and_optimizer_state(trained_cyclegan, tmp_path):
    from studio.engines.cyclegan import load_cyclegan, save_cyclegan, translate

    _, model, _ = trained_cyclegan
    path = save_cyclegan(model, tmp_path / "saved.keras")
    loaded = load_cyclegan(path)
    picture = stripes(1, 80)[0]
    for direction in ("a2b", "b2a"):
        params = CycleGanTranslateParams(direction=direction)
        np.testing.assert_array_equal(
            run(translate(loaded, picture, params))[1], run(translate(model, picture, params))[1]
        )
    assert loaded.epochs_done == model.epochs_done and loaded.params == model.params
    for saved, restored in zip(model.generator_optimizer.variables, loaded.generator_optimizer.variables):
        np.testing.assert_array_equal(np.asarray(saved), np.asarray(restored))


def test_damaged_or_wrong_model_files_get_clear_messages(tmp_path, refuses_what_is_not_its_model):
    from studio.engines.cyclegan import load_cyclegan, save_cyclegan

    refuses_what_is_not_its_model(load_cyclegan, "a CycleGAN")
    with pytest.raises(JobError, match="as a .keras file"):
        save_cyclegan(None, tmp_path / "model.h5")


@pytest.mark.parametrize("generator", ["resnet", "unet"])
def test_translation_keeps_odd_sizes(generator):
    from studio.engines.cyclegan import CycleGanModel, translate

    model = CycleGanModel(dataclasses.replace(TINY, generator=generator))
    picture = stripes(1, 80)[0][:37, :53]
    events, result = run(translate(model, picture, CycleGanTranslateParams()))
    assert result.shape == picture.shape and result.dtype == np.uint8
    _, smaller = run(translate(model, picture, CycleGanTranslateParams(size=20)))
    assert smaller.shape == (14, 20, 3)  # scaled to the long side asked for, proportions kept


def test_tiled_translation_matches_the_whole_picture_closely(trained_cyclegan):
    from studio.core.images import sample_image
    from studio.engines.cyclegan import translate

    _, model, _ = trained_cyclegan
    picture = sample_image("gravel")[:230, :300]
    events, tiled = run(translate(model, picture, CycleGanTranslateParams(tile_size=128)))
    assert events[-1].step == events[-1].total > 4  # one event per tile: a large picture can be stopped
    _, whole = run(translate(model, picture, CycleGanTranslateParams(tile_size=1024)))
    difference = np.abs(tiled.astype(int) - whole.astype(int))
    assert difference.mean() < 4 and np.percentile(difference, 99) < 20


def test_bad_collections_are_refused_before_training(tmp_path):
    from studio.engines.cyclegan import train_cyclegan_job

    def first_error(a, b):
        job = train_cyclegan_job(dataclasses.replace(TINY, collection_a=a, collection_b=b))
        with pytest.raises(JobError) as error:
            for event in job:
                assert event.step == 0, "training started"
        return str(error.value)

    empty = tmp_path / "empty"
    empty.mkdir()
    one = tmp_path / "one"
    one.mkdir()
    Image.fromarray(stripes(1)[0]).save(one / "only.png")
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.txt").write_text("hello")
    (notes / "b.png").write_bytes(b"not really a png")
    assert "Collection A: The folder empty is empty" in first_error((str(empty),), ("gravel",))
    assert "Collection B: one holds only one readable picture" in first_error(("grass",), (str(one),))
    assert "Collection A: None of the 2 files in notes is a picture" in first_error((str(notes),), ("grass",))
    assert "same pictures" in first_error((str(one),), (str(one),))
    assert "same pictures" in first_error(("grass",), ("grass",))
    assert "Collection B is empty" in first_error(("grass",), ())
    assert "does not exist" in first_error(("grass",), (str(tmp_path / "nowhere"),))
    with pytest.raises(JobError, match="working size from 64 to 256"):
        run(train_cyclegan_job(dataclasses.replace(TINY, size=100)))


def test_folders_of_any_sizes_and_modes_are_read_with_unreadable_files_counted(tmp_path):
    from studio.engines.cyclegan import read_collections

    folder = tmp_path / "mixed"
    (folder / "sub").mkdir(parents=True)
    Image.fromarray(stripes(1, 72)[0]).resize((300, 90)).save(folder / "wide.jpg")
    Image.fromarray(blobs(1)[0][..., 0], "L").save(folder / "sub" / "grey.png")
    Image.new("RGBA", (50, 120), (10, 200, 30, 128)).save(folder / "tall.png")
    (folder / "readme.txt").write_text("not a picture")
    side_a, side_b = read_collections([str(folder)], ["brick"], 64)
    assert side_a.pictures.shape == (3, 72, 72, 3) and side_a.skipped == ("readme.txt",)
    assert side_b.pictures.shape[1:] == (72, 72, 3) and len(side_b.pictures) > 8


def test_demo_collections_are_texture_crops_made_offline():
    from studio.engines.cyclegan import demo_collection

    grass = demo_collection("grass", 96)
    assert grass.shape[1:] == (96, 96, 3) and len(grass) >= 16
    assert len({picture.tobytes() for picture in grass}) == len(grass)  # different crops
    tissue = demo_collection("tissue", 96)
    assert np.abs(tissue[..., 0].astype(int) - tissue[..., 2]).mean() > 10  # a colour set beside the grey ones


def test_params_describe_their_controls_and_round_trip_as_a_recipe():
    for cls in (CycleGanParams, CycleGanTranslateParams):
        shown = [field for field in dataclasses.fields(cls) if control_spec(field)]
        assert shown and all(control_spec(field)["tooltip"] for field in shown)
    params = dataclasses.replace(TINY, collection_a=("/photos", "grass"), generator="unet", steps_per_epoch=None)
    assert params_from_dict(CycleGanParams, params_to_dict(params)) == params
