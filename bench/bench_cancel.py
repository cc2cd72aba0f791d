"""Cancel latency: seconds from pressing Cancel to the job having stopped, for Dream and Style on
the offline VGG16 at 512 px, 2048 px and 4000 x 3000 px.

The app's runner checks for Cancel between the events a job yields and then closes the generator,
so this drives each job the same way: a timer asks for a stop some seconds into the job (landing
anywhere in a step), the loop notices at the next event and calls close(). The latency is from the
timer firing to close() returning; CPU seconds (all threads) over the same span are shown too, as
the machine may be shared. Each job starts directly at its full size (one octave or one scale), so
the cancel lands in the expensive part; a warm-up job traces the graphs first.

    python bench/bench_cancel.py                          # everything (takes a while on a CPU)
    python bench/bench_cancel.py --engines dream --sizes 512 2048 --delays 4 9
    python bench/bench_cancel.py --stretches --sizes 2048  # CPU s between events of one step's work

Measured 2026-11-24 with `nice -n 10 python bench/bench_cancel.py` on the shared 2-core CPU
machine (no GPU), load average 8.6 to 9.2 (wall seconds are several times what an idle machine
shows; CPU seconds are the work done between the cancel and the stop). Latency in wall s / CPU s,
worst of the three delays. The jobs yield between tiles and, inside each tile, between the
network's segments (`studio/engines/segments.py`: after every VGG16 layer, forward and back):
                 512 px        2048 px       4000 x 3000 px
    Dream      0.51 / 0.13   0.35 / 0.09   0.26 / 0.06     (tile 512 + halo 64)
    Style      0.59 / 0.13   1.30 / 0.26   0.66 / 0.11     (tile 768 + halo 64, forward and back)
Before segments (tiles only, load average 10 to 12): Dream 16.8 / 2.8, 8.9 / 0.9, 11.0 / 1.3;
Style 16.1 / 1.7, 37.3 / 4.1, 17.6 / 3.3.

The longest stretch between two events of one step's work at 2048 px (`--stretches --sizes 2048`,
same machine and load): Dream one step 0.41 CPU s (85.6 CPU s in all, 549 events); Style one
evaluation (statistics pass and gradient pass over 9 tiles) 1.31 CPU s (110.1 CPU s, 297 events).
Before segments each Style gradient tile was one stretch of 5.3 to 10.3 CPU s and each statistics
tile 2.0 to 4.5. Style's longest is most likely the backward pass of one of the largest single
layers (block1_conv2 is 12 % of VGG16's work) over a full 896 px patch, which cuts between layers
cannot split (not timed layer by layer).

What segments cost, paired in one process (the old single-function gradient and the segmented one
alternating, CPU s, medians, load average 7 to 9): a 640 px Dream patch 4.77 before, 4.96 after
(+4 %; cutting at only two layers +3 %, one segment with no cut +2 %); an 896 px Style patch's
gradient 10.68 before, 11.07 after (+4 %), its statistics pass 4.96 before, 4.89 after. Gradients
equal to the last bit (float32). Peak memory of a 1400 px Style evaluation: 2401 MB after, 2568
MB before.

A smaller Style tile (before segments), measured on one L-BFGS evaluation of a 2048 px picture (the
objective alone, two alternating rounds, nice -n 10, load average 2.4 to 3.2): tile 768 takes 9
tiles, 99.8 and 97.4 CPU s, the longest stretch between two of its yields (or its end) 10.2 CPU s;
tile 512 takes 16 tiles, 110.7 and 107.7 CPU s (+11 %), longest stretch 5.1 to 5.3 CPU s. With
segments the tile no longer sets the cancel interval, so the default stays 768.
"""

from __future__ import annotations

import argparse
import os
import threading
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import tensorflow as tf
from PIL import Image

from studio.core.backbones import load_backbone
from studio.core.image_ops import to_working
from studio.core.images import sample_image
from studio.core.params.dream import DreamParams
from studio.core.params.style import StyleParams
from studio.core.progress import run_to_end
from studio.engines.dream import dream, image_gradient
from studio.engines.dream import objective_for as dream_objective_for
from studio.engines.style import objective_for as style_objective_for
from studio.engines.style import stylize
from studio.engines.style.job import loss_weights

SIZES = {"512": (512, 512), "2048": (2048, 2048), "4000x3000": (3000, 4000)}


