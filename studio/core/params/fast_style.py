"""Fast style transfer parameters: training a style model once, and applying it to pictures and video."""

from __future__ import annotations

from dataclasses import dataclass, field

from studio.core.catalog import DEFAULT_BACKBONE
from studio.core.params import control, seed_control, tile_size_control
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
    content_weight: float = control(
        1.0,
        label="Content",
        tooltip="How strongly the result keeps the shapes of the picture it paints.",
        group="Losses",
        minimum=0.0,
        maximum=100.0,
        decimals=3,
    )
    style_weight: float = control(
        0.01,
        label="Style",
        tooltip="How strongly the result takes on the style's textures and strokes.",
        group="Losses",
        minimum=0.0,
        maximum=1.0,
        step=0.0005,
        decimals=4,
    )
    tv_weight: float = control(
        30.0,
        label="Smoothness",
        tooltip="Higher removes speckle and grain from the painted result; too high blurs it.",
        group="Losses",
        minimum=0.0,
        maximum=1000.0,
        decimals=1,
    )
    size: int = control(
        256,
        label="Training size",
        tooltip="Side of the square crops the network learns on. Brush strokes keep this scale in pixels.",
        group="Training",
        minimum=64,
        maximum=512,
        step=32,
        suffix=" px",
    )
    steps: int = control(
        700,
        label="Steps",
        tooltip="Training steps in all (a resumed model counts the ones it has done). More: a cleaner style.",
        group="Training",
        minimum=1,
        maximum=100_000,
    )
    batch_size: int = batch_control(1, maximum=16, tooltip="Crops per step. Larger steps are steadier but slower.")
    learning_rate: float = learning_rate_control(
        5e-3,
        "How fast the network changes at first (it slows toward the last step). Lower it if the preview turns "
        "to noise.",
        minimum=1e-5,
        maximum=1e-2,
    )
    style_scale: float = control(
        1.5,
        label="Style scale",
        tooltip="Size of the style picture relative to the crops: above 1 paints larger strokes.",
        group="Style",
        minimum=0.25,
        maximum=4.0,
        decimals=2,
    )
    style_blend: tuple[float, ...] = ()
    content_dir: str | None = control(
        None,
        label="Your pictures",
        tooltip="A folder of your own pictures to learn on, besides the shipped photos and faces.",
        group="Training",
        widget="text",
    )
    faces_share: float = control(
        0.2,
        label="Faces",
        tooltip="Share of the crops that are faces, so portraits paint well.",
        group="Training",
        minimum=0.0,
        maximum=1.0,
        decimals=2,
    )
    filters: int = control(
        8,
        label="Width",
        tooltip="Channels of the network's first layer. Wider paints finer detail; narrower trains and applies faster.",
        group="Network",
        minimum=8,
        maximum=64,
        step=8,
    )
    residual_blocks: int = control(
        5,
        label="Depth",
        tooltip="Residual blocks in the network. More can paint more complex styles.",
        group="Network",
        minimum=1,
        maximum=10,
    )
    # The last convolution's kernel, at full resolution: 3 x 3 costs a ninth of Johnson et al.'s
    # 9 x 9 and paints as well (its strokes come from the layers before it).
    output_kernel: int = 3
    # How the strokes meet the picture (network.OUTPUT_LAYERS): "add" repaints bright and dark areas;
    # "artanh", the earlier models', left them as they were.
    output: str = "add"
    preview_every: int = preview_every_control(10, "Paint the preview picture every this many steps.")
    checkpoint_every: int = control(
        100,
        label="Save every",
        tooltip="Save the model every this many steps (0: only at the end and when stopped).",
        group="Training",
        minimum=0,
        maximum=10_000,
        suffix=" steps",
    )
    seed: int | None = seed_control("Fix it to train the same network again from the same pictures.", group="Training")

    def active_style_layers(self) -> dict[str, float]:
        return {name: weight for name, weight in self.style_layers.items() if weight != 0}


@dataclass(frozen=True)
class FastStyleApplyParams:
    """How to paint a picture, a folder of frames or a video with a trained style model.

    `strength` blends the painted result with the original (0 gives the original back).
    `preserve_colors` as in the Style engine. Pictures with a side over `tile_size` are painted in
    overlapping tiles to bound memory. For video, `temporal_smoothing` keeps still parts of the
    scene from flickering by blending each painted frame with the previous one where the content
    did not change.
    """

    strength: float = control(
        1.0,
        label="Strength",
        tooltip="How much of the painting shows over the original picture: 0 leaves the picture as it was.",
        minimum=0.0,
        maximum=1.0,
        step=0.05,
        decimals=2,
        widget="slider",
    )
    preserve_colors: str = control(
        "none",
        label="Keep colours",
        tooltip="Paint the texture but keep the picture's own colours.",
        choices=COLOR_CHOICES,
    )
    tile_size: int = tile_size_control(
        "Larger pictures are painted in overlapping tiles of this size, so memory stays bounded."
    )
    temporal_smoothing: float = control(
        0.6,
        label="Steady video",
        tooltip="Holds still parts of a video steady from frame to frame (less flicker); 0 paints each frame alone.",
        minimum=0.0,
        maximum=0.95,
        step=0.05,
        decimals=2,
        widget="slider",
    )
