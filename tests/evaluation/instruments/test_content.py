"""The repository's own instruments, scales and topic guides: they load, are
frozen once published, keep the analysis contracts and are trilingual."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings, strategies as st

from evaluation.instruments import Catalogue, TranslationSource, frozen, parse
from evaluation.instruments.guides import GuideCatalogue, LITERATURE_THEMES

ROOT = Path(__file__).resolve().parents[3] / "instruments"
LANGS = {"nl", "fr", "en"}

RELEASE_OUTCOMES_CONTRACT = [
    "prison_number", "national_register", "site", "entry_date", "eligible", "first_contact_date",
    "release_date", "followup_end", "extract_date", "offence_date", "conviction_date",
    "reoffence_kind", "death_date", "deportation_date", "age_at_release", "sex",
    "prior_incarcerations", "sentence_months", "primary_substance", "index_offence",
]


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return Catalogue(ROOT)


def _definition_files() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.yaml") if "schema" not in p.parts)


def _texts(node, path=""):
    """Yield (path, mapping) for every language mapping ({nl/fr/en: ...}) in a YAML tree."""
    if isinstance(node, dict):
        if node and set(node) <= LANGS:
            yield path, node
            return
        for k, v in node.items():
            yield from _texts(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _texts(v, f"{path}[{i}]")


# -- everything loads and is frozen --------------------------------------------
def test_every_definition_loads_without_problems(cat):
    assert [str(p) for p in cat.check_all()] == []
    assert [str(p) for p in GuideCatalogue(ROOT).check_all()] == []


def test_the_expected_instruments_scales_and_guides_exist(cat):
    assert {"detainee", "peer_worker", "staff", "release_outcomes", "contacts"} <= set(cat.instrument_ids())
    assert cat.versions("detainee")[:2] == ["1.0", "1.1"]
    assert {("who5", "1.0"), ("barc10", "1.0"), ("wemwbs", "1.0"), ("k10", "1.0")} <= set(cat.scale_ids())
    assert set(GuideCatalogue(ROOT).ids()) == {"detainee", "peer_worker", "staff"}


def test_every_published_file_is_registered_with_its_current_hash():
    registry = frozen.read_registry(ROOT)
    published = []
    for path in _definition_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("status") == "published":
            rel = path.relative_to(ROOT).as_posix()
            published.append(rel)
            assert rel in registry, f"{rel} is published but not registered"
            assert registry[rel] == frozen.content_hash(path), f"{rel} was edited after publication"
    assert len(published) >= 13
    for rel in registry:  # no stale entry pointing at a missing file
        assert (ROOT / rel).exists(), rel


# -- languages ---------------------------------------------------------------------
@pytest.mark.parametrize("path", _definition_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_text_has_dutch_french_and_english(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = list(_texts(data))
    assert found, "no texts found"
    for where, text in found:
        missing = sorted(l for l in LANGS if not str(text.get(l) or "").strip())
        assert not missing, f"{where} lacks {missing}"


def test_scale_translations_made_by_the_project_are_marked_as_such(cat):
    for sid in ("who5", "barc10", "k10"):
        scale = cat.scale(sid, "1.0")
        assert scale.translation["en"] is TranslationSource.original
        assert scale.translation["nl"] is TranslationSource.project
        assert scale.translation["fr"] is TranslationSource.project
    det = cat.instrument("detainee", "1.0")
    assert det.provenance(det.item("barc10_1"), "nl") is TranslationSource.project
    assert det.provenance(det.item("peer_trust"), "nl") is TranslationSource.original
    assert set(det.unvalidated_languages()) == {"nl", "fr"}


# -- scales ------------------------------------------------------------------------------
@pytest.mark.parametrize("sid,n,lo,hi,total", [
    ("who5", 5, 0, 5, (0, 100)), ("barc10", 10, 1, 6, (10, 60)),
    ("wemwbs", 14, 1, 5, (14, 70)), ("k10", 10, 1, 5, (10, 50)),
])
def test_scale_items_and_score_range_agree(cat, sid, n, lo, hi, total):
    s = cat.scale(sid, "1.0")
    assert len(s.items) == n
    assert (s.scoring.item_min, s.scoring.item_max) == (lo, hi)
    assert [c.code for c in sorted(s.response_choices, key=lambda c: c.code)] == list(range(lo, hi + 1))
    assert tuple(s.scoring.range) == (n * lo * s.scoring.multiplier, n * hi * s.scoring.multiplier) == total


def test_k10_bands_cover_the_range_without_gaps_and_higher_is_worse(cat):
    s = cat.scale("k10", "1.0").scoring
    assert s.higher_is_better is False
    bands = [(c.min, c.max) for c in s.cutoffs]
    assert bands == [(10, 15), (16, 21), (22, 29), (30, 50)]


def test_wemwbs_ships_no_licensed_text(cat):
    s = cat.scale("wemwbs", "1.0")
    assert s.licensed_texts
    assert s.instruction is None
    assert all(item.label == {} for item in s.items)
    # response options carry their numbers only
    assert all(set(c.label.values()) == {str(c.code)} for c in s.response_choices)


def test_psychometric_values_are_unverified_or_absent(cat):
    for sid, _ in cat.scale_ids():
        p = cat.scale(sid, "1.0").psychometrics
        if p.retest_r is not None:
            assert p.retest_source and not p.verified
        if p.norm_sd is not None:
            assert p.norm_sd_source and not p.verified


# -- the administrative contracts ----------------------------------------------------------
def test_release_outcomes_items_are_the_analysis_contract(cat):
    ro = cat.instrument("release_outcomes", "1.0")
    assert [i.name for i in ro.items] == RELEASE_OUTCOMES_CONTRACT
    assert ro.meta.kind == "administrative" and ro.meta.respondent_group == "administrative"
    assert [w.name for w in ro.meta.waves] == ["episode"]
    pid = ro.role_item("pid")
    # linkage with the surveys and the contact log runs on the prison number;
    # the national register number is kept only as a further pseudonym (role link)
    assert (pid.name, pid.identifier) == ("prison_number", "prison_number")
    assert ro.item("national_register").role == "link"
    for other in ("detainee", "contacts"):
        assert cat.instrument(other).role_item("pid").identifier == "prison_number"
    assert ro.role_item("date").name == "release_date"
    assert ro.role_item("site").name == "site"
    assert {i.name for i in ro.items if i.type == "date"} == {
        "entry_date", "first_contact_date", "release_date", "followup_end", "extract_date",
        "offence_date", "conviction_date", "death_date", "deportation_date"}
    kinds = {c.label["en"] for c in ro.choices[ro.item("reoffence_kind").choices]}
    assert kinds == {"Reconviction", "Re-imprisonment"}


def test_release_outcomes_keep_an_offence_before_release(cat):
    # An extract may date the first new offence before the release (e.g. during a leave):
    # intake keeps it; the recidivism cohort excludes it from the outcome and reports it.
    ro = cat.instrument("release_outcomes", "1.0")
    assert ro.item("offence_date").constraint is None
    assert "not counted as reoffending" in ro.item("offence_date").hint["en"]


def test_contact_log_fields(cat):
    c = cat.instrument("contacts", "1.0")
    assert c.meta.kind == "contact_log"
    assert [i.name for i in c.items] == [
        "prison_number", "site", "date", "setting", "kind", "duration_minutes", "peer_worker_code"]
    assert c.role_item("pid").identifier == "prison_number"
    assert c.role_item("date").name == "date"
    assert [x.label["en"] for x in c.choices["setting"]] == ["In custody", "After release"]
    assert len(c.choices[c.item("kind").choices]) == 6


# -- the surveys ----------------------------------------------------------------------------
def test_staff_survey_is_anonymous(cat):
    staff = cat.instrument("staff", "1.0")
    assert staff.meta.anonymous
    assert staff.role_item("pid") is None
    assert not any(i.identifier for i in staff.items)


@pytest.mark.parametrize("iid", ["detainee", "peer_worker", "staff"])
def test_surveys_ask_consent_first_and_keep_free_text_private(cat, iid):
    d = cat.instrument(iid)
    consent = d.item("consent")
    assert consent.required and d.codes(consent) == [1, 0]
    # consent comes right after the identification items
    names = [i.name for i in d.items]
    assert all(d.item(n).role for n in names[: names.index("consent")])
    assert all(i.free_text for i in d.items if i.type == "text" and not i.role and i.name != "peer_worker_code")


def test_detainee_identifies_by_prison_number_with_two_waves_10_to_16_weeks_apart(cat):
    d = cat.instrument("detainee", "1.0")
    assert d.role_item("pid").identifier == "prison_number"
    follow = d.meta.waves[1]
    assert (follow.window.after, follow.window.min_weeks, follow.window.max_weeks) == ("baseline", 10, 16)
    own = [i for i in d.items if not i.scale and not i.role]
    assert 35 <= len(own) <= 50
    assert {i.scale for i in d.items if i.scale} == {"who5", "barc10"}


@pytest.mark.parametrize("ref", ["detainee@1.0", "detainee@1.1", "peer_worker@1.0", "staff@1.0",
                                 "release_outcomes@1.0", "contacts@1.0"])
def test_skip_logic_and_constraints_only_refer_to_earlier_items(cat, ref):
    d = cat.parse_ref(ref)
    seen: set[str] = set()
    for item in d.items:
        for src in (item.relevant, item.constraint.rule if item.constraint else None):
            if src:
                assert parse(src).names <= seen | {item.name}, f"{item.name}: {src}"
        seen.add(item.name)


def test_peer_support_questions_are_asked_only_after_a_contact(cat):
    d = cat.instrument("detainee", "1.0")
    peer_items = [i for i in d.items if i.name.startswith("peer_") and i.name != "peer_contact"]
    assert len(peer_items) >= 8
    data = pd.DataFrame({"peer_contact": [1, 0, -7, None]})
    for item in peer_items:
        assert item.relevant == "peer_contact == 1"
        assert parse(item.relevant).evaluate(data).tolist() == [True, False, False, False]


def test_sensitive_detainee_items_allow_nonresponse(cat):
    d = cat.instrument("detainee", "1.0")
    for name in ("used_30d", "use_days_30d", "injected_ever", "injected_30d", "main_substance"):
        assert "refused" in d.item(name).nonresponse, name


# -- detainee 1.1 against 1.0 ----------------------------------------------------------------
def test_detainee_1_1_adds_one_item_and_splits_stimulants(cat):
    old, new = cat.instrument("detainee", "1.0"), cat.instrument("detainee", "1.1")
    old_names, new_names = [i.name for i in old.items], [i.name for i in new.items]
    assert set(new_names) - set(old_names) == {"overdose_info"}
    assert set(old_names) <= set(new_names)
    for name in old_names:
        if name != "main_substance":
            assert old.item(name) == new.item(name), name
    old_codes = set(old.codes(old.item("main_substance")))
    new_codes = set(new.codes(new.item("main_substance")))
    assert old_codes - new_codes == {4}
    assert new_codes - old_codes == {8, 9}
    assert new.meta.changes and set(new.meta.changes) == LANGS


@lru_cache(maxsize=1)
def _detainee_versions():
    c = Catalogue(ROOT)
    return c.instrument("detainee", "1.0"), c.instrument("detainee", "1.1")


def test_detainee_harmonisation_declares_the_split_code_unharmonisable():
    old, new = _detainee_versions()
    (h,) = [h for h in new.meta.harmonisation if h.from_version == "1.0"]
    assert set(h.items) == {"main_substance"}
    recode = h.items["main_substance"].recode
    assert set(recode) == set(old.codes(old.item("main_substance")))
    assert recode[4] is None
    assert all(recode[c] == c for c in recode if c != 4)
    assert set(h.items["main_substance"].note) == LANGS


@settings(deadline=None, max_examples=50)
@given(st.lists(st.sampled_from([0, 1, 2, 3, 4, 5, 6, -8, None]), max_size=40))
def test_harmonised_1_0_answers_are_valid_1_1_answers(answers):
    old, new = _detainee_versions()
    (h,) = [h for h in new.meta.harmonisation if h.from_version == "1.0"]
    recode = h.items["main_substance"].recode
    refused = new.meta.nonresponse_codes["refused"]
    # nonresponse codes and empty cells pass through; answers are recoded
    out = [a if a is None or a == refused else recode[a] for a in answers]
    valid = set(new.codes(new.item("main_substance"))) | {refused}
    assert all(v is None or v in valid for v in out)
    assert [v is None for v in out] == [a is None or a == 4 for a in answers]


# -- topic guides ------------------------------------------------------------------------------
def test_topic_guides_cover_the_themes_of_the_literature():
    guides = GuideCatalogue(ROOT)
    covered = set().union(*(guides.guide(g).themes() for g in guides.ids()))
    assert covered == set(LITERATURE_THEMES)
    assert "stigma" in guides.guide("peer_worker").themes()
    assert "service_delivery" in guides.guide("detainee").themes()
    assert "prison_specific" in guides.guide("staff").themes()
