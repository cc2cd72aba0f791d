"""The style objective of one picture at one scale: targets computed once, then the loss and its
gradient with respect to the picture, whole or tile by tile (two passes: the Gram matrices are summed
over all tiles before any tile's gradient is taken, so tiling changes nothing but memory).

The work on a picture is a generator that yields the share of it done before each tile and between
the network's segments within each (so a job can be cancelled between any two) and returns its
result. Every picture or patch reaches the network padded to a
multiple of TILE_ALIGN (see `pad_to_multiple`), with the activations over the padding left out."""

from __future__ import annotations

import functools
import math
from collections.abc import Generator
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from studio.core.backbones import Backbone
from studio.core.progress import part_share, relayed
from studio.engines.segments import SegmentedPass, segments
from studio.engines.style.losses import content_loss, gram_matrix, style_loss, total_variation_loss
from studio.engines.tiling import Box, aligned, fixed_tiles, pad_to_multiple

TILE_HALO = 64  # context pixels around each tile so features at its edges match the whole picture's
# Costs for progress weighed by cost: a pixel through the network forward only (the statistics
# pass) and forward and back (a gradient), and each call whatever its size (Gram matrices, running
# the graph). Measured on VGG16 on a CPU: a gradient takes about three times the forward pass, and
# a call's fixed part about what a 40 x 40 picture's gradient does.
FORWARD_COST, GRADIENT_COST, CALL_COST = 1.0, 3.0, 5000.0


@dataclass
class Targets:
    """What the picture is pulled toward at one scale: the content activations (one array per
    tile) and the blended style Gram matrices (one per style layer)."""

    content: list[tf.Tensor]
    grams: list[tf.Tensor]

    @property
    def content_size(self) -> int:
        return sum(int(np.prod(part.shape)) for part in self.content)


@dataclass
class Evaluation:
    total: float
    content: float
    style: float
    tv: float
    gradient: np.ndarray

    @property
    def metrics(self) -> dict[str, float]:
        return {"loss": self.total, "content": self.content, "style": self.style, "tv": self.tv}


