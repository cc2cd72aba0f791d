"""Text models: writing speed (one token per compiled call against many), and training throughput.

    python bench/bench_text.py [--tokens 2000] [--train-steps 30] [--context 100] [--skip-baselines]

For a small Transformer, a small LSTM and a small reply model (seq2seq), trained briefly on Python's
help texts, it writes `--tokens` tokens and prints tokens per second:
  per call: 1    the engine's loop run for one token per call (one compiled call per token, as text
                 was written before; the sampling now runs inside the call)
  per call: 64   the engine's default, TOKENS_PER_CALL tokens per compiled call
and checks that both wrote the same text for the same seed. Rates are given per second of wall time
and per second of the process's CPU time (steadier on a machine shared with other work). For the
language models, two baselines:
  rerun          a compiled full forward pass over the last `--context` tokens for every new token
  predict        what the reference chapter's callback does: model.predict on the whole (padded)
                 sequence per token
and the training throughput in tokens per second on this machine. The goal: writing TOKENS_PER_CALL tokens per
call at least 10 times faster than the 1,046 tokens/s the Transformer wrote one call per token.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from studio.core.corpus import BUILTIN_CORPUS  # noqa: E402
from studio.core.params.text import SamplingParams, TextTrainParams  # noqa: E402
from studio.core.progress import run_to_end  # noqa: E402
from studio.engines.text import train  # noqa: E402
from studio.engines.text_files import load_text_model  # noqa: E402
from studio.engines.text_sampling import draw, token_distribution  # noqa: E402
from studio.engines.text_writing import TOKENS_PER_CALL, generate  # noqa: E402


def train_briefly(architecture: str, args, folder: str):
    """Train `args.train_steps` batches; return the model and training tokens per second (after the first batch)."""
    params = TextTrainParams(
        architecture=architecture,
        size="small",
        epochs=1,
        steps_per_epoch=args.train_steps,
        sequence_length=args.context,
        batch_size=64,
        sample_length=1,
        temperatures=(1.0,),
        seed=0,
    )
    path = os.path.join(folder, f"{architecture}.textmodel")
    batch_times = []
    last, last_batches = None, 0
    for event in train([BUILTIN_CORPUS], params, path):
        if "batches_done" in event.data and "samples" not in event.data:
            now = time.perf_counter()
            if last is not None:
                batch_times.append((now - last) / max(1, event.data["batches_done"] - last_batches))
            last, last_batches = now, event.data["batches_done"]
    seconds_per_batch = float(np.median(batch_times)) if batch_times else float("nan")
    return load_text_model(path), params.batch_size * params.sequence_length / seconds_per_batch


def writing_speed(text_model, length: int, tokens_per_call: int) -> tuple[float, float, list[str]]:
    """Tokens per second of wall time and per second of this process's CPU time (steadier on a busy
    machine), counting the tokens written (a reply may end before `length`), and the text."""
    params = SamplingParams(prompt="The ", length=length, temperature=0.7, seed=0)
    run_to_end(generate(text_model, params, tokens_per_call))  # compile outside the timing
    started, cpu_started = time.perf_counter(), time.process_time()
    events, texts = run_to_end(generate(text_model, params, tokens_per_call))
    tokens = events[-1].step
    return tokens / (time.perf_counter() - started), tokens / (time.process_time() - cpu_started), texts


def choose(logits) -> int:
    return int(draw(token_distribution(logits, [0.7]), tf.random.uniform((1,)))[0])


def rerun(text_model, length: int, context: int) -> float:
    model = text_model.model
    forward = tf.function(lambda ids: model(ids, training=False)[:, -1], reduce_retracing=True)
    ids = list(text_model.tokenizer.encode("The "))
    forward(np.array([ids], np.int32))  # trace outside the timing
    started = time.perf_counter()
    for _ in range(length):
        ids.append(choose(forward(np.array([ids[-context:]], np.int32))))
    return length / (time.perf_counter() - started)


def chapter_predict(text_model, length: int, context: int) -> float:
    """model.predict on a fixed-length, zero-padded window per token, reading the prediction at the last real token."""
    ids = list(text_model.tokenizer.encode("The "))
    started = time.perf_counter()
    for _ in range(length):
        window = ids[-context:]
        padded = np.zeros((1, context), np.int32)
        padded[0, : len(window)] = window
        predictions = text_model.model.predict(padded, verbose=0)
        ids.append(choose(predictions[:, len(window) - 1]))
    return length / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=2000)
    parser.add_argument("--train-steps", type=int, default=30)
    parser.add_argument("--context", type=int, default=100, help="sequence length / context window")
    parser.add_argument("--skip-baselines", action="store_true", help="leave out the slow rerun and predict baselines")
    parser.add_argument("--architectures", default="transformer,lstm,seq2seq")
    args = parser.parse_args()
    print(f"cores visible: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        for architecture in args.architectures.split(","):
            text_model, train_speed = train_briefly(architecture, args, folder)
            parameters = text_model.model.count_params()
            print(f"\n{architecture} (small, {parameters:,} parameters, context {args.context})")
            print(f"  training: {train_speed:,.0f} tokens/s (batch 64 x {args.context})")
            one, one_cpu, one_texts = writing_speed(text_model, args.tokens // 4, 1)
            many, many_cpu, many_texts = writing_speed(text_model, args.tokens, TOKENS_PER_CALL)
            same = many_texts[0].startswith(one_texts[0]) or one_texts[0].startswith(many_texts[0])
            print(
                f"  writing, per call 1: {one:,.0f} tokens/s ({one_cpu:,.0f} per CPU second); per call "
                f"{TOKENS_PER_CALL}: {many:,.0f} tokens/s ({many_cpu:,.0f} per CPU second), {many / one:.1f}x; "
                f"same text for the same seed: {'yes' if same else 'NO'}"
            )
            if args.skip_baselines or text_model.is_reply:
                continue
            slow = rerun(text_model, args.tokens // 10, args.context)
            chapter = chapter_predict(text_model, args.tokens // 50, args.context)
            print(
                f"  rerun the window per token: {slow:,.0f} tokens/s; model.predict per token: {chapter:,.1f} tokens/s"
            )
        print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
