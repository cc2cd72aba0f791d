"""Painting a picture with a trained style model: one forward pass (tile by tile for large pictures),
then the strength and colour choices."""

from __future__ import annotations

import weakref
from collections.abc import Iterator

import keras
import numpy as np
import tensorflow as tf

from studio.core.image_ops import resize, to_rgb, to_working
from studio.core.params.fast_style import FastStyleApplyParams
from studio.core.progress import JobError, Progress, relayed
from studio.engines.fast_style.network import DOWNSCALE, FastStyleModel
from studio.engines.style.colour import check_colour_mode, match_colors, with_chroma
from studio.engines.tiling import map_tiles, tile_count

# Tiles share this many pixels; a quarter of it is dropped at each tile's edge and the rest blended.
TILE_OVERLAP = 128


def check_apply_params(params: FastStyleApplyParams) -> None:
    if not 0 <= params.strength <= 1:
        raise JobError("Choose a strength between 0 (the picture as it is) and 1 (fully painted).")
    check_colour_mode(params.preserve_colors)
    if params.tile_size < 2 * TILE_OVERLAP:
        raise JobError(f"Use tiles of at least {2 * TILE_OVERLAP} pixels.")
    if not 0 <= params.temporal_smoothing < 1:
        raise JobError("Keep the video steadiness between 0 and 0.95.")


class FixedStatistics(keras.layers.Layer):
    """An instance normalisation layer's scale and shift, applied with statistics set from outside:
    every tile of a picture is normalised by the whole picture's statistics, not its own, so tiles
    agree in tone and contrast."""

    def __init__(self, norm: keras.layers.GroupNormalization, **kwargs):
        super().__init__(**kwargs)
        self.norm = norm
        channels = norm.gamma.shape[0]
        self.mean = self.add_weight(shape=(channels,), initializer="zeros", trainable=False)
        self.variance = self.add_weight(shape=(channels,), initializer="ones", trainable=False)

    def call(self, inputs):
        scale = tf.math.rsqrt(self.variance + self.norm.epsilon) * self.norm.gamma
        return (inputs - self.mean) * scale + self.norm.beta


class Painter:
    """Paints pictures of any size with one model, compiled once for every size.

    A picture larger than a tile is painted tile by tile. Instance normalisation would normalise
    each tile by its own statistics, and tiles of sky and of a face would come out in different
    tones; so the statistics of every normalisation layer are measured once on the whole picture
    shrunk to a tile, and all tiles are normalised with those."""

    def __init__(self, model: FastStyleModel):
        self.model = model
        spec = [tf.TensorSpec([1, None, None, 3], tf.float32)]
        self._forward = tf.function(lambda pictures: model(pictures), input_signature=spec)
        transformer = model.transformer
        norms = [layer for layer in transformer.layers if isinstance(layer, keras.layers.GroupNormalization)]
        statistics = keras.Model(transformer.inputs, [norm.input for norm in norms])
        self._statistics = tf.function(
            lambda picture: [tf.nn.moments(x, axes=[0, 1, 2]) for x in statistics(picture)], input_signature=spec
        )
        self.fixed = {norm.name: FixedStatistics(norm) for norm in norms}
        tiled = keras.models.clone_model(transformer, clone_function=lambda layer: self.fixed.get(layer.name, layer))
        self._tile_forward = tf.function(lambda tile: tiled(tile), input_signature=spec)

    def forward(self, batch: np.ndarray) -> np.ndarray:
        return self._forward(tf.constant(batch)).numpy()

    def tile_forward(self, batch: np.ndarray) -> np.ndarray:
        return self._tile_forward(tf.constant(batch)).numpy()

    def paint(self, content: np.ndarray, params: FastStyleApplyParams) -> Iterator[int]:
        """The painted picture (uint8 RGB, the content's size); a generator yielding tiles done."""
        if params.strength == 0:
            return content
        working = to_working(content)
        if max(working.shape[:2]) <= params.tile_size:
            painted = self.forward(working[None])[0]
            yield 1
        else:
            self._measure_statistics(working, params.tile_size)
            painted = yield from map_tiles(self.tile_forward, working, params.tile_size, TILE_OVERLAP, DOWNSCALE)
        return finish(painted, working, params)

    def _measure_statistics(self, working: np.ndarray, side: int) -> None:
        """Set every normalisation layer's statistics to those of the whole picture shrunk to one
        tile. (Close to the full-size picture's, and consistent from layer to layer: refining them
        at full size tile by tile takes one pass per layer to converge, and is worse until it does.)"""
        factor = side / max(working.shape[:2])
        shape = (max(DOWNSCALE, round(working.shape[0] * factor)), max(DOWNSCALE, round(working.shape[1] * factor)))
        for fixed, (mean, variance) in zip(self.fixed.values(), self._statistics(_padded(resize(working, shape)))):
            fixed.mean.assign(mean)
            fixed.variance.assign(variance)


def _padded(picture: np.ndarray) -> tf.Tensor:
    """A batch of one, reflection-padded to a multiple of DOWNSCALE."""
    pad = ((0, -picture.shape[0] % DOWNSCALE), (0, -picture.shape[1] % DOWNSCALE), (0, 0))
    return tf.constant(np.pad(picture, pad, mode="reflect")[None])


def painted_tiles(shape: tuple[int, ...], params: FastStyleApplyParams) -> int:
    """How many tiles a picture of `shape` is painted in."""
    return tile_count(*shape[:2], params.tile_size, TILE_OVERLAP)


_painters: weakref.WeakKeyDictionary[FastStyleModel, Painter] = weakref.WeakKeyDictionary()


def painter_for(model: FastStyleModel) -> Painter:
    """One Painter per model, so its compiled forward passes are traced once per session."""
    if model not in _painters:
        _painters[model] = Painter(model)
    return _painters[model]


def finish(painted: np.ndarray, working: np.ndarray, params: FastStyleApplyParams) -> np.ndarray:
    """Apply the colour choice and the strength to the network's output (all in working space)."""
    if params.preserve_colors == "luminance":
        painted = with_chroma(painted, working)
    elif params.preserve_colors == "match":
        painted = match_colors(painted, working)
    if params.strength < 1:  # at full strength the blend would only cost passes over the picture
        painted = params.strength * painted + (1 - params.strength) * working
    return to_rgb(painted)


def paint_picture(model: FastStyleModel, content: np.ndarray, params: FastStyleApplyParams) -> Iterator[Progress]:
    """Paint `content` (uint8 RGB, any size) with `model`: yields a Progress per tile and returns
    the uint8 RGB result at the content's size."""
    check_apply_params(params)
    total = painted_tiles(content.shape, params)
    tiles = painter_for(model).paint(content, params)
    return (yield from relayed(tiles, lambda done: Progress(done, total, f"Painting tile {done}/{total}")))


def apply_style(model: FastStyleModel, content: np.ndarray, params: FastStyleApplyParams | None = None) -> np.ndarray:
    """`paint_picture` run to its end: the painted picture (for scripts and one-click previews)."""
    from studio.core.progress import run_to_end

    return run_to_end(paint_picture(model, content, params or FastStyleApplyParams()))[1]
