"""Reply models: an encoder-decoder that reads a line and writes a reply to it.

The encoder is a stack of LSTM or GRU layers, bidirectional by default, so that each position of
the line is read with what comes before and after it. The decoder is a stack of the same cells,
started from the encoder's final state; at each step it attends over the encoder's outputs
(dot-product attention) to choose what to say next. It is trained with teacher forcing: it reads the
true reply, shifted by one, and learns to predict each next token.

Token ids are the tokenizer's, then three of the model's own: START (begins every reply), END (ends
it) and PAD (fills short lines and replies; ignored by the loss and masked out of attention).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from studio.core.progress import JobError
from studio.engines.text_models import StackedRecurrentModel
from studio.engines.text_pairs import Pair
from studio.engines.text_tokens import Tokenizer

SPECIAL_TOKENS = 3  # START, END, PAD


@keras.saving.register_keras_serializable(package="studio_text")
class ReplyModel(StackedRecurrentModel):
    """(line ids, reply ids shifted right) -> next-token logits of the reply (batch, time, vocabulary).
    `kwargs`: the settings of its encoder's and decoder's stacks (StackedRecurrentModel)."""

    def __init__(self, text_vocabulary: int, bidirectional: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.text_vocabulary, self.bidirectional = text_vocabulary, bidirectional
        self.embedding = layers.Embedding(self.vocabulary_size, self.embedding_dim)
        self.encoder_layers, self.encoder_dropouts = self.recurrent_stack(bidirectional)
        self.memory_projection = layers.Dense(self.units)  # encoder outputs -> keys and values of the decoder's width
        # encoder state -> decoder state
        self.bridge = layers.Dense(self.units * self.states_per_layer, activation="tanh")
        self.decoder_layers, self.decoder_dropouts = self.recurrent_stack()
        self.attention = layers.Attention(use_scale=True)
        self.combine = layers.Dense(self.units, activation="tanh")
        self.head = layers.Dense(self.vocabulary_size)

    @property
    def vocabulary_size(self) -> int:
        return self.text_vocabulary + SPECIAL_TOKENS

    @property
    def start_id(self) -> int:
        return self.text_vocabulary

    @property
    def end_id(self) -> int:
        return self.text_vocabulary + 1

    @property
    def pad_id(self) -> int:
        return self.text_vocabulary + 2

    def encode(self, source, training=False) -> tuple:
        """The decoder's starting state for lines `source` (batch, length): its recurrent state per
        layer, then the memory it attends over and the memory's mask (False at padding)."""
        mask = ops.not_equal(source, self.pad_id)
        x, final = self.run_stack(self.encoder_layers, self.encoder_dropouts, self.embedding(source), training, mask)
        pieces = self.bridge(ops.concatenate(final, axis=-1))
        start = [pieces[:, i * self.units : (i + 1) * self.units] for i in range(self.states_per_layer)]
        return (*start * self.num_layers, self.memory_projection(x), mask)

    def _attend(self, x, memory, mask):
        context = self.attention([x, memory], mask=[None, mask])
        return self.head(self.combine(ops.concatenate([x, context], axis=-1)))

    def call(self, inputs, training=False):
        source, reply = inputs
        *state, memory, mask = self.encode(source, training=training)
        x, _ = self.run_stack(self.decoder_layers, self.decoder_dropouts, self.embedding(reply), training, state=state)
        return self._attend(x, memory, mask)

    def step(self, tokens, position, state):
        """Logits (batch, vocabulary) for the reply's next token after `tokens` (batch,), and the new state.
        START and PAD are never chosen."""
        del position  # the recurrent state knows where it is
        *recurrent_state, memory, mask = state
        x, recurrent_state = self.step_stack(self.decoder_layers, self.embedding(tokens), recurrent_state)
        logits = self._attend(x[:, None, :], memory, mask)[:, 0]
        ids = ops.arange(self.vocabulary_size)
        never = ops.logical_or(ops.equal(ids, self.start_id), ops.equal(ids, self.pad_id))
        return ops.where(never[None, :], -1e9, logits), (*recurrent_state, memory, mask)

    def get_config(self):
        return {**super().get_config(), "text_vocabulary": self.text_vocabulary, "bidirectional": self.bidirectional}


def encode_pairs(
    pairs: list[Pair], tokenizer: Tokenizer, max_tokens: int, strict: bool
) -> tuple[list[np.ndarray], list[np.ndarray], int]:
    """Token ids of each pair's prompt and reply, and how many pairs were left out for being longer
    than `max_tokens`. With `strict` (pairs the user wrote one by one), a long pair is an error instead."""
    prompts, replies, skipped = [], [], 0
    longest = max_tokens
    first_long = None
    for pair in pairs:
        prompt, reply = tokenizer.encode(pair.prompt), tokenizer.encode(pair.reply)
        if reply.size == 0 or prompt.size == 0:
            raise JobError(f"The pair at {pair.where} has an empty {'reply' if prompt.size else 'prompt'}.")
        if max(prompt.size, reply.size) > max_tokens:
            skipped += 1
            longest = max(longest, prompt.size, reply.size)
            first_long = first_long or pair
            continue
        prompts.append(prompt)
        replies.append(reply)
    unit = "characters" if tokenizer.level == "char" else "words"
    if first_long is not None and (strict or not prompts):
        raise JobError(
            f"{skipped:,} of {len(pairs):,} pairs are longer than the context of {max_tokens} {unit} "
            f"(the first at {first_long.where}; the longest has {longest}). Raise the context (sequence length) "
            f"to {longest} or shorten them."
        )
    return prompts, replies, skipped


def padded(rows: list[np.ndarray], width: int, fill: int, before: int | None = None) -> np.ndarray:
    """Rows of ids in one array (len(rows), width), filled with `fill`; `before` goes in front of each row."""
    offset = 0 if before is None else 1
    array = np.full((len(rows), width), fill, np.int32)
    for index, row in enumerate(rows):
        if before is not None:
            array[index, 0] = before
        array[index, offset : offset + row.size] = row
    return array


def pair_dataset(
    prompts: list[np.ndarray],
    replies: list[np.ndarray],
    model: ReplyModel,
    batch_size: int,
    shuffle: bool,
    seed: int | None = None,
) -> tf.data.Dataset:
    """((prompt, START + reply), reply + END) batches, padded to the longest prompt and reply."""
    prompt_width = max(row.size for row in prompts)
    reply_width = max(row.size for row in replies) + 1
    sources = padded(prompts, prompt_width, model.pad_id)
    decoder_inputs = padded(replies, reply_width, model.pad_id, before=model.start_id)
    targets = padded([np.append(row, model.end_id) for row in replies], reply_width, model.pad_id)
    dataset = tf.data.Dataset.from_tensor_slices(((sources, decoder_inputs), targets))
    if shuffle:
        dataset = dataset.shuffle(len(sources), seed=seed)
    return dataset.batch(batch_size).prefetch(2)


def split_pairs(prompts: list[np.ndarray], replies: list[np.ndarray], period: int) -> tuple[tuple, tuple]:
    """((training prompts, replies), (validation prompts, replies)): every `period`-th pair is held
    out (none when period is 0)."""
    held = [period > 0 and index % period == period - 1 for index in range(len(prompts))]
    return tuple(
        ([p for p, h in zip(prompts, held) if h == side], [r for r, h in zip(replies, held) if h == side])
        for side in (False, True)
    )
