"""The parameter controls the picture-learning techniques (VAE, GAN, CycleGAN, fast style) share:
which pictures, how many, how long, in what batches, at what rate, from what seed, how often to
show a preview. One definition of each range, so they behave the same everywhere (their words are
in each technique's words file, as every control's are)."""

from __future__ import annotations

import math
from typing import Any

from studio.core.catalog import SHIPPED_DATASETS
from studio.core.params import control


def dataset_control() -> Any:
    """The training pictures: a shipped set name or a folder."""
    return control("faces", group="Data", choices=tuple(SHIPPED_DATASETS.items()))


def limit_control() -> Any:
    return control(None, group="Data", minimum=0, maximum=1_000_000, special="all")


def channels_control() -> Any:
    return control(1, group="Data", choices=((1, "Grey"), (3, "Colour")))


def epochs_control(default: int) -> Any:
    return control(default, group="Training", minimum=1, maximum=100_000)


def batch_control(default: int, minimum: int = 1, maximum: int = 1024) -> Any:
    return control(default, group="Training", minimum=minimum, maximum=maximum)


def learning_rate_control(default: float, minimum: float, maximum: float, step: float | None = None) -> Any:
    """A training step size; the box shows as many decimals as `minimum` needs."""
    decimals = max(0, -math.floor(math.log10(minimum)))
    return control(default, group="Training", minimum=minimum, maximum=maximum, step=step, decimals=decimals)


def preview_every_control(default: int) -> Any:
    """How many training steps go between two previews."""
    return control(default, group="Training", minimum=1, maximum=1000, suffix=" steps")
