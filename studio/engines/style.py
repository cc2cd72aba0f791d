"""Neural style transfer (Gatys et al. 2015): optimise a picture so that a convnet sees the content
of one picture in it (activations of an upper layer) and the textures of others (Gram matrices of
activations over several layers), while total variation keeps it smooth.

Faster than the textbook loop because the targets (content activations, style Gram matrices) are
computed once per scale, only the picture being optimised goes through the network each step,
L-BFGS needs far fewer steps than gradient descent, and most steps run on small pictures
(coarse-to-fine). Pictures larger than a tile are evaluated tile by tile, so memory stays bounded.
"""

from __future__ import annotations

import functools
import math
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import keras
import numpy as np
import scipy.optimize
import tensorflow as tf
from threadpoolctl import threadpool_limits

from studio.core.backbones import Backbone, load_backbone
from studio.core.image_ops import octave_shapes, resize, to_rgb, to_working
from studio.core.images import fit_within
from studio.core.params.style import COLOR_MODES, INIT_MODES, MAX_SIZE, OPTIMIZERS, StyleParams
from studio.core.progress import JobError, Progress
from studio.engines.tiling import Box, fixed_tiles

MIN_SIDE = 32  # smallest picture side a scale may have
TILE_HALO = 64  # context pixels around each tile so features at its edges match the whole picture's
LBFGS_STACK_BYTES = 64 * 1024 * 1024
LBFGS_HISTORY_BYTES = 512 * 2**20  # L-BFGS keeps pairs of float64 pictures: bound their memory
NOISE_STD = 0.25  # spread of the "noise" starting picture, in the [-1, 1] working space

# RGB <-> YIQ: Y is luminance, I and Q carry the colour (chroma).
RGB_TO_YIQ = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]], np.float32)
YIQ_TO_RGB = np.linalg.inv(RGB_TO_YIQ).astype(np.float32)


# -- the losses ---------------------------------------------------------------------------------
def gram_matrix(features: tf.Tensor) -> tf.Tensor:
    """Channel-by-channel correlations of an (H, W, C) activation map, averaged over positions:
    which features occur together, wherever they are, i.e. the map's texture."""
    flat = tf.reshape(features, (-1, tf.shape(features)[-1]))
    return tf.matmul(flat, flat, transpose_a=True) / tf.cast(tf.shape(flat)[0], features.dtype)