def picture(name: str, height: int, width: int) -> np.ndarray:
    image = Image.fromarray(sample_image(name)).resize((width, height), Image.Resampling.BICUBIC)
    return np.asarray(image)


def dream_at(backbone, height: int, width: int):
    params = DreamParams(octaves=1, steps_per_octave=1000, max_side=None, seed=0)
    return dream(picture("astronaut", height, width), params, backbone)


def style_at(backbone, height: int, width: int):
    params = StyleParams(size=max(height, width), num_scales=1, iterations=1000, seed=0)
    return stylize(picture("astronaut", height, width), [sample_image("gravel")], params, backbone)


def dream_step_at(backbone, height: int, width: int):
    """The work of one Dream step (a gradient, tile by tile) on a picture this size."""
    params = DreamParams(seed=0)
    objective = dream_objective_for(backbone, tuple(params.active_layers()), guided=False)
    weights = tf.constant(list(params.active_layers().values()), tf.float32)
    image = to_working(picture("astronaut", height, width))
    return image_gradient(objective, image, weights, [], params.tile_size, np.random.default_rng(0))


def style_evaluation_at(backbone, height: int, width: int):
    """The work of one Style evaluation (statistics pass, then a gradient pass, tile by tile) on
    a picture this size, its targets computed first (not counted)."""
    params = StyleParams(size=max(height, width))
    objective = style_objective_for(
        backbone, params.content_layer, tuple(params.active_style_layers()), params.tile_size
    )
    image = to_working(picture("astronaut", height, width))
    targets = run_to_end(objective.targets(image, [to_working(sample_image("gravel"))], [1.0]))[1]
    return objective.evaluate(image, targets, loss_weights(params))


def longest_stretch(work) -> tuple[float, float, int]:
    """Drive `work` to its end: (the most CPU seconds between two of its events, or its start or
    end; CPU seconds in all; events)."""
    start = last = time.process_time()
    longest, events = 0.0, 0
    for _ in work:
        now = time.process_time()
        longest, last, events = max(longest, now - last), now, events + 1
    end = time.process_time()
    return max(longest, end - last), end - start, events


def cancel_after(job, delay: float) -> tuple[float, float, int]:
    """Drive `job` as the runner does and cancel it `delay` seconds in: (latency s, CPU s, events)."""
    requested: list[tuple[float, float]] = []
    timer = threading.Timer(delay, lambda: requested.append((time.monotonic(), time.process_time())))
    timer.start()
    events = 0
    try:
        while not requested:
            next(job)
            events += 1
        job.close()
        wall, cpu = requested[0]
        return time.monotonic() - wall, time.process_time() - cpu, events
    finally:
        timer.cancel()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", nargs="+", default=["dream", "style"], choices=("dream", "style"))
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--delays", type=float, nargs="+", default=[3.0, 6.5, 11.0], help="seconds into each job")
    parser.add_argument(
        "--stretches", action="store_true", help="instead: the longest stretch between events of one step's work"
    )
    args = parser.parse_args()
    _, backbone = run_to_end(load_backbone("vgg16"))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.stretches:
        works = {"dream": dream_step_at, "style": style_evaluation_at}
        print(f"{'engine':6s} {'size':>10s} {'longest CPU s':>14s} {'all CPU s':>10s} {'events':>7s}")
        for engine in args.engines:
            longest_stretch(works[engine](backbone, 64, 64))  # warm-up: trace the graphs
            for size in args.sizes:
                longest, total, events = longest_stretch(works[engine](backbone, *SIZES[size]))
                print(f"{engine:6s} {size:>10s} {longest:14.2f} {total:10.1f} {events:7d}", flush=True)
        print(f"load average {os.getloadavg()[0]:.1f}")
        return
    makers = {"dream": dream_at, "style": style_at}
    print(f"{'engine':6s} {'size':>10s} {'delay s':>8s} {'latency s':>10s} {'CPU s':>7s} {'events':>7s}")
    for engine in args.engines:
        job = makers[engine](backbone, 64, 64)  # warm-up: trace the graphs
        next(job)
        job.close()
        for size in args.sizes:
            for delay in args.delays:
                latency, cpu, events = cancel_after(makers[engine](backbone, *SIZES[size]), delay)
                print(f"{engine:6s} {size:>10s} {delay:8.1f} {latency:10.2f} {cpu:7.2f} {events:7d}", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
