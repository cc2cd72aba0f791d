"""Latent-space maths shared by the VAE and GAN engines: interpolation, planes and grids of codes,
principal directions, concept vectors, sliders over a latent space, a model's calls on many codes
in chunks, pictures made of decoded codes (grids, animations) and stills saved with their recipe.

Plain NumPy and Pillow: nothing here needs a model, so it is cheap to test and to call from anywhere.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from studio.core.files import atomic_path
from studio.core.images import render_still, save_image
from studio.core.progress import JobError, Progress

ANIMATION_FORMATS = (".gif", ".mp4")
DECODE_CHUNK = 1024  # codes per model call, so a huge grid cannot exhaust memory


def in_chunks(function: Callable[[np.ndarray], Any], rows: np.ndarray) -> np.ndarray:
    """`function` of `rows`, called on DECODE_CHUNK rows at a time and the results joined: what one
    call on all of them gives, in bounded memory."""
    return np.concatenate(
        [np.asarray(function(rows[start : start + DECODE_CHUNK])) for start in range(0, len(rows), DECODE_CHUNK)]
    )


def lerp(a: np.ndarray, b: np.ndarray, t: float | np.ndarray) -> np.ndarray:
    """Straight-line blend of codes `a` and `b` (t=0 gives a, t=1 gives b). An array of t gives one row each."""
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    t = np.asarray(t, np.float32)[..., None] if np.ndim(t) else np.float32(t)
    return (1 - t) * a + t * b


def slerp(a: np.ndarray, b: np.ndarray, t: float | np.ndarray) -> np.ndarray:
    """Spherical blend: follows the great circle from `a` to `b`, so unit codes stay unit length and
    Gaussian codes keep a typical norm (a straight line passes through the unlikely region near 0).
    Falls back to `lerp` when the codes point the same way (the arc is undefined)."""
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    norms = np.linalg.norm(a) * np.linalg.norm(b)
    if norms == 0:
        return lerp(a, b, t)
    omega = float(np.arccos(np.clip(np.dot(a, b) / norms, -1.0, 1.0)))
    if np.sin(omega) < 1e-6:
        return lerp(a, b, t)
    t = np.asarray(t, np.float32)[..., None] if np.ndim(t) else np.float32(t)
    return (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.float32(np.sin(omega))


def interpolate(a: np.ndarray, b: np.ndarray, steps: int, spherical: bool = True) -> np.ndarray:
    """`steps` codes from `a` to `b` inclusive, (steps, D) float32."""
    if steps < 2:
        raise JobError("An interpolation needs at least 2 steps.")
    t = np.linspace(0.0, 1.0, steps, dtype=np.float32)
    return (slerp if spherical else lerp)(a, b, t).astype(np.float32)


def walk(keypoints: np.ndarray, steps_per_leg: int, spherical: bool = True, loop: bool = True) -> np.ndarray:
    """A path through `keypoints` (K, D), `steps_per_leg` codes per leg; with `loop` it returns to
    the first keypoint, so an animation of it repeats without a jump."""
    keypoints = np.asarray(keypoints, np.float32)
    stops = list(keypoints) + ([keypoints[0]] if loop else [])
    legs = [interpolate(a, b, steps_per_leg + 1, spherical)[:-1] for a, b in zip(stops[:-1], stops[1:])]
    path = np.concatenate(legs)
    return path if loop else np.concatenate([path, keypoints[-1:]])


@dataclass(frozen=True)
class LatentPlane:
    """A 2D slice of the latent space: `origin + x * u + y * v` for x, y in [-extent, extent].

    With a 2D latent space, origin 0 and unit axes, this is the reference chapter's view.
    """

    origin: np.ndarray
    u: np.ndarray
    v: np.ndarray
    extent: float = 1.0

    @classmethod
    def axes(
        cls, latent_dim: int, first: int = 0, second: int = 1, extent: float = 1.0, origin: np.ndarray | None = None
    ) -> LatentPlane:
        """The plane spanned by two latent dimensions, through `origin` (default 0)."""
        if not (0 <= first < latent_dim and 0 <= second < latent_dim) or first == second:
            raise JobError(f"Pick two different dimensions between 1 and {latent_dim}.")
        eye = np.eye(latent_dim, dtype=np.float32)
        origin = np.zeros(latent_dim, np.float32) if origin is None else np.asarray(origin, np.float32)
        return cls(origin, eye[first], eye[second], extent)

    def codes(self, n: int) -> np.ndarray:
        """n x n codes, (n*n, D), row-major with +y at the top row, as the grid is drawn."""
        steps = np.linspace(-self.extent, self.extent, n, dtype=np.float32)
        ys, xs = np.meshgrid(steps[::-1], steps, indexing="ij")
        return (self.origin + xs.reshape(-1, 1) * self.u + ys.reshape(-1, 1) * self.v).astype(np.float32)

    def point(self, fx: float, fy: float, cells: int | None = None) -> np.ndarray:
        """The code under a point of the drawn plane, given as fractions of its width and height
        (0, 0 = top left). For a grid of `cells` x `cells` pictures, cell centres map exactly to
        the codes `codes(cells)` decoded there."""
        tx, ty = _from_drawn(fx, cells), _from_drawn(fy, cells)
        x, y = (2 * tx - 1) * self.extent, (1 - 2 * ty) * self.extent
        return (self.origin + x * self.u + y * self.v).astype(np.float32)

    def coordinates(self, code: np.ndarray, cells: int | None = None) -> tuple[float, float]:
        """Where `code` projects onto the drawn plane, as fractions (may fall outside 0..1); the
        inverse of `point`."""
        offset = np.asarray(code, np.float32) - self.origin
        x = float(np.dot(offset, self.u) / max(np.dot(self.u, self.u), 1e-12))
        y = float(np.dot(offset, self.v) / max(np.dot(self.v, self.v), 1e-12))
        return _to_drawn((x / self.extent + 1) / 2, cells), _to_drawn((1 - y / self.extent) / 2, cells)


def _from_drawn(fraction: float, cells: int | None) -> float:
    """A fraction of the drawn grid to a fraction of the extent (cell centres to grid codes)."""
    return fraction if not cells or cells < 2 else (fraction * cells - 0.5) / (cells - 1)


def _to_drawn(fraction: float, cells: int | None) -> float:
    return fraction if not cells or cells < 2 else (fraction * (cells - 1) + 0.5) / cells


def principal_directions(codes: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mean code, the top `count` principal directions (count, D, unit rows) and the spread
    (standard deviation) of the codes along each: sliders along them change the most per step."""
    codes = np.asarray(codes, np.float32)
    mean = codes.mean(axis=0)
    centred = codes - mean
    if count < min(centred.shape) // 4:
        singular, directions = top_singular(centred, count)
    else:
        _, singular, directions = np.linalg.svd(centred, full_matrices=False)
    count = min(count, directions.shape[0])
    spread = singular[:count] / np.sqrt(max(len(codes) - 1, 1))
    return mean, directions[:count].astype(np.float32), spread.astype(np.float32)


