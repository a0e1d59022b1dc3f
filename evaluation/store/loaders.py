"""Loaders: the tidy frames of DESIGN.md, read from the workspace.

Every loader takes the workspace (or its :class:`~evaluation.store.db.Store`)
and reads only *accepted* submissions (never rejected or superseded ones).

- :func:`responses` — one row per respondent x wave, every version
  harmonised to a target version (default the latest), with a
  :class:`LoadReport` of what could not be harmonised.
- :func:`outcomes` — one row per release episode (``release_outcomes``).
- :func:`contacts` — one row per peer-support contact (``contacts``).
- :func:`submissions` — what each site has sent, accepted and rejected.
- :func:`status` — per instrument, site and wave: what arrived, what is
  missing, response counts.
- :func:`linkage` — per site, how many release episodes link to a survey or
  contact record (the same pseudonym).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..instruments.diff import diff, harmonise
from ..instruments.loader import version_key
from .colstore import count_rows
from .db import CONTRACT_COLUMNS, Store
from .workspace import Workspace

__all__ = [
    "responses",
    "outcomes",
    "contacts",
    "submissions",
    "status",
    "linkage",
    "LoadReport",
    "OUTCOME_COLUMNS",
    "CONTACT_COLUMNS",
]

#: the outcomes() contract (DESIGN.md), in order
OUTCOME_COLUMNS = (
    "pid", "site", "entry_date", "eligible", "first_contact_date", "release_date", "followup_end",
    "extract_date", "offence_date", "conviction_date", "reoffence_kind", "death_date", "deportation_date",
    "age_at_release", "sex", "prior_incarcerations", "sentence_months", "primary_substance", "index_offence",
)
#: the contacts() contract
CONTACT_COLUMNS = ("pid", "site", "date", "setting", "kind")
_LABELLED = {"reoffence_kind", "sex", "primary_substance", "index_offence", "setting", "kind"}


@dataclass(frozen=True)
class LoadReport:
    """What a loader could not carry into the target version.

    ``lost``: ``(from_version, item, values_lost, reason)`` for values that
    became missing; ``not_harmonisable``: ``(from_version, item, reason)``
    from the versions' diff; ``versions``: rows loaded per stored version.
    """

    instrument: str
    target_version: str
    versions: tuple[tuple[str, int], ...]
    lost: tuple[tuple[str, str, int, str], ...]
    not_harmonisable: tuple[tuple[str, str, str], ...]

    @property
    def complete(self) -> bool:
        return not self.lost

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.lost), columns=["from_version", "item", "values_lost", "reason"])

    def __str__(self) -> str:
        lines = [f"{self.instrument} harmonised to {self.target_version}: "
                 + ", ".join(f"{v}: {n} rows" for v, n in self.versions)]
        lines += [f"  from {v}, {item}: {n} value(s) lost ({why})" for v, item, n, why in self.lost]
        return "\n".join(lines)


def _open(source) -> tuple[Store, bool]:
    if isinstance(source, Store):
        return source, False
    if isinstance(source, Workspace):
        return Store(source), True
    raise TypeError("pass the Workspace (Workspace.open(path)) or its Store as the first argument")


def _catalogue(store: Store, catalogue):
    return catalogue if catalogue is not None else store.catalogue


def _read(store: Store, table: str, columns: list[str] | None = None) -> pd.DataFrame:
    """The accepted rows of a responses table, ordered by site, wave, pid, then as written (:meth:`Store.read_table`)."""
    return store.read_table(table, columns=columns)


def responses(source, instrument: str, version: str | None = None, catalogue=None, *,
              free_text: bool = False) -> tuple[pd.DataFrame, LoadReport]:
    """All accepted responses to ``instrument``, harmonised to ``version`` (default: the latest).

    Returns ``(frame, report)``. The frame's columns: ``pid``, ``site``,
    ``wave``, ``date``, ``instrument_version`` (the version collected),
    ``submission_id``, any ``pid_<kind>`` crosswalk column, then one column per
    item of the target version (role items excluded: they are the first
    columns). Dates are ``datetime64``; choice codes stay codes.

    Free-text items (``comment`` and the like, see
    :mod:`evaluation.store.freetext`) are left out unless ``free_text=True``:
    even screened for names, a respondent's own words can identify them.
    """
    store, close = _open(source)
    try:
        cat = _catalogue(store, catalogue)
        target_version = version or cat.latest(instrument)
        target = cat.instrument(instrument, target_version)
        role_names = {i.name for i in target.items if i.role}
        from .freetext import free_text_items

        held_out = set() if free_text else set(free_text_items(target))
        item_cols = [c for i in target.items if i.name not in role_names and i.name not in held_out
                     for c in target.item_columns(i)]
        frames, versions, lost, blocked = [], [], [], []
        extras: list[str] = []
        stored = sorted(((v, t) for (i, v), t in store.tables().items() if i == instrument),
                        key=lambda vt: version_key(vt[0]))
        for v, table in stored:
            data = _read(store, table)
            versions.append((v, len(data)))
            if data.empty:
                continue
            base = data[[c for c in data.columns if c in CONTRACT_COLUMNS or c.startswith("pid_")]]
            extras += [c for c in base.columns if c.startswith("pid_") and c not in extras]
            if v == target_version:
                items = data.reindex(columns=item_cols)
            else:
                old = cat.instrument(instrument, v)
                d = diff(old, target)
                old_roles = {i.name for i in old.items if i.role}
                old_items = data[[c for c in data.columns if c not in base.columns and c not in old_roles]]
                harmonised, rep = harmonise(old_items, d)
                items = harmonised.reindex(columns=item_cols)
                lost += [(v, item, n, why) for item, n, why in rep.lost]
                blocked += [(v, item, why) for item, why in d.not_harmonisable if item not in old_roles]
            frames.append(pd.concat([base.reset_index(drop=True), items.reset_index(drop=True)], axis=1))
        columns = [*CONTRACT_COLUMNS, *extras, *item_cols]
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
        frame = frame.reindex(columns=columns)
        frame["date"] = pd.to_datetime(frame["date"], errors="coerce")
        for i in target.items:
            if i.type == "date" and i.name in frame.columns:
                frame[i.name] = pd.to_datetime(frame[i.name], errors="coerce")
        report = LoadReport(instrument, target_version, tuple(versions), tuple(lost), tuple(blocked))
        return frame, report
    finally:
        if close:
            store.close()


def _labels(defn, frame: pd.DataFrame, columns) -> pd.DataFrame:
    """Choice codes -> lower-case English labels for the named single-choice columns."""
    for name in columns:
        if name not in frame.columns:
            continue
        try:
            item = defn.item(name)
        except KeyError:
            continue
        if item.type != "single_choice":
            continue
        # "Re-imprisonment" -> "reimprisonment": the contract's values are the English label,
        # lower case, without hyphens (what analysis.recidivism expects)
        labels = {c.code: (c.label.get("en") or next(iter(c.label.values()))).strip().lower().replace("-", "")
                  for c in defn.choices[item.choices]}
        frame[name] = frame[name].map(lambda v: labels.get(int(v)) if pd.notna(v) and int(v) in labels else None)
    return frame


def outcomes(source, catalogue=None, *, instrument: str = "release_outcomes") -> pd.DataFrame:
    """One row per release episode, with the DESIGN.md columns first.

    Columns: :data:`OUTCOME_COLUMNS` (absent items are empty), then any
    further items. Dates are ``datetime64``; ``eligible`` is boolean (yes =
    code 1); ``reoffence_kind``, ``sex``, ``primary_substance`` and
    ``index_offence`` carry the lower-case English choice label
    (``reconviction``, ``reimprisonment``...), as :mod:`analysis.recidivism`
    expects. Nonresponse codes become missing.
    """
    store, close = _open(source)
    try:
        cat = _catalogue(store, catalogue)
        frame, _ = responses(store, instrument, catalogue=cat)
        defn = cat.instrument(instrument)
        date_item = defn.role_item("date")
        if date_item is not None and date_item.name != "date":
            frame[date_item.name] = frame["date"]  # e.g. release_date, stored as the contract's `date`
        nr = set(defn.meta.nonresponse_codes.values())
        for i in defn.items:
            if i.name in frame.columns and i.type in ("single_choice", "integer", "number"):
                frame[i.name] = frame[i.name].where(~frame[i.name].isin(nr))
        frame = _labels(defn, frame, _LABELLED)
        if "eligible" in frame.columns:
            frame["eligible"] = frame["eligible"].map(lambda v: None if pd.isna(v) else bool(int(v) == 1)).astype("boolean")
        rest = [c for c in frame.columns if c not in OUTCOME_COLUMNS and c not in ("date", "wave")]
        return frame.reindex(columns=[*OUTCOME_COLUMNS, *rest])
    finally:
        if close:
            store.close()


def contacts(source, catalogue=None, *, instrument: str = "contacts") -> pd.DataFrame:
    """One row per peer-support contact: ``pid``, ``site``, ``date``, ``setting``, ``kind`` (labels), then other items."""
    store, close = _open(source)
    try:
        cat = _catalogue(store, catalogue)
        frame, _ = responses(store, instrument, catalogue=cat)
        defn = cat.instrument(instrument)
        frame = _labels(defn, frame, ("setting", "kind"))
        rest = [c for c in frame.columns if c not in CONTACT_COLUMNS and c != "wave"]
        return frame.reindex(columns=[*CONTACT_COLUMNS, *rest])
    finally:
        if close:
            store.close()


def submissions(source, *, file_names: bool = False) -> pd.DataFrame:
    """What each site has sent (accepted, superseded and rejected), oldest first.

    File names are left out unless ``file_names=True`` (they may contain a
    name or number: never show them in the book).
    """
    store, close = _open(source)
    try:
        return store.submissions(file_names=file_names)
    finally:
        if close:
            store.close()


def status(source, catalogue=None, *, instruments: list[str] | None = None) -> pd.DataFrame:
    """Per instrument, site and wave: what arrived, what is missing, response counts.

    Columns: ``instrument``, ``site``, ``wave``, ``wave_name``,
    ``submissions`` (accepted), ``rejected`` (files rejected for this
    site and instrument, all waves), ``responses`` (rows stored),
    ``last_received``, ``missing`` (no accepted data yet). Administrative
    instruments with one wave are listed once per site.
    """
    store, close = _open(source)
    try:
        cat = _catalogue(store, catalogue)
        ids = instruments or [i for i in cat.instrument_ids()]
        sites = [s.code for s in cat.sites().sites]
        subs = store.query("SELECT submission_id, site, instrument, waves, status, received_at FROM submissions")
        counts: dict[tuple[str, str, int], int] = {}
        for (i, v), _table in store.tables().items():
            for (site, wave), n in count_rows(store.con, i, v, ("site", "wave")).items():
                key = (i, site, int(wave) if wave is not None else -1)
                counts[key] = counts.get(key, 0) + n
        rows = []
        for iid in ids:
            try:
                defn = cat.instrument(iid)
            except Exception:  # a definition with problems: listed by 'instruments check'
                continue
            for site in sites:
                mine = subs[(subs["instrument"] == iid) & (subs["site"] == site)]
                acc = mine[mine["status"] == "accepted"]
                for w in defn.meta.waves:
                    here = acc[acc["waves"].fillna("").map(lambda s, c=str(w.code): c in s.split(","))]
                    n = counts.get((iid, site, w.code), 0)
                    if len(defn.meta.waves) == 1:
                        n += counts.get((iid, site, -1), 0)
                    rows.append({
                        "instrument": iid, "site": site, "wave": w.code, "wave_name": w.name,
                        "submissions": len(here), "rejected": int((mine["status"] == "rejected").sum()),
                        "responses": n,
                        "last_received": here["received_at"].max() if len(here) else None,
                        "missing": len(here) == 0,
                    })
        return pd.DataFrame(rows, columns=["instrument", "site", "wave", "wave_name", "submissions", "rejected",
                                           "responses", "last_received", "missing"])
    finally:
        if close:
            store.close()


def linkage(source, *, release: str = "release_outcomes", linked_to: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Per site: release episodes, how many link to a survey or contact record, and the rate.

    An episode links when its ``pid`` (or a ``pid_<kind>`` crosswalk column)
    equals the ``pid`` of an accepted row of another instrument
    (``linked_to``; default every other instrument in the store). Columns:
    ``site``, ``episodes``, ``linked``, ``rate``.
    """
    store, close = _open(source)
    try:
        tables = store.tables()
        rel = [t for (i, _), t in tables.items() if i == release]
        others = [t for (i, _), t in tables.items() if i != release and (linked_to is None or i in linked_to)]
        people: set[str] = set()
        for t in others:
            people.update(_read(store, t, ["pid"])["pid"].dropna())
        rows = []
        frames = [_read(store, t) for t in rel]
        data = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["pid", "site"])
        keys = [c for c in data.columns if c == "pid" or c.startswith("pid_")]
        hit = data[keys].isin(people).any(axis=1) if keys and len(data) else pd.Series(False, index=data.index)
        for site, grp in data.groupby("site", sort=True):
            n, k = len(grp), int(hit[grp.index].sum())
            rows.append({"site": site, "episodes": n, "linked": k, "rate": k / n if n else float("nan")})
        return pd.DataFrame(rows, columns=["site", "episodes", "linked", "rate"])
    finally:
        if close:
            store.close()
