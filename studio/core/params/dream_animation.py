"""DeepDream animation parameters: the feedback loop (dream, zoom in a little, optionally rotate and
pan, dream again), each field with the control the Dream tab shows for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from studio.core.params import control


def _drift_control(direction: str, motion: str, negative: str) -> Any:
    """How far the view moves between frames along one axis, in pixels of the work size."""
    return control(
        0.0,
        label=f"Drift {direction}",
        group="Animation",
        minimum=-64.0,
        maximum=64.0,
        step=1.0,
        decimals=1,
        suffix=" px",
        tooltip=f"Moves the view {motion}, in pixels of the work size (negative: {negative}).",
    )


@dataclass(frozen=True)
class DreamAnimationParams:
    """`frames` pictures, each dreamed for `steps_per_frame` steps per octave (the Dream settings
    give the rest) from the one before, zoomed in by `zoom` about the centre, turned by `rotate`
    degrees and moved by `pan_x`, `pan_y` pixels of the work size. Played at `fps`."""

    frames: int = control(
        24,
        label="Frames",
        group="Animation",
        minimum=2,
        maximum=1000,
        tooltip="How many pictures the animation has. Each is dreamed from the one before, zoomed in, "
        "so the dream keeps growing into itself.",
    )
    zoom: float = control(
        1.05,
        label="Zoom per frame",
        group="Animation",
        minimum=1.0,
        maximum=1.5,
        step=0.01,
        decimals=3,
        tooltip="How far each frame flies into the picture. 1.05 is a steady glide; higher rushes in "
        "and leaves each dream less time to grow.",
    )
    rotate: float = control(
        0.0,
        label="Turn per frame",
        group="Animation",
        minimum=-30.0,
        maximum=30.0,
        step=0.5,
        decimals=1,
        suffix="°",
        tooltip="Turns the picture a little each frame (negative: clockwise), for a spiralling flight.",
    )
    pan_x: float = _drift_control("across", "sideways each frame", "to the left")
    pan_y: float = _drift_control("down", "up or down each frame", "up")
    steps_per_frame: int = control(
        5,
        label="Steps per frame",
        group="Animation",
        minimum=1,
        maximum=200,
        tooltip="Dream steps per octave for each frame, in place of the still dream's. More grows "
        "stronger shapes between frames and takes longer.",
    )
    fps: float = control(
        12.0,
        label="Frames per second",
        group="Animation",
        minimum=1.0,
        maximum=60.0,
        step=1.0,
        decimals=0,
        tooltip="How fast the saved GIF or MP4 plays.",
    )
