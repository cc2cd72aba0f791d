"""`studio style --mask`: the style paints inside the mask (or one style per region) and the rest of
the picture stays exactly as it was; regions without a mask are refused before TensorFlow starts."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import studio.core.compute
from studio.cli import main
from studio.core.images import load_image, read_recipe
from studio.core.progress import JobError

TENSORFLOW_WOULD_START = "TensorFlow would start here"


@pytest.fixture
def pictures(tmp_path, rgb):
    """The content (48 x 64), two striped styles, and a mask whose left half is white."""
    paths = {"content": tmp_path / "content.png", "mask": tmp_path / "mask.png"}
    Image.fromarray(rgb).save(paths["content"])
    for name, value in (("dark", 30), ("light", 220)):
        stripes = np.full((40, 40, 3), value, np.uint8)
        stripes[::4] = 255 - value
        paths[name] = tmp_path / f"{name}.png"
        Image.fromarray(stripes).save(paths[name])
    mask = np.zeros(rgb.shape[:2], np.uint8)
    mask[:, :32] = 255
    Image.fromarray(mask).save(paths["mask"])
    return paths


def small_run(model) -> list[str]:
    return [
        *("--backbone", "file", "--model", str(model), "--content-layer", "conv3"),
        *("--style-layers", "conv1=1,conv2=1", "--size", "64", "--iterations", "4", "--scales", "1"),
        *("--style-weight", "0.02", "--seed", "0"),
    ]


def changed(result: np.ndarray, content: np.ndarray) -> np.ndarray:
    return np.abs(result.astype(int) - content.astype(int)).sum(axis=2)


def test_a_masked_style_leaves_the_outside_of_the_mask_unchanged(pictures, tiny_model_file, rgb, tmp_path, capsys):
    out = tmp_path / "masked.png"
    words = ["style", str(pictures["content"]), str(pictures["dark"]), "-o", str(out), "--mask", str(pictures["mask"])]
    assert main([*words, *small_run(tiny_model_file)]) == 0, capsys.readouterr().err
    result = load_image(out)
    assert result.shape == rgb.shape
    change = changed(result, rgb)
    assert change[:, 34:].max() == 0, "outside the mask the content stays exactly as it was"
    assert change[:, :30].mean() > 1, "inside the mask it is painted"
    assert read_recipe(out)["params"]["mask_path"] == str(pictures["mask"])


def test_one_style_per_region_paints_outside_the_mask_too(pictures, tiny_model_file, rgb, tmp_path, capsys):
    out = tmp_path / "regions.png"
    styles = [str(pictures["dark"]), str(pictures["light"])]
    words = ["style", str(pictures["content"]), *styles, "-o", str(out), "--mask", str(pictures["mask"])]
    assert main([*words, "--regions", "inside,outside", *small_run(tiny_model_file)]) == 0, capsys.readouterr().err
    assert changed(load_image(out), rgb)[:, 34:].mean() > 1, "the second style paints outside the mask"
    assert read_recipe(out)["params"]["style_regions"] == ["inside", "outside"]


@pytest.fixture
def tensorflow_never_starts(monkeypatch):
    def refuse(verbose=False):
        raise JobError(TENSORFLOW_WOULD_START)

    monkeypatch.setattr(studio.core.compute, "start_tensorflow", refuse)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--regions", "inside"], "The styles paint in regions of a mask (--regions): add --mask PICTURE."),
        (["--mask", "{mask}", "--regions", "inside,middle"], "Give --regions one word per style picture (1)"),
        (["--mask", "{mask}", "--regions", "inside,outside"], "Give --regions one word per style picture (1)"),
    ],
)
def test_bad_masks_and_regions_are_refused_before_tensorflow_starts(
    pictures, tmp_path, tensorflow_never_starts, capsys, extra, message
):
    extra = [word.format(mask=pictures["mask"]) for word in extra]
    out = tmp_path / "out.png"
    assert main(["style", str(pictures["content"]), str(pictures["dark"]), "-o", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and TENSORFLOW_WOULD_START not in err
    assert not out.exists()
