"""Language models on the user's own text: train one, watch its samples improve, then write with it.

Training is a generator over `tf.data` batches with one compiled train step; it checkpoints the
whole model (weights, optimizer, tokenizer, settings, history) to one file after every epoch, so a
stopped run resumes from there. Generation feeds the model one token at a time, carrying the
recurrent state or the attention key/value cache forward instead of re-reading the prefix.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from studio.core.corpus import corpus_note, read_chunks, resolve_corpus
from studio.core.files import atomic_path
from studio.core.model_files import TEXT, TEXT_ENTRY, TEXT_FORMAT, read_model_file, reading_weights
from studio.core.params import params_from_dict, params_to_dict
from studio.core.params.text import ARCHITECTURES, LEVELS, SamplingParams, TextTrainParams
from studio.core.progress import JobError, Progress
from studio.engines.text_models import TransformerLanguageModel, build_model
from studio.engines.text_sampling import next_token_distribution, sample
from studio.engines.text_tokens import (
    Tokenizer,
    VocabularyCounter,
    block_windows,
    token_windows,
    validation_period,
    window_dataset,
)

MAX_VALIDATION_BATCHES = 50  # enough for a steady estimate on any corpus size
REPORTS_PER_EPOCH = 50


@dataclass
class TextModel:
    """A trained language model with what it needs to be used again: tokenizer, settings, history."""

    model: keras.Model
    tokenizer: Tokenizer
    params: TextTrainParams
    epochs_done: int = 0
    history: list[dict[str, float]] = field(default_factory=list)
    corpus: str = ""
    _step: Any = None

    def step_function(self):
        """The model's single-token step on a packed state (one tensor, layers stacked on axis 0),
        compiled once per batch size: one state argument keeps the per-call overhead small.

        XLA fuses the Transformer step's many small ops (4x faster on a CPU); the LSTM/GRU cell step
        is a few large ops already and runs faster without it.
        """
        if self._step is None:
            model = self.model
            state = model.initial_state(1)
            state_spec = tf.TensorSpec((len(state), None, *state[0].shape[1:]), state[0].dtype)

            def packed_step(tokens, position, packed_state):
                logits, new_state = model.step(tokens, position, tuple(tf.unstack(packed_state)))
                return logits, tf.stack(new_state)

            fuse = isinstance(model, TransformerLanguageModel)
            self._step = tf.function(
                packed_step,
                jit_compile=fuse,
                autograph=False,
                input_signature=[tf.TensorSpec([None], tf.int32), tf.TensorSpec([], tf.int32), state_spec],
            )
        return self._step

    def initial_state(self, batch: int) -> tf.Tensor:
        return tf.stack(self.model.initial_state(batch))


# -- one file per model ----------------------------------------------------------------------
def save_text_model(path: str | os.PathLike, text_model: TextModel) -> Path:
    """Write model (.keras, with optimizer state), tokenizer and settings into one zip, atomically.

    The inner .keras is written beside the target under a partial name too, so a full disk names
    the model's file and a killed save leaves nothing that the next save does not clean up."""
    settings = {
        "format": TEXT_FORMAT,
        "version": 1,
        "params": params_to_dict(text_model.params),
        "epochs_done": text_model.epochs_done,
        "history": text_model.history,
        "corpus": text_model.corpus,
    }
    with atomic_path(path) as partial:
        keras_file = partial.with_suffix(".keras")
        try:
            text_model.model.save(keras_file)
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as bundle:
                bundle.write(keras_file, "model.keras")
                bundle.writestr("tokenizer.json", json.dumps(text_model.tokenizer.to_dict()))
                bundle.writestr(TEXT_ENTRY, json.dumps(settings, indent=1))
        finally:
            keras_file.unlink(missing_ok=True)
    return Path(path)


