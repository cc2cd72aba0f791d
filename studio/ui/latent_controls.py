"""The Latent Explorer's controls for parameter fields whose dataclass declares none yet.

A bridge (see `ParamForm`'s `controls`): each entry is written as the field's `control(...)`
would be in `studio/core/params/vae.py` and `gan.py`, and moves there; the form refuses an entry
for a field that already declares its own control, so none can linger after the move.
"""

from __future__ import annotations

from studio.core.params import control
from studio.core.params.gan import GAN_SIZES

RANDOM_SEED = {"minimum": 0, "maximum": 2**31 - 1, "special": "random"}
PICTURES_LIMIT = {"minimum": 1, "maximum": 1_000_000, "special": "all"}
COLOURS = ((1, "Grey"), (3, "Colour"))

VAE_CONTROLS = {
    "dataset": control(label="Train on", group="Pictures", tooltip="The pictures the model learns to make."),
    "image_size": control(
        label="Picture size",
        group="Pictures",
        minimum=8,
        maximum=256,
        step=4,
        suffix=" px",
        tooltip="Side of the square pictures it learns and makes; larger shows more detail and trains slower.",
    ),
    "channels": control(
        label="Colours",
        group="Pictures",
        choices=COLOURS,
        tooltip="Grey pictures learn faster; colour ones look richer.",
    ),
    "limit": control(
        label="At most",
        group="Pictures",
        **PICTURES_LIMIT,
        tooltip="Learn from this many pictures only: quicker trials.",
    ),
    "latent_dim": control(
        label="Latent size",
        group="Model",
        minimum=1,
        maximum=256,
        tooltip="How many numbers describe a picture: 2 shows the whole space as one map; more hold more detail.",
    ),
    "beta": control(
        label="Beta (KL weight)",
        group="Model",
        widget="slider",
        minimum=0.0,
        maximum=8.0,
        decimals=2,
        tooltip="Higher gives a smoother map where every point is a plausible picture, and blurrier pictures.",
    ),
    "epochs": control(
        label="Epochs",
        group="Training",
        minimum=1,
        maximum=10_000,
        tooltip="Passes over the pictures in all: more give sharper pictures; a continued model trains up to this.",
    ),
    "batch_size": control(
        label="Batch size",
        group="Training",
        minimum=1,
        maximum=4096,
        step=8,
        tooltip="Pictures per training step: larger is steadier per step, smaller learns in more steps.",
    ),
    "learning_rate": control(
        label="Learning rate",
        group="Training",
        minimum=1e-5,
        maximum=0.1,
        step=1e-4,
        decimals=5,
        tooltip="How big each learning step is: too high and the pictures smear or stop improving.",
    ),
    "seed": control(
        label="Seed",
        group="Training",
        **RANDOM_SEED,
        tooltip="The same seed trains the same model again; random gives a new one each time.",
    ),
}

GAN_CONTROLS = {
    "dataset": control(label="Train on", group="Pictures", tooltip="The pictures the GAN learns to imitate."),
    "limit": control(
        label="At most",
        group="Pictures",
        **PICTURES_LIMIT,
        tooltip="Learn from this many pictures only: quicker trials.",
    ),
    "image_size": control(
        label="Size",
        group="Model",
        choices=tuple((size, f"{size} × {size} px") for size in GAN_SIZES),
        tooltip="Side of the pictures it makes: 64 px shows more and trains about four times slower than 32.",
    ),
    "channels": control(
        label="Colours",
        group="Model",
        choices=COLOURS,
        tooltip="Grey pictures are easier to learn; colour ones richer.",
    ),
    "latent_dim": control(
        label="Latent size",
        group="Model",
        minimum=2,
        maximum=1024,
        tooltip="How many random numbers seed each picture: more can hold more variety.",
    ),
    "base_filters": control(
        label="Width",
        group="Model",
        minimum=4,
        maximum=512,
        tooltip="Width of the networks: wider can learn finer detail and trains slower.",
    ),
    "epochs": control(
        label="Epochs",
        group="Model",
        minimum=1,
        maximum=10_000,
        tooltip="Passes over the pictures in all: a continued model trains until it has done this many.",
    ),
    "batch_size": control(
        label="Batch size",
        group="Model",
        minimum=1,
        maximum=1024,
        tooltip="Pictures per training step: larger is steadier, smaller learns in more steps.",
    ),
    "d_learning_rate": control(
        label="Discriminator rate",
        group="Training tricks",
        minimum=0.0,
        maximum=0.01,
        step=1e-5,
        decimals=6,
        tooltip="How fast the judge learns: lower it when it wins (its loss near zero) and the pictures stall.",
    ),
    "g_learning_rate": control(
        label="Generator rate",
        group="Training tricks",
        minimum=0.0,
        maximum=0.01,
        step=1e-5,
        decimals=6,
        tooltip="How fast the picture maker learns.",
    ),
    "label_noise": control(
        label="Label noise",
        group="Training tricks",
        widget="slider",
        minimum=0.0,
        maximum=0.45,
        tooltip="Random softening of the real/fake labels: keeps the game from stalling on one kind of picture.",
    ),
    "dropout": control(
        label="Dropout",
        group="Training tricks",
        widget="slider",
        minimum=0.0,
        maximum=0.9,
        tooltip="Dropout in the judge: more of it slows a judge that wins, so the pictures keep improving.",
    ),
}

SAMPLE_CONTROLS = {
    "seed": control(
        label="Seed", group="Sampling", **RANDOM_SEED, tooltip="The same seed draws the same grid of pictures again."
    ),
    "truncation": control(
        label="Truncation",
        group="Sampling",
        minimum=0.2,
        maximum=3.0,
        step=0.1,
        decimals=1,
        special="off",
        tooltip="Redraws latent values beyond this: cleaner, more typical pictures with less variety.",
    ),
}
