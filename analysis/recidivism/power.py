"""What the sample can detect: minimum detectable hazard ratio and events needed.

Formulas (Schoenfeld's approximation for a two-group comparison of hazards,
two-sided test at level ``alpha`` with power ``power``)::

    MDE HR = exp((z_{1 - alpha/2} + z_{power}) / sqrt(D_eff * p * (1 - p)))
    D_needed = (z_{1 - alpha/2} + z_{power})**2 / (p * (1 - p) * log(HR_target)**2)

``D`` is the number of events and ``p`` the participant share. When weights
or clusters are used, the information is deflated::

    D_eff = D * (n_eff / n) / design_effect

with Kish's effective sample size ``n_eff = (sum w)**2 / sum w**2`` and a
design effect for the clustering of people in sites (for example the ratio
of the cluster-robust to the model-based variance of the group coefficient).
A hazard ratio of ``1 / MDE`` is equally detectable; both are reported.

This is a property of the design and the number of events, never an
"observed power" computed from the estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..results import Result

__all__ = ["DetectableEffect", "EventsNeeded", "detectable_effect", "events_needed", "kish_effective_n"]


def kish_effective_n(weights) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2``."""
    w = np.asarray(weights, dtype=float)
    if w.size == 0 or (w < 0).any() or not np.isfinite(w).all():
        raise ValueError("weights must be finite and non-negative")
    return float(w.sum() ** 2 / (w**2).sum())


def _z(alpha, power):
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    if not 0 < power < 1:
        raise ValueError(f"power must be between 0 and 1, got {power!r}")
    return stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)


@dataclass(frozen=True, eq=False)
class DetectableEffect(Result):
    """Minimum detectable hazard ratio with every input."""

    events: float
    participant_share: float
    alpha: float
    power: float
    n: float | None
    effective_n: float | None
    design_effect: float
    effective_events: float
    mde_hr: float

    @property
    def title(self) -> str:
        return "What this sample can detect (not observed power)"

    @property
    def mde_hr_below_one(self) -> float:
        return min(self.mde_hr, 1 / self.mde_hr)

    def sentence(self) -> str:
        lo, hi = self.mde_hr_below_one, 1 / self.mde_hr_below_one
        return (
            f"With {self.effective_events:.0f} effective events and {self.participant_share:.0%} participants, "
            f"this comparison has {self.power:.0%} power (two-sided {self.alpha:.0%}) to detect a hazard ratio "
            f"of {lo:.2f} or lower, or {hi:.2f} or higher; smaller effects could go undetected."
        )

    def to_frame(self) -> pd.DataFrame:
        rows = {
            "events (D)": self.events,
            "participant share (p)": self.participant_share,
            "alpha (two-sided)": self.alpha,
            "power": self.power,
            "n": self.n,
            "effective n (Kish)": self.effective_n,
            "design effect (sites)": self.design_effect,
            "effective events": self.effective_events,
            "z(1 - alpha/2)": stats.norm.ppf(1 - self.alpha / 2),
            "z(power)": stats.norm.ppf(self.power),
            "minimum detectable HR (< 1)": self.mde_hr_below_one,
            "minimum detectable HR (> 1)": 1 / self.mde_hr_below_one,
        }
        return pd.DataFrame({"value": pd.Series(rows, dtype=float)}).rename_axis("quantity")

    def plot(self, ax=None):
        from ._plots import axes

        ax = axes(ax)
        d = np.linspace(max(self.effective_events / 10, 1), self.effective_events * 4, 200)
        za, zb = _z(self.alpha, self.power)
        p = self.participant_share
        ax.plot(d, np.exp(-(za + zb) / np.sqrt(d * p * (1 - p))))
        ax.axvline(self.effective_events, color="grey", linestyle="--")
        ax.set_xlabel("effective number of events")
        ax.set_ylabel("minimum detectable hazard ratio (< 1)")
        return ax


