"""Substance use in the last 30 days as outcomes: days of use (non-users count 0) and injecting.

The questionnaire asks the number of days (1–30) and injecting only of those
who used in the last 30 days (skip logic). As outcomes, a person who did not
use has 0 days and did not inject; nonresponse codes (negative) and a
missing "used" answer are missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["use_outcomes"]


def use_outcomes(data: pd.DataFrame, *, used: str = "used_30d", days: str = "use_days_30d",
                 injected: str = "injected_30d") -> pd.DataFrame:
    """``data`` with ``days_used`` (0–30) and ``injecting`` (0/1) added (see module notes)."""
    missing = [c for c in (used, days, injected) if c not in data.columns]
    if missing:
        raise KeyError(f"columns {missing} not found; pass used=/days=/injected= with your column names")
    u = pd.to_numeric(data[used], errors="coerce")
    d = pd.to_numeric(data[days], errors="coerce")
    i = pd.to_numeric(data[injected], errors="coerce")
    out = data.copy()
    out["days_used"] = np.where(u == 0, 0.0, np.where((u == 1) & (d >= 1), d, np.nan))
    out["injecting"] = np.where(u == 0, 0.0, np.where((u == 1) & i.isin([0, 1]), i, np.nan))
    return out
