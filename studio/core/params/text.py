"""Text-model parameters: how to read and tokenize a corpus, which model to train, and how to sample it."""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.params import control, seed_control

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

    level: str = control(
        "char",
        label="Tokens",
        tooltip="Characters learn spelling and invent words; words keep real words and learn phrasing faster.",
        group=_MODEL,
        choices=(("char", "Characters"), ("word", "Words")),
    )
    lowercase: bool = control(
        False,
        label="Lowercase",
        tooltip="Fold capitals to lowercase: a smaller vocabulary, no capitals written.",
        group=_MODEL,
    )
    max_vocabulary: int = control(
        5000,
        label="Vocabulary",
        tooltip="With words as tokens, the most frequent words kept; rarer ones become [UNK] in the text.",
        group=_MODEL,
        minimum=2,
        maximum=100_000,
        step=500,
    )
    sequence_length: int = control(
        100,
        label="Context",
        tooltip="How many tokens the model reads at once: longer keeps a thought going longer, trains slower. "
        "For a reply model, the longest line and reply.",
        group=_MODEL,
        minimum=2,
        maximum=2000,
        step=10,
    )
    validation_fraction: float = control(
        0.1,
        label="Held out",
        tooltip="Share of the text kept aside to check the model on text it never trained on.",
        group=_TRAIN,
        minimum=0.0,
        maximum=0.45,
        step=0.05,
        decimals=2,
    )
    architecture: str = control(
        "lstm",
        label="Model",
        tooltip="LSTM and GRU read text one token at a time; the Transformer looks back over the whole context; "
        "Reply learns to answer a line with another (line and next line, prompt and reply).",
        group=_MODEL,
        choices=(("lstm", "LSTM"), ("gru", "GRU"), ("transformer", "Transformer"), ("seq2seq", "Reply (seq2seq)")),
    )
    size: str = control(
        "small",
        label="Size",
        tooltip="A shortcut for layers and width: larger models learn more and need more text and time.",
        group=_MODEL,
        choices=(("small", "Small"), ("medium", "Medium"), ("large", "Large")),
    )
    layers: int | None = control(
        None,
        label="Layers",
        tooltip="Layers stacked on each other: deeper models learn longer-range structure, train slower.",
        group=_MODEL,
        minimum=1,
        maximum=8,
        special="from size",
    )
    units: int | None = control(
        None,
        label="Width",
        tooltip="Units per layer (the Transformer's width): wider models remember more detail, train slower.",
        group=_MODEL,
        minimum=8,
        maximum=2048,
        step=32,
        special="from size",
    )
    cell: str = control(
        "lstm",
        label="Cell",
        tooltip="The reply model's recurrent layers: LSTM holds on to things longer, GRU trains a little faster.",
        group=_REPLY,
        choices=(("lstm", "LSTM"), ("gru", "GRU")),
    )
    bidirectional: bool = control(
        True,
        label="Read both ways",
        tooltip="The reply model reads the line forwards and backwards, so every word is seen with what follows it.",
        group=_REPLY,
    )
    pairs: str = control(
        "next-line",
        label="Pairs",
        tooltip="What the reply model learns to answer: each line with the line after it, the two columns of a "
        "TSV file (prompt, tab, reply), or a paragraph with its first line as its title.",
        group=_REPLY,
        choices=(("next-line", "Line → next line"), ("tsv", "TSV: prompt → reply"), ("title", "Paragraph → title")),
    )
    line_items: bool = control(
        False,
        label="One item per line",
        tooltip="Each line is one thing (a name, a title, a haiku): samples start a new line and end with it.",
        group=_MODEL,
    )
    dropout: float = control(
        0.1,
        label="Dropout",
        tooltip="Randomly silences units while training so the model generalises instead of memorising.",
        group=_TRAIN,
        minimum=0.0,
        maximum=0.6,
        step=0.05,
        decimals=2,
    )
    epochs: int = control(
        5, label="Epochs", tooltip="Passes over the whole text.", group=_TRAIN, minimum=1, maximum=1000
    )
    batch_size: int = control(
        64,
        label="Batch",
        tooltip="Sequences learnt from at once: larger is steadier and faster per token, smaller updates more often.",
        group=_TRAIN,
        minimum=1,
        maximum=1024,
    )
    learning_rate: float = control(
        0.002,
        label="Learning rate",
        tooltip="How big each learning step is: too high and the loss jumps about, too low and it crawls.",
        group=_TRAIN,
        minimum=0.00001,
        maximum=0.1,
        step=0.0005,
        decimals=5,
    )
    steps_per_epoch: int | None = control(
        None,
        label="Batches per epoch",
        tooltip="Cap an epoch on a huge text so samples and checkpoints come sooner.",
        group=_TRAIN,
        minimum=1,
        maximum=1_000_000,
        special="all",
    )
    sample_prompt: str = control(
        "The ",
        label="Sample prompt",
        tooltip="After each epoch the model continues (or replies to) this text, so you can watch it learn.",
        group=_SAMPLES,
    )
    sample_length: int = control(
        120,
        label="Sample length",
        tooltip="Tokens written for each sample after an epoch.",
        group=_SAMPLES,
        minimum=1,
        maximum=2000,
    )
    temperatures: tuple[float, ...] = control(
        DEFAULT_TEMPERATURES,
        label="Sample temperatures",
        tooltip="One sample per temperature after each epoch: low is safe and repetitive, high is wild.",
        group=_SAMPLES,
        widget="text",
    )
    seed: int | None = seed_control("The same seed, text and settings train the same model again.", group=_TRAIN)


