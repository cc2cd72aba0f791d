"""DeepDream parameters: a frozen recipe that round-trips through JSON, each field with the control
the Dream tab shows for it (fields are in the order the tab shows them)."""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.catalog import BACKBONES, CUSTOM_BACKBONE, DEFAULT_BACKBONE
from studio.core.params import control, seed_control

BACKBONE_CHOICES = tuple((key, info.label) for key, info in BACKBONES.items()) + ((CUSTOM_BACKBONE, "Model file…"),)
WORK_SIZES = ((512, "512 px (fast)"), (768, "768 px"), (1024, "1024 px"), (2048, "2048 px"), (None, "Full size"))


def _default_layers() -> dict[str, float]:
    return {"block4_conv1": 1.0, "block4_conv3": 1.5, "block5_conv1": 1.0}


@dataclass(frozen=True)
class DreamParams:
    """How to dream.

    `layers` maps layer names of `backbone` to their weight in the objective. `step_size` is the
    change per step of a typical pixel in the [-1, 1] working space, so it means the same on every
    backbone and image size. Pictures larger than `tile_size` are processed in overlapping tiles.
    `max_side` shrinks the picture first so its long side is at most that (None: full size).
    `backbone_path` is the model file of a `CUSTOM_BACKBONE`.
    """

    backbone: str = control(
        DEFAULT_BACKBONE,
        label="Backbone",
        group="Network",
        choices=BACKBONE_CHOICES,
        tooltip="The trained network whose learned shapes grow in the picture; each network dreams "
        "different things. Model file… uses a .keras or .h5 convnet of your own.",
    )
    backbone_path: str | None = None
    layers: dict[str, float] = control(
        default_factory=_default_layers,
        label="",
        group="Layers (weight 0 = off)",
        tooltip="How strongly each layer's features grow: early layers add fine strokes and textures, "
        "middle layers patterns, late layers eyes, faces and whole objects. 0 leaves a layer out.",
    )
    max_side: int | None = control(
        768,
        label="Work size",
        group="Dream",
        choices=WORK_SIZES,
        tooltip="Shrinks the picture to this long side before dreaming. Smaller is faster, and the "
        "dreamed shapes come out larger relative to the picture.",
    )
    octaves: int = control(
        3,
        label="Octaves",
        group="Dream",
        minimum=1,
        maximum=10,
        tooltip="How many sizes the dream works at, from small to full. More octaves grow larger "
        "shapes that span the whole picture.",
    )
    octave_scale: float = control(
        1.4,
        label="Octave scale",
        group="Dream",
        minimum=1.05,
        maximum=3.0,
        step=0.05,
        decimals=2,
        tooltip="The size step between octaves. Larger steps start from a smaller picture, so the "
        "shapes come out bigger and softer.",
    )
    steps_per_octave: int = control(
        20,
        label="Steps per octave",
        group="Dream",
        minimum=1,
        maximum=500,
        tooltip="Dream steps at each size. More steps make the shapes stronger and more detailed, and take longer.",
    )
    step_size: float = control(
        0.01,
        label="Step size",
        group="Dream",
        minimum=0.001,
        maximum=0.2,
        step=0.001,
        decimals=3,
        tooltip="How far each step changes the picture. Higher is bolder but noisier; lower is subtler and smoother.",
    )
    max_loss: float | None = control(
        None,
        label="Stop an octave above",
        group="Dream",
        minimum=0.1,
        maximum=1e6,
        step=10.0,
        decimals=1,
        special="no limit",
        tooltip="Ends an octave early once the network's response passes this, which keeps the "
        "dream gentle. With no limit every step runs.",
    )
    seed: int | None = seed_control(
        "Fixes the random shifts between steps, so the same settings dream the same picture "
        "again. Random gives a new variation each time.",
        group="Dream",
    )
    tile_size: int = control(
        512,
        label="Tile size",
        group="Dream",
        minimum=128,
        maximum=2048,
        step=64,
        suffix=" px",
        tooltip="Big pictures are dreamed in overlapping tiles of this size, so memory stays bounded. "
        "Larger tiles are a little faster and need more memory; the picture looks the same.",
    )
    guide_path: str | None = control(
        None,
        label="Guide picture",
        group="Steer",
        tooltip="A picture whose look the dream grows instead of the layers' own favourite shapes. "
        "Click again to clear it.",
    )
    mask_path: str | None = control(
        None,
        label="Mask",
        group="Steer",
        tooltip="Where the dream may change the picture: paint on the Before view (Shift+drag erases) "
        "or load a greyscale picture, white dreams and black stays. With no mask the whole picture dreams.",
    )

    def active_layers(self) -> dict[str, float]:
        return {name: weight for name, weight in self.layers.items() if weight != 0}
