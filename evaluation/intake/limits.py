"""Limits on what a submitted file may make the readers do (issue 17: no unbounded work).

A 776 KB workbook can expand to five million rows, a 1 MB one to a 1 GiB
cell, a ``.sav`` can declare 100,000 columns, a ``.zsav`` or a ``.qdpx`` can
hold gigabytes of zeros. Every limit here is checked *before* the expensive
step where the file lets us (a ZIP's directory, an SPSS dictionary) and
again on what was read:

=========================  ==========  ==============================================
limit                      default     checked
=========================  ==========  ==============================================
``max_file_bytes``         200 MiB     file size, before anything
``max_unzipped_bytes``     256 MiB     sum of a ZIP's (xlsx, qdpx) declared member
                                       sizes, before any member is read
``max_zip_ratio``          200         a member's declared size / compressed size
                                       (members over 1 MiB), before reading
``max_zip_members``        10,000      members of a ZIP
``max_rows``               1,000,000   data rows (SPSS/Stata: from the dictionary,
                                       and at most this many rows are decoded)
``max_columns``            5,000       columns (SPSS/Stata: from the dictionary)
``max_cell_chars``         32,767      characters in one cell (Excel's own limit)
``max_xml_depth``          256         nesting of an XML part (libxml2's limit without
                                       ``huge_tree``; entities are never resolved and
                                       nothing is fetched from the network)
=========================  ==========  ==============================================

Each can be changed for a workspace in ``workspace.yaml``::

    limits:
      max_rows: 2000000

A file beyond a limit is rejected with the problem ``limit-exceeded``,
whose message names the limit, its value and how to raise it.

:func:`parse_xml` is the one XML parser for submitted content (lxml, entities
off, network off, depth limited).
"""

from __future__ import annotations

import contextvars
import os
import re
import zipfile
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

__all__ = ["safe_echo", "ECHO_CHARS", "Limits", "DEFAULT_LIMITS", "LimitExceeded", "limits_from_config", "current", "using",
           "check_before", "check_frame", "zip_members", "parse_xml", "LIMIT_MESSAGES"]


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 200 * 2**20
    max_unzipped_bytes: int = 256 * 2**20
    max_zip_ratio: int = 200
    max_zip_members: int = 10_000
    max_rows: int = 1_000_000
    max_columns: int = 5_000
    max_cell_chars: int = 32_767
    max_xml_depth: int = 256


DEFAULT_LIMITS = Limits()
_CURRENT: contextvars.ContextVar[Limits] = contextvars.ContextVar("peer_eval_limits", default=DEFAULT_LIMITS)

LIMIT_MESSAGES = {
    "limit-exceeded": {
        "nl": "Het bestand overschrijdt een grens: {limit} mag hoogstens {allowed} zijn, in dit bestand: {actual}. "
              "Controleer of dit het juiste bestand is (één gevangenis, één vragenlijst). Is het echt zo groot, "
              "vraag dan het evaluatieteam om de grens te verhogen (workspace.yaml, limits: {limit}).",
        "fr": "Le fichier dépasse une limite : {limit} est d'au plus {allowed}, ce fichier : {actual}. "
              "Vérifiez que c'est le bon fichier (une prison, un questionnaire). S'il est vraiment aussi grand, "
              "demandez à l'équipe d'évaluation de relever la limite (workspace.yaml, limits: {limit}).",
        "en": "The file goes beyond a limit: {limit} is at most {allowed}, this file: {actual}. Check that it is "
              "the right file (one prison, one questionnaire). If it really is this large, ask the evaluation "
              "team to raise the limit (workspace.yaml, limits: {limit}).",
    },
    # (not a limit, but registered here with it to keep evaluation/intake/messages.py untouched)
    "instrument-version-unknown": {
        "nl": "Het bestand zegt dat het vragenlijst {ref} is, maar die versie bestaat niet. Gebruik het sjabloon dat "
              "u van het evaluatieteam kreeg (de laatste versie), of geef --instrument op.",
        "fr": "Le fichier indique le questionnaire {ref}, mais cette version n'existe pas. Utilisez le modèle reçu de "
              "l'équipe d'évaluation (la dernière version) ou indiquez --instrument.",
        "en": "The file says it is questionnaire {ref}, but that version does not exist. Use the template the "
              "evaluation team gave you (the latest version), or give --instrument.",
    },
}


