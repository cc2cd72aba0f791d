"""Parameter dataclasses: controls described in field metadata and worded from their words file,
and the JSON round trip of recipes."""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import pkgutil
import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from studio.core.params import control, control_spec, params_from_dict, params_to_dict, worded


@worded
@dataclasses.dataclass(frozen=True)
class Example:
    steps: int = control(20, minimum=1, maximum=500)
    layers: tuple[str, ...] = control(default_factory=tuple)
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


SKETCH_MODULE = """
import dataclasses
from studio.core.params import control, worded

@worded
@dataclasses.dataclass(frozen=True)
class Sketch:
    steps: int = control(20, minimum=1, maximum=500)
    hidden: float = 0.5
"""


def _import_sketch(tmp_path, monkeypatch, words: str):
    """Import a parameter module whose words file holds `words`."""
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "sketch_params.py").write_text(SKETCH_MODULE)
    (tmp_path / "sketch_params.toml").write_text(words)
    spec = importlib.util.spec_from_file_location("sketch_params", tmp_path / "sketch_params.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "sketch_params", module)
    spec.loader.exec_module(module)
    return module.Sketch


def test_a_control_takes_its_label_and_tooltip_from_the_words_file_beside_its_module(tmp_path, monkeypatch):
    sketch = _import_sketch(tmp_path, monkeypatch, '[Sketch.steps]\nlabel = "Steps"\ntooltip = "More, stronger"\n')
    spec = control_spec(dataclasses.fields(sketch)[0])
    assert (spec["label"], spec["tooltip"], spec["maximum"]) == ("Steps", "More, stronger", 500)


def test_a_control_without_words_or_words_without_a_control_stop_the_import(tmp_path, monkeypatch):
    with pytest.raises(LookupError, match=r"Sketch\.steps needs a label and a tooltip in sketch_params\.toml"):
        _import_sketch(tmp_path / "none", monkeypatch, '[Sketch.steps]\nlabel = "Steps"\n')
    misspelt = '[Sketch.steps]\nlabel = "Steps"\ntooltip = "More"\n\n[Sketch.stpes]\nlabel = "S"\ntooltip = "S"\n'
    with pytest.raises(LookupError, match="sketch_params.toml has words for Sketch fields it lacks: stpes"):
        _import_sketch(tmp_path / "misspelt", monkeypatch, misspelt)


def test_a_control_read_before_its_class_is_worded_says_what_is_missing():
    @dataclasses.dataclass(frozen=True)
    class Unworded:
        steps: int = control(20, minimum=1, maximum=500)

    with pytest.raises(LookupError, match="decorate its class with @worded"):
        control_spec(dataclasses.fields(Unworded)[0])


def test_a_missing_words_file_is_named(tmp_path, monkeypatch):
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "sketch_params.py").write_text(SKETCH_MODULE)
    spec = importlib.util.spec_from_file_location("sketch_params", tmp_path / "sketch_params.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "sketch_params", module)
    with pytest.raises(LookupError, match=r"Sketch\.steps needs a label and a tooltip in sketch_params\.toml"):
        spec.loader.exec_module(module)


def test_every_table_of_the_apps_words_files_names_a_worded_class_of_its_module():
    """A table left behind by a renamed class would never be read: each names a class beside it."""
    import studio.core.params as params_package
    import studio.core.variations

    modules = [studio.core.variations]
    for info in pkgutil.iter_modules(params_package.__path__):
        modules.append(importlib.import_module(f"studio.core.params.{info.name}"))
    checked = 0
    for module in modules:
        words_file = Path(module.__file__).with_suffix(".toml")
        if not words_file.exists():
            continue
        for class_name, fields in tomllib.loads(words_file.read_text("utf-8")).items():
            cls = getattr(module, class_name, None)
            assert dataclasses.is_dataclass(cls), f"{words_file.name} has words for {class_name}, not a class there"
            assert set(fields) <= {field.name for field in dataclasses.fields(cls)}
            checked += 1
    assert checked >= 14, "every technique's parameter classes have words"
