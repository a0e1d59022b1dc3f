"""Interview topic guides: versioned, trilingual semi-structured interview guides.

A topic guide lives in ``instruments/interviews/topic_guides/<group>_<version>.yaml``
(``<group>`` is the respondent group: ``detainee``, ``peer_worker`` or
``staff``) and is versioned and frozen like the questionnaires: a published
guide is registered in ``instruments/published.sha256`` and never changes.

The format::

    id: peer_worker              # = the respondent group = the file name's prefix
    version: "1.0"
    status: published            # draft | published
    respondent_group: peer_worker
    languages: [nl, fr, en]
    translation: {nl: original, fr: original, en: original}
    duration_minutes: 60         # optional: the planned length
    title: {nl: ..., fr: ..., en: ...}
    introduction: {...}          # read to the participant first
    consent: {...}               # the consent script (recording, withdrawal, ...)
    closing: {...}               # optional: read at the end
    sections:
      - name: pathway            # stable name: [a-z][a-z0-9_]*
        themes: [pathways_into_role, motivations]   # keys of LITERATURE_THEMES
        title: {...}
        questions:
          - name: how_started
            text: {...}
            probes:
              - {nl: ..., fr: ..., en: ...}

Usage::

    from evaluation.instruments.guides import GuideCatalogue
    guides = GuideCatalogue()            # the repository's instruments/
    g = guides.guide("detainee")         # latest version
    print(g.render("nl"))                # a printable Markdown guide

Like :class:`~evaluation.instruments.loader.Catalogue`, loading collects every
problem of a file before failing with a
:class:`~evaluation.instruments.errors.DefinitionError`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import frozen
from .errors import DefinitionError, DefinitionProblem
from .loader import default_root, read_yaml_mapping, version_key
from .text import Lang, Text, TranslationSource

__all__ = [
    "GUIDES_DIR",
    "LITERATURE_THEMES",
    "Question",
    "Section",
    "TopicGuide",
    "GuideCatalogue",
]

GUIDES_DIR = "interviews/topic_guides"
NAME = r"^[a-z][a-z0-9_]{0,31}$"
VERSION = r"^\d+\.\d+$"

# The themes the literature already names (the starting codebook of the
# project brief). Sections say which of them they explore, so the coded
# interviews can be traced back to the questions that prompted them.
LITERATURE_THEMES: dict[str, dict[str, str]] = {
    "role_definition": {
        "en": "What defines the role; tasks; professional boundaries",
        "nl": "Wat de rol bepaalt; taken; professionele grenzen",
        "fr": "Ce qui définit le rôle ; tâches ; limites professionnelles",
    },
    "motivations": {
        "en": "Motivations: giving back, reciprocity, wanting to help others",
        "nl": "Motivaties: iets teruggeven, wederkerigheid, anderen willen helpen",
        "fr": "Motivations : rendre, réciprocité, vouloir aider les autres",
    },
    "organisational_integration": {
        "en": "Organisational integration: training, role clarity, recruitment and induction, "
              "supervision, leadership commitment and championing",
        "nl": "Organisatorische inbedding: opleiding, rolhelderheid, werving en inwerking, "
              "begeleiding, engagement en trekkers bij de leiding",
        "fr": "Intégration organisationnelle : formation, clarté du rôle, recrutement et accueil, "
              "supervision, engagement et portage par la direction",
    },
    "pathways_into_role": {
        "en": "Pathways into the role: stages, enablers, barriers, an in-between status",
        "nl": "Wegen naar de rol: fasen, hefbomen, drempels, een tussenpositie",
        "fr": "Parcours vers le rôle : étapes, leviers, obstacles, un statut intermédiaire",
    },
    "identity_and_recovery": {
        "en": "Identity and recovery: self-esteem, self-awareness, shared identity, shifting "
              "identity, reintegration, employment as recovery capital",
        "nl": "Identiteit en herstel: zelfwaardering, zelfinzicht, gedeelde identiteit, "
              "veranderende identiteit, re-integratie, werk als herstelkapitaal",
        "fr": "Identité et rétablissement : estime de soi, conscience de soi, identité partagée, "
              "identité en mutation, réinsertion, l'emploi comme capital de rétablissement",
    },
    "stigma": {
        "en": "Stigma: in the workplace, in society, against women in particular",
        "nl": "Stigma: op het werk, in de samenleving, in het bijzonder tegenover vrouwen",
        "fr": "Stigmatisation : au travail, dans la société, en particulier envers les femmes",
    },
    "key_moments_people": {
        "en": "Key moments and key people",
        "nl": "Sleutelmomenten en sleutelfiguren",
        "fr": "Moments clés et personnes clés",
    },
    "working_conditions": {
        "en": "Working conditions: pay, insecurity, power imbalances",
        "nl": "Arbeidsvoorwaarden: loon, onzekerheid, machtsongelijkheid",
        "fr": "Conditions de travail : rémunération, précarité, déséquilibres de pouvoir",
    },
    "prison_specific": {
        "en": "Prison-specific: security, ethical dilemmas, ambiguous employment status, "
              "openness of the prison culture, prison-health collaboration",
        "nl": "Gevangenisspecifiek: veiligheid, ethische dilemma's, dubbelzinnig statuut, "
              "openheid van de gevangeniscultuur, samenwerking gevangenis-gezondheidszorg",
        "fr": "Spécificités carcérales : sécurité, dilemmes éthiques, statut ambigu, "
              "ouverture de la culture carcérale, collaboration prison-santé",
    },
    "service_delivery": {
        "en": "Service delivery as detainees see it: trust and credibility, hope, engagement, "
              "continuity of care after release",
        "nl": "Dienstverlening zoals gedetineerden die zien: vertrouwen en geloofwaardigheid, "
              "hoop, betrokkenheid, continuïteit van zorg na vrijlating",
        "fr": "Le service vu par les personnes détenues : confiance et crédibilité, espoir, "
              "engagement, continuité des soins après la libération",
    },
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Question(_Model):
    """A main question with the probes the interviewer may use to follow it up."""

    name: str = Field(pattern=NAME)
    text: Text
    probes: list[Text] = Field(default_factory=list)


class Section(_Model):
    """A block of questions on one topic."""

    name: str = Field(pattern=NAME)
    title: Text
    themes: list[str] = Field(default_factory=list, description="Keys of LITERATURE_THEMES.")
    questions: list[Question] = Field(min_length=1)


class TopicGuide(_Model):
    """A versioned, trilingual semi-structured interview guide for one respondent group."""

    id: str = Field(pattern=NAME)
    version: str = Field(pattern=VERSION)
    status: Literal["draft", "published"]
    respondent_group: Literal["detainee", "peer_worker", "staff"]
    languages: list[Lang]
    source_language: Lang = "en"
    translation: dict[Lang, TranslationSource] = Field(default_factory=dict)
    duration_minutes: int | None = Field(None, gt=0)
    title: Text
    introduction: Text
    consent: Text
    closing: Text | None = None
    sections: list[Section] = Field(min_length=1)

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def themes(self) -> set[str]:
        """Every literature theme some section of this guide explores."""
        return {t for s in self.sections for t in s.themes}

    def questions(self) -> list[tuple[str, Question]]:
        """``(section name, question)`` pairs in interview order."""
        return [(s.name, q) for s in self.sections for q in s.questions]

    def render(self, lang: str) -> str:
        """The guide as Markdown in ``lang``, for printing or the interviewer's tablet."""
        if lang not in self.languages:
            raise ValueError(
                f"render(lang={lang!r}): this guide is in {', '.join(self.languages)}; pass one of those"
            )
        out = [f"# {self.title[lang]}", "", f"*{self.id} {self.version} ({self.status})*", ""]
        out += [self.introduction[lang], "", self.consent[lang], ""]
        for n, s in enumerate(self.sections, start=1):
            out += [f"## {n}. {s.title[lang]}", ""]
            for q in s.questions:
                out.append(f"- **{q.text[lang]}**")
                out += [f"    - {p[lang]}" for p in q.probes]
            out.append("")
        if self.closing:
            out += [self.closing[lang], ""]
        return "\n".join(out)