def load_text_model(path: str | os.PathLike) -> TextModel:
    settings = read_model_file(path, TEXT)
    with reading_weights(path), zipfile.ZipFile(path) as bundle, tempfile.TemporaryDirectory() as folder:
        tokenizer = Tokenizer.from_dict(json.loads(bundle.read("tokenizer.json")))
        bundle.extract("model.keras", folder)
        model = keras.saving.load_model(Path(folder) / "model.keras")
    return TextModel(
        model,
        tokenizer,
        params_from_dict(TextTrainParams, settings["params"]),
        settings.get("epochs_done", 0),
        settings.get("history", []),
        settings.get("corpus", ""),
    )


_loaded: dict[str, tuple[float, TextModel]] = {}


def cached_text_model(path: str | os.PathLike) -> TextModel:
    """The model in `path`, loaded once while the file is unchanged (generation calls this per request)."""
    key = str(Path(path).resolve())
    stamp = Path(path).stat().st_mtime if Path(path).exists() else -1.0
    if key not in _loaded or _loaded[key][0] != stamp:
        _loaded.clear()  # one model in memory at a time
        _loaded[key] = (stamp, load_text_model(path))
    return _loaded[key][1]


# -- generation ------------------------------------------------------------------------------
class Continuation:
    """Feeds tokens to a model one at a time, keeping its state: each new token costs one step,
    however long the text so far."""

    def __init__(self, text_model: TextModel, batch: int = 1):
        self.text_model = text_model
        self.step = text_model.step_function()
        self.state = text_model.initial_state(batch)
        self.batch = batch
        self.position = 0

    def feed(self, tokens: np.ndarray) -> np.ndarray:
        """One step: `tokens` (batch,), one per row; returns the logits (batch, vocabulary) after them."""
        logits, self.state = self.step(
            tf.constant(np.asarray(tokens, np.int32).reshape(self.batch)),
            tf.constant(self.position, tf.int32),
            self.state,
        )
        self.position += 1
        return logits.numpy()

    def start(self, prompt: str) -> np.ndarray:
        """Feed the prompt to every row (a line break when it is empty, so there is always something
        to continue); returns the logits after it."""
        ids = self.text_model.tokenizer.encode(prompt)
        if ids.size == 0:
            ids = self.text_model.tokenizer.encode("\n")
        for token in ids:
            logits = self.feed(np.full(self.batch, token, np.int32))
        return logits


def generate(text_model: TextModel, params: SamplingParams) -> Iterator[Progress]:
    """Continue `params.prompt`, yielding each new piece of text as Progress.text; returns all new text."""
    if params.length < 1:
        raise JobError("Ask for at least one token.")
    tokenizer = text_model.tokenizer
    rng = np.random.default_rng(params.seed)
    continuation = Continuation(text_model)
    logits = continuation.start(params.prompt)
    written = params.prompt
    pieces = []
    for index in range(params.length):
        probabilities = next_token_distribution(logits, params.temperature, params.top_k, params.top_p)
        token = sample(probabilities, rng)
        piece = tokenizer.continuation(written, token)
        written += piece
        pieces.append(piece)
        yield Progress(step=index + 1, total=params.length, stage="Writing", text=piece)
        logits = continuation.feed(token)
    return "".join(pieces)


def sample_ladder(
    text_model: TextModel, prompt: str, length: int, temperatures: tuple[float, ...], seed: int | None = None
) -> dict[float, str]:
    """Continuations of `prompt` at each temperature, generated side by side as one batch."""
    tokenizer = text_model.tokenizer
    rng = np.random.default_rng(seed)
    continuation = Continuation(text_model, batch=len(temperatures))
    logits = continuation.start(prompt)
    columns = []
    for _ in range(length):
        probabilities = np.stack([next_token_distribution(row, t) for row, t in zip(logits, temperatures)])
        tokens = sample(probabilities, rng)
        columns.append(tokens)
        logits = continuation.feed(tokens)
    ids = np.stack(columns, axis=1) if columns else np.zeros((len(temperatures), 0), np.int32)
    return {t: tokenizer.continuation(prompt, row) for t, row in zip(temperatures, ids)}


