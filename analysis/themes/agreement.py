"""Inter-coder agreement on double-coded transcripts, per code and overall.

The unit of agreement is fixed before coding: the presence or absence of each
code in a whole transcript (``unit="transcript"``), or in each paragraph or
sentence of the hashed original transcript (``unit="paragraph"`` /
``"sentence"``, see :mod:`analysis.themes.units`). Each coder's segments are
mapped to the units they overlap; a coder who coded a transcript and did not
apply a code judged it absent. Only coders who actually coded a transcript
(the ``coded`` frame) judge its units, and only transcripts coded by two or
more coders count.

Conventions
-----------
- Per code, the reliability data are units × coders with 1 (code applied to
  the unit), 0 (coder coded the transcript, not this code here) or missing
  (coder did not code the transcript). With ``value=`` the segments carry a
  numeric rating instead of 1 (the largest rating of the segments covering a
  unit is used), and ``level`` chooses Krippendorff's metric.
- **Overall** pools all units × codes into one data set (each unit–code pair is
  one unit); its Wald interval treats these pairs as independent, which they
  are not (one passage carries several codes), so it is too narrow;
  ``interval="bootstrap"`` resamples whole transcripts instead.
- **prevalence** is the share of judgements that applied the code (mean of the
  non-missing values when binary). Kappa and alpha fall as prevalence nears 0 or
  1 even at high percentage agreement; read them side by side.
- Cohen's kappa is given only when exactly two coders took part; Fleiss' kappa
  and Krippendorff's alpha handle more coders and missing judgements (formulas
  in :mod:`analysis.themes.reliability`).
- ``exclude_uncoded_units=True`` drops units to which no coder applied any
  code; otherwise these agreed absences raise percentage agreement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..results import Result
from ._common import check_spans, require_columns, require_frame, roll_up
from .bootstrap import cluster_bootstrap_kappa
from .reliability import (
    LEVELS,
    _alpha_from_counts,
    _fleiss_from_counts,
    _numeric_counts,
    _percent_from_counts,
    cohen_kappa,
)
from .units import check_offsets, segments_to_units, units_from_text

__all__ = ["CoderAgreement", "coder_agreement", "OVERALL"]

OVERALL = "(all codes)"
_COLUMNS = [
    "code", "n_units", "n_coders", "prevalence", "percent_agreement", "cohen_kappa",
    "cohen_ci_lower", "cohen_ci_upper", "fleiss_kappa", "krippendorff_alpha", "below_threshold",
]


@dataclass(frozen=True)
class CoderAgreement(Result):
    """Agreement per code and overall.

    Attributes
    ----------
    table : DataFrame
        See :meth:`to_frame`.
    problems : DataFrame
        Segments whose offsets do not resolve against the original transcript
        (from :func:`analysis.themes.check_offsets`); empty for
        ``unit="transcript"``.
    unit, level : str
    threshold : float
        Codes with Krippendorff's alpha below it (or undefined) are flagged.
    transcripts : tuple
        The double-coded transcripts used.
    coders : tuple
    """

    table: pd.DataFrame
    problems: pd.DataFrame
    unit: str
    level: str
    threshold: float
    transcripts: tuple
    coders: tuple

    @property
    def title(self) -> str:
        return (
            f"Inter-coder agreement ({self.unit} units, {len(self.transcripts)} transcripts, "
            f"{len(self.coders)} coders)"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per code and a last row ``"(all codes)"``.

        Columns: ``code``, ``n_units`` (pairable units), ``n_coders``,
        ``prevalence``, ``percent_agreement`` (0–100), ``cohen_kappa``,
        ``cohen_ci_lower``, ``cohen_ci_upper``, ``fleiss_kappa``,
        ``krippendorff_alpha`` (at ``level``), ``below_threshold``.
        """
        return self.table.copy()

    def flagged(self) -> pd.DataFrame:
        """Codes whose alpha is below the threshold or undefined."""
        table = self.table
        return table.loc[table["below_threshold"] & (table["code"] != OVERALL)].reset_index(drop=True)

    def plot(self, ax=None):
        """Dot plot of Krippendorff's alpha per code with the threshold line; each code is named in words
        (the label catalogue's entry, i.e. the codebook's own label) with its prevalence ("42% mention it")."""
        import matplotlib.pyplot as plt

        from ..reader import label

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.35 * len(self.table) + 1))
        table = self.table.iloc[::-1]
        y = np.arange(len(table))
        colours = np.where(table["below_threshold"], "tab:red", "tab:blue")
        ax.scatter(table["krippendorff_alpha"], y, c=colours, zorder=3)
        labels = [
            f"{label(c)}  ({p:.0%} mention it)" if pd.notna(p) else label(c)
            for c, p in zip(table["code"], table["prevalence"])
        ]
        ax.set_yticks(y, labels)
        ax.axvline(self.threshold, color="grey", linestyle="--", label=f"threshold {self.threshold:g}")
        ax.set_xlabel(f"Krippendorff's alpha ({self.level})")
        ax.set_xlim(min(-0.1, float(np.nanmin(table["krippendorff_alpha"], initial=0)) - 0.05), 1.05)
        ax.legend(loc="lower left", frameon=False)
        return ax


