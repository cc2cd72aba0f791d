"""DeepDream: gradient ascent on a picture to amplify what chosen layers of a convnet see in it.

Octaves run from small to large with the detail lost by downscaling re-injected at each size.
Pictures larger than one tile get their gradient tile by tile (overlapping tiles on a grid that
shifts randomly each step), so memory stays bounded and no seams appear.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import tensorflow as tf

from studio.core.backbones import Backbone, load_backbone
from studio.core.params.dream import DreamParams
from studio.core.progress import JobError, Progress

BORDER = 2  # activation pixels at each edge left out of the objective (they make edge artefacts)
GUIDE_SIDE = 512  # guide pictures are summarised at this size


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


def tiles(height: int, width: int, tile: int, halo: int, rng: np.random.Generator):
    """Yield (core, patch) windows as (y0, y1, x0, x1) covering the image once.

    Each core is one cell of a grid of `tile` pixels whose origin is shifted at random, so tile
    borders fall in new places every step; each patch is its core grown by `halo` so the gradient
    in the core sees enough context.
    """
    if max(height, width) <= tile:
        yield (0, height, 0, width), (0, height, 0, width)
        return
    offset_y, offset_x = rng.integers(0, tile, size=2)
    for y in range(-int(offset_y), height, tile):
        for x in range(-int(offset_x), width, tile):
            core = (max(y, 0), min(y + tile, height), max(x, 0), min(x + tile, width))
            if core[0] < core[1] and core[2] < core[3]:
                patch = (max(core[0] - halo, 0), min(core[1] + halo, height),
                         max(core[2] - halo, 0), min(core[3] + halo, width))
                yield core, patch


class DreamObjective:
    """Loss and image gradient for one backbone and layer set, compiled once for any image size."""

    def __init__(self, backbone: Backbone, layer_names: tuple[str, ...], guided: bool):
        self.backbone = backbone
        self.layer_names = layer_names
        channels = [backbone.layer_outputs[name].shape[-1] for name in layer_names]
        signature = [tf.TensorSpec([None, None, 3], tf.float32), tf.TensorSpec([len(layer_names)], tf.float32)]
        if guided:
            signature += [tf.TensorSpec([c], tf.float32) for c in channels]
        self.gradient = tf.function(self._gradient, input_signature=signature)

    def _gradient(self, image, weights, *guides):
        with tf.GradientTape() as tape:
            tape.watch(image)
            features = self.backbone.features(image[None], self.layer_names)
            loss = tf.zeros(())
            for index, name in enumerate(self.layer_names):
                activation = _interior(features[name])
                if guides:
                    score = tf.reduce_mean(tf.tensordot(activation, guides[index], axes=1))
                else:
                    score = tf.reduce_mean(tf.square(activation))
                loss += weights[index] * score
        return loss, tape.gradient(loss, image)


def _interior(activation: tf.Tensor) -> tf.Tensor:
    """The activation map without its outer BORDER pixels (fewer when the map is tiny)."""
    height, width = tf.shape(activation)[1], tf.shape(activation)[2]
    border_y = tf.minimum(BORDER, (height - 1) // 2)
    border_x = tf.minimum(BORDER, (width - 1) // 2)
    return activation[:, border_y : height - border_y, border_x : width - border_x, :]


_objectives: dict[tuple[int, tuple[str, ...], bool], DreamObjective] = {}


def objective_for(backbone: Backbone, layer_names: tuple[str, ...], guided: bool) -> DreamObjective:
    key = (id(backbone), layer_names, guided)
    if key not in _objectives:
        _objectives[key] = DreamObjective(backbone, layer_names, guided)
    return _objectives[key]


def guide_vectors(backbone: Backbone, guide: np.ndarray, layer_names: tuple[str, ...]) -> list[tf.Tensor]:
    """Per layer, the unit direction of the guide picture's mean activation: the dream then grows
    what looks like the guide rather than whatever the layer likes most."""
    working = to_working(guide)
    scale = min(1.0, GUIDE_SIDE / max(working.shape[:2]))
    working = resize(working, (max(1, round(working.shape[0] * scale)), max(1, round(working.shape[1] * scale))))
    features = backbone.features(tf.constant(working[None]), layer_names)
    return [tf.math.l2_normalize(tf.reduce_mean(features[name], axis=(0, 1, 2))) for name in layer_names]


def image_gradient(objective: DreamObjective, image: np.ndarray, weights: tf.Tensor, guides: list[tf.Tensor],
                   tile_size: int, rng: np.random.Generator) -> tuple[float, np.ndarray]:
    """The objective and its gradient for the whole image, computed tile by tile when it is large.

    Each tile's mean-based gradient is scaled by its share of the image, so tiles of different
    sizes pull with the weight they would have in one untiled pass.
    """
    height, width = image.shape[:2]
    gradient = np.empty_like(image)
    loss = 0.0
    halo = max(16, tile_size // 8)
    for (y0, y1, x0, x1), (py0, py1, px0, px1) in tiles(height, width, tile_size, halo, rng):
        patch_loss, patch_gradient = objective.gradient(tf.constant(image[py0:py1, px0:px1]), weights, *guides)
        patch_share = (py1 - py0) * (px1 - px0) / (height * width)
        core = patch_gradient.numpy()[y0 - py0 : y1 - py0, x0 - px0 : x1 - px0]
        gradient[y0:y1, x0:x1] = core * patch_share
        loss += float(patch_loss) * (y1 - y0) * (x1 - x0) / (height * width)
    return loss, gradient


def dream(image: np.ndarray, params: DreamParams, backbone: Backbone,
          guide: np.ndarray | None = None, mask: np.ndarray | None = None) -> Iterator[Progress]:
    """Dream on `image` (uint8 RGB). Yields a Progress with a preview after every step and returns
    the dreamed uint8 RGB picture, the size of the input.

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
    total = len(shapes) * params.steps_per_octave
    current = resize(original, shapes[0])
    previous_original = current
    done = 0
    for octave, shape in enumerate(shapes):
        if octave > 0:
            # Upscaling blurs; add back the detail the original has at this size and lacked at the last one.
            same_size_original = resize(original, shape)
            current = resize(current, shape) + same_size_original - resize(previous_original, shape)
            previous_original = same_size_original
        octave_mask = resize(mask[..., None].astype(np.float32), shape) if mask is not None else None
        for step in range(params.steps_per_octave):
            loss, gradient = image_gradient(objective, current, weights, guides, params.tile_size, rng)
            gradient /= gradient.std() + 1e-8
            if octave_mask is not None:
                gradient *= octave_mask
            current = np.clip(current + params.step_size * gradient, -1.0, 1.0)
            done += 1
            stopping = params.max_loss is not None and loss > params.max_loss
            if stopping:
                done = (octave + 1) * params.steps_per_octave
            yield Progress(step=done, total=total, stage=f"Octave {octave + 1}/{len(shapes)} · step {step + 1}",
                           preview=to_rgb(current), metrics={"loss": loss})
            if stopping:
                break
    result = to_rgb(current)
    if mask is not None:
        alpha = mask[..., None].astype(np.float32)
        result = (alpha * result + (1 - alpha) * image + 0.5).astype(np.uint8)
    return result


def dream_job(image: np.ndarray, params: DreamParams, guide: np.ndarray | None = None,
              mask: np.ndarray | None = None) -> Iterator[Progress]:
    """What the app and CLI run: load the backbone the params name (downloading if needed), then dream."""
    if params.seed is not None:
        tf.random.set_seed(params.seed)
    backbone = yield from load_backbone(params.backbone, params.backbone_path)
    return (yield from dream(image, params, backbone, guide, mask))