def next_token_choices(
    text_model: TextModel, text: str, params: SamplingParams, count: int = 10
) -> list[tuple[str, float]]:
    """The `count` likeliest next pieces of text after `text` under the sampling settings, with probabilities."""
    continuation = Continuation(text_model)
    logits = continuation.start(text)[0]
    probabilities = next_token_distribution(logits, max(params.temperature, 1e-3), params.top_k, params.top_p)
    best = np.argsort(-probabilities, kind="stable")[:count]
    tokenizer = text_model.tokenizer
    return [(tokenizer.continuation(text, [i]), float(probabilities[i])) for i in best if probabilities[i] > 0]


def full_sequence_logits(text_model: TextModel):
    """A compiled full forward pass (batch, time) -> logits at the last position: the slow way to
    generate, re-reading the whole window for each token (kept for tests and the benchmark)."""
    model = text_model.model

    @tf.function(autograph=False, input_signature=[tf.TensorSpec([None, None], tf.int32)])
    def last_logits(ids):
        return model(ids, training=False)[:, -1]

    return last_logits


# -- training --------------------------------------------------------------------------------
def check_params(params: TextTrainParams) -> None:
    if params.level not in LEVELS:
        raise JobError(f"Tokenize by {' or '.join(LEVELS)}, not '{params.level}'.")
    if params.architecture not in ARCHITECTURES:
        raise JobError(f"Choose a model among {', '.join(ARCHITECTURES)}.")
    if params.sequence_length < 2 or params.batch_size < 1 or params.epochs < 1:
        raise JobError("Use a sequence length of at least 2, a batch of at least 1 and at least one epoch.")
    if not 0 <= params.validation_fraction < 0.5:
        raise JobError("Keep the validation share between 0 and 0.5.")
    if params.max_vocabulary < 2:
        raise JobError("Allow a vocabulary of at least 2 tokens.")


def build_vocabulary(files, params: TextTrainParams) -> Iterator[Progress]:
    """Stream the corpus once to count tokens; returns (tokenizer, token count)."""
    total = sum(f.size for f in files)
    done = 0

    def counted_chunks():
        nonlocal done
        for chunk in read_chunks(files):
            done += len(chunk)
            yield chunk

    counter = VocabularyCounter(params.level, params.lowercase)
    for chunk in counted_chunks():
        counter.add(chunk)
        yield Progress(step=min(done, total), total=total, stage="Building the vocabulary")
    return counter.tokenizer(params.max_vocabulary), counter.total


