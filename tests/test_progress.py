"""Progress weighed by cost: steps are counted as a user reads them, the share of the work done
weighs them by cost (the time left shown from it is tested through the runner, in test_runner)."""

from __future__ import annotations

import pytest
from fake_engines import GROWING_COST, growing

from studio.core.progress import CostLedger, relayed, run_to_end


def test_events_count_whole_steps_and_weigh_them_by_cost():
    events, _ = run_to_end(growing(seconds=0.0))
    assert all(event.total == 6 for event in events) and events[-1].step == 6
    fractions = [event.fraction for event in events]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    # The first stage's steps cost 1 of 42 each: half a step (a light event), then the whole step.
    assert fractions[:4] == pytest.approx([0.5 / GROWING_COST, 1 / GROWING_COST, 1.5 / GROWING_COST, 2 / GROWING_COST])
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

    job = relayed(work(), lambda item: item * 10)
    assert next(job) == 10
    job.close()
    assert closed == [True]
