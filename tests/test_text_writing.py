"""Writing with text models: many tokens per compiled call write what one per call writes, the
repetition penalty, stops at line and paragraph ends, line items, several samples and beam search."""

from __future__ import annotations

import numpy as np
import pytest

from studio.core.params.text import SamplingParams, TextTrainParams
from studio.core.progress import run_to_end

LETTERS = [chr(65 + i) for i in range(26)] + [" ", ".", "\n"]


def fixed_model(architecture: str = "lstm", newline_boost: float = 0.0, **overrides):
    """An untrained model with fixed random weights over LETTERS; `newline_boost` raises the line
    break's logit so lines and paragraphs end often."""
    import keras

    from studio.engines.text_files import TextModel
    from studio.engines.text_models import build_model
    from studio.engines.text_tokens import Tokenizer

    keras.utils.set_random_seed(0)
    params = TextTrainParams(architecture=architecture, size="tiny", sequence_length=32, dropout=0.0, **overrides)
    model = build_model(params, len(LETTERS))
    if newline_boost:
        kernel, bias = model.head.get_weights()
        bias[LETTERS.index("\n")] += newline_boost
        model.head.set_weights([kernel, bias])
    return TextModel(model, Tokenizer("char", LETTERS), params)


def repeated_phrases(text: str, length: int = 10) -> int:
    """How many positions end a run of `length` characters that already occurred earlier in `text`."""
    return sum(text[end - length : end] in text[: end - 1] for end in range(length, len(text) + 1))


@pytest.mark.parametrize("architecture", ["lstm", "transformer", "seq2seq"])
def test_many_tokens_per_call_write_what_one_per_call_writes(architecture):
    from studio.engines.text_writing import generate

    text_model = fixed_model(architecture)
    params = SamplingParams(
        prompt="A CAT SAT.", length=70, samples=3, temperature=0.9, top_k=12, top_p=0.9, repetition_penalty=2, seed=7
    )
    _, one_per_call = run_to_end(generate(text_model, params, tokens_per_call=1))
    events, many_per_call = run_to_end(generate(text_model, params))
    assert many_per_call == one_per_call and len(set(many_per_call)) == 3
    assert len(events) < 10, "the text arrives in chunks, not token by token"
    for row, text in enumerate(many_per_call):
        assert "".join(event.data["pieces"][row] for event in events) == text
    _, other_seed = run_to_end(generate(text_model, SamplingParams(**{**params.__dict__, "seed": 8})))
    assert other_seed != many_per_call


def test_repetition_penalty_lowers_repeats():
    from studio.engines.text_writing import generate

    text_model = fixed_model("lstm")
    plain = SamplingParams(prompt="THE ", length=300, temperature=0.0)
    _, (looping,) = run_to_end(generate(text_model, plain))
    _, (varied,) = run_to_end(generate(text_model, SamplingParams(**{**plain.__dict__, "repetition_penalty": 10.0})))
    assert repeated_phrases(looping) > 200, "greedy writing from fixed weights falls into a loop"
    assert repeated_phrases(varied) < repeated_phrases(looping) / 4


@pytest.mark.parametrize("stop_at, mark", [("line", "\n"), ("paragraph", "\n\n")])
def test_samples_stop_at_the_end_of_a_line_or_paragraph(stop_at, mark):
    from studio.engines.text_writing import generate

    text_model = fixed_model("lstm", newline_boost=2.5)
    params = SamplingParams(prompt="", length=400, samples=4, temperature=1.0, stop_at=stop_at, seed=1)
    events, samples = run_to_end(generate(text_model, params))
    assert events[-1].step < params.length, "every sample ended before the length ran out"
    assert all(sample.strip() and mark not in sample.lstrip("\n") for sample in samples)
    if stop_at == "paragraph":
        assert any("\n" in sample.strip() for sample in samples), "a paragraph may hold several lines"


def test_line_items_are_whole_lines():
    from studio.engines.text_writing import generate

    text_model = fixed_model("gru", newline_boost=2.0, line_items=True)
    events, items = run_to_end(generate(text_model, SamplingParams(prompt="", length=300, samples=6, seed=2)))
    assert events[-1].step < 300 and len(items) == 6
    assert all(item and "\n" not in item for item in items)
    events, items = run_to_end(generate(text_model, SamplingParams(prompt="MAR", length=300, samples=2, seed=2)))
    assert all("\n" not in item for item in items)


def log_likelihood(text_model, prompt: str, ids: list[int]) -> float:
    """Log-probability of the tokens `ids` after `prompt`, read one by one."""
    import tensorflow as tf

    from studio.engines.text_writing import Writer

    writer = Writer(text_model)
    writer.start(prompt)
    total = 0.0
    for token in ids:
        total += float(tf.nn.log_softmax(writer.logits)[0, token])
        writer.feed([token])
    return total


@pytest.mark.parametrize("architecture", ["lstm", "seq2seq"])
def test_beam_search_finds_texts_at_least_as_likely_as_greedy(architecture):
    from studio.engines.text_writing import beam_search, generate

    text_model = fixed_model(architecture)
    tokenizer = text_model.tokenizer
    end = [text_model.model.end_id] if text_model.is_reply else []
    prompt = "THE DOG."
    _, (greedy,) = run_to_end(generate(text_model, SamplingParams(prompt=prompt, length=24, temperature=0.0)))
    greedy_ids = list(tokenizer.encode(greedy)) + (end if len(greedy) < 24 else [])
    events, found = run_to_end(beam_search(text_model, SamplingParams(prompt=prompt, length=24, beams=4, samples=2)))
    assert len(found) == 2 and found[0][1] >= found[1][1] and events[-1].data["pieces"] == [t for t, _ in found]
    best, score = found[0]
    best_ids = list(tokenizer.encode(best)) + (end if len(best) < 24 else [])
    assert score == pytest.approx(log_likelihood(text_model, prompt, best_ids), abs=1e-3)
    assert score >= log_likelihood(text_model, prompt, greedy_ids) - 1e-4


def test_next_token_choices_follow_the_sampling_filters():
    from studio.engines.text_writing import next_token_choices

    text_model = fixed_model("lstm")
    choices = next_token_choices(text_model, "THE ", SamplingParams(top_k=3), count=5)
    assert len(choices) == 3 and choices[0][1] >= choices[1][1] >= choices[2][1]
    assert sum(p for _, p in choices) == pytest.approx(1.0, abs=1e-5)
    assert np.all([piece in LETTERS for piece, _ in choices])
