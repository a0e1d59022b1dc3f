"""Key findings and assumption ratings for the report's readers, in the three languages.

* :mod:`.keyfindings` — each evaluation question's primary number in plain words (wording chosen by
  rules on the result: direction, an interval including no difference);
* :mod:`.assumptions` — assumptions rated red / amber / green by stated rules on the diagnostics;
* :mod:`.catalogue` — the sentences of both, ``messages.yaml`` (en, nl, fr per message).
"""

from .assumptions import (AGREEMENT_GREEN, BALANCE, ESS, EVALUE_RED, LEVELS, OVERLAP, Assumption, AssumptionTable,
                          rate_agreement, rate_balance, rate_coding, rate_confounding, rate_ess, rate_overlap, rate_psychometrics,
                          rate_report_translation, rate_sensitivity, rate_spillover, rate_time_zero, rate_translation,
                          worst)
from .catalogue import message, messages
from .keyfindings import KeyFinding, direction, perspectives_finding, reoffending_finding, wellbeing_finding

__all__ = ["AGREEMENT_GREEN", "BALANCE", "ESS", "EVALUE_RED", "LEVELS", "OVERLAP", "Assumption", "AssumptionTable",
           "KeyFinding", "direction", "message", "messages", "perspectives_finding", "rate_agreement", "rate_balance", "rate_coding",
           "rate_confounding", "rate_ess", "rate_overlap", "rate_psychometrics", "rate_report_translation",
           "rate_sensitivity", "rate_spillover", "rate_time_zero", "rate_translation", "reoffending_finding",
           "wellbeing_finding", "worst"]
