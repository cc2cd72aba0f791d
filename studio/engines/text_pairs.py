"""Prompt and reply pairs for a reply model, cut from a corpus: each line and the next, the two
columns of a TSV file, or a paragraph and its first line as its title."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from studio.core.corpus import CorpusFile, read_chunks
from studio.core.progress import JobError, Progress

_BLANK_LINES = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class Pair:
    """A prompt, the reply to learn for it, and where it was found (for messages)."""

    prompt: str
    reply: str
    where: str


def next_line_pairs(text: str, name: str) -> list[Pair]:
    """Each non-blank line with the non-blank line after it (poems, lyrics, dialogue)."""
    lines = [(number, line.strip()) for number, line in enumerate(text.split("\n"), 1) if line.strip()]
    return [Pair(first, second, f"line {number} of {name}") for (number, first), (_, second) in zip(lines, lines[1:])]


def title_pairs(text: str, name: str) -> list[Pair]:
    """Each paragraph of two lines or more: its body as the prompt, its first line as the reply."""
    pairs = []
    line = 1
    for paragraph in _BLANK_LINES.split(text):
        lines = [row.strip() for row in paragraph.strip("\n").split("\n")]
        body = "\n".join(row for row in lines[1:] if row)
        if lines[0] and body:
            first_line = line + len(paragraph) - len(paragraph.lstrip("\n"))
            pairs.append(Pair(body, lines[0], f"the paragraph at line {first_line} of {name}"))
        line += paragraph.count("\n") + 2
    return pairs


def tsv_pairs(text: str, name: str) -> list[Pair]:
    """Each line of a two-column TSV file: prompt, a tab, reply. Anything else is an error that says where."""
    pairs = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        columns = line.split("\t")
        if len(columns) != 2:
            raise JobError(
                f"Line {number} of {name} has {len(columns)} column{'s' if len(columns) != 1 else ''}: each line "
                "of a TSV file needs a prompt, one tab, then the reply. Fix that line or choose other pairs."
            )
        prompt, reply = (column.strip() for column in columns)
        if not prompt or not reply:
            missing = "reply" if prompt else "prompt"
            raise JobError(f"Line {number} of {name} has an empty {missing}. Write one or remove the line.")
        pairs.append(Pair(prompt, reply, f"line {number} of {name}"))
    return pairs


PAIR_READERS = {"next-line": next_line_pairs, "tsv": tsv_pairs, "title": title_pairs}


def read_pairs(files: list[CorpusFile], pairing: str) -> Iterator[Progress]:
    """The pairs of every file, read one file at a time; returns a list of Pair."""
    if pairing not in PAIR_READERS:
        raise JobError(f"Make pairs by {', '.join(PAIR_READERS)}, not '{pairing}'.")
    pairs = []
    for index, corpus_file in enumerate(files):
        pairs += PAIR_READERS[pairing]("".join(read_chunks([corpus_file])), corpus_file.name)
        yield Progress(step=index + 1, total=len(files), stage="Reading pairs")
    if not pairs:
        what = {"next-line": "two lines of text", "tsv": "a line", "title": "a paragraph of two lines or more"}
        raise JobError(f"The corpus holds no pairs: a reply model needs at least {what[pairing]}.")
    return pairs