def _register_messages() -> None:
    from .messages import MESSAGES

    for code, texts in LIMIT_MESSAGES.items():
        MESSAGES.setdefault(code, texts)


_register_messages()


#: characters of a value echoed to a terminal or a report (a cell, a --site, a file name)
ECHO_CHARS = 80
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def safe_echo(value, limit: int = ECHO_CHARS):
    """``value`` fit to echo: escape sequences removed, control characters as ``?``, at most ``limit`` characters.

    Non-strings are returned as they are. A longer text is cut and ends
    with ``…`` (a 10 MB cell never reaches a terminal or a report).
    """
    if not isinstance(value, str):
        return value
    text = _ANSI.sub("", value[: limit * 4 + 64])
    text = _CONTROL.sub("?", text)
    cut = len(value) > limit * 4 + 64 or len(text) > limit
    return text[: limit - 1] + "…" if cut else text


class LimitExceeded(ValueError):
    """A limit was passed; ``problem`` holds the ``limit-exceeded`` parameters."""

    def __init__(self, limit: str, allowed, actual):
        self.params = {"limit": limit, "allowed": f"{allowed:,}" if isinstance(allowed, int) else str(allowed),
                       "actual": f"{actual:,}" if isinstance(actual, int) else str(actual)}
        super().__init__(f"{limit} is at most {self.params['allowed']}; found {self.params['actual']}")


def limits_from_config(config: dict | None) -> Limits:
    """The limits of a workspace: the defaults, changed by ``config["limits"]`` (whole numbers >= 1)."""
    given = (config or {}).get("limits") or {}
    if not isinstance(given, dict):
        raise ValueError("workspace.yaml: 'limits' must be a mapping such as {max_rows: 2000000}")
    names = {f.name for f in fields(Limits)}
    bad = sorted(set(given) - names)
    if bad:
        raise ValueError(f"workspace.yaml: unknown limit(s) {bad}; known: {sorted(names)}")
    values: dict[str, int] = {}
    for name, value in given.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"workspace.yaml: limits: {name} must be a whole number >= 1, not {value!r}")
        values[name] = value
    return replace(DEFAULT_LIMITS, **values)


def current() -> Limits:
    """The limits in force (set with :func:`using`; the defaults otherwise)."""
    return _CURRENT.get()


class using:
    """``with using(limits): ...`` — the readers called inside use ``limits``."""

    def __init__(self, limits: Limits | None):
        self.limits = limits or DEFAULT_LIMITS

    def __enter__(self):
        self._token = _CURRENT.set(self.limits)
        return self.limits

    def __exit__(self, *exc):
        _CURRENT.reset(self._token)


def zip_members(path: Path | str, limits: Limits | None = None) -> list[zipfile.ZipInfo]:
    """A ZIP's members, after checking the directory against the limits (nothing is decompressed)."""
    lim = limits or current()
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
    if len(infos) > lim.max_zip_members:
        raise LimitExceeded("max_zip_members", lim.max_zip_members, len(infos))
    total = sum(max(i.file_size, 0) for i in infos)
    if total > lim.max_unzipped_bytes:
        raise LimitExceeded("max_unzipped_bytes", lim.max_unzipped_bytes, total)
    for i in infos:
        if i.file_size > 2**20 and i.file_size > lim.max_zip_ratio * max(i.compress_size, 1):
            raise LimitExceeded("max_zip_ratio", lim.max_zip_ratio, int(i.file_size / max(i.compress_size, 1)))
    return infos


