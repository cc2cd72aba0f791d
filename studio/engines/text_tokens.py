"""Tokens of a language model: characters or words, their vocabulary, and the corpus cut into training windows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np
import tensorflow as tf

from studio.core.corpus import WORD_PATTERN, CorpusFile, read_chunks
from studio.core.progress import JobError

UNKNOWN_WORD = "[UNK]"
UNKNOWN_CHARACTER = "\ufffd"
# Word-level text is rebuilt by joining tokens with spaces, except next to these.
NO_SPACE_BEFORE = frozenset(".,;:!?)]}%'-\n")
NO_SPACE_AFTER = frozenset("([{'-\n")
BLOCK_WINDOWS = 20  # windows per train/validation block: whole blocks go to one side, so neither sees the other


class Tokenizer:
    """Maps text to token ids and back. Id 0 is the unknown token (rare words or characters past the
    vocabulary limit); `lowercase` folds case before anything else."""

    def __init__(self, level: str, vocabulary: list[str], lowercase: bool = False):
        if level not in ("char", "word"):
            raise JobError(f"Unknown tokenization level '{level}': use 'char' or 'word'.")
        self.level = level
        self.vocabulary = list(vocabulary)
        self.lowercase = lowercase
        self.index = {token: i for i, token in enumerate(self.vocabulary)}
        if level == "char":
            codepoints = np.array([ord(c) if len(c) == 1 else -1 for c in self.vocabulary], np.int64)
            self._order = np.argsort(codepoints)
            self._sorted_codepoints = codepoints[self._order]

    @property
    def size(self) -> int:
        return len(self.vocabulary)

    def split(self, text: str) -> list[str]:
        if self.lowercase:
            text = text.lower()
        return list(text) if self.level == "char" else WORD_PATTERN.findall(text)

    def _token_chunks(self, chunks: Iterable[str]) -> Iterator[list[str] | str]:
        """Tokens chunk by chunk; a word cut by a chunk border is held back and read whole with the next chunk."""
        if self.level == "char":
            for chunk in chunks:
                yield chunk.lower() if self.lowercase else chunk
            return
        carry = ""
        for chunk in chunks:
            text = carry + chunk
            cut = _after_last_space(text)
            carry = text[cut:]
            yield self.split(text[:cut])
        if carry:
            yield self.split(carry)

    def encode(self, text: str) -> np.ndarray:
        return self._ids(self.split(text) if self.level == "word" else text.lower() if self.lowercase else text)

    def encode_chunks(self, chunks: Iterable[str]) -> Iterator[np.ndarray]:
        for tokens in self._token_chunks(chunks):
            yield self._ids(tokens)

    def _ids(self, tokens: list[str] | str) -> np.ndarray:
        if self.level == "char":
            codepoints = np.frombuffer(tokens.encode("utf-32-le"), "<u4").astype(np.int64)
            where = np.clip(np.searchsorted(self._sorted_codepoints, codepoints), 0, len(self._sorted_codepoints) - 1)
            known = self._sorted_codepoints[where] == codepoints
            return np.where(known, self._order[where], 0).astype(np.int32)
        return np.fromiter((self.index.get(token, 0) for token in tokens), np.int32, count=len(tokens))

    def decode(self, ids: Iterable[int]) -> str:
        tokens = [self.vocabulary[int(i)] for i in ids]
        if self.level == "char":
            return "".join(tokens)
        return self.join_words(tokens)

    def continuation(self, previous: str, ids: Iterable[int]) -> str:
        """The text that `ids` add after `previous` (with the space a word needs before it)."""
        text = self.decode(ids)
        if (
            self.level == "word"
            and text
            and previous
            and previous[-1] not in NO_SPACE_AFTER
            and not previous[-1].isspace()
            and text[0] not in NO_SPACE_BEFORE
        ):
            return " " + text
        return text

    @staticmethod
    def join_words(tokens: list[str]) -> str:
        parts = []
        for index, token in enumerate(tokens):
            if index and token not in NO_SPACE_BEFORE and tokens[index - 1] not in NO_SPACE_AFTER:
                parts.append(" ")
            parts.append(token)
        return "".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "lowercase": self.lowercase, "vocabulary": self.vocabulary}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tokenizer:
        return cls(data["level"], data["vocabulary"], data.get("lowercase", False))


class VocabularyCounter:
    """Counts tokens over a corpus fed chunk by chunk, then keeps the most frequent as a Tokenizer."""

    def __init__(self, level: str, lowercase: bool = False):
        self.unknown = UNKNOWN_CHARACTER if level == "char" else UNKNOWN_WORD
        self._probe = Tokenizer(level, [self.unknown], lowercase)
        self.counts: Counter[str] = Counter()
        self._carry = ""

    def add(self, chunk: str) -> None:
        if self._probe.level == "char":
            self.counts.update(chunk.lower() if self._probe.lowercase else chunk)
            return
        text = self._carry + chunk
        cut = _after_last_space(text)
        self._carry = text[cut:]
        self.counts.update(self._probe.split(text[:cut]))

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + len(self._probe.split(self._carry))

    def tokenizer(self, max_vocabulary: int) -> Tokenizer:
        """The `max_vocabulary` most frequent tokens (the unknown token, id 0, included)."""
        counts = self.counts + Counter(self._probe.split(self._carry))
        counts.pop(self.unknown, None)
        frequent = [token for token, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
        return Tokenizer(
            self._probe.level, [self.unknown, *frequent[: max(1, max_vocabulary - 1)]], self._probe.lowercase
        )


def _after_last_space(text: str) -> int:
    """Index just after the last whitespace in `text` (0 if none within the last 10,000 characters)."""
    for index in range(len(text) - 1, max(-1, len(text) - 10_000), -1):
        if text[index].isspace():
            return index + 1
    return len(text) if len(text) >= 10_000 else 0


def validation_period(validation_fraction: float, windows: int) -> int:
    """Every how many blocks one goes to validation (0: none)."""
    if validation_fraction <= 0 or windows < 2:
        return 0
    return max(2, min(round(1 / validation_fraction), windows))


def block_windows(windows: int, period: int) -> int:
    """Windows per block: BLOCK_WINDOWS, or fewer on a small corpus so that validation gets some."""
    return max(1, min(BLOCK_WINDOWS, windows // max(period, 1) // 2)) if period else BLOCK_WINDOWS


def token_windows(
    tokenizer: Tokenizer,
    files: list[CorpusFile],
    window: int,
    block: int,
    period: int,
    validation: bool,
    offset: int = 0,
) -> Iterator[np.ndarray]:
    """Streams windows of `window` token ids from the corpus.

    The token stream is cut into blocks of `block` windows; every `period`-th block is validation.
    Training windows start `offset` tokens into their block, so each epoch sees new cuts.
    """
    block_tokens = block * window
    pending = np.empty(0, np.int32)
    block_index = 0
    for ids in tokenizer.encode_chunks(read_chunks(files)):
        pending = np.concatenate([pending, ids])
        while len(pending) >= block_tokens:
            yield from _block_windows(pending[:block_tokens], block_index, window, period, validation, offset)
            pending = pending[block_tokens:]
            block_index += 1
    yield from _block_windows(pending, block_index, window, period, validation, offset)


def _block_windows(
    tokens: np.ndarray, block_index: int, window: int, period: int, validation: bool, offset: int
) -> Iterator[np.ndarray]:
    is_validation = period > 0 and block_index % period == period - 1
    if is_validation != validation:
        return
    start = 0 if validation or len(tokens) - offset < window else offset
    count = (len(tokens) - start) // window
    yield from tokens[start : start + count * window].reshape(count, window)


def window_dataset(
    windows: Callable[[], Iterator[np.ndarray]], window: int, batch_size: int, shuffle: bool, seed: int | None = None
) -> tf.data.Dataset:
    """(inputs, targets) batches from a window generator factory: the target is the input shifted by one."""
    dataset = tf.data.Dataset.from_generator(windows, output_signature=tf.TensorSpec([window], tf.int32))
    if shuffle:
        dataset = dataset.shuffle(2048, seed=seed)
    dataset = dataset.batch(batch_size)
    return dataset.map(lambda w: (w[:, :-1], w[:, 1:]), num_parallel_calls=tf.data.AUTOTUNE).prefetch(2)
