"""Image loading and saving at the edge of the app: anything a user drops in becomes a uint8 RGB
array, or a `JobError` that says what was wrong. Saving is atomic and can carry the recipe."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps, PngImagePlugin, UnidentifiedImageError

from studio.core.files import atomic_path
from studio.core.params import current_recipe
from studio.core.progress import JobError

# Far above any photo an artist would dream on, far below what would exhaust memory:
# a decompression bomb claiming more pixels than this is refused before it is decoded.
MAX_PIXELS = 80_000_000
RECIPE_KEY = "generative-studio:recipe"
SAVE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP", ".tif": "TIFF", ".tiff": "TIFF"}
SAMPLE_IMAGES = ("astronaut", "chelsea", "coffee", "brick", "grass", "gravel", "immunohistochemistry")


def load_image(source: str | os.PathLike | bytes) -> np.ndarray:
    """Open a file (or encoded bytes) as a uint8 RGB array (H, W, 3).

    Honours EXIF rotation, maps 16-bit and float images to 8 bits, converts CMYK and palette
    images, and composites transparency over white. Raises `JobError` for anything unreadable.
    """
    name = "the pasted image" if isinstance(source, bytes) else Path(source).name
    too_large = JobError(
        f"{name} is too large to open safely (over {MAX_PIXELS // 1_000_000} megapixels). "
        "Scale it down in an image editor first."
    )
    try:
        # Image.open reads only the header; the size is checked before any pixel is decoded.
        # (No change to Pillow's global limit or warning filters: this runs on several threads.)
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
            if image.width * image.height > MAX_PIXELS:
                raise too_large
            image.load()
            return _to_rgb(ImageOps.exif_transpose(image))
    except Image.DecompressionBombError:
        raise too_large from None
    except FileNotFoundError:
        raise JobError(f"{name} was not found. It may have been moved or deleted.") from None
    except IsADirectoryError:
        raise JobError(f"{name} is a folder, not an image.") from None
    except UnidentifiedImageError:
        raise JobError(f"{name} is not an image Studio can read (try PNG, JPEG, WebP or TIFF).") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise JobError(f"{name} could not be read; the file may be damaged ({error}).") from None


def _to_rgb(image: Image.Image) -> np.ndarray:
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        data = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") or data.max() > 255 else 255.0
        if image.mode == "F" and data.max() <= 1.0:
            top = 1.0
        gray = np.clip(data / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return np.repeat(gray[..., None], 3, axis=2)
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        image = image.convert("RGBA")
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image)
    rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    return np.ascontiguousarray(rgb)


def save_image(path: str | os.PathLike, rgb: np.ndarray, recipe: dict[str, Any] | None = None) -> Path:
    """Write `rgb` to `path` atomically (a crash never leaves half a file in place of a good one).

    The format follows the suffix. PNGs carry `recipe` as JSON in a text chunk.
    """
    path = Path(path)
    fmt = SAVE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise JobError(f"Cannot save as '{path.suffix or path.name}': use .png, .jpg, .webp or .tif.")
    image = Image.fromarray(np.asarray(rgb, dtype=np.uint8), "RGB")
    options: dict[str, Any] = {}
    if fmt == "PNG" and recipe is not None:
        info = PngImagePlugin.PngInfo()
        info.add_text(RECIPE_KEY, json.dumps(recipe, sort_keys=True))
        options["pnginfo"] = info
    elif fmt in ("JPEG", "WEBP"):
        options["quality"] = 95
    with atomic_path(path) as temp:
        image.save(temp, format=fmt, **options)
    return path


def read_recipe(path: str | os.PathLike) -> dict[str, Any] | None:
    """The recipe saved in a PNG by `save_image` (in today's names), or None if the file has none."""
    try:
        with Image.open(path) as image:
            text = getattr(image, "text", {}).get(RECIPE_KEY)
    except (OSError, SyntaxError, ValueError):
        return None
    if not text:
        return None
    try:
        recipe = json.loads(text)
    except json.JSONDecodeError:
        return None
    return current_recipe(recipe) if isinstance(recipe, dict) else None


def sample_image(name: str = "astronaut") -> np.ndarray:
    """A real photo or texture shipped with scikit-image, as uint8 RGB."""
    if name not in SAMPLE_IMAGES:
        raise JobError(f"Unknown sample '{name}'. Choose one of: {', '.join(SAMPLE_IMAGES)}.")
    from skimage import data

    image = np.asarray(getattr(data, name)())
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    return np.ascontiguousarray(image[..., :3].astype(np.uint8))


def load_mask(source: str | os.PathLike | bytes, shape: tuple[int, int]) -> np.ndarray:
    """A greyscale picture as a float mask in [0, 1] (white = 1), resized to `shape` (H, W)."""
    gray = Image.fromarray(load_image(source)).convert("L").resize((shape[1], shape[0]), Image.Resampling.BILINEAR)
    return np.asarray(gray, dtype=np.float32) / 255.0


def fit_within(rgb: np.ndarray, max_side: int) -> np.ndarray:
    """Downscale (never upscale) so the long side is at most `max_side`, with a high-quality filter."""
    height, width = fitted_shape(rgb.shape[:2], max_side)
    if (height, width) == rgb.shape[:2]:
        return rgb
    return np.asarray(Image.fromarray(rgb).resize((width, height), Image.Resampling.LANCZOS))


def fitted_shape(shape: tuple[int, int], max_side: int | None) -> tuple[int, int]:
    """(height, width) of a picture of `shape` after `fit_within(..., max_side)` (None: unchanged)."""
    height, width = shape[:2]
    scale = max_side / max(height, width) if max_side else 1.0
    if scale >= 1:
        return height, width
    return max(1, round(height * scale)), max(1, round(width * scale))


def scaled_shape(shape: tuple[int, int], long_side: int) -> tuple[int, int]:
    """(height, width) of a picture of `shape` scaled up or down so its long side is `long_side`."""
    factor = long_side / max(shape[:2])
    return max(1, round(shape[0] * factor)), max(1, round(shape[1] * factor))


def resized(rgb: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A uint8 picture (or a float mask) at `shape` (height, width); the same array if it is that size."""
    if rgb.shape[:2] == tuple(shape):
        return rgb
    if rgb.dtype != np.uint8:
        mask = Image.fromarray(rgb.astype(np.float32), "F").resize((shape[1], shape[0]), Image.Resampling.BILINEAR)
        return np.asarray(mask)
    return np.asarray(Image.fromarray(rgb).resize((shape[1], shape[0]), Image.Resampling.LANCZOS))


def enlarge(image: np.ndarray, factor: int) -> np.ndarray:
    """Scale a picture up by a whole `factor`, nearest neighbour: each pixel becomes a crisp square
    (a 28 px model picture stays sharp on screen or in an animation)."""
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1) if factor > 1 else image


def factor_to_reach(image: np.ndarray, min_side: int) -> int:
    """The smallest whole factor that makes the picture's long side at least `min_side`."""
    return max(1, -(-min_side // max(image.shape[:2])))


def render_still(picture: np.ndarray, scale: int = 1, smooth: bool = False) -> np.ndarray:
    """A model's picture or grid (uint8 RGB) at its own size (`scale` 1) or enlarged `scale` times:
    crisp square pixels (nearest neighbour), or `smooth` (Lanczos) for a softer print."""
    if scale < 1:
        raise JobError("Enlarge a still by a whole factor of 1 or more.")
    picture = np.asarray(picture, np.uint8)
    if scale == 1 or not smooth:
        return enlarge(picture, scale)
    height, width = picture.shape[:2]
    return np.asarray(Image.fromarray(picture).resize((width * scale, height * scale), Image.Resampling.LANCZOS))
