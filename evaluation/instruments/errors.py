"""Problems found while loading instrument definitions.

Loading collects every problem in a definition before failing, so the author
fixes them in one pass. Each problem names the file, the item (where there is
one), what is wrong and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DefinitionProblem", "DefinitionError"]


@dataclass(frozen=True)
class DefinitionProblem:
    file: str
    item: str | None
    message: str
    fix: str

    def __str__(self) -> str:
        where = f"{self.file}" + (f", item '{self.item}'" if self.item else "")
        return f"{where}: {self.message}. Fix: {self.fix}"


class DefinitionError(ValueError):
    """One or more problems in instrument or scale definitions."""

    def __init__(self, problems: list[DefinitionProblem]):
        self.problems = list(problems)
        lines = [f"{len(self.problems)} problem(s) in instrument definitions:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))
