"""The parameter form: built from a dataclass's `control` fields, it shows, reads and remembers
parameters, keeps fields it has no control for, and takes a tab's own widget for a field."""

from __future__ import annotations

import dataclasses
import json

import pytest
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QGroupBox, QLabel, QLineEdit, QSpinBox, QWidget
from superqt import QLabeledDoubleSlider

from studio.core.params import control, control_spec, params_from_dict, params_to_dict, worded
from studio.core.params.dream import DreamParams
from studio.ui.widgets.param_form import ParamForm


@worded
@dataclasses.dataclass(frozen=True)
class Sketch:
    steps: int = control(20, group="Drawing", minimum=1, maximum=99)
    softness: float = control(0.5, group="Drawing", widget="slider", minimum=0.0, maximum=1.0)
    scale: float = control(1.5, group="Drawing", minimum=1.0, maximum=4.0, step=0.5)
    seed: int | None = control(None, group="Chance", minimum=0, maximum=1000, special="random")
    colour: str = control("ink", group="Chance", choices=(("ink", "Ink"), ("chalk", "Chalk")))
    mirrored: bool = control(False, group="Chance")
    title: str = control("", group="Chance")
    palette: tuple[str, ...] = control(("red",), group="Chance")
    history: tuple[int, ...] = ()  # no control: the form only carries it
    model_file: str | None = None


class PaletteEditor(QWidget):
    """A tab's own widget for a field the form cannot build a control for."""

    changed = Signal()

    def __init__(self):
        super().__init__()
        self.colours: tuple[str, ...] = ()

    def value(self) -> tuple[str, ...]:
        return self.colours

    def set_value(self, colours: tuple[str, ...]) -> None:
        self.colours = tuple(colours)

    def pick(self, *colours: str) -> None:
        self.colours = colours
        self.changed.emit()


@pytest.fixture
def form(qtbot):
    widget = ParamForm(Sketch, {"palette": PaletteEditor()})
    qtbot.addWidget(widget)
    return widget


def test_the_form_shows_each_field_with_the_control_its_type_asks_for(form):
    kinds = {name: type(form.editor(name)) for name in ("steps", "softness", "scale", "seed", "colour", "mirrored")}
    assert kinds == {
        "steps": QSpinBox,
        "softness": QLabeledDoubleSlider,
        "scale": QDoubleSpinBox,
        "seed": QSpinBox,
        "colour": QComboBox,
        "mirrored": QCheckBox,
    }
    assert isinstance(form.editor("title"), QLineEdit) and isinstance(form.editor("palette"), PaletteEditor)
    assert [box.title() for box in form.findChildren(QGroupBox)] == ["Drawing", "Chance"]
    assert form.params() == Sketch(), "a new form shows the defaults"


def test_a_parameter_set_round_trips_including_fields_without_a_control(qtbot, form):
    params = Sketch(
        steps=7, softness=0.25, scale=3.0, seed=12, colour="chalk", mirrored=True, title="Dusk",
        palette=("blue", "gold"), history=(3, 1, 4), model_file="/models/mine.keras",
    )  # fmt: skip
    form.set_params(params)
    assert form.params() == params
    fresh = ParamForm(Sketch, {"palette": PaletteEditor()})
    qtbot.addWidget(fresh)
    fresh.set_params(params_from_dict(Sketch, json.loads(json.dumps(params_to_dict(form.params())))))
    assert fresh.params() == params, "what a tab remembers (as JSON) comes back whole"


def test_changing_a_control_changes_the_frozen_params(qtbot, form):
    with qtbot.waitSignal(form.changed, timeout=1000):
        form.editor("steps").setValue(42)
    form.editor("colour").setCurrentIndex(1)
    form.editor("mirrored").setChecked(True)
    form.editor("palette").pick("green")
    params = form.params()
    assert (params.steps, params.colour, params.mirrored, params.palette) == (42, "chalk", True, ("green",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.steps = 3


def test_an_optional_number_shows_its_special_text_at_its_minimum(form):
    seed = form.editor("seed")
    assert seed.text() == "random" and form.params().seed is None
    seed.stepUp()
    assert form.params().seed == 0 and seed.text() == "0"
    form.update(seed=None)
    assert seed.text() == "random"


def test_values_that_do_not_fit_change_nothing(form):
    form.update(steps=9)
    for wrong in ({"steps": 500}, {"steps": "3"}, {"colour": "crayon"}, {"seed": 3_000_000_000}):
        with pytest.raises(ValueError):
            form.update(title="changed", **wrong)
        assert form.params().steps == 9 and form.params().title == "", wrong


def test_update_sets_a_field_without_a_control_and_keeps_the_rest(form):
    form.update(steps=5)
    form.update(model_file="/models/other.keras")
    assert form.params().model_file == "/models/other.keras" and form.params().steps == 5


def test_every_control_says_what_it_does(form, qtbot):
    dream = ParamForm(DreamParams, {"layers": PaletteEditor()})
    qtbot.addWidget(dream)
    for each in (form, dream):
        for field in dataclasses.fields(each.params_class):
            if (spec := control_spec(field)) is not None:
                assert each.editor(field.name).toolTip() == spec["tooltip"], field.name
        labelled = [label for label in each.findChildren(QLabel) if label.buddy() is not None]
        assert labelled and all(label.toolTip() == label.buddy().toolTip() for label in labelled)
    assert all(len(control_spec(f)["tooltip"]) > 60 for f in dataclasses.fields(DreamParams) if control_spec(f))


def test_a_field_the_form_cannot_show_asks_for_an_editor(qtbot):
    with pytest.raises(TypeError, match="palette.*editor"):
        ParamForm(Sketch)
