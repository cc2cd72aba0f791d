"""Starting TensorFlow quietly: the CLI does it before a verb runs, the app as its first job, on the
compute thread, while the window is already up. Both go through `start_tensorflow`.

TensorFlow's C++ libraries print start-up chatter (absl's "All log messages before
absl::InitializeLog()", oneDNN notes, "failed call to cuInit" on machines without a GPU) straight to
file descriptor 2, before TF_CPP_MIN_LOG_LEVEL takes effect; for artists it is noise, and real
failures reach them as Python exceptions anyway. Unless `verbose`, Studio hides it.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import studio.core.memory  # noqa: F401  (its TensorFlow settings, before TensorFlow loads)
from studio.core.progress import JobError, Progress

# A line of TensorFlow's C++ logging (absl's "I0000 00:00:1795524769.593843   32040 port.cc:153] ..."),
# or absl's note that such lines come before its set-up.
TENSORFLOW_LOG_LINE = re.compile(
    rb"^(?:[IWEF]\d{4} [\d:.]+\s+\d+ [\w.-]+:\d+\] |WARNING: All log messages before absl::InitializeLog)"
)


def warm_up(verbose: bool = False) -> Iterator[Progress]:
    """The app's first job: start TensorFlow and return the compute device's name."""
    yield Progress(step=0, total=1, stage="Loading TensorFlow")
    return start_tensorflow(verbose)


def start_tensorflow(verbose: bool = False) -> str:
    """Import TensorFlow and Keras and let them find their devices, hiding their start-up chatter
    unless `verbose`; returns the device's name."""
    set_tensorflow_log_level(verbose)
    with quiet_stderr(enabled=not verbose):
        try:
            import keras  # noqa: F401  (Keras's own start-up chatter belongs to the same moment)
        except ImportError as error:
            raise JobError(f"TensorFlow could not be loaded ({error}). Reinstall Studio: pip install -e .") from None
        return describe_device()


def set_tensorflow_log_level(verbose: bool) -> None:
    """Quiet means errors too: grappler's "remapper failed" (a fusion it skips while training
    convolutions under a tape) is logged at ERROR level yet harms nothing. A level the user set
    stays; TensorFlow reads it once, when it loads."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "0" if verbose else "3")


@contextmanager
def quiet_stderr(enabled: bool = True) -> Iterator[None]:
    """Keep TensorFlow's log lines from file descriptor 2 while the block runs.

    What anything in the process (C++ libraries too, other threads too: the app's GUI thread runs
    meanwhile) writes there goes to a scratch file; afterwards all but TensorFlow's log lines are
    written on, or everything if the block failed, so a real error still reaches the user.
    """
    if not enabled:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with tempfile.TemporaryFile() as scratch:
            os.dup2(scratch.fileno(), 2)
            failed = False
            try:
                yield
            except BaseException:
                failed = True
                raise
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
                scratch.seek(0)
                written = scratch.read().splitlines(keepends=True)
                kept = written if failed else [line for line in written if not TENSORFLOW_LOG_LINE.match(line)]
                os.write(2, b"".join(kept))
    finally:
        os.close(saved)


def describe_device() -> str:
    """Let GPUs grow their memory as needed; the compute device's name."""
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
