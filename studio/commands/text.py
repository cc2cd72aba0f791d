"""`studio text train CORPUS... -o MODEL` and `studio text generate MODEL --prompt ...`"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from studio.commands import drive, param_option, training_arguments
from studio.commands.paths import TEXT_FILE, TEXT_MODEL, FileRoles, declare_files
from studio.core.corpus import BUILTIN_CORPUS
from studio.core.files import atomic_path
from studio.core.model_files import TEXT
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
    param_option(train, "--architecture", defaults=defaults, choices=ARCHITECTURES, help="the kind of network")
    param_option(train, "--size", defaults=defaults, choices=SIZES, help="how large the network is")
    param_option(train, "--dropout", defaults=defaults, type=float, help="share of units dropped while training")
    param_option(train, "--batch-size", defaults=defaults, type=int, help="sequences per training step")
    param_option(train, "--learning-rate", defaults=defaults, type=float, help="Adam's step size")
    train.add_argument("--steps-per-epoch", type=int, help="at most this many batches per epoch (default: all)")
    param_option(train, "--sample-prompt", defaults=defaults, help="text the samples after each epoch continue")
    param_option(train, "--sample-length", defaults=defaults, type=int, help="tokens in each sample")
    train.set_defaults(run=run_train)

    generate = verbs.add_parser("generate", help="continue a prompt with a trained model")
    sampling = SamplingParams()
    generate.add_argument("model", help="a model file written by `studio text train`")
    param_option(generate, "--prompt", defaults=sampling, help="text to continue")
    param_option(generate, "--length", defaults=sampling, type=int, help="tokens to write")
    param_option(generate, "--temperature", defaults=sampling, type=float, help="0 is greedy; higher is wilder")
    param_option(generate, "--top-k", defaults=sampling, type=int, help="sample among the k likeliest tokens (0: all)")
    param_option(
        generate, "--top-p", defaults=sampling, type=float, help="sample among the likeliest tokens holding this share"
    )
    generate.add_argument("--seed", type=int, help="seed for repeatable text (default: a new one each run)")
    generate.add_argument("-o", "--output", help="also save the prompt and continuation to this text file")
    declare_files(
        generate, FileRoles(outputs={"output": TEXT_FILE}, inputs={"model": "the model"}, models={"model": TEXT})
    )
    generate.set_defaults(run=run_generate)


def train_params_from_args(args: argparse.Namespace) -> TextTrainParams:
    overrides = {name: getattr(args, name) for name in TRAIN_FLAGS if getattr(args, name) is not None}
    return dataclasses.replace(TextTrainParams(), **overrides)


def run_train(args: argparse.Namespace) -> int:
    from studio.engines.text import train_job

    result = drive(
        train_job(args.corpus or [BUILTIN_CORPUS], train_params_from_args(args), args.output, resume_from=args.resume)
    )
    last = result["history"][-1] if result["history"] else {}
    losses = " ".join(f"{name}={value:.4g}" for name, value in last.items())
    print(f"Saved {result['path']} after {result['epochs']} epochs {losses}".rstrip())
    return 0


def run_generate(args: argparse.Namespace) -> int:
    from studio.engines.text import cached_text_model, generate_job

    cached_text_model(args.model)  # a damaged model is reported before any text is written
    overrides = {
        name: getattr(args, name)
        for name in ("prompt", "length", "temperature", "top_k", "top_p", "seed")
        if getattr(args, name) is not None
    }
    params = dataclasses.replace(SamplingParams(), **overrides)
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
