"""Ordinal survey items: distributions, agreement, diverging bars, domains, group comparisons.

- :class:`ItemSpec` – an item's wording, ordered answers, nonresponse codes and factor
  (built by the chapter from the instrument definition; ``analysis`` reads no files).
- :func:`item_distribution` – every category incl. don't know / refused / not applicable,
  share agreeing with a Wilson interval, median; ``plot()`` draws diverging stacked bars.
- :func:`domain_scores` – one score per implementation factor with ≥3 items, alpha and omega.
- :func:`factor_summary` – favourable answers per implementation factor (reverse-worded items flipped).
- :func:`ordinal_comparison` – two groups on one item: proportional-odds odds ratio with
  prison as fixed effect, and the probability of answering higher (Brunner–Munzel interval).
- :func:`banded_counts` – a small group's categorical answers counted in coarser bands.

"""

from .bands import BandedCounts, banded_counts
from .compare import OrdinalComparison, ordinal_comparison, probability_of_superiority
from .distribution import ItemDistribution, item_distribution, ticked_counts, wilson_interval
from .factors import FactorSummary, factor_summary
from .domains import DomainScores, domain_scores, ranked_items
from .spec import ItemSpec, as_specs

__all__ = [
    "ItemSpec",
    "as_specs",
    "ItemDistribution",
    "item_distribution",
    "wilson_interval",
    "ticked_counts",
    "FactorSummary",
    "factor_summary",
    "DomainScores",
    "domain_scores",
    "ranked_items",
    "OrdinalComparison",
    "ordinal_comparison",
    "probability_of_superiority",
    "BandedCounts",
    "banded_counts",
]