@dataclass(frozen=True)
class SamplingParams:
    """How to continue a prompt (or reply to it, with a reply model).

    `temperature` 0 is greedy; `top_k` 0 and `top_p` 1 switch those filters off. `samples` are
    written side by side. `repetition_penalty` makes a token that would repeat a phrase already in
    the text that many times less likely (1 = off). `stop_at` ends a sample at the end of its line
    or paragraph. `beams` above 1 searches for the likeliest text instead of sampling (temperature,
    top-k and top-p do not apply). The same seed and settings write the same text.
    """

    prompt: str = control(
        "The ",
        label="Prompt",
        tooltip="The text to continue, or the line a reply model answers.",
        widget="text",
    )
    length: int = control(
        400, label="Length", tooltip="The most tokens each sample adds.", minimum=1, maximum=10_000, step=50
    )
    samples: int = control(
        1, label="Samples", tooltip="How many versions to write side by side.", minimum=1, maximum=16
    )
    temperature: float = control(
        0.7,
        label="Temperature",
        tooltip="Low: safe, repetitive, the likeliest words. High: surprising, wilder, more misspelt. 0 always "
        "takes the likeliest token.",
        minimum=0.0,
        maximum=2.0,
        step=0.05,
        decimals=2,
    )
    top_k: int = control(
        0,
        label="Top-k",
        tooltip="Choose only among the k likeliest next tokens: cuts off rare, odd choices.",
        minimum=0,
        maximum=1000,
        special="off",
    )
    top_p: float = control(
        1.0,
        label="Top-p",
        tooltip="Choose among the likeliest tokens that together make up this share of the chances (1 = all).",
        minimum=0.0,
        maximum=1.0,
        step=0.05,
        decimals=2,
    )
    repetition_penalty: float = control(
        1.0,
        label="Repetition penalty",
        tooltip="Makes the model this many times less likely to repeat a phrase it already wrote (1 = off).",
        minimum=1.0,
        maximum=10.0,
        step=0.1,
        decimals=1,
    )
    stop_at: str = control(
        "none",
        label="Stop at",
        tooltip="End each sample at the end of its line or paragraph instead of at the length.",
        choices=(("none", "Length"), ("line", "End of line"), ("paragraph", "End of paragraph")),
    )
    beams: int = control(
        1,
        label="Beams",
        tooltip="Above 1: search this many candidate texts at once for the likeliest (good for replies, "
        "ignores temperature, top-k and top-p).",
        minimum=1,
        maximum=16,
    )
    seed: int | None = seed_control("The same seed and settings write the same text.")
