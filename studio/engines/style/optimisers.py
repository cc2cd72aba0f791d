"""Optimisers that take one step per call, so a job can yield (preview, cancel) between steps:
SciPy's L-BFGS run in a helper thread and paused after each iteration, and Adam."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

import keras
import numpy as np
import scipy.optimize
import tensorflow as tf
from threadpoolctl import threadpool_limits

from studio.engines.style.objective import Evaluation

LBFGS_STACK_BYTES = 64 * 1024 * 1024
LBFGS_HISTORY_BYTES = 512 * 2**20  # L-BFGS keeps pairs of float64 pictures: bound their memory


class SteppedLbfgs:
    """SciPy's L-BFGS-B (bounded to the valid pixel range), one iteration per `step()`.

    SciPy runs the whole minimisation in one call, so it runs on a helper thread that pauses in
    its per-iteration callback until the next step is asked for: the generator can then yield
    between steps and stop at any step. Only one of the two threads works at any moment. The
    starting point is evaluated here, on the caller's thread, so TensorFlow traces there.
    """

    _STOP = object()

    def __init__(self, evaluate: Callable[[np.ndarray], Evaluation], start: np.ndarray, max_steps: int):
        start = np.clip(start, -1.0, 1.0)
        self.shape = start.shape
        self._evaluate = evaluate
        self.last = self._pending_start = evaluate(start)  # SciPy's first evaluation is at the start
        self._requests: queue.Queue = queue.Queue()
        self._replies: queue.Queue = queue.Queue()
        history = int(np.clip(LBFGS_HISTORY_BYTES // (16 * start.size), 3, 10))
        self._thread = threading.Thread(
            target=self._minimise, args=(start, max_steps, history), daemon=True, name="studio-lbfgs"
        )
        # Its TensorFlow calls may trace deep graphs, as the compute thread's do: give it the same stack.
        previous_stack = threading.stack_size(LBFGS_STACK_BYTES)
        try:
            self._thread.start()
        finally:
            threading.stack_size(previous_stack)

    def _loss_and_gradient(self, flat: np.ndarray) -> tuple[float, np.ndarray]:
        if self._pending_start is not None:
            self._pending_start = None
        else:
            self.last = self._evaluate(flat.reshape(self.shape).astype(np.float32))
        return self.last.total, self.last.gradient.ravel().astype(np.float64)

    def _minimise(self, start: np.ndarray, max_steps: int, history: int) -> None:
        if self._requests.get() is self._STOP:
            return
        outcome = None
        try:
            # L-BFGS's vector operations are too small to share out: multi-threaded BLAS only spins
            # on them, taking cores from TensorFlow (10x slower steps when it does).
            with threadpool_limits(limits=1, user_api="blas"):
                scipy.optimize.minimize(
                    self._loss_and_gradient,
                    start.ravel().astype(np.float64),
                    jac=True,
                    method="L-BFGS-B",
                    bounds=scipy.optimize.Bounds(np.full(start.size, -1.0), np.full(start.size, 1.0)),
                    callback=self._pause,
                    # Run every step asked for: no convergence test stops it early.
                    options={
                        "maxiter": max_steps,
                        "maxfun": 4 * max_steps,
                        "maxcor": history,
                        "ftol": 0.0,
                        "gtol": 0.0,
                    },
                )
        except Exception as error:  # handed to the generator's thread, which raises it
            outcome = error
        finally:
            self._replies.put(outcome)

    def _pause(self, intermediate_result) -> None:
        self._replies.put(intermediate_result.x)
        if self._requests.get() is self._STOP:
            raise StopIteration

    def step(self) -> np.ndarray | None:
        """Run one iteration and return the new picture, or None if the minimiser has finished."""
        if not self._thread.is_alive():
            return None
        self._requests.put(True)
        reply = self._replies.get()
        if isinstance(reply, BaseException):
            raise reply
        return None if reply is None else reply.reshape(self.shape).astype(np.float32)

    def close(self) -> None:
        if self._thread.is_alive():
            self._requests.put(self._STOP)
            self._thread.join()


class SteppedAdam:
    """Adam on the picture as a variable, clipped to the valid pixel range after each step."""

    def __init__(self, evaluate: Callable[[np.ndarray], Evaluation], start: np.ndarray, learning_rate: float):
        self._evaluate = evaluate
        self.image = tf.Variable(start)
        self.optimizer = keras.optimizers.Adam(learning_rate=learning_rate)
        self.last: Evaluation | None = None

    def step(self) -> np.ndarray:
        self.last = self._evaluate(self.image.numpy())
        self.optimizer.apply_gradients([(tf.constant(self.last.gradient), self.image)])
        self.image.assign(tf.clip_by_value(self.image, -1.0, 1.0))
        return self.image.numpy()

    def close(self) -> None:
        pass
