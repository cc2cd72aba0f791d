"""DeepDream animation parameters: the feedback loop (dream, zoom in a little, optionally rotate and
pan, dream again), each field with the control the Dream tab shows for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from studio.core.params import control, worded


def _drift_control() -> Any:
    """How far the view moves between frames along one axis, in pixels of the work size."""
    return control(0.0, group="Animation", minimum=-64.0, maximum=64.0, step=1.0, decimals=1, suffix=" px")


@worded
@dataclass(frozen=True)
class DreamAnimationParams:
    """`frames` pictures, each dreamed for `steps_per_frame` steps per octave (the Dream settings
    give the rest) from the one before, zoomed in by `zoom` about the centre, turned by `rotate`
    degrees and moved by `pan_x`, `pan_y` pixels of the work size. Played at `fps`."""

    frames: int = control(24, group="Animation", minimum=2, maximum=1000)
    zoom: float = control(1.05, group="Animation", minimum=1.0, maximum=1.5, step=0.01, decimals=3)
    rotate: float = control(0.0, group="Animation", minimum=-30.0, maximum=30.0, step=0.5, decimals=1, suffix="°")
    pan_x: float = _drift_control()
    pan_y: float = _drift_control()
    steps_per_frame: int = control(5, group="Animation", minimum=1, maximum=200)
    fps: float = control(12.0, group="Animation", minimum=1.0, maximum=60.0, step=1.0, decimals=0)
