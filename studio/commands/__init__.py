"""Headless verbs of the `studio` command, one module per engine; each defines `register(subparsers)`.

What every verb shares lives here: the parser class (help that shows defaults, `--verbose`), the
options that override a parameter dataclass, and the progress bar. Starting TensorFlow quietly is
shared with the app (`studio.core.compute`).
Which files a verb reads and writes, and the checks on them, live in `studio.commands.paths`.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from studio.commands.paths import MODEL, PICTURE, FileRoles, OutputKind, declare_files
from studio.core.catalog import BACKBONES, CUSTOM_BACKBONE, SHIPPED_DATASETS
from studio.core.images import read_recipe
from studio.core.model_files import KIND_NAMES
from studio.core.params import base_type, control_spec, params_from_dict, recipe_name
from studio.core.progress import JobError, Pace, Progress


class HelpFormatter(argparse.HelpFormatter):
    """Shows each option's default: argparse's own, or, for an option that overrides a parameter
    dataclass (see `param_option`), the dataclass's."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "(default" in text:
            return text
        if hasattr(action, "shown_default"):
            default = action.shown_default
            if action.const is not None and action.nargs == 0:  # a switch such as --grey
                return f"{text} (the default)" if action.const == default else text
        elif action.default in (None, False, argparse.SUPPRESS) or action.required:
            return text
        else:
            default = action.default
        if default is None:
            return text
        return f"{text} (default: {format_value(default).replace('%', '%%')})"


def format_value(value: Any) -> str:
    """A default as a user would type it on the command line."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, dict):
        return ",".join(f"{key}={format_value(item)}" for key, item in value.items())
    if isinstance(value, (tuple, list)):
        return ",".join(format_value(item) for item in value) or "none"
    if isinstance(value, str) and value != value.strip():
        return repr(value)  # 'The ' shows its space
    return str(value)


class CommandParser(argparse.ArgumentParser):
    """Every parser of `studio`: help shows defaults, and `--verbose` is accepted before or after the verb."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)
        self.add_argument(
            "--verbose",
            action="store_true",
            # Only the top parser sets a default, so a subparser never resets a --verbose given before the verb.
            default=argparse.SUPPRESS,
            help="show TensorFlow's start-up messages and the traceback of an unexpected error",
        )


def action_group(subparsers, name: str, description: str, help: str | None = None) -> Any:
    """A verb whose work is split into actions (`studio vae train|grid|...`); returns the
    subparsers the actions are added to (an action must be given). `description` heads the verb's
    --help; `studio --help` lists the verb with `help`, by default the same sentence as a phrase."""
    help = help or description[0].lower() + description[1:].rstrip(".")
    parser = subparsers.add_parser(name, help=help, description=description)
    return parser.add_subparsers(dest=f"{name}_action", metavar="ACTION", required=True)


# The parser default that records, for each parameter dataclass, the fields its options override.
PARAM_FIELDS = "param_fields"


def param_option(parser: argparse.ArgumentParser, *flags: str, defaults: Any, **kwargs: Any) -> argparse.Action:
    """An option that overrides a field (its `dest`) of a parameter dataclass. It defaults to None,
    meaning "keep the value of the recipe or of the dataclass", and its help shows the dataclass's
    default, read from `defaults` (an instance of the dataclass). The parser records the field
    under the dataclass, for `flags_given`. A `type` that cannot read the text raises a JobError,
    which `studio` reports as it reports any other."""
    kwargs.setdefault("default", None)
    action = parser.add_argument(*flags, **kwargs)
    action.shown_default = getattr(defaults, action.dest)
    recorded = parser.get_default(PARAM_FIELDS)
    if recorded is None:
        recorded = {}
        parser.set_defaults(**{PARAM_FIELDS: recorded})
    fields = recorded.setdefault(type(defaults), [])
    if action.dest not in fields:  # --grey and --colour both set `channels`
        fields.append(action.dest)
    return action


def flags_given(args: argparse.Namespace, params_class: type) -> dict[str, Any]:
    """The fields of `params_class` that the verb's options (each a `param_option`) override and that
    the command line gave; those it did not (None) keep the value of the recipe, the model or the
    parameter dataclass."""
    fields = getattr(args, PARAM_FIELDS, {}).get(params_class, ())
    return {name: getattr(args, name) for name in fields if getattr(args, name) is not None}


