"""Resident memory over a session: it must level off, not climb.

Two soaks, both with the app's memory settings (`studio.core.memory`):
  sizes: dreams in a row on pictures of 100 distinct sizes (untiled), each followed by
         `release_freed_memory` as the app's runner does after each job; prints resident memory
         after the first dream and every 10 and how often each segment's function was traced (once is
         the goal: a retrace per size would leak graphs).
  tiled: one long dream on a 768 x 576 photo, tiled (the grid moves between steps); prints resident
         memory after every 10 steps.
Run: python bench/bench_dream_soak.py [sizes|tiled] [count] [--steps N]

What grew: TensorFlow's oneDNN build hands large tensors to a pool of its own (a BFC allocator)
that never shrinks, and each new picture size leaves blocks of new sizes in it, about 12 MB per
new shape reaching the network. The per-shape kernel caches proper are small (about 1 MB a size,
what is left below). Studio now has TensorFlow use plain malloc (TF_ONEDNN_USE_SYSTEM_ALLOCATOR=1)
and trims malloc's heaps after each job (glibc's malloc_trim, which hands free pages back).

Measured 2026-11-24 with `nice -n 10 python bench/bench_dream_soak.py sizes 100 --steps 1` (two
octaves of one step each per dream) on the shared 2-core CPU machine, load average 7 to 9: resident
memory 681 MB at the start, 669 MB after 1 size, 741 after 20, 798 after 50, 865 after 100 (+67 MB
over the last 50); 274 CPU s; traced once. The same with TensorFlow's own pool
(TF_ONEDNN_USE_SYSTEM_ALLOCATOR=0), run next at the same load: 672 MB at the start, 742 after 1, 900
after 20, 1085 after 50, 1272 after 100; 242 CPU s (so +13 % here). Before (main, load 11 to 13):
770 MB after 1, 1095 after 20, 1402 after 50, 1709 after 100. Padding pictures and tiles to
multiples of 32 (tiling.pad_to_multiple) sends 66 distinct shapes to the network for these 100
sizes (199 unpadded). Within one job nothing is trimmed: `tiled 30` (768 x 576, load 6 to 8) holds
1472 / 1448 / 1608 MB after 10 / 20 / 30 steps with plain malloc, 1336 / 1339 / 1316 MB with the pool.

Cost on a normal dream (`bench_dream.py --one ours H W 1 3` in alternating runs, load 7 to 10, CPU s
per step, mean of runs): 512 px 3.45 against 3.03 (+14 %), 1024 x 768 (tiled) 14.0 against 12.7
(+10 %): malloc maps the largest tensors afresh at each step where the pool reused them. The peak
within one dream is higher: 1190 to 1260 MB against 1100 at 512 px, 1725 to 1840 against 1350 to
1405 at 1024 x 768 (malloc's heaps keep more free blocks within a step than the pool did).
With the segmented gradient (bench_cancel.py) merged too, against main before both (7abea30), two
alternating rounds at load 7 to 9: 512 px 3.31 CPU s a step against 2.86 (+16 % in all), peak 1356 to
1395 MB against 1090 to 1097. TF_MKL_ALLOC_MAX_BYTES=400 MB with the pool is no bound (`sizes 30`:
751 / 897 / 1029 MB after 1 / 20 / 30, against 690 / 743 / 778 as adopted).

Settings tried (`sizes 40 --steps 1`, RSS after 1 / 20 / 40 dreams, CPU s for the 40). At load 2 to
3, before: as is 779 / 1043 / 1205 MB, 50 CPU s; ONEDNN_PRIMITIVE_CACHE_CAPACITY=16 756 / 1099 /
1345, 49; MALLOC_ARENA_MAX=2 747 / 1050 / 1246; TF_NUM_INTEROP_THREADS=1 754 / 1092 / 1296;
padding to multiples of 64 instead of 32 804 / 991 / 1096, 57; TF_ENABLE_ONEDNN_OPTS=0 (Eigen
kernels) 786 / 844 / 874, flat, but 68 CPU s and +51 % per 512 px step.
At load 6 to 7: as is 736 / 1012 / 1199, 52 CPU s. TF_ONEDNN_THREADPOOL_USE_CALLER_THREAD=1 784 /
1030 / 1229, 51: no bound. TF_ONEDNN_USE_SYSTEM_ALLOCATOR=1 alone 783 / 1409 / 1903, 49: worse,
glibc keeps what TensorFlow frees in its heaps. With malloc_trim after each dream (adopted) 670 /
730 / 768, 56. With a fixed mmap threshold of 1 MiB instead of trimming (MALLOC_MMAP_THRESHOLD_=
1048576) 678 / 756 / 788, 58, and a peak below the pool's (1020 MB against 1100 at 512 px, 1190
against 1350 at 1024 x 768), but +23 % / +15 % per step; 4 MiB 696 / 921 / 996, +22 % / +11 %. One
malloc arena and no mmap (MALLOC_ARENA_MAX=1 MALLOC_MMAP_MAX_=0): +4 % per step but a 1680 MB peak
at 512 px. TF_NUM_INTEROP_THREADS=1 with plain malloc: peak 1240 MB at 512 px, no lower.
TF_MKL_OPTIMIZE_PRIMITIVE_MEMUSE is on by default (it keeps convolution backward primitives out of
TensorFlow's caches already). TF_MKL_ALLOC_MAX_BYTES caps the pool: allocations beyond the cap
fail instead of the pool shrinking, so a large dream would fail; not tried.
Fewer shapes (counted with the tiling functions, for these 100 sizes and for 36 photos of common
aspect ratios at 512 to 2048 px, three octaves, tiled): multiples of 64 send 30 and 76 shapes
(against 66 and 214) for 11 % and 2 % more pixels; a ladder of 32 up to 256 px then 64, 44 and
116 shapes for 8 % and 2 %. With the pool gone each shape costs about 1 MB, so not adopted.
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
    print(f"each segment traced {max(objective.network.tracing_counts())} time(s) at most for {count} sizes")


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
