"""Training a style model: random crops of content pictures go through the transformation network,
and the network learns to lower the Style engine's perceptual losses on its output (content against
the crop, Gram-matrix style against the style pictures, total variation), measured by the backbone."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from PIL import Image

from studio.core.backbones import Backbone, load_backbone
from studio.core.datasets import load_folder
from studio.core.image_ops import to_rgb, to_working
from studio.core.images import SAMPLE_IMAGES, fit_within, sample_image
from studio.core.params.fast_style import FastStyleTrainParams
from studio.core.progress import JobError, Progress
from studio.engines.fast_style.network import FastStyleModel, check_model_path, save_style_model
from studio.engines.style import content_loss, gram_matrix, style_loss, total_variation_loss
from studio.engines.training import model_to_train

MIN_STYLE_SIDE = 64  # a smaller style picture has too few pixels to hold a texture
MIN_CROP_FRACTION = 0.35  # crops cover 35-100% of a picture's short side (several scales of detail)
PREVIEW_PICTURE = "astronaut"
PACE_WINDOW = 20  # steps over which the pace (and so the time left) is measured


class ContentSet:
    """Random square crops of `size` pixels from the shipped photos, the shipped faces and the user's
    pictures, with random flips. Faces are tiny (25 px), so they are enlarged and used for only a
    `faces_share` of the crops; the photos and the user's pictures share the rest equally."""

    def __init__(self, size: int, faces_share: float, content_dir: str | None, rng: np.random.Generator):
        self.size = size
        self.rng = rng
        self.faces_share = faces_share
        self.pictures = [sample_image(name) for name in SAMPLE_IMAGES]
        if content_dir:
            # Pictures far larger than the crops only cost memory: keep them at most twice the crop size.
            self.pictures += list(load_user_pictures(content_dir, 2 * size))
        self.faces = shipped_faces() if faces_share > 0 else None

    def batch(self, count: int) -> np.ndarray:
        """`count` crops as float32 working-space pictures (count, size, size, 3)."""
        return np.stack([to_working(self.crop()) for _ in range(count)])

    def crop(self) -> np.ndarray:
        if self.faces is not None and self.rng.random() < self.faces_share:
            face = self.faces[self.rng.integers(len(self.faces))]
            picture = np.asarray(Image.fromarray(face).resize((self.size, self.size), Image.Resampling.BICUBIC))
        else:
            source = self.pictures[self.rng.integers(len(self.pictures))]
            height, width = source.shape[:2]
            side = max(1, round(min(height, width) * self.rng.uniform(MIN_CROP_FRACTION, 1.0)))
            top, left = self.rng.integers(0, height - side + 1), self.rng.integers(0, width - side + 1)
            square = Image.fromarray(source[top : top + side, left : left + side])
            picture = np.asarray(square.resize((self.size, self.size), Image.Resampling.BICUBIC))
        return picture[:, ::-1] if self.rng.random() < 0.5 else picture


def load_user_pictures(folder: str | os.PathLike, max_side: int) -> list[np.ndarray]:
    """The pictures in the user's folder at their own proportions (at most `max_side`), or a JobError."""
    from studio.core.images import load_image

    load_folder(folder, 8, 3, limit=2)  # the folder checks and their messages (exists, has pictures)
    files = sorted(p for p in Path(folder).rglob("*") if p.is_file() and not p.name.startswith("."))
    pictures = []
    for path in files:
        try:
            pictures.append(fit_within(load_image(path), max_side))
        except JobError:
            continue
    return pictures


def shipped_faces() -> np.ndarray:
    """The 100 small greyscale faces shipped with scikit-image, as uint8 RGB (100, 25, 25, 3)."""
    from studio.core.datasets import load_shipped

    return load_shipped("faces", 25, 3)


def check_style_pictures(styles: list[np.ndarray], params: FastStyleTrainParams) -> None:
    if not styles:
        raise JobError("Add at least one style picture (or name a shipped preset).")
    for index, style in enumerate(styles, start=1):
        if min(style.shape[:2]) < MIN_STYLE_SIDE:
            raise JobError(
                f"Style picture {index} is only {style.shape[1]}x{style.shape[0]} px; use one at least "
                f"{MIN_STYLE_SIDE} px on each side (a few hundred is best), so it holds a texture."
            )
    if params.style_blend and (
        len(params.style_blend) != len(styles) or min(params.style_blend) < 0 or sum(params.style_blend) <= 0
    ):
        raise JobError("Give one blend weight per style picture, none negative and not all zero.")


