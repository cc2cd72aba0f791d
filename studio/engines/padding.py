"""Reflection padding, which the picture networks of fast style and CycleGAN pad with, so their
convolutions see no artificial black border and the pictures they paint have no dark frame."""

from __future__ import annotations

import keras
from keras import layers


@keras.saving.register_keras_serializable(package="studio")
class ReflectionPadding2D(layers.Layer):
    """Pad height and width by `padding` pixels mirrored from inside the picture."""

    def __init__(self, padding: int, **kwargs):
        super().__init__(**kwargs)
        self.padding = padding

    def call(self, inputs):
        pad = self.padding
        return keras.ops.pad(inputs, [[0, 0], [pad, pad], [pad, pad], [0, 0]], mode="reflect")

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        grow = 2 * self.padding
        return batch, None if height is None else height + grow, None if width is None else width + grow, channels

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding}
