"""Fast style transfer parameters: training a style model once, and applying it to pictures and video."""

from __future__ import annotations

from dataclasses import dataclass, field

from studio.core.catalog import DEFAULT_BACKBONE
from studio.core.params import control, seed_control, tile_size_control, worded
from studio.core.params.pictures import batch_control, learning_rate_control, preview_every_control
from studio.core.params.style import COLOR_MODES

VIDEO_FORMATS = (".mp4", ".mov", ".mkv", ".avi", ".webm", ".m4v")  # videos that can be painted
VIDEO_OUTPUTS = (".mp4", ".mov", ".mkv", ".avi")  # what a painted video is written as (H.264)

# Fields that fix the network's shape: a resumed model keeps its own, whatever the params ask.
ARCHITECTURE_FIELDS = ("filters", "residual_blocks", "output_kernel", "output")
COLOR_LABELS = {
    "none": "No: the style's colours",
    "luminance": "Luminance: keep the content's colours exactly",
    "match": "Match: recolour toward the content's palette",
}
COLOR_CHOICES = tuple((mode, COLOR_LABELS[mode]) for mode in COLOR_MODES)


def _default_style_layers() -> dict[str, float]:
    return {f"block{block}_conv1": 1.0 for block in range(1, 6)}


@worded
@dataclass(frozen=True)
class FastStyleTrainParams:
    """How to train a network that paints any picture in one style in a single pass (Johnson et al.).

    The network learns on random square crops of `size` pixels from the shipped photos, the shipped
    faces (a `faces_share` of the crops: they are tiny, so they are enlarged and count less) and the
    pictures in `content_dir`, against the Style engine's losses: content on `content_layer`,
    Gram-matrix style over `style_layers`, total variation. `style_blend` weighs several style
    pictures (empty: equal). The style pictures are scaled so their long side is `style_scale` x `size`.
    """

    backbone: str = DEFAULT_BACKBONE
    # The Style engine's layer. A shallower one (block3_conv3) also holds the photo's fine texture,
    # and after the default training the network had only laid patches of pattern over the photo.
    content_layer: str = "block4_conv2"
    style_layers: dict[str, float] = field(default_factory=_default_style_layers)
    content_weight: float = control(1.0, group="Losses", minimum=0.0, maximum=100.0, decimals=3)
    style_weight: float = control(0.01, group="Losses", minimum=0.0, maximum=1.0, step=0.0005, decimals=4)
    tv_weight: float = control(30.0, group="Losses", minimum=0.0, maximum=1000.0, decimals=1)
    size: int = control(256, group="Training", minimum=64, maximum=512, step=32, suffix=" px")
    steps: int = control(700, group="Training", minimum=1, maximum=100_000)
    batch_size: int = batch_control(1, maximum=16)
    learning_rate: float = learning_rate_control(5e-3, minimum=1e-5, maximum=1e-2)
    style_scale: float = control(1.5, group="Style", minimum=0.25, maximum=4.0, decimals=2)
    style_blend: tuple[float, ...] = ()
    content_dir: str | None = control(None, group="Training", widget="text")
    faces_share: float = control(0.2, group="Training", minimum=0.0, maximum=1.0, decimals=2)
    filters: int = control(8, group="Network", minimum=8, maximum=64, step=8)
    residual_blocks: int = control(5, group="Network", minimum=1, maximum=10)
    # The last convolution's kernel, at full resolution: 3 x 3 costs a ninth of Johnson et al.'s
    # 9 x 9 and paints as well (its strokes come from the layers before it).
    output_kernel: int = 3
    # How the strokes meet the picture (network.OUTPUT_LAYERS): "add" repaints bright and dark areas;
    # "artanh", the earlier models', left them as they were.
    output: str = "add"
    preview_every: int = preview_every_control(10)
    checkpoint_every: int = control(100, group="Training", minimum=0, maximum=10_000, suffix=" steps")
    seed: int | None = seed_control(group="Training")

    def active_style_layers(self) -> dict[str, float]:
        return {name: weight for name, weight in self.style_layers.items() if weight != 0}


@worded
@dataclass(frozen=True)
class FastStyleApplyParams:
    """How to paint a picture, a folder of frames or a video with a trained style model.

    `strength` blends the painted result with the original (0 gives the original back).
    `preserve_colors` as in the Style engine. Pictures with a side over `tile_size` are painted in
    overlapping tiles to bound memory. For video, `temporal_smoothing` keeps still parts of the
    scene from flickering by blending each painted frame with the previous one where the content
    did not change.
    """

    strength: float = control(1.0, minimum=0.0, maximum=1.0, step=0.05, decimals=2, widget="slider")
    preserve_colors: str = control("none", choices=COLOR_CHOICES)
    tile_size: int = tile_size_control()
    temporal_smoothing: float = control(0.6, minimum=0.0, maximum=0.95, step=0.05, decimals=2, widget="slider")
