"""How a photo is projected into a GAN (`studio.engines.gan.project_job`): the latent point whose
picture looks most like it, found by gradient descent."""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.params import control, worded


@worded
@dataclass(frozen=True)
class GanProjectionParams:
    steps: int = control(300, group="Photo", minimum=10, maximum=5000)
    learning_rate: float = control(0.05, group="Photo", minimum=0.005, maximum=0.5, step=0.005, decimals=3)
