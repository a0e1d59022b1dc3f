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

__all__ = ["ThemePrevalence", "theme_prevalence"]


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
