"""Neural style transfer parameters: a frozen recipe that round-trips through JSON."""

from __future__ import annotations

from dataclasses import dataclass, field

from studio.core.catalog import DEFAULT_BACKBONE

OPTIMIZERS = ("lbfgs", "adam")
COLOR_MODES = ("none", "luminance", "match")
INIT_MODES = ("content", "noise", "image")
MAX_SIZE = 8192


def _default_style_layers() -> dict[str, float]:
    return {f"block{block}_conv1": 1.0 for block in range(1, 6)}


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
    """

    backbone: str = DEFAULT_BACKBONE
    backbone_path: str | None = None
    content_layer: str = "block4_conv2"
    style_layers: dict[str, float] = field(default_factory=_default_style_layers)
    content_weight: float = 1.0
    style_weight: float = 0.002
    tv_weight: float = 30.0
    size: int = 384
    iterations: int = 120
    num_scales: int = 3
    optimizer: str = "lbfgs"
    learning_rate: float = 0.02
    style_scale: float = 1.0
    style_blend: tuple[float, ...] = ()
    preserve_colors: str = "none"
    init: str = "content"
    seed: int | None = None
    checkpoint_every: int = 0
    tile_size: int = 768

    def active_style_layers(self) -> dict[str, float]:
        return {name: weight for name, weight in self.style_layers.items() if weight != 0}
