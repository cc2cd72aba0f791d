"""Text-model parameters: how to read and tokenize a corpus, which model to train, and how to sample it."""

from __future__ import annotations

from dataclasses import dataclass

LEVELS = ("char", "word")
ARCHITECTURES = ("lstm", "gru", "transformer")
SIZES = ("small", "medium", "large")
DEFAULT_TEMPERATURES = (0.2, 0.5, 0.7, 1.0, 1.5)
MODEL_SUFFIX = ".textmodel"  # one zip: the Keras model, its tokenizer and its settings


@dataclass(frozen=True)
class TextTrainParams:
    """How to train a language model on a corpus.

    `level` picks characters or words as tokens; word vocabularies keep the `max_vocabulary` most
    frequent words and map the rest to an unknown token. `sequence_length` tokens are seen at once
    (the Transformer's context window). `steps_per_epoch` caps an epoch on huge corpora (None = all).
    After each epoch the model continues `sample_prompt` for `sample_length` tokens at each of `temperatures`.
    """

    level: str = "char"
    lowercase: bool = False
    max_vocabulary: int = 5000
    sequence_length: int = 100
    validation_fraction: float = 0.1
    architecture: str = "lstm"
    size: str = "small"
    dropout: float = 0.1
    epochs: int = 5
    batch_size: int = 64
    learning_rate: float = 0.002
    steps_per_epoch: int | None = None
    sample_prompt: str = "The "
    sample_length: int = 120
    temperatures: tuple[float, ...] = DEFAULT_TEMPERATURES
    seed: int | None = None


@dataclass(frozen=True)
class SamplingParams:
    """How to continue a prompt: `temperature` 0 is greedy; `top_k` 0 and `top_p` 1 switch those filters off."""

    prompt: str = "The "
    length: int = 400
    temperature: float = 0.7
    top_k: int = 0
    top_p: float = 1.0
    seed: int | None = None
