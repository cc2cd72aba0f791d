"""The style-transfer job: check the parameters, then optimise coarse to fine, yielding previews."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import keras
import numpy as np

from studio.core.backbones import Backbone, load_backbone
from studio.core.image_ops import octave_shapes, resize, to_rgb, to_working
from studio.core.images import fit_within, scaled_shape
from studio.core.params.style import INIT_MODES, MAX_SIZE, OPTIMIZERS, StyleParams
from studio.core.progress import CostLedger, JobError, Progress
from studio.engines.style.colour import check_colour_mode, luminance_only, match_colors, match_luminance, with_chroma
from studio.engines.style.objective import objective_for
from studio.engines.style.optimisers import SteppedAdam, SteppedLbfgs

MIN_SIDE = 32  # smallest picture side a scale may have
NOISE_STD = 0.25  # spread of the "noise" starting picture, in the [-1, 1] working space


def check_params(params: StyleParams, num_styles: int, has_init_image: bool) -> None:
    if num_styles < 1:
        raise JobError("Add at least one style picture.")
    if not MIN_SIDE <= params.size <= MAX_SIZE:
        raise JobError(f"Choose a size between {MIN_SIDE} and {MAX_SIZE} pixels on the long side.")
    if params.iterations < 1 or params.num_scales < 1:
        raise JobError("Use at least one iteration and one scale.")
    if params.optimizer not in OPTIMIZERS:
        raise JobError(f"Unknown optimizer '{params.optimizer}'. Choose one of: {', '.join(OPTIMIZERS)}.")
    check_colour_mode(params.preserve_colors)
    if params.init not in INIT_MODES:
        raise JobError(f"Unknown start '{params.init}'. Choose one of: {', '.join(INIT_MODES)}.")
    if params.init == "image" and not has_init_image:
        raise JobError("Starting from an image needs that image (a previous result or checkpoint).")
    if not params.active_style_layers():
        raise JobError("Give at least one style layer a non-zero weight.")
    if not 0.1 <= params.style_scale <= 4:
        raise JobError("Choose a style scale between 0.1 and 4.")
    if params.style_blend and (
        len(params.style_blend) != num_styles or min(params.style_blend) < 0 or sum(params.style_blend) <= 0
    ):
        raise JobError("Give one blend weight per style picture, none negative and not all zero.")
    if min(params.content_weight, params.style_weight, params.tv_weight) < 0:
        raise JobError("Loss weights cannot be negative.")


def split_evenly(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if index < total % parts else 0) for index in range(parts)]


def loss_weights(params: StyleParams) -> np.ndarray:
    """[content, total variation, style layer 1, 2, ...]: each style layer's share of `style_weight`."""
    layers = params.active_style_layers()
    shares = np.array(list(layers.values()), np.float64) / sum(layers.values())
    return np.array([params.content_weight, params.tv_weight, *(params.style_weight * shares)], np.float32)


