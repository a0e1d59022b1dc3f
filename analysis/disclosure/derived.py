"""Derived statistics that would undo suppression, and how to publish them safely.

Hiding a small count is not enough when something else on the page lets a
reader compute it back. Each function here closes one such path (issue 17,
each a recovery made from the demo book):

* :func:`protect_overlap` — an overlap index (Jaccard ``n / (n_a + n_b - n)``)
  published next to counts gives a linear system in the hidden counts: with
  the pair count ``n`` and the index, ``n_a + n_b`` is known, and a few pairs
  solve for every ``n_a``. The index is withheld unless every count behind it
  (``n``, ``n_a``, ``n_b`` and the parts ``n_a - n``, ``n_b - n``) could be
  published itself.
* percentages of small groups — a share of a cell's own persons is a count:
  ``protect_table(..., percent_of={"%": "cell%"})`` hides it when the
  persons it implies, or the rest, are fewer than the threshold.
* :func:`safe_n_of_N` — "35 of 36" tells that one person did not: the
  complement is a count too.
* :func:`safe_total` — the same population counted on two pages, once
  restricted (685 and 679), differs by a small group: a restricted total
  that differs from the full one by fewer than the threshold is published
  rounded ("about 680"), so that the difference cannot be taken.
* :func:`safe_part` — a part shown beside a published total ("143
  answers" to one question, 150 staff in all) gives its complement (7 did
  not answer): where either the part or the rest is a small count, both are
  given as bands ("all but fewer than 10", "fewer than 10").
* :func:`quote_site` — a quote tagged with a prison where fewer than the
  threshold were interviewed points at one of very few people: the tag
  becomes "a prison".
* :func:`safe_boxplot` and :func:`individual_points` — a box plot draws
  outliers as single persons' values; drawn without them (whiskers at the
  10th and 90th percentiles), and groups under the threshold not drawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .policy import DisclosurePolicy
from .tables import as_policy

__all__ = ["overlap_publishable", "protect_overlap", "safe_n_of_N", "safe_total", "quote_site", "safe_boxplot",
           "individual_points", "complement_small", "safe_part", "protect_complements"]


def _small(pol: DisclosurePolicy, n) -> bool:
    return pol.is_small(int(n))


def overlap_publishable(n: int, n_a: int, n_b: int, policy=None) -> bool:
    """Whether an overlap index of ``n`` persons in both of ``n_a`` and ``n_b`` may be published.

    Only when each of ``n``, ``n_a``, ``n_b``, ``n_a - n`` and ``n_b - n``
    could be published as a count: then nothing the index lets a reader
    compute is a small count.
    """
    pol = as_policy(policy)
    return not any(_small(pol, x) for x in (n, n_a, n_b, n_a - n, n_b - n))


def protect_overlap(data: pd.DataFrame, *, n: str = "n", n_a: str = "n_a", n_b: str = "n_b",
                    index: str | Sequence[str] = "jaccard", policy=None, code_a: str = "code_a",
                    code_b: str = "code_b", withhold: Iterable[Any] = ()) -> pd.DataFrame:
    """``data`` with each overlap index withheld (NaN) where :func:`overlap_publishable` says no.

    ``withhold``: codes whose own count must not be computable, because a
    breakdown of it is published with a hidden cell (a theme × group table
    with the peer workers' cell suppressed): an index involving such a code
    gives its total, and the total minus the shown cells gives the hidden
    one. Every index of a pair with such a code is withheld.

    Pass the result to :func:`~analysis.disclosure.protect_table` as usual;
    the counts themselves are protected there. The component counts
    ``n_a``/``n_b`` are dropped from the result (publish them, if at all,
    through their own protected table).

    Examples
    --------
    >>> d = pd.DataFrame({"n": [10, 15], "n_a": [5, 30], "n_b": [20, 40], "jaccard": [0.67, 0.27]})
    >>> protect_overlap(d)["jaccard"].tolist()
    [nan, 0.27]
    """
    pol = as_policy(policy)
    cols = [index] if isinstance(index, str) else list(index)
    out = data.copy()
    ok = np.array([overlap_publishable(a, b, c, pol) for a, b, c in
                   zip(out[n].astype(int), out[n_a].astype(int), out[n_b].astype(int))], dtype=bool)
    withhold = set(withhold)
    if withhold and code_a in out.columns and code_b in out.columns:
        ok &= ~(out[code_a].isin(withhold) | out[code_b].isin(withhold)).to_numpy()
    for c in cols:
        out[c] = out[c].where(ok, np.nan)
    out.attrs["overlap_withheld"] = int((~ok).sum())
    return out.drop(columns=[n_a, n_b])


def safe_n_of_N(n: int, total: int, policy=None, *, lang: str = "en") -> str:
    """"n of N" for prose, with neither ``n`` nor ``N - n`` a small count.

    Examples
    --------
    >>> safe_n_of_N(35, 36), safe_n_of_N(3, 36), safe_n_of_N(20, 36)
    ('all but fewer than 10 of 36', 'fewer than 10 of 36', '20 of 36')
    """
    pol = as_policy(policy)
    n, total = int(n), int(total)
    if not 0 <= n <= total:
        raise ValueError(f"need 0 <= n <= total, got n={n}, total={total}")
    of = {"en": "of", "nl": "van de", "fr": "sur"}[lang]
    all_but = {"en": "all but", "nl": "op", "fr": "tous sauf"}[lang]
    if _small(pol, total):
        return pol.text("value_withheld")
    if _small(pol, n):
        return f"{pol.prose_small(n)} {of} {total}"
    if _small(pol, total - n):
        rest = pol.prose_small(total - n)
        if lang == "nl":
            return f"alle {total} {all_but} {rest} na"
        return f"{all_but} {rest} {of} {total}"
    return f"{n} {of} {total}"


def safe_total(n: int, policy=None, *, related: Sequence[int] = (), base: int | None = None) -> str:
    """A total for prose that cannot be subtracted from a related published total.

    ``related``: totals of the same population published elsewhere (the
    whole population, another restriction of it). When ``n`` differs from
    one of them by fewer than the threshold persons (and is not equal), it
    is published rounded to ``base`` (default the threshold) as "about …".

    Examples
    --------
    >>> safe_total(679, related=[685]), safe_total(600, related=[685]), safe_total(685)
    ('about 680', '600', '685')
    """
    pol = as_policy(policy)
    n = int(n)
    step = int(base or pol.threshold)
    if any(0 < abs(n - int(r)) < pol.threshold for r in related):
        return f"about {int(step * round(n / step)):,}"
    if _small(pol, n):
        return pol.prose_small(n)
    return f"{n:,}"


def quote_site(site: str, n_interviewed: int, policy=None, *, anonymous: str = "a prison") -> str:
    """The prison tag of a quote: the site only where at least the threshold were interviewed there."""
    pol = as_policy(policy)
    return anonymous if pol.is_small(int(n_interviewed)) or int(n_interviewed) < pol.threshold else str(site)


def safe_boxplot(ax, groups: Mapping[str, Sequence[float]], policy=None, *, orientation: str = "horizontal",
                 whis: tuple[float, float] = (10, 90), **kwargs):
    """Box plots of ``groups`` that draw no single person: no outlier points, whiskers at percentiles.

    Groups with fewer than the threshold values are left out (their label
    says so). Returns ``ax``.
    """
    pol = as_policy(policy)
    labels, data = [], []
    for label, values in groups.items():
        v = np.asarray(values, dtype=float)
        v = v[~np.isnan(v)]
        if _small(pol, len(v)) or len(v) < pol.threshold:
            labels.append(f"{label} ({pol.text('value_withheld')})")
            data.append([])
            continue
        labels.append(str(label))
        data.append(v)
    ax.boxplot([d if len(d) else [np.nan] for d in data], orientation=orientation, showfliers=False, whis=whis,
               tick_labels=labels, **kwargs)
    return ax


def individual_points(ax) -> int:
    """How many single-person markers a matplotlib ``ax`` draws as box-plot fliers (should be 0)."""
    count = 0
    for line in ax.get_lines():
        marker = line.get_marker()
        if marker not in (None, "", "None", " ") and line.get_linestyle() in ("None", "", " ", "none"):
            count += len(np.atleast_1d(line.get_xdata()))
    return count


def complement_small(n: int, total: int, policy=None) -> bool:
    """Whether ``n`` of a published ``total`` would give away a small count: ``n`` or ``total - n`` is small."""
    pol = as_policy(policy)
    n, total = int(n), int(total)
    if not 0 <= n <= total:
        raise ValueError(f"need 0 <= n <= total, got n={n}, total={total}")
    return _small(pol, n) or _small(pol, total - n)


def safe_part(n: int, total: int, policy=None) -> tuple[str, str]:
    """The part ``n`` of a published ``total`` and the rest ``total - n``, as texts neither of which gives
    away a small count (the policy's language and band wording).

    Both exact when neither is small; otherwise the small one as its band and the other as "all but" that
    band, so that subtracting one shown number from the total recovers nothing.

    Examples
    --------
    >>> safe_part(143, 150), safe_part(120, 150), safe_part(150, 150)
    (('all but fewer than 10', 'fewer than 10'), ('120', '30'), ('150', '0'))
    """
    pol = as_policy(policy)
    n, total = int(n), int(total)
    if _small(pol, total):
        return pol.text("value_withheld"), pol.text("value_withheld")
    if not complement_small(n, total, pol):
        return f"{n:,}", f"{total - n:,}"
    all_but = {"en": "all but {x}", "nl": "alle op {x} na", "fr": "tous sauf {x}"}.get(pol.language, "all but {x}")
    if _small(pol, n):
        return pol.prose_small(n), all_but.format(x=pol.prose_small(n))
    return all_but.format(x=pol.prose_small(total - n)), pol.prose_small(total - n)


def protect_complements(table, related: Mapping[Any, int], *, by: str | Sequence[str], count: str | None = None):
    """``table`` (a :class:`~analysis.disclosure.ProtectedTable`) with each shown count withheld where it
    differs from a total published elsewhere by a small number.

    The same population is often counted twice: the data chapter gives the detainees who answered each
    questionnaire (353 at baseline), the wellbeing chapter those with a valid score (351), and the
    difference (2 without a score) is a small count nobody meant to publish. ``related`` maps a value of
    the key column(s) ``by`` (e.g. the wave) to the total published elsewhere for that key; a count ``n``
    with ``0 < total - n < threshold`` is replaced by the policy's symbol (the table's note already says
    what the symbol means). Statistics of the row (means, SDs) stay: they give no count away.

    Returns a new table (the input is not changed); its remarks say how many counts were withheld.
    """
    from dataclasses import replace

    pol = table.policy
    if count is None:
        count = table.table.columns[len(table.row) + len(table.col)]
    if count not in table.table.columns:
        raise KeyError(f"{count!r} is not a shown column of the table ({list(table.table.columns)})")
    keys = [by] if isinstance(by, str) else list(by)
    long = table.table.copy()
    long[count] = long[count].astype(object)
    hidden = 0
    for i, row in long.iterrows():
        key = row[keys[0]] if len(keys) == 1 else tuple(row[k] for k in keys)
        total = related.get(key)
        n = row[count]
        if total is None or isinstance(n, str) or pd.isna(n):
            continue
        rest = int(total) - int(n)
        if 0 < rest and pol.is_small(rest):
            long.at[i, count] = pol.table_symbol(small=False)
            hidden += 1
    if not hidden:
        return table
    remark = (f"{hidden} count(s) withheld: each differs from a total published elsewhere in the report by fewer "
              f"than {pol.threshold} persons.")
    return replace(table, table=long, remarks=tuple(table.remarks) + (remark,))
