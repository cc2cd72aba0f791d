"""Parameter dataclasses of every technique, and their JSON form (the recipe saved beside a result)."""

from __future__ import annotations

import dataclasses
import functools
import sys
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10 has no tomllib; tomli is the same parser
    import tomli as tomllib

T = TypeVar("T")
UI_KEY = "ui"


def control(
    default: Any = dataclasses.MISSING,
    *,
    default_factory: Any = dataclasses.MISSING,
    group: str = "",
    widget: str = "",
    minimum: float | None = None,
    maximum: float | None = None,
    step: float | None = None,
    decimals: int | None = None,
    choices: tuple[tuple[Any, str], ...] = (),
    suffix: str = "",
    special: str = "",
) -> Any:
    """A parameter field that the UI shows as a control (a dataclass `field` carrying plain metadata).

    `group` is the box it sits in. `widget` overrides the kind inferred from the field's type
    ("slider" for a float slider, "spin", "check", "combo", "text"). `minimum`/`maximum`/`step`/
    `decimals` bound numbers; `choices` are (value, label) pairs for a combo box; `suffix` follows
    a number (" px"); `special` is the text shown for None on an optional number ("random", "all"),
    or at the minimum of a number whose minimum switches it off ("off" for a top-k of 0).
    The control's label and tooltip come from the words file beside the class (see `worded`).
    Fields made without `control` have no control: the form keeps their values as they are.
    """
    spec = {
        "group": group,
        "widget": widget,
        "minimum": minimum,
        "maximum": maximum,
        "step": step,
        "decimals": decimals,
        "choices": tuple(choices),
        "suffix": suffix,
        "special": special,
    }
    return dataclasses.field(default=default, default_factory=default_factory, metadata={UI_KEY: spec})


def worded(cls: type[T]) -> type[T]:
    """Give each control of the parameter dataclass `cls` its words: the `label` that names it and the
    `tooltip` that says what it does to the result, in the user's words (the app's tooltip, the CLI's
    help). They are read from the TOML file beside the class's module (`text.py` -> `text.toml`),
    one table per control, `[ClassName.field]`, so the code keeps a line per setting and the words
    can be written and reviewed as prose. A control without words, or words without a control,
    is an error at import."""
    path = Path(sys.modules[cls.__module__].__file__).with_suffix(".toml")
    words = dict(_words_file(path).get(cls.__name__, {}))
    for field in dataclasses.fields(cls):
        spec = field.metadata.get(UI_KEY)
        if spec is None:
            continue
        entry = words.pop(field.name, None)
        if entry is None or "label" not in entry or not entry.get("tooltip"):
            raise LookupError(f"{cls.__name__}.{field.name} needs a label and a tooltip in {path.name}.")
        spec.update(label=entry["label"], tooltip=entry["tooltip"])
    if words:
        raise LookupError(f"{path.name} has words for {cls.__name__} fields it lacks: {', '.join(words)}.")
    return cls


@functools.cache
def _words_file(path: Path) -> dict[str, Any]:
    """The words file's tables; none when it is missing (`worded` then names the file it needs)."""
    if not path.exists():
        return {}
    with path.open("rb") as file:
        return tomllib.load(file)


def seed_control(group: str = "") -> Any:
    """An optional seed (None, shown as "random", draws a new one each run)."""
    return control(None, group=group, minimum=0, maximum=2**31 - 1, special="random")


def tile_size_control(group: str = "") -> Any:
    """The side of the overlapping tiles a trained network works through on a large picture, which
    bounds memory."""
    return control(1024, group=group, minimum=256, maximum=4096, step=128, suffix=" px")


def control_spec(field: dataclasses.Field) -> dict[str, Any] | None:
    """The control a field asks for (see `control`), or None for a field with no control. A control
    whose class is not `@worded` has no words yet: that is an error here, where it is first read."""
    spec = field.metadata.get(UI_KEY)
    if spec is not None and "label" not in spec:
        raise LookupError(
            f"The control '{field.name}' has no label or tooltip: decorate its class with @worded and give it "
            "a table in the TOML beside its module."
        )
    return spec


def base_type(hint: Any) -> Any:
    """`X` for an optional field's `X | None`, else the type hint itself."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(options) == 1:
            return options[0]
    return hint


def params_to_dict(params: Any) -> dict[str, Any]:
    """A frozen parameter dataclass as a plain JSON-ready dict."""
    return dataclasses.asdict(params)


def params_from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild `cls` from a dict, ignoring unknown keys (recipes from newer versions) and
    converting lists back to tuples and nested dicts back to dataclasses where the field says so."""
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            kwargs[f.name] = _coerce(hints[f.name], data[f.name])
    return cls(**kwargs)


# A Style picture made otherwise than by the optimised transfer says how in its recipe's "method"
# (the app and the CLI write the same recipe, so each reads what the other saved).
STYLE = "style"
STYLE_MODEL_METHOD = "fast"  # painted in one pass by a trained style model
CYCLEGAN_METHOD = "cyclegan"  # translated by a CycleGAN
# What earlier CLIs named those techniques, read as (technique, method) so their pictures still open.
RENAMED_TECHNIQUES = {"fast_style": (STYLE, STYLE_MODEL_METHOD), "cyclegan-translate": (STYLE, CYCLEGAN_METHOD)}
# How messages name a recipe of (technique, method).
RECIPE_NAMES = {
    (STYLE, None): "Style",
    (STYLE, STYLE_MODEL_METHOD): "style-model painting",
    (STYLE, CYCLEGAN_METHOD): "CycleGAN translation",
}


def make_recipe(technique: str, params: Any, **extra: Any) -> dict[str, Any]:
    """What is saved beside a result so it can be made again: technique, parameters, and context
    such as the source picture's size (and, for a Style picture, the `method`). `read_recipe` +
    `params_from_dict` bring it back."""
    from studio import __version__

    return {
        "app": "generative-studio",
        "version": __version__,
        "technique": technique,
        "params": params_to_dict(params),
        **{k: _plain(v) for k, v in extra.items()},
    }


def current_recipe(recipe: dict[str, Any]) -> dict[str, Any]:
    """A recipe as this Studio names it: one saved under an earlier technique name gets today's."""
    renamed = RENAMED_TECHNIQUES.get(recipe.get("technique"))
    if renamed is None:
        return recipe
    technique, method = renamed
    return {**recipe, "technique": technique, "method": method}


def recipe_name(technique: str, method: str | None = None) -> str:
    """How a message names a recipe of `technique` made by `method` ("Dream", "CycleGAN translation")."""
    return RECIPE_NAMES.get((technique, method), technique.title())


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _coerce(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    if base_type(hint) is not hint:
        return _coerce(base_type(hint), value)
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint) and isinstance(value, dict):
        return params_from_dict(hint, value)
    if origin is tuple and isinstance(value, (list, tuple)):
        args = typing.get_args(hint)
        item = args[0] if args else Any
        return tuple(_coerce(item, v) for v in value)
    if origin is dict and isinstance(value, dict):
        _, item = typing.get_args(hint) or (Any, Any)
        return {k: _coerce(item, v) for k, v in value.items()}
    if hint is float and isinstance(value, int):
        return float(value)
    return value
