"""What the VAE and GAN training share: paced compiled chunks (the cancel interval) and the
augmentation ops."""

import numpy as np
import tensorflow as tf

from studio.engines.augment import cutout, diff_augment, shift_and_zoom, vary_pictures
from studio.engines.training import ChunkPacer, random_generator


class FakeClock:
    """Each step of the fake chunk costs `step_seconds` of this clock."""

    def __init__(self, step_seconds: float):
        self.now = 0.0
        self.step_seconds = step_seconds

    def __call__(self) -> float:
        return self.now

    def run_chunk(self, count):
        self.now += self.step_seconds * int(count)
        return tf.zeros([1])


def test_chunks_grow_to_the_time_budget_and_no_further():
    """With 40 ms steps, control comes back at least every 0.25 s (so a Stop lands within it),
    starting after single steps; with 0.1 ms steps, chunks grow (doubling) to ~2,500 steps."""
    slow = FakeClock(0.04)
    counts = [count for count, _ in ChunkPacer(0.25, clock=slow).run(slow.run_chunk, 100)]
    assert counts[:3] == [1, 2, 4] and max(counts) == 6 and sum(counts) == 100
    fast = FakeClock(0.0001)
    counts = [count for count, _ in ChunkPacer(0.25, clock=fast).run(fast.run_chunk, 10_000)]
    assert counts[:4] == [1, 2, 4, 8] and max(counts) <= 2500 and sum(counts) == 10_000


def test_shifts_move_pictures_by_whole_pixels_and_mirror_and_colour_keep_shapes():
    noise = random_generator(0)
    pictures = tf.random.stateless_uniform((8, 12, 12, 3), seed=(1, 2))
    shifted = shift_and_zoom(pictures, noise, max_shift=0.25, whole_pixels=True)
    assert shifted.shape == pictures.shape
    for before, after in zip(pictures.numpy(), shifted.numpy()):
        # A whole-pixel shift keeps the inner pixels' values (the edges repeat).
        assert np.isin(np.round(after[4:8, 4:8], 5), np.round(before, 5)).all()
    varied = vary_pictures(pictures, noise, low=0.0)
    assert varied.shape == pictures.shape and 0.0 <= float(tf.reduce_min(varied)) and float(tf.reduce_max(varied)) <= 1
    assert not np.allclose(varied, pictures)


def test_diff_augment_passes_gradients_back_to_the_pictures():
    noise = random_generator(3)
    pictures = tf.Variable(tf.zeros((4, 16, 16, 1)))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(diff_augment(pictures, noise, low=-1.0))
    gradient = tape.gradient(loss, pictures)
    assert gradient is not None and float(tf.reduce_sum(tf.abs(gradient))) > 0
    holes = cutout(tf.ones((4, 16, 16, 1)), noise, fraction=0.5, fill=0.0).numpy()
    assert ((holes == 0).sum(axis=(1, 2, 3)) > 0).all()
