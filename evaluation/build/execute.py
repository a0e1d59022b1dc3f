"""Execute one chapter: MyST markdown -> notebook -> nbclient, reproducibly.

What makes two executions of the same chapter on the same workspace give
byte-identical notebooks (see DESIGN.md, "Known pitfalls"):

* cell ids are ``cell-0``, ``cell-1``, … (set before execution);
* ``record_timing=False`` and no execution metadata;
* the kernel sees ``SOURCE_DATE_EPOCH``, ``PYTHONHASHSEED=0`` and a
  ``matplotlibrc`` (through ``MPLCONFIGDIR``) with ``svg.hashsalt`` fixed;
* one BLAS/OpenMP thread per kernel (``OPENBLAS_NUM_THREADS``,
  ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS`` = 1, unless the caller's
  environment sets them): chapters run side by side, one per core, and a
  kernel whose OpenBLAS starts a thread per core fights the other chapters
  for the cores (the reoffending chapter took 34.9 s with two BLAS threads per
  kernel against 12.4 s with one, issue 18); one thread also keeps floating-
  point reductions in a fixed order;
* memory addresses (``at 0x7f…``) are scrubbed from outputs, and the random
  ids of pandas Stylers (``T_1a2b3``) are renumbered in order of appearance.

Before the chapter's first cell, a set-up cell installs the disclosure guard
(:mod:`.display_guard`: the kernel refuses to display a table of counts that
did not pass disclosure control); it is removed from the executed notebook.

The workspace reaches the kernel as an absolute path in ``$PEER_EVAL_WORKSPACE``
(never as an injected parameter cell, which would leak the path into the
downloadable notebook).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import nbformat

# jupytext, nbformat and nbclient are imported inside the functions that read or execute a chapter: importing
# this module (for ChapterFailed, kernel_env) must stay cheap, since a no-change build executes nothing and
# nbformat -> jsonschema -> rfc3987_syntax alone takes 1.2-1.6 s to import (issue 18).

from .display_guard import GUARD_CELL_ID, GUARD_SOURCE

__all__ = [
    "ChapterFailed",
    "read_chapter",
    "execute_notebook",
    "execute_chapter",
    "run_chapter",
    "kernel_env",
    "scrub",
    "SOURCE_DATE_EPOCH",
    "MATPLOTLIBRC",
    "BLAS_THREAD_VARS",
]

#: Thread-count variables set to 1 in the kernel unless the caller's environment sets them.
BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

#: Default ``SOURCE_DATE_EPOCH`` (2025-01-01T00:00:00Z) when the caller's environment has none.
SOURCE_DATE_EPOCH = "1735689600"

MATPLOTLIBRC = """\
# Written by peer-eval build: settings that make figures reproducible.
svg.hashsalt: peer-eval-book
svg.fonttype: path
figure.dpi: 100
savefig.dpi: 100
"""

_ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]+")
_STYLER_ID = re.compile(r"\bT_([0-9a-f]{5})(?=[_\"' >#])")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class ChapterFailed(RuntimeError):
    """A chapter's cell raised: which chapter, which cell, its source and the error."""

    chapter: str
    cell_index: int | None
    source: str
    ename: str
    evalue: str
    traceback: str = ""

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"cell {self.cell_index}" if self.cell_index is not None else "the kernel"
        src = "\n".join("    " + line for line in self.source.splitlines()) or "    (no source)"
        return (f"chapter {self.chapter!r} failed in {where}:\n{src}\n"
                f"{self.ename}: {self.evalue}")


