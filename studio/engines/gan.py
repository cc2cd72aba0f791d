"""DCGAN for small sets: a generator that turns latent points into pictures, trained against a
discriminator that tells generated pictures from real ones.

What makes it learn from a hundred pictures in minutes on a CPU: differentiable augmentation of
every picture the discriminator sees, real and generated alike (`studio.engines.augment`);
spectral normalisation of the discriminator (it cannot change its verdict abruptly, so the game
stays stable); resize-then-convolve upsampling in the generator (no transposed-convolution
checkerboard); pictures sampled from an exponential moving average (EMA) of the generator's
weights, which averages out the last steps' jitter; and many steps per compiled call on pictures
held on the graph. The reference chapter's tricks (label noise, dropout, two learning rates) stay
as knobs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from studio.core.catalog import size_advice
from studio.core.datasets import batches_per_epoch, fit_square
from studio.core.image_ops import to_rgb, to_working
from studio.core.images import enlarge, factor_to_reach
from studio.core.model_files import GAN, load_keras_model, save_keras_model
from studio.core.params.gan import ARCHITECTURE_FIELDS, GAN_SIZES, GanParams, GanSampleParams
from studio.core.progress import JobError, Progress
from studio.engines.augment import diff_augment, mirror
from studio.engines.latent import (
    LatentSliders,
    in_chunks,
    interpolate,
    principal_directions,
    save_animation,
    tile_images,
    walk,
)
from studio.engines.training import (
    ChunkPacer,
    ModelWithParams,
    compile_chunk,
    model_to_train,
    random_batch,
    random_generator,
)

MIN_PICTURES = 8
MONITOR_SEED = 2014  # the monitor grid's latent points: the same in every run, so epochs compare
MONITOR_COUNT = 36
MONITOR_COLUMNS = 6
# Below this (true-label) loss the discriminator is sure of nearly every picture, and the
# generator's gradients fade: the reference chapter's "discriminator dominates" case.
DISCRIMINATOR_WINS_LOSS = 0.05
ANIMATION_MIN_SIDE = 192  # animation frames are enlarged (nearest neighbour) to at least this
FEATURES_LAYER = "features"  # the generator's first layer's output: where principal directions are found
DIRECTION_SAMPLES = 4096
MAX_DIRECTIONS = 8  # sliders, as for a VAE
PROJECTION_CANDIDATES = 256  # random starting points tried before a projection is refined
# Keeps a projected code where the generator was trained (|z|^2 / D near 1): without it the
# optimiser can reach odd corners that copy the photo's pixels but fall apart under the sliders.
PROJECTION_PRIOR = 0.05
# XLA fuses the small ops of a step (augmentation, activations, EMA); measured in bench/bench_latent.py.
JIT_COMPILE = False
METRICS = ("d_loss", "g_loss")


def network_plan(image_size: int) -> tuple[int, int]:
    """(side of the generator's first feature map, number of 2x resolution steps) for a picture size."""
    if image_size not in GAN_SIZES:
        raise JobError(f"A GAN here makes pictures of {', '.join(map(str, GAN_SIZES))} px, not {image_size}.")
    steps = 2 if image_size == 28 else 3
    return image_size // 2**steps, steps


def build_discriminator(params: GanParams) -> keras.Sequential:
    """Picture -> a real-or-made score (a logit). Strided convolutions with kernel 4 (divisible by
    the stride, so every input pixel counts equally); widths double as the resolution halves;
    spectral normalisation keeps each layer from amplifying any input change more than 1x."""
    _, steps = network_plan(params.image_size)
    stack = [keras.Input((params.image_size, params.image_size, params.channels))]
    for index in range(steps):
        convolution = layers.Conv2D(params.base_filters * 2 ** (index + 1), kernel_size=4, strides=2, padding="same")
        stack += [layers.SpectralNormalization(convolution), layers.LeakyReLU(negative_slope=0.2)]
    # Keras gives a Dropout layer its random seed only when made with a rate above 0; a resumed
    # run may raise the rate (the chapter's advice), so it is made with one and then set.
    dropout = layers.Dropout(0.5, name="dropout")
    dropout.rate = params.dropout
    stack += [layers.Flatten(), dropout, layers.SpectralNormalization(layers.Dense(1))]
    return keras.Sequential(stack, name="discriminator")


def build_generator(params: GanParams, name: str = "generator") -> keras.Sequential:
    """Latent point -> picture in [-1, 1]: a dense layer to a small map, then per step a nearest-
    neighbour 2x resize and a 3x3 convolution (every output pixel gets the same number of
    contributions, so no checkerboard), narrowing as the resolution grows (the DCGAN shape,
    cheapest at the top). Nearest, not bilinear: with bilinear resizes the samples on the 100 faces
    grew smooth bright "worm" ridges across the face. SiLU, not leaky ReLU: smoother shading and
    fewer blotches, and samples nearer the faces (both measured in bench/bench_latent_quality.py)."""
    start, steps = network_plan(params.image_size)
    widest = params.base_filters * 2**steps
    stack = [
        keras.Input((params.latent_dim,)),
        layers.Dense(start * start * widest),
        layers.Reshape((start, start, widest)),
        layers.Activation("silu", name=FEATURES_LAYER),
    ]
    for index in range(steps):
        stack += [
            layers.UpSampling2D(2, interpolation="nearest"),
            layers.Conv2D(widest // 2 ** (index + 1), kernel_size=3, padding="same"),
            layers.Activation("silu"),
            # Pixel normalisation (ProGAN): each pixel's features scaled to unit length, so no
            # feature can grow without bound.
            layers.UnitNormalization(axis=-1),
        ]
    stack.append(layers.Conv2D(params.channels, kernel_size=3, padding="same", activation="tanh"))
    return keras.Sequential(stack, name=name)


# Which generator design a saved GAN was trained with. Files keep only weights and parameters, so a
# file from an earlier design would load into today's layers (the shapes match) and draw garbage:
# raise this whenever the generator's layers change meaning. 2: nearest upsampling and SiLU.
GENERATOR_DESIGN = 2


@keras.saving.register_keras_serializable(package="studio")
class GanModel(ModelWithParams):
    """Generator, its moving average, discriminator and their two Adam optimizers, saved together
    in one .keras file with the parameters and the number of epochs trained, so a saved model can
    resume training. Pictures always come from `generator_ema`."""

    params_type = GanParams
    architecture_fields = ARCHITECTURE_FIELDS

    def __init__(
        self,
        params: GanParams | dict,
        epochs_done: int = 0,
        training_pictures: int = 0,
        generator_design: int = GENERATOR_DESIGN,  # load_gan refuses other designs before building
        **kwargs,
    ):
        super().__init__(params, **kwargs)
        self.epochs_done = epochs_done
        self.training_pictures = training_pictures  # how many pictures the last run learnt from
        self.generator = build_generator(self.params)
        self.generator_ema = build_generator(self.params, name="generator_ema")
        self.generator_ema.set_weights(self.generator.get_weights())
        self.discriminator = build_discriminator(self.params)
        self.d_optimizer = keras.optimizers.Adam(self.params.d_learning_rate, beta_1=self.params.adam_beta_1)
        self.g_optimizer = keras.optimizers.Adam(self.params.g_learning_rate, beta_1=self.params.adam_beta_1)
        # Built now so a loaded file's optimizer state has variables to land in.
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)
        self._trainer = None
        self.built = True  # all networks were built from their Input layers

    @property
    def latent_dim(self) -> int:
        return self.params.latent_dim

    def call(self, latents, training=False):
        return self.generator_ema(latents, training=training)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "epochs_done": self.epochs_done,
            "training_pictures": self.training_pictures,
            "generator_design": GENERATOR_DESIGN,
        }

    def configure_training(self, params: GanParams) -> None:
        """Take the training knobs of `params` (learning rates, label noise, dropout...), keeping this
        model's architecture: how a resumed run applies the advice to calm a winning discriminator."""
        super().configure_training(params)
        self.d_optimizer.learning_rate.assign(self.params.d_learning_rate)
        self.g_optimizer.learning_rate.assign(self.params.g_learning_rate)
        self.discriminator.get_layer("dropout").rate = self.params.dropout
        self._trainer = None  # retrace: dropout, label noise and augmentation are baked into the graph

    def trainer(self, pictures: np.ndarray) -> GanTrainer:
        """The compiled training of this model on `pictures` (made once per run)."""
        self._trainer = GanTrainer(self, pictures)
        return self._trainer


