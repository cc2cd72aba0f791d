"""`studio` opens the app; `studio VERB ...` runs an engine headless with a terminal progress bar."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from studio import __version__
from studio.core.progress import JobError

# Each names a module in studio.commands that adds its verbs to the parser.
COMMAND_MODULES = ("dream", "gan", "vae", "text", "style", "cyclegan")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="studio",
        description="Generative Studio. With no verb, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="verb", metavar="VERB")
    for name in COMMAND_MODULES:
        importlib.import_module(f"studio.commands.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or not (argv[0].startswith("-") or argv[0] in _verbs()):
        from studio.ui.app import main as run_app

        return run_app([sys.argv[0], *argv])
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = build_parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except JobError as error:
        print(f"studio: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nstudio: stopped.", file=sys.stderr)
        return 130


def _verbs() -> set[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(action.choices)