def train(
    corpus_paths: list[str],
    params: TextTrainParams,
    model_path: str | os.PathLike,
    resume_from: str | os.PathLike | None = None,
) -> Iterator[Progress]:
    """Train a language model on the corpus, checkpointing to `model_path` after every epoch.

    With `resume_from`, continue the model saved there (its tokenizer and architecture) up to
    `params.epochs` epochs in all; it may be `model_path` itself. Yields a note naming the files read
    (Progress.data["note"]), loss every few batches and, after each epoch, validation loss and
    samples at each temperature (Progress.data["samples"]). Returns a summary dict.
    """
    check_params(params)
    files, skipped = resolve_corpus(corpus_paths)
    yield Progress(step=0, total=0, stage="Reading the corpus", data={"note": corpus_note(files, skipped)})
    if params.seed is not None:
        keras.utils.set_random_seed(params.seed)
    rng = np.random.default_rng(params.seed)
    if resume_from:
        text_model = load_text_model(resume_from)
        text_model.params = replace(
            text_model.params,
            epochs=params.epochs,
            steps_per_epoch=params.steps_per_epoch,
            sample_prompt=params.sample_prompt,
            temperatures=params.temperatures,
        )
        if text_model.epochs_done >= params.epochs:
            raise JobError(
                f"This model has already trained {text_model.epochs_done} epochs. "
                "Raise the number of epochs to train it further."
            )
        token_count = None
    else:
        tokenizer, token_count = yield from build_vocabulary(files, params)
        model = build_model(params.architecture, params.size, tokenizer.size, params.sequence_length, params.dropout)
        text_model = TextModel(model, tokenizer, params, corpus=", ".join(f.name for f in files))
    model, params = text_model.model, text_model.params
    window = params.sequence_length + 1
    if token_count is None:
        token_count = sum(len(ids) for ids in text_model.tokenizer.encode_chunks(read_chunks(files)))
    windows = token_count // window
    if windows < 1:
        unit = "characters" if params.level == "char" else "words"
        raise JobError(
            f"The corpus is only {token_count:,} {unit} long, shorter than one training sequence "
            f"({window} {unit}). Add more text or lower the sequence length."
        )
    period = validation_period(params.validation_fraction, windows)
    block = block_windows(windows, period)
    train_windows = windows - (windows // period if period else 0)
    steps_per_epoch = max(1, -(-train_windows // params.batch_size))
    if params.steps_per_epoch:
        steps_per_epoch = min(steps_per_epoch, params.steps_per_epoch)
    if not model.compiled:
        model.compile(
            optimizer=keras.optimizers.Adam(params.learning_rate, clipnorm=1.0),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
    train_step, evaluate_step = compiled_steps(model)
    total = steps_per_epoch * params.epochs
    report_every = max(1, steps_per_epoch // REPORTS_PER_EPOCH)

    def windows_of(validation: bool, offset: int = 0):
        return lambda: token_windows(text_model.tokenizer, files, window, block, period, validation, offset)

    step = text_model.epochs_done * steps_per_epoch
    for epoch in range(text_model.epochs_done, params.epochs):
        stage = f"Epoch {epoch + 1}/{params.epochs}"
        dataset = window_dataset(
            windows_of(False, int(rng.integers(0, window))),
            window,
            params.batch_size,
            shuffle=True,
            seed=int(rng.integers(2**31)),
        )
        losses = []
        for batch, (inputs, targets) in enumerate(dataset.take(steps_per_epoch)):
            losses.append(float(train_step(inputs, targets)))
            step += 1
            if (batch + 1) % report_every == 0:
                yield Progress(
                    step=step,
                    total=total,
                    stage=f"{stage} · batch {batch + 1}/{steps_per_epoch}",
                    metrics={"loss": float(np.mean(losses[-report_every:]))},
                )
        step = (epoch + 1) * steps_per_epoch
        record = {"loss": float(np.mean(losses))} if losses else {}
        if period:
            validation = window_dataset(windows_of(True), window, params.batch_size, shuffle=False)
            val_losses = [float(evaluate_step(x, y)) for x, y in validation.take(MAX_VALIDATION_BATCHES)]
            if val_losses:
                record["val_loss"] = float(np.mean(val_losses))
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
            data={"epoch": epoch + 1, "samples": samples, "prompt": params.sample_prompt},
        )
    return {"path": str(model_path), "epochs": text_model.epochs_done, "history": text_model.history}


def compiled_steps(model: keras.Model):
    """One compiled train step and one evaluation step, traced once for any batch and length."""
    loss_function = model.loss
    optimizer = model.optimizer
    signature = [tf.TensorSpec([None, None], tf.int32)] * 2

    @tf.function(input_signature=signature)
    def train_step(inputs, targets):
        with tf.GradientTape() as tape:
            loss = loss_function(targets, model(inputs, training=True))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    @tf.function(input_signature=signature)
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
    """Summary of a saved model for the tab: settings, epochs, last losses."""
    yield Progress(step=0, total=1, stage="Reading the model")
    text_model = cached_text_model(model_path)
    return {
        "params": params_to_dict(text_model.params),
        "epochs_done": text_model.epochs_done,
        "history": text_model.history,
        "corpus": text_model.corpus,
        "vocabulary": text_model.tokenizer.size,
    }
