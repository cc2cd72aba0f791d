"""Seconds per gradient step and peak memory of DeepDream on the offline VGG16, on CPU:
our engine (studio.engines.dream.dream, tiled) against a plain loop of the same algorithm
(one tf.function gradient-ascent step on the whole image, no tiling, no previews).

Wall seconds swing with whatever else the machine runs, so each step's CPU seconds (process time,
all threads) are reported too: on a shared machine they are the fairer comparison.

Each configuration runs in a fresh subprocess so its peak RSS (the kernel's high-water mark,
getrusage ru_maxrss) is its own. The parent watches each child's RSS and stops one that passes
--memory-limit-gb, reporting it as over the limit rather than letting it take the machine down.

    python bench/bench_dream.py                    # 512 and 2048 px, both engines
    python bench/bench_dream.py --huge             # also 4000 x 3000 with our engine (one step)
    python bench/bench_dream.py --sizes 512 --paired  # also both engines step by step in one process
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

LAYERS = {"block4_conv1": 1.0, "block4_conv3": 1.5, "block5_conv1": 1.0}  # the default DreamParams mix
STEP_SIZE = 0.01


def picture(height: int, width: int):
    """The astronaut photo scaled to the size under test (a real photo, not noise)."""
    import numpy as np
    from PIL import Image

    from studio.core.images import sample_image

    return np.asarray(Image.fromarray(sample_image("astronaut")).resize((width, height), Image.Resampling.BICUBIC))


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def ours_stepper(backbone, image, steps: int) -> Callable[[], None]:
    """One call, one step of our engine (tiled gradient, normalisation, clipping and its preview)."""
    from studio.core.params.dream import DreamParams
    from studio.engines.dream import dream

    params = DreamParams(layers=LAYERS, octaves=1, steps_per_octave=steps, step_size=STEP_SIZE, seed=0)
    generator = dream(image, params, backbone)

    def step() -> None:
        while next(generator).preview is None:  # light events come between tiles; a step ends with a preview
            pass

    return step


def plain_stepper(backbone, image) -> Callable[[], None]:
    """One call, one step of the reference chapter's loop: the whole image in one tensor, one
    compiled step, no tiles and no previews."""
    import tensorflow as tf

    from studio.engines.dream import to_working

    extractor = backbone.extractor(tuple(LAYERS))

    @tf.function
    def gradient_ascent_step(dreamed):
        with tf.GradientTape() as tape:
            tape.watch(dreamed)
            features = extractor(backbone.preprocess(dreamed))
            loss = tf.zeros(())
            for name, weight in LAYERS.items():
                loss += weight * tf.reduce_mean(tf.square(features[name][:, 2:-2, 2:-2, :]))
        gradient = tape.gradient(loss, dreamed)
        gradient /= tf.math.reduce_std(gradient) + 1e-8
        return loss, tf.clip_by_value(dreamed + STEP_SIZE * gradient, -1.0, 1.0)

    state = {"dreamed": tf.constant(to_working(image)[None])}

    def step() -> None:
        loss, state["dreamed"] = gradient_ascent_step(state["dreamed"])
        float(loss)  # wait for the step to finish

    return step


def timed(step: Callable[[], None]) -> tuple[float, float]:
    """Wall and CPU seconds of one step."""
    wall, cpu = time.perf_counter(), time.process_time()
    step()
    return time.perf_counter() - wall, time.process_time() - cpu


def summary(times: list[tuple[float, float]]) -> dict:
    return {
        "steps": len(times),
        "seconds_per_step": statistics.median(wall for wall, _ in times),
        "cpu_seconds_per_step": statistics.median(cpu for _, cpu in times),
        "all_steps": [wall for wall, _ in times],
    }


def run_one(engine: str, height: int, width: int, warmup: int, steps: int) -> None:
    """Child process: time one configuration and print its figures as JSON. "paired" alternates
    a step of ours with a step of the plain loop, so both see the same load on a shared machine."""
    import studio.core.memory  # noqa: F401  (first: the app's settings for TensorFlow, read as it loads)
    from studio.core.backbones import load_backbone
    from studio.core.progress import run_to_end

    image = picture(height, width)
    _, backbone = run_to_end(load_backbone("vgg16"))
    baseline = max_rss_mb()
    size = f"{width}x{height}"
    if engine == "paired":
        ours, plain = ours_stepper(backbone, image, warmup + steps), plain_stepper(backbone, image)
        for _ in range(warmup):
            ours(), plain()
        pairs = [(timed(ours), timed(plain)) for _ in range(steps)]
        print(
            json.dumps(
                {
                    "engine": "paired",
                    "size": size,
                    "ours": summary([o for o, _ in pairs]),
                    "plain": summary([p for _, p in pairs]),
                }
            )
        )
        return
    step = ours_stepper(backbone, image, warmup + steps) if engine == "ours" else plain_stepper(backbone, image)
    times = [timed(step) for _ in range(warmup + steps)][warmup:]
    print(
        json.dumps(
            {"engine": engine, "size": size, **summary(times), "baseline_rss_mb": baseline, "peak_rss_mb": max_rss_mb()}
        )
    )


def spawn(engine: str, height: int, width: int, warmup: int, steps: int, limit_gb: float, timeout: float) -> dict:
    """Run one configuration in a fresh process, stopping it if its RSS passes `limit_gb`."""
    command = [sys.executable, __file__, "--one", engine, str(height), str(width), str(warmup), str(steps)]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    started = time.monotonic()
    peak_seen = 0.0
    while child.poll() is None:
        peak_seen = max(peak_seen, _rss_gb(child.pid))
        if peak_seen > limit_gb or time.monotonic() - started > timeout:
            child.kill()
            child.wait()
            why = f"over {limit_gb:g} GB" if peak_seen > limit_gb else f"over {timeout:g} s"
            return {"engine": engine, "size": f"{width}x{height}", "stopped": why, "peak_rss_mb": peak_seen * 1024}
        time.sleep(0.2)
    output = child.stdout.read().strip().splitlines()
    if child.returncode != 0 or not output:
        return {"engine": engine, "size": f"{width}x{height}", "stopped": f"exit code {child.returncode}"}
    return json.loads(output[-1])


def _rss_gb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024**2
    except FileNotFoundError:
        pass
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--one", nargs=5, metavar=("ENGINE", "HEIGHT", "WIDTH", "WARMUP", "STEPS"), help=argparse.SUPPRESS
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 2048], help="square sizes to time")
    parser.add_argument("--steps", type=int, default=3, help="timed steps after one warm-up step")
    parser.add_argument("--huge", action="store_true", help="also dream a 4000 x 3000 picture with our engine")
    parser.add_argument(
        "--paired",
        action="store_true",
        help="also alternate steps of both engines at 512 px in one process (fair under load)",
    )
    parser.add_argument("--memory-limit-gb", type=float, default=16.0)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds allowed per configuration")
    args = parser.parse_args()
    if args.one:
        engine, height, width, warmup, steps = args.one
        run_one(engine, int(height), int(width), int(warmup), int(steps))
        return

    configurations = [(engine, size, size, 1, args.steps) for size in args.sizes for engine in ("ours", "plain")]
    if args.huge:
        configurations.append(("ours", 3000, 4000, 0, 1))  # one step: its peak memory is the point
    if args.paired:
        configurations.append(("paired", 512, 512, 1, args.steps))
    print(f"DeepDream on offline VGG16, CPU ({os.cpu_count()} cores), layers {LAYERS}")
    print(
        f"{'engine':7s} {'size':>10s} {'s/step':>8s} {'cpu s/step':>10s} {'steps':>5s} {'base MB':>8s} "
        f"{'peak MB':>8s}  note"
    )
    for engine, height, width, warmup, steps in configurations:
        result = spawn(engine, height, width, warmup, steps, args.memory_limit_gb, args.timeout)
        if "stopped" in result:
            print(
                f"{engine:7s} {result['size']:>10s} {'-':>8s} {'-':>10s} {'-':>5s} {'-':>8s} "
                f"{result.get('peak_rss_mb', 0):8.0f}  stopped: {result['stopped']}",
                flush=True,
            )
        elif engine == "paired":
            for name in ("ours", "plain"):
                print_row(name, result["size"], result[name], note="paired: steps alternate in one process")
        else:
            print_row(engine, result["size"], result)


def print_row(engine: str, size: str, figures: dict, note: str = "") -> None:
    memory = (
        f"{figures['baseline_rss_mb']:8.0f} {figures['peak_rss_mb']:8.0f}"
        if "peak_rss_mb" in figures
        else f"{'-':>8s} {'-':>8s}"
    )
    print(
        f"{engine:7s} {size:>10s} {figures['seconds_per_step']:8.2f} {figures['cpu_seconds_per_step']:10.2f} "
        f"{figures['steps']:5d} {memory}  wall per step {', '.join(f'{t:.2f}' for t in figures['all_steps'])}"
        f"{'; ' + note if note else ''}",
        flush=True,
    )


if __name__ == "__main__":
    main()
