"""Resident memory over a session: it must level off, not climb.

oneDNN (TensorFlow's CPU kernels) caches compiled kernels per input shape, so every new shape that
reaches the network costs memory until its cache fills. Two soaks:
  sizes: dreams in a row on pictures of 100 distinct sizes (untiled); prints resident memory after
         the first dream and every 10 and how often the step function was traced (once is the goal: a retrace
         per size would leak graphs).
  tiled: one long dream on a 768 x 576 photo, tiled (the grid moves between steps); prints resident
         memory after every 10 steps.
Run: python bench/bench_dream_soak.py [sizes|tiled] [count] [--steps N]

Measured with `nice -n 10 python bench/bench_dream_soak.py sizes 100 --steps 1` (two octaves of one
step each per dream, instead of two, so 100 dreams take 18 minutes there) on the shared 2-core CPU
machine, load average 11 to 13: resident memory 669 MB at the start, 770 MB after 1 size, 1095 MB
after 20, 1402 MB after 50, 1645 MB after 70, 1709 MB after 100; traced once. Padding to multiples
of 32 sends 66 distinct shapes to the network for these 100 sizes (199 unpadded), yet memory grows
about 12 MB per new shape until about 70 sizes and then levels off (+64 MB over the last 30).
The same command on main before padding (every size a new shape): 743 MB after 1, 1268 MB after
20, 1803 MB after 50, 1884 MB after 100, level from about 50. Padding halves the early growth and
ends 175 MB lower, but both level off near the same height: what bounds memory is the size of the
kernel caches, which padding only fills more slowly.

Bounds tried (2026-11-24, `sizes 40 --steps 1`, nice -n 10, load average 2 to 3; RSS after 1 / 20 /
40 dreams, CPU s for the 40): as is 779 / 1043 / 1205 MB, 50 CPU s.
ONEDNN_PRIMITIVE_CACHE_CAPACITY=16 756 / 1099 / 1345 MB, 49 CPU s: no bound (TensorFlow keeps its
own per-op LRU cache of oneDNN primitives, 1,024 entries per op kind and thread, fixed in its
source, which no setting reaches). MALLOC_ARENA_MAX=2 747 / 1050 / 1246 MB: not the allocator.
TF_NUM_INTEROP_THREADS=1 754 / 1092 / 1296 MB. Padding to multiples of 64 instead of 32 804 / 991 /
1096 MB, 57 CPU s: a third less growth for 14 % more compute on these small pictures.
TF_ENABLE_ONEDNN_OPTS=0 (Eigen kernels, no caches) 786 / 844 / 874 MB, flat, but 68 CPU s, and a 512
px dream step (bench_dream.py --one ours 512 512 1 4) takes 4.39 CPU s against 2.91 (+51 %), with a
higher peak (1690 MB against 1110). None adopted: the only true bound costs half again the time.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from studio.core.memory import release_freed_memory  # first: the app's settings for TensorFlow, read as it loads

# isort: split
from studio.core.backbones import load_backbone
from studio.core.image_ops import resize, to_rgb, to_working
from studio.core.images import sample_image
from studio.core.params.dream import DreamParams
from studio.core.progress import run_to_end
from studio.engines.dream import dream, objective_for


def resident_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def sizes(count: int) -> list[tuple[int, int]]:
    """`count` distinct (height, width) pairs from 200 to about 500 px, in several aspect ratios."""
    aspects = (0.75, 1.0, 0.6, 1.33, 0.8)
    return [(round((200 + 3 * i) * aspects[i % 5]) - i % 3, 200 + 3 * i) for i in range(count)]


def soak_sizes(backbone, count: int, steps: int) -> None:
    params = DreamParams(octaves=2, steps_per_octave=steps, max_side=None, seed=0)
    photo = to_working(sample_image("astronaut"))
    print(f"{'dreams':>6} {'last size':>10} {'RSS MB':>8}")
    for index, shape in enumerate(sizes(count), start=1):
        run_to_end(dream(to_rgb(resize(photo, shape)), params, backbone))
        release_freed_memory()  # as the app's runner does after each job
        if index == 1 or index % 10 == 0:
            print(f"{index:>6} {shape[1]:>4}x{shape[0]:<5} {resident_mb():>8.0f}", flush=True)
    objective = objective_for(backbone, tuple(params.active_layers()), guided=False)
    print(f"traced {objective.gradient.experimental_get_tracing_count()} time(s) for {count} sizes")


def soak_tiled(backbone, steps: int) -> None:
    """One dream of `steps` steps."""
    params = DreamParams(octaves=1, steps_per_octave=steps, max_side=None, seed=0)
    photo = to_rgb(resize(to_working(sample_image("astronaut")), (576, 768)))
    print(f"{'steps':>6} {'RSS MB':>8}")
    for event in dream(photo, params, backbone):
        if event.preview is not None and event.step % 10 == 0:
            print(f"{event.step:>6} {resident_mb():>8.0f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", nargs="?", choices=("sizes", "tiled"), default="sizes")
    parser.add_argument("count", nargs="?", type=int, default=100, help="sizes: dreams; tiled: steps")
    parser.add_argument("--steps", type=int, default=2, help="sizes: steps per octave of each dream (two octaves)")
    args = parser.parse_args()
    _, backbone = run_to_end(load_backbone("vgg16"))
    started, cpu = time.perf_counter(), time.process_time()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; start RSS {resident_mb():.0f} MB")
    if args.kind == "tiled":
        soak_tiled(backbone, args.count)
    else:
        soak_sizes(backbone, args.count, args.steps)
    print(
        f"{time.perf_counter() - started:.0f} s, {time.process_time() - cpu:.0f} CPU s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
