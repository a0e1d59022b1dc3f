"""Statistical disclosure control for everything that reaches the book.

Readers of the report must never be able to identify a detainee, a peer
worker or a staff member. This package protects what the book publishes:

* :class:`DisclosurePolicy` — threshold (default 10 persons), zero cells,
  symbols, prose bands, wording (en/nl/fr); built from the workspace config.
* :func:`person_counts` — distinct persons per cell (never rows).
* :func:`protect_table` — primary and secondary suppression of a table of
  counts/percentages/means, with the note under the table.
* :class:`SuppressionLedger` — the same cell hidden the same way everywhere.
* :func:`safe_count`, :func:`safe_value` — numbers glued into prose.
* :func:`guard_figure_data`, :func:`truncate_at_risk`,
  :func:`check_at_risk` — figures and Kaplan–Meier curves.
* :func:`scan_page`, :func:`check_pages` — no pseudonym, national register
  number or identifier on a built page.
* :func:`find_suppressed_counts` — test helper: no hidden count on a page.
* :mod:`.derived` — statistics that would undo suppression: overlap indices
  (:func:`protect_overlap`), "n of N" (:func:`safe_n_of_N`), totals on two
  pages (:func:`safe_total`), quote tags (:func:`quote_site`), box plots
  (:func:`safe_boxplot`); percentages of small groups: ``percent_of="cell%"``.
"""

from .counting import person_counts
from .figures import GuardedFigureData, TruncatedCurves, check_at_risk, guard_figure_data, truncate_at_risk
from .leaks import SuppressedValue, find_suppressed_counts
from .ledger import CellKey, LedgerConflict, LedgerConflictError, SuppressionLedger
from .pages import Finding, PageCheckError, check_pages, scan_page
from .policy import DEFAULT_POLICY, DisclosurePolicy
from .prose import safe_count, safe_value
from .suppression import exposed_cells, secondary_suppression, table_constraints
from .tables import ProtectedTable, protect_table
from .errors import DisclosureError
from .derived import (individual_points, overlap_publishable, protect_overlap, quote_site, safe_boxplot,
                      safe_n_of_N, safe_total)
from .derived import complement_small, protect_complements, safe_part
from .marks import disclosure_mark, mark_protected, not_person_level

__all__ = [
    "DisclosurePolicy",
    "DEFAULT_POLICY",
    "person_counts",
    "protect_table",
    "ProtectedTable",
    "SuppressionLedger",
    "CellKey",
    "LedgerConflict",
    "LedgerConflictError",
    "safe_count",
    "safe_value",
    "complement_small",
    "safe_part",
    "protect_complements",
    "guard_figure_data",
    "GuardedFigureData",
    "truncate_at_risk",
    "TruncatedCurves",
    "check_at_risk",
    "scan_page",
    "check_pages",
    "Finding",
    "PageCheckError",
    "find_suppressed_counts",
    "SuppressedValue",
    "secondary_suppression",
    "exposed_cells",
    "table_constraints",
    "DisclosureError",
    "overlap_publishable",
    "protect_overlap",
    "safe_n_of_N",
    "safe_total",
    "quote_site",
    "safe_boxplot",
    "individual_points",
    "not_person_level",
    "mark_protected",
    "disclosure_mark",
]
