"""Language models that can continue text one token at a time without re-reading the prefix.

Both kinds map token ids (batch, time) to next-token logits (batch, time, vocabulary) for training,
and offer `initial_state(batch)` + `step(tokens, position, state)` for generation:

- `RecurrentLanguageModel` (LSTM or GRU): the state is each layer's recurrent state; a step runs
  each layer's cell once, with the very weights the layer trained.
- `TransformerLanguageModel`: a decoder with causal self-attention and rotary position encoding.
  The state is a key/value cache per layer, a ring buffer as long as the context: a step computes
  the new token's query, key and value and attends over the cache. Rotary encoding makes attention
  depend only on relative positions, so the window can slide past the training length.

`build_model` makes any of them, or a reply model (text_reply), from the training parameters: a
size preset gives layers and width unless the parameters set them.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from studio.core.params.text import ARCHITECTURES, RECURRENT_SIZES, TRANSFORMER_SIZES, TextTrainParams
from studio.core.progress import JobError


def model_shape(params: TextTrainParams) -> tuple[int, int, int]:
    """(embedding width, or attention heads for the Transformer; units per layer, or model width;
    layers): the size preset, with `params.units` and `params.layers` taking precedence where set."""
    if params.architecture == "transformer":
        if params.size not in TRANSFORMER_SIZES:
            raise JobError(f"Unknown model size '{params.size}': use one of {', '.join(TRANSFORMER_SIZES)}.")
        width, heads, layers = TRANSFORMER_SIZES[params.size]
        return heads, params.units or width, params.layers or layers
    if params.size not in RECURRENT_SIZES:
        raise JobError(f"Unknown model size '{params.size}': use one of {', '.join(RECURRENT_SIZES)}.")
    embedding, units, layers = RECURRENT_SIZES[params.size]
    return embedding, params.units or units, params.layers or layers


def build_model(params: TextTrainParams, vocabulary_size: int) -> keras.Model:
    """The model `params` describe (LSTM, GRU, Transformer or reply model), built."""
    first, units, num_layers = model_shape(params)
    if params.architecture == "transformer":
        if units % (2 * first):
            raise JobError(f"Give the Transformer a width that is a multiple of {2 * first} (its heads times 2).")
        model = TransformerLanguageModel(
            vocabulary_size, params.sequence_length, units, first, num_layers, params.dropout
        )
    elif params.architecture in ("lstm", "gru", "seq2seq"):
        stack = {"embedding_dim": first, "units": units, "num_layers": num_layers, "dropout": params.dropout}
        if params.architecture == "seq2seq":
            from studio.engines.text_reply import ReplyModel

            model = ReplyModel(vocabulary_size, params.bidirectional, cell=params.cell, **stack)
        else:
            model = RecurrentLanguageModel(vocabulary_size, cell=params.architecture, **stack)
    else:
        raise JobError(f"Unknown architecture '{params.architecture}': use {', '.join(ARCHITECTURES)}.")
    example = ops.zeros((1, 2), "int32")
    model((example, example) if params.architecture == "seq2seq" else example)
    return model


RECURRENT_LAYERS = {"lstm": layers.LSTM, "gru": layers.GRU}


class StackedRecurrentModel(keras.Model):
    """What the recurrent language model and the reply model (text_reply) share: their LSTM or GRU
    settings, and stacks of those layers, each followed by dropout, run over a sequence or stepped
    one token at a time."""

    def __init__(
        self,
        cell: str = "lstm",
        embedding_dim: int = 64,
        units: int = 256,
        num_layers: int = 1,
        dropout: float = 0.1,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.cell, self.embedding_dim = cell, embedding_dim
        self.units, self.num_layers, self.dropout = units, num_layers, dropout

    @property
    def states_per_layer(self) -> int:
        return 2 if self.cell == "lstm" else 1

    def recurrent_stack(self, bidirectional: bool = False) -> tuple[list, list]:
        """`num_layers` new recurrent layers that return their sequence and state, and the dropout after each."""
        stack = []
        for _ in range(self.num_layers):
            recurrent = RECURRENT_LAYERS[self.cell](self.units, return_sequences=True, return_state=True)
            stack.append(layers.Bidirectional(recurrent) if bidirectional else recurrent)
        return stack, [layers.Dropout(self.dropout) for _ in range(self.num_layers)]

    def layer_states(self, state) -> list[list]:
        """A state that holds each layer's tensors in turn, as one list per layer."""
        per_layer = self.states_per_layer
        return [list(state[start : start + per_layer]) for start in range(0, len(state), per_layer)]

    def run_stack(self, stack, dropouts, x, training=False, mask=None, state=None):
        """x (batch, time, features) through each layer of `stack` and its dropout, each layer started
        from its part of `state` (zeros without one): the last layer's outputs and final state."""
        starts = self.layer_states(state) if state is not None else [None] * len(stack)
        for recurrent, dropout, start in zip(stack, dropouts, starts):
            x, *final_state = recurrent(x, initial_state=start, mask=mask, training=training)
            x = dropout(x, training=training)
        return x, final_state

    def step_stack(self, stack, x, state):
        """Run each layer's cell of `stack` once on x (batch, features): the output and new state."""
        new_state = []
        for recurrent, layer_state in zip(stack, self.layer_states(state)):
            x, layer_state = recurrent.cell(x, layer_state, training=False)
            new_state.extend(layer_state)
        return x, tuple(new_state)

    def get_config(self):
        return {
            **super().get_config(),
            "cell": self.cell,
            "embedding_dim": self.embedding_dim,
            "units": self.units,
            "num_layers": self.num_layers,
            "dropout": self.dropout,
        }


