"""`studio text train CORPUS... -o MODEL` and `studio text generate MODEL --prompt ...`"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from studio.commands import action_group, drive, flags_given, param_option, training_arguments
from studio.commands.paths import TEXT_FILE, TEXT_MODEL, FileRoles, declare_files
from studio.core.corpus import BUILTIN_CORPUS
from studio.core.files import atomic_path
from studio.core.model_files import TEXT
from studio.core.params.text import (
    ARCHITECTURES,
    LEVELS,
    PAIRINGS,
    RECURRENT_CELLS,
    SIZES,
    STOPS,
    SamplingParams,
    TextTrainParams,
)

TRAIN_FLAGS = (
    "level",
    "lowercase",
    "max_vocabulary",
    "sequence_length",
    "validation_fraction",
    "architecture",
    "size",
    "dropout",
    "epochs",
    "batch_size",
    "learning_rate",
    "steps_per_epoch",
    "sample_prompt",
    "sample_length",
    "seed",
    "layers",
    "units",
    "cell",
    "bidirectional",
    "pairs",
    "line_items",
    "temperatures",
)
SAMPLING_FLAGS = (
    "prompt",
    "length",
    "samples",
    "temperature",
    "top_k",
    "top_p",
    "repetition_penalty",
    "stop_at",
    "beams",
    "seed",
)


def register(subparsers) -> None:
    verbs = action_group(
        subparsers,
        "text",
        help="train a language model on your text and write with it",
        description="Train a language model on your text and write with it.",
    )

    train = verbs.add_parser(
        "train",
        help="train a model on text files or folders (or --resume one)",
        description="Train a language model on text files or folders, checkpointed to OUTPUT after every epoch.",
    )
    defaults = TextTrainParams()
    train.add_argument("corpus", nargs="*", help=f"text files or folders (none: {BUILTIN_CORPUS}, Python's help texts)")
    training_arguments(
        train,
        defaults,
        TEXT,
        TEXT_MODEL,
        kept="its vocabulary and architecture are kept",
        inputs={"corpus": "part of the corpus"},
    )
    param_option(train, "--level", defaults=defaults, choices=LEVELS, help="tokens are characters or words")
    param_option(train, "--lowercase", defaults=defaults, action="store_true", help="lowercase the text first")
    param_option(train, "--max-vocabulary", defaults=defaults, type=int, help="words kept (word level)")
    param_option(train, "--sequence-length", defaults=defaults, type=int, help="tokens the model sees at once")
    param_option(
        train, "--validation-fraction", defaults=defaults, type=float, help="share of the text held out to validate"
    )
    param_option(
        train,
        "--architecture",
        defaults=defaults,
        choices=ARCHITECTURES,
        help="the kind of network (seq2seq: a reply model, trained on --pairs)",
    )
    param_option(train, "--size", defaults=defaults, choices=SIZES, help="how large the network is")
    param_option(train, "--dropout", defaults=defaults, type=float, help="share of units dropped while training")
    param_option(train, "--batch-size", defaults=defaults, type=int, help="sequences per training step")
    param_option(train, "--learning-rate", defaults=defaults, type=float, help="Adam's step size")
    train.add_argument("--steps-per-epoch", type=int, help="at most this many batches per epoch (default: all)")
    param_option(train, "--sample-prompt", defaults=defaults, help="text the samples after each epoch continue")
    param_option(train, "--sample-length", defaults=defaults, type=int, help="tokens in each sample")
    param_option(train, "--layers", defaults=defaults, type=int, help="layers stacked (default: from --size)")
    param_option(
        train,
        "--units",
        defaults=defaults,
        type=int,
        help="units per layer, the Transformer's width (default: from --size)",
    )
    param_option(train, "--cell", defaults=defaults, choices=RECURRENT_CELLS, help="the reply model's recurrent layers")
    param_option(
        train,
        "--bidirectional",
        defaults=defaults,
        action=argparse.BooleanOptionalAction,
        help="the reply model reads each line both ways",
    )
    param_option(
        train, "--pairs", defaults=defaults, choices=PAIRINGS, help="what a reply model (seq2seq) learns to answer"
    )
    param_option(
        train,
        "--line-items",
        defaults=defaults,
        action="store_true",
        help="each line is one item: samples are whole lines",
    )
    param_option(
        train,
        "--temperatures",
        defaults=defaults,
        type=temperature_list,
        help="temperatures of the samples after each epoch, such as 0.2,0.7,1.2",
    )
    train.set_defaults(run=run_train)

    generate = verbs.add_parser("generate", help="continue a prompt with a trained model, or reply to it")
    sampling = SamplingParams()
    generate.add_argument("model", help="a model file written by `studio text train`")
    param_option(generate, "--prompt", defaults=sampling, help="text to continue, or the line a reply model answers")
    param_option(generate, "--length", defaults=sampling, type=int, help="tokens to write")
    param_option(generate, "--temperature", defaults=sampling, type=float, help="0 is greedy; higher is wilder")
    param_option(generate, "--top-k", defaults=sampling, type=int, help="sample among the k likeliest tokens (0: all)")
    param_option(
        generate, "--top-p", defaults=sampling, type=float, help="sample among the likeliest tokens holding this share"
    )
    param_option(generate, "--samples", defaults=sampling, type=int, help="how many samples to write side by side")
    param_option(
        generate,
        "--repetition-penalty",
        defaults=sampling,
        type=float,
        help="above 1, repeating a phrase gets less likely",
    )
    param_option(
        generate,
        "--stop-at",
        defaults=sampling,
        choices=STOPS,
        help="end each sample at the end of a line or paragraph",
    )
    param_option(
        generate, "--beams", defaults=sampling, type=int, help="above 1, search for the likeliest text with this many"
    )
    generate.add_argument("--seed", type=int, help="seed for repeatable text (default: a new one each run)")
    generate.add_argument("-o", "--output", help="also save the prompt and what was written to this text file")
    declare_files(
        generate, FileRoles(outputs={"output": TEXT_FILE}, inputs={"model": "the model"}, models={"model": TEXT})
    )
    generate.set_defaults(run=run_generate)


def temperature_list(text: str) -> tuple[float, ...]:
    try:
        temperatures = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a list of numbers such as 0.2,0.7,1.2") from None
    if not temperatures:
        raise argparse.ArgumentTypeError("give at least one temperature, such as 0.2,0.7,1.2")
    return temperatures


def train_params_from_args(args: argparse.Namespace) -> TextTrainParams:
    return dataclasses.replace(TextTrainParams(), **flags_given(args, TRAIN_FLAGS))


def run_train(args: argparse.Namespace) -> int:
    from studio.engines.text import train_job

    params = train_params_from_args(args)
    job = train_job(args.corpus or [BUILTIN_CORPUS], params, args.output, resume_from=args.resume)
    result = drive(printing_samples(job))
    last = result["history"][-1] if result["history"] else {}
    losses = " ".join(f"{name}={value:.4g}" for name, value in last.items())
    print(f"Saved {result['path']} after {result['epochs']} epochs {losses}".rstrip())
    if result.get("left_out_pairs"):
        print(f"Left out {result['left_out_pairs']:,} pairs longer than the context.")
    return 0


def printing_samples(job, stream=None, bar_stream=None):
    """Pass a training job's events on, printing the samples it writes after each epoch on lines of
    their own (the progress bar's line is ended first, so neither garbles the other)."""
    while True:
        try:
            event = next(job)
        except StopIteration as stop:
            return stop.value
        samples = event.data.get("samples")
        if samples:
            (bar_stream or sys.stderr).write("\n")
            (bar_stream or sys.stderr).flush()
            out = stream or sys.stdout
            reply = event.data.get("reply", False)
            what = "replies to" if reply else "samples of"
            out.write(f"Epoch {event.data['epoch']}, {what} {event.data['prompt']!r}:\n")
            for temperature, text in samples.items():
                label = f"  {temperature:g}: "
                sample = text if reply else event.data["prompt"] + text
                out.write(label + sample.replace("\n", "\n" + " " * len(label)) + "\n")
            out.flush()
        yield event


def run_generate(args: argparse.Namespace) -> int:
    from studio.engines.text import generate_job
    from studio.engines.text_files import cached_text_model

    text_model = cached_text_model(args.model)  # a damaged model is reported before any text is written
    params = dataclasses.replace(SamplingParams(), **flags_given(args, SAMPLING_FLAGS))
    # A reply goes on the line after its prompt; a continuation follows the prompt directly.
    lead = params.prompt + "\n" if text_model.is_reply else params.prompt
    generator = generate_job(args.model, params)
    streaming = params.samples == 1 and params.beams == 1
    if streaming:
        sys.stdout.write(lead)
    try:
        while True:
            event = next(generator)
            if streaming and event.text:
                sys.stdout.write(event.text)
                sys.stdout.flush()
    except StopIteration as stop:
        written = stop.value
    finally:
        generator.close()
    texts = [lead + text for text in written]
    if streaming:
        sys.stdout.write("\n")
    else:
        for number, text in enumerate(texts, 1):
            sys.stdout.write(f"--- {number} ---\n{text}\n")
    if args.output:
        with atomic_path(args.output) as partial:
            partial.write_text("\n\n".join(texts), encoding="utf-8")
        print(f"Saved {args.output}", file=sys.stderr)
    return 0
