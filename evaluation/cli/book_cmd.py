"""``peer-eval build`` (the report) and ``peer-eval lab`` (the chapters as notebooks)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

__all__ = ["register", "lab_command", "LAB_SETTINGS"]

BUILD_DESCRIPTION = """\
Build the report (a Jupyter Book website) from an evaluation workspace.

Each chapter of book/ (a MyST-markdown notebook) is executed against the
workspace, then jupyter-book builds the HTML with warnings as errors, and
every page is checked for pseudonyms and identifiers. A chapter whose inputs
have not changed since the last build (its file, the data of the
questionnaires it loads, their definitions, the analysis code) is not
executed again. When a chapter fails, the build stops and shows the failing
cell and its error (exit code 1).
"""

BUILD_EPILOG = """\
The workspace is WORKSPACE, else $PEER_EVAL_WORKSPACE, else ./peer-eval-workspace.
The site goes to WORKSPACE/book/_build/html unless --output is given: the English
edition at its root, the Dutch one in nl/, the French one in fr/ (each with its
report.pdf). What is still untranslated is listed in WORKSPACE/book/_build/untranslated.txt;
a heading, caption or labelled value without its translation stops the build
unless --untranslated report.

examples:
  peer-eval build demo-workspace
  peer-eval build ~/evaluation --output /srv/www/report
  peer-eval build --force          # execute every chapter again
  peer-eval build --jobs 1         # one chapter at a time (less memory)
"""

LAB_DESCRIPTION = """\
Open JupyterLab on the book's chapters, bound to a workspace.

