"""`studio gan train|sample|walk ...`: train a DCGAN on pictures, then draw from it."""

from __future__ import annotations

import argparse
import dataclasses

from studio.commands import (
    action_group,
    drive,
    flags_given,
    model_action,
    param_option,
    param_options,
    picture_training_verb,
    report_saved,
)
from studio.commands.paths import ANIMATION, PICTURE
from studio.core.model_files import GAN
from studio.core.params import make_recipe, params_to_dict
from studio.core.params.gan import GanParams, GanSampleParams
from studio.core.params.gan_projection import GanProjectionParams


def register(subparsers) -> None:
    verbs = action_group(subparsers, "gan", "Train a DCGAN on pictures, then sample grids and latent walks.")

    defaults = GanParams()
    train = picture_training_verb(
        verbs, defaults, GAN, kept="its size and widths are kept", more_outputs={"grid": PICTURE}
    )
    param_options(train, defaults, "limit image_size", flags={"image_size": "--size"})
    param_option(
        train, "--grey", dest="channels", defaults=defaults, action="store_const", const=1, help="train on greyscale"
    )
    param_option(
        train,
        "--colour",
        "--color",
        dest="channels",
        defaults=defaults,
        action="store_const",
        const=3,
        help="train on colour pictures",
    )
    param_options(
        train,
        defaults,
        "latent_dim base_filters batch_size d_learning_rate g_learning_rate label_noise dropout",
        flags={"base_filters": "--filters", "d_learning_rate": "--d-lr", "g_learning_rate": "--g-lr"},
    )
    train.add_argument("--grid", metavar="PICTURE", help="also save the final monitor grid as this picture")
    train.set_defaults(run=run_train)

    sample = model_action(
        verbs,
        "sample",
        "save a grid of generated pictures",
        GAN,
        PICTURE,
        "where to save the grid (.png keeps the recipe)",
        run_sample,
    )
    param_options(sample, GanSampleParams(), "count columns seed truncation")

    walk = model_action(
        verbs,
        "walk",
        "save a looping latent walk animation (.gif or .mp4)",
        GAN,
        ANIMATION,
        "where to save the animation (.gif or .mp4)",
        run_walk,
    )
    walk.add_argument("--points", type=int, default=4, help="random latent points the walk visits")
    walk.add_argument("--steps", type=int, default=24, help="frames between two points")
    walk.add_argument("--fps", type=float, default=12.0, help="frames per second")
    param_options(walk, GanSampleParams(), "seed truncation")

    project = model_action(
        verbs,
        "project",
        "find the generated picture closest to a photo (to edit it)",
        GAN,
        PICTURE,
        "the match (.png keeps its latent point in the recipe)",
        run_project,
        inputs={"picture": "the photo"},
    )
    project.add_argument("picture", help="the photo to match")
    param_options(project, GanProjectionParams(), "steps learning_rate", flags={"learning_rate": "--step-size"})
    project.add_argument("--scale", type=int, default=4, help="enlarge by this factor (default %(default)s)")

    directions = model_action(
        verbs,
        "directions",
        "save a sheet of what each principal direction changes",
        GAN,
        PICTURE,
        "picture to write (a row per direction)",
        run_directions,
    )
    directions.add_argument("--steps", type=int, default=7, help="pictures per row (default %(default)s)")
    directions.add_argument(
        "--reach", type=float, default=2.0, help="each row spans -reach..reach spreads (default %(default)s)"
    )
    directions.add_argument("--scale", type=int, default=4, help="enlarge by this factor (default %(default)s)")


def params_from_args(args: argparse.Namespace, base: GanParams) -> GanParams:
    """`base` with the flags given on the command line."""
    return dataclasses.replace(base, **flags_given(args, GanParams))


def run_train(args: argparse.Namespace) -> int:
    from studio.core.images import save_image
    from studio.engines.gan import finish_message, load_gan, monitor_grid, train_gan_job

    # A resumed model keeps its own settings unless a flag changes them.
    model = load_gan(args.resume) if args.resume else None
    params = params_from_args(args, model.params if model is not None else GanParams())
    # The model is checkpointed to the output after every epoch, the last one included.
    model = drive(train_gan_job(params, model=model, checkpoint_path=args.output))
    print(f"Saved {args.output} ({model.epochs_done} epochs)")
    print(finish_message(model))
    if args.grid:
        saved = save_image(args.grid, monitor_grid(model), make_recipe("gan", model.params, model=args.output))
        print(f"Saved {saved}")
    return 0


def run_sample(args: argparse.Namespace) -> int:
    from studio.core.images import save_image
    from studio.engines.gan import load_gan, sample_grid

    params = GanSampleParams(**flags_given(args, GanSampleParams))
    grid, _ = sample_grid(load_gan(args.model), params)
    return report_saved(save_image(args.output, grid, make_recipe("gan-sample", params, model=args.model)))


def run_walk(args: argparse.Namespace) -> int:
    from studio.engines.gan import export_walk_job, load_gan

    job = export_walk_job(
        load_gan(args.model),
        args.output,
        count=args.points,
        seed=args.seed,
        truncation=args.truncation,
        steps_per_leg=args.steps,
        fps=args.fps,
    )
    return report_saved(drive(job))


def run_project(args: argparse.Namespace) -> int:
    from studio.core.images import load_image
    from studio.engines.gan import load_gan, project_job
    from studio.engines.latent import save_still, still_recipe

    model = load_gan(args.model)
    projection = GanProjectionParams(**flags_given(args, GanProjectionParams))
    result = drive(project_job(model, load_image(args.picture), **params_to_dict(projection)))
    recipe = still_recipe("gan-still", model.params, args.model, result["latent"], projected_from=args.picture)
    saved = save_still(args.output, result["picture"], recipe, args.scale)
    return report_saved(
        saved, f" (difference {result['start_loss']:.3f} at the best random start, {result['loss']:.3f} after)"
    )


def run_directions(args: argparse.Namespace) -> int:
    from studio.engines.gan import GanExplorer, load_gan
    from studio.engines.latent import save_still, still_recipe

    model = load_gan(args.model)
    sheet = GanExplorer(model).slider_sheet(steps=args.steps, reach=args.reach)
    recipe = still_recipe("gan-directions", model.params, args.model, None, reach=args.reach)
    return report_saved(save_still(args.output, sheet, recipe, args.scale))
