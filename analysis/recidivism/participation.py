"""Participation in peer support, defined without immortal time.

A person is a **participant** only through peer-support contacts dated on or
before the release date (and on or after the start of the episode's
detention, ``entry_date``). Contacts after release cannot define the group:
someone must stay out of custody to *have* an after-release contact, so an
"ever had a contact" group is credited with reoffence-free time it was
guaranteed to have (immortal time), which makes peer support look protective
even when it does nothing. ``definition="naive"`` builds that biased group on
purpose, labelled, to show the size of the bias.

After-release contacts may enter a model only as a **time-varying
covariate**: :func:`start_stop` splits each person's follow-up at every
after-release contact day (counting-process form, time in days from release)
and :func:`fit_time_varying_cox` fits it with lifelines'
``CoxTimeVaryingFitter`` (Efron ties).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..results import Result
from ._checks import require_columns, require_frame
from ._design import design_matrix
from ._plots import forest

__all__ = [
    "Participation",
    "derive_participation",
    "start_stop",
    "fit_time_varying_cox",
    "TimeVaryingCoxResult",
]


@dataclass(frozen=True, eq=False)
class Participation(Result):
    """The cohort with ``group`` and ``dose`` added.

    Attributes
    ----------
    data : DataFrame
        The input rows plus ``group`` (participant / non-participant) and
        ``dose`` (number of contacts on or before release).
    definition : str
        ``"pre-release"`` (the analysis definition) or ``"naive"``.
    """

    data: pd.DataFrame
    definition: str

    @property
    def title(self) -> str:
        if self.definition == "naive":
            return "Participation: NAIVE definition (biased by immortal time; do not use for effects)"
        return "Participation: contacts on or before release"

    def to_frame(self) -> pd.DataFrame:
        g = self.data.groupby("group", sort=True)["dose"]
        return pd.DataFrame({"n": g.size(), "mean_dose": g.mean(), "median_dose": g.median(), "max_dose": g.max()})

    def plot(self, ax=None):
        from ._plots import axes

        ax = axes(ax)
        dose = self.data.loc[self.data["dose"] > 0, "dose"]
        ax.hist(dose, bins=np.arange(0.5, dose.max() + 1.5 if len(dose) else 1.5, 1.0))
        ax.set_xlabel("contacts on or before release (dose)")
        ax.set_ylabel("participants")
        return ax


def _contacts_in_window(data, contacts, *, pid, entry_date, release_date, contact_date, upper):
    """Count each episode's contacts from entry_date up to (and including) `upper`."""
    left = pd.DataFrame({"_row": np.arange(len(data)), "_pid": data[pid].to_numpy()})
    if entry_date is not None:
        left["_lo"] = data[entry_date].to_numpy()
    left["_hi"] = upper
    right = pd.DataFrame({"_pid": contacts[pid].to_numpy(), "_date": pd.to_datetime(contacts[contact_date]).to_numpy()})
    both = left.merge(right, on="_pid", how="inner")
    ok = both["_date"].notna()
    if entry_date is not None:
        ok &= ~(both["_date"] < both["_lo"])
    if upper is not None:
        ok &= both["_date"] <= both["_hi"]
    counts = both.loc[ok].groupby("_row").size()
    return counts.reindex(np.arange(len(data)), fill_value=0).to_numpy()