def content_loss(features: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """How far the picture's upper-layer activations are from the content picture's."""
    return tf.reduce_mean(tf.square(features - target))


def style_loss(gram: tf.Tensor, target_gram: tf.Tensor) -> tf.Tensor:
    """How far one layer's texture statistics are from the style pictures'."""
    return tf.reduce_mean(tf.square(gram - target_gram))


def total_variation_loss(image: tf.Tensor) -> tf.Tensor:
    """Mean local gradient magnitude (to the power 2.5, which removes speckle but keeps edges)."""
    down = image[1:, :-1, :] - image[:-1, :-1, :]
    right = image[:-1, 1:, :] - image[:-1, :-1, :]
    return tf.reduce_mean(tf.pow(tf.square(down) + tf.square(right), 1.25))


# -- colour ---------------------------------------------------------------------------------------
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
        image = tf.TensorSpec([None, None, 3], tf.float32)
        box = tf.TensorSpec([4], tf.int32)
        content = tf.TensorSpec([None, None, channels[content_layer]], tf.float32)
        grams = [tf.TensorSpec([c, c], tf.float32) for c in self.channels]
        weights = tf.TensorSpec([2 + len(style_layers)], tf.float32)
        scalar = tf.TensorSpec([], tf.float32)
        self._whole = tf.function(self._whole_loss_and_gradient, input_signature=[image, content, weights, *grams])
        self._statistics = tf.function(self._tile_statistics, input_signature=[image, box])
        self._tile_gradient = tf.function(
            self._tile_loss_and_gradient, input_signature=[image, box, content, scalar, *grams]
        )
        self._tv = tf.function(self._tv_and_gradient, input_signature=[image])

    def _strides(self) -> dict[str, int]:
        """How many picture pixels one activation pixel of each layer spans (for tile alignment)."""
        probe = 256
        features = self.backbone.features(tf.zeros((1, probe, probe, 3)), self.layer_names)
        return {name: max(1, round(probe / int(value.shape[1]))) for name, value in features.items()}

    # compiled pieces ---------------------------------------------------------------------------
    def _whole_loss_and_gradient(self, image, content_target, weights, *target_grams):
        with tf.GradientTape() as tape:
            tape.watch(image)
            features = self.backbone.features(image[None], self.layer_names)
            content = weights[0] * content_loss(features[self.content_layer][0], content_target)
            style = tf.add_n(
                [
                    weights[2 + index] * style_loss(gram_matrix(features[name][0]), target_grams[index])
                    for index, name in enumerate(self.style_layers)
                ]
            )
            tv = weights[1] * total_variation_loss(image)
            total = content + style + tv
        return total, content, style, tv, tape.gradient(total, image)

    def _core(self, activation: tf.Tensor, name: str, box: tf.Tensor) -> tf.Tensor:
        """The part of a patch's (1, h, w, C) activation that lies over the tile's core `box`."""
        stride = self.strides[name]
        height, width = tf.shape(activation)[1], tf.shape(activation)[2]
        y0, x0 = box[0] // stride, box[2] // stride
        y1 = tf.clip_by_value(-(-box[1] // stride), y0 + 1, height)
        x1 = tf.clip_by_value(-(-box[3] // stride), x0 + 1, width)
        return activation[0, y0:y1, x0:x1, :]

    def _tile_statistics(self, patch, box):
        """For the tile's core: content activations, and per style layer its position count and
        un-normalised Gram matrix (these add up over tiles to the whole picture's)."""
        features = self.backbone.features(patch[None], self.layer_names)
        counts, sums = [], []
        for name in self.style_layers:
            flat = tf.reshape(self._core(features[name], name, box), (-1, tf.shape(features[name])[-1]))
            counts.append(tf.cast(tf.shape(flat)[0], tf.float32))
            sums.append(tf.matmul(flat, flat, transpose_a=True))
        return self._core(features[self.content_layer], self.content_layer, box), tf.stack(counts), *sums

    def _tile_loss_and_gradient(self, patch, box, content_target, content_scale, *gram_slopes):
        """The tile's content loss, and the gradient on its patch of content + style, where the
        style term is linearised around the whole picture's Gram matrices (`gram_slopes` are the
        style loss's derivatives with respect to each un-normalised Gram sum), which is exact."""
        with tf.GradientTape() as tape:
            tape.watch(patch)
            features = self.backbone.features(patch[None], self.layer_names)
            content = content_scale * tf.reduce_sum(
                tf.square(self._core(features[self.content_layer], self.content_layer, box) - content_target)
            )
            style = tf.zeros(())
            for index, name in enumerate(self.style_layers):
                flat = tf.reshape(self._core(features[name], name, box), (-1, tf.shape(features[name])[-1]))
                style += tf.reduce_sum(gram_slopes[index] * tf.matmul(flat, flat, transpose_a=True))
            surrogate = content + style
        return content, tape.gradient(surrogate, patch)

    def _tv_and_gradient(self, image):
        with tf.GradientTape() as tape:
            tape.watch(image)
            tv = total_variation_loss(image)
        return tv, tape.gradient(tv, image)

    # whole pictures ----------------------------------------------------------------------------
    def tiles(self, height: int, width: int) -> list[tuple[Box, Box]]:
        return fixed_tiles(height, width, self.tile_size, self.halo)

    def statistics(self, image: np.ndarray) -> tuple[list[tf.Tensor], list[np.ndarray], np.ndarray]:
        """Content activations per tile, and per style layer the picture's normalised Gram matrix
        and its number of activation positions."""
        contents, sums, count = [], None, None
        for core, patch in self.tiles(*image.shape[:2]):
            content, counts, *grams = self._statistics(_crop(image, patch), _relative(core, patch))
            contents.append(content)
            sums = [g.numpy() for g in grams] if sums is None else [s + g.numpy() for s, g in zip(sums, grams)]
            count = counts.numpy() if count is None else count + counts.numpy()
        return contents, [total / n for total, n in zip(sums, count)], count

    def targets(self, content: np.ndarray, styles: list[np.ndarray], blend: list[float]) -> Targets:
        """Computed once per scale: the content's activations and the blend of the style Grams."""
        content_features = self.statistics(content)[0]
        grams = [np.zeros((c, c), np.float32) for c in self.channels]
        for style, share in zip(styles, blend):
            for total, gram in zip(grams, self.statistics(style)[1]):
                total += share * gram
        return Targets(content_features, [tf.constant(gram) for gram in grams])

    def evaluate(self, image: np.ndarray, targets: Targets, weights: np.ndarray) -> Evaluation:
        """Loss and gradient for the whole picture; tile by tile when it is larger than a tile."""
        windows = self.tiles(*image.shape[:2])
        if len(windows) == 1:
            total, content, style, tv, gradient = self._whole(
                tf.constant(image), targets.content[0], tf.constant(weights), *targets.grams
            )
            return Evaluation(float(total), float(content), float(style), float(tv), gradient.numpy())
        # Pass 1: the picture's Gram matrices, which every tile's style gradient depends on.
        _, grams, counts = self.statistics(image)
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
        for (core, patch), content_target in zip(windows, targets.content):
            part, patch_gradient = self._tile_gradient(
                _crop(image, patch), _relative(core, patch), content_target, content_scale, *slopes
            )
            content += float(part)
            gradient[patch[0] : patch[1], patch[2] : patch[3]] += patch_gradient.numpy()
        tv, tv_gradient = self._tv(tf.constant(image))
        gradient += weights[1] * tv_gradient.numpy()
        tv = weights[1] * float(tv)
        return Evaluation(float(content + style + tv), float(content), float(style), float(tv), gradient)


def _crop(image: np.ndarray, box: Box) -> tf.Tensor:
    return tf.constant(image[box[0] : box[1], box[2] : box[3]])


def _relative(core: Box, patch: Box) -> tf.Tensor:
    return tf.constant([core[0] - patch[0], core[1] - patch[0], core[2] - patch[2], core[3] - patch[2]], tf.int32)


@functools.lru_cache(maxsize=8)  # each keeps traced graphs; a session rarely juggles more layer sets
def objective_for(
    backbone: Backbone, content_layer: str, style_layers: tuple[str, ...], tile_size: int
) -> StyleObjective:
    return StyleObjective(backbone, content_layer, style_layers, tile_size)


# -- optimisers -----------------------------------------------------------------------------------
class SteppedLbfgs:
    """SciPy's L-BFGS-B (bounded to the valid pixel range), one iteration per `step()`.

    SciPy runs the whole minimisation in one call, so it runs on a helper thread that pauses in
    its per-iteration callback until the next step is asked for: the generator can then yield
    between steps and stop at any step. Only one of the two threads works at any moment. The
    starting point is evaluated here, on the caller's thread, so TensorFlow traces there.
    """

    _STOP = object()

    def __init__(self, evaluate: Callable[[np.ndarray], Evaluation], start: np.ndarray, max_steps: int):
        start = np.clip(start, -1.0, 1.0)
        self.shape = start.shape
        self._evaluate = evaluate
        self.last = self._pending_start = evaluate(start)  # SciPy's first evaluation is at the start
        self._requests: queue.Queue = queue.Queue()
        self._replies: queue.Queue = queue.Queue()
        history = int(np.clip(LBFGS_HISTORY_BYTES // (16 * start.size), 3, 10))
        self._thread = threading.Thread(
            target=self._minimise, args=(start, max_steps, history), daemon=True, name="studio-lbfgs"
        )
        # Its TensorFlow calls may trace deep graphs, as the compute thread's do: give it the same stack.
        previous_stack = threading.stack_size(LBFGS_STACK_BYTES)
        try:
            self._thread.start()
        finally:
            threading.stack_size(previous_stack)

    def _loss_and_gradient(self, flat: np.ndarray) -> tuple[float, np.ndarray]:
        if self._pending_start is not None:
            self._pending_start = None
        else:
            self.last = self._evaluate(flat.reshape(self.shape).astype(np.float32))
        return self.last.total, self.last.gradient.ravel().astype(np.float64)

    def _minimise(self, start: np.ndarray, max_steps: int, history: int) -> None:
        if self._requests.get() is self._STOP:
            return
        outcome = None
        try:
            # L-BFGS's vector operations are too small to share out: multi-threaded BLAS only spins
            # on them, taking cores from TensorFlow (10x slower steps when it does).
            with threadpool_limits(limits=1, user_api="blas"):
                scipy.optimize.minimize(
                    self._loss_and_gradient,
                    start.ravel().astype(np.float64),
                    jac=True,
                    method="L-BFGS-B",
                    bounds=scipy.optimize.Bounds(np.full(start.size, -1.0), np.full(start.size, 1.0)),
                    callback=self._pause,
                    # Run every step asked for: no convergence test stops it early.
                    options={
                        "maxiter": max_steps,
                        "maxfun": 4 * max_steps,
                        "maxcor": history,
                        "ftol": 0.0,
                        "gtol": 0.0,
                    },
                )
        except Exception as error:  # handed to the generator's thread, which raises it
            outcome = error
        finally:
            self._replies.put(outcome)

    def _pause(self, intermediate_result) -> None:
        self._replies.put(intermediate_result.x)
        if self._requests.get() is self._STOP:
            raise StopIteration

    def step(self) -> np.ndarray | None:
        """Run one iteration and return the new picture, or None if the minimiser has finished."""
        if not self._thread.is_alive():
            return None
        self._requests.put(True)
        reply = self._replies.get()
        if isinstance(reply, BaseException):
            raise reply
        return None if reply is None else reply.reshape(self.shape).astype(np.float32)

    def close(self) -> None:
        if self._thread.is_alive():
            self._requests.put(self._STOP)
            self._thread.join()


class SteppedAdam:
    """Adam on the picture as a variable, clipped to the valid pixel range after each step."""

    def __init__(self, evaluate: Callable[[np.ndarray], Evaluation], start: np.ndarray, learning_rate: float):
        self._evaluate = evaluate
        self.image = tf.Variable(start)
        self.optimizer = keras.optimizers.Adam(learning_rate=learning_rate)
        self.last: Evaluation | None = None

    def step(self) -> np.ndarray:
        self.last = self._evaluate(self.image.numpy())
        self.optimizer.apply_gradients([(tf.constant(self.last.gradient), self.image)])
        self.image.assign(tf.clip_by_value(self.image, -1.0, 1.0))
        return self.image.numpy()

    def close(self) -> None:
        pass


# -- the job --------------------------------------------------------------------------------------
def check_params(params: StyleParams, num_styles: int, has_init_image: bool) -> None:
    if num_styles < 1:
        raise JobError("Add at least one style picture.")
    if not MIN_SIDE <= params.size <= MAX_SIZE:
        raise JobError(f"Choose a size between {MIN_SIDE} and {MAX_SIZE} pixels on the long side.")
    if params.iterations < 1 or params.num_scales < 1:
        raise JobError("Use at least one iteration and one scale.")
    if params.optimizer not in OPTIMIZERS:
        raise JobError(f"Unknown optimizer '{params.optimizer}'. Choose one of: {', '.join(OPTIMIZERS)}.")
    if params.preserve_colors not in COLOR_MODES:
        raise JobError(f"Unknown colour mode '{params.preserve_colors}'. Choose one of: {', '.join(COLOR_MODES)}.")
    if params.init not in INIT_MODES:
        raise JobError(f"Unknown start '{params.init}'. Choose one of: {', '.join(INIT_MODES)}.")
    if params.init == "image" and not has_init_image:
        raise JobError("Starting from an image needs that image (a previous result or checkpoint).")
    if not params.active_style_layers():
        raise JobError("Give at least one style layer a non-zero weight.")
    if not 0.1 <= params.style_scale <= 4:
        raise JobError("Choose a style scale between 0.1 and 4.")
    if params.style_blend and (
        len(params.style_blend) != num_styles or min(params.style_blend) < 0 or sum(params.style_blend) <= 0
    ):
        raise JobError("Give one blend weight per style picture, none negative and not all zero.")
    if min(params.content_weight, params.style_weight, params.tv_weight) < 0:
        raise JobError("Loss weights cannot be negative.")


def scaled_shape(shape: tuple[int, int], long_side: int) -> tuple[int, int]:
    factor = long_side / max(shape)
    return max(1, round(shape[0] * factor)), max(1, round(shape[1] * factor))


def split_evenly(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if index < total % parts else 0) for index in range(parts)]


def loss_weights(params: StyleParams) -> np.ndarray:
    """[content, total variation, style layer 1, 2, ...]: each style layer's share of `style_weight`."""
    layers = params.active_style_layers()
    shares = np.array(list(layers.values()), np.float64) / sum(layers.values())
    return np.array([params.content_weight, params.tv_weight, *(params.style_weight * shares)], np.float32)


def stylize(
    content: np.ndarray,
    styles: list[np.ndarray],
    params: StyleParams,
    backbone: Backbone,
    init_image: np.ndarray | None = None,
) -> Iterator[Progress]:
    """Paint `content` (uint8 RGB) in the style of `styles` (uint8 RGB, any sizes).

    Yields a Progress with a preview after every step (and the picture in `data["checkpoint"]`
    every `params.checkpoint_every` steps) and returns the uint8 RGB result, `params.size` pixels on
    its long side. `init_image` is the starting picture when `params.init` is "image".
    """
    check_params(params, len(styles), init_image is not None)
    objective = objective_for(backbone, params.content_layer, tuple(params.active_style_layers()), params.tile_size)
    weights = loss_weights(params)
    blend = np.array(params.style_blend or [1.0] * len(styles), np.float64)
    blend = list(blend / blend.sum())
    rng = np.random.default_rng(params.seed)

    # Nothing needs more pixels than the final scale: shrink huge pictures before going to float.
    content_full = to_working(fit_within(content, params.size))
    style_limit = max(MIN_SIDE, round(params.size * params.style_scale))
    styles_full = [to_working(fit_within(style, style_limit)) for style in styles]
    if params.preserve_colors == "luminance":
        styles_full = [match_luminance(style, content_full) for style in styles_full]
    elif params.preserve_colors == "match":
        styles_full = [match_colors(style, content_full) for style in styles_full]

    shapes = octave_shapes(scaled_shape(content.shape[:2], params.size), params.num_scales, 2.0, MIN_SIDE)
    if init_image is not None and params.init == "image":
        # Resume: the scales the given picture already covers are done.
        first = max([i for i, shape in enumerate(shapes) if max(shape) <= max(init_image.shape[:2])], default=0)
        shapes = shapes[first:]
    steps_per_scale = split_evenly(params.iterations, len(shapes))
    current = None
    done = 0
    for scale, (shape, num_steps) in enumerate(zip(shapes, steps_per_scale)):
        content_here = resize(content_full, shape)
        work_content = luminance_only(content_here) if params.preserve_colors == "luminance" else content_here
        style_side = max(MIN_SIDE, round(max(shape) * params.style_scale))
        styles_here = [resize(style, scaled_shape(style.shape[:2], style_side)) for style in styles_full]
        targets = objective.targets(work_content, styles_here, blend)
        current = _start(params, scale, shape, current, work_content, init_image, rng)
        chroma = content_here if params.preserve_colors == "luminance" else None
        evaluate = functools.partial(objective.evaluate, targets=targets, weights=weights)
        optimizer = (
            SteppedLbfgs(evaluate, current, num_steps)
            if params.optimizer == "lbfgs"
            else SteppedAdam(evaluate, current, params.learning_rate)
        )
        try:
            for step in range(num_steps):
                picture = optimizer.step()
                if picture is None:  # L-BFGS can go no further at this scale
                    break
                current = picture
                done += 1
                preview = _visible(current, chroma)
                checkpoint = params.checkpoint_every > 0 and done % params.checkpoint_every == 0
                yield Progress(
                    step=done,
                    total=params.iterations,
                    stage=f"Scale {scale + 1}/{len(shapes)} ({shape[1]}×{shape[0]}) · step {step + 1}",
                    preview=preview,
                    metrics=optimizer.last.metrics,
                    data={"checkpoint": preview} if checkpoint else {},
                )
        finally:
            optimizer.close()
        done = sum(steps_per_scale[: scale + 1])
    return _visible(current, chroma)


def _visible(picture: np.ndarray, chroma_source: np.ndarray | None) -> np.ndarray:
    """The working picture as uint8 RGB, in the content's colours when only luminance was transferred."""
    return to_rgb(picture if chroma_source is None else with_chroma(picture, chroma_source))


def _start(
    params: StyleParams,
    scale: int,
    shape: tuple[int, int],
    previous: np.ndarray | None,
    content: np.ndarray,
    init_image: np.ndarray | None,
    rng: np.random.Generator,
) -> np.ndarray:
    """The picture a scale starts from: the previous scale's result upscaled, or the chosen start."""
    if scale > 0:
        return resize(previous, shape)
    if params.init == "noise":
        noise = rng.normal(0.0, NOISE_STD, size=(*shape, 1 if params.preserve_colors == "luminance" else 3))
        return np.clip(np.broadcast_to(noise, (*shape, 3)), -1.0, 1.0).astype(np.float32)
    if params.init == "image":
        start = resize(to_working(init_image), shape)
        return luminance_only(start) if params.preserve_colors == "luminance" else start
    return content.copy()


def stylize_job(
    content: np.ndarray, styles: list[np.ndarray], params: StyleParams, init_image: np.ndarray | None = None
) -> Iterator[Progress]:
    """What the app and CLI run: load the backbone the params name (downloading if needed), then stylize."""
    if params.seed is not None:
        keras.utils.set_random_seed(params.seed)
    backbone = yield from load_backbone(params.backbone, params.backbone_path)
    return (yield from stylize(content, styles, params, backbone, init_image))
