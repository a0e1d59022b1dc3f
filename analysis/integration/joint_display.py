"""Joint displays: qualitative themes beside quantitative results, per site or group.

A joint display is a table with one row per key (a site, or a respondent group)
and, side by side, the prevalence of interview themes and the numbers from
other analyses — e.g. the sites where peer workers say they lack supervision
beside the detainees' trust and wellbeing change there.

It is built from frames, not from result classes: pass any result's
``to_frame()`` (or a frame derived from it), so it works with every module.

Conventions
-----------
- The themes frame is long, one row per key × theme (× ``across``), such as
  :meth:`analysis.themes.ThemePrevalence.to_frame`; it is pivoted to one column
  per theme (``"theme"``, or ``"theme (group)"`` with ``across``).
- Each quantitative frame must have one row per key; its columns are named
  ``"name: column"``.
- Keys are joined with an outer join by default: a site with interviews but no
  survey result keeps its row, with missing values, and a remark says so.
- Counts are raw: pass the table through disclosure control before publishing,
  unless every frame joined came out of disclosure control (``protect_table``'s
  ``to_frame``): then the display is marked as protected too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..disclosure.marks import disclosure_mark, mark_protected
from ..results import Result

__all__ = ["JointDisplay", "joint_display"]


@dataclass(frozen=True)
class JointDisplay(Result):
    """A side-by-side table of themes and quantitative results per key.

    Attributes
    ----------
    table : DataFrame
        See :meth:`to_frame`.
    on : str
        The key column.
    blocks : tuple of (str, tuple of str)
        Column groups in display order: ``("themes", (...))`` then one block per
        quantitative frame.
    theme_value : str
        The theme measure shown (e.g. ``"share"``).
    """

    table: pd.DataFrame
    on: str
    blocks: tuple
    theme_value: str

    @property
    def title(self) -> str:
        return f"Joint display by {self.on}"

    def to_frame(self) -> pd.DataFrame:
        """One row per key: the key column, then the theme columns, then the
        quantitative columns (``"name: column"``)."""
        return self.table.copy()

    def plot(self, ax=None):
        """Draw the display as a coloured table: themes left, numbers right.

        Each column is shaded on its own scale (shares on 0–1); cells show the
        values, and a vertical rule separates the qualitative from the
        quantitative block.
        """
        import matplotlib.pyplot as plt

        columns = [c for _, cols in self.blocks for c in cols]
        n_rows, n_cols = len(self.table), len(columns)
        if ax is None:
            _, ax = plt.subplots(figsize=(1.3 * n_cols + 2, 0.5 * n_rows + 2))
        ax.set_xlim(-0.5, n_cols - 0.5)
        ax.set_ylim(n_rows - 0.5, -0.5)
        theme_columns = set(self.blocks[0][1])
        for j, column in enumerate(columns):
            values = pd.to_numeric(self.table[column], errors="coerce").to_numpy(dtype=float)
            is_share = column in theme_columns and self.theme_value == "share"
            lo, hi = (0.0, 1.0) if is_share else (np.nanmin(values, initial=np.inf), np.nanmax(values, initial=-np.inf))
            span = hi - lo if np.isfinite(hi - lo) and hi > lo else 1.0
            cmap = plt.get_cmap("Blues" if column in theme_columns else "Oranges")
            for i, v in enumerate(values):
                if np.isnan(v):
                    face, label = "white", "–"
                else:
                    face = cmap(0.15 + 0.6 * (v - lo) / span) if np.isfinite(lo) else cmap(0.3)
                    label = f"{v:.0%}" if is_share else f"{v:.3g}"
                ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=face, edgecolor="white"))
                ax.text(j, i, label, ha="center", va="center", fontsize=8)
        start = 0
        for name, cols in self.blocks:
            ax.text(start + (len(cols) - 1) / 2, -0.9, name, ha="center", va="bottom", fontweight="bold")
            if start:
                ax.axvline(start - 0.5, color="black", linewidth=1.5)
            start += len(cols)
        short = [c.split(": ", 1)[-1] for c in columns]
        ax.set_xticks(range(n_cols), short, rotation=35, ha="right")
        ax.set_yticks(range(n_rows), list(map(str, self.table[self.on])))
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_visible(False)
        return ax


def _named(quantitative) -> dict[str, pd.DataFrame]:
    if isinstance(quantitative, pd.DataFrame):
        return {"results": quantitative}
    if isinstance(quantitative, Mapping):
        named = dict(quantitative)
    elif isinstance(quantitative, Sequence) and not isinstance(quantitative, str):
        named = {f"results {i}": f for i, f in enumerate(quantitative, start=1)}
    else:
        raise TypeError(
            "quantitative must be a DataFrame, a list of DataFrames or a mapping {name: DataFrame}; "
            "pass e.g. quantitative={'wellbeing': result.to_frame()}"
        )
    for name, frame in named.items():
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"quantitative[{name!r}] is a {type(frame).__name__}; pass its .to_frame()")
    return named


def joint_display(
    themes: pd.DataFrame,
    quantitative,
    *,
    on: str = "site",
    theme: str = "theme",
    value: str = "share",
    across: str | Sequence[str] | None = None,
    columns: Mapping[str, Sequence[str]] | None = None,
    how: str = "outer",
) -> JointDisplay:
    """Join theme prevalence with one or more quantitative frames on a key.

    Parameters
    ----------
    themes : DataFrame
        Long frame with ``on``, ``theme`` and ``value`` columns, e.g.
        ``theme_prevalence(..., site="site").to_frame()`` filtered to a group.
    quantitative : DataFrame, list of DataFrames, or mapping {name: DataFrame}
        Frames with one row per key (``on`` column), e.g. results' ``to_frame()``.
    on : str
        The key column present in every frame (``"site"`` or a group column).
    theme, value : str
        Theme column and the measure to show (``"share"``, ``"n_participants"``, ...).
    across : str or list of str, optional
        Further columns of ``themes`` that distinguish rows for one key and
        theme (e.g. ``"respondent_group"``); they become part of the column name.
    columns : mapping {name: list of str}, optional
        Columns to take from each quantitative frame; default all numeric
        columns but the key.
    how : {"outer", "inner", "left"}
        How keys are joined ("left" keeps the themes' keys).

    Returns
    -------
    JointDisplay
    """
    if not isinstance(themes, pd.DataFrame):
        raise TypeError(f"themes must be a DataFrame, got {type(themes).__name__}; pass a prevalence .to_frame()")
    across = [] if across is None else ([across] if isinstance(across, str) else list(across))
    for column, argument in [(on, "on"), (theme, "theme"), (value, "value"), *[(a, "across") for a in across]]:
        if column not in themes.columns:
            raise KeyError(f"column {column!r} not found in themes; pass {argument}=<your column name>")
    if how not in ("outer", "inner", "left"):
        raise ValueError(f"how must be 'outer', 'inner' or 'left', got {how!r}")
    if themes.duplicated([on, theme, *across]).any():
        others = [c for c in themes.columns if c not in (on, theme, value) and themes[c].dtype == object]
        raise ValueError(
            f"themes has several rows per {on} and {theme}; pass across=<the column that distinguishes them>"
            + (f" (one of {', '.join(others)})" if others else "") + " or filter the frame first"
        )
    label = themes[theme].astype(str)
    for a in across:
        label = label + " (" + themes[a].astype(str) + ")"
    wide = themes.assign(_label=label).pivot(index=on, columns="_label", values=value)
    theme_columns = list(dict.fromkeys(label))
    wide = wide[theme_columns].reset_index()
    blocks = [("themes", tuple(theme_columns))]
    table = wide
    remarks = []
    named = _named(quantitative)
    for name, frame in named.items():
        if on not in frame.columns:
            raise KeyError(f"column {on!r} not found in quantitative frame {name!r}; pass on=<the shared key column>")
        if frame[on].duplicated().any():
            raise ValueError(
                f"quantitative frame {name!r} has several rows per {on}; filter it to one row per {on} "
                "(e.g. one measure or one wave) or pivot it first"
            )
        wanted = list(columns[name]) if columns and name in columns else [
            c for c in frame.columns if c != on and pd.api.types.is_numeric_dtype(frame[c])
        ]
        missing = [c for c in wanted if c not in frame.columns]
        if missing:
            raise KeyError(f"columns {missing} not found in quantitative frame {name!r}; fix columns[{name!r}]")
        renamed = frame[[on, *wanted]].rename(columns={c: f"{name}: {c}" for c in wanted})
        keys_left, keys_right = set(table[on]), set(frame[on])
        only = sorted(keys_left ^ keys_right, key=str)
        if only:
            remarks.append(
                f"{on} {', '.join(map(str, only))} appear(s) in only one of themes and {name!r}"
                + ("; their other cells are missing." if how == "outer" else "; dropped by the join.")
            )
        table = table.merge(renamed, on=on, how=how)
        blocks.append((name, tuple(renamed.columns[1:])))
    table = table.sort_values(on, key=lambda s: s.astype(str)).reset_index(drop=True)
    remarks.append(
        f"Themes show {value!r} from the interviews; the other columns come from the quantitative results. "
        "Set side by side, they suggest where findings converge or diverge; they do not show that one causes the other."
    )
    if all(disclosure_mark(f) == "protected" for f in (themes, *named.values())):
        mark_protected(table)  # joined from published tables only: nothing hidden is shown again
    else:
        remarks.append("Counts are raw; pass the table through disclosure control before publishing.")
    return JointDisplay(table=table, on=on, blocks=tuple(blocks), theme_value=value, remarks=tuple(remarks))
