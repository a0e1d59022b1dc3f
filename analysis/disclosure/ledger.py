"""The suppression ledger: one decision per cell across the whole book.

The same cell (say, peer workers in prison P03 who are women) can appear in a
table by prison × sex, as a margin of a table by sex × wave restricted to
P03, in a figure and in a sentence. If it is hidden in one place and shown in
another, the hidden small cell next to it can be recovered. The ledger
remembers, for every cell shown anywhere, whether it was hidden:

* before protecting a table, :func:`~analysis.disclosure.protect_table` asks
  the ledger which of its cells are hidden anywhere — elsewhere, or by an
  earlier run of the same table — and hides them too (protecting them like
  small cells, so they cannot be derived here);
* afterwards it records the table's decisions under the table's name,
  replacing that table's previous record (re-running a chapter is safe).

Because a table's own earlier decisions are kept ("sticky"), every pass over
the chapters can only hide more cells, never fewer: the passes reach a fixed
point, and in a pass that changes nothing no conflict can remain.

A cell hidden by a later table but shown by an earlier one is a *conflict*:
:meth:`SuppressionLedger.conflicts` lists them and
:meth:`SuppressionLedger.check` raises. The build keeps the ledger in the
workspace (:meth:`to_json` / :meth:`from_json`) and runs the chapters again until
there is no conflict: hiding only ever grows, so this ends. A ledger kept
from an earlier build can only hide more, never leak; delete it to start
afresh when the data change.

Cell keys
---------
A :class:`CellKey` is ``(family, dims)``: ``family`` names the population
counted *and any filter applied to it* (e.g. ``"peer_workers"``,
``"detainees_released_2024"``); ``dims`` are the ``(dimension, value)`` pairs
that define the cell, sorted by dimension name, values as strings. A margin
has fewer dimensions: the row total for prison P03 in a prison × sex table is
``("peer_workers", (("site", "P03"),))`` — the same key as the P03 cell of a
one-way table by prison. The grand total has no dimensions. The ledger stores
keys and decisions only, never counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["CellKey", "SuppressionLedger", "LedgerConflict", "LedgerConflictError"]

_FORMAT_VERSION = 1


def _norm_value(value: Any) -> str:
    """A dimension value as a stable string (``1``, ``1.0`` and ``"1"`` agree)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    try:  # numpy scalars
        import numpy as np

        if isinstance(value, np.generic):
            return _norm_value(value.item())
    except ImportError:  # pragma: no cover
        pass
    return str(value)


@dataclass(frozen=True, order=True)
class CellKey:
    """Stable identity of a cell: population ``family`` plus sorted ``dims``."""

    family: str
    dims: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, family: str, dims: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> CellKey:
        """Build a key from a family name and a mapping of dimension values."""
        if not isinstance(family, str) or not family:
            raise ValueError("family must be a non-empty string naming the population counted, e.g. family='peer_workers'")
        items = dims.items() if isinstance(dims, Mapping) else dims
        pairs = tuple(sorted((str(k), _norm_value(v)) for k, v in items))
        if len({k for k, _ in pairs}) != len(pairs):
            raise ValueError(f"dimension named twice in {pairs}")
        return cls(family, pairs)

    def as_dict(self) -> dict[str, str]:
        return dict(self.dims)

    def __str__(self) -> str:
        inner = ", ".join(f"{k}={v}" for k, v in self.dims) or "total"
        return f"{self.family}[{inner}]"


@dataclass(frozen=True)
class LedgerConflict:
    """A cell hidden in some tables but shown in others."""

    key: CellKey
    hidden_in: tuple[str, ...]
    shown_in: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"{self.key}: hidden in {', '.join(self.hidden_in)} but shown in {', '.join(self.shown_in)}"
        )


class LedgerConflictError(RuntimeError):
    """Raised by :meth:`SuppressionLedger.check` when a cell is treated inconsistently."""

    def __init__(self, conflicts: list[LedgerConflict]):
        self.conflicts = conflicts
        lines = "\n".join(f"  - {c}" for c in conflicts)
        super().__init__(
            f"{len(conflicts)} cell(s) are hidden in one place but shown in another:\n{lines}\n"
            "Run the chapters that show them again with the same ledger (it now knows which "
            "cells to hide), until no conflict remains."
        )


