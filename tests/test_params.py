"""Parameter dataclasses: controls described in field metadata, and the JSON round trip of recipes."""

from __future__ import annotations

import dataclasses

from studio.core.params import control, control_spec, params_from_dict, params_to_dict


@dataclasses.dataclass(frozen=True)
class Example:
    steps: int = control(20, label="Steps", tooltip="More steps, stronger effect", minimum=1, maximum=500)
    layers: tuple[str, ...] = control(default_factory=tuple, label="Layers", tooltip="Which layers")
    hidden: float = 0.5


def test_a_control_field_keeps_its_default_and_describes_its_widget():
    fields = {f.name: f for f in dataclasses.fields(Example)}
    assert Example().steps == 20 and Example().layers == ()
    assert control_spec(fields["steps"])["maximum"] == 500
    assert control_spec(fields["steps"])["tooltip"] == "More steps, stronger effect"
    assert control_spec(fields["hidden"]) is None


def test_params_round_trip_through_their_json_form():
    params = Example(steps=7, layers=("a", "b"), hidden=0.25)
    assert params_from_dict(Example, params_to_dict(params)) == params
    assert params_from_dict(Example, {"steps": 3, "unknown": 1}) == Example(steps=3)
