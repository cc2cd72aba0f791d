"""The CycleGAN model (four networks, two optimizers, one .keras file) and its compiled train step.

The generators are judged on three things (Zhu et al. 2017): validity (does the translation fool
the other side's discriminator; least squares, as in the paper), cycle reconstruction (A -> B -> A
gives A back; L1, weighted 10) and identity (a picture already from the target side passes
unchanged; L1, half the cycle weight). Discriminators learn from real pictures and from a pool of
earlier translations, so they do not forget what fooled them before.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import keras
import tensorflow as tf

from studio.core.model_files import CYCLEGAN, load_keras_model, save_keras_model
from studio.core.params.cyclegan import ARCHITECTURE_FIELDS, CycleGanParams
from studio.engines.cyclegan.networks import (
    InstanceNormalization,
    build_discriminator,
    build_generator,
    size_multiple,
    statistics,
)
from studio.engines.training import ModelWithParams


@keras.saving.register_keras_serializable(package="studio")
class CycleGanModel(ModelWithParams):
    """Generators A->B and B->A, discriminators A and B, and the Adam optimizers of each pair,
    saved together in one .keras file with the parameters and the epochs trained (so it can resume)."""

    params_type = CycleGanParams
    architecture_fields = ARCHITECTURE_FIELDS

    def __init__(self, params: CycleGanParams | dict, epochs_done: int = 0, **kwargs):
        super().__init__(params, **kwargs)
        self.epochs_done = epochs_done
        p = self.params
        self.generator_a2b = build_generator(p, "generator_a2b")
        self.generator_b2a = build_generator(p, "generator_b2a")
        self.discriminator_a = build_discriminator(p.discriminator_filters, "discriminator_a")
        self.discriminator_b = build_discriminator(p.discriminator_filters, "discriminator_b")
        self.generator_optimizer = keras.optimizers.Adam(p.learning_rate, beta_1=p.adam_beta_1)
        self.discriminator_optimizer = keras.optimizers.Adam(p.learning_rate, beta_1=p.adam_beta_1)
        # Built now so a loaded file's optimizer state has variables to land in.
        self.generator_optimizer.build(self.generator_variables)
        self.discriminator_optimizer.build(self.discriminator_variables)
        self._translators: dict[str, Translator] = {}
        self.built = True  # every network was built from its Input layer

    @property
    def generator_variables(self) -> list:
        return self.generator_a2b.trainable_variables + self.generator_b2a.trainable_variables

    @property
    def discriminator_variables(self) -> list:
        return self.discriminator_a.trainable_variables + self.discriminator_b.trainable_variables

    @property
    def size_multiple(self) -> int:
        """Translated pictures are padded to a multiple of this and cropped back."""
        return size_multiple(self.params.generator)

    def generator_for(self, direction: str) -> keras.Model:
        return self.generator_b2a if direction == "b2a" else self.generator_a2b

    def translator(self, direction: str) -> Translator:
        """The generator for `direction` ("a2b" or "b2a"), compiled for pictures of any size."""
        if direction not in self._translators:
            self._translators[direction] = Translator(self.generator_for(direction))
        return self._translators[direction]

    def call(self, pictures, training=False):
        return self.generator_a2b(pictures, training=training)

    def get_config(self) -> dict:
        return {**super().get_config(), "epochs_done": self.epochs_done}

    def set_learning_rate(self, rate: float) -> None:
        self.generator_optimizer.learning_rate.assign(rate)
        self.discriminator_optimizer.learning_rate.assign(rate)


class Translator:
    """A generator compiled once for float batches (N, H, W, 3) in [-1, 1] of any size.

    `translate` normalises each picture by its own statistics, as in training. A picture too large
    for one pass goes in tiles, and tiles must not each be normalised by their own statistics (each
    would get its own tone): `measure` takes every instance norm's statistics from samples spread
    over the whole picture at full resolution, as if they were one picture, and `translate_held`
    translates each tile with those.
    """

    def __init__(self, generator: keras.Model):
        self.generator = generator
        self.norms = [layer for layer in generator.layers if isinstance(layer, InstanceNormalization)]
        self.probe = keras.Model(generator.input, [norm.input for norm in self.norms])
        picture = tf.TensorSpec([None, None, None, 3], tf.float32)
        held = [(tf.TensorSpec([1, 1, 1, norm.gamma.shape[0]], tf.float32),) * 2 for norm in self.norms]
        self.translate = tf.function(lambda x: generator(x, training=False), input_signature=[picture], autograph=False)
        self.measure = tf.function(self._measure, input_signature=[picture], autograph=False)
        self.translate_held = tf.function(self._translate_held, input_signature=[picture, held], autograph=False)

    def _measure(self, samples):
        with self._norms_set("pooled", [True] * len(self.norms), False):
            inputs = self.probe(samples)
        return [statistics(norm_input, pooled=True) for norm_input in inputs]

    def _translate_held(self, pictures, held):
        with self._norms_set("held", held, None):
            return self.generator(pictures, training=False)

    @contextmanager
    def _norms_set(self, name: str, values: list, default):
        """Each norm's attribute `name` set to its value while the graph is traced, then reset."""
        for norm, value in zip(self.norms, values):
            setattr(norm, name, value)
        try:
            yield
        finally:
            for norm in self.norms:
                setattr(norm, name, default)