def number_list(number: type, mistake: str) -> Callable[[str], tuple | None]:
    """The `type` of an option that takes numbers separated by commas (`1,0.5`), each read by
    `number`; one that is not gives a JobError saying `mistake` (with `{text}`, the text given).
    Empty text gives None, as if the option were not given."""

    def read(text: str) -> tuple | None:
        if not text:
            return None
        try:
            return tuple(number(part) for part in text.split(","))
        except ValueError:
            raise JobError(mistake.format(text=text)) from None

    return read


def layer_weights(text: str) -> dict[str, float] | None:
    """The `type` of an option that takes layer weights, `name=weight,...` (a name alone weighs 1);
    empty text gives None, as if the option were not given."""
    if not text:
        return None
    layers = {}
    for item in text.split(","):
        name, _, weight = item.partition("=")
        try:
            layers[name.strip()] = float(weight) if weight else 1.0
        except ValueError:
            raise JobError(f"'{item}' is not name=weight (for example block4_conv1=1.5).") from None
    return layers


def param_options(
    parser: argparse.ArgumentParser,
    defaults: Any,
    names: str,
    flags: dict[str, str | tuple[str, ...]] | None = None,
    help: dict[str, str] | None = None,
    extra: dict[str, dict[str, Any]] | None = None,
) -> None:
    """One `param_option` for each field of `defaults` (a parameter dataclass) named in `names`
    (space-separated), read from the field itself: flag --field-name (or `flags[name]`), type from
    the annotation (`int | None` takes an int, `dict[str, float]` layer weights; tuples come as
    text unless `extra` gives the `type` that reads them; a bool is a switch, --no-... too when it
    is on by default), choices from the field's control, help from its tooltip (or `help[name]`,
    where the command line needs other words) and the default the dataclass gives, or what None
    means ("random", "all"). `extra[name]` holds argparse keywords that override the derived ones
    (a metavar, the `type` that reads a list)."""
    hints = typing.get_type_hints(type(defaults))
    fields = {field.name: field for field in dataclasses.fields(defaults)}
    for name in names.split():
        spec = control_spec(fields[name]) or {}
        kwargs: dict[str, Any] = {"dest": name, "help": (help or {}).get(name) or spec.get("tooltip")}
        if not kwargs["help"]:
            raise ValueError(f"{type(defaults).__name__}.{name} has no tooltip: give its help")
        value_type = base_type(hints[name])
        if value_type is bool:
            kwargs["action"] = argparse.BooleanOptionalAction if getattr(defaults, name) else "store_true"
        elif value_type in (int, float):
            kwargs["type"] = value_type
        elif value_type == dict[str, float]:
            kwargs["type"] = layer_weights
        if spec.get("choices"):
            kwargs["choices"] = tuple(value for value, _ in spec["choices"])
        if getattr(defaults, name) is None and spec.get("special") and "(default" not in kwargs["help"]:
            kwargs["help"] += f" (default: {spec['special']})"
        kwargs.update((extra or {}).get(name, {}))
        kwargs["help"] = kwargs["help"].replace("%", "%%")
        flag = (flags or {}).get(name, "--" + name.replace("_", "-"))
        param_option(parser, *([flag] if isinstance(flag, str) else flag), defaults=defaults, **kwargs)


def picture_training_verb(
    verbs: Any, defaults: Any, model_kind: str, kept: str, more_outputs: dict[str, OutputKind] | None = None
) -> argparse.ArgumentParser:
    """The `train` action of a model trained on pictures (`vae train`, `gan train`): the positional
    DATASET, then the arguments of `training_arguments`, the model being the output. The caller
    adds the model's own options to the parser returned."""
    parser = verbs.add_parser("train", help=f"train {KIND_NAMES[model_kind]} (or --resume one) and save it as .keras")
    # With its default it is always given: the dataset never comes from a resumed model.
    param_option(
        parser,
        "dataset",
        defaults=defaults,
        nargs="?",
        default=defaults.dataset,
        help=f"a folder of pictures, or one of: {', '.join(SHIPPED_DATASETS)}",
    )
    training_arguments(
        parser, defaults, model_kind, MODEL, kept, inputs={"dataset": "the dataset"}, more_outputs=more_outputs
    )
    return parser


