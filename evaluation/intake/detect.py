"""Which instrument and version a submitted file holds.

In order of trust: the ``peer-eval:<id>@<version>`` reference a template
embeds (SPSS file label, Excel metadata sheet, CSV codebook sidecar), the
``--instrument`` option, and the columns (the version whose data columns best
match the file's, by Jaccard similarity, at least :data:`MIN_MATCH`). A file
whose embedded reference contradicts the option is refused; a file of an
older version is accepted with a warning and harmonised when loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from evaluation.instruments import Catalogue, DefinitionError, InstrumentDefinition, version_key

from .problems import Problem

__all__ = ["Detection", "detect", "MIN_MATCH"]

MIN_MATCH = 0.6


@dataclass
class Detection:
    definition: InstrumentDefinition | None
    how: str | None = None  # "embedded" | "option" | "columns"
    problems: list[Problem] = field(default_factory=list)


def _embedded(read, path: Path | None) -> str | None:
    from evaluation.exports.common import find_ref

    for text in [read.file_label, *read.metadata.values()]:
        ref = find_ref(text)
        if ref:
            return ref
    # .sav labels and documents, .xlsx _meta and settings sheets are in ``read`` already (reading a
    # 100,000-row workbook again costs seconds); only a CSV's codebook sidecar is another file
    if path is not None and read.format == "csv" and path.suffix.lower() == ".csv":
        try:
            from evaluation.exports import read_embedded_ref

            return read_embedded_ref(path)
        except Exception:  # a file we cannot open this way simply has no embedded reference
            return None
    return None


def _by_columns(columns: list[str], catalogue: Catalogue) -> tuple[InstrumentDefinition | None, float]:
    have = {str(c).strip().lower() for c in columns}
    best, best_score = None, 0.0
    for iid in catalogue.instrument_ids():
        for v in catalogue.versions(iid):
            try:
                d = catalogue.instrument(iid, v)
            except DefinitionError:
                continue
            want = {c.lower() for c in d.columns()}
            score = len(have & want) / len(have | want) if have | want else 0.0
            # equal columns: the later version, but a published one before a draft (not in the field yet)
            if score > best_score or (score == best_score and best is not None and best.id == iid
                                      and (d.meta.status == "published", version_key(v))
                                      > (best.meta.status == "published", version_key(best.version))):
                best, best_score = d, score
    return best, best_score


def detect(read, catalogue: Catalogue, *, given: str | None = None, path: Path | None = None) -> Detection:
    """Recognise the instrument of ``read`` (a :class:`ReadResult`)."""
    problems: list[Problem] = []
    embedded = _embedded(read, path)
    defn = None
    how = None
    if given:
        try:
            defn = catalogue.parse_ref(given)
            how = "option"
        except KeyError as exc:
            problems.append(Problem("instrument-unknown", params={"detail": str(exc)}))
            return Detection(None, None, problems)
        if embedded and embedded != defn.ref:
            problems.append(Problem("instrument-mismatch", params={"embedded": embedded, "given": defn.ref}))
            return Detection(None, None, problems)
    elif embedded:
        try:
            defn = catalogue.parse_ref(embedded)
            how = "embedded"
        except KeyError:  # (issue 17) an unknown version in the file's label is an error, not ignored
            from .limits import LIMIT_MESSAGES  # noqa: F401 - registers the message

            problems.append(Problem("instrument-version-unknown", params={"ref": embedded}))
            return Detection(None, None, problems)
    if defn is None and read.frame is not None:
        cand, score = _by_columns(list(read.frame.columns), catalogue)
        if cand is not None and score >= MIN_MATCH:
            defn, how = cand, "columns"
    if defn is None:
        problems.append(Problem("instrument-unknown"))
        return Detection(None, None, problems)
    latest = catalogue.latest(defn.id, published_only=True)  # a draft is not in the field yet
    if version_key(defn.version) < version_key(latest):
        problems.append(Problem("instrument-older-version", params={"version": defn.version, "latest": latest},
                                severity="warning"))
    if defn.meta.status == "draft":
        problems.append(Problem("instrument-draft", params={"version": defn.ref}, severity="warning"))
    return Detection(defn, how, problems)
