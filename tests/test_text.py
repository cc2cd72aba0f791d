"""Text engine: corpus reading, tokenizers, sampling filters, incremental generation, training, files, CLI."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from studio.core import corpus as corpus_module
from studio.core.corpus import BUILTIN_CORPUS, CorpusFile, inspect_file, read_chunks, resolve_corpus
from studio.core.params.text import SamplingParams, TextTrainParams
from studio.core.progress import JobError, run_to_end

PANGRAMS = (
    "The quick brown fox jumps over the lazy dog. A lazy dog sleeps; the fox runs (far) away!\n"
    "Pack my box with five dozen liquor jugs. How vexingly quick daft zebras jump.\n"
)


@pytest.fixture
def small_corpus(tmp_path):
    path = tmp_path / "pangrams.txt"
    path.write_text(PANGRAMS * 12, encoding="utf-8")
    return path


def tiny_params(**overrides) -> TextTrainParams:
    settings = dict(
        size="tiny",
        sequence_length=16,
        batch_size=8,
        epochs=1,
        sample_length=8,
        temperatures=(0.5, 1.0),
        learning_rate=0.01,
        dropout=0.0,
        seed=0,
    )
    return TextTrainParams(**{**settings, **overrides})


# -- corpus ----------------------------------------------------------------------------------
def test_bad_files_are_refused_with_a_reason(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "picture.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(JobError, match="empty"):
        inspect_file(empty)
    with pytest.raises(JobError, match="binary"):
        inspect_file(binary)
    with pytest.raises(JobError, match="does not exist"):
        resolve_corpus([str(tmp_path / "missing.txt")])


def test_folder_skips_non_text_and_reads_other_encodings(tmp_path):
    (tmp_path / "a.txt").write_text("Crème brûlée à la française, s'il vous plaît. " * 20, encoding="cp1252")
    (tmp_path / "b.txt").write_text("plain words\n", encoding="utf-8")
    (tmp_path / "c.bin").write_bytes(b"\x00\x01\x02" * 50)
    files, skipped = resolve_corpus([str(tmp_path)])
    assert [f.name for f in files] == ["a.txt", "b.txt"] and skipped == [str(tmp_path / "c.bin")]
    assert files[0].encoding != "utf-8"
    text = "".join(read_chunks(files))
    assert text.startswith("Crème brûlée à la française") and text.endswith("plain words\n")


def test_invalid_bytes_past_the_sniffed_head_are_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_module, "SNIFF_BYTES", 64)
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"a" * 100 + "é".encode("latin-1") + b"b" * 10)
    corpus_file = inspect_file(path)
    assert corpus_file.encoding == "utf-8"
    with pytest.raises(JobError, match="not valid utf-8 near byte 100"):
        list(read_chunks([corpus_file]))


def test_big_files_stream_in_bounded_chunks(tmp_path):
    import tracemalloc

    path = tmp_path / "big.txt"
    path.write_text(PANGRAMS * 400, encoding="utf-8")
    chunks = list(read_chunks([inspect_file(path)], chunk_chars=1000))
    assert len(chunks) > 60 and max(len(c) for c in chunks) <= 1000
    assert "".join(chunks) == PANGRAMS * 400

    huge = tmp_path / "huge.txt"
    huge.write_text(PANGRAMS * 20_000, encoding="utf-8")  # 3.4 MB
    tracemalloc.start()
    characters = sum(len(chunk) for chunk in read_chunks([inspect_file(huge)], chunk_chars=1 << 16))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert characters == len(PANGRAMS) * 20_000 and peak < 1_000_000


def test_training_streams_a_corpus_larger_than_one_chunk(tmp_path):
    from studio.engines.text import train

    path = tmp_path / "huge.txt"
    path.write_text(PANGRAMS * 12_000, encoding="utf-8")  # 2 MB: two chunks and more
    events, result = run_to_end(
        train([str(path)], tiny_params(steps_per_epoch=2, sample_length=2), tmp_path / "m.textmodel")
    )
    assert any(e.stage == "Building the vocabulary" for e in events) and "val_loss" in result["history"][0]


def test_builtin_corpus_is_pythons_help_text():
    files, _ = resolve_corpus([BUILTIN_CORPUS])
    text = "".join(read_chunks(files))
    assert len(text) > 100_000 and "while" in text


# -- tokens ----------------------------------------------------------------------------------
def test_character_tokenizer_round_trip_and_unknowns():
    from studio.engines.text_tokens import VocabularyCounter

    counter = VocabularyCounter("char")
    counter.add(PANGRAMS)
    tokenizer = counter.tokenizer(1000)
    assert tokenizer.decode(tokenizer.encode(PANGRAMS)) == PANGRAMS
    assert counter.total == len(PANGRAMS)
    assert tokenizer.encode("€")[0] == 0
    limited = counter.tokenizer(5)
    assert limited.size == 5 and set(limited.decode(limited.encode(PANGRAMS))) <= set(limited.vocabulary)


def test_word_tokenizer_round_trip_across_chunk_borders():
    from studio.engines.text_tokens import Tokenizer, VocabularyCounter

    text = "the dog's bowl (red) is full.\nit eats, then sleeps - well-fed!\n" * 5
    counter = VocabularyCounter("word", lowercase=True)
    for start in range(0, len(text), 7):  # chunks cut words in two
        counter.add(text[start : start + 7])
    tokenizer = counter.tokenizer(100)
    assert tokenizer.decode(tokenizer.encode(text)) == text.replace(" - ", "-")
    whole = tokenizer.encode(text)
    pieces = np.concatenate(list(tokenizer.encode_chunks(text[i : i + 7] for i in range(0, len(text), 7))))
    np.testing.assert_array_equal(pieces, whole)
    assert tokenizer.decode(tokenizer.encode("The cat")) == "the [UNK]"
    assert Tokenizer.from_dict(tokenizer.to_dict()).vocabulary == tokenizer.vocabulary
    assert tokenizer.continuation("the dog", tokenizer.encode(".")) == "."
    assert tokenizer.continuation("the", tokenizer.encode("dog")) == " dog"


# -- sampling --------------------------------------------------------------------------------
def test_temperature_reweighting_matches_the_formula():
    from studio.engines.text_sampling import token_distribution

    probabilities = np.array([0.5, 0.25, 0.15, 0.1])
    for temperature in (0.2, 0.7, 1.0, 1.5):
        expected = probabilities ** (1 / temperature) / np.sum(probabilities ** (1 / temperature))
        found = token_distribution(np.log(probabilities)[None] + 3.0, [temperature]).numpy()[0]
        np.testing.assert_allclose(found, expected, rtol=1e-5)
    assert token_distribution(np.log(probabilities)[None], [0.0]).numpy()[0].tolist() == [1, 0, 0, 0]


def test_top_k_and_top_p_never_sample_outside_their_sets():
    from studio.engines.text_sampling import draw, token_distribution

    rng = np.random.default_rng(0)
    logits = rng.normal(size=50) * 2
    ranked = np.argsort(-logits)
    draws = 20_000
    many = np.tile(logits, (draws, 1))
    chosen = draw(token_distribution(many, [1.0] * draws, top_k=5), rng.random(draws)).numpy()
    assert set(chosen) == set(ranked[:5].tolist())

    probabilities = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    cumulative = np.cumsum(probabilities[ranked])
    nucleus = set(ranked[: int(np.searchsorted(cumulative, 0.8)) + 1].tolist())
    chosen = draw(token_distribution(many, [1.0] * draws, top_p=0.8), rng.random(draws)).numpy()
    assert set(chosen) == nucleus and len(nucleus) < 50


def test_top_p_zero_keeps_only_the_likeliest_token():
    from studio.engines.text_sampling import token_distribution

    distribution = token_distribution(np.array([[0.5, 2.0, 1.0]]), [1.0], top_p=0.0).numpy()[0]
    assert distribution.tolist() == [0.0, 1.0, 0.0]


# -- models ----------------------------------------------------------------------------------
@pytest.mark.parametrize("architecture", ["lstm", "gru", "transformer"])
def test_incremental_steps_match_a_full_rerun(architecture):
    import keras

    from studio.engines.text_files import TextModel
    from studio.engines.text_models import build_model
    from studio.engines.text_tokens import Tokenizer
    from studio.engines.text_writing import Writer

    keras.utils.set_random_seed(0)
    params = tiny_params(architecture=architecture, size="small" if architecture == "transformer" else "tiny")
    model = build_model(replace(params, sequence_length=32), 30)
    text_model = TextModel(model, Tokenizer("char", [chr(65 + i) for i in range(30)]), params)
    ids = np.random.default_rng(0).integers(0, 30, 20).astype(np.int32)
    full = keras.ops.convert_to_numpy(keras.ops.softmax(model(ids[None])[0]))
    writer = Writer(text_model)
    stepped = np.stack(
        [keras.ops.convert_to_numpy(keras.ops.softmax(writer.feed(ids[i : i + 1])[0])) for i in range(20)]
    )
    np.testing.assert_allclose(stepped, full, atol=2e-5)


def test_transformer_cache_slides_past_its_context():
    """One decoder block, context 8: after 20 tokens the cache holds the last 8, as a re-run of them would."""
    import keras

    from studio.engines.text_files import TextModel
    from studio.engines.text_models import build_model
    from studio.engines.text_tokens import Tokenizer
    from studio.engines.text_writing import Writer

    keras.utils.set_random_seed(1)
    params = tiny_params(architecture="transformer", sequence_length=8)
    model = build_model(params, 20)
    text_model = TextModel(model, Tokenizer("char", [chr(65 + i) for i in range(20)]), params)
    ids = np.random.default_rng(1).integers(0, 20, 20).astype(np.int32)
    writer = Writer(text_model)
    for position, token in enumerate(ids):
        stepped = writer.feed([token])
        window = ids[max(0, position - 7) : position + 1]
        np.testing.assert_allclose(stepped, keras.ops.convert_to_numpy(model(window[None])[:, -1]), atol=2e-5)


# -- training, files, generation -------------------------------------------------------------
def test_training_lowers_the_loss_resumes_after_a_stop_and_saves_one_file(small_corpus, tmp_path):
    import keras

    from studio.engines.text import train
    from studio.engines.text_files import load_text_model
    from studio.engines.text_writing import generate, next_token_choices

    model_path = tmp_path / "pangrams.textmodel"
    first_run = train([str(small_corpus)], tiny_params(epochs=3), model_path)
    events = []
    for event in first_run:
        events.append(event)
        if "samples" in event.data:
            break  # stop right after the first checkpoint
    first_run.close()
    assert load_text_model(model_path).epochs_done == 1
    resumed, result = run_to_end(train([str(small_corpus)], tiny_params(epochs=3), model_path, model_path))
    # Progress counts the batches of this run, so the bar and the time left move steadily to the end.
    fractions = [e.fraction for e in resumed if e.stage.startswith("Epoch")]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert [e.fraction for e in resumed if "samples" in e.data] == [0.5, 1.0]
    events += resumed
    losses = [e.metrics["loss"] for e in events if "loss" in e.metrics]
    assert losses[-1] < losses[0] * 0.8
    assert result["epochs"] == 3 and len(result["history"]) == 3 and "val_loss" in result["history"][-1]
    samples = [e.data["samples"] for e in events if "samples" in e.data]
    assert len(samples) == 3 and set(samples[-1]) == {0.5, 1.0} and all(len(s) == 8 for s in samples[-1].values())
    with pytest.raises(JobError, match="already trained 3 epochs"):
        run_to_end(train([str(small_corpus)], tiny_params(epochs=3), model_path, model_path))

    loaded = load_text_model(model_path)
    assert loaded.epochs_done == 3 and loaded.params == tiny_params(epochs=3)
    trained_events, (written,) = run_to_end(generate(loaded, SamplingParams(prompt="The ", length=30, seed=3)))
    assert len(written) >= 30 and "".join(e.text for e in trained_events) == written
    again = load_text_model(model_path)
    ids = loaded.tokenizer.encode(PANGRAMS[:30])[None]
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(again.model(ids)), keras.ops.convert_to_numpy(loaded.model(ids))
    )
    _, repeat = run_to_end(generate(again, SamplingParams(prompt="The ", length=30, seed=3)))
    assert repeat == [written]
    choices = next_token_choices(loaded, "The quick brown ", SamplingParams(top_k=3), count=5)
    assert len(choices) == 3 and choices[0][1] >= choices[1][1] >= choices[2][1]
    assert sum(p for _, p in choices) == pytest.approx(1.0)


def test_a_transformer_saves_to_one_file_and_loads_back(tmp_path, refuses_what_is_not_its_model):
    import keras

    from studio.engines.text_files import TextModel, load_text_model, save_text_model
    from studio.engines.text_models import build_model
    from studio.engines.text_tokens import Tokenizer

    tokenizer = Tokenizer("word", ["[UNK]", "the", "dog", "."])
    model = build_model(tiny_params(architecture="transformer", sequence_length=8, dropout=0.1), tokenizer.size)
    saved = save_text_model(
        tmp_path / "t.textmodel", TextModel(model, tokenizer, tiny_params(), 2, [{"loss": 1.0}], "x.txt")
    )
    assert [p.name for p in tmp_path.iterdir()] == ["t.textmodel"]
    loaded = load_text_model(saved)
    ids = np.array([[1, 2, 3, 1]], np.int32)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loaded.model(ids)), keras.ops.convert_to_numpy(model(ids)), atol=1e-6
    )
    assert (loaded.tokenizer.vocabulary, loaded.epochs_done, loaded.history, loaded.corpus) == (
        tokenizer.vocabulary,
        2,
        [{"loss": 1.0}],
        "x.txt",
    )
    refuses_what_is_not_its_model(load_text_model, "a text model", ".textmodel")


def test_a_corpus_shorter_than_one_sequence_is_refused(tmp_path):
    from studio.engines.text import train

    path = tmp_path / "short.txt"
    path.write_text("Too short.", encoding="utf-8")
    with pytest.raises(JobError, match="shorter than one training sequence"):
        run_to_end(train([str(path)], tiny_params(), tmp_path / "m.textmodel"))


def test_windows_split_train_and_validation_without_overlap(small_corpus):
    from studio.engines.text_tokens import VocabularyCounter, token_windows

    files = [CorpusFile(str(small_corpus), "utf-8", small_corpus.stat().st_size)]
    counter = VocabularyCounter("char")
    for chunk in read_chunks(files):
        counter.add(chunk)
    tokenizer = counter.tokenizer(100)
    train_windows = list(token_windows(tokenizer, files, 17, 2, 5, validation=False))
    validation = list(token_windows(tokenizer, files, 17, 2, 5, validation=True))
    assert len(validation) > 0 and len(train_windows) > 3 * len(validation)
    assert len(train_windows) + len(validation) == counter.total // (2 * 17) * 2 + (counter.total % 34) // 17


# -- command line ----------------------------------------------------------------------------
def test_cli_trains_and_generates(small_corpus, tmp_path, capsys):
    from studio.cli import main

    model_path = tmp_path / "cli.textmodel"
    assert (
        main(
            [
                "text",
                "train",
                str(small_corpus),
                "-o",
                str(model_path),
                "--level",
                "word",
                "--size",
                "small",
                "--architecture",
                "gru",
                "--sequence-length",
                "8",
                "--batch-size",
                "4",
                "--epochs",
                "1",
                "--steps-per-epoch",
                "3",
                "--sample-length",
                "5",
                "--seed",
                "0",
                "--temperatures",
                "0.5,1.5",
            ]
        )
        == 0
    )
    printed = capsys.readouterr()
    assert model_path.is_file() and "after 1 epochs" in printed.out
    # The samples after the epoch are printed on lines of their own, the progress bar's line ended first.
    lines = printed.out.splitlines()
    heading = lines.index("Epoch 1, samples of 'The ':")
    assert lines[heading + 1].startswith("  0.5: The ")
    assert any(line.startswith("  1.5: The ") for line in lines[heading + 2 :])
    assert "samples of" not in printed.err and "\r" not in printed.out
    saved = tmp_path / "out.txt"
    assert (
        main(
            [
                "text",
                "generate",
                str(model_path),
                "--prompt",
                "the lazy",
                "--length",
                "12",
                "--top-k",
                "4",
                "--seed",
                "5",
                "-o",
                str(saved),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("the lazy") and len(out.split()) >= 5
    assert saved.read_text(encoding="utf-8").strip() == out.strip()
    assert main(["text", "generate", str(tmp_path / "nothing.textmodel")]) == 2
    assert "nothing.textmodel was not found" in capsys.readouterr().err


# -- parameters ------------------------------------------------------------------------------
def test_text_parameters_describe_their_controls_and_round_trip_through_json():
    import dataclasses
    import json

    from studio.core.params import control_spec, params_from_dict, params_to_dict
    from studio.core.params.text import ARCHITECTURES, PAIRINGS, STOPS

    for cls in (TextTrainParams, SamplingParams):
        for field in dataclasses.fields(cls):
            spec = control_spec(field)
            assert spec and spec["label"] and len(spec["tooltip"]) > 20, field.name
    specs = {f.name: control_spec(f) for f in dataclasses.fields(TextTrainParams)}
    assert [value for value, _ in specs["architecture"]["choices"]] == list(ARCHITECTURES)
    assert [value for value, _ in specs["pairs"]["choices"]] == list(PAIRINGS)
    assert specs["layers"]["special"] and specs["units"]["special"]
    stops = control_spec(next(f for f in dataclasses.fields(SamplingParams) if f.name == "stop_at"))
    assert [value for value, _ in stops["choices"]] == list(STOPS)

    train = TextTrainParams(
        architecture="seq2seq", layers=2, units=64, temperatures=(0.2, 1.2), pairs="tsv", bidirectional=False
    )
    sampling = SamplingParams(prompt="Hi", samples=3, stop_at="line", beams=2, repetition_penalty=1.3)
    for params in (train, sampling, TextTrainParams(line_items=True, cell="gru")):
        assert params_from_dict(type(params), json.loads(json.dumps(params_to_dict(params)))) == params


def test_a_stop_mid_epoch_lands_before_the_epoch_ends(small_corpus, tmp_path, monkeypatch):
    from studio.engines import text

    monkeypatch.setattr(text, "YIELD_SECONDS", 0.0)  # report after every batch, as a slow model would
    model_path = tmp_path / "pangrams.textmodel"
    job = text.train([str(small_corpus)], tiny_params(epochs=2), model_path)
    event = next(job)
    while "batch" not in event.stage:
        event = next(job)
    job.close()  # what Stop does, after the first batch
    batches = int(re.search(r"batch 1/(\d+)", event.stage).group(1))
    assert batches > 1 and 0 < event.step < event.total, "the epoch had batches left"
    assert not model_path.exists(), "no epoch ended, so nothing was saved"
