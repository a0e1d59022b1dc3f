"""Interview coding: the thematic codebook and the import of coded segments.

- :mod:`evaluation.qda.codebook` – the versioned, trilingual codebook
  (``instruments/interviews/codebook_<version>.yaml``), its ``parents``
  mapping and a readable Markdown page;
- :mod:`evaluation.qda.refi` – REFI-QDA exchange: the codebook as ``.qdc``,
  reading a ``.qdpx`` project;
- :mod:`evaluation.qda.spreadsheet` – the spreadsheet template (CSV/XLSX) and
  reading it;
- :mod:`evaluation.qda.names` – replacing participants' names in the text;
- :mod:`evaluation.qda.importer` – checking coded segments and storing them
  through the intake path (raw, pseudonyms, quarantine, audit).
"""

from .codebook import Code, Codebook, Theme, check_codebooks, codebook_markdown, codebook_versions, load_codebook

__all__ = [
    "Code",
    "Codebook",
    "Theme",
    "load_codebook",
    "check_codebooks",
    "codebook_versions",
    "codebook_markdown",
]
