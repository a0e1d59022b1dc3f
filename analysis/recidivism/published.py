"""Remarks fit for publication: counts of people in a remark go through disclosure control.

The results of this package carry remarks written for the analyst, and some
of them contain counts of people ("3 episode(s) were left out because of
impossible dates", "2 death(s) and 14 deportation(s) ...", "Rates: participant
40.0% (12/30)"). A chapter shows remarks under its results, so before they
reach the book :func:`publishable_remarks` rewrites every such count below the
disclosure threshold in the policy's prose ("fewer than 10") and drops the
raw numerators and denominators of a rate, ``(x/n)``, when any of ``x``,
``n`` or ``n - x`` is small. Everything else in the remark is left as is.

The counts recognised are whole numbers directly followed by a word that
counts people or episodes (episode, reoffence, death, deportation, person,
people, participant); the ``(x/n)`` pattern is the one
:func:`.headline.one_year_rate` writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["publishable_remarks", "COUNTED_WORDS", "MDE_POINTER"]

#: words that, after a whole number, make it a count of people (or their episodes)
COUNTED_WORDS = ("episode", "reoffence", "death", "deportation", "person", "people", "participant",
                 "non-participant")

_COUNT = re.compile(r"(?<![\w.,/(+-])(\d+)(?= (?:" + "|".join(COUNTED_WORDS) + r")(?:s|\(s\))?\b)")
_RATIO = re.compile(r"\((\d+)/(\d+)\)")


#: the report's one convention for detectable effects (issue 12 part 7), replacing per-model power remarks
MDE_POINTER = ("Detectable effect: one convention throughout the report - the smallest true one-year risk "
               "difference the primary analysis would detect (80% power, two-sided 5%), 2.80 x its standard error; "
               "see the primary result.")


def publishable_remarks(remarks: Iterable[str] | object, policy=None, *, mde: str = "keep") -> tuple[str, ...]:
    """The remarks with small counts of people rewritten (see module notes).

    Parameters
    ----------
    remarks : iterable of str, or a result with ``remarks``
        The remarks to publish.
    policy : DisclosurePolicy or mapping, optional
        The book's disclosure policy (default threshold 10); anything with
        ``is_small(n)`` and ``prose_small(n)``.
    mde : {"keep", "primary"}
        ``"primary"`` replaces a model's own minimum-detectable-hazard-ratio remark by
        :data:`MDE_POINTER` (one convention in the report).

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> publishable_remarks(["3 episode(s) were left out; 40 death(s)."])
    ('fewer than 10 episode(s) were left out; 40 death(s).',)
    """
    from analysis.disclosure import DisclosurePolicy

    if policy is None:
        policy = DisclosurePolicy()
    elif not hasattr(policy, "is_small"):
        policy = DisclosurePolicy.from_mapping(policy)
    items = getattr(remarks, "remarks", remarks)
    if isinstance(items, str):
        raise TypeError("remarks must be a list of strings or a result with .remarks, not a single string")

    def count(m: re.Match) -> str:
        n = int(m.group(1))
        return policy.prose_small(n) if policy.is_small(n) else m.group(0)

    def ratio(m: re.Match) -> str:
        x, n = int(m.group(1)), int(m.group(2))
        if any(policy.is_small(v) for v in (x, n, n - x)):
            return "(counts not shown)"
        return m.group(0)

    if mde not in ("keep", "primary"):
        raise ValueError(f"mde={mde!r} is not supported; pass 'keep' or 'primary'")
    if mde == "primary":
        items = [MDE_POINTER if "power (two-sided" in str(r) else r for r in items]
    return tuple(_COUNT.sub(count, _RATIO.sub(ratio, str(r))) for r in items)
