"""`studio dream` in-process with the real offline VGG16 on a tiny picture, and the CLI's edges."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from studio import __version__
from studio.cli import main
from studio.core.images import load_image, read_recipe

FAST = ["--max-side", "48", "--octaves", "1", "--steps", "2", "--seed", "3"]


@pytest.fixture
def picture_file(tmp_path):
    picture = np.random.default_rng(0).integers(0, 256, (60, 80, 3), dtype=np.uint8)
    path = tmp_path / "holiday.jpg"
    Image.fromarray(picture).save(path, quality=95)
    return path


@pytest.mark.slow
def test_dream_saves_a_png_with_its_recipe_and_the_recipe_replays(picture_file, tmp_path, capsys):
    first = tmp_path / "dreamed.png"
    assert main(["dream", str(picture_file), "-o", str(first), *FAST, "--preset", "Fine texture"]) == 0
    assert f"Saved {first}" in capsys.readouterr().out
    result = load_image(first)
    assert result.shape == (36, 48, 3)  # shrunk to --max-side, aspect kept
    source = np.asarray(Image.open(picture_file).resize((48, 36), Image.Resampling.LANCZOS))
    assert np.abs(result.astype(int) - source).mean() > 1  # it dreamed

    recipe = read_recipe(first)
    assert recipe["technique"] == "dream" and recipe["app"] == "generative-studio"
    params = recipe["params"]
    assert params["octaves"] == 1 and params["steps_per_octave"] == 2 and params["seed"] == 3
    assert params["layers"] == {"block3_conv1": 1.0, "block3_conv3": 1.0}
    assert params["backbone"] == "vgg16"

    replayed = tmp_path / "replayed.png"
    assert main(["dream", str(picture_file), "-o", str(replayed), "--recipe", str(first)]) == 0
    assert read_recipe(replayed)["params"] == params
    np.testing.assert_array_equal(load_image(replayed), result)  # same recipe and seed, same picture

    tweaked = tmp_path / "tweaked.png"
    assert main(["dream", str(picture_file), "-o", str(tweaked), "--recipe", str(first), "--steps", "1"]) == 0
    assert read_recipe(tweaked)["params"] == {**params, "steps_per_octave": 1}  # flags override the recipe


def test_bad_input_exits_2_with_a_clear_message(tmp_path, capsys):
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    assert main(["dream", str(text), "-o", str(tmp_path / "out.png"), *FAST]) == 2
    assert "studio: notes.png is not an image Studio can read" in capsys.readouterr().err
    assert main(["dream", str(tmp_path / "gone.png"), "-o", str(tmp_path / "out.png")]) == 2
    assert "gone.png was not found" in capsys.readouterr().err
    assert not (tmp_path / "out.png").exists()


def test_recipe_from_a_file_without_one_is_refused(picture_file, tmp_path, capsys):
    assert main(["dream", str(picture_file), "-o", str(tmp_path / "o.png"), "--recipe", str(picture_file)]) == 2
    assert "holiday.jpg holds no Dream recipe" in capsys.readouterr().err


def test_missing_output_and_unknown_preset(picture_file, capsys):
    assert main(["dream", str(picture_file)]) == 2
    assert "the following arguments are required: -o/--output" in capsys.readouterr().err
    assert main(["dream", str(picture_file), "-o", "x.png", "--preset", "Nonsense"]) == 2
    assert "No preset 'Nonsense' for vgg16. Try: Eyes and scales" in capsys.readouterr().err


def test_list_presets(capsys):
    assert main(["dream", "--list-presets"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("vgg16") and "Fine texture" in line and "block3_conv1=1.0" in line for line in lines)
    assert any(line.startswith("inception_v3") and "mixed4=1.0" in line for line in lines)


def test_python_dash_m_studio_version():
    done = subprocess.run([sys.executable, "-m", "studio", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.strip() == f"studio {__version__}"


def test_a_model_file_without_layers_is_told_which_layers_it_has(picture_file, tiny_model_file, tmp_path, capsys):
    """A model of one's own has no presets: the default layers are not in it, and the message names its layers."""
    out = tmp_path / "dreamed.png"
    command = ["dream", str(picture_file), "-o", str(out), *FAST, "--backbone", "file", "--model", str(tiny_model_file)]
    assert main(command) == 2
    assert "tiny has no layer named block4_conv1" in capsys.readouterr().err and not out.exists()
    assert main([*command, "--layers", "conv2=1,conv3=0.5"]) == 0
    assert load_image(out).shape == (36, 48, 3)
