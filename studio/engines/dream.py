"""DeepDream: gradient ascent on a picture to amplify what chosen layers of a convnet see in it.

Octaves run from small to large with the detail lost by downscaling re-injected at each size.
Pictures larger than one tile get their gradient tile by tile (overlapping tiles on a grid that
shifts randomly each step), so memory stays bounded and no seams appear; the job yields between
tiles and between the segments of the network within each, so Cancel lands within a fraction of
a tile's work at any picture size.
"""

from __future__ import annotations

import functools
from collections.abc import Generator, Iterator

import numpy as np
import tensorflow as tf

from studio.core.backbones import Backbone, load_backbone
from studio.core.image_ops import octave_shapes, resize, to_rgb, to_working
from studio.core.images import fit_within
from studio.core.params.dream import DreamParams
from studio.core.progress import CostLedger, JobError, Progress, part_share, relayed
from studio.engines.segments import SegmentedPass, segments
from studio.engines.tiling import TILE_ALIGN, mean_shifted_tile_pixels, pad_to_multiple, shifted_tiles

BORDER = 2  # activation pixels at each edge left out of the objective (they make edge artefacts)
GUIDE_SIDE = 512  # guide pictures are summarised at this size


class DreamObjective:
    """Loss and image gradient for one backbone and layer set, compiled once for any image size and
    run a segment of the network at a time (see `segments`)."""

    def __init__(self, backbone: Backbone, layer_names: tuple[str, ...], guided: bool):
        self.backbone = backbone
        self.layer_names = layer_names
        backbone.extractor(layer_names)  # refuses unknown layer names with a JobError that lists the valid ones
        self.layer_index = {name: index for index, name in enumerate(layer_names)}
        channels = [backbone.layer_outputs[name].shape[-1] for name in layer_names]
        signature = [
            tf.TensorSpec([2], tf.float32),
            tf.TensorSpec([2], tf.float32),
            tf.TensorSpec([len(layer_names)], tf.float32),
            tf.TensorSpec([2], tf.float32),
        ]
        if guided:
            signature += [tf.TensorSpec([c], tf.float32) for c in channels]
        self.network = SegmentedPass(backbone, segments(backbone, layer_names), self._layer_score, signature)

    def gradient(
        self, image: tf.Tensor, valid_size: tf.Tensor, weights: tf.Tensor, whole_size: tf.Tensor, *guides: tf.Tensor
    ) -> Generator[float, None, tuple[tf.Tensor, tf.Tensor]]:
        """Loss and gradient for `image`, a patch of a picture of `whole_size` (height, width),
        padded at its bottom and right (see `pad_to_multiple`) from `valid_size`. A generator:
        yields the share done between the network's segments.

        Each layer's score is a sum over the patch's activations (those over the padding left out)
        divided by the number of interior activations the whole picture has, so patch gradients add
        up to the gradient of the whole picture's mean; for an untiled picture (`whole_size` its
        own size) it is exactly the mean.
        """
        image_size = tf.constant(image.shape[:2], tf.float32)
        return (yield from self.network.gradient(image, image_size, valid_size, weights, whole_size, *guides))

    def _layer_score(self, name, activation, image_size, valid_size, weights, whole_size, *guides):
        index = self.layer_index[name]
        stride = image_size / tf.cast(tf.shape(activation)[1:3], tf.float32)
        valid = tf.maximum(tf.cast(valid_size / stride, tf.int32), 1)
        activation, border_y, border_x = _interior(activation[:, : valid[0], : valid[1], :])
        if guides:
            total = tf.reduce_sum(tf.tensordot(activation, guides[index], axes=1))
        else:
            total = tf.reduce_sum(tf.square(activation))
        map_size = whole_size / stride
        interior = map_size - 2.0 * tf.cast(tf.stack([border_y, border_x]), tf.float32)
        count = tf.reduce_prod(tf.maximum(interior, 1.0)) * tf.cast(tf.shape(activation)[-1], tf.float32)
        return weights[index] * total / count


