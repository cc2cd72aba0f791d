"""Painterly style pictures that ship with the app, and the code that paints them.

Each preset is painted by our own code (NumPy, Pillow, SciPy) from a fixed seed and shipped as a
small JPEG in `studio/resources/styles/`; `python -m studio.core.style_presets` paints them again.
A style picture should carry strokes, edges and colour at the scale a network sees, not a smooth
photo texture: these give style transfer something to paint with.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from studio.core.progress import JobError

SIDE = 512
JPEG_QUALITY = 82
DEFAULT_PRESET = "brush_strokes"  # the one the Style tab should offer first


def preset_names() -> tuple[str, ...]:
    """The shipped presets' names, in the order a gallery shows them."""
    return tuple(PAINTERS)


def preset_title(name: str) -> str:
    return PAINTERS[_known(name)][0]


def load_preset(name: str) -> np.ndarray:
    """A shipped preset as a uint8 RGB array (SIDE x SIDE x 3)."""
    data = resources.files("studio.resources").joinpath("styles", f"{_known(name)}.jpg").read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)


def paint_preset(name: str) -> np.ndarray:
    """Paint a preset afresh (what the shipped file holds, before JPEG compression)."""
    return PAINTERS[_known(name)][1](np.random.default_rng(_seed(name)))


def _known(name: str) -> str:
    if name not in PAINTERS:
        raise JobError(f"Unknown style preset '{name}'. Choose one of: {', '.join(PAINTERS)}.")
    return name


def _seed(name: str) -> int:
    return sum(ord(letter) * 31**index for index, letter in enumerate(name)) % 2**32


# -- shared brushes ------------------------------------------------------------------------------
def smooth_noise(rng: np.random.Generator, sigma: float, shape: tuple[int, int] = (SIDE, SIDE)) -> np.ndarray:
    """Noise blurred to features of about `sigma` pixels, rescaled to [0, 1]."""
    from scipy.ndimage import gaussian_filter

    field = gaussian_filter(rng.standard_normal(shape), sigma, mode="wrap")
    return (field - field.min()) / (np.ptp(field) + 1e-9)


def palette_lookup(values: np.ndarray, palette: list[tuple[int, int, int]]) -> np.ndarray:
    """Map values in [0, 1] through a colour ramp (evenly spaced palette entries) to float RGB."""
    stops = np.linspace(0.0, 1.0, len(palette))
    colours = np.asarray(palette, np.float64)
    return np.stack([np.interp(values, stops, colours[:, channel]) for channel in range(3)], axis=-1)


def _to_uint8(rgb: np.ndarray) -> np.ndarray:
    return np.clip(rgb + 0.5, 0, 255).astype(np.uint8)


# -- painters --------------------------------------------------------------------------------------
def brush_strokes(rng: np.random.Generator) -> np.ndarray:
    """Thick, curving impasto strokes in blues and yellows, laid along a swirling flow, each with a
    lit and a shadowed edge (the ridges of oil paint)."""
    palette = [(16, 30, 78), (30, 70, 150), (70, 130, 190), (150, 190, 200), (235, 205, 90), (240, 160, 40)]
    field = smooth_noise(rng, 40)
    colour_field = palette_lookup(np.argsort(np.argsort(field.ravel())).reshape(field.shape) / field.size, palette)
    flow = smooth_noise(rng, 70) * 4 * np.pi
    canvas = Image.fromarray(_to_uint8(colour_field * 0.8))
    draw = ImageDraw.Draw(canvas)
    for layer_width in (14, 9, 6):
        for _ in range(900):
            y, x = rng.uniform(0, SIDE, 2)
            colour = colour_field[int(y), int(x)] * rng.uniform(0.85, 1.15) + rng.normal(0, 12, 3)
            points = [(x, y)]
            for _ in range(rng.integers(4, 9)):
                angle = flow[int(y) % SIDE, int(x) % SIDE]
                x, y = x + 5 * np.cos(angle), y + 5 * np.sin(angle)
                points.append((x, y))
            offset = layer_width / 3
            draw.line([(px + offset, py + offset) for px, py in points], fill=_rgb(colour * 0.6), width=layer_width)
            draw.line(points, fill=_rgb(colour), width=layer_width, joint="curve")
            draw.line([(px - offset, py - offset) for px, py in points], fill=_rgb(colour * 1.25 + 20), width=2)
    return np.asarray(canvas)


