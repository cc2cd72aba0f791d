"""Variations of one set of parameters, to try several at once and pick from a contact sheet:
new seeds, each preset, or one setting swept over a range. Plain dataclasses, no Qt."""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from studio.core.params import control, control_spec, worded
from studio.core.progress import JobError

P = TypeVar("P")
KIND_LABELS = {"seeds": "Seed", "presets": "Preset", "sweep": "One setting"}


@worded
@dataclass(frozen=True)
class VariationParams:
    """How many variations to make and what changes between them. `sweep_field` names a number
    field of the technique's parameters; it goes from `sweep_from` to `sweep_to` in even steps."""

    count: int = control(4, group="Variations", minimum=2, maximum=16)
    kind: str = control("seeds", group="Variations")
    sweep_field: str = control("", group="Variations")
    sweep_from: float = control(1.0, group="Variations", minimum=0.0, maximum=100_000.0, decimals=4)
    sweep_to: float = control(3.0, group="Variations", minimum=0.0, maximum=100_000.0, decimals=4)


def sweepable_fields(params_class: type) -> dict[str, dict[str, Any]]:
    """The number fields of `params_class` that have a bounded control, by name: their control specs."""
    hints = typing.get_type_hints(params_class)
    found = {}
    for field in dataclasses.fields(params_class):
        spec = control_spec(field)
        if (
            spec is not None
            and hints[field.name] in (int, float)
            and not spec["choices"]
            and spec["minimum"] is not None
            and spec["maximum"] is not None
        ):
            found[field.name] = spec
    return found


def plan_variations(
    base: P, plan: VariationParams, presets: dict[str, dict[str, float]] | None = None, seed: int | None = None
) -> list[tuple[str, P]]:
    """(label, parameters) for each variation of `base` (a parameter dataclass with a `seed` field).

    Seeds: `base.seed` and the ones after it (a random start when `base.seed` is None), so every
    picture differs. Presets and sweeps share one seed, so only the preset or the setting changes.
    `presets` are the layer mixes a preset variation chooses from; `seed` seeds the random start.
    """
    start = base.seed if base.seed is not None else int(np.random.default_rng(seed).integers(0, 2**31 - 1 - 16))
    if plan.kind == "seeds":
        return [(f"seed {start + index}", dataclasses.replace(base, seed=start + index)) for index in range(plan.count)]
    same_seed = dataclasses.replace(base, seed=start)
    if plan.kind == "presets":
        if not presets:
            raise JobError("This network has no presets to vary; vary the seed or one setting instead.")
        return [
            (name, dataclasses.replace(same_seed, layers=dict(layers)))
            for name, layers in list(presets.items())[: plan.count]
        ]
    if plan.kind == "sweep":
        return _sweep(same_seed, plan)
    raise JobError(f"Unknown kind of variation '{plan.kind}'. Choose one of: {', '.join(KIND_LABELS)}.")


def _sweep(base: P, plan: VariationParams) -> list[tuple[str, P]]:
    fields = sweepable_fields(type(base))
    if plan.sweep_field not in fields:
        raise JobError(f"Choose the setting to vary (one of: {', '.join(spec['label'] for spec in fields.values())}).")
    spec = fields[plan.sweep_field]
    values = np.clip(np.linspace(plan.sweep_from, plan.sweep_to, plan.count), spec["minimum"], spec["maximum"])
    if isinstance(getattr(base, plan.sweep_field), int):
        values = list(dict.fromkeys(int(round(value)) for value in values))
    else:
        decimals = spec["decimals"] if spec["decimals"] is not None else 2
        values = list(dict.fromkeys(round(float(value), decimals) for value in values))
    if len(values) < 2:
        raise JobError(f"From and To give only one value of {spec['label']}: spread them further apart.")
    return [(f"{spec['label']} {value:g}", dataclasses.replace(base, **{plan.sweep_field: value})) for value in values]
