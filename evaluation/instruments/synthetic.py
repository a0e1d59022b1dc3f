"""Synthetic responses generated from an instrument definition.

:func:`synthetic_responses` draws a frame of answers that satisfies the
definition: codes from the choice lists, values inside ranges, skip logic
honoured (items not asked are left empty), one ticked option per multiple
choice, dates inside the wave windows, identifiers in their canonical form
(national register numbers with valid check digits). It is used by the
property tests of intake and by the synthetic demo evaluation; every value
is made up.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .expr import parse
from .loader import InstrumentDefinition

__all__ = ["synthetic_responses", "synthetic_national_register", "synthetic_prison_number"]


def synthetic_national_register(rng: np.random.Generator) -> str:
    """A made-up Belgian national register number with valid check digits."""
    born_2000 = rng.random() < 0.3
    yy = int(rng.integers(0, 6)) if born_2000 else int(rng.integers(50, 100))
    mm, dd, seq = int(rng.integers(1, 13)), int(rng.integers(1, 29)), int(rng.integers(1, 998))
    first9 = f"{yy:02d}{mm:02d}{dd:02d}{seq:03d}"
    base = int(("2" if born_2000 else "") + first9)
    return f"{first9}{97 - base % 97:02d}"


def synthetic_prison_number(rng: np.random.Generator) -> str:
    return f"{int(rng.integers(100000, 999999))}"


def _value(item, defn, rng, n, wave_dates):
    if item.role == "date":
        return wave_dates
    if item.type in ("single_choice",):
        codes = np.array(defn.codes(item))
        return rng.choice(codes, size=n).astype(float)
    if item.type in ("integer", "number"):
        low = float(item.range.min) if item.range and item.range.min is not None else 0.0
        high = float(item.range.max) if item.range and item.range.max is not None else low + 50
        if item.type == "integer":
            return rng.integers(int(np.ceil(low)), int(np.floor(high)) + 1, size=n).astype(float)
        return np.round(rng.uniform(low, high, size=n), 1)
    if item.type == "date":
        start = pd.Timestamp("2024-01-01")
        return start + pd.to_timedelta(rng.integers(0, 700, size=n), unit="D")
    if item.type == "text":
        if item.free_text:
            return np.array(["(synthetic comment)"] * n, dtype=object)
        return np.array([f"synthetic {k}" for k in rng.integers(1, 9, size=n)], dtype=object)
    raise ValueError(item.type)


def synthetic_responses(
    defn: InstrumentDefinition,
    n: int,
    *,
    site: str,
    seed: int = 0,
    wave: str | None = None,
    start: dt.date = dt.date(2025, 3, 3),
    people: list[str] | None = None,
    dates=None,
    fixed: dict | None = None,
) -> pd.DataFrame:
    """``n`` synthetic, valid rows of ``defn`` for ``site`` (one wave; default the first).

    ``people`` gives the raw identifiers to use (e.g. the same people at
    baseline and follow-up); default fresh made-up ones. ``dates`` (``n``
    date-likes) replaces the drawn dates of the ``role: date`` item.
    ``fixed`` maps column names (an item, or ``<item>_<code>`` of a multiple
    choice) to ``n`` values that replace the drawn ones *before* skip logic
    is applied, so that e.g. a fixed ``peer_contact`` empties the follow-up
    questions of those who answered no; the caller keeps fixed values inside
    the definition's codes and ranges.
    """
    rng = np.random.default_rng(seed)
    waves = {w.name: w for w in defn.meta.waves}
    w = waves[wave] if wave else defn.meta.waves[0]
    offset = 0
    if w.window is not None:
        offset = int(round(7 * (w.window.min_weeks + w.window.max_weeks) / 2))
    base = pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, 60, size=n), unit="D")
    wave_dates = base + pd.Timedelta(days=offset)
    if dates is not None:
        wave_dates = pd.DatetimeIndex(pd.to_datetime(list(dates)))
        if len(wave_dates) != n:
            raise ValueError(f"dates has {len(wave_dates)} values; pass exactly n={n} dates")
    out: dict[str, object] = {}
    for item in defn.items:
        if item.role == "pid":
            if people is not None:
                out[item.name] = list(people)[:n]
            elif item.identifier == "national_register":
                out[item.name] = [synthetic_national_register(rng) for _ in range(n)]
            else:  # distinct made-up numbers: one row per person
                out[item.name] = [str(v) for v in rng.choice(9_000_000, size=n, replace=False) + 1_000_000]
            continue
        if item.role == "link":
            out[item.name] = [synthetic_national_register(rng) for _ in range(n)]
            continue
        if item.role == "site":
            out[item.name] = [site] * n
            continue
        if item.role == "wave":
            out[item.name] = np.full(n, float(w.code))
            continue
        if item.name == "consent":
            out[item.name] = np.ones(n)
            continue
        if item.type == "multiple_choice":
            codes = defn.codes(item)
            pick = rng.choice(codes, size=n)
            for c in codes:
                out[f"{item.name}_{c}"] = (pick == c).astype(float)
            continue
        out[item.name] = _value(item, defn, rng, n, wave_dates)
    frame = pd.DataFrame(out)
    for col, values in (fixed or {}).items():
        if col not in frame.columns:
            raise ValueError(f"fixed names {col!r}, which is not a column of {defn.ref}; "
                             f"use one of defn.columns()")
        if len(values) != n:
            raise ValueError(f"fixed[{col!r}] has {len(values)} values; pass exactly n={n}")
        frame[col] = np.asarray(values)
    # dates of the data contracts in a plausible order
    if {"entry_date", "release_date"} <= set(frame.columns):
        # one administrative extract on `start`; releases one to four years before it
        extract = pd.Timestamp(start)
        release = extract - pd.to_timedelta(rng.integers(400, 1400, size=n), unit="D")
        entry = release - pd.to_timedelta(rng.integers(120, 700, size=n), unit="D")
        frame["entry_date"], frame["release_date"] = entry, release
        if "first_contact_date" in frame:
            frame["first_contact_date"] = entry + pd.to_timedelta(rng.integers(10, 100, size=n), unit="D")
        if "followup_end" in frame:
            frame["followup_end"] = extract
        if "extract_date" in frame:
            frame["extract_date"] = extract
        for col in ("offence_date", "death_date", "deportation_date"):
            if col in frame:
                frame[col] = pd.NaT
    # skip logic: empty what would not have been asked (in questionnaire order)
    for item in defn.items:
        cols = [c for c in defn.item_columns(item) if c in frame]
        if item.relevant and cols:
            asked = parse(item.relevant).evaluate(frame)
            frame.loc[~asked, cols] = np.nan
        if item.constraint and cols and item.type != "multiple_choice":
            ok = parse(item.constraint.rule).evaluate(frame, self_column=item.name)
            frame.loc[~ok & frame[item.name].notna(), item.name] = np.nan
    return frame
