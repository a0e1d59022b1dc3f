"""Mixed-methods integration: joint displays of themes beside quantitative results.

- :func:`joint_display` – join a theme-prevalence frame with one or more
  quantitative frames (any result's ``to_frame()``) on a site or group key.
- :func:`factor_joint_display` – staff, peer workers, detainees and interviews per
  implementation factor, with a converge/diverge column.
- :func:`prison_profile` – prisons as rows, perspectives as columns, small prisons grouped.
"""

from .joint_display import JointDisplay, joint_display
from .perspectives import FactorJointDisplay, factor_joint_display, factor_theme_prevalence
from .profile import PrisonProfile, prison_profile

__all__ = ["joint_display", "JointDisplay", "factor_joint_display", "FactorJointDisplay", "factor_theme_prevalence",
           "prison_profile", "PrisonProfile"]
