"""Choosing the next token from a model's logits: temperature, top-k and nucleus (top-p) filtering."""

from __future__ import annotations

import numpy as np


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.asarray(logits, np.float64) - np.max(logits, axis=-1, keepdims=True)
    weights = np.exp(shifted)
    return weights / weights.sum(axis=-1, keepdims=True)


def next_token_distribution(
    logits: np.ndarray, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0
) -> np.ndarray:
    """Probabilities to sample the next token from (last axis = vocabulary).

    Temperature 0 is greedy (all mass on the best token). Then only the `top_k` most likely tokens
    are kept (0 keeps all), and of those the smallest set whose probability reaches `top_p`.
    """
    logits = np.asarray(logits, np.float64)
    if temperature <= 0:
        return np.eye(logits.shape[-1])[np.argmax(logits, axis=-1)]
    probabilities = softmax(logits / temperature)
    if 0 < top_k < probabilities.shape[-1]:
        kth_best = -np.partition(-probabilities, top_k - 1, axis=-1)[..., top_k - 1 : top_k]
        probabilities = _keep_best(probabilities, kth_best, top_k)
    if top_p < 1.0:
        order = np.argsort(-probabilities, axis=-1, kind="stable")
        ranked = np.take_along_axis(probabilities, order, axis=-1)
        before = np.cumsum(ranked, axis=-1) - ranked  # mass of the tokens ranked above each one
        keep_ranked = before < top_p * ranked.sum(axis=-1, keepdims=True)
        keep_ranked[..., 0] = True  # the nucleus always holds the likeliest token, even at top_p 0
        keep = np.zeros_like(keep_ranked)
        np.put_along_axis(keep, order, keep_ranked, axis=-1)
        probabilities = np.where(keep, probabilities, 0.0)
    return probabilities / probabilities.sum(axis=-1, keepdims=True)


def _keep_best(probabilities: np.ndarray, kth_best: np.ndarray, top_k: int) -> np.ndarray:
    """Zero all but the `top_k` largest (ties at the k-th value broken by position)."""
    above = probabilities > kth_best
    tied = probabilities == kth_best
    room = top_k - above.sum(axis=-1, keepdims=True)
    keep = above | (tied & (np.cumsum(tied, axis=-1) <= room))
    return np.where(keep, probabilities, 0.0)


def sample(probabilities: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One token id per row of `probabilities` (batch, vocabulary)."""
    probabilities = np.atleast_2d(probabilities)
    cumulative = np.cumsum(probabilities, axis=-1)
    draws = rng.random((probabilities.shape[0], 1)) * cumulative[:, -1:]
    chosen = (cumulative <= draws).sum(axis=-1)
    # Never land on a zero-probability token through rounding at the top end.
    return np.minimum(chosen, probabilities.shape[-1] - 1 - np.argmax(probabilities[:, ::-1] > 0, axis=-1))