def stained_glass(rng: np.random.Generator) -> np.ndarray:
    """Voronoi panes of jewel-coloured glass, brighter at their centres, held in dark lead."""
    from scipy.ndimage import binary_dilation, gaussian_filter
    from scipy.spatial import cKDTree

    seeds = rng.uniform(0, SIDE, (170, 2))
    grid = np.stack(np.mgrid[0:SIDE, 0:SIDE], axis=-1).reshape(-1, 2)
    distance, labels = cKDTree(seeds).query(grid)
    labels, distance = labels.reshape(SIDE, SIDE), distance.reshape(SIDE, SIDE)
    jewels = np.array([(150, 20, 40), (20, 50, 140), (20, 110, 60), (220, 150, 20), (90, 30, 120), (30, 130, 160)])
    pane_colours = jewels[rng.integers(0, len(jewels), len(seeds))] * rng.uniform(0.7, 1.2, (len(seeds), 1))
    glow = 1.25 - 0.5 * np.clip(distance / 40.0, 0, 1)
    glass = pane_colours[labels] * glow[..., None]
    glass *= 1 + 0.12 * (gaussian_filter(rng.standard_normal((SIDE, SIDE)), 2)[..., None])
    edges = (labels != np.roll(labels, 1, axis=0)) | (labels != np.roll(labels, 1, axis=1))
    lead = binary_dilation(edges, iterations=3)
    glass[lead] = (28, 26, 30)
    return _to_uint8(glass)


def ink_wash(rng: np.random.Generator) -> np.ndarray:
    """Layered mountain ridges in washes of ink on warm paper, paler with distance, with the dark
    rims that ink leaves where a wet wash dries."""
    from scipy.ndimage import gaussian_filter

    paper = np.array([236, 226, 204], np.float64)
    ink = np.array([24, 22, 28], np.float64)
    density = np.zeros((SIDE, SIDE))
    rows = np.arange(SIDE)[:, None]
    for layer in range(6):
        base = SIDE * (0.25 + 0.12 * layer)
        ridge = base - 90 * smooth_noise(rng, 25, (1, SIDE))[0] - 40 * smooth_noise(rng, 6, (1, SIDE))[0]
        mountain = (rows > ridge[None, :]).astype(np.float64)
        mist = np.clip((rows - ridge[None, :]) / 160.0, 0, 1)  # ink fades downward into mist
        wash = gaussian_filter(mountain * (1 - mist), 1.5)
        rim = np.clip(wash - gaussian_filter(wash, 4), 0, None) * 3
        strength = 0.25 + 0.12 * layer
        density = np.maximum(density, strength * (wash + rim) * (0.7 + 0.5 * smooth_noise(rng, 8)))
    canvas = Image.fromarray(_to_uint8(np.zeros((SIDE, SIDE, 3))))
    draw = ImageDraw.Draw(canvas)  # dry-brush branches, drawn as white on black, used as ink density
    for _ in range(14):
        x, y = rng.uniform(0, SIDE), rng.uniform(SIDE * 0.5, SIDE)
        angle, width = rng.uniform(-2.4, -0.7), 7
        for _ in range(12):
            nx, ny = x + 14 * np.cos(angle), y + 14 * np.sin(angle)
            draw.line([(x, y), (nx, ny)], fill=(255, 255, 255), width=max(1, round(width)))
            x, y, angle, width = nx, ny, angle + rng.normal(0, 0.35), width - 0.5
    strokes = np.asarray(canvas, np.float64)[..., 0] / 255.0 * (0.6 + 0.4 * (rng.random((SIDE, SIDE)) > 0.25))
    density = np.clip(np.maximum(density, strokes * 0.95), 0, 1)
    fibres = 1 + 0.04 * gaussian_filter(rng.standard_normal((SIDE, SIDE)), (0.6, 3))
    return _to_uint8((paper * (1 - density[..., None]) + ink * density[..., None]) * fibres[..., None])


