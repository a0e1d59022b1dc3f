"""Krippendorff's unitized alpha (uα) on the coders' own passages.

The agreement coefficients of :mod:`analysis.themes.agreement` judge units fixed
before coding (transcripts, paragraphs). Unitized alpha instead compares the
passages each coder *marked*, character by character: where they begin and
end, and which stretches a coder left uncoded. It is the coefficient ATLAS.ti's
inter-coder agreement tool reports on continuous text.

Why hand-written
----------------
No maintained library computes it: the ``krippendorff`` package (kept) and
statsmodels cover coded units only; no R package in Debian has it; on the
Python package index only an unmaintained single release (2022) exists. The
formulas follow Krippendorff (2004), *Content Analysis: An Introduction to Its
Methodology*, 2nd ed., §11.6 "Unitizing" (pp. 251–256; the same coefficient as
the 3rd ed., 2013, §12.x), and are checked against the book's worked example
(p. 254: D_o = 0.0144, D_e = 0.0532, uα_c = 0.7286 for category c; uα_k = 1;
uα = 0.859) and against the observed disagreements of Krippendorff (1995), "On
the reliability of unitizing continuous data", *Sociological Methodology* 25,
47–76 (example p. 57) — ``tests/analysis/themes/test_unitized.py``.

Definitions (per category ``c``, m coders, a continuum of length L)
-------------------------------------------------------------------
Each coder's continuum is cut into *sections*: the units they marked with
``c`` (w = 1) and the gaps between them (w = 0). For two sections g (coder i,
begin b_g, length l_g) and h (coder j ≠ i)::

    δ²(g, h) = (b_g − b_h)² + (b_g + l_g − b_h − l_h)²   both units, overlapping
             = l_g²                                       unit g lies within gap h
             = l_h²                                       unit h lies within gap g
             = 0                                          otherwise

    D_o(c) = Σ_i Σ_{j≠i} Σ_g Σ_h δ²(g, h) / (m (m−1) L²)

    D_e(c) = (2 / L) · Σ_units g [ (N_c − 1)/3 · (2l_g³ − 3l_g² + l_g)
                                   + l_g² Σ_gaps h, l_h ≥ l_g (l_h − l_g + 1) ]
             / ( mL (mL − 1) − Σ_units g l_g (l_g − 1) )

with N_c the number of units of ``c`` over all coders; uα_c = 1 − D_o/D_e and,
over categories, uα = 1 − Σ_c D_o(c) / Σ_c D_e(c).

Conventions (where the book is silent)
--------------------------------------
- **Several transcripts** lie end to end on one continuum (L is their total
  length); sections never cross a transcript's end, so a gap at the end of one
  transcript and one at the start of the next are two gaps.
- A transcript enters when at least two coders coded it (the ``coded`` frame);
  the coefficient assumes the same m coders per stretch of text, so transcripts
  coded by another number of coders than the most common one are left out (a
  remark names how many).
- **Overlapping passages** of one coder with the same code (or two sub-codes of
  one theme, after rolling up) are merged into one unit: a coder's sections of
  one category must not overlap. Passages that merely touch stay two units.
- Offsets are characters (Python string indices) of the text the coders' offsets
  refer to; ``end`` is exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..results import Result
from ._common import check_spans, require_columns, require_frame, roll_up

__all__ = ["UnitizedAlpha", "unitized_alpha", "unitized_alpha_continuum", "ALL_CATEGORIES"]

ALL_CATEGORIES = "(all codes)"
_COLUMNS = ["code", "n_transcripts", "n_coders", "n_passages", "length", "disagreement_observed",
            "disagreement_expected", "alpha_u"]


@dataclass(frozen=True)
class UnitizedAlpha(Result):
    """Unitized alpha per category (code or theme) and over all categories.

    Attributes
    ----------
    table : DataFrame
        See :meth:`to_frame`.
    transcripts : tuple
        The transcripts (continua) used.
    coders : tuple
    length : int
        L, the total length of the continuum (characters).
    """

    table: pd.DataFrame
    transcripts: tuple
    coders: tuple
    length: int

    @property
    def title(self) -> str:
        return (f"Unitized alpha on the coders' own passages ({len(self.transcripts)} transcripts, "
                f"{len(self.coders)} coders)")

    def to_frame(self) -> pd.DataFrame:
        """One row per category, then ``"(all codes)"``. Columns: ``code``,
        ``n_transcripts``, ``n_coders`` (m), ``n_passages`` (units over all coders,
        N_c), ``length`` (L), ``disagreement_observed`` (D_o),
        ``disagreement_expected`` (D_e),
        ``alpha_u`` (1 − D_o/D_e; NaN when D_e is 0)."""
        return self.table.copy()


def _merge(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Union of intervals that overlap (touching intervals stay apart)."""
    order = np.lexsort((ends, starts))
    merged: list[list[int]] = []
    for s, e in zip(starts[order], ends[order]):
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], int(e))
        else:
            merged.append([int(s), int(e)])
    if not merged:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    out = np.asarray(merged, dtype=np.int64)
    return out[:, 0], out[:, 1]


