"""Individual change: Jacobson–Truax reliable change and the minimal important change.

Conventions
-----------
For a respondent with scores ``x1`` (pre) and ``x2`` (post)::

    RCI = (x2 − x1) / SE_diff,     SE_diff = SD1 · √2 · √(1 − r)

(Jacobson & Truax 1991).  ``SD1`` is the normative SD of the scale when its
definition has one (``norm_sd``), else the SD of all valid baseline scores in
the data (said in a remark).  ``r`` is the scale's test–retest reliability
(``retest_r``); only when the definition has none may a sample alpha be
passed as ``sample_alpha=`` – a labelled fallback that the remarks report
(alpha is internal consistency, not stability over time).

Change is oriented so that positive means better (``higher_is_better``):
a respondent has *reliably improved* when the oriented RCI > z (default
1.96), *reliably deteriorated* when < −z, else *no reliable change*.  By the
minimal important change (MIC), *improved* means an oriented change ≥ MIC,
*deteriorated* ≤ −MIC.  Shares have Wilson score intervals (R's
``prop.test(x, n, correct = FALSE)``).

Findings or provisional
-----------------------
Reliable-change and MIC shares are *findings* only when their inputs are
verified: the scale definition marks its test–retest reliability and
normative SD ``verified`` (checked against the cited source), and neither a
sample SD nor a sample alpha stood in for them.  Otherwise every share is
``status = "provisional"``: shown, labelled, and kept out of any key finding
(:func:`analysis.wellbeing.findings.key_findings` drops them).

Beside the MIC the result reports the **smallest detectable change**,
``SDC = z · √2 · SEM = z · SE_diff`` with ``SEM = SD1 · √(1 − r)`` (de Vet et
al. 2006) – the same number as the RCI threshold – and the scale's **step
size** (the smallest possible change of an unprorated score; WHO-5: 4).  A
MIC below the SDC cannot be told apart from measurement error in one person
(remarked); a MIC that is not a multiple of the step is reached only at the
next step up (remarked).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from analysis.results import Result
from analysis.wellbeing._data import resolve_waves, wide
from analysis.wellbeing.change import NO_COMPARISON
from analysis.wellbeing.scoring import ScaleSpec
from analysis.palette import colour

__all__ = ["ReliableChangeResult", "reliable_change", "wilson_ci"]

CATEGORIES = ("improved", "unchanged", "deteriorated")


def wilson_ci(count: int, n: int, *, ci: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for ``count`` out of ``n`` (no continuity correction)."""
    if n == 0:
        return (np.nan, np.nan)
    lo, hi = proportion_confint(count, n, alpha=1 - ci, method="wilson")
    return (float(lo), float(hi))


