"""Theme prevalence by respondent group (and site): the framework matrix.

Conventions
-----------
- Sub-codes roll up to their top-level theme through ``parents``
  (``{sub_code: theme}``, any depth); a participant mentions a theme when any of
  their segments carries the theme or one of its sub-codes.
- ``n_participants``: distinct participants (``subject``) mentioning the theme.
- ``n_interviewed``: participants interviewed in the cell, from ``interviews``
  (a participant who mentioned nothing still counts).
- ``share = n_participants / n_interviewed``.
- ``n_segments``: distinct segments coded with the theme or its sub-codes.
- Counts are raw: apply :mod:`analysis.disclosure` before publishing, e.g.
  ``protect_table(result.to_frame(), row="theme", col="respondent_group",
  count="n_participants", values=["share"], margins=False)`` (no margins: one
  participant mentions several themes, so the counts do not add up). Where few
  people were interviewed in a cell (staff of one prison), "none mentioned it"
  says something about each of them: consider ``protect_zeros``.
- Group and site of a participant come from ``interviews``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..results import Result
from ._common import all_themes, require_columns, require_frame, roll_up

__all__ = ["ThemePrevalence", "theme_prevalence", "GroupComparison", "compare_groups"]


@dataclass(frozen=True)
class ThemePrevalence(Result):
    """Theme × group (× site) counts of participants and segments.

    Attributes
    ----------
    table : DataFrame
        See :meth:`to_frame`.
    by : tuple of str
        The cell columns after ``theme``: ``("group",)`` or ``("group", "site")``
        under the caller's column names.
    """

    table: pd.DataFrame
    by: tuple[str, ...]

    @property
    def title(self) -> str:
        return "Theme prevalence by " + " and ".join(self.by)

    def to_frame(self) -> pd.DataFrame:
        """One row per theme × cell.

        Columns: ``theme``, the ``by`` columns, ``n_participants``,
        ``n_interviewed``, ``share``, ``n_segments``.
        """
        return self.table.copy()

    def control_counts(self, threshold: int) -> pd.DataFrame:
        """The table with ``n_control``, the count disclosure control should use.

        Where fewer than ``threshold`` people were interviewed in a cell (e.g.
        the peer workers), every count of that cell is small, and so is a
        zero: "none of the few peer workers raised it" tells something about
        each of them. ``n_control`` is ``n_participants``, except that such
        zeros count as 1 (small), so that they are suppressed with the rest of
        the cell.
        """
        t = self.table.copy()
        small_zero = (t["n_interviewed"] < threshold) & (t["n_participants"] == 0)
        t["n_control"] = np.where(small_zero, 1, t["n_participants"]).astype("int64")
        return t

    def matrix(self, value: str = "share") -> pd.DataFrame:
        """The framework matrix: themes as rows, groups (× sites) as columns.

        Parameters
        ----------
        value : {"share", "n_participants", "n_segments", "label"}
            ``"label"`` gives ``"n/N"`` strings.
        """
        table = self.table
        if value == "label":
            table = table.assign(label=table["n_participants"].astype(str) + "/" + table["n_interviewed"].astype(str))
        elif value not in ("share", "n_participants", "n_segments", "n_interviewed"):
            raise ValueError(f"value must be 'share', 'n_participants', 'n_segments' or 'label', got {value!r}")
        wide = table.pivot(index="theme", columns=list(self.by), values=value)
        return wide.reindex(pd.unique(table["theme"]))

    def plot(self, ax=None):
        """Heat map of the share of participants, annotated ``n/N``."""
        import matplotlib.pyplot as plt

        share = self.matrix("share")
        labels = self.matrix("label")
        if ax is None:
            _, ax = plt.subplots(figsize=(1.2 * share.shape[1] + 3, 0.45 * share.shape[0] + 1.5))
        image = ax.imshow(share.to_numpy(dtype=float), cmap="Blues", vmin=0, vmax=1, aspect="auto")
        for (i, j), text in np.ndenumerate(labels.to_numpy()):
            colour = "white" if share.iat[i, j] > 0.6 else "black"
            ax.text(j, i, text, ha="center", va="center", fontsize=8, color=colour)
        columns = [" / ".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in share.columns]
        ax.set_xticks(range(share.shape[1]), columns, rotation=30, ha="right")
        ax.set_yticks(range(share.shape[0]), list(map(str, share.index)))
        ax.figure.colorbar(image, ax=ax, label="share of participants interviewed")
        ax.set_title(self.title)
        return ax


def theme_prevalence(
    data: pd.DataFrame,
    *,
    interviews: pd.DataFrame,
    parents=None,
    themes=None,
    subject: str = "pid",
    group: str = "respondent_group",
    site: str | None = None,
    code: str = "code",
    segment: str = "segment_id",
    transcript: str = "transcript_id",
    coder: str | None = "coder",
) -> ThemePrevalence:
    """Participants and segments per theme and respondent group (and site).

    Parameters
    ----------
    data : DataFrame
        Coded segments (``segments()`` frame): one coding per transcript (the
        consensus or primary coder); a remark warns when several coders appear.
    interviews : DataFrame
        Everyone interviewed: one row per participant with ``subject``,
        ``group`` (and ``site`` when given) columns.
    parents : mapping, optional
        ``{sub_code: theme}`` from the codebook; sub-codes roll up to themes.
    themes : sequence, optional
        Themes to show even if nobody mentioned them (the codebook's themes);
        by default the roots of ``parents`` plus the themes observed.
    subject, group, site, code, segment, transcript, coder : str
        Column names; pass ``site="site"`` to break the groups down by site.
        ``coder=None`` skips the several-coders check.

    Returns
    -------
    ThemePrevalence
    """
    require_frame(data, "data")
    require_frame(interviews, "interviews")
    require_columns(data, {"subject": subject, "code": code, "segment": segment})
    require_columns(interviews, {"subject": subject, "group": group, "site": site}, frame="interviews")
    by = (group,) if site is None else (group, site)
    people = interviews[[subject, *by]].drop_duplicates()
    if people[subject].duplicated().any():
        pid = people.loc[people[subject].duplicated(), subject].iloc[0]
        raise ValueError(
            f"participant {pid!r} appears in interviews with more than one {' × '.join(by)}; "
            "each participant belongs to one cell"
        )
    if people[list(by)].isna().any().any():
        raise ValueError(f"interviews has participants with no {' or '.join(by)}; fill them in or drop them")
    unknown = sorted(set(data[subject]) - set(people[subject]), key=str)
    if unknown:
        raise ValueError(
            f"{len(unknown)} participants have segments but are not in interviews (first: {unknown[0]!r}); "
            "interviews must list everyone interviewed (it is the denominator)"
        )
    segs = data[[subject, segment, code]].copy()
    segs["theme"] = roll_up(segs[code], parents)
    segs = segs.merge(people, on=subject, how="left")
    order = all_themes(list(pd.unique(segs["theme"])) + list(themes or []), parents)
    if themes is not None:
        order = list(dict.fromkeys(list(themes) + order))
    cells = people.groupby(list(by), sort=True).size().rename("n_interviewed").reset_index()
    grid = pd.DataFrame({"theme": order}).merge(cells, how="cross")
    counts = segs.groupby(["theme", *by]).agg(
        n_participants=(subject, "nunique"), n_segments=(segment, "nunique")
    ).reset_index()
    table = grid.merge(counts, on=["theme", *by], how="left")
    table[["n_participants", "n_segments"]] = table[["n_participants", "n_segments"]].fillna(0).astype("int64")
    table["share"] = table["n_participants"] / table["n_interviewed"]
    table = table[["theme", *by, "n_participants", "n_interviewed", "share", "n_segments"]]
    remarks = [
        "Share = participants mentioning the theme / participants interviewed in the cell "
        "(those who mentioned nothing count in the denominator).",
        "Counts are raw; pass the table through disclosure control before publishing.",
    ]
    if parents:
        remarks.append("Sub-themes are rolled up: a participant counts once per theme whatever sub-codes they mention.")
    if coder is not None and coder in data.columns and transcript in data.columns:
        several = data.groupby(transcript)[coder].nunique()
        if (several > 1).any():
            remarks.append(
                f"{int((several > 1).sum())} transcripts carry segments from several coders; a participant "
                "counts as mentioning a theme if any coder coded it. Pass one coding per transcript "
                "(consensus or primary coder) for prevalence."
            )
    return ThemePrevalence(table=table.reset_index(drop=True), by=by, remarks=tuple(remarks))


@dataclass(frozen=True)
class GroupComparison(Result):
    """Theme shares side by side, compared only where every group was asked.

    ``table``: one row per theme: ``theme``, ``asked_by`` (groups whose topic
    guide asks about it), ``comparable`` (asked by every compared group),
    then ``share[<group>]`` and ``n[<group>]`` per group. ``groups``: the
    compared groups.
    """

    table: pd.DataFrame
    groups: tuple

    @property
    def title(self) -> str:
        return "Themes by respondent group, compared where every guide asks"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def most_raised(self, group) -> str | None:
        """The comparable theme raised by the largest share of ``group`` (None if none)."""
        t = self.table[self.table["comparable"]]
        if t.empty:
            return None
        t = t.sort_values([f"share[{group}]", "theme"], ascending=[False, True], kind="stable")
        return str(t["theme"].iloc[0])


def compare_groups(prevalence: ThemePrevalence, *, asked, groups=None) -> GroupComparison:
    """Put groups' theme shares side by side, comparable only where every guide asks.

    Parameters
    ----------
    prevalence : ThemePrevalence
        By respondent group (no site).
    asked : mapping
        ``{group: themes its topic guide asks about}`` (from the guides'
        sections). A theme asked of some groups only is *targeted*: its shares
        reflect the questions, not what people raise, and are not compared.
    groups : sequence, optional
        Groups to compare (default: all in ``asked``).

    Returns
    -------
    GroupComparison
    """
    if len(prevalence.by) != 1:
        raise ValueError("compare_groups needs prevalence by respondent group only (no site)")
    g = prevalence.by[0]
    groups = tuple(groups if groups is not None else asked)
    missing = [x for x in groups if x not in asked]
    if missing:
        raise ValueError(f"no topic-guide themes for group(s) {missing}; pass asked={{group: themes}} for each")
    t = prevalence.table[prevalence.table[g].isin(groups)]
    wide_share = t.pivot(index="theme", columns=g, values="share").reindex(columns=list(groups))
    wide_n = t.pivot(index="theme", columns=g, values="n_participants").reindex(columns=list(groups))
    themes = list(pd.unique(t["theme"]))
    rows = []
    for theme in themes:
        by = [x for x in groups if theme in set(asked[x])]
        row = {"theme": theme, "asked_by": ", ".join(map(str, by)), "comparable": len(by) == len(groups)}
        for x in groups:
            row[f"share[{x}]"] = wide_share.loc[theme, x]
            row[f"n[{x}]"] = wide_n.loc[theme, x]
        rows.append(row)
    table = pd.DataFrame(rows)
    targeted = table.loc[~table["comparable"] & (table["asked_by"] != ""), "theme"].tolist()
    remarks = [
        "Shares are compared between groups only for themes every compared group's topic guide asks about; "
        + (f"{len(targeted)} theme(s) are targeted by some guides only ({', '.join(map(str, targeted))}) and are "
           "not compared: their shares reflect the questions asked." if targeted else "no theme is targeted.")
    ]
    return GroupComparison(table=table, groups=groups, remarks=tuple(remarks))
