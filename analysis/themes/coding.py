"""One coding per transcript, for the counts that must not double-count coders.

Prevalence and co-occurrence count what was said, so each transcript must
contribute one coding: the consensus coding where the team recorded one, else
the primary coder's. Agreement, by contrast, needs every coder's segments.

Conventions
-----------
- For each transcript, the first coder of ``prefer`` who coded it is kept
  (e.g. ``prefer=("consensus",)``); otherwise the coder with the most segments
  in that transcript, ties broken by the coder's name (sorted as text), so the
  choice does not depend on row order.
- Transcripts coded by one coder are kept whole.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ._common import require_columns, require_frame

__all__ = ["one_coding_per_transcript"]


def one_coding_per_transcript(
    data: pd.DataFrame,
    *,
    prefer: Sequence[str] = ("consensus",),
    transcript: str = "transcript_id",
    coder: str = "coder",
) -> pd.DataFrame:
    """Keep one coder's segments per transcript (see the module conventions).

    Parameters
    ----------
    data : DataFrame
        Coded segments (``segments()`` frame), all coders.
    prefer : sequence of str
        Coders to keep when present, in order of preference (the consensus
        coding, or a named primary coder).
    transcript, coder : str
        Column names.

    Returns
    -------
    DataFrame
        The rows of ``data`` kept, in their original order (index kept).
    """
    require_frame(data, "data")
    require_columns(data, {"transcript": transcript, "coder": coder})
    if isinstance(prefer, str):
        raise TypeError(f"prefer must be a sequence of coder names, got the string {prefer!r}; pass prefer=({prefer!r},)")
    if data.empty:
        return data.copy()
    rank = {str(c): i for i, c in enumerate(prefer)}
    sizes = data.groupby([transcript, coder], sort=False).size().rename("_n").reset_index()
    sizes["_pref"] = sizes[coder].map(lambda c: rank.get(str(c), len(rank)))
    sizes["_name"] = sizes[coder].astype(str)
    sizes["_neg"] = -sizes["_n"]
    chosen = sizes.sort_values([transcript, "_pref", "_neg", "_name"], kind="stable").drop_duplicates(transcript)
    keep = pd.MultiIndex.from_frame(chosen[[transcript, coder]])
    mask = pd.MultiIndex.from_frame(data[[transcript, coder]]).isin(keep)
    return data.loc[mask].copy()
