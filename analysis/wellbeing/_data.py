"""Private helpers: column checks and the pre/post reshaping shared by the modules."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.wellbeing.scoring import _require_columns

__all__: list[str] = []


def resolve_waves(data: pd.DataFrame, wave: str, pre, post) -> tuple[object, object]:
    """Baseline and follow-up wave labels; inferred only when exactly two waves exist."""
    present = list(pd.unique(data[wave].dropna()))
    if pre is None or post is None:
        if len(present) != 2:
            raise ValueError(
                f"data has {len(present)} waves {sorted(map(str, present))}; "
                "pass pre=<baseline wave> and post=<follow-up wave>"
            )
        try:
            present = sorted(present)
        except TypeError:
            present = sorted(present, key=str)
        pre = present[0] if pre is None else pre
        post = present[1] if post is None else post
    for arg, val in (("pre", pre), ("post", post)):
        if val not in present:
            raise ValueError(f"{arg}={val!r} is not a wave in column {wave!r}; waves present: {present}")
    if pre == post:
        raise ValueError("pre and post must be different waves")
    return pre, post


def wide(
    data: pd.DataFrame, *, subject: str, wave: str, outcome: str, pre, post, site: str | None = None,
    extra: tuple[str, ...] = (),
) -> pd.DataFrame:
    """One row per subject with ``pre`` and ``post`` scores (NaN where absent or invalid).

    Baseline attributes (``site`` and ``extra`` columns) are taken from the
    baseline row, else the follow-up row.
    """
    _require_columns(data, subject=subject, wave=wave, outcome=outcome, site=site)
    for col in extra:
        _require_columns(data, **{col: col})
    d = data[data[wave].isin([pre, post])]
    dup = d.duplicated([subject, wave])
    if dup.any():
        first = d.loc[dup, subject].iloc[0]
        raise ValueError(
            f"subject {first!r} has more than one row in a wave; keep one row per "
            f"{subject} × {wave} (e.g. the first valid score) before calling"
        )
    y = pd.to_numeric(d[outcome], errors="coerce")
    scores = (
        pd.DataFrame({"s": d[subject].to_numpy(), "w": np.where(d[wave] == pre, "pre", "post"), "y": y.to_numpy()})
        .pivot(index="s", columns="w", values="y")
        .reindex(columns=["pre", "post"])
    )
    attrs = [c for c in ((site,) if site else ()) + tuple(extra) if c != subject]
    if attrs:
        order = d.assign(_o=np.where(d[wave] == pre, 0, 1)).sort_values("_o")
        info = order.drop_duplicates(subject).set_index(subject)[attrs]
        scores = scores.join(info)
    scores.index.name = subject
    return scores.reset_index()


def t_ci(x, ci: float = 0.95) -> tuple[float, float, float, int]:
    """Mean of ``x`` with a t interval: (mean, low, high, n)."""
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return (np.nan, np.nan, np.nan, 0)
    m = float(x.mean())
    if n < 2:
        return (m, np.nan, np.nan, n)
    half = stats.t.ppf(0.5 + ci / 2, n - 1) * x.std(ddof=1) / np.sqrt(n)
    return (m, m - half, m + half, n)
