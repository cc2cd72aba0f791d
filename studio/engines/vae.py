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
import math
import os
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from studio.core.datasets import fit_square, load_pictures, read_training_pictures, to_dataset
from studio.core.files import atomic_path
from studio.core.images import enlarge, load_image
from studio.core.model_files import VAE, VAE_ENTRY, read_model_file, reading_weights
from studio.core.params import params_from_dict, params_to_dict
from studio.core.params.vae import VaeParams
from studio.core.progress import JobError, Progress
from studio.engines.latent import (
    LatentPlane,
    check_animation_path,
    concept_vector,
    interpolate,
    principal_directions,
    save_animation,
    tile_images,
)

PREVIEW_SIDE = 8  # the training preview decodes PREVIEW_SIDE x PREVIEW_SIDE fixed codes
MAX_SLIDERS = 8  # above this many latent dimensions, sliders follow the top principal directions
DECODE_CHUNK = 1024  # codes per decoder call, so a huge grid cannot exhaust memory
STATS_PICTURES = 2000  # pictures encoded to measure where the data sits in the latent space
REPORTS_PER_EPOCH = 10


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
    """Strided convolutions (they keep where things are, which pooling loses) down to a small dense
    layer, then the two heads: z_mean and z_log_var."""
    pictures = keras.Input((params.image_size, params.image_size, params.channels), name="picture")
    x = pictures
    for filters in params.filters:
        x = layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(params.dense_units, activation="relu")(x)
    z_mean = layers.Dense(params.latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(params.latent_dim, name="z_log_var")(x)
    return keras.Model(pictures, [z_mean, z_log_var], name="encoder")


def build_decoder(params: VaeParams) -> keras.Model:
    """The encoder mirrored: a dense layer to a small feature map, transposed convolutions up to the
    picture size, and a sigmoid so pixels land in [0, 1]. The layer before the sigmoid is named
    "logits" so training can use the numerically stable cross-entropy on logits."""
    start = params.image_size // 2 ** len(params.filters)
    codes = keras.Input((params.latent_dim,), name="code")
    x = layers.Dense(start * start * params.filters[-1], activation="relu")(codes)
    x = layers.Reshape((start, start, params.filters[-1]))(x)
    for filters in reversed(params.filters):
        x = layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation="relu")(x)
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
    """One compiled training step for one VAE: encode, sample, decode, loss, update."""

    def __init__(self, vae: Vae, beta: float, seed: int | None):
        self.vae = vae
        self.beta = float(beta)
        self.sampler = Sampler(seed)
        self.weights = vae.model.trainable_weights
        shape = vae.encoder.input_shape[1:]
        self.train_step = tf.function(self._train_step, input_signature=[tf.TensorSpec([None, *shape], tf.float32)])

    def _train_step(self, pictures):
        with tf.GradientTape() as tape:
            z_mean, z_log_var = self.vae.encoder(pictures, training=True)
            codes = self.sampler(z_mean, z_log_var)
            logits = self.vae.decoder_logits(codes, training=True)
            reconstruction, kl = vae_losses(pictures, logits, z_mean, z_log_var)
            loss = reconstruction + self.beta * kl
        gradients = tape.gradient(loss, self.weights)
        self.vae.model.optimizer.apply_gradients(zip(gradients, self.weights))
        return loss, reconstruction, kl


def vae_losses(pictures, logits, z_mean, z_log_var):
    """Per-picture means of the reconstruction cross-entropy (summed over pixels, as the
    reference chapter does) and of the KL divergence from N(0, I) (summed over dimensions)."""
    cross_entropy = tf.nn.sigmoid_cross_entropy_with_logits(labels=pictures, logits=logits)
    reconstruction = tf.reduce_mean(tf.reduce_sum(cross_entropy, axis=[1, 2, 3]))
    kl = -0.5 * (1.0 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var))
    return reconstruction, tf.reduce_mean(tf.reduce_sum(kl, axis=1))


def preview_codes(latent_dim: int) -> np.ndarray:
    """Fixed codes decoded after every epoch, so the preview shows the same places improving:
    the chapter's plane for a 2D space, otherwise fixed draws from the prior."""
    if latent_dim == 2:
        return LatentPlane.axes(2, extent=1.5).codes(PREVIEW_SIDE)
    return np.random.default_rng(0).standard_normal((PREVIEW_SIDE**2, latent_dim)).astype(np.float32)


