"""CycleGAN parameters: two collections of pictures, the networks that translate between them, how
to train them, and how to translate a picture. Known without TensorFlow, so the UI builds its form here.
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.params import control, seed_control, tile_size_control, worded
from studio.core.params.pictures import batch_control, learning_rate_control, preview_every_control

GENERATORS = ("resnet", "unet")
DIRECTIONS = ("a2b", "b2a")
MIN_SIZE, MAX_SIZE, SIZE_STEP = 64, 256, 16
# Collections made at run time from scikit-image's textures (offline): name -> title for choosers.
DEMO_COLLECTIONS: dict[str, str] = {
    "grass": "Grass (crops of a grass photo from scikit-image, offline)",
    "gravel": "Gravel (crops of a gravel photo from scikit-image, offline)",
    "brick": "Brick wall (crops of a brick photo from scikit-image, offline)",
    "tissue": "Stained tissue (colour crops of a micrograph from scikit-image, offline)",
}
# The four loss curves a training job streams in `Progress.metrics` (key -> label), and the
# reconstruction error it streams beside them.
LOSS_CURVES: dict[str, str] = {
    "g_a2b": "Generator A→B",
    "g_b2a": "Generator B→A",
    "d_a": "Discriminator A",
    "d_b": "Discriminator B",
}
CYCLE_ERROR = "cycle"
TRANSLATE_GROUP = "Translate the Content picture"
# Fields that fix the networks' shape: a saved model keeps its own, whatever a resume asks for.
ARCHITECTURE_FIELDS = ("generator", "generator_filters", "residual_blocks", "discriminator_filters")


@worded
@dataclass(frozen=True)
class CycleGanParams:
    """How to learn to translate pictures between collection A and collection B, and back.

    Each collection is a tuple of sources: folders (searched with their subfolders), picture files,
    or the name of a demo collection (DEMO_COLLECTIONS). Pictures of any size are cropped to a
    square, scaled a little above `size`, and trained on as random `size` crops, mirrored at random.
    """

    collection_a: tuple[str, ...] = control(("grass",), group="Collections")
    collection_b: tuple[str, ...] = control(("gravel",), group="Collections")
    generator: str = control(
        "resnet",
        group="Networks",
        choices=(("resnet", "ResNet (residual blocks)"), ("unet", "U-Net (skip connections)")),
    )
    size: int = control(128, group="Training", minimum=MIN_SIZE, maximum=MAX_SIZE, step=SIZE_STEP, suffix=" px")
    generator_filters: int = control(32, group="Networks", minimum=8, maximum=128, step=8)
    residual_blocks: int = control(6, group="Networks", minimum=1, maximum=12)
    discriminator_filters: int = control(64, group="Networks", minimum=8, maximum=128, step=8)
    epochs: int = control(20, group="Training", minimum=1, maximum=1000)
    steps_per_epoch: int | None = control(None, group="Training", minimum=1, maximum=100_000, special="one pass")
    batch_size: int = batch_control(1, maximum=16)
    learning_rate: float = learning_rate_control(2e-4, minimum=1e-5, maximum=1e-3, step=1e-5)
    adam_beta_1: float = 0.5
    cycle_weight: float = control(10.0, group="Losses", minimum=0.0, maximum=50.0, step=0.5, decimals=1)
    identity_weight: float = control(0.5, group="Losses", minimum=0.0, maximum=2.0, step=0.1, decimals=2)
    pool_size: int = control(50, group="Training", minimum=0, maximum=200)
    preview_every: int = preview_every_control(20)
    seed: int | None = seed_control(group="Training")


@worded
@dataclass(frozen=True)
class CycleGanTranslateParams:
    """How to translate one picture with a trained CycleGAN."""

    direction: str = control("a2b", group=TRANSLATE_GROUP, choices=(("a2b", "A → B"), ("b2a", "B → A")))
    size: int | None = control(
        None, group=TRANSLATE_GROUP, minimum=64, maximum=8192, step=64, suffix=" px", special="original"
    )
    tile_size: int = tile_size_control(TRANSLATE_GROUP)
