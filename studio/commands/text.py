"""`studio text train CORPUS... -o MODEL` and `studio text generate MODEL --prompt ...`"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from studio.commands import drive
from studio.core.corpus import BUILTIN_CORPUS
from studio.core.files import atomic_path
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
    parser = subparsers.add_parser(
        "text",
        help="train a language model on your text and write with it",
        description="Train a language model on your text and write with it.",
    )
    verbs = parser.add_subparsers(dest="text_verb", metavar="ACTION", required=True)

    train = verbs.add_parser("train", help="train (or resume training) a model on text files or folders")
    train.add_argument("corpus", nargs="*", help=f"text files or folders (none: {BUILTIN_CORPUS}, Python's help texts)")
    train.add_argument("-o", "--output", required=True, help="model file to write (checkpointed every epoch)")
    train.add_argument("--resume", action="store_true", help="continue training the model in --output")
    train.add_argument("--level", choices=LEVELS)
    train.add_argument("--lowercase", action="store_true", default=None)
    train.add_argument("--max-vocabulary", type=int)
    train.add_argument("--sequence-length", type=int)
    train.add_argument("--validation-fraction", type=float)
    train.add_argument("--architecture", choices=ARCHITECTURES, help="seq2seq: a reply model, trained on --pairs")
    train.add_argument("--size", choices=SIZES)
    train.add_argument("--dropout", type=float)
    train.add_argument("--epochs", type=int)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--learning-rate", type=float)
    train.add_argument("--steps-per-epoch", type=int, help="at most this many batches per epoch")
    train.add_argument("--sample-prompt")
    train.add_argument("--sample-length", type=int)
    train.add_argument("--seed", type=int)
    train.add_argument("--layers", type=int, help="layers stacked (default: from --size)")
    train.add_argument("--units", type=int, help="units per layer, the Transformer's width (default: from --size)")
    train.add_argument("--cell", choices=RECURRENT_CELLS, help="the reply model's recurrent layers")
    train.add_argument(
        "--bidirectional",
        action=argparse.BooleanOptionalAction,
        help="the reply model reads each line both ways (default: yes)",
    )
    train.add_argument("--pairs", choices=PAIRINGS, help="what a reply model (--architecture seq2seq) learns to answer")
    train.add_argument(
        "--line-items", action="store_true", default=None, help="each line is one item: samples are whole lines"
    )
    train.add_argument(
        "--temperatures", type=temperature_list, help="temperatures of the samples after each epoch (0.2,0.7,1.2)"
    )
    train.set_defaults(run=run_train)

    generate = verbs.add_parser("generate", help="continue a prompt with a trained model, or reply to it")
    generate.add_argument("model", help="a model file written by `studio text train`")
    generate.add_argument("--prompt", default="", help="text to continue, or the line a reply model answers")
    generate.add_argument("--length", type=int, help="tokens to write")
    generate.add_argument("--temperature", type=float)
    generate.add_argument("--top-k", type=int)
    generate.add_argument("--top-p", type=float)
    generate.add_argument("--seed", type=int)
    generate.add_argument("--samples", type=int, help="how many samples to write side by side")
    generate.add_argument("--repetition-penalty", type=float, help="above 1, repeating a phrase gets less likely")
    generate.add_argument("--stop-at", choices=STOPS, help="end each sample at the end of its line or paragraph")
    generate.add_argument("--beams", type=int, help="above 1, search for the likeliest text with this many beams")
    generate.add_argument("-o", "--output", help="also save the prompt and what was written to this text file")
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
    overrides = {name: getattr(args, name) for name in TRAIN_FLAGS if getattr(args, name) is not None}
    return dataclasses.replace(TextTrainParams(), **overrides)


def run_train(args: argparse.Namespace) -> int:
    from studio.engines.text import train_job

    job = train_job(args.corpus or [BUILTIN_CORPUS], train_params_from_args(args), args.output, args.resume)
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

    overrides = {name: getattr(args, name) for name in SAMPLING_FLAGS if getattr(args, name) is not None}
    params = dataclasses.replace(SamplingParams(prompt=args.prompt), **overrides)
    # A reply goes on the line after its prompt; a continuation follows the prompt directly.
    lead = params.prompt + "\n" if cached_text_model(args.model).is_reply else params.prompt
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
