"""Array operations on pictures that engines share: the float working space, resizing, and the
sizes of a coarse-to-fine pyramid. (TensorFlow-backed: engines only; the UI uses studio.core.images.)"""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def to_working(rgb: np.ndarray) -> np.ndarray:
    """uint8 RGB to the engines' float32 working space, [-1, 1]."""
    return rgb.astype(np.float32) / 127.5 - 1.0


def to_rgb(working: np.ndarray | tf.Tensor) -> np.ndarray:
    return np.clip((np.asarray(working) + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8)


def resize(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Bilinear resize of an (H, W, C) float array; antialiased when shrinking."""
    if image.shape[:2] == tuple(shape):
        return image
    return tf.image.resize(image, shape, method="bilinear", antialias=True).numpy()


def octave_shapes(shape: tuple[int, int], octaves: int, scale: float, min_side: int) -> list[tuple[int, int]]:
    """Sizes to process, smallest first, ending at `shape`; none with a side below `min_side`."""
    height, width = shape
    shapes = []
    for index in reversed(range(octaves)):
        factor = max(scale**-index, min_side / min(height, width))
        size = (min(height, round(height * factor)), min(width, round(width * factor)))
        if size not in shapes:
            shapes.append(size)
    return shapes