def _statistics(matrix: pd.DataFrame, level: str, two_coders: bool, confidence: float, interval: str = "wald",
                n_boot: int = 2000, seed: int = 13) -> dict:
    values = matrix.to_numpy(dtype=float)
    pairable = (~np.isnan(values)).sum(axis=1) >= 2
    observed = values[~np.isnan(values)]
    row = {
        "n_units": int(pairable.sum()),
        "n_coders": int((~np.isnan(values[pairable])).any(axis=0).sum()) if pairable.any() else 0,
        "prevalence": float((observed != 0).mean()) if observed.size else float("nan"),
    }
    counts, categories = _numeric_counts(values)
    row.update(
        percent_agreement=_percent_from_counts(counts),
        fleiss_kappa=_fleiss_from_counts(counts),
        krippendorff_alpha=_alpha_from_counts(counts, categories, level),
    )
    if two_coders:
        k = cohen_kappa(values, confidence=confidence)
        if interval == "bootstrap":
            b = cluster_bootstrap_kappa(values, matrix.index.get_level_values(0), n_boot=n_boot, seed=seed,
                                        confidence=confidence)
            k = b if np.isfinite(k.estimate) else k
        row.update(cohen_kappa=k.estimate, cohen_ci_lower=k.ci_lower, cohen_ci_upper=k.ci_upper)
    else:
        row.update(cohen_kappa=np.nan, cohen_ci_lower=np.nan, cohen_ci_upper=np.nan)
    return row


