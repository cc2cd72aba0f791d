"""`studio text train CORPUS... -o MODEL` and `studio text generate MODEL --prompt ...`"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from studio.commands import action_group, drive, flags_given, number_list, param_options, training_arguments
from studio.commands.paths import TEXT_FILE, TEXT_MODEL, FileRoles, declare_files
from studio.core.corpus import BUILTIN_CORPUS
from studio.core.files import atomic_path
from studio.core.model_files import TEXT
from studio.core.params.text import (
    SamplingParams,
    TextTrainParams,
)
from studio.core.progress import JobError


def register(subparsers) -> None:
    verbs = action_group(subparsers, "text", "Train a language model on your text and write with it.")

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
    param_options(
        train,
        defaults,
        "level lowercase max_vocabulary sequence_length validation_fraction architecture size dropout batch_size "
        "learning_rate steps_per_epoch sample_prompt sample_length layers units cell bidirectional pairs line_items "
        "temperatures",
        help={"temperatures": "temperatures of the samples after each epoch, such as 0.2,0.7,1.2"},
        extra={"temperatures": {"type": temperature_list}},
    )
    train.set_defaults(run=run_train)

    generate = verbs.add_parser("generate", help="continue a prompt with a trained model, or reply to it")
    generate.add_argument("model", help="a model file written by `studio text train`")
    param_options(
        generate,
        SamplingParams(),
        "prompt length temperature top_k top_p samples repetition_penalty stop_at beams seed",
    )
    generate.add_argument("-o", "--output", help="also save the prompt and what was written to this text file")
    declare_files(
        generate, FileRoles(outputs={"output": TEXT_FILE}, inputs={"model": "the model"}, models={"model": TEXT})
    )
    generate.set_defaults(run=run_generate)


def temperature_list(text: str) -> tuple[float, ...]:
    """--temperatures: numbers like 0.2,0.7,1.2, refused (as every list option's mistake is) when not."""
    temperatures = number_list(float, "'{text}' is not a list of numbers such as 0.2,0.7,1.2.")(text)
    if not temperatures:
        raise JobError("Give at least one temperature, such as 0.2,0.7,1.2.")
    return temperatures


def train_params_from_args(args: argparse.Namespace) -> TextTrainParams:
    return dataclasses.replace(TextTrainParams(), **flags_given(args, TextTrainParams))


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
    params = dataclasses.replace(SamplingParams(), **flags_given(args, SamplingParams))
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
