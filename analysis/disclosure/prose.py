"""Numbers glued into prose: never a small count, never a hidden cell.

A chapter glues numbers into sentences ("{glue:}`n_women` peer workers are
women"). Glue the *string* these functions return instead of the number, so
the sentence reads "fewer than 10 peer workers are women" when the count is
small, and "not shown" when the same cell is hidden in a table elsewhere.

With a ledger, pass ``family=`` and ``cell=`` (the dimension values) so that
the number is treated like the table cell it repeats; the sentence is
recorded as showing (or hiding) that cell, and a table that later hides it
raises a ledger conflict instead of leaking silently.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .ledger import CellKey, SuppressionLedger
from .policy import DisclosurePolicy
from .tables import as_policy

__all__ = ["safe_count", "safe_value"]


def _ledger_hidden(ledger, family, cell, name, hidden_here: bool) -> bool:
    if ledger is None:
        if family is not None or cell is not None:
            raise ValueError("family= and cell= only matter with ledger=; pass the book's SuppressionLedger")
        return False
    if not family or cell is None:
        raise ValueError(
            "with ledger=, pass family=<population counted> and cell=<mapping of dimension values>, "
            "e.g. family='peer_workers', cell={'site': 'P03'} (cell={} for the grand total)"
        )
    key = CellKey.of(family, cell)
    table = name or f"prose:{key}"
    hidden = hidden_here or ledger.is_suppressed(key)
    ledger.record(table, key, hidden)
    return hidden


def _check_count(n: Any, what: str) -> int:
    if n is None or (isinstance(n, float) and math.isnan(n)):
        raise ValueError(f"{what} is missing (NaN); count persons with person_counts() first")
    if float(n) != int(n) or n < 0:
        raise ValueError(f"{what} must be a whole number of persons >= 0, got {n!r}")
    return int(n)


def safe_count(
    n: int,
    policy: DisclosurePolicy | Mapping[str, Any] | None = None,
    *,
    fmt: str = "{:d}",
    ledger: SuppressionLedger | None = None,
    family: str | None = None,
    cell: Mapping[str, Any] | None = None,
    name: str | None = None,
    editions: bool = False,
) -> str:
    """A person count as text that is safe to glue into prose.

    Parameters
    ----------
    n : int
        Number of distinct persons.
    policy : DisclosurePolicy or mapping, optional
    fmt : str, default "{:d}"
        Format of a publishable count (e.g. ``"{:,d}"``).
    ledger, family, cell, name
        Treat the number as the cell ``family``/``cell`` of the book; ``name``
        identifies the sentence in the ledger (default ``prose:<cell>``).
    editions : bool, default False
        Return an ``analysis.editions.Multilingual`` instead: the same text in
        English, Dutch and French (the policy's wording in each language, the
        number written by Babel), for the book's three editions.

    Returns
    -------
    str
        ``fmt.format(n)``; for a small count the policy's prose (``"fewer than
        10"`` or a band such as ``"fewer than 5"``); for a cell hidden
        elsewhere, ``"not shown"``.

    Examples
    --------
    >>> safe_count(3), safe_count(12)
    ('fewer than 10', '12')
    """
    pol = as_policy(policy)
    n = _check_count(n, "n")
    small = pol.is_small(n)
    hidden = _ledger_hidden(ledger, family, cell, name, small)
    if editions:
        return _in_editions(pol, lambda p: p.prose_small(n) if small else p.text("withheld") if hidden else None,
                            fmt.format(n))
    if small:
        return pol.prose_small(n)
    if hidden:
        return pol.text("withheld")
    return fmt.format(n)


def _in_editions(pol: DisclosurePolicy, withheld, shown: str):
    """The text in the three editions' languages: the policy's wording (``withheld(policy)``, ``None`` when
    the value is shown) in each language, or ``shown`` with its numbers written by Babel."""
    import dataclasses

    from analysis.editions import LANGUAGES, Multilingual, localise

    if withheld(pol) is None:
        return localise(shown)
    return Multilingual({lang: withheld(dataclasses.replace(pol, language=lang)) for lang in LANGUAGES})


def safe_value(
    value: float,
    n_persons: int,
    policy: DisclosurePolicy | Mapping[str, Any] | None = None,
    *,
    fmt: str = "{:.1f}",
    ledger: SuppressionLedger | None = None,
    family: str | None = None,
    cell: Mapping[str, Any] | None = None,
    name: str | None = None,
    editions: bool = False,
) -> str:
    """A statistic (mean, percentage, rate, …) of a group as text safe for prose.

    The value is shown only if the group has at least ``threshold`` persons
    and (with a ledger) its cell is not hidden elsewhere.

    Parameters
    ----------
    value : float
        The statistic.
    n_persons : int
        Distinct persons behind it.
    fmt : str, default "{:.1f}"
        Format of a publishable value (e.g. ``"{:.0%}"``).
    editions : bool, default False
        Return an ``analysis.editions.Multilingual`` (see :func:`safe_count`).

    Returns
    -------
    str
        The formatted value, or the policy's "not shown (fewer than 10
        persons)" / "not shown". A missing value gives "not shown".

    Examples
    --------
    >>> safe_value(61.25, 40), safe_value(61.25, 4)
    ('61.2', 'not shown (fewer than 10 persons)')
    """
    pol = as_policy(policy)
    n = _check_count(n_persons, "n_persons")
    small = pol.is_small(n)
    hidden = _ledger_hidden(ledger, family, cell, name, small)
    if editions:
        missing = hidden or value is None or (isinstance(value, float) and math.isnan(value))
        return _in_editions(pol, lambda p: p.text("value_withheld") if small else p.text("withheld") if missing
                            else None, "" if small or missing else fmt.format(value))
    if small:
        return pol.text("value_withheld")
    if hidden or value is None or (isinstance(value, float) and math.isnan(value)):
        return pol.text("withheld")
    return fmt.format(value)
