"""Argument checks shared by the recidivism modules (programmer-facing errors)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__: list[str] = []


def require_frame(data, name: str = "data") -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(data).__name__}")
    return data


def require_columns(data: pd.DataFrame, name: str = "data", **columns: str | None) -> None:
    """Raise a KeyError naming the argument to fix for every missing column."""
    missing = [
        f"column {col!r} not found in {name}; pass {arg}=<your column name>"
        for arg, col in columns.items()
        if col is not None and col not in data.columns
    ]
    if missing:
        raise KeyError("; ".join(missing))


def durations_events(data: pd.DataFrame, duration: str, event: str) -> tuple[np.ndarray, np.ndarray]:
    """Return float durations and 0/1 integer events, refusing missing or negative values."""
    require_columns(data, duration=duration, event=event)
    t = pd.to_numeric(data[duration], errors="coerce").to_numpy(dtype=float)
    e = pd.to_numeric(data[event], errors="coerce").to_numpy(dtype=float)
    if np.isnan(t).any():
        raise ValueError(
            f"column {duration!r} (duration=) has missing or non-numeric values; "
            "drop those rows or build the cohort with build_cohort()"
        )
    if (t < 0).any():
        raise ValueError(f"column {duration!r} (duration=) has negative values; times start at release (0)")
    if np.isnan(e).any() or not np.isin(e, (0, 1)).all():
        raise ValueError(f"column {event!r} (event=) must hold 0 (censored) or 1 (event) only")
    return t, e.astype(int)


def two_groups(values: pd.Series, group: str, treated=None) -> tuple[object, object]:
    """Return (treated level, comparison level) of a two-level group column."""
    levels = sorted(pd.unique(values.dropna()), key=str)
    if len(levels) != 2:
        raise ValueError(
            f"column {group!r} (group=) must have exactly two levels, found {len(levels)}: {levels[:5]}"
        )
    if treated is None:
        treated = "participant" if "participant" in levels else levels[1]
    if treated not in levels:
        raise ValueError(f"treated={treated!r} is not a level of column {group!r}; levels are {levels}")
    other = levels[0] if levels[1] == treated else levels[1]
    return treated, other
