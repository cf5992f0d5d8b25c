"""The ``assay`` command: one subcommand per capability."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from . import arena, axes, dedup, demo, erank, score, select

#: Modules that each define ``register(subparsers)``; the parser they add sets ``func``.
COMMANDS = [demo, arena, erank, dedup, axes, select, score]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assay", description="Rust-accelerated metrics for evaluating LLMs."
    )
    parser.add_argument("--version", action="version", version=f"assay {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    return parser


#: The extra that brings each optional module.
EXTRAS = {"torch": "torch", "transformers": "torch", "cupy": "gpu", "matplotlib": "plot",
          "ray": "ray", "polars": "polars"}  # fmt: skip


def _check_args(args: argparse.Namespace) -> None:
    """What can be checked before the work: output folders, the plotting extra, the seed."""
    for flag in ("out", "plot"):
        path = getattr(args, flag, None)
        if isinstance(path, str) and path and not Path(path).resolve().parent.is_dir():
            raise ValueError(f"--{flag}: the folder of {path!r} does not exist")
    if getattr(args, "plot", None):
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise ValueError("--plot needs matplotlib: pip install 'assay[plot]'") from None
    seed = getattr(args, "seed", None)
    if isinstance(seed, int) and seed < 0:
        raise ValueError(f"--seed must be >= 0, got {seed}")


#: The Python API's words in error messages → the command line's flags.
FLAGS = [
    ("map other labels with outcomes={label: 'model_a' | 'model_b' | 'tie'}",
     "map other labels with --outcome LABEL=model_a (or model_b, tie)"),
    ("pass voter=<column of voter ids>", "pass --voter COLUMN (the voter ids)"),
    ("needs voter=<column of voter ids>", "needs --voter COLUMN (the voter ids)"),
    ("ci='voter'", "--ci voter"),
    ("(the model_a column)", "(name it with --model-a COLUMN)"),
    ("(the model_b column)", "(name it with --model-b COLUMN)"),
    ("(the winner column)", "(name it with --winner COLUMN)"),
]  # fmt: skip


def in_flags(message: str) -> str:
    """An API error message with its parameter syntax replaced by the CLI's flags."""
    for api, flag in FLAGS:
        message = message.replace(api, flag)
    return message


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        _check_args(args)
        return int(args.func(args) or 0)
    except (ValueError, TypeError, FileNotFoundError) as e:
        print(f"assay {args.command}: error: {in_flags(str(e))}", file=sys.stderr)
        return 1
    except ImportError as e:
        top = (e.name or "").split(".")[0]
        extra = EXTRAS.get(top)
        hint = f": pip install 'assay[{extra}]'" if extra else ""
        print(f"assay {args.command}: error: {e}{hint}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # the reader went away (e.g. `assay arena ... | head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
