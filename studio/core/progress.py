"""The event a long job yields between steps."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Progress:
    """One moment of a job: where it is, what it looks like now, and how it is doing.

    `preview` is a uint8 RGB image (H, W, 3) for picture jobs; `text` carries streamed text
    for text jobs; `metrics` holds plain numbers (loss, val_loss, ...) for plots and labels;
    `data` carries anything else a tab needs from this moment (a sample grid, a table).
    """

    step: int
    total: int
    stage: str = ""
    preview: np.ndarray | None = None
    text: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def fraction(self) -> float:
        """How much of the job is done, 0..1 (0 when the total is unknown)."""
        return min(max(self.step / self.total, 0.0), 1.0) if self.total > 0 else 0.0


class JobError(Exception):
    """A problem the user can fix, with a message that says how (shown as is, no traceback)."""


def run_to_end(job: Iterator[Progress]) -> tuple[list[Progress], Any]:
    """Drive a job generator to its end with no UI: every event it yielded, and its result
    (for scripts, benchmarks and tests; the app and the CLI stream events instead)."""
    events = []
    while True:
        try:
            events.append(next(job))
        except StopIteration as stop:
            return events, stop.value


def relayed(job: Iterator[Progress], change: Callable[[Progress], Progress]) -> Iterator[Progress]:
    """A job that passes on `job`'s events, each through `change` (to count it as part of a larger
    job, or to act on it), and returns what `job` returns; closing it (a cancel) closes `job`."""
    try:
        while True:
            try:
                event = next(job)
            except StopIteration as stop:
                return stop.value
            yield change(event)
    finally:
        job.close()
