"""Starting TensorFlow: the job the app runs first, on the compute thread, while the window is already up."""

from __future__ import annotations

import os
from collections.abc import Iterator

import studio.core.memory  # noqa: F401  (its TensorFlow settings, before TensorFlow loads)
from studio.core.progress import Progress

# TensorFlow's C++ start-up chatter is noise for artists; real errors still surface as exceptions.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def warm_up() -> Iterator[Progress]:
    """Import TensorFlow, let GPUs grow their memory as needed, and return the compute device's name."""
    yield Progress(step=0, total=1, stage="Loading TensorFlow")
    return describe_device()


def describe_device() -> str:
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:
            pass  # already initialised by an earlier job; growth was set then
    if not gpus:
        return "CPU"
    details = tf.config.experimental.get_device_details(gpus[0])
    return f"GPU: {details.get('device_name', gpus[0].name)}"