def training_arguments(
    parser: argparse.ArgumentParser,
    defaults: Any,
    model_kind: str,
    output: OutputKind,
    kept: str,
    inputs: dict[str, str],
    more_outputs: dict[str, OutputKind] | None = None,
) -> None:
    """The arguments every verb that trains shares, meaning the same in each: -o OUTPUT (saved after
    every epoch), --resume MODEL (train that model further: it is read, never written, and the
    result goes to -o), --epochs in all, and --seed. Declares the verb's files too. `kept` says
    what a resumed model keeps whatever the flags say."""
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        help=f"where to save the {output.what} ({output.suffixes[0]}) after every epoch",
    )
    parser.add_argument(
        "--resume",
        metavar="MODEL",
        help=f"{KIND_NAMES[model_kind]} to train further ({kept}); it stays as it is, the result goes to -o",
    )
    param_options(
        parser, defaults, "epochs seed", help={"epochs": "epochs in all (a resumed model counts those it has done)"}
    )
    roles = FileRoles(
        outputs={"output": output, **(more_outputs or {})},
        inputs={**inputs, "resume": "the model to resume"},
        models={"resume": model_kind},
    )
    declare_files(parser, roles)


def output_and_recipe_arguments(
    parser: argparse.ArgumentParser, output_help: str, technique: str, method: str | None = None
) -> None:
    """-o OUTPUT, and --recipe PNG: the settings to start from, a recipe of `technique` made by
    `method` (what `params_from_recipe` reads)."""
    parser.add_argument("-o", "--output", required=True, help=output_help)
    parser.add_argument(
        "--recipe",
        metavar="PNG",
        help=f"start from the {recipe_name(technique, method)} recipe in a PNG saved by Studio",
    )


def picture_arguments(
    parser: argparse.ArgumentParser,
    defaults: Any,
    technique: str,
    inputs: dict[str, str],
    masked: str,
    side_outputs: Any = None,
    output: Any = PICTURE,
    output_help: str = "where to save (.png keeps the recipe, or .jpg)",
) -> None:
    """The arguments of the verbs that paint a picture of `technique` with a backbone (dream,
    style): -o OUTPUT, --recipe, --backbone, --model and --mask (white `masked`, black stays).
    Declares the verb's files too; `output` is the output's kind, or a function of the arguments
    that says it."""
    output_and_recipe_arguments(parser, output_help, technique)
    # Every backbone, as the command line always took (the Style tab offers only the VGGs).
    param_options(
        parser,
        defaults,
        "backbone",
        help={"backbone": "the network"},
        extra={"backbone": {"choices": [*BACKBONES, CUSTOM_BACKBONE]}},
    )
    param_option(
        parser,
        "--model",
        dest="backbone_path",
        defaults=defaults,
        metavar="FILE",
        help="a .keras/.h5 model file (with --backbone file)",
    )
    param_option(
        parser,
        "--mask",
        dest="mask_path",
        defaults=defaults,
        metavar="PICTURE",
        help=f"greyscale picture: white {masked}, black stays as it is",
    )
    roles = FileRoles(
        outputs={"output": output},
        inputs={**inputs, "recipe": "the recipe", "backbone_path": "the model", "mask_path": "the mask"},
        side_outputs=side_outputs,
    )
    declare_files(parser, roles)


def model_input_roles(output: OutputKind, model_role: str, model_kind: str | None = None) -> FileRoles:
    """The files of the verbs that run a saved model on a picture or a folder (`cyclegan translate`,
    `style apply`: MODEL INPUT -o OUTPUT --recipe PNG): OUTPUT of kind `output`, MODEL named
    `model_role` in messages and checked to be a model of `model_kind` (None: a kind Studio cannot
    tell), INPUT and the recipe read."""
    inputs = {"model": model_role, "input": "the input", "recipe": "the recipe"}
    return FileRoles(outputs={"output": output}, inputs=inputs, models={"model": model_kind} if model_kind else {})


