"""`studio cyclegan train|translate` end to end on tiny networks and tiny folders."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from tiny import TINY_CYCLEGAN

from studio.cli import main
from studio.core.images import load_image, read_recipe

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)
TINY = ["--size", "64", "--filters", "4", "--blocks", "1", "--d-filters", "4", "--epochs", "1"]


@pytest.fixture
def folders(tmp_path):
    """Two folders of a few pictures of different sizes (and one file that is not a picture)."""
    rng = np.random.default_rng(0)
    side_a, side_b = tmp_path / "summer", tmp_path / "winter"
    for folder, tint in ((side_a, (40, 160, 40)), (side_b, (220, 220, 240))):
        folder.mkdir()
        for index, size in enumerate(((90, 70), (120, 100), (80, 80))):
            noise = rng.integers(-30, 30, (size[1], size[0], 3))
            Image.fromarray(np.clip(np.add(tint, noise), 0, 255).astype(np.uint8)).save(folder / f"{index}.png")
    (side_a / "notes.txt").write_text("not a picture")
    return side_a, side_b


def test_resume_then_translate_a_folder_and_a_picture_never_replacing_files(
    folders, trained_cyclegan, tmp_path, capsys
):
    """Training goes on from a model trained for an epoch (shared: a training's cost is mostly its
    first step); the model it resumes stays as it is."""
    from studio.engines.cyclegan import load_cyclegan

    side_a, side_b = folders
    _, _, resumed = trained_cyclegan
    before = resumed.read_bytes()
    model, strip = tmp_path / "seasons.keras", tmp_path / "strip.png"
    args = ["cyclegan", "train", str(side_a), str(side_b), "--resume", str(resumed), "-o", str(model)]
    more = ["--epochs", "2", "--steps-per-epoch", "2", "--cycle-weight", "5"]
    assert main([*args, *more, "--strip", str(strip)]) == 0
    assert f"Saved {model} (2 epochs)" in capsys.readouterr().out
    assert resumed.read_bytes() == before
    assert model.is_file() and load_image(strip).shape == (3 * 64 + 2 * 2, 6 * 64 + 5 * 2, 3)
    assert read_recipe(strip)["params"]["collection_a"] == [str(side_a)]
    trained = load_cyclegan(model)
    assert trained.epochs_done == 2 and trained.params.cycle_weight == 5.0
    assert int(trained.generator_optimizer.iterations) == TINY_CYCLEGAN.steps_per_epoch + 2, "went on, not anew"

    assert main([*args, *more]) == 2  # the model exists: refused, untouched
    assert "already exists" in capsys.readouterr().err
    again = ["cyclegan", "train", str(side_a), str(side_b), "--resume", str(model), "-o", str(tmp_path / "m.keras")]
    assert main([*again, "--epochs", "2"]) == 2
    assert "already trained 2 epochs" in capsys.readouterr().err

    out = tmp_path / "translated"
    assert main(["cyclegan", "translate", str(model), str(side_a), "-o", str(out), "--direction", "a2b"]) == 0
    printed = capsys.readouterr().out
    assert sorted(path.name for path in out.iterdir()) == ["0.png", "1.png", "2.png"]
    assert "Skipped 1 files that are not pictures: notes.txt" in printed
    assert load_image(out / "1.png").shape == (100, 120, 3)  # full size, any size
    recipe = read_recipe(out / "1.png")
    assert (recipe["technique"], recipe["method"], recipe["params"]["direction"]) == ("style", "cyclegan", "a2b")
    assert recipe["model"] == "seasons.keras"

    single = tmp_path / "winter-again.png"
    assert (
        main(["cyclegan", "translate", str(model), str(side_b / "0.png"), "-o", str(single), "--direction", "b2a"]) == 0
    )
    assert load_image(single).shape == (70, 90, 3)
    assert main(["cyclegan", "translate", str(model), str(side_a), "-o", str(out), "--overwrite"]) == 2
    assert "is a folder" in capsys.readouterr().err  # a folder of translations is always a new one


def test_bad_collections_stop_before_training_with_a_clear_message(folders, tmp_path, capsys):
    side_a, _ = folders
    model = tmp_path / "model.keras"
    assert main(["cyclegan", "train", str(side_a), str(side_a), "-o", str(model), *TINY]) == 2
    assert "Collections A and B hold the same pictures" in capsys.readouterr().err
    assert main(["cyclegan", "train", "grass", str(tmp_path / "nowhere"), "-o", str(model), *TINY]) == 2
    assert "Collection B:" in capsys.readouterr().err
    assert not model.exists()