class GanTrainer:
    """One compiled training step, run many times per call on pictures held on the graph."""

    def __init__(self, model: GanModel, pictures: np.ndarray):
        self.model = model
        self.params = model.params
        self.noise = random_generator(self.params.seed)
        self.pictures = tf.Variable(pictures, trainable=False)
        self.run_chunk = compile_chunk(self.train_step, len(METRICS), jit_compile=JIT_COMPILE)

    def augment(self, images):
        """DiffAugment of a batch the discriminator is about to judge (identity when turned off)."""
        return diff_augment(images, self.noise, low=-1.0) if self.params.augment else images

    def train_step(self):
        """One round on a random batch: the discriminator learns to tell the (mirrored) real
        pictures from generated ones, the generator learns to make it call its pictures real, both
        from the same augmented batch; then the moving average follows the generator.
        Returns (d_loss, g_loss); d_loss is scored against the true labels, so it really tends to
        zero when the discriminator wins (the label noise is a trick, not part of the score)."""
        model, params = self.model, self.params
        reals = mirror(random_batch(self.pictures, params.batch_size, self.noise, low=-1.0), self.noise)
        latents = self.noise.normal((params.batch_size, params.latent_dim))
        truth = tf.concat([tf.ones((params.batch_size, 1)), tf.zeros((params.batch_size, 1))], axis=0)
        # Pull each label a random way toward the other class: randomness keeps the game from stalling.
        jitter = params.label_noise * self.noise.uniform(tf.shape(truth))
        noisy_labels = truth + jitter * (1.0 - 2.0 * truth)
        with tf.GradientTape(persistent=True) as tape:
            fakes = model.generator(latents, training=True)
            logits = model.discriminator(self.augment(tf.concat([reals, fakes], axis=0)), training=True)
            d_train_loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(noisy_labels, logits))
            g_loss = tf.reduce_mean(tf.nn.softplus(-logits[params.batch_size :]))
        d_weights, g_weights = model.discriminator.trainable_weights, model.generator.trainable_weights
        model.d_optimizer.apply_gradients(zip(tape.gradient(d_train_loss, d_weights), d_weights))
        model.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, g_weights), g_weights))
        del tape
        self.update_average()
        d_loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(truth, logits))
        return d_loss, g_loss

    def update_average(self):
        """EMA of the generator's weights; the decay ramps up over the first steps so the
        average does not start out dragging the random initial weights along."""
        steps = tf.cast(self.model.g_optimizer.iterations, tf.float32)
        decay = tf.minimum(self.params.ema_decay, (1.0 + steps) / (10.0 + steps))
        for average, weight in zip(self.model.generator_ema.weights, self.model.generator.weights):
            average.assign(decay * average + (1.0 - decay) * weight)


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

    Continues `model` if given (its architecture wins; its training knobs follow `params`). An
    epoch is one pass over the pictures, or over 2,000 augmented copies of a smaller set.
    Yields the mean losses about four times a second, with `data["warning"]` holding advice (a set
    too small to expect much from, or the chapter's advice while the discriminator wins), and after
    each epoch the monitor grid as preview, `data["model"]`, the grid's `data["latents"]` and
    `data["columns"]`, and (when `checkpoint_path` is given) a saved checkpoint.
    Returns the model.
    """
    model = model_to_train(model, params, GanModel)
    params = model.params
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
    if not 0 <= params.label_noise < 0.5 or not 0 <= params.dropout < 1 or not 0 <= params.ema_decay < 1:
        raise JobError("Keep label noise between 0 and 0.5, and dropout and averaging between 0 and 1.")
    if params.batch_size < 2:
        raise JobError("Use a batch of at least 2 pictures.")
    trainer = model.trainer(pictures)
    model.training_pictures = len(pictures)
    batches = batches_per_epoch(len(pictures), params.batch_size)
    total = (params.epochs - model.epochs_done) * batches
    small_set = size_advice("gan", len(pictures))
    step = 0
    # The monitor's points travel with its grid so a viewer can pick its cells.
    monitor = {"latents": monitor_latents(params.latent_dim), "columns": MONITOR_COLUMNS}
    yield Progress(
        step,
        total,
        f"Epoch {model.epochs_done + 1}/{params.epochs}",
        preview=monitor_grid(model),
        data={"epoch": model.epochs_done, "model": model, "warning": small_set, **monitor},
    )
    pacer = ChunkPacer()
    warning = small_set
    for epoch in range(model.epochs_done, params.epochs):
        done_in_epoch = 0
        for count, means in pacer.run(trainer.run_chunk, batches):
            step += count
            done_in_epoch += count
            metrics = {name: float(value) for name, value in zip(METRICS, means)}
            advice = discriminator_advice(metrics["d_loss"], params)
            warning = advice or small_set
            stage = f"Epoch {epoch + 1}/{params.epochs} · batch {done_in_epoch}/{batches}"
            if advice:
                stage += " · the discriminator is winning"
            yield Progress(step, total, stage, metrics=metrics, data={"epoch": epoch, "warning": warning})
        model.epochs_done = epoch + 1
        data = {"epoch": epoch + 1, "model": model, "warning": warning, **monitor}
        if checkpoint_path is not None:
            data["checkpoint"] = str(save_gan(model, checkpoint_path))
        yield Progress(step, total, f"Epoch {epoch + 1}/{params.epochs} done", preview=monitor_grid(model), data=data)
    return model


def finish_message(model: GanModel) -> str:
    """What to tell the user when training ends: what was done, and what to expect from it."""
    summary = f"Trained {model.epochs_done} epochs on {model.training_pictures} pictures."
    advice = size_advice("gan", model.training_pictures)
    return f"{summary} {advice}" if advice else summary


def train_gan_job(
    params: GanParams, model: GanModel | None = None, resume_from: str | None = None, checkpoint_path: str | None = None
) -> Iterator[Progress]:
    """What the app and CLI run: read the dataset `params` names, then train (a fresh model, the
    given `model`, or the one saved at `resume_from`)."""
    from studio.core.datasets import read_training_pictures

    if model is None and resume_from:
        model = load_gan(resume_from)
    architecture = model.params if model is not None else params
    yield Progress(0, 0, f"Reading {Path(params.dataset).name or params.dataset}")
    size, channels = architecture.image_size, architecture.channels
    pictures, note = read_training_pictures(params.dataset, size, channels, params.limit)
    yield Progress(0, 0, note, data={"note": note})
    return (yield from train_gan(pictures, params, model, checkpoint_path))


# -- saving -----------------------------------------------------------------------------------------
def save_gan(model: GanModel, path: str | os.PathLike) -> Path:
    """Write the model to a .keras file atomically (a stop mid-save never leaves half a file)."""
    return save_keras_model(model, path, GAN)


def load_gan(path: str | os.PathLike) -> GanModel:
    """A GAN saved by `save_gan`, ready to sample or to train further."""

    def check_generator_design(keras_config: dict[str, Any]) -> None:
        if keras_config.get("config", {}).get("generator_design", 1) != GENERATOR_DESIGN:
            raise JobError(
                f"{Path(path).name} was trained by an earlier Studio whose generator is built differently, so its "
                "pictures would come out wrong. Train a new GAN on the same pictures (the file is left as it is)."
            )

    return load_keras_model(path, GAN, check_generator_design)


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
    """Pictures for latent points from the averaged generator, uint8 (N, size, size, channels)."""
    return to_rgb(model.generator_ema(np.asarray(latents, np.float32), training=False))


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


# -- exploring: principal directions as sliders, and photos projected into the latent space ---------
def principal_latents(
    model: GanModel, count: int = MAX_DIRECTIONS, samples: int = DIRECTION_SAMPLES, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The GANSpace directions: principal components of the generator's first-layer features over
    `samples` random latent points, carried back into latent space by least squares.

    Returns (directions (count, D), unit rows made orthogonal in order of importance; spread
    (count,), the standard deviation of random latent points along each, the scale of a slider;
    explained (count,), the share of the features' variance each component accounts for).
    A slider along direction 1 changes the pictures the most, and in a way that reads as one
    trait (pose, lighting, face width) rather than noise.
    """
    latents = sample_latents(samples, model.latent_dim, seed)
    first_layer = keras.Model(model.generator_ema.inputs[0], model.generator_ema.get_layer(FEATURES_LAYER).output)
    features = in_chunks(lambda chunk: first_layer(chunk, training=False), latents).reshape(samples, -1)
    mean, components, component_spread = principal_directions(features, count)
    coefficients = (features - mean) @ components.T
    to_latent, *_ = np.linalg.lstsq(coefficients, latents, rcond=None)
    orthogonal, triangle = np.linalg.qr(to_latent.T)
    directions = (orthogonal * np.sign(np.diag(triangle))).T.astype(np.float32)
    spread = (latents @ directions.T).std(axis=0).astype(np.float32)
    total = ((features - mean) ** 2).sum() / max(samples - 1, 1)
    explained = (component_spread**2 / max(total, 1e-12)).astype(np.float32)
    return directions, spread, explained


class GanExplorer(LatentSliders):
    """A trained GAN's latent space for interactive use, on a par with the VAE's `Explorer`:
    sliders along the principal directions (`principal_latents`), planes, grids, interpolations,
    all drawn by the averaged generator through one compiled call. NumPy in, NumPy out."""

    def __init__(self, model: GanModel, count: int = MAX_DIRECTIONS, seed: int = 0):
        directions, spread, explained = principal_latents(model, count, seed=seed)
        names = [f"direction {index + 1}" for index in range(len(directions))]
        super().__init__(model.latent_dim, np.zeros(model.latent_dim, np.float32), directions, spread, names)
        self.model = model
        self.explained = explained
        self.image_size = model.params.image_size
        self.channels = model.params.channels
        self._generate = tf.function(
            lambda latents: model.generator_ema(latents, training=False),
            input_signature=[tf.TensorSpec([None, model.latent_dim], tf.float32)],
        )
        self._generate(tf.zeros((1, model.latent_dim)))

    def decode_batch(self, codes: np.ndarray) -> np.ndarray:
        pictures = to_rgb(in_chunks(self._generate, codes))
        return np.repeat(pictures, 3, axis=-1) if pictures.shape[-1] == 1 else pictures


def explorer_job(model: GanModel) -> Iterator[Progress]:
    """Find the principal directions (about a second) off the GUI thread; returns a GanExplorer."""
    yield Progress(0, 1, "Finding the main directions")
    return GanExplorer(model)


class Projector:
    """Gradient descent on one latent point so the averaged generator's picture matches a target."""

    def __init__(self, model: GanModel, target: np.ndarray, start: np.ndarray, learning_rate: float):
        self.model = model
        self.target = tf.constant(target)
        self.latent = keras.Variable(start[None], dtype="float32", name="projected_latent")
        self.optimizer = keras.optimizers.Adam(learning_rate)
        self.optimizer.build([self.latent])
        self.run_chunk = compile_chunk(self.step, 1)

    def step(self):
        with tf.GradientTape() as tape:
            picture = self.model.generator_ema(self.latent, training=False)
            loss = tf.reduce_mean(tf.square(picture - self.target))
            typical = tf.square(tf.reduce_mean(tf.square(self.latent)) - 1.0)
            objective = loss + PROJECTION_PRIOR * typical
        self.optimizer.apply_gradients([(tape.gradient(objective, self.latent), self.latent)])
        return (loss,)


def project_job(
    model: GanModel, picture: np.ndarray, steps: int = 300, learning_rate: float = 0.05, seed: int | None = 0
) -> Iterator[Progress]:
    """Find the latent point whose picture looks most like `picture` (uint8 RGB, any size): the
    best of PROJECTION_CANDIDATES random points, refined by `steps` steps of gradient descent.

    Yields progress about four times a second with the current match as preview and its loss
    (mean squared error on the [-1, 1] scale); stopping keeps nothing. Returns {"latent": (D,),
    "picture": uint8 RGB at the model's size, "loss": the final loss, "start_loss": the best
    random point's}. The sliders can then edit the photo through the latent point.
    """
    if steps < 1:
        raise JobError("Project with at least 1 step.")
    params = model.params
    target = fit_square(np.asarray(picture, np.uint8), params.image_size, params.channels)
    target = to_working(target)[None]
    yield Progress(0, steps, "Trying starting points")
    candidates = sample_latents(PROJECTION_CANDIDATES, model.latent_dim, seed)
    errors = np.concatenate(
        [
            np.mean((np.asarray(model.generator_ema(chunk, training=False)) - target) ** 2, axis=(1, 2, 3))
            for chunk in np.array_split(candidates, max(1, PROJECTION_CANDIDATES // 64))
        ]
    )
    best = int(np.argmin(errors))
    projector = Projector(model, target, candidates[best], learning_rate)
    done, loss = 0, float(errors[best])
    for count, means in ChunkPacer().run(projector.run_chunk, steps):
        done += count
        loss = float(means[0])
        preview = tile_images(generate(model, projector.latent.numpy()), 1)
        yield Progress(done, steps, "Projecting the picture", preview=preview, metrics={"loss": loss})
    latent = np.asarray(projector.latent.numpy()[0], np.float32)
    final = float(np.mean((np.asarray(model.generator_ema(latent[None], training=False)) - target) ** 2))
    return {
        "latent": latent,
        "picture": tile_images(generate(model, latent[None]), 1),
        "loss": final,
        "start_loss": float(errors[best]),
    }
