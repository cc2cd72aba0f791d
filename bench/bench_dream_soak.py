"""50 dreams in a row on pictures of different sizes: memory must level off, not climb.

Prints resident memory every 10 dreams and how often the step function was traced (once is the
goal: a retrace per size would leak graphs). Run: python bench/bench_dream_soak.py [count]
"""

from __future__ import annotations

import resource
import sys
import time

from studio.core.backbones import load_backbone
from studio.core.images import fit_within, sample_image
from studio.core.params.dream import DreamParams
from studio.core.progress import run_to_end
from studio.engines.dream import dream, objective_for


def resident_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(count: int = 50) -> None:
    _, backbone = run_to_end(load_backbone("vgg16"))
    params = DreamParams(octaves=2, steps_per_octave=2, max_side=None)
    photo = sample_image("astronaut")
    sizes = [96 + 16 * (i % 15) for i in range(count)]  # 15 distinct sizes, 96..320 px
    started = time.perf_counter()
    print(f"{'dreams':>6} {'size':>6} {'RSS MB':>8}")
    for index, side in enumerate(sizes, start=1):
        picture = fit_within(photo, side)
        picture = picture[: side - index % 7]  # odd heights too
        run_to_end(dream(picture, params, backbone))
        if index == 1 or index % 10 == 0:
            print(f"{index:>6} {side:>6} {resident_mb():>8.0f}", flush=True)
    objective = objective_for(backbone, tuple(params.active_layers()), guided=False)
    print(
        f"traced {objective.gradient.experimental_get_tracing_count()} time(s) for {len(set(sizes))} sizes; "
        f"{time.perf_counter() - started:.0f} s in all"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
