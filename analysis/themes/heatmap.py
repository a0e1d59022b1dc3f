"""Heat map of a protected two-way table (framework matrix, co-occurrence).

:meth:`analysis.themes.ThemePrevalence.plot` draws raw counts; a published
figure must show only what disclosure control let through. This draws a
:class:`analysis.disclosure.ProtectedTable` instead: cells coloured by a
statistic (e.g. the share of participants), labelled with its formatted value,
hidden cells grey and labelled with the policy's symbol.

Conventions
-----------
- Rows and columns follow the table's own order (``row_order``/``col_order``);
  margins, if the table has them, are left out of the figure.
- A hidden cell (any status but ``published``) shows no colour and no value,
  only the symbol, whatever statistic is drawn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["protected_heatmap"]


def protected_heatmap(
    table,
    *,
    value: str,
    label: str | None = None,
    vmin: float | None = 0.0,
    vmax: float | None = 1.0,
    cmap: str = "Blues",
    colorbar_label: str | None = None,
    title: str | None = None,
    ax=None,
):
    """Draw a protected two-way table as a heat map.

    Parameters
    ----------
    table : ProtectedTable
        From :func:`analysis.disclosure.protect_table` with one ``row`` and one
        ``col`` key column.
    value : str
        Shown statistic that sets the colour (e.g. ``"share"``).
    label : str, optional
        Shown column whose formatted text labels each cell (default ``value``).
    vmin, vmax : float or None
        Colour scale limits (``None``: from the published values).
    cmap, colorbar_label, title : str
        Colour map, colour-bar caption and axes title.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if not hasattr(table, "plot_frame") or not hasattr(table, "suppression"):
        raise TypeError(
            f"table must be a ProtectedTable, got {type(table).__name__}; pass protect_table(...) of the frame"
        )
    if len(table.row) != 1 or len(table.col) != 1:
        raise ValueError("protected_heatmap needs a two-way table: protect_table(..., row=<one column>, col=<one column>)")
    label = label or value
    for column, argument in ((value, "value"), (label, "label")):
        if column not in table.shown:
            raise KeyError(f"{column!r} is not a shown column of the table ({', '.join(table.shown)}); pass {argument}=")
    r, c = table.row[0], table.col[0]
    total = table.total_label
    rows = [t[0] for t in table.row_order if t[0] != total]
    cols = [t[0] for t in table.col_order if t[0] != total]
    numeric = table.plot_frame()
    text = table.display_frame(layout="long")
    hidden = (table.suppression["status"] != "published").to_numpy()
    body = (numeric[r] != total) & (numeric[c] != total)
    values = numeric.loc[body].pivot(index=r, columns=c, values=value).reindex(index=rows, columns=cols)
    labels = text.loc[body].pivot(index=r, columns=c, values=label).reindex(index=rows, columns=cols)
    mask = pd.Series(hidden[body.to_numpy()], index=numeric.index[body])
    mask = numeric.loc[body].assign(_h=mask).pivot(index=r, columns=c, values="_h").reindex(index=rows, columns=cols)
    grid = values.to_numpy(dtype=float)
    grid[mask.to_numpy(dtype=bool)] = np.nan
    if ax is None:
        _, ax = plt.subplots(figsize=(1.1 * len(cols) + 3, 0.45 * len(rows) + 1.5))
    colours = plt.get_cmap(cmap).with_extremes(bad="#dddddd")
    image = ax.imshow(np.ma.masked_invalid(grid), cmap=colours, vmin=vmin, vmax=vmax, aspect="auto")
    symbol = table.policy.table_symbol(small=False)
    lo = np.nanmin(grid) if vmin is None and np.isfinite(grid).any() else (vmin or 0.0)
    hi = np.nanmax(grid) if vmax is None and np.isfinite(grid).any() else (vmax if vmax is not None else 1.0)
    for (i, j), hid in np.ndenumerate(mask.to_numpy(dtype=bool)):
        text_ij = labels.iat[i, j]
        if hid:
            shown = str(text_ij) if isinstance(text_ij, str) and text_ij else symbol
            ax.text(j, i, shown, ha="center", va="center", fontsize=8, color="dimgrey")
            continue
        v = grid[i, j]
        dark = np.isfinite(v) and hi > lo and (v - lo) / (hi - lo) > 0.6
        ax.text(j, i, "" if pd.isna(text_ij) else str(text_ij), ha="center", va="center", fontsize=8,
                color="white" if dark else "black")
    # rows and columns in words (a theme's code "pathways_into_role" is "Pathways into the role"): the label catalogue
    from analysis.reader import label as words

    ax.set_xticks(range(len(cols)), [words(str(x)) for x in cols], rotation=30, ha="right")
    ax.set_yticks(range(len(rows)), [words(str(x)) for x in rows])
    ax.figure.colorbar(image, ax=ax, label=colorbar_label or value)
    if title:
        ax.set_title(title)
    return ax
