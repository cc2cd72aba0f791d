"""Every job the UI can start is named in one registry, and every name there leads to an engine function."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from studio.core.job_targets import TARGETS, resolve
from studio.ui.runner import Job

UI_FOLDER = Path(__file__).parents[1] / "studio" / "ui"


def ui_job_names() -> dict[str, str]:
    """The target of every `Job(...)` the UI code builds, with where it is."""
    names = {}
    for path in UI_FOLDER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Job":
                target = node.args[0] if node.args else next(k.value for k in node.keywords if k.arg == "target")
                where = f"{path.name}:{node.lineno}"
                names[where] = target.value if isinstance(target, ast.Constant) else ast.unparse(target)
    return names


def test_every_registered_job_is_a_generator_function_of_an_engine():
    for name in TARGETS:
        function = resolve(name)
        assert callable(function) and inspect.isgeneratorfunction(function), name


def test_the_ui_names_only_registered_jobs():
    names = ui_job_names()
    assert len(names) >= 20, "the scan should see every job the tabs start"
    unknown = {where: name for where, name in names.items() if name not in TARGETS}
    assert not unknown, f"name these jobs in studio.core.job_targets.TARGETS: {unknown}"
    assert set(names.values()) == set(TARGETS), "a registered job no tab uses is dead code"


def test_a_job_outside_the_registry_is_refused_when_written():
    with pytest.raises(ValueError, match="job_targets"):
        Job("studio.engines.dream:dream_job")
