"""Text models on the user's own text: train one, watch its samples improve, then write with it.

Two kinds share one file format and one training loop: language models (LSTM, GRU, Transformer)
continue text; reply models (encoder-decoder, text_reply) answer a line. Training is a generator
over `tf.data` batches with one compiled train step; it yields about twice a second (the app
cancels between yields) and checkpoints the whole model (weights, optimizer, tokenizer, settings,
history) to one file after every epoch, so a stopped run resumes from there. Writing is in
text_writing: many tokens per compiled call, streamed chunk by chunk.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from studio.core.corpus import CorpusFile, corpus_note, read_chunks, resolve_corpus
from studio.core.params.text import ARCHITECTURES, LEVELS, PAIRINGS, RECURRENT_CELLS, SamplingParams, TextTrainParams
from studio.core.progress import JobError, Progress
from studio.engines.text_files import TextModel, cached_text_model, load_text_model, save_text_model
from studio.engines.text_models import build_model
from studio.engines.text_pairs import read_pairs
from studio.engines.text_reply import encode_pairs, pair_dataset, split_pairs
from studio.engines.text_tokens import (
    Tokenizer,
    VocabularyCounter,
    block_windows,
    token_windows,
    validation_period,
    window_dataset,
)
from studio.engines.text_writing import generate, next_token_choices, sample_ladder
from studio.engines.training import with_fields_of

MAX_VALIDATION_BATCHES = 50  # enough for a steady estimate on any corpus size
YIELD_SECONDS = 0.5  # training reports (and can be stopped) at least this often, batch time permitting
# What a resumed run may change; everything else (tokens, architecture, sizes) is the saved model's.
RESUMABLE_FIELDS = ("epochs", "steps_per_epoch", "sample_prompt", "sample_length", "temperatures")


@dataclass
class Batches:
    """What an epoch trains on: `train(rng)` makes one epoch's shuffled batches, `validation()` the
    held-out ones (None without a validation share); the counts are batches per epoch."""

    train: Callable[[np.random.Generator], tf.data.Dataset]
    validation: Callable[[], tf.data.Dataset] | None
    train_steps: int
    validation_steps: int
    left_out: int = 0  # pairs longer than the context, not trained on


def check_params(params: TextTrainParams) -> None:
    if params.level not in LEVELS:
        raise JobError(f"Tokenize by {' or '.join(LEVELS)}, not '{params.level}'.")
    if params.architecture not in ARCHITECTURES:
        raise JobError(f"Choose a model among {', '.join(ARCHITECTURES)}.")
    if params.cell not in RECURRENT_CELLS or params.pairs not in PAIRINGS:
        raise JobError(f"Build the reply model of {' or '.join(RECURRENT_CELLS)} on {', '.join(PAIRINGS)} pairs.")
    if params.sequence_length < 2 or params.batch_size < 1 or params.epochs < 1:
        raise JobError("Use a sequence length of at least 2, a batch of at least 1 and at least one epoch.")
    if (params.layers is not None and params.layers < 1) or (params.units is not None and params.units < 1):
        raise JobError("Use at least one layer and one unit per layer.")
    if not 0 <= params.validation_fraction < 0.5:
        raise JobError("Keep the validation share between 0 and 0.5.")
    if params.max_vocabulary < 2:
        raise JobError("Allow a vocabulary of at least 2 tokens.")
    if not params.temperatures or any(t < 0 for t in params.temperatures):
        raise JobError("Give one or more sample temperatures, each 0 or more (0.2,0.7,1.2).")


def build_vocabulary(chunks: Iterator[str], total: int, params: TextTrainParams) -> Iterator[Progress]:
    """Count the tokens of the text once; returns (tokenizer, token count)."""
    counter = VocabularyCounter(params.level, params.lowercase)
    done = 0
    for chunk in chunks:
        counter.add(chunk)
        done += len(chunk)
        yield Progress(step=min(done, total), total=total, stage="Building the vocabulary")
    return counter.tokenizer(params.max_vocabulary), counter.total


def count_tokens(tokenizer: Tokenizer, files: list[CorpusFile]) -> Iterator[Progress]:
    """How many tokens the corpus holds under `tokenizer` (resuming needs it to cut windows); returns it."""
    count = 0
    for ids in tokenizer.encode_chunks(read_chunks(files)):
        count += len(ids)
        yield Progress(step=0, total=0, stage=f"Counting tokens: {count:,}")
    return count


def window_batches(
    files: list[CorpusFile], params: TextTrainParams, text_model: TextModel | None
) -> Iterator[Progress]:
    """A language model's training data: windows of the token stream. Builds the tokenizer and model
    unless `text_model` (resuming) has them. Returns (text_model, Batches)."""
    if text_model is None:
        tokenizer, token_count = yield from build_vocabulary(read_chunks(files), sum(f.size for f in files), params)
        text_model = TextModel(build_model(params, tokenizer.size), tokenizer, params, corpus=corpus_name(files))
    else:
        token_count = yield from count_tokens(text_model.tokenizer, files)
    window = params.sequence_length + 1
    windows = token_count // window
    if windows < 1:
        unit = "characters" if params.level == "char" else "words"
        raise JobError(
            f"The corpus is only {token_count:,} {unit} long, shorter than one training sequence "
            f"({window} {unit}). Add more text or lower the sequence length."
        )
    period = validation_period(params.validation_fraction, windows)
    block = block_windows(windows, period)
    validation_windows = windows // period if period else 0

    def windows_of(validation: bool, offset: int = 0):
        return lambda: token_windows(text_model.tokenizer, files, window, block, period, validation, offset)

    def train(rng: np.random.Generator) -> tf.data.Dataset:
        offset = int(rng.integers(0, window))
        return window_dataset(windows_of(False, offset), window, params.batch_size, True, int(rng.integers(2**31)))

    def validation() -> tf.data.Dataset:
        return window_dataset(windows_of(True), window, params.batch_size, shuffle=False)

    batches = Batches(
        train,
        validation if period else None,
        math.ceil((windows - validation_windows) / params.batch_size),
        math.ceil(validation_windows / params.batch_size),
    )
    return text_model, batches


def pair_batches(files: list[CorpusFile], params: TextTrainParams, text_model: TextModel | None) -> Iterator[Progress]:
    """A reply model's training data: prompt and reply pairs. Builds the tokenizer and model unless
    `text_model` (resuming) has them. Returns (text_model, Batches)."""
    pairs = yield from read_pairs(files, params.pairs)
    if text_model is None:
        text = "".join(f"{pair.prompt}\n{pair.reply}\n" for pair in pairs)
        tokenizer, _ = yield from build_vocabulary(iter([text]), len(text), params)
        text_model = TextModel(build_model(params, tokenizer.size), tokenizer, params, corpus=corpus_name(files))
    prompts, replies, skipped = encode_pairs(pairs, text_model.tokenizer, params.sequence_length, params.pairs == "tsv")
    period = validation_period(params.validation_fraction, len(prompts))
    (train_prompts, train_replies), (held_prompts, held_replies) = split_pairs(prompts, replies, period)
    model = text_model.model

    def train(rng: np.random.Generator) -> tf.data.Dataset:
        return pair_dataset(train_prompts, train_replies, model, params.batch_size, True, int(rng.integers(2**31)))

    def validation() -> tf.data.Dataset:
        return pair_dataset(held_prompts, held_replies, model, params.batch_size, shuffle=False)

    batches = Batches(
        train,
        validation if held_prompts else None,
        math.ceil(len(train_prompts) / params.batch_size),
        math.ceil(len(held_prompts) / params.batch_size),
        skipped,
    )
    return text_model, batches


def corpus_name(files: list[CorpusFile]) -> str:
    return ", ".join(f.name for f in files)


def train(
    corpus_paths: list[str],
    params: TextTrainParams,
    model_path: str | os.PathLike,
    resume_from: str | os.PathLike | None = None,
) -> Iterator[Progress]:
    """Train a language model or a reply model on the corpus, checkpointing to `model_path` after every epoch.

    With `resume_from`, continue the model saved there (its tokenizer and architecture) up to
    `params.epochs` epochs in all; it may be `model_path` itself. First yields a note naming the
    files read (Progress.data["note"]). Progress counts this run's batches (training and validation), so
    the time left is honest; it carries the loss as batches go (metrics["loss"], data["batches_done"]:
    training batches since the model began) and, after each epoch, validation loss and samples at each
    temperature (data: "epoch", "samples" {temperature: new text}, "prompt", "reply": True when the
    samples are replies to the prompt rather than its continuations). Returns a summary dict.
    """
    check_params(params)
    files, skipped = resolve_corpus(corpus_paths)
    yield Progress(step=0, total=0, stage="Reading the corpus", data={"note": corpus_note(files, skipped)})
    if params.seed is not None:
        keras.utils.set_random_seed(params.seed)
    rng = np.random.default_rng(params.seed)
    text_model = None
    if resume_from:
        text_model = load_text_model(resume_from)
        text_model.params = with_fields_of(text_model.params, params, RESUMABLE_FIELDS)
        if text_model.epochs_done >= params.epochs:
            raise JobError(
                f"This model has already trained {text_model.epochs_done} epochs. "
                "Raise the number of epochs to train it further."
            )
        params = text_model.params
    prepare = pair_batches if params.architecture == "seq2seq" else window_batches
    text_model, batches = yield from prepare(files, params, text_model)
    model = text_model.model
    if batches.left_out:
        yield Progress(step=0, total=0, stage=f"Left out {batches.left_out:,} pairs longer than the context")
    train_steps = batches.train_steps
    if params.steps_per_epoch:
        train_steps = min(train_steps, params.steps_per_epoch)
    validation_steps = min(batches.validation_steps, MAX_VALIDATION_BATCHES) if batches.validation else 0
    if not model.compiled:
        model.compile(
            optimizer=keras.optimizers.Adam(params.learning_rate, clipnorm=1.0),
            loss=keras.losses.SparseCategoricalCrossentropy(
                from_logits=True, ignore_class=model.pad_id if text_model.is_reply else None
            ),
        )
    train_step, evaluate_step = compiled_steps(model, batches.train(np.random.default_rng(0)).element_spec)
    first_epoch = text_model.epochs_done
    epochs_left = params.epochs - first_epoch
    total = epochs_left * (train_steps + validation_steps)
    step = 0
    batches_done = first_epoch * train_steps
    for epoch in range(first_epoch, params.epochs):
        stage = f"Epoch {epoch + 1}/{params.epochs}"
        losses = []
        reported = 0
        last_report = time.monotonic()
        for batch, (inputs, targets) in enumerate(batches.train(rng).take(train_steps)):
            losses.append(float(train_step(inputs, targets)))
            step += 1
            batches_done += 1
            if time.monotonic() - last_report >= YIELD_SECONDS or batch + 1 == train_steps:
                last_report = time.monotonic()
                yield Progress(
                    step=step,
                    total=total,
                    stage=f"{stage} · batch {batch + 1}/{train_steps}",
                    metrics={"loss": float(np.mean(losses[reported:]))},
                    data={"batches_done": batches_done},
                )
                reported = len(losses)
        record = {"loss": float(np.mean(losses))} if losses else {}
        if batches.validation:
            val_losses = []
            for inputs, targets in batches.validation().take(validation_steps):
                val_losses.append(float(evaluate_step(inputs, targets)))
                step += 1
                if time.monotonic() - last_report >= YIELD_SECONDS:
                    last_report = time.monotonic()
                    yield Progress(step=step, total=total, stage=f"{stage} · checking on held-out text")
            if val_losses:
                record["val_loss"] = float(np.mean(val_losses))
        step = (epoch + 1 - first_epoch) * (train_steps + validation_steps)
        yield Progress(step=step, total=total, stage=f"{stage} · writing samples", metrics=dict(record))
        samples = sample_ladder(text_model, params.sample_prompt, params.sample_length, params.temperatures, seed=epoch)
        text_model.epochs_done = epoch + 1
        text_model.history.append(record)
        save_text_model(model_path, text_model)
        yield Progress(
            step=step,
            total=total,
            stage=f"{stage} done · saved",
            metrics=dict(record),
            data={
                "epoch": epoch + 1,
                "samples": samples,
                "prompt": params.sample_prompt,
                "reply": text_model.is_reply,
                "batches_done": batches_done,
            },
        )
    return {
        "path": str(model_path),
        "epochs": text_model.epochs_done,
        "history": text_model.history,
        "left_out_pairs": batches.left_out,
    }


def compiled_steps(model: keras.Model, batch_spec):
    """One compiled train step and one evaluation step for batches like `batch_spec` (a dataset's
    element_spec: (inputs, targets)), traced once for any batch size and length."""
    loss_function = model.loss
    optimizer = model.optimizer
    batch_spec = tf.nest.map_structure(lambda spec: tf.TensorSpec([None] * spec.shape.rank, spec.dtype), batch_spec)

    @tf.function(input_signature=list(batch_spec), autograph=False)
    def train_step(inputs, targets):
        with tf.GradientTape() as tape:
            loss = loss_function(targets, model(inputs, training=True))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    @tf.function(input_signature=list(batch_spec), autograph=False)
    def evaluate_step(inputs, targets):
        return loss_function(targets, model(inputs, training=False))

    return train_step, evaluate_step


# -- what the app and CLI run ----------------------------------------------------------------
def train_job(
    corpus_paths: list[str], params: TextTrainParams, model_path: str, resume_from: str | None = None
) -> Iterator[Progress]:
    return (yield from train(list(corpus_paths), params, model_path, resume_from))


def generate_job(model_path: str, params: SamplingParams) -> Iterator[Progress]:
    yield Progress(step=0, total=params.length, stage="Loading the model")
    return (yield from generate(cached_text_model(model_path), params))


def choices_job(model_path: str, text: str, params: SamplingParams, count: int = 10) -> Iterator[Progress]:
    yield Progress(step=0, total=1, stage="Weighing the next word")
    return next_token_choices(cached_text_model(model_path), text, params, count)


def describe_model_job(model_path: str) -> Iterator[Progress]:
    """Summary of a saved model for the tab: settings, epochs, last losses, and whether it replies."""
    yield Progress(step=0, total=1, stage="Reading the model")
    text_model = cached_text_model(model_path)
    return {
        **text_model.settings(),
        "vocabulary": text_model.tokenizer.size,
        "reply": text_model.is_reply,
    }
