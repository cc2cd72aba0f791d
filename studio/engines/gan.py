"""DCGAN: a generator that turns latent points into pictures, trained against a discriminator that
tells generated pictures from real ones, with the reference chapter's tricks as adjustable knobs.

Both networks use strided convolutions (kernel 4, divisible by the stride 2, so no checkerboard)
and LeakyReLU (no sparse gradients); the discriminator ends in dropout and a sigmoid, the
generator in tanh, matching pictures scaled to [-1, 1]. One compiled step trains the
discriminator on noisy labels, then the generator through the frozen discriminator.
"""

from __future__ import annotations

import dataclasses
import json
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from studio.core.files import atomic_path
from studio.core.images import enlarge, factor_to_reach
from studio.core.params import params_from_dict, params_to_dict
from studio.core.params.gan import ARCHITECTURE_FIELDS, GAN_SIZES, GanParams, GanSampleParams
from studio.core.progress import JobError, Progress
from studio.engines.latent import interpolate, save_animation, tile_images, walk

MIN_PICTURES = 8
MONITOR_SEED = 2014  # the monitor grid's latent points: the same in every run, so epochs compare
MONITOR_COUNT = 36
MONITOR_COLUMNS = 6
# Below this (true-label) loss the discriminator is sure of nearly every picture, and the
# generator's gradients fade: the reference chapter's "discriminator dominates" case.
DISCRIMINATOR_WINS_LOSS = 0.05
ANIMATION_MIN_SIDE = 192  # animation frames are enlarged (nearest neighbour) to at least this


def network_plan(image_size: int) -> tuple[int, int]:
    """(side of the generator's first feature map, number of stride-2 steps) for a picture size."""
    if image_size not in GAN_SIZES:
        raise JobError(f"A GAN here makes pictures of {', '.join(map(str, GAN_SIZES))} px, not {image_size}.")
    steps = 2 if image_size == 28 else 3
    return image_size // 2**steps, steps


