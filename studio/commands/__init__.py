"""Headless verbs of the `studio` command, one module per engine; each defines `register(subparsers)`."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from studio.core.compute import describe_device
from studio.core.images import read_recipe
from studio.core.params import params_from_dict
from studio.core.progress import JobError, Progress


def drive(generator: Iterator[Progress], stream: TextIO | None = None, width: int = 30) -> Any:
    """Run an engine generator to its end with a one-line terminal progress bar; return its result.

    Ctrl+C closes the generator (so it cleans up) and re-raises.
    """
    stream = stream or sys.stderr
    describe_device()  # as in the app: GPUs grow their memory as needed instead of taking it all
    started = time.monotonic()
    last_drawn = 0.0
    try:
        while True:
            try:
                event = next(generator)
            except StopIteration as stop:
                stream.write("\n")
                return stop.value
            now = time.monotonic()
            if now - last_drawn >= 0.1 or event.step == event.total:
                last_drawn = now
                stream.write("\r" + progress_line(event, now - started, width))
                stream.flush()
    finally:
        generator.close()


def params_from_recipe(path: str, technique: str, params_class: type) -> Any:
    """The parameters of a `technique` recipe saved in the PNG at `path` (a JobError if it has none)."""
    recipe = read_recipe(path)
    if not recipe or recipe.get("technique") != technique:
        raise JobError(f"{Path(path).name} holds no {technique.title()} recipe.")
    return params_from_dict(params_class, recipe["params"])


def progress_line(event: Progress, elapsed: float, width: int = 30) -> str:
    filled = round(event.fraction * width)
    bar = "#" * filled + "-" * (width - filled)
    metrics = " ".join(f"{name}={value:.4g}" for name, value in event.metrics.items())
    left = ""
    if 0 < event.fraction < 1:
        left = f" ~{elapsed * (1 - event.fraction) / event.fraction:.0f}s left"
    return f"[{bar}] {event.stage} {metrics}{left}".ljust(100)[:160]
