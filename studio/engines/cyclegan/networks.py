"""The four networks of a CycleGAN: two generators (ResNet or U-Net) and two PatchGAN discriminators.

All are fully convolutional (any picture size). Generators normalise each picture on its own
(instance normalisation), pad by reflection so borders show no dark frame, and enlarge by resizing
then convolving, which leaves no checkerboard (Odena et al. 2016).
"""

from __future__ import annotations

import keras
from keras import layers

from studio.core.params.cyclegan import CycleGanParams
from studio.engines.padding import ReflectionPadding2D

# Weights start small, as in the paper (N(0, 0.02)): with Keras' default the last layer starts with
# its tanh saturated, and the first steps produce high-contrast colour noise that takes long to fade.
WEIGHTS = keras.initializers.RandomNormal(0.0, 0.02)
UNET_LEVELS = 4  # halvings in the U-Net: 128 px pictures meet at 8 x 8
RESNET_LEVELS = 2  # halvings before the residual blocks, as in the paper


@keras.saving.register_keras_serializable(package="studio")
class InstanceNormalization(layers.GroupNormalization):
    """GroupNormalization with one group per channel: instance normalisation, each picture's
    channels normalised over its own pixels, as in training.

    For pictures translated in tiles, two states that a `Translator` sets while it traces: with
    `pooled`, statistics are taken over the whole batch (samples of one picture measured as one);
    with `held`, a (mean, variance) pair measured so is used instead of the input's own, so every
    tile of a picture is normalised alike and none gets its own contrast.
    """

    def __init__(self, **kwargs):
        kwargs.pop("groups", None)
        super().__init__(groups=-1, **kwargs)
        self.pooled = False
        self.held = None

    def call(self, inputs):
        mean, variance = self.held if self.held is not None else statistics(inputs, self.pooled)
        return (inputs - mean) * keras.ops.rsqrt(variance + self.epsilon) * self.gamma + self.beta


def statistics(inputs, pooled: bool = False):
    """Mean and variance per channel over the pixels of each picture, shaped (N, 1, 1, C), or
    with `pooled` over all pictures of the batch together, shaped (1, 1, 1, C)."""
    return keras.ops.moments(inputs, axes=(0, 1, 2) if pooled else (1, 2), keepdims=True)


def conv2d(filters: int, kernel_size: int, **options) -> layers.Conv2D:
    return layers.Conv2D(filters, kernel_size, kernel_initializer=WEIGHTS, **options)


def instance_norm() -> layers.Layer:
    return InstanceNormalization()


def conv_norm(x, filters: int, kernel_size: int, strides: int = 1, activation: str = "relu"):
    """Reflection pad, convolve, normalise per instance, activate (no bias: the norm removes it)."""
    x = ReflectionPadding2D(kernel_size // 2)(x)
    x = conv2d(filters, kernel_size, strides=strides, use_bias=False)(x)
    x = instance_norm()(x)
    return layers.LeakyReLU(0.2)(x) if activation == "leaky_relu" else layers.Activation(activation)(x)


def upsample(x, filters: int):
    """Double the size by nearest-neighbour resizing, then convolve (no transposed convolution)."""
    return conv_norm(layers.UpSampling2D(2)(x), filters, 3)


def residual_block(x, filters: int):
    """Two 3 x 3 convolutions whose result is added to the block's input."""
    y = conv_norm(x, filters, 3)
    y = ReflectionPadding2D(1)(y)
    y = instance_norm()(conv2d(filters, 3, use_bias=False)(y))
    return layers.Add()([x, y])


def to_picture(x):
    """The last layer: a 7 x 7 convolution to RGB in [-1, 1]."""
    return conv2d(3, 7, activation="tanh")(ReflectionPadding2D(3)(x))


def build_resnet_generator(filters: int, blocks: int, name: str) -> keras.Model:
    """Johnson et al.'s network as CycleGAN uses it: 7 x 7 in, two halvings, residual blocks at a
    quarter of the size, two doublings, 7 x 7 out."""
    inputs = keras.Input((None, None, 3))
    x = conv_norm(inputs, filters, 7)
    for level in range(1, RESNET_LEVELS + 1):
        x = conv_norm(x, filters * 2**level, 3, strides=2)
    for _ in range(blocks):
        x = residual_block(x, filters * 2**RESNET_LEVELS)
    for level in reversed(range(RESNET_LEVELS)):
        x = upsample(x, filters * 2**level)
    return keras.Model(inputs, to_picture(x), name=name)


def build_unet_generator(filters: int, name: str) -> keras.Model:
    """Halve the picture UNET_LEVELS times, then double it back, joining each doubled map with the
    map of the same size on the way down (Concatenate): the skips carry where things are, the
    bottom of the U what they are."""
    inputs = keras.Input((None, None, 3))
    x = conv_norm(inputs, filters, 7)
    skips = []
    for level in range(1, UNET_LEVELS + 1):
        skips.append(x)
        x = conv_norm(x, filters * 2 ** min(level, 3), 3, strides=2, activation="leaky_relu")
    for level in reversed(range(UNET_LEVELS)):
        x = upsample(x, filters * 2 ** min(level, 3))
        x = layers.Concatenate()([x, skips[level]])
    return keras.Model(inputs, to_picture(conv_norm(x, filters, 3)), name=name)


def build_generator(params: CycleGanParams, name: str) -> keras.Model:
    if params.generator == "unet":
        return build_unet_generator(params.generator_filters, name)
    return build_resnet_generator(params.generator_filters, params.residual_blocks, name)


def size_multiple(generator: str) -> int:
    """Picture sides a generator gives back unchanged must be multiples of this."""
    return 2 ** (UNET_LEVELS if generator == "unet" else RESNET_LEVELS)


def build_discriminator(filters: int, name: str) -> keras.Model:
    """PatchGAN: a map with one verdict (a score, real near 1, fake near 0) per overlapping 70 x 70
    patch, 1/8 of the picture's size, so it judges texture and style everywhere, not the whole scene."""
    inputs = keras.Input((None, None, 3))
    # No bias: with one, TF 2.21's graph optimiser fails to fuse Conv2D + BiasAdd + LeakyRelu under
    # a gradient tape and logs an error on every run ("remapper failed").
    x = layers.LeakyReLU(0.2)(conv2d(filters, 4, strides=2, padding="same", use_bias=False)(inputs))
    for multiplier, strides in ((2, 2), (4, 2), (8, 1)):
        x = conv2d(filters * multiplier, 4, strides=strides, padding="same", use_bias=False)(x)
        x = layers.LeakyReLU(0.2)(instance_norm()(x))
    return keras.Model(inputs, conv2d(1, 4, padding="same")(x), name=name)
