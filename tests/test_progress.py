"""Progress weighed by cost: the time left that elapsed * (1 - f) / f gives (what the progress bar
shows) must be honest early on, even when later steps cost far more than early ones."""

from __future__ import annotations

import time

import pytest

from studio.core.progress import CostLedger, Progress, relay, run_to_end

# Three stages whose steps cost 1, 4 and 16 (as octaves or scales that double their sides do).
STAGES = [(2, 1.0), (2, 4.0), (2, 16.0)]
TOTAL_COST = sum(steps * cost for steps, cost in STAGES)  # 42
SECONDS_PER_COST = 0.6 / TOTAL_COST  # 0.6 s in all


class Work:
    """Work that takes time in proportion to its cost. Each piece sleeps until the moment its cost
    so far is due, so a loaded machine's late wake-ups do not pile up over many short sleeps."""

    def __init__(self):
        self.started = time.monotonic()
        self.cost_done = 0.0

    def do(self, cost: float) -> None:
        self.cost_done += cost
        time.sleep(max(0.0, self.started + self.cost_done * SECONDS_PER_COST - time.monotonic()))

    def step(self, cost: float):
        """One step's work in two halves, saying how much is done between them."""
        self.do(cost / 2)
        yield 0.5
        self.do(cost / 2)
        return cost


def growing_job():
    """A fake engine whose steps grow in cost and take time in proportion to it."""
    ledger = CostLedger(STAGES)
    work = Work()
    for stage, (steps, cost) in enumerate(STAGES):
        for step in range(steps):
            yield from ledger.heartbeats(work.step(cost), stage, step, f"stage {stage + 1}")
            yield ledger.progress(stage, step + 1, stage=f"stage {stage + 1}")


def time_left_at(events: list[tuple[float, Progress]], end: float, share: float, fraction) -> tuple[float, float]:
    """(estimated, true) seconds left at the first event with `share` of the work done, where the
    estimate is what JobHandle.seconds_left computes from `fraction(event)`."""
    elapsed, event = next((t, e) for t, e in events if e.fraction >= share)
    done = fraction(event)
    return elapsed * (1 - done) / done, end - elapsed


def test_time_left_is_within_a_quarter_of_the_truth_once_a_fifth_is_done():
    # A busy machine can stall this process at any moment, which only ever spoils an estimate:
    # the honest one must come out right in one of a few tries; counting steps never does.
    errors = []
    for _ in range(3):
        started = time.monotonic()
        events = [(time.monotonic() - started, event) for event in growing_job()]
        end = time.monotonic() - started
        estimate, truth = time_left_at(events, end, 0.2, lambda event: event.fraction)
        # Counting steps instead (what the bar showed before) would promise far too little time.
        by_steps, _ = time_left_at(events, end, 0.2, lambda event: event.step / event.total)
        assert by_steps < 0.5 * truth
        errors.append(abs(estimate / truth - 1))
        if errors[-1] <= 0.25:
            break
    assert min(errors) <= 0.25


def test_events_count_whole_steps_and_weigh_them_by_cost():
    events, _ = run_to_end(growing_job())
    assert all(event.total == 6 for event in events) and events[-1].step == 6
    fractions = [event.fraction for event in events]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    # The first stage's steps cost 1 of 42 each: half a step (a light event), then the whole step.
    assert fractions[:4] == pytest.approx([0.5 / TOTAL_COST, 1 / TOTAL_COST, 1.5 / TOTAL_COST, 2 / TOTAL_COST])
    assert [event.step for event in events[:4]] == [0, 1, 1, 2]


def test_work_that_is_not_a_step_leaves_the_share_done_alone():
    def preparing():
        yield 0.3
        yield 0.9
        return "ready"

    ledger = CostLedger([(1, 10.0), (3, 30.0)])
    events, result = run_to_end(ledger.heartbeats(preparing(), 1, 0, "preparing", counted=False))
    assert result == "ready"
    assert [event.fraction for event in events] == [pytest.approx(0.1)] * 2
    assert [event.step for event in events] == [1, 1]


def test_closing_a_relay_closes_the_work_it_runs():
    closed = []

    def work():
        try:
            yield 1
            yield 2
        finally:
            closed.append(True)

    relayed = relay(work(), lambda item: item * 10)
    assert next(relayed) == 10
    relayed.close()
    assert closed == [True]
