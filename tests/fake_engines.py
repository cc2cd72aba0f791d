"""Fake engines for GUI tests: generators that yield tiny frames fast, named in place of the real
engines by monkeypatching `studio.core.job_targets.TARGETS` (see the `fake_target` fixture)."""

from __future__ import annotations

import json
import os
import threading
import time

import numpy as np

from studio.core.progress import CostLedger, Progress

# Each preview of `dream` is a flat picture of one of these values; its result is the negative,
# so a test can tell a preview on screen from the result.
PREVIEW_VALUES = (40, 80, 120)
STEP_SECONDS = 0.1
calls: list[dict] = []  # the keyword arguments of every call, newest last
# `dream` returns its result only while this is set: a test clears it to look at a preview while the job
# is surely still running (however slow the machine), then sets it again.
results_released = threading.Event()
results_released.set()


def dream(image, params, guide=None, mask=None):
    """A dream of len(PREVIEW_VALUES) steps whose previews differ from its result."""
    calls.append({"image": image, "params": params, "guide": guide, "mask": mask})
    for step, value in enumerate(PREVIEW_VALUES, start=1):
        time.sleep(STEP_SECONDS)
        yield Progress(
            step=step,
            total=len(PREVIEW_VALUES),
            stage=f"Octave 1/1 · step {step}",
            preview=np.full_like(image, value),
            metrics={"loss": float(step)},
        )
    results_released.wait(timeout=30)
    return 255 - image


def endless(image=None, marker=100, **kwargs):
    """Runs until cancelled, a frame of value `marker` every 10 ms (a long training, or a dream cut short)."""
    calls.append({"image": image, "marker": marker, **kwargs})
    frame = np.full((8, 8, 3) if image is None else image.shape, marker, np.uint8)
    step = 0
    while True:
        step += 1
        time.sleep(0.01)
        yield Progress(step=step, total=0, stage=f"step {step}", preview=frame)


LAYER_NAMES = ("conv_a", "conv_b", "conv_c")


def layer_names(key, path=None):
    """The layers of a model file, read at once."""
    calls.append({"key": key, "path": path})
    return LAYER_NAMES
    yield  # a generator, as every job is


def painting(content, styles, params, init_image=None, mask=None):
    """A style transfer that runs until cancelled; each step's frame has its own value, so a test can
    tell which frame was on screen. Records the picture it was asked to start from."""
    calls.append({"content": content, "styles": styles, "params": params, "init_image": init_image, "mask": mask})
    step = 0
    while True:
        step += 1
        time.sleep(0.01)
        yield Progress(step=step, total=0, stage=f"step {step}", preview=np.full((8, 8, 3), step % 200 + 20, np.uint8))


def seeded(image, params, guide=None, mask=None):
    """A dream whose result is a flat picture of its seed's value: results of different seeds differ."""
    calls.append({"image": image, "params": params})
    yield Progress(step=1, total=1, stage="Octave 1/1 · step 1", preview=np.full_like(image, 1))
    return np.full_like(image, params.seed % 256)


def flight(image, params, animation, guide=None, mask=None, frame_seconds=0.02):
    """An animation whose frame k is flat at value 10 * (k + 1), each told as it is finished."""
    calls.append({"image": image, "params": params, "animation": animation})
    frames = []
    for index in range(animation.frames):
        time.sleep(frame_seconds)
        frame = np.full((12, 16, 3), 10 * (index + 1), np.uint8)
        frames.append(frame)
        yield Progress(step=index + 1, total=animation.frames, preview=frame, data={"frame": frame, "index": index})
    return frames


def text_train(corpus_paths, params, model_path, resume_from=None):
    """Text training that saves a "model" (a JSON file: epochs done, whether it replies) after each
    epoch, as the engine does, with samples at each temperature."""
    calls.append({"model_path": model_path, "resume_from": resume_from, "params": params})
    done = json.loads(open(resume_from).read())["epochs"] if resume_from else 0
    os.makedirs(os.path.dirname(model_path), exist_ok=True)
    reply = params.architecture == "seq2seq"
    for epoch in range(done + 1, params.epochs + 1):
        time.sleep(0.01)
        with open(model_path, "w") as model_file:
            model_file.write(json.dumps({"epochs": epoch, "reply": reply}))
        samples = {t: f"sample {epoch} at {t}" for t in params.temperatures}
        data = {
            "epoch": epoch,
            "samples": samples,
            "prompt": params.sample_prompt,
            "reply": reply,
            "batches_done": epoch,
        }
        yield Progress(step=epoch - done, total=params.epochs - done, stage=f"Epoch {epoch}", data=data)
    return {"path": model_path, "epochs": params.epochs, "history": []}


def text_describe(model_path):
    """What the Text tab reads of a model made by `text_train`."""
    yield Progress(step=0, total=1, stage="Reading the model")
    with open(model_path) as model_file:
        saved = json.loads(model_file.read())
    params = {"architecture": "seq2seq" if saved["reply"] else "lstm", "size": "small", "level": "char"}
    return {"params": params, "epochs_done": saved["epochs"], "history": [], "vocabulary": 40, "reply": saved["reply"]}


def text_generate(model_path, params, chunks=3):
    """Writing in `chunks` chunks, a different text for each of `params.samples` samples."""
    calls.append({"model_path": model_path, "params": params})
    for chunk in range(chunks):
        time.sleep(0.02)
        pieces = [f"sample{row}-chunk{chunk} " for row in range(params.samples)]
        yield Progress(step=chunk + 1, total=chunks, stage="Writing", text=pieces[0], data={"pieces": pieces})
    return []


# Three stages whose steps cost 1, 4 and 16 (as octaves or scales that double their sides do).
GROWING_STAGES = [(2, 1.0), (2, 4.0), (2, 16.0)]
GROWING_COST = sum(steps * cost for steps, cost in GROWING_STAGES)  # 42


def growing(seconds=1.0, setup_seconds=0.0):
    """A fake engine that first sets up for `setup_seconds` (as loading a model does), then does
    steps that grow in cost and take `seconds` in all, in proportion to cost; each step in two
    halves with a light event between. Each half sleeps until the moment its cost so far is due,
    so a loaded machine's late wake-ups do not pile up over many short sleeps."""
    time.sleep(setup_seconds)
    ledger = CostLedger(GROWING_STAGES)
    started, cost_done = time.monotonic(), 0.0

    def half_of(cost):
        nonlocal cost_done
        cost_done += cost / 2
        time.sleep(max(0.0, started + cost_done * seconds / GROWING_COST - time.monotonic()))

    def step(cost):
        half_of(cost)
        yield 0.5
        half_of(cost)

    for stage, (steps, cost) in enumerate(GROWING_STAGES):
        for index in range(steps):
            yield from ledger.heartbeats(step(cost), stage, index, f"stage {stage + 1}")
            yield ledger.progress(stage, index + 1, stage=f"stage {stage + 1}")
    return "done"
