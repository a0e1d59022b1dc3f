"""Mixed-methods integration: joint displays of themes beside quantitative results.

- :func:`joint_display` – join a theme-prevalence frame with one or more
  quantitative frames (any result's ``to_frame()``) on a site or group key.
"""

from .joint_display import JointDisplay, joint_display

__all__ = ["joint_display", "JointDisplay"]
