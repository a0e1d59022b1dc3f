"""Topic guides: model, loader checks (collected problems), freezing and rendering."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from evaluation.instruments import DefinitionError, frozen
from evaluation.instruments.guides import GUIDES_DIR, LITERATURE_THEMES, GuideCatalogue, TopicGuide


def _t(word: str) -> dict[str, str]:
    return {"nl": f"{word} (nl)", "fr": f"{word} (fr)", "en": f"{word} (en)"}


GUIDE = {
    "id": "staff",
    "version": "1.0",
    "status": "draft",
    "respondent_group": "staff",
    "languages": ["nl", "fr", "en"],
    "title": _t("Title"),
    "introduction": _t("Intro"),
    "consent": _t("Consent"),
    "sections": [
        {"name": "role", "themes": ["role_definition"], "title": _t("Role"),
         "questions": [{"name": "tasks", "text": _t("What do they do?"),
                        "probes": [_t("Boundaries?"), _t("Supervision?")]}]},
        {"name": "culture", "themes": ["prison_specific", "stigma"], "title": _t("Culture"),
         "questions": [{"name": "open", "text": _t("How open is the prison?")}]},
    ],
}


def _write(root: Path, data: dict, name: str | None = None) -> Path:
    folder = root / GUIDES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{data['id']}_{data['version']}.yaml")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _messages(root: Path) -> list[str]:
    return [f"{p.item}: {p.message}" if p.item else p.message for p in GuideCatalogue(root).check_all()]


def test_a_valid_guide_loads(tmp_path):
    _write(tmp_path, GUIDE)
    cat = GuideCatalogue(tmp_path)
    assert cat.check_all() == []
    g = cat.guide("staff")
    assert isinstance(g, TopicGuide) and g.ref == "staff@1.0"
    assert g.themes() == {"role_definition", "prison_specific", "stigma"}
    assert [(s, q.name) for s, q in g.questions()] == [("role", "tasks"), ("culture", "open")]


def test_latest_version_is_chosen_by_number_not_text(tmp_path):
    _write(tmp_path, GUIDE)
    _write(tmp_path, {**GUIDE, "version": "1.10"})
    _write(tmp_path, {**GUIDE, "version": "1.2"})
    cat = GuideCatalogue(tmp_path)
    assert cat.versions("staff") == ["1.0", "1.2", "1.10"]
    assert cat.guide("staff").version == "1.10"


def test_unknown_guide_or_version_names_what_exists(tmp_path):
    _write(tmp_path, GUIDE)
    cat = GuideCatalogue(tmp_path)
    with pytest.raises(KeyError, match="known guides: staff"):
        cat.guide("detainee")
    with pytest.raises(KeyError, match="versions: 1.0"):
        cat.guide("staff", "2.0")


def test_every_problem_is_collected_at_once(tmp_path):
    bad = copy.deepcopy(GUIDE)
    del bad["consent"]["fr"]
    bad["sections"][0]["questions"][0]["probes"][1] = {"nl": "x", "en": "y"}
    bad["sections"][1]["themes"] = ["not_a_theme"]
    bad["sections"][1]["questions"][0]["name"] = "tasks"
    _write(tmp_path, bad)
    msgs = _messages(tmp_path)
    assert "consent has no text in fr" in msgs
    assert "tasks: probe 2 has no text in fr" in msgs
    assert "section culture: names the unknown theme 'not_a_theme'" in msgs
    assert "tasks: is used as a question name more than once" in msgs
    with pytest.raises(DefinitionError):
        GuideCatalogue(tmp_path).guide("staff")


def test_file_name_and_respondent_group_must_match_the_id(tmp_path):
    _write(tmp_path, {**GUIDE, "version": "1.1"}, name="staff_1.0.yaml")
    _write(tmp_path, {**GUIDE, "id": "detainee"})
    msgs = _messages(tmp_path)
    assert any("file name says staff 1.0" in m for m in msgs)
    assert any("has id 'detainee' but respondent_group 'staff'" in m for m in msgs)


def test_model_errors_name_the_field(tmp_path):
    _write(tmp_path, {**GUIDE, "sections": [], "colour": "red"})
    msgs = _messages(tmp_path)
    assert any("'sections'" in m for m in msgs)
    assert any("'colour'" in m for m in msgs)


def test_invalid_yaml_is_reported_with_its_line(tmp_path):
    folder = tmp_path / GUIDES_DIR
    folder.mkdir(parents=True)
    (folder / "staff_1.0.yaml").write_text("id: staff\ntitle: {en: a, nl: b\n", encoding="utf-8")
    (msg,) = _messages(tmp_path)
    assert msg.startswith("is not valid YAML at line")


def test_a_published_guide_must_be_registered_and_unchanged(tmp_path):
    path = _write(tmp_path, {**GUIDE, "status": "published"})
    assert _messages(tmp_path) == ["is published but not in the registry of published versions"]
    frozen.register(tmp_path, [path.relative_to(tmp_path).as_posix()])
    assert _messages(tmp_path) == []
    path.write_text(path.read_text(encoding="utf-8").replace("Intro (en)", "Changed"), encoding="utf-8")
    assert _messages(tmp_path) == ["is a published version that was edited after publication"]


def test_render_lists_every_question_and_probe_in_order(tmp_path):
    _write(tmp_path, GUIDE)
    text = GuideCatalogue(tmp_path).guide("staff").render("fr")
    assert text.startswith("# Title (fr)")
    order = ["Intro (fr)", "Consent (fr)", "## 1. Role (fr)", "What do they do? (fr)", "Boundaries? (fr)",
             "Supervision? (fr)", "## 2. Culture (fr)", "How open is the prison? (fr)"]
    positions = [text.index(s) for s in order]
    assert positions == sorted(positions)
    assert "(en)" not in text


def test_render_in_a_language_the_guide_lacks_says_which_exist(tmp_path):
    _write(tmp_path, {**GUIDE, "languages": ["nl", "fr"]})
    with pytest.raises(ValueError, match="lang='en'.*nl, fr"):
        GuideCatalogue(tmp_path).guide("staff").render("en")


words = st.text(st.characters(categories=("L", "N"), max_codepoint=0x24F), min_size=1, max_size=12)


@settings(deadline=None, max_examples=30)
@given(st.lists(st.lists(words, min_size=1, max_size=4), min_size=1, max_size=4))
def test_render_shows_every_question_of_any_guide(sections):
    g = TopicGuide.model_validate({
        **GUIDE,
        "sections": [
            {"name": f"s{i}", "title": _t(f"S{i}"),
             "questions": [{"name": f"q{i}_{j}", "text": _t(f"{w} {i}.{j}")} for j, w in enumerate(qs)]}
            for i, qs in enumerate(sections)
        ],
    })
    text = g.render("nl")
    for i, qs in enumerate(sections):
        for j, w in enumerate(qs):
            assert f"**{w} {i}.{j} (nl)**" in text


def test_literature_themes_are_trilingual():
    assert len(LITERATURE_THEMES) == 10
    for key, label in LITERATURE_THEMES.items():
        assert set(label) == {"nl", "fr", "en"} and all(v.strip() for v in label.values()), key
