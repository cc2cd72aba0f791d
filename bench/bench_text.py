"""Text models: generation speed, incremental versus re-reading the whole sequence, and training throughput.

    python bench/bench_text.py [--tokens 400] [--train-steps 30] [--context 100]

For a small Transformer and a small LSTM, trained briefly on Python's help texts, it writes
`--tokens` characters three ways and prints tokens per second:
  incremental   one model step per token, carrying the RNN state / the attention key-value cache
  rerun         a compiled full forward pass over the last `--context` tokens for every new token
  predict       what the reference chapter's callback does: model.predict on the whole (padded) sequence per token
and the training throughput in tokens per second on this machine.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from studio.core.corpus import BUILTIN_CORPUS  # noqa: E402
from studio.core.params.text import SamplingParams, TextTrainParams  # noqa: E402
from studio.engines.text import full_sequence_logits, generate, load_text_model, train  # noqa: E402
from studio.engines.text_sampling import next_token_distribution, sample  # noqa: E402


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
    last = None
    for event in train([BUILTIN_CORPUS], params, path):
        if event.stage.startswith("Epoch") and "batch" in event.stage:
            now = time.perf_counter()
            if last is not None:
                batch_times.append(now - last)
            last = now
    tokens_per_second = params.batch_size * params.sequence_length / float(np.median(batch_times))
    return load_text_model(path), tokens_per_second


def incremental(text_model, length: int) -> float:
    started = time.perf_counter()
    for _ in generate(text_model, SamplingParams(prompt="The ", length=length, temperature=0.7, seed=0)):
        pass
    return length / (time.perf_counter() - started)


def rerun(text_model, length: int, context: int) -> float:
    forward = full_sequence_logits(text_model)
    ids = list(text_model.tokenizer.encode("The "))
    rng = np.random.default_rng(0)
    forward(np.array([ids], np.int32))  # trace outside the timing
    started = time.perf_counter()
    for _ in range(length):
        logits = forward(np.array([ids[-context:]], np.int32)).numpy()
        ids.append(int(sample(next_token_distribution(logits, 0.7), rng)[0]))
    return length / (time.perf_counter() - started)


def chapter_predict(text_model, length: int, context: int) -> float:
    """model.predict on a fixed-length, zero-padded window per token, reading the prediction at the last real token."""
    ids = list(text_model.tokenizer.encode("The "))
    rng = np.random.default_rng(0)
    started = time.perf_counter()
    for _ in range(length):
        window = ids[-context:]
        padded = np.zeros((1, context), np.int32)
        padded[0, : len(window)] = window
        predictions = text_model.model.predict(padded, verbose=0)
        ids.append(int(sample(next_token_distribution(predictions[0, len(window) - 1], 0.7), rng)[0]))
    return length / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=400)
    parser.add_argument("--train-steps", type=int, default=30)
    parser.add_argument("--context", type=int, default=100, help="sequence length / context window")
    parser.add_argument("--skip-predict", action="store_true", help="leave out the slow model.predict baseline")
    args = parser.parse_args()
    print(f"cores visible: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        for architecture in ("transformer", "lstm"):
            text_model, train_speed = train_briefly(architecture, args, folder)
            params = text_model.model.count_params()
            print(f"\n{architecture} (small, {params:,} parameters, context {args.context})")
            print(f"  training: {train_speed:,.0f} tokens/s (batch 64 x {args.context})")
            incremental(text_model, 10)  # trace the step function outside the timing
            fast = incremental(text_model, args.tokens)
            slow = rerun(text_model, args.tokens, args.context)
            print(
                f"  generating {args.tokens} tokens: incremental {fast:,.0f} tokens/s, "
                f"rerun {slow:,.0f} tokens/s ({fast / slow:.1f}x)"
            )
            if not args.skip_predict:
                chapter = chapter_predict(text_model, args.tokens, args.context)
                print(
                    f"  chapter-style model.predict per token: {chapter:,.1f} tokens/s ({fast / chapter:.0f}x slower "
                    "than incremental)"
                )


if __name__ == "__main__":
    main()
