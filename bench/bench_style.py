"""Style transfer: our engine against the reference chapter's loop, on the same pictures, backbone
(offline VGG16), size and loss.

The reference loop (re-implemented here from the chapter's description): every step pushes a batch
of three pictures (content, style, result) through the extractor of all layers, and SGD with a
learning rate of 100, decaying 4% every 100 steps, moves the result in the network's own pixel
space. Its loss: 2.5e-8 x summed squared content difference on block5_conv2, 1e-6 / 5 x the
chapter's normalised Gram difference on block1..5_conv1, 1e-6 x summed total variation.

Ours minimises the very same loss (its weights are set so that our mean-normalised loss equals the
reference's at the final size) with L-BFGS, coarse-to-fine. We measure
  (a) seconds per iteration at the final size (ours: L-BFGS and Adam; reference: SGD step), and
  (b) wall time until our loss falls to what the reference reaches after --reference-steps steps.

    python bench/bench_style.py --height 128 --reference-steps 1000
    python bench/bench_style.py --height 400 --timing-only --rounds 4 --timing-steps 5

Measured on 2 shared CPU cores (others' jobs running; 2026-11-24): at 400x400, 3.41 s per reference
step against 1.14 s (L-BFGS) and 1.13 s (Adam), 3.0x; at 128x128, 0.418 s against 0.157 s, 2.7x.
The reference reached 61.14 after 1,000 steps in 1,655 s (under heavier load; 418 s at the pace
measured beside ours); ours reached it in 4 L-BFGS steps, 1.24 s: 337x to 1,335x less wall time.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf

from studio.commands import drive
from studio.core.backbones import CAFFE_MEAN_BGR, load_backbone
from studio.core.image_ops import resize, to_rgb, to_working
from studio.core.images import sample_image
from studio.core.params.style import StyleParams
from studio.core.progress import run_to_end
from studio.engines.style import objective_for, stylize
from studio.engines.style.job import loss_weights

CONTENT_LAYER = "block5_conv2"
STYLE_LAYERS = tuple(f"block{block}_conv1" for block in range(1, 6))
CONTENT_WEIGHT, STYLE_WEIGHT, TV_WEIGHT = 2.5e-8, 1e-6, 1e-6


def pictures(height: int) -> tuple[np.ndarray, np.ndarray]:
    """Content (astronaut) and style (a stained-tissue texture), both resized to the same size,
    as the chapter does."""
    from skimage import data

    content = sample_image("astronaut")
    style = np.asarray(data.immunohistochemistry())[..., :3]
    width = round(content.shape[1] * height / content.shape[0])
    return to_rgb(resize(to_working(content), (height, width))), to_rgb(resize(to_working(style), (height, width)))


def to_caffe(rgb_or_working: np.ndarray, working: bool = False) -> np.ndarray:
    pixels = (rgb_or_working + 1.0) * 127.5 if working else rgb_or_working.astype(np.float32)
    return (pixels[..., ::-1] - np.array(CAFFE_MEAN_BGR, np.float32))[None].astype(np.float32)


class ReferenceLoop:
    """The chapter's loss and SGD loop, on a backbone's extractor of every layer."""

    def __init__(self, backbone, content: np.ndarray, style: np.ndarray):
        self.extractor = backbone.extractor(backbone.layer_names)
        self.height, self.width = content.shape[:2]
        self.content = tf.constant(to_caffe(content))
        self.style = tf.constant(to_caffe(style))
        self.loss_and_gradient = tf.function(self._loss_and_gradient)
        self.loss = tf.function(self._loss)

    def _gram(self, x):
        features = tf.reshape(tf.transpose(x, (2, 0, 1)), (tf.shape(x)[-1], -1))
        return tf.matmul(features, features, transpose_b=True)

    def _loss(self, combination):
        features = self.extractor(tf.concat([self.content, self.style, combination], axis=0))
        loss = CONTENT_WEIGHT * tf.reduce_sum(tf.square(features[CONTENT_LAYER][2] - features[CONTENT_LAYER][0]))
        size = self.height * self.width
        for name in STYLE_LAYERS:
            difference = self._gram(features[name][1]) - self._gram(features[name][2])
            loss += STYLE_WEIGHT / len(STYLE_LAYERS) * tf.reduce_sum(tf.square(difference)) / (4.0 * 9 * size**2)
        a = tf.square(combination[:, :-1, :-1, :] - combination[:, 1:, :-1, :])
        b = tf.square(combination[:, :-1, :-1, :] - combination[:, :-1, 1:, :])
        return loss + TV_WEIGHT * tf.reduce_sum(tf.pow(a + b, 1.25))

    def _loss_and_gradient(self, combination):
        with tf.GradientTape() as tape:
            loss = self._loss(combination)
        return loss, tape.gradient(loss, combination)

    def run(self, steps: int, report_every: int = 100) -> tuple[float, list[float]]:
        """Run `steps` SGD steps; returns the final loss and the seconds each step took."""
        combination = tf.Variable(self.content)
        optimizer = keras.optimizers.SGD(keras.optimizers.schedules.ExponentialDecay(100.0, 100, 0.96))
        seconds = []
        for step in range(1, steps + 1):
            started = time.perf_counter()
            loss, gradient = self.loss_and_gradient(combination)
            optimizer.apply_gradients([(gradient, combination)])
            seconds.append(time.perf_counter() - started)
            if report_every and step % report_every == 0:
                print(
                    f"  reference step {step}: loss {float(loss):.5g}, {np.mean(seconds[-report_every:]):.3f} s/step",
                    flush=True,
                )
        return float(self.loss(combination)), seconds


def matching_params(backbone, height: int, width: int) -> StyleParams:
    """Our parameters whose loss equals the reference's at height x width (see the module docstring)."""
    features = backbone.features(tf.zeros((1, height, width, 3)), (CONTENT_LAYER, *STYLE_LAYERS))
    content_size = int(np.prod(features[CONTENT_LAYER].shape))
    layer_weights = {}
    for name in STYLE_LAYERS:
        _, h, w, c = features[name].shape
        layer_weights[name] = STYLE_WEIGHT / len(STYLE_LAYERS) * (h * w) ** 2 * c**2 / (36.0 * (height * width) ** 2)
    return StyleParams(
        content_layer=CONTENT_LAYER,
        style_layers=layer_weights,
        content_weight=CONTENT_WEIGHT * content_size,
        style_weight=sum(layer_weights.values()),
        tv_weight=TV_WEIGHT * 127.5**2.5 * 3 * (height - 1) * (width - 1),
        size=max(height, width),
    )