def stylize(
    content: np.ndarray,
    styles: list[np.ndarray],
    params: StyleParams,
    backbone: Backbone,
    init_image: np.ndarray | None = None,
) -> Iterator[Progress]:
    """Paint `content` (uint8 RGB) in the style of `styles` (uint8 RGB, any sizes).

    Yields a Progress with a preview after every step (and the picture in `data["checkpoint"]`
    every `params.checkpoint_every` steps), and one without between the tiles of large pictures, and
    returns the uint8 RGB result, `params.size` pixels on its long side. `init_image` is the
    starting picture when `params.init` is "image". Progress is weighed by cost: a step costs what
    an evaluation at its scale does.
    """
    check_params(params, len(styles), init_image is not None)
    objective = objective_for(backbone, params.content_layer, tuple(params.active_style_layers()), params.tile_size)
    weights = loss_weights(params)
    blend = np.array(params.style_blend or [1.0] * len(styles), np.float64)
    blend = list(blend / blend.sum())
    rng = np.random.default_rng(params.seed)

    # Nothing needs more pixels than the final scale: shrink huge pictures before going to float.
    content_full = to_working(fit_within(content, params.size))
    style_limit = max(MIN_SIDE, round(params.size * params.style_scale))
    styles_full = [to_working(fit_within(style, style_limit)) for style in styles]
    if params.preserve_colors == "luminance":
        styles_full = [match_luminance(style, content_full) for style in styles_full]
    elif params.preserve_colors == "match":
        styles_full = [match_colors(style, content_full) for style in styles_full]

    shapes = octave_shapes(scaled_shape(content.shape[:2], params.size), params.num_scales, 2.0, MIN_SIDE)
    if init_image is not None and params.init == "image":
        # Resume: the scales the given picture already covers are done.
        first = max([i for i, shape in enumerate(shapes) if max(shape) <= max(init_image.shape[:2])], default=0)
        shapes = shapes[first:]
    steps_per_scale = split_evenly(params.iterations, len(shapes))
    ledger = CostLedger(
        [(num_steps, objective.evaluation_cost(*shape)) for shape, num_steps in zip(shapes, steps_per_scale)]
    )
    current = None
    for scale, (shape, num_steps) in enumerate(zip(shapes, steps_per_scale)):
        scale_label = f"Scale {scale + 1}/{len(shapes)} ({shape[1]}×{shape[0]})"
        content_here = resize(content_full, shape)
        work_content = luminance_only(content_here) if params.preserve_colors == "luminance" else content_here
        style_side = max(MIN_SIDE, round(max(shape) * params.style_scale))
        styles_here = [resize(style, scaled_shape(style.shape[:2], style_side)) for style in styles_full]
        targets = yield from ledger.heartbeats(
            objective.targets(work_content, styles_here, blend), scale, 0, f"{scale_label} · preparing", counted=False
        )
        current = _start(params, scale, shape, current, work_content, init_image, rng)
        chroma = content_here if params.preserve_colors == "luminance" else None
        evaluate = functools.partial(objective.evaluate, targets=targets, weights=weights)
        optimizer = (
            SteppedLbfgs(evaluate, current, num_steps)
            if params.optimizer == "lbfgs"
            else SteppedAdam(evaluate, current, params.learning_rate)
        )
        try:
            for step in range(num_steps):
                label = f"{scale_label} · step {step + 1}"
                picture = yield from ledger.heartbeats(optimizer.step(), scale, step, label)
                if picture is None:  # L-BFGS can go no further at this scale
                    break
                current = picture
                preview = _visible(current, chroma)
                done = ledger.steps_done(scale, step + 1)
                checkpoint = params.checkpoint_every > 0 and done % params.checkpoint_every == 0
                yield ledger.progress(
                    scale,
                    step + 1,
                    stage=label,
                    preview=preview,
                    metrics=optimizer.last.metrics,
                    data={"checkpoint": preview} if checkpoint else {},
                )
        finally:
            optimizer.close()
    return _visible(current, chroma)


def _visible(picture: np.ndarray, chroma_source: np.ndarray | None) -> np.ndarray:
    """The working picture as uint8 RGB, in the content's colours when only luminance was transferred."""
    return to_rgb(picture if chroma_source is None else with_chroma(picture, chroma_source))


def _start(
    params: StyleParams,
    scale: int,
    shape: tuple[int, int],
    previous: np.ndarray | None,
    content: np.ndarray,
    init_image: np.ndarray | None,
    rng: np.random.Generator,
) -> np.ndarray:
    """The picture a scale starts from: the previous scale's result upscaled, or the chosen start."""
    if scale > 0:
        return resize(previous, shape)
    if params.init == "noise":
        noise = rng.normal(0.0, NOISE_STD, size=(*shape, 1 if params.preserve_colors == "luminance" else 3))
        return np.clip(np.broadcast_to(noise, (*shape, 3)), -1.0, 1.0).astype(np.float32)
    if params.init == "image":
        start = resize(to_working(init_image), shape)
        return luminance_only(start) if params.preserve_colors == "luminance" else start
    return content.copy()


def stylize_job(
    content: np.ndarray, styles: list[np.ndarray], params: StyleParams, init_image: np.ndarray | None = None
) -> Iterator[Progress]:
    """What the app and CLI run: load the backbone the params name (downloading if needed), then stylize."""
    if params.seed is not None:
        keras.utils.set_random_seed(params.seed)
    backbone = yield from load_backbone(params.backbone, params.backbone_path)
    return (yield from stylize(content, styles, params, backbone, init_image))