def coder_agreement(
    data: pd.DataFrame,
    *,
    coded: pd.DataFrame,
    unit: str = "transcript",
    transcripts: pd.DataFrame | None = None,
    parents=None,
    codes=None,
    exclude_uncoded_units: bool = False,
    threshold: float = 0.667,
    level: str = "nominal",
    value: str | None = None,
    confidence: float = 0.95,
    interval: str = "wald",
    n_boot: int = 2000,
    seed: int = 13,
    transcript: str = "transcript_id",
    coder: str = "coder",
    code: str = "code",
    start: str = "start",
    end: str = "end",
    text: str = "text",
    segment: str = "segment_id",
) -> CoderAgreement:
    """Agreement between coders per code and overall, on fixed units.

    Parameters
    ----------
    data : DataFrame
        Coded segments (``segments()`` frame), all coders.
    coded : DataFrame
        Who coded what: one row per transcript × coder (columns ``transcript``
        and ``coder``), including coders who applied no code to a transcript.
    unit : {"transcript", "paragraph", "sentence"}
        The fixed unit: presence of each code per transcript, or per paragraph /
        sentence of the original transcript (then ``transcripts`` is needed).
    transcripts : DataFrame, optional
        Original texts: columns ``transcript`` and ``text`` (and optionally
        ``sha256``, the hash of the version coded). Offsets are resolved against
        these; mismatching segments are reported in ``problems``.
    parents : mapping, optional
        ``{sub_code: theme}``; when given, codes are rolled up to their themes
        first (agreement on themes rather than sub-codes).
    codes : sequence, optional
        Codes to report even if no coder applied them.
    exclude_uncoded_units : bool
        Drop units to which no coder applied any code.
    threshold : float
        Flag codes with Krippendorff's alpha below this (default 0.667, the
        lowest value Krippendorff deems acceptable for tentative conclusions).
    level : {"nominal", "ordinal", "interval", "ratio"}
        Krippendorff's metric (only matters with ``value=``).
    value : str, optional
        Column holding a positive numeric rating per segment instead of
        presence (1); 0 stands for "not applied".
    confidence : float
        Level of Cohen's kappa interval.
    interval : {"wald", "bootstrap"}
        Cohen's kappa interval: Wald with the large-sample SE (units taken as
        independent), or percentile limits from ``n_boot`` resamples of whole
        transcripts with all their units (:func:`analysis.themes.bootstrap.
        cluster_bootstrap_kappa`, seeded by ``seed``): paragraphs of one
        transcript are not independent, and ``analysis.themes.calibration``
        shows the Wald interval too narrow on them.
    transcript, coder, code, start, end, text, segment : str
        Column names.

    Returns
    -------
    CoderAgreement
    """
    require_frame(data, "data")
    require_frame(coded, "coded")
    if unit not in ("transcript", "paragraph", "sentence"):
        raise ValueError(f"unit must be 'transcript', 'paragraph' or 'sentence', got {unit!r}")
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    if interval not in ("wald", "bootstrap"):
        raise ValueError(f"interval must be 'wald' or 'bootstrap', got {interval!r}")
    require_columns(data, {"transcript": transcript, "coder": coder, "code": code, "value": value})
    require_columns(coded, {"transcript": transcript, "coder": coder}, frame="coded")
    pairs = coded[[transcript, coder]].drop_duplicates()
    used = data[[transcript, coder]].drop_duplicates().merge(pairs, how="left", indicator=True)
    stray = used.loc[used["_merge"] == "left_only"]
    if len(stray):
        t, c = stray.iloc[0][transcript], stray.iloc[0][coder]
        raise ValueError(
            f"{len(stray)} transcript × coder pairs have segments but are missing from coded "
            f"(first: transcript {t!r}, coder {c!r}); coded must list every transcript each coder coded"
        )
    n_coders = pairs.groupby(transcript)[coder].nunique()
    double = n_coders.index[n_coders >= 2]
    if len(double) == 0:
        raise ValueError("no transcript was coded by two or more coders; coded lists who coded each transcript")
    pairs = pairs.loc[pairs[transcript].isin(double)]
    segs = data.loc[data[transcript].isin(double)].copy()
    segs["_code"] = roll_up(segs[code], parents)
    segs["_value"] = 1.0 if value is None else pd.to_numeric(segs[value], errors="raise").astype(float)
    problems = pd.DataFrame(columns=["segment_id", "transcript_id", "problem", "detail"])
    if unit == "transcript":
        units = pd.DataFrame({transcript: double, "unit_id": 0})
        segs["unit_id"] = 0
        if transcripts is not None:
            require_frame(transcripts, "transcripts")
            require_columns(segs, {"start": start, "end": end, "text": text, "segment": segment})
            problems = check_offsets(
                segs, transcripts.loc[transcripts[transcript].isin(double)],
                transcript=transcript, start=start, end=end, text=text, segment=segment,
            )
    else:
        if transcripts is None:
            raise ValueError(
                f"unit={unit!r} needs the original texts; pass transcripts=<frame with {transcript!r} and {text!r}>"
            )
        require_frame(transcripts, "transcripts")
        require_columns(segs, {"start": start, "end": end, "text": text, "segment": segment})
        check_spans(segs, start, end)
        missing = sorted(set(double) - set(transcripts[transcript]), key=str)
        if missing:
            raise ValueError(
                f"{len(missing)} double-coded transcripts have no text in transcripts (first: {missing[0]!r}); "
                "pass the original text of every double-coded transcript"
            )
        problems = check_offsets(
            segs, transcripts.loc[transcripts[transcript].isin(double)],
            transcript=transcript, start=start, end=end, text=text, segment=segment,
        )
        unusable = problems.loc[problems["problem"].isin(["out-of-range", "transcript-missing"]), "segment_id"]
        segs = segs.loc[~segs[segment].isin(unusable)]
        texts = transcripts.loc[transcripts[transcript].isin(double)]
        units = pd.concat(
            [units_from_text(t, body, unit).to_frame() for t, body in zip(texts[transcript], texts[text])],
            ignore_index=True,
        ).rename(columns={"transcript_id": transcript})[[transcript, "unit_id", "start", "end"]]
        segs = segments_to_units(segs, units.rename(columns={transcript: "transcript_id"}),
                                 transcript=transcript, start=start, end=end)
        units = units[[transcript, "unit_id"]]
    grid = units.merge(pairs, on=transcript)
    all_codes = list(dict.fromkeys(list(pd.unique(segs["_code"])) + list(codes or [])))
    if not all_codes:
        raise ValueError(
            "no code was applied on the double-coded transcripts; pass codes=<the codebook's codes> "
            "to report agreement on their absence"
        )
    hits = segs.groupby([transcript, "unit_id", coder, "_code"])["_value"].max().unstack("_code")
    wide = grid.set_index([transcript, "unit_id", coder]).join(hits, how="left")
    wide = wide.reindex(columns=all_codes).fillna(0.0)
    if exclude_uncoded_units:
        any_code = wide.ne(0).any(axis=1).groupby(level=[0, 1]).any()
        keep = any_code.index[any_code]
        wide = wide.loc[wide.index.droplevel(coder).isin(keep)]
    coders = tuple(sorted(pairs[coder].unique(), key=str))
    two = len(coders) == 2
    rows = []
    for c in all_codes:
        matrix = wide[c].unstack(coder)
        rows.append({"code": c, **_statistics(matrix, level, two, confidence, interval, n_boot, seed)})
    pooled = wide.rename_axis(columns="_code").stack(future_stack=True).unstack(coder)
    rows.append({"code": OVERALL, **_statistics(pooled, level, two, confidence, interval, n_boot, seed)})
    table = pd.DataFrame(rows)
    table["below_threshold"] = ~(table["krippendorff_alpha"] >= threshold)
    table = table[_COLUMNS]
    remarks = _remarks(table, problems, unit, threshold, exclude_uncoded_units, two, len(coders))
    if two and interval == "bootstrap":
        remarks += (f"Cohen's kappa intervals: percentile limits from {n_boot} resamples of whole transcripts "
                    f"(seed {seed}), not the Wald interval, which takes units of one transcript as independent.",)
    return CoderAgreement(
        table=table, problems=problems, unit=unit, level=level, threshold=threshold,
        transcripts=tuple(double), coders=coders, remarks=remarks,
    )


