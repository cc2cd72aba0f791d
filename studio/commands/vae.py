"""`studio vae train DATASET -o MODEL.keras ...`, `studio vae grid MODEL -o grid.png`,
`studio vae interpolate MODEL A B -o loop.gif`, `studio vae walk MODEL -o walk.gif`,
`studio vae concept MODEL --with DIR --without DIR -o concept.png|.gif`."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from studio.commands import (
    action_group,
    drive,
    flags_given,
    model_action,
    number_list,
    param_options,
    picture_training_verb,
    report_saved,
)
from studio.commands.paths import ANIMATION, PICTURE, PICTURE_OR_ANIMATION
from studio.core.model_files import VAE
from studio.core.params import make_recipe
from studio.core.params.vae import GRID_EXTENT, VaeParams
from studio.core.progress import JobError


def register(subparsers) -> None:
    verbs = action_group(subparsers, "vae", "Train a VAE on pictures and draw from its latent space.")

    defaults = VaeParams()
    train = picture_training_verb(verbs, defaults, VAE, kept="its architecture is kept")
    param_options(
        train,
        defaults,
        "image_size channels limit latent_dim filters beta batch_size learning_rate",
        flags={"image_size": "--size"},
        help={"channels": "1 for grey, 3 for colour", "filters": "encoder convolution widths, e.g. 32,64"},
        extra={"filters": {"type": number_list(int, "--filters takes widths like 32,64, not '{text}'.")}},
    )
    train.set_defaults(run=run_train)

    grid = model_action(
        verbs,
        "grid",
        "decode a grid over a plane of the latent space",
        VAE,
        PICTURE,
        "picture to write (.png keeps the recipe)",
        run_grid,
    )
    grid.add_argument("-n", "--size", type=int, default=30, help="pictures per side")
    grid.add_argument("--extent", type=float, default=GRID_EXTENT, help="the grid spans -extent..extent")
    grid.add_argument("--axes", default="1,2", help="the two slider axes spanning the plane")

    interpolate = model_action(
        verbs,
        "interpolate",
        "animate the path between two pictures",
        VAE,
        ANIMATION,
        ".gif (or .mp4 with imageio-ffmpeg)",
        run_interpolate,
        inputs={"start": "the first picture", "end": "the last picture"},
    )
    interpolate.add_argument("start", help="first picture")
    interpolate.add_argument("end", help="last picture")
    interpolate.add_argument("--steps", type=int, default=24, help="frames from one picture to the other")
    interpolate.add_argument("--linear", action="store_true", help="straight line instead of spherical")
    frame_arguments(interpolate, fps=12.0)

    walk = model_action(
        verbs,
        "walk",
        "animate a loop through a plane of the latent space",
        VAE,
        ANIMATION,
        ".gif (or .mp4 with imageio-ffmpeg)",
        run_walk,
    )
    walk.add_argument("--steps", type=int, default=96, help="frames in the loop")
    walk.add_argument("--extent", type=float, default=GRID_EXTENT, help="the loop's radius in the plane")
    frame_arguments(walk, fps=24.0)

    concept = model_action(
        verbs,
        "concept",
        "show a concept vector (what one group of pictures has and another lacks) at work",
        VAE,
        PICTURE_OR_ANIMATION,
        ".png sheet (a row per picture of the --without group, columns adding more of the concept; "
        "keeps the vector in its recipe) or .gif/.mp4 sweeping there and back",
        run_concept,
        inputs={"group_with": "a picture folder", "group_without": "a picture folder"},
    )
    concept.add_argument("--with", dest="group_with", required=True, help="folder of pictures with the quality")
    concept.add_argument("--without", dest="group_without", required=True, help="folder of pictures without it")
    concept.add_argument(
        "--strength", type=float, default=1.5, help="how far to go: 1 adds the whole difference (default %(default)s)"
    )
    concept.add_argument(
        "--steps", type=int, default=7, help="columns or frames from none to --strength (default %(default)s)"
    )
    frame_arguments(
        concept,
        fps=8.0,
        fps_help="frames per second of an animation (default %(default)s)",
        scale_help="enlarge by this factor (default %(default)s)",
    )


def frame_arguments(
    parser: argparse.ArgumentParser,
    fps: float,
    fps_help: str = "frames per second",
    scale_help: str = "enlarge frames by this factor",
) -> None:
    """--fps and --scale, the last options of the actions that save animations (`interpolate`,
    `walk`, `concept`); the engine takes them as they are (`frame_options`)."""
    parser.add_argument("--fps", type=float, default=fps, help=fps_help)
    parser.add_argument("--scale", type=int, default=4, help=scale_help)


def frame_options(args: argparse.Namespace) -> dict[str, Any]:
    """What `frame_arguments` declared, as the engine's keyword arguments."""
    return {"fps": args.fps, "scale": args.scale}


def params_from_args(args: argparse.Namespace) -> VaeParams:
    return dataclasses.replace(VaeParams(), **flags_given(args, VaeParams))


def run_train(args: argparse.Namespace) -> int:
    from studio.engines.vae import train_job

    explorer = drive(train_job(params_from_args(args), resume_from=args.resume, checkpoint=args.output))
    return report_saved(explorer.save(args.output), f" ({explorer.vae.epochs_done} epochs)")


def _axes(text: str) -> tuple[int, int]:
    try:
        first, second = (int(part) - 1 for part in text.split(","))
    except ValueError:
        raise JobError(f"--axes takes two numbers like 1,2, not '{text}'.") from None
    return first, second


def _open(path: str):
    from studio.engines.vae import load_job

    return drive(load_job(path))


def run_grid(args: argparse.Namespace) -> int:
    from studio.core.images import save_image

    explorer = _open(args.model)
    plane = explorer.plane(*_axes(args.axes), extent=args.extent)
    recipe = make_recipe("vae", explorer.vae.params, grid=args.size, extent=args.extent, axes=args.axes)
    return report_saved(save_image(args.output, explorer.grid(plane, args.size), recipe))


def _save_animation(args: argparse.Namespace, explorer: Any, **path: Any) -> int:
    """Save to -o the animation through the latent space that `path` describes (codes to go between,
    or a plane to walk), with the frame options given."""
    from studio.engines.vae import animation_job

    return report_saved(drive(animation_job(explorer, args.output, **path, **frame_options(args))))


def run_interpolate(args: argparse.Namespace) -> int:
    from studio.core.images import load_image

    explorer = _open(args.model)
    start, end = explorer.encode([load_image(args.start), load_image(args.end)])
    return _save_animation(args, explorer, start=start, end=end, steps=2 * args.steps - 2, spherical=not args.linear)


def run_walk(args: argparse.Namespace) -> int:
    explorer = _open(args.model)
    return _save_animation(args, explorer, plane=explorer.plane(extent=args.extent), steps=args.steps)


def run_concept(args: argparse.Namespace) -> int:
    from studio.engines.vae import concept_render_job

    explorer = _open(args.model)
    job = concept_render_job(
        explorer,
        args.group_with,
        args.group_without,
        args.output,
        strength=args.strength,
        steps=args.steps,
        model_path=args.model,
        **frame_options(args),
    )
    return report_saved(drive(job))
