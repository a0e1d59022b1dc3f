"""Key findings of the wellbeing analyses: the few sentences a summary may state.

:func:`key_findings` turns results into short statements, and decides what a
summary may *not* state:

* a reliable-change or MIC share whose inputs are not verified
  (``ReliableChangeResult.provisional``) is never a key finding – it is
  listed under ``withheld`` with the reason;
* a result resting on fewer persons than the disclosure threshold is
  withheld too;
* change without a comparison group is stated as change, never as an effect;
  a participation comparison (``group`` in a mixed model or an ANCOVA-type
  result) is stated with its design level.

The statements carry their numbers already formatted; a chapter shows them
with :meth:`KeyFindings.markdown` and never adds shares by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.results import Result
from analysis.wellbeing.change import PairedChangeResult
from analysis.wellbeing.individual import ReliableChangeResult
from analysis.wellbeing.mixed import MixedModelResult
from analysis.wellbeing.participation import ParticipationChangeResult

__all__ = ["KeyFindings", "key_findings"]


@dataclass(frozen=True)
class KeyFindings(Result):
    """Statements a summary may make, and what was withheld and why."""

    findings: tuple[str, ...]
    withheld: tuple[str, ...]

    @property
    def title(self) -> str:
        return "Key findings (wellbeing)"

    def to_frame(self) -> pd.DataFrame:
        """``statement``, ``status`` ("finding" or "withheld")."""
        rows = [{"statement": f, "status": "finding"} for f in self.findings]
        rows += [{"statement": w, "status": "withheld"} for w in self.withheld]
        return pd.DataFrame(rows, columns=["statement", "status"])

    def markdown(self) -> str:
        """The findings as a bullet list (withheld items are not shown)."""
        return "\n".join(f"* {f}" for f in self.findings)


def _ci(lo: float, hi: float, fmt: str = "{:.1f}") -> str:
    return f"95% CI {fmt.format(lo)} to {fmt.format(hi)}"


def key_findings(
    *,
    label: str,
    change: PairedChangeResult | None = None,
    mixed: MixedModelResult | None = None,
    individual: ReliableChangeResult | None = None,
    participation: ParticipationChangeResult | None = None,
    threshold: int = 10,
) -> KeyFindings:
    """Collect the statements a summary may make about one outcome.

    Parameters
    ----------
    label : str
        The outcome as readers know it, e.g. ``"WHO-5 wellbeing (0–100)"``.
    change, mixed, individual : results, optional
        Completers' paired change, the mixed model, individual change.
    participation : ParticipationChangeResult, optional
        Participants against non-participants (the main, propensity-weighted
        ANCOVA), stated with its Maryland level.
    threshold : int
        Disclosure threshold: a result on fewer persons is withheld.

    Returns
    -------
    KeyFindings
    """
    findings, withheld = [], []
    if participation is not None:
        t = participation.table
        if min(int(t["n_participants"].iloc[0]), int(t["n_comparison"].iloc[0])) < threshold:
            withheld.append(f"{label}: the participation comparison rests on too few persons to be stated.")
        else:
            est, lo, hi = participation.estimate()
            findings.append(
                f"{label}: participants' score changed by {est:+.1f} points more than comparable "
                f"non-participants' ({_ci(lo, hi)}; baseline-adjusted, propensity-weighted; Maryland level "
                f"{participation.maryland_level})."
            )
    if change is not None:
        if change.n_pairs < threshold:
            withheld.append(f"{label}: the completers' change rests on too few persons to be stated.")
        else:
            findings.append(
                f"{label}: among those who answered twice the mean changed by {change.mean_change:+.1f} points "
                f"({_ci(*change.change_ci)}); without a comparison group this is change, not an effect."
            )
    if mixed is not None:
        fx = mixed.fixed.set_index("term")
        if mixed.n_subjects < threshold:
            withheld.append(f"{label}: the mixed model rests on too few persons to be stated.")
        else:
            w = fx.loc["wave"]
            findings.append(
                f"{label}: using everyone with a score (mixed model), the mean change was "
                f"{w['estimate']:+.1f} points ({_ci(w['ci_low'], w['ci_high'])})."
            )
            for term in fx.index[fx.index.str.startswith("wave:group[")]:
                g = fx.loc[term]
                grp = term[len("wave:group["):-1]
                findings.append(
                    f"{label}: change differed between {grp} and {mixed.groups[0]} by {g['estimate']:+.1f} points "
                    f"({_ci(g['ci_low'], g['ci_high'])})."
                )
    if individual is not None:
        if individual.provisional:
            withheld.append(
                f"{label}: reliable-change and minimal-important-change shares are provisional (their inputs are "
                "not verified) and are not key findings."
            )
        elif individual.n_pairs < threshold:
            withheld.append(f"{label}: individual change rests on too few persons to be stated.")
        else:
            t = individual.table.set_index(["criterion", "category"])
            row = t.loc[("reliable change (RCI)", "improved")]
            k = int(row["n"])
            if 0 < k < threshold or 0 < individual.n_pairs - k < threshold:
                withheld.append(f"{label}: the share reliably improved involves a small count.")
            else:
                findings.append(
                    f"{label}: {100 * row['share']:.0f}% reliably improved "
                    f"({_ci(100 * row['ci_low'], 100 * row['ci_high'], '{:.0f}')}%)."
                )
    remarks = ("Provisional shares and results on small numbers are withheld; see .withheld.",) if withheld else ()
    return KeyFindings(findings=tuple(findings), withheld=tuple(withheld), remarks=remarks)
