"""The event a long job yields between steps, and the ledger that weighs steps by their cost."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np


@dataclass(frozen=True)
class Progress:
    """One moment of a job: where it is, what it looks like now, and how it is doing.

    `preview` is a uint8 RGB image (H, W, 3) for picture jobs; `text` carries streamed text
    for text jobs; `metrics` holds plain numbers (loss, val_loss, ...) for plots and labels;
    `data` carries anything else a tab needs from this moment (a sample grid, a table).
    `step` and `total` count steps as a user reads them ("step 30 of 120"); `work_done`, when the
    job knows its steps differ in cost, is the share of the work done (see `CostLedger`).
    """

    step: int
    total: int
    stage: str = ""
    preview: np.ndarray | None = None
    text: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    work_done: float | None = None

    @property
    def fraction(self) -> float:
        """How much of the job is done, 0..1 (0 when the total is unknown): the share of the work
        when the job reports it, else the share of the steps."""
        if self.work_done is not None:
            return min(max(self.work_done, 0.0), 1.0)
        return min(max(self.step / self.total, 0.0), 1.0) if self.total > 0 else 0.0


class Pace:
    """Time left from a job's pace: the work left at the rate the share done has grown since the
    job's first report. What came before that report (loading a model, tracing graphs, reading
    files) is paid once, so counting it in the rate would promise too long a wait."""

    def __init__(self, started: float):
        """`started`: when the job began, on the clock the times given later are read from."""
        self.started = started
        self.first: tuple[float, float] | None = None  # (when, share done) of the first report

    def report(self, fraction: float, when: float) -> None:
        if self.first is None:
            self.first = (when, fraction)

    def seconds_left(self, fraction: float, now: float) -> float | None:
        """Seconds left once `fraction` of the work is done at `now`; None before there is a pace."""
        if fraction <= 0:
            return None
        since, done_then = self.first if self.first is not None and fraction > self.first[1] else (self.started, 0.0)
        return (now - since) * (1 - fraction) / (fraction - done_then)


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


Yielded = TypeVar("Yielded")
Relayed = TypeVar("Relayed")
Result = TypeVar("Result")


def relayed(
    job: Generator[Yielded, None, Result], change: Callable[[Yielded], Relayed]
) -> Generator[Relayed, None, Result]:
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


def part_share(done: float, start: float, size: float) -> float:
    """Progress `done` (0..1) of one part of a piece of work (a segment's pass, a tile), as
    progress of the whole piece, where the part starts at `start` and takes `size` of it."""
    return start + size * done


class CostLedger:
    """A job's planned work as stages (octaves, scales) of equal steps, each stage with the cost of
    one of its steps in any unit (pixels, say), so that progress is the share of the cost done.

    Counting steps alone makes "time left" (elapsed * (1 - f) / f) far too short whenever later
    steps cost more than early ones, as a full-size octave does; weighing them keeps it honest.
    """

    def __init__(self, stages: Sequence[tuple[int, float]]):
        """`stages`: (number of steps, cost of one step) for each stage, in the order they run."""
        self.stages = [(int(steps), float(cost)) for steps, cost in stages]
        self._steps_before = [0, *itertools.accumulate(steps for steps, _ in self.stages)]
        self._cost_before = [0.0, *itertools.accumulate(steps * cost for steps, cost in self.stages)]
        self.total_steps = self._steps_before[-1]
        self.total_cost = self._cost_before[-1]

    def fraction(self, stage: int, steps: float) -> float:
        """Share of the whole cost done once `steps` steps of `stage` are (a fraction of a step
        for part of one; at most the stage's steps)."""
        stage_steps, cost = self.stages[stage]
        done = self._cost_before[stage] + min(max(steps, 0.0), stage_steps) * cost
        return done / self.total_cost if self.total_cost > 0 else 0.0

    def steps_done(self, stage: int, steps: float) -> int:
        """Whole steps of the job done once `steps` steps of `stage` are."""
        return self._steps_before[stage] + min(int(steps), self.stages[stage][0])

    def progress(self, stage: int, steps: float, /, **fields: Any) -> Progress:
        """The event for `steps` done in `stage`: `step` and `total` count whole steps, `work_done`
        weighs them by cost; `fields` are the rest of the Progress (stage text, preview, metrics)."""
        return Progress(
            step=self.steps_done(stage, steps),
            total=self.total_steps,
            work_done=self.fraction(stage, steps),
            **fields,
        )

    def heartbeats(
        self, work: Generator[float, None, Result], stage: int, step: int, label: str, counted: bool = True
    ) -> Generator[Progress, None, Result]:
        """Run `work`, a generator that yields how much of step `step` of `stage` is done (0..1) and
        returns the step's result, yielding a light event (no preview) for each, so that the job can
        be cancelled part-way through a long step; returns `work`'s result. For work that is not a
        step (preparing a stage), `counted=False` leaves the share done where it is."""
        within = 0.0

        def event(done: float) -> Progress:
            nonlocal within
            if counted:
                within = max(within, min(done, 1.0))  # a step may take several passes: never go back
            return self.progress(stage, step + within, stage=label)

        return (yield from relayed(work, event))
