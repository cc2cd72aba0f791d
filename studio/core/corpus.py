"""Reading a text corpus: one or more files or folders, checked and decoded, streamed in chunks.

Nothing here holds a whole corpus in memory: files are decoded incrementally, chunk by chunk, so a
corpus of gigabytes costs a few megabytes. Files that cannot be text (empty, binary, an unknown
encoding) stop the job with a message that says which file and what to do.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from studio.core.files import name_list
from studio.core.progress import JobError, Progress

# The corpus that needs no file: the help topics Python ships with (`help("if")` shows one of them).
BUILTIN_CORPUS = "builtin:pydoc_data"
BUILTIN_DESCRIPTION = "Python's own help texts (pydoc_data.topics, shipped with every Python)"

CHUNK_CHARS = 1 << 20  # characters decoded at a time
SNIFF_BYTES = 1 << 16  # bytes examined to decide whether a file is text and in which encoding
FILE_SEPARATOR = "\n\n"
# Words, single punctuation marks and line breaks: the tokens of word-level models.
WORD_PATTERN = re.compile(r"\w+|[^\w\s]|\n")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HIDDEN = re.compile(r"^[._]")
# Tried in order after UTF-8; see western_encoding.
WESTERN_ENCODINGS = ("cp1252", "iso-8859-15")
# Even Icelandic or Portuguese text has far fewer accented letters than this share of all letters.
MAX_NON_ASCII_LETTERS = 0.3


@dataclass(frozen=True)
class CorpusFile:
    """One readable text file and the encoding it is read with (or the built-in corpus)."""

    path: str
    encoding: str = "utf-8"
    size: int = 0

    @property
    def name(self) -> str:
        return "pydoc_data" if self.path == BUILTIN_CORPUS else Path(self.path).name


@dataclass(frozen=True)
class CorpusSummary:
    """What the corpus holds, for the tab's summary line."""

    files: tuple[CorpusFile, ...]
    characters: int
    distinct_characters: int
    words: int
    distinct_words: int
    skipped: tuple[str, ...] = field(default_factory=tuple)

    def describe(self) -> str:
        return (
            f"{name_list(f.name for f in self.files)}: {self.characters:,} characters "
            f"({self.distinct_characters} distinct), {self.words:,} words ({self.distinct_words:,} distinct)"
            f"{reading_notes(self.files, self.skipped)}"
        )


def reading_notes(files: Iterable[CorpusFile], skipped: Iterable[str]) -> str:
    """`; a.txt read as cp1252; skipped 1 non-text file: photo.jpg`: what a user should know about how
    the corpus was read (empty when every file is UTF-8 and none was skipped)."""
    notes = ""
    unusual = [f"{f.name} read as {f.encoding}" for f in files if f.encoding not in ("utf-8", "utf-8-sig")]
    if unusual:
        notes += f"; {name_list(unusual)}"
    skipped = [Path(path).name for path in skipped]
    if skipped:
        notes += f"; skipped {len(skipped)} non-text file{'s' if len(skipped) > 1 else ''}: {name_list(skipped)}"
    return notes


def corpus_note(files: list[CorpusFile], skipped: list[str]) -> str:
    """One line naming the files a job reads (for the command line and the job's log)."""
    return f"Corpus: {name_list(f.name for f in files)}{reading_notes(files, skipped)}"


def resolve_corpus(paths: Iterable[str]) -> tuple[list[CorpusFile], list[str]]:
    """The text files behind `paths` (files, folders searched recursively, or BUILTIN_CORPUS) and the
    names of folder files skipped because they are not text. A file named directly must be text."""
    files, skipped = [], []
    paths = list(paths)
    if not paths:
        raise JobError("Choose a text file or a folder of text files to train on.")
    for path in paths:
        if path == BUILTIN_CORPUS:
            files.append(CorpusFile(BUILTIN_CORPUS, "utf-8", len(_builtin_text())))
            continue
        location = Path(path)
        if location.is_dir():
            found = 0
            for candidate in sorted(location.rglob("*")):
                if candidate.is_file() and not any(_HIDDEN.match(p) for p in candidate.relative_to(location).parts):
                    try:
                        files.append(inspect_file(candidate))
                        found += 1
                    except JobError:
                        skipped.append(str(candidate))
            if not found:
                raise JobError(f"The folder {location.name} holds no readable text files (.txt, .md, ...).")
        elif location.is_file():
            files.append(inspect_file(location))
        else:
            raise JobError(f"{path} does not exist. Choose another file or folder.")
    return files, skipped


