"""Translation completeness and provenance."""

from __future__ import annotations

import yaml

from evaluation.instruments import Catalogue
from evaluation.instruments.translations import translation_issues, translation_report


def test_unvalidated_translations_are_listed(mini):
    issues = translation_issues(mini)
    # the fixture's own French texts are a project translation; WHO-5 nl/fr too
    fr_items = {i.item for i in issues if i.language == "fr"}
    assert "used_drugs_30d" in fr_items and "who5_1" in fr_items
    kinds = {(i.item, i.language): i.problem for i in issues}
    assert kinds[("who5_1", "nl")] == "unvalidated-scale-translation"
    assert kinds[("used_drugs_30d", "fr")] == "unvalidated-translation"
    assert ("used_drugs_30d", "nl") not in kinds
    assert set(mini.unvalidated_languages()) == {"nl", "fr"}


def test_item_override_of_provenance(instruments_root):
    path = instruments_root / "mini" / "1.0.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    for item in doc["items"]:
        if item.get("name") == "hours":
            item["translation"] = {"fr": "validated"}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    issues = translation_issues(Catalogue(instruments_root).instrument("mini", "1.0"))
    assert ("hours", "fr") not in {(i.item, i.language) for i in issues}


def test_report_covers_every_version(catalogue):
    report = translation_report(catalogue)
    assert {"mini@1.0", "mini@1.1"} <= set(report["instrument"])
    assert list(report.columns) == ["instrument", "item", "language", "problem", "scale"]
