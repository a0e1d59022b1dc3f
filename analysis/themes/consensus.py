"""A consensus coding for prevalence: a recorded consensus pass, else a merge of the coders.

Keeping the coder with the most segments in a doubly coded transcript (the
fallback of :func:`~analysis.themes.coding.one_coding_per_transcript`) biases
prevalence upwards: the coder who codes most generously wins. Here each
transcript gets one coding by a stated rule:

* **consensus pass**: where the store holds segments of the designated
  consensus coder (``consensus_coder``, default ``"consensus"``) for a
  transcript, those segments are the coding;
* **merge** (no consensus pass): a code (at the level given, sub-code by
  default or theme with ``parents``) counts in the transcript when the
  ``rule`` holds among the coders who coded it: ``"majority"`` (default:
  more than half of them — with two coders, both), ``"all"`` or ``"any"``.
  Its segments are taken from one of the coders who applied it, the one
  with the most segments of that code (ties by name), so no passage counts
  twice;
* a transcript coded by one coder keeps that coding.

``coded`` (who coded which transcript, including coders who applied no code)
sets the number of coders; without it the coders with segments count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..results import Result
from ._common import require_columns, require_frame, roll_up

__all__ = ["ConsensusCoding", "consensus_coding", "RULES"]

RULES = ("majority", "all", "any")


@dataclass(frozen=True)
class ConsensusCoding(Result):
    """One coding per transcript.

    Attributes
    ----------
    segments : DataFrame
        The kept segments (rows of the input), one coding per transcript.
    transcripts : DataFrame
        Per transcript: ``transcript``, ``n_coders``, ``method`` ("consensus
        pass", "merged (<rule>)", "single coder"), ``n_codes_kept``,
        ``n_codes_dropped`` (codes some coder applied that the rule dropped).
    rule : str
    """

    segments: pd.DataFrame
    transcripts: pd.DataFrame
    rule: str

    @property
    def title(self) -> str:
        return f"Consensus coding ({self.rule} rule where no consensus pass exists)"

    def to_frame(self) -> pd.DataFrame:
        return self.transcripts.copy()


def consensus_coding(
    data: pd.DataFrame,
    *,
    coded: pd.DataFrame | None = None,
    rule: str = "majority",
    parents=None,
    consensus_coder: str = "consensus",
    passes: pd.DataFrame | None = None,
    transcript: str = "transcript_id",
    coder: str = "coder",
    code: str = "code",
) -> ConsensusCoding:
    """One coding per transcript from a consensus pass or a merge of coders (module notes).

    Parameters
    ----------
    data : DataFrame
        Coded segments, all coders.
    coded : DataFrame, optional
        Who coded which transcript (``transcript``, ``coder``).
    rule : {"majority", "all", "any"}
    parents : mapping, optional
        Merge at theme level (sub-codes rolled up) instead of code level.
    consensus_coder : str
        Name under which a consensus pass is stored.
    passes : DataFrame, optional
        Recorded consensus decisions (``evaluation.qda.consensus.consensus_passes``):
        ``transcript`` and ``coder`` columns, one row per transcript — that
        coder's coding is the transcript's coding. Takes precedence over
        ``consensus_coder``; a named coder without segments in the transcript
        is an error.

    Returns
    -------
    ConsensusCoding
    """
    require_frame(data, "data")
    require_columns(data, {"transcript": transcript, "coder": coder, "code": code})
    if rule not in RULES:
        raise ValueError(f"rule must be one of {', '.join(RULES)}, got {rule!r}")
    who = (coded if coded is not None else data)[[transcript, coder]].drop_duplicates()
    chosen_by_pass: dict = {}
    if passes is not None:
        require_frame(passes, "passes")
        require_columns(passes, {"transcript": transcript, "coder": coder}, frame="passes")
        if passes[transcript].duplicated().any():
            dup = passes.loc[passes[transcript].duplicated(), transcript].iloc[0]
            raise ValueError(f"passes names several consensus codings for transcript {dup!r}; keep the latest")
        chosen_by_pass = dict(zip(passes[transcript], passes[coder]))
    d = data.copy()
    d["_unit"] = roll_up(d[code], parents) if parents else d[code]
    keep = np.zeros(len(d), dtype=bool)
    rows = []
    for t, part in d.groupby(transcript, sort=True):
        coders = set(who.loc[who[transcript] == t, coder]) | set(part[coder])
        idx = np.flatnonzero((d[transcript] == t).to_numpy())
        if t in chosen_by_pass:
            pick = chosen_by_pass[t]
            mask = (part[coder] == pick).to_numpy()
            if not mask.any():
                raise ValueError(f"the recorded consensus of transcript {t!r} is coder {pick!r}, who has no segment "
                                 "there; record the consensus again")
            keep[idx[mask]] = True
            rows.append({"transcript": t, "n_coders": len(coders - {consensus_coder}),
                         "method": "consensus pass (recorded)",
                         "n_codes_kept": int(part.loc[mask, "_unit"].nunique()), "n_codes_dropped": 0})
            continue
        if consensus_coder in coders:
            mask = (part[coder] == consensus_coder).to_numpy()
            keep[idx[mask]] = True
            rows.append({"transcript": t, "n_coders": len(coders - {consensus_coder}), "method": "consensus pass",
                         "n_codes_kept": int(part.loc[mask, "_unit"].nunique()), "n_codes_dropped": 0})
            continue
        if len(coders) == 1:
            keep[idx] = True
            rows.append({"transcript": t, "n_coders": 1, "method": "single coder",
                         "n_codes_kept": int(part["_unit"].nunique()), "n_codes_dropped": 0})
            continue
        m = len(coders)
        votes = part.groupby("_unit")[coder].nunique()
        need = {"majority": m / 2, "all": m - 0.5, "any": 0.5}[rule]
        passed = set(votes.index[votes > need])
        sizes = part[part["_unit"].isin(passed)].groupby(["_unit", coder]).size().rename("_n").reset_index()
        sizes["_name"] = sizes[coder].astype(str)
        chosen = sizes.sort_values(["_unit", "_n", "_name"], ascending=[True, False, True],
                                   kind="stable").drop_duplicates("_unit")
        pick = set(zip(chosen["_unit"], chosen[coder]))
        mask = np.array([(u, c) in pick for u, c in zip(part["_unit"], part[coder])], dtype=bool)
        keep[idx[mask]] = True
        rows.append({"transcript": t, "n_coders": m, "method": f"merged ({rule})", "n_codes_kept": len(passed),
                     "n_codes_dropped": int(len(votes) - len(passed))})
    transcripts = pd.DataFrame(rows, columns=["transcript", "n_coders", "method", "n_codes_kept",
                                              "n_codes_dropped"])
    merged = transcripts["method"].str.startswith("merged")
    remarks = []
    if merged.any():
        remarks.append(
            f"{int(merged.sum())} transcript(s) coded by several coders without a consensus pass were merged: a "
            + ("theme" if parents else "code") + f" counts when the {rule} rule holds among their coders "
            f"({int(transcripts.loc[merged, 'n_codes_dropped'].sum())} code applications dropped)."
        )
    if (transcripts["method"] == "consensus pass").any():
        remarks.append(f"{int((transcripts['method'] == 'consensus pass').sum())} transcript(s) use the recorded "
                       "consensus pass.")
    recorded = transcripts["method"] == "consensus pass (recorded)"
    if recorded.any():
        remarks.append(f"{int(recorded.sum())} transcript(s) use the coding the team recorded as consensus "
                       "('peer-eval interviews consensus').")
    return ConsensusCoding(segments=data.loc[keep].copy(), transcripts=transcripts, rule=rule,
                           remarks=tuple(remarks))
