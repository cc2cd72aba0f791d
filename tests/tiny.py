"""Tiny things tests build again and again: a random-weight convnet to stand in for VGG16, a
folder of bar pictures a VAE learns in moments, and two collections a tiny CycleGAN learns between."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from studio.core.params.cyclegan import CycleGanParams

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


# The tiny backbone's layers for style losses: the last for content, the first two for style.
TINY_STYLE_LAYERS = {"content_layer": "conv3", "style_layers": {"conv1": 1.0, "conv2": 1.0}}
# A style model small and quick to train on the tiny backbone: the narrowest, one residual block, 64 px crops.
TINY_STYLE_MODEL = {
    **TINY_STYLE_LAYERS,
    "tv_weight": 0.1,
    "size": 64,
    "learning_rate": 5e-3,
    "filters": 8,
    "residual_blocks": 1,
    "checkpoint_every": 0,
    "seed": 3,
}

TINY_CYCLEGAN = CycleGanParams(
    size=64,
    generator_filters=4,
    residual_blocks=1,
    discriminator_filters=4,
    epochs=1,
    steps_per_epoch=15,  # the round trip's error halves by then; each training's cost is mostly its first step
    learning_rate=1e-3,
    preview_every=5,
    seed=5,
)


def stripes(count=4, side=72):
    """Side A: diagonal colour stripes, each picture shifted."""
    y, x = np.mgrid[0:side, 0:side]
    return np.stack(
        [np.stack([(x + y) * 6 + shift * 40, x * 3, 255 - y * 3], axis=-1) % 256 for shift in range(count)]
    ).astype(np.uint8)


def blobs(count=4, side=72):
    """Side B: soft dark spots on a light ground."""
    y, x = np.mgrid[0:side, 0:side]
    pictures = []
    for index in range(count):
        light = 200 + 50 * np.cos((x + index * 7) / 6.0) * np.cos((y - index * 5) / 6.0)
        pictures.append(np.repeat(light[..., None], 3, axis=2))
    return np.clip(pictures, 0, 255).astype(np.uint8)


def with_config_edited(saved: Path, path: Path, edit: Callable[[dict], None]) -> Path:
    """A copy at `path` of the saved .keras model `saved`, its config.json changed by `edit` (as a
    file written by an earlier Studio would be); the weights stay as they are."""
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "config.json":
                config = json.loads(data)
                edit(config)
                data = json.dumps(config).encode()
            target.writestr(item, data)
    return path
