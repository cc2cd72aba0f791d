"""The files each verb reads and writes, and the checks that keep a user's files safe.

A verb declares its file arguments once (`declare_files`); `check_files` runs on the parsed
arguments before any work starts, before TensorFlow is even imported:

- an output that is one of the inputs is always refused, `--overwrite` or not;
- an output that exists is refused unless `--overwrite` is given;
- an output of the wrong kind (suffix), an existing folder, or a folder that is missing or cannot be
  written is refused;
- a model read must be the kind the verb needs (a GAN for `gan sample`, ...).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from studio.core.images import SAVE_FORMATS
from studio.core.model_files import read_model_file
from studio.core.params.text import MODEL_SUFFIX
from studio.core.progress import JobError
from studio.engines.latent import ANIMATION_FORMATS, check_animation_path


@dataclass(frozen=True)
class OutputKind:
    """What a verb writes: its name in messages, the suffixes it may have, and any further check."""

    what: str
    suffixes: tuple[str, ...]
    check: Callable[[Path], object] | None = None


PICTURE = OutputKind("picture", tuple(SAVE_FORMATS))
ANIMATION = OutputKind("animation", ANIMATION_FORMATS, check_animation_path)  # MP4 needs ffmpeg
PICTURE_OR_ANIMATION = OutputKind(
    "picture or animation",
    (*SAVE_FORMATS, *ANIMATION_FORMATS),
    lambda path: path.suffix.lower() in ANIMATION_FORMATS and check_animation_path(path),
)
MODEL = OutputKind("model", (".keras",))
TEXT_MODEL = OutputKind("text model", (MODEL_SUFFIX,))
TEXT_FILE = OutputKind("text", (".txt", ".md"))


@dataclass(frozen=True)
class FileRoles:
    """A verb's file arguments, by argparse `dest`: `outputs` and their kinds (a kind may depend on
    the other arguments: a function of them, as `dream -o` is an animation with --frames); `inputs` and how
    messages name them (a dest may hold one path or a list); `models`, inputs that must hold a
    model of a kind (VAE, GAN or TEXT); `side_outputs`, files the verb also writes, named after
    the arguments (the style checkpoint)."""

    outputs: dict[str, OutputKind | Callable[[argparse.Namespace], OutputKind]]
    inputs: dict[str, str] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)
    side_outputs: Callable[[argparse.Namespace], Iterable[tuple[Path, OutputKind]]] | None = None


def declare_files(parser: argparse.ArgumentParser, roles: FileRoles) -> None:
    """Attach `roles` to a verb's parser and give it `--overwrite`."""
    parser.add_argument(
        "--overwrite", action="store_true", help="replace outputs that already exist (an input is never replaced)"
    )
    parser.set_defaults(file_roles=roles)


def check_files(args: argparse.Namespace) -> None:
    """Raise a JobError saying what to do if the verb in `args` would write where it must not, or
    read a model of the wrong kind."""
    roles: FileRoles | None = getattr(args, "file_roles", None)
    if roles is None:
        return
    inputs = [(Path(path), label) for dest, label in roles.inputs.items() for path in _paths(getattr(args, dest))]
    outputs = [
        (Path(path), kind if isinstance(kind, OutputKind) else kind(args))
        for dest, kind in roles.outputs.items()
        for path in _paths(getattr(args, dest))
    ]
    for dest, kind in roles.models.items():
        for path in _paths(getattr(args, dest)):
            read_model_file(path, kind)
    if roles.side_outputs is not None and outputs:
        outputs += list(roles.side_outputs(args))
    for index, (path, kind) in enumerate(outputs):
        if any(_same_file(path, other) for other, _ in outputs[:index]):
            raise JobError(f"{path} is given as two outputs; give each its own name.")
        check_output(path, kind, inputs, args.overwrite)


def check_output(path: Path, kind: OutputKind, inputs: list[tuple[Path, str]], overwrite: bool) -> None:
    """Raise a JobError unless `kind` can be written to `path` without harm."""
    for source, label in inputs:
        if _same_file(path, source):
            raise JobError(
                f"{path} is {label}: Studio never writes over what it reads, even with --overwrite. "
                "Choose another output name."
            )
    if path.is_dir():
        raise JobError(f"{path} is a folder; give a file name, such as {path / ('result' + kind.suffixes[0])}.")
    if path.suffix.lower() not in kind.suffixes:
        suffixes = ", ".join(kind.suffixes[:-1]) + " or " if len(kind.suffixes) > 1 else ""
        raise JobError(f"Save the {kind.what} as {suffixes}{kind.suffixes[-1]}, not as '{path.name}'.")
    if kind.check is not None:
        kind.check(path)
    folder = path.absolute().parent
    if not folder.is_dir():
        raise JobError(f"The folder {folder} does not exist. Create it first, or save somewhere else.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise JobError(f"Studio may not write in {folder} (no permission). Save somewhere else.")
    if path.exists() or path.is_symlink():
        if not overwrite:
            raise JobError(f"{path} already exists. Add --overwrite to replace it, or choose another name.")
        if not os.access(path, os.W_OK):
            raise JobError(f"{path} is read-only; Studio leaves it as it is. Choose another name.")


def _paths(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _same_file(first: Path, second: Path) -> bool:
    """Whether two paths name one file: the same after resolving links, or one file under two names
    (a hard link, or another spelling on a case-insensitive disk)."""
    try:
        return first.resolve() == second.resolve() or os.path.samefile(first, second)
    except OSError:
        return False  # one of them does not exist (yet), so they differ