def _gaps(starts: np.ndarray, ends: np.ndarray, begin: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """The stretches of [begin, stop) that no unit covers."""
    edges_s = np.concatenate([[begin], ends])
    edges_e = np.concatenate([starts, [stop]])
    keep = edges_e > edges_s
    return edges_s[keep], edges_e[keep]


def _pair_distance(ui, gi, uj, gj) -> float:
    """Σ_g Σ_h δ² between the sections of two coders (one direction)."""
    (us_i, ue_i), (gs_i, ge_i), (us_j, ue_j), (gs_j, ge_j) = ui, gi, uj, gj
    total = 0.0
    if len(us_i) and len(us_j):
        overlap = (us_i[:, None] < ue_j[None, :]) & (us_j[None, :] < ue_i[:, None])
        d = (us_i[:, None] - us_j[None, :]) ** 2 + (ue_i[:, None] - ue_j[None, :]) ** 2
        total += float((d * overlap).sum())
    if len(us_i) and len(gs_j):  # a unit of i lying within a gap of j
        inside = (gs_j[None, :] <= us_i[:, None]) & (ue_i[:, None] <= ge_j[None, :])
        total += float(((ue_i - us_i) ** 2 * inside.any(axis=1)).sum())
    if len(us_j) and len(gs_i):  # a unit of j lying within a gap of i
        inside = (gs_i[None, :] <= us_j[:, None]) & (ue_j[:, None] <= ge_i[None, :])
        total += float(((ue_j - us_j) ** 2 * inside.any(axis=1)).sum())
    return total


def _category(continua, coders, m: int, length: int) -> dict:
    """D_o, D_e and N_c for one category.

    ``continua`` is a list of (begin, stop, {coder: (starts, ends)}).
    """
    numerator = 0.0
    unit_lengths: list[np.ndarray] = []
    gap_lengths: list[np.ndarray] = []
    for begin, stop, units in continua:
        sections = {}
        for c in coders:
            s, e = units.get(c, (np.empty(0, np.int64), np.empty(0, np.int64)))
            s, e = _merge(np.asarray(s, np.int64), np.asarray(e, np.int64))
            g = _gaps(s, e, begin, stop)
            sections[c] = ((s, e), g)
            unit_lengths.append(e - s)
            gap_lengths.append(g[1] - g[0])
        for a in range(len(coders)):
            for b in range(a + 1, len(coders)):
                (ui, gi), (uj, gj) = sections[coders[a]], sections[coders[b]]
                numerator += 2.0 * _pair_distance(ui, gi, uj, gj)   # δ² is symmetric: i→j and j→i
    lu = np.concatenate(unit_lengths).astype(float) if unit_lengths else np.empty(0)
    lg = np.sort(np.concatenate(gap_lengths).astype(float)) if gap_lengths else np.empty(0)
    n_c = len(lu)
    observed = numerator / (m * (m - 1) * float(length) ** 2)
    if n_c == 0:
        return {"n_passages": 0, "disagreement_observed": observed, "disagreement_expected": 0.0}
    # Σ over gaps at least as long as the unit of (l_h − l + 1): sorted gap lengths and a suffix sum
    suffix = np.concatenate([np.cumsum(lg[::-1])[::-1], [0.0]])
    first = np.searchsorted(lg, lu, side="left")
    count = len(lg) - first
    fit = suffix[first] - count * (lu - 1.0)
    inner = (n_c - 1) / 3.0 * (2 * lu**3 - 3 * lu**2 + lu) + lu**2 * fit
    mL = m * float(length)
    denominator = mL * (mL - 1.0) - float((lu * (lu - 1.0)).sum())
    expected = (2.0 / length) * float(inner.sum()) / denominator
    return {"n_passages": n_c, "disagreement_observed": observed, "disagreement_expected": expected}


def _alpha(observed: float, expected: float) -> float:
    return 1.0 - observed / expected if expected > 0 else float("nan")


def _table(per_category: dict, n_transcripts: int, m: int, length: int) -> pd.DataFrame:
    rows = []
    for code, r in per_category.items():
        d_o, d_e = r["disagreement_observed"], r["disagreement_expected"]
        rows.append({"code": code, "n_transcripts": n_transcripts, "n_coders": m, "n_passages": r["n_passages"],
                     "length": length, "disagreement_observed": d_o, "disagreement_expected": d_e,
                     "alpha_u": _alpha(d_o, d_e)})
    d_o = sum(r["disagreement_observed"] for r in per_category.values())
    d_e = sum(r["disagreement_expected"] for r in per_category.values())
    rows.append({"code": ALL_CATEGORIES, "n_transcripts": n_transcripts, "n_coders": m,
                 "n_passages": sum(r["n_passages"] for r in per_category.values()), "length": length,
                 "disagreement_observed": d_o, "disagreement_expected": d_e, "alpha_u": _alpha(d_o, d_e)})
    return pd.DataFrame(rows, columns=_COLUMNS).astype(
        {"n_transcripts": "int64", "n_coders": "int64", "n_passages": "int64", "length": "int64"})


def unitized_alpha_continuum(units: pd.DataFrame, *, begin: int, length: int, coders=None,
                             coder: str = "coder", category: str = "category", start: str = "start",
                             end: str = "end") -> UnitizedAlpha:
    """Unitized alpha of several coders' units on one continuum [begin, begin + length).

    Parameters
    ----------
    units : DataFrame
        One row per marked unit: ``coder``, ``category``, ``start``, ``end``
        (whole numbers, ``end`` exclusive, inside the continuum).
    begin, length : int
        The continuum.
    coders : sequence, optional
        Every coder who unitized the continuum (also one who marked nothing);
        defaults to the coders in ``units``.

    Returns
    -------
    UnitizedAlpha
    """
    require_frame(units, "units")
    require_columns(units, {"coder": coder, "category": category, "start": start, "end": end}, frame="units")
    check_spans(units, start, end, frame="units")
    stop = int(begin) + int(length)
    if len(units) and (units[start].min() < begin or units[end].max() > stop):
        raise ValueError(f"units must lie within the continuum [{begin}, {stop})")
    coders = tuple(coders) if coders is not None else tuple(pd.unique(units[coder]))
    if len(coders) < 2:
        raise ValueError(f"unitized alpha needs two or more coders, got {len(coders)}")
    per_category = {}
    for cat, rows in units.groupby(category, sort=False):
        by_coder = {c: (r[start].to_numpy(), r[end].to_numpy()) for c, r in rows.groupby(coder, sort=False)}
        per_category[cat] = _category([(int(begin), stop, by_coder)], coders, len(coders), int(length))
    return UnitizedAlpha(table=_table(per_category, 1, len(coders), int(length)), transcripts=("(continuum)",),
                         coders=coders, length=int(length))


def unitized_alpha(data: pd.DataFrame, *, coded: pd.DataFrame, transcripts: pd.DataFrame, parents=None,
                   codes=None, transcript: str = "transcript_id", coder: str = "coder", code: str = "code",
                   start: str = "start", end: str = "end", text: str = "text") -> UnitizedAlpha:
    """Unitized alpha per code (or theme) on the coders' own passages.

    Parameters
    ----------
    data : DataFrame
        Coded segments (``segments()`` frame), all coders, with offsets into the
        texts in ``transcripts`` (for de-identified texts, first carry them over
        with :func:`analysis.themes.onto_deidentified`).
    coded : DataFrame
        Who coded what: one row per transcript × coder, including coders who
        applied no code to a transcript (they left all of it uncoded).
    transcripts : DataFrame
        ``transcript`` and ``text``: the text fixes each continuum's length.
    parents : mapping, optional
        ``{sub_code: theme}``: passages are rolled up to their themes first
        (agreement on themes); without it, on the codes as given.
    codes : sequence, optional
        The categories to report (default: every code applied).

    Returns
    -------
    UnitizedAlpha
        Per code and over all codes (see the module docstring for the formulas
        and the conventions used for several transcripts).
    """
    require_frame(data, "data")
    require_frame(coded, "coded")
    require_frame(transcripts, "transcripts")
    require_columns(data, {"transcript": transcript, "coder": coder, "code": code, "start": start, "end": end})
    require_columns(coded, {"transcript": transcript, "coder": coder}, frame="coded")
    require_columns(transcripts, {"transcript": transcript, "text": text}, frame="transcripts")
    check_spans(data, start, end)
    lengths = {t: len(str(x)) for t, x in zip(transcripts[transcript], transcripts[text])}
    who = coded.drop_duplicates([transcript, coder]).groupby(transcript, sort=True)[coder].agg(tuple)
    who = who[who.map(len) >= 2]
    remarks = []
    missing = [t for t in who.index if t not in lengths]
    if missing:
        remarks.append(f"{len(missing)} double-coded transcript(s) have no text and were left out.")
        who = who.drop(missing)
    if who.empty:
        raise ValueError("no transcript was coded by two or more coders (with its text); "
                         "unitized alpha needs double-coded transcripts")
    m = int(who.map(len).mode().max())
    other = who[who.map(len) != m]
    if len(other):
        remarks.append(f"{len(other)} transcript(s) coded by another number of coders than {m} were left out "
                       "(the coefficient assumes the same coders throughout).")
        who = who[who.map(len) == m]
    frame = data.loc[data[transcript].isin(who.index)].copy()
    frame["_category"] = roll_up(frame[code], parents) if parents else frame[code]
    too_long = frame[end].to_numpy() > frame[transcript].map(lengths).to_numpy()
    if too_long.any():
        raise ValueError(f"{int(too_long.sum())} segment(s) end beyond their transcript's text; "
                         "check the offsets (analysis.themes.check_offsets)")
    categories = list(codes) if codes is not None else list(pd.unique(frame["_category"]))
    length = int(sum(lengths[t] for t in who.index))
    # Krippendorff's coder i and j are the coders of one stretch: per transcript, coders are its m slots
    per_category = {}
    for cat in categories:
        rows = frame.loc[frame["_category"] == cat]
        grouped = {t: r for t, r in rows.groupby(transcript, sort=False)}
        continua = []
        for t, coders_t in who.items():
            r = grouped.get(t)
            by_slot = {}
            if r is not None:
                for slot, c in enumerate(coders_t):
                    mine = r.loc[r[coder] == c]
                    by_slot[slot] = (mine[start].to_numpy(), mine[end].to_numpy())
            continua.append((0, lengths[t], by_slot))
        per_category[cat] = _category(continua, tuple(range(m)), m, length)
    coders_all = tuple(sorted({c for cs in who for c in cs}, key=str))
    remarks.append("Unitized alpha compares where coders' passages begin and end, character by character "
                   "(Krippendorff 2004, §11.6); overlapping passages of one coder and code are merged.")
    return UnitizedAlpha(table=_table(per_category, len(who), m, length), transcripts=tuple(who.index),
                         coders=coders_all, length=length, remarks=tuple(remarks))
