"""Choosing the next token from a model's logits: temperature, top-k, nucleus (top-p) and a repetition penalty.

Written in TensorFlow so that the very same functions run inside the compiled generation loop (many
tokens per call) and on their own (the next-word suggestions). A draw is the inverse of the
cumulative distribution at a uniform number, so the same uniforms always choose the same tokens.
"""

from __future__ import annotations

import tensorflow as tf

# A phrase, for the repetition penalty: this many tokens in a row (about two words of characters).
PHRASE_TOKENS = {"char": 10, "word": 3}


def token_distribution(logits, temperature, top_k=0, top_p=1.0, repeats=None, repetition_penalty=1.0):
    """Probabilities (batch, vocabulary) to draw the next token from.

    `temperature` (batch,) reweights p_i to p_i^(1/T): low sharpens, high flattens; 0 puts all the
    mass on the likeliest token (greedy). Tokens marked in `repeats` (batch, vocabulary) become
    `repetition_penalty` times less likely. Then only the `top_k` likeliest tokens are kept (0 keeps
    all), and of those the smallest set whose probability reaches `top_p` (the likeliest always stays).
    """
    logits = tf.cast(logits, tf.float32)
    temperature = tf.cast(tf.reshape(temperature, (-1, 1)), tf.float32)
    greedy = temperature <= 0
    scaled = logits / tf.where(greedy, 1.0, temperature)
    if repeats is not None:
        scaled -= tf.math.log(tf.cast(repetition_penalty, tf.float32)) * tf.cast(repeats, tf.float32)
    probabilities = tf.nn.softmax(scaled, axis=-1)
    top_k = tf.cast(top_k, tf.int32)
    top_p = tf.cast(top_p, tf.float32)
    filtering = (top_k > 0) | (top_p < 1)
    probabilities = tf.cond(filtering, lambda: keep_likeliest(probabilities, top_k, top_p), lambda: probabilities)
    likeliest = tf.one_hot(tf.argmax(scaled, axis=-1), tf.shape(logits)[-1], dtype=tf.float32)
    return tf.where(greedy, likeliest, probabilities)


def keep_likeliest(probabilities, top_k, top_p):
    """`probabilities` with only the `top_k` likeliest tokens (0: all) and, of those, the smallest set
    reaching `top_p` kept, renormalised. Tokens tied with the least likely one kept stay too."""
    ranked = tf.sort(probabilities, axis=-1, direction="DESCENDING")
    rank = tf.range(tf.shape(probabilities)[-1])[None, :]
    in_top_k = (top_k <= 0) | (rank < top_k)
    ranked_kept = tf.where(in_top_k, ranked, 0.0)
    before = tf.cumsum(ranked_kept, axis=-1, exclusive=True)  # mass of the tokens ranked above each one
    in_nucleus = (before < top_p * tf.reduce_sum(ranked_kept, axis=-1, keepdims=True)) | (rank == 0)
    least_kept = tf.reduce_min(tf.where(in_top_k & in_nucleus, ranked, 2.0), axis=-1, keepdims=True)
    kept = tf.where(probabilities >= least_kept, probabilities, 0.0)
    return kept / tf.reduce_sum(kept, axis=-1, keepdims=True)


def draw(probabilities, uniforms):
    """One token id per row of `probabilities` (batch, vocabulary), at `uniforms` (batch,) in [0, 1)."""
    cumulative = tf.cumsum(probabilities, axis=-1)
    threshold = tf.cast(uniforms, tf.float32)[:, None] * cumulative[:, -1:]
    chosen = tf.reduce_sum(tf.cast(cumulative <= threshold, tf.int32), axis=-1)
    # Never land on a zero-probability token through rounding at the top end.
    vocabulary = tf.shape(probabilities)[-1]
    last_possible = vocabulary - 1 - tf.argmax(tf.reverse(probabilities, [-1]) > 0, axis=-1, output_type=tf.int32)
    return tf.minimum(chosen, last_possible)


def uniforms(seed, index, batch):
    """The uniform numbers (batch,) of draw `index` in the random stream `seed`: the same whatever
    else is computed, so a token is the same however many are generated per call."""
    key = tf.stack([tf.cast(seed, tf.int64), tf.cast(index, tf.int64)])
    return tf.random.stateless_uniform((batch,), seed=key, alg="philox")


def repeated_phrase_ends(history, phrase_tokens: int, vocabulary):
    """Tokens (batch, vocabulary) that would complete a phrase of `phrase_tokens` already in `history`.

    `history` (batch, length) holds the latest tokens, -1 where there are none yet. A token is marked
    when the last `phrase_tokens - 1` tokens, followed by it, already occur somewhere in the history.
    """
    width = phrase_tokens - 1
    length = history.shape[1]
    batch = tf.shape(history)[0]
    tail = history[:, length - width :]
    starts = tf.range(length - width)
    earlier = tf.gather(history, starts[:, None] + tf.range(width)[None, :], axis=1)  # (batch, starts, width)
    following = history[:, width:]  # the token after each earlier run
    same = tf.reduce_all(earlier == tail[:, None, :], axis=-1) & tf.reduce_all(earlier >= 0, axis=-1)
    same &= following >= 0
    rows = tf.broadcast_to(tf.range(batch)[:, None], tf.shape(following))
    segments = tf.reshape(rows * vocabulary + tf.maximum(following, 0), [-1])
    hits = tf.math.unsorted_segment_sum(tf.reshape(tf.cast(same, tf.float32), [-1]), segments, batch * vocabulary)
    return tf.reshape(hits, (batch, vocabulary)) > 0