def train_vae(
    pictures: np.ndarray, params: VaeParams, vae: Vae | None = None, checkpoint: str | os.PathLike | None = None
) -> Iterator[Progress]:
    """Train on uint8 pictures (N, size, size, channels) until `params.epochs` epochs are done in
    all (a loaded `vae` resumes where it stopped). Yields metrics {"loss", "reconstruction", "kl"}
    several times per epoch and a decoded preview grid after each epoch; saves to `checkpoint`
    after each epoch and when stopped. Returns the trained Vae."""
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
    vae.params = replace(
        vae.params,
        dataset=params.dataset,
        limit=params.limit,
        beta=params.beta,
        epochs=params.epochs,
        batch_size=params.batch_size,
        learning_rate=params.learning_rate,
        seed=params.seed,
    )
    vae.model.optimizer.learning_rate.assign(params.learning_rate)
    trainer = VaeTrainer(vae, params.beta, params.seed)
    dataset = to_dataset(pictures, params.batch_size, seed=params.seed, scale="sigmoid")
    batches = math.ceil(len(pictures) / params.batch_size)
    report_every = max(1, batches // REPORTS_PER_EPOCH)
    total = (params.epochs - vae.epochs_done) * batches
    fixed_codes = tf.constant(preview_codes(vae.params.latent_dim))
    step = 0
    trained_since_save = False
    try:
        for epoch in range(vae.epochs_done, params.epochs):
            sums = np.zeros(3)
            seen = 0
            for index, batch in enumerate(dataset):
                losses = trainer.train_step(batch)
                trained_since_save = True
                step += 1
                sums += [float(value) for value in losses]
                seen += 1
                if (index + 1) % report_every == 0 and index + 1 < batches:
                    yield Progress(step, total, f"epoch {epoch + 1}/{params.epochs}", metrics=_metrics(sums / seen))
            vae.epochs_done = epoch + 1
            grid = tile_images(to_uint8(vae.decoder(fixed_codes, training=False)), PREVIEW_SIDE)
            if checkpoint is not None:
                vae.save(checkpoint)
                trained_since_save = False
            yield Progress(
                step,
                total,
                f"epoch {epoch + 1}/{params.epochs}",
                preview=grid,
                metrics=_metrics(sums / max(seen, 1)),
                data={"grid": grid, "epoch": epoch + 1},
            )
        vae.latent_stats = latent_stats(vae, pictures)
        if checkpoint is not None:
            vae.save(checkpoint)
    finally:
        if checkpoint is not None and trained_since_save:
            vae.save(checkpoint)  # a stopped run resumes from here
    return vae


def _metrics(means: np.ndarray) -> dict[str, float]:
    return {"loss": float(means[0]), "reconstruction": float(means[1]), "kl": float(means[2])}


def to_uint8(pictures) -> np.ndarray:
    """Decoder output in [0, 1], (N, H, W, C), as uint8 RGB (N, H, W, 3)."""
    pictures = np.asarray(pictures)
    if pictures.shape[-1] == 1:
        pictures = np.repeat(pictures, 3, axis=-1)
    return np.clip(pictures * 255.0 + 0.5, 0, 255).astype(np.uint8)


def latent_stats(vae: Vae, pictures: np.ndarray) -> dict[str, list]:
    """Where the training pictures sit: mean code and principal directions with their spread."""
    sample = pictures[:STATS_PICTURES].astype(np.float32) / 255.0
    codes = np.concatenate(
        [
            vae.encoder(sample[i : i + DECODE_CHUNK], training=False)[0].numpy()
            for i in range(0, len(sample), DECODE_CHUNK)
        ]
    )
    mean, directions, spread = principal_directions(codes, MAX_SLIDERS)
    return {
        "mean": mean.tolist(),
        "directions": directions.tolist(),
        "spread": spread.tolist(),
        "std": codes.std(axis=0).tolist(),
    }


class Explorer:
    """The trained VAE's latent space, ready for interactive use.

    Built on the compute thread by a job and handed to the tab as the job's result; the tab calls
    its methods directly on the GUI thread. That is deliberate: one decode of an MNIST-size
    picture takes about a millisecond, while a trip through the compute thread's queue would wait
    behind any running training job. It is safe because nothing else ever writes this model's
    weights: resuming training loads the checkpoint file into new objects; and a traced tf.function
    may run on two threads at once (the full grid decodes on the compute thread while the GUI
    thread keeps following a slider). Both directions are
    compiled once (tf.function with a None batch dimension) and traced here, off the GUI thread.
    The tab stays free of TensorFlow: it only ever sees NumPy arrays and plain numbers.

    Sliders move a code along `axes` (the latent dimensions themselves, or the top principal
    directions of the training codes when there are more than MAX_SLIDERS dimensions).
    """

    def __init__(self, vae: Vae):
        self.vae = vae
        self.latent_dim = vae.params.latent_dim
        self.image_size = vae.params.image_size
        self.channels = vae.params.channels
        self._decode = tf.function(
            lambda codes: vae.decoder(codes, training=False),
            input_signature=[tf.TensorSpec([None, self.latent_dim], tf.float32)],
        )
        self._encode = tf.function(
            lambda pictures: vae.encoder(pictures, training=False)[0],
            input_signature=[tf.TensorSpec([None, *vae.encoder.input_shape[1:]], tf.float32)],
        )
        self._decode(tf.zeros((1, self.latent_dim)))
        self._encode(tf.zeros((1, *vae.encoder.input_shape[1:])))
        stats = vae.latent_stats
        if self.latent_dim <= MAX_SLIDERS:
            self.center = np.zeros(self.latent_dim, np.float32)
            self.axes = np.eye(self.latent_dim, dtype=np.float32)
            self.spread = np.asarray(stats["std"] if stats else np.ones(self.latent_dim), np.float32)
        elif stats:
            self.center = np.asarray(stats["mean"], np.float32)
            self.axes = np.asarray(stats["directions"], np.float32)
            self.spread = np.asarray(stats["spread"], np.float32)
        else:
            self.center = np.zeros(self.latent_dim, np.float32)
            self.axes = np.eye(self.latent_dim, dtype=np.float32)[:MAX_SLIDERS]
            self.spread = np.ones(MAX_SLIDERS, np.float32)

    @property
    def slider_count(self) -> int:
        return len(self.axes)

    @property
    def slider_names(self) -> list[str]:
        prefix = "z" if self.latent_dim <= MAX_SLIDERS else "direction "
        return [f"{prefix}{index + 1}" for index in range(self.slider_count)]

    # -- decoding and encoding -------------------------------------------------------------
    def decode(self, codes: np.ndarray) -> np.ndarray:
        """One code (D,) to a uint8 RGB picture (H, W, 3), or codes (N, D) to (N, H, W, 3)."""
        codes = np.asarray(codes, np.float32)
        batch = codes.reshape(-1, self.latent_dim)
        pictures = np.concatenate(
            [self._decode(batch[i : i + DECODE_CHUNK]).numpy() for i in range(0, len(batch), DECODE_CHUNK)]
        )
        pictures = to_uint8(pictures)
        return pictures[0] if codes.ndim == 1 else pictures

    def encode(self, pictures: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
        """The mean code of one uint8 RGB picture of any size (H, W, 3) -> (D,), or of several -> (N, D)."""
        single = isinstance(pictures, np.ndarray) and pictures.ndim == 3
        batch = [pictures] if single else list(pictures)
        fitted = np.stack([fit_square(p, self.image_size, self.channels) for p in batch]).astype(np.float32) / 255.0
        codes = np.concatenate(
            [self._encode(fitted[i : i + DECODE_CHUNK]).numpy() for i in range(0, len(fitted), DECODE_CHUNK)]
        )
        return codes[0] if single else codes

    # -- planes and grids ------------------------------------------------------------------
    def plane(
        self, first: int = 0, second: int = 1, extent: float = 1.0, origin: np.ndarray | None = None
    ) -> LatentPlane:
        """The plane spanned by two slider axes through `origin` (default: the centre). With a 2D
        latent space and the defaults, the reference chapter's view."""
        count = self.slider_count
        if count < 2:
            raise JobError("A one-dimensional latent space has no plane to draw; use the slider.")
        if not (0 <= first < count and 0 <= second < count) or first == second:
            raise JobError(f"Pick two different axes between 1 and {count}.")
        origin = self.center if origin is None else np.asarray(origin, np.float32)
        return LatentPlane(origin, self.axes[first], self.axes[second], extent)

    def grid(self, plane: LatentPlane, n: int = 30) -> np.ndarray:
        """The n x n pictures decoded over `plane` in one batched call, tiled as one uint8 RGB picture."""
        return tile_images(self.decode(plane.codes(n)), n)

    # -- sliders -----------------------------------------------------------------------------
    def slider_values(self, code: np.ndarray) -> np.ndarray:
        """Where `code` sits along each slider axis, relative to the centre."""
        return self.axes @ (np.asarray(code, np.float32) - self.center)

    def with_slider(self, code: np.ndarray, index: int, value: float) -> np.ndarray:
        """`code` moved along slider axis `index` so that slider reads `value`; the rest is kept."""
        code = np.asarray(code, np.float32)
        return code + (value - float(self.slider_values(code)[index])) * self.axes[index]

    def random_code(self, seed: int | None = None) -> np.ndarray:
        """A draw from the prior N(0, I): what the VAE was trained to decode well."""
        return np.random.default_rng(seed).standard_normal(self.latent_dim).astype(np.float32)

    # -- paths and concepts ------------------------------------------------------------------
    def interpolation(
        self, start: np.ndarray, end: np.ndarray, steps: int = 24, spherical: bool = True
    ) -> list[np.ndarray]:
        """Frames from `start` to `end` (codes), decoded in one batch."""
        return list(self.decode(interpolate(start, end, steps, spherical)))

    def walk(self, plane: LatentPlane, steps: int = 96) -> list[np.ndarray]:
        """A looping figure-of-eight through the plane, decoded in one batch: an animation that
        sweeps most of the view and returns to where it began."""
        angles = np.linspace(0.0, 2 * np.pi, steps, endpoint=False)
        xs, ys = 0.5 + 0.45 * np.sin(angles), 0.5 + 0.45 * np.sin(2 * angles)
        return list(self.decode(np.stack([plane.point(x, y) for x, y in zip(xs, ys)])))

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
        params = replace(
            vae.params,
            epochs=params.epochs,
            beta=params.beta,
            batch_size=params.batch_size,
            learning_rate=params.learning_rate,
            dataset=params.dataset,
            limit=params.limit,
        )
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
def decode_job(explorer: Explorer, codes: np.ndarray) -> Iterator[Progress]:
    """The picture of one code (D,), or the pictures of codes (N, D). The step before the decode
    lets a request that a newer one replaced stop without decoding."""
    yield Progress(0, 1, "decoding")
    return explorer.decode(codes)


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
