"""Kaplan-Meier curves with numbers at risk, medians and survival at chosen times.

Conventions (chosen to reproduce R's ``survival::survfit`` exactly)
-------------------------------------------------------------------
* Estimates at every distinct observed time (events and censorings);
  censorings tied with events are taken to happen just after them.
* Variance: Greenwood, ``se(log S) = sqrt(sum d / (n (n - d)))`` (R's
  ``$std.err``); ``std_err`` in the tables is the standard error of S itself
  (``S * se(log S)``, what ``summary.survfit`` prints).
* Confidence bands, ``conf_type``:

  - ``"log"`` (R's default): ``S exp(+-z se)``, upper limit capped at 1;
  - ``"log-log"`` (lifelines' choice): ``S ** exp(+-z se / log S)``, i.e.
    ``exp(-exp(log(-log S) -+ z se / log S))``; undefined where S is 0 or 1.

* Median and quantiles as ``quantile.survfit``: the first time the curve
  reaches ``1 - p``; when it sits exactly on ``1 - p`` over an interval, the
  midpoint of that interval. The confidence limits of a quantile are the
  times at which the lower and the upper band reach ``1 - p``.
* Survival at a chosen time ``t`` is the estimate at the last time ``<= t``.
  Times are in the data's unit, named by ``time_unit`` (days, weeks, months
  or years); there are no default time points. A chosen time past a group's
  last follow-up time is never carried forward: its row has no estimate and
  its ``note`` says why (as does a row suppressed below ``min_at_risk``),
  and a remark lists them; times past everyone's follow-up are refused (a
  wrong unit, e.g. 365 on weekly data).
* Disclosure: curves and tables stop where fewer than ``min_at_risk``
  (default 10) people remain at risk; numbers at risk below it are
  suppressed (shown as missing). The unsuppressed estimates stay available
  as :attr:`KaplanMeierResult.estimates` for checking, never for publication.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..results import Result
from ._checks import durations_events, require_columns, require_frame
from ._plots import axes
from ..palette import colour

__all__ = ["KaplanMeierResult", "kaplan_meier", "km_table", "confidence_band", "survfit_quantile"]

TOL = float(np.sqrt(np.finfo(float).eps))

#: One year in each supported time unit (spacing of the default numbers-at-risk table).
YEAR = {"days": 365.0, "weeks": 52.0, "months": 12.0, "years": 1.0}


def km_table(durations, events, weights=None) -> pd.DataFrame:
    """Product-limit table of one group: time, n_risk, n_event, n_censor, surv, se_log.

    With ``weights`` (case weights, e.g. propensity weights) the counts are
    sums of weights and stay float, as R's ``survfit(..., weights=)``: the
    estimate is ``prod(1 - d_w / n_w)``. The Greenwood ``se_log`` is then
    computed from the weighted counts (R's ``std.err``) and is not a valid
    standard error for estimated, non-integer weights: bootstrap instead.
    """
    t = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=int)
    times, inv = np.unique(t, return_inverse=True)
    if weights is not None:
        w = np.asarray(weights, dtype=float)
        if w.shape != t.shape or not np.isfinite(w).all() or (w < 0).any():
            raise ValueError("weights must be finite, non-negative and one per duration")
        n_event = np.bincount(inv, weights=w * e, minlength=len(times))
        n_total = np.bincount(inv, weights=w, minlength=len(times))
        n_risk = n_total[::-1].cumsum()[::-1]
        with np.errstate(divide="ignore", invalid="ignore"):
            surv = np.cumprod(1.0 - np.where(n_event > 0, n_event / n_risk, 0.0))
            term = np.where(n_event > 0, n_event / (n_risk * (n_risk - n_event)), 0.0)
        return pd.DataFrame({"time": times, "n_risk": n_risk, "n_event": n_event, "n_censor": n_total - n_event,
                             "surv": surv, "se_log": np.sqrt(np.cumsum(term))})
    n_event = np.bincount(inv, weights=e, minlength=len(times))
    n_total = np.bincount(inv, minlength=len(times)).astype(float)
    n_risk = n_total[::-1].cumsum()[::-1]
    surv = np.cumprod(1.0 - n_event / n_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(n_event > 0, n_event / (n_risk * (n_risk - n_event)), 0.0)
    se_log = np.sqrt(np.cumsum(term))
    return pd.DataFrame(
        {
            "time": times,
            "n_risk": n_risk.astype(int),
            "n_event": n_event.astype(int),
            "n_censor": (n_total - n_event).astype(int),
            "surv": surv,
            "se_log": se_log,
        }
    )


def confidence_band(surv, se_log, *, conf_type: str = "log", conf_level: float = 0.95):
    """Pointwise limits as R's ``survfit_confint`` (``se_log`` = se of log S)."""
    p = np.asarray(surv, dtype=float)
    se = np.asarray(se_log, dtype=float)
    z = stats.norm.ppf(1 - (1 - conf_level) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "log":
            xx = np.where(p == 0, np.nan, p)
            lower = np.exp(np.log(xx) - z * se)
            upper = np.minimum(np.exp(np.log(xx) + z * se), 1.0)
        elif conf_type == "log-log":
            xx = np.where((p == 0) | (p == 1), np.nan, p)
            se2 = z * se / np.log(xx)
            lower = np.exp(-np.exp(np.log(-np.log(xx)) - se2))
            upper = np.exp(-np.exp(np.log(-np.log(xx)) + se2))
        else:
            raise ValueError(f"conf_type={conf_type!r} is not supported; pass conf_type='log' or 'log-log'")
    return lower, upper


def _findq(x, y, p, tol=TOL):
    """R's survival:::findq for one probability ``p`` (y = 1 - S, may hold NaN)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if np.all(np.isnan(y)) or np.nanmax(y) < p:
        return np.nan
    xmax = x[-1]
    key = np.where(np.isnan(y), np.inf, y)  # duplicated() treats NA as a value
    _, first = np.unique(key, return_index=True)
    keep = np.zeros(len(y), dtype=bool)
    keep[first] = True
    x, y = x[keep], y[keep]
    n = len(y)
    ok = ~np.isnan(y)
    pos = np.flatnonzero(ok)
    vals = y[ok]
    order = np.argsort(vals, kind="stable")
    pos, vals = pos[order], vals[order]

    def approx_const_right(v):
        # approx(v, pos, p, method="constant", f=1, rule=1)
        if len(v) == 0 or p < v[0] or p > v[-1]:
            return None
        j = int(np.searchsorted(v, p, side="left"))
        return int(pos[j])

    i1 = approx_const_right(vals + tol)
    i2 = approx_const_right(vals - tol)
    if p == 0:
        return x[0]
    if i1 is None or i2 is None:
        quant = np.nan
    else:
        quant = (x[i1] + x[i2]) / 2
    if not np.isnan(y[n - 1]) and abs(p - y[n - 1]) < tol and i1 is not None:
        quant = (x[i1] + xmax) / 2
    return quant


def survfit_quantile(time, surv, lower, upper, p: float = 0.5, first_time: float = 0.0):
    """Quantile of the survival time with its confidence limits, as ``quantile.survfit``."""
    x = np.concatenate([[first_time], np.asarray(time, dtype=float)])

    def q(s):
        return _findq(x, np.concatenate([[0.0], 1 - np.asarray(s, dtype=float)]), p)

    return q(surv), q(lower), q(upper)


@dataclass(frozen=True, eq=False)
class KaplanMeierResult(Result):
    """Kaplan-Meier estimates per group.

    Attributes
    ----------
    estimates : DataFrame
        Unsuppressed estimates: ``group``, ``time``, ``n_risk``, ``n_event``,
        ``n_censor``, ``surv``, ``std_err`` (of S), ``se_log`` (of log S),
        ``lower``, ``upper``. For checking only.
    medians : DataFrame
        Per group: ``n``, ``events``, ``median``, ``lower``, ``upper``.
    survival_at : DataFrame
        Per group and chosen time: ``n_risk``, ``surv``, ``std_err``,
        ``lower``, ``upper`` and ``note`` (missing estimates where the time
        is past the group's follow-up or fewer than ``min_at_risk`` remain;
        ``note`` says which).
    at_risk : DataFrame
        Numbers at risk, groups x times (missing below ``min_at_risk``).
    """

    estimates: pd.DataFrame
    medians: pd.DataFrame
    survival_at: pd.DataFrame
    at_risk: pd.DataFrame
    conf_type: str
    conf_level: float
    min_at_risk: int
    time_unit: str = "days"

    @property
    def title(self) -> str:
        return f"Kaplan-Meier estimates ({self.conf_level:.0%} CI, {self.conf_type} transform)"

    def published(self) -> pd.DataFrame:
        """Estimates while at least ``min_at_risk`` people remain at risk."""
        est = self.estimates
        return est.loc[est["n_risk"] >= self.min_at_risk].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        return self.published()

    def plot(self, ax=None, *, band: bool = True, at_risk_table: bool = True):
        """Step curves with confidence bands and the numbers at risk under the axes."""
        ax = axes(ax)
        pub = self.published()
        groups = list(self.medians.index)
        colours = {}
        for g in groups:
            d = pub.loc[pub["group"] == g]
            tt = np.concatenate([[0.0], d["time"].to_numpy()])
            ss = np.concatenate([[1.0], d["surv"].to_numpy()])
            (line,) = ax.step(tt, ss, where="post", label=str(g), color=colour(g))
            colours[g] = line.get_color()
            if band:
                lo = np.concatenate([[1.0], d["lower"].to_numpy()])
                hi = np.concatenate([[1.0], d["upper"].to_numpy()])
                ax.fill_between(tt, np.nan_to_num(lo, nan=1.0), np.nan_to_num(hi, nan=1.0),
                                step="post", alpha=0.2, color=line.get_color(), linewidth=0)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel(f"{self.time_unit} since release")
        ax.set_ylabel("proportion not reoffended")
        if len(groups) > 1 or groups != ["all"]:
            ax.legend(loc="lower left", frameon=False)
        if at_risk_table and len(self.at_risk.columns):
            ticks = [float(c) for c in self.at_risk.columns]
            ax.set_xticks(ticks)
            ax.text(0.0, -0.16, "At risk", transform=ax.transAxes, ha="right", fontsize=8, fontweight="bold")
            for row, g in enumerate(groups):
                ypos = -0.22 - 0.06 * row
                ax.text(-0.02, ypos, str(g), transform=ax.transAxes, ha="right", fontsize=8, color=colours[g])
                for tick, value in zip(ticks, self.at_risk.loc[g].to_numpy()):
                    label = "-" if pd.isna(value) else f"{int(value)}"
                    ax.text(tick, ypos, label, transform=ax.get_xaxis_transform(), ha="center", fontsize=8)
        return ax


def kaplan_meier(
    data: pd.DataFrame,
    *,
    duration: str = "duration",
    event: str = "event",
    group: str | None = None,
    conf_type: str = "log",
    conf_level: float = 0.95,
    times=(),
    time_unit: str = "days",
    at_risk_times=None,
    min_at_risk: int = 10,
) -> KaplanMeierResult:
    """Kaplan-Meier estimates per group, with R ``survfit`` conventions.

    Parameters
    ----------
    data : DataFrame
        One row per person.
    duration, event, group : str
        Column names. ``group=None`` pools everyone (group label ``"all"``).
    conf_type : {"log", "log-log"}
        Transform for the pointwise intervals (R default ``"log"``).
    conf_level : float
        Confidence level of bands and median intervals.
    times : sequence of float
        Times at which survival is reported, in ``time_unit`` (none by
        default). Times past a group's follow-up give a row without estimate
        and a ``note``; times past everyone's follow-up are refused.
    time_unit : {"days", "weeks", "months", "years"}
        The unit of ``duration`` (axis label, remarks, default at-risk times).
    at_risk_times : sequence of float, optional
        Times of the numbers-at-risk table; default every year (365 days, 52
        weeks, 12 months, 1 year) up to the last time at which
        ``min_at_risk`` people remain.
    min_at_risk : int
        Disclosure threshold (default 10).

    Returns
    -------
    KaplanMeierResult
    """
    require_frame(data)
    if conf_type not in ("log", "log-log"):
        raise ValueError(f"conf_type={conf_type!r} is not supported; pass conf_type='log' or 'log-log'")
    if not 0 < conf_level < 1:
        raise ValueError(f"conf_level must be between 0 and 1, got {conf_level!r}")
    if time_unit not in YEAR:
        raise ValueError(f"time_unit={time_unit!r} is not supported; pass one of {sorted(YEAR)} "
                         "(the unit of the duration column)")
    times = [float(w) for w in np.atleast_1d(np.asarray(times if times is not None else (), dtype=float))]
    require_columns(data, group=group)
    t, e = durations_events(data, duration, event)
    last_all = float(t.max()) if len(t) else 0.0
    if times and all(w > last_all for w in times):
        raise ValueError(
            f"times={tuple(times)} are all past the end of follow-up ({last_all:g} {time_unit}); pass times in "
            f"the unit of {duration!r} and set time_unit= accordingly (e.g. time_unit='weeks', times=(26, 52))"
        )
    labels = np.full(len(data), "all", dtype=object) if group is None else data[group].to_numpy()
    if group is not None and pd.isna(labels).any():
        raise ValueError(f"column {group!r} (group=) has missing values; drop or label them first")
    levels = sorted(pd.unique(labels), key=str)
    tables, med, surv_at, risk_rows = [], [], [], {}
    for g in levels:
        sel = labels == g
        tab = km_table(t[sel], e[sel])
        lower, upper = confidence_band(tab["surv"], tab["se_log"], conf_type=conf_type, conf_level=conf_level)
        tab["std_err"] = tab["surv"] * tab["se_log"]
        tab["lower"], tab["upper"] = lower, upper
        tab.insert(0, "group", g)
        tables.append(tab)
        m, lo, hi = survfit_quantile(tab["time"], tab["surv"], lower, upper, 0.5)
        med.append({"group": g, "n": int(sel.sum()), "events": int(e[sel].sum()),
                    "median": m, "lower": lo, "upper": hi})
        for when in times:
            idx = np.searchsorted(tab["time"].to_numpy(), when, side="right") - 1
            n_risk = int((t[sel] >= when).sum())
            row = {"group": g, "time": when, "n_risk": n_risk}
            last = float(tab["time"].iloc[-1])
            if when > last:
                row.update(surv=np.nan, std_err=np.nan, lower=np.nan, upper=np.nan,
                           note=f"past the end of follow-up ({last:g} {time_unit}): not estimated")
            elif n_risk < min_at_risk:
                row.update(surv=np.nan, std_err=np.nan, lower=np.nan, upper=np.nan,
                           note=f"fewer than {min_at_risk} at risk: suppressed")
            elif idx < 0:
                row.update(surv=1.0, std_err=0.0, lower=1.0 if conf_type == "log" else np.nan,
                           upper=1.0 if conf_type == "log" else np.nan, note="")
            else:
                r = tab.iloc[idx]
                row.update(surv=r["surv"], std_err=r["std_err"], lower=r["lower"], upper=r["upper"], note="")
            surv_at.append(row)
    est = pd.concat(tables, ignore_index=True)
    if at_risk_times is None:
        reach = est.loc[est["n_risk"] >= min_at_risk, "time"]
        top = float(reach.max()) if len(reach) else 0.0
        at_risk_times = np.arange(0.0, top + 1e-9, YEAR[time_unit])
    for g in levels:
        sel = labels == g
        counts = [int((t[sel] >= w).sum()) for w in at_risk_times]
        risk_rows[g] = [c if (c >= min_at_risk or c == 0) else np.nan for c in counts]
    at_risk = pd.DataFrame.from_dict(risk_rows, orient="index", columns=[float(w) for w in at_risk_times])
    at_risk.index.name = "group"
    surv_at = pd.DataFrame(surv_at, columns=["group", "time", "n_risk", "surv", "std_err", "lower", "upper", "note"])
    surv_at.loc[surv_at["n_risk"].between(1, min_at_risk - 1), "n_risk"] = np.nan

    remarks = [
        f"{conf_level:.0%} pointwise intervals use the {conf_type} transform of Greenwood's variance "
        + ("(R survfit's default)." if conf_type == "log" else "(lifelines' default; R conf.type='log-log').")
    ]
    medians = pd.DataFrame(med).set_index("group")
    if medians["median"].isna().any():
        remarks.append(
            "The median time to reoffence is not reached in group(s) "
            + ", ".join(map(str, medians.index[medians["median"].isna()]))
            + ": more than half had not reoffended by the end of follow-up."
        )
    if (medians["upper"].isna() & medians["median"].notna()).any():
        remarks.append("An upper confidence limit of a median is missing: the band never falls to 0.5.")
    remarks.append(
        f"Curves stop where fewer than {min_at_risk} people remain at risk (disclosure control); "
        "numbers at risk below that are not shown."
    )
    past = surv_at.loc[surv_at["note"].str.startswith("past"), ["group", "time"]]
    if len(past):
        remarks.append(
            "Not estimated past the end of follow-up (never carried forward): "
            + "; ".join(f"{g} at {w:g} {time_unit}" for g, w in past.itertuples(index=False)) + "."
        )
    return KaplanMeierResult(
        estimates=est,
        medians=medians,
        survival_at=surv_at,
        at_risk=at_risk,
        conf_type=conf_type,
        conf_level=conf_level,
        min_at_risk=int(min_at_risk),
        time_unit=time_unit,
        remarks=tuple(remarks),
    )
