"""Counting distinct persons per cell — the unit disclosure control protects.

A table row in the data is a response, a contact or a release episode; a
person can have several. Disclosure rules are about *persons*, so every count
used for suppression is the number of distinct pseudonyms in the cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import pandas as pd

__all__ = ["person_counts", "require_columns"]


def require_columns(data: pd.DataFrame, **columns: str | Sequence[str] | None) -> None:
    """Raise a helpful error if a named column is missing from ``data``.

    ``columns`` maps the keyword argument name to the column name(s) it gave.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    for arg, cols in columns.items():
        if cols is None:
            continue
        for col in [cols] if isinstance(cols, str) else cols:
            if col not in data.columns:
                raise KeyError(
                    f"column {col!r} not found in data; pass {arg}=<your column name> "
                    f"(columns are: {', '.join(map(str, data.columns))})"
                )


def _as_list(cols: str | Sequence[str]) -> list[str]:
    return [cols] if isinstance(cols, str) else list(cols)


def person_counts(
    data: pd.DataFrame,
    *,
    by: str | Sequence[str],
    subject: str = "pid",
    margins: bool = False,
    total_label: str = "Total",
    name: str = "n_persons",
    dropna: bool = False,
) -> pd.DataFrame:
    """Number of distinct persons in each cell of ``by``.

    Parameters
    ----------
    data : DataFrame
        Tidy data, one row per observation (response, contact, episode, …).
    by : str or list of str
        The columns that define a cell (e.g. ``["site", "sex"]``).
    subject : str, default "pid"
        Column holding the person's pseudonym. Rows without one are an error:
        they cannot be counted as persons.
    margins : bool, default False
        Also return the margins, counted as *distinct persons* (not as sums of
        cells: a person seen at two waves is one person in the total). A
        margin row carries ``total_label`` in the dimensions summed over; with
        ``by=["site", "sex"]`` that is ``(site, Total)``, ``(Total, sex)`` and
        ``(Total, Total)``. Dimension columns become ``object`` dtype.
    total_label : str, default "Total"
        Label of margin rows.
    name : str, default "n_persons"
        Name of the count column.
    dropna : bool, default False
        Drop rows whose ``by`` value is missing. By default they form their own
        cell (a missing site is still a person who must be protected).

    Returns
    -------
    DataFrame
        The ``by`` columns and ``name`` (int). Only observed combinations are
        listed; categorical columns keep their category order.

    Examples
    --------
    >>> df = pd.DataFrame({"pid": ["a", "a", "b"], "site": ["P01", "P01", "P02"]})
    >>> person_counts(df, by="site")
      site  n_persons
    0  P01          1
    1  P02          1
    """
    by_cols = _as_list(by)
    if not by_cols:
        raise ValueError("by= needs at least one column, e.g. by=['site']")
    require_columns(data, by=by_cols, subject=subject)
    if name in by_cols:
        raise ValueError(f"name={name!r} clashes with a by= column; pass another name=")
    missing = int(data[subject].isna().sum())
    if missing:
        raise ValueError(
            f"column {subject!r} has {missing} missing value(s); every row must carry the "
            f"person's pseudonym to be counted (pass subject=<your pseudonym column>)"
        )
    frame = data[[*by_cols, subject]]
    if dropna:
        frame = frame.dropna(subset=by_cols)

    def count(cols: list[str]) -> pd.DataFrame:
        if not cols:
            return pd.DataFrame({name: [frame[subject].nunique()]})
        return (
            frame.groupby(cols, observed=True, dropna=False, sort=True)[subject]
            .nunique()
            .rename(name)
            .reset_index()
        )

    out = count(by_cols)
    if margins:
        parts = [out.astype({c: object for c in by_cols})]
        for k in range(len(by_cols) - 1, -1, -1):
            for kept in combinations(by_cols, k):
                part = count(list(kept))
                for c in by_cols:
                    if c not in kept:
                        part[c] = total_label
                parts.append(part[[*by_cols, name]].astype({c: object for c in by_cols}))
        out = pd.concat(parts, ignore_index=True)
    out[name] = out[name].astype("int64")
    return out