def top_singular(matrix: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The `count` largest singular values of `matrix`, largest first, and their right singular
    vectors (rows). A partial decomposition: for a GAN's 4,096 x 2,048 features it takes a tenth
    of the time a full SVD does (both measured on the shared 2-core machine)."""
    from scipy.sparse.linalg import svds

    _, singular, directions = svds(matrix, k=count, random_state=0)
    order = np.argsort(singular)[::-1]
    return singular[order], directions[order]


def concept_vector(codes_with: np.ndarray, codes_without: np.ndarray) -> np.ndarray:
    """The direction from pictures without a quality to pictures with it: the difference of their
    mean codes. Adding a multiple of it to any code adds (or removes) the quality."""
    codes_with, codes_without = np.asarray(codes_with, np.float32), np.asarray(codes_without, np.float32)
    if len(codes_with) == 0 or len(codes_without) == 0:
        raise JobError("A concept vector needs at least one picture in each group.")
    return codes_with.mean(axis=0) - codes_without.mean(axis=0)


class LatentSliders:
    """Sliders over a latent space, for any model that decodes codes into pictures.

    Slider `index` moves a code along `axes[index]` (a unit direction) from `center`; `spread` is
    how far the model's codes typically sit along it (a slider's sensible reach is about 3 spreads).
    Subclasses say how codes become pictures (`decode_batch`). Everything here is NumPy in, NumPy out.
    """

    def __init__(self, latent_dim: int, center: np.ndarray, axes: np.ndarray, spread: np.ndarray, names: list[str]):
        self.latent_dim = latent_dim
        self.center = np.asarray(center, np.float32)
        self.axes = np.asarray(axes, np.float32)
        self.spread = np.asarray(spread, np.float32)
        self.slider_names = names

    def decode(self, codes: np.ndarray) -> np.ndarray:
        """One code (D,) to a uint8 RGB picture (H, W, 3), or codes (N, D) to (N, H, W, 3)."""
        codes = np.asarray(codes, np.float32)
        pictures = self.decode_batch(codes.reshape(-1, self.latent_dim))
        return pictures[0] if codes.ndim == 1 else pictures

    def decode_batch(self, codes: np.ndarray) -> np.ndarray:
        """Float32 codes (N, D) to uint8 RGB pictures (N, H, W, 3)."""
        raise NotImplementedError

    @property
    def slider_count(self) -> int:
        return len(self.axes)

    def slider_values(self, code: np.ndarray) -> np.ndarray:
        """Where `code` sits along each slider axis, relative to the centre."""
        return self.axes @ (np.asarray(code, np.float32) - self.center)

    def with_slider(self, code: np.ndarray, index: int, value: float) -> np.ndarray:
        """`code` moved along slider axis `index` so that slider reads `value`; the rest is kept."""
        code = np.asarray(code, np.float32)
        return code + (value - float(self.slider_values(code)[index])) * self.axes[index]

    def random_code(self, seed: int | None = None) -> np.ndarray:
        """A draw from the prior N(0, I): what both models were trained to decode well."""
        return np.random.default_rng(seed).standard_normal(self.latent_dim).astype(np.float32)

    def plane(
        self, first: int = 0, second: int = 1, extent: float = 1.0, origin: np.ndarray | None = None
    ) -> LatentPlane:
        """The plane spanned by two slider axes through `origin` (default: the centre). With a 2D
        latent space and the defaults, the reference chapter's view."""
        count = self.slider_count
        if count < 2:
            raise JobError("A one-dimensional latent space has no plane to draw; use the slider.")
        if not (0 <= first < count and 0 <= second < count) or first == second:
            raise JobError(f"Pick two different axes between 1 and {count}.")
        origin = self.center if origin is None else np.asarray(origin, np.float32)
        return LatentPlane(origin, self.axes[first], self.axes[second], extent)

    def grid(self, plane: LatentPlane, n: int = 30) -> np.ndarray:
        """The n x n pictures decoded over `plane` in one batched call, tiled as one uint8 RGB picture."""
        return tile_images(self.decode(plane.codes(n)), n)

    def interpolation(
        self, start: np.ndarray, end: np.ndarray, steps: int = 24, spherical: bool = True
    ) -> list[np.ndarray]:
        """Frames from `start` to `end` (codes), decoded in one batch."""
        return list(self.decode(interpolate(start, end, steps, spherical)))

    def walk(self, plane: LatentPlane, steps: int = 96) -> list[np.ndarray]:
        """A looping figure-of-eight through the plane, decoded in one batch: an animation that
        sweeps most of the view and returns to where it began."""
        angles = np.linspace(0.0, 2 * np.pi, steps, endpoint=False)
        xs, ys = 0.5 + 0.45 * np.sin(angles), 0.5 + 0.45 * np.sin(2 * angles)
        return list(self.decode(np.stack([plane.point(x, y) for x, y in zip(xs, ys)])))

    def sweep(self, code: np.ndarray, direction: np.ndarray, amounts: np.ndarray) -> np.ndarray:
        """`code + amount * direction` for each amount, decoded: (len(amounts), H, W, 3)."""
        amounts = np.asarray(amounts, np.float32)[:, None]
        return self.decode(np.asarray(code, np.float32) + amounts * np.asarray(direction, np.float32))

    def slider_sheet(self, code: np.ndarray | None = None, steps: int = 7, reach: float = 2.0) -> np.ndarray:
        """What each slider does, as one uint8 RGB picture: a row per slider, moving `code`
        (default: the centre) from -reach to +reach spreads along it."""
        code = self.center if code is None else np.asarray(code, np.float32)
        rows = [
            self.sweep(code, axis, np.linspace(-reach, reach, steps) * spread)
            for axis, spread in zip(self.axes, self.spread)
        ]
        return tile_images(np.concatenate(rows), steps, gap=1)


