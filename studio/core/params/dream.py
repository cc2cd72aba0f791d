"""DeepDream parameters: a frozen recipe that round-trips through JSON, each field with the control
the Dream tab shows for it (fields are in the order the tab shows them)."""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.catalog import BACKBONES, CUSTOM_BACKBONE, DEFAULT_BACKBONE
from studio.core.params import control, seed_control, worded

BACKBONE_CHOICES = tuple((key, info.label) for key, info in BACKBONES.items()) + ((CUSTOM_BACKBONE, "Model file…"),)
WORK_SIZES = ((512, "512 px (fast)"), (768, "768 px"), (1024, "1024 px"), (2048, "2048 px"), (None, "Full size"))


def _default_layers() -> dict[str, float]:
    return {"block4_conv1": 1.0, "block4_conv3": 1.5, "block5_conv1": 1.0}


@worded
@dataclass(frozen=True)
class DreamParams:
    """How to dream.

    `layers` maps layer names of `backbone` to their weight in the objective. `step_size` is the
    change per step of a typical pixel in the [-1, 1] working space, so it means the same on every
    backbone and image size. Pictures larger than `tile_size` are processed in overlapping tiles.
    `max_side` shrinks the picture first so its long side is at most that (None: full size).
    `backbone_path` is the model file of a `CUSTOM_BACKBONE`.
    """

    backbone: str = control(DEFAULT_BACKBONE, group="Network", choices=BACKBONE_CHOICES)
    backbone_path: str | None = None
    layers: dict[str, float] = control(default_factory=_default_layers, group="Layers (weight 0 = off)")
    max_side: int | None = control(768, group="Dream", choices=WORK_SIZES)
    octaves: int = control(3, group="Dream", minimum=1, maximum=10)
    octave_scale: float = control(1.4, group="Dream", minimum=1.05, maximum=3.0, step=0.05, decimals=2)
    steps_per_octave: int = control(20, group="Dream", minimum=1, maximum=500)
    step_size: float = control(0.01, group="Dream", minimum=0.001, maximum=0.2, step=0.001, decimals=3)
    max_loss: float | None = control(
        None, group="Dream", minimum=0.1, maximum=1e6, step=10.0, decimals=1, special="no limit"
    )
    seed: int | None = seed_control(group="Dream")
    tile_size: int = control(512, group="Dream", minimum=128, maximum=2048, step=64, suffix=" px")
    guide_path: str | None = control(None, group="Steer")
    mask_path: str | None = control(None, group="Steer")

    def active_layers(self) -> dict[str, float]:
        return {name: weight for name, weight in self.layers.items() if weight != 0}
