"""How honest is "time left"? Runs the Dream and Style defaults as the app does and compares the
estimate the progress bar shows (core.progress.Pace, what JobHandle.seconds_left uses: the work
left at the pace since the job's first report) with the real time left, at 20% and 50% of the work.

Dream: `dream_job` on skimage's chelsea with the default DreamParams. Style: `stylize_job` on the
astronaut with the default StyleParams and skimage's immunohistochemistry texture as the style.
The first run of each in the process pays for loading the backbone and tracing, as an app's first
job does; --runs 2 adds a run as a later job in the same session sees it.

On a shared machine the wall clock runs faster or slower as others' load comes and goes, which no
estimate can foresee; the same estimate made with this process's CPU seconds shows how well the
engine weighs its work, whatever the load.

    python bench/bench_time_left.py [--runs 2] [--only dream|style]

Measured with `nice -n 10 python bench/bench_time_left.py` (first runs, so loading VGG16 and
tracing included) on the shared 2-core CPU machine, load average 12 falling to 8 during the runs.
Estimate against the truth:
               at 20% (wall)   at 50% (wall)   at 20% (CPU s)   at 50% (CPU s)   whole job
    Dream          -1%             +1%              +1%              +0%         210 s, 66 CPU s
    Style          +3%            +33%              +9%             +21%         351 s, 116 CPU s
Style's later half ran faster than its first as the others' load fell; in CPU seconds its
estimate stays within 25%. (Timing from the job's start instead of its first event, the first
runs gave Dream +72% and Style -50% at 20% in wall seconds under a rising load.)
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

from studio.core.images import sample_image
from studio.core.params.dream import DreamParams
from studio.core.params.style import StyleParams
from studio.core.progress import Pace
from studio.engines.dream import dream_job
from studio.engines.style import stylize_job

CHECKPOINTS = (0.2, 0.5)


def timeline(job) -> tuple[list[tuple[float, float, float]], float, float]:
    """(wall seconds, CPU seconds, fraction done) at every event, and the wall and CPU seconds in all."""
    started, cpu = time.monotonic(), time.process_time()
    events = []
    while True:
        try:
            event = next(job)
        except StopIteration:
            return events, time.monotonic() - started, time.process_time() - cpu
        events.append((time.monotonic() - started, time.process_time() - cpu, event.fraction))


def report(name: str, events: list[tuple[float, float, float]], wall: float, cpu: float) -> None:
    print(f"{name}: {wall:.1f} s, {cpu:.1f} CPU s, {len(events)} events", flush=True)
    first_wall, first_cpu, first_fraction = events[0]
    for checkpoint in CHECKPOINTS:
        elapsed, cpu_elapsed, fraction = next(event for event in events if event[2] >= checkpoint)
        parts = []
        for unit, first, spent, total in (("s", first_wall, elapsed, wall), ("CPU s", first_cpu, cpu_elapsed, cpu)):
            pace = Pace(0.0)
            pace.report(first_fraction, first)
            estimate, truth = pace.seconds_left(fraction, spent), total - spent
            parts.append(f"estimate {estimate:5.1f} {unit}, truth {truth:5.1f} {unit} ({estimate / truth - 1:+4.0%})")
        print(f"  at {fraction:4.0%}: " + "; ".join(parts), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1, help="runs of each job in this process")
    parser.add_argument("--only", choices=("dream", "style"))
    args = parser.parse_args()
    from skimage import data

    chelsea = sample_image("chelsea")
    astronaut = sample_image("astronaut")
    texture = np.asarray(data.immunohistochemistry())[..., :3]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for run in range(1, args.runs + 1):
        if args.only != "style":
            report(f"dream run {run}", *timeline(dream_job(chelsea, DreamParams(seed=0))))
        if args.only != "dream":
            report(f"style run {run}", *timeline(stylize_job(astronaut, [texture], StyleParams(seed=0))))
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
