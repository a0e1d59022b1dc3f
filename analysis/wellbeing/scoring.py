"""Scale scoring driven by a scale definition.

The scale definitions live as YAML files under ``instruments/scales/``; the
``analysis`` package never reads them.  The evaluation side turns one into a
plain mapping and hands it to :meth:`ScaleSpec.from_mapping`; everything here
works from that frozen :class:`ScaleSpec`.  Item texts play no role in
scoring, so licensed scales (WEMWBS) are scored exactly like free ones.

Scoring rules, in order
-----------------------
1. Values in ``missing_codes`` (don't know / refused / not applicable) become
   missing; they are never treated as values.
2. Any other value outside ``[item_min, item_max]`` (or not a number) raises
   :class:`ItemValueError` naming the column and the rows.
3. Reverse-keyed items are reversed as ``item_min + item_max - x``.
4. ``n_answered`` counts the answered items.  A score is *valid* when at most
   ``max_missing`` items are missing (and at least one is answered).
5. ``method="sum"``: the sum of the items; with missing items (still valid)
   and ``prorate=True`` the sum is prorated as ``mean(answered) * n_items``.
   Without prorating a sum is only defined for complete responses, so any
   missing item makes it invalid.  ``method="mean"``: the mean of the answered
   items (a mean is prorated by construction).
6. The result is multiplied by ``multiplier`` (WHO-5: raw 0–25 × 4 → 0–100).
7. Invalid scores are ``NaN`` with ``valid=False``.
8. Categories come from the cut-offs (inclusive bounds).  A score in a gap
   between one category's ``max`` and the next one's ``min`` – possible with
   prorated, non-integer scores – belongs to the higher category: the upper
   bound ``max`` is authoritative (WHO-5 "≤ 50 is poor": 50.5 is not poor).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Cutoff", "ScaleSpec", "ItemValueError", "prepare_items", "score_scale"]


class ItemValueError(ValueError):
    """An item holds a value that is neither in range nor a missing code."""


@dataclass(frozen=True)
class Cutoff:
    """One category of a scale: inclusive bounds ``min <= score <= max``."""

    label: str
    min: float | None = None
    max: float | None = None


_KNOWN_KEYS = {
    "id", "version", "items", "method", "multiplier", "reverse", "item_min",
    "item_max", "max_missing", "prorate", "range", "cutoffs", "mic",
    "retest_r", "retest_source", "norm_sd", "norm_sd_source", "missing_codes",
    "higher_is_better", "verified",
}


def _opt_float(value, key: str) -> float | None:
    if value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"scale definition: {key!r} must be a number or None, got {value!r}") from None
    if math.isnan(out):
        return None
    return out


@dataclass(frozen=True)
class ScaleSpec:
    """A scale's scoring rule (see the module docstring for the rules).

    Build it with :meth:`from_mapping`; the fields mirror the mapping's keys.
    ``range`` is stored as ``score_range``.
    """

    id: str
    items: tuple[str, ...]
    item_min: float
    item_max: float
    version: str = ""
    method: str = "sum"
    multiplier: float = 1.0
    reverse: tuple[str, ...] = ()
    max_missing: int = 0
    prorate: bool = True
    score_range: tuple[float, float] | None = None
    cutoffs: tuple[Cutoff, ...] = ()
    mic: float | None = None
    retest_r: float | None = None
    retest_source: str | None = None
    norm_sd: float | None = None
    norm_sd_source: str | None = None
    missing_codes: tuple[float, ...] = ()
    higher_is_better: bool = True
    verified: bool = False  # psychometric inputs (retest_r, norm_sd) checked against their source

    @classmethod
    def from_mapping(cls, d: Mapping) -> ScaleSpec:
        """Build a spec from the mapping the evaluation side produces.

        Required keys: ``id``, ``items``, ``item_min``, ``item_max``.  Keys
        this function does not know are ignored (e.g. labels and sources the
        YAML may carry); absent optional keys take the defaults above.

        Raises
        ------
        ValueError
            When a key is malformed, a reverse-keyed item is not one of the
            items, or ``range`` disagrees with the range implied by the items,
            method and multiplier.
        """
        if not isinstance(d, Mapping):
            raise TypeError(f"ScaleSpec.from_mapping expects a mapping, got {type(d).__name__}")
        missing = [k for k in ("id", "items", "item_min", "item_max") if d.get(k) is None]
        if missing:
            raise ValueError(f"scale definition {d.get('id', '?')!r} lacks required key(s) {missing}")
        sid = str(d["id"])
        items = tuple(str(i) for i in d["items"])
        if not items:
            raise ValueError(f"scale definition {sid!r}: 'items' is empty")
        if len(set(items)) != len(items):
            raise ValueError(f"scale definition {sid!r}: 'items' lists an item twice")
        method = str(d.get("method") or "sum")
        if method not in ("sum", "mean"):
            raise ValueError(f"scale definition {sid!r}: method must be 'sum' or 'mean', got {method!r}")
        reverse = tuple(str(i) for i in (d.get("reverse") or ()))
        unknown = [r for r in reverse if r not in items]
        if unknown:
            raise ValueError(f"scale definition {sid!r}: reverse-keyed item(s) {unknown} are not in 'items'")
        item_min, item_max = float(d["item_min"]), float(d["item_max"])
        if not item_min < item_max:
            raise ValueError(f"scale definition {sid!r}: item_min must be below item_max")
        mult = d.get("multiplier")
        mult = 1.0 if mult is None else float(mult)
        max_missing = int(d.get("max_missing") or 0)
        if not 0 <= max_missing < len(items):
            raise ValueError(f"scale definition {sid!r}: max_missing must be between 0 and {len(items) - 1}")
        cutoffs = []
        for c in d.get("cutoffs") or ():
            if "label" not in c:
                raise ValueError(f"scale definition {sid!r}: every cut-off needs a 'label'")
            cutoffs.append(Cutoff(str(c["label"]), _opt_float(c.get("min"), "cutoffs.min"),
                                  _opt_float(c.get("max"), "cutoffs.max")))
        cutoffs.sort(key=lambda c: -math.inf if c.min is None else c.min)
        rng = d.get("range")
        spec = cls(
            id=sid, version=str(d.get("version") or ""), items=items, method=method,
            multiplier=mult, reverse=reverse, item_min=item_min, item_max=item_max,
            max_missing=max_missing, prorate=bool(d.get("prorate", True)),
            score_range=None if rng is None else (float(rng[0]), float(rng[1])),
            cutoffs=tuple(cutoffs), mic=_opt_float(d.get("mic"), "mic"),
            retest_r=_opt_float(d.get("retest_r"), "retest_r"),
            retest_source=d.get("retest_source"),
            norm_sd=_opt_float(d.get("norm_sd"), "norm_sd"),
            norm_sd_source=d.get("norm_sd_source"),
            missing_codes=tuple(float(x) for x in (d.get("missing_codes") or ())),
            higher_is_better=bool(d.get("higher_is_better", True)),
            verified=d.get("verified") is True,
        )
        if spec.retest_r is not None and not 0 < spec.retest_r < 1:
            raise ValueError(f"scale definition {sid!r}: retest_r must lie strictly between 0 and 1")
        lo, hi = spec.implied_range
        if spec.score_range is not None and not (
            math.isclose(lo, spec.score_range[0]) and math.isclose(hi, spec.score_range[1])
        ):
            raise ValueError(
                f"scale definition {sid!r}: range {list(spec.score_range)} disagrees with the "
                f"items ({len(items)} x {item_min:g}..{item_max:g}, {method}, x{mult:g}) "
                f"which give {lo:g}..{hi:g}; correct 'range' or 'multiplier'"
            )
        return spec

    @property
    def implied_range(self) -> tuple[float, float]:
        """The score range implied by items, method and multiplier."""
        n = len(self.items) if self.method == "sum" else 1
        return (self.item_min * n * self.multiplier, self.item_max * n * self.multiplier)

    @property
    def step(self) -> float:
        """Smallest possible change of an unprorated score: one item point × multiplier
        (divided by the number of items for ``method="mean"``); WHO-5: 4."""
        return self.multiplier if self.method == "sum" else self.multiplier / self.n_items

    @property
    def n_items(self) -> int:
        return len(self.items)

    def categorise(self, scores) -> pd.Categorical:
        """Category labels of ``scores`` (NaN where invalid or outside every cut-off)."""
        labels = [c.label for c in self.cutoffs]
        s = np.asarray(scores, dtype=float)
        out = np.full(s.shape, None, dtype=object)
        if self.cutoffs:
            lowest = self.cutoffs[0].min
            for i, x in enumerate(s):
                if np.isnan(x) or (lowest is not None and x < lowest):
                    continue
                for c in self.cutoffs:
                    if c.max is None or x <= c.max:
                        out[i] = c.label
                        break
        return pd.Categorical(out, categories=labels, ordered=True)


def _require_columns(data: pd.DataFrame, **cols) -> None:
    for arg, col in cols.items():
        if col is not None and col not in data.columns:
            raise KeyError(f"column {col!r} not found in data; pass {arg}=<your column name>")


def prepare_items(data: pd.DataFrame, spec: ScaleSpec) -> pd.DataFrame:
    """The item columns as floats: missing codes → NaN, reverse keys applied.

    Raises
    ------
    KeyError
        When an item column is absent.
    ItemValueError
        When a value is neither a missing code nor within
        ``[item_min, item_max]``; the message names the column and rows.
    """
    absent = [c for c in spec.items if c not in data.columns]
    if absent:
        raise KeyError(
            f"item column(s) {absent} of scale {spec.id!r} not found in data; "
            "rename your columns to the item names of the scale definition"
        )
    out = {}
    problems = []
    for col in spec.items:
        raw = data[col]
        num = pd.to_numeric(raw, errors="coerce").astype(float)
        not_number = num.isna() & raw.notna()
        if spec.missing_codes:
            num = num.mask(num.isin(spec.missing_codes))
        bad = not_number | (num.notna() & ((num < spec.item_min) | (num > spec.item_max)))
        if bad.any():
            rows = list(data.index[bad.to_numpy()])
            vals = list(raw[bad].unique())
            shown = ", ".join(map(str, rows[:10])) + (", ..." if len(rows) > 10 else "")
            problems.append(
                f"column {col!r}, row(s) {shown}: value(s) {vals[:5]} outside "
                f"{spec.item_min:g}..{spec.item_max:g}"
            )
        if col in spec.reverse:
            num = spec.item_min + spec.item_max - num
        out[col] = num
    if problems:
        codes = list(spec.missing_codes) or "none"
        raise ItemValueError(
            f"scale {spec.id!r}: out-of-range item values (missing codes {codes} are allowed): "
            + "; ".join(problems)
            + ". Correct the values or declare them as missing codes in the scale definition."
        )
    return pd.DataFrame(out, index=data.index)


def score_scale(
    data: pd.DataFrame,
    spec: ScaleSpec | Mapping,
    *,
    subject: str = "pid",
    wave: str | None = "wave",
    site: str | None = "site",
    group: str | None = None,
) -> pd.DataFrame:
    """Score one scale for every row of a responses frame.

    Parameters
    ----------
    data : DataFrame
        Responses: one row per respondent × wave with the item columns named
        as in ``spec.items``.
    spec : ScaleSpec or mapping
        The scale definition (a mapping is passed to :meth:`ScaleSpec.from_mapping`).
    subject, wave, site, group : str, keyword-only
        Column names; ``wave``, ``site`` and ``group`` may be None.

    Returns
    -------
    DataFrame
        The scores frame: ``subject``, ``site``, ``wave``, ``group`` (the
        caller's column names; ``group`` is all-missing when not given),
        ``score`` (float, NaN when invalid), ``n_answered`` (int),
        ``valid`` (bool) and ``category`` (ordered categorical from the
        cut-offs), in the row order of ``data``.
    """
    if not isinstance(spec, ScaleSpec):
        spec = ScaleSpec.from_mapping(spec)
    _require_columns(data, subject=subject, wave=wave, site=site, group=group)
    items = prepare_items(data, spec)
    arr = items.to_numpy(dtype=float)
    n_answered = (~np.isnan(arr)).sum(axis=1)
    n_missing = spec.n_items - n_answered
    valid = (n_missing <= spec.max_missing) & (n_answered > 0)
    with np.errstate(invalid="ignore"):
        means = np.nanmean(np.where(n_answered[:, None] > 0, arr, 0.0), axis=1)
    if spec.method == "mean":
        raw = means
    else:
        if not spec.prorate:
            valid &= n_missing == 0
        raw = means * spec.n_items
    score = np.where(valid, raw * spec.multiplier, np.nan)
    out = pd.DataFrame(index=data.index)
    out[subject] = data[subject]
    group_name = group or "group"
    for col, name in ((site, "site"), (wave, "wave")):
        if col is not None:
            out[col] = data[col]
    out[group_name] = data[group] if group is not None else pd.Series(pd.NA, index=data.index, dtype=object)
    out["score"] = score
    out["n_answered"] = n_answered.astype(int)
    out["valid"] = valid.astype(bool)
    out["category"] = spec.categorise(score)
    return out.reset_index(drop=True)
