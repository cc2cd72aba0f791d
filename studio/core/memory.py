"""The process's memory over a session: what a job freed goes back to the system before the next.

Imported before TensorFlow loads, by the app's runner and by `studio.core.compute` (how the CLI and
the app start TensorFlow), since TensorFlow reads its allocator setting once, as it starts.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, which hands the free memory in malloc's heaps back to the system."""
    if not sys.platform.startswith("linux"):
        return None
    return getattr(ctypes.CDLL(None), "malloc_trim", None)  # absent outside glibc


MALLOC_TRIM = _malloc_trim()
if MALLOC_TRIM is not None:
    # oneDNN builds of TensorFlow keep large tensors in a pool of their own that never shrinks, and
    # each new picture size leaves it bigger (about 12 MB a size, 1 GB over a session of many
    # sizes). Plain malloc, trimmed between jobs, levels off; the price is 10 to 14 % more compute
    # per step, its largest tensors being mapped afresh each time (bench/bench_dream_soak.py).
    # A user's own setting wins.
    os.environ.setdefault("TF_ONEDNN_USE_SYSTEM_ALLOCATOR", "1")


def release_freed_memory() -> None:
    """Hand memory the process has freed back to the system; the app's runner calls it after each job.

    malloc keeps freed blocks in its heaps for reuse, and the tensors of each new picture size land
    in new holes beside the old, so without this the process would keep the high-water mark of
    every size it met. Trimming takes a fraction of a second.
    """
    if MALLOC_TRIM is not None:
        MALLOC_TRIM(0)
