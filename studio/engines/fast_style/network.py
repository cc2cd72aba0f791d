"""The transformation network of Johnson et al. (2016), and the saved style model around it.

Strided convolutions take the picture down to a quarter of its size, residual blocks repaint it
there, and nearest-neighbour upsampling followed by a convolution brings it back (no transposed
convolutions, whose uneven overlaps leave a checkerboard). Instance normalisation (statistics per
picture and channel) makes the style independent of each picture's contrast; reflection padding
keeps the borders free of dark frames. The network lays its strokes over the picture it is given
(see `AddStrokes`), in the [-1, 1] working space.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import keras
import tensorflow as tf
from keras import layers

from studio.core.files import atomic_path
from studio.core.params.fast_style import ARCHITECTURE_FIELDS, FastStyleTrainParams
from studio.core.progress import JobError
from studio.engines.padding import ReflectionPadding2D
from studio.engines.training import ModelWithParams

DOWNSCALE = 4  # two stride-2 convolutions: sides must be a multiple of this inside the network
REGISTERED_NAME = "studio>FastStyleModel"
# What models saved before a field existed used: 9 x 9 last convolution, strokes added in artanh space.
LEGACY_ARCHITECTURE = {"output_kernel": 9, "output": "artanh"}


@keras.saving.register_keras_serializable(package="studio")
class AddStrokes(layers.Layer):
    """The network's strokes added to the picture it was given, bounded by tanh: tanh(picture + strokes).

    The last convolution starts at zero, so from its first step the network starts from the picture
    (tanh lowers its contrast) and training spends its steps on the style, not on relearning the
    picture (a large saving on a CPU). A stroke of a given size changes a white or saturated pixel
    as much as a mid-tone, so the network repaints bright and dark areas too; tanh keeps the result
    in the [-1, 1] working space with gradients everywhere (a clip would stop learning where a pixel
    saturates)."""

    def call(self, inputs):
        picture, strokes = inputs
        return tf.tanh(picture + strokes)


@keras.saving.register_keras_serializable(package="studio")
class PaintOver(layers.Layer):
    """Models saved before `AddStrokes`: tanh(artanh(picture) + strokes), which returns the picture
    exactly with no strokes but needs strokes of about 3 to change a saturated pixel, so those
    models left bright and dark areas as they were."""

    def call(self, inputs):
        picture, strokes = inputs
        return tf.tanh(tf.atanh(tf.clip_by_value(picture, -0.995, 0.995)) + strokes)


OUTPUT_LAYERS = {"add": AddStrokes, "artanh": PaintOver}


def _convolution(x, filters: int, kernel: int, strides: int = 1, activation: bool = True):
    x = ReflectionPadding2D(kernel // 2)(x)
    x = layers.Conv2D(filters, kernel, strides=strides, padding="valid")(x)
    x = layers.GroupNormalization(groups=-1, epsilon=1e-5)(x)  # groups=-1: instance normalisation
    return layers.ReLU()(x) if activation else x


def _residual_block(x, filters: int):
    y = _convolution(x, filters, 3)
    y = _convolution(y, filters, 3, activation=False)
    return layers.Add()([x, y])


def build_transformer(
    filters: int = 8, residual_blocks: int = 5, output_kernel: int = 3, output: str = "add"
) -> keras.Model:
    """Picture (N, H, W, 3) in [-1, 1] -> painted picture, same shape, for H and W multiples of DOWNSCALE."""
    inputs = keras.Input((None, None, 3))
    x = _convolution(inputs, filters, 9)
    x = _convolution(x, filters * 2, 3, strides=2)
    x = _convolution(x, filters * 4, 3, strides=2)
    for _ in range(residual_blocks):
        x = _residual_block(x, filters * 4)
    for width in (filters * 2, filters):
        x = layers.UpSampling2D(2, interpolation="nearest")(x)
        x = _convolution(x, width, 3)
    x = ReflectionPadding2D(output_kernel // 2)(x)
    # Zero strokes at first: training starts from the picture itself (see AddStrokes).
    strokes = layers.Conv2D(3, output_kernel, padding="valid", kernel_initializer="zeros")(x)
    return keras.Model(inputs, OUTPUT_LAYERS[output]()([inputs, strokes]), name="transformer")


@keras.saving.register_keras_serializable(package="studio")
class FastStyleModel(ModelWithParams):
    """A trained style: the transformation network, its Adam optimizer and the training parameters
    and step count, saved together in one .keras file so training can resume where it stopped.

    Calling it paints a batch of working-space pictures of any size (reflection-padded to a multiple
    of DOWNSCALE inside, cropped back after)."""

    params_type = FastStyleTrainParams
    architecture_fields = ARCHITECTURE_FIELDS

    def __init__(
        self,
        params: FastStyleTrainParams | dict,
        steps_done: int = 0,
        style_names: list[str] | tuple[str, ...] = (),
        **kwargs,
    ):
        super().__init__(params, **kwargs)
        self.steps_done = steps_done
        self.style_names = list(style_names)
        self.transformer = build_transformer(**self._architecture())
        self.optimizer_state = keras.optimizers.Adam(self.params.learning_rate)
        # Built now so a loaded file's optimizer state has variables to land in.
        self.optimizer_state.build(self.transformer.trainable_variables)
        self.built = True

    def call(self, pictures):
        height, width = tf.shape(pictures)[1], tf.shape(pictures)[2]
        pad_y, pad_x = -height % DOWNSCALE, -width % DOWNSCALE
        padded = tf.pad(pictures, [[0, 0], [0, pad_y], [0, pad_x], [0, 0]], mode="REFLECT")
        return self.transformer(padded)[:, :height, :width, :]

    @classmethod
    def params_from_config(cls, saved: dict) -> FastStyleTrainParams:
        """Files saved before the fields of LEGACY_ARCHITECTURE existed lack them: they were built so."""
        return super().params_from_config({**LEGACY_ARCHITECTURE, **saved})

    def get_config(self) -> dict:
        return {**super().get_config(), "steps_done": self.steps_done, "style_names": self.style_names}

    def _architecture(self) -> dict:
        """The fields of the training parameters that fix the network's shape (build_transformer's arguments)."""
        return {name: getattr(self.params, name) for name in self.architecture_fields}

    def configure_training(self, params: FastStyleTrainParams) -> None:
        """Take the training knobs of `params` (steps, weights, learning rate...), keeping this model's
        network shape: how a resumed run changes course."""
        super().configure_training(params)
        self.optimizer_state.learning_rate.assign(self.params.learning_rate)


def save_style_model(model: FastStyleModel, path: str | os.PathLike) -> Path:
    """Write the model to a .keras file atomically (a stop mid-save never leaves half a file)."""
    path = check_model_path(path)
    with atomic_path(path) as temp:
        model.save(temp)
    return path


def check_model_path(path: str | os.PathLike) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".keras":
        raise JobError(f"Save style models as .keras files, not '{path.suffix or path.name}'.")
    return path


def read_model_config(path: str | os.PathLike) -> dict:
    """What a saved style model holds (its training parameters, `steps_done`, `style_names`), read
    without building it; a JobError if the file is not a style model saved by Studio."""
    path = Path(path)
    if not path.is_file():
        raise JobError(f"{path.name} was not found. It may have been moved or deleted.")
    # Look at what the file holds before Keras builds it: another kind of model would fail obscurely.
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise JobError(f"{path.name} is not a .keras model file, or the file is damaged.") from None
    if config.get("registered_name") != REGISTERED_NAME:
        raise JobError(
            f"{path.name} holds a {config.get('class_name', 'model')}, not a style model trained by Studio "
            "(train one with 'studio style train-model')."
        )
    return config["config"]


def load_style_model(path: str | os.PathLike) -> FastStyleModel:
    """A style model saved by `save_style_model`, ready to paint or to train further."""
    path = Path(path)
    read_model_config(path)
    try:
        return keras.saving.load_model(path)
    except Exception as error:  # Keras reports a bad file with many error types
        raise JobError(f"{path.name} could not be read ({error}); the file may be damaged.") from None
