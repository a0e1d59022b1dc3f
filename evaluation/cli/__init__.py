"""The ``peer-eval`` command.

Each sub-command lives in its own module of this package and exposes
``register(subparsers)``; this module only assembles them.
"""

from __future__ import annotations

import argparse
import importlib
import sys

__all__ = ["main", "build_parser"]

# Modules that add sub-commands, in the order they appear in --help.
COMMAND_MODULES = [
    "evaluation.cli.instruments_cmd",
    "evaluation.cli.intake_cmd",
    "evaluation.cli.interviews_cmd",
    "evaluation.cli.book_cmd",
    "evaluation.cli.demo_cmd",
    "evaluation.cli.portal_cmd",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="peer-eval",
        description=(
            "Evaluation suite for the peer-support (D&D) projects in Belgian prisons: "
            "survey instruments and templates, intake of coordinators' files, and the report."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    code = args.func(args)
    return int(code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
