"""Exemplar quotes for a theme, by respondent group, with de-identification and sign-off.

A quote is **publishable** only when (1) the de-identification screen
(:func:`analysis.themes.check_deidentification`) finds nothing in it and (2) a
person has signed it off: the ``signoff`` frame names who approved it and when.
If the sign-off records the SHA-256 of the text approved (column
``text_sha256``), a quote whose text has changed since is no longer signed off.

Quotes from staff and peer workers carry no site (there are one to three peer
workers per prison, a handful of staff per role): the site is blanked for the
groups in ``hide_site_for``. The number of participants in a group who
mentioned the theme is shown as a band (:func:`analysis.themes.band_count`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..results import Result
from ._common import require_columns, require_frame, roll_up
from .deidentify import CHECKS, band_count, check_deidentification
from .units import sha256_text

__all__ = ["QuoteSelection", "select_quotes"]

_PUBLIC = ["quote_id", "theme", "group", "site", "text", "mentioned_by", "approved_by", "approved_at"]


@dataclass(frozen=True)
class QuoteSelection(Result):
    """Candidate quotes for one theme with their check and sign-off status.

    ``to_frame()`` gives the publishable quotes only; :meth:`review` gives every
    candidate with its findings, for the people signing off.
    """

    candidates: pd.DataFrame
    theme: object

    @property
    def title(self) -> str:
        n = int(self.candidates["publishable"].sum())
        return f"Quotes for theme {self.theme!r}: {n} publishable of {len(self.candidates)} candidates"

    def to_frame(self) -> pd.DataFrame:
        """Publishable quotes: ``quote_id``, ``theme``, ``group``, ``site`` (empty
        for groups whose site is hidden), ``text``, ``mentioned_by`` (banded
        number of participants in the group mentioning the theme),
        ``approved_by``, ``approved_at``."""
        keep = self.candidates.loc[self.candidates["publishable"]]
        return keep[_PUBLIC].reset_index(drop=True)

    def review(self) -> pd.DataFrame:
        """Every candidate, with ``findings`` (kinds found), ``passes_check``,
        ``signed_off``, ``signoff_problem`` and ``publishable``. Internal: holds
        the participant id and quotes that failed the screen; never publish it."""
        return self.candidates.copy()

    def plot(self, ax=None):
        """Bar chart of candidates per group, split by status."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3))
        c = self.candidates
        status = pd.Series("not checked", index=c.index)
        status[~c["passes_check"]] = "identifying details found"
        status[c["passes_check"] & ~c["signed_off"]] = "awaiting sign-off"
        status[c["publishable"]] = "publishable"
        counts = pd.crosstab(c["group"], status)
        counts.plot.barh(stacked=True, ax=ax)
        ax.set_xlabel("quotes")
        ax.set_title(self.title)
        return ax


def _signoffs(signoff: pd.DataFrame | None, quote: str) -> pd.DataFrame:
    columns = [quote, "approved_by", "approved_at", "text_sha256"]
    if signoff is None:
        return pd.DataFrame(columns=columns)
    require_frame(signoff, "signoff")
    require_columns(signoff, {"quote": quote, "approved_by": "approved_by", "approved_at": "approved_at"},
                    frame="signoff")
    record = signoff.copy()
    if "text_sha256" not in record.columns:
        record["text_sha256"] = None
    record["approved_at"] = pd.to_datetime(record["approved_at"], errors="coerce")
    record = record.loc[record["approved_by"].notna() & (record["approved_by"].astype(str).str.strip() != "")]
    record = record.loc[record["approved_at"].notna()]
    return record.sort_values("approved_at").drop_duplicates(quote, keep="last")[columns]


