"""Variational autoencoder: learn a smooth latent space of a set of pictures, then explore it.

The encoder maps a picture to the mean and log-variance of a Gaussian over the latent space; the
`Sampler` draws a code from it; the decoder maps codes back to pictures. Training minimises the
reconstruction error plus `beta` times the KL divergence from the standard normal prior, which is
what makes every point of the space decode to a plausible picture.

After training, an `Explorer` answers the interactive questions (decode this code, this grid, this
interpolation) fast enough to follow a dragged slider.
"""

from __future__ import annotations

import json
import os
import time
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from studio.core.catalog import size_advice
from studio.core.datasets import batches_per_epoch, fit_square, load_pictures, read_training_pictures
from studio.core.files import atomic_path
from studio.core.images import enlarge, load_image
from studio.core.model_files import VAE, VAE_ENTRY, read_model_file, reading_weights
from studio.core.params import params_from_dict, params_to_dict
from studio.core.params.vae import TRAINING_FIELDS, VaeParams
from studio.core.progress import JobError, Progress
from studio.engines.augment import vary_pictures
from studio.engines.latent import (
    LatentPlane,
    LatentSliders,
    check_animation_path,
    concept_vector,
    in_chunks,
    principal_directions,
    save_animation,
    save_still,
    still_recipe,
    tile_images,
)
from studio.engines.training import ChunkPacer, compile_chunk, random_batch, random_generator, with_fields_of

PREVIEW_SIDE = 8  # the training preview decodes PREVIEW_SIDE x PREVIEW_SIDE fixed codes
MAX_SLIDERS = 8  # above this many latent dimensions, sliders follow the top principal directions
STATS_PICTURES = 2000  # pictures encoded to measure where the data sits in the latent space
CHECKPOINT_SECONDS = 30.0  # a stopped run loses at most this much training
# The likelihood's pixel noise (on a 0..1 scale): details finer than this are not worth a code.
# 0.15 (38 grey levels) keeps pose, lighting and face shape, leaves skin texture to the blur, and keeps
# the codes near the prior (on the 100 faces each dimension's spread ends between 0.8 and 1.3).
PIXEL_NOISE = 0.15