def learning_rate_at(params: CycleGanParams, progress: float) -> float:
    """The paper's schedule: constant over the first half of training, then falling linearly to zero
    at the end. `progress` is the share of all training done, 0..1."""
    return params.learning_rate * min(1.0, 2.0 * (1.0 - progress))


def validity_loss(verdicts: tf.Tensor, real: bool) -> tf.Tensor:
    """Least-squares GAN loss: how far a discriminator's patch map is from all-real (1) or all-fake (0)."""
    return tf.reduce_mean(tf.square(verdicts - (1.0 if real else 0.0)))


def reconstruction_error(pictures: tf.Tensor, rebuilt: tf.Tensor) -> tf.Tensor:
    """Mean absolute difference (L1), in the [-1, 1] working space."""
    return tf.reduce_mean(tf.abs(pictures - rebuilt))


class FakePool:
    """A store of `capacity` earlier translations for a discriminator (Shrivastava et al. 2017).

    While filling, each new picture is stored and passed through. Once full, each new picture is
    swapped, half the time, for a stored one picked at random (which it replaces), so the
    discriminator also sees what the generator made some steps ago. Works inside a tf.function.
    """

    def __init__(self, capacity: int, shape: tuple[int, int, int], noise: tf.random.Generator):
        self.capacity = capacity
        self._noise = noise
        self._pictures = tf.Variable(tf.zeros((max(capacity, 1), *shape)), trainable=False)
        self._count = tf.Variable(0, trainable=False)

    def exchange(self, pictures: tf.Tensor) -> tf.Tensor:
        """The batch the discriminator sees instead of `pictures` (same shape)."""
        if self.capacity == 0:
            return pictures
        batch = tf.shape(pictures)[0]
        slots = self._count + tf.range(batch)
        filling = slots < self.capacity
        swapping = tf.logical_and(tf.logical_not(filling), self._noise.uniform([batch]) < 0.5)
        index = tf.where(filling, slots, self._noise.uniform([batch], 0, self.capacity, dtype=tf.int32))
        earlier = tf.gather(self._pictures, index)
        # Pictures neither stored nor swapped write back what was there (fixed shapes, for XLA).
        stored = tf.logical_or(filling, swapping)[:, None, None, None]
        self._pictures.scatter_nd_update(index[:, None], tf.where(stored, pictures, earlier))
        self._count.assign(tf.minimum(self._count + batch, self.capacity))
        return tf.where(swapping[:, None, None, None], earlier, pictures)


