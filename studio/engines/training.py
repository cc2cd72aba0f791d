"""What the picture-training jobs share: many steps per compiled call (VAE, GAN), sized so that control
comes back to the loop (to yield progress, and so to be cancelled) about four times a second; and how
a job starts from a new model or from one it continues (GAN, CycleGAN), keeping the continued
model's architecture (every technique); and the Keras model that is built from its parameters and
saved with them (GAN, CycleGAN, fast style).

A compiled call that runs a loop of steps on the graph costs one Python round trip for all of them;
`ChunkPacer` picks how many steps fit in the time budget from how long the last call took.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import keras
import numpy as np
import tensorflow as tf

from studio.core.params import params_from_dict, params_to_dict

CHUNK_SECONDS = 0.25  # well under the one second in which a Stop should land
Model = TypeVar("Model")
Params = TypeVar("Params")


class ChunkPacer:
    """How many steps the next compiled call should run so it lasts about `seconds`.

    It starts at one step (the first call also traces and compiles), then follows the measured
    time per step, at most doubling from one call to the next so a slow patch cannot overshoot.
    """

    def __init__(self, seconds: float = CHUNK_SECONDS, clock: Callable[[], float] = time.perf_counter):
        self.seconds = seconds
        self.clock = clock
        self.count = 1

    def run(self, run_chunk: Callable[[tf.Tensor], tf.Tensor], steps: int) -> Iterator[tuple[int, np.ndarray]]:
        """Run `steps` steps through `run_chunk(count)` (which returns the mean of each metric over
        its steps), yielding (steps run, metric means as NumPy) after each call."""
        done = 0
        while done < steps:
            count = min(self.count, steps - done)
            started = self.clock()
            means = run_chunk(tf.constant(count, tf.int32)).numpy()
            elapsed = self.clock() - started
            done += count
            per_step = elapsed / count
            self.count = max(1, min(2 * count, int(self.seconds / max(per_step, 1e-9))))
            yield count, means


def compile_chunk(step: Callable[[], Sequence[tf.Tensor]], metric_count: int, jit_compile: bool = False):
    """`step` (one training step returning `metric_count` scalars) as one compiled call that runs
    it `count` times on the graph and returns the metrics' means over those steps."""

    def run_chunk(count):
        sums = tf.zeros([metric_count])
        for _ in tf.range(count):
            sums += tf.stack([tf.cast(value, tf.float32) for value in step()])
        return sums / tf.cast(count, tf.float32)

    return tf.function(run_chunk, jit_compile=jit_compile, input_signature=[tf.TensorSpec([], tf.int32)])


def random_generator(seed: int | None) -> tf.random.Generator:
    """The random stream of one training run: repeatable with a seed, fresh without."""
    return (
        tf.random.Generator.from_seed(seed) if seed is not None else tf.random.Generator.from_non_deterministic_state()
    )


def random_batch(pictures: tf.Variable, batch_size: int, noise: tf.random.Generator, low: float) -> tf.Tensor:
    """A batch drawn at random (with replacement) from uint8 `pictures` held on the graph, as
    floats from `low` (black) to 1 (white): no per-batch Python, no input pipeline to wait for."""
    indices = noise.uniform([batch_size], 0, tf.shape(pictures, out_type=tf.int64)[0], dtype=tf.int64)
    batch = tf.cast(tf.gather(pictures, indices), tf.float32) / 255.0
    return batch * (1.0 - low) + low


def model_to_train(model: Model | None, params: Any, build: Callable[[Any], Model]) -> Model:
    """The model a training job continues: `model` set to train on with `params` (its
    `configure_training`: its architecture stays its own), or, without one, a new `build(params)`,
    seeded first by `params.seed` so the same seed starts from the same weights."""
    if model is None:
        if params.seed is not None:
            keras.utils.set_random_seed(params.seed)
        return build(params)
    model.configure_training(params)
    return model


def with_fields_of(params: Params, source: Any, names: Iterable[str]) -> Params:
    """`params` with the fields `names` as `source` has them: how a continued model keeps its own
    architecture while the new run's settings say how it trains."""
    return dataclasses.replace(params, **{name: getattr(source, name) for name in names})


class ModelWithParams(keras.Model):
    """A Keras model built from a parameter dataclass and saved in its .keras file with them, so a
    loaded model is rebuilt the same and can train further. Subclasses say which dataclass
    (`params_type`) and which of its fields fix the networks' shapes (`architecture_fields`), and add
    their counters to `get_config` (`{**super().get_config(), "epochs_done": ...}`)."""

    params_type: type
    architecture_fields: tuple[str, ...]

    def __init__(self, params: Any, **kwargs):
        super().__init__(**kwargs)
        self.params = params if isinstance(params, self.params_type) else self.params_from_config(params)

    @classmethod
    def params_from_config(cls, saved: dict) -> Any:
        """The parameters from the dict a saved file's config holds."""
        return params_from_dict(cls.params_type, saved)

    def get_config(self) -> dict:
        # Built here, not from keras.Model.get_config, which would add "trainable", "dtype" and the
        # constructor's arguments to the files and change what earlier versions read.
        return {"name": self.name, "params": params_to_dict(self.params)}

    def configure_training(self, params: Any) -> None:
        """Take the training knobs of `params`, keeping this model's architecture: how a resumed run
        continues with new settings."""
        self.params = with_fields_of(params, self.params, self.architecture_fields)
