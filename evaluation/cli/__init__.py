"""The ``peer-eval`` command.

Each sub-command lives in its own module of this package and exposes
``register(subparsers)``; this module only assembles them.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

__all__ = ["main", "build_parser", "explain"]

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


DEBUG_ENV = "PEER_EVAL_DEBUG"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
    except Exception as exc:  # the last resort: a plain message and a non-zero exit, never a traceback
        if os.environ.get(DEBUG_ENV):
            raise
        message, code = explain(exc)
        print(message, file=sys.stderr)
        return code
    except KeyboardInterrupt:
        print("Interrupted. Nothing was half-stored: a submission is stored whole or not at all.", file=sys.stderr)
        return 130
    return int(code or 0)


def explain(exc: BaseException) -> tuple[str, int]:
    """What to tell the user about an exception no command handled, and the exit code.

    Messages of the project's own errors already say what to do; system
    errors are named by what failed (a file, a permission, the database);
    anything else is named by its type only (details: ``PEER_EVAL_DEBUG=1``).
    Every message is stripped of control characters and capped.
    """
    import sqlite3

    from evaluation.intake.limits import safe_echo

    def clean(text: str) -> str:
        return "\n".join(safe_echo(line, 400) for line in str(text).splitlines()[:12])

    try:
        from evaluation.intake.pseudonymise import KeyMissing, KeyRefused
        from evaluation.intake.submit import IntakeRefused
        from evaluation.store import StoreError, WorkspaceError
        own = (WorkspaceError, StoreError, IntakeRefused, KeyMissing, KeyRefused)
    except Exception:  # noqa: BLE001 - the handler itself must not fail
        own = ()
    if own and isinstance(exc, own):
        return clean(exc), 2
    if isinstance(exc, PermissionError):
        where = f" {exc.filename}" if exc.filename else ""
        return clean(f"Permission denied{where}: peer-eval cannot read or write it. Check the permissions of the "
                     "workspace and of the file (the workspace must be writable by you to submit or erase)."), 2
    if isinstance(exc, sqlite3.OperationalError) and "readonly" in str(exc).replace(" ", ""):
        return ("The workspace's database is read-only: peer-eval cannot write to it. Check the permissions of "
                "the workspace folder and of evaluation.sqlite, or ask who manages the workspace."), 2
    if isinstance(exc, sqlite3.DatabaseError):
        return clean(f"The workspace's database cannot be used ({exc}). Restore evaluation.sqlite from a "
                     "backup; do not submit into this workspace until then."), 2
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return clean(f"{exc.strerror or type(exc).__name__}{where}: check that the path exists, is the right "
                     "kind (a file or a folder) and that you may read it."), 2
    if isinstance(exc, (ValueError, TypeError)) and str(exc):
        return clean(f"peer-eval could not do this: {exc}"), 1
    return (f"peer-eval stopped on an unexpected problem ({type(exc).__name__}). Nothing was half-stored. "
            f"Please report it to the evaluation team; to see the details, run again with {DEBUG_ENV}=1."), 70


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