The chapters (book/*.md) open as notebooks (jupytext reads and writes them
as MyST markdown; no .ipynb is kept), and their kernels see the workspace
through $PEER_EVAL_WORKSPACE, so you can rerun, explore and extend an
analysis on real data without editing any path. What you save is the
chapter file itself: the next 'peer-eval build' executes your edited version.
"""

LAB_EPILOG = """\
examples:
  peer-eval lab demo-workspace
  peer-eval lab ~/evaluation --port 8890 --no-browser
  peer-eval lab --print            # show the command and environment, start nothing
"""

#: JupyterLab setting that opens markdown files as (jupytext) notebooks.
LAB_SETTINGS = {"defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}}


def register(sub) -> None:
    p = sub.add_parser("build", help="build the report (execute the chapters, then the website)",
                       description=BUILD_DESCRIPTION, epilog=BUILD_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("workspace", nargs="?", metavar="WORKSPACE", help="the evaluation workspace folder")
    p.add_argument("--workspace", dest="workspace_option", metavar="DIR",
                   help="the same as WORKSPACE (as for check, submit and status)")
    p.add_argument("--output", metavar="DIR", help="where to put the website (default WORKSPACE/book/_build/html)")
    p.add_argument("--force", action="store_true",
                   help="execute every chapter, even unchanged ones, and start a fresh suppression ledger")
    p.add_argument("--jobs", type=int, metavar="N",
                   help="chapters executed at a time (default $PEER_EVAL_BUILD_JOBS, else 2); "
                        "the book is the same whatever N")
    p.add_argument("--untranslated", choices=["fail", "report"],
                   help="a heading, caption or labelled value without its Dutch or French translation: "
                        "fail the build (default, or $PEER_EVAL_UNTRANSLATED) or only list it")
    p.add_argument("--book", metavar="DIR", help=argparse.SUPPRESS)  # another book folder (tests)
    p.set_defaults(func=_build)

    p = sub.add_parser("lab", help="open JupyterLab on the chapters, bound to a workspace",
                       description=LAB_DESCRIPTION, epilog=LAB_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("workspace", nargs="?", metavar="WORKSPACE", help="the evaluation workspace folder")
    p.add_argument("--workspace", dest="workspace_option", metavar="DIR",
                   help="the same as WORKSPACE (as for check, submit and status)")
    p.add_argument("--allow-root", action="store_true",
                   help="run JupyterLab as root (only inside a container you own)")
    p.add_argument("--port", type=int, metavar="PORT", help="port for JupyterLab (default: its own choice)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.add_argument("--print", dest="print_only", action="store_true",
                   help="print the command line and environment instead of starting JupyterLab")
    p.set_defaults(func=_lab)


def _workspace(arg):
    from evaluation.store import Workspace

    if not isinstance(arg, (str, os.PathLike)) and arg is not None:  # the parsed arguments
        arg = arg.workspace or getattr(arg, "workspace_option", None)
    return Workspace.open(arg, create=False) if arg else Workspace.open(create=False)


def _build(args) -> int:
    from evaluation.build import ChapterFailed, SphinxFailed, UndeclaredLoad, build_book
    from evaluation.build.book import LedgerUnsettled, UntranslatedError
    from evaluation.store import WorkspaceError

    try:
        ws = _workspace(args)
        extra = {"book_dir": Path(args.book)} if args.book else {}
        result = build_book(ws, output=args.output, force=args.force, progress=lambda m: print(m, flush=True),
                            jobs=args.jobs, untranslated=getattr(args, "untranslated", None), **extra)
    except ChapterFailed as exc:
        print(f"\nThe build stopped: {exc}", file=sys.stderr)
        if exc.traceback:
            print("\n" + exc.traceback, file=sys.stderr)
        return 1
    except (SphinxFailed, UndeclaredLoad, LedgerUnsettled, UntranslatedError, WorkspaceError, FileExistsError) as exc:
        print(f"\nThe build stopped: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - the page check's error lives in analysis
        if type(exc).__name__ == "PageCheckError":
            print(f"\nThe build stopped: {exc}", file=sys.stderr)
            return 1
        raise
    print(f"Open {result.index}")
    return 0


def lab_command(workspace: str | os.PathLike, *, book_dir: Path | None = None, port: int | None = None,
                browser: bool = True, settings_dir: Path | None = None,
                allow_root: bool = False) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of ``peer-eval lab`` (nothing is started).

    JupyterLab serves ``book_dir`` (default the repository's ``book/``) with
    ``$PEER_EVAL_WORKSPACE`` set to the absolute workspace path and a user
    settings folder (``$JUPYTERLAB_SETTINGS_DIR``, default
    ``<workspace>/book-cache/lab-settings``) in which markdown opens as a
    jupytext notebook; ``book/jupytext.toml`` makes jupytext save as MyST.
    """
    from evaluation.build.chapters import BOOK_DIR

    ws = Path(workspace).resolve()
    book = Path(book_dir or BOOK_DIR).resolve()
    settings = Path(settings_dir) if settings_dir else ws / "book-cache" / "lab-settings"
    plugin = settings / "@jupyterlab" / "docmanager-extension" / "plugin.jupyterlab-settings"
    plugin.parent.mkdir(parents=True, exist_ok=True)
    plugin.write_text(json.dumps(LAB_SETTINGS, indent=2) + "\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={book}", "--ServerApp.ip=127.0.0.1"]
    if port:
        cmd.append(f"--ServerApp.port={int(port)}")
    if not browser:
        cmd.append("--no-browser")
    if allow_root:
        cmd.append("--allow-root")
    env = dict(os.environ)
    env.update({"PEER_EVAL_WORKSPACE": str(ws), "JUPYTERLAB_SETTINGS_DIR": str(settings.resolve())})
    return cmd, env


def _lab(args) -> int:
    from evaluation.store import WorkspaceError

    try:
        ws = _workspace(args)
    except WorkspaceError as exc:
        print(exc, file=sys.stderr)
        return 1
    if _is_root() and not args.allow_root and not args.print_only:
        print("peer-eval lab does not run as root: JupyterLab refuses it, because a notebook server run as root "
              "gives every visitor root access. Run it as your own user; only inside a container you own, "
              "add --allow-root.", file=sys.stderr)
        return 2
    cmd, env = lab_command(ws.root, port=args.port, browser=not args.no_browser, allow_root=args.allow_root)
    if args.print_only:
        print("PEER_EVAL_WORKSPACE=" + env["PEER_EVAL_WORKSPACE"])
        print("JUPYTERLAB_SETTINGS_DIR=" + env["JUPYTERLAB_SETTINGS_DIR"])
        print(" ".join(cmd))
        return 0
    print(f"JupyterLab on the chapters, workspace {ws.root}. Stop it with Ctrl-C.", flush=True)
    return run_lab(cmd, env)


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def run_lab(cmd: list[str], env: dict[str, str], *, grace: float = 10.0) -> int:
    """Run JupyterLab and stop it with this process: Ctrl-C, or a SIGTERM/SIGHUP sent to this PID.

    The signal is passed on to JupyterLab, which shuts its kernels down; after
    ``grace`` seconds it is killed. Without this, stopping ``peer-eval lab``
    by its PID left JupyterLab and its kernel serving.
    """
    import signal

    proc = subprocess.Popen(cmd, env=env)

    def stop(signum, _frame):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM if signum != signal.SIGINT else signal.SIGINT)

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            sig = getattr(signal, name)
            previous[sig] = signal.signal(sig, stop)
    try:
        while True:
            try:
                return proc.wait()
            except KeyboardInterrupt:  # Ctrl-C reached JupyterLab too (same process group): let it finish
                continue
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
