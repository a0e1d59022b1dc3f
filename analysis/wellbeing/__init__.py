"""Pre/post wellbeing and recovery capital of detainees and peer workers.

Modules, one topic each:

- :mod:`.scoring` – :class:`ScaleSpec` (from the mapping the evaluation side
  builds out of ``instruments/scales/*.yaml``) and :func:`score_scale`;
- :mod:`.reliability` – Cronbach's alpha (Feldt CI), omega total, item–rest;
- :mod:`.change` – completers' paired t / Wilcoxon, d_z, g_z, d_av, per-site plot;
- :mod:`.individual` – Jacobson–Truax reliable change and minimal important change;
- :mod:`.mixed` – mixed model across sites using all data (:mod:`._reml` fits it);
- :mod:`.compare` – completer-only and mixed-model change side by side;
- :mod:`.power` – minimum detectable d_z (noncentral t);
- :mod:`.attrition` – who is lost to follow-up, by reason, and how they differ;
- :mod:`.participation` – participants against non-participants (contact log, self-report), ANCOVA,
  propensity-weighted, mixed model wave × group;
- :mod:`.sensitivity` – the estimand ('while detained') and δ-adjusted multiple imputation (tipping point);
- :mod:`.findings` – the key findings a summary may state (never a provisional share).
"""

from analysis.wellbeing.attrition import AttritionResult, attrition
from analysis.wellbeing.change import PairedChangeResult, paired_change
from analysis.wellbeing.individual import ReliableChangeResult, reliable_change, wilson_ci
from analysis.wellbeing.compare import CompletersVsAllResult, completers_vs_all
from analysis.wellbeing.findings import KeyFindings, key_findings
from analysis.wellbeing.mixed import MixedModelResult, mixed_model
from analysis.wellbeing.participation import (ParticipationChangeResult, ParticipationGroups, participation_change,
                                              participation_groups)
from analysis.wellbeing.power import min_detectable_dz, paired_power
from analysis.wellbeing.sensitivity import ESTIMAND, DeltaAdjustmentResult, delta_adjustment
from analysis.wellbeing.reliability import ReliabilityResult, cronbach_alpha, omega_total, scale_reliability
from analysis.wellbeing.scoring import Cutoff, ItemValueError, ScaleSpec, score_scale

__all__ = [
    "ScaleSpec", "Cutoff", "ItemValueError", "score_scale",
    "ReliabilityResult", "scale_reliability", "cronbach_alpha", "omega_total",
    "PairedChangeResult", "paired_change",
    "ReliableChangeResult", "reliable_change", "wilson_ci",
    "MixedModelResult", "mixed_model", "CompletersVsAllResult", "completers_vs_all",
    "min_detectable_dz", "paired_power",
    "AttritionResult", "attrition",
    "KeyFindings", "key_findings",
    "ParticipationGroups", "participation_groups", "ParticipationChangeResult", "participation_change",
    "ESTIMAND", "DeltaAdjustmentResult", "delta_adjustment",
]