def derive_participation(
    data: pd.DataFrame,
    contacts: pd.DataFrame,
    *,
    definition: str = "pre-release",
    pid: str = "pid",
    release_date: str = "release_date",
    entry_date: str | None = "entry_date",
    contact_date: str = "date",
    participant: str = "participant",
    comparison: str = "non-participant",
) -> Participation:
    """Add ``group`` and ``dose`` to a cohort from the ``contacts()`` frame.

    Parameters
    ----------
    data : DataFrame
        The cohort (e.g. ``build_cohort(...).data``), one row per episode.
    contacts : DataFrame
        One row per contact (``contacts()`` contract).
    definition : {"pre-release", "naive"}
        ``"pre-release"``: participant = at least one contact dated from
        ``entry_date`` to ``release_date`` inclusive. ``"naive"``: any contact
        from ``entry_date`` on, after release included - biased, for
        demonstration only.
    pid, release_date, entry_date, contact_date : str
        Column names; ``entry_date=None`` counts contacts of any earlier date.
    participant, comparison : str
        Labels of the two groups.

    Returns
    -------
    Participation
        ``.data`` has ``group`` and ``dose``; dose is always the number of
        contacts on or before release, whatever the definition.
    """
    require_frame(data)
    require_frame(contacts, "contacts")
    if definition not in ("pre-release", "naive"):
        raise ValueError(
            f"definition={definition!r} is not supported; pass 'pre-release' (or 'naive' to show the bias)"
        )
    require_columns(data, pid=pid, release_date=release_date, entry_date=entry_date)
    require_columns(contacts, "contacts", pid=pid, contact_date=contact_date)
    kw = dict(pid=pid, entry_date=entry_date, release_date=release_date, contact_date=contact_date)
    dose = _contacts_in_window(data, contacts, upper=data[release_date].to_numpy(), **kw)
    member = dose > 0
    remarks = []
    if definition == "naive":
        ever = _contacts_in_window(data, contacts, upper=None, **kw)
        member = ever > 0
        moved = int((member & (dose == 0)).sum())
        remarks.append(
            f"NAIVE definition: {moved} person(s) count as participants only through contacts after "
            "release; they had to stay at large to have them (immortal time), so this comparison is "
            "biased towards a benefit. Use definition='pre-release'."
        )
    else:
        remarks.append(
            "Participants are defined by contacts on or before release only; after-release contacts "
            "enter only as a time-varying covariate (start_stop)."
        )
    out = data.copy()
    out["group"] = np.where(member, participant, comparison)
    out["dose"] = dose
    return Participation(data=out, definition=definition, remarks=tuple(remarks))


def start_stop(
    data: pd.DataFrame,
    contacts: pd.DataFrame,
    *,
    pid: str = "pid",
    release_date: str = "release_date",
    duration: str = "duration",
    event: str = "event",
    contact_date: str = "date",
    keep: tuple[str, ...] = ("group", "dose", "site"),
    zero_time: float = 0.5,
) -> pd.DataFrame:
    """Counting-process (start-stop) rows with after-release contacts as a time-varying count.

    Follow-up of each episode ``(0, duration]`` is split at every day ``d``
    (``0 < d < duration``, days from release) on which an after-release
    contact happened; from ``d`` on, ``post_release_contacts`` counts the
    contacts so far and ``post_release_contact`` is 1. The event sits on the
    last interval only. A same-day reoffence (``duration`` 0) gets
    ``stop = zero_time`` days so the interval is not empty.

    Returns
    -------
    DataFrame
        Columns ``id`` (row label of ``data``), ``start``, ``stop``,
        ``event``, ``post_release_contacts``, ``post_release_contact`` and the
        ``keep`` columns present in ``data``.
    """
    require_frame(data)
    require_frame(contacts, "contacts")
    require_columns(data, pid=pid, release_date=release_date, duration=duration, event=event)
    require_columns(contacts, "contacts", pid=pid, contact_date=contact_date)
    base = pd.DataFrame(
        {
            "_row": np.arange(len(data)),
            "_pid": data[pid].to_numpy(),
            "_rel": data[release_date].to_numpy(),
            "_T": np.maximum(data[duration].to_numpy(dtype=float), zero_time),
        }
    )
    c = pd.DataFrame({"_pid": contacts[pid].to_numpy(), "_date": pd.to_datetime(contacts[contact_date]).to_numpy()})
    m = base.merge(c, on="_pid", how="inner")
    m["_d"] = (m["_date"] - m["_rel"]).dt.days.astype(float)
    m = m.loc[(m["_d"] > 0) & (m["_d"] < m["_T"])]
    per_day = m.groupby(["_row", "_d"]).size().rename("_n").reset_index()
    per_day["_cum"] = per_day.groupby("_row")["_n"].cumsum()
    # one row per (episode, cut): cuts are 0 and every contact day
    cuts = pd.concat(
        [pd.DataFrame({"_row": base["_row"], "_d": 0.0, "_cum": 0}), per_day[["_row", "_d", "_cum"]]],
        ignore_index=True,
    ).sort_values(["_row", "_d"], kind="stable")
    cuts["_next"] = cuts.groupby("_row")["_d"].shift(-1)
    T = base["_T"].to_numpy()[cuts["_row"].to_numpy()]
    last = cuts["_next"].isna().to_numpy()
    stop = np.where(last, T, cuts["_next"].to_numpy())
    ev = data[event].to_numpy()[cuts["_row"].to_numpy()]
    out = pd.DataFrame(
        {
            "id": data.index.to_numpy()[cuts["_row"].to_numpy()],
            "start": cuts["_d"].to_numpy(),
            "stop": stop,
            "event": np.where(last, ev, 0).astype(int),
            "post_release_contacts": cuts["_cum"].to_numpy().astype(int),
        }
    )
    out["post_release_contact"] = (out["post_release_contacts"] > 0).astype(int)
    for col in keep:
        if col in data.columns:
            out[col] = data[col].to_numpy()[cuts["_row"].to_numpy()]
    return out.reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class TimeVaryingCoxResult(Result):
    """Cause-specific hazard ratios from a start-stop Cox model."""

    summary: pd.DataFrame
    n_subjects: int
    n_events: int

    @property
    def title(self) -> str:
        return "Cox model with time-varying after-release contacts (cause-specific hazard ratios)"

    def to_frame(self) -> pd.DataFrame:
        return self.summary

    def plot(self, ax=None):
        s = self.summary
        return forest(ax, s.index, s["hr"], s["hr_lower"], s["hr_upper"])


