"""What a coded file holds once read, whatever tool wrote it.

Readers (:mod:`evaluation.qda.refi` for ``.qdpx``,
:mod:`evaluation.qda.spreadsheet` for CSV/XLSX) return a :class:`CodedFile`:
the transcripts (:class:`Source`) with the participant each belongs to, and
the coded selections (:class:`Selection`) as the file states them — codes as
written, positions in the file's own convention. :mod:`evaluation.qda.importer`
checks them against the codebook and the transcripts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from evaluation.intake.problems import Problem

__all__ = ["Source", "Selection", "CodedFile", "ROLE_WORDS", "role_of", "FIELD_WORDS", "field_of"]

#: words coordinators and coding tools use for the respondent groups (any case)
ROLE_WORDS = {
    "detainee": "detainee", "gedetineerde": "detainee", "détenu": "detainee", "détenue": "detainee",
    "detenu": "detainee", "personne détenue": "detainee", "inmate": "detainee", "prisoner": "detainee",
    "peer_worker": "peer_worker", "peer worker": "peer_worker", "ervaringsdeskundige": "peer_worker",
    "pair-aidant": "peer_worker", "pair aidant": "peer_worker", "pair-aidante": "peer_worker", "peer": "peer_worker",
    "staff": "staff", "personeel": "staff", "personnel": "staff", "medewerker": "staff", "stakeholder": "staff",
}

#: header / variable words -> field of a source or a spreadsheet row
FIELD_WORDS = {
    "participant": "participant", "deelnemer": "participant", "participant_id": "participant",
    "participant id": "participant", "respondent": "participant",
    "role": "role", "rol": "role", "rôle": "role", "respondent_group": "role", "group": "role", "groep": "role",
    "groupe": "role",
    "site": "site", "prison": "site", "gevangenis": "site",
    "transcript": "transcript", "transcriptie": "transcript", "transcription": "transcript", "interview": "transcript", "document": "transcript",
    "quotation": "quotation", "quote": "quotation", "citaat": "quotation", "citation": "quotation",
    "fragment": "quotation", "extrait": "quotation", "segment": "quotation",
    "theme": "theme", "thema": "theme", "thème": "theme",
    "sub-theme": "sub_theme", "sub_theme": "sub_theme", "subtheme": "sub_theme", "subthema": "sub_theme",
    "sous-thème": "sub_theme", "sous-theme": "sub_theme", "sous_thème": "sub_theme",
    "coder": "coder", "codeur": "coder", "codeerder": "coder", "codeur·euse": "coder",
    "comment": "comment", "opmerking": "comment", "commentaire": "comment", "memo": "comment",
    "start": "start", "begin": "start", "début": "start", "debut": "start",
    "end": "end", "einde": "end", "fin": "end",
}


def _key(text) -> str:
    return " ".join(str(text).split()).casefold()


def role_of(text) -> str | None:
    """The respondent group a word names (``detainee``, ``peer_worker``, ``staff``), or None."""
    return ROLE_WORDS.get(_key(text)) if text is not None else None


def field_of(text) -> str | None:
    """The field a header or variable name stands for, or None."""
    return FIELD_WORDS.get(_key(text)) if text is not None else None


@dataclass
class Source:
    """A transcript: its text (None when the file carries none) and whose interview it is."""

    key: str                       # the file's own reference (GUID, transcript name)
    name: str                      # as the coder sees it; may hold a name: de-identify before showing
    text: str | None = None
    participant: str | None = None
    role: str | None = None        # as written; role_of() resolves it
    site: str | None = None


@dataclass
class Selection:
    """One coding of one span (a code applied to a selection) as the file states it."""

    source: str                    # Source.key
    code: str | None               # the code as written (name, label or code)
    coder: str | None
    start: int | None = None       # in the file's position convention
    end: int | None = None
    text: str | None = None        # the selected text / quotation, when the file gives it
    comment: str | None = None
    row: int | None = None         # spreadsheet row
    ref: str | None = None         # selection GUID (.qdpx)
    participant: str | None = None  # spreadsheets: per row
    role: str | None = None
    site: str | None = None


@dataclass
class CodedFile:
    format: str                    # qdpx, csv, xlsx
    sources: dict[str, Source] = field(default_factory=dict)
    selections: list[Selection] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    origin: str | None = None      # the tool that wrote it, when stated
