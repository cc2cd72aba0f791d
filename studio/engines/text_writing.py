"""Writing with a trained model: continue a prompt (language models) or reply to it (reply models).

A `Writer` keeps the model's state (recurrent state, attention cache, or the encoded line) for a
batch of samples written side by side. Its compiled loops feed many tokens per call: `feed` reads
given tokens, `sample` draws new ones with the sampling filters inside the loop. Draw number i of
a stream always uses the same uniform numbers (text_sampling.uniforms), so writing one token per
call or `TOKENS_PER_CALL` per call gives the same text for the same seed; the app streams the text
chunk by chunk all the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from studio.core.params.text import STOPS, SamplingParams
from studio.core.progress import JobError, Progress, run_to_end
from studio.engines.text_files import TextModel
from studio.engines.text_sampling import (
    PHRASE_TOKENS,
    draw,
    repeated_phrase_ends,
    token_distribution,
    uniforms,
)

TOKENS_PER_CALL = 64  # new tokens per compiled call: per-call overhead spread thin, text still streams
FEED_TOKENS_PER_CALL = 64  # prompt tokens read per compiled call
HISTORY_TOKENS = 256  # how far back the repetition penalty looks for a phrase
STOP_MARKS = {"line": "\n", "paragraph": "\n\n"}


def compiled_functions(text_model: TextModel) -> dict:
    """The model's compiled loops, made once per model: `feed`, `sample` and (reply models) `encode`.

    XLA fuses each loop into one program (the Transformer step's many small ops gain most).
    Python numbers never reach them, only tensors, so each is traced once per batch size.
    """
    if text_model.compiled:
        return text_model.compiled
    model = text_model.model
    vocabulary = model.head.units
    phrase_tokens = PHRASE_TOKENS[text_model.tokenizer.level]

    def step(tokens, position, logits, state):
        """The model's step, with the static shapes of the loop's variables kept (a while loop needs them)."""
        new_logits, new_state = model.step(tokens, position, state)
        return tf.ensure_shape(new_logits, logits.shape), tf.nest.map_structure(
            lambda new, old: tf.ensure_shape(new, old.shape), tuple(new_state), tuple(state)
        )

    def feed(tokens, count, position, state):
        batch = tokens.shape[0]  # static: traced once per batch size

        def read_one(index, logits, state):
            logits, state = step(tf.gather(tokens, index, axis=1), position + index, logits, state)
            return index + 1, logits, state

        start = (tf.constant(0), tf.zeros((batch, vocabulary)), state)
        _, logits, state = tf.while_loop(lambda index, *_: index < count, read_one, start)
        return logits, state

    def sample(logits, state, position, history, seed, first_draw, count, temperature, top_k, top_p, penalty):
        batch = logits.shape[0]
        slots = tf.range(TOKENS_PER_CALL)[None, :]

        def write_one(index, logits, state, history, written):
            repeats = tf.cond(
                penalty > 1,
                lambda: repeated_phrase_ends(history, phrase_tokens, vocabulary),
                lambda: tf.zeros((batch, vocabulary), tf.bool),
            )
            probabilities = token_distribution(logits, temperature, top_k, top_p, repeats, penalty)
            tokens = draw(probabilities, uniforms(seed, first_draw + tf.cast(index, tf.int64), batch))
            written = tf.where(slots == index, tokens[:, None], written)
            history = tf.concat([history[:, 1:], tokens[:, None]], axis=1)
            logits, state = step(tokens, position + index, logits, state)
            return index + 1, logits, state, history, written

        start = (tf.constant(0), logits, state, history, tf.zeros((batch, TOKENS_PER_CALL), tf.int32))
        _, logits, state, history, written = tf.while_loop(lambda index, *_: index < count, write_one, start)
        return written, logits, state, history

    functions = {
        "feed": tf.function(feed, jit_compile=True, autograph=False),
        "sample": tf.function(sample, jit_compile=True, autograph=False),
    }
    if text_model.is_reply:
        functions["encode"] = tf.function(lambda source: model.encode(source), autograph=False)
    text_model.compiled.update(functions)
    return text_model.compiled


@dataclass(frozen=True)
class Draw:
    """How to draw tokens: one temperature per sample (row), and the filters shared by all rows."""

    temperatures: tuple[float, ...]
    top_k: int = 0
    top_p: float = 1.0
    repetition_penalty: float = 1.0
    seed: int = 0


class Writer:
    """Writes `batch` samples side by side with one model, keeping its state between calls."""

    def __init__(self, text_model: TextModel, batch: int = 1):
        self.text_model = text_model
        self.batch = batch
        self.functions = compiled_functions(text_model)
        self.position = 0
        self.draws = 0  # draws taken from the random stream so far
        self.history = tf.fill((batch, HISTORY_TOKENS), -1)
        self.logits = None
        self.state = None if text_model.is_reply else text_model.model.initial_state(batch)

    def start(self, prompt: str) -> None:
        """Read the prompt: a language model continues it (from a fresh line for line items, from a
        line break when it is empty); a reply model encodes it and begins its reply."""
        tokenizer = self.text_model.tokenizer
        if self.text_model.is_reply:
            model = self.text_model.model
            ids = tokenizer.encode(prompt.strip())
            limit = self.text_model.params.sequence_length
            if ids.size == 0:
                raise JobError("Type a line for the model to reply to.")
            if ids.size > limit:
                raise JobError(f"The line is {ids.size} tokens long; this model reads at most {limit}. Shorten it.")
            source = np.full((self.batch, limit), model.pad_id, np.int32)
            source[:, : ids.size] = ids
            self.state = self.functions["encode"](tf.constant(source))
            self.feed([model.start_id], remember=False)
            return
        if self.text_model.params.line_items:
            prompt = "\n" + prompt
        ids = tokenizer.encode(prompt)
        self.feed(ids if ids.size else tokenizer.encode("\n"))

    def feed(self, ids, remember: bool = True) -> np.ndarray:
        """Read token `ids` (length,) into every row, or (batch, length) one row each; returns the
        logits (batch, vocabulary) after them. `remember` adds them to the repetition history."""
        ids = np.asarray(ids, np.int32)
        if ids.ndim == 1:
            ids = np.broadcast_to(ids, (self.batch, ids.size))
        for start in range(0, ids.shape[1], FEED_TOKENS_PER_CALL):
            chunk = ids[:, start : start + FEED_TOKENS_PER_CALL]
            block = np.zeros((self.batch, FEED_TOKENS_PER_CALL), np.int32)
            block[:, : chunk.shape[1]] = chunk
            self.logits, self.state = self.functions["feed"](
                tf.constant(block), tf.constant(chunk.shape[1]), tf.constant(self.position), self.state
            )
            self.position += chunk.shape[1]
        if remember:
            self.history = tf.concat([self.history, tf.constant(ids)], axis=1)[:, -HISTORY_TOKENS:]
        return self.logits.numpy()

    def sample(self, count: int, how: Draw) -> np.ndarray:
        """Draw `count` (at most TOKENS_PER_CALL) new tokens per row, feeding each back; (batch, count)."""
        written, self.logits, self.state, self.history = self.functions["sample"](
            self.logits,
            self.state,
            tf.constant(self.position),
            self.history,
            tf.constant(how.seed, tf.int64),
            tf.constant(self.draws, tf.int64),
            tf.constant(count),
            tf.constant(how.temperatures, tf.float32),
            tf.constant(how.top_k),
            tf.constant(how.top_p, tf.float32),
            tf.constant(how.repetition_penalty, tf.float32),
        )
        self.position += count
        self.draws += count
        return written.numpy()[:, :count]

    def reorder(self, rows: np.ndarray) -> None:
        """Keep rows `rows` of the state (beam search: each surviving beam continues its parent)."""
        rows = tf.constant(rows, tf.int32)
        self.state = tf.nest.map_structure(lambda part: tf.gather(part, rows), tuple(self.state))
        self.history = tf.gather(self.history, rows)
        self.logits = tf.gather(self.logits, rows)


def stop_index(lead: str, text: str, stop: str) -> int | None:
    """Where `text` (written after `lead`) ends under the stop rule: at the first line break ("line")
    or blank line ("paragraph") once there is something besides white space; None if not yet."""
    if stop == "none":
        return None
    whole = lead + text
    content = len(whole) - len(whole.lstrip())
    at = whole.find(STOP_MARKS[stop], content)
    return None if at < 0 else max(0, at - len(lead))


class SampleTexts:
    """The text of each sample, token chunk by token chunk, with what is new to show after each chunk.

    A sample ends at the reply's END token or where the stop rule says; line breaks at the end of a
    stopping sample are held back until text follows them, so what was shown never needs taking back.
    `results` are the texts as shown, chunk after chunk.
    """

    def __init__(self, text_model: TextModel, prompt: str, batch: int, stop: str):
        self.tokenizer = text_model.tokenizer
        self.end_id = text_model.model.end_id if text_model.is_reply else None
        self.context = [""] * batch if text_model.is_reply else [prompt] * batch
        mark = STOP_MARKS.get(stop, "")
        self.lead = "" if text_model.is_reply else prompt.rsplit(mark, 1)[-1] if mark else prompt
        self.stop = stop
        self.texts = [""] * batch
        self.shown = [0] * batch
        self.done = [False] * batch

    def add(self, tokens: np.ndarray) -> list[str]:
        """Take one chunk of tokens (batch, count); returns the new text of each sample to show."""
        pieces = []
        for row, ids in enumerate(tokens):
            if not self.done[row]:
                if self.end_id is not None and self.end_id in ids:
                    ids = ids[: list(ids).index(self.end_id)]
                    self.done[row] = True
                piece = self.tokenizer.continuation(self.context[row], ids)
                self.context[row] += piece
                self.texts[row] += piece
                cut = stop_index(self.lead, self.texts[row], self.stop)
                if cut is not None:
                    self.texts[row] = self.texts[row][:cut]
                    self.done[row] = True
            visible = self.visible(row)
            pieces.append(visible[self.shown[row] :])
            self.shown[row] = len(visible)
        return pieces

    def visible(self, row: int) -> str:
        """The text to show: when stopping at line or paragraph ends, without the blank lines before
        a sample's first words (the prompt's line held none) nor the line breaks it ends with so far."""
        text = self.texts[row]
        if self.stop == "none":
            return text
        if not self.lead.strip():
            content = len(text) - len(text.lstrip())
            if content == len(text):
                return ""
            text = text[text.rfind("\n", 0, content) + 1 :]
        return text if self.done[row] else text.rstrip("\n")

    @property
    def results(self) -> list[str]:
        return [self.visible(row) for row in range(len(self.texts))]


def write(
    text_model: TextModel,
    prompt: str,
    length: int,
    how: Draw,
    stop: str = "none",
    tokens_per_call: int = TOKENS_PER_CALL,
) -> Iterator[Progress]:
    """Write one sample per temperature in `how`, side by side, `tokens_per_call` tokens per compiled
    call. Yields each chunk as Progress (text: the first sample's new text; data["pieces"]: every
    sample's); returns the samples' texts (the new text only, without the prompt)."""
    if text_model.params.line_items:
        stop = "line"
    writer = Writer(text_model, len(how.temperatures))
    writer.start(prompt)
    texts = SampleTexts(text_model, prompt, len(how.temperatures), stop)
    written = 0
    while written < length and not all(texts.done):
        count = min(tokens_per_call, TOKENS_PER_CALL, length - written)
        pieces = texts.add(writer.sample(count, how))
        written += count
        yield Progress(step=written, total=length, stage="Writing", text=pieces[0], data={"pieces": pieces})
    return texts.results


def check_sampling(params: SamplingParams) -> None:
    if params.length < 1 or params.samples < 1 or params.beams < 1:
        raise JobError("Ask for at least one token, one sample and one beam.")
    if params.stop_at not in STOPS:
        raise JobError(f"Stop at {', '.join(STOPS)}, not '{params.stop_at}'.")
    if params.repetition_penalty < 1:
        raise JobError("Use a repetition penalty of 1 (off) or more.")


def generate(
    text_model: TextModel, params: SamplingParams, tokens_per_call: int = TOKENS_PER_CALL
) -> Iterator[Progress]:
    """Continue (or reply to) `params.prompt`: `params.samples` samples side by side, streamed as
    Progress (see `write`); returns the list of their texts."""
    check_sampling(params)
    if params.beams > 1:
        found = yield from beam_search(text_model, params)
        return [text for text, _ in found]
    seed = params.seed if params.seed is not None else int(np.random.default_rng().integers(2**31))
    how = Draw((params.temperature,) * params.samples, params.top_k, params.top_p, params.repetition_penalty, seed)
    return (yield from write(text_model, params.prompt, params.length, how, params.stop_at, tokens_per_call))


def beam_search(text_model: TextModel, params: SamplingParams) -> Iterator[Progress]:
    """The `params.samples` likeliest texts after the prompt, by beam search over `params.beams`
    candidates (at least as many as samples). A candidate ends at the reply's END or the stop rule.
    Yields progress per token and, at the end, the texts as one chunk; returns (text, log-likelihood)
    pairs, likeliest first."""
    beams = max(params.beams, params.samples)
    stop = "line" if text_model.params.line_items else params.stop_at
    writer = Writer(text_model, beams)
    writer.start(params.prompt)
    texts = SampleTexts(text_model, params.prompt, 1, stop)
    end_id = texts.end_id
    scores = np.full(beams, -np.inf)
    scores[0] = 0.0  # all rows start alike: one live candidate
    sequences: list[list[int]] = [[] for _ in range(beams)]
    finished: list[tuple[float, list[int]]] = []
    for step in range(params.length):
        log_probabilities = tf.nn.log_softmax(writer.logits).numpy()
        candidates = scores[:, None] + log_probabilities
        rows, tokens, kept = [], [], []
        for flat in np.argsort(-candidates, axis=None, kind="stable")[: 2 * beams]:
            row, token = divmod(int(flat), candidates.shape[1])
            score = float(candidates[row, token])
            if not np.isfinite(score) or len(rows) == beams:
                break
            sequence = sequences[row] + [token]
            if token == end_id or _stops(texts, sequence):
                finished.append((score, sequence))
            else:
                rows.append(row)
                tokens.append(token)
                kept.append((score, sequence))
        yield Progress(step=step + 1, total=params.length, stage=f"Searching with {beams} beams")
        best_finished = sorted((score for score, _ in finished), reverse=True)
        if not kept or (len(best_finished) >= params.samples and best_finished[params.samples - 1] >= kept[0][0]):
            break  # live candidates only lose likelihood as they grow
        padding = beams - len(rows)
        writer.reorder(np.array(rows + [rows[0]] * padding))
        scores = np.array([score for score, _ in kept] + [-np.inf] * padding)
        sequences = [sequence for _, sequence in kept] + [[]] * padding
        writer.feed(np.array(tokens + [tokens[0]] * padding)[:, None])
    finished += [(score, sequence) for score, sequence in kept if np.isfinite(score)]
    best = sorted(finished, key=lambda found: -found[0])[: params.samples]
    results = [(_beam_text(texts, sequence), score) for score, sequence in best]
    pieces = [text for text, _ in results]
    yield Progress(step=params.length, total=params.length, stage="Found", text=pieces[0], data={"pieces": pieces})
    return results


def _beam_text(texts: SampleTexts, sequence: list[int]) -> str:
    ids = [token for token in sequence if token != texts.end_id]
    text = texts.tokenizer.continuation(texts.context[0], ids)
    cut = stop_index(texts.lead, text, texts.stop)
    return text if cut is None else text[:cut]


def _stops(texts: SampleTexts, sequence: list[int]) -> bool:
    if texts.stop == "none":
        return False
    return stop_index(texts.lead, texts.tokenizer.continuation(texts.context[0], sequence), texts.stop) is not None


def sample_ladder(
    text_model: TextModel, prompt: str, length: int, temperatures: tuple[float, ...], seed: int | None = None
) -> dict[float, str]:
    """Continuations of (or replies to) `prompt` at each temperature, written side by side."""
    _, texts = run_to_end(write(text_model, prompt, length, Draw(tuple(temperatures), seed=seed or 0)))
    return dict(zip(temperatures, texts))


def next_token_choices(
    text_model: TextModel, text: str, params: SamplingParams, count: int = 10
) -> list[tuple[str, float]]:
    """The `count` likeliest next pieces of text after `text` under the sampling settings, with probabilities."""
    writer = Writer(text_model)
    writer.start(text)
    repeats = repeated_phrase_ends(writer.history, PHRASE_TOKENS[text_model.tokenizer.level], writer.logits.shape[-1])
    probabilities = token_distribution(
        writer.logits, [max(params.temperature, 1e-3)], params.top_k, params.top_p, repeats, params.repetition_penalty
    ).numpy()[0]
    best = np.argsort(-probabilities, kind="stable")[:count]
    context = "" if text_model.is_reply else text
    tokenizer = text_model.tokenizer
    return [
        (tokenizer.continuation(context, [i]), float(probabilities[i]))
        for i in best
        if probabilities[i] > 0 and i < tokenizer.size
    ]
