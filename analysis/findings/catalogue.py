"""The key findings' and assumption ratings' message catalogue (``messages.yaml``), three languages each.

A message is a sentence template per language with named placeholders; :func:`message` fills them,
per language, with :class:`~analysis.editions.Multilingual` values (numbers written by Babel, or other
messages) or plain strings, and returns a :class:`~analysis.editions.Multilingual`.
"""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

import yaml

from analysis.editions import LANGUAGES, Multilingual

__all__ = ["MESSAGES_PATH", "messages", "message", "placeholders"]

#: The catalogue: one entry per message id, with ``en``, ``nl`` and ``fr`` templates.
MESSAGES_PATH = Path(__file__).with_name("messages.yaml")


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, str]]:
    """Every message of the catalogue (read once)."""
    data = yaml.safe_load(MESSAGES_PATH.read_text(encoding="utf-8")) or {}
    for key, texts in data.items():
        missing = [lang for lang in LANGUAGES if not str((texts or {}).get(lang) or "").strip()]
        if missing:
            raise ValueError(f"{MESSAGES_PATH.name}: message {key!r} has no text in {', '.join(missing)}; "
                             "give every message its en, nl and fr text")
    return data


def placeholders(template: str) -> set[str]:
    """The names of a template's placeholders (``{part}`` -> ``part``)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def message(key: str, **values) -> Multilingual:
    """The message ``key`` in the three languages, its placeholders filled with ``values``.

    A value is a :class:`Multilingual` (each language gets its own text) or anything else (used as
    ``str(value)`` in every language).
    """
    try:
        texts = messages()[key]
    except KeyError:
        raise KeyError(f"no message {key!r} in {MESSAGES_PATH.name}; add it with its en, nl and fr text") from None
    out = {}
    for lang in LANGUAGES:
        filled = {name: (v.texts[lang] if isinstance(v, Multilingual) else str(v)) for name, v in values.items()}
        missing = placeholders(texts[lang]) - set(filled)
        if missing:
            raise KeyError(f"message {key!r} ({lang}) needs {', '.join(sorted(missing))}; pass them as keywords")
        out[lang] = texts[lang].format(**filled)
    return Multilingual(out)
