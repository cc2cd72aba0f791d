"""`studio style CONTENT STYLE [STYLE ...] -o OUT ...`"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from studio.commands import drive, param_option, params_from_recipe, picture_arguments
from studio.commands.dream import parse_layers
from studio.commands.paths import PICTURE, OutputKind
from studio.core.params import make_recipe
from studio.core.params.style import COLOR_MODES, INIT_MODES, OPTIMIZERS, StyleParams
from studio.core.progress import JobError, Progress, relayed

FLAGS = (
    "backbone",
    "backbone_path",
    "content_layer",
    "content_weight",
    "style_weight",
    "tv_weight",
    "size",
    "iterations",
    "num_scales",
    "optimizer",
    "learning_rate",
    "style_scale",
    "preserve_colors",
    "init",
    "seed",
    "checkpoint_every",
    "tile_size",
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "style",
        help="paint a picture in the style of others (neural style transfer)",
        description="Paint CONTENT in the style of one or more STYLE pictures (Gatys et al.).",
    )
    defaults = StyleParams()
    parser.add_argument("content", help="the picture to repaint")
    parser.add_argument("styles", nargs="+", metavar="style", help="one or more style pictures")
    picture_arguments(
        parser,
        defaults,
        {
            "content": "the content picture",
            "styles": "a style picture",
            "init_image": "the starting picture",
            "resume": "the picture to resume from",
        },
        side_outputs=side_outputs,
    )
    param_option(parser, "--content-layer", defaults=defaults, help="the layer whose features keep the content")
    param_option(
        parser, "--style-layers", defaults=defaults, help="style layer weights, e.g. block1_conv1=1,block3_conv1=0.5"
    )
    param_option(parser, "--content-weight", defaults=defaults, type=float, help="how much the content counts")
    param_option(parser, "--style-weight", defaults=defaults, type=float, help="how much the style counts")
    param_option(parser, "--tv-weight", defaults=defaults, type=float, help="smoothness")
    param_option(parser, "--size", defaults=defaults, type=int, help="long side of the result in pixels")
    param_option(
        parser, "--iterations", defaults=defaults, type=int, help="optimiser steps in all, split across the scales"
    )
    param_option(
        parser,
        "--scales",
        dest="num_scales",
        defaults=defaults,
        type=int,
        help="coarse-to-fine scales (each half the next)",
    )
    param_option(parser, "--optimizer", defaults=defaults, choices=OPTIMIZERS, help="L-BFGS or Adam")
    param_option(parser, "--learning-rate", defaults=defaults, type=float, help="Adam's step size")
    param_option(
        parser,
        "--style-scale",
        defaults=defaults,
        type=float,
        help="style picture size relative to the result (texture size)",
    )
    parser.add_argument("--blend", help="one weight per style picture, e.g. 1,0.5 (default: equal weights)")
    param_option(
        parser,
        "--preserve-colors",
        defaults=defaults,
        choices=COLOR_MODES,
        help="keep the content's colours: on brightness only (luminance) or by recolouring the styles (match)",
    )
    param_option(
        parser, "--init", defaults=defaults, choices=INIT_MODES, help="start from the content, noise, or --init-image"
    )
    parser.add_argument("--init-image", metavar="PICTURE", help="picture to start from (with --init image)")
    parser.add_argument(
        "--resume", metavar="PICTURE", help="continue from a checkpoint or earlier result (sets --init image)"
    )
    parser.add_argument("--seed", type=int, help="seed of the starting noise (default: a new one each run)")
    param_option(
        parser, "--checkpoint-every", defaults=defaults, type=int, help="save OUT-checkpoint every N steps (0: never)"
    )
    param_option(
        parser, "--tile-size", defaults=defaults, type=int, help="larger pictures are processed in tiles of this size"
    )
    parser.set_defaults(run=run)


def params_from_args(args: argparse.Namespace) -> StyleParams:
    """Recipe first, then individual flags, each overriding the one before."""
    params = params_from_recipe(args.recipe, "style", StyleParams) if args.recipe else StyleParams()
    overrides: dict[str, Any] = {name: getattr(args, name) for name in FLAGS if getattr(args, name) is not None}
    if args.style_layers:
        overrides["style_layers"] = parse_layers(args.style_layers)
    if args.blend:
        try:
            overrides["style_blend"] = tuple(float(value) for value in args.blend.split(","))
        except ValueError:
            raise JobError(f"'{args.blend}' is not a list of numbers (for example 1,0.5).") from None
    elif len(params.style_blend) != len(args.styles):
        overrides["style_blend"] = ()
    if args.resume or args.init_image:
        overrides.setdefault("init", "image")
    return dataclasses.replace(params, **overrides)


def side_outputs(args: argparse.Namespace) -> list[tuple[Path, OutputKind]]:
    """The checkpoint picture, when the run saves one."""
    return [(checkpoint_path(args.output), PICTURE)] if params_from_args(args).checkpoint_every else []


def checkpoint_path(output: str | Path) -> Path:
    output = Path(output)
    return output.with_name(f"{output.stem}-checkpoint{output.suffix}")


def saving_checkpoints(events: Iterator[Progress], path: Path, recipe: dict[str, Any]) -> Iterator[Progress]:
    """Pass `events` through, saving each checkpoint picture they carry to `path`."""
    from studio.core.images import save_image

    def save(event: Progress) -> Progress:
        if "checkpoint" in event.data:
            save_image(path, event.data["checkpoint"], recipe)
        return event

    return relayed(events, save)


def run(args: argparse.Namespace) -> int:
    from studio.core.images import load_image, save_image
    from studio.engines.style import stylize_job

    params = params_from_args(args)
    content = load_image(args.content)
    styles = [load_image(path) for path in args.styles]
    start_path = args.resume or args.init_image
    init_image = load_image(start_path) if start_path else None
    recipe = make_recipe(
        "style", params, source_size=content.shape[1::-1], style_sources=[Path(path).name for path in args.styles]
    )
    events = saving_checkpoints(stylize_job(content, styles, params, init_image), checkpoint_path(args.output), recipe)
    result = drive(events)
    saved = save_image(args.output, result, recipe)
    print(f"Saved {saved}")
    return 0
