"""`studio text train CORPUS... -o MODEL` and `studio text generate MODEL --prompt ...`"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from studio.commands import drive
from studio.core.corpus import BUILTIN_CORPUS
from studio.core.files import atomic_path
from studio.core.params.text import ARCHITECTURES, LEVELS, SIZES, SamplingParams, TextTrainParams

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
    train.add_argument("--architecture", choices=ARCHITECTURES)
    train.add_argument("--size", choices=SIZES)
    train.add_argument("--dropout", type=float)
    train.add_argument("--epochs", type=int)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--learning-rate", type=float)
    train.add_argument("--steps-per-epoch", type=int, help="at most this many batches per epoch")
    train.add_argument("--sample-prompt")
    train.add_argument("--sample-length", type=int)
    train.add_argument("--seed", type=int)
    train.set_defaults(run=run_train)

    generate = verbs.add_parser("generate", help="continue a prompt with a trained model")
    generate.add_argument("model", help="a model file written by `studio text train`")
    generate.add_argument("--prompt", default="", help="text to continue")
    generate.add_argument("--length", type=int, help="tokens to write")
    generate.add_argument("--temperature", type=float)
    generate.add_argument("--top-k", type=int)
    generate.add_argument("--top-p", type=float)
    generate.add_argument("--seed", type=int)
    generate.add_argument("-o", "--output", help="also save the prompt and continuation to this text file")
    generate.set_defaults(run=run_generate)


def train_params_from_args(args: argparse.Namespace) -> TextTrainParams:
    overrides = {name: getattr(args, name) for name in TRAIN_FLAGS if getattr(args, name) is not None}
    return dataclasses.replace(TextTrainParams(), **overrides)


def run_train(args: argparse.Namespace) -> int:
    from studio.engines.text import train_job

    result = drive(train_job(args.corpus or [BUILTIN_CORPUS], train_params_from_args(args), args.output, args.resume))
    last = result["history"][-1] if result["history"] else {}
    losses = " ".join(f"{name}={value:.4g}" for name, value in last.items())
    print(f"Saved {result['path']} after {result['epochs']} epochs {losses}".rstrip())
    return 0


def run_generate(args: argparse.Namespace) -> int:
    from studio.engines.text import generate_job

    overrides = {
        name: getattr(args, name)
        for name in ("length", "temperature", "top_k", "top_p", "seed")
        if getattr(args, name) is not None
    }
    params = dataclasses.replace(SamplingParams(prompt=args.prompt), **overrides)
    generator = generate_job(args.model, params)
    sys.stdout.write(params.prompt)
    try:
        while True:
            event = next(generator)
            if event.text:
                sys.stdout.write(event.text)
                sys.stdout.flush()
    except StopIteration as stop:
        written = stop.value
    finally:
        generator.close()
    sys.stdout.write("\n")
    if args.output:
        with atomic_path(args.output) as partial:
            partial.write_text(params.prompt + written, encoding="utf-8")
        print(f"Saved {args.output}", file=sys.stderr)
    return 0
