"""Every job the app can run, by name: the UI names a job here and the runner imports its engine
on the compute thread, so the UI never imports TensorFlow. A test resolves every entry, and `Job`
refuses a name that is not here, so a renamed engine function fails a test, not an artist's click."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

from studio.core.progress import Progress

# name -> "package.module:function"; the function takes keyword arguments and returns a generator of Progress.
TARGETS: dict[str, str] = {
    "compute.warm_up": "studio.core.compute:warm_up",
    "backbone.layer_names": "studio.core.backbones:layer_names",
    "dream": "studio.engines.dream:dream_job",
    "dream.animation": "studio.engines.dream_animation:dream_animation_job",
    "dream.save_animation": "studio.engines.dream_animation:save_animation_job",
    "style.stylize": "studio.engines.style:stylize_job",
    "style.stylize_regions": "studio.engines.style.regions:stylize_regions_job",
    "fast_style.train": "studio.engines.fast_style.training:train_style_job",
    "fast_style.paint": "studio.engines.fast_style.jobs:paint_picture_job",
    "fast_style.paint_frames": "studio.engines.fast_style.jobs:paint_frames_job",
    "fast_style.thumbnails": "studio.engines.fast_style.jobs:thumbnails_job",
    "text.summarize_corpus": "studio.core.corpus:summarize",
    "text.train": "studio.engines.text:train_job",
    "text.describe_model": "studio.engines.text:describe_model_job",
    "text.generate": "studio.engines.text:generate_job",
    "text.choices": "studio.engines.text:choices_job",
    "vae.train": "studio.engines.vae:train_job",
    "vae.load": "studio.engines.vae:load_job",
    "vae.save": "studio.engines.vae:save_job",
    "vae.grid": "studio.engines.vae:grid_job",
    "vae.animation": "studio.engines.vae:animation_job",
    "vae.concept": "studio.engines.vae:concept_job",
    "vae.decode": "studio.engines.latent:decode_job",
    "vae.encode": "studio.engines.vae:encode_job",
    "vae.strip": "studio.engines.vae:strip_job",
    "gan.train": "studio.engines.gan:train_gan_job",
    "gan.load": "studio.engines.gan:load_gan_job",
    "gan.save": "studio.engines.gan:save_gan_job",
    "gan.sample_grid": "studio.engines.gan:sample_grid_job",
    "gan.interpolation": "studio.engines.gan:interpolation_job",
    "gan.export_walk": "studio.engines.gan:export_walk_job",
    "cyclegan.train": "studio.engines.cyclegan:train_cyclegan_job",
    "cyclegan.translate": "studio.engines.cyclegan:translate",
    "cyclegan.load": "studio.engines.cyclegan:load_cyclegan_job",
    "cyclegan.save": "studio.engines.cyclegan:save_cyclegan_job",
    "gan.directions": "studio.engines.gan:explorer_job",
    "gan.decode": "studio.engines.latent:decode_job",
    "gan.project": "studio.engines.gan:project_job",
}


def check_target(name: str) -> str:
    """`name` if the registry knows it; otherwise a ValueError that says where to add it."""
    if name not in TARGETS:
        raise ValueError(f"Unknown job '{name}': add it to TARGETS in {__name__}.")
    return name


def resolve(name: str) -> Callable[..., Iterator[Progress]]:
    """Import the engine function registered as `name` (this may import TensorFlow: call it on the compute thread)."""
    module_name, _, attribute = TARGETS[check_target(name)].partition(":")
    function: Any = getattr(importlib.import_module(module_name), attribute)
    return function
