"""`studio dream IN -o OUT ...`"""

from __future__ import annotations

import argparse
import dataclasses

from studio.commands import drive, param_option, params_from_recipe, picture_arguments
from studio.core.catalog import presets
from studio.core.params import make_recipe
from studio.core.params.dream import DreamParams
from studio.core.progress import JobError


def register(subparsers) -> None:
    parser = subparsers.add_parser("dream", help="DeepDream a picture", description="DeepDream a picture.")
    defaults = DreamParams()
    parser.add_argument("input", help="picture to dream on")
    picture_arguments(
        parser, defaults, {"input": "the picture to dream on", "guide_path": "the guide", "mask_path": "the mask"}
    )
    parser.add_argument(
        "--preset",
        metavar="NAME",
        help="a named layer mix for the backbone, see --list-presets "
        "(default: none; another --backbone starts from its first preset)",
    )
    parser.add_argument("--list-presets", action=ListPresets, help="print the presets and exit")
    param_option(parser, "--layers", defaults=defaults, help="layer weights, e.g. block4_conv1=1,block5_conv1=1.5")
    param_option(parser, "--octaves", defaults=defaults, type=int, help="scales dreamed, smallest first")
    param_option(parser, "--octave-scale", defaults=defaults, type=float, help="size ratio between two octaves")
    param_option(
        parser, "--steps", dest="steps_per_octave", defaults=defaults, type=int, help="gradient steps per octave"
    )
    param_option(parser, "--step-size", defaults=defaults, type=float, help="how far each step changes the picture")
    parser.add_argument("--max-loss", type=float, help="stop an octave once the loss exceeds this (default: no limit)")
    parser.add_argument("--seed", type=int, help="seed of the random tile shifts (default: a new one each run)")
    param_option(parser, "--tile-size", defaults=defaults, type=int, help="larger pictures are dreamed in tiles")
    parser.add_argument(
        "--guide", dest="guide_path", metavar="PICTURE", help="picture whose look the dream should grow"
    )
    parser.add_argument(
        "--mask", dest="mask_path", metavar="PICTURE", help="greyscale picture: white dreams, black stays"
    )
    param_option(
        parser,
        "--max-side",
        defaults=defaults,
        type=int,
        help="shrink the input to at most this long side (0: full size)",
    )
    parser.set_defaults(run=run)


class ListPresets(argparse.Action):
    """`--list-presets`: print every backbone's named layer mixes and exit (like --version)."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        for backbone, mixes in presets("dream").items():
            for name, layers in mixes.items():
                print(f"{backbone:14s} {name:20s} {', '.join(f'{k}={v}' for k, v in layers.items())}")
        parser.exit()


def params_from_args(args: argparse.Namespace) -> DreamParams:
    """Recipe first, then preset, then individual flags, each overriding the one before."""
    params = params_from_recipe(args.recipe, "dream", DreamParams) if args.recipe else DreamParams()
    overrides = {
        name: getattr(args, name)
        for name in (
            "backbone",
            "backbone_path",
            "octaves",
            "octave_scale",
            "steps_per_octave",
            "step_size",
            "max_loss",
            "seed",
            "tile_size",
            "guide_path",
            "mask_path",
            "max_side",
        )
        if getattr(args, name) is not None
    }
    if overrides.get("max_side") == 0:
        overrides["max_side"] = None
    params = dataclasses.replace(params, **overrides)
    if args.preset:
        mixes = presets("dream").get(params.backbone, {})
        if args.preset not in mixes:
            raise JobError(f"No preset '{args.preset}' for {params.backbone}. Try: {', '.join(mixes)}.")
        params = dataclasses.replace(params, layers=dict(mixes[args.preset]))
    elif args.backbone and args.backbone != DreamParams().backbone and not args.recipe:
        params = dataclasses.replace(params, layers=dict(next(iter(presets("dream")[params.backbone].values()))))
    if args.layers:
        params = dataclasses.replace(params, layers=parse_layers(args.layers))
    return params


def parse_layers(text: str) -> dict[str, float]:
    layers = {}
    for item in text.split(","):
        name, _, weight = item.partition("=")
        try:
            layers[name.strip()] = float(weight) if weight else 1.0
        except ValueError:
            raise JobError(f"'{item}' is not name=weight (for example block4_conv1=1.5).") from None
    return layers


def run(args: argparse.Namespace) -> int:
    from studio.core.images import load_image, load_mask, save_image
    from studio.engines.dream import dream_job

    params = params_from_args(args)
    image = load_image(args.input)
    guide = load_image(params.guide_path) if params.guide_path else None
    mask = load_mask(params.mask_path, image.shape[:2]) if params.mask_path else None
    result = drive(dream_job(image, params, guide, mask))
    saved = save_image(args.output, result, make_recipe("dream", params, source_size=image.shape[1::-1]))
    print(f"Saved {saved}")
    return 0
