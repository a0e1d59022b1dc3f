"""Calendar and exposure covariates of the propensity model (issue 12 part 4).

Participation depends on *when* a person was in a D&D prison: somebody who
left a week after the project started had little chance to meet a peer
worker, somebody released a year later had every chance; participation rose
over the release quarters while later releases are followed for less time.
:func:`add_timing_covariates` adds, per release episode:

* ``days_exposed``: days in custody since the project started,
  ``release_date - max(entry_date, project_start)`` (0 if released before
  it), and ``log_days_exposed = log(1 + days_exposed)`` for the model (the
  chance of a first contact grows less than linearly with time inside);
* ``release_quarter``: the calendar quarter of release (``"2025Q3"``), a
  categorical covariate (fixed effects for calendar time).

``project_start`` defaults to the first dated contact in the contact log
(the first day a peer worker is known to have been active); pass the
evaluation's own date when it is known.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..recidivism._checks import require_columns, require_frame

__all__ = ["add_timing_covariates", "TIMING_COVARIATES"]

TIMING_COVARIATES = ("log_days_exposed", "release_quarter")


def add_timing_covariates(data: pd.DataFrame, contacts: pd.DataFrame | None = None, *, project_start=None,
                          entry_date: str = "entry_date", release_date: str = "release_date",
                          contact_date: str = "date") -> pd.DataFrame:
    """A copy of ``data`` with ``days_exposed``, ``log_days_exposed`` and ``release_quarter``."""
    require_frame(data)
    require_columns(data, entry_date=entry_date, release_date=release_date)
    if project_start is None:
        if contacts is None or not len(contacts):
            raise ValueError("pass project_start= (the first day peer workers were active) or the contacts frame")
        require_columns(contacts, "contacts", contact_date=contact_date)
        project_start = pd.to_datetime(contacts[contact_date]).min()
    start = pd.Timestamp(project_start)
    entry = pd.to_datetime(data[entry_date])
    release = pd.to_datetime(data[release_date])
    days = (release - entry.where(entry > start, start)).dt.days.clip(lower=0).astype(float)
    out = data.copy()
    out["days_exposed"] = days
    out["log_days_exposed"] = np.log1p(days)
    out["release_quarter"] = release.dt.to_period("Q").astype(str)
    return out
