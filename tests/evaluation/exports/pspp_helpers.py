"""Run GNU PSPP from tests: read a .sav's dictionary, or write a .sav with PSPP itself.

Reusable by any test that needs PSPP (e.g. intake tests reading PSPP-written
.sav fixtures)::

    from tests.evaluation.exports.pspp_helpers import PsppVariable, require_pspp, write_sav_with_pspp

    def test_reads_pspp_file(tmp_path):
        require_pspp()
        path = write_sav_with_pspp(
            tmp_path / "f.sav",
            [PsppVariable("pid", "A12", "Numéro"), PsppVariable("score", "F2.0", "Score",
             value_labels={1: "Oui", -7: "Ne sait pas"}, missing=(-7, -8))],
            rows=[("A1", 1), ("B2", -7)],
            file_label="peer-eval:detainee@1.1 fr",
        )

Without ``pspp`` on PATH, :func:`require_pspp` FAILS the test when the
environment variable ``CI`` is set (CI installs PSPP: scripts/system-deps.sh)
and skips it with a message otherwise.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import pytest

__all__ = [
    "pspp_path",
    "require_pspp",
    "run_pspp",
    "quote",
    "PsppVariable",
    "write_sav_with_pspp",
    "describe_sav",
]


def pspp_path() -> str | None:
    return shutil.which("pspp")


def require_pspp() -> str:
    """The pspp executable; fail (under CI) or skip (elsewhere) when it is missing."""
    exe = pspp_path()
    if exe is None:
        msg = "GNU PSPP is not installed (pspp not on PATH); install it with scripts/system-deps.sh"
        if os.environ.get("CI"):
            pytest.fail(msg + " — CI must have it", pytrace=False)
        pytest.skip(msg)
    return exe


def quote(text: str) -> str:
    """A PSPP string literal: single quotes, inner quotes doubled."""
    return "'" + str(text).replace("'", "''") + "'"


def run_pspp(syntax: str, workdir: Path) -> str:
    """Run ``syntax`` (UTF-8) in ``workdir``; return PSPP's output as CSV text.

    Fails the test with PSPP's messages when PSPP reports an error.
    """
    exe = require_pspp()
    workdir = Path(workdir)
    sps = workdir / "job.sps"
    out = workdir / "job-output.csv"
    sps.write_text("SET LOCALE='UTF-8'.\n" + syntax, encoding="utf-8")
    proc = subprocess.run(
        [exe, "--syntax-encoding=UTF-8", "-O", "format=csv", "-o", str(out), str(sps)],
        cwd=workdir, capture_output=True, text=True, encoding="utf-8", timeout=120,
    )
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    if proc.returncode != 0 or "error:" in text.lower():
        pytest.fail(f"pspp failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}\n{text}", pytrace=False)
    return text


@dataclass
class PsppVariable:
    """One variable of a PSPP-written file: name, format (``F2.0``, ``A12``, ``EDATE10``), labels."""

    name: str
    format: str
    label: str | None = None
    value_labels: dict = field(default_factory=dict)
    missing: Sequence = ()

    @property
    def is_string(self) -> bool:
        return self.format.upper().startswith("A")

    def literal(self, value, *, data: bool = False) -> str:
        """``value`` as PSPP syntax (``data=True``: inside BEGIN DATA, strings in double quotes)."""
        if self.is_string:
            text = value if value is not None else ""
            return '"' + str(text).replace('"', '""') + '"' if data else quote(text)
        if value is None:
            return "."
        if isinstance(value, dt.date):
            return value.strftime("%d.%m.%Y") if self.format.upper().startswith("EDATE") else value.strftime("%d-%b-%Y")
        return repr(value) if isinstance(value, float) else str(value)


def write_sav_with_pspp(
    path: Path,
    variables: Sequence[PsppVariable],
    rows: Iterable[Sequence] = (),
    *,
    file_label: str | None = None,
    documents: Sequence[str] = (),
) -> Path:
    """Write ``rows`` as a .sav with PSPP (DATA LIST / VARIABLE LABELS / VALUE LABELS /
    MISSING VALUES / DOCUMENT / FILE LABEL / SAVE OUTFILE); return ``path``."""
    path = Path(path).resolve()
    spec = " ".join(f"{v.name} ({v.format})" for v in variables)
    lines = [f"DATA LIST LIST /{spec}.", "BEGIN DATA."]
    for row in rows:
        lines.append(" ".join(v.literal(x, data=True) for v, x in zip(variables, row, strict=True)))
    lines.append("END DATA.")
    labelled = [v for v in variables if v.label]
    if labelled:
        lines.append("VARIABLE LABELS " + " /".join(f"{v.name} {quote(v.label)}" for v in labelled) + ".")
    for v in variables:
        if v.value_labels:
            pairs = " ".join(f"{v.literal(k)} {quote(lab)}" for k, lab in v.value_labels.items())
            lines.append(f"VALUE LABELS {v.name} {pairs}.")
        if v.missing:
            lines.append(f"MISSING VALUES {v.name} ({', '.join(v.literal(m) for m in v.missing)}).")
    for doc in documents:
        lines.append(f"DOCUMENT {doc}.")
    if file_label:
        lines.append(f"FILE LABEL {file_label}.")
    lines.append(f"SAVE OUTFILE={quote(str(path))}.")
    run_pspp("\n".join(lines) + "\n", path.parent)
    return path


def describe_sav(path: Path, *, resave_to: Path | None = None) -> str:
    """PSPP's view of a .sav (SYSFILE INFO, DISPLAY DICTIONARY / DOCUMENTS / FILE LABEL) as CSV text.

    With ``resave_to``, PSPP also saves the file again there (as a coordinator
    would after data entry).
    """
    path = Path(path).resolve()
    syntax = [
        f"SYSFILE INFO FILE={quote(str(path))}.",
        f"GET FILE={quote(str(path))}.",
        "DISPLAY DICTIONARY.",
        "DISPLAY DOCUMENTS.",
        "DISPLAY FILE LABEL.",
    ]
    if resave_to is not None:
        syntax.append(f"SAVE OUTFILE={quote(str(Path(resave_to).resolve()))}.")
    return run_pspp("\n".join(syntax) + "\n", path.parent)
