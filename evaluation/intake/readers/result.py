"""What reading a submitted file gives: :class:`ReadResult`.

A reader never raises on a bad file: whatever is wrong with the file as a
whole (empty, damaged, wrong format, unusable header) becomes a
:class:`~evaluation.intake.problems.Problem` in ``ReadResult.problems``.
Problems here are about the file; they never carry a cell value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..problems import Problem

__all__ = ["ReadResult", "FORMATS", "FORMAT_NAMES"]

#: The formats a reader exists for, as detected from the content.
FORMATS: tuple[str, ...] = ("sav", "zsav", "dta", "csv", "xlsx")

#: How a format is named to a coordinator (``file-extension-mismatch``).
FORMAT_NAMES: dict[str, str] = {
    "sav": "SPSS (.sav)",
    "zsav": "SPSS (.zsav)",
    "dta": "Stata (.dta)",
    "csv": "CSV (.csv)",
    "xlsx": "Excel (.xlsx)",
}


@dataclass
class ReadResult:
    """A submitted file turned into a frame plus its metadata.

    Attributes
    ----------
    path
        The file read.
    format
        ``"sav" | "zsav" | "dta" | "csv" | "xlsx"``, detected from the content
        (magic bytes), never from the extension; None when not recognised.
    frame
        The data, columns named as in the file (surrounding whitespace
        stripped); None when the file cannot be used at all. A file with a
        header but no data rows gives an empty frame with its columns (and a
        ``file-header-only`` error), so the columns can still be recognised.
        Empty cells (and empty strings) are NaN/NaT. CSV cells are strings;
        .xlsx cells keep their type (numbers, datetimes, strings); .sav/.dta
        columns are numbers, strings or datetimes. Columns with a blank or
        repeated name are left out (and reported).
    value_labels
        Per column, code -> label (.sav/.dta).
    variable_labels
        Per column, its label (.sav/.dta); columns without a label are absent.
    user_missing
        Per column, the declared missing codes (.sav): the codes stay in
        ``frame`` as ordinary values.
    file_label
        Raw text that may identify the template: the .sav/.dta file label,
        the .xlsx document title, the comment lines above a CSV header.
    metadata
        Any other embedded key/values, raw (see the format's reader): .sav
        ``documents``; .xlsx ``_meta`` sheet rows, ``settings.<key>`` from an
        XLSForm ``settings`` sheet, ``properties.<name>`` document properties;
        CSV ``comment.<n>`` lines.
    encoding
        The text encoding used (CSV; the declared one for .sav).
    date_epoch
        The day a spreadsheet serial number counts from: 1899-12-30, or
        1904-01-01 for a workbook in the 1904 date system (.xlsx); None
        for other formats.
    first_data_row
        The row number the coordinator sees for ``frame.iloc[0]``; row *i*
        of the frame is row ``first_data_row + i``. 2 for CSV/.xlsx (the
        header is row 1; more when comment lines precede a CSV header), 1 for
        .sav/.dta (the case number).
    problems
        Every file-level problem found (errors and warnings).
    """

    path: Path
    format: str | None = None
    frame: pd.DataFrame | None = None
    value_labels: dict[str, dict[float, str]] = field(default_factory=dict)
    variable_labels: dict[str, str] = field(default_factory=dict)
    user_missing: dict[str, list[float]] = field(default_factory=dict)
    file_label: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    first_data_row: int = 2
    date_epoch: pd.Timestamp | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The problems of severity ``error``."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def usable(self) -> bool:
        """True when there is a frame with at least one row and no file-level error."""
        return self.frame is not None and len(self.frame) > 0 and not self.errors

    def row_number(self, position: int) -> int:
        """The row number the coordinator sees for ``frame.iloc[position]``."""
        return self.first_data_row + position

    def embedded_ref(self) -> str | None:
        """The template's ``"id@version"`` if the file carries one, else None.

        Looks in the file label, then every metadata value, then an XLSForm
        ``settings`` sheet's ``form_id`` and ``version``.
        """
        from evaluation.exports.common import find_ref

        for text in (self.file_label, *self.metadata.values()):
            ref = find_ref(text)
            if ref:
                return ref
        form_id, version = self.metadata.get("settings.form_id"), self.metadata.get("settings.version")
        if form_id and version:
            return f"{form_id}@{version}"
        return None

    def add(self, code: str, *, severity: str = "error", column: str | None = None, **params) -> None:
        """Record a file-level problem (no row, never a value)."""
        self.problems.append(Problem(code=code, column=column, params=params, severity=severity))
