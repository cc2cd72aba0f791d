"""Random picture changes for training on few pictures, as TensorFlow ops on a batch.

Every op is differentiable and made of plain tensor arithmetic (no image-warp kernels), so it runs
inside an XLA-compiled train step and a GAN's generator gets gradients through it: the
"differentiable augmentation" (DiffAugment) that lets a GAN learn from a few hundred pictures by
showing its discriminator changed real AND generated pictures alike. The VAE uses the same ops on
its training pictures (mirror, small shifts and zooms, brightness and contrast).

Pictures are float batches (N, H, W, C) in either scale; `low` is the value of black ( -1 or 0).
Randomness comes from a `tf.random.Generator`, so a seeded run repeats.
"""

from __future__ import annotations

import tensorflow as tf


def resample_matrix(size: int, scale, shift) -> tf.Tensor:
    """(N, size, size) matrices that resample a row of `size` pixels, per picture, at
    `centre + (i - centre) * scale + shift` (linear interpolation, edge pixels repeated).
    Multiplying by them shifts and zooms a picture without an image-warp kernel."""
    centre = (size - 1) / 2.0
    positions = tf.range(size, dtype=tf.float32)[None, :]
    source = tf.clip_by_value(centre + (positions - centre) * scale[:, None] + shift[:, None], 0.0, size - 1.0)
    below = tf.floor(source)
    weight = source - below
    below = tf.cast(below, tf.int32)
    above = tf.minimum(below + 1, size - 1)
    return tf.one_hot(below, size) * (1.0 - weight)[..., None] + tf.one_hot(above, size) * weight[..., None]


def shift_and_zoom(images, noise: tf.random.Generator, max_shift: float, min_zoom: float = 1.0, whole_pixels=False):
    """Move each picture by up to `max_shift` of its side and zoom in by up to 1 / `min_zoom`
    (a random crop scaled back up). `whole_pixels` keeps shifts to exact pixels (no blur)."""
    batch, height, width = tf.shape(images)[0], images.shape[1], images.shape[2]
    scale = noise.uniform([batch], min_zoom, 1.0)
    shifts = noise.uniform([2, batch], -max_shift, max_shift) * tf.constant([[height], [width]], tf.float32)
    if whole_pixels:
        shifts = tf.round(shifts)
    rows = resample_matrix(height, scale, shifts[0])
    columns = resample_matrix(width, scale, shifts[1])
    return tf.einsum("nij,njkc,nlk->nilc", rows, images, columns)


def mirror(images, noise: tf.random.Generator):
    """Flip half the pictures left to right."""
    flip = noise.uniform([tf.shape(images)[0], 1, 1, 1]) < 0.5
    return tf.where(flip, tf.reverse(images, axis=[2]), images)


def adjust_colour(images, noise: tf.random.Generator, brightness: float, contrast: float, saturation: float, low):
    """Random brightness (an offset of up to `brightness` of the full range), contrast (a factor
    within 1 +- `contrast`) and, for colour pictures, saturation (1 +- `saturation`)."""
    batch = tf.shape(images)[0]
    full_range = 1.0 - low
    images = images + noise.uniform([batch, 1, 1, 1], -brightness, brightness) * full_range
    mean = tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
    images = (images - mean) * noise.uniform([batch, 1, 1, 1], 1.0 - contrast, 1.0 + contrast) + mean
    if images.shape[-1] == 3 and saturation:
        grey = tf.reduce_mean(images, axis=3, keepdims=True)
        images = (images - grey) * noise.uniform([batch, 1, 1, 1], 1.0 - saturation, 1.0 + saturation) + grey
    return images


def cutout(images, noise: tf.random.Generator, fraction: float, fill):
    """Blank a random square of `fraction` of the side in each picture (set it to `fill`)."""
    batch, height, width = tf.shape(images)[0], images.shape[1], images.shape[2]
    half = fraction / 2.0
    centres = noise.uniform([2, batch, 1], 0.0, 1.0)
    rows = (tf.range(height, dtype=tf.float32)[None, :] + 0.5) / height
    columns = (tf.range(width, dtype=tf.float32)[None, :] + 0.5) / width
    inside_rows = tf.abs(rows - centres[0]) < half
    inside_columns = tf.abs(columns - centres[1]) < half
    hole = tf.logical_and(inside_rows[:, :, None], inside_columns[:, None, :])[..., None]
    return tf.where(hole, tf.cast(fill, images.dtype), images)


def diff_augment(images, noise: tf.random.Generator, low):
    """DiffAugment's colour, translation and cutout policy (Zhao et al. 2020), the recipe that
    makes GANs train on 100 pictures: applied to every picture the discriminator sees."""
    images = adjust_colour(images, noise, brightness=0.25, contrast=0.5, saturation=1.0, low=low)
    images = shift_and_zoom(images, noise, max_shift=0.125, whole_pixels=True)
    return cutout(images, noise, fraction=0.5, fill=(1.0 + low) / 2.0)


def vary_pictures(images, noise: tf.random.Generator, low):
    """Plausible variants of training pictures for a VAE: mirrored, shifted and zoomed a little,
    lighter or darker, so a hundred pictures teach it more than a hundred points."""
    images = mirror(images, noise)
    images = shift_and_zoom(images, noise, max_shift=0.06, min_zoom=0.85)
    images = adjust_colour(images, noise, brightness=0.1, contrast=0.2, saturation=0.2, low=low)
    return tf.clip_by_value(images, low, 1.0)
