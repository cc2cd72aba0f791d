"""Text-model parameters: how to read and tokenize a corpus, which model to train, and how to sample it."""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.params import control, seed_control, worded

LEVELS = ("char", "word")
ARCHITECTURES = ("lstm", "gru", "transformer", "seq2seq")
RECURRENT_CELLS = ("lstm", "gru")
SIZES = ("small", "medium", "large")
PAIRINGS = ("next-line", "tsv", "title")
STOPS = ("none", "line", "paragraph")
DEFAULT_TEMPERATURES = (0.2, 0.5, 0.7, 1.0, 1.5)
MODEL_SUFFIX = ".textmodel"  # one zip: the Keras model, its tokenizer and its settings
# Size presets, shortcuts for the layer count and width ("tiny" is for tests and quick trials).
# Recurrent and reply models: (embedding width, units per layer, layers).
RECURRENT_SIZES = {"tiny": (16, 32, 1), "small": (64, 256, 1), "medium": (128, 512, 2), "large": (256, 1024, 3)}
# Transformer: (model width, attention heads, decoder blocks).
TRANSFORMER_SIZES = {"tiny": (32, 2, 1), "small": (128, 4, 2), "medium": (256, 4, 4), "large": (512, 8, 6)}

_TRAIN = "Training"
_MODEL = "Model"
_REPLY = "Reply model"
_SAMPLES = "Samples after each epoch"


@worded
@dataclass(frozen=True)
class TextTrainParams:
    """How to train a language model (continues text) or a reply model (answers a line) on a corpus.

    `level` picks characters or words as tokens; word vocabularies keep the `max_vocabulary` most
    frequent words and map the rest to an unknown token. `sequence_length` tokens are seen at once
    (the Transformer's context window; the longest prompt and reply of a reply model).
    `size` is a preset for `layers` and `units`; either, when set, overrides the preset.
    `architecture` "seq2seq" trains an encoder-decoder on pairs (`pairs`): each line and the next,
    the two columns of a TSV file, or a paragraph's body and its first line as its title; its
    encoder is a stack of `cell` layers, `bidirectional` to read each line both ways.
    `line_items`: each line of the corpus is one item (a name, a title, a haiku), so samples are
    whole lines. `steps_per_epoch` caps an epoch on huge corpora (None = all). After each epoch the
    model continues (or replies to) `sample_prompt` for `sample_length` tokens at each of `temperatures`.
    """

    level: str = control("char", group=_MODEL, choices=(("char", "Characters"), ("word", "Words")))
    lowercase: bool = control(False, group=_MODEL)
    max_vocabulary: int = control(5000, group=_MODEL, minimum=2, maximum=100_000, step=500)
    sequence_length: int = control(100, group=_MODEL, minimum=2, maximum=2000, step=10)
    validation_fraction: float = control(0.1, group=_TRAIN, minimum=0.0, maximum=0.45, step=0.05, decimals=2)
    architecture: str = control(
        "lstm",
        group=_MODEL,
        choices=(("lstm", "LSTM"), ("gru", "GRU"), ("transformer", "Transformer"), ("seq2seq", "Reply (seq2seq)")),
    )
    size: str = control("small", group=_MODEL, choices=(("small", "Small"), ("medium", "Medium"), ("large", "Large")))
    layers: int | None = control(None, group=_MODEL, minimum=1, maximum=8, special="from size")
    units: int | None = control(None, group=_MODEL, minimum=8, maximum=2048, step=32, special="from size")
    cell: str = control("lstm", group=_REPLY, choices=(("lstm", "LSTM"), ("gru", "GRU")))
    bidirectional: bool = control(True, group=_REPLY)
    pairs: str = control(
        "next-line",
        group=_REPLY,
        choices=(("next-line", "Line → next line"), ("tsv", "TSV: prompt → reply"), ("title", "Paragraph → title")),
    )
    line_items: bool = control(False, group=_MODEL)
    dropout: float = control(0.1, group=_TRAIN, minimum=0.0, maximum=0.6, step=0.05, decimals=2)
    epochs: int = control(5, group=_TRAIN, minimum=1, maximum=1000)
    batch_size: int = control(64, group=_TRAIN, minimum=1, maximum=1024)
    learning_rate: float = control(0.002, group=_TRAIN, minimum=0.00001, maximum=0.1, step=0.0005, decimals=5)
    steps_per_epoch: int | None = control(None, group=_TRAIN, minimum=1, maximum=1_000_000, special="all")
    sample_prompt: str = control("The ", group=_SAMPLES)
    sample_length: int = control(120, group=_SAMPLES, minimum=1, maximum=2000)
    temperatures: tuple[float, ...] = control(DEFAULT_TEMPERATURES, group=_SAMPLES, widget="text")
    seed: int | None = seed_control(group=_TRAIN)


@worded
@dataclass(frozen=True)
class SamplingParams:
    """How to continue a prompt (or reply to it, with a reply model).

    `temperature` 0 is greedy; `top_k` 0 and `top_p` 1 switch those filters off. `samples` are
    written side by side. `repetition_penalty` makes a token that would repeat a phrase already in
    the text that many times less likely (1 = off). `stop_at` ends a sample at the end of its line
    or paragraph. `beams` above 1 searches for the likeliest text instead of sampling (temperature,
    top-k and top-p do not apply). The same seed and settings write the same text.
    """

    prompt: str = control("The ", widget="text")
    length: int = control(400, minimum=1, maximum=10_000, step=50)
    samples: int = control(1, minimum=1, maximum=16)
    temperature: float = control(0.7, minimum=0.0, maximum=2.0, step=0.05, decimals=2)
    top_k: int = control(0, minimum=0, maximum=1000, special="off")
    top_p: float = control(1.0, minimum=0.0, maximum=1.0, step=0.05, decimals=2)
    repetition_penalty: float = control(1.0, minimum=1.0, maximum=10.0, step=0.1, decimals=1)
    stop_at: str = control(
        "none", choices=(("none", "Length"), ("line", "End of line"), ("paragraph", "End of paragraph"))
    )
    beams: int = control(1, minimum=1, maximum=16)
    seed: int | None = seed_control()