def _remarks(table, problems, unit, threshold, excluded, two, n_coders) -> tuple[str, ...]:
    fixed = "whole transcripts" if unit == "transcript" else f"{unit}s of the original transcripts"
    remarks = [
        f"Units are fixed before coding ({fixed}), not the coders' own selections; "
        "a coder who coded a transcript and did not apply a code judged it absent."
    ]
    codes = table.loc[table["code"] != OVERALL]
    flagged = codes.loc[codes["below_threshold"]]
    if len(flagged):
        names = ", ".join(map(str, flagged["code"]))
        remarks.append(
            f"{len(flagged)} code(s) have Krippendorff's alpha below {threshold:g} or undefined ({names}): "
            "coders do not apply them consistently enough to report their prevalence without caution; "
            "refine the code definitions and re-code, or merge the codes."
        )
    undefined = codes.loc[codes["krippendorff_alpha"].isna(), "code"]
    if len(undefined):
        remarks.append(
            "Alpha and kappa are undefined for " + ", ".join(map(str, undefined))
            + ": every judgement fell in one category (the code was never, or always, applied)."
        )
    if not excluded:
        remarks.append(
            "Units to which no coder applied any code are included; they add agreed absences and raise "
            "percentage agreement (pass exclude_uncoded_units=True to drop them)."
        )
    if not two:
        remarks.append(f"Cohen's kappa is not given: it needs exactly two coders, here {n_coders}.")
    if len(problems):
        kinds = problems["problem"].value_counts()
        listed = ", ".join(f"{n} {k}" for k, n in kinds.items())
        remarks.append(
            f"Offsets of some segments do not match the original transcript ({listed}); see .problems. "
            "Segments out of range are left out; mismatching ones are kept at their offsets."
        )
    return tuple(remarks)