def check_params(params: FastStyleTrainParams) -> None:
    if not 64 <= params.size <= 1024 or params.size % 4:
        raise JobError("Choose a training size between 64 and 1024 pixels, a multiple of 4.")
    if params.steps < 1 or params.batch_size < 1:
        raise JobError("Train for at least one step on at least one crop per step.")
    if not params.active_style_layers():
        raise JobError("Give at least one style layer a non-zero weight.")
    if min(params.content_weight, params.style_weight, params.tv_weight) < 0:
        raise JobError("Loss weights cannot be negative.")
    if not 0 <= params.faces_share <= 1:
        raise JobError("The share of faces is between 0 and 1.")
    if not 0.25 <= params.style_scale <= 4:
        raise JobError("Choose a style scale between 0.25 and 4.")


class PerceptualLoss:
    """The Style engine's losses for a batch of painted crops: content against the crops themselves,
    style against the blended Gram matrices of the style pictures (computed once), total variation."""

    def __init__(self, backbone: Backbone, params: FastStyleTrainParams, styles: list[np.ndarray]):
        self.backbone = backbone
        self.content_layer = params.content_layer
        layers = params.active_style_layers()
        self.style_layers = tuple(layers)
        self.layer_names = tuple(dict.fromkeys((self.content_layer, *self.style_layers)))
        backbone.extractor(self.layer_names)  # a JobError now if a layer name is wrong
        shares = np.array(list(layers.values()), np.float64) / sum(layers.values())
        self.style_weights = [float(params.style_weight * share) for share in shares]
        self.content_weight, self.tv_weight = params.content_weight, params.tv_weight
        blend = np.array(params.style_blend or [1.0] * len(styles), np.float64)
        blend /= blend.sum()
        side = round(params.size * params.style_scale)
        self.target_grams = [tf.zeros((c, c)) for c in self._channels()]
        for style, share in zip(styles, blend):
            working = to_working(fit_within(style, side))
            features = backbone.features(tf.constant(working[None]), self.layer_names)
            for index, name in enumerate(self.style_layers):
                self.target_grams[index] += share * gram_matrix(features[name])[0]

    def _channels(self) -> list[int]:
        return [self.backbone.layer_outputs[name].shape[-1] for name in self.style_layers]

    def __call__(self, crops: tf.Tensor, painted: tf.Tensor) -> dict[str, tf.Tensor]:
        # The crops only set the content target: forward up to the content layer, no gradient.
        content_target = tf.stop_gradient(self.backbone.features(crops, (self.content_layer,))[self.content_layer])
        features = self.backbone.features(painted, self.layer_names)
        content = self.content_weight * content_loss(features[self.content_layer], content_target)
        style = tf.add_n(
            [
                weight * style_loss(gram_matrix(features[name]), target)
                for weight, name, target in zip(self.style_weights, self.style_layers, self.target_grams)
            ]
        )
        tv = self.tv_weight * total_variation_loss(painted)
        return {"loss": content + style + tv, "content": content, "style": style, "tv": tv}


def make_train_step(model: FastStyleModel, loss: PerceptualLoss, size: int):
    """One optimiser step on a batch of crops, compiled once for this crop size."""
    transformer, optimizer = model.transformer, model.optimizer_state

    def train_step(crops):
        with tf.GradientTape() as tape:
            losses = loss(crops, transformer(crops, training=True))
        variables = transformer.trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(losses["loss"], variables), variables))
        return losses

    return tf.function(train_step, input_signature=[tf.TensorSpec([None, size, size, 3], tf.float32)], autograph=False)


def preview_picture(size: int) -> np.ndarray:
    """The fixed picture the training preview paints, `size` pixels on its long side (working space)."""
    return to_working(fit_within(sample_image(PREVIEW_PICTURE), size))


