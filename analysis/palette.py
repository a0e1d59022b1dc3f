"""One colour per group across the whole report.

Every figure that draws groups takes their colours from here, so
participants are the same colour in the survival curves, the cumulative
incidence and the weighted comparison, and detainees, peer workers and staff
keep theirs from chapter to chapter. The colours are the Okabe–Ito palette
(distinguishable with the common colour-vision deficiencies); a group not
listed gets a colour of the same palette chosen from its name (stable
between builds, never from the order of drawing).
"""

from __future__ import annotations

import zlib

__all__ = ["GROUP_COLOURS", "colour", "OKABE_ITO"]

#: Okabe & Ito (2008), without black: orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")

GROUP_COLOURS = {
    # reoffending: participants and their comparison group
    "participant": "#0072B2",
    "participants": "#0072B2",
    "non-participant": "#E69F00",
    "non-participants": "#E69F00",
    "comparison": "#E69F00",
    "all": "#555555",
    # the three perspectives
    "detainee": "#009E73",
    "peer_worker": "#CC79A7",
    "staff": "#56B4E9",
    # waves
    "baseline": "#56B4E9",
    "followup": "#0072B2",
    # individual change
    "improved": "#009E73",
    "unchanged": "#BBBBBB",
    "deteriorated": "#D55E00",
}


def colour(group) -> str:
    """The colour of ``group`` (see the module docstring); suffixes such as ``" (weighted)"`` are ignored."""
    name = str(group).strip()
    key = name.lower()
    if key in GROUP_COLOURS:
        return GROUP_COLOURS[key]
    for suffix_start in (" (", ": "):
        base = key.split(suffix_start, 1)[0]
        if base in GROUP_COLOURS:
            return GROUP_COLOURS[base]
    return OKABE_ITO[zlib.crc32(key.encode()) % len(OKABE_ITO)]
