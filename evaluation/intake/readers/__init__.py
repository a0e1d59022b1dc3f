"""Read a coordinator's submitted file into a frame plus its metadata.

::

    from evaluation.intake.readers import read_file
    result = read_file(Path("detainee_baseline.sav"))
    result.format          # "sav" (from the content, whatever the extension)
    result.frame           # pandas DataFrame, or None when the file is unusable
    result.problems        # every file-level problem, errors and warnings

The format is recognised from the content (:mod:`.magic`), and one reader per
format fills a :class:`ReadResult`: :mod:`.sav` (SPSS .sav/.zsav and Stata
.dta, through pyreadstat), :mod:`.csv`, :mod:`.xlsx`. Reading never raises
on a bad file: an empty, damaged, unrecognised or oversized file, a header
without data, blank or repeated column names, merged header cells, several
data sheets, a guessed encoding or a misleading extension are all problems
in the result (codes in :mod:`evaluation.intake.messages`). Problems name
the file, a column or a sheet, never a cell value.
"""

from __future__ import annotations

from pathlib import Path

from .csv import read_csv
from .result import FORMAT_NAMES, FORMATS, ReadResult
from .sav import read_dta, read_sav
from .magic import EXTENSIONS, Sniffed, sniff
from .xlsx import is_metadata_sheet, read_xlsx

__all__ = [
    "read_file",
    "ReadResult",
    "FORMATS",
    "FORMAT_NAMES",
    "DEFAULT_MAX_BYTES",
    "sniff",
    "Sniffed",
    "is_metadata_sheet",
    "format_size",
]

#: Files above this size are refused unread (a real submission is a few MB).
DEFAULT_MAX_BYTES = 200 * 2**20

_READERS = {"sav": read_sav, "zsav": read_sav, "dta": read_dta, "csv": read_csv, "xlsx": read_xlsx}


def read_file(path: Path | str, *, max_bytes: int = DEFAULT_MAX_BYTES,
              known_columns: frozenset[str] | set[str] = frozenset(),
              text_columns: frozenset[str] | None = None) -> ReadResult:
    """Read the submitted file at ``path``; every file-level problem goes into the result.

    ``known_columns``: lower-case column names of the instruments, used to
    find the data sheet and the header row of a workbook. ``text_columns``:
    lower-case names of columns that hold text (a CSV's other columns are
    then typed as they are read; see :mod:`.csv`).

    ``max_bytes``: a larger file is reported as ``file-too-large`` and not
    read (only its first bytes are looked at, to name its format).
    Raises only for programming errors: a missing file or a bad ``max_bytes``.
    """
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise ValueError(f"max_bytes must be a positive whole number of bytes, got {max_bytes!r}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path={str(path)!r} is not a file; pass the path of the submitted file")
    result = ReadResult(path=path)
    size = path.stat().st_size
    if size == 0:
        result.add("file-empty")
        return result
    found = sniff(path)
    result.format = found.format
    if found.kind == "empty":
        result.add("file-empty")
        return result
    if found.kind == "encrypted":
        result.add("file-encrypted")
        return result
    if found.kind == "damaged":
        result.add("file-unreadable", detail=found.detail)
        return result
    if found.format is None:
        result.add("file-format-unknown", detail=found.detail or "unknown")
        return result
    extension = path.suffix.lower()
    if extension and extension not in EXTENSIONS[found.format]:
        result.add(
            "file-extension-mismatch",
            severity="warning",
            extension=path.suffix,
            actual=FORMAT_NAMES[found.format],
        )
    if size > max_bytes:
        result.add("file-too-large", size=f"{format_size(size)} > {format_size(max_bytes)}")
        return result
    from ..limits import LimitExceeded, check_before, check_frame

    try:  # (issue 17) limits: what the file declares, then what was read; see evaluation.intake.limits
        check_before(path, found.format)
        if found.format == "xlsx":
            read_xlsx(path, result, frozenset(c.lower() for c in known_columns))
        elif found.format == "csv":
            read_csv(path, result, text_columns)
        else:
            _READERS[found.format](path, result)
        check_frame(result.frame)
    except LimitExceeded as exc:
        result.frame = None
        result.add("limit-exceeded", **exc.params)
    return result


def format_size(n: int) -> str:
    """``n`` bytes for people: ``"512 bytes"``, ``"3.4 MB"``, ``"1.2 GB"`` (powers of 1024)."""
    if n < 1024:
        return f"{n} bytes"
    for unit in ("KB", "MB", "GB", "TB"):
        n /= 1024
        if n < 1024 or unit == "TB":
            return f"{n:.1f} {unit}" if n < 10 else f"{n:.0f} {unit}"
    return f"{n} bytes"  # pragma: no cover
