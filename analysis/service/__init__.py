"""The service detainees receive (RE-AIM reach and dose) from the contact log and release records.

- :func:`reach` – share of eligible detainees with a peer-support contact before release, per group.
- :func:`dose` – contacts per person and their kinds and settings.
"""

from .reach import Dose, Reach, dose, reach

__all__ = ["reach", "Reach", "dose", "Dose"]
