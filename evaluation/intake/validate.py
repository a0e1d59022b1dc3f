"""Validate a submitted frame against an instrument definition, in one pass.

:func:`validate` checks every column and every cell and returns the typed
frame together with every problem found (never stopping at the first):
unknown or missing columns, wrong types, codes outside the choice list (SPSS
value labels and typed-in labels taken into account), values outside range or
constraint, required answers left empty, answers where skip logic says the
question was not asked, duplicate respondent × wave, impossible dates or
dates out of order, a site that does not match the submission, invalid
identifiers, and respondents who did not consent (dropped, with a warning).

Values of identifier and free-text columns are never put into a problem.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evaluation.instruments import InstrumentDefinition, parse
from evaluation.instruments.model import Item

from .dates import EPOCH_1900, to_dates
from .dates import date_order as date_order_of
from .labels import check_value_labels, typed_labels
from .problems import Problem
from .pseudonymise import DEFINITION_KINDS
from .wording import choices_text, condition_text, question_text

__all__ = ["validate", "Validated", "DATE_ORDER", "CONSENT_ITEM", "EXTRA_COLUMNS"]

# Dates of the data contracts that must not precede another date of the same row.
DATE_ORDER: dict[str, tuple[str, ...]] = {
    "release_date": ("entry_date",),
    "first_contact_date": ("entry_date",),
    "followup_end": ("release_date",),
    "conviction_date": ("offence_date",),
    "death_date": ("release_date",),
    "deportation_date": ("release_date",),
    "extract_date": ("release_date",),
}
CONSENT_ITEM = "consent"
EARLIEST = pd.Timestamp("1900-01-01")
#: Columns a collection tool adds that are not items: the project's XLSForm carries the
#: instrument reference in ``peer_eval_instrument`` (see :mod:`evaluation.exports.xlsform`).
EXTRA_COLUMNS: frozenset[str] = frozenset({"peer_eval_instrument"})


@dataclass
class Validated:
    #: typed, one column per data column, plus ``_row`` (the coordinator's row number); a numeric column
    #: that passed unchanged holds the validated frame's own array (not a copy): replace a column, never
    #: write into one
    frame: pd.DataFrame
    problems: list[Problem]
    dropped_no_consent: int = 0
    #: ``{column: canonical identifiers}`` of text identifier columns, aligned with ``frame``
    #: (None where missing or invalid): pseudonymisation hashes them without normalising again
    identifiers: dict[str, pd.Series] = field(default_factory=dict)
    #: the same identifiers as codes into the distinct ones
    #: (:class:`~evaluation.intake.pseudonymise.Factorised`): pseudonymisation hashes each once
    factorised: dict = field(default_factory=dict)


def _is_private(item: Item) -> bool:
    return bool(item.identifier or item.role == "pid" or item.free_text)


def _shown(item: Item, value) -> str | None:
    if _is_private(item) or value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (pd.Timestamp, dt.date)):
        return pd.Timestamp(value).strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _blank(series: pd.Series) -> pd.Series:
    if series.dtype == object:
        return series.isna() | (series.astype(str).str.strip() == "")
    return series.isna()


def _text(raw: pd.Series, *, upper: bool = False, blank_as_missing: bool = False) -> pd.Series:
    """``raw.astype("string").str.strip()`` (then ``.str.upper()`` if ``upper``).

    ``blank_as_missing``: a cell left empty by stripping (only spaces) is
    missing too. A column of Python strings (what every reader gives for
    text) is stripped in one list comprehension, several times faster than
    the ``.str`` accessor on 100,000 rows; anything else goes through pandas.
    """
    if raw.dtype == object or isinstance(raw.dtype, pd.StringDtype):
        # (a pandas string column's own cells: its to_numpy() runs isna over them first, 2.5 ms)
        values = np.asarray(raw.array, dtype=object) if isinstance(raw.dtype, pd.StringDtype) \
            else raw.to_numpy(dtype=object)
        if len(values) and pd.api.types.infer_dtype(values, skipna=False) == "string":
            # text in every cell (identifiers, site codes): no missing cell to find first (isna: 2.6 ms)
            codes = None
            if len(values) > 1000 and len(set(values[:64].tolist())) <= 8:  # a few repeated answers (site)
                codes, values = pd.factorize(values)  # each distinct one stripped once (2 ms less a column)
                values = np.asarray(values, dtype=object)
            stripped = [v.strip().upper() for v in values] if upper else [v.strip() for v in values]
            out = np.fromiter(stripped, dtype=object, count=len(stripped))  # (np.array: up to 3x slower)
            if blank_as_missing and "" in stripped:
                out[~np.fromiter(map(bool, stripped), dtype=bool, count=len(stripped))] = pd.NA
            if codes is not None:
                out = out[codes]
            return pd.Series(pd.array(out, dtype="string"), index=raw.index)
        missing = pd.isna(values)
        present = values[~missing]
        if pd.api.types.infer_dtype(present, skipna=False) in ("string", "empty"):
            out = np.full(len(values), pd.NA, dtype=object)
            stripped = [v.strip().upper() for v in present] if upper else [v.strip() for v in present]
            if blank_as_missing and "" in stripped:  # (one C-level scan: most columns have no blank cell)
                filled = np.fromiter(map(bool, stripped), dtype=bool, count=len(stripped))
                out[np.flatnonzero(~missing)[filled]] = np.array(stripped, dtype=object)[filled]
            else:
                out[~missing] = stripped
            return pd.Series(pd.array(out, dtype="string"), index=raw.index)
    text = raw.astype("string").str.strip()
    text = text.str.upper() if upper else text
    if blank_as_missing:
        text = text.where(~(raw.isna() | (text == "").fillna(False).astype(bool)))
    return text


def _isin(values: pd.Series, codes) -> pd.Series:
    """``values.isin(codes)``; for a float column and a few numeric codes, one numpy comparison per code.

    Same result as :meth:`pandas.Series.isin` (NaN is in no list of codes
    here), several times faster than its hash table on 100,000 rows.
    """
    codes = list(codes)
    arr = values.to_numpy()
    if arr.dtype.kind != "f" or len(codes) > 32 or not all(_is_number(c) for c in codes):
        return values.isin(codes)
    return pd.Series(_isin_array(arr, codes), index=values.index)


def _answered(v: pd.Series) -> np.ndarray:
    """``v.notna()`` as an array; a text column with a string in every row (identifiers, site codes) is
    told by one type test, not by isna over its strings (2.5 ms a column of 100,000)."""
    if isinstance(v.dtype, pd.StringDtype) and len(v) \
            and pd.api.types.infer_dtype(np.asarray(v.array, dtype=object), skipna=False) == "string":
        return np.ones(len(v), dtype=bool)
    return v.notna().to_numpy()


def _is_number(c) -> bool:
    """A code ``arr == c`` compares as ``Series.isin`` does: a number (True counts as 1), not NaN."""
    return isinstance(c, (int, float, np.integer, np.floating)) and c == c


def _isin_array(arr: np.ndarray, codes) -> np.ndarray:
    """``arr == c`` for any of a few numeric ``codes`` (a float array; NaN is in no list), as a bool array."""
    hit = np.zeros(len(arr), dtype=bool)
    for c in codes:
        hit |= arr == c
    return hit


def _to_numeric(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers from a column as read; returns (values, mask of cells that are not numbers)."""
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        return raw.astype(float, copy=False), pd.Series(False, index=raw.index)
    if (raw.dtype == object or isinstance(raw.dtype, pd.StringDtype)) and len(raw) > 64:
        # survey answers repeat a few values: each distinct cell is converted once
        codes, uniques = pd.factorize(raw.to_numpy(dtype=object), use_na_sentinel=True)
        if len(uniques) <= max(1000, len(raw) // 4):
            uv, ub = _to_numeric_cells(pd.Series(uniques, dtype=object))
            uv, ub = uv.to_numpy(dtype=float), ub.to_numpy(dtype=bool)
            ok = codes >= 0
            values = np.full(len(raw), np.nan)
            values[ok] = uv[codes[ok]]
            bad = np.zeros(len(raw), dtype=bool)
            bad[ok] = ub[codes[ok]]
            return pd.Series(values, index=raw.index), pd.Series(bad, index=raw.index)
    return _to_numeric_cells(raw)


def _to_numeric_cells(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """:func:`_to_numeric` cell by cell."""
    if raw.dtype == object and not _has_bool(raw):
        # pandas' C parser reads the usual cells ("3", " 3", "2.5", numbers from a workbook) at once;
        # only the rest (decimal commas, spaces, text) goes through the string methods below
        values = pd.to_numeric(raw, errors="coerce").astype(float)
        rest = values.isna().to_numpy() & raw.notna().to_numpy()
        if not rest.any():
            return values, pd.Series(False, index=raw.index)
        sub, sub_bad = _to_numeric_text(raw[rest])
        values = values.copy()
        values[rest] = sub.to_numpy()
        bad = pd.Series(False, index=raw.index)
        bad[rest] = sub_bad.to_numpy()
        return values, bad
    return _to_numeric_text(raw)


def _has_bool(raw: pd.Series) -> bool:
    kind = pd.api.types.infer_dtype(raw, skipna=True)
    if kind in ("string", "empty", "integer", "floating", "mixed-integer-float", "decimal"):
        return False
    return bool(raw.map(lambda v: isinstance(v, (bool, np.bool_))).any())


def _to_numeric_text(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers from text cells: surrounding spaces and a decimal comma (``2,5``) allowed."""
    text = raw.astype("string").str.strip()
    text = text.str.replace(r"^(-?\d+),(\d+)$", r"\1.\2", regex=True)  # decimal comma
    values = pd.to_numeric(text, errors="coerce").astype(float)
    bad = values.isna() & ~_blank(raw)
    return values, bad


def validate(
    defn: InstrumentDefinition,
    frame: pd.DataFrame,
    *,
    site: str | None,
    first_data_row: int = 2,
    value_labels: dict[str, dict] | None = None,
    today: dt.date | None = None,
    date_order: str | None = None,
    epoch: pd.Timestamp = EPOCH_1900,
    stata_missing: bool = False,
) -> Validated:
    """Check ``frame`` against ``defn``; see the module docstring.

    ``site`` is the site the file is submitted for (``None`` in a check
    without ``--site``: rows are then only checked against the site list).
    ``date_order`` (``"dmy"`` / ``"mdy"``) states how ``a/b/yyyy`` dates are
    written; by default it is found from the file (:mod:`.dates`).
    ``epoch`` is the day a spreadsheet serial number counts from (the
    workbook's date system). ``stata_missing``: the frame is a Stata file's,
    whose single letters ``a`` … ``z`` are tagged missing values (``.a``);
    one left without a label gets its own message, not "not an answer".
    """
    problems: list[Problem] = []
    value_labels = value_labels or {}
    today_ts = pd.Timestamp(today or dt.date.today())
    site = site.strip().upper() if isinstance(site, str) else site
    # new column labels on the same data: validation only reads ``frame`` (no copy of 100,000 rows)
    frame = frame.set_axis([str(c).strip() for c in frame.columns], axis=1, copy=False)
    lower = {c.lower(): c for c in frame.columns}
    rows = pd.Series(np.arange(len(frame)) + first_data_row, index=frame.index)

    def add(code, mask=None, item=None, column=None, values=None, severity="error", **params):
        if column is not None and "question" not in params and column in item_of_col:
            q = question_text(defn, item_of_col[column].name)
            if q:
                params["question"] = q
        if mask is None:
            problems.append(Problem(code, None, column, None, params, severity))
            return
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        for i in idx:
            v = None if values is None else _shown(item, values.iloc[i]) if item else values.iloc[i]
            problems.append(Problem(code, int(rows.iloc[i]), column, v, dict(params), severity))

    # -- columns ---------------------------------------------------------
    expected = defn.columns()
    item_of_col = {c: it for it in defn.items for c in defn.item_columns(it)}
    present = {}
    for col in expected:
        if col in frame.columns:
            present[col] = col
        elif col.lower() in lower:
            present[col] = lower[col.lower()]
        else:
            add("column-missing", column=col)
    expected_lower = {e.lower() for e in expected}
    for col in frame.columns:
        if col.lower() not in expected_lower and col.lower() not in EXTRA_COLUMNS:
            add("column-unknown", column=col)

    # the checked columns, made into one frame once every item is done (a frame grown column by
    # column copied and consolidated its blocks over and over: 40 ms of a 100,000-row check)
    cells: dict[str, object] = {"_row": rows}
    # cells that had a value which failed a check: not "missing", and not used to judge skip logic
    # (numpy arrays: a pandas operation per column and check cost more than the comparison itself)
    invalid: dict[str, np.ndarray] = {}

    def mark(col, mask):
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            invalid[col] = invalid[col] | mask if col in invalid else mask

    def labelled(col, item, values):
        """The column through the file's own value labels (.sav/.dta); problems for a label set that disagrees."""
        labels = value_labels.get(present[col]) or {}
        if not labels:
            return values, False
        new, recoded, mismatch = check_value_labels(values, labels, defn, item)
        if mismatch and item.type == "single_choice":
            add("value-labels-mismatch", column=col,
                labels=", ".join(f"{_code_text(k)} = {v}" for k, v in mismatch.items()),
                allowed=choices_text(defn, item))
            return values, True
        if recoded:
            add("value-labels-recoded", column=col, severity="warning",
                mapping=", ".join(f"{_code_text(k)} ({text}) \u2192 {_code_text(v)}" for k, text, v in recoded))
        return new, False

    def typed(col, item, raw, values, bad):
        """Labels typed in place of codes ("Ja", "Weet niet", "Aangekruist"): their codes, with one warning."""
        if not bad.any():
            return values, bad
        mapped = typed_labels(raw, bad, defn, item)
        fixed = mapped.notna().reindex(bad.index, fill_value=False) & bad
        if fixed.any():
            values = values.copy()
            values[fixed] = mapped[fixed[fixed].index]
            add("labels-converted", column=col, severity="warning", count=int(fixed.sum()),
                allowed=choices_text(defn, item))
        return values, bad & ~fixed

    def tagged(col, item, raw, bad):
        """Stata's tagged missing values (``.a`` … ``.z``) without a label: one problem for the column.

        With a label they are mapped already (:func:`check_value_labels`);
        without one nobody can tell "don't know" from "refused".
        """
        if not stata_missing or not bad.any():
            return bad
        sub = raw[bad]
        letter = sub.map(lambda v: isinstance(v, str) and len(v) == 1 and "a" <= v <= "z").astype(bool)
        if not letter.any():
            return bad
        hit = pd.Series(False, index=bad.index)
        hit[sub.index[letter.to_numpy()]] = True
        found = rows[hit].astype(int).tolist()
        add("stata-missing-unlabelled", column=col, rows=_rows_text(found), count=len(found),
            letters=", ".join(f".{v}" for v in sorted(set(sub[letter]))), allowed=choices_text(defn, item))
        mark(col, hit)
        return bad & ~hit

    def numeric_codes(col, item, raw, allowed):
        """A code column read as numbers, without value labels: only the code check applies.

        What the general path does for such a column, on its numpy array (no
        Series per step: 0.3 ms a column less, 83 columns in the detainee file).
        """
        arr = raw.to_numpy()
        wrong = ~np.isnan(arr) & ~_isin_array(arr, allowed)
        if wrong.any():
            add("choice-error", wrong, item, col, raw, allowed=choices_text(defn, item))
            mark(col, wrong)
            raw = raw.where(~wrong)
        cells[col] = raw

    # -- dates: one order for the whole file ------------------------------
    date_items = [it for it in defn.items if it.type == "date" and it.name in present]
    order = date_order_of({it.name: frame[present[it.name]] for it in date_items}, date_order)
    if order.how == "mixed":
        add("date-order-mixed", column=order.example[0],
            day_first=_example(order.example, rows), month_first=_example(order.conflict, rows))
    elif order.how == "rows" and order.order == "mdy":
        add("date-order-month-first", column=order.example[0], severity="warning",
            example=_example(order.example, rows), month=re.split(r"[/.\-]", order.example[2])[1])
    elif order.how == "assumed":
        add("date-order-assumed", column=order.ambiguous[0], severity="warning",
            example=_example(order.ambiguous, rows))

    # -- cells, item by item ---------------------------------------------
    for item in defn.items:
        cols = defn.item_columns(item)
        if item.type == "multiple_choice":
            for col in cols:
                if col not in present:
                    cells[col] = np.nan
                    continue
                raw = frame[present[col]]
                if raw.dtype == np.float64 and not value_labels.get(present[col]):
                    numeric_codes(col, item, raw, (0, 1))
                    continue
                raw, _ = labelled(col, item, raw)
                values, bad = _to_numeric(raw)
                values, bad = typed(col, item, raw, values, bad)
                bad = tagged(col, item, raw, bad)
                add("type-error", bad, item, col, raw, expected="code", allowed=choices_text(defn, item))
                wrong = values.notna().to_numpy() & ~_isin(values, [0, 1]).to_numpy()
                add("choice-error", wrong, item, col, values, allowed=choices_text(defn, item))
                mark(col, bad.to_numpy() | wrong)
                cells[col] = values.where(~wrong) if wrong.any() else values
            continue
        col = item.name
        if col not in present:
            cells[col] = np.nan
            continue
        raw = frame[present[col]]
        nr_codes = set(defn.nonresponse_codes(item).values())
        allowed_codes = set(defn.codes(item)) | nr_codes if item.is_choice else set()
        if item.is_choice and item.role != "wave" and raw.dtype == np.float64 and not value_labels.get(present[col]) \
                and len(allowed_codes) <= 32 and all(_is_number(c) for c in allowed_codes):
            numeric_codes(col, item, raw, allowed_codes)
            continue
        if item.type == "text":
            if item.identifier in DEFINITION_KINDS:
                raw = _identifier_text(raw)
            cells[col] = _text(raw, blank_as_missing=raw.dtype == object)
        elif item.type == "date":
            values, bad = to_dates(raw, order=order.order if order.how != "mixed" else "dmy", epoch=epoch)
            add("type-error", bad, item, col, raw, expected="date")
            early = values.notna() & (values < EARLIEST)
            late = values.notna() & (values > today_ts + pd.Timedelta(days=1))
            add("date-impossible", early, item, col, values,
                reason={"nl": "vóór 1900", "fr": "avant 1900", "en": "before 1900"})
            add("date-impossible", late, item, col, values,
                reason={"nl": "in de toekomst", "fr": "dans le futur", "en": "in the future"})
            outside = pd.Series(False, index=values.index)
            rng = item.range
            if rng is not None and (rng.min is not None or rng.max is not None):
                lo = pd.Timestamp(rng.min) if rng.min is not None else None
                hi = pd.Timestamp(rng.max) if rng.max is not None else None
                ok = ~(early | late) & values.notna()
                below = ok & (values < lo) if lo is not None else outside
                above = ok & (values > hi) if hi is not None else outside
                hint = dict(rng.message) if rng.message else {}
                if lo is not None:
                    add("date-before-min", below, item, col, values, low=lo.strftime("%d/%m/%Y"), hint=hint)
                if hi is not None:
                    add("date-after-max", above, item, col, values, high=hi.strftime("%d/%m/%Y"), hint=hint)
                outside = below | above
            cells[col] = values.where(~(early | late | outside))
            mark(col, bad | early | late | outside)
        else:
            labels_bad = False
            if value_labels.get(present[col]):
                raw, labels_bad = labelled(col, item, raw)
            values, bad = _to_numeric(raw)
            if item.is_choice or nr_codes:
                values, bad = typed(col, item, raw, values, bad)
            if item.role == "wave" and bad.any():
                names = {w.name.casefold(): w.code for w in defn.meta.waves}
                names.update({t.strip().casefold(): w.code for w in defn.meta.waves for t in w.label.values()})
                mapped = raw.astype("string").str.strip().str.casefold().map(names)
                fixed = bad & mapped.notna()
                values = values.where(~fixed, mapped.astype(float))
                bad = bad & ~fixed
            expected_kind = "code" if item.is_choice else ("integer" if item.type == "integer" else "number")
            if labels_bad:  # one message for the column (value-labels-mismatch), not one per cell
                mark(col, values.notna() | bad)
                cells[col] = np.nan
                continue
            bad = tagged(col, item, raw, bad)
            add("type-error", bad, item, col, raw, expected=expected_kind,
                **({"allowed": choices_text(defn, item)} if item.is_choice else {}))
            mark(col, bad)
            is_nr = _isin(values, nr_codes)
            if item.is_choice:
                codes = set(defn.codes(item))
                wrong = values.notna().to_numpy() & ~_isin(values, codes | nr_codes).to_numpy()
                add("choice-error", wrong, item, col, values, allowed=choices_text(defn, item))
                mark(col, wrong)
                if wrong.any():
                    values = values.where(~wrong)
            else:
                if item.type == "integer":
                    frac = values.notna() & ~is_nr & (values.round() != values)
                    add("type-error", frac, item, col, raw, expected="integer")
                    mark(col, frac)
                    values = values.where(~frac)
                rng = item.range
                if rng is not None and (rng.min is not None or rng.max is not None):
                    low = -np.inf if rng.min is None else float(rng.min)
                    high = np.inf if rng.max is None else float(rng.max)
                    # a nonresponse code the item does not declare is simply out of range
                    outside = values.notna() & ~is_nr & ((values < low) | (values > high))
                    code = ("range-error" if rng.min is not None and rng.max is not None
                            else "range-below-min" if rng.min is not None else "range-above-max")
                    add(code, outside, item, col, values, low=_fmt(rng.min), high=_fmt(rng.max))
                    mark(col, outside)
                    values = values.where(~outside)
            if item.role == "wave":
                known = {w.code for w in defn.meta.waves}
                wrong = values.notna() & ~_isin(values, known)
                add("wave-unknown", wrong, None, col, values.astype(object),
                    allowed={lang: ", ".join(f"{w.code} = {w.label.get(lang) or w.name}" for w in defn.meta.waves)
                             for lang in ("nl", "fr", "en")})
                mark(col, wrong)
                values = values.where(~wrong)
            cells[col] = values

    out = pd.DataFrame(cells, index=frame.index, copy=False)  # one block per column, not consolidated
    del cells

    # -- constraints -------------------------------------------------------
    for item in defn.items:
        cols = [c for c in defn.item_columns(item) if c in out]
        if not item.constraint or not cols:
            continue
        if item.type == "multiple_choice":  # rules over ticked options, e.g. "none" excludes the rest
            answered = (out[cols] == 1).any(axis=1)
            ok = parse(item.constraint.rule).evaluate(out)
            add("constraint-error", answered & ~ok, None, cols[0], None, hint=dict(item.constraint.message))
            continue
        nr_codes = set(defn.nonresponse_codes(item).values())
        v = out[item.name]
        answered = v.notna() & ~_isin(v, nr_codes)
        ok = parse(item.constraint.rule).evaluate(out, self_column=item.name)
        add("constraint-error", answered & ~ok, item, item.name, v, hint=dict(item.constraint.message))

    # -- site --------------------------------------------------------------
    site_item = defn.role_item("site")
    site_codes = None  # (codes, distinct upper-cased codes + NA) of the site column
    if site_item is not None and site_item.name in out:
        # a file holds one or a few prison codes: each distinct code is upper-cased and judged once
        site_text = out[site_item.name]  # stripped by the item loop when it is text
        site_text = site_text if isinstance(site_text.dtype, pd.StringDtype) else _text(site_text)
        codes, uniques = pd.factorize(site_text, use_na_sentinel=True)
        upper = np.array([str(u).upper() for u in uniques] + [pd.NA], dtype=object)
        site_codes = (codes, upper)
        s = pd.Series(pd.array(upper[codes], dtype="string"), index=out.index)
        out[site_item.name] = s
        known = [x.code for x in defn.sites.sites]
        unknown_codes = sorted(set(upper[:-1]) - set(known))
        for code in unknown_codes:
            problems.append(Problem("site-unknown", None, site_item.name, code, {"allowed": ", ".join(known)}))
        if site is not None:
            other = np.array([u != site and u in known for u in upper[:-1]] + [False], dtype=bool)
            add("site-mismatch", other[codes], None, site_item.name, s, site=site)

    # -- consent -----------------------------------------------------------
    dropped = 0
    if CONSENT_ITEM in out:
        refused = out[CONSENT_ITEM] == 0
        add("no-consent", refused, severity="warning")
        dropped = int(refused.sum())

    # -- required and skip logic ------------------------------------------
    relevant_cache = {}
    nothing = np.zeros(len(out), dtype=bool)
    for item in defn.items:
        cols = [c for c in defn.item_columns(item) if c in out]
        if not cols:
            continue
        asked = shown = np.ones(len(out), dtype=bool)
        unsure = nothing  # rows where the skip condition rests on an invalid answer
        if item.relevant:
            expr = parse(item.relevant)
            if item.relevant not in relevant_cache:  # each condition evaluated once (25 items share 7 here)
                # ODK shows a question whose condition rests on an empty answer where XPath makes it true
                # ("x != 0" with x empty): an answer there is not an error
                plain = expr.evaluate(out).to_numpy(dtype=bool)
                relevant_cache[item.relevant] = (
                    plain, expr.evaluate(out, odk=True).to_numpy(dtype=bool) if expr.uses_not_equal() else plain)
            asked, odk_shown = relevant_cache[item.relevant]
            shown = asked | odk_shown
            for name in expr.names:
                for c in defn.item_columns(defn.item(name)):
                    unsure = unsure | invalid.get(c, nothing)
        flawed = nothing
        for c in cols:
            flawed = flawed | invalid.get(c, nothing)
        na_code = defn.meta.nonresponse_codes.get("not_applicable")
        if item.type == "multiple_choice":  # column by column: a row-wise any() over a 2-D copy was slower
            answered, filled, nonzero = nothing.copy(), nothing.copy(), nothing.copy()
            for c in cols:
                tick = out[c].to_numpy(dtype=float)
                answered |= tick == 1
                filled |= ~np.isnan(tick)
                nonzero |= tick != 0
            present_any = filled & nonzero
        else:
            v = out[item.name]
            if v.dtype == np.float64:
                arr = v.to_numpy()
                answered = ~np.isnan(arr)
                present_any = answered & (arr != na_code)
            else:
                answered = _answered(v)
                if isinstance(na_code, str) or not (isinstance(v.dtype, pd.StringDtype) or v.dtype.kind == "M"):
                    present_any = answered & (v != na_code).to_numpy(dtype=bool, na_value=False)
                else:  # text and dates never equal a numeric code
                    present_any = answered
        if item.required:
            missing = asked & ~answered & ~flawed & ~unsure
            if item.role == "pid":
                add("identifier-missing", missing, None, item.name)
            else:
                add("required-missing", missing, None, cols[0])
        if item.relevant:
            add("not-asked-answered", ~shown & present_any & ~unsure, item, cols[0],
                out[cols[0]], condition=condition_text(defn, item.relevant))

    # -- identifiers -------------------------------------------------------
    # each distinct cell normalised once; the canonical identifiers as codes (Factorised), so that the
    # duplicate check compares integers and pseudonymisation hashes each identifier once without
    # factorizing the column again (three hash passes over 100,000 identifiers were 25 ms of a check)
    from .pseudonymise import Factorised, _normalise_distinct

    normalised: dict[str, pd.Series] = {}
    factorised: dict[str, Factorised] = {}
    typed_ids: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for item in defn.items:
        if item.identifier in DEFINITION_KINDS and item.name in out:
            codes, uniques, norm, reason, distinct = _normalise_distinct(
                DEFINITION_KINDS[item.identifier], out[item.name].astype("string", copy=False))
            typed_ids[item.name] = (codes, uniques)
            if distinct:  # every distinct cell its own canonical identifier
                factorised[item.name] = Factorised(np.asarray(codes, dtype=np.intp), uniques)
            else:  # two spellings of one identifier ("ab1", "AB1") are one canonical identifier: one code
                ncodes, nuniques = pd.factorize(norm[:-1], use_na_sentinel=True)
                factorised[item.name] = Factorised(np.append(ncodes, -1).astype(np.intp)[codes],
                                                   np.asarray(nuniques, dtype=object))
            normalised[item.name] = pd.Series(norm[codes], index=out.index, dtype=object)
            # judged per distinct value, then spread over the rows (code -1, a missing cell, is the last entry)
            invalid = np.zeros(len(reason), dtype=bool)
            for i in np.flatnonzero(pd.notna(reason[:-1])):
                invalid[i] = reason[i] != "missing"
            for pos in np.flatnonzero(invalid[codes]):
                problems.append(Problem("identifier-invalid", int(rows.iloc[pos]), item.name, None,
                                        _reason_params(reason[codes[pos]])))
    site_col = site_item.name if site_item is not None and site_item.name in out else None
    for item in defn.items:
        if item.identifier == "prison_number" and item.name in out:
            problems.extend(_prison_number_format(defn, item.name, frame[present[item.name]], out[item.name],
                                                  out[site_col] if site_col else None, site, rows,
                                                  question_text(defn, item.name), typed=typed_ids.get(item.name),
                                                  site_codes=site_codes if site_col else None))
    pid_item = defn.role_item("pid")
    wave_item = defn.role_item("wave")
    if pid_item is not None and pid_item.name in out:
        norm = normalised.get(pid_item.name, out[pid_item.name].astype("string"))
        key = pd.DataFrame({"id": norm})
        key["wave"] = out[wave_item.name] if wave_item is not None and wave_item.name in out else 0
        # one row per person and wave holds for questionnaires only: a contact log has one
        # row per contact, a release record one row per release episode
        if defn.meta.kind != "survey":
            dup = np.zeros(len(key), dtype=bool)
        elif pid_item.name in factorised:  # the same as key.duplicated(["id", "wave"]) on integer codes
            ids = factorised[pid_item.name].codes
            wave_codes, wave_values = pd.factorize(key["wave"].to_numpy(), use_na_sentinel=True)
            pair = ids.astype(np.int64) * (len(wave_values) + 1) + (wave_codes + 1)
            dup = (ids >= 0) & pd.Series(pair).duplicated(keep=False).to_numpy()
        else:
            dup = (key["id"].notna() & key.duplicated(["id", "wave"], keep=False)).to_numpy()
        if dup.any():
            groups = key[dup].groupby(["id", "wave"], dropna=False).groups
            for _, index in groups.items():
                for i in index:
                    others = [str(int(rows.loc[j])) for j in index if j != i]
                    problems.append(Problem("duplicate-respondent-wave", int(rows.loc[i]), pid_item.name, None,
                                            {"other_rows": ", ".join(others)}))
        out["_pid_norm"] = norm
        # waves in time order per person, within the file
        date_item = defn.role_item("date")
        if wave_item is not None and date_item is not None and len(defn.meta.waves) > 1:
            problems.extend(_wave_order(defn, out, key, rows, wave_item.name, date_item.name))

    # -- dates in order ------------------------------------------------------
    for later, earlier_cols in DATE_ORDER.items():
        if later not in out or not pd.api.types.is_datetime64_any_dtype(out[later]):
            continue
        for earlier in earlier_cols:
            if earlier not in out or not pd.api.types.is_datetime64_any_dtype(out[earlier]):
                continue
            bad = out[later].notna() & out[earlier].notna() & (out[later] < out[earlier])
            for i in np.flatnonzero(bad.to_numpy()):
                problems.append(Problem("date-order", int(rows.iloc[i]), later,
                                        out[later].iloc[i].strftime("%d/%m/%Y"),
                                        {"before_column": earlier,
                                         "before_value": out[earlier].iloc[i].strftime("%d/%m/%Y")}))

    identifiers = {col: norm for col, norm in normalised.items() if isinstance(out[col].dtype, pd.StringDtype)}
    factorised = {col: f for col, f in factorised.items() if col in identifiers}
    if dropped:
        kept = ~(out[CONSENT_ITEM] == 0)
        out = out[kept]
        identifiers = {col: norm[kept] for col, norm in identifiers.items()}
        factorised = {col: f.take(kept.to_numpy()) for col, f in factorised.items()}
    return Validated(out, problems, dropped, identifiers, factorised)


_CAUSE_NUMBER = {
    "nl": "Excel of Calc las het nummer als getal en verwijderde de nullen vooraan.",
    "fr": "Excel ou Calc a lu le numéro comme un nombre et a supprimé les zéros initiaux.",
    "en": "Excel or Calc read the number as a number and removed the leading zeros.",
}
_CAUSE_TEXT = {
    "nl": "Waarschijnlijk verwijderde een rekenblad de nullen vooraan.",
    "fr": "Un tableur a probablement supprimé les zéros initiaux.",
    "en": "A spreadsheet probably removed the leading zeros.",
}


def _prison_number_format(defn, col, raw, text, sites, site, rows, question, *, typed=None,
                          site_codes=None) -> list[Problem]:
    """Prison numbers shorter than their prison's declared number of digits: one problem per column.

    The site list declares ``prison_number_digits`` per prison; an all-digit
    number with fewer digits has lost its leading zeros (a spreadsheet read
    it as a number). It is never padded on a guess: the coordinator formats
    the column as text and types the zeros.

    ``typed``: ``(codes, uniques)`` of ``text`` (validation's factorization
    of the column), ``site_codes`` the same of ``sites`` (upper-cased, NA
    last): lengths and declared digits are then looked up per distinct
    value, not per row.
    """
    digits = {s.code: s.prison_number_digits for s in defn.sites.sites if s.prison_number_digits}
    if not digits:
        return []
    where = sites if sites is not None else pd.Series(site, index=text.index, dtype=object)
    if site_codes is not None:
        s_codes, s_upper = site_codes
        want = np.array([digits.get(u, np.nan) if isinstance(u, str) else np.nan for u in s_upper],
                        dtype=float)[s_codes]
    else:
        want = where.map(digits).to_numpy(dtype=float)
    if typed is not None:
        codes, uniques = typed
        if pd.api.types.infer_dtype(uniques, skipna=False) == "string":  # (map(len): half the genexpr's time)
            ulen = np.fromiter(map(len, uniques), dtype=np.int64, count=len(uniques))
        else:
            ulen = np.fromiter((len(u) if isinstance(u, str) else 1 << 30 for u in uniques), dtype=np.int64,
                               count=len(uniques))
        lengths = np.append(ulen, 1 << 30)[codes]  # code -1 (missing) counts as long
        values = None
    else:
        values = text.to_numpy(dtype=object)
        # lengths in one pass (missing cells count as long); the digit test only for the short ones
        lengths = np.fromiter((len(v) if isinstance(v, str) else 1 << 30 for v in values), dtype=np.int64,
                              count=len(values))
    short = np.zeros(len(lengths), dtype=bool)
    maybe = np.flatnonzero(lengths < want)  # NaN (a prison without a declared length) compares False
    if len(maybe):
        cells = uniques[codes[maybe]] if values is None else values[maybe]
        short[maybe] = [v.isdigit() for v in cells]
    short = pd.Series(short, index=text.index)
    out = []
    if short.any():
        numeric = raw.map(lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool))
        numeric = numeric[short].any()
        found = rows[short].astype(int).tolist()
        sites_short = sorted({str(x) for x in where[short].dropna()})
        cause = (_CAUSE_NUMBER if numeric else _CAUSE_TEXT)
        params = {"rows": _rows_text(found), "count": len(found),
                  "digits": ", ".join(f"{s}: {digits[s]}" for s in sites_short) if len(sites_short) > 1
                  else str(digits[sites_short[0]]) if sites_short else "",
                  "cause": cause}
        if question:
            params["question"] = question
        out.append(Problem("identifier-leading-zero", None, col, None, params))
    return out


def _rows_text(found: list[int], limit: int = 10) -> str:
    shown = ", ".join(str(r) for r in found[:limit])
    return shown + (f" (+{len(found) - limit})" if len(found) > limit else "")


def _code_text(code) -> str:
    """A code as printed: ``1``, ``-7``; Stata's missing letter ``a`` as ``.a``."""
    if isinstance(code, str):
        return f".{code}" if len(code) == 1 and code.isalpha() else code
    if isinstance(code, float) and code.is_integer():
        return str(int(code))
    return str(code)


def _example(found, rows: pd.Series) -> dict[str, str]:
    """``(column, position, text)`` as ``{"nl": "03/14/2025 (rij 5)", ...}``."""
    _, pos, text = found
    row = int(rows.iloc[pos])
    return {"nl": f"{text} (rij {row})", "fr": f"{text} (ligne {row})", "en": f"{text} (row {row})"}


def _identifier_text(raw: pd.Series) -> pd.Series:
    """Identifier cells as text: a number read from a spreadsheet loses its ``.0``, never a digit.

    (``12345.0`` as text would be ``"12345.0"``, normalised to ``"123450"``.)
    """
    if raw.dtype == object:
        if pd.api.types.infer_dtype(raw, skipna=True) in ("string", "empty"):
            return raw
        if not raw.map(lambda v: isinstance(v, (float, np.floating))).any():
            return raw
    elif not pd.api.types.is_numeric_dtype(raw):
        return raw
    from .pseudonymise import _as_text

    return raw.map(lambda v: _as_text(v) if not (isinstance(v, float) and np.isnan(v)) and v is not None else np.nan)


def _fmt(x) -> str:
    if x is None:
        return ""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _reason_params(reason: str) -> dict:
    from .pseudonymise import REASONS

    texts = REASONS.get(reason, {"nl": "ongeldig", "fr": "invalide", "en": "invalid"})
    return {"reason": reason, "reason_nl": texts["nl"], "reason_fr": texts["fr"], "reason_en": texts["en"]}


def _wave_order(defn, out, key, rows, wave_col, date_col) -> list[Problem]:
    problems = []
    present = pd.to_numeric(out[wave_col], errors="coerce").to_numpy(dtype=float)
    present = present[~np.isnan(present)]
    if not present.size or (present == present[0]).all():  # one wave in the file: no pair to put in order
        return problems
    waves = {w.name: w for w in defn.meta.waves}
    frame = pd.DataFrame({"id": key["id"], "wave": out[wave_col], "date": out[date_col], "row": rows})
    frame = frame.dropna(subset=["id", "wave", "date"]).drop_duplicates(["id", "wave"], keep=False)
    for w in defn.meta.waves:
        if not w.window:
            continue
        base = waves[w.window.after]
        a = frame[frame["wave"] == base.code].set_index("id")
        b = frame[frame["wave"] == w.code].set_index("id")
        both = a.join(b, lsuffix="_a", rsuffix="_b", how="inner")
        for _, r in both.iterrows():
            weeks = (r["date_b"] - r["date_a"]).days / 7
            if weeks < 0:
                problems.append(Problem("date-order", int(r["row_b"]), date_col, r["date_b"].strftime("%d/%m/%Y"),
                                        {"before_column": f"{date_col} ({base.name})",
                                         "before_value": r["date_a"].strftime("%d/%m/%Y")}))
            elif not (w.window.min_weeks <= weeks <= w.window.max_weeks):
                problems.append(Problem("wave-window", int(r["row_b"]), date_col, None,
                                        {"weeks": f"{weeks:.1f}", "min_weeks": _fmt(float(w.window.min_weeks)),
                                         "max_weeks": _fmt(float(w.window.max_weeks))}, "warning"))
    return problems
