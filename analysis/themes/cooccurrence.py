"""Co-occurrence of codes within segments and within participants.

Conventions
-----------
``within="segment"`` — two codes co-occur where a segment of one overlaps a
segment of the other (same transcript, same coder, spans sharing at least one
character; a segment carrying both codes overlaps itself):

- ``n``: number of overlapping pairs (segment coded A, segment coded B);
- ``n_a``, ``n_b``: segments coded A, B;
- ``jaccard``: characters coded both A and B / characters coded A or B, summed
  over transcripts — the Jaccard index of the coded text, always in [0, 1].

``within="participant"`` — two codes co-occur in a participant who mentions both:

- ``n``: participants mentioning both; ``n_a``, ``n_b``: participants
  mentioning each; ``jaccard = n / (n_a + n_b - n)``.

With ``parents``, codes are rolled up to themes first; sub-codes of the same
theme then no longer count as a pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from ..results import Result
from ._common import check_spans, require_columns, require_frame, roll_up

__all__ = ["CodeCooccurrence", "code_cooccurrence"]


@dataclass(frozen=True)
class CodeCooccurrence(Result):
    """Code × code co-occurrence counts and Jaccard indices.

    Attributes
    ----------
    table : DataFrame
        See :meth:`to_frame`.
    codes : tuple
        Codes in display order.
    within : {"segment", "participant"}
    """

    table: pd.DataFrame
    codes: tuple
    within: str

    @property
    def title(self) -> str:
        return f"Co-occurrence of codes within {self.within}s"

    def to_frame(self) -> pd.DataFrame:
        """One row per unordered pair of codes (``code_a`` before ``code_b`` in
        ``codes`` order). Columns: ``code_a``, ``code_b``, ``n``, ``n_a``,
        ``n_b``, ``jaccard``."""
        return self.table.copy()

    def matrix(self, value: str = "n") -> pd.DataFrame:
        """Symmetric code × code matrix of ``"n"`` (diagonal: segments or
        participants per code) or ``"jaccard"`` (diagonal missing)."""
        if value not in ("n", "jaccard"):
            raise ValueError(f"value must be 'n' or 'jaccard', got {value!r}")
        codes = list(self.codes)
        out = pd.DataFrame(np.nan, index=pd.Index(codes, name="code"), columns=pd.Index(codes, name="code"))
        t = self.table
        for a, b, v in zip(t["code_a"], t["code_b"], t[value]):
            out.at[a, b] = out.at[b, a] = v
        if value == "n":
            sizes = dict(zip(t["code_a"], t["n_a"])) | dict(zip(t["code_b"], t["n_b"]))
            for c in codes:
                out.at[c, c] = sizes.get(c, np.nan)
            if out.notna().all().all():
                out = out.astype("int64")
        return out

    def plot(self, ax=None):
        """Heat map of the Jaccard index (lower triangle), annotated with ``n``."""
        import matplotlib.pyplot as plt

        jac = self.matrix("jaccard").to_numpy(dtype=float)
        counts = self.matrix("n").to_numpy(dtype=float)
        k = len(self.codes)
        if ax is None:
            _, ax = plt.subplots(figsize=(0.6 * k + 3, 0.6 * k + 2))
        masked = np.where(np.tril(np.ones((k, k), bool), -1), jac, np.nan)
        image = ax.imshow(masked, cmap="Purples", vmin=0, vmax=max(0.05, np.nanmax(masked, initial=0)))
        for i, j in zip(*np.tril_indices(k, -1)):
            if counts[i, j] > 0:
                ax.text(j, i, f"{int(counts[i, j])}", ha="center", va="center", fontsize=8)
        names = list(map(str, self.codes))
        ax.set_xticks(range(k), names, rotation=45, ha="right")
        ax.set_yticks(range(k), names)
        ax.figure.colorbar(image, ax=ax, label="Jaccard index")
        ax.set_title(self.title)
        return ax


def _segment_pairs(segs, keys, start, end, order):
    """Overlapping pairs and character-level intersections per code pair."""
    index = {c: i for i, c in enumerate(order)}
    k = len(order)
    pair_counts = np.zeros((k, k))
    inter = np.zeros((k, k))
    for _, part in segs.groupby(keys, sort=False):
        c = part["_code"].map(index).to_numpy()
        s = part[start].to_numpy(dtype=np.int64)
        e = part[end].to_numpy(dtype=np.int64)
        overlap = (s[:, None] < e[None, :]) & (s[None, :] < e[:, None])
        i, j = np.nonzero(np.triu(overlap, 1))
        differ = c[i] != c[j]
        np.add.at(pair_counts, (np.minimum(c[i], c[j])[differ], np.maximum(c[i], c[j])[differ]), 1)
        length = int(e.max() - s.min())
        cover = np.zeros((k, length), dtype=np.float32)
        for code_i, a, b in zip(c, s - s.min(), e - s.min()):
            cover[code_i, a:b] = 1
        inter += cover @ cover.T
    return pair_counts + pair_counts.T, inter


def code_cooccurrence(
    data: pd.DataFrame,
    *,
    within: str = "segment",
    parents=None,
    codes=None,
    transcript: str = "transcript_id",
    subject: str = "pid",
    coder: str | None = "coder",
    code: str = "code",
    start: str = "start",
    end: str = "end",
    segment: str = "segment_id",
) -> CodeCooccurrence:
    """Count how often codes co-occur, within segments or within participants.

    Parameters
    ----------
    data : DataFrame
        Coded segments (``segments()`` frame).
    within : {"segment", "participant"}
        Overlapping spans in the same transcript, or the same participant.
    parents : mapping, optional
        ``{sub_code: theme}``; roll codes up to themes first.
    codes : sequence, optional
        Codes to show (and their order); default: all codes in data, sorted.
    transcript, subject, coder, code, start, end, segment : str
        Column names; ``coder=None`` lets segments of different coders overlap
        (only sensible when each transcript has one coding).

    Returns
    -------
    CodeCooccurrence
    """
    require_frame(data, "data")
    if within not in ("segment", "participant"):
        raise ValueError(f"within must be 'segment' or 'participant', got {within!r}")
    require_columns(data, {"code": code, "segment": segment})
    segs = data.copy()
    segs["_code"] = roll_up(segs[code], parents)
    order = list(codes) if codes is not None else sorted(pd.unique(segs["_code"]), key=str)
    segs = segs.loc[segs["_code"].isin(order)]
    remarks = []
    if within == "segment":
        require_columns(data, {"transcript": transcript, "start": start, "end": end, "coder": coder})
        check_spans(segs, start, end)
        keys = [transcript] + ([coder] if coder is not None else [])
        # a segment with several sub-codes of one theme counts once for the theme
        segs = segs.drop_duplicates([*keys, segment, "_code"])
        size = segs.groupby("_code")[segment].size().reindex(order, fill_value=0).to_numpy(dtype=float)
        pairs, inter = _segment_pairs(segs, keys, start, end, order) if len(segs) else (
            np.zeros((len(order),) * 2), np.zeros((len(order),) * 2))
        chars = np.diag(inter)
        union = chars[:, None] + chars[None, :] - inter
        with np.errstate(invalid="ignore", divide="ignore"):
            jaccard = np.where(union > 0, inter / union, np.nan)
        if coder is not None and coder in data.columns and (data.groupby(transcript)[coder].nunique() > 1).any():
            remarks.append(
                "Some transcripts were coded by several coders: each coder's overlaps count separately. "
                "Pass one coding per transcript to count each passage once."
            )
        remarks.append(
            "n counts overlapping pairs of segments; the Jaccard index is computed on the characters of "
            "text coded with each code, so one long segment overlapping many short ones does not inflate it."
        )
    else:
        require_columns(data, {"subject": subject})
        sets = pd.crosstab(segs[subject], segs["_code"]).reindex(columns=order, fill_value=0).gt(0).astype(float)
        matrix = sets.T.to_numpy() @ sets.to_numpy()
        size = np.diag(matrix)
        pairs = matrix
        union = size[:, None] + size[None, :] - matrix
        with np.errstate(invalid="ignore", divide="ignore"):
            jaccard = np.where(union > 0, matrix / union, np.nan)
        remarks.append("A participant counts as mentioning a code if any of their segments carries it.")
    rows = [
        {"code_a": order[i], "code_b": order[j], "n": int(pairs[i, j]), "n_a": int(size[i]),
         "n_b": int(size[j]), "jaccard": float(jaccard[i, j])}
        for i, j in combinations(range(len(order)), 2)
    ]
    table = pd.DataFrame(rows, columns=["code_a", "code_b", "n", "n_a", "n_b", "jaccard"])
    remarks.append("Counts are raw; pass the table through disclosure control before publishing.")
    return CodeCooccurrence(table=table, codes=tuple(order), within=within, remarks=tuple(remarks))
