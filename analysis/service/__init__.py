"""The service detainees receive (RE-AIM reach and dose) from the contact log and release records.

- :func:`reach` – share of eligible detainees with a peer-support contact before release, per group.
- :func:`dose` – contacts per person and their kinds and settings.
- :func:`use_outcomes` – days of use in the last 30 days (non-users 0) and injecting, as outcomes.
"""

from .reach import Dose, Reach, dose, reach
from .use import use_outcomes

__all__ = ["reach", "Reach", "dose", "Dose", "use_outcomes"]