class CycleGanTrainer:
    """One compiled training step for `model` at the working size of `params`, with its two pools."""

    def __init__(self, model: CycleGanModel, params: CycleGanParams):
        self.model = model
        self.cycle_weight = params.cycle_weight
        self.identity_weight = params.identity_weight * params.cycle_weight
        self._noise = (
            tf.random.Generator.from_seed(params.seed)
            if params.seed is not None
            else tf.random.Generator.from_non_deterministic_state()
        )
        shape = (params.size, params.size, 3)
        self.pool_a = FakePool(params.pool_size, shape, self._noise)
        self.pool_b = FakePool(params.pool_size, shape, self._noise)
        spec = tf.TensorSpec([None, *shape], tf.float32)
        # No XLA: on CPU it made the step slower (550 against 290 ms at 64 px) and the first trace longer.
        self._step = tf.function(self.train_step, input_signature=[spec, spec], autograph=False)

    def __call__(self, pictures_a: tf.Tensor, pictures_b: tf.Tensor) -> dict[str, tf.Tensor]:
        return self._step(pictures_a, pictures_b)

    def train_step(self, real_a: tf.Tensor, real_b: tf.Tensor) -> dict[str, tf.Tensor]:
        """Update both generators together, then both discriminators; return the losses of each."""
        m = self.model
        with tf.GradientTape() as tape:
            fake_b = m.generator_a2b(real_a, training=True)
            fake_a = m.generator_b2a(real_b, training=True)
            cycle_a = reconstruction_error(real_a, m.generator_b2a(fake_b, training=True))
            cycle_b = reconstruction_error(real_b, m.generator_a2b(fake_a, training=True))
            g_a2b = validity_loss(m.discriminator_b(fake_b, training=True), real=True) + self.cycle_weight * cycle_a
            g_b2a = validity_loss(m.discriminator_a(fake_a, training=True), real=True) + self.cycle_weight * cycle_b
            if self.identity_weight:
                g_a2b += self.identity_weight * reconstruction_error(real_b, m.generator_a2b(real_b, training=True))
                g_b2a += self.identity_weight * reconstruction_error(real_a, m.generator_b2a(real_a, training=True))
            generator_loss = g_a2b + g_b2a
        gradients = tape.gradient(generator_loss, m.generator_variables)
        m.generator_optimizer.apply_gradients(zip(gradients, m.generator_variables))

        shown_a, shown_b = self.pool_a.exchange(fake_a), self.pool_b.exchange(fake_b)
        with tf.GradientTape() as tape:
            d_a = 0.5 * (
                validity_loss(m.discriminator_a(real_a, training=True), real=True)
                + validity_loss(m.discriminator_a(shown_a, training=True), real=False)
            )
            d_b = 0.5 * (
                validity_loss(m.discriminator_b(real_b, training=True), real=True)
                + validity_loss(m.discriminator_b(shown_b, training=True), real=False)
            )
            discriminator_loss = d_a + d_b
        gradients = tape.gradient(discriminator_loss, m.discriminator_variables)
        m.discriminator_optimizer.apply_gradients(zip(gradients, m.discriminator_variables))
        return {"g_a2b": g_a2b, "g_b2a": g_b2a, "d_a": d_a, "d_b": d_b, "cycle": 0.5 * (cycle_a + cycle_b)}


# -- files ------------------------------------------------------------------------------------------
def save_cyclegan(model: CycleGanModel, path: str | os.PathLike) -> Path:
    """Write the model (networks, optimizer state, parameters) to a .keras file atomically."""
    return save_keras_model(model, path, CYCLEGAN)


def load_cyclegan(path: str | os.PathLike) -> CycleGanModel:
    """A CycleGAN saved by `save_cyclegan`, ready to translate or to train further."""
    return load_keras_model(path, CYCLEGAN)
