"""An attacker who reads the built demo book: its tables, its glued numbers, and nothing else.

Written independently of :mod:`analysis.disclosure` (which protects the
numbers) so that it can disagree with it. Every published table of a page is
parsed from the HTML; a suppressed cell (``[c]``) is an unknown that is at
least 0, a banded count ("fewer than 10") an unknown between 0 and 9. The
attacker then writes every equation the page gives away and asks a linear
program (scipy's HiGHS) for the smallest and largest value each unknown — or
the sum of two unknowns — can take: when both round to the same whole number
the count is recovered.

Equations used (issue 17's recoveries, on the real pages):

- a table's margins: a ``Total`` row or column (or an "all ..." row closing a
  group of rows, or a last column that is the row's total);
- a co-occurrence table's Jaccard index with the number raising both themes:
  ``n_a + n_b = n / J + n``, with ``J`` known only to its printed decimals,
  together with each theme's participants by group (the themes page);
- complements in prose: "35 of 36" gives the 1 left over;
- the same population counted on two pages (the data page's detainees per
  wave against the wellbeing page's persons with a score);
- a table's "answers" beside the size of the group asked (nonresponse).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linprog

HIDDEN = "[c]"
_FEWER = re.compile(r"^fewer than (\d+)$")
_WHOLE = re.compile(r"\d{1,3}(?:[,\u202f\u2009]\d{3})*|\d+")  # a count as printed: no decimals
_NOT_COUNT = re.compile(r"%|share|CI|limit|mean|sd\b|alpha|omega|kappa|estimate|p-value|version|prevalence|"
                        r"agreement|Jaccard|statistic|score|error|freedom|coders|transcripts|change", re.I)


@dataclass
class Table:
    """One published table: header texts, row labels and cell texts."""

    page: str
    index: int
    columns: list[str]
    labels: list[str]  # the row's label (its first text cells joined)
    cells: list[list[str]]

    def column(self, pattern: str) -> int | None:
        for j, c in enumerate(self.columns):
            if re.search(pattern, c, re.I):
                return j
        return None


def _header(col) -> str:
    parts = col if isinstance(col, tuple) else (col,)
    return " ".join(str(p) for p in parts if not str(p).startswith(("(label)", "Unnamed"))).strip()


def read_tables(html_file: Path) -> list[Table]:
    """Every table of a built page, cells as printed."""
    text = html_file.read_text(encoding="utf-8")
    if "<table" not in text:
        return []
    frames = pd.read_html(io.StringIO(text), keep_default_na=False, na_values=[])
    out = []
    for k, f in enumerate(frames):
        cols = [_header(c) for c in f.columns]
        cells = [[str(v).strip() for v in row] for row in f.astype(str).itertuples(index=False)]
        label_cols = [j for j in range(len(cols)) if all(_value(r[j].rstrip("% ")) is None and r[j] != HIDDEN
                                                         and not _FEWER.match(r[j]) and r[j] not in ("", "nan")
                                                         for r in cells)]
        labels = [" / ".join(r[j] for j in label_cols) for r in cells]
        out.append(Table(html_file.stem, k, cols, labels, cells))
    return out


def _value(text: str) -> float | None:
    t = text.replace(",", "").replace("\u2009", "").replace("\u202f", "").strip()
    try:
        return float(t)
    except ValueError:
        return None


class Attacker:
    """Unknowns (hidden cells) with bounds, and the equations and inequalities found for them."""

    def __init__(self, threshold: int):
        self.threshold = threshold
        self.names: list[str] = []
        self.upper: list[float | None] = []
        self.eq: list[tuple[dict[int, float], float]] = []
        self.ineq: list[tuple[dict[int, float], float]] = []  # sum <= rhs

    def unknown(self, name: str, upper: float | None = None) -> int:
        self.names.append(name)
        self.upper.append(upper)
        return len(self.names) - 1

    def cell(self, table: Table, i: int, j: int, cache: dict) -> tuple[dict[int, float], float] | None:
        """A cell as (unknowns, constant): a shown count is a constant, a hidden one an unknown."""
        key = (table.page, table.index, i, j)
        text = table.cells[i][j]
        if text == HIDDEN or _FEWER.match(text):
            if key not in cache:
                m = _FEWER.match(text)
                cache[key] = self.unknown(f"{table.page}[{table.index}] {table.labels[i]} | {table.columns[j]}",
                                          float(int(m.group(1)) - 1) if m else None)
            return {cache[key]: 1.0}, 0.0
        v = _value(text)
        return None if v is None else ({}, v)

    def equal(self, parts: list[tuple[dict[int, float], float]], total: tuple[dict[int, float], float]) -> None:
        coef: dict[int, float] = {}
        const = 0.0
        for c, k in parts:
            for u, a in c.items():
                coef[u] = coef.get(u, 0.0) + a
            const += k
        for u, a in total[0].items():
            coef[u] = coef.get(u, 0.0) - a
        if coef:
            self.eq.append((coef, total[1] - const))

    def between(self, coef: dict[int, float], low: float, high: float) -> None:
        self.ineq.append((dict(coef), high))
        self.ineq.append(({u: -a for u, a in coef.items()}, -low))

    def bounds(self, target: dict[int, float]) -> tuple[float, float] | None:
        """Smallest and largest value of ``sum(a * unknown)`` the equations allow (None: no solution)."""
        n = len(self.names)
        c = np.zeros(n)
        for u, a in target.items():
            c[u] = a
        A_eq = np.array([[coef.get(u, 0.0) for u in range(n)] for coef, _ in self.eq]) if self.eq else None
        b_eq = np.array([rhs for _, rhs in self.eq]) if self.eq else None
        A_ub = np.array([[coef.get(u, 0.0) for u in range(n)] for coef, _ in self.ineq]) if self.ineq else None
        b_ub = np.array([rhs for _, rhs in self.ineq]) if self.ineq else None
        bnds = [(0, up) for up in self.upper]
        lo = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bnds, method="highs")
        hi = linprog(-c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bnds, method="highs")
        if lo.status == 2 or hi.status == 2:
            return None
        return (lo.fun if lo.status == 0 else -np.inf), (-hi.fun if hi.status == 0 else np.inf)

    def recovered(self, target: dict[int, float]) -> float | None:
        """The value of ``target`` when the equations fix it to one whole number; else None."""
        b = self.bounds(target)
        if b is None or not np.isfinite(b[0]) or not np.isfinite(b[1]):
            return None
        lo, hi = np.ceil(b[0] - 1e-6), np.floor(b[1] + 1e-6)
        return float(lo) if lo == hi else None


# -- equations from a table's margins ------------------------------------------------------------------------


def _count_columns(t: Table) -> list[int]:
    """Columns of counts: every cell a whole number, suppressed or banded; not a share, mean or interval."""
    out = []
    for j, name in enumerate(t.columns):
        if _NOT_COUNT.search(name):
            continue
        col = [r[j] for r in t.cells]
        if col and all(v == HIDDEN or _FEWER.match(v) or _WHOLE.fullmatch(v) for v in col):
            out.append(j)
    return out


def margin_equations(att: Attacker, t: Table, cache: dict) -> None:
    """Row and column totals of ``t`` as equations (a Total row/column, "all ..." rows, a closing total column)."""
    cols = _count_columns(t)
    if not cols:
        return
    total_col = next((j for j in cols if t.columns[j].split()[-1:] == ["Total"] or t.columns[j] == "Total"), None)
    body_cols = [j for j in cols if j != total_col]
    if total_col is None and len(body_cols) >= 3:
        last = body_cols[-1]
        rows_ok, full = True, 0
        for r in t.cells:
            shown = [_value(r[j]) for j in body_cols[:-1] if _value(r[j]) is not None]
            tot = _value(r[last])
            if tot is None or sum(shown) > tot + 1e-9:
                rows_ok = False
                break
            if all(_value(r[j]) is not None for j in body_cols[:-1]):
                full += 1
                rows_ok &= abs(sum(shown) - tot) < 1e-9
        if rows_ok and (full or any(HIDDEN in r for r in t.cells)):
            total_col, body_cols = last, body_cols[:-1]
    if total_col is not None:
        for i in range(len(t.cells)):
            parts = [att.cell(t, i, j, cache) for j in body_cols]
            tot = att.cell(t, i, total_col, cache)
            if tot is not None and all(p is not None for p in parts):
                att.equal(parts, tot)
    # a Total row closes the table; an "all ..." row closes the group of rows above it with the same question
    total_rows = [i for i, lab in enumerate(t.labels) if re.search(r"(^|/ )(Total|all [^/]+)$", lab)]
    start = 0
    for i in total_rows:
        group = range(start, i)
        if t.labels[i].endswith("Total") and not t.labels[i].strip().startswith("Total"):
            prefix = t.labels[i][: -len("Total")]
            group = [k for k in range(start, i) if t.labels[k].startswith(prefix)]
        elif re.search(r"all [^/]+$", t.labels[i]):
            prefix = t.labels[i].rsplit("/", 1)[0] if "/" in t.labels[i] else ""
            group = [k for k in range(start, i) if t.labels[k].startswith(prefix)]
        for j in cols:
            parts = [att.cell(t, k, j, cache) for k in group]
            tot = att.cell(t, i, j, cache)
            if tot is not None and parts and all(p is not None for p in parts):
                att.equal(parts, tot)
        start = i + 1


# -- the themes page: Jaccard indices with the participants by group ------------------------------------------


def jaccard_equations(att: Attacker, pairs: Table, groups: Table, cache: dict) -> dict[str, list[int]]:
    """``T_a + T_b`` from each shown (n, J); ``T_t`` = the theme's group cells. Hidden cells per theme returned."""
    j_a, j_b = 0, 1
    j_n, j_j = pairs.column(r"^number"), pairs.column(r"Jaccard")
    count_cols = [j for j, c in enumerate(groups.columns) if c.startswith("participants")]
    totals: dict[str, int] = {}
    hidden: dict[str, list[int]] = {}
    for i, row in enumerate(groups.cells):
        theme = groups.labels[i]
        totals[theme] = att.unknown(f"themes: participants raising {theme}")
        parts = [att.cell(groups, i, j, cache) for j in count_cols]
        att.equal(parts, ({totals[theme]: 1.0}, 0.0))
        hidden[theme] = [u for p in parts for u in p[0]]
    for row in pairs.cells:
        a, b = row[j_a], row[j_b]
        n, jac = _value(row[j_n]), _value(row[j_j])
        if n is None or jac is None or jac <= 0 or a not in totals or b not in totals:
            continue
        decimals = len(row[j_j].split(".")[1]) if "." in row[j_j] else 0
        half = 0.5 * 10 ** -decimals
        high_j, low_j = min(jac + half, 1.0), max(jac - half, 1e-9)
        att.between({totals[a]: 1.0, totals[b]: 1.0}, n / high_j + n, n / low_j + n)
    return hidden


# -- prose ---------------------------------------------------------------------------------------------------------


def page_text(html_file: Path) -> str:
    """The page's prose (tables and code left out), whitespace collapsed."""
    from lxml import html as lhtml

    doc = lhtml.fromstring(html_file.read_text(encoding="utf-8"))
    main = (doc.xpath("//main") or [doc])[0]
    for tb in main.xpath(".//table"):
        tb.getparent().remove(tb)
    return " ".join(main.text_content().split())


_N_OF_N = re.compile(r"\b(\d[\d,]*) (?:of|out of) (?:the )?(\d[\d,]*)\b(?! ?%)")


def complements(text: str, threshold: int) -> list[tuple[str, int]]:
    """"n of N" phrases whose remainder N − n is a count under the threshold (and not zero)."""
    out = []
    for m in _N_OF_N.finditer(text):
        n, total = int(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))
        if 0 < total - n < threshold:
            out.append((m.group(0), total - n))
    return out
