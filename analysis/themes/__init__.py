"""Coded interview themes: prevalence, inter-coder agreement, co-occurrence, quotes.

All functions take the ``segments()`` frame (``segment_id``, ``transcript_id``,
``pid``, ``respondent_group``, ``site``, ``coder``, ``code``, ``start``, ``end``,
``text``) plus keyword-only column names, and a ``parents`` mapping
``{sub_code: theme}`` from the codebook where sub-themes roll up to themes.

- :func:`theme_prevalence` – participants and segments per theme × group (× site);
- :func:`consensus_coding` – one coding per transcript: a consensus pass, else a merge of coders;
- :func:`compare_groups` – group shares compared only for themes every group's guide asks about;
- :func:`units_from_text`, :func:`check_offsets` – fixed, hashed text units;
- :func:`coder_agreement` – percentage agreement, Cohen's and Fleiss' kappa,
  Krippendorff's alpha per code on fixed units (coefficients in
  :mod:`analysis.themes.reliability`);
- :func:`unitized_alpha` – Krippendorff's unitized alpha on the coders' own passages;
- :func:`code_cooccurrence` – code × code counts and Jaccard indices;
- :func:`check_deidentification`, :func:`select_quotes`, :func:`band_count` –
  exemplar quotes that are screened and signed off.
"""

from .agreement import OVERALL, CoderAgreement, coder_agreement
from .cooccurrence import CodeCooccurrence, code_cooccurrence
from .deidentify import CHECKS, DeidentificationCheck, band_count, check_deidentification, find_identifiers
from .consensus import ConsensusCoding, consensus_coding
from .prevalence import GroupComparison, ThemePrevalence, compare_groups, theme_prevalence
from .quotes import QuoteSelection, select_quotes
from .reliability import (AgreementStatistic, KappaEstimate, cohen_kappa, conger_kappa, fleiss_kappa,
                          krippendorff_alpha, percent_agreement)
from .unitized import UnitizedAlpha, unitized_alpha, unitized_alpha_continuum
from .units import TranscriptUnits, check_offsets, onto_deidentified, segments_to_units, sha256_text, units_from_text

__all__ = [
    "theme_prevalence", "ThemePrevalence", "compare_groups", "GroupComparison",
    "consensus_coding", "ConsensusCoding",
    "units_from_text", "TranscriptUnits", "check_offsets", "segments_to_units", "sha256_text", "onto_deidentified",
    "coder_agreement", "CoderAgreement", "OVERALL",
    "cohen_kappa", "KappaEstimate", "AgreementStatistic", "conger_kappa", "fleiss_kappa", "krippendorff_alpha",
    "percent_agreement",
    "unitized_alpha", "unitized_alpha_continuum", "UnitizedAlpha",
    "code_cooccurrence", "CodeCooccurrence",
    "check_deidentification", "DeidentificationCheck", "find_identifiers", "CHECKS", "band_count",
    "select_quotes", "QuoteSelection",
]
