"""Neural style transfer parameters: a frozen recipe that round-trips through JSON, each field with
the control the Style tab shows for it (fields are in the order the tab shows them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from studio.core.catalog import BACKBONES, DEFAULT_BACKBONE
from studio.core.params import control, seed_control

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

    content_weight: float = control(
        1.0,
        label="Content",
        group="Balance",
        widget="slider",
        minimum=0.0,
        maximum=10.0,
        decimals=2,
        tooltip="How much of the content picture's shapes survive. Higher keeps the photo recognisable; "
        "lower lets the style take over.",
    )
    style_weight: float = control(
        0.002,
        label="Style",
        group="Balance",
        widget="slider",
        minimum=0.0,
        maximum=0.02,
        decimals=4,
        tooltip="How strongly the style's textures and strokes are painted in. Higher gives a bolder, "
        "more abstract picture.",
    )
    tv_weight: float = control(
        30.0,
        label="Smoothness",
        group="Balance",
        widget="slider",
        minimum=0.0,
        maximum=200.0,
        decimals=1,
        tooltip="Evens out speckle and grain. Higher gives calmer, smoother areas; too high looks blurred.",
    )
    style_scale: float = control(
        1.0,
        label="Style scale",
        group="Balance",
        widget="slider",
        minimum=0.25,
        maximum=3.0,
        decimals=2,
        tooltip="The size of the style's texture in the result: above 1 paints larger brush strokes, "
        "below 1 finer ones.",
    )
    size: int = control(
        384,
        label="Size",
        group="Result",
        minimum=64,
        maximum=MAX_SIZE,
        step=64,
        suffix=" px",
        tooltip="The long side of the result. Larger shows finer strokes and takes longer; large sizes "
        "work in tiles, so memory stays bounded.",
    )
    iterations: int = control(
        120,
        label="Iterations",
        group="Result",
        minimum=1,
        maximum=5000,
        step=10,
        tooltip="How long the picture is worked on, in optimiser steps over all scales. More steps "
        "paint the style in more fully.",
    )
    num_scales: int = control(
        3,
        label="Scales",
        group="Result",
        minimum=1,
        maximum=6,
        tooltip="Works coarse to fine: starts this many halvings smaller, then refines. More scales "
        "give larger, more coherent strokes.",
    )
    optimizer: str = control(
        "lbfgs",
        label="Optimizer",
        group="Result",
        choices=OPTIMIZER_CHOICES,
        tooltip="L-BFGS reaches a finished look in fewer steps; Adam changes the picture more gently, "
        "step by step, at its learning rate.",
    )
    learning_rate: float = control(
        0.02,
        label="Learning rate",
        group="Result",
        minimum=0.001,
        maximum=0.5,
        step=0.005,
        decimals=3,
        tooltip="With Adam: how far each step changes the picture. Higher paints faster but can look noisy.",
    )
    preserve_colors: str = control(
        "none",
        label="Colours",
        group="Result",
        choices=COLOR_CHOICES,
        tooltip="Whose colours the result has: the style's, the content's (only brightness takes the "
        "style), or the style's recoloured to the content's palette.",
    )
    init: str = control(
        "content",
        label="Start from",
        group="Result",
        choices=INIT_CHOICES,
        tooltip="The picture the painting starts from: the content (faithful), noise (wilder, more "
        "style), or the current result (refine it further).",
    )
    seed: int | None = seed_control(
        "Fixes the starting noise, so the same settings paint the same picture again. Random "
        "gives a new variation each time.",
        group="Result",
    )
    checkpoint_every: int = control(
        0,
        label="Checkpoint every",
        group="Result",
        minimum=0,
        maximum=1000,
        step=10,
        suffix=" steps",
        tooltip="Every N steps, keep the picture so far in the checkpoints folder beside the settings, "
        "so a long run's progress is never lost. 0: off.",
    )
    mask_path: str | None = control(
        None,
        label="Mask",
        group="Steer",
        tooltip="Where the style paints: paint on the Content view (Shift+drag erases) or load a greyscale "
        "picture, white is painted and black stays the photo. Each style picture can paint inside or "
        "outside the mask. With no mask the whole picture is painted.",
    )
    backbone: str = control(
        DEFAULT_BACKBONE,
        label="Backbone",
        group="Network",
        choices=VGG_CHOICES,
        tooltip="The trained network that judges content and style; each sees textures a little differently.",
    )
    content_layer: str = control(
        "block4_conv2",
        label="Content layer",
        group="Network",
        tooltip="The layer whose features keep the content: earlier layers keep fine detail, later "
        "layers only the broad shapes.",
    )
    backbone_path: str | None = None
    style_layers: dict[str, float] = field(default_factory=_default_style_layers)
    style_blend: tuple[float, ...] = ()
    style_regions: tuple[str, ...] = ()
    tile_size: int = 768

    def active_style_layers(self) -> dict[str, float]:
        return {name: weight for name, weight in self.style_layers.items() if weight != 0}
