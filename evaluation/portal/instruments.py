"""Instrument titles and waves in the user's language (from the definitions, never from code)."""

from __future__ import annotations

from functools import lru_cache

__all__ = ["catalogue", "instrument_rows", "title", "wave_label", "site_label"]


@lru_cache(maxsize=1)
def catalogue():
    from evaluation.instruments import Catalogue

    return Catalogue()


def _text(text, lang: str) -> str:
    if isinstance(text, dict):
        return text.get(lang) or text.get("en") or next(iter(text.values()), "")
    return str(text or "")


def title(instrument: str, lang: str) -> str:
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


def site_label(site: str, lang: str) -> str:
    for s in catalogue().sites().sites:
        if s.code == site:
            return _text(s.label, lang)
    return site


def instrument_rows(lang: str) -> list[dict]:
    """Every instrument's latest version: id, version, title, languages, waves."""
    rows = []
    cat = catalogue()
    for iid in cat.instrument_ids():
        try:
            d = cat.instrument(iid)
        except Exception:
            continue
        rows.append({"id": iid, "version": d.version, "title": _text(d.meta.title, lang),
                     "languages": list(d.meta.languages), "definition": d})
    return rows