def halftone(rng: np.random.Generator) -> np.ndarray:
    """A pop-art print: bold colour fields printed as cyan, magenta, yellow and black dot screens
    at the classic angles, so every tone is made of dots."""
    from scipy.ndimage import gaussian_filter

    palette = [(250, 60, 90), (255, 210, 40), (40, 170, 230), (250, 250, 240), (120, 60, 200), (255, 120, 30)]
    field = palette_lookup(np.round(smooth_noise(rng, 35) * 7) / 7, palette)
    field = gaussian_filter(field, (3, 3, 0)) / 255.0
    black = np.clip(0.9 - field.max(axis=-1), 0, 1)  # black only where the colour is dark
    cmy = (1 - field - black[..., None]) / (1 - black[..., None] + 1e-6)
    inks = [cmy[..., 0], cmy[..., 1], cmy[..., 2], black]
    angles, pitch = np.deg2rad([15, 75, 0, 45]), 11.0
    y, x = np.mgrid[0:SIDE, 0:SIDE].astype(np.float64)
    coverage = []
    for amount, angle in zip(inks, angles):
        u = x * np.cos(angle) + y * np.sin(angle)
        v = -x * np.sin(angle) + y * np.cos(angle)
        du, dv = (u / pitch) % 1 - 0.5, (v / pitch) % 1 - 0.5
        distance = np.hypot(du, dv) * pitch
        radius = np.sqrt(np.clip(amount, 0, 1)) * pitch * 0.62
        coverage.append(np.clip(radius - distance + 0.5, 0, 1))  # anti-aliased dot edge
    cyan, magenta, yellow, key = coverage
    printed = np.stack([1 - cyan, 1 - magenta, 1 - yellow], axis=-1) * (1 - key[..., None])
    paper = np.array([250, 246, 236], np.float64)
    return _to_uint8(printed * paper)


def palette_knife(rng: np.random.Generator) -> np.ndarray:
    """Flat slabs of paint laid with a knife: overlapping tilted blocks of earthy and vivid colour,
    each scraped with streaks along the knife's path and a lit ridge where the paint piled up."""
    palette = [(120, 40, 30), (200, 90, 40), (230, 180, 90), (90, 120, 80), (40, 70, 100), (230, 225, 210)]
    canvas = Image.fromarray(_to_uint8(palette_lookup(smooth_noise(rng, 60), palette)))
    for size in (220, 160, 110, 75):
        for _ in range(int(6000 / size)):
            width, height = size * rng.uniform(0.8, 1.6), size * rng.uniform(0.25, 0.5)
            colour = np.asarray(palette[rng.integers(0, len(palette))], np.float64) * rng.uniform(0.8, 1.15)
            streaks = rng.normal(0, 14, (1, int(height) + 1))
            block = np.broadcast_to(colour, (int(height) + 1, int(width) + 1, 3)) + np.repeat(
                streaks.T[..., None], 3, axis=-1
            )
            block[:3] = block[:3] * 1.25 + 25  # the ridge along the knife's edge
            slab = Image.fromarray(_to_uint8(block)).convert("RGBA")
            slab = slab.rotate(rng.uniform(-35, 35), expand=True, resample=Image.Resampling.BICUBIC)
            x, y = rng.integers(-size // 2, SIDE, 2)
            canvas.paste(slab, (int(x), int(y)), slab)
    return np.asarray(canvas.filter(ImageFilter.SMOOTH))


def _rgb(colour: np.ndarray) -> tuple[int, int, int]:
    red, green, blue = np.clip(colour, 0, 255).astype(int)
    return int(red), int(green), int(blue)


# name -> (title, painter)
PAINTERS: dict[str, tuple[str, Callable[[np.random.Generator], np.ndarray]]] = {
    "brush_strokes": ("Brush strokes", brush_strokes),
    "stained_glass": ("Stained glass", stained_glass),
    "ink_wash": ("Ink wash", ink_wash),
    "halftone": ("Halftone", halftone),
    "palette_knife": ("Palette knife", palette_knife),
}


def write_presets(folder: Path) -> list[Path]:
    """Paint every preset into `folder` as JPEG (how the shipped files were made)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in PAINTERS:
        path = folder / f"{name}.jpg"
        Image.fromarray(paint_preset(name)).save(path, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[1] / "resources" / "styles"
    for written_path in write_presets(target):
        print(f"{written_path} ({written_path.stat().st_size // 1024} KB)")