def select_quotes(
    data: pd.DataFrame,
    *,
    theme,
    parents=None,
    signoff: pd.DataFrame | None = None,
    names=(),
    places=(),
    checks=CHECKS,
    groups=None,
    per_group: int | None = None,
    hide_site_for=("staff", "peer_worker"),
    policy=None,
    subject: str = "pid",
    group: str = "respondent_group",
    site: str = "site",
    code: str = "code",
    text: str = "text",
    quote: str = "segment_id",
) -> QuoteSelection:
    """Select exemplar quotes for a theme, screened and signed off.

    Parameters
    ----------
    data : DataFrame
        Coded segments (``segments()`` frame); each segment's text is a
        candidate quote.
    theme : str
        The theme (segments coded with it or any of its sub-codes qualify).
    parents : mapping, optional
        ``{sub_code: theme}`` from the codebook.
    signoff : DataFrame, optional
        Human sign-off per quote: ``quote`` column, ``approved_by``,
        ``approved_at`` (a date), optionally ``text_sha256`` of the approved
        text. The latest sign-off of a quote counts.
    names, places : iterable of str
        Names of people and of prisons/sites for the de-identification screen.
    checks : iterable of str
        Kinds of identifier to screen for (see :mod:`analysis.themes.deidentify`).
    groups : sequence, optional
        Respondent groups to keep (and their order).
    per_group : int, optional
        Keep at most this many publishable quotes per group (in data order).
    hide_site_for : sequence
        Groups whose quotes never carry a site.
    policy : DisclosurePolicy or mapping, optional
        Wording and threshold for the banded ``mentioned_by`` counts (see
        :func:`analysis.themes.band_count`); default ``{"threshold": 5}``.
    subject, group, site, code, text, quote : str
        Column names.

    Returns
    -------
    QuoteSelection
    """
    require_frame(data, "data")
    require_columns(data, {"subject": subject, "group": group, "site": site, "code": code, "text": text,
                           "quote": quote})
    segs = data.assign(_theme=roll_up(data[code], parents))
    segs = segs.loc[segs["_theme"] == theme]
    if groups is not None:
        segs = segs.loc[segs[group].isin(list(groups))]
    if segs.empty:
        known = sorted(pd.unique(roll_up(data[code], parents)).tolist(), key=str)
        raise ValueError(f"no segment carries theme {theme!r}; themes in data: {', '.join(map(str, known))}")
    # one candidate per quote id (a segment coded twice under the theme is one quote)
    segs = segs.drop_duplicates(quote)
    mentioned = segs.groupby(group)[subject].nunique()
    screen = check_deidentification(segs, names=names, places=places, checks=checks, text=text, quote=quote)
    kinds = screen.findings.groupby("quote_id")["kind"].agg(lambda k: ", ".join(sorted(set(k))))
    record = _signoffs(signoff, quote)
    cand = pd.DataFrame({
        "quote_id": segs[quote].to_numpy(),
        "theme": theme,
        "group": segs[group].to_numpy(),
        "site": segs[site].to_numpy(),
        "subject": segs[subject].to_numpy(),
        "text": segs[text].to_numpy(),
    })
    cand["findings"] = cand["quote_id"].map(kinds).fillna("")
    cand["passes_check"] = cand["findings"] == ""
    cand = cand.merge(record.rename(columns={quote: "quote_id"}), on="quote_id", how="left")
    changed = cand["text_sha256"].notna() & (
        cand["text_sha256"] != cand["text"].map(lambda t: sha256_text(str(t)))
    )
    cand["signed_off"] = cand["approved_by"].notna() & ~changed
    cand["signoff_problem"] = ""
    cand.loc[cand["approved_by"].isna(), "signoff_problem"] = "no sign-off"
    cand.loc[changed, "signoff_problem"] = "text changed after sign-off"
    cand["publishable"] = cand["passes_check"] & cand["signed_off"]
    hidden = cand["group"].isin(list(hide_site_for))
    cand["site"] = cand["site"].astype(object).where(~hidden, None)
    cand["mentioned_by"] = cand["group"].map(mentioned).map(
        lambda n: band_count(n, policy=policy if policy is not None else {"threshold": 5}))
    if per_group is not None:
        rank = cand.loc[cand["publishable"]].groupby("group").cumcount()
        over = rank.index[rank >= per_group]
        cand.loc[over, "publishable"] = False
    if groups is not None:
        order = {g: i for i, g in enumerate(groups)}
        cand = cand.sort_values("group", key=lambda s: s.map(order), kind="stable")
    cand = cand.drop(columns="text_sha256").reset_index(drop=True)
    n_pub, n_all = int(cand["publishable"].sum()), len(cand)
    remarks = [
        f"{n_pub} of {n_all} candidate quotes pass the de-identification screen and are signed off.",
        "Quotes from " + ", ".join(map(str, hide_site_for)) + " carry no site.",
        *screen.remarks,
    ]
    if per_group is not None:
        remarks.append(f"At most {per_group} publishable quotes per group are kept (in data order).")
    return QuoteSelection(candidates=cand, theme=theme, remarks=tuple(remarks))
