"""Keeping the content's colours: transfer on luminance only, or recolour the style pictures first."""

from __future__ import annotations

import numpy as np

from studio.core.params.style import COLOR_MODES
from studio.core.progress import JobError

# RGB <-> YIQ: Y is luminance, I and Q carry the colour (chroma).
RGB_TO_YIQ = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]], np.float32)
YIQ_TO_RGB = np.linalg.inv(RGB_TO_YIQ).astype(np.float32)


def check_colour_mode(mode: str) -> None:
    """A JobError, before any work, unless `mode` is one of the ways to keep the content's colours."""
    if mode not in COLOR_MODES:
        raise JobError(f"Unknown colour mode '{mode}'. Choose one of: {', '.join(COLOR_MODES)}.")


def to_yiq(working: np.ndarray) -> np.ndarray:
    return working @ RGB_TO_YIQ.T


def from_yiq(yiq: np.ndarray) -> np.ndarray:
    return yiq @ YIQ_TO_RGB.T


def luminance_only(working: np.ndarray) -> np.ndarray:
    """The picture's luminance in all three channels (a grey picture)."""
    return np.repeat(to_yiq(working)[..., :1], 3, axis=-1)


def with_chroma(working: np.ndarray, chroma_source: np.ndarray) -> np.ndarray:
    """The luminance of `working` with the colour (I, Q) of `chroma_source`."""
    yiq = to_yiq(chroma_source)
    yiq[..., 0] = to_yiq(working)[..., 0]
    return np.clip(from_yiq(yiq), -1.0, 1.0)


def match_luminance(style: np.ndarray, content: np.ndarray) -> np.ndarray:
    """Grey style picture whose luminance has the content's mean and spread, so the transfer
    changes texture rather than overall brightness."""
    style_y, content_y = to_yiq(style)[..., 0], to_yiq(content)[..., 0]
    matched = (style_y - style_y.mean()) / (style_y.std() + 1e-6) * content_y.std() + content_y.mean()
    return np.repeat(np.clip(matched, -1.0, 1.0)[..., None], 3, axis=-1).astype(np.float32)


def match_colors(style: np.ndarray, content: np.ndarray) -> np.ndarray:
    """Recolour `style` so its colours have the content's mean and covariance (a linear map)."""
    style_pixels, content_pixels = style.reshape(-1, 3).astype(np.float64), content.reshape(-1, 3).astype(np.float64)
    style_mean, content_mean = style_pixels.mean(0), content_pixels.mean(0)
    style_cov = np.cov(style_pixels, rowvar=False) + 1e-5 * np.eye(3)
    content_cov = np.cov(content_pixels, rowvar=False) + 1e-5 * np.eye(3)
    transform = _matrix_power(content_cov, 0.5) @ _matrix_power(style_cov, -0.5)
    recoloured = (style_pixels - style_mean) @ transform.T + content_mean
    return np.clip(recoloured, -1.0, 1.0).reshape(style.shape).astype(np.float32)


def _matrix_power(symmetric: np.ndarray, power: float) -> np.ndarray:
    values, vectors = np.linalg.eigh(symmetric)
    return (vectors * np.maximum(values, 1e-8) ** power) @ vectors.T
