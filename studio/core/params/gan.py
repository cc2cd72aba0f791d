"""DCGAN parameters: the networks' shape, the training tricks, and how to sample."""

from __future__ import annotations

from dataclasses import dataclass

GAN_SIZES = (28, 32, 64)  # 28 for MNIST-size pictures; 32 and 64 as in the reference chapter
# Fields that fix the networks' shape: a saved model keeps its own, whatever a resume asks for.
ARCHITECTURE_FIELDS = ("image_size", "channels", "latent_dim", "base_filters")


@dataclass(frozen=True)
class GanParams:
    """How to build and train a DCGAN.

    `dataset` is a shipped set ("faces", "mnist", "fashion_mnist", "cifar10") or a folder of
    pictures, resized to `image_size` and read as grey (`channels` 1) or colour (3).
    `base_filters` is the discriminator's first width; the networks double it per step of
    resolution. The tricks from the reference chapter are knobs: `label_noise` (how far real and
    fake labels are pushed toward each other at random), `dropout` in the discriminator, and one
    learning rate per network (lower `d_learning_rate` when the discriminator wins).
    """

    dataset: str = "faces"
    limit: int | None = None
    image_size: int = 32
    channels: int = 1
    latent_dim: int = 128
    base_filters: int = 64
    epochs: int = 50
    batch_size: int = 32
    d_learning_rate: float = 1e-4
    g_learning_rate: float = 1e-4
    adam_beta_1: float = 0.5
    label_noise: float = 0.05
    dropout: float = 0.2
    report_every: int = 5
    seed: int | None = None


@dataclass(frozen=True)
class GanSampleParams:
    """A grid of `count` generated pictures, `columns` wide, from latent points drawn with `seed`.

    `truncation` (the "truncation trick"): latent components farther than this from zero are
    drawn again, trading variety for cleaner pictures; None keeps the plain normal distribution.
    """

    count: int = 64
    columns: int = 8
    seed: int | None = None
    truncation: float | None = None
