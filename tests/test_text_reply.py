"""Reply models: pairs from a corpus, bad pairs refused, the bidirectional encoder, a toy task learnt
with teacher forcing and solved by greedy decoding, the CLI, and depth and width as settings."""

from __future__ import annotations

import numpy as np
import pytest

from studio.core.params.text import SamplingParams, TextTrainParams
from studio.core.progress import JobError, run_to_end


def reply_params(**overrides) -> TextTrainParams:
    settings = dict(
        architecture="seq2seq",
        size="tiny",
        sequence_length=8,
        batch_size=32,
        epochs=1,
        sample_prompt="abc",
        sample_length=8,
        temperatures=(0.0,),
        learning_rate=0.01,
        dropout=0.0,
        seed=0,
    )
    return TextTrainParams(**{**settings, **overrides})


def test_pairs_from_lines_tsv_and_paragraphs():
    from studio.engines.text_pairs import next_line_pairs, title_pairs, tsv_pairs

    poem = "Roses are red,\nViolets are blue,\n\n  Sugar is sweet,\n"
    assert [(p.prompt, p.reply) for p in next_line_pairs(poem, "poem.txt")] == [
        ("Roses are red,", "Violets are blue,"),
        ("Violets are blue,", "Sugar is sweet,"),
    ]
    assert [(p.prompt, p.reply) for p in tsv_pairs("hello\tworld\n\nhow are you?\tfine\n", "x.tsv")] == [
        ("hello", "world"),
        ("how are you?", "fine"),
    ]
    titled = title_pairs("Spring\nbuds open\nbirds sing\n\nLonely line\n\nWinter\nsnow\n", "poems.txt")
    assert [(p.prompt, p.reply) for p in titled] == [("buds open\nbirds sing", "Spring"), ("snow", "Winter")]
    assert titled[1].where == "the paragraph at line 7 of poems.txt"


@pytest.mark.parametrize(
    "content, params, message",
    [
        ("hello\tworld\nno tab here\n", {}, "Line 2 of pairs.tsv has 1 column: each line of a TSV file needs"),
        ("a\tb\nc\td\te\n", {}, "Line 2 of pairs.tsv has 3 columns"),
        ("hello\tworld\nhow are you?\t \n", {}, "Line 2 of pairs.tsv has an empty reply"),
        ("hello\tworld\nhow are you today?\tfine\n", {"sequence_length": 10}, "1 of 2 pairs are longer than the"),
        ("\n\n", {}, "The corpus holds no pairs"),
    ],
)
def test_bad_pairs_are_refused_before_training_and_nothing_is_overwritten(tmp_path, content, params, message):
    from studio.engines.text import train

    corpus = tmp_path / "pairs.tsv"
    corpus.write_text(content + "x" * 0, encoding="utf-8")
    model_path = tmp_path / "kept.textmodel"
    model_path.write_bytes(b"a model the user made")
    with pytest.raises(JobError, match=message):
        run_to_end(train([str(corpus)], reply_params(pairs="tsv", **params), model_path))
    assert model_path.read_bytes() == b"a model the user made"


def test_long_lines_are_left_out_of_next_line_pairs_unless_all_are_long(tmp_path):
    from studio.engines.text import train

    corpus = tmp_path / "lines.txt"
    corpus.write_text("short\nline\n" * 10 + "a line far longer than the context\n" + "short\nline\n" * 10)
    _, result = run_to_end(train([str(corpus)], reply_params(sample_length=2), tmp_path / "m.textmodel"))
    assert result["left_out_pairs"] == 2
    with pytest.raises(JobError, match="Raise the context"):
        run_to_end(train([str(corpus)], reply_params(sequence_length=3), tmp_path / "n.textmodel"))


