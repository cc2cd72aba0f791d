"""`studio` opens the app; `studio VERB ...` runs an engine headless with a terminal progress bar."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from studio import __version__
from studio.core.progress import JobError

# The verbs: each names a module in studio.commands that adds it to the parser.
COMMAND_MODULES = ("dream", "gan", "vae", "text", "style", "cyclegan")
VERBOSE = "--verbose"


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
    words = [word for word in argv if word != VERBOSE]
    if not words or not (words[0].startswith("-") or words[0] in COMMAND_MODULES):
        if words and not Path(words[0]).exists():
            print(
                f"studio: '{words[0]}' is neither a verb nor a file. "
                f"Verbs: {', '.join(sorted(COMMAND_MODULES))} (studio VERB --help tells more).",
                file=sys.stderr,
            )
            return 2
        return open_app(words, verbose=len(words) < len(argv))
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error argparse has already explained
        return done.code or 0
    except JobError as error:  # an option's text that its `type` could not read (dream --layers ...)
        return refuse(error)
    if args.verb is None:
        return open_app([], verbose=args.verbose)
    from studio.commands.paths import check_files
    from studio.core.compute import start_tensorflow

    try:
        check_files(args)  # before TensorFlow starts: a refused output costs no time
        start_tensorflow(verbose=args.verbose)
        return args.run(args) or 0
    except JobError as error:
        return refuse(error)
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


def refuse(error: JobError) -> int:
    """Say what to fix; the exit status of a command refused."""
    print(f"studio: {error}", file=sys.stderr)
    return 2


def open_app(paths: list[str], verbose: bool = False) -> int:
    """Open the app on `paths` (pictures, models, texts); `verbose` shows TensorFlow's start-up messages."""
    from studio.ui.app import main as run_app

    return run_app([sys.argv[0], *paths], verbose=verbose)
