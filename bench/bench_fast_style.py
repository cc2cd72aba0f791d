"""Fast style transfer against Gatys' optimisation (the Style engine), on the CPU, offline VGG16.

Measures, in CPU seconds of this process (the machine may be shared; wall seconds beside them):
  (a) painting the astronaut at 512 and 1024 px with a style model, against one L-BFGS iteration
      of the Style engine at the same size (goal: at least 20 times faster than that one iteration);
  (b) training steps per second at 256 px with the default training parameters;
  (c) the style loss (the Style engine's, default layers and weights) of the astronaut painted by
      the model, against the style loss of the Style engine's default result at the same size
      (goal: within twice Gatys' loss after the default training).

    python bench/bench_fast_style.py --model brush.keras --style brush_strokes
    python bench/bench_fast_style.py --style brush_strokes --gatys gatys.png   # reuse a `studio style` result

Without --model, a model is trained here with the default parameters (about 870 CPU seconds).

Measured on 2 shared CPU cores (2026-11-24), brush_strokes, the default model (strokes added to the
picture under tanh, see network.AddStrokes) trained to its end: 700 steps, 866 CPU s, 13 min wall
at load 2-6; bench at load 1-2, 3 rounds:
  (a) 512 px: painting 0.14 CPU s, one Gatys iteration 3.62: 25.8x; 1024 px: 0.56 against 26.4: 46.9x;
  (b) 1.29 CPU s per training step at 256 px (0.78 steps per CPU second);
  (c) style loss at 384 px: the photo 1222, Gatys' default result 111.5, the default model 134.6 (1.21x).
The model before (width 16, 9 x 9 last convolution, block3_conv3 content, style at 1 x the crops,
learning rate 1e-3, 500 steps) painted in 0.42 / 1.81 CPU s (8.7x / 14.4x) and, stopped at 200
steps, reached 3.9x Gatys' style loss. With width 8, style weight 0.01 and the cosine learning rate,
500 steps at block3_conv3 gave 3.0x and patches of a fine blue knit laid over the photo; the
Style engine's block4_conv2, style at 1.5 x the crops and 700 steps gave 1.57x (24.5x / 45.6x
faster, 881 CPU s of training), still adding its strokes in artanh space: tanh(artanh(picture) +
strokes) needs strokes of about 3 to change a saturated pixel, and that model laid patches of blue
hatching over the photo and left the orange suit, the helmet and other dark or saturated areas as
they were. With tanh(picture + strokes), 200-step runs (seed 0) reached a training style loss of
1719 against 3741 (2.55x Gatys' against 2.80x); 700 steps, 663 against 1170.
Seen at 512 px (astronaut, chelsea, coffee): the whole picture repainted in the preset's blue and
yellow (the suit yellow, the background and the shuttle blue, the cat in blue, yellow and black
bands, the table blue and yellow), as in Gatys' result; black areas (the helmet, the saucer) stay
dark. The texture is a fine blue knit of small scales over the photo's shapes, where Gatys paints
long swirling strokes: the colours are Gatys', the brushwork is not yet.

Where painting's time went (width 16, per layer, 512 px, 0.39 CPU s in all): the ten residual
convolutions 0.126 and their normalisations and paddings 0.04; the last 9 x 9 convolution, 16 to 3
channels at full size, 0.096 (about 10 GMAC/s against 48 for the 64-channel ones); the full-size
9 x 9 and upsampling convolutions 0.046 and their normalisations 0.028. Width 8 with a 3 x 3 last
convolution keeps Johnson et al.'s design at a third of the cost. XLA (jit_compile) was slower
(0.53 / 2.04 CPU s) and compiles for 2.5-4 s at each new size. 1024 px is one pass (tiles are
1024 px), 4x the pixels, plus normalisations that no longer fit in cache; Gatys' 768 px tiles make
its iteration 7.6x dearer from 512 to 1024 px.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from studio.commands import drive
from studio.core.backbones import load_backbone
from studio.core.image_ops import resize, to_rgb, to_working
from studio.core.images import load_image, sample_image
from studio.core.params.fast_style import FastStyleApplyParams, FastStyleTrainParams
from studio.core.params.style import StyleParams
from studio.core.progress import run_to_end
from studio.core.style_presets import load_preset, preset_names
from studio.engines.fast_style import apply_style, load_style_model, train_style
from studio.engines.style import objective_for, stylize
from studio.engines.style.job import loss_weights


class Clock:
    """CPU and wall seconds of a block."""

    def __enter__(self):
        self.cpu, self.wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.cpu, self.wall = time.process_time() - self.cpu, time.perf_counter() - self.wall
        return False


def astronaut(side: int) -> np.ndarray:
    return to_rgb(resize(to_working(sample_image("astronaut")), (side, side)))


def timed_steps(job, rounds: int) -> tuple[float, float]:
    """Median CPU and wall seconds of `rounds` steps of a job generator (its first step, which
    includes tracing, left out)."""
    cpu, wall = [], []
    try:
        next(job)
        for _ in range(rounds):
            with Clock() as clock:
                next(job)
            cpu.append(clock.cpu)
            wall.append(clock.wall)
    finally:
        job.close()
    return float(np.median(cpu)), float(np.median(wall))


def gatys_iteration(content: np.ndarray, style: np.ndarray, backbone, rounds: int) -> tuple[float, float]:
    """Median CPU and wall seconds of one L-BFGS iteration of the Style engine at the content's size:
    from one preview (a finished iteration) to the next. The engine also yields between tiles and
    evaluations, so its events are not iterations; the first iteration, which traces, is left out."""
    params = StyleParams(size=max(content.shape[:2]), iterations=rounds + 1, num_scales=1)
    marks = [
        (time.process_time(), time.perf_counter())
        for event in stylize(content, [style], params, backbone)
        if event.preview is not None
    ]
    cpu, wall = np.diff(np.array(marks), axis=0).T
    return float(np.median(cpu)), float(np.median(wall))


def paint_time(model, content: np.ndarray, rounds: int) -> tuple[float, float]:
    apply_style(model, content)  # traces the forward pass
    cpu, wall = [], []
    for _ in range(rounds):
        with Clock() as clock:
            apply_style(model, content)
        cpu.append(clock.cpu)
        wall.append(clock.wall)
    return float(np.median(cpu)), float(np.median(wall))


def training_pace(style: np.ndarray, backbone, steps: int) -> tuple[float, float]:
    """Seconds per training step at the default parameters."""
    params = dataclasses.replace(FastStyleTrainParams(), steps=steps + 1, preview_every=10_000, seed=0)
    return timed_steps(train_style([style], params, backbone), steps)


def style_losses(backbone, content: np.ndarray, style: np.ndarray, pictures: dict[str, np.ndarray]) -> dict:
    """The Style engine's weighted style loss of each picture, at the default settings, against
    `style` sized as the Style engine sizes it for this content."""
    params = StyleParams(size=max(content.shape[:2]))
    objective = objective_for(backbone, params.content_layer, tuple(params.active_style_layers()), params.tile_size)
    style_side = round(params.size * params.style_scale)
    factor = style_side / max(style.shape[:2])
    style_here = resize(to_working(style), (round(style.shape[0] * factor), round(style.shape[1] * factor)))
    targets = run_to_end(objective.targets(to_working(content), [style_here], [1.0]))[1]
    weights = loss_weights(params)
    return {
        name: run_to_end(objective.evaluate(to_working(picture), targets, weights))[1].style
        for name, picture in pictures.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--style", default="brush_strokes", help=f"a preset ({', '.join(preset_names())}) or a file")
    parser.add_argument("--model", help="a style model trained on --style (default: train one here)")
    parser.add_argument("--gatys", help="the Style engine's default result on the astronaut (default: make it here)")
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds (medians are reported)")
    parser.add_argument("--pace-steps", type=int, default=4, help="training steps timed at 256 px")
    args = parser.parse_args()

    style = load_preset(args.style) if args.style in preset_names() else load_image(args.style)
    backbone = drive(load_backbone("vgg16"))
    print(f"CPU threads: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.1f}", flush=True)

    if args.model:
        model = load_style_model(args.model)
        print(f"Model {args.model}: {model.steps_done} steps", flush=True)
    else:
        with Clock() as clock:
            model = drive(train_style([style], FastStyleTrainParams(seed=0), backbone))
        print(f"Trained the default model: {clock.cpu:.0f} CPU s, {clock.wall:.0f} s wall", flush=True)

    print("\n(a) painting a picture against one Gatys L-BFGS iteration (CPU s / wall s)")
    for side in (512, 1024):
        content = astronaut(side)
        painted_cpu, painted_wall = paint_time(model, content, args.rounds)
        gatys_cpu, gatys_wall = gatys_iteration(content, style, backbone, args.rounds)
        print(
            f"  {side} px: painting {painted_cpu:.2f} / {painted_wall:.2f}, one Gatys iteration "
            f"{gatys_cpu:.2f} / {gatys_wall:.2f}: {gatys_cpu / painted_cpu:.1f}x faster in CPU s "
            f"({gatys_wall / painted_wall:.1f}x in wall s)",
            flush=True,
        )

    step_cpu, step_wall = training_pace(style, backbone, args.pace_steps)
    print(
        f"\n(b) training at 256 px (default parameters): {step_cpu:.2f} CPU s per step "
        f"({1 / step_cpu:.2f} steps per CPU s); {step_wall:.2f} s wall per step",
        flush=True,
    )

    content = to_rgb(resize(to_working(sample_image("astronaut")), (384, 384)))
    if args.gatys:
        gatys = load_image(args.gatys)
    else:
        with Clock() as clock:
            gatys = drive(stylize(content, [style], StyleParams(), backbone))
        print(f"\nGatys default result made here: {clock.cpu:.0f} CPU s", flush=True)
    gatys = to_rgb(resize(to_working(gatys), content.shape[:2]))
    painted = apply_style(model, content, FastStyleApplyParams())
    losses = style_losses(backbone, content, style, {"content": content, "gatys": gatys, "fast": painted})
    print(
        f"\n(c) style loss at {content.shape[1]}x{content.shape[0]}: the photo itself {losses['content']:.4g}, "
        f"Gatys {losses['gatys']:.4g}, fast model {losses['fast']:.4g} ({losses['fast'] / losses['gatys']:.2f}x Gatys')"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