def train_style(
    styles: list[np.ndarray],
    params: FastStyleTrainParams,
    backbone: Backbone,
    model: FastStyleModel | None = None,
    checkpoint_path: str | os.PathLike | None = None,
    style_names: list[str] | tuple[str, ...] = (),
) -> Iterator[Progress]:
    """Train a network to paint in the style of `styles` (uint8 RGB; several are blended) until
    `params.steps` steps in all, continuing `model` if given (its network shape wins).

    Yields a Progress after every step: `step`/`total` count this run's steps, `metrics` hold the
    step's losses (loss, content, style, tv), `data["steps_done"]` the model's steps in all and
    `data["seconds_left"]` the time left at the recent pace (None until it is known). Every
    `params.preview_every` steps (and at the first and last) `preview` is the fixed picture painted
    now and `data["model"]` the model. With `checkpoint_path`, the model is saved there every
    `params.checkpoint_every` steps, at the end, and when the job is stopped (closed).
    Returns the model.
    """
    check_params(params)
    check_style_pictures(styles, params)
    if checkpoint_path is not None:
        checkpoint_path = check_model_path(checkpoint_path)
    model = model_to_train(model, params, FastStyleModel)
    if style_names:
        model.style_names = list(style_names)
    params = model.params
    if params.steps <= model.steps_done:
        raise JobError(f"This model has already trained {model.steps_done} steps; ask for more steps to go on.")
    rng = np.random.default_rng(None if params.seed is None else params.seed + model.steps_done)
    content_set = ContentSet(params.size, params.faces_share, params.content_dir, rng)
    loss = PerceptualLoss(backbone, params, styles)
    train_step = make_train_step(model, loss, params.size)
    # The learning rate falls along a cosine to a twentieth at the last step: the early steps move
    # far, the last ones settle, so the saved network does not hang on the last few crops.
    learning_rate = keras.optimizers.schedules.CosineDecay(params.learning_rate, params.steps, alpha=0.05)
    preview_source = preview_picture(params.size)
    first, total = model.steps_done, params.steps - model.steps_done
    step_times: list[float] = []
    saved_at = model.steps_done
    started = time.perf_counter()
    try:
        for index in range(1, total + 1):
            # The pace: whole rounds (step, preview, saving, and whoever reads the Progress), not
            # the first, which includes compiling the graph.
            now = time.perf_counter()
            if index > 2:
                step_times = [*step_times[-PACE_WINDOW + 1 :], now - started]
            started = now
            model.optimizer_state.learning_rate.assign(learning_rate(first + index - 1))
            losses = train_step(tf.constant(content_set.batch(params.batch_size)))
            metrics = {name: float(value) for name, value in losses.items()}
            model.steps_done = first + index
            seconds_left = float(np.mean(step_times)) * (total - index) if step_times else None
            data = {"steps_done": model.steps_done, "seconds_left": seconds_left}
            if checkpoint_path is not None and (
                index == total or (params.checkpoint_every and model.steps_done % params.checkpoint_every == 0)
            ):
                data["checkpoint"] = str(save_style_model(model, checkpoint_path))
                saved_at = model.steps_done
            preview = None
            if index in (1, total) or model.steps_done % params.preview_every == 0:
                preview = to_rgb(model(preview_source[None])[0])
                data["model"] = model
            yield Progress(
                index,
                total,
                f"Step {model.steps_done}/{params.steps}",
                preview=preview,
                metrics=metrics,
                data=data,
            )
    except GeneratorExit:
        # Stopped: keep what was learned, so the run can resume from here.
        if checkpoint_path is not None and model.steps_done > saved_at:
            save_style_model(model, checkpoint_path)
        raise
    return model


def train_style_job(
    styles: list[np.ndarray],
    params: FastStyleTrainParams,
    model: FastStyleModel | None = None,
    resume_from: str | os.PathLike | None = None,
    checkpoint_path: str | os.PathLike | None = None,
    style_names: list[str] | tuple[str, ...] = (),
) -> Iterator[Progress]:
    """What the app and CLI run: load the model to resume (if any) and the backbone, then train."""
    from studio.engines.fast_style.network import load_style_model

    check_params(params)
    check_style_pictures(styles, params)
    if checkpoint_path is not None:
        check_model_path(checkpoint_path)
    if params.content_dir:
        load_folder(params.content_dir, 8, 3, limit=2)  # a folder without pictures fails now, not later
    if model is None and resume_from:
        yield Progress(0, 0, f"Loading {Path(resume_from).name}")
        model = load_style_model(resume_from)
    backbone = yield from load_backbone(params.backbone)
    return (yield from train_style(styles, params, backbone, model, checkpoint_path, style_names))
