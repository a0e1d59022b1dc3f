"""The book's suppression ledger as the build handles it: JSON text, read without ``analysis``.

When chapters are executed in parallel, each works on its own copy of the
ledger as it stood at the start of the pass (so what a chapter sees never
depends on which other chapter finished first), and the copies are merged
afterwards, in the order of the table of contents: every table's record
comes from the chapter that made it (a table recorded again replaces its
earlier record, as ``SuppressionLedger.record_table`` does).

The text written is the format of ``analysis.disclosure.SuppressionLedger``
(``to_json``): ``{"format", "version", "cells": [{"family", "dims",
"tables": {table: hidden}}]}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

__all__ = ["ledger_tables", "merge_ledgers"]


def ledger_tables(ledger_text: str | None) -> set[str]:
    """Names of every table recorded in the ledger's JSON (empty for ``None``)."""
    if not ledger_text:
        return set()
    return {t for c in json.loads(ledger_text).get("cells", []) for t in c.get("tables", {})}


def _cell_key(cell: dict) -> tuple:
    return cell["family"], tuple(sorted((str(k), json.dumps(v, sort_keys=True))
                                        for k, v in cell.get("dims", {}).items()))


def merge_ledgers(base_text: str | None, updates: Iterable[tuple[Iterable[str], str | None]]) -> str | None:
    """``base_text`` with, for each ``(tables, text)`` in order, the records of ``tables`` taken from ``text``.

    ``tables`` are the tables a chapter (re)recorded in its copy ``text``;
    their records in the base (and in earlier updates) are dropped first.
    Returns ``None`` when there is nothing at all (no base, no update).
    """
    head: dict | None = json.loads(base_text) if base_text else None
    cells: dict[tuple, dict] = {}
    if head:
        for cell in head.get("cells", []):
            cells[_cell_key(cell)] = {"family": cell["family"], "dims": cell.get("dims", {}),
                                      "tables": dict(cell.get("tables", {}))}
    for tables, text in updates:
        tables = set(tables)
        if not tables:
            continue
        for cell in cells.values():
            for t in tables:
                cell["tables"].pop(t, None)
        if text:
            payload = json.loads(text)
            head = head or payload
            for cell in payload.get("cells", []):
                mine = {t: h for t, h in cell.get("tables", {}).items() if t in tables}
                if mine:
                    slot = cells.setdefault(_cell_key(cell), {"family": cell["family"], "dims": cell.get("dims", {}),
                                                              "tables": {}})
                    slot["tables"].update(mine)
    if head is None:
        return None
    out = [{"dims": c["dims"], "family": c["family"], "tables": {t: c["tables"][t] for t in sorted(c["tables"])}}
           for k, c in sorted(cells.items()) if c["tables"]]
    merged = {k: v for k, v in head.items() if k != "cells"}
    merged["cells"] = out
    return json.dumps(merged, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
