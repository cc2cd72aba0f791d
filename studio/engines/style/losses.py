"""The losses of neural style transfer: content, style (Gram matrices) and total variation.

Each works on one picture's activations (H, W, C) or on a batch of them (N, H, W, C).
"""

from __future__ import annotations

import tensorflow as tf


def gram_matrix(features: tf.Tensor) -> tf.Tensor:
    """Channel-by-channel correlations of an (H, W, C) activation map, averaged over positions:
    which features occur together, wherever they are, i.e. the map's texture. A batch
    (N, H, W, C) gives one (C, C) matrix per picture."""
    shape = tf.shape(features)
    flat = tf.reshape(features, tf.concat([shape[:-3], [-1, shape[-1]]], axis=0))
    return tf.matmul(flat, flat, transpose_a=True) / tf.cast(tf.shape(flat)[-2], features.dtype)


def content_loss(features: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """How far the picture's upper-layer activations are from the content picture's."""
    return tf.reduce_mean(tf.square(features - target))


def style_loss(gram: tf.Tensor, target_gram: tf.Tensor) -> tf.Tensor:
    """How far one layer's texture statistics are from the style pictures'."""
    return tf.reduce_mean(tf.square(gram - target_gram))


def total_variation_loss(image: tf.Tensor) -> tf.Tensor:
    """Mean local gradient magnitude (to the power 2.5, which removes speckle but keeps edges)."""
    down = image[..., 1:, :-1, :] - image[..., :-1, :-1, :]
    right = image[..., :-1, 1:, :] - image[..., :-1, :-1, :]
    return tf.reduce_mean(tf.pow(tf.square(down) + tf.square(right), 1.25))
