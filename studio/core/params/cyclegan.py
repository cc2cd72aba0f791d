"""CycleGAN parameters: two collections of pictures, the networks that translate between them, how
to train them, and how to translate a picture. Known without TensorFlow, so the UI builds its form here.
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.params import control, seed_control, tile_size_control
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


@dataclass(frozen=True)
class CycleGanParams:
    """How to learn to translate pictures between collection A and collection B, and back.

    Each collection is a tuple of sources: folders (searched with their subfolders), picture files,
    or the name of a demo collection (DEMO_COLLECTIONS). Pictures of any size are cropped to a
    square, scaled a little above `size`, and trained on as random `size` crops, mirrored at random.
    """

    collection_a: tuple[str, ...] = control(
        ("grass",),
        label="A",
        tooltip="The pictures to translate from: a folder (subfolders too), several pictures, or a demo set. "
        "Any sizes; each is cropped to squares at random and mirrored.",
        group="Collections",
    )
    collection_b: tuple[str, ...] = control(
        ("gravel",),
        label="B",
        tooltip="The pictures whose look A should take on: a folder, several pictures, or a demo set. "
        "A hundred or more pictures of one kind teach best.",
        group="Collections",
    )
    generator: str = control(
        "resnet",
        label="Generator",
        tooltip="ResNet keeps the layout of the picture and changes its surface (textures, colours, "
        "light); U-Net is faster and smaller but tends to copy more of the original through.",
        group="Networks",
        choices=(("resnet", "ResNet (residual blocks)"), ("unet", "U-Net (skip connections)")),
    )
    size: int = control(
        128,
        label="Working size",
        tooltip="Side of the square crops the networks learn from. Larger sees bigger shapes "
        "(brush strokes, objects) but trains four times slower per doubling.",
        group="Training",
        minimum=MIN_SIZE,
        maximum=MAX_SIZE,
        step=SIZE_STEP,
        suffix=" px",
    )
    generator_filters: int = control(
        32,
        label="Generator width",
        tooltip="Filters in the generators' first layer (doubled as they shrink the picture). "
        "Wider learns finer, richer changes but trains slower; the paper uses 64.",
        group="Networks",
        minimum=8,
        maximum=128,
        step=8,
    )
    residual_blocks: int = control(
        6,
        label="Residual blocks",
        tooltip="Depth of the ResNet generator: more blocks can change larger structures, at more "
        "time per step (the paper uses 6 at 128 px and 9 at 256 px).",
        group="Networks",
        minimum=1,
        maximum=12,
    )
    discriminator_filters: int = control(
        64,
        label="Discriminator width",
        tooltip="Filters in the discriminators' first layer. They judge overlapping patches of about "
        "70 px, so the result is pushed toward the other collection's textures everywhere.",
        group="Networks",
        minimum=8,
        maximum=128,
        step=8,
    )
    epochs: int = control(
        20,
        label="Epochs",
        tooltip="Rounds of training in all (a resumed model counts those it has done). The learning "
        "rate falls to zero over the second half, which settles the pictures.",
        group="Training",
        minimum=1,
        maximum=1000,
    )
    steps_per_epoch: int | None = control(
        None,
        label="Steps per epoch",
        tooltip="Training steps between checkpoints. By default one pass over the larger collection.",
        group="Training",
        minimum=1,
        maximum=100_000,
        special="one pass",
    )
    batch_size: int = batch_control(
        1,
        maximum=16,
        tooltip="Pictures per step from each side. The paper uses 1; larger can be faster per picture on a GPU.",
    )
    learning_rate: float = learning_rate_control(
        2e-4,
        "How big a step the networks take; too high and the pictures flicker or collapse.",
        minimum=1e-5,
        maximum=1e-3,
        step=1e-5,
    )
    adam_beta_1: float = 0.5
    cycle_weight: float = control(
        10.0,
        label="Cycle weight",
        tooltip="How strongly a picture must come back unchanged after a round trip (A→B→A). "
        "Higher keeps more of each picture's content; lower lets the style take over.",
        group="Losses",
        minimum=0.0,
        maximum=50.0,
        step=0.5,
        decimals=1,
    )
    identity_weight: float = control(
        0.5,
        label="Identity (× cycle)",
        tooltip="How strongly a picture already like the target must stay as it is, as a share of "
        "the cycle weight. It keeps colours from drifting; 0 lets them change freely.",
        group="Losses",
        minimum=0.0,
        maximum=2.0,
        step=0.1,
        decimals=2,
    )
    pool_size: int = control(
        50,
        label="Fake pool",
        tooltip="Earlier generated pictures the discriminators are also shown, so they remember "
        "old mistakes and training oscillates less. 0 shows only the newest.",
        group="Training",
        minimum=0,
        maximum=200,
    )
    preview_every: int = preview_every_control(20, "Steps between refreshes of the sample strip.")
    seed: int | None = seed_control(
        "The same seed gives the same crops and starting networks, so runs can be compared.", "Training"
    )


@dataclass(frozen=True)
class CycleGanTranslateParams:
    """How to translate one picture with a trained CycleGAN."""

    direction: str = control(
        "a2b",
        label="Direction",
        tooltip="A→B makes the picture look like collection B; B→A the other way round.",
        group=TRANSLATE_GROUP,
        choices=(("a2b", "A → B"), ("b2a", "B → A")),
    )
    size: int | None = control(
        None,
        label="Long side",
        group=TRANSLATE_GROUP,
        tooltip="Shrink larger pictures to this long side before translating. The model changes "
        "details of about the size it saw while training, so a smaller picture gets a bolder change.",
        minimum=64,
        maximum=8192,
        step=64,
        suffix=" px",
        special="original",
    )
    tile_size: int = tile_size_control(
        "Larger pictures are translated in overlapping tiles of this size, blended without seams; smaller "
        "tiles use less memory.",
        TRANSLATE_GROUP,
    )