class StyleObjective:
    """The style transfer loss and its gradient with respect to the picture (never the weights),
    for one backbone and layer choice, compiled once for pictures of any size."""

    def __init__(self, backbone: Backbone, content_layer: str, style_layers: tuple[str, ...], tile_size: int):
        self.backbone = backbone
        self.content_layer = content_layer
        self.style_layers = style_layers
        self.layer_names = tuple(dict.fromkeys((content_layer, *style_layers)))
        backbone.extractor(self.layer_names)  # a JobError now if a layer name is wrong
        channels = {name: backbone.layer_outputs[name].shape[-1] for name in self.layer_names}
        self.channels = [channels[name] for name in style_layers]
        self.strides = self._strides()
        align = max(self.strides.values())
        self.tile_size = max(align, tile_size // align * align)
        self.halo = math.ceil(TILE_HALO / align) * align
        self.style_index = {name: index for index, name in enumerate(style_layers)}
        box = tf.TensorSpec([4], tf.int32)
        content = tf.TensorSpec([None, None, channels[content_layer]], tf.float32)
        grams = [tf.TensorSpec([c, c], tf.float32) for c in self.channels]
        weights = tf.TensorSpec([2 + len(style_layers)], tf.float32)
        scalar = tf.TensorSpec([], tf.float32)
        parts = segments(backbone, self.layer_names)
        self._whole_pass = SegmentedPass(backbone, parts, self._layer_whole_loss, [box, content, weights, *grams])
        self._statistics_pass = SegmentedPass(backbone, parts, self._layer_statistics, [box])
        self._tile_pass = SegmentedPass(backbone, parts, self._layer_tile_loss, [box, content, scalar, *grams])
        self._tv = tf.function(self._tv_and_gradient, input_signature=[tf.TensorSpec([None, None, 3], tf.float32)])

    def _strides(self) -> dict[str, int]:
        """How many picture pixels one activation pixel of each layer spans (for tile alignment)."""
        probe = 256
        features = self.backbone.features(tf.zeros((1, probe, probe, 3)), self.layer_names)
        return {name: max(1, round(probe / int(value.shape[1]))) for name, value in features.items()}

    # compiled pieces (each a term of one layer, run in the network's segments; see `segments`) ---
    def _layer_whole_loss(self, name, activation, box, content_target, weights, *target_grams):
        """This layer's [content, style] loss on a padded picture whose own pixels are `box`."""
        core = self._core(activation, name, box)
        content, style = tf.zeros(()), tf.zeros(())
        if name == self.content_layer:
            content = weights[0] * content_loss(core, content_target)
        if name in self.style_index:
            index = self.style_index[name]
            style = weights[2 + index] * style_loss(gram_matrix(core), target_grams[index])
        return tf.stack([content, style])

    def _core(self, activation: tf.Tensor, name: str, box: tf.Tensor) -> tf.Tensor:
        """The part of a patch's (1, h, w, C) activation that lies over the tile's core `box`
        (as many rows and columns as the core alone would give: none over padding)."""
        stride = self.strides[name]
        height, width = tf.shape(activation)[1], tf.shape(activation)[2]
        y0, x0 = box[0] // stride, box[2] // stride
        y1 = tf.clip_by_value(box[1] // stride, y0 + 1, height)
        x1 = tf.clip_by_value(box[3] // stride, x0 + 1, width)
        return activation[0, y0:y1, x0:x1, :]

    def _core_positions(self, activation: tf.Tensor, name: str, box: tf.Tensor) -> tf.Tensor:
        """The core's activations as (positions, channels), the rows a Gram sum adds up."""
        return tf.reshape(self._core(activation, name, box), (-1, tf.shape(activation)[-1]))

    def _layer_statistics(self, name, activation, box):
        """For the tile's core: this layer's content activations, and as a style layer its
        position count and un-normalised Gram matrix (these add up over tiles to the whole
        picture's)."""
        found = {}
        if name == self.content_layer:
            found["content"] = self._core(activation, self.content_layer, box)
        if name in self.style_index:
            positions = self._core_positions(activation, name, box)
            found["count"] = tf.cast(tf.shape(positions)[0], tf.float32)
            found["gram"] = tf.matmul(positions, positions, transpose_a=True)
        return found

    def _layer_tile_loss(self, name, activation, box, content_target, content_scale, *gram_slopes):
        """This layer's [content, style] terms on a tile: the tile's content loss, and the style
        loss linearised around the whole picture's Gram matrices (`gram_slopes` are its
        derivatives with respect to each un-normalised Gram sum), so that the sum of the tiles'
        gradients is the whole picture's, exactly."""
        content, style = tf.zeros(()), tf.zeros(())
        if name == self.content_layer:
            content = content_scale * tf.reduce_sum(tf.square(self._core(activation, name, box) - content_target))
        if name in self.style_index:
            positions = self._core_positions(activation, name, box)
            gram_sum = tf.matmul(positions, positions, transpose_a=True)
            style = tf.reduce_sum(gram_slopes[self.style_index[name]] * gram_sum)
        return tf.stack([content, style])

    def _statistics(self, patch: tf.Tensor, box: tf.Tensor) -> Generator[float, None, tuple]:
        """A tile's content activations, style position counts and Gram sums (see
        `_layer_statistics`). Yields the share done between the network's segments."""
        found = yield from self._statistics_pass.forward(patch, box)
        counts = tf.stack([found[name]["count"] for name in self.style_layers])
        return found[self.content_layer]["content"], counts, *(found[name]["gram"] for name in self.style_layers)

    def _tile_gradient(self, patch: tf.Tensor, *args: tf.Tensor) -> Generator[float, None, tuple]:
        """A tile's content loss and the gradient on its patch of content + style (see
        `_layer_tile_loss`). Yields the share done between the network's segments."""
        (content, _), gradient = yield from self._tile_pass.gradient(patch, *args)
        return content, gradient

    def _tv_and_gradient(self, image):
        with tf.GradientTape() as tape:
            tape.watch(image)
            tv = total_variation_loss(image)
        return tv, tape.gradient(tv, image)

    # whole pictures ----------------------------------------------------------------------------
    def tiles(self, height: int, width: int) -> list[tuple[Box, Box]]:
        return fixed_tiles(height, width, self.tile_size, self.halo)

    def evaluation_cost(self, height: int, width: int) -> float:
        """What one `evaluate` of a picture this size costs, in pixel-passes through the network
        (tiles' halos and padding included; a tiled picture takes a statistics pass too)."""
        windows = self.tiles(height, width)
        pixels = sum(aligned(py1 - py0) * aligned(px1 - px0) for _, (py0, py1, px0, px1) in windows)
        if len(windows) == 1:
            return GRADIENT_COST * pixels + CALL_COST
        return (FORWARD_COST + GRADIENT_COST) * pixels + 2 * CALL_COST * len(windows)

    def statistics(
        self, image: np.ndarray
    ) -> Generator[float, None, tuple[list[tf.Tensor], list[np.ndarray], np.ndarray]]:
        """Content activations per tile, and per style layer the picture's normalised Gram matrix
        and its number of activation positions. Yields the share done before each tile and between
        the network's segments within each."""
        windows = self.tiles(*image.shape[:2])
        contents, sums, count = [], None, None
        for index, (core, patch) in enumerate(windows):
            yield index / len(windows)
            content, counts, *grams = yield from relayed(
                self._statistics(_padded(image, patch), _relative(core, patch)),
                functools.partial(part_share, start=index / len(windows), size=1 / len(windows)),
            )
            contents.append(content)
            sums = [g.numpy() for g in grams] if sums is None else [s + g.numpy() for s, g in zip(sums, grams)]
            count = counts.numpy() if count is None else count + counts.numpy()
        return contents, [total / n for total, n in zip(sums, count)], count

    def targets(
        self, content: np.ndarray, styles: list[np.ndarray], blend: list[float]
    ) -> Generator[float, None, Targets]:
        """Computed once per scale: the content's activations and the blend of the style Grams.
        Yields the share done before each tile."""
        pictures = [content, *styles]
        statistics = []
        for index, picture in enumerate(pictures):
            share = functools.partial(part_share, start=index / len(pictures), size=1 / len(pictures))
            statistics.append((yield from relayed(self.statistics(picture), share)))
        grams = [np.zeros((c, c), np.float32) for c in self.channels]
        for (_, style_grams, _), share in zip(statistics[1:], blend):
            for total, gram in zip(grams, style_grams):
                total += share * gram
        return Targets(statistics[0][0], [tf.constant(gram) for gram in grams])

    def evaluate(self, image: np.ndarray, targets: Targets, weights: np.ndarray) -> Generator[float, None, Evaluation]:
        """Loss and gradient for the whole picture; tile by tile when it is larger than a tile.
        Yields the share done between tiles and between the network's segments within each."""
        height, width = image.shape[:2]
        windows = self.tiles(height, width)
        if len(windows) == 1:
            (content, style), gradient = yield from self._whole_pass.gradient(
                tf.constant(pad_to_multiple(image)),
                tf.constant([0, height, 0, width], tf.int32),
                targets.content[0],
                tf.constant(weights),
                *targets.grams,
            )
            content, style, gradient = float(content), float(style), np.array(gradient[:height, :width])
        else:
            content, style, gradient = yield from self._tiled_content_and_style(image, windows, targets, weights)
        tv, tv_gradient = self._tv(tf.constant(image))
        gradient += weights[1] * tv_gradient.numpy()
        tv = weights[1] * float(tv)
        return Evaluation(content + style + tv, content, style, tv, gradient)

    def _tiled_content_and_style(
        self, image: np.ndarray, windows: list[tuple[Box, Box]], targets: Targets, weights: np.ndarray
    ) -> Generator[float, None, tuple[float, float, np.ndarray]]:
        """The content and style losses of a picture of several tiles, and their gradient."""
        # Pass 1: the picture's Gram matrices, which every tile's style gradient depends on.
        first_share = FORWARD_COST / (FORWARD_COST + GRADIENT_COST)
        _, grams, counts = yield from relayed(
            self.statistics(image), functools.partial(part_share, start=0.0, size=first_share)
        )
        style, slopes = 0.0, []
        for index, (gram, target) in enumerate(zip(grams, targets.grams)):
            difference = gram - target.numpy()
            style += weights[2 + index] * float(np.mean(np.square(difference)))
            slopes.append(
                tf.constant(2 * weights[2 + index] * difference / (difference.size * counts[index]), tf.float32)
            )
        # Pass 2: each patch's gradient, added where the patch lies (patches overlap by the halo).
        gradient = np.zeros_like(image)
        content = 0.0
        content_scale = tf.constant(weights[0] / targets.content_size, tf.float32)
        tile_share = (1 - first_share) / len(windows)
        for index, ((core, patch), content_target) in enumerate(zip(windows, targets.content)):
            yield first_share + index * tile_share
            part, patch_gradient = yield from relayed(
                self._tile_gradient(
                    _padded(image, patch), _relative(core, patch), content_target, content_scale, *slopes
                ),
                functools.partial(part_share, start=first_share + index * tile_share, size=tile_share),
            )
            content += float(part)
            gradient[patch[0] : patch[1], patch[2] : patch[3]] += patch_gradient.numpy()[
                : patch[1] - patch[0], : patch[3] - patch[2]
            ]
        return content, float(style), gradient


def _padded(image: np.ndarray, box: Box) -> tf.Tensor:
    return tf.constant(pad_to_multiple(image[box[0] : box[1], box[2] : box[3]]))


def _relative(core: Box, patch: Box) -> tf.Tensor:
    return tf.constant([core[0] - patch[0], core[1] - patch[0], core[2] - patch[2], core[3] - patch[2]], tf.int32)


@functools.lru_cache(maxsize=8)  # each keeps traced graphs; a session rarely juggles more layer sets
def objective_for(
    backbone: Backbone, content_layer: str, style_layers: tuple[str, ...], tile_size: int
) -> StyleObjective:
    return StyleObjective(backbone, content_layer, style_layers, tile_size)
