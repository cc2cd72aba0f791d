"""`studio dream IN -o OUT ...`"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from studio.commands import (
    drive,
    flags_given,
    param_option,
    param_options,
    params_from_recipe,
    picture_arguments,
    report_saved,
)
from studio.commands.paths import ANIMATION, PICTURE, OutputKind
from studio.core.catalog import presets
from studio.core.params import make_recipe
from studio.core.params.dream import DreamParams
from studio.core.params.dream_animation import DreamAnimationParams
from studio.core.progress import JobError
from studio.engines.latent import ANIMATION_FORMATS


def register(subparsers) -> None:
    parser = subparsers.add_parser("dream", help="DeepDream a picture", description="DeepDream a picture.")
    defaults = DreamParams()
    parser.add_argument("input", help="picture to dream on")
    picture_arguments(
        parser,
        defaults,
        "dream",
        {"input": "the picture to dream on", "guide_path": "the guide"},
        masked="dreams",
        output=output_kind,
        output_help="where to save (.png keeps the recipe, or .jpg; .gif or .mp4 with --frames)",
    )
    parser.add_argument(
        "--preset",
        metavar="NAME",
        help="a named layer mix for the backbone, see --list-presets "
        "(default: none; another --backbone starts from its first preset)",
    )
    parser.add_argument("--list-presets", action=ListPresets, help="print the presets and exit")
    param_options(
        parser,
        defaults,
        "layers octaves octave_scale steps_per_octave step_size max_loss seed tile_size",
        flags={"steps_per_octave": "--steps"},
        help={"layers": "layer weights, e.g. block4_conv1=1,block5_conv1=1.5"},
    )
    param_option(
        parser,
        "--guide",
        dest="guide_path",
        defaults=defaults,
        metavar="PICTURE",
        help="picture whose look the dream should grow",
    )
    param_options(
        parser,
        defaults,
        "max_side",
        help={"max_side": "shrink the input to at most this long side (0: full size)"},
        # The command line takes any long side, not only the sizes the tab offers.
        extra={"max_side": {"choices": None}},
    )
    animation_arguments(parser)
    parser.set_defaults(run=run)


def animation_arguments(parser: argparse.ArgumentParser) -> None:
    """--frames N makes an animation: dream, zoom in, dream again (the other flags shape the flight)."""
    defaults = DreamAnimationParams()
    parser.add_argument(
        "--frames",
        type=int,
        metavar="N",
        help="make an animation of N frames, each dreamed from the last zoomed in (default: none, a picture)",
    )
    param_options(
        parser,
        defaults,
        "zoom rotate pan_x pan_y steps_per_frame fps",
        extra={"rotate": {"metavar": "DEG"}, "pan_x": {"metavar": "PX"}, "pan_y": {"metavar": "PX"}},
    )


def output_kind(args: argparse.Namespace) -> OutputKind:
    """An animation with --frames, a picture without (an animation's name without --frames is refused).
    Checked with the files, before TensorFlow starts, so animation flags are checked here too."""
    if animation_from_args(args) is not None:
        return ANIMATION
    if Path(args.output).suffix.lower() in ANIMATION_FORMATS:
        raise JobError(f"{Path(args.output).name} is an animation: add --frames N to make one, or save a .png.")
    return PICTURE


def animation_from_args(args: argparse.Namespace) -> DreamAnimationParams | None:
    """The animation asked for (None: a picture); animation flags without --frames are refused."""
    overrides = flags_given(args, DreamAnimationParams)
    if args.frames is None:
        if overrides:
            flags = ", ".join("--" + name.replace("_", "-") for name in overrides)
            raise JobError(f"{flags} shape an animation: add --frames N (for example --frames 24).")
        return None
    if args.frames < 1:
        raise JobError("An animation needs at least one frame: give --frames 1 or more.")
    return DreamAnimationParams(frames=args.frames, **overrides)


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
    """Recipe first, then individual flags, each overriding the one before; the layers come from
    --layers, else from --preset, else (with another --backbone and no recipe) from its first preset."""
    params = params_from_recipe(args.recipe, "dream", DreamParams)
    overrides = flags_given(args, DreamParams)
    if overrides.get("max_side") == 0:
        overrides["max_side"] = None
    backbone = overrides.get("backbone", params.backbone)
    if args.preset:
        mixes = presets("dream").get(backbone, {})
        if args.preset not in mixes:
            raise JobError(f"No preset '{args.preset}' for {backbone}. Try: {', '.join(mixes)}.")
        overrides.setdefault("layers", dict(mixes[args.preset]))
    elif args.backbone and args.backbone != DreamParams().backbone and not args.recipe:
        # A model file of one's own has no presets: its layers come from --layers (the engine names them).
        first_mix = next(iter(presets("dream").get(backbone, {}).values()), None)
        if first_mix:
            overrides.setdefault("layers", dict(first_mix))
    return dataclasses.replace(params, **overrides)


def run(args: argparse.Namespace) -> int:
    from studio.core.images import load_image, load_mask, save_image

    params = params_from_args(args)
    animation = animation_from_args(args)
    image = load_image(args.input)
    guide = load_image(params.guide_path) if params.guide_path else None
    mask = load_mask(params.mask_path, image.shape[:2]) if params.mask_path else None
    if animation is not None:
        from studio.engines.dream_animation import dream_animation_job
        from studio.engines.latent import save_animation

        frames = drive(dream_animation_job(image, params, animation, guide, mask))
        saved = save_animation(frames, args.output, animation.fps)
    else:
        from studio.engines.dream import dream_job

        result = drive(dream_job(image, params, guide, mask))
        saved = save_image(args.output, result, make_recipe("dream", params, source_size=image.shape[1::-1]))
    return report_saved(saved)
