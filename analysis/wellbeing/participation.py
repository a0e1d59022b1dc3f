"""Wellbeing change by participation: participants against non-participants.

Who took part (:func:`participation_groups`)
-------------------------------------------
A detainee is a **participant** when the contact log holds a peer-support
contact *in custody* dated from ``lookback_days`` (default 90, the
questionnaire's "last 3 months") before their baseline questionnaire up to
their follow-up questionnaire (or, without one, the end of their follow-up
window) — contacts after that cannot have changed the follow-up score. Where
the log is silent about a person (no such contact: the log does not cover
everyone, e.g. people it cannot link by prison number), the questionnaire's
self-reported peer contact decides: "yes" at either questionnaire makes a
participant. Everyone else is a **non-participant**. ``source`` says which
rule classified each person ("contact log", "self-report", "neither"); the
result's remarks give the counts.

The comparison (:func:`participation_change`)
--------------------------------------------
Among detainees with both scores, the difference between participants and
non-participants in follow-up score:

* **unadjusted** difference in mean change (Welch t);
* **ANCOVA**: ``post ~ group + pre + site`` by ordinary least squares (R's
  ``lm``), adjusting for the baseline score and the prison;
* **ANCOVA, propensity-weighted**: the same model weighted by ATT weights
  from :func:`analysis.comparison.propensity_score` (logistic model of
  participation on the baseline score, the named baseline covariates and
  prison), with heteroskedasticity-robust HC1 standard errors (the weights
  are treated as known, which is slightly conservative); the estimand is
  the effect among participants (ATT);
* with ``mixed=True``, the **mixed model** ``score ~ wave × group`` on every
  detainee with a score (:func:`analysis.wellbeing.mixed_model`, checked
  against lme4), valid if dropout is missing at random.

Intervals are 95% t (OLS), normal (HC1) or as the mixed model states.

Calibration: :mod:`analysis.wellbeing.calibration` simulates this design (ten
prisons of unequal size whose effects differ, observed confounding, release
as intercurrent event). Over 1,000 replicates per case the propensity-weighted
interval's type-I error is 5.0% and its coverage of the ATT 95.0% (no effect)
and 94.0% (effect), unbiased (mean error < 0.01 points); the SE treating the
weights as known matches the spread of the estimates (1.29 against 1.25 and
1.32). The plain ANCOVA, which weights prisons by the variance of
participation within them and omits the other covariates, is biased when
effects differ between prisons; with ATT weights from a model with prison
fixed effects each prison's weighted comparison group is about as large as
its participants, so the weighted ANCOVA weights prisons by their
participants, as the ATT does.
Without randomisation this reaches level 3 of the Maryland Scientific
Methods Scale (a before–after comparison with a comparison group, adjusted
for observed differences); unmeasured differences between those who seek
peer support and those who do not remain possible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.results import Result
from analysis.wellbeing._data import resolve_waves, wide
from analysis.wellbeing.scoring import _require_columns

__all__ = [
    "PARTICIPANT", "NON_PARTICIPANT", "MARYLAND_LEVEL",
    "ParticipationGroups", "participation_groups",
    "ParticipationChangeResult", "participation_change",
]

PARTICIPANT, NON_PARTICIPANT = "participant", "non-participant"
MARYLAND_LEVEL = 3
LOG, SELF, NEITHER = "contact log", "self-report", "neither"


@dataclass(frozen=True)
class ParticipationGroups(Result):
    """Participants and non-participants, one row per detainee.

    ``persons`` columns: ``subject``, ``site``, ``group``, ``source``,
    ``baseline_date``, ``cutoff`` and the requested baseline covariates.
    """

    persons: pd.DataFrame
    subject: str

    @property
    def title(self) -> str:
        return "Participation in peer support, by source"

    def to_frame(self) -> pd.DataFrame:
        """Counts: ``group``, ``source``, ``n``."""
        return self.persons.groupby(["group", "source"]).size().rename("n").reset_index()


def participation_groups(
    responses: pd.DataFrame,
    contacts: pd.DataFrame,
    *,
    window_weeks: float,
    subject: str = "pid",
    site: str = "site",
    wave: str = "wave",
    date: str = "date",
    self_report: str | None = "peer_contact",
    pre=1,
    post=2,
    covariates=(),
    lookback_days: int = 90,
    contact_date: str = "date",
    setting: str = "setting",
    in_custody="in custody",
) -> ParticipationGroups:
    """Classify detainees as participants or not (module notes).

    Parameters
    ----------
    responses : DataFrame
        Questionnaire rows (one per subject × wave) with ``date`` and,
        optionally, the self-reported contact (1 = yes, 0 = no).
    contacts : DataFrame
        The contact log (``contacts()`` frame).
    window_weeks : float
        End of the follow-up window after baseline (for those without a
        follow-up questionnaire).
    covariates : sequence of str
        Baseline columns of ``responses`` to carry (for the propensity model).

    Returns
    -------
    ParticipationGroups
    """
    _require_columns(responses, subject=subject, site=site, wave=wave, date=date)
    if self_report is not None:
        _require_columns(responses, self_report=self_report)
    _require_columns(contacts, subject=subject, contact_date=contact_date, setting=setting)
    r = responses.copy()
    r[date] = pd.to_datetime(r[date])
    base = r[r[wave] == pre].drop_duplicates(subject).set_index(subject)
    follow = r[r[wave] == post].drop_duplicates(subject).set_index(subject)
    persons = pd.DataFrame({site: base[site], "baseline_date": base[date]})
    persons["cutoff"] = follow[date].reindex(persons.index)
    persons["cutoff"] = persons["cutoff"].fillna(persons["baseline_date"] + pd.Timedelta(weeks=window_weeks))
    c = contacts[contacts[setting] == in_custody][[subject, contact_date]].copy()
    c[contact_date] = pd.to_datetime(c[contact_date])
    c = c.merge(persons[["baseline_date", "cutoff"]], left_on=subject, right_index=True)
    inside = (c[contact_date] >= c["baseline_date"] - pd.Timedelta(days=lookback_days)) & \
        (c[contact_date] <= c["cutoff"])
    logged = persons.index.isin(c.loc[inside, subject])
    said = np.zeros(len(persons), dtype=bool)
    answered = np.zeros(len(persons), dtype=bool)
    if self_report is not None:
        sr = pd.to_numeric(r[self_report], errors="coerce")
        yes = set(r.loc[sr == 1, subject])
        any_answer = set(r.loc[sr.isin([0, 1]), subject])
        said = persons.index.isin(yes)
        answered = persons.index.isin(any_answer)
    persons["group"] = np.where(logged | said, PARTICIPANT, NON_PARTICIPANT)
    persons["source"] = np.where(logged, LOG, np.where(answered, SELF, NEITHER))
    for col in covariates:
        _require_columns(responses, **{col: col})
        persons[col] = base[col].reindex(persons.index)
    persons.index.name = subject
    persons = persons.reset_index()
    counts = persons.groupby(["group", "source"]).size()
    n_log = int(counts.xs(LOG, level="source").sum()) if LOG in counts.index.get_level_values(1) else 0
    n_self = int((persons["source"] == SELF).sum())
    n_neither = int((persons["source"] == NEITHER).sum())
    remarks = [
        f"Participation from the contact log for {n_log} detainee(s) (an in-custody contact from {lookback_days} "
        f"days before the baseline questionnaire to the follow-up); where the log is silent, from the "
        f"self-reported peer contact for {n_self}; neither for {n_neither} (counted as non-participants)."
    ]
    return ParticipationGroups(persons=persons, subject=subject, remarks=tuple(remarks))


@dataclass(frozen=True)
class ParticipationChangeResult(Result):
    """Participants' against non-participants' change (module notes).

    ``table``: one row per analysis: ``analysis``, ``estimate`` (participants
    minus non-participants, score points), ``se``, ``ci_low``, ``ci_high``,
    ``p_val``, ``n_participants``, ``n_comparison``. ``balance``: SMDs of the
    propensity covariates before and after weighting. ``persons``: one row per
    completer (never publish).
    """

    outcome: str
    table: pd.DataFrame
    balance: pd.DataFrame
    persons: pd.DataFrame
    maryland_level: int = MARYLAND_LEVEL
    ci: float = 0.95
    n_baseline: tuple[int, int] = (0, 0)  # participants, non-participants with a baseline score

    @property
    def title(self) -> str:
        return f"Change in {self.outcome}: participants against non-participants"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def estimate(self, analysis: str = "ANCOVA, propensity-weighted (ATT)") -> tuple[float, float, float]:
        """(estimate, ci_low, ci_high) of one analysis."""
        row = self.table.set_index("analysis").loc[analysis]
        return float(row["estimate"]), float(row["ci_low"]), float(row["ci_high"])

    def plot(self, ax=None):
        """Estimates with intervals, one row per analysis, a line at zero."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.5 * len(self.table) + 1))
        t = self.table.iloc[::-1]
        y = np.arange(len(t))
        ax.errorbar(t["estimate"], y, xerr=[t["estimate"] - t["ci_low"], t["ci_high"] - t["estimate"]], fmt="o",
                    capsize=3)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks(y, t["analysis"])
        ax.set_xlabel(f"difference in {self.outcome} change, participants − non-participants ({self.ci:.0%} CI)")
        return ax


