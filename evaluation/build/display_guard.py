"""Disclosure by construction: the chapter kernel refuses to show an unprotected table of counts.

Every chapter is executed with this guard installed first (by
:func:`evaluation.build.execute.execute_notebook`, through a set-up cell
that is removed from the executed notebook). It wraps the kernel's
``display_formatter.format`` — the one function through which the last
expression of a cell, ``display(...)`` and ``myst_nb.glue(...)`` turn an
object into what the page shows — and raises
``analysis.disclosure.DisclosureError`` (so the cell, the chapter and the
build fail) when the object is a pandas ``DataFrame``, ``Series`` or
``Styler`` that

* has a column of counts (integer values: what ``crosstab``,
  ``value_counts``, ``groupby().size()`` and ``count`` give), and
* carries no disclosure mark: not returned by
  ``analysis.disclosure.protect_table`` (``to_frame``, ``display_frame``,
  ``to_styler``) and not declared with
  ``analysis.disclosure.not_person_level(frame, reason=...)``.

Analysis result objects (``analysis.results.Result``) are displayed through
their own representation; protecting what they count is the analysis's job.
Figures are not inspected here.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["install", "check_displayable", "count_columns", "GUARD_SOURCE", "GUARD_CELL_ID"]

#: Source of the set-up cell the build runs before a chapter's first cell.
GUARD_SOURCE = "from evaluation.build.display_guard import install as _peer_eval_guard\n_peer_eval_guard()\ndel _peer_eval_guard"
#: Id of that cell (removed from the executed notebook).
GUARD_CELL_ID = "peer-eval-display-guard"


def _is_count_series(values) -> bool:
    import numpy as np
    import pandas as pd

    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return False
    if pd.api.types.is_integer_dtype(dtype):
        return True
    if pd.api.types.is_float_dtype(dtype):
        return False  # means, rates, hazard ratios … (a count that became a float is still caught by the page check)
    if dtype == object:
        nonnull = [v for v in values if v is not None and not (isinstance(v, float) and np.isnan(v))]
        return bool(nonnull) and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in nonnull)
    return False


def count_columns(obj: Any) -> list[str]:
    """Names of the columns of ``obj`` (DataFrame, Series or Styler) that hold counts."""
    import pandas as pd

    frame = getattr(obj, "data", obj) if not isinstance(obj, (pd.DataFrame, pd.Series)) else obj
    if isinstance(frame, pd.Series):
        return [str(frame.name if frame.name is not None else "values")] if _is_count_series(frame) else []
    if isinstance(frame, pd.DataFrame):
        out = []
        for i in range(frame.shape[1]):
            if _is_count_series(frame.iloc[:, i]):
                col = frame.columns[i]
                out.append(" / ".join(map(str, col)) if isinstance(col, tuple) else str(col))
        return out
    return []


def _is_table(obj: Any) -> bool:
    pd = sys.modules.get("pandas")
    if pd is None:
        return False
    if isinstance(obj, (pd.DataFrame, pd.Series)):
        return True
    styler = sys.modules.get("pandas.io.formats.style")
    return styler is not None and isinstance(obj, styler.Styler)


def check_displayable(obj: Any) -> None:
    """Raise ``DisclosureError`` if ``obj`` is an unmarked pandas table with counts (see the module)."""
    if not _is_table(obj):
        return
    from analysis.disclosure import DisclosureError, disclosure_mark

    if disclosure_mark(obj):
        return
    counts = count_columns(obj)
    if not counts:
        return
    shown = ", ".join(repr(c) for c in counts[:6]) + (" …" if len(counts) > 6 else "")
    raise DisclosureError(
        f"this table has counts ({shown}) and did not pass disclosure control, so the book will not show it. "
        "Pass it through analysis.disclosure.protect_table(...) and display the result (or its .to_styler()); "
        "if it counts no persons, declare it with analysis.disclosure.not_person_level(table, reason='...').")


def install(shell=None) -> None:
    """Wrap ``shell.display_formatter.format`` (default: the running IPython) with :func:`check_displayable`."""
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    if shell is None:
        raise RuntimeError("display_guard.install() must run inside an IPython kernel")
    formatter = shell.display_formatter
    if getattr(formatter.format, "_peer_eval_guard", False):
        return
    original = formatter.format

    def guarded_format(obj, include=None, exclude=None):
        check_displayable(obj)
        return original(obj, include=include, exclude=exclude)

    guarded_format._peer_eval_guard = True
    formatter.format = guarded_format
