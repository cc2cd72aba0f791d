"""Fake latent models and jobs for GUI tests of the Latent Explorer: NumPy only, milliseconds each.

A fake picture is a flat grey square whose level encodes the first number of its code
(`shade`), so a test can tell which code a picture on screen was decoded from."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from studio.core.params.gan import GanParams
from studio.core.params.vae import VaeParams
from studio.core.progress import JobError, Progress
from studio.engines.latent import LatentPlane, tile_images

SIDE = 8
FAKE_MODEL = b"fake latent model"
DECODE_SECONDS = 0.02
calls: list[tuple[str, dict]] = []  # (job, keyword arguments) of every call, newest last


def shade(code) -> int:
    """The grey level a fake picture of `code` has: rises with the first number (-5 -> 5, 7 -> 245)."""
    return int(np.clip(round((float(code[0]) + 5.0) * 20.0) + 5, 0, 255))


class FakeExplorer:
    """The NumPy face of `studio.engines.vae.Explorer` for a 2-D space."""

    latent_dim = 2

    def __init__(self, epochs_done: int = 3, params: VaeParams | None = None):
        self.center = np.zeros(2, np.float32)
        self.axes = np.eye(2, dtype=np.float32)
        self.spread = np.ones(2, np.float32)
        self.slider_names = ["z1", "z2"]
        self.vae = SimpleNamespace(epochs_done=epochs_done, params=params or VaeParams())

    @property
    def slider_count(self) -> int:
        return 2

    def slider_values(self, code):
        return self.axes @ (np.asarray(code, np.float32) - self.center)

    def with_slider(self, code, index, value):
        code = np.array(code, np.float32)
        code[index] = value
        return code

    def random_code(self, seed=None):
        return np.random.default_rng(seed).standard_normal(2).astype(np.float32)

    def plane(self, first=0, second=1, extent=1.0):
        return LatentPlane.axes(2, first, second, extent)


class FakeGan:
    """What the GAN page reads of `studio.engines.gan.GanModel`."""

    latent_dim = 4

    def __init__(self, epochs_done: int = 3, params: GanParams | None = None):
        self.epochs_done = epochs_done
        self.params = params or GanParams(image_size=28, latent_dim=4)


class FakeGanExplorer(FakeExplorer):
    """The NumPy face of `studio.engines.gan.GanExplorer`: four directions, the latent axes."""

    latent_dim = 4

    def __init__(self):
        super().__init__()
        self.center = np.zeros(4, np.float32)
        self.axes = np.eye(4, dtype=np.float32)
        self.spread = np.ones(4, np.float32)
        self.explained = np.array([0.4, 0.3, 0.2, 0.1], np.float32)
        self.slider_names = [f"direction {index + 1}" for index in range(4)]

    @property
    def slider_count(self) -> int:
        return 4

    def random_code(self, seed=None):
        return np.random.default_rng(seed).standard_normal(4).astype(np.float32)


def pictures(codes, side: int = SIDE) -> np.ndarray:
    codes = np.asarray(codes, np.float32)
    flat = np.stack([np.full((side, side, 3), shade(code), np.uint8) for code in codes.reshape(-1, codes.shape[-1])])
    return flat[0] if codes.ndim == 1 else flat


def decode(explorer, codes):
    calls.append(("decode", {"codes": np.asarray(codes)}))
    time.sleep(DECODE_SECONDS)
    yield Progress(0, 1, "decoding")
    return pictures(codes)


def grid(explorer, plane, n):
    calls.append(("grid", {"n": n}))
    yield Progress(0, 1, "decoding")
    return tile_images(pictures(plane.codes(n)), n)


def strip(explorer, start, end, steps, spherical=True):
    yield Progress(0, 1, "decoding")
    return np.concatenate(pictures(np.linspace(start, end, steps)), axis=1)


def encode(explorer, picture):
    yield Progress(0, 1, "encoding")
    return np.array([picture.mean() / 20.0 - 5.0, 0.0], np.float32)


def open_model(path):
    """A fake model file holds FAKE_MODEL; anything else is 'damaged'."""
    yield Progress(0, 0, "opening")
    if Path(path).read_bytes() != FAKE_MODEL:
        raise JobError(f"{Path(path).name} is damaged: its weights cannot be read.")
    return FakeGan() if Path(path).stem.startswith("gan") else FakeExplorer()


def train(params, checkpoint=None, checkpoint_path=None, resume_from=None, model=None, steps=0):
    """Training that writes its checkpoint, reports a long stage line, and runs until stopped
    (or for `steps` steps, then returns a fake model)."""
    target = Path(checkpoint or checkpoint_path)
    calls.append(("train", {"params": params, "into": target, "resume_from": resume_from, "model": model}))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(FAKE_MODEL)
    sheet = tile_images(np.full((36, SIDE, SIDE, 3), 90, np.uint8), 6, gap=1)
    step = 0
    while not steps or step < steps:
        step += 1
        time.sleep(0.01)
        stage = f"epoch {step // 40 + 1}/{params.epochs} · batch {step % 40 + 1}/40 · the discriminator is winning"
        metrics = {"loss": 100.0 / step, "reconstruction": 90.0 / step, "kl": 0.01 * step}
        yield Progress(step, 100_000, stage, preview=sheet, metrics=metrics, data={"pictures": sheet})
    return FakeGan(steps) if checkpoint_path else FakeExplorer(steps)


def sample_grid(model, params):
    yield Progress(0, 0, "Generating")
    latents = np.random.default_rng(params.seed).standard_normal((params.count, model.latent_dim)).astype(np.float32)
    sheet = tile_images(pictures(latents, model.params.image_size), params.columns)
    return {"grid": sheet, "latents": latents, "columns": params.columns}


def directions(model):
    yield Progress(0, 1, "Finding the main directions")
    return FakeGanExplorer()


def project(model, picture, steps=300, learning_rate=0.05):
    """Walks code[0] toward the photo's brightness, a preview and a falling difference each step."""
    target = picture.mean() / 20.0 - 5.0
    code = np.zeros(4, np.float32)
    start = loss = abs(target)
    for step in range(1, steps + 1):
        code[0] += (target - code[0]) * 0.3
        loss = abs(target - code[0])
        time.sleep(0.002)
        yield Progress(step, steps, "Projecting the picture", preview=pictures(code), metrics={"loss": loss})
    return {"latent": code.copy(), "picture": pictures(code), "loss": loss, "start_loss": start}


def save(path, explorer=None, model=None):
    Path(path).write_bytes(FAKE_MODEL)
    yield Progress(0, 0, "saving")
    return path


def use_fakes(monkeypatch) -> None:
    """Run the fakes below in place of the latent engines' jobs."""
    from studio.core import job_targets

    calls.clear()
    for name, fake in FAKES.items():
        monkeypatch.setitem(job_targets.TARGETS, name, f"fake_latent:{fake}")


FAKES = {
    "vae.decode": "decode",
    "vae.grid": "grid",
    "vae.strip": "strip",
    "vae.encode": "encode",
    "vae.load": "open_model",
    "vae.train": "train",
    "vae.save": "save",
    "gan.load": "open_model",
    "gan.train": "train",
    "gan.save": "save",
    "gan.sample_grid": "sample_grid",
    "gan.directions": "directions",
    "gan.decode": "decode",
    "gan.project": "project",
}