def _interior(activation: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """The activation map without its outer BORDER pixels (fewer when the map is tiny), and the
    borders left out along y and x."""
    height, width = tf.shape(activation)[1], tf.shape(activation)[2]
    border_y = tf.minimum(BORDER, (height - 1) // 2)
    border_x = tf.minimum(BORDER, (width - 1) // 2)
    return activation[:, border_y : height - border_y, border_x : width - border_x, :], border_y, border_x


@functools.lru_cache(maxsize=8)  # each keeps a traced graph; a session rarely juggles more layer mixes
def objective_for(backbone: Backbone, layer_names: tuple[str, ...], guided: bool) -> DreamObjective:
    return DreamObjective(backbone, layer_names, guided)


def guide_vectors(backbone: Backbone, guide: np.ndarray, layer_names: tuple[str, ...]) -> list[tf.Tensor]:
    """Per layer, the unit direction of the guide picture's mean activation: the dream then grows
    what looks like the guide rather than whatever the layer likes most."""
    working = to_working(guide)
    scale = min(1.0, GUIDE_SIDE / max(working.shape[:2]))
    working = resize(working, (max(1, round(working.shape[0] * scale)), max(1, round(working.shape[1] * scale))))
    features = backbone.features(tf.constant(pad_to_multiple(working)[None]), layer_names)
    return [tf.math.l2_normalize(tf.reduce_mean(features[name], axis=(0, 1, 2))) for name in layer_names]


def tile_and_halo(tile_size: int) -> tuple[int, int]:
    """The tile (`tile_size` rounded to TILE_ALIGN) and the halo of context around each."""
    tile = max(TILE_ALIGN, round(tile_size / TILE_ALIGN) * TILE_ALIGN)
    return tile, TILE_ALIGN * max(1, tile // (8 * TILE_ALIGN))


def step_cost(shape: tuple[int, int], tile_size: int) -> float:
    """What one step at `shape` costs, in pixels through the network (tiles' halos and padding
    included): the compute of a step grows with them."""
    return mean_shifted_tile_pixels(*shape, *tile_and_halo(tile_size))


def image_gradient(
    objective: DreamObjective,
    image: np.ndarray,
    weights: tf.Tensor,
    guides: list[tf.Tensor],
    tile_size: int,
    rng: np.random.Generator,
) -> Generator[float, None, tuple[float, np.ndarray]]:
    """The objective and its gradient for the whole image, computed tile by tile when it is large.
    A generator: yields the share of the work done between tiles and between the network's
    segments within each, returns (loss, gradient).

    Each tile is computed with a halo of context around it and scored against the whole picture's
    size, so its gradient is the whole picture's there. Each patch reaches the network padded to a
    multiple of TILE_ALIGN, so few distinct shapes do (see `pad_to_multiple`).
    """
    height, width = image.shape[:2]
    whole_size = tf.constant([height, width], tf.float32)
    windows = shifted_tiles(height, width, *tile_and_halo(tile_size), rng)
    areas = np.cumsum([(py1 - py0) * (px1 - px0) for _, (py0, py1, px0, px1) in windows])
    gradient = np.empty_like(image)
    loss = 0.0
    for ((y0, y1, x0, x1), (py0, py1, px0, px1)), area_before, area_done in zip(windows, [0, *areas], areas):
        patch = image[py0:py1, px0:px1]
        patch_work = objective.gradient(
            tf.constant(pad_to_multiple(patch)), tf.constant(patch.shape[:2], tf.float32), weights, whole_size, *guides
        )
        share = functools.partial(part_share, start=area_before / areas[-1], size=(area_done - area_before) / areas[-1])
        patch_loss, patch_gradient = yield from relayed(patch_work, share)
        gradient[y0:y1, x0:x1] = patch_gradient.numpy()[y0 - py0 : y1 - py0, x0 - px0 : x1 - px0]
        # The patch's loss counts its halo too; its core's share of it is what the core adds.
        loss += float(patch_loss) * (y1 - y0) * (x1 - x0) / ((py1 - py0) * (px1 - px0))
        if area_done < areas[-1]:
            yield area_done / areas[-1]
    return loss, gradient


def dream(
    image: np.ndarray,
    params: DreamParams,
    backbone: Backbone,
    guide: np.ndarray | None = None,
    mask: np.ndarray | None = None,
) -> Iterator[Progress]:
    """Dream on `image` (uint8 RGB). Yields a Progress with a preview after every step (and one
    without between the tiles of a large picture) and returns the dreamed uint8 RGB picture, the
    size of the input. Progress is weighed by cost: a step costs what its octave's pixels do.

    `guide` (uint8 RGB) steers the dream toward what that picture looks like to the network;
    `mask` (floats in [0, 1], the image's height and width) limits the dream to where it is 1.
    """
    layers = params.active_layers()
    if not layers:
        raise JobError("Give at least one layer a non-zero weight.")
    if params.octaves < 1 or params.steps_per_octave < 1 or params.octave_scale <= 1:
        raise JobError("Use at least one octave and one step, and an octave scale above 1.")
    layer_names = tuple(layers)
    objective = objective_for(backbone, layer_names, guided=guide is not None)
    weights = tf.constant(list(layers.values()), tf.float32)
    guides = guide_vectors(backbone, guide, layer_names) if guide is not None else []
    rng = np.random.default_rng(params.seed)
    original = to_working(image)
    if mask is not None and mask.shape != image.shape[:2]:
        raise JobError("The mask must be the same size as the picture.")
    shapes = octave_shapes(image.shape[:2], params.octaves, params.octave_scale, min_side=32)
    ledger = CostLedger([(params.steps_per_octave, step_cost(shape, params.tile_size)) for shape in shapes])
    current = resize(original, shapes[0])
    previous_original = current
    for octave, shape in enumerate(shapes):
        if octave > 0:
            # Upscaling blurs; add back the detail the original has at this size and lacked at the last one.
            same_size_original = resize(original, shape)
            current = resize(current, shape) + same_size_original - resize(previous_original, shape)
            previous_original = same_size_original
        octave_mask = resize(mask[..., None].astype(np.float32), shape) if mask is not None else None
        for step in range(params.steps_per_octave):
            label = f"Octave {octave + 1}/{len(shapes)} · step {step + 1}"
            work = image_gradient(objective, current, weights, guides, params.tile_size, rng)
            loss, gradient = yield from ledger.heartbeats(work, octave, step, label)
            gradient /= gradient.std() + 1e-8
            if octave_mask is not None:
                gradient *= octave_mask
            current = np.clip(current + params.step_size * gradient, -1.0, 1.0)
            stopping = params.max_loss is not None and loss > params.max_loss
            yield ledger.progress(
                octave,
                params.steps_per_octave if stopping else step + 1,
                stage=label,
                preview=to_rgb(current),
                metrics={"loss": loss},
            )
            if stopping:
                break
    result = to_rgb(current)
    if mask is not None:
        alpha = mask[..., None].astype(np.float32)
        result = (alpha * result + (1 - alpha) * image + 0.5).astype(np.uint8)
    return result


def dream_job(
    image: np.ndarray, params: DreamParams, guide: np.ndarray | None = None, mask: np.ndarray | None = None
) -> Iterator[Progress]:
    """What the app and CLI run: load the backbone the params name (downloading if needed), shrink
    the picture to `params.max_side`, then dream."""
    backbone, image, mask = yield from prepare_dream(image, params, mask)
    return (yield from dream(image, params, backbone, guide, mask))


def prepare_dream(image: np.ndarray, params: DreamParams, mask: np.ndarray | None = None) -> Iterator[Progress]:
    """A generator (it yields download progress) that seeds TensorFlow, loads the backbone the
    params name, and returns it with the picture and mask shrunk to `params.max_side`."""
    if params.seed is not None:
        tf.random.set_seed(params.seed)
    backbone = yield from load_backbone(params.backbone, params.backbone_path)
    if params.max_side:
        image = fit_within(image, params.max_side)
        if mask is not None:
            mask = resize(mask[..., None].astype(np.float32), image.shape[:2])[..., 0]
    return backbone, image, mask