def encoder_next_token_accuracy(bidirectional: bool) -> float:
    """Train the reply model's encoder, with a small tagging head on its outputs, to name at each
    position of a random line the token that FOLLOWS it; returns the accuracy on fresh lines."""
    import keras
    import tensorflow as tf

    from studio.engines.text_models import build_model

    keras.utils.set_random_seed(0)
    model = build_model(reply_params(units=32, bidirectional=bidirectional), 6)
    tagger = keras.layers.Dense(model.vocabulary_size)
    tagger.build((None, None, 32))
    variables = [
        *model.embedding.trainable_variables,
        *[v for layer in model.encoder_layers for v in layer.trainable_variables],
        *model.memory_projection.trainable_variables,
        *tagger.trainable_variables,
    ]
    optimizer = keras.optimizers.Adam(0.01)
    loss_function = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function
    def learn(lines):
        with tf.GradientTape() as tape:
            memory = model.encode(lines, training=True)[-2]
            loss = loss_function(lines[:, 1:], tagger(memory)[:, :-1])
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))

    rng = np.random.default_rng(0)
    for _ in range(150):
        learn(tf.constant(rng.integers(0, 6, (64, 8)), tf.int32))
    lines = rng.integers(0, 6, (256, 8)).astype(np.int32)
    guesses = np.argmax(tagger(model.encode(tf.constant(lines))[-2]).numpy(), axis=-1)
    return float(np.mean(guesses[:, :-1] == lines[:, 1:]))


def test_the_bidirectional_encoder_sees_what_follows_each_position():
    """A one-way encoder cannot know the next token of its input at any position (chance: 1/6)."""
    assert encoder_next_token_accuracy(bidirectional=True) > 0.9
    assert encoder_next_token_accuracy(bidirectional=False) < 0.35


def test_teacher_forcing_learns_to_reverse_words_and_greedy_decoding_solves_it(tmp_path, capsys):
    from studio.cli import main
    from studio.engines.text import train
    from studio.engines.text_files import load_text_model
    from studio.engines.text_writing import generate

    rng = np.random.default_rng(0)

    def word() -> str:
        return "".join(rng.choice(list("abcdef"), rng.integers(3, 6)))

    corpus = tmp_path / "reverse.tsv"
    corpus.write_text("".join(f"{w}\t{w[::-1]}\n" for w in (word() for _ in range(800))), encoding="utf-8")
    model_path = tmp_path / "reverse.textmodel"
    params = reply_params(pairs="tsv", units=64, epochs=3, validation_fraction=0.0)
    events, result = run_to_end(train([str(corpus)], params, model_path))
    losses = [event.metrics["loss"] for event in events if "loss" in event.metrics and "samples" not in event.data]
    assert losses[-1] < losses[0] / 10
    text_model = load_text_model(model_path)
    unseen = [word() for _ in range(30)]
    replies = [
        run_to_end(generate(text_model, SamplingParams(prompt=w, temperature=0.0, length=10)))[1][0] for w in unseen
    ]
    accuracy = np.mean([reply == w[::-1] for w, reply in zip(unseen, replies)])
    assert accuracy >= 0.9, list(zip(unseen, replies))

    assert main(["text", "generate", str(model_path), "--prompt", "abcde", "--temperature", "0", "--length", "9"]) == 0
    assert capsys.readouterr().out == "abcde\nedcba\n"
    assert main(["text", "generate", str(model_path), "--prompt", "fade", "--beams", "3", "--samples", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("--- 1 ---\nfade\nedaf\n--- 2 ---\nfade\n")
    assert main(["text", "generate", str(model_path), "--prompt", "  "]) == 2
    assert "Type a line" in capsys.readouterr().err


def test_depth_and_width_are_settings_and_sizes_are_shortcuts():
    from studio.engines.text_models import build_model, model_shape

    recurrent = build_model(TextTrainParams(size="tiny", layers=2, units=48), 10)
    assert recurrent.num_layers == 2 and recurrent.units == 48 and len(recurrent.recurrent_layers) == 2
    assert model_shape(TextTrainParams(size="medium")) == (128, 512, 2)
    reply = build_model(reply_params(layers=3, units=24, cell="gru"), 10)
    assert len(reply.encoder_layers) == 3 and len(reply.decoder_layers) == 3 and reply.units == 24
    transformer = build_model(TextTrainParams(architecture="transformer", size="tiny", layers=3, units=48), 10)
    assert len(transformer.blocks) == 3 and transformer.width == 48
    with pytest.raises(JobError, match="multiple of 4"):
        build_model(TextTrainParams(architecture="transformer", size="tiny", units=30), 10)