class GuideCatalogue:
    """All topic guides under ``<root>/interviews/topic_guides``."""

    def __init__(self, root: Path | str | None = None):
        self.root = Path(root) if root else default_root()
        self.folder = self.root / GUIDES_DIR
        self._cache: dict[tuple[str, str], TopicGuide] = {}

    def _files(self) -> list[Path]:
        return sorted(self.folder.glob("*_*.yaml")) if self.folder.is_dir() else []

    def ids(self) -> list[str]:
        """Guide ids (respondent groups) that have at least one version."""
        return sorted({p.stem.rsplit("_", 1)[0] for p in self._files()})

    def versions(self, guide_id: str) -> list[str]:
        found = [p.stem.rsplit("_", 1)[1] for p in self._files() if p.stem.rsplit("_", 1)[0] == guide_id]
        if not found:
            raise KeyError(f"no topic guide '{guide_id}'; known guides: {', '.join(self.ids()) or 'none'}")
        return sorted(found, key=version_key)

    def guide(self, guide_id: str, version: str | None = None) -> TopicGuide:
        """Load a guide (latest version when ``version`` is None); raises DefinitionError on problems."""
        version = version or self.versions(guide_id)[-1]
        key = (guide_id, version)
        if key not in self._cache:
            path = self.folder / f"{guide_id}_{version}.yaml"
            if not path.exists():
                raise KeyError(
                    f"no version {version} of topic guide '{guide_id}'; "
                    f"versions: {', '.join(self.versions(guide_id))}"
                )
            problems: list[DefinitionProblem] = []
            guide = self._load(path, problems)
            if problems or guide is None:
                raise DefinitionError(problems)
            self._cache[key] = guide
        return self._cache[key]

    def check_all(self) -> list[DefinitionProblem]:
        """Load every guide; return every problem found (empty when all is well)."""
        problems: list[DefinitionProblem] = []
        for path in self._files():
            self._load(path, problems)
        return problems

    # -- internals -------------------------------------------------------
    def _rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def _load(self, path: Path, problems: list[DefinitionProblem]) -> TopicGuide | None:
        rel = self._rel(path)
        data = read_yaml_mapping(path, rel, problems)
        if data is None:
            return None
        try:
            guide = TopicGuide.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"]) or "(the guide)"
                problems.append(DefinitionProblem(rel, None, f"field '{where}': {err['msg']}",
                                                  f"correct '{where}' (see evaluation/instruments/guides.py)"))
            return None
        n_before = len(problems)
        self._check(guide, path, rel, problems)
        return guide if len(problems) == n_before else None

    def _check(self, g: TopicGuide, path: Path, rel: str, problems: list[DefinitionProblem]) -> None:
        stem_id, _, stem_version = path.stem.rpartition("_")
        if (g.id, g.version) != (stem_id, stem_version):
            problems.append(DefinitionProblem(rel, None,
                f"declares id '{g.id}' version {g.version} but its file name says {stem_id} {stem_version}",
                "name the file <id>_<version>.yaml"))
        if g.id != g.respondent_group:
            problems.append(DefinitionProblem(rel, None,
                f"has id '{g.id}' but respondent_group '{g.respondent_group}'",
                "use the respondent group as the guide's id"))
        if g.status == "published":
            registered = frozen.read_registry(self.root).get(rel)
            digest = frozen.content_hash(path)
            if registered is None:
                problems.append(DefinitionProblem(rel, None,
                    "is published but not in the registry of published versions",
                    "register it with frozen.register (this freezes it for good)"))
            elif registered != digest:
                problems.append(DefinitionProblem(rel, None,
                    "is a published version that was edited after publication",
                    "undo the edit and put the change in a new version with status: draft"))
        langs = sorted(g.languages)

        def texts(where: str | None, what: str, text: Text | None) -> None:
            if text is None:
                return
            missing = [lang for lang in langs if not (text.get(lang) or "").strip()]
            if missing:
                problems.append(DefinitionProblem(rel, where, f"{what} has no text in {', '.join(missing)}",
                                                  f"add the {what} in {', '.join(missing)}"))

        for what in ("title", "introduction", "consent", "closing"):
            texts(None, what, getattr(g, what))
        seen_sections: set[str] = set()
        seen_questions: set[str] = set()
        for s in g.sections:
            if s.name in seen_sections:
                problems.append(DefinitionProblem(rel, s.name, "is used as a section name more than once",
                                                  "give each section a unique name"))
            seen_sections.add(s.name)
            texts(f"section {s.name}", "title", s.title)
            for t in s.themes:
                if t not in LITERATURE_THEMES:
                    problems.append(DefinitionProblem(rel, f"section {s.name}", f"names the unknown theme '{t}'",
                        f"use one of: {', '.join(LITERATURE_THEMES)}"))
            for q in s.questions:
                if q.name in seen_questions:
                    problems.append(DefinitionProblem(rel, q.name, "is used as a question name more than once",
                                                      "give each question a unique name"))
                seen_questions.add(q.name)
                texts(q.name, "question", q.text)
                for n, p in enumerate(q.probes, start=1):
                    texts(q.name, f"probe {n}", p)
