"""Backbones: weight downloads (never touching the network here), model files, layer checks."""

from __future__ import annotations

import io
import urllib.error
import urllib.request

import numpy as np
import pytest

from studio.core import backbones
from studio.core.backbones import download_weights, load_backbone, weights_cache_dir
from studio.core.catalog import BACKBONES, CUSTOM_BACKBONE
from studio.core.progress import JobError
from studio.core.progress import run_to_end as run

WEIGHTS_URL = "https://example.invalid/models/some_weights_notop.h5"

# Keras' own saving code trips this NumPy 2 deprecation; it is not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy:DeprecationWarning")


@pytest.fixture
def offline(monkeypatch):
    calls = []

    def refuse(url, *args, **kwargs):
        calls.append(url)
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return calls


class FakeResponse(io.BytesIO):
    def __init__(self, payload: bytes):
        super().__init__(payload)
        self.headers = {"Content-Length": str(len(payload))}


def test_offline_download_says_to_use_the_offline_vgg16(offline):
    with pytest.raises(JobError) as caught:
        run(download_weights(WEIGHTS_URL, "InceptionV3"))
    message = str(caught.value)
    assert "Could not download the InceptionV3 weights" in message
    assert "Temporary failure in name resolution" in message
    assert "offline VGG16" in message
    assert offline == [WEIGHTS_URL]
    assert not list(weights_cache_dir().glob("*"))  # no half-written file is left to be mistaken for weights


@pytest.mark.parametrize(
    "key, file_name",
    [
        ("inception_v3", "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"),
        ("vgg19", "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    ],
)
def test_online_backbones_fetch_the_official_keras_weights_and_fail_clearly_offline(offline, key, file_name):
    with pytest.raises(JobError, match="offline VGG16"):
        run(load_backbone(key))
    assert offline == [f"https://storage.googleapis.com/tensorflow/keras-applications/{key}/{file_name}"]


def test_download_reports_progress_and_caches(monkeypatch):
    payload = bytes(range(256)) * 40
    opened = []

    def serve(url, *args, **kwargs):
        opened.append(url)
        return FakeResponse(payload)

    monkeypatch.setattr(urllib.request, "urlopen", serve)
    events, path = run(download_weights(WEIGHTS_URL, "Test net", chunk_size=4096))
    assert path == weights_cache_dir() / "some_weights_notop.h5"
    assert path.read_bytes() == payload
    assert [event.step for event in events] == [4096, 8192, len(payload)]
    assert all(event.total == len(payload) and "Test net" in event.stage for event in events)

    events, again = run(download_weights(WEIGHTS_URL, "Test net"))
    assert again == path and events == [] and opened == [WEIGHTS_URL]  # the second call reads the cache


def test_cached_weights_skip_the_network(offline):
    cached = weights_cache_dir() / "some_weights_notop.h5"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"weights")
    events, path = run(download_weights(WEIGHTS_URL, "Test net"))
    assert path == cached and events == [] and offline == []


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    """A small image model saved as .keras, with a classifier head the backbone must leave out."""
    import keras

    inputs = keras.Input((None, None, 3), name="picture")
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="edges")(inputs)
    x = keras.layers.MaxPooling2D(2, name="shrink")(x)
    x = keras.layers.Conv2D(6, 3, padding="same", activation="relu", name="shapes")(x)
    x = keras.layers.GlobalAveragePooling2D(name="summary")(x)
    outputs = keras.layers.Dense(2, name="verdict")(x)
    path = tmp_path_factory.mktemp("models") / "my_net.keras"
    keras.Model(inputs, outputs).save(path)
    return path


def test_model_file_backbone_offers_its_image_shaped_layers(model_file):
    import tensorflow as tf

    _, backbone = run(load_backbone(CUSTOM_BACKBONE, str(model_file)))
    assert backbone.layer_names == ("edges", "shrink", "shapes")
    assert backbone.label == "my_net"
    features = backbone.features(tf.zeros((1, 16, 20, 3)), ("edges", "shapes"))
    assert tuple(features["edges"].shape) == (1, 16, 20, 4)
    assert tuple(features["shapes"].shape) == (1, 8, 10, 6)
    _, again = run(load_backbone(CUSTOM_BACKBONE, str(model_file)))
    assert again is backbone  # loaded once per session
    assert run(backbones.layer_names(CUSTOM_BACKBONE, str(model_file)))[1] == ("edges", "shrink", "shapes")


def test_bad_model_file_gives_a_clear_error(tmp_path):
    bad = tmp_path / "broken.keras"
    bad.write_bytes(b"this is not a zip archive")
    with pytest.raises(JobError, match="Could not load the model broken.keras"):
        run(load_backbone(CUSTOM_BACKBONE, str(bad)))
    with pytest.raises(JobError, match="Could not load the model absent.h5"):
        run(load_backbone(CUSTOM_BACKBONE, str(tmp_path / "absent.h5")))
    with pytest.raises(JobError, match="Choose a .keras or .h5 model file"):
        run(load_backbone(CUSTOM_BACKBONE, None))


def test_model_without_image_layers_is_refused(tmp_path):
    import keras

    inputs = keras.Input((8,))
    path = tmp_path / "table_model.keras"
    keras.Model(inputs, keras.layers.Dense(3, name="scores")(inputs)).save(path)
    with pytest.raises(JobError, match="table_model.keras has no image-shaped layers"):
        run(load_backbone(CUSTOM_BACKBONE, str(path)))


def test_unknown_layer_lists_the_valid_ones(tiny_backbone):
    with pytest.raises(JobError) as caught:
        tiny_backbone.extractor(("conv2", "block9_conv9"))
    message = str(caught.value)
    assert "no layer named block9_conv9" in message
    assert "Pick from: conv1, conv2, conv3" in message


def test_unknown_backbone_key():
    with pytest.raises(JobError, match="Unknown backbone 'alexnet'"):
        run(load_backbone("alexnet"))


def test_caffe_preprocess_maps_working_space_to_vgg_input():
    import tensorflow as tf

    white_red = tf.constant([[[[1.0, -1.0, -1.0]]]])  # pure red in [-1, 1] RGB
    bgr = backbones.caffe_preprocess(white_red).numpy()[0, 0, 0]
    np.testing.assert_allclose(bgr, [0 - 103.939, 0 - 116.779, 255 - 123.68], atol=1e-3)


@pytest.mark.slow
def test_offline_vgg16_has_the_catalogued_layers(offline):
    import tensorflow as tf

    _, backbone = run(load_backbone("vgg16"))
    assert backbone.layer_names == BACKBONES["vgg16"].layers
    assert offline == []  # bundled weights: no download attempted
    features = backbone.features(tf.zeros((1, 64, 64, 3)), ("block1_conv1", "block5_conv3"))
    assert tuple(features["block1_conv1"].shape) == (1, 64, 64, 64)
    assert tuple(features["block5_conv3"].shape) == (1, 4, 4, 512)
