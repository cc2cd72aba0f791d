"""CycleGAN: run by hand, prints numbers.

    python bench/bench_cyclegan.py speed                 # training images/s at 64 and 128 px
    python bench/bench_cyclegan.py translate             # seconds to translate 512 and 2048 px pictures
    python bench/bench_cyclegan.py demo --train-steps 3500 --screens DIR   # grass -> gravel, then measure

`speed` times the compiled train step (after tracing) for the default networks and for the small
demo networks; `translate` times whole-picture translation with the default networks. `demo` trains
on the offline grass/gravel collections (3500 steps: about eleven minutes of CPU), saving the sample strip as PNGs, then
measures how far translated A crops moved toward B's style: the distance of their VGG16 Gram
matrices (block1..4_conv1) to B's mean Gram matrix, against A's own crops (the start) and other B
crops (the floor). It also compares tiled with whole translation on a trained model.

Every figure comes with CPU seconds and the machine's load average: the machine is shared.

Measured on the shared 2-core machine (load average 12 to 16; CPU seconds are the process's, all threads):
- train, default networks (ResNet, width 32, 6 blocks): 611 ms CPU per step at 64 px, 1772 ms at 128 px
  (0.87 and 0.34 images/s of wall time under that load); demo networks: 192 and 501 ms CPU per step.
- translate, default networks: 512 px in 1.2 s CPU (one tile), 2048 px in 25 s CPU (9 tiles of at most 1024).
- demo, 3500 steps (661 s CPU): Gram distance of held-out grass crops to gravel's style 1.105 before,
  0.273 translated (other gravel crops: 0.043); gravel to grass's style 0.678 before, 0.332 translated
  (other grass crops: 0.110). Tiled (256) against whole translation: mean 1.7 levels of 255.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf

from studio.core.image_ops import to_working
from studio.core.images import save_image
from studio.core.params.cyclegan import CycleGanParams, CycleGanTranslateParams
from studio.core.progress import run_to_end
from studio.engines.cyclegan import CycleGanModel, demo_collection, strip_picture, train_cyclegan, translate
from studio.engines.cyclegan.data import load_side
from studio.engines.cyclegan.model import CycleGanTrainer

# Small enough to learn something in minutes on a CPU.
DEMO = CycleGanParams(size=64, generator_filters=16, residual_blocks=3, discriminator_filters=32)
GRAM_LAYERS = tuple(f"block{block}_conv1" for block in range(1, 5))
EVAL_SIDE, EVAL_COUNT = 128, 24


def load() -> str:
    return "load average " + " ".join(f"{value:.1f}" for value in os.getloadavg())


def timed(function, *args) -> tuple[float, float]:
    """(wall seconds, process CPU seconds) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    function(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def bench_speed(steps: int) -> None:
    for label, base in (("default networks", CycleGanParams()), ("demo networks", DEMO)):
        for size in (64, 128):
            params = dataclasses.replace(base, size=size, seed=0)
            trainer = CycleGanTrainer(CycleGanModel(params), params)
            pictures = tf.random.uniform((params.batch_size, size, size, 3), -1, 1)
            first, _ = timed(trainer, pictures, pictures)

            def run(trainer=trainer, pictures=pictures):
                for _ in range(steps):
                    losses = trainer(pictures, pictures)
                float(losses["cycle"])

            wall, cpu = timed(run)
            print(
                f"train {label} ({params.generator}, width {params.generator_filters}, "
                f"{params.residual_blocks} blocks) {size} px: {steps * params.batch_size / wall:.2f} images/s "
                f"({1000 * wall / steps:.0f} ms/step wall, {1000 * cpu / steps:.0f} ms CPU; first step "
                f"{first:.1f} s with tracing) [{load()}]"
            )


def bench_translate(rounds: int) -> None:
    model = CycleGanModel(dataclasses.replace(CycleGanParams(), seed=0))
    params = CycleGanTranslateParams()
    for side in (512, 2048):
        picture = np.random.default_rng(0).integers(0, 256, (side, side, 3), dtype=np.uint8)
        samples = []
        for _ in range(rounds + 1):  # the first round traces
            wall, cpu = time.perf_counter(), time.process_time()
            events, _ = run_to_end(translate(model, picture, params))
            samples.append((time.perf_counter() - wall, time.process_time() - cpu))
        wall, cpu = min(samples[1:])
        print(
            f"translate {side} x {side} (default ResNet, {events[-1].total} tile(s), at most {params.tile_size} px): "
            f"{wall:.2f} s wall, {cpu:.2f} s CPU (best of {rounds}; first {samples[0][0]:.1f} s) [{load()}]"
        )


# -- the demo --------------------------------------------------------------------------------------
def style_distances(backbone, pictures: np.ndarray, target: list[tf.Tensor]) -> float:
    """Mean over pictures of the summed, relative squared Gram-matrix distance to `target`."""
    from studio.engines.style import gram_matrix

    features = backbone.features(tf.constant(to_working(pictures)), GRAM_LAYERS)
    distances = [
        tf.reduce_sum(tf.square(gram_matrix(features[name]) - goal), axis=(1, 2)) / tf.reduce_sum(tf.square(goal))
        for name, goal in zip(GRAM_LAYERS, target)
    ]
    return float(tf.reduce_mean(tf.add_n(distances)))


def mean_grams(backbone, pictures: np.ndarray) -> list[tf.Tensor]:
    from studio.engines.style import gram_matrix

    features = backbone.features(tf.constant(to_working(pictures)), GRAM_LAYERS)
    return [tf.reduce_mean(gram_matrix(features[name]), axis=0) for name in GRAM_LAYERS]


def translated(model, pictures: np.ndarray, direction: str) -> np.ndarray:
    params = CycleGanTranslateParams(direction=direction)
    return np.stack([run_to_end(translate(model, picture, params))[1] for picture in pictures])


def bench_demo(steps: int, screens: Path, generator: str, size: int) -> None:
    from studio.core.backbones import load_backbone

    screens.mkdir(parents=True, exist_ok=True)
    # Ten epochs, so the learning rate falls to zero over the last five, as in a full run.
    params = dataclasses.replace(
        DEMO, generator=generator, size=size, seed=1, epochs=10, steps_per_epoch=-(-steps // 10), preview_every=100
    )
    side = load_side(params.size)
    pictures_a, pictures_b = demo_collection("grass", side), demo_collection("gravel", side)
    started, cpu_started = time.perf_counter(), time.process_time()
    saved_at = -60.0
    for event in train_cyclegan(pictures_a, pictures_b, params):
        elapsed = time.perf_counter() - started
        if event.preview is not None and (elapsed - saved_at >= 60 or event.step == event.total):
            save_image(screens / f"strip_{generator}_{event.step:05d}.png", strip_picture(event.data["strip"]))
            saved_at = elapsed
    model = event.data["model"]
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        f"demo {generator} {params.size} px: {event.step} steps in {wall:.0f} s wall, {cpu:.0f} s CPU "
        f"({event.step / wall:.2f} steps/s) [{load()}]; last losses "
        + ", ".join(f"{name} {value:.3f}" for name, value in event.metrics.items())
    )

    backbone = run_to_end(load_backbone("vgg16"))[1]
    # Held-out crops (other seeds than training), larger than the working size: fully convolutional.
    eval_a = demo_collection("grass", EVAL_SIDE, EVAL_COUNT, seed=101)
    eval_b = demo_collection("gravel", EVAL_SIDE, EVAL_COUNT, seed=102)
    reference_b = demo_collection("gravel", EVAL_SIDE, EVAL_COUNT, seed=103)
    reference_a = demo_collection("grass", EVAL_SIDE, EVAL_COUNT, seed=104)
    a2b, b2a = translated(model, eval_a, "a2b"), translated(model, eval_b, "b2a")
    grams_b, grams_a = mean_grams(backbone, reference_b), mean_grams(backbone, reference_a)
    for target, source, moved, other, grams in (
        ("gravel (B)", eval_a, a2b, eval_b, grams_b),
        ("grass (A)", eval_b, b2a, eval_a, grams_a),
    ):
        print(
            f"Gram distance to {target}'s style: other side {style_distances(backbone, source, grams):.3f}, "
            f"translated {style_distances(backbone, moved, grams):.3f}, other {target} crops "
            f"{style_distances(backbone, other, grams):.3f} (lower is closer)"
        )
    rows = [np.concatenate([eval_a[i], a2b[i], eval_b[i], b2a[i]], axis=1) for i in range(4)]
    save_image(screens / f"heldout_{generator}.png", np.concatenate(rows, axis=0))

    from studio.core.images import sample_image

    big = sample_image("grass")
    for tile in (1024, 256):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run_to_end(translate(model, big, CycleGanTranslateParams(tile_size=tile)))[1]
        print(
            f"grass 512 x 512 → gravel, tiles of {tile}: {time.perf_counter() - wall:.2f} s wall, "
            f"{time.process_time() - cpu:.2f} s CPU"
        )
        if tile == 1024:
            whole = result
    difference = np.abs(result.astype(int) - whole.astype(int))
    print(
        f"tiled (256) against whole: mean {difference.mean():.2f}, 99th percentile {np.percentile(difference, 99):.0f} "
        "levels of 255"
    )
    save_image(screens / f"grass_full_{generator}.png", np.concatenate([big, whole, result], axis=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("speed", "translate", "demo"))
    parser.add_argument("--steps", type=int, default=10, help="timed train steps per configuration")
    parser.add_argument("--rounds", type=int, default=2, help="timed translations per size")
    parser.add_argument(
        "--train-steps", type=int, default=3500, help="the demo's training steps (about 11 CPU minutes)"
    )
    parser.add_argument("--generator", choices=("resnet", "unet"), default="resnet")
    parser.add_argument("--size", type=int, default=DEMO.size, help="working size of the demo")
    parser.add_argument(
        "--screens", type=Path, default=Path(tempfile.gettempdir()) / "cyclegan-screens", help="where the PNGs go"
    )
    args = parser.parse_args()
    if args.what == "speed":
        bench_speed(args.steps)
    elif args.what == "translate":
        bench_translate(args.rounds)
    else:
        bench_demo(args.train_steps, args.screens, args.generator, args.size)


if __name__ == "__main__":
    main()