def model_action(
    verbs: Any,
    name: str,
    help: str,
    kind: str,
    output: OutputKind,
    output_help: str,
    run: Any,
    inputs: dict[str, str] | None = None,
) -> argparse.ArgumentParser:
    """An action on a saved model of `kind` (`vae grid MODEL -o OUT`, `gan walk MODEL -o OUT`...):
    the MODEL argument and -o OUTPUT (of kind `output`), with the files declared, `inputs` among
    them (dest -> how messages name it; the caller adds those arguments). `run` runs the action."""
    parser = verbs.add_parser(name, help=help)
    parser.add_argument("model", help=f"{KIND_NAMES[kind]} saved by Studio (.keras)")
    parser.add_argument("-o", "--output", required=True, help=output_help)
    roles = FileRoles(
        outputs={"output": output}, inputs={"model": "the model", **(inputs or {})}, models={"model": kind}
    )
    declare_files(parser, roles)
    parser.set_defaults(run=run)
    return parser


def report_saved(path: Any, details: str = "") -> int:
    """Say where a verb's result went (and `details`, such as the epochs done); the verb's exit status."""
    print(f"Saved {path}{details}")
    return 0


def params_from_recipe(path: str | None, technique: str, params_class: type, method: str | None = None) -> Any:
    """The parameters of a `technique` recipe made by `method` saved in the PNG at `path` (a JobError
    if it has none), or the defaults of `params_class` when no recipe is given: what a verb's own
    flags then override."""
    if not path:
        return params_class()
    recipe = read_recipe(path)
    if not recipe or (recipe.get("technique"), recipe.get("method")) != (technique, method):
        raise JobError(f"{Path(path).name} holds no {recipe_name(technique, method)} recipe.")
    return params_from_dict(params_class, recipe["params"])


# -- the progress bar ----------------------------------------------------------------------------
def drive(generator: Iterator[Progress], stream: TextIO | None = None, width: int = 30) -> Any:
    """Run an engine generator to its end with a one-line terminal progress bar; return its result.

    A note for the user in an event (`data["note"]`: files skipped, the encoding read) is printed
    on a line of its own above the bar. However the job ends (done, failed, Ctrl+C), the bar's line
    is ended, so what is printed next starts on a new line. Ctrl+C closes the generator (so it
    cleans up) and re-raises.
    """
    bar = ProgressBar(stream or sys.stderr, width)
    try:
        while True:
            try:
                event = next(generator)
            except StopIteration as stop:
                return stop.value
            if "note" in event.data:
                bar.note(event.data["note"])
            bar.show(event)
    finally:
        bar.end()
        generator.close()


class ProgressBar:
    """One terminal line redrawn in place (at most ten times a second, and at each job's end)."""

    def __init__(self, stream: TextIO, width: int = 30):
        self.stream = stream
        self.width = width
        self.pace = Pace(time.monotonic())
        self.last_drawn = 0.0
        self.on_screen = False

    def show(self, event: Progress) -> None:
        now = time.monotonic()
        self.pace.report(event.fraction, now)
        if now - self.last_drawn >= 0.1 or event.step == event.total:
            self.last_drawn = now
            self.stream.write("\r" + progress_line(event, self.pace.seconds_left(event.fraction, now), self.width))
            self.stream.flush()
            self.on_screen = True

    def note(self, text: str) -> None:
        self.stream.write(("\r" + text.ljust(100) if self.on_screen else text) + "\n")
        self.stream.flush()
        self.on_screen = False

    def end(self) -> None:
        if self.on_screen:
            self.stream.write("\n")
            self.stream.flush()
            self.on_screen = False


def progress_line(event: Progress, seconds_left: float | None, width: int = 30) -> str:
    filled = round(event.fraction * width)
    bar = "#" * filled + "-" * (width - filled)
    metrics = " ".join(f"{name}={value:.4g}" for name, value in event.metrics.items())
    left = ""
    if seconds_left is not None and event.fraction < 1:
        left = f" ~{seconds_left:.0f}s left"
    return f"[{bar}] {event.stage} {metrics}{left}".ljust(100)[:160]
