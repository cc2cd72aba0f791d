"""The parameter controls the picture-learning techniques (VAE, GAN, CycleGAN, fast style) share:
which pictures, how many, how long, in what batches, at what rate, from what seed, how often to
show a preview. One definition each, so they read the same everywhere."""

from __future__ import annotations

import math
from typing import Any

from studio.core.catalog import SHIPPED_DATASETS
from studio.core.params import control, seed_control

EPOCH_HELP = "one epoch is a pass over the pictures, or over 2,000 varied copies of a smaller set"


def dataset_control(advice: str) -> Any:
    """The training pictures: a shipped set name or a folder; `advice` says how many suit the model."""
    return control(
        "faces",
        label="Pictures",
        tooltip=f"The pictures to learn from: a shipped set or a folder of your own ({advice})",
        group="Data",
        choices=tuple(SHIPPED_DATASETS.items()),
    )


def limit_control() -> Any:
    return control(
        None,
        label="Use at most",
        tooltip="Train on at most this many pictures of the set (quicker trials)",
        group="Data",
        minimum=0,
        maximum=1_000_000,
        special="all",
    )


def channels_control(what: str) -> Any:
    return control(
        1,
        label="Colour",
        tooltip=f"Make grey pictures ({what}) or colour ones",
        group="Data",
        choices=((1, "Grey"), (3, "Colour")),
    )


def epochs_control(default: int) -> Any:
    return control(
        default,
        label="Epochs",
        tooltip=f"How long to train: {EPOCH_HELP}; a resumed model trains until it has done this many",
        group="Training",
        minimum=1,
        maximum=100_000,
    )


def batch_control(
    default: int,
    minimum: int = 1,
    maximum: int = 1024,
    tooltip: str = "Pictures per training step: larger is steadier and faster per picture",
) -> Any:
    return control(default, label="Batch", tooltip=tooltip, group="Training", minimum=minimum, maximum=maximum)


def training_seed_control(what: str) -> Any:
    return seed_control(f"The same seed trains the same {what} again; random gives a new one each time", "Training")


def learning_rate_control(
    default: float,
    tooltip: str,
    minimum: float,
    maximum: float,
    label: str = "Learning rate",
    step: float | None = None,
) -> Any:
    """A training step size; the box shows as many decimals as `minimum` needs."""
    decimals = max(0, -math.floor(math.log10(minimum)))
    return control(
        default,
        label=label,
        tooltip=tooltip,
        group="Training",
        minimum=minimum,
        maximum=maximum,
        step=step,
        decimals=decimals,
    )


def preview_every_control(default: int, tooltip: str) -> Any:
    """How many training steps go between two previews; `tooltip` says what the preview shows."""
    return control(
        default, label="Preview every", tooltip=tooltip, group="Training", minimum=1, maximum=1000, suffix=" steps"
    )
