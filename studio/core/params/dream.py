"""DeepDream parameters: a frozen recipe that round-trips through JSON."""

from __future__ import annotations

from dataclasses import dataclass, field

from studio.core.catalog import DEFAULT_BACKBONE


def _default_layers() -> dict[str, float]:
    return {"block4_conv1": 1.0, "block4_conv3": 1.5, "block5_conv1": 1.0}


@dataclass(frozen=True)
class DreamParams:
    """How to dream.

    `layers` maps layer names of `backbone` to their weight in the objective. `step_size` is the
    change per step of a typical pixel in the [-1, 1] working space, so it means the same on every
    backbone and image size. Pictures larger than `tile_size` are processed in overlapping tiles.
    `max_side` shrinks the picture first so its long side is at most that (None: full size).
    """

    backbone: str = DEFAULT_BACKBONE
    backbone_path: str | None = None
    layers: dict[str, float] = field(default_factory=_default_layers)
    octaves: int = 3
    octave_scale: float = 1.4
    steps_per_octave: int = 20
    step_size: float = 0.01
    max_loss: float | None = None
    seed: int | None = None
    tile_size: int = 512
    max_side: int | None = 768
    guide_path: str | None = None
    mask_path: str | None = None

    def active_layers(self) -> dict[str, float]:
        return {name: weight for name, weight in self.layers.items() if weight != 0}
