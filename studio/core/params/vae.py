"""Variational autoencoder parameters: a frozen recipe that round-trips through JSON."""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.params import control, pictures, seed_control, worded

# What a resumed run takes from the settings; the rest (the architecture) stays the model's own.
TRAINING_FIELDS = (
    "dataset",
    "limit",
    "beta",
    "kl_warmup",
    "free_bits",
    "augment",
    "epochs",
    "batch_size",
    "learning_rate",
    "seed",
)
# How far a grid or walk reaches either side of the centre, in spreads of the training codes: at 1 the
# faces barely differ, at 2 pose, lighting and face shape clearly change across the plane.
GRID_EXTENT = 2.0


@worded
@dataclass(frozen=True)
class VaeParams:
    """How to build and train a VAE.

    `dataset` is a folder of pictures or a shipped set name (see studio.core.datasets.SHIPPED).
    Pictures are resized to `image_size` (divisible by 2 ** len(filters), as each encoder
    convolution halves it) with `channels` 1 (grey) or 3 (colour). `beta` weighs the KL term
    against the reconstruction, reached over the first `kl_warmup` of the run; `free_bits` nats per
    dimension go uncharged so no dimension is switched off early; `augment` trains on mirrored,
    shifted, zoomed and relit variants. An epoch is one pass over the pictures, or over 2,000
    varied copies of a smaller set. The defaults train on the shipped 100 faces in about three
    minutes of a two-core CPU.
    """

    dataset: str = pictures.dataset_control()
    image_size: int = control(32, group="Data", minimum=8, maximum=128, step=4, suffix=" px")
    channels: int = pictures.channels_control()
    limit: int | None = pictures.limit_control()
    latent_dim: int = control(8, group="Model", minimum=1, maximum=256)
    filters: tuple[int, ...] = (32, 64, 128)
    dense_units: int = 256
    beta: float = control(1.0, group="Training", minimum=0.0, maximum=10.0, step=0.1, decimals=2)
    kl_warmup: float = control(0.25, group="Training", minimum=0.0, maximum=1.0, step=0.05, decimals=2)
    free_bits: float = control(0.5, group="Training", minimum=0.0, maximum=5.0, step=0.1, decimals=2)
    augment: bool = control(True, group="Training")
    epochs: int = pictures.epochs_control(120)
    batch_size: int = pictures.batch_control(64, minimum=1)
    learning_rate: float = pictures.learning_rate_control(1e-3, minimum=1e-5, maximum=0.1)
    seed: int | None = seed_control(group="Training")

    def problems(self) -> list[str]:
        """What is wrong with these settings, in words a user can act on (empty when all is well)."""
        found = []
        reduction = 2 ** len(self.filters)
        if self.image_size % reduction:
            fitting = self.image_size // reduction * reduction or reduction
            found.append(
                f"The picture size ({self.image_size}) must be divisible by {reduction} "
                f"for {len(self.filters)} convolution layers: try {fitting}."
            )
        if self.channels not in (1, 3):
            found.append("Channels must be 1 (grey) or 3 (colour).")
        if self.latent_dim < 1:
            found.append("The latent space needs at least 1 dimension (2 to see it as a plane).")
        if self.beta < 0 or self.free_bits < 0:
            found.append("Beta (the KL weight) and free detail cannot be negative.")
        if not 0 <= self.kl_warmup <= 1:
            found.append("The warm-up is a share of the run, between 0 and 1.")
        if self.epochs < 1 or self.batch_size < 1:
            found.append("Epochs and batch size must be at least 1.")
        if not self.filters:
            found.append("The encoder needs at least one convolution layer.")
        return found
