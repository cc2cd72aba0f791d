"""Optimisers that take one step per call, so a job can yield (preview, cancel) between steps and
between the tiles of each evaluation: SciPy's L-BFGS driven from a helper thread, and Adam.

Each `step()` is a generator: it yields the share of the step's work done (before each tile) and
returns the new picture. The evaluation it is given is such a generator too.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator

import keras
import numpy as np
import scipy.optimize
import tensorflow as tf
from threadpoolctl import threadpool_limits

from studio.engines.style.objective import Evaluation

Evaluate = Callable[[np.ndarray], Generator[float, None, Evaluation]]
LBFGS_HISTORY_BYTES = 512 * 2**20  # L-BFGS keeps pairs of float64 pictures: bound their memory
HEARTBEAT_SECONDS = 0.25  # while SciPy does its own arithmetic, yield this often (so Cancel is heard)


class _Stopped(Exception):
    """Raised inside SciPy's call of the objective to end the minimisation early."""


class SteppedLbfgs:
    """SciPy's L-BFGS-B (bounded to the valid pixel range), one iteration per `step()`.

    SciPy runs the whole minimisation in one call, so that call runs on a helper thread; whenever it
    needs the loss and gradient at a point it hands the point over and waits. The evaluation runs in
    `step()`, on the job's own thread: TensorFlow stays on the compute thread, and the job can yield
    between tiles and be closed there. The helper thread only does L-BFGS's vector arithmetic, and
    only one of the two threads works at any moment. `close()` ends the helper thread.
    """

    _STOP = object()

    def __init__(self, evaluate: Evaluate, start: np.ndarray, max_steps: int):
        start = np.clip(start, -1.0, 1.0)
        self.shape = start.shape
        self.last: Evaluation | None = None
        self._evaluate = evaluate
        self._requests: queue.SimpleQueue = queue.SimpleQueue()  # from SciPy: (kind, value)
        self._evaluations: queue.SimpleQueue = queue.SimpleQueue()  # to SciPy: an Evaluation or _STOP
        history = int(np.clip(LBFGS_HISTORY_BYTES // (16 * start.size), 3, 10))
        self._thread = threading.Thread(
            target=self._minimise, args=(start, max_steps, history), daemon=True, name="studio-lbfgs"
        )
        self._thread.start()

    # helper thread ---------------------------------------------------------------------------
    def _minimise(self, start: np.ndarray, max_steps: int, history: int) -> None:
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
                    callback=self._iterated,
                    # Run every step asked for: no convergence test stops it early.
                    options={
                        "maxiter": max_steps,
                        "maxfun": 4 * max_steps,
                        "maxcor": history,
                        "ftol": 0.0,
                        "gtol": 0.0,
                    },
                )
        except _Stopped:
            return
        except Exception as error:  # handed to the job's thread, which raises it
            self._requests.put(("failed", error))
            return
        self._requests.put(("finished", None))

    def _loss_and_gradient(self, flat: np.ndarray) -> tuple[float, np.ndarray]:
        self._requests.put(("evaluate", flat.reshape(self.shape).astype(np.float32)))
        evaluation = self._evaluations.get()
        if evaluation is self._STOP:
            raise _Stopped
        return evaluation.total, evaluation.gradient.ravel().astype(np.float64)

    def _iterated(self, intermediate_result) -> None:
        self._requests.put(("iterated", intermediate_result.x.reshape(self.shape).astype(np.float32)))

    # job's thread ----------------------------------------------------------------------------
    def step(self) -> Generator[float, None, np.ndarray | None]:
        """Run one iteration (one or more evaluations), yielding what they yield (and 0 now and
        then while SciPy computes), and return the new picture, or None if the minimiser has
        finished."""
        while True:
            try:
                kind, value = self._requests.get(timeout=HEARTBEAT_SECONDS)
            except queue.Empty:
                if not self._thread.is_alive():
                    return None
                yield 0.0
                continue
            if kind == "evaluate":
                self.last = yield from self._evaluate(value)
                self._evaluations.put(self.last)
            elif kind == "iterated":
                return value
            elif kind == "failed":
                raise value
            else:
                return None

    def close(self) -> None:
        """Stop the minimisation (at its next evaluation, if it is between them) and wait for its thread."""
        self._evaluations.put(self._STOP)
        self._thread.join()


class SteppedAdam:
    """Adam on the picture as a variable, clipped to the valid pixel range after each step."""

    def __init__(self, evaluate: Evaluate, start: np.ndarray, learning_rate: float):
        self._evaluate = evaluate
        self.image = tf.Variable(start)
        self.optimizer = keras.optimizers.Adam(learning_rate=learning_rate)
        self.last: Evaluation | None = None

    def step(self) -> Generator[float, None, np.ndarray]:
        self.last = yield from self._evaluate(self.image.numpy())
        self.optimizer.apply_gradients([(tf.constant(self.last.gradient), self.image)])
        self.image.assign(tf.clip_by_value(self.image, -1.0, 1.0))
        return self.image.numpy()

    def close(self) -> None:
        pass
