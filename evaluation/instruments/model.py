"""Validated models of instrument and scale definitions (the YAML format).

The format is documented in ``instruments/README.md``; its JSON Schema is
generated from these models (:mod:`evaluation.instruments.schema`). Field-level
checks live here; checks across fields and files (unknown choice list,
skip logic naming an unknown item, a missing translation, ...) live in
:mod:`evaluation.instruments.loader`, which reports them all at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from .text import Lang, Text, TranslationSource

__all__ = [
    "ItemType",
    "Role",
    "Nonresponse",
    "NONRESPONSE_DEFAULT_CODES",
    "Choice",
    "Range",
    "Constraint",
    "Item",
    "ScaleRef",
    "Window",
    "Wave",
    "Harmonisation",
    "ItemMapping",
    "Instrument",
    "Cutoff",
    "Scoring",
    "Psychometrics",
    "Scale",
    "SiteList",
    "Site",
    "FactorTag",
    "Factor",
    "FactorList",
]

NAME = r"^[a-z][a-z0-9_]{0,31}$"  # SPSS- and XLSForm-safe, at most 32 characters
VERSION = r"^\d+\.\d+$"

ItemType = Literal["single_choice", "multiple_choice", "integer", "number", "date", "text"]
Role = Literal["pid", "link", "site", "wave", "date"]
Nonresponse = Literal["dont_know", "refused", "not_applicable"]

# Declared missing values, distinct from an empty cell (system missing).
NONRESPONSE_DEFAULT_CODES: dict[str, int] = {"dont_know": -7, "refused": -8, "not_applicable": -9}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(_Model):
    code: int = Field(description="Numeric code stored in the data.")
    label: Text = Field(description="Label per language.")


class Range(_Model):
    min: float | dt.date | None = None
    max: float | dt.date | None = None
    message: Text | None = Field(None, description="Shown when a value is out of range.")


class Constraint(_Model):
    rule: str = Field(description="Expression in which '.' is the item's value, e.g. '. <= 80'.")
    message: Text = Field(description="What the respondent or coordinator should do, per language.")


class FactorTag(_Model):
    """Which implementation factor an item measures (``instruments/factors.yaml``)."""

    id: str = Field(pattern=NAME, description="A factor id of instruments/factors.yaml, e.g. 'organisational_readiness'.")
    cfir: str | None = Field(None, description="The CFIR inner-setting construct, where one fits "
                             "(e.g. 'leadership engagement').")
    reverse: bool = Field(False, description="Agreeing means the factor is weaker (e.g. 'security rules make the "
                          "work difficult'): flipped in domain scores.")


class Item(_Model):
    """One question (or one field of an administrative record)."""

    name: str = Field(pattern=NAME, description="Stable variable name; never reused for another meaning.")
    type: ItemType
    label: Text
    hint: Text | None = None
    choices: str | None = Field(None, description="Name of a choice list (single/multiple choice).")
    required: bool = False
    range: Range | None = None
    constraint: Constraint | None = None
    relevant: str | None = Field(None, description="Skip logic: asked only when this expression is true.")
    role: Role | None = Field(
        None,
        description="Identifier role: pid (the person), link (a further identifier kept only as a "
        "pseudonym, for linkage), site, wave or date.",
    )
    identifier: Literal["prison_number", "national_register", "pseudonym"] | None = Field(
        None,
        description="A direct identifier, replaced by a pseudonym at intake (role pid or link). "
        "'pseudonym' is a code the research team gave the respondent (a study code): it is "
        "pseudonymised again with the key, so codes never reach the store either.",
    )
    free_text: bool = Field(
        False, description="Free text may identify people: never echoed in reports or logs."
    )
    nonresponse: list[Nonresponse] = Field(
        default_factory=list,
        description="Nonresponse codes allowed for this item (don't know, refused, not applicable).",
    )
    translation: dict[Lang, TranslationSource] | None = Field(
        None, description="Where this item's texts come from, overriding the file's default."
    )
    scale: str | None = Field(None, description="Set by the loader on items expanded from a scale.")
    factor: FactorTag | None = Field(
        None, description="The implementation factor this item measures (optional; see instruments/factors.yaml)."
    )

    @model_validator(mode="after")
    def _type_rules(self):
        if self.type in ("single_choice", "multiple_choice") and not self.choices:
            raise ValueError(f"is a {self.type} item but names no choice list|add 'choices: <list name>'")
        if self.type not in ("single_choice", "multiple_choice") and self.choices:
            raise ValueError(f"has a choice list but type {self.type}|use type single_choice or multiple_choice, or remove 'choices'")
        if self.identifier and self.role not in ("pid", "link"):
            raise ValueError("is an identifier but its role is not 'pid' or 'link'|add 'role: pid' (or 'role: link' "
                             "for a further identifier used for linkage) or remove 'identifier'")
        if self.role == "link" and self.identifier in (None, "pseudonym"):
            raise ValueError("has role 'link' but no identifier kind|add 'identifier: prison_number' or "
                             "'identifier: national_register'")
        if self.nonresponse and self.type in ("text", "multiple_choice"):
            raise ValueError(
                "declares nonresponse codes, which are numeric and apply only to choice, "
                "integer, number and date items|remove 'nonresponse' from this item"
            )
        return self

    @property
    def is_choice(self) -> bool:
        return self.type in ("single_choice", "multiple_choice")

    def columns(self, codes: list[int] | None = None) -> list[str]:
        """Data columns of this item: one per choice (``name_code``) for multiple choice."""
        if self.type == "multiple_choice":
            return [f"{self.name}_{c}" for c in (codes or [])]
        return [self.name]


class ScaleRef(_Model):
    """Include the items of a scale from ``instruments/scales/`` at this point."""

    scale: str = Field(description="Scale id, e.g. 'who5'.")
    version: str = Field(pattern=VERSION)
    required: bool = False
    relevant: str | None = None


class Window(_Model):
    after: str = Field(description="Name of the earlier wave this window is measured from.")
    min_weeks: float = Field(ge=0)
    max_weeks: float = Field(ge=0)


class Wave(_Model):
    name: str = Field(pattern=NAME)
    code: int
    label: Text
    window: Window | None = None


class ItemMapping(_Model):
    """How an item of an older version maps onto this version."""

    source: str | None = Field(None, description="The item's name in the older version, if renamed.")
    recode: dict[int, int | None] | None = Field(
        None, description="Old code -> new code; null means the old answer cannot be harmonised."
    )
    note: Text | None = None


class Harmonisation(_Model):
    """Declared mapping from an older version (used by diff and by the loaders)."""

    from_version: str = Field(pattern=VERSION)
    items: dict[str, ItemMapping] = Field(default_factory=dict)


def _item_or_scale(value) -> str:
    """An entry with ``scale:`` and no ``name:`` includes a scale; anything else is an item."""
    if isinstance(value, dict):
        return "scale" if "scale" in value and "name" not in value else "item"
    return "scale" if isinstance(value, ScaleRef) else "item"


class Instrument(_Model):
    """A versioned questionnaire or administrative record definition."""

    id: str = Field(pattern=NAME)
    version: str = Field(pattern=VERSION)
    status: Literal["draft", "published"]
    kind: Literal["survey", "administrative", "contact_log"] = "survey"
    respondent_group: Literal["detainee", "peer_worker", "staff", "administrative"]
    anonymous: bool = Field(False, description="No person identifier at all (e.g. staff survey).")
    languages: list[Lang]
    source_language: Lang = "en"
    translation: dict[Lang, TranslationSource] = Field(
        default_factory=dict, description="Default provenance of this file's texts per language."
    )
    title: Text
    introduction: Text
    sites: str = Field("sites", description="Controlled list of site codes (instruments/<name>.yaml).")
    waves: list[Wave] = Field(min_length=1)
    choices: dict[str, list[Choice]] = Field(default_factory=dict)
    nonresponse_codes: dict[Nonresponse, int] = Field(
        default_factory=lambda: dict(NONRESPONSE_DEFAULT_CODES)
    )
    items: list[
        Annotated[
            Union[Annotated[Item, Tag("item")], Annotated[ScaleRef, Tag("scale")]],
            Discriminator(_item_or_scale),
        ]
    ]
    harmonisation: list[Harmonisation] = Field(default_factory=list)
    changes: Text | None = Field(None, description="What changed from the previous version.")


class Cutoff(_Model):
    label: Text
    min: float | None = None
    max: float | None = None


class Scoring(_Model):
    method: Literal["sum", "mean"]
    multiplier: float = 1
    reverse: list[str] = Field(default_factory=list)
    item_min: int
    item_max: int
    max_missing: int = Field(0, ge=0, description="Items that may be missing; more makes the score invalid.")
    prorate: bool = Field(True, description="With missing items, sum = mean of answered × number of items.")
    range: tuple[float, float]
    cutoffs: list[Cutoff] = Field(default_factory=list)
    mic: float | None = Field(None, description="Minimal important change, in score units.")
    higher_is_better: bool = True


class Psychometrics(_Model):
    """Values a reliable-change index needs, each with its source."""

    retest_r: float | None = Field(None, gt=0, lt=1)
    retest_source: str | None = None
    norm_sd: float | None = Field(None, gt=0)
    norm_sd_source: str | None = None
    verified: bool = Field(
        False, description="True once the values were checked against the cited source."
    )


class Scale(_Model):
    """A standard measure defined once and referenced from instruments."""

    id: str = Field(pattern=NAME)
    version: str = Field(pattern=VERSION)
    status: Literal["draft", "published"]
    title: Text
    instruction: Text | None = None
    citation: str
    licence: str
    copyright: str | None = None
    altered: bool = Field(False, description="Wording altered from the original: must be shown as altered.")
    licensed_texts: bool = Field(
        False,
        description="Item texts are licensed and never stored here: supplied from a local file.",
    )
    source_language: Lang = "en"
    translation: dict[Lang, TranslationSource] = Field(default_factory=dict)
    response_choices: list[Choice]
    items: list[Item]
    scoring: Scoring
    psychometrics: Psychometrics = Field(default_factory=Psychometrics)

    def scoring_spec(self, missing_codes: list[int] | None = None) -> dict:
        """The plain mapping the analysis package scores with (``ScaleSpec.from_mapping``)."""
        s, p = self.scoring, self.psychometrics
        return {
            "id": self.id,
            "version": self.version,
            "items": [i.name for i in self.items],
            "method": s.method,
            "multiplier": s.multiplier,
            "reverse": list(s.reverse),
            "item_min": s.item_min,
            "item_max": s.item_max,
            "max_missing": s.max_missing,
            "prorate": s.prorate,
            "range": list(s.range),
            "cutoffs": [
                {"label": c.label.get("en", next(iter(c.label.values()))), "min": c.min, "max": c.max}
                for c in s.cutoffs
            ],
            "mic": s.mic,
            "retest_r": p.retest_r,
            "retest_source": p.retest_source,
            "norm_sd": p.norm_sd,
            "norm_sd_source": p.norm_sd_source,
            "missing_codes": list(missing_codes or NONRESPONSE_DEFAULT_CODES.values()),
            "higher_is_better": s.higher_is_better,
            "verified": p.verified,
        }


class Site(_Model):
    code: str = Field(pattern=r"^[A-Z0-9]{2,8}$")
    label: Text
    fictional: bool = False
    prison_number_digits: int | None = Field(
        None, ge=1, le=20,
        description="Prison numbers of this prison have exactly this many digits, leading zeros included: "
                    "a shorter all-digit number has lost its zeros (a spreadsheet read it as a number).",
    )


class SiteList(_Model):
    id: str
    version: str = Field(pattern=VERSION)
    description: Text | None = None
    sites: list[Site] = Field(min_length=1)


class CodebookLink(_Model):
    version: str = Field(pattern=VERSION, description="Codebook version (instruments/interviews/codebook_<v>.yaml).")
    codes: list[str] = Field(default_factory=list, description="Themes or sub-themes that speak to this factor.")


class Factor(_Model):
    """One implementation factor: its name, meaning, CFIR constructs and interview codes."""

    id: str = Field(pattern=NAME)
    label: Text
    description: Text | None = None
    cfir: list[str] = Field(default_factory=list, description="CFIR inner-setting constructs it covers.")
    codebook: list[CodebookLink] = Field(default_factory=list,
                                         description="Interview codes mapped to this factor, per codebook version.")


class FactorList(_Model):
    """The implementation factors items are tagged with (``instruments/factors.yaml``)."""

    id: str
    version: str = Field(pattern=VERSION)
    description: Text | None = None
    factors: list[Factor] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self):
        ids = [f.id for f in self.factors]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"factor id(s) {', '.join(twice)} appear more than once|give every factor its own id")
        return self

    def get(self, factor_id: str) -> Factor:
        for f in self.factors:
            if f.id == factor_id:
                return f
        raise KeyError(f"no factor '{factor_id}'; factors: {', '.join(f.id for f in self.factors)}")
