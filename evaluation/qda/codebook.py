"""The thematic codebook for the interviews: a versioned, trilingual definition.

The codebook lives in ``instruments/interviews/codebook_<version>.yaml`` and
is versioned and frozen like the questionnaires and topic guides: a published
version is registered in ``instruments/published.sha256`` and never changes.

The format::

    id: codebook
    version: "1.0"
    status: published            # draft | published
    languages: [nl, fr, en]
    translation: {nl: original, fr: original, en: original}
    title: {nl: ..., fr: ..., en: ...}
    introduction: {...}          # how to apply the codes
    changes: {...}               # in a later version: what changed
    themes:
      - code: role_definition    # stable code: [a-z][a-z0-9_]*, unique in the codebook
        color: "#1F77B4"         # optional, for the coding tools
        label: {...}
        definition: {...}
        when_to_use: {...}
        when_not_to_use: {...}
        example: {...}           # invented, never a real quote
        sub_themes:
          - code: role_tasks
            label: {...}
            definition: {...}
            when_to_use: {...}
            when_not_to_use: {...}
            example: {...}

Usage::

    from evaluation.qda import load_codebook, codebook_markdown
    cb = load_codebook()                 # the latest version in instruments/
    cb.parents                           # {"role_tasks": "role_definition", ...} for analysis.themes
    print(codebook_markdown(cb, "nl"))

Loading collects every problem of the file before failing with a
:class:`~evaluation.instruments.errors.DefinitionError`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evaluation.instruments import frozen
from evaluation.instruments.errors import DefinitionError, DefinitionProblem
from evaluation.instruments.loader import default_root, read_yaml_mapping, version_key
from evaluation.instruments.text import Lang, Text, TranslationSource

__all__ = [
    "CODEBOOK_DIR",
    "CODE_FIELDS",
    "Code",
    "Theme",
    "Codebook",
    "codebook_versions",
    "load_codebook",
    "check_codebooks",
    "codebook_markdown",
]

CODEBOOK_DIR = "interviews"
NAME = r"^[a-z][a-z0-9_]{0,31}$"
VERSION = r"^\d+\.\d+$"
COLOR = r"^#[0-9A-Fa-f]{6}$"
#: the texts every code has, in every language of the codebook
CODE_FIELDS = ("label", "definition", "when_to_use", "when_not_to_use", "example")

_HEADINGS = {
    "en": {"definition": "Definition", "when_to_use": "When to use", "when_not_to_use": "When not to use",
           "example": "Example", "code": "code", "themes": "Themes", "sub": "sub-themes", "version": "version"},
    "nl": {"definition": "Definitie", "when_to_use": "Wanneer gebruiken", "when_not_to_use": "Wanneer niet gebruiken",
           "example": "Voorbeeld", "code": "code", "themes": "Thema's", "sub": "subthema's", "version": "versie"},
    "fr": {"definition": "Définition", "when_to_use": "Quand l'utiliser", "when_not_to_use": "Quand ne pas l'utiliser",
           "example": "Exemple", "code": "code", "themes": "Thèmes", "sub": "sous-thèmes", "version": "version"},
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Code(_Model):
    """A code with its definition, when to use it, when not to, and an (invented) example."""

    code: str = Field(pattern=NAME)
    color: str | None = Field(None, pattern=COLOR)
    label: Text
    definition: Text
    when_to_use: Text
    when_not_to_use: Text
    example: Text


class Theme(Code):
    """A theme and its sub-themes (a sub-theme rolls up to its theme in the analysis)."""

    sub_themes: list[Code] = Field(default_factory=list)


class Codebook(_Model):
    """A versioned, trilingual thematic codebook."""

    id: Literal["codebook"] = "codebook"
    version: str = Field(pattern=VERSION)
    status: Literal["draft", "published"]
    languages: list[Lang]
    source_language: Lang = "en"
    translation: dict[Lang, TranslationSource] = Field(default_factory=dict)
    title: Text
    introduction: Text
    changes: Text | None = None
    themes: list[Theme] = Field(min_length=1)

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def parents(self) -> dict[str, str]:
        """``{sub_code: theme}``: what ``analysis.themes`` needs to roll sub-themes up to themes."""
        return {s.code: t.code for t in self.themes for s in t.sub_themes}

    def theme_codes(self) -> list[str]:
        return [t.code for t in self.themes]

    def all_codes(self) -> list[str]:
        """Every code, each theme followed by its sub-themes."""
        return [c.code for t in self.themes for c in (t, *t.sub_themes)]

    def code(self, code: str) -> Code:
        """The theme or sub-theme ``code``; raises ``KeyError`` naming the known codes."""
        for t in self.themes:
            for c in (t, *t.sub_themes):
                if c.code == code:
                    return c
        raise KeyError(f"no code {code!r} in {self.ref}; codes: {', '.join(self.all_codes())}")

    def theme_of(self, code: str) -> str:
        """The theme ``code`` belongs to (itself for a theme)."""
        self.code(code)
        return self.parents.get(code, code)

    def resolve(self, text: str) -> str | None:
        """The code named by ``text``: a code, or a label in any language (case and spaces ignored)."""
        key = " ".join(str(text).split()).casefold()
        if not key:
            return None
        for t in self.themes:
            for c in (t, *t.sub_themes):
                if key == c.code.casefold() or any(key == " ".join(v.split()).casefold() for v in c.label.values()):
                    return c.code
        return None


# ---------------------------------------------------------------------------
# loading


def _folder(root: Path | str | None) -> tuple[Path, Path]:
    root = Path(root) if root else default_root()
    return root, root / CODEBOOK_DIR


def codebook_versions(root: Path | str | None = None) -> list[str]:
    """The versions present under ``<root>/interviews/codebook_<version>.yaml``, oldest first."""
    _, folder = _folder(root)
    found = [p.stem.split("_", 1)[1] for p in folder.glob("codebook_*.yaml")] if folder.is_dir() else []
    return sorted(found, key=version_key)


def load_codebook(version: str | None = None, root: Path | str | None = None) -> Codebook:
    """Load the codebook (latest version when ``version`` is None).

    Raises ``KeyError`` for a version that does not exist and
    :class:`~evaluation.instruments.errors.DefinitionError` listing every
    problem of the file.
    """
    root, folder = _folder(root)
    versions = codebook_versions(root)
    if not versions:
        raise KeyError(f"no codebook in {folder}: add codebook_<version>.yaml there")
    version = version or versions[-1]
    path = folder / f"codebook_{version}.yaml"
    if not path.exists():
        raise KeyError(f"no codebook version {version!r}; versions: {', '.join(versions)}")
    problems: list[DefinitionProblem] = []
    cb = _load(path, root, problems)
    if problems or cb is None:
        raise DefinitionError(problems)
    return cb


def check_codebooks(root: Path | str | None = None) -> list[DefinitionProblem]:
    """Load every codebook version; return every problem found (empty when all is well)."""
    root, folder = _folder(root)
    problems: list[DefinitionProblem] = []
    for v in codebook_versions(root):
        _load(folder / f"codebook_{v}.yaml", root, problems)
    return problems


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _load(path: Path, root: Path, problems: list[DefinitionProblem]) -> Codebook | None:
    rel = _rel(path, root)
    data = read_yaml_mapping(path, rel, problems)
    if data is None:
        return None
    try:
        cb = Codebook.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(the codebook)"
            problems.append(DefinitionProblem(rel, None, f"field '{where}': {err['msg']}",
                                              f"correct '{where}' (see evaluation/qda/codebook.py)"))
        return None
    n_before = len(problems)
    _check(cb, path, root, rel, problems)
    return cb if len(problems) == n_before else None


def _check(cb: Codebook, path: Path, root: Path, rel: str, problems: list[DefinitionProblem]) -> None:
    stem_version = path.stem.split("_", 1)[1]
    if cb.version != stem_version:
        problems.append(DefinitionProblem(rel, None,
            f"declares version {cb.version} but its file name says {stem_version}",
            "name the file codebook_<version>.yaml"))
    if cb.status == "published":
        registered = frozen.read_registry(root).get(rel)
        if registered is None:
            problems.append(DefinitionProblem(rel, None,
                "is published but not in the registry of published versions",
                "register it with evaluation.instruments.frozen.register (this freezes it for good)"))
        elif registered != frozen.content_hash(path):
            problems.append(DefinitionProblem(rel, None,
                "is a published version that was edited after publication",
                "undo the edit and put the change in a new version with status: draft"))
    langs = sorted(cb.languages)

    def texts(where: str | None, what: str, text: Text | None) -> None:
        if text is None:
            return
        missing = [lang for lang in langs if not (text.get(lang) or "").strip()]
        if missing:
            problems.append(DefinitionProblem(rel, where, f"{what} has no text in {', '.join(missing)}",
                                              f"add the {what} in {', '.join(missing)}"))

    for what in ("title", "introduction", "changes"):
        texts(None, what, getattr(cb, what))
    seen: set[str] = set()
    labels: dict[tuple[str, str], str] = {}
    for t in cb.themes:
        for c in (t, *t.sub_themes):
            if c.code in seen:
                problems.append(DefinitionProblem(rel, c.code, "is used as a code more than once",
                                                  "give each theme and sub-theme a unique code"))
            seen.add(c.code)
            for f in CODE_FIELDS:
                texts(c.code, f.replace("_", " "), getattr(c, f))
            for lang in langs:
                key = (lang, " ".join((c.label.get(lang) or "").split()).casefold())
                if key[1] and key in labels and labels[key] != c.code:
                    problems.append(DefinitionProblem(rel, c.code,
                        f"has the same {lang} label as '{labels[key]}'",
                        "give each code its own label: spreadsheets name codes by label"))
                labels.setdefault(key, c.code)


# ---------------------------------------------------------------------------
# a readable page


_QUOTES = {"en": ("\u201c", "\u201d"), "nl": ("\u2018", "\u2019"), "fr": ("\u00ab\u00a0", "\u00a0\u00bb")}


def codebook_markdown(codebook: Codebook, lang: str, *, heading_level: int = 1, codes: bool = True) -> str:
    """The codebook as Markdown in ``lang``: each theme, its sub-themes, and their four texts.

    ``heading_level`` is the level of the title (1: ``#``); themes are one
    level below, sub-themes two. ``codes=False`` is the readers' version (the
    report): no code names — a text that points to another code ("use
    organisational_integration") names it by its label in quotes instead, and
    the version line says "version 1.0" rather than the reference.
    """
    if lang not in codebook.languages:
        raise ValueError(f"codebook_markdown(lang={lang!r}): the codebook is in "
                         f"{', '.join(codebook.languages)}; pass one of those")
    if not 1 <= heading_level <= 4:
        raise ValueError("heading_level must be 1 to 4 (themes and sub-themes take the next two levels)")
    h = _HEADINGS[lang]
    hashes = "#" * heading_level
    if codes:
        def words(text: str) -> str:
            return text.strip()
    else:
        # code names with an underscore: a one-word code ("stigma") reads as the word it is
        labels = {c: codebook.code(c).label[lang] for c in codebook.all_codes() if "_" in c}
        pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, labels), key=len, reverse=True)) + r")\b")
        opening, closing = _QUOTES[lang]

        def words(text: str) -> str:
            return pattern.sub(lambda m: f"{opening}{labels[m.group(1)]}{closing}", text.strip())
    version = f"{codebook.ref} ({codebook.status})" if codes else f"{h['version']} {codebook.version}"
    out = [f"{hashes} {codebook.title[lang]}", "", f"*{version}*", "", codebook.introduction[lang].strip(), ""]
    out.append(f"**{h['themes']}:** " + ", ".join(
        f"{t.label[lang]} ({len(t.sub_themes)} {h['sub']})" for t in codebook.themes))
    out.append("")

    def block(c: Code, level: int) -> list[str]:
        lines = [f"{'#' * level} {c.label[lang]}", ""] + ([f"{h['code']}: `{c.code}`", ""] if codes else [])
        lines += [f"**{h['definition']}.** {words(c.definition[lang])}", ""]
        lines += [f"**{h['when_to_use']}.** {words(c.when_to_use[lang])}", ""]
        lines += [f"**{h['when_not_to_use']}.** {words(c.when_not_to_use[lang])}", ""]
        lines += [f"**{h['example']}.** *{words(c.example[lang])}*", ""]
        return lines

    for t in codebook.themes:
        out += block(t, heading_level + 1)
        for s in t.sub_themes:
            out += block(s, heading_level + 2)
    return "\n".join(out).rstrip() + "\n"
