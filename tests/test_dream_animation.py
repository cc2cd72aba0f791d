"""DeepDream animations: the zoom step, the feedback loop on the tiny backbone, and `studio dream
--frames` (its output checks before TensorFlow starts, and a real GIF on the offline VGG16)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from studio.cli import main
from studio.core.params.dream import DreamParams
from studio.core.params.dream_animation import DreamAnimationParams
from studio.core.progress import run_to_end
from studio.engines.dream_animation import animate, zoom_step


def test_a_zoom_step_flies_into_the_centre_at_the_same_size(rgb):
    zoomed = zoom_step(rgb, 2.0)
    assert zoomed.shape == rgb.shape
    # At twice the size, a point a quarter of the way in lands on the edge.
    assert np.abs(zoomed[24, 0].astype(int) - rgb[24, 16].astype(int)).max() <= 12
    assert np.abs(zoom_step(rgb, 1.0).astype(int) - rgb.astype(int)).max() <= 2, "zoom 1 leaves it as it is"
    bright = (rgb // 2 + 60).astype(np.uint8)
    turned = zoom_step(bright, 1.0, rotate=45.0, pan=(20.0, -10.0))
    assert turned.min() >= 58, "edges coming into view are mirrored from the picture, never black"


def test_the_animation_has_the_frames_asked_for_each_dreamed_from_the_last(tiny_backbone, rgb):
    params = DreamParams(layers={"conv2": 1.0}, octaves=1, seed=1)
    animation = DreamAnimationParams(frames=3, zoom=1.1, rotate=2.0, pan_x=1.0, steps_per_frame=2)
    events, frames = run_to_end(animate(rgb, params, animation, tiny_backbone))
    assert len(frames) == 3 and all(frame.shape == rgb.shape and frame.dtype == np.uint8 for frame in frames)
    assert all(np.abs(a.astype(int) - b.astype(int)).mean() > 1 for a, b in zip(frames, frames[1:]))
    finished = [event.data["frame"] for event in events if "frame" in event.data]
    assert len(finished) == 3 and np.array_equal(finished[-1], frames[-1]), "each finished frame is told as it ends"
    steps, fractions = [event.step for event in events], [event.fraction for event in events]
    assert steps == sorted(steps) and fractions == sorted(fractions) and events[-1].fraction == 1.0
    assert sum(1 for event in events if event.preview is not None) == 3 * 2 + 3, "a preview at every step"


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["-o", "{dir}/out.png", "--frames", "3"], "Save the animation as .gif or .mp4, not as 'out.png'."),
        (["-o", "{dir}/out.gif"], "out.gif is an animation: add --frames N to make one"),
        (["-o", "{dir}/out.png", "--zoom", "1.1"], "--zoom shape an animation: add --frames N"),
        (["-o", "{dir}/taken.gif", "--frames", "3"], "taken.gif already exists. Add --overwrite"),
        (["-o", "{dir}/out.gif", "--frames", "0"], "An animation needs at least one frame"),
    ],
)
def test_animation_outputs_are_checked_before_tensorflow_starts(words, message, tmp_path, rgb, capsys, monkeypatch):
    import studio.core.compute

    monkeypatch.setattr(
        studio.core.compute, "start_tensorflow", lambda verbose=False: pytest.fail("TensorFlow started")
    )
    picture = tmp_path / "in.png"
    Image.fromarray(rgb).save(picture)
    (tmp_path / "taken.gif").write_bytes(b"an animation made yesterday")
    assert main(["dream", str(picture), *(word.format(dir=tmp_path) for word in words)]) == 2
    assert message in capsys.readouterr().err
    assert (tmp_path / "taken.gif").read_bytes() == b"an animation made yesterday"


@pytest.mark.slow
def test_studio_dream_frames_writes_a_gif_of_that_many_frames(tmp_path, rgb, capsys):
    picture, output = tmp_path / "in.png", tmp_path / "flight.gif"
    Image.fromarray(rgb).save(picture)
    fast = ["--octaves", "1", "--steps-per-frame", "1", "--seed", "2", "--preset", "Fine texture"]
    assert main(["dream", str(picture), "-o", str(output), "--frames", "3", "--zoom", "1.05", *fast]) == 0
    assert f"Saved {output}" in capsys.readouterr().out
    with Image.open(output) as gif:
        assert gif.n_frames == 3 and gif.size == (64, 48)
