"""Figures: hide small groups before plotting; stop survival curves in time.

A bar, a point or a line drawn for a group of three persons discloses as
much as the number 3 in a table. :func:`guard_figure_data` removes (or masks)
such groups from the frame a figure is drawn from, and says so in a note.

A Kaplan–Meier curve is a sequence of steps; where few persons remain at
risk each step is one identifiable person's event (or censoring) time.
:func:`truncate_at_risk` cuts each curve at the first time fewer than
``threshold`` persons are at risk, and :func:`check_at_risk` verifies that a
curve about to be drawn already stops there.

Conventions
-----------
* ``at_risk`` is the number at risk at the start of the time point (as in
  lifelines' ``event_table``), so the last step drawn is computed from at
  least ``threshold`` persons.
* Once the number at risk has dropped below the threshold the curve stops,
  even if a later row (late entry) climbs back above it.
* Rows are taken in ``time_col`` order when given, else in frame order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.results import Result

from .counting import require_columns
from .errors import DisclosureError
from .ledger import CellKey, SuppressionLedger
from .policy import DisclosurePolicy
from .tables import as_policy

__all__ = ["guard_figure_data", "GuardedFigureData", "truncate_at_risk", "TruncatedCurves", "check_at_risk"]


def _as_list(cols: str | Sequence[str] | None) -> list[str]:
    if cols is None:
        return []
    return [cols] if isinstance(cols, str) else list(cols)


@dataclass(frozen=True, eq=False)
class GuardedFigureData(Result):
    """Figure data with small groups removed or masked.

    Attributes
    ----------
    data : DataFrame
        The frame to plot.
    n_hidden : int
        Groups (or rows, without ``group``) hidden.
    """

    data: pd.DataFrame
    n_hidden: int = 0

    def to_frame(self) -> pd.DataFrame:
        return self.data.copy()


def guard_figure_data(
    frame: pd.DataFrame,
    *,
    count_col: str,
    policy: DisclosurePolicy | Mapping[str, Any] | None = None,
    action: str = "drop",
    value_cols: Sequence[str] | None = None,
    group: str | Sequence[str] | None = None,
    ledger: SuppressionLedger | None = None,
    family: str | None = None,
    dims: str | Sequence[str] | None = None,
    name: str | None = None,
) -> GuardedFigureData:
    """Drop or mask the groups of a figure that rest on too few persons.

    Parameters
    ----------
    frame : DataFrame
        One row per plotted element (bar, point), with the distinct-person
        count behind it in ``count_col``.
    count_col : str
        Column of distinct-person counts.
    action : {"drop", "mask"}
        ``"drop"`` removes hidden rows; ``"mask"`` keeps them (so the axis
        keeps its categories) with ``value_cols`` and ``count_col`` set to NaN.
    value_cols : list of str, optional
        Columns masked with ``action="mask"`` (default: every numeric column).
    group : str or list of str, optional
        Columns identifying a drawn group (e.g. a line per site): if any of its
        rows is small the whole group is hidden. Default: each row alone.
    ledger, family, dims, name
        With a ledger, ``dims`` are the columns that form the cell key of each
        row: rows whose cell is hidden elsewhere in the book are hidden too,
        and the rows shown are recorded under ``name``.

    Returns
    -------
    GuardedFigureData
        ``data`` to plot and a note in ``remarks``.
    """
    pol = as_policy(policy)
    groups = _as_list(group)
    dim_cols = _as_list(dims)
    require_columns(frame, count_col=count_col, group=groups, dims=dim_cols, value_cols=value_cols)
    if action not in ("drop", "mask"):
        raise ValueError(f"action must be 'drop' or 'mask', got {action!r}")
    small = frame[count_col].map(pol.is_small).to_numpy(dtype=bool)
    by_ledger = np.zeros(len(frame), dtype=bool)
    keys: list[CellKey] = []
    if ledger is not None:
        if not family or not dim_cols:
            raise ValueError("with ledger=, pass family=<population counted> and dims=<columns forming the cell key>")
        name = name or f"figure:{family}:{'×'.join(dim_cols)}"
        keys = [CellKey.of(family, dict(zip(dim_cols, t))) for t in frame[dim_cols].itertuples(index=False, name=None)]
        by_ledger = np.array([ledger.is_suppressed(k) for k in keys], dtype=bool)
    hide = small | by_ledger
    if groups:
        gid = frame.groupby(groups, sort=False, dropna=False).ngroup().to_numpy()
        bad_groups_small = set(gid[small])
        bad_groups = set(gid[hide])
        hide = np.isin(gid, list(bad_groups))
        n_small = len(bad_groups_small)
        n_ledger = len(bad_groups - bad_groups_small)
    else:
        n_small = int(small.sum())
        n_ledger = int((by_ledger & ~small).sum())
    if ledger is not None:
        for k, h in zip(keys, hide):
            ledger.record(name, k, bool(h))
    if action == "drop":
        data = frame.loc[~hide].copy()
    else:
        data = frame.copy()
        cols = list(value_cols) if value_cols is not None else [
            c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) and c not in groups + dim_cols
        ]
        for c in {*cols, count_col}:
            data[c] = data[c].astype(float).where(~hide)
    remarks = []
    if n_small:
        remarks.append(pol.plural("figure", n_small))
    if n_ledger:
        remarks.append(pol.plural("figure_ledger", n_ledger))
    return GuardedFigureData(data=data, n_hidden=n_small + n_ledger, remarks=tuple(remarks))


@dataclass(frozen=True, eq=False)
class TruncatedCurves(Result):
    """Survival-curve data cut where fewer than ``threshold`` persons remain at risk.

    Attributes
    ----------
    data : DataFrame
        The rows that may be drawn.
    stopped : tuple
        Groups whose curve was cut (``()`` as the group of an ungrouped frame).
    """

    data: pd.DataFrame
    stopped: tuple = ()

    def to_frame(self) -> pd.DataFrame:
        return self.data.copy()


def _keep_mask(frame: pd.DataFrame, at_risk_col: str, threshold: int, time_col, groups) -> np.ndarray:
    order = frame.sort_values(time_col, kind="stable").index if time_col else frame.index
    ordered = frame.loc[order]
    ok = ordered[at_risk_col].to_numpy(dtype=float) >= threshold
    if groups:
        gid = ordered.groupby(groups, sort=False, dropna=False).ngroup().to_numpy()
        keep = pd.Series(ok).groupby(gid).cummin().to_numpy()
    else:
        keep = np.minimum.accumulate(ok)
    out = pd.Series(keep, index=order).reindex(frame.index)
    return out.to_numpy(dtype=bool)


def truncate_at_risk(
    frame: pd.DataFrame,
    *,
    at_risk_col: str,
    policy: DisclosurePolicy | Mapping[str, Any] | None = None,
    time_col: str | None = None,
    group: str | Sequence[str] | None = None,
) -> TruncatedCurves:
    """Cut each curve at the first time fewer than ``threshold`` persons are at risk.

    Parameters
    ----------
    frame : DataFrame
        One row per time point (and group): e.g. a Kaplan–Meier survival
        function joined with lifelines' ``event_table["at_risk"]``.
    at_risk_col : str
        Number at risk at the start of each time point.
    time_col : str, optional
        Time column (rows are sorted by it within each group).
    group : str or list of str, optional
        One curve per group.

    Returns
    -------
    TruncatedCurves
        ``data`` keeps the rows before the first time at which fewer than
        ``threshold`` persons are at risk; ``remarks`` says where curves stop.
    """
    pol = as_policy(policy)
    groups = _as_list(group)
    require_columns(frame, at_risk_col=at_risk_col, time_col=time_col, group=groups)
    keep = _keep_mask(frame, at_risk_col, pol.threshold, time_col, groups)
    if groups:
        gkeys = frame[groups].itertuples(index=False, name=None)
        stopped = tuple(dict.fromkeys(g for g, k in zip(gkeys, keep) if not k))
    else:
        stopped = ((),) if (~keep).any() else ()
    remarks = (pol.text("at_risk"),) if stopped else ()
    return TruncatedCurves(data=frame.loc[keep].copy(), stopped=stopped, remarks=remarks)


def check_at_risk(
    frame: pd.DataFrame,
    *,
    at_risk_col: str,
    policy: DisclosurePolicy | Mapping[str, Any] | None = None,
    time_col: str | None = None,
    group: str | Sequence[str] | None = None,
) -> None:
    """Raise :class:`DisclosureError` if a curve continues below the threshold at risk.

    Use it on the exact frame a figure is drawn from (after
    :func:`truncate_at_risk`, or from any other source).
    """
    pol = as_policy(policy)
    groups = _as_list(group)
    require_columns(frame, at_risk_col=at_risk_col, time_col=time_col, group=groups)
    keep = _keep_mask(frame, at_risk_col, pol.threshold, time_col, groups)
    if not keep.all():
        bad = frame.loc[~keep]
        where = (
            ", ".join(sorted({str(t) for t in bad[groups].itertuples(index=False, name=None)}))
            if groups else "the curve"
        )
        raise DisclosureError(
            f"{int((~keep).sum())} point(s) of {where} are drawn where fewer than {pol.threshold} "
            f"persons are at risk; pass the frame through truncate_at_risk(frame, at_risk_col="
            f"{at_risk_col!r}, ...) before plotting"
        )