def _design(frame: pd.DataFrame, site: str | None, extra=()) -> tuple[np.ndarray, list[str]]:
    cols = [np.ones(len(frame)), (frame["group"] == PARTICIPANT).to_numpy(float), frame["pre"].to_numpy(float)]
    names = ["(Intercept)", "participant", "pre"]
    if site is not None:
        levels = sorted(frame[site].astype(str).unique())
        for lev in levels[1:]:
            cols.append((frame[site].astype(str) == lev).to_numpy(float))
            names.append(f"site[{lev}]")
    return np.column_stack(cols), names


def _ols(y, x, w=None, robust=False):
    """WLS/OLS coefficient of column 1 with its SE (classical, or HC1 with weights)."""
    import statsmodels.api as sm

    model = sm.WLS(y, x, weights=w) if w is not None else sm.OLS(y, x)
    res = model.fit(cov_type="HC1") if robust else model.fit()
    return float(res.params[1]), float(res.bse[1]), float(res.df_resid)


def participation_change(
    scores: pd.DataFrame,
    groups: ParticipationGroups | pd.DataFrame,
    *,
    covariates=(),
    subject: str = "pid",
    wave: str = "wave",
    outcome: str = "score",
    site: str | None = "site",
    pre=None,
    post=None,
    mixed: bool = True,
    ci: float = 0.95,
) -> ParticipationChangeResult:
    """Participants' against non-participants' change, baseline-adjusted and propensity-weighted.

    Parameters
    ----------
    scores : DataFrame
        Long scores frame (``score_scale`` output).
    groups : ParticipationGroups or DataFrame
        From :func:`participation_groups` (``subject``, ``group`` and the
        covariates).
    covariates : sequence of str
        Baseline covariates of ``groups`` for the propensity model (the
        baseline score and prison always enter).
    mixed : bool
        Add the mixed model with wave × group (all data).

    Returns
    -------
    ParticipationChangeResult
    """
    from analysis.comparison import propensity_score, smd_table
    from analysis.wellbeing.mixed import mixed_model

    persons = groups.persons if isinstance(groups, ParticipationGroups) else groups
    _require_columns(persons, subject=subject, group="group")
    pre, post = resolve_waves(scores, wave, pre, post)
    w = wide(scores, subject=subject, wave=wave, outcome=outcome, pre=pre, post=post, site=site)
    cols = [subject, "group", *covariates]
    d = w.merge(persons[cols], on=subject, how="inner")
    d = d[d["pre"].notna()].reset_index(drop=True)
    n_groups = d["group"].value_counts()
    if n_groups.get(PARTICIPANT, 0) < 3 or n_groups.get(NON_PARTICIPANT, 0) < 3:
        raise ValueError("need at least 3 participants and 3 non-participants with a baseline score")
    ps = propensity_score(d.assign(baseline_score=d["pre"]), group="group",
                          covariates=("baseline_score", *covariates), treated=PARTICIPANT, site=site)
    weighted = ps.data.copy()
    done = weighted[weighted["post"].notna()].reset_index(drop=True)
    z = (done["group"] == PARTICIPANT).to_numpy()
    n1, n0 = int(z.sum()), int((~z).sum())
    q = stats.norm.ppf(0.5 + ci / 2)
    rows = []
    change = (done["post"] - done["pre"]).to_numpy(float)
    welch = stats.ttest_ind(change[z], change[~z], equal_var=False)
    diff = float(change[z].mean() - change[~z].mean())
    se = float(np.sqrt(change[z].var(ddof=1) / n1 + change[~z].var(ddof=1) / n0))
    lo, hi = welch.confidence_interval(ci)
    rows.append({"analysis": "difference in mean change (unadjusted)", "estimate": diff, "se": se,
                 "ci_low": float(lo), "ci_high": float(hi), "p_val": float(welch.pvalue)})
    x, _ = _design(done, site)
    y = done["post"].to_numpy(float)
    est, se, df = _ols(y, x)
    tq = stats.t.ppf(0.5 + ci / 2, df)
    rows.append({"analysis": "ANCOVA (baseline score, prison)", "estimate": est, "se": se, "ci_low": est - tq * se,
                 "ci_high": est + tq * se, "p_val": float(2 * stats.t.sf(abs(est / se), df))})
    est, se, _ = _ols(y, x, w=done["weight"].to_numpy(float), robust=True)
    rows.append({"analysis": "ANCOVA, propensity-weighted (ATT)", "estimate": est, "se": se, "ci_low": est - q * se,
                 "ci_high": est + q * se, "p_val": float(2 * stats.norm.sf(abs(est / se)))})
    remarks = [
        f"Design: participants against non-participants, before and after, adjusted for baseline and observed "
        f"differences: level {MARYLAND_LEVEL} of the Maryland Scientific Methods Scale. Without randomisation, "
        "differences in who seeks peer support that the data do not record can remain.",
        "The propensity-weighted ANCOVA estimates the effect among participants (ATT); its intervals use "
        "HC1 robust standard errors.",
        ps.remarks[0],
    ]
    if any("no comparable non-participant" in r for r in ps.remarks):
        remarks.append("Some participants have a higher propensity score than any non-participant: no comparable "
                       "non-participant exists for them (the weighted comparison leans on the nearest ones).")
    if mixed and site is not None:
        long = scores.drop(columns=["group"], errors="ignore").merge(persons[[subject, "group"]], on=subject,
                                                                    how="inner")
        mm = mixed_model(long, subject=subject, wave=wave, outcome=outcome, site=site, group="group",
                         waves=(pre, post), reference_group=NON_PARTICIPANT, ci=ci)
        row = mm.fixed.set_index("term").loc[f"wave:group[{PARTICIPANT}]"]
        rows.append({"analysis": "mixed model, wave × group (all data)", "estimate": float(row["estimate"]),
                     "se": float(row["se"]), "ci_low": float(row["ci_low"]), "ci_high": float(row["ci_high"]),
                     "p_val": float(row["p_val"])})
        remarks += [r for r in mm.remarks if "Random effects by site" in r or "did not converge" in r]
    table = pd.DataFrame(rows)
    table["n_participants"] = n1
    table["n_comparison"] = n0
    bal = smd_table(weighted.assign(baseline_score=weighted["pre"]), treated=weighted["group"] == PARTICIPANT,
                    covariates=["baseline_score", *covariates], weights=weighted["weight"])
    zb = (weighted["group"] == PARTICIPANT).to_numpy()
    return ParticipationChangeResult(outcome=outcome, table=table, balance=bal, persons=done, ci=ci,
                                     n_baseline=(int(zb.sum()), int((~zb).sum())), remarks=tuple(remarks))