def our_run(backbone, content, style, params: StyleParams, target: float | None):
    """Run our engine; returns (seconds of each final-size step, seconds to reach `target`, last loss,
    steps taken in all, the picture then)."""
    started = time.perf_counter()
    last_event_at = started
    final_steps, reached, last, taken, picture = [], None, None, 0, content
    final_shape = content.shape[:2]
    generator = stylize(content, [style], params, backbone)
    try:
        for event in generator:
            if event.preview is None:  # a light event between tiles or while L-BFGS computes
                continue
            now = time.perf_counter()
            taken, picture = event.step, event.preview
            if event.preview.shape[:2] == final_shape:
                final_steps.append(now - last_event_at)
                last = event.metrics["loss"]
                if target is not None and reached is None and last <= target:
                    reached = now - started
                    break
            last_event_at = now
    finally:
        generator.close()
    return final_steps, reached, last, taken, picture


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--height", type=int, default=128, help="picture height (the chapter uses 400)")
    parser.add_argument("--reference-steps", type=int, default=1000)
    parser.add_argument("--timing-steps", type=int, default=10, help="steps per timing round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating timing rounds")
    parser.add_argument("--scales", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=300, help="our step budget to reach the reference's loss")
    parser.add_argument(
        "--target",
        type=float,
        help="the reference's loss after --reference-steps from an earlier run (with --reference-wall),"
        " to skip running those steps again",
    )
    parser.add_argument("--reference-wall", type=float, help="the reference's wall time from that earlier run")
    parser.add_argument("--timing-only", action="store_true", help="measure seconds per iteration only")
    args = parser.parse_args()

    backbone = drive(load_backbone("vgg16"))
    content, style = pictures(args.height)
    height, width = content.shape[:2]
    print(f"Pictures {width}x{height}, backbone VGG16 (offline), CPU threads: {os.cpu_count()}", flush=True)
    params = matching_params(backbone, height, width)

    reference = ReferenceLoop(backbone, content, style)
    if args.timing_only:
        target = reference_wall = None
    elif args.target is None:
        print(f"Reference loop, {args.reference_steps} steps:", flush=True)
        reference_started = time.perf_counter()
        target = reference.run(args.reference_steps)[0]
        reference_wall = time.perf_counter() - reference_started
        print(f"  loss after {args.reference_steps} steps: {target:.5g} in {reference_wall:.1f} s", flush=True)
    else:
        target, reference_wall = args.target, args.reference_wall

    # Seconds per iteration: the reference and ours in alternating rounds, so both see the same load.
    samples: dict[str, list[float]] = {"reference": [], "lbfgs": [], "adam": []}
    for _ in range(args.rounds):
        samples["reference"] += reference.run(args.timing_steps + 1, report_every=0)[1][1:]
        for optimizer in ("lbfgs", "adam"):
            timed = dataclasses.replace(
                params, optimizer=optimizer, num_scales=1, iterations=args.timing_steps + 1, learning_rate=0.02
            )
            samples[optimizer] += our_run(backbone, content, style, timed, None)[0][1:]  # the first includes tracing
    per_step = {name: float(np.median(values)) for name, values in samples.items()}

    reference_step = per_step["reference"]
    print(f"\nResults ({width}x{height}; medians of {args.rounds} alternating rounds of {args.timing_steps} steps)")
    print(
        f"  seconds per iteration: reference SGD {reference_step:.3f}, "
        f"ours L-BFGS {per_step['lbfgs']:.3f} ({reference_step / per_step['lbfgs']:.2f}x faster), "
        f"ours Adam {per_step['adam']:.3f} ({reference_step / per_step['adam']:.2f}x faster)",
        flush=True,
    )
    if args.timing_only:
        return

    ours = dataclasses.replace(params, num_scales=args.scales, iterations=args.iterations)
    steps, reached, last, taken, picture = our_run(backbone, content, style, ours, target)
    # Our loss is the reference's: check on one picture (the content plus noise) and on ours at the finish.
    objective = objective_for(backbone, CONTENT_LAYER, STYLE_LAYERS, params.tile_size)
    targets = run_to_end(objective.targets(to_working(content), [to_working(style)], [1.0]))[1]
    noisy = to_working(content) + np.random.default_rng(0).normal(0, 0.1, content.shape).astype(np.float32)
    ours_view = run_to_end(objective.evaluate(noisy, targets, loss_weights(params)))[1].total
    reference_view = float(reference.loss(tf.constant(to_caffe(noisy, working=True))))
    finish_view = float(reference.loss(tf.constant(to_caffe(picture))))

    if reached is None:
        print(f"  ours did not reach the reference's loss {target:.5g} in {args.iterations} steps (last {last:.5g})")
    else:
        paced = args.reference_steps * reference_step
        print(
            f"  wall time to loss {target:.5g}: ours {reached:.2f} s ({taken} L-BFGS steps, {len(steps)} at full "
            f"size; the reference's loss of our picture then: {finish_view:.5g})"
        )
        print(
            f"    reference measured {reference_wall:.1f} s ({reference_wall / reached:.0f}x ours); at the "
            f"seconds per step measured beside ours, {paced:.1f} s ({paced / reached:.0f}x ours)"
        )
    print(f"  loss check on one picture: ours {ours_view:.6g}, the reference's {reference_view:.6g}")


if __name__ == "__main__":
    main()
