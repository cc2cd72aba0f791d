"""DCGAN parameters: the networks' shape, the training tricks, and how to sample."""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.params import control, pictures, seed_control, worded

GAN_SIZES = (28, 32, 64)  # 28 for MNIST-size pictures; 32 and 64 as in the reference chapter
# Fields that fix the networks' shape: a saved model keeps its own, whatever a resume asks for.
ARCHITECTURE_FIELDS = ("image_size", "channels", "latent_dim", "base_filters")


@worded
@dataclass(frozen=True)
class GanParams:
    """How to build and train a DCGAN.

    `dataset` is a shipped set (see studio.core.catalog.SHIPPED_DATASETS) or a folder of pictures,
    resized to `image_size` and read as grey (`channels` 1) or colour (3). `base_filters` is the
    generator's width at full resolution; both networks double it per halving of the resolution.
    Small sets train with differentiable augmentation (`augment`) of every picture the
    discriminator sees, and pictures are sampled from an exponential moving average of the
    generator (`ema_decay`). The chapter's tricks stay as knobs: `label_noise`, `dropout` in the
    discriminator, one learning rate per network. An epoch is one pass over the pictures, or over
    2,000 varied copies of a smaller set. The defaults train on the shipped 100 faces in about
    three minutes of a two-core CPU.
    """

    dataset: str = pictures.dataset_control()
    limit: int | None = pictures.limit_control()
    image_size: int = control(32, group="Data", choices=tuple((size, f"{size} px") for size in GAN_SIZES))
    channels: int = pictures.channels_control()
    latent_dim: int = control(64, group="Model", minimum=2, maximum=512)
    base_filters: int = control(16, group="Model", minimum=4, maximum=256)
    epochs: int = pictures.epochs_control(80)
    batch_size: int = pictures.batch_control(32, minimum=2)
    d_learning_rate: float = pictures.learning_rate_control(2e-4, minimum=1e-6, maximum=0.01)
    g_learning_rate: float = pictures.learning_rate_control(2e-4, minimum=1e-6, maximum=0.01)
    adam_beta_1: float = 0.5
    augment: bool = control(True, group="Tricks")
    ema_decay: float = control(0.995, group="Tricks", minimum=0.0, maximum=0.9999, step=0.001, decimals=4)
    label_noise: float = control(0.0, group="Tricks", minimum=0.0, maximum=0.45, step=0.05, decimals=2)
    dropout: float = control(0.0, group="Tricks", minimum=0.0, maximum=0.9, step=0.05, decimals=2)
    seed: int | None = seed_control(group="Training")


@worded
@dataclass(frozen=True)
class GanSampleParams:
    """A grid of `count` generated pictures, `columns` wide, from latent points drawn with `seed`.

    `truncation` (the "truncation trick"): latent components farther than this from zero are
    drawn again, trading variety for cleaner pictures; None keeps the plain normal distribution.
    """

    count: int = control(64, group="Sampling", minimum=1, maximum=1024)
    columns: int = control(8, group="Sampling", minimum=1, maximum=64)
    seed: int | None = seed_control(group="Sampling")
    truncation: float | None = control(
        None, group="Sampling", minimum=0.1, maximum=3.0, step=0.1, decimals=1, special="off"
    )
