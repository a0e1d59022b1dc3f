"""Small drawing helpers shared by the recidivism results."""

from __future__ import annotations

import numpy as np

__all__: list[str] = []


def axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def forest(ax, terms, estimate, lower, upper, *, xlabel="hazard ratio (log scale)"):
    """Horizontal forest plot of ratios with their intervals."""
    ax = axes(ax)
    y = np.arange(len(terms))[::-1]
    est, lo, hi = map(np.asarray, (estimate, lower, upper))
    ax.errorbar(est, y, xerr=[est - lo, hi - est], fmt="o", color="black", capsize=3)
    ax.axvline(1.0, color="grey", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ax.set_yticks(y)
    ax.set_yticklabels(list(terms))
    ax.set_xlabel(xlabel)
    return ax
