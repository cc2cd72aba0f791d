"""`studio style CONTENT STYLE [STYLE ...] -o OUT ...` (Gatys), and fast style transfer:
`studio style train-model STYLE [STYLE ...] -o MODEL.keras ...`, `studio style apply MODEL.keras IN -o OUT ...`"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from studio.commands import (
    CommandParser,
    drive,
    flags_given,
    model_input_roles,
    number_list,
    output_and_recipe_arguments,
    param_options,
    params_from_recipe,
    picture_arguments,
    report_saved,
)
from studio.commands.paths import MODEL, PICTURE, FileRoles, OutputKind, declare_files
from studio.core.images import SAVE_FORMATS
from studio.core.params import STYLE, STYLE_MODEL_METHOD, make_recipe, params_from_dict
from studio.core.params.fast_style import VIDEO_OUTPUTS, FastStyleApplyParams, FastStyleTrainParams
from studio.core.params.style import REGIONS, StyleParams
from studio.core.progress import JobError, Progress, relayed


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "style",
        help="paint a picture in the style of others (neural style transfer)",
        description="Paint CONTENT in the style of one or more STYLE pictures (Gatys et al.).",
        epilog="Fast style transfer: 'studio style train-model STYLE... -o MODEL.keras' trains a network once; "
        "'studio style apply MODEL.keras IN -o OUT' then paints pictures, folders and videos in moments "
        "(add -h to either for its options).",
    )
    defaults = StyleParams()
    parser.add_argument("content", help="the picture to repaint")
    parser.add_argument(
        "styles", nargs="+", metavar="style", help="one or more style pictures, or shipped presets (see train-model -h)"
    )
    picture_arguments(
        parser,
        defaults,
        STYLE,
        {
            "content": "the content picture",
            "styles": "a style picture",
            "init_image": "the starting picture",
            "resume": "the picture to resume from",
        },
        masked="is painted",
        side_outputs=side_outputs,
    )
    param_options(
        parser,
        defaults,
        "content_layer style_layers content_weight style_weight tv_weight size iterations num_scales optimizer "
        "learning_rate style_scale",
        flags={"num_scales": "--scales"},
        help={"style_layers": "style layer weights, e.g. block1_conv1=1,block3_conv1=0.5"},
    )
    blend_argument(parser)
    param_options(
        parser,
        defaults,
        "preserve_colors init",
        help={"init": "start from the content, noise, or --init-image"},
    )
    parser.add_argument("--init-image", metavar="PICTURE", help="picture to start from (with --init image)")
    parser.add_argument(
        "--resume", metavar="PICTURE", help="continue from a checkpoint or earlier result (sets --init image)"
    )
    param_options(
        parser,
        defaults,
        "seed checkpoint_every tile_size",
        help={
            "checkpoint_every": "save OUT-checkpoint every N steps (0: never)",
            "tile_size": "larger pictures are processed in tiles of this size",
        },
    )
    parser.add_argument(
        "--regions",
        help="with --mask: where each style picture paints, inside or outside the mask, e.g. inside,outside "
        "(default: all inside)",
    )
    parser.set_defaults(run=run)
    dispatch_first_word(parser, {"train-model": train_model_parser(parser.prog), "apply": apply_parser(parser.prog)})


def params_from_args(args: argparse.Namespace) -> StyleParams:
    """Recipe first, then individual flags, each overriding the one before."""
    params = params_from_recipe(args.recipe, "style", StyleParams)
    overrides = flags_given(args, StyleParams)
    if args.blend:
        overrides["style_blend"] = args.blend
    elif len(params.style_blend) != len(args.styles):
        overrides["style_blend"] = ()
    if args.regions:
        overrides["style_regions"] = parse_regions(args.regions, len(args.styles))
    elif len(params.style_regions) != len(args.styles):
        overrides["style_regions"] = ()
    if args.resume or args.init_image:
        overrides.setdefault("init", "image")
    params = dataclasses.replace(params, **overrides)
    if params.style_regions and not params.mask_path:
        raise JobError("The styles paint in regions of a mask (--regions): add --mask PICTURE.")
    return params


def blend_argument(parser: argparse.ArgumentParser) -> None:
    """--blend, as painting (`studio style`) and training a style model take it."""
    parser.add_argument(
        "--blend",
        type=number_list(float, "'{text}' is not a list of numbers (for example 1,0.5)."),
        help="one weight per style picture, e.g. 1,0.5 (default: equal weights)",
    )


def parse_regions(text: str, num_styles: int) -> tuple[str, ...]:
    """One region per style picture, each inside or outside the mask."""
    regions = tuple(word.strip() for word in text.split(","))
    if len(regions) != num_styles or not set(regions) <= set(REGIONS):
        raise JobError(
            f"Give --regions one word per style picture ({num_styles}), each {' or '.join(REGIONS)}: "
            f"for example {','.join(REGIONS[: min(num_styles, 2)])}."
        )
    return regions


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
    from studio.core.images import load_image, load_mask, save_image
    from studio.engines.style import stylize_job
    from studio.engines.style.regions import stylize_regions_job

    params = params_from_args(args)
    content = load_image(args.content)
    styles = [load_style_source(source) for source in args.styles]
    start_path = args.resume or args.init_image
    init_image = load_image(start_path) if start_path else None
    recipe = make_recipe(
        "style", params, source_size=content.shape[1::-1], style_sources=[Path(path).name for path in args.styles]
    )
    if params.mask_path:
        mask = load_mask(params.mask_path, content.shape[:2])
        job = stylize_regions_job(content, styles, params, mask, init_image)
    else:
        job = stylize_job(content, styles, params, init_image)
    events = saving_checkpoints(job, checkpoint_path(args.output), recipe)
    result = drive(events)
    saved = save_image(args.output, result, recipe)
    return report_saved(saved)


# -- fast style transfer: train-model and apply ------------------------------------------------------
# A painted picture, a painted video, or a new folder for painted frames (a path with no suffix).
PAINTED = OutputKind("picture, video or new folder", (*SAVE_FORMATS, *VIDEO_OUTPUTS, ""))


def dispatch_first_word(parser: argparse.ArgumentParser, verbs: dict[str, argparse.ArgumentParser]) -> None:
    """Let `studio style WORD ...` run the sub-verb WORD while `studio style CONTENT STYLE...` keeps
    working: argparse cannot put sub-commands beside a positional, so the style parser hands its
    arguments to a sub-verb's parser when their first word names one. The sub-verbs' parsers stay
    reachable as `parser.sub_verbs` (for checks that walk every verb)."""
    parse_own = parser.parse_known_args
    parser.sub_verbs = verbs

    def parse_known_args(args=None, namespace=None):
        if args and args[0] in verbs:
            return verbs[args[0]].parse_known_args(args[1:], namespace)
        return parse_own(args, namespace)

    parser.parse_known_args = parse_known_args


def train_model_parser(prog: str) -> argparse.ArgumentParser:
    from studio.core.style_presets import preset_names

    defaults = FastStyleTrainParams()
    parser = CommandParser(
        prog=f"{prog} train-model",
        description="Train a network to paint in the style of STYLE (several are blended), once; then "
        "'studio style apply' paints any picture or video with it in a single pass. Stop with Ctrl+C "
        "(the model is saved) and continue with --resume.",
    )
    parser.add_argument(
        "styles", nargs="+", metavar="style", help=f"style pictures, or shipped presets: {', '.join(preset_names())}"
    )
    parser.add_argument("-o", "--output", required=True, help="the model file to write (.keras)")
    parser.add_argument(
        "--resume",
        metavar="MODEL",
        help="a style model to train further (its network shape is kept); it stays as it is, the result goes to -o",
    )
    param_options(
        parser,
        defaults,
        "size steps batch_size learning_rate content_weight style_weight tv_weight style_scale",
    )
    blend_argument(parser)
    param_options(parser, defaults, "content_dir faces_share filters residual_blocks checkpoint_every seed")
    declare_files(
        parser,
        FileRoles(
            outputs={"output": MODEL},
            inputs={"styles": "a style picture", "resume": "the model to resume", "content_dir": "the content folder"},
        ),
    )
    parser.set_defaults(run=run_train_model)
    return parser


def apply_parser(prog: str) -> argparse.ArgumentParser:
    defaults = FastStyleApplyParams()
    parser = CommandParser(
        prog=f"{prog} apply",
        description="Paint a picture, a folder of frames or a video with a style model from 'studio style "
        "train-model'. A video keeps its sound; a folder of frames becomes a folder of PNG frames or a video.",
    )
    parser.add_argument("model", help="a style model (.keras) trained by Studio")
    parser.add_argument("input", help="a picture, a folder of frames, or a video")
    output_and_recipe_arguments(
        parser, "a picture, a video (.mp4, .mov, .mkv, .avi) or a new folder", STYLE, STYLE_MODEL_METHOD
    )
    param_options(
        parser,
        defaults,
        "strength preserve_colors tile_size temporal_smoothing",
        flags={"temporal_smoothing": "--steady"},
    )
    declare_files(parser, model_input_roles(PAINTED, "the style model"))
    parser.set_defaults(run=run_apply)
    return parser


def load_style_source(source: str) -> np.ndarray:
    """A style picture from a file, or a shipped preset by name."""
    from studio.core.images import load_image
    from studio.core.style_presets import load_preset, preset_names

    if not Path(source).exists() and source in preset_names():
        return load_preset(source)
    return load_image(source)


def run_train_model(args: argparse.Namespace) -> int:
    from studio.engines.fast_style import train_style_job
    from studio.engines.fast_style.network import read_model_config

    base = (
        params_from_dict(FastStyleTrainParams, read_model_config(args.resume)["params"])
        if args.resume
        else FastStyleTrainParams()
    )
    overrides = {**flags_given(args, FastStyleTrainParams), "style_blend": args.blend or ()}
    params = dataclasses.replace(base, **overrides)
    styles = [load_style_source(source) for source in args.styles]
    names = [Path(source).stem for source in args.styles]
    model = drive(
        train_style_job(styles, params, resume_from=args.resume, checkpoint_path=args.output, style_names=names)
    )
    return report_saved(args.output, f" ({model.steps_done} steps)")


def run_apply(args: argparse.Namespace) -> int:
    from studio.core.images import load_image, save_image
    from studio.engines.fast_style import load_style_model, paint_picture
    from studio.engines.fast_style.video import is_video, paint_frames

    base = params_from_recipe(args.recipe, STYLE, FastStyleApplyParams, STYLE_MODEL_METHOD)
    params = dataclasses.replace(base, **flags_given(args, FastStyleApplyParams))
    source, output = Path(args.input), Path(args.output)
    if source.is_dir() or is_video(source):
        model = load_style_model(args.model)
        saved = drive(paint_frames(model, source, output, params))
    else:
        if output.suffix.lower() not in SAVE_FORMATS:
            kind = "a video" if output.suffix.lower() in VIDEO_OUTPUTS else f"'{output.suffix or output.name}'"
            raise JobError(f"{source.name} is a picture: save it as .png, .jpg, .webp or .tif, not as {kind}.")
        content = load_image(source)
        model = load_style_model(args.model)
        result = drive(paint_picture(model, content, params))
        made = {"method": STYLE_MODEL_METHOD, "model": Path(args.model).name, "source_size": content.shape[1::-1]}
        saved = save_image(output, result, make_recipe(STYLE, params, **made))
    return report_saved(saved)