@dataclass(frozen=True)
class ReliableChangeResult(Result):
    """Shares improved / unchanged / deteriorated by reliable change and by MIC.

    Attributes
    ----------
    table : DataFrame
        ``criterion`` ("reliable change (RCI)", "minimal important change"),
        ``category``, ``n``, ``share``, ``ci_low``, ``ci_high`` (Wilson),
        ``status`` ("finding" or "provisional").
    se_diff : float
        Standard error of a difference, in score units.
    rci_threshold : float
        The change (score units) that counts as reliable: ``z · se_diff``.
    sd1, r : float
        The SD and reliability used, with ``sd1_source`` and ``r_source``.
    mic : float or None
    sdc : float
        Smallest detectable change (= ``rci_threshold``).
    step : float or None
        Smallest possible change of the score.
    provisional : bool
        True unless the inputs are verified (module notes).
    individual : DataFrame
        Per respondent: ``pre``, ``post``, ``change``, ``rci``,
        ``rci_category``, ``mic_category``.  Never publish it.
    """

    table: pd.DataFrame
    se_diff: float
    rci_threshold: float
    sd1: float
    sd1_source: str
    r: float
    r_source: str
    mic: float | None
    n_pairs: int
    individual: pd.DataFrame
    sdc: float = float("nan")
    step: float | None = None
    provisional: bool = True

    @property
    def title(self) -> str:
        return "Individual change: reliable and minimal important change"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, ax=None):
        """Horizontal stacked bars of the three shares per criterion."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 2.2))
        colours = {c: colour(c) for c in ("improved", "unchanged", "deteriorated")}
        crits = list(pd.unique(self.table["criterion"]))
        for i, c in enumerate(crits):
            left = 0.0
            for cat in CATEGORIES:
                row = self.table[(self.table["criterion"] == c) & (self.table["category"] == cat)]
                share = float(row["share"].iloc[0]) if len(row) else 0.0
                ax.barh(i, share, left=left, color=colours[cat], label=cat if i == 0 else None)
                left += share
        ax.set_yticks(range(len(crits)), crits)
        ax.set_xlim(0, 1)
        ax.set_xlabel(f"share of {self.n_pairs} respondents with both waves")
        ax.legend(fontsize="small", ncol=3, loc="lower center", bbox_to_anchor=(0.5, 1.0))
        return ax


def _classify(values, threshold, *, strict=False):
    up = values > threshold if strict else values >= threshold
    down = values < -threshold if strict else values <= -threshold
    return np.where(up, "improved", np.where(down, "deteriorated", "unchanged"))


def reliable_change(
    data: pd.DataFrame,
    spec: ScaleSpec | Mapping | None = None,
    *,
    subject: str = "pid",
    wave: str = "wave",
    outcome: str = "score",
    pre=None,
    post=None,
    retest_r: float | None = None,
    sd: float | None = None,
    mic: float | None = None,
    higher_is_better: bool | None = None,
    sample_alpha: float | None = None,
    verified: bool | None = None,
    z: float = 1.96,
    ci: float = 0.95,
) -> ReliableChangeResult:
    """Jacobson–Truax reliable change and MIC-based change among completers.

    Parameters
    ----------
    data : DataFrame
        Long scores frame (one row per subject × wave).
    spec : ScaleSpec or mapping, optional
        Supplies ``retest_r``, ``norm_sd``, ``mic`` and ``higher_is_better``;
        explicit keyword arguments override it.
    subject, wave, outcome : str, keyword-only
        Column names.
    pre, post : wave labels, optional
        Inferred when the data hold exactly two waves.
    retest_r : float, optional
        Test–retest reliability (0 < r < 1).
    sd : float, optional
        SD1 (normative SD); default the definition's ``norm_sd``, else the
        SD of the valid baseline scores.
    mic : float, optional
        Minimal important change in score units; without it only RCI rows.
    higher_is_better : bool, optional
        Default True (or the definition's).
    sample_alpha : float, optional
        Fallback reliability when no test–retest value is known (remarked).
    verified : bool, optional
        Whether ``retest_r`` and ``sd`` are verified; default the scale
        definition's ``verified`` flag (False without a definition). Sample
        stand-ins (SD of the data, sample alpha) are never verified.
    z : float
        Critical value of the RCI (1.96 ↔ two-sided 5 %).
    ci : float
        Coverage of the Wilson intervals.

    Returns
    -------
    ReliableChangeResult
    """
    if spec is not None and not isinstance(spec, ScaleSpec):
        spec = ScaleSpec.from_mapping(spec)
    remarks = [NO_COMPARISON]
    if retest_r is not None:
        r, r_source = float(retest_r), "test–retest reliability (argument)"
    elif spec is not None and spec.retest_r is not None:
        r = spec.retest_r
        r_source = f"test–retest reliability of {spec.id}" + (f" ({spec.retest_source})" if spec.retest_source else "")
    elif sample_alpha is not None:
        r, r_source = float(sample_alpha), "sample Cronbach's alpha (fallback)"
        remarks.append(
            "No test–retest reliability is known for this scale, so the sample's Cronbach's alpha stands in "
            "for it. Alpha measures internal consistency, not stability over time; the reliable-change "
            "threshold is therefore only indicative."
        )
    else:
        raise ValueError(
            "no reliability for the RCI: the scale definition has no retest_r; pass retest_r=<test–retest r> "
            "or, as a labelled fallback, sample_alpha=<alpha from scale_reliability()>"
        )
    if not 0 < r < 1:
        raise ValueError(f"the reliability must lie strictly between 0 and 1, got {r}")
    if mic is None and spec is not None:
        mic = spec.mic
    if higher_is_better is None:
        higher_is_better = spec.higher_is_better if spec is not None else True
    pre, post = resolve_waves(data, wave, pre, post)
    w = wide(data, subject=subject, wave=wave, outcome=outcome, pre=pre, post=post)
    if sd is not None:
        sd1, sd1_source = float(sd), "SD given as argument"
    elif spec is not None and spec.norm_sd is not None:
        sd1 = spec.norm_sd
        sd1_source = f"normative SD of {spec.id}" + (f" ({spec.norm_sd_source})" if spec.norm_sd_source else "")
    else:
        base = w["pre"].dropna()
        sd1 = float(base.std(ddof=1))
        sd1_source = f"SD of the {len(base)} valid baseline scores in these data"
        remarks.append(f"No normative SD is known, so SD1 is the {sd1_source} ({sd1:.2f}).")
    if not np.isfinite(sd1) or sd1 <= 0:
        raise ValueError("SD1 must be positive; pass sd=<normative SD of the scale>")
    pairs = w.dropna(subset=["pre", "post"]).reset_index(drop=True)
    n = len(pairs)
    if n == 0:
        raise ValueError(f"no respondent has a valid {outcome} at both {pre!r} and {post!r}")
    se_diff = sd1 * np.sqrt(2) * np.sqrt(1 - r)
    change = (pairs["post"] - pairs["pre"]).to_numpy(float)
    sign = 1.0 if higher_is_better else -1.0
    rci = change / se_diff
    ind = pairs.assign(change=change, rci=rci, rci_category=_classify(sign * rci, z, strict=True))
    rows = []
    criteria = [("reliable change (RCI)", "rci_category")]
    if mic is not None:
        # a tiny tolerance so that a change of exactly MIC counts despite floating-point error
        ind["mic_category"] = _classify(sign * change, mic - 1e-9 * max(abs(mic), 1))
        criteria.append(("minimal important change", "mic_category"))
    else:
        remarks.append("The scale definition has no minimal important change (mic); only reliable change is shown.")
    if verified is None:
        verified = bool(spec.verified) if spec is not None else False
    from_sample = r_source.startswith("sample") or sd1_source.startswith("SD of the")
    provisional = not verified or from_sample
    status = "provisional" if provisional else "finding"
    for label, col in criteria:
        for cat in CATEGORIES:
            k = int((ind[col] == cat).sum())
            lo, hi = wilson_ci(k, n, ci=ci)
            rows.append({"criterion": label, "category": cat, "n": k, "share": k / n, "ci_low": lo, "ci_high": hi,
                         "status": status})
    sdc = float(z * se_diff)
    step = spec.step if spec is not None else None
    if provisional:
        why = ("a sample statistic stands in for a psychometric input" if from_sample else
               "the test–retest reliability and normative SD are not marked verified in the scale definition")
        remarks.insert(1, f"Provisional: {why}, so these shares are shown for information only, are not "
                          "findings and are kept out of the key findings.")
    if mic is not None and mic < sdc:
        remarks.append(
            f"The minimal important change ({mic:g} points) is smaller than the smallest detectable change "
            f"({sdc:.1f} points): for one person a change of MIC size cannot be told apart from measurement error."
        )
    if mic is not None and step and not np.isclose(mic / step, round(mic / step)):
        remarks.append(
            f"The score moves in steps of {step:g} points, so the smallest change counted as important is "
            f"{np.ceil(mic / step) * step:g}, not {mic:g}."
        )
    remarks.append(
        f"A change counts as reliable when it exceeds {z:g} × SE_diff = {z * se_diff:.1f} points "
        f"(SD1 = {sd1:.2f}: {sd1_source}; r = {r:.2f}: {r_source})."
    )
    if n < 30:
        remarks.append(f"Only {n} respondents have both waves; the shares are imprecise (see the intervals).")
    return ReliableChangeResult(
        table=pd.DataFrame(rows), se_diff=float(se_diff), rci_threshold=float(z * se_diff), sd1=float(sd1),
        sd1_source=sd1_source, r=float(r), r_source=r_source, mic=mic, n_pairs=n, individual=ind,
        sdc=sdc, step=step, provisional=provisional, remarks=tuple(remarks),
    )