class Sampler(layers.Layer):
    """Draws z = mean + sigma * epsilon (the reparameterisation trick: the randomness is an input,
    so gradients flow through the mean and variance)."""

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, z_mean, z_log_var):
        epsilon = keras.random.normal(keras.ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + keras.ops.exp(0.5 * z_log_var) * epsilon


def build_encoder(params: VaeParams) -> keras.Model:
    """Strided convolutions (they keep where things are, which pooling loses) down to a dense
    layer, then the two heads: z_mean and z_log_var."""
    pictures = keras.Input((params.image_size, params.image_size, params.channels), name="picture")
    x = pictures
    for filters in params.filters:
        x = layers.Conv2D(filters, 3, strides=2, padding="same", activation="leaky_relu")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(params.dense_units, activation="leaky_relu")(x)
    z_mean = layers.Dense(params.latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(params.latent_dim, name="z_log_var")(x)
    return keras.Model(pictures, [z_mean, z_log_var], name="encoder")


def build_decoder(params: VaeParams) -> keras.Model:
    """The encoder mirrored: a dense layer to a small feature map, then per step a 2x resize and a
    convolution (resize-then-convolve leaves no checkerboard, unlike transposed convolutions), and a
    sigmoid so pixels land in [0, 1]. The layer before the sigmoid is named "logits"."""
    start = params.image_size // 2 ** len(params.filters)
    codes = keras.Input((params.latent_dim,), name="code")
    x = layers.Dense(start * start * params.filters[-1], activation="leaky_relu")(codes)
    x = layers.Reshape((start, start, params.filters[-1]))(x)
    # Each step narrows as it doubles the resolution, as the encoder widens as it halves it.
    for filters in [*reversed(params.filters[:-1]), max(params.filters[0] // 2, 8)]:
        x = layers.UpSampling2D(2, interpolation="bilinear")(x)
        x = layers.Conv2D(filters, 3, padding="same", activation="leaky_relu")(x)
    logits = layers.Conv2D(params.channels, 3, padding="same", name="logits")(x)
    pictures = layers.Activation("sigmoid", name="reconstruction")(logits)
    return keras.Model(codes, pictures, name="decoder")


class Vae:
    """A VAE: the Keras model (encoder and decoder nested in one autoencoder, saved as one .keras
    file with its optimizer state) plus what Studio knows about it: its parameters, how many epochs
    it has trained, and where its training pictures sit in the latent space."""

    def __init__(
        self, model: keras.Model, params: VaeParams, epochs_done: int = 0, latent_stats: dict[str, list] | None = None
    ):
        self.model = model
        self.params = params
        self.epochs_done = epochs_done
        self.latent_stats = latent_stats
        self.encoder = model.get_layer("encoder")
        self.decoder = model.get_layer("decoder")
        self.decoder_logits = keras.Model(self.decoder.inputs, self.decoder.get_layer("logits").output)

    @classmethod
    def build(cls, params: VaeParams) -> Vae:
        problems = params.problems()
        if problems:
            raise JobError(" ".join(problems))
        encoder, decoder = build_encoder(params), build_decoder(params)
        pictures = keras.Input(encoder.input_shape[1:], name="picture")
        model = keras.Model(pictures, decoder(encoder(pictures)[0]), name="vae")
        model.compile(optimizer=keras.optimizers.Adam(params.learning_rate))
        return cls(model, params)

    def save(self, path: str | os.PathLike) -> Path:
        """Write the model atomically as .keras, with Studio's metadata inside the same file."""
        path = Path(path)
        if path.suffix != ".keras":
            raise JobError(f"Save the model as a .keras file, not '{path.suffix or path.name}'.")
        with atomic_path(path) as temp:
            self.model.save(temp)
            metadata = {
                "technique": VAE,
                "params": params_to_dict(self.params),
                "epochs_done": self.epochs_done,
                "latent_stats": self.latent_stats,
            }
            with zipfile.ZipFile(temp, "a") as archive:
                archive.writestr(VAE_ENTRY, json.dumps(metadata))
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> Vae:
        metadata = read_model_file(path, VAE)
        with reading_weights(path):
            model = keras.models.load_model(path, compile=True)
        params = params_from_dict(VaeParams, metadata["params"])
        return cls(model, params, metadata.get("epochs_done", 0), metadata.get("latent_stats"))


class VaeTrainer:
    """The compiled training of one VAE on pictures held on the graph: draw a batch, vary it,
    encode, sample, decode, loss, update; many steps per call (see `studio.engines.training`)."""

    def __init__(self, vae: Vae, params: VaeParams, pictures: np.ndarray, warmup_steps: int):
        self.vae = vae
        self.params = params
        self.sampler = Sampler(params.seed)
        self.noise = random_generator(params.seed)
        self.pictures = tf.Variable(pictures, trainable=False)
        self.warmup_steps = max(1, warmup_steps)
        self.weights = vae.model.trainable_weights
        self.run_chunk = compile_chunk(self._train_step, len(METRICS))

    def kl_weight(self):
        """Beta, reached linearly over the warm-up: the decoder first learns to use the codes, then
        the KL term rounds their distribution off, instead of flattening them before they mean anything."""
        progress = tf.cast(self.vae.model.optimizer.iterations, tf.float32) / self.warmup_steps
        return self.params.beta * tf.minimum(1.0, progress)

    def _train_step(self):
        pictures = random_batch(self.pictures, self.params.batch_size, self.noise, low=0.0)
        if self.params.augment:
            pictures = vary_pictures(pictures, self.noise, low=0.0)
        weight = self.kl_weight()
        with tf.GradientTape() as tape:
            z_mean, z_log_var = self.vae.encoder(pictures, training=True)
            codes = self.sampler(z_mean, z_log_var)
            logits = self.vae.decoder_logits(codes, training=True)
            reconstruction, kl, kl_penalty = vae_losses(pictures, logits, z_mean, z_log_var, self.params.free_bits)
            loss = reconstruction + weight * kl_penalty
        gradients = tape.gradient(loss, self.weights)
        self.vae.model.optimizer.apply_gradients(zip(gradients, self.weights))
        return loss, reconstruction, kl


METRICS = ("loss", "reconstruction", "kl")


def vae_losses(pictures, logits, z_mean, z_log_var, free_bits: float = 0.0):
    """Per-picture means of the reconstruction error and of the KL divergence from N(0, I).

    The reconstruction is a Gaussian likelihood summed over pixels: squared error / (2 sigma^2)
    with sigma = PIXEL_NOISE. Cross-entropy on grey pictures (the reference chapter's choice, made
    for black-and-white digits) is as flat as a Gaussian with sigma near 0.5: it says any face is
    within noise of the mean face, so a code is not worth its KL cost and the VAE collapses.
    Returns (reconstruction, KL summed over dimensions, the KL penalty with `free_bits`: each
    dimension may carry that many nats before it is charged, so none is switched off early)."""
    squared = tf.square(pictures - tf.sigmoid(logits))
    reconstruction = tf.reduce_mean(tf.reduce_sum(squared, axis=[1, 2, 3])) / (2.0 * PIXEL_NOISE**2)
    kl_per_dimension = tf.reduce_mean(-0.5 * (1.0 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var)), axis=0)
    penalty = tf.reduce_sum(tf.maximum(kl_per_dimension, free_bits))
    return reconstruction, tf.reduce_sum(kl_per_dimension), penalty


def preview_codes(latent_dim: int) -> np.ndarray:
    """Fixed codes decoded for each preview, so the preview shows the same places improving:
    the chapter's plane for a 2D space, otherwise fixed draws from the prior."""
    if latent_dim == 2:
        return LatentPlane.axes(2, extent=1.5).codes(PREVIEW_SIDE)
    return np.random.default_rng(0).standard_normal((PREVIEW_SIDE**2, latent_dim)).astype(np.float32)


def train_vae(
    pictures: np.ndarray, params: VaeParams, vae: Vae | None = None, checkpoint: str | os.PathLike | None = None
) -> Iterator[Progress]:
    """Train on uint8 pictures (N, size, size, channels) until `params.epochs` epochs are done in
    all (a loaded `vae` resumes where it stopped). An epoch is one pass over the pictures, or over
    EPOCH_PICTURES varied copies of a smaller set. Yields metrics {"loss", "reconstruction", "kl"}
    about four times a second, `data["warning"]` when the set is small, and a decoded preview grid
    after each epoch; saves to `checkpoint` every CHECKPOINT_SECONDS, at the end and when stopped.
    Returns the trained Vae."""
    if params.seed is not None:
        keras.utils.set_random_seed(params.seed)
    vae = vae or Vae.build(params)
    expected = vae.encoder.input_shape[1:]
    if pictures.shape[1:] != tuple(expected):
        raise JobError(f"The pictures are {pictures.shape[1:]} but the model expects {tuple(expected)}.")
    if vae.epochs_done >= params.epochs:
        raise JobError(
            f"This model has already trained for {vae.epochs_done} epochs; "
            f"set more than {vae.epochs_done} epochs to train it further."
        )
    # The architecture is the model's own; how it trains follows the settings of this run.
    vae.params = with_fields_of(vae.params, params, TRAINING_FIELDS)
    vae.model.optimizer.learning_rate.assign(params.learning_rate)
    batches = batches_per_epoch(len(pictures), params.batch_size)
    trainer = VaeTrainer(vae, vae.params, pictures, warmup_steps=round(params.kl_warmup * params.epochs * batches))
    warning = size_advice("vae", len(pictures))
    total = (params.epochs - vae.epochs_done) * batches
    fixed_codes = tf.constant(preview_codes(vae.params.latent_dim))
    pacer = ChunkPacer()
    step = 0
    trained_since_save = False
    last_save = time.monotonic()
    try:
        for epoch in range(vae.epochs_done, params.epochs):
            stage = f"epoch {epoch + 1}/{params.epochs}"
            sums, steps_in_epoch = np.zeros(len(METRICS)), 0
            for count, means in pacer.run(trainer.run_chunk, batches):
                trained_since_save = True
                step += count
                steps_in_epoch += count
                sums += means * count
                if steps_in_epoch < batches:
                    yield Progress(step, total, stage, metrics=_metrics(means), data={"warning": warning})
            vae.epochs_done = epoch + 1
            grid = tile_images(to_uint8(vae.decoder(fixed_codes, training=False)), PREVIEW_SIDE)
            if checkpoint is not None and time.monotonic() - last_save >= CHECKPOINT_SECONDS:
                vae.save(checkpoint)
                trained_since_save, last_save = False, time.monotonic()
            yield Progress(
                step,
                total,
                stage,
                preview=grid,
                metrics=_metrics(sums / steps_in_epoch),
                data={"grid": grid, "epoch": epoch + 1, "warning": warning},
            )
        vae.latent_stats = latent_stats(vae, pictures)
        if checkpoint is not None:
            vae.save(checkpoint)
            trained_since_save = False
    finally:
        if checkpoint is not None and trained_since_save:
            vae.save(checkpoint)  # a stopped run resumes from here
    return vae


def _metrics(means: np.ndarray) -> dict[str, float]:
    return {name: float(value) for name, value in zip(METRICS, means)}


def to_uint8(pictures) -> np.ndarray:
    """Decoder output in [0, 1], (N, H, W, C), as uint8 RGB (N, H, W, 3)."""
    pictures = np.asarray(pictures)
    if pictures.shape[-1] == 1:
        pictures = np.repeat(pictures, 3, axis=-1)
    return np.clip(pictures * 255.0 + 0.5, 0, 255).astype(np.uint8)


def latent_stats(vae: Vae, pictures: np.ndarray) -> dict[str, list]:
    """Where the training pictures sit: mean code and principal directions with their spread."""
    sample = pictures[:STATS_PICTURES].astype(np.float32) / 255.0
    codes = in_chunks(lambda chunk: vae.encoder(chunk, training=False)[0], sample)
    mean, directions, spread = principal_directions(codes, MAX_SLIDERS)
    return {
        "mean": mean.tolist(),
        "directions": directions.tolist(),
        "spread": spread.tolist(),
        "std": codes.std(axis=0).tolist(),
    }


class Explorer(LatentSliders):
    """The trained VAE's latent space, ready for interactive use.

    Built on the compute thread by a job and handed to the tab as the job's result; the tab asks
    it for pictures through short jobs on the compute thread too (`latent.decode_job`, `grid_job`, ...),
    each superseding the last, so a dragged slider never queues up work. Both directions are
    compiled once (tf.function with a None batch dimension) and traced here. The tab stays free of
    TensorFlow: it only ever sees NumPy arrays and plain numbers.

    Sliders move a code along `axes` (the latent dimensions themselves, or the top principal
    directions of the training codes when there are more than MAX_SLIDERS dimensions).
    """

    def __init__(self, vae: Vae):
        self.vae = vae
        latent_dim = vae.params.latent_dim
        self.image_size = vae.params.image_size
        self.channels = vae.params.channels
        self._decode = tf.function(
            lambda codes: vae.decoder(codes, training=False),
            input_signature=[tf.TensorSpec([None, latent_dim], tf.float32)],
        )
        self._encode = tf.function(
            lambda pictures: vae.encoder(pictures, training=False)[0],
            input_signature=[tf.TensorSpec([None, *vae.encoder.input_shape[1:]], tf.float32)],
        )
        self._decode(tf.zeros((1, latent_dim)))
        self._encode(tf.zeros((1, *vae.encoder.input_shape[1:])))
        stats = vae.latent_stats
        if latent_dim <= MAX_SLIDERS:
            center = np.zeros(latent_dim, np.float32)
            axes = np.eye(latent_dim, dtype=np.float32)
            spread = np.asarray(stats["std"] if stats else np.ones(latent_dim), np.float32)
            names = [f"z{index + 1}" for index in range(latent_dim)]
        else:
            if stats:
                center, axes, spread = stats["mean"], stats["directions"], stats["spread"]
            else:
                center = np.zeros(latent_dim, np.float32)
                axes, spread = np.eye(latent_dim, dtype=np.float32)[:MAX_SLIDERS], np.ones(MAX_SLIDERS)
            names = [f"direction {index + 1}" for index in range(len(axes))]
        super().__init__(latent_dim, center, axes, spread, names)

    def decode_batch(self, codes: np.ndarray) -> np.ndarray:
        return to_uint8(in_chunks(self._decode, codes))

    def encode(self, pictures: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
        """The mean code of one uint8 RGB picture of any size (H, W, 3) -> (D,), or of several -> (N, D)."""
        single = isinstance(pictures, np.ndarray) and pictures.ndim == 3
        batch = [pictures] if single else list(pictures)
        fitted = np.stack([fit_square(p, self.image_size, self.channels) for p in batch]).astype(np.float32) / 255.0
        codes = in_chunks(self._encode, fitted)
        return codes[0] if single else codes

    def concept(self, pictures_with: Sequence[np.ndarray], pictures_without: Sequence[np.ndarray]) -> np.ndarray:
        """The concept vector from two groups of uint8 RGB pictures: mean code with minus without."""
        if not len(pictures_with) or not len(pictures_without):
            raise JobError("A concept needs at least one picture in each group.")
        return concept_vector(self.encode(pictures_with), self.encode(pictures_without))

    def save(self, path: str | os.PathLike) -> Path:
        return self.vae.save(path)


# -- jobs: what the tab and the CLI run -----------------------------------------------------------
def train_job(params: VaeParams, resume_from: str | None = None, checkpoint: str | None = None) -> Iterator[Progress]:
    """Read the pictures, train (or resume from a .keras file) and return an Explorer of the result."""
    problems = params.problems()
    if problems:
        raise JobError(" ".join(problems))
    yield Progress(0, 0, "reading pictures")
    vae = None
    if resume_from:
        vae = Vae.load(resume_from)
        params = with_fields_of(vae.params, params, TRAINING_FIELDS)
    pictures, note = read_training_pictures(params.dataset, params.image_size, params.channels, params.limit)
    yield Progress(0, 0, note, data={"note": note, "pictures": tile_images(to_uint8(pictures[:64] / 255.0), 8)})
    vae = yield from train_vae(pictures, params, vae, checkpoint)
    return Explorer(vae)


def load_job(path: str) -> Iterator[Progress]:
    """Open a saved VAE for exploring."""
    yield Progress(0, 0, f"opening {Path(path).name}")
    return Explorer(Vae.load(path))


def read_group(source: str | Sequence[str], size: int, channels: int) -> list[np.ndarray]:
    """A group of pictures for a concept: a folder, a shipped set, or a list of picture files."""
    if isinstance(source, str):
        return list(np.repeat(p, 3, axis=2) if channels == 1 else p for p in load_pictures(source, size, channels))
    return [load_image(path) for path in source]


def concept_job(
    explorer: Explorer, group_with: str | Sequence[str], group_without: str | Sequence[str]
) -> Iterator[Progress]:
    """Read two groups of pictures and return their concept vector (D,)."""
    yield Progress(0, 2, "reading the first group")
    pictures_with = read_group(group_with, explorer.image_size, explorer.channels)
    yield Progress(1, 2, "reading the second group")
    pictures_without = read_group(group_without, explorer.image_size, explorer.channels)
    return explorer.concept(pictures_with, pictures_without)


def concept_sheet(explorer: Explorer, vector: np.ndarray, codes: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    """Pictures moved along a concept: (len(amounts), len(codes), H, W, 3), each code decoded
    with `amount * vector` added, so a column is one amount across the pictures."""
    return np.stack([explorer.sweep(code, vector, amounts) for code in codes], axis=1)


def concept_render_job(
    explorer: Explorer,
    group_with: str | Sequence[str],
    group_without: str | Sequence[str],
    path: str,
    strength: float = 1.5,
    steps: int = 7,
    scale: int = 4,
    fps: float = 8.0,
    model_path: str | None = None,
    rows: int = 4,
) -> Iterator[Progress]:
    """Show a concept vector at work on up to `rows` pictures of the group without it: a PNG sheet
    (a row per picture, columns adding 0 to `strength` times the concept; the recipe holds the
    vector) or a GIF/MP4 that sweeps there and back. Returns the saved path."""
    if Path(path).suffix.lower() != ".png":
        check_animation_path(path)
    if steps < 2:
        raise JobError("Show a concept in at least 2 steps.")
    vector = yield from concept_job(explorer, group_with, group_without)
    without = read_group(group_without, explorer.image_size, explorer.channels)[:rows]
    amounts = np.linspace(0.0, strength, steps)
    frames = concept_sheet(explorer, vector, explorer.encode(without), amounts)
    yield Progress(2, 3, f"writing {Path(path).name}")
    if Path(path).suffix.lower() == ".png":
        sheet = tile_images(frames.transpose(1, 0, 2, 3, 4).reshape(-1, *frames.shape[2:]), steps, gap=1)
        recipe = still_recipe("vae-concept", explorer.vae.params, model_path, vector, strength=strength)
        return str(save_still(path, sheet, recipe, scale))
    strips = [enlarge(tile_images(frame, len(frame), gap=1), scale) for frame in frames]
    return str(save_animation(strips + strips[-2:0:-1], path, fps))


def grid_job(explorer: Explorer, plane: LatentPlane, n: int) -> Iterator[Progress]:
    """The full-size grid, decoded off the GUI thread (a 30 x 30 grid takes a few hundred ms on a CPU)."""
    yield Progress(0, 1, f"decoding {n} x {n} pictures")
    return explorer.grid(plane, n)


def save_job(explorer: Explorer, path: str) -> Iterator[Progress]:
    yield Progress(0, 1, f"saving {Path(path).name}")
    return str(explorer.save(path))


def animation_job(
    explorer: Explorer,
    path: str,
    start: np.ndarray | None = None,
    end: np.ndarray | None = None,
    plane: LatentPlane | None = None,
    steps: int = 48,
    spherical: bool = True,
    fps: float = 12.0,
    scale: int = 4,
) -> Iterator[Progress]:
    """Save an animation: there and back between codes `start` and `end` (a seamless loop), or,
    with `plane`, a walk through it. Returns the saved path."""
    check_animation_path(path)
    yield Progress(0, 2, "decoding frames")
    if plane is not None:
        frames = explorer.walk(plane, steps)
    else:
        frames = explorer.interpolation(start, end, max(2, steps // 2 + 1), spherical)
        frames = frames + frames[-2:0:-1]
    yield Progress(1, 2, f"writing {Path(path).name}")
    return str(save_animation([enlarge(frame, scale) for frame in frames], path, fps))


# -- explorer requests: each picture the Latent tab shows is one short job on the compute thread ------
def encode_job(explorer: Explorer, picture: np.ndarray) -> Iterator[Progress]:
    """The code of a uint8 RGB picture of any size."""
    yield Progress(0, 1, "encoding")
    return explorer.encode(picture)


def strip_job(
    explorer: Explorer, start: np.ndarray, end: np.ndarray, steps: int, spherical: bool = True
) -> Iterator[Progress]:
    """The way from code `start` to code `end` as one picture: `steps` pictures side by side."""
    yield Progress(0, 1, "decoding the path")
    return np.concatenate(explorer.interpolation(start, end, steps, spherical), axis=1)
