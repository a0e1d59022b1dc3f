"""Protecting a published table: primary and secondary suppression, with a note.

:func:`protect_table` takes a tidy frame with one row per cell — the cell's
keys, the number of *distinct persons* behind it, and any statistics shown
for it (counts, percentages, means, intervals as text, …) — and returns a
:class:`ProtectedTable` whose :meth:`~ProtectedTable.to_frame` is safe to
publish.

Conventions
-----------
* Primary suppression: every cell, margins included, whose person count is
  small under the policy (``0 < n < threshold``; zeros too if
  ``protect_zeros``) is hidden.
* Consistency: with a :class:`~analysis.disclosure.ledger.SuppressionLedger`,
  cells hidden elsewhere in the book are hidden here too and protected like
  small cells.
* Secondary suppression: complementary cells are hidden so that no hidden
  cell can be recovered from the published cells and margins (row totals,
  column totals, grand total); see :mod:`analysis.disclosure.suppression` for
  the attacker model and the heuristic (smallest counts first).
* Every statistic of a hidden cell is hidden with it. A percentage whose
  denominator (row, column or grand total, declared with ``percent_of``) is
  hidden is hidden too, since ``n / pct`` would give the denominator back.
* Margins are the ``total_label`` rows of ``data`` when present (their person
  counts may be smaller than the sum of the cells when a person falls in
  several cells), otherwise the sums of the cell counts. Statistics of
  computed margins are left empty.
* Combinations missing from ``data`` are empty cells (count 0).
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.results import Result

from .counting import require_columns
from .ledger import CellKey, SuppressionLedger
from .marks import mark_protected
from .policy import DEFAULT_POLICY, DisclosurePolicy
from .suppression import secondary_suppression, table_constraints

__all__ = ["protect_table", "ProtectedTable", "as_policy"]

STATUSES = ("published", "primary", "secondary", "consistency")


def as_policy(policy: DisclosurePolicy | Mapping[str, Any] | None) -> DisclosurePolicy:
    """Accept a policy, a configuration mapping, or ``None`` (the default policy)."""
    if policy is None:
        return DEFAULT_POLICY
    if isinstance(policy, DisclosurePolicy):
        return policy
    return DisclosurePolicy.from_mapping(policy)


def _as_list(cols: str | Sequence[str] | None) -> list[str]:
    if cols is None:
        return []
    return [cols] if isinstance(cols, str) else list(cols)


def _levels(frame: pd.DataFrame, cols: list[str]) -> list[tuple]:
    """Distinct key tuples: category order if all columns are categorical, else first appearance."""
    if not cols:
        return [()]
    tuples = list(dict.fromkeys(frame[cols].itertuples(index=False, name=None)))
    if all(isinstance(frame[c].dtype, pd.CategoricalDtype) for c in cols):
        cats = [list(frame[c].cat.categories) for c in cols]
        tuples.sort(key=lambda t: tuple(cats[i].index(x) for i, x in enumerate(t)))
    return tuples


@dataclass(frozen=True, eq=False)
class ProtectedTable(Result):
    """A table after disclosure control.

    Attributes
    ----------
    table : DataFrame
        Long publishable table: the key columns (margins labelled
        ``total_label``), the count column (if shown) and the statistics, with
        hidden values replaced by the policy's symbol. Safe to publish.
    suppression : DataFrame
        Key columns plus ``status`` (published / primary / secondary /
        consistency) and ``percent_hidden``. **Internal — do not publish**: it
        tells which hidden cells are small.
    row, col : tuple of str
        Key columns of rows and columns (``col`` empty for a one-way table).
    shown : tuple of str
        Displayed value columns, in order.
    """

    table: pd.DataFrame
    suppression: pd.DataFrame
    row: tuple[str, ...]
    col: tuple[str, ...]
    shown: tuple[str, ...]
    policy: DisclosurePolicy
    total_label: str = "Total"
    name: str | None = None
    family: str | None = None
    formats: Mapping[str, str] = field(default_factory=dict)
    row_order: tuple = ()
    col_order: tuple = ()

    @property
    def title(self) -> str:
        return self.name or "Protected table"

    @property
    def n_primary(self) -> int:
        return int((self.suppression["status"] == "primary").sum())

    @property
    def n_secondary(self) -> int:
        return int((self.suppression["status"] == "secondary").sum())

    @property
    def n_consistency(self) -> int:
        return int((self.suppression["status"] == "consistency").sum())

    @property
    def hidden(self) -> pd.Series:
        """Boolean mask over the rows of :attr:`table`: the cell is hidden."""
        return self.suppression["status"] != "published"

    def suppressed_cells(self) -> list[dict[str, Any]]:
        """Keys (dimension -> value, margins without their summed dimensions) of hidden cells."""
        keys = [*self.row, *self.col]
        out = []
        for _, r in self.suppression[self.hidden.to_numpy()].iterrows():
            out.append({k: r[k] for k in keys if r[k] != self.total_label})
        return out

    # -- views -----------------------------------------------------------
    def to_frame(self, layout: str = "wide") -> pd.DataFrame:
        """The publishable table.

        Parameters
        ----------
        layout : {"wide", "long"}
            ``"wide"``: rows by ``row`` and columns by ``col`` (and by
            statistic when several are shown), margins last. ``"long"``: one
            row per cell (:attr:`table`).
        """
        if layout == "long":
            return mark_protected(self.table.copy())
        if layout != "wide":
            raise ValueError(f"layout must be 'wide' or 'long', got {layout!r}")
        return mark_protected(self._wide(self.table))

    def _wide(self, long: pd.DataFrame) -> pd.DataFrame:
        rows, cols, shown = list(self.row), list(self.col), list(self.shown)
        if len(rows) > 1:
            row_index = pd.MultiIndex.from_tuples(list(self.row_order), names=rows)
        else:
            row_index = pd.Index([t[0] for t in self.row_order], name=rows[0])
        if not cols:
            out = long.set_index(rows)[shown]
            return out.reindex(row_index)
        wide = long.set_index(rows + cols)[shown].unstack(cols)
        col_keys = [t if len(cols) > 1 else t[0] for t in self.col_order]
        new_cols = [(s, *(c if isinstance(c, tuple) else (c,))) for s in shown for c in col_keys]
        wide = wide.reindex(index=row_index, columns=pd.MultiIndex.from_tuples(new_cols))
        wide.columns = wide.columns.set_names([None, *cols])
        if len(shown) == 1:
            wide = wide.droplevel(0, axis=1)
        return wide

    def display_frame(self, layout: str = "wide") -> pd.DataFrame:
        """:meth:`to_frame` as strings, numbers formatted with :attr:`formats`, empty for missing.

        p-values (a column named ``p``, ``p_val`` …) are written ``"< 0.001"``
        below 0.001, whatever their format.
        """
        from analysis.reader import format_p, is_p_column

        long = self.table.copy()
        for c in self.shown:
            fmt = self.formats.get(c)
            if is_p_column(c):
                long[c] = [x if isinstance(x, str) else format_p(x) for x in long[c]]
                continue
            long[c] = [self._fmt(x, fmt) for x in long[c]]
        if layout == "long":
            return mark_protected(long)
        return mark_protected(self._wide(long).fillna(""))

    @staticmethod
    def _fmt(x: Any, fmt: str | None) -> str:
        if isinstance(x, str):
            return x
        if x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA:
            return ""
        if isinstance(x, (bool, np.bool_)):  # in words ("yes"/"no"; the label catalogue has the other languages)
            from analysis.reader import YES_NO

            return YES_NO["en"][bool(x)]
        if fmt:
            return fmt.format(x)
        if isinstance(x, (float, np.floating)) and float(x).is_integer():
            return str(int(x))
        return str(x)

    def plot_frame(self) -> pd.DataFrame:
        """Long frame for figures: numeric columns, hidden values as NaN."""
        out = self.table.copy()
        for c in self.shown:
            out[c] = pd.to_numeric(out[c].where(~out[c].map(lambda x: isinstance(x, str))), errors="coerce")
        return out

    def note(self) -> str:
        """The note printed under the table (the remarks joined)."""
        return " ".join(r if r.endswith(".") else r + "." for r in self.remarks)

    def to_styler(self, *, note: bool = True):
        """A pandas Styler of the wide table, the note under it.

        The Styler's id is derived from the table's name, so the HTML is
        byte-stable between builds.
        For readers: the table's name is its visible caption, column and
        index labels are in words (:func:`analysis.reader.label`), and the
        note is printed under the table.
        """
        from analysis.reader import _relabel_index

        uid = "sdc" + hashlib.sha1((self.name or "").encode()).hexdigest()[:8]
        disp = self.display_frame()
        disp.columns = _relabel_index(disp.columns, "en")
        disp.index = _relabel_index(disp.index, "en")
        styler = _NotedStyler(disp).set_uuid(uid).set_table_attributes('class="dataframe disclosure"')
        if self.name and " " in self.name.strip():  # a title in words (a name like "data:x-by-site" is a key)
            styler = styler.set_caption(self.name)
        styler.reader_note = self.note() if note and self.remarks else ""
        styler.reader_remarks = tuple(self.remarks) if note else ()  # (the note's parts, translated per edition)
        return styler

    def _repr_html_(self) -> str:
        return f'<div class="protected-table">{self.to_styler()._repr_html_()}</div>'

    def __str__(self) -> str:
        text = self.display_frame().to_string()
        if self.name:
            text = f"{self.name}\n{text}"
        return text + (f"\n\n{self.note()}" if self.remarks else "")

    def plot(self, ax=None):
        """Draw the publishable table (hidden cells shaded) on ``ax``."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        disp = self.display_frame()
        ax.axis("off")
        tab = ax.table(
            cellText=disp.to_numpy(),
            rowLabels=[" / ".join(map(str, i)) if isinstance(i, tuple) else str(i) for i in disp.index],
            colLabels=[" / ".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in disp.columns],
            loc="center",
        )
        symbols = {self.policy.table_symbol(small=True), self.policy.table_symbol(small=False)}
        for (r, c), cell in tab.get_celld().items():
            if r > 0 and c >= 0 and cell.get_text().get_text() in symbols:
                cell.set_facecolor("#dddddd")
        if self.remarks:
            ax.set_title(self.note(), fontsize="small", loc="left", y=-0.1, wrap=True)
        return ax