def _stat_dimensions(path: Path, fmt: str) -> tuple[int, int]:
    """Rows and columns an SPSS/Stata file declares in its fixed header (-1: not declared).

    Read from the first bytes with :mod:`struct`, not with pyreadstat, whose
    dictionary pass alone takes minutes on 100,000 variables. SPSS:
    ``nominal_case_size`` (8-byte slots per case: at least the number of
    variables) and ``ncases``; Stata 13+: ``<K>`` and ``<N>``; Stata 8-12:
    ``nvar`` and ``nobs``.
    """
    import struct

    with open(path, "rb") as fh:
        head = fh.read(256)
    if fmt in ("sav", "zsav"):
        if len(head) < 84:
            return -1, -1
        for order in "<>":
            layout, slots, _, _, ncases = struct.unpack(order + "5i", head[64:84])
            if layout in (2, 3):
                return ncases, slots
        return -1, -1
    if head.startswith(b"<stata_dta>"):
        release = int(head[head.find(b"<release>") + 9:head.find(b"</release>")] or 0)
        order = "<" if b"<byteorder>LSF" in head else ">"
        k = head.find(b"<K>") + 3
        nvar = struct.unpack(order + ("I" if release >= 119 else "H"), head[k:k + (4 if release >= 119 else 2)])[0]
        n = head.find(b"<N>") + 3
        nobs = struct.unpack(order + ("Q" if release >= 118 else "I"), head[n:n + (8 if release >= 118 else 4)])[0]
        return int(nobs), int(nvar)
    order = "<" if head[1] == 2 else ">"
    nvar, nobs = struct.unpack(order + "Hi", head[4:10])
    return int(nobs), int(nvar)


def check_before(path: Path | str, fmt: str | None, limits: Limits | None = None) -> None:
    """Raise :class:`LimitExceeded` when what ``path`` declares is beyond the limits; read nothing big.

    ZIP containers (``xlsx``, ``qdpx``): the directory; SPSS/Stata: the
    dictionary (rows and columns); every file: its size.
    """
    lim = limits or current()
    path = Path(path)
    size = os.stat(path).st_size
    if size > lim.max_file_bytes:
        raise LimitExceeded("max_file_bytes", lim.max_file_bytes, size)
    if fmt in ("xlsx", "qdpx"):
        try:
            zip_members(path, lim)
        except zipfile.BadZipFile:
            return  # the reader reports a damaged file
    elif fmt in ("sav", "zsav", "dta"):
        try:
            rows, cols = _stat_dimensions(path, fmt)
        except Exception:  # noqa: BLE001 - the reader reports an unreadable file
            return
        if cols > lim.max_columns:
            raise LimitExceeded("max_columns", lim.max_columns, cols)
        if rows > lim.max_rows:
            raise LimitExceeded("max_rows", lim.max_rows, rows)


def check_frame(frame, limits: Limits | None = None) -> None:
    """Raise :class:`LimitExceeded` for a frame with too many rows or columns or too long a cell."""
    import numpy as np

    lim = limits or current()
    if frame is None:
        return
    if frame.shape[1] > lim.max_columns:
        raise LimitExceeded("max_columns", lim.max_columns, frame.shape[1])
    if frame.shape[0] > lim.max_rows:
        raise LimitExceeded("max_rows", lim.max_rows, frame.shape[0])
    for col in frame.columns[frame.dtypes.to_numpy() == np.dtype(object)]:
        longest = _longest_text(frame[col])
        if longest > lim.max_cell_chars:
            raise LimitExceeded("max_cell_chars", lim.max_cell_chars, longest)


def _longest_text(s) -> int:
    """The length of the longest string in an object column (0 when it holds none).

    ``Series.str.len`` (a loop in C) where pandas accepts the column as text,
    else a Python loop: 0.16 s of a 100,000-row check went into a ``map``
    with a lambda over three text columns (``benchmarks/intake_bench.py``).
    """
    import pandas as pd

    if not len(s):
        return 0
    values = s.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) == "string":  # str in every cell (an identifier column):
        return max(map(len, values))  # 4 ms where ``.str.len`` took 25 ms on 100,000 rows
    try:
        lengths = s.str.len()
    except AttributeError:  # no string values at all (pandas refuses the accessor)
        return 0
    longest = lengths.max()
    return 0 if pd.isna(longest) else int(longest)


def parse_xml(data: bytes, limits: Limits | None = None) -> Any:
    """An lxml tree of ``data``: entities not resolved, no network, no DTD loading, depth limited.

    Raises ``lxml.etree.XMLSyntaxError`` for bad XML (an entity reference is
    left unresolved, never expanded) and :class:`LimitExceeded` for too
    deep a tree.
    """
    from lxml import etree

    lim = limits or current()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             dtd_validation=False)
    root = etree.fromstring(data, parser)
    depth, stack = 0, [(root, 1)]
    while stack:
        el, d = stack.pop()
        depth = max(depth, d)
        if depth > lim.max_xml_depth:
            raise LimitExceeded("max_xml_depth", lim.max_xml_depth, depth)
        stack.extend((c, d + 1) for c in el)
    return root.getroottree()
