"""Reading a corpus: the right encoding for common files, line ends across chunk borders, and a
summary that names what was read and what was skipped."""

from __future__ import annotations

import pytest

from studio.core.corpus import CorpusSummary, inspect_file, read_chunks, resolve_corpus


@pytest.mark.parametrize(
    ("text", "saved_as", "read_as"),
    [
        ("Café déjà vu, naïve façade. ", "latin-1", "cp1252"),  # once read as cp1257: "déją"
        ("Grüße aus Köln – „schön“ … ", "cp1252", "cp1252"),
        ("Un cœur, 10 € et une Œuvre. ", "iso-8859-15", "iso-8859-15"),
        ("Привет, как дела? Всё хорошо, спасибо. ", "cp1251", "cp1251"),
        ("Déjà vu ✓ ", "utf-8", "utf-8"),
    ],
)
def test_each_file_is_read_in_the_encoding_it_was_saved_in(tmp_path, text, saved_as, read_as):
    path = tmp_path / "corpus.txt"
    path.write_bytes((text * 30).encode(saved_as))
    corpus_file = inspect_file(path)
    assert corpus_file.encoding == read_as
    assert "".join(read_chunks([corpus_file])) == text * 30


def test_crlf_split_across_chunks_becomes_one_line_break(tmp_path):
    path = tmp_path / "windows.txt"
    path.write_bytes(b"one\r\ntwo\r\n\r\nthree\r\nfour\r")
    corpus_file = inspect_file(path)
    for chunk_chars in range(1, 12):  # every possible place for the border, "\r" | "\n" included
        chunks = list(read_chunks([corpus_file], chunk_chars=chunk_chars))
        assert "".join(chunks) == "one\ntwo\n\nthree\nfour\r", chunk_chars
        assert max(len(chunk) for chunk in chunks) <= chunk_chars


def test_the_summary_names_the_encodings_and_the_skipped_files(tmp_path):
    (tmp_path / "french.txt").write_bytes(("Crème brûlée à la française. " * 10).encode("latin-1"))
    (tmp_path / "english.txt").write_text("Plain words.\n" * 10, encoding="utf-8")
    for name in ("photo.jpg", "scan.pdf"):
        (tmp_path / name).write_bytes(b"\x00\x01binary" * 20)
    files, skipped = resolve_corpus([str(tmp_path)])
    summary = CorpusSummary(tuple(files), 100, 20, 30, 10, tuple(skipped))
    assert summary.describe() == (
        "english.txt, french.txt: 100 characters (20 distinct), 30 words (10 distinct); "
        "french.txt read as cp1252; skipped 2 non-text files: photo.jpg, scan.pdf"
    )
