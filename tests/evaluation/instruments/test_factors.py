"""Domain tags are data: which item measures which implementation factor comes from the instrument files."""

from __future__ import annotations

import shutil

import pytest
import yaml

from evaluation.instruments import Catalogue, DefinitionError
from evaluation.instruments.diff import diff

CAT = Catalogue()


def _tags_in_file(instrument: str, version: str) -> dict[str, str]:
    raw = yaml.safe_load((CAT.root / instrument / f"{version}.yaml").read_text(encoding="utf-8"))
    return {i["name"]: i["factor"]["id"] for i in raw["items"] if isinstance(i, dict) and "factor" in i}


@pytest.mark.parametrize(("instrument", "version"), [("staff", "1.1"), ("peer_worker", "1.1"), ("detainee", "1.2")])
def test_item_specs_carry_the_tags_of_the_yaml_file(instrument, version):
    defn = CAT.instrument(instrument, version)
    in_file = _tags_in_file(instrument, version)
    assert len(in_file) >= 5
    specs = {s["name"]: s for s in defn.item_specs("en")}
    tagged = {n: s["factor"] for n, s in specs.items() if s["factor"]}
    assert tagged == in_file
    factors = {f.id for f in CAT.factors().factors}
    assert set(in_file.values()) <= factors


def test_published_versions_unchanged_and_untagged():
    for instrument in ("staff", "peer_worker"):
        assert CAT.instrument(instrument, "1.0").meta.status == "published"
        assert not _tags_in_file(instrument, "1.0")
        d = diff(CAT.instrument(instrument, "1.0"), CAT.instrument(instrument, "1.1"))
        kinds = {c.kind for c in d.changes}
        assert kinds == {"factor"}  # nothing but the tags changed: 1.0 data harmonise as they are


def _new_staff_draft(tmp_path):
    """A copy of the catalogue with staff 1.2, a draft made from the published 1.1 (a tag changes only so)."""
    root = tmp_path / "instruments"
    shutil.copytree(CAT.root, root)
    text = (root / "staff" / "1.1.yaml").read_text(encoding="utf-8")
    assert "status: published" in text  # 1.1 is frozen: its tags change only in a new version
    text = (text.replace('version: "1.1"', 'version: "1.2"', 1).replace("status: published", "status: draft", 1)
            .replace("harmonisation:\n", 'harmonisation:\n  - from_version: "1.1"\n    items: {}\n', 1))
    path = root / "staff" / "1.2.yaml"
    path.write_text(text, encoding="utf-8")
    return root, path


def test_changing_a_tag_in_the_file_changes_the_spec(tmp_path):
    root, path = _new_staff_draft(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace(
        "factor: {id: organisational_readiness, cfir: learning climate}",
        "factor: {id: commitment_leadership, cfir: learning climate}"), encoding="utf-8")
    spec = {s["name"]: s for s in Catalogue(root).instrument("staff", "1.2").item_specs("fr")}
    assert spec["ready_openness"]["factor"] == "commitment_leadership"
    assert spec["ready_openness"]["label"].startswith("Dans cette prison")


def test_unknown_factor_is_reported(tmp_path):
    root, path = _new_staff_draft(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("id: commitment_leadership", "id: leadership"),
                    encoding="utf-8")
    with pytest.raises(DefinitionError, match="unknown factor 'leadership'"):
        Catalogue(root).instrument("staff", "1.2")


def test_codebook_mapping_names_existing_codes():
    book = yaml.safe_load((CAT.root / "interviews" / "codebook_1.0.yaml").read_text(encoding="utf-8"))
    codes = set()
    for theme in book["themes"]:
        codes.add(theme["code"])
        codes.update(s["code"] for s in theme.get("sub_themes", []))
    for factor in CAT.factors().factors:
        for link in factor.codebook:
            assert link.version == "1.0"
            assert set(link.codes) <= codes, factor.id


def test_factor_list_problems_reported_all_at_once_with_file_and_fix(tmp_path):
    root = tmp_path / "instruments"
    shutil.copytree(CAT.root, root)
    path = root / "factors.yaml"
    text = path.read_text(encoding="utf-8")
    broken = (text.replace("  - id: structural_adjustments", "  - id: education_training", 1)
              .replace('version: "1.0"', 'version: "one"', 1)
              .replace("    cfir:", "    cfri:", 1))
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(DefinitionError) as err:
        Catalogue(root).factors()
    problems = err.value.problems
    text_all = " ".join(f"{p.file} {p.message} {p.fix}" for p in problems)
    assert "factors.yaml" in text_all
    assert "unknown field" in text_all and "version" in text_all  # the typo and the version at once
    assert "Traceback" not in text_all
    # the duplicate id alone (the other fields right) is caught by the model
    path.write_text(text.replace("  - id: structural_adjustments", "  - id: education_training", 1), encoding="utf-8")
    with pytest.raises(DefinitionError, match="more than once"):
        Catalogue(root).factors()
    # and 'instruments check' reports a broken factor list even if no instrument were tagged
    path.write_text(broken, encoding="utf-8")
    assert any("factors.yaml" in p.file for p in Catalogue(root).check_all())


@pytest.mark.parametrize(("instrument", "version"), [("staff", "1.1"), ("peer_worker", "1.1"), ("detainee", "1.2")])
def test_tagged_versions_are_published_frozen_and_in_the_field(instrument, version):
    """The versions carrying the factor tags are published (frozen by their hash) and what coordinators get."""
    registered = {line.split()[1] for line in (CAT.root / "published.sha256").read_text(encoding="utf-8").splitlines()
                  if line and not line.startswith("#")}
    assert f"{instrument}/{version}.yaml" in registered
    assert CAT.instrument(instrument, version).meta.status == "published"
    assert CAT.latest(instrument, published_only=True) == version
    # a harmonisation mapping from every older version
    assert {h.from_version for h in CAT.instrument(instrument, version).meta.harmonisation} == set(
        CAT.versions(instrument)[:CAT.versions(instrument).index(version)])
