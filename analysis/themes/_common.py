"""Shared checks for the themes modules: columns, code hierarchy, spans.

Private: the public functions of :mod:`analysis.themes` call these so that every
module reports a missing column or a broken code hierarchy the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

__all__: list[str] = []


def require_frame(data, argument: str) -> pd.DataFrame:
    """Raise a TypeError naming ``argument`` unless ``data`` is a DataFrame."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"{argument} must be a pandas DataFrame, got {type(data).__name__}; "
            f"pass {argument}=<your tidy frame>"
        )
    return data


def require_columns(data: pd.DataFrame, columns: Mapping[str, str | None], frame: str = "data") -> None:
    """Check that each named column exists.

    ``columns`` maps the keyword argument (e.g. ``"subject"``) to the column name
    the caller passed (e.g. ``"pid"``); ``None`` means "not used" and is skipped.
    """
    for argument, column in columns.items():
        if column is None:
            continue
        if column not in data.columns:
            raise KeyError(
                f"column {column!r} not found in {frame}; "
                f"pass {argument}=<your column name> (columns are: {', '.join(map(str, data.columns))})"
            )


def resolve_parents(parents: Mapping[str, str] | None) -> dict[str, str]:
    """Map every code in ``parents`` to its top-level theme (its root).

    ``parents`` maps a sub-code to its parent code; hierarchies of any depth are
    followed to the root. A code that is nobody's child is its own theme.
    Raises ValueError on a cycle (e.g. ``{"a": "b", "b": "a"}``).
    """
    if parents is None:
        return {}
    if not isinstance(parents, Mapping):
        raise TypeError(
            "parents must be a mapping {sub_code: theme_code}, "
            f"got {type(parents).__name__}; pass parents=dict(...) from the codebook"
        )
    roots: dict[str, str] = {}
    for code in parents:
        seen = [code]
        node = code
        while node in parents:
            node = parents[node]
            if node in seen:
                chain = " -> ".join(map(str, seen + [node]))
                raise ValueError(f"parents has a cycle ({chain}); each sub-code needs one theme above it")
            seen.append(node)
        roots[code] = node
    return roots


def roll_up(codes: pd.Series, parents: Mapping[str, str] | None) -> pd.Series:
    """Replace each code by its top-level theme (codes not in ``parents`` stay)."""
    roots = resolve_parents(parents)
    if not roots:
        return codes.copy()
    return codes.map(lambda c: roots.get(c, c))


def all_themes(observed: Sequence[str], parents: Mapping[str, str] | None) -> list[str]:
    """Themes known from the hierarchy plus themes observed, in a stable order.

    Order: themes in the order they first appear as roots of ``parents``, then
    observed themes not in the hierarchy, sorted.
    """
    roots = resolve_parents(parents)
    ordered: list[str] = []
    for root in roots.values():
        if root not in ordered:
            ordered.append(root)
    extra = sorted({str(t) for t in observed} - set(map(str, ordered)))
    by_str = {str(t): t for t in observed}
    return ordered + [by_str[t] for t in extra]


def check_spans(data: pd.DataFrame, start: str, end: str, frame: str = "data") -> None:
    """Offsets must be whole numbers with ``0 <= start < end``."""
    bad_na = data[start].isna() | data[end].isna()
    if bad_na.any():
        raise ValueError(
            f"{int(bad_na.sum())} rows of {frame} have no {start!r}/{end!r} offset; "
            "every coded segment needs character offsets into its transcript"
        )
    bad = (data[start] < 0) | (data[end] <= data[start])
    if bad.any():
        first = data.index[bad][0]
        raise ValueError(
            f"{int(bad.sum())} rows of {frame} have start < 0 or end <= start (first: row {first!r}); "
            "offsets are 0-based character positions with end after start"
        )