def inspect_file(path: str | Path) -> CorpusFile:
    """Check that `path` is a non-empty text file and find its encoding: UTF-8 (or a BOM's), else a
    Western encoding that reads plausibly, else charset_normalizer's guess."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise JobError(f"{path.name} is empty. Choose a file with some text in it.")
    with path.open("rb") as stream:
        head = stream.read(SNIFF_BYTES)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return CorpusFile(str(path), encoding, size)
    if b"\x00" in head or _control_share(head) > 0.05:
        raise JobError(
            f"{path.name} is not a text file (it looks binary). Choose a plain-text file such as .txt or .md."
        )
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) == size)
        return CorpusFile(str(path), "utf-8", size)
    except UnicodeDecodeError:
        pass
    encoding = western_encoding(head) or _detected_encoding(head)
    if encoding is None:
        raise JobError(
            f"{path.name} is not UTF-8 and its encoding could not be recognised. "
            "Open it in a text editor and save it as UTF-8."
        )
    return CorpusFile(str(path), encoding, size)


def western_encoding(data: bytes) -> str | None:
    """The Western single-byte encoding `data` reads best in, or None if it reads in none of them
    plausibly (then it is probably another script: Cyrillic, Greek, ...).

    Latin-1 text reads the same in cp1252 for every printable character, so cp1252 covers both;
    ISO-8859-15 differs in eight places (€, œ, Š, ...) and wins only where it makes fewer oddities.
    """
    best, fewest = None, None
    for encoding in WESTERN_ENCODINGS:
        try:
            oddities = _oddities(data.decode(encoding))
        except UnicodeDecodeError:
            continue
        if oddities is not None and (fewest is None or oddities < fewest):
            best, fewest = encoding, oddities
    return best


def _oddities(text: str) -> int | None:
    """How many characters of `text` look out of place for a Western language (a symbol glued to a
    letter, as in "c½ur"), or None if it cannot be one: control characters, or mostly non-ASCII letters."""
    if any("\x80" <= character <= "\x9f" for character in text):
        return None
    letters = [character for character in text if character.isalpha()]
    if sum(not character.isascii() for character in letters) > MAX_NON_ASCII_LETTERS * len(letters):
        return None
    return sum(
        1
        for index, character in enumerate(text)
        if not character.isascii()
        and not character.isalpha()
        and (text[index - 1 : index].isalpha() or text[index + 1 : index + 2].isalpha())
    )


def _detected_encoding(data: bytes) -> str | None:
    """charset_normalizer's best guess, for files in neither UTF-8 nor a Western encoding."""
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    return best.encoding if best is not None else None


def _control_share(data: bytes) -> float:
    """The share of bytes that are control characters other than tab, line feed, form feed and carriage return."""
    if not data:
        return 0.0
    controls = sum(data.count(bytes([b])) for b in range(32) if b not in (9, 10, 12, 13))
    return controls / len(data)


def _builtin_text() -> str:
    import pydoc_data.topics

    return FILE_SEPARATOR.join(pydoc_data.topics.topics[name].strip() for name in sorted(pydoc_data.topics.topics))


def read_chunks(files: Iterable[CorpusFile], chunk_chars: int = CHUNK_CHARS) -> Iterator[str]:
    """The corpus text in chunks of at most `chunk_chars` characters, files joined by a blank line.

    Decoding is incremental, so memory stays at one chunk whatever the corpus size.
    """
    for index, corpus_file in enumerate(files):
        if index:
            yield FILE_SEPARATOR
        if corpus_file.path == BUILTIN_CORPUS:
            text = _builtin_text()
            for start in range(0, len(text), chunk_chars):
                yield text[start : start + chunk_chars]
            continue
        decoder = codecs.getincrementaldecoder(corpus_file.encoding)()
        consumed = 0
        held_back = ""  # a final "\r" waits for the next chunk: it may be half of a "\r\n"
        with open(corpus_file.path, "rb") as stream:
            while True:
                data = stream.read(max(1, chunk_chars - len(held_back)))
                try:
                    text = held_back + decoder.decode(data, final=not data)
                except UnicodeDecodeError as error:
                    raise JobError(
                        f"{corpus_file.name} is not valid {corpus_file.encoding} near byte "
                        f"{consumed + error.start:,}. Save it as UTF-8 and try again."
                    ) from None
                consumed += len(data)
                held_back = "\r" if data and text.endswith("\r") else ""
                text = text[: len(text) - len(held_back)]
                if text:
                    yield text.replace("\r\n", "\n")
                if not data:
                    break


def summarize(paths: Iterable[str], lowercase: bool = False) -> Iterator[Progress]:
    """Stream through the corpus once, counting characters and words; returns a CorpusSummary."""
    files, skipped = resolve_corpus(paths)
    total = sum(f.size for f in files)
    characters, chars, words = 0, Counter(), Counter()
    done = 0
    for chunk in read_chunks(files):
        if lowercase:
            chunk = chunk.lower()
        characters += len(chunk)
        chars.update(chunk)
        words.update(w for w in WORD_PATTERN.findall(chunk) if w[0].isalnum() or w[0] == "_")
        done += len(chunk)
        yield Progress(step=min(done, total), total=total, stage="Reading the corpus")
    if characters == 0:
        raise JobError("The corpus holds no text. Choose files with some text in them.")
    return CorpusSummary(tuple(files), characters, len(chars), sum(words.values()), len(words), tuple(skipped))