def fit_time_varying_cox(
    data: pd.DataFrame,
    *,
    covariates=("post_release_contact",),
    id: str = "id",
    start: str = "start",
    stop: str = "stop",
    event: str = "event",
    conf_level: float = 0.95,
) -> TimeVaryingCoxResult:
    """Fit a Cox model on start-stop rows (lifelines ``CoxTimeVaryingFitter``, Efron ties).

    Text columns among ``covariates`` are dummy-coded (first sorted level is
    the reference). Intervals are Wald intervals on the log-hazard scale,
    exponentiated.

    Returns
    -------
    TimeVaryingCoxResult
        ``summary`` indexed by term with ``coef``, ``se``, ``hr``,
        ``hr_lower``, ``hr_upper``, ``z``, ``p_val``.
    """
    from lifelines import CoxTimeVaryingFitter

    require_frame(data)
    require_columns(data, id=id, start=start, stop=stop, event=event)
    x = design_matrix(data, covariates)
    df = pd.concat([data[[id, start, stop, event]].set_axis(["_id", "_start", "_stop", "_event"], axis=1), x], axis=1)
    if (df["_stop"] <= df["_start"]).any():
        raise ValueError(f"some rows have {stop!r} <= {start!r}; build the rows with start_stop()")
    fitter = CoxTimeVaryingFitter()
    fitter.fit(df, id_col="_id", start_col="_start", stop_col="_stop", event_col="_event")
    coef = fitter.params_
    se = fitter.standard_errors_
    z = stats.norm.ppf(0.5 + conf_level / 2)
    summary = pd.DataFrame(
        {
            "coef": coef,
            "se": se,
            "hr": np.exp(coef),
            "hr_lower": np.exp(coef - z * se),
            "hr_upper": np.exp(coef + z * se),
            "z": coef / se,
            "p_val": 2 * stats.norm.sf(np.abs(coef / se)),
        }
    ).rename_axis("term")
    remarks = (
        "Hazard ratios are cause-specific: they compare the rate of reoffending among people still "
        "at large, treating death and deportation as censoring.",
        "After-release contacts are a time-varying covariate: a person counts as exposed only from "
        "the day of the first after-release contact, so no immortal time is credited.",
    )
    return TimeVaryingCoxResult(
        summary=summary,
        n_subjects=int(df["_id"].nunique()),
        n_events=int(df["_event"].sum()),
        remarks=remarks,
    )
