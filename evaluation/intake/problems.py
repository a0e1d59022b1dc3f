"""Problems found in a submitted file, and the report that collects them.

Validation is a report, not an exception: every problem in a file is
collected in one pass (frictionless/pandera-style). Each problem has a stable
kebab-case ``code``, the ``row`` and ``column`` the coordinator sees, the
offending ``value`` (``None`` when the column holds identifiers or free text:
those values are never echoed) and a message in the coordinator's language
(:mod:`evaluation.intake.messages`).

Row numbers are those the coordinator sees in their program: for CSV and
Excel the spreadsheet row (the header is row 1, the first data row is 2); for
SPSS and Stata files the case number (the first case is 1).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Problem", "Report"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    code: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    severity: Severity = "error"

    def __post_init__(self) -> None:  # (issue 17) nothing echoed is long or holds control characters
        from .limits import safe_echo

        object.__setattr__(self, "value", safe_echo(self.value))
        object.__setattr__(self, "column", safe_echo(self.column, 120))
        object.__setattr__(self, "params", {k: safe_echo(v, 200) for k, v in (self.params or {}).items()})

    def message(self, lang: str = "en") -> str:
        from .messages import render

        return render(self, lang)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message(lang),
        }


@dataclass
class Report:
    """Everything known about one submitted (or checked) file."""

    file: str
    lang: str = "en"
    sha256: str | None = None
    format: str | None = None
    instrument: str | None = None  # "id@version"
    site: str | None = None
    n_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    submission_id: str | None = None
    status: Literal["checked", "accepted", "rejected", "duplicate"] = "checked"
    notes: list[str] = field(default_factory=list)  # e.g. harmonised from an older version

    def __post_init__(self) -> None:  # (issue 17) the file name and the site are echoed: capped, no control chars
        from .limits import safe_echo

        self.file = safe_echo(self.file, 120)
        self.site = safe_echo(self.site, 40)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def valid(self) -> bool:
        return not self.errors

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems) -> None:
        self.problems.extend(problems)

    def sorted_problems(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.row is not None, p.row or 0, p.column or "", p.code))

    def flatten(self, fields: list[str]) -> list[list[Any]]:
        """``[[row, column, code], ...]`` for the given fields, in report order (for tests)."""
        return [[getattr(p, f) for f in fields] for p in self.sorted_problems()]

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sha256": self.sha256,
            "format": self.format,
            "instrument": self.instrument,
            "site": self.site,
            "rows": self.n_rows,
            "status": self.status,
            "valid": self.valid,
            "submission_id": self.submission_id,
            "notes": list(self.notes),
            "problems": [p.to_dict(self.lang) for p in self.sorted_problems()],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=str)

    def text(self) -> str:
        from .messages import render_report

        return render_report(self)
