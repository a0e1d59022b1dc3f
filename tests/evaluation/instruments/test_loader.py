"""Loading definitions: every mistake gives a message naming the file, the item and the fix."""

from __future__ import annotations

import pytest
import yaml

from evaluation.instruments import Catalogue, DefinitionError, frozen


def _edit(root, rel, fn):
    path = root / rel
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _problems(root, iid="mini", version="1.0"):
    with pytest.raises(DefinitionError) as exc:
        Catalogue(root).instrument(iid, version)
    return exc.value.problems


def _item(doc, name):
    return next(i for i in doc["items"] if i.get("name") == name)


def test_mini_loads_with_scale_expanded(mini):
    assert mini.ref == "mini@1.0"
    assert mini.columns()[:4] == ["prison_number", "site", "wave", "date"]
    assert [c for c in mini.columns() if c.startswith("support_kind")] == [
        "support_kind_1", "support_kind_2", "support_kind_3"]
    who = [i for i in mini.items if i.scale == "who5"]
    assert [i.name for i in who] == [f"who5_{k}" for k in range(1, 6)]
    assert all(i.choices == "scale_who5" for i in who)
    assert mini.codes(who[0]) == [5, 4, 3, 2, 1, 0]
    assert mini.nonresponse_codes(mini.item("used_drugs_30d")) == {"dont_know": -7, "refused": -8}
    assert mini.role_item("pid").identifier == "prison_number"


def test_unknown_choice_list(instruments_root):
    _edit(instruments_root, "mini/1.0.yaml", lambda d: _item(d, "used_drugs_30d").update(choices="yes_no"))
    (p,) = _problems(instruments_root)
    assert p.file == "mini/1.0.yaml" and p.item == "used_drugs_30d"
    assert "unknown choice list 'yes_no'" in p.message
    assert "yesno" in p.fix


def test_duplicate_item_name(instruments_root):
    _edit(instruments_root, "mini/1.0.yaml", lambda d: _item(d, "hours").update(name="days_used"))
    (p,) = _problems(instruments_root)
    assert p.item == "days_used" and "more than once" in p.message and "unique" in p.fix


def test_duplicate_with_scale_item(instruments_root):
    _edit(instruments_root, "mini/1.0.yaml", lambda d: _item(d, "hours").update(name="who5_1"))
    (p,) = _problems(instruments_root)
    assert p.item == "who5_1" and "scales add their own items" in p.fix


def test_skip_logic_unknown_item(instruments_root):
    _edit(instruments_root, "mini/1.0.yaml", lambda d: _item(d, "days_used").update(relevant="used_drugs == 1"))
    (p,) = _problems(instruments_root)
    assert p.item == "days_used"
    assert "relevant 'used_drugs == 1' names unknown item(s) used_drugs" in p.message


def test_skip_logic_syntax(instruments_root):
    _edit(instruments_root, "mini/1.0.yaml", lambda d: _item(d, "days_used").update(relevant="__import__('os')"))
    (p,) = _problems(instruments_root)
    assert p.item == "days_used" and "relevant" in p.message and "rewrite" in p.fix


def test_missing_translation(instruments_root):
    _edit(instruments_root, "mini/1.0.yaml", lambda d: _item(d, "hours")["label"].pop("fr"))
    (p,) = _problems(instruments_root)
    assert p.item == "hours" and p.message == "label has no text in fr"
    assert "add the label in fr" in p.fix


def test_unknown_field_and_bad_name(instruments_root):
    def fn(d):
        _item(d, "hours")["lable"] = {"en": "x"}
        _item(d, "comment")["name"] = "Comment With Spaces"
    _edit(instruments_root, "mini/1.0.yaml", fn)
    msgs = {p.message for p in _problems(instruments_root)}
    assert "unknown field 'lable'" in msgs
    assert any(m.startswith("field 'name'") for m in msgs)


def test_every_problem_at_once(instruments_root):
    def fn(d):
        _item(d, "used_drugs_30d")["choices"] = "nope"
        _item(d, "days_used")["relevant"] = "ghost == 1"
        _item(d, "hours")["label"].pop("nl")
        d["waves"][1]["window"]["after"] = "intake"
    _edit(instruments_root, "mini/1.0.yaml", fn)
    problems = _problems(instruments_root)
    assert len(problems) == 4
    text = str(DefinitionError(problems))
    assert "4 problem(s)" in text and "mini/1.0.yaml" in text


def test_choice_item_without_list(instruments_root):
    _edit(instruments_root, "mini/1.0.yaml", lambda d: _item(d, "used_drugs_30d").pop("choices"))
    (p,) = _problems(instruments_root)
    assert p.item == "used_drugs_30d" and "names no choice list" in p.message
    assert "choices:" in p.fix


def test_choice_code_clashes_with_nonresponse(instruments_root):
    _edit(instruments_root, "mini/1.0.yaml",
          lambda d: d["choices"]["yesno"].append({"code": -8, "label": {"nl": "x", "fr": "x", "en": "x"}}))
    (p,) = _problems(instruments_root)
    assert "nonresponse code" in p.message and p.item == "choice list yesno"


def test_anonymous_with_pid(instruments_root):
    _edit(instruments_root, "mini/1.0.yaml", lambda d: d.update(anonymous=True))
    (p,) = _problems(instruments_root)
    assert "anonymous but has an item with role 'pid'" in p.message


def test_file_name_must_match_version(instruments_root):
    _edit(instruments_root, "mini/1.0.yaml", lambda d: d.update(version="2.0"))
    (p,) = _problems(instruments_root)
    assert "lives in mini/1.0.yaml" in p.message


