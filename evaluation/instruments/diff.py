"""Differences between two versions of an instrument, and harmonisation.

:func:`diff` compares an older and a newer version item by item (items are
matched by name, or through a rename declared in the newer version's
``harmonisation``) and returns a :class:`VersionDiff`: items added, removed,
relabelled, recoded, retyped, whose skip logic or range changed, and the
mapping that carries data collected with the older version into the newer
one, with a list of what cannot be harmonised.

:func:`harmonise` applies that mapping to a data frame collected with the
older version.

Rules
-----
- An item of the newer version with no source in the older one is *added*:
  older data have no value for it (empty, "not collected").
- An item of the older version that maps to nothing is *removed*: its data
  cannot be carried into the newer version.
- Choice codes map by the declared ``recode`` where there is one (``null``
  means that old answer cannot be expressed in the newer version); otherwise
  by identical code. An old code that no longer exists and has no declared
  mapping cannot be harmonised.
- Nonresponse codes (don't know, refused, not applicable) map by their kind.
- A change of type between numeric kinds (integer/number) is harmless; any
  other change of type cannot be harmonised.
- A changed label, skip logic or range is harmonised as is but listed, since
  it may change what an answer means.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .loader import InstrumentDefinition
from .model import Item

__all__ = ["ItemChange", "ItemMap", "VersionDiff", "diff", "harmonise", "HarmonisationReport"]

_NUMERIC = {"integer", "number"}


@dataclass(frozen=True)
class ItemChange:
    item: str
    kind: str  # added | removed | renamed | relabelled | recoded | retyped | logic | range | factor
    detail: str


@dataclass(frozen=True)
class ItemMap:
    """How one item of the newer version is filled from the older version."""

    target: str
    source: str | None  # None: not collected in the older version
    recode: dict[int, int | None] | None = None  # old code -> new code (choice items)
    harmonisable: bool = True


@dataclass(frozen=True)
class VersionDiff:
    old: InstrumentDefinition = field(repr=False)
    new: InstrumentDefinition = field(repr=False)
    changes: tuple[ItemChange, ...]
    mapping: tuple[ItemMap, ...]
    not_harmonisable: tuple[tuple[str, str], ...]  # (item, reason)

    def by_kind(self, kind: str) -> list[str]:
        return [c.item for c in self.changes if c.kind == kind]

    @property
    def added(self) -> list[str]:
        return self.by_kind("added")

    @property
    def removed(self) -> list[str]:
        return self.by_kind("removed")

    @property
    def relabelled(self) -> list[str]:
        return self.by_kind("relabelled")

    @property
    def recoded(self) -> list[str]:
        return self.by_kind("recoded")

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [(c.item, c.kind, c.detail) for c in self.changes], columns=["item", "change", "detail"]
        )

    def __str__(self) -> str:
        lines = [f"{self.old.ref} -> {self.new.ref}"]
        if not self.changes:
            lines.append("  no differences")
        for kind in ("added", "removed", "renamed", "relabelled", "recoded", "retyped", "logic", "range", "factor"):
            rows = [c for c in self.changes if c.kind == kind]
            if rows:
                lines.append(f"{kind}:")
                lines += [f"  {c.item}: {c.detail}" for c in rows]
        lines.append("cannot be harmonised:" if self.not_harmonisable else "everything can be harmonised")
        lines += [f"  {item}: {reason}" for item, reason in self.not_harmonisable]
        return "\n".join(lines)


def _labels(defn: InstrumentDefinition, item: Item) -> dict[int, dict]:
    return {c.code: dict(c.label) for c in defn.choices[item.choices]} if item.choices else {}


def _first_label(label: dict) -> str:
    return label.get("en") or next(iter(label.values()), "")


def diff(old: InstrumentDefinition, new: InstrumentDefinition) -> VersionDiff:
    """Compare ``old`` with ``new`` (of the same instrument); see the module docstring."""
    if old.id != new.id:
        raise ValueError(f"cannot diff two different instruments ({old.id} and {new.id}); pass two versions of one")
    declared = {}
    for h in new.meta.harmonisation:
        if h.from_version == old.version:
            declared = dict(h.items)
    old_items = {i.name: i for i in old.items}
    changes: list[ItemChange] = []
    mapping: list[ItemMap] = []
    blocked: list[tuple[str, str]] = []
    used_sources: set[str] = set()

    for item in new.items:
        decl = declared.get(item.name)
        source_name = (decl.source if decl and decl.source else item.name)
        src = old_items.get(source_name)
        if src is None:
            changes.append(ItemChange(item.name, "added", f"new in {new.version}; not collected in {old.version}"))
            mapping.append(ItemMap(item.name, None))
            continue
        used_sources.add(source_name)
        if source_name != item.name:
            changes.append(ItemChange(item.name, "renamed", f"was '{source_name}' in {old.version}"))
        ok = True
        recode = None
        if src.type != item.type and not ({src.type, item.type} <= _NUMERIC):
            changes.append(ItemChange(item.name, "retyped", f"{src.type} -> {item.type}"))
            if not (decl and decl.recode):
                blocked.append((item.name, f"type changed from {src.type} to {item.type}"))
                ok = False
        if src.label != item.label:
            langs = [l for l in new.meta.languages if src.label.get(l) != item.label.get(l)]
            changes.append(ItemChange(item.name, "relabelled", f"question text changed ({', '.join(langs)})"))
        if src.factor != item.factor:
            tag = lambda f: f"{f.id}{' (reverse)' if f.reverse else ''}" if f else "none"  # noqa: E731
            changes.append(ItemChange(item.name, "factor", f"factor tag {tag(src.factor)} -> {tag(item.factor)}"))
        if src.relevant != item.relevant:
            changes.append(ItemChange(item.name, "logic", f"skip logic '{src.relevant}' -> '{item.relevant}'"))
        if src.range != item.range:
            changes.append(ItemChange(item.name, "range", "range changed"))
        if ok and item.choices and src.choices:
            old_lab, new_lab = _labels(old, src), _labels(new, item)
            if decl and decl.recode is not None:
                recode = {int(k): v for k, v in decl.recode.items()}
                for code in old_lab:
                    recode.setdefault(code, code if code in new_lab else None)
            else:
                recode = {code: (code if code in new_lab else None) for code in old_lab}
            lost = [c for c, v in recode.items() if v is None]
            moved = {c: v for c, v in recode.items() if v is not None and v != c}
            relabelled = [c for c, v in recode.items() if v is not None and v == c
                          and _first_label(old_lab[c]) != _first_label(new_lab.get(v, {}))]
            added_codes = sorted(set(new_lab) - set(v for v in recode.values() if v is not None))
            details = []
            if lost:
                details.append("old code(s) " + ", ".join(f"{c} '{_first_label(old_lab[c])}'" for c in lost)
                               + f" have no equivalent in {new.version}")
                blocked.append((item.name, f"answers coded {', '.join(map(str, lost))} in {old.version} "
                                           f"cannot be expressed in {new.version}"
                                + (f" ({_first_label(decl.note)})" if decl and decl.note else "")))
            if moved:
                details.append("codes moved " + ", ".join(f"{a}->{b}" for a, b in moved.items()))
            if added_codes:
                details.append("new code(s) " + ", ".join(f"{c} '{_first_label(new_lab[c])}'" for c in added_codes))
            if relabelled:
                details.append("choice label(s) changed for code(s) " + ", ".join(map(str, relabelled)))
            if details:
                changes.append(ItemChange(item.name, "recoded", "; ".join(details)))
        mapping.append(ItemMap(item.name, source_name, recode, ok))

    for name in old_items:
        if name not in used_sources:
            changes.append(ItemChange(name, "removed", f"not in {new.version}"))
            blocked.append((name, f"removed in {new.version}: its {old.version} data are not carried over"))

    return VersionDiff(old, new, tuple(changes), tuple(mapping), tuple(blocked))


@dataclass(frozen=True)
class HarmonisationReport:
    """What :func:`harmonise` could not carry over: (item, number of values, reason)."""

    lost: tuple[tuple[str, int, str], ...]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.lost), columns=["item", "values_lost", "reason"])


def harmonise(data: pd.DataFrame, d: VersionDiff) -> tuple[pd.DataFrame, HarmonisationReport]:
    """Carry ``data`` (columns of ``d.old``) into the columns of ``d.new``.

    Columns that are not item columns (``pid``, ``submission_id``, ...) are
    kept unchanged. Values that cannot be harmonised become missing and are
    counted in the report.
    """
    old, new = d.old, d.new
    old_nr = {v: k for k, v in old.meta.nonresponse_codes.items()}
    new_nr = new.meta.nonresponse_codes
    item_cols_old = set(old.columns())
    out = pd.DataFrame(index=data.index)
    lost: list[tuple[str, int, str]] = []
    for m in d.mapping:
        target = new.item(m.target)
        tcols = new.item_columns(target)
        if m.source is None:
            for c in tcols:
                out[c] = np.nan
            continue
        source = old.item(m.source)
        if target.type == "multiple_choice":
            for c in tcols:
                out[c] = np.nan
            for code in old.codes(source):
                col = f"{source.name}_{code}"
                if col not in data:
                    continue
                dest = (m.recode or {}).get(code, code)
                if dest is None:
                    n = int((data[col] == 1).sum())
                    if n:
                        lost.append((m.target, n, f"choice {code} of {old.version} has no equivalent"))
                    continue
                tcol = f"{target.name}_{dest}"
                # several old codes may merge into one new code: ticked if any was ticked
                out[tcol] = pd.concat([out[tcol], data[col]], axis=1).max(axis=1)
            continue
        if source.name not in data:
            out[target.name] = np.nan
            continue
        values = data[source.name]
        if not m.harmonisable:
            n = int(values.notna().sum())
            if n:
                lost.append((m.target, n, "type changed"))
            out[target.name] = np.nan
            continue
        if m.recode is not None:
            def convert(v):
                if pd.isna(v):
                    return np.nan
                v = int(v)
                if v in old_nr:  # nonresponse: map by kind
                    return new_nr.get(old_nr[v], np.nan)
                r = m.recode.get(v, v)
                return np.nan if r is None else r
            converted = values.map(convert)
            n = int((values.notna() & converted.isna()).sum())
            if n:
                lost.append((m.target, n, f"answers of {old.version} with no equivalent code in {new.version}"))
            out[target.name] = converted
        else:
            out[target.name] = values
    extra = [c for c in data.columns if c not in item_cols_old and c not in out.columns]
    for c in extra:
        out[c] = data[c]
    return out[[*extra, *[c for c in out.columns if c not in extra]]], HarmonisationReport(tuple(lost))