def decode_job(explorer: LatentSliders, codes: np.ndarray) -> Iterator[Progress]:
    """The picture of one code (D,), or the pictures of codes (N, D), from a VAE's or a GAN's
    explorer. The step before the decode lets a request that a newer one replaced stop without decoding."""
    yield Progress(0, 1, "decoding")
    return explorer.decode(codes)


def still_recipe(technique: str, params, model_path: str | os.PathLike | None, code: np.ndarray | None, **extra):
    """The recipe saved in a still's PNG: the model's parameters, where the model is, and the
    latent code (or codes) the picture was decoded from, so it can be made again."""
    from studio.core.params import make_recipe

    latent = None if code is None else np.asarray(code, np.float32).round(6).tolist()
    model = None if model_path is None else str(model_path)
    return make_recipe(technique, params, model=model, latent=latent, **extra)


def save_still(
    path: str | os.PathLike, picture: np.ndarray, recipe: dict | None = None, scale: int = 1, smooth: bool = False
) -> Path:
    """Save a decoded picture or grid (see `render_still`) atomically; a PNG carries `recipe`."""
    return save_image(path, render_still(picture, scale, smooth), recipe)


def tile_images(images: np.ndarray, columns: int, gap: int = 0) -> np.ndarray:
    """Lay out N pictures (N, H, W, C) uint8 in rows of `columns` as one uint8 RGB picture; grey
    pictures become RGB, empty cells of the last row stay black."""
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    count, height, width, channels = images.shape
    if channels == 1:
        images = np.repeat(images, 3, axis=3)
    columns = max(1, min(columns, count))
    rows = -(-count // columns)
    sheet = np.zeros((rows * (height + gap) - gap, columns * (width + gap) - gap, 3), np.uint8)
    for index in range(count):
        top, left = divmod(index, columns)
        top, left = top * (height + gap), left * (width + gap)
        sheet[top : top + height, left : left + width] = images[index, ..., :3]
    return sheet


def save_animation(frames: list[np.ndarray], path: str | os.PathLike, fps: float = 12.0) -> Path:
    """Write uint8 RGB frames as a looping GIF (Pillow) or an MP4 (needs imageio with ffmpeg).

    The file appears atomically, as with pictures."""
    path = check_animation_path(path)
    suffix = path.suffix.lower()
    if not frames:
        raise JobError("There are no frames to save.")
    with atomic_path(path) as temp:
        if suffix == ".gif":
            pictures = [Image.fromarray(np.asarray(frame, np.uint8)) for frame in frames]
            pictures[0].save(
                temp, format="GIF", save_all=True, append_images=pictures[1:], duration=round(1000 / fps), loop=0
            )
        else:
            _write_mp4(frames, str(temp), fps)
    return path


def check_animation_path(path: str | os.PathLike) -> Path:
    """`path` as a Path if an animation can be saved there, else a JobError saying why (checked
    before the frames are made, so nobody waits for a file that cannot be written)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in ANIMATION_FORMATS:
        raise JobError(f"Cannot save an animation as '{suffix or path.name}': use .gif or .mp4.")
    if suffix == ".mp4" and not mp4_available():
        raise JobError("Saving MP4 needs the imageio-ffmpeg package (pip install imageio-ffmpeg); save a .gif instead.")
    return path


def mp4_available() -> bool:
    """Whether imageio can find an ffmpeg to encode MP4 with."""
    try:
        import imageio_ffmpeg  # noqa: F401  (imageio's ffmpeg plugin needs it)
    except ImportError:
        return False
    return True


def _write_mp4(frames: list[np.ndarray], path: str, fps: float) -> None:
    import imageio.v2 as imageio

    # H.264 wants even sides; pad by repeating the edge rather than distorting the picture.
    height, width = frames[0].shape[:2]
    pad = ((0, height % 2), (0, width % 2), (0, 0))
    with imageio.get_writer(path, format="FFMPEG", fps=fps, macro_block_size=1) as writer:
        for frame in frames:
            writer.append_data(np.pad(np.asarray(frame, np.uint8), pad, mode="edge"))