def detectable_effect(
    *,
    events: float,
    participant_share: float,
    alpha: float = 0.05,
    power: float = 0.8,
    n: float | None = None,
    weights=None,
    design_effect: float = 1.0,
) -> DetectableEffect:
    """Minimum detectable hazard ratio, ``exp((z_{1-a/2} + z_power) / sqrt(D_eff p (1-p)))``.

    Parameters
    ----------
    events : float
        Number of events ``D`` (reoffences) in the comparison.
    participant_share : float
        Share ``p`` of participants (0 < p < 1).
    alpha, power : float
        Two-sided level and power (defaults 5% and 80%).
    n : float, optional
        Number of people, needed only with ``weights``.
    weights : array-like, optional
        Analysis weights (e.g. propensity weights); their Kish effective
        sample size deflates ``D`` by ``n_eff / n``.
    design_effect : float
        Variance inflation from clustering in sites (>= 1 in practice).
    """
    if not events > 0:
        raise ValueError(f"events must be positive, got {events!r}")
    if not 0 < participant_share < 1:
        raise ValueError(f"participant_share must be strictly between 0 and 1, got {participant_share!r}")
    if not design_effect > 0:
        raise ValueError(f"design_effect must be positive, got {design_effect!r}")
    za, zb = _z(alpha, power)
    n_eff = None
    ratio = 1.0
    if weights is not None:
        w = np.asarray(weights, dtype=float)
        n = float(len(w)) if n is None else float(n)
        n_eff = kish_effective_n(w)
        ratio = n_eff / n
    d_eff = events * ratio / design_effect
    p = participant_share
    mde = float(np.exp(-(za + zb) / np.sqrt(d_eff * p * (1 - p))))
    remarks = []
    if design_effect < 1:
        remarks.append(f"The design effect {design_effect:.2f} is below 1; it was used as given.")
    res = DetectableEffect(
        events=float(events), participant_share=float(p), alpha=alpha, power=power,
        n=None if n is None else float(n), effective_n=n_eff, design_effect=float(design_effect),
        effective_events=float(d_eff), mde_hr=mde,
    )
    remarks.insert(0, res.sentence())
    remarks.append("Schoenfeld's approximation; a property of the design, never 'observed power'.")
    object.__setattr__(res, "remarks", tuple(remarks))
    return res


@dataclass(frozen=True, eq=False)
class EventsNeeded(Result):
    """Events a conclusive comparison would need for a target hazard ratio."""

    target_hr: float
    participant_share: float
    alpha: float
    power: float
    design_effect: float
    events: float

    @property
    def title(self) -> str:
        return "Events needed for a conclusive comparison"

    def to_frame(self) -> pd.DataFrame:
        rows = {
            "target hazard ratio": self.target_hr,
            "participant share (p)": self.participant_share,
            "alpha (two-sided)": self.alpha,
            "power": self.power,
            "design effect (sites)": self.design_effect,
            "events needed": self.events,
        }
        return pd.DataFrame({"value": pd.Series(rows, dtype=float)}).rename_axis("quantity")


def events_needed(
    target_hr: float,
    *,
    participant_share: float,
    alpha: float = 0.05,
    power: float = 0.8,
    design_effect: float = 1.0,
) -> EventsNeeded:
    """Events needed: ``(z_{1-a/2} + z_power)^2 / (p (1-p) log(HR)^2)``, times the design effect, rounded up."""
    if not target_hr > 0 or target_hr == 1:
        raise ValueError(f"target_hr must be positive and not 1, got {target_hr!r}")
    if not 0 < participant_share < 1:
        raise ValueError(f"participant_share must be strictly between 0 and 1, got {participant_share!r}")
    za, zb = _z(alpha, power)
    p = participant_share
    d = float(np.ceil(design_effect * (za + zb) ** 2 / (p * (1 - p) * np.log(target_hr) ** 2)))
    remark = (
        f"To detect a hazard ratio of {target_hr:.2f} with {power:.0%} power (two-sided {alpha:.0%}) "
        f"and {p:.0%} participants, about {d:.0f} reoffences are needed."
    )
    return EventsNeeded(target_hr=float(target_hr), participant_share=float(p), alpha=alpha, power=power,
                        design_effect=float(design_effect), events=d, remarks=(remark,))
