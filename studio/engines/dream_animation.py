"""DeepDream animations: the feedback loop of dreaming, zooming in a little (and perhaps turning
and drifting), and dreaming again, so the dream keeps growing into itself. Frames are saved as a
GIF or MP4 with `studio.engines.latent.save_animation`."""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image

from studio.core.backbones import Backbone
from studio.core.params.dream import DreamParams
from studio.core.params.dream_animation import DreamAnimationParams
from studio.core.progress import JobError, Progress, relayed
from studio.engines.dream import dream, prepare_dream
from studio.engines.latent import save_animation

STEPS_PER_FRAME = 1000  # progress steps of one frame: the dream's fraction done, finely


def zoom_step(rgb: np.ndarray, zoom: float, rotate: float = 0.0, pan: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """The picture seen `zoom` times closer about its centre, turned `rotate` degrees counter-clockwise
    and moved by `pan` (x, y) pixels, at the same size. Edges that come into view are mirrored from
    the picture, never black."""
    height, width = rgb.shape[:2]
    margin = math.ceil(max(height, width) / 4 + max(abs(pan[0]), abs(pan[1])))
    padded = np.pad(rgb, ((margin, margin), (margin, margin), (0, 0)), mode="symmetric")
    # Pillow maps each output pixel to the input pixel it samples: centre + turn(out - centre) / zoom + pan.
    cos, sin = math.cos(math.radians(rotate)) / zoom, math.sin(math.radians(rotate)) / zoom
    centre_x, centre_y = width / 2, height / 2
    matrix = (
        cos,
        -sin,
        centre_x + margin + pan[0] - cos * centre_x + sin * centre_y,
        sin,
        cos,
        centre_y + margin + pan[1] - sin * centre_x - cos * centre_y,
    )
    moved = Image.fromarray(padded).transform(
        (width, height), Image.Transform.AFFINE, matrix, resample=Image.Resampling.BICUBIC
    )
    return np.asarray(moved)


def animate(
    image: np.ndarray,
    params: DreamParams,
    animation: DreamAnimationParams,
    backbone: Backbone,
    guide: np.ndarray | None = None,
    mask: np.ndarray | None = None,
) -> Iterator[Progress]:
    """Dream `animation.frames` frames, each from the one before zoomed in; yields every dream step's
    preview and, as each frame is finished, an event carrying it in `data["frame"]` (so a stopped
    animation keeps what it finished). Returns the frames, all the size of `image`."""
    if animation.frames < 1:
        raise JobError("An animation needs at least one frame.")
    if not 1.0 <= animation.zoom <= 4.0:
        raise JobError("Choose a zoom per frame between 1 (no zoom) and 4.")
    if animation.steps_per_frame < 1:
        raise JobError("Use at least one step per frame.")
    frame_params = dataclasses.replace(params, steps_per_octave=animation.steps_per_frame)
    frames: list[np.ndarray] = []
    start = image
    for index in range(animation.frames):
        events = dream(start, frame_params, backbone, guide, mask)
        frame = yield from _within_frame(events, index, animation.frames)
        frames.append(frame)
        yield Progress(
            step=(index + 1) * STEPS_PER_FRAME,
            total=animation.frames * STEPS_PER_FRAME,
            stage=f"Frame {index + 1}/{animation.frames} done",
            preview=frame,
            data={"frame": frame, "index": index},
        )
        start = zoom_step(frame, animation.zoom, animation.rotate, (animation.pan_x, animation.pan_y))
    return frames


def _within_frame(events: Iterator[Progress], index: int, count: int) -> Iterator[Progress]:
    """Pass one frame's dream events on, counted as part of the whole animation; return its picture."""
    return relayed(
        events,
        lambda event: dataclasses.replace(
            event,
            step=round((index + event.fraction) * STEPS_PER_FRAME),
            total=count * STEPS_PER_FRAME,
            stage=f"Frame {index + 1}/{count} · {event.stage}",
        ),
    )


def dream_animation_job(
    image: np.ndarray,
    params: DreamParams,
    animation: DreamAnimationParams,
    guide: np.ndarray | None = None,
    mask: np.ndarray | None = None,
) -> Iterator[Progress]:
    """What the app and CLI run: load the backbone, shrink the picture to the work size, animate."""
    backbone, image, mask = yield from prepare_dream(image, params, mask)
    return (yield from animate(image, params, animation, backbone, guide, mask))


def save_animation_job(frames: list[np.ndarray], path: str | os.PathLike, fps: float) -> Iterator[Progress]:
    """Write the frames as a GIF or MP4 (a job, so a long MP4 encode never stalls the window)."""
    yield Progress(step=0, total=1, stage=f"Saving {Path(path).name}")
    return save_animation(frames, path, fps)
