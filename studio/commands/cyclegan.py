"""`studio cyclegan train|translate ...`: learn to translate between two collections, then translate."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Iterator
from pathlib import Path

from studio.commands import drive
from studio.core.images import SAVE_FORMATS
from studio.core.params import make_recipe
from studio.core.params.cyclegan import DEMO_COLLECTIONS, DIRECTIONS, GENERATORS, CycleGanParams
from studio.core.params.cyclegan import CycleGanTranslateParams as TranslateParams
from studio.core.progress import JobError, Progress, relayed

PER_FILE = 100  # progress units per picture when translating several
DEFAULTS = CycleGanParams()

TRAIN_FLAGS = (
    "generator",
    "size",
    "generator_filters",
    "residual_blocks",
    "discriminator_filters",
    "epochs",
    "steps_per_epoch",
    "batch_size",
    "learning_rate",
    "cycle_weight",
    "identity_weight",
    "seed",
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "cyclegan",
        help="learn to translate pictures between two collections (CycleGAN), then translate",
        description="Train a CycleGAN on two collections of pictures (no pairs needed), then translate "
        "pictures of any size from one collection's look to the other's.",
    )
    verbs = parser.add_subparsers(dest="cyclegan_verb", metavar="ACTION", required=True)
    demos = ", ".join(DEMO_COLLECTIONS)

    train = verbs.add_parser("train", help="train (or --resume) a CycleGAN and save it as .keras")
    train.add_argument("collection_a", metavar="A_DIR", help=f"folder of pictures for side A, or a demo set ({demos})")
    train.add_argument("collection_b", metavar="B_DIR", help="folder of pictures for side B, or a demo set")
    train.add_argument("-o", "--output", required=True, help="where to save the model (.keras) after every epoch")
    train.add_argument("--resume", metavar="MODEL", help="a CycleGAN to train further (its networks are kept)")
    # Flags default to None, meaning "the resumed model's setting, or the parameters' default".
    train.add_argument("--generator", choices=GENERATORS, help=f"generator network (default: {DEFAULTS.generator})")
    train.add_argument(
        "--size", type=int, help=f"working size: side of the training crops, 64 to 256 (default: {DEFAULTS.size})"
    )
    train.add_argument(
        "--filters", dest="generator_filters", type=int, help=f"generator width (default: {DEFAULTS.generator_filters})"
    )
    train.add_argument(
        "--blocks",
        dest="residual_blocks",
        type=int,
        help=f"residual blocks of the ResNet generator (default: {DEFAULTS.residual_blocks})",
    )
    train.add_argument(
        "--d-filters",
        dest="discriminator_filters",
        type=int,
        help=f"discriminator width (default: {DEFAULTS.discriminator_filters})",
    )
    train.add_argument(
        "--epochs", type=int, help=f"epochs in all, a resumed model's included (default: {DEFAULTS.epochs})"
    )
    train.add_argument(
        "--steps-per-epoch", type=int, help="steps between checkpoints (default: one pass over the larger set)"
    )
    train.add_argument("--batch-size", type=int, help=f"pictures per side per step (default: {DEFAULTS.batch_size})")
    train.add_argument(
        "--lr", dest="learning_rate", type=float, help=f"Adam's learning rate (default: {DEFAULTS.learning_rate})"
    )
    train.add_argument(
        "--cycle-weight", type=float, help=f"weight of the round-trip loss (default: {DEFAULTS.cycle_weight})"
    )
    train.add_argument(
        "--identity-weight",
        type=float,
        help=f"identity loss as a share of the cycle weight (default: {DEFAULTS.identity_weight})",
    )
    train.add_argument("--seed", type=int, help="seed for repeatable runs (default: a new one each run)")
    train.add_argument(
        "--strip", metavar="PICTURE", help="also save the last sample strip (A, A→B, back; B, B→A, back) as a picture"
    )
    train.set_defaults(run=run_train)

    translate = verbs.add_parser("translate", help="translate a picture or a folder of pictures")
    translate.add_argument("model", help="a .keras CycleGAN saved by Studio")
    translate.add_argument("input", help="a picture, or a folder of pictures")
    translate.add_argument("-o", "--output", required=True, help="a picture (.png keeps the recipe), or a folder")
    translate.add_argument(
        "--direction",
        choices=DIRECTIONS,
        default=TranslateParams.direction,
        help=f"a2b: toward collection B; b2a: toward A (default: {TranslateParams.direction})",
    )
    translate.add_argument(
        "--size", type=int, help="shrink larger pictures to this long side first (default: keep their size)"
    )
    translate.add_argument(
        "--tile-size",
        type=int,
        default=TranslateParams.tile_size,
        help=f"larger pictures go in tiles of at most this side (default: {TranslateParams.tile_size})",
    )
    translate.set_defaults(run=run_translate)


def refuse_existing(paths: list[Path]) -> None:
    """Never replace a file the user has (the place for a shared output check)."""
    for path in paths:
        if path.exists():
            raise JobError(f"{path} already exists. Choose a new name: Studio does not replace files.")


def params_from_args(args: argparse.Namespace, base: CycleGanParams) -> CycleGanParams:
    """`base` with the two collections and the flags given on the command line."""
    overrides = {name: getattr(args, name) for name in TRAIN_FLAGS if getattr(args, name) is not None}
    return dataclasses.replace(base, collection_a=(args.collection_a,), collection_b=(args.collection_b,), **overrides)


def run_train(args: argparse.Namespace) -> int:
    from studio.core.images import save_image
    from studio.engines.cyclegan import load_cyclegan, strip_picture, train_cyclegan_job

    output = Path(args.output)
    if output.suffix.lower() != ".keras":
        raise JobError("Save the model as a .keras file: studio cyclegan train A B -o model.keras")
    strip = Path(args.strip) if args.strip else None
    refuse_existing([output, *([strip] if strip else [])])
    # A resumed model keeps its own settings unless a flag changes them.
    model = load_cyclegan(args.resume) if args.resume else None
    params = params_from_args(args, model.cyclegan_params if model is not None else CycleGanParams())
    strips: list[dict] = []

    def keep_strip(event: Progress) -> Progress:
        if "strip" in event.data:
            strips.append(event.data["strip"])
        return event

    model = drive(relayed(train_cyclegan_job(params, model=model, checkpoint_path=output), keep_strip))
    print(f"Saved {output} ({model.epochs_done} epochs)")
    if strip:
        saved = save_image(strip, strip_picture(strips[-1]), make_recipe("cyclegan", model.cyclegan_params))
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
        recipe = make_recipe("cyclegan-translate", params, model=model_name, source_size=picture.shape[1::-1])
        saved.append(save_image(target, result, recipe))
    return saved, skipped


def run_translate(args: argparse.Namespace) -> int:
    from studio.engines.cyclegan import load_cyclegan

    source = Path(args.input)
    if not source.exists():
        raise JobError(f"{source} was not found. Give a picture or a folder of pictures.")
    pairs = translation_pairs(source, Path(args.output))
    refuse_existing([target for _, target in pairs])
    params = TranslateParams(direction=args.direction, size=args.size, tile_size=args.tile_size)
    model = load_cyclegan(args.model)
    saved, skipped = drive(translate_files(model, Path(args.model).name, pairs, params))
    for path in saved:
        print(f"Saved {path}")
    if skipped:
        print(f"Skipped {len(skipped)} files that are not pictures: {', '.join(skipped)}")
    return 0
