"""Options read from the parameter dataclasses: what a user types and reads in `--help` follows each
field (its type, its choices, its tooltip, its default), so the command line and the tabs agree."""

from __future__ import annotations

import dataclasses

import pytest

from studio.cli import build_parser, main
from studio.commands import CommandParser, flags_given, param_options
from studio.core.params import control, control_spec, worded
from studio.core.params.text import TextTrainParams


@worded
@dataclasses.dataclass(frozen=True)
class Knobs:
    strength: float = control(0.5)
    steps: int | None = control(None, special="until done")
    mode: str = control("soft", choices=(("soft", "Soft"), ("hard", "Hard")))
    mirrored: bool = control(True)
    tiled: bool = control(False)
    widths: tuple[int, ...] = (8, 16)


def knobs_parser() -> CommandParser:
    parser = CommandParser(prog="knobs")
    param_options(
        parser,
        Knobs(),
        "strength steps mode mirrored tiled widths",
        flags={"steps": "--count"},
        help={"widths": "widths, e.g. 8,16"},
    )
    return parser


def test_options_take_the_fields_types_and_keep_the_dataclass_value_when_not_given():
    parser = knobs_parser()
    given = parser.parse_args(["--strength", "0.25", "--count", "7", "--mode", "hard", "--no-mirrored", "--tiled"])
    assert (given.strength, given.steps, given.mode, given.mirrored, given.tiled) == (0.25, 7, "hard", False, True)
    assert given.widths is None
    assert parser.parse_args(["--widths", "4,8"]).widths == "4,8"  # a tuple comes as text for the verb to read
    untouched = vars(parser.parse_args([]))
    assert all(untouched[name] is None for name in ("strength", "steps", "mode", "mirrored", "tiled", "widths"))


def test_the_options_given_are_the_overrides_of_the_dataclass_they_were_declared_for():
    given = knobs_parser().parse_args(["--count", "7", "--no-mirrored"])
    assert flags_given(given, Knobs) == {"steps": 7, "mirrored": False}
    assert flags_given(given, TextTrainParams) == {}


def test_a_value_outside_the_fields_choices_is_refused(capsys):
    with pytest.raises(SystemExit):
        knobs_parser().parse_args(["--mode", "loud"])
    assert "invalid choice: 'loud'" in capsys.readouterr().err


def test_help_says_what_the_tooltip_says_with_the_default():
    text = " ".join(knobs_parser().format_help().split())
    assert "--strength STRENGTH How much of it shows (default: 0.5)" in text
    assert "--count STEPS Steps in all (default: until done)" in text
    assert "--mode {soft,hard} How it blends (default: soft)" in text
    assert "--mirrored, --no-mirrored Mirror it (default: on)" in text
    assert "--widths WIDTHS widths, e.g. 8,16 (default: 8,16)" in text


def test_a_field_with_neither_tooltip_nor_help_is_refused():
    with pytest.raises(ValueError, match="widths has no tooltip"):
        param_options(CommandParser(prog="knobs"), Knobs(), "widths")


def test_studio_text_train_reads_its_options_from_the_text_parameters(capsys):
    train = build_parser().parse_args(["text", "train", "-o", "m.textmodel", "--no-bidirectional", "--layers", "2"])
    assert (train.bidirectional, train.layers) == (False, 2)
    assert main(["text", "train", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    dropout = next(field for field in dataclasses.fields(TextTrainParams) if field.name == "dropout")
    assert f"--dropout DROPOUT {control_spec(dropout)['tooltip']} (default: 0.1)" in text
