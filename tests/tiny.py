"""Tiny things tests build again and again: a random-weight convnet to stand in for VGG16, and a
folder of bar pictures a VAE learns in moments."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

TINY_LAYERS = ("conv1", "conv2", "conv3")


def tiny_convnet():
    """A random-weight three-layer convnet (layers `TINY_LAYERS`): real gradients, milliseconds per step."""
    import keras

    keras.utils.set_random_seed(0)
    inputs = keras.Input((None, None, 3))
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="conv1")(inputs)
    x = keras.layers.MaxPooling2D(2, name="pool1")(x)
    x = keras.layers.Conv2D(16, 3, padding="same", activation="relu", name="conv2")(x)
    x = keras.layers.Conv2D(16, 3, padding="same", activation="relu", name="conv3")(x)
    return keras.Model(inputs, x)


def bar_pictures(folder: Path, count: int) -> Path:
    """`count` 16 x 16 grey pictures of a white bar moving from left to right, in a new `folder`."""
    folder.mkdir()
    for index in range(count):
        picture = np.zeros((16, 16), np.uint8)
        left = index * 11 // (count - 1)
        picture[:, left : left + 5] = 255
        Image.fromarray(picture).save(folder / f"{index:02d}.png")
    return folder