class SuppressionLedger:
    """Registry of every cell shown in the book and whether it was hidden.

    Mutable by design (it accumulates decisions while the book is built).

    Examples
    --------
    >>> ledger = SuppressionLedger()
    >>> key = CellKey.of("peer_workers", {"site": "P03"})
    >>> ledger.record_table("ch2-table1", {key: True})
    >>> ledger.is_suppressed(key)
    True
    """

    def __init__(self) -> None:
        self._cells: dict[CellKey, dict[str, bool]] = {}

    # -- queries ---------------------------------------------------------
    def is_suppressed(self, key: CellKey, *, exclude: str | None = None) -> bool:
        """Whether ``key`` is hidden in any table (other than ``exclude``)."""
        return any(h for t, h in self._cells.get(key, {}).items() if t != exclude)

    def tables(self) -> list[str]:
        """Names of every table (or prose/figure) recorded."""
        return sorted({t for d in self._cells.values() for t in d})

    def keys(self, family: str | None = None) -> list[CellKey]:
        """Every recorded key (optionally of one family), sorted."""
        return sorted(k for k in self._cells if family is None or k.family == family)

    def suppressed_keys(self, family: str | None = None) -> list[CellKey]:
        """Keys hidden anywhere (optionally of one family), sorted."""
        return [k for k in self.keys(family) if self.is_suppressed(k)]

    def decisions(self, table: str) -> dict[CellKey, bool]:
        """What ``table`` recorded: key -> hidden."""
        return {k: d[table] for k, d in self._cells.items() if table in d}

    def conflicts(self) -> list[LedgerConflict]:
        """Cells hidden in one table and shown in another."""
        out = []
        for key in sorted(self._cells):
            d = self._cells[key]
            hidden = tuple(sorted(t for t, h in d.items() if h))
            shown = tuple(sorted(t for t, h in d.items() if not h))
            if hidden and shown:
                out.append(LedgerConflict(key, hidden, shown))
        return out

    def check(self) -> None:
        """Raise :class:`LedgerConflictError` if any cell is treated inconsistently."""
        conflicts = self.conflicts()
        if conflicts:
            raise LedgerConflictError(conflicts)

    # -- updates ---------------------------------------------------------
    def record_table(self, table: str, decisions: Mapping[CellKey, bool]) -> None:
        """Record a table's decisions (key -> hidden), replacing its earlier record."""
        if not isinstance(table, str) or not table:
            raise ValueError("table must be a non-empty name, e.g. table='ch3-staff-by-prison'")
        self.forget(table)
        for key, hidden in decisions.items():
            if not isinstance(key, CellKey):
                raise TypeError(f"ledger keys must be CellKey, got {type(key).__name__}; use CellKey.of(family, dims)")
            self._cells.setdefault(key, {})[table] = bool(hidden)

    def record(self, table: str, key: CellKey, hidden: bool) -> None:
        """Record one decision of ``table`` (keeping its other decisions)."""
        self._cells.setdefault(key, {})[table] = bool(hidden)

    def forget(self, table: str) -> None:
        """Drop everything ``table`` recorded."""
        for key in list(self._cells):
            self._cells[key].pop(table, None)
            if not self._cells[key]:
                del self._cells[key]

    # -- persistence -----------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, sorted so that equal ledgers serialise identically."""
        return {
            "format": "analysis.disclosure.ledger",
            "version": _FORMAT_VERSION,
            "cells": [
                {
                    "family": k.family,
                    "dims": dict(k.dims),
                    "tables": {t: self._cells[k][t] for t in sorted(self._cells[k])},
                }
                for k in sorted(self._cells)
            ],
        }

    @classmethod
    def from_dict(cls, payload: Mapping[str, Any]) -> SuppressionLedger:
        if payload.get("format") != "analysis.disclosure.ledger":
            raise ValueError("not a suppression ledger (missing format='analysis.disclosure.ledger')")
        if payload.get("version") != _FORMAT_VERSION:
            raise ValueError(
                f"ledger format version {payload.get('version')!r} is not supported "
                f"(expected {_FORMAT_VERSION}); delete the ledger file to start afresh"
            )
        ledger = cls()
        for cell in payload.get("cells", []):
            key = CellKey.of(cell["family"], cell.get("dims", {}))
            for table, hidden in cell["tables"].items():
                ledger.record(table, key, bool(hidden))
        return ledger

    def to_json(self) -> str:
        """The ledger as JSON text (sorted: equal ledgers give identical text).

        ``analysis`` reads and writes no files; the build stores this text in
        the workspace, e.g. ``path.write_text(ledger.to_json())``.
        """
        return json.dumps(self.to_dict(), indent=1, ensure_ascii=False, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str | None) -> SuppressionLedger:
        """Read a ledger from :meth:`to_json` text (``None`` or ``""``: an empty ledger)."""
        if not text:
            return cls()
        return cls.from_dict(json.loads(text))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SuppressionLedger) and self._cells == other._cells

    def __len__(self) -> int:
        return len(self._cells)

    def __repr__(self) -> str:
        n_hidden = len(self.suppressed_keys())
        return f"<SuppressionLedger: {len(self)} cells, {n_hidden} hidden, {len(self.tables())} tables>"
