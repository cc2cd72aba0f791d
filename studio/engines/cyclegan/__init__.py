"""CycleGAN (Zhu et al. 2017): learn to translate pictures between two collections, with no pairs,
by training two generators (A to B, B to A) against two discriminators, each translation made to
come back to its original by the other.

`train_cyclegan_job` trains on the collections its parameters name; `translate` applies a trained
model to a picture of any size; `load_cyclegan_job`/`save_cyclegan_job` read and write `.keras` files.
"""

from studio.engines.cyclegan.data import demo_collection, read_collections
from studio.engines.cyclegan.job import (
    load_cyclegan_job,
    sample_strip,
    save_cyclegan_job,
    strip_picture,
    train_cyclegan,
    train_cyclegan_job,
    translate,
)
from studio.engines.cyclegan.model import CycleGanModel, FakePool, load_cyclegan, save_cyclegan

__all__ = [
    "CycleGanModel",
    "FakePool",
    "demo_collection",
    "load_cyclegan",
    "load_cyclegan_job",
    "read_collections",
    "sample_strip",
    "save_cyclegan",
    "save_cyclegan_job",
    "strip_picture",
    "train_cyclegan",
    "train_cyclegan_job",
    "translate",
]
