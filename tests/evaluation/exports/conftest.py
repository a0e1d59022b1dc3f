"""Fixtures for the template exports: a licensed, altered scale and the repository's instruments."""

from __future__ import annotations

import textwrap
import pytest

from evaluation.instruments import Catalogue, default_root

# The repository's instruments/ (or $PEER_EVAL_INSTRUMENTS, as everywhere else).
REPO_INSTRUMENTS = default_root()


def repo_refs() -> list[str]:
    """Every instrument version in the repository (listed from files, loaded in the test)."""
    cat = Catalogue(REPO_INSTRUMENTS)
    return [f"{iid}@{v}" for iid in cat.instrument_ids() for v in cat.versions(iid)]


LICENSED_SCALE = """
id: lic
version: "1.0"
status: draft
title: {nl: Gelicentieerde schaal, fr: Échelle sous licence, en: Licensed scale}
instruction: {nl: Kies één antwoord., fr: Choisissez une réponse., en: Choose one answer.}
citation: "Synthetic test scale."
licence: "Licensed: texts supplied by the user."
copyright: "© Synthetic Scale Authors 2020"
altered: true
licensed_texts: true
translation: {en: original, nl: official, fr: official}
response_choices:
  - {code: 1, label: {nl: Nooit, fr: Jamais, en: Never}}
  - {code: 2, label: {nl: Soms, fr: Parfois, en: Sometimes}}
  - {code: 3, label: {nl: Vaak, fr: Souvent, en: Often}}
items:
  - {name: lic_1, type: single_choice, choices: scale, label: {}}
  - {name: lic_2, type: single_choice, choices: scale, label: {}}
scoring: {method: sum, item_min: 1, item_max: 3, range: [2, 6]}
"""

LICENSED_INSTRUMENT = """
id: licinst
version: "1.0"
status: draft
respondent_group: staff
anonymous: true
languages: [nl, fr, en]
translation: {nl: original, fr: validated, en: original}
title: {nl: Personeelsbevraging, fr: Enquête du personnel, en: Staff survey}
introduction: {nl: Synthetisch., fr: Synthétique., en: Synthetic.}
waves:
  - {name: baseline, code: 1, label: {nl: Begin, fr: Début, en: Baseline}}
items:
  - {name: site, type: text, role: site, required: true, label: {nl: Gevangenis, fr: Prison, en: Prison}}
  - {name: when, type: date, role: date, range: {min: 2024-01-01, max: 2026-12-31},
     label: {nl: Datum, fr: Date, en: Date}}
  - {name: role_clear, type: integer, range: {min: 1, max: 10}, nonresponse: [dont_know, refused, not_applicable],
     label: {nl: "Duidelijkheid van de rol (1-10)", fr: "Clarté du rôle (1-10)", en: "Role clarity (1-10)"}}
  - {scale: lic, version: "1.0", required: true, relevant: "role_clear >= 5 or answered(when)"}
"""


@pytest.fixture
def licensed(instruments_root, tmp_path):
    """A definition with a licensed, altered scale whose texts are not supplied."""
    (instruments_root / "scales" / "lic_1.0.yaml").write_text(textwrap.dedent(LICENSED_SCALE), encoding="utf-8")
    (instruments_root / "licinst").mkdir()
    (instruments_root / "licinst" / "1.0.yaml").write_text(textwrap.dedent(LICENSED_INSTRUMENT), encoding="utf-8")
    return Catalogue(instruments_root, licensed_texts=tmp_path / "none.yaml").instrument("licinst", "1.0")


@pytest.fixture
def licensed_supplied(instruments_root, tmp_path):
    """The same definition with the licensed texts supplied from a local file."""
    (instruments_root / "scales" / "lic_1.0.yaml").write_text(textwrap.dedent(LICENSED_SCALE), encoding="utf-8")
    (instruments_root / "licinst").mkdir()
    (instruments_root / "licinst" / "1.0.yaml").write_text(textwrap.dedent(LICENSED_INSTRUMENT), encoding="utf-8")
    texts = tmp_path / "licensed.yaml"
    texts.write_text(
        "lic:\n  items:\n"
        "    lic_1: {nl: Ik voel me goed, fr: Je me sens bien, en: I feel well}\n"
        "    lic_2: {nl: Ik slaap goed, fr: Je dors bien, en: I sleep well}\n",
        encoding="utf-8",
    )
    return Catalogue(instruments_root, licensed_texts=texts).instrument("licinst", "1.0")
