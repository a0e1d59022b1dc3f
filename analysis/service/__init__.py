"""The service detainees receive (RE-AIM reach and dose) from the contact log and release records.

- :func:`reach` – share of eligible detainees with a peer-support contact before release, per group.
- :func:`reach_by_period` – reach per prison × month, small months pooled.
- :func:`dose` – contacts per person and their kinds and settings.
- :func:`survey_participation` – who had peer support by a questionnaire's date (contact log first).
- :func:`paired_proportion` – a yes/no outcome at two waves: McNemar and the paired difference.
- :func:`use_outcomes` – days of use in the last 30 days (non-users 0) and injecting, as outcomes.
"""

from .reach import Dose, Reach, dose, pooled_periods, reach, reach_by_period
from .paired import PairedProportion, paired_proportion
from .participation import SurveyParticipation, survey_participation
from .use import use_outcomes

__all__ = ["reach", "Reach", "reach_by_period", "pooled_periods", "dose", "Dose", "use_outcomes", "survey_participation", "SurveyParticipation", "paired_proportion", "PairedProportion"]
