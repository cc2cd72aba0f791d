"""Training pictures: folders of anything, shipped sets, and their tf.data stream."""

import numpy as np
import pytest
from PIL import Image

from studio.core.datasets import load_folder, load_pictures, to_dataset
from studio.core.progress import JobError


def _save(path, size, mode, color):
    Image.new(mode, size, color).save(path)


def test_empty_folder_says_so(tmp_path):
    with pytest.raises(JobError, match="empty"):
        load_pictures(tmp_path, 28, 1)


def test_missing_folder_and_unknown_name_say_so(tmp_path):
    with pytest.raises(JobError, match="does not exist"):
        load_pictures(tmp_path / "nowhere", 28, 1)
    with pytest.raises(JobError, match="faces"):
        load_pictures("celebrities", 28, 1)


def test_folder_of_non_images_says_no_pictures(tmp_path):
    (tmp_path / "notes.txt").write_text("not a picture")
    (tmp_path / "fake.png").write_bytes(b"\x89PNG broken")
    with pytest.raises(JobError, match="None of the 2 files"):
        load_pictures(tmp_path, 28, 1)


def test_a_single_image_is_not_enough(tmp_path):
    _save(tmp_path / "one.png", (40, 40), "RGB", (255, 0, 0))
    with pytest.raises(JobError, match="only one"):
        load_pictures(tmp_path, 28, 3)


def test_mixed_sizes_and_modes_become_one_shape_and_bad_files_are_counted(tmp_path):
    _save(tmp_path / "wide.png", (120, 40), "RGB", (255, 0, 0))
    _save(tmp_path / "tall.jpg", (30, 90), "L", 200)
    _save(tmp_path / "alpha.png", (50, 50), "RGBA", (0, 0, 255, 128))
    _save(tmp_path / "palette.gif", (64, 64), "P", 3)
    (tmp_path / "sub").mkdir()
    _save(tmp_path / "sub" / "tiny.png", (8, 8), "I;16", 30000)
    (tmp_path / "readme.txt").write_text("hello")
    pictures, skipped = load_folder(tmp_path, 32, 3)
    assert pictures.shape == (5, 32, 32, 3) and pictures.dtype == np.uint8
    assert skipped == ["readme.txt"]
    grey = load_pictures(tmp_path, 16, 1, limit=3)
    assert grey.shape == (3, 16, 16, 1)


def test_centre_crop_keeps_the_middle(tmp_path):
    image = Image.new("RGB", (90, 30), (0, 0, 0))
    image.paste((255, 255, 255), (30, 0, 60, 30))  # a white middle third
    image.save(tmp_path / "a.png")
    image.save(tmp_path / "b.png")
    pictures = load_pictures(tmp_path, 10, 1)
    assert pictures.min() > 200  # the black sides were cropped away


def test_faces_are_shipped_and_resized():
    faces = load_pictures("faces", 28, 1)
    assert faces.shape == (100, 28, 28, 1) and faces.dtype == np.uint8
    assert faces.std() > 20  # real pictures, not a constant
    assert load_pictures("faces", 32, 3, limit=5).shape == (5, 32, 32, 3)


def test_keras_sets_offline_give_advice(monkeypatch):
    import keras

    def offline():
        raise OSError("no network")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(JobError, match="internet.*faces"):
        load_pictures("mnist", 28, 1)


@pytest.mark.parametrize("scale, low, high", [("tanh", -1.0, 1.0), ("sigmoid", 0.0, 1.0)])
def test_dataset_batches_are_scaled_floats_covering_every_picture(scale, low, high):
    pictures = np.stack([np.full((4, 4, 1), value, np.uint8) for value in (0, 255, 7, 9, 11)])
    batches = list(to_dataset(pictures, batch_size=2, seed=0, scale=scale))
    assert [len(b) for b in batches] == [2, 2, 1]
    values = np.concatenate([b.numpy() for b in batches])
    assert values.dtype == np.float32
    assert values.min() == pytest.approx(low) and values.max() == pytest.approx(high)
    original = sorted(np.unique(pictures).tolist())
    restored = sorted(np.unique(np.round((values - low) / (high - low) * 255)).astype(int).tolist())
    assert restored == original


@pytest.mark.parametrize("name, channels", [("textures", 1), ("galaxies", 3)])
def test_patch_sets_ship_offline_the_same_every_time(name, channels):
    from studio.core.catalog import SHIPPED_PICTURES

    patches = load_pictures(name, 32, channels, limit=40)
    assert patches.shape == (40, 32, 32, channels) and patches.dtype == np.uint8
    assert patches.std(axis=(1, 2, 3)).min() > 3  # real picture content, not blank patches
    np.testing.assert_array_equal(load_pictures(name, 32, channels, limit=40), patches)
    assert SHIPPED_PICTURES[name] >= 2000


def test_small_sets_get_advice_on_what_to_expect():
    from studio.core.catalog import size_advice

    assert "Only 100 pictures: a GAN learns best from thousands" in size_advice("gan", 100)
    assert size_advice("gan", 3000) is None and size_advice("vae", 100) is None
    assert "Only 40 pictures" in size_advice("vae", 40)


def test_small_sets_fill_an_epoch_so_progress_counts_real_work():
    from studio.core.datasets import batches_per_epoch

    assert batches_per_epoch(100, 64) == 32  # 2,000 varied copies of 100 faces
    assert batches_per_epoch(70_000, 64) == 1094  # a big set: one pass