def _styler_class():
    from pandas.io.formats.style import Styler

    class NotedStyler(Styler):
        """A Styler whose HTML ends with the disclosure note (a paragraph under the table)."""

        reader_note = ""
        reader_remarks: tuple = ()

        def to_html(self, buf=None, **kwargs):
            body = super().to_html(**kwargs)
            if self.reader_note:
                body = f'{body}<p class="disclosure-note"><small>{html.escape(self.reader_note)}</small></p>'
            if buf is None:
                return body
            if hasattr(buf, "write"):
                buf.write(body)
            else:
                with open(buf, "w", encoding=kwargs.get("encoding") or "utf-8") as fh:
                    fh.write(body)
            return None

        def _repr_html_(self) -> str:
            return self.to_html()


    return NotedStyler


def _NotedStyler(frame):  # noqa: N802 - a factory standing for the class (pandas' Styler imports jinja2 lazily)
    cls = globals().get("_NOTED_STYLER")
    if cls is None:
        cls = globals()["_NOTED_STYLER"] = _styler_class()
    styler = cls(frame)
    return styler


def protect_table(
    data: pd.DataFrame,
    *,
    row: str | Sequence[str],
    col: str | Sequence[str] | None = None,
    count: str = "n_persons",
    values: Sequence[str] | None = None,
    policy: DisclosurePolicy | Mapping[str, Any] | None = None,
    margins: bool = True,
    total_label: str = "Total",
    percent_of: Mapping[str, str] | None = None,
    show_count: bool = True,
    family: str | None = None,
    ledger: SuppressionLedger | None = None,
    name: str | None = None,
    formats: Mapping[str, str] | None = None,
) -> ProtectedTable:
    """Apply primary and secondary suppression to a table of statistics.

    Parameters
    ----------
    data : DataFrame
        One row per cell: the ``row`` and ``col`` keys, ``count`` and the
        statistics. Rows whose key is ``total_label`` are margins.
    row, col : str or list of str
        Key columns of the table's rows and columns (``col=None``: one-way
        table). Several columns form one dimension (their combinations);
        subtotals are not published and not supported.
    count : str, default "n_persons"
        Column with the number of distinct persons behind each cell (see
        :func:`~analysis.disclosure.person_counts`). This drives suppression,
        whatever the statistics are.
    values : list of str, optional
        Statistic columns to publish (default: every other column).
    policy : DisclosurePolicy or mapping, optional
        Default: threshold 10, zeros not protected, symbol ``"[c]"``.
    margins : bool, default True
        Publish row/column/grand totals (taken from ``total_label`` rows of
        ``data`` or summed from the cells). Without margins only primary
        suppression (and the ledger) apply.
    percent_of : mapping, optional
        Statistic column -> ``"row"``, ``"col"`` or ``"total"``: the
        denominator of a percentage; the percentage is hidden when its
        denominator is. ``"cell"`` (a proportion, 0–1) or ``"cell%"`` (a
        percentage, 0–100) of the cell's own count: hidden when the persons
        it implies, or the rest of the cell, are fewer than the threshold
        ("35%" of 20 peer workers is 7 of them).
    show_count : bool, default True
        Publish the count column.
    family, ledger, name
        With a ledger, ``family`` names the population counted (and any
        filter), ``name`` the table (default ``family:row×col``); see
        :mod:`analysis.disclosure.ledger`.
    formats : mapping, optional
        Statistic column -> format string for display, e.g. ``{"pct": "{:.1f}"}``.

    Returns
    -------
    ProtectedTable
        ``to_frame()`` is the publishable table; ``remarks`` the note, e.g.
        "2 cells with fewer than 10 persons suppressed", "3 further cells
        suppressed so that they cannot be derived from the totals".

    Examples
    --------
    >>> cells = pd.DataFrame({"site": ["P01", "P01", "P02", "P02"],
    ...                       "sex": ["F", "M", "F", "M"],
    ...                       "n_persons": [2, 30, 25, 40]})
    >>> t = protect_table(cells, row="site", col="sex")
    >>> t.to_frame()  # doctest: +NORMALIZE_WHITESPACE
    sex     F    M  Total
    site
    P01   [c]  [c]    32
    P02   [c]  [c]    65
    Total  27   70    97
    """
    pol = as_policy(policy)
    rows, cols = _as_list(row), _as_list(col)
    if not rows:
        raise ValueError("row= needs at least one column, e.g. row='site'")
    require_columns(data, row=rows, col=cols, count=count, values=values)
    keys = rows + cols
    if count in keys:
        raise ValueError(f"count={count!r} is also a key column; pass the person-count column as count=")
    if values is None:
        values = [c for c in data.columns if c not in keys and c != count]
    values = list(values)
    shown = ([count] if show_count else []) + [v for v in values if v != count]
    percent_of = dict(percent_of or {})
    for stat, den in percent_of.items():
        if stat not in values:
            raise KeyError(f"percent_of names {stat!r}, which is not a shown statistic; pass values=[..., {stat!r}]")
        if den in ("cell", "cell%"):
            continue
        if den not in ("row", "col", "total") or (den != "total" and not cols):
            allowed = "'row', 'col' or 'total'" if cols else "'total' (one-way table)"
            raise ValueError(f"percent_of[{stat!r}]={den!r}: use {allowed}, or 'cell'/'cell%'")
    if any(d not in ("cell", "cell%") for d in percent_of.values()) and not margins:
        raise ValueError("percent_of needs margins=True: the denominators must be in the table")
    if ledger is not None and not family:
        raise ValueError("a ledger needs family=<name of the population counted>, e.g. family='peer_workers'")
    if name is None and family:
        name = f"{family}:{'×'.join(keys)}"
    if data[count].isna().any():
        raise ValueError(f"column {count!r} has missing person counts; count persons with person_counts() first")

    is_total = data[keys].astype(object).eq(total_label)
    row_total = is_total[rows].all(axis=1)
    col_total = is_total[cols].all(axis=1) if cols else pd.Series(False, index=data.index)
    partial = (is_total[rows].any(axis=1) & ~row_total) | (
        (is_total[cols].any(axis=1) & ~col_total) if cols else False
    )
    if partial.any():
        raise ValueError(f"subtotals (some but not all {row!r}/{col!r} columns equal to {total_label!r}) are not supported")
    body = data[~row_total & ~col_total]
    given = data[row_total | col_total]
    if len(given) and not margins:
        raise ValueError(f"data has margin rows ({total_label!r}) but margins=False; drop them or pass margins=True")
    dup = body.duplicated(subset=keys, keep=False)
    if dup.any():
        first = body.loc[dup, keys].iloc[0].to_dict()
        raise ValueError(f"data has several rows for the cell {first}; aggregate to one row per cell first")

    r_levels = _levels(body, rows)
    c_levels = _levels(body, cols) if cols else [()]
    R, C = len(r_levels), len(c_levels)
    two_way = bool(cols)
    TOT = object()
    r_keys = r_levels + ([TOT] if margins else [])
    c_keys = (c_levels + ([TOT] if margins else [])) if two_way else [()]
    # index of cell (ri, ci) in the flattened grid
    grid = [(ri, ci) for ri in range(len(r_keys)) for ci in range(len(c_keys))]
    if not two_way:
        A = table_constraints(R, None, margins=margins)
    else:
        A = table_constraints(R, C, margins=margins)
    K = len(grid)
    counts = np.zeros(K)
    stats: list[dict[str, Any]] = [dict.fromkeys(values, np.nan) for _ in range(K)]
    pos = {}
    for k, (ri, ci) in enumerate(grid):
        pos[(ri, ci)] = k
    r_index = {t: i for i, t in enumerate(r_levels)}
    c_index = {t: i for i, t in enumerate(c_levels)}
    for rec in body.to_dict("records"):
        ri = r_index[tuple(rec[c] for c in rows)]
        ci = c_index[tuple(rec[c] for c in cols)] if two_way else 0
        k = pos[(ri, ci)]
        counts[k] = rec[count]
        stats[k] = {v: rec[v] for v in values}
    is_margin = np.zeros(K, dtype=bool)
    if margins:
        cshape = (len(r_keys), len(c_keys))
        grid_counts = counts.reshape(cshape)
        if two_way:
            grid_counts[:R, C] = grid_counts[:R, :C].sum(axis=1)
            grid_counts[R, :C] = grid_counts[:R, :C].sum(axis=0)
            grid_counts[R, C] = grid_counts[:R, :C].sum()
        else:
            grid_counts[R, 0] = grid_counts[:R, 0].sum()
        counts = grid_counts.ravel()
        for k, (ri, ci) in enumerate(grid):
            is_margin[k] = r_keys[ri] is TOT or (two_way and c_keys[ci] is TOT)
        for rec in given.to_dict("records"):
            rk = TOT if rec[rows[0]] == total_label else tuple(rec[c] for c in rows)
            ck = (TOT if rec[cols[0]] == total_label else tuple(rec[c] for c in cols)) if two_way else ()
            if (rk is not TOT and rk not in r_index) or (two_way and ck is not TOT and ck not in c_index):
                raise ValueError(f"margin row {rec} refers to a level with no cells")
            ri = R if rk is TOT else r_index[rk]
            ci = (C if ck is TOT else c_index[ck]) if two_way else 0
            k = pos[(ri, ci)]
            counts[k] = rec[count]
            stats[k] = {v: rec[v] for v in values}

    def dims_of(k: int) -> dict[str, Any]:
        ri, ci = grid[k]
        d: dict[str, Any] = {}
        if r_keys[ri] is not TOT:
            d.update(zip(rows, r_keys[ri]))
        if two_way and c_keys[ci] is not TOT:
            d.update(zip(cols, c_keys[ci]))
        return d

    small = np.array([pol.is_small(n) for n in counts], dtype=bool)  # bool even when the table is empty
    forced = np.zeros(K, dtype=bool)
    elsewhere = np.zeros(K, dtype=bool)
    cell_keys: list[CellKey] = []
    if ledger is not None:
        cell_keys = [CellKey.of(family, dims_of(k)) for k in range(K)]
        # sticky: a cell this table hid before stays hidden, so repeated passes only grow
        forced = np.array([ledger.is_suppressed(key) for key in cell_keys], dtype=bool)
        elsewhere = np.array([ledger.is_suppressed(key, exclude=name) for key in cell_keys], dtype=bool)
    pattern = secondary_suppression(
        A, counts, small | forced, small,
        threshold=pol.threshold, protect_zeros=pol.protect_zeros,
        distinguishes_small=pol.distinguishes_small, is_margin=is_margin,
    )
    # pattern.unresolved is only ever set once every cell is hidden (nothing is
    # left to hide): the bounds implied by the policy itself then pin a cell,
    # e.g. a whole table of 1s under threshold 3. Nothing but the note remains.
    hidden = pattern.hidden
    status = np.where(small, "primary", np.where(elsewhere, "consistency", np.where(hidden, "secondary", "published")))

    # percentages whose denominator is hidden
    pct_hidden = np.zeros(K, dtype=bool)
    n_pct = 0
    for stat, den in percent_of.items():
        for k, (ri, ci) in enumerate(grid):
            if hidden[k]:
                continue
            if den in ("cell", "cell%"):  # a share of the cell's own persons: the implied count is a count
                v = stats[k][stat]
                if _is_missing(v):
                    continue
                implied = int(round(float(v) * float(counts[k]) / (100.0 if den == "cell%" else 1.0)))
                if pol.is_small(implied) or pol.is_small(int(counts[k]) - implied):
                    stats[k][stat] = None
                    pct_hidden[k] = True
                    n_pct += 1
                continue
            if den == "row":
                d = pos[(ri, len(c_keys) - 1)]
            elif den == "col":
                d = pos[(len(r_keys) - 1, ci)]
            else:
                d = pos[(len(r_keys) - 1, len(c_keys) - 1)]
            if hidden[d] and not _is_missing(stats[k][stat]):
                stats[k][stat] = None
                pct_hidden[k] = True
                n_pct += 1

    # the publishable long table
    sym_small = pol.table_symbol(small=True)
    sym = pol.table_symbol(small=False)
    records, status_records = [], []
    for k, (ri, ci) in enumerate(grid):
        key_vals = dict.fromkeys(keys, total_label)
        key_vals.update(dims_of(k))
        rec = dict(key_vals)
        s = sym_small if status[k] == "primary" else sym
        for c in shown:
            if hidden[k]:
                rec[c] = s
            elif c == count:
                rec[c] = int(counts[k])
            elif stats[k][c] is None:
                rec[c] = sym
            else:
                rec[c] = stats[k][c]
        records.append(rec)
        status_records.append({**key_vals, "status": str(status[k]), "percent_hidden": bool(pct_hidden[k])})
    table = pd.DataFrame.from_records(records, columns=keys + shown).astype(object)
    suppression = pd.DataFrame.from_records(status_records, columns=keys + ["status", "percent_hidden"])

    if ledger is not None:
        ledger.record_table(name, {cell_keys[k]: bool(hidden[k]) for k in range(K)})

    remarks = _note(pol, int((status == "primary").sum()), int((status == "secondary").sum()),
                    int((status == "consistency").sum()), n_pct)
    row_order = tuple(r_levels) + ((tuple([total_label] * len(rows)),) if margins else ())
    col_order = (tuple(c_levels) + ((tuple([total_label] * len(cols)),) if margins else ())) if two_way else ()
    return ProtectedTable(
        table=table,
        suppression=suppression,
        row=tuple(rows),
        col=tuple(cols),
        shown=tuple(shown),
        policy=pol,
        total_label=total_label,
        name=name,
        family=family,
        formats=dict(formats or {}),
        row_order=row_order,
        col_order=col_order,
        remarks=remarks,
    )


def _is_missing(x: Any) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x))


def _note(pol: DisclosurePolicy, n_primary: int, n_secondary: int, n_consistency: int, n_pct: int) -> tuple[str, ...]:
    """The plain-language note under a table."""
    if not (n_primary or n_secondary or n_consistency or n_pct):
        return ()
    parts = []
    if n_primary:
        parts.append(pol.plural("primary", n_primary, zeros=pol.text("zeros") if pol.protect_zeros else ""))
    if n_secondary:
        parts.append(pol.plural("secondary", n_secondary))
    if n_consistency:
        parts.append(pol.plural("consistency", n_consistency))
    if n_pct:
        parts.append(pol.plural("percent", n_pct))
    first = "; ".join(parts)
    return (first[0].upper() + first[1:], *pol.note_symbol())