def build_discriminator(params: GanParams) -> keras.Sequential:
    """Picture -> probability that it is real. Widths double as the resolution halves."""
    _, steps = network_plan(params.image_size)
    stack = [keras.Input((params.image_size, params.image_size, params.channels))]
    for index in range(steps):
        stack += [
            layers.Conv2D(params.base_filters * 2**index, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
        ]
    stack += [layers.Flatten(), layers.Dropout(params.dropout, name="dropout"), layers.Dense(1, activation="sigmoid")]
    return keras.Sequential(stack, name="discriminator")


def build_generator(params: GanParams) -> keras.Sequential:
    """Latent point -> picture in [-1, 1]: the discriminator in reverse, widest at the smallest map
    (as in the DCGAN paper; it costs far less than widening toward the output)."""
    start, steps = network_plan(params.image_size)
    widest = params.base_filters * 2 ** (steps - 1)
    stack = [
        keras.Input((params.latent_dim,)),
        layers.Dense(start * start * widest),
        layers.Reshape((start, start, widest)),
        layers.LeakyReLU(negative_slope=0.2),
    ]
    for index in range(steps):
        stack += [
            layers.Conv2DTranspose(widest // 2**index, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
        ]
    stack.append(layers.Conv2D(params.channels, kernel_size=5, padding="same", activation="tanh"))
    return keras.Sequential(stack, name="generator")


@keras.saving.register_keras_serializable(package="studio")
class GanModel(keras.Model):
    """Generator, discriminator and their two Adam optimizers, saved together in one .keras file
    with the parameters and the number of epochs trained, so a saved model can resume training."""

    def __init__(self, params: GanParams | dict, epochs_done: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.gan_params = params if isinstance(params, GanParams) else params_from_dict(GanParams, params)
        self.epochs_done = epochs_done
        self.generator = build_generator(self.gan_params)
        self.discriminator = build_discriminator(self.gan_params)
        self.d_optimizer = keras.optimizers.Adam(self.gan_params.d_learning_rate, beta_1=self.gan_params.adam_beta_1)
        self.g_optimizer = keras.optimizers.Adam(self.gan_params.g_learning_rate, beta_1=self.gan_params.adam_beta_1)
        # Built now so a loaded file's optimizer state has variables to land in.
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)
        self._label_noise = self.gan_params.label_noise
        seed = self.gan_params.seed
        self._noise = (
            tf.random.Generator.from_seed(seed)
            if seed is not None
            else tf.random.Generator.from_non_deterministic_state()
        )
        self._compiled_step = None
        self.built = True  # both networks were built from their Input layers

    @property
    def latent_dim(self) -> int:
        return self.gan_params.latent_dim

    def call(self, latents, training=False):
        return self.generator(latents, training=training)

    def get_config(self) -> dict:
        return {"name": self.name, "params": params_to_dict(self.gan_params), "epochs_done": self.epochs_done}

    def configure_training(self, params: GanParams) -> None:
        """Take the training knobs of `params` (learning rates, label noise, dropout...), keeping this
        model's architecture: how a resumed run applies the advice to calm a winning discriminator."""
        architecture = {name: getattr(self.gan_params, name) for name in ARCHITECTURE_FIELDS}
        self.gan_params = dataclasses.replace(params, **architecture)
        self.d_optimizer.learning_rate.assign(self.gan_params.d_learning_rate)
        self.g_optimizer.learning_rate.assign(self.gan_params.g_learning_rate)
        self.discriminator.get_layer("dropout").rate = self.gan_params.dropout
        self._label_noise = self.gan_params.label_noise
        self._compiled_step = None  # retrace: dropout and label noise are baked into the graph

    def train_step(self, real_images):
        """One round: the discriminator learns from a real and a generated batch, then the generator
        learns to make the discriminator call its pictures real. Returns the batch's losses.

        `d_loss` is scored against the true labels, so it really tends to zero when the
        discriminator wins; the noise on its training labels is a trick, not part of the score.
        """
        batch = tf.shape(real_images)[0]
        fakes = self.generator(self._noise.normal((batch, self.latent_dim)), training=True)
        images = tf.concat([real_images, fakes], axis=0)
        truth = tf.concat([tf.ones((batch, 1)), tf.zeros((batch, 1))], axis=0)
        # Pull each label a random way toward the other class: randomness keeps the game from stalling.
        jitter = self._label_noise * self._noise.uniform(tf.shape(truth))
        noisy_labels = truth + jitter * (1.0 - 2.0 * truth)
        with tf.GradientTape() as tape:
            predictions = self.discriminator(images, training=True)
            d_train_loss = tf.reduce_mean(keras.losses.binary_crossentropy(noisy_labels, predictions))
        d_gradients = tape.gradient(d_train_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(d_gradients, self.discriminator.trainable_weights))

        latents = self._noise.normal((batch, self.latent_dim))
        with tf.GradientTape() as tape:
            verdicts = self.discriminator(self.generator(latents, training=True), training=True)
            g_loss = tf.reduce_mean(keras.losses.binary_crossentropy(tf.ones((batch, 1)), verdicts))
        g_gradients = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(g_gradients, self.generator.trainable_weights))
        d_loss = tf.reduce_mean(keras.losses.binary_crossentropy(truth, predictions))
        return {"d_loss": d_loss, "g_loss": g_loss}

    def compiled_train_step(self, real_images: tf.Tensor) -> dict[str, tf.Tensor]:
        """`train_step` as one graph, traced once for any batch size."""
        if self._compiled_step is None:
            size, channels = self.gan_params.image_size, self.gan_params.channels
            spec = tf.TensorSpec([None, size, size, channels], tf.float32)
            self._compiled_step = tf.function(self.train_step, input_signature=[spec])
        return self._compiled_step(real_images)


# -- training -------------------------------------------------------------------------------------
def discriminator_advice(d_loss: float, params: GanParams) -> str | None:
    """The reference chapter's advice when the discriminator dominates, with values to try; None otherwise."""
    if d_loss >= DISCRIMINATOR_WINS_LOSS:
        return None
    return (
        f"The discriminator is winning (its loss is {d_loss:.3f}, near zero), so the generator has little to "
        f"learn from. Stop, then try a lower discriminator learning rate (e.g. {params.d_learning_rate / 2:.2g}), "
        f"more label noise (e.g. {min(max(params.label_noise * 2, 0.1), 0.3):.2g}) or more dropout "
        f"(e.g. {min(params.dropout + 0.2, 0.7):.2g}), and Resume."
    )


def monitor_latents(latent_dim: int) -> np.ndarray:
    """The fixed latent points of the training preview."""
    return np.random.default_rng(MONITOR_SEED).standard_normal((MONITOR_COUNT, latent_dim)).astype(np.float32)


def monitor_grid(model: GanModel) -> np.ndarray:
    """The pictures the generator makes now from the fixed monitor points, as one uint8 RGB grid."""
    return tile_images(generate(model, monitor_latents(model.latent_dim)), MONITOR_COLUMNS, gap=1)


def train_gan(
    pictures: np.ndarray,
    params: GanParams,
    model: GanModel | None = None,
    checkpoint_path: str | os.PathLike | None = None,
) -> Iterator[Progress]:
    """Train a DCGAN on uint8 `pictures` (N, size, size, channels) until `params.epochs` epochs in all.

    Continues `model` if given (its architecture wins; its training knobs follow `params`).
    Yields the mean losses every `params.report_every` batches, with `data["warning"]` holding the
    chapter's advice while the discriminator wins, and after each epoch the monitor grid as
    preview, `data["model"]`, the grid's `data["latents"]` and `data["columns"]`, and (when
    `checkpoint_path` is given) a saved checkpoint.
    Returns the model.
    """
    if model is None:
        if params.seed is not None:
            keras.utils.set_random_seed(params.seed)
        model = GanModel(params)
    else:
        model.configure_training(params)
    params = model.gan_params
    expected = (params.image_size, params.image_size, params.channels)
    if pictures.ndim != 4 or pictures.shape[1:] != expected:
        raise JobError(
            f"This GAN makes {params.image_size} px pictures with {params.channels} channel(s); "
            f"the pictures given are shaped {pictures.shape[1:]}."
        )
    if len(pictures) < MIN_PICTURES:
        raise JobError(
            f"A GAN needs at least {MIN_PICTURES} pictures to learn from (it learns well from "
            f"thousands); only {len(pictures)} were given."
        )
    if params.epochs <= model.epochs_done:
        raise JobError(f"This model has already trained {model.epochs_done} epochs; set more epochs to train further.")
    if not 0 <= params.label_noise < 0.5 or not 0 <= params.dropout < 1:
        raise JobError("Keep label noise between 0 and 0.5 and dropout between 0 and 1.")
    from studio.core.datasets import to_dataset

    dataset = to_dataset(pictures, params.batch_size, seed=params.seed, scale="tanh")
    batches = int(dataset.cardinality())
    report_every = max(1, params.report_every)
    total = (params.epochs - model.epochs_done) * batches
    step = 0
    # The monitor's points travel with its grid so a viewer can pick its cells.
    monitor = {"latents": monitor_latents(params.latent_dim), "columns": MONITOR_COLUMNS}
    yield Progress(
        step,
        total,
        f"Epoch {model.epochs_done + 1}/{params.epochs}",
        preview=monitor_grid(model),
        data={"epoch": model.epochs_done, "model": model, **monitor},
    )
    warning = None
    for epoch in range(model.epochs_done, params.epochs):
        window: list[dict[str, tf.Tensor]] = []
        for index, real_images in enumerate(dataset):
            window.append(model.compiled_train_step(real_images))
            step += 1
            if len(window) == report_every or index == batches - 1:
                metrics = {name: float(np.mean([losses[name] for losses in window])) for name in window[0]}
                window.clear()
                warning = discriminator_advice(metrics["d_loss"], params)
                stage = f"Epoch {epoch + 1}/{params.epochs} · batch {index + 1}/{batches}"
                if warning:
                    stage += " · the discriminator is winning"
                yield Progress(step, total, stage, metrics=metrics, data={"epoch": epoch, "warning": warning})
        model.epochs_done = epoch + 1
        data = {"epoch": epoch + 1, "model": model, "warning": warning, **monitor}
        if checkpoint_path is not None:
            data["checkpoint"] = str(save_gan(model, checkpoint_path))
        yield Progress(step, total, f"Epoch {epoch + 1}/{params.epochs} done", preview=monitor_grid(model), data=data)
    return model


def train_gan_job(
    params: GanParams, model: GanModel | None = None, resume_from: str | None = None, checkpoint_path: str | None = None
) -> Iterator[Progress]:
    """What the app and CLI run: read the dataset `params` names, then train (a fresh model, the
    given `model`, or the one saved at `resume_from`)."""
    from studio.core.datasets import load_pictures

    if model is None and resume_from:
        model = load_gan(resume_from)
    architecture = model.gan_params if model is not None else params
    yield Progress(0, 0, f"Reading {Path(params.dataset).name or params.dataset}")
    pictures = load_pictures(params.dataset, architecture.image_size, architecture.channels, params.limit)
    return (yield from train_gan(pictures, params, model, checkpoint_path))


# -- saving -----------------------------------------------------------------------------------------
def save_gan(model: GanModel, path: str | os.PathLike) -> Path:
    """Write the model to a .keras file atomically (a stop mid-save never leaves half a file)."""
    path = Path(path)
    if path.suffix.lower() != ".keras":
        raise JobError(f"Save GAN models as .keras files, not '{path.suffix or path.name}'.")
    with atomic_path(path) as temp:
        model.save(temp)
    return path


def load_gan(path: str | os.PathLike) -> GanModel:
    """A GAN saved by `save_gan`, ready to sample or to train further."""
    path = Path(path)
    if not path.is_file():
        raise JobError(f"{path.name} was not found. It may have been moved or deleted.")
    # Look at what the file holds before Keras builds it: another kind of model would fail obscurely.
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise JobError(f"{path.name} is not a .keras model file, or the file is damaged.") from None
    if config.get("registered_name") != "studio>GanModel":
        raise JobError(
            f"{path.name} holds a {config.get('class_name', 'model')}, not a GAN saved by Studio "
            "(VAEs open on the VAE page)."
        )
    try:
        return keras.saving.load_model(path)
    except Exception as error:  # Keras reports a bad file with many error types
        raise JobError(f"{path.name} could not be read ({error}); the file may be damaged.") from None


def load_gan_job(path: str) -> Iterator[Progress]:
    yield Progress(0, 0, f"Loading {Path(path).name}")
    return load_gan(path)


def save_gan_job(model: GanModel, path: str) -> Iterator[Progress]:
    yield Progress(0, 0, f"Saving {Path(path).name}")
    return str(save_gan(model, path))


# -- sampling ---------------------------------------------------------------------------------------
def sample_latents(count: int, latent_dim: int, seed: int | None = None, truncation: float | None = None) -> np.ndarray:
    """`count` standard-normal latent points; with `truncation`, components beyond it are drawn again."""
    rng = np.random.default_rng(seed)
    latents = rng.standard_normal((count, latent_dim)).astype(np.float32)
    if truncation is not None:
        if truncation < 0.1:
            raise JobError("Use a truncation of at least 0.1 (smaller leaves almost no variety).")
        outside = np.abs(latents) > truncation
        while outside.any():
            latents[outside] = rng.standard_normal(int(outside.sum()))
            outside = np.abs(latents) > truncation
    return latents


def generate(model: GanModel, latents: np.ndarray) -> np.ndarray:
    """Pictures for latent points, uint8 (N, size, size, channels)."""
    images = model.generator(np.asarray(latents, np.float32), training=False)
    return np.clip((np.asarray(images) + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8)


def sample_grid(model: GanModel, params: GanSampleParams) -> tuple[np.ndarray, np.ndarray]:
    """A fresh grid: (uint8 RGB grid, the latent points of its cells in reading order)."""
    if params.count < 1 or params.columns < 1:
        raise JobError("Ask for at least one picture and one column.")
    latents = sample_latents(params.count, model.latent_dim, params.seed, params.truncation)
    return tile_images(generate(model, latents), params.columns), latents


def sample_grid_job(model: GanModel, params: GanSampleParams) -> Iterator[Progress]:
    yield Progress(0, 0, "Generating")
    grid, latents = sample_grid(model, params)
    return {"grid": grid, "latents": latents, "columns": params.columns}


def interpolation_strip(
    model: GanModel, start: np.ndarray, end: np.ndarray, steps: int = 8, spherical: bool = True
) -> np.ndarray:
    """The pictures on the way from one latent point to another, side by side (uint8 RGB)."""
    return tile_images(generate(model, interpolate(start, end, steps, spherical)), steps, gap=1)


def interpolation_job(
    model: GanModel, start: np.ndarray, end: np.ndarray, steps: int = 8, spherical: bool = True
) -> Iterator[Progress]:
    yield Progress(0, 0, "Interpolating")
    return interpolation_strip(model, start, end, steps, spherical)


def walk_frames(
    model: GanModel, keypoints: np.ndarray, steps_per_leg: int = 24, spherical: bool = True
) -> list[np.ndarray]:
    """A looping walk through `keypoints` as enlarged uint8 RGB frames."""
    path = walk(keypoints, steps_per_leg, spherical, loop=True)
    return [
        enlarge(frame, factor_to_reach(frame, ANIMATION_MIN_SIDE))
        for frame in (tile_images(image[None], 1) for image in generate(model, path))
    ]


def export_walk_job(
    model: GanModel,
    path: str,
    keypoints: np.ndarray | None = None,
    count: int = 4,
    seed: int | None = None,
    truncation: float | None = None,
    steps_per_leg: int = 24,
    fps: float = 12.0,
) -> Iterator[Progress]:
    """Save a latent walk animation (GIF, or MP4 with ffmpeg) through `keypoints`, or through
    `count` random points drawn with `seed` and `truncation`. Returns the saved path."""
    if keypoints is None:
        keypoints = sample_latents(count, model.latent_dim, seed, truncation)
    if len(keypoints) < 2:
        raise JobError("A walk needs at least two latent points.")
    yield Progress(0, 2, "Generating frames")
    frames = walk_frames(model, keypoints, steps_per_leg)
    yield Progress(1, 2, f"Saving {Path(path).name}")
    return str(save_animation(frames, path, fps))
