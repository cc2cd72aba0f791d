"""`studio` opens the app; `studio VERB ...` runs an engine headless with a terminal progress bar."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

from studio import __version__
from studio.core.progress import JobError

# The verbs: each names a module in studio.commands that adds it to the parser.
COMMAND_MODULES = ("dream", "gan", "vae", "text", "style", "cyclegan")
# Set before Studio touches it, so --verbose can tell the user's own choice from Studio's quiet default.
USER_TF_LOG_LEVEL = os.environ.get("TF_CPP_MIN_LOG_LEVEL")


def build_parser():
    from studio.commands import CommandParser

    parser = CommandParser(prog="studio", description="Generative Studio. With no verb, opens the desktop app.")
    parser.set_defaults(verbose=False)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="verb", metavar="VERB")
    for name in COMMAND_MODULES:
        importlib.import_module(f"studio.commands.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and not argv[0].startswith("-") and argv[0] not in COMMAND_MODULES:
        if not Path(argv[0]).exists():
            print(
                f"studio: '{argv[0]}' is neither a verb nor a file. "
                f"Verbs: {', '.join(sorted(COMMAND_MODULES))} (studio VERB --help tells more).",
                file=sys.stderr,
            )
            return 2
        return open_app(argv)
    if not argv:
        return open_app(argv)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error argparse has already explained
        return done.code or 0
    if args.verb is None:
        return open_app([])
    if USER_TF_LOG_LEVEL is None:
        # Quiet means errors too: grappler's "remapper failed" (a fusion it skips while training
        # convolutions under a tape) is logged at ERROR level yet harms nothing; real failures reach
        # the user as Python exceptions anyway.
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0" if args.verbose else "3"
    from studio.commands import start_tensorflow
    from studio.commands.paths import check_files

    try:
        check_files(args)  # before TensorFlow starts: a refused output costs no time
        start_tensorflow(verbose=args.verbose)
        return args.run(args) or 0
    except JobError as error:
        print(f"studio: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("studio: stopped.", file=sys.stderr)
        return 130
    except Exception as error:
        if args.verbose:
            raise
        print(
            f"studio: unexpected error: {type(error).__name__}: {error}\n"
            "Run the same command with --verbose to see where it happened.",
            file=sys.stderr,
        )
        return 1


def open_app(argv: list[str]) -> int:
    from studio.ui.app import main as run_app

    return run_app([sys.argv[0], *argv])
