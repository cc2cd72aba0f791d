"""Running a backbone a segment at a time: the same loss and gradient as one pass over the whole
network, and Cancel heard between segments inside a single tile."""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf

from studio.core.backbones import Backbone
from studio.core.params.dream import DreamParams
from studio.core.progress import run_to_end
from studio.engines import dream as dream_engine
from studio.engines.segments import SegmentedPass, segments

LAYERS = ("conv1", "conv2", "conv3")


def skip_convnet() -> keras.Model:
    """conv1 -> conv2 -> conv3 with a skip from conv1 around conv2: only conv1 carries all later work."""
    keras.utils.set_random_seed(1)
    inputs = keras.Input((None, None, 3))
    first = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="conv1")(inputs)
    second = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="conv2")(first)
    joined = keras.layers.Add()([first, second])
    pooled = keras.layers.MaxPooling2D(2)(joined)
    return keras.Model(inputs, keras.layers.Conv2D(16, 3, padding="same", name="conv3")(pooled))


def counting_convnet(runs: tf.Variable) -> keras.Model:
    """Three layers; the last one counts in `runs` each time it is computed."""
    keras.utils.set_random_seed(2)
    inputs = keras.Input((None, None, 3))
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="conv1")(inputs)
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="conv2")(x)

    def counted(activation):
        with tf.control_dependencies([runs.assign_add(1)]):
            return tf.identity(activation)

    x = keras.layers.Lambda(counted)(x)
    return keras.Model(inputs, keras.layers.Conv2D(8, 3, padding="same", name="conv3")(x))


def mean_square(name, activation, weights):
    return weights[LAYERS.index(name)] * tf.reduce_mean(tf.square(activation))


@pytest.mark.parametrize("model", ["tiny", "skip"])
def test_segmented_gradient_is_the_whole_networks(tiny_backbone, model):
    backbone = tiny_backbone if model == "tiny" else Backbone.from_model("skip", skip_convnet(), LAYERS)
    parts = segments(backbone, LAYERS)
    assert len(parts) == (3 if model == "tiny" else 2)  # no cut where the skip jumps over conv2
    network = SegmentedPass(backbone, parts, mean_square, [tf.TensorSpec([3], tf.float32)])
    weights = tf.constant([1.0, 0.5, 2.0])
    for height, width in [(40, 56), (64, 32)]:
        image = tf.random.stateless_uniform((height, width, 3), (0, height), -1.0, 1.0)
        loss, gradient = run_to_end(network.gradient(image, weights))[1]
        with tf.GradientTape() as tape:
            tape.watch(image)
            features = backbone.features(image[None], LAYERS)
            expected = tf.add_n([mean_square(name, features[name], weights) for name in LAYERS])
        assert float(loss) == pytest.approx(float(expected), rel=1e-5)
        np.testing.assert_allclose(gradient, tape.gradient(expected, image), atol=1e-5 * float(tf.reduce_max(gradient)))
    assert network.tracing_counts() == [1] * len(parts)


def test_cancel_lands_inside_one_tile_before_the_deeper_layers_run():
    """A picture of one tile yields between the network's segments, so a Cancel pressed while the
    first layers run stops the job before the deeper layers are computed at all."""
    runs = tf.Variable(0)
    backbone = Backbone.from_model("counting", counting_convnet(runs), LAYERS)
    params = dataclasses.replace(DreamParams(), layers={"conv3": 1.0}, octaves=1, steps_per_octave=3, seed=0)
    picture = np.random.default_rng(0).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    job = dream_engine.dream(picture, params, backbone)
    first = next(job)
    assert first.preview is None and first.fraction < 1 / 3  # part-way through the first step
    job.close()
    assert int(runs.numpy()) == 0
    run_to_end(dream_engine.dream(picture, params, backbone))
    assert int(runs.numpy()) == 3  # once per step when left to run