@keras.saving.register_keras_serializable(package="studio_text")
class RecurrentLanguageModel(StackedRecurrentModel):
    """Embedding, stacked LSTM or GRU layers with dropout between them, and a softmax head (as logits).
    `kwargs`: the stack's settings (StackedRecurrentModel)."""

    def __init__(self, vocabulary_size: int, **kwargs):
        super().__init__(**kwargs)
        self.vocabulary_size = vocabulary_size
        self.embedding = layers.Embedding(vocabulary_size, self.embedding_dim)
        self.recurrent_layers, self.dropouts = self.recurrent_stack()
        self.head = layers.Dense(vocabulary_size)

    def call(self, tokens, training=False):
        return self.head(self.run_stack(self.recurrent_layers, self.dropouts, self.embedding(tokens), training)[0])

    def initial_state(self, batch: int) -> tuple:
        return tuple(ops.zeros((batch, self.units)) for _ in range(self.num_layers * self.states_per_layer))

    def step(self, tokens, position, state):
        """Logits (batch, vocabulary) after `tokens` (batch,), and the state after them."""
        del position  # a recurrent state already knows where it is
        x, new_state = self.step_stack(self.recurrent_layers, self.embedding(tokens), state)
        return self.head(x), new_state

    def get_config(self):
        return {**super().get_config(), "vocabulary_size": self.vocabulary_size}


def rotate(x, positions):
    """Rotary position encoding of x (batch, time, heads, depth) at `positions` (time,), float."""
    half = x.shape[-1] // 2
    frequencies = 1.0 / (10000.0 ** (ops.arange(half, dtype="float32") / half))
    angles = ops.expand_dims(positions, -1) * frequencies  # (time, half)
    cos = ops.cos(angles)[None, :, None, :]
    sin = ops.sin(angles)[None, :, None, :]
    first, second = x[..., :half], x[..., half:]
    return ops.concatenate([first * cos - second * sin, first * sin + second * cos], axis=-1)


@keras.saving.register_keras_serializable(package="studio_text")
class CausalSelfAttention(layers.Layer):
    """Multi-head self-attention where each position sees only itself and the past."""

    def __init__(self, num_heads: int, head_dim: int, **kwargs):
        super().__init__(**kwargs)
        self.num_heads, self.head_dim = num_heads, head_dim
        self.query = layers.EinsumDense("btd,dhk->bthk", (None, num_heads, head_dim))
        self.key = layers.EinsumDense("btd,dhk->bthk", (None, num_heads, head_dim))
        self.value = layers.EinsumDense("btd,dhk->bthk", (None, num_heads, head_dim))
        self.output_projection = None

    def build(self, input_shape):
        width = input_shape[-1]
        for projection in (self.query, self.key, self.value):
            projection.build(input_shape)
        self.output_projection = layers.EinsumDense("bthk,hkd->btd", (None, width))
        self.output_projection.build((None, None, self.num_heads, self.head_dim))

    def _attend(self, query, keys, values, mask):
        scores = ops.einsum("bqhk,bshk->bhqs", query, keys) / (self.head_dim**0.5)
        scores = ops.where(mask, scores, -1e9)
        weights = ops.softmax(scores, axis=-1)
        return self.output_projection(ops.einsum("bhqs,bshk->bqhk", weights, values))

    def call(self, x):
        length = ops.shape(x)[1]
        positions = ops.cast(ops.arange(length), "float32")
        query = rotate(self.query(x), positions)
        keys = rotate(self.key(x), positions)
        causal = ops.arange(length)[:, None] >= ops.arange(length)[None, :]
        return self._attend(query, keys, self.value(x), causal[None, None])

    def step(self, x, position, cache_keys, cache_values):
        """Attend from one new token x (batch, 1, width) at `position` over the cached past.

        The cache (batch, heads, context, depth) is a ring buffer: slot position % context gets the new
        key and value; slots not yet written are masked out. Heads come before time, so that attending
        is a batched matrix product over the cache.

        Same weights and arithmetic as `call`, but as plain matrix products: XLA on the CPU compiles
        the einsums on the 3-d kernels (EinsumDense) into loops several times slower than a matrix
        product, which made them most of the time of a step.
        """
        batch, width = ops.shape(x)[0], ops.shape(x)[-1]
        # One product with the query, key and value kernels side by side.
        kernels = ops.concatenate(
            [ops.reshape(projection.kernel, (width, -1)) for projection in (self.query, self.key, self.value)], axis=-1
        )
        heads = ops.reshape(ops.matmul(x, kernels), (batch, 1, 3 * self.num_heads, self.head_dim))
        query, key, value = ops.split(heads, 3, axis=2)
        context = ops.shape(cache_keys)[2]
        where = ops.cast(ops.reshape(position, (1,)), "float32")
        query = ops.transpose(rotate(query, where), (0, 2, 1, 3))  # (batch, heads, 1, depth)
        slot = (0, 0, ops.mod(position, context), 0)
        cache_keys = ops.slice_update(cache_keys, slot, ops.transpose(rotate(key, where), (0, 2, 1, 3)))
        cache_values = ops.slice_update(cache_values, slot, ops.transpose(value, (0, 2, 1, 3)))
        scores = ops.einsum("bhqk,bhsk->bhqs", query, cache_keys) / (self.head_dim**0.5)
        filled = ops.arange(context) <= position
        weights = ops.softmax(ops.where(filled[None, None, None, :], scores, -1e9), axis=-1)
        attended = ops.matmul(weights, cache_values)  # (batch, heads, 1, depth)
        # Each head's share of the output projection, summed over heads.
        output = ops.sum(ops.einsum("bhqk,hkd->bhqd", attended, self.output_projection.kernel), axis=1)
        return output, cache_keys, cache_values

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "head_dim": self.head_dim}