def read_chapter(path: str | os.PathLike) -> nbformat.NotebookNode:
    """Read a MyST chapter as a notebook with stable cell ids (``cell-0``, …)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"chapter {path} does not exist; pass the path of a book/<name>.md file")
    import jupytext

    nb = jupytext.read(path, fmt="md:myst")
    nb.nbformat, nb.nbformat_minor = 4, 5
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
        cell.setdefault("metadata", {})
        if cell.get("cell_type") == "code":
            # readers see the prose, tables and figures, never the code (no "show code" bar per cell, nothing
            # printed): the code is in the chapter's source and in the executed notebook
            tags = cell["metadata"].setdefault("tags", [])
            if "hide-input" in tags:
                tags.remove("hide-input")
            if not {"remove-input", "remove-cell"} & set(tags):
                tags.append("remove-input")
    nb.metadata.pop("jupytext", None)  # pairing information is for the MyST source, not the output
    nb.metadata.setdefault("kernelspec", {"display_name": "Python 3", "language": "python", "name": "python3"})
    return nb


def kernel_env(workspace: str | os.PathLike, *, config_dir: str | os.PathLike,
               extra: dict[str, str] | None = None) -> dict[str, str]:
    """The kernel's environment: ours plus the workspace, reproducibility settings and ``extra``."""
    config_dir = Path(config_dir)
    config_dir.mkdir(parents=True, exist_ok=True)
    rc = config_dir / "matplotlibrc"
    if not rc.exists() or rc.read_text(encoding="utf-8") != MATPLOTLIBRC:
        # atomically: chapters executed in parallel share this folder
        fd, tmp = tempfile.mkstemp(dir=config_dir, prefix=".matplotlibrc-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(MATPLOTLIBRC)
        os.replace(tmp, rc)
    env = dict(os.environ)
    env.update({
        "PEER_EVAL_WORKSPACE": str(Path(workspace).resolve()),
        "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH),
        "PYTHONHASHSEED": "0",
        "MPLCONFIGDIR": str(config_dir.resolve()),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    })
    for var in BLAS_THREAD_VARS:  # one BLAS thread per kernel: chapters already run one per core
        env.setdefault(var, "1")
    env.update(extra or {})
    return env


def _scrub_text(text: str, styler_ids: dict[str, str]) -> str:
    text = _ADDRESS.sub("at 0x…", text)

    def renumber(m: re.Match) -> str:
        new = styler_ids.setdefault(m.group(1), f"s{len(styler_ids):04d}")
        return f"T_{new}"

    return _STYLER_ID.sub(renumber, text)


#: The editions entry of an output (``analysis.editions.MIME``; the build does not import analysis here).
_EDITIONS_MIME = "application/vnd.peer-eval.editions+json"
_SCRUBBED = [["text", "plain"], ["text", "html"], ["text", "markdown"], ["text", "latex"]]


def scrub(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove what differs between two executions: addresses, Styler ids, timing metadata."""
    styler_ids: dict[str, str] = {}
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
        for out in cell.get("outputs", []):
            if "text" in out:
                out["text"] = _scrub_text(out["text"], styler_ids)
            data = out.get("data", {})
            # the output's own texts, and those of the other editions it carries (a table made per language:
            # Styler ids in its Dutch and French HTML too), also behind myst-nb's glue prefix
            bundles = [data] + [v for key, entry in data.items() if key.endswith(_EDITIONS_MIME) and isinstance(entry, dict)
                                for v in entry.values() if isinstance(v, dict)]
            for bundle in bundles:
                for key in list(bundle):
                    if key.rsplit("/", 2)[-2:] in _SCRUBBED and isinstance(bundle[key], (str, list)):
                        value = bundle[key]
                        value = "".join(value) if isinstance(value, list) else value
                        bundle[key] = _scrub_text(value, styler_ids)
            # (svg ids are salted by svg.hashsalt; addresses never appear)
            if out.get("output_type") == "error":
                out["traceback"] = [_scrub_text(t, styler_ids) for t in out.get("traceback", [])]
    return nb


def _failure(nb: nbformat.NotebookNode, chapter: str, exc: BaseException) -> ChapterFailed:
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                tb = _ANSI.sub("", "\n".join(out.get("traceback", [])))
                return ChapterFailed(chapter, i, cell.get("source", ""), out.get("ename", "Error"),
                                     _ANSI.sub("", out.get("evalue", "")), tb)
    from nbclient.exceptions import CellExecutionError

    if isinstance(exc, CellExecutionError):
        return ChapterFailed(chapter, None, "", getattr(exc, "ename", "Error"), getattr(exc, "evalue", str(exc)))
    return ChapterFailed(chapter, None, "", type(exc).__name__, _ANSI.sub("", str(exc)))


def execute_notebook(nb: nbformat.NotebookNode, *, workspace: str | os.PathLike, cwd: str | os.PathLike,
                     config_dir: str | os.PathLike, name: str = "chapter", timeout: int = 900,
                     extra_env: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """Execute ``nb`` in a fresh kernel (see the module docstring); raise :class:`ChapterFailed`."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    env = kernel_env(workspace, config_dir=config_dir, extra=extra_env)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name=nb.metadata.get("kernelspec", {}).get("name", "python3"),
        record_timing=False, shutdown_kernel="immediate", allow_errors=False,
        # a fresh machine (no bytecode caches; PYTHONDONTWRITEBYTECODE set) under load took over nbclient's
        # default 60 s to start a kernel: five minutes before the build gives up
        startup_timeout=300,
        resources={"metadata": {"path": str(cwd)}},
    )
    # The kernel process's own stderr (not the cells' output, which comes over the protocol) holds only
    # start-up notices ("Kernel is running over TCP without encryption", once per chapter): kept out of
    # the build's output, and shown when the kernel dies.
    guard = nbformat.v4.new_code_cell(GUARD_SOURCE, id=GUARD_CELL_ID)
    nb.cells.insert(0, guard)
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", prefix="peer-eval-kernel-") as kernel_log:
        try:
            client.execute(env=env, cwd=str(cwd), stderr=kernel_log)
        except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
            _remove_guard(nb)
            if any(o.get("output_type") == "error" for o in guard.get("outputs", [])):
                err = next(o for o in guard["outputs"] if o.get("output_type") == "error")
                raise ChapterFailed(name, None, "(the build's disclosure guard could not be installed)",
                                    err.get("ename", "Error"), _ANSI.sub("", err.get("evalue", ""))) from None
            failure = _failure(nb, name, exc)
            if isinstance(exc, DeadKernelError):
                kernel_log.seek(0)
                notes = [line for line in kernel_log.read().splitlines()
                         if line.strip() and "without encryption" not in line]
                if notes:
                    failure.evalue += "\nthe kernel said:\n" + "\n".join(notes[-20:])
            raise failure from None
    _remove_guard(nb)
    return scrub(nb)


def _remove_guard(nb: nbformat.NotebookNode) -> None:
    nb.cells[:] = [c for c in nb.cells if c.get("id") != GUARD_CELL_ID]


def execute_chapter(path: str | os.PathLike, workspace: str | os.PathLike, *, timeout: int = 900,
                    extra_env: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """Execute the chapter at ``path`` against ``workspace`` and return the executed notebook.

    For chapter authors' tests::

        nb = execute_chapter("book/reoffending.md", workspace)
        outputs = [o for c in nb.cells for o in c.get("outputs", [])]

    Raises :class:`ChapterFailed` (chapter, cell index, source, error) when a
    cell raises. The kernel runs in the chapter's folder; matplotlib's
    configuration lives in ``<workspace>/book-cache/mplconfig``. Chapters
    that load data not declared in their front matter are reported by
    :func:`evaluation.build.build_book`, not here.
    """
    return run_chapter(path, workspace, timeout=timeout, extra_env=extra_env)[0]


def run_chapter(path: str | os.PathLike, workspace: str | os.PathLike, *, timeout: int = 900,
                extra_env: dict[str, str] | None = None) -> tuple[nbformat.NotebookNode, list[str]]:
    """:func:`execute_chapter` plus the names of the data the chapter loaded (``ctx.outcomes()`` …)."""
    path = Path(path).resolve()
    ws = Path(workspace).resolve()
    nb = read_chapter(path)
    with tempfile.TemporaryDirectory(prefix="peer-eval-loads-") as tmp:
        loads = Path(tmp) / "loads.json"
        env = {"PEER_EVAL_LOADS_FILE": str(loads), **(extra_env or {})}
        out = execute_notebook(nb, workspace=ws, cwd=path.parent, config_dir=ws / "book-cache" / "mplconfig",
                               name=path.stem, timeout=timeout, extra_env=env)
        loaded = json.loads(loads.read_text(encoding="utf-8")) if loads.exists() else []
    return out, loaded
