"""Instrument titles and waves in the user's language (from the definitions, never from code)."""

from __future__ import annotations

from functools import lru_cache

from django.utils.translation import gettext_lazy as _

__all__ = ["catalogue", "instrument_rows", "title", "wave_label", "site_label", "group_label", "GROUP_LABELS",
           "CODEBOOK"]

#: the instrument name interview imports are stored under (:data:`evaluation.store.segments.INSTRUMENT`)
CODEBOOK = "codebook"

#: respondent groups of interviews and questionnaires, as words (the data carry the codes)
GROUP_LABELS = {"detainee": _("detainees"), "peer_worker": _("peer workers"), "staff": _("staff")}


@lru_cache(maxsize=1)
def catalogue():
    from evaluation.instruments import Catalogue

    return Catalogue()


def _text(text, lang: str) -> str:
    if isinstance(text, dict):
        return text.get(lang) or text.get("en") or next(iter(text.values()), "")
    return str(text or "")


@lru_cache(maxsize=8)
def _codebook_title(lang: str) -> str:
    from evaluation.qda import load_codebook

    return _text(load_codebook().title, lang)


def title(instrument: str, lang: str) -> str:
    """The questionnaire's title in ``lang``; for interview imports, the codebook's."""
    if instrument == CODEBOOK:
        try:
            return _codebook_title(lang)
        except Exception:  # no codebook in this installation
            return str(_("Interview codebook"))
    try:
        return _text(catalogue().instrument(instrument).meta.title, lang)
    except Exception:  # an instrument no longer in the catalogue
        return instrument


def wave_label(instrument: str, code, lang: str) -> str:
    try:
        for w in catalogue().instrument(instrument).meta.waves:
            if str(w.code) == str(code):
                return _text(w.label, lang)
    except Exception:
        pass
    return str(code)


def group_label(code: str) -> str:
    """A respondent group in the active language (the code itself for an unknown group)."""
    return str(GROUP_LABELS.get(code, code))


def site_label(site: str, lang: str) -> str:
    for s in catalogue().sites().sites:
        if s.code == site:
            return _text(s.label, lang)
    return site


def instrument_rows(lang: str) -> list[dict]:
    """Every instrument's latest *published* version (a draft is not in the field yet): id, version, title,
    languages, waves."""
    rows = []
    cat = catalogue()
    for iid in cat.instrument_ids():
        try:
            d = cat.instrument(iid, cat.latest(iid, published_only=True))
        except Exception:
            continue
        rows.append({"id": iid, "version": d.version, "title": _text(d.meta.title, lang),
                     "languages": list(d.meta.languages), "definition": d})
    return rows
