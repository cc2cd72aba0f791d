"""`studio cyclegan train|translate ...`: learn to translate between two collections, then translate."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Iterator
from pathlib import Path

from studio.commands import (
    action_group,
    drive,
    flags_given,
    model_input_roles,
    output_and_recipe_arguments,
    param_options,
    params_from_recipe,
    training_arguments,
)
from studio.commands.paths import MODEL, PICTURE, OutputKind, declare_files
from studio.core.images import SAVE_FORMATS
from studio.core.model_files import CYCLEGAN
from studio.core.params import CYCLEGAN_METHOD, STYLE, make_recipe
from studio.core.params.cyclegan import DEMO_COLLECTIONS, CycleGanParams
from studio.core.params.cyclegan import CycleGanTranslateParams as TranslateParams
from studio.core.progress import JobError, Progress, relayed

PER_FILE = 100  # progress units per picture when translating several
DEFAULTS = CycleGanParams()
# A translated picture, or a new folder for the translations of a folder (a path with no suffix).
TRANSLATED = OutputKind("picture or new folder", (*SAVE_FORMATS, ""))


def register(subparsers) -> None:
    verbs = action_group(
        subparsers,
        "cyclegan",
        "Train a CycleGAN on two collections of pictures (no pairs needed), then translate pictures of any size "
        "from one collection's look to the other's.",
        help="learn to translate pictures between two collections (CycleGAN), then translate",
    )
    demos = ", ".join(DEMO_COLLECTIONS)

    train = verbs.add_parser("train", help="train (or --resume) a CycleGAN and save it as .keras")
    for letter, default in zip("ab", (DEFAULTS.collection_a, DEFAULTS.collection_b)):
        train.add_argument(
            f"collection_{letter}",
            metavar=f"{letter.upper()}_DIR",
            nargs="?",
            default=default[0],
            help=f"folder of pictures for side {letter.upper()}, or a demo set ({demos})",
        )
    training_arguments(
        train,
        DEFAULTS,
        CYCLEGAN,
        MODEL,
        kept="its networks are kept",
        inputs={"collection_a": "collection A", "collection_b": "collection B"},
        more_outputs={"strip": PICTURE},
    )
    param_options(
        train,
        DEFAULTS,
        "generator size generator_filters residual_blocks discriminator_filters steps_per_epoch batch_size "
        "learning_rate cycle_weight identity_weight",
        flags={
            "generator_filters": "--filters",
            "residual_blocks": "--blocks",
            "discriminator_filters": "--d-filters",
            "learning_rate": "--lr",
        },
    )
    train.add_argument(
        "--strip", metavar="PICTURE", help="also save the last sample strip (A, A→B, back; B, B→A, back) as a picture"
    )
    train.set_defaults(run=run_train)

    translate = verbs.add_parser("translate", help="translate a picture or a folder of pictures")
    translate.add_argument("model", help="a .keras CycleGAN saved by Studio")
    translate.add_argument("input", help="a picture, or a folder of pictures")
    output_and_recipe_arguments(
        translate, "a picture (.png keeps the recipe), or a new folder for PNGs", STYLE, CYCLEGAN_METHOD
    )
    param_options(
        translate,
        TranslateParams(),
        "direction size tile_size",
        help={"direction": "a2b: toward collection B; b2a: toward A"},
    )
    declare_files(translate, model_input_roles(TRANSLATED, "the model", CYCLEGAN))
    translate.set_defaults(run=run_translate)


def params_from_args(args: argparse.Namespace, base: CycleGanParams) -> CycleGanParams:
    """`base` with the two collections and the flags given on the command line."""
    collections = {"collection_a": (args.collection_a,), "collection_b": (args.collection_b,)}
    return dataclasses.replace(base, **collections, **flags_given(args, CycleGanParams))


def run_train(args: argparse.Namespace) -> int:
    from studio.core.images import save_image
    from studio.engines.cyclegan import load_cyclegan, strip_picture, train_cyclegan_job

    output = Path(args.output)
    # A resumed model keeps its own settings unless a flag changes them.
    model = load_cyclegan(args.resume) if args.resume else None
    params = params_from_args(args, model.params if model is not None else CycleGanParams())
    strips: list[dict] = []

    def keep_strip(event: Progress) -> Progress:
        if "strip" in event.data:
            strips.append(event.data["strip"])
        return event

    model = drive(relayed(train_cyclegan_job(params, model=model, checkpoint_path=output), keep_strip))
    print(f"Saved {output} ({model.epochs_done} epochs)")
    if args.strip:
        saved = save_image(args.strip, strip_picture(strips[-1]), make_recipe("cyclegan", model.params))
        print(f"Saved {saved}")
    return 0


def translation_pairs(source: Path, output: Path) -> list[tuple[Path, Path]]:
    """(picture to read, picture to write) for a picture or a folder of pictures. A folder's
    pictures go to the output folder as PNGs (which keep the recipe), subfolders kept."""
    from studio.core.datasets import folder_files

    if source.is_dir():
        if output.suffix.lower() in SAVE_FORMATS:
            raise JobError(f"{source.name} is a folder: give a folder to save into, not {output.name}.")
        pairs = [(path, output / path.relative_to(source).with_suffix(".png")) for path in folder_files(source)]
    elif output.suffix.lower() in SAVE_FORMATS:
        pairs = [(source, output)]
    else:
        pairs = [(source, output / f"{source.stem}.png")]
    targets = [target for _, target in pairs]
    if len(set(targets)) < len(targets):
        raise JobError(f"Two pictures in {source.name} share a name (e.g. a.jpg and a.png); rename one first.")
    return pairs


def translate_files(model, model_name: str, pairs: list[tuple[Path, Path]], params) -> Iterator[Progress]:
    """Translate each picture and save it with its recipe; files that are not pictures are skipped
    and listed. Returns (saved paths, skipped names)."""
    from studio.core.images import load_image, save_image
    from studio.engines.cyclegan import translate

    saved, skipped = [], []
    total = PER_FILE * len(pairs)
    for index, (source, target) in enumerate(pairs):
        try:
            picture = load_image(source)
        except JobError:
            if len(pairs) == 1:
                raise
            skipped.append(source.name)
            continue

        def overall(event: Progress, index=index, name=source.name) -> Progress:
            return Progress(index * PER_FILE + round(PER_FILE * event.fraction), total, f"{name}: {event.stage}")

        result = yield from relayed(translate(model, picture, params), overall)
        made = {"method": CYCLEGAN_METHOD, "model": model_name, "source_size": picture.shape[1::-1]}
        recipe = make_recipe(STYLE, params, **made)
        saved.append(save_image(target, result, recipe))
    return saved, skipped


def run_translate(args: argparse.Namespace) -> int:
    from studio.engines.cyclegan import load_cyclegan

    source = Path(args.input)
    if not source.exists():
        raise JobError(f"{source} was not found. Give a picture or a folder of pictures.")
    pairs = translation_pairs(source, Path(args.output))
    base = params_from_recipe(args.recipe, STYLE, TranslateParams, CYCLEGAN_METHOD)
    params = dataclasses.replace(base, **flags_given(args, TranslateParams))
    model = load_cyclegan(args.model)
    saved, skipped = drive(translate_files(model, Path(args.model).name, pairs, params))
    for path in saved:
        print(f"Saved {path}")
    if skipped:
        print(f"Skipped {len(skipped)} files that are not pictures: {', '.join(skipped)}")
    return 0
