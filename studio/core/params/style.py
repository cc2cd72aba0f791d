"""Neural style transfer parameters: a frozen recipe that round-trips through JSON, each field with
the control the Style tab shows for it (fields are in the order the tab shows them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from studio.core.catalog import BACKBONES, DEFAULT_BACKBONE
from studio.core.params import control, seed_control, worded

OPTIMIZERS = ("lbfgs", "adam")
COLOR_MODES = ("none", "luminance", "match")
INIT_MODES = ("content", "noise", "image")
REGIONS = ("inside", "outside")  # where a style paints when the picture has a mask
MAX_SIZE = 8192

VGG_CHOICES = tuple((key, info.label) for key, info in BACKBONES.items() if key.startswith("vgg"))
OPTIMIZER_CHOICES = (("lbfgs", "L-BFGS (best quality)"), ("adam", "Adam"))
COLOR_CHOICES = (
    ("none", "Off: take the style's colours"),
    ("luminance", "Luminance only: keep content colours"),
    ("match", "Match: recolour the style first"),
)
INIT_CHOICES = (("content", "The content picture"), ("noise", "Noise"), ("image", "The current result"))


def _default_style_layers() -> dict[str, float]:
    return {f"block{block}_conv1": 1.0 for block in range(1, 6)}


@worded
@dataclass(frozen=True)
class StyleParams:
    """How to paint a content picture in the style of one or more style pictures.

    Losses are means, so weights mean the same at every size: `content_weight` scales the content
    loss on `content_layer`, `style_weight` the Gram-matrix loss over `style_layers` (layer name ->
    relative weight), `tv_weight` the total variation (smoothness) of the picture.

    `size` is the long side of the result. The work starts `num_scales` halvings smaller and is
    upscaled between scales (coarse-to-fine); `iterations` is the total number of optimiser steps,
    split evenly across the scales. `style_scale` sizes the style pictures relative to the
    content (above 1: larger brush strokes). `style_blend` weighs the style pictures (empty: equal).

    `preserve_colors`: "none", "luminance" (transfer on brightness only, keep the content's
    colours exactly) or "match" (recolour the style pictures to the content's palette first).
    `init`: start from the "content", from "noise", or from an "image" given to the job (a previous
    result or checkpoint: scales smaller than that image are skipped, so a stopped run resumes).
    Pictures with a side over `tile_size` are processed in overlapping tiles to bound memory.

    `mask_path` names the mask the picture was painted through (the job gets the mask itself);
    `style_regions` says, per style picture, whether it paints "inside" or "outside" the mask
    (empty: all inside). Without a mask every style paints the whole picture.
    """

    content_weight: float = control(1.0, group="Balance", widget="slider", minimum=0.0, maximum=10.0, decimals=2)
    style_weight: float = control(0.002, group="Balance", widget="slider", minimum=0.0, maximum=0.02, decimals=4)
    tv_weight: float = control(30.0, group="Balance", widget="slider", minimum=0.0, maximum=200.0, decimals=1)
    style_scale: float = control(1.0, group="Balance", widget="slider", minimum=0.25, maximum=3.0, decimals=2)
    size: int = control(384, group="Result", minimum=64, maximum=MAX_SIZE, step=64, suffix=" px")
    iterations: int = control(120, group="Result", minimum=1, maximum=5000, step=10)
    num_scales: int = control(3, group="Result", minimum=1, maximum=6)
    optimizer: str = control("lbfgs", group="Result", choices=OPTIMIZER_CHOICES)
    learning_rate: float = control(0.02, group="Result", minimum=0.001, maximum=0.5, step=0.005, decimals=3)
    preserve_colors: str = control("none", group="Result", choices=COLOR_CHOICES)
    init: str = control("content", group="Result", choices=INIT_CHOICES)
    seed: int | None = seed_control(group="Result")
    checkpoint_every: int = control(0, group="Result", minimum=0, maximum=1000, step=10, suffix=" steps")
    mask_path: str | None = control(None, group="Steer")
    backbone: str = control(DEFAULT_BACKBONE, group="Network", choices=VGG_CHOICES)
    content_layer: str = control("block4_conv2", group="Network")
    backbone_path: str | None = None
    style_layers: dict[str, float] = field(default_factory=_default_style_layers)
    style_blend: tuple[float, ...] = ()
    style_regions: tuple[str, ...] = ()
    tile_size: int = 768

    def active_style_layers(self) -> dict[str, float]:
        return {name: weight for name, weight in self.style_layers.items() if weight != 0}
