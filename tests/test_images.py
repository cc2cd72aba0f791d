"""Image I/O at the app's edge: every odd file a user may drop in becomes uint8 RGB or a clear JobError."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.core import images
from studio.core.images import (
    fit_within,
    load_image,
    load_mask,
    read_recipe,
    sample_image,
    save_image,
)
from studio.core.progress import JobError


def png_bytes(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", **options)
    return buffer.getvalue()


def raw_png(pixels: np.ndarray, color_type: int) -> bytes:
    """A PNG written by hand, for what Pillow cannot write (16-bit RGB): big-endian uint16 rows."""
    height, width = pixels.shape[:2]

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + row.astype(">u2").tobytes() for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 16, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_plain_rgb_png_round_trips(tmp_path):
    picture = np.random.default_rng(0).integers(0, 256, (12, 20, 3), dtype=np.uint8)
    path = tmp_path / "plain.png"
    Image.fromarray(picture).save(path)
    loaded = load_image(path)
    assert loaded.dtype == np.uint8 and loaded.flags.c_contiguous
    np.testing.assert_array_equal(loaded, picture)


def test_loads_from_bytes():
    picture = np.full((5, 7, 3), (10, 200, 30), np.uint8)
    np.testing.assert_array_equal(load_image(png_bytes(Image.fromarray(picture))), picture)


def test_corrupt_file_gives_a_clear_error(tmp_path):
    good = png_bytes(Image.fromarray(np.random.default_rng(1).integers(0, 256, (64, 64, 3), dtype=np.uint8)))
    path = tmp_path / "broken.png"
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(JobError, match="broken.png could not be read; the file may be damaged"):
        load_image(path)


def test_corrupt_bytes_give_a_clear_error():
    with pytest.raises(JobError, match="pasted image"):
        load_image(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)


def test_text_file_is_not_an_image(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("shopping list: eggs, milk\n")
    with pytest.raises(JobError, match="notes.png is not an image Studio can read"):
        load_image(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(JobError, match="gone.jpg was not found"):
        load_image(tmp_path / "gone.jpg")
    with pytest.raises(JobError, match="is a folder, not an image"):
        load_image(tmp_path)


def test_16_bit_grey_png_maps_to_8_bits(tmp_path):
    levels = np.array([[0, 256, 32768, 65535]], np.uint16)
    path = tmp_path / "grey16.png"
    Image.fromarray(levels).save(path)
    assert Image.open(path).mode.startswith("I")
    loaded = load_image(path)
    assert loaded.shape == (1, 4, 3) and loaded.dtype == np.uint8
    np.testing.assert_array_equal(loaded[0, :, 0], [0, 1, 128, 255])
    assert (loaded[..., 0] == loaded[..., 2]).all()


def test_16_bit_rgb_png_maps_to_8_bits(tmp_path):
    pixels = np.zeros((2, 3, 3), np.uint16)
    pixels[0, 0] = (65535, 0, 0)
    pixels[1, 2] = (0, 32896, 65535)
    path = tmp_path / "rgb16.png"
    path.write_bytes(raw_png(pixels, color_type=2))
    loaded = load_image(path)
    assert loaded.shape == (2, 3, 3) and loaded.dtype == np.uint8
    np.testing.assert_array_equal(loaded[0, 0], (255, 0, 0))
    np.testing.assert_array_equal(loaded[1, 2], (0, 128, 255))


def test_cmyk_jpeg_becomes_rgb(tmp_path):
    path = tmp_path / "print.jpg"
    Image.new("CMYK", (16, 8), (0, 255, 255, 0)).save(path, quality=95)
    assert Image.open(path).mode == "CMYK"
    loaded = load_image(path)
    assert loaded.shape == (8, 16, 3)
    red, green, blue = loaded.reshape(-1, 3).mean(axis=0)
    assert red > 240 and green < 15 and blue < 15


def test_rgba_transparency_is_composited_over_white(tmp_path):
    rgba = np.zeros((2, 3, 4), np.uint8)
    rgba[0, 0] = (255, 0, 0, 255)  # opaque red
    rgba[0, 1] = (0, 0, 0, 0)  # fully transparent
    rgba[0, 2] = (0, 0, 0, 128)  # half-transparent black
    path = tmp_path / "alpha.png"
    Image.fromarray(rgba, "RGBA").save(path)
    loaded = load_image(path)
    assert loaded.shape == (2, 3, 3)
    np.testing.assert_array_equal(loaded[0, 0], (255, 0, 0))
    np.testing.assert_array_equal(loaded[0, 1], (255, 255, 255))
    assert np.all(np.abs(loaded[0, 2].astype(int) - 127) <= 1)


def test_grey_with_alpha_is_composited_over_white(tmp_path):
    path = tmp_path / "la.png"
    Image.fromarray(np.array([[[0, 0], [0, 255]]], np.uint8), "LA").save(path)
    np.testing.assert_array_equal(load_image(path)[0], [(255, 255, 255), (0, 0, 0)])


def test_palette_transparency_is_composited_over_white(tmp_path):
    palette_image = Image.new("P", (2, 1))
    palette_image.putpalette([0, 0, 255, 0, 255, 0] + [0] * 762)
    palette_image.putpixel((0, 0), 0)
    palette_image.putpixel((1, 0), 1)
    path = tmp_path / "palette.png"
    palette_image.save(path, transparency=0)
    loaded = load_image(path)
    np.testing.assert_array_equal(loaded[0], [(255, 255, 255), (0, 255, 0)])


def test_exif_rotated_photo_is_turned_upright(tmp_path):
    picture = np.zeros((10, 20, 3), np.uint8)  # 20 wide, 10 tall, as the sensor stored it
    picture[:, :10] = (255, 0, 0)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to view"
    path = tmp_path / "phone.jpg"
    Image.fromarray(picture).save(path, exif=exif, quality=95)
    loaded = load_image(path)
    assert loaded.shape == (20, 10, 3)
    assert loaded[2, 5, 0] > 200 and loaded[-3, 5, 0] < 50  # the red left half now lies on top


def test_decompression_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.png"
    Image.new("1", (10_000, 10_000)).save(path)  # 100 megapixels in a file of a few kilobytes
    assert path.stat().st_size < 100_000
    previous_limit = Image.MAX_IMAGE_PIXELS
    with pytest.raises(JobError, match="too large to open safely"):
        load_image(path)
    assert Image.MAX_IMAGE_PIXELS == previous_limit


def test_save_png_is_atomic_and_carries_the_recipe(tmp_path):
    picture = np.random.default_rng(2).integers(0, 256, (9, 11, 3), dtype=np.uint8)
    recipe = {"technique": "dream", "params": {"octaves": 3, "layers": {"block4_conv1": 1.0}}}
    path = save_image(tmp_path / "out" / "dream.png", picture, recipe)
    assert path == tmp_path / "out" / "dream.png"
    assert [p.name for p in path.parent.iterdir()] == ["dream.png"]  # no temporary file left behind
    np.testing.assert_array_equal(load_image(path), picture)
    assert read_recipe(path) == recipe


def test_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = save_image(tmp_path / "keep.png", np.zeros((4, 4, 3), np.uint8))
    before = path.read_bytes()

    def failing_save(self, target, *args, **kwargs):
        Path(target).write_bytes(b"half a pic")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", failing_save)
    with pytest.raises(JobError, match="Could not save keep.png: the disk is full"):
        save_image(path, np.full((4, 4, 3), 255, np.uint8))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.png"]


def test_save_jpeg_and_unknown_suffix(tmp_path):
    picture = np.full((16, 16, 3), (200, 100, 50), np.uint8)
    path = save_image(tmp_path / "photo.JPG", picture, recipe={"ignored": True})
    assert Image.open(path).format == "JPEG"
    assert np.abs(load_image(path).astype(int) - picture).max() <= 3
    assert read_recipe(path) is None
    with pytest.raises(JobError, match=r"Cannot save as '\.bmp'"):
        save_image(tmp_path / "photo.bmp", picture)
    assert not (tmp_path / "photo.bmp").exists()


@pytest.mark.parametrize(("earlier", "method"), [("fast_style", "fast"), ("cyclegan-translate", "cyclegan")])
def test_recipes_of_earlier_technique_names_read_as_todays(tmp_path, earlier, method):
    recipe = {"technique": earlier, "params": {"strength": 0.4}, "model": "m.keras"}
    path = save_image(tmp_path / "made-earlier.png", np.zeros((4, 4, 3), np.uint8), recipe)
    assert read_recipe(path) == {**recipe, "technique": "style", "method": method}


def test_read_recipe_without_one(tmp_path):
    assert read_recipe(tmp_path / "missing.png") is None
    plain = save_image(tmp_path / "plain.png", np.zeros((2, 2, 3), np.uint8))
    assert read_recipe(plain) is None
    not_json = tmp_path / "odd.png"
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text(images.RECIPE_KEY, "{not json")
    Image.new("RGB", (2, 2)).save(not_json, pnginfo=info)
    assert read_recipe(not_json) is None


def test_load_mask_is_white_one_black_zero_at_the_asked_size(tmp_path):
    mask = np.zeros((10, 20), np.uint8)
    mask[:, 10:] = 255
    path = tmp_path / "mask.png"
    Image.fromarray(mask).save(path)
    loaded = load_mask(path, (20, 40))
    assert loaded.shape == (20, 40) and loaded.dtype == np.float32
    assert loaded[:, :15].max() == 0.0 and loaded[:, 25:].min() == 1.0


def test_fit_within_downscales_only():
    picture = np.zeros((300, 400, 3), np.uint8)
    assert fit_within(picture, 200).shape == (150, 200, 3)
    assert fit_within(picture, 1000) is picture
    assert fit_within(np.zeros((1000, 3, 3), np.uint8), 100).shape == (100, 1, 3)


def test_sample_images_are_rgb():
    astronaut = sample_image()
    assert astronaut.shape == (512, 512, 3) and astronaut.dtype == np.uint8 and astronaut.std() > 20
    assert sample_image("brick").shape == (512, 512, 3)  # a greyscale sample, given three channels
    with pytest.raises(JobError, match="Unknown sample 'moon'"):
        sample_image("moon")


def test_error_names_the_file_not_its_folder(tmp_path):
    folder = tmp_path / "private" / "holiday"
    folder.mkdir(parents=True)
    path = folder / "beach.png"
    path.write_bytes(b"GIF89a broken")
    with pytest.raises(JobError) as caught:
        load_image(Path(path))
    assert "beach.png" in str(caught.value) and "private" not in str(caught.value)


def test_saved_files_get_the_users_normal_mode(tmp_path):
    import os

    from studio.core.files import NEW_FILE_MODE

    path = save_image(tmp_path / "shared.png", np.zeros((4, 4, 3), np.uint8))
    assert os.stat(path).st_mode & 0o777 == NEW_FILE_MODE != 0o600


def test_float_tiff_in_unit_range_maps_to_8_bits(tmp_path):
    path = tmp_path / "depth.tif"
    Image.fromarray(np.array([[0.0, 0.5, 1.0]], np.float32)).save(path)
    assert Image.open(path).mode == "F"
    np.testing.assert_array_equal(load_image(path)[0, :, 0], [0, 128, 255])


def test_enlarge_keeps_pixels_crisp_and_reaches_the_asked_side():
    from studio.core.images import enlarge, factor_to_reach

    picture = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    factor = factor_to_reach(picture, 10)
    big = enlarge(picture, factor)
    assert factor == 4 and big.shape == (8, 12, 3)
    np.testing.assert_array_equal(big[::4, ::4], picture)  # every block is one original pixel
    np.testing.assert_array_equal(big[3::4, 3::4], picture)
    assert enlarge(picture, 1) is picture
