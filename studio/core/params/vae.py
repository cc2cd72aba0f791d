"""Variational autoencoder parameters: a frozen recipe that round-trips through JSON."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VaeParams:
    """How to build and train a VAE.

    `dataset` is a folder of pictures or a shipped set name (see studio.core.datasets.SHIPPED).
    Pictures are resized to `image_size` (divisible by 2 ** len(filters), as each encoder
    convolution halves it) with `channels` 1 (grey) or 3 (colour). `beta` weighs the KL term
    against the reconstruction: above 1 gives a smoother, more disentangled latent space and
    blurrier pictures. The architecture is the reference chapter's MNIST model; epochs and batch
    size suit the shipped 100 faces (many small steps), so the default run shows something in a minute.
    """

    dataset: str = "faces"
    image_size: int = 28
    channels: int = 1
    limit: int | None = None
    latent_dim: int = 2
    filters: tuple[int, ...] = (32, 64)
    dense_units: int = 16
    beta: float = 1.0
    epochs: int = 100
    batch_size: int = 32
    learning_rate: float = 2e-3
    seed: int | None = None

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
        if self.beta < 0:
            found.append("Beta (the KL weight) cannot be negative.")
        if self.epochs < 1 or self.batch_size < 1:
            found.append("Epochs and batch size must be at least 1.")
        if not self.filters:
            found.append("The encoder needs at least one convolution layer.")
        return found