def test_invalid_yaml(instruments_root):
    (instruments_root / "mini" / "1.0.yaml").write_text("id: mini\nitems: [\n", encoding="utf-8")
    (p,) = _problems(instruments_root)
    assert "is not valid YAML at line" in p.message


def test_unknown_scale(instruments_root):
    _edit(instruments_root, "mini/1.0.yaml", lambda d: d["items"][-1].update(scale="who7"))
    (p,) = _problems(instruments_root)
    assert p.file == "scales/who7_1.0.yaml" and "not found" in p.message


def test_published_version_edited_after_publication(instruments_root):
    _edit(instruments_root, "mini/1.0.yaml", lambda d: d.update(status="published"))
    # (a published instrument may only use published scales: who5 1.0 is published)
    frozen.register(instruments_root, ["mini/1.0.yaml", "scales/who5_1.0.yaml"])
    Catalogue(instruments_root).instrument("mini", "1.0")  # loads while untouched
    _edit(instruments_root, "mini/1.0.yaml", lambda d: _item(d, "hours")["label"].update(en="Hours per week"))
    (p,) = _problems(instruments_root)
    assert p.message == "is a published version that was edited after publication"
    assert "new version" in p.fix


def test_published_but_not_registered(instruments_root):
    _edit(instruments_root, "mini/1.0.yaml", lambda d: d.update(status="published"))
    problems = _problems(instruments_root)
    assert any("not in the registry" in p.message and "freeze" in p.fix for p in problems)


def test_register_never_rewrites(instruments_root):
    frozen.register(instruments_root, ["mini/1.0.yaml"])
    before = frozen.read_registry(instruments_root)["mini/1.0.yaml"]
    (instruments_root / "mini" / "1.0.yaml").write_text(
        (instruments_root / "mini" / "1.0.yaml").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert frozen.register(instruments_root, ["mini/1.0.yaml"]) == []
    assert frozen.read_registry(instruments_root)["mini/1.0.yaml"] == before


def test_content_hash_ignores_line_endings(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_bytes(b"id: x\nversion: '1.0'\n")
    b.write_bytes(b"id: x\r\nversion: '1.0'\r\n")
    assert frozen.content_hash(a) == frozen.content_hash(b)


def test_licensed_scale_texts_come_from_a_local_file(instruments_root, tmp_path):
    scale = {
        "id": "lic", "version": "1.0", "status": "draft", "title": {"en": "L", "nl": "L", "fr": "L"},
        "citation": "Synthetic licensed scale for tests", "licence": "licensed", "licensed_texts": True,
        "response_choices": [{"code": c, "label": {}} for c in (1, 2, 3)],
        "items": [{"name": f"lic_{k}", "type": "single_choice", "choices": "scale", "label": {}} for k in (1, 2)],
        "scoring": {"method": "sum", "item_min": 1, "item_max": 3, "range": [2, 6]},
    }
    (instruments_root / "scales" / "lic_1.0.yaml").write_text(yaml.safe_dump(scale), encoding="utf-8")
    _edit(instruments_root, "mini/1.0.yaml", lambda d: d["items"].append({"scale": "lic", "version": "1.0"}))
    d = Catalogue(instruments_root).instrument("mini", "1.0")
    assert d.licensed_texts_missing == ("lic_1", "lic_2")
    assert "licensed text not shipped" in d.item("lic_1").label["en"]
    texts = tmp_path / "licensed.yaml"
    texts.write_text(yaml.safe_dump({"lic": {"items": {"lic_1": {"en": "E1", "nl": "N1", "fr": "F1"},
                                                         "lic_2": {"en": "E2", "nl": "N2", "fr": "F2"}}}}))
    d = Catalogue(instruments_root, licensed_texts=texts).instrument("mini", "1.0")
    assert d.licensed_texts_missing == () and d.item("lic_2").label["fr"] == "F2"


def test_licensed_scale_must_not_ship_texts(instruments_root):
    scale = {
        "id": "lic", "version": "1.0", "status": "draft", "title": {"en": "L", "nl": "L", "fr": "L"},
        "citation": "c", "licence": "licensed", "licensed_texts": True,
        "response_choices": [{"code": 1, "label": {}}],
        "items": [{"name": "lic_1", "type": "single_choice", "choices": "scale", "label": {"en": "secret"}}],
        "scoring": {"method": "sum", "item_min": 1, "item_max": 1, "range": [1, 1]},
    }
    (instruments_root / "scales" / "lic_1.0.yaml").write_text(yaml.safe_dump(scale), encoding="utf-8")
    _edit(instruments_root, "mini/1.0.yaml", lambda d: d["items"].append({"scale": "lic", "version": "1.0"}))
    (p,) = _problems(instruments_root)
    assert p.item == "lic_1" and "contains its text" in p.message


def test_scale_scoring_spec(catalogue):
    spec = catalogue.scale("who5", "1.0").scoring_spec()
    assert spec["items"] == [f"who5_{k}" for k in range(1, 6)]
    assert spec["multiplier"] == 4 and spec["range"] == [0, 100] and spec["mic"] == 10
    assert spec["missing_codes"] == [-7, -8, -9]


def test_versions_sorted_numerically(catalogue, instruments_root):
    for v in ("1.10", "1.2"):
        src = (instruments_root / "mini" / "1.0.yaml").read_text(encoding="utf-8")
        (instruments_root / "mini" / f"{v}.yaml").write_text(src.replace('version: "1.0"', f'version: "{v}"'))
    assert catalogue.versions("mini") == ["1.0", "1.1", "1.2", "1.10"]
    assert catalogue.latest("mini") == "1.10"


def test_unknown_instrument_names_known_ones(catalogue):
    with pytest.raises(KeyError, match="known instruments: .*mini"):
        catalogue.instrument("minnie")
