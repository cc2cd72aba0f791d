"""How a photo is projected into a GAN (`studio.engines.gan.project_job`): the latent point whose
picture looks most like it, found by gradient descent."""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.params import control


@dataclass(frozen=True)
class GanProjectionParams:
    steps: int = control(
        300,
        label="Projection steps",
        tooltip="Refinement steps of a projection: more match the photo more closely, and take longer",
        group="Photo",
        minimum=10,
        maximum=5000,
    )
    learning_rate: float = control(
        0.05,
        label="Step size",
        tooltip="How far each step moves the point: larger finds a match sooner but may overshoot it",
        group="Photo",
        minimum=0.005,
        maximum=0.5,
        step=0.005,
        decimals=3,
    )