@keras.saving.register_keras_serializable(package="studio_text")
class DecoderBlock(layers.Layer):
    """Pre-norm Transformer decoder block: causal self-attention, then a feed-forward network, each residual."""

    def __init__(self, width: int, num_heads: int, dropout: float = 0.1, **kwargs):
        super().__init__(**kwargs)
        self.width, self.num_heads, self.dropout = width, num_heads, dropout
        self.attention_norm = layers.LayerNormalization(epsilon=1e-5)
        self.attention = CausalSelfAttention(num_heads, width // num_heads)
        self.feed_forward_norm = layers.LayerNormalization(epsilon=1e-5)
        self.feed_forward = keras.Sequential([layers.Dense(4 * width, activation="gelu"), layers.Dense(width)])
        self.attention_dropout = layers.Dropout(dropout)
        self.feed_forward_dropout = layers.Dropout(dropout)

    def build(self, input_shape):
        for sublayer in (self.attention_norm, self.attention, self.feed_forward_norm, self.feed_forward):
            sublayer.build(input_shape)

    def call(self, x, training=False):
        x = x + self.attention_dropout(self.attention(self.attention_norm(x)), training=training)
        return x + self.feed_forward_dropout(self.feed_forward(self.feed_forward_norm(x)), training=training)

    def step(self, x, position, cache_keys, cache_values):
        attended, cache_keys, cache_values = self.attention.step(
            self.attention_norm(x), position, cache_keys, cache_values
        )
        x = x + attended
        return x + self.feed_forward(self.feed_forward_norm(x)), cache_keys, cache_values

    def get_config(self):
        return {**super().get_config(), "width": self.width, "num_heads": self.num_heads, "dropout": self.dropout}


@keras.saving.register_keras_serializable(package="studio_text")
class TransformerLanguageModel(keras.Model):
    """Token embedding, decoder blocks, a final norm and a head giving next-token logits."""

    def __init__(
        self,
        vocabulary_size: int,
        context: int = 100,
        width: int = 128,
        num_heads: int = 4,
        num_layers: int = 2,
        dropout: float = 0.1,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.vocabulary_size, self.context, self.width = vocabulary_size, context, width
        self.num_heads, self.num_layers, self.dropout = num_heads, num_layers, dropout
        self.embedding = layers.Embedding(vocabulary_size, width)
        self.embedding_dropout = layers.Dropout(dropout)
        self.blocks = [DecoderBlock(width, num_heads, dropout) for _ in range(num_layers)]
        self.final_norm = layers.LayerNormalization(epsilon=1e-5)
        self.head = layers.Dense(vocabulary_size)

    def call(self, tokens, training=False):
        x = self.embedding_dropout(self.embedding(tokens), training=training)
        for block in self.blocks:
            x = block(x, training=training)
        return self.head(self.final_norm(x))

    def initial_state(self, batch: int) -> tuple:
        shape = (batch, self.num_heads, self.context, self.width // self.num_heads)
        return tuple(ops.zeros(shape) for _ in range(2 * self.num_layers))

    def step(self, tokens, position, state):
        """Logits (batch, vocabulary) after `tokens` (batch,) at `position`, and the updated caches."""
        x = self.embedding(tokens)[:, None, :]
        new_state = []
        for index, block in enumerate(self.blocks):
            x, cache_keys, cache_values = block.step(x, position, state[2 * index], state[2 * index + 1])
            new_state += [cache_keys, cache_values]
        return self.head(self.final_norm(x))[:, 0], tuple(new_state)

    def get_config(self):
        return {
            **super().get_config(),
            "vocabulary_size": self.vocabulary_size,
            "context": self.context,
            "width": self.width,
            "num_heads": self.num_heads,
            "num_layers": self.num_layers,
            "dropout": self.dropout,
        }
