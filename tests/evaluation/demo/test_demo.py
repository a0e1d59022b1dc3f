"""The synthetic demo end to end: files through the real intake, loaders, and the known truth recovered."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from evaluation.cli import main
from evaluation.demo import load_truth, run_demo
from evaluation.store import Store, contacts, outcomes, responses

SITES = 4


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "ws"
    lines: list[str] = []
    result = run_demo(root, scale="small", sites=SITES, out=lines.append)
    return result, lines


def test_every_file_submitted_faulty_one_rejected(demo):
    result, lines = demo
    files = result.files
    instruments = {f.instrument for f in files}
    assert instruments == {"detainee", "peer_worker", "staff", "release_outcomes", "contacts"}
    rejected = [f for f in files if f.status == "rejected"]
    assert len(rejected) == 1 and rejected[0].instrument == "staff"
    codes = sorted({p.code for p in rejected[0].report.errors})
    assert codes == ["choice-error", "site-mismatch"]
    # every other file is accepted
    others = [f for f in files if f.expect == "accepted"]
    assert others and all(f.status == "accepted" for f in others), [
        (f.path.name, f.status) for f in others if f.status != "accepted"]
    # every file is in the workspace's raw store, and the store knows every submission
    with Store(result.workspace) as store:
        subs = store.submissions()
    n_interview = sum(r is not None for r in result.interview_reports.values())
    assert len(subs) == sum(f.report is not None for f in files) + n_interview
    assert (subs["status"] == "rejected").sum() == 1
    # one status line per file on stdout, and the key notice
    assert sum(1 for line in lines if re.match(r"^\s+(accepted|rejected|ERROR)\s", line)) == len(files) + SITES
    assert any("NOT stored anywhere" in line for line in lines)


def test_one_contact_log_per_site_with_repeated_people(demo):
    result, _ = demo
    logs = [f for f in result.files if f.instrument == "contacts"]
    assert sorted(f.site for f in logs) == sorted({f.site for f in result.files})  # one file per site
    assert all(f.status == "accepted" and not f.append for f in logs)
    # a person's several contacts sit in the same file (the one-row-per-person rule is for questionnaires)
    stored = contacts(result.workspace)
    per_person = stored.groupby(["submission_id", "pid"]).size()
    assert per_person.max() > 1
    assert stored["submission_id"].nunique() == len(logs)


def test_peer_worker_files_are_accepted(demo):
    result, _ = demo
    assert all(f.status == "accepted" for f in result.files if f.instrument == "peer_worker")


def test_loaders_return_the_generated_rows(demo):
    result, _ = demo
    ws, sample = result.workspace, load_truth(result.workspace.root)["sample"]
    out = outcomes(ws)
    assert len(out) == sample["release_episodes"] and out["pid"].is_unique
    assert set(out["site"]) == {f"P{i:02d}" for i in range(1, SITES + 1)}
    assert out["pid"].str.match(r"^k1-[0-9a-f]{64}$").all()
    assert len(contacts(ws)) == sample["contacts"]
    det, _ = responses(ws, "detainee")
    assert (det["wave"] == 1).sum() == sample["detainees_baseline"]
    assert (det["wave"] == 2).sum() == sample["detainees_followup"]
    # follow-up around 40-75% (attrition by release, transfer and refusal)
    assert 0.4 < sample["detainees_followup"] / sample["detainees_baseline"] < 0.75
    # questionnaires link to release records through the prison number
    assert len(set(det["pid"]) & set(out["pid"])) == sample["detainees_linked_to_release_records"] > 0
    staff, _ = responses(ws, "staff")
    assert len(staff) == sample["staff"]
    cfg = ws.config["primary_outcomes"]
    assert [o["id"] for o in cfg] == ["reoffending_1y", "who5_change"]


def test_interviews_imported_per_site_with_names_replaced(demo):
    from evaluation.qda import load_codebook
    from evaluation.demo.interviews import FICTIONAL_NAMES, PLACES
    from evaluation.store import quote_signoffs, segments, transcripts

    result, lines = demo
    ws, sample = result.workspace, load_truth(result.workspace.root)["sample"]
    assert result.interviews_imported
    assert sorted(result.interview_reports) == [f"P{i:02d}" for i in range(1, SITES + 1)]
    assert all(r.status == "accepted" and not r.problems for r in result.interview_reports.values())
    seg, trans = segments(ws), transcripts(ws)
    assert len(seg) == sample["interview_segments"] and len(trans) == sample["interview_transcripts"]
    assert trans["pid"].nunique() == sample["interview_participants"]
    assert set(seg["coder"]) == {"A", "B"}
    assert seg.groupby("transcript_id")["coder"].nunique().eq(2).sum() == sample["double_coded_transcripts"]
    assert set(seg["code"]) <= set(load_codebook("1.0").all_codes())
    assert seg["pid"].str.match(r"^k1-[0-9a-f]{64}$").all()
    # offsets refer to the original transcripts (which hold the names); the stored texts hold labels
    names = re.compile(r"\b(" + "|".join(map(re.escape, FICTIONAL_NAMES + PLACES)) + r")\b")
    assert not any(names.search(t) for t in [*seg["text"], *trans["text"]])
    assert seg["text"].str.contains(r"\[(?:peer worker|director|nurse|officer|town)", regex=True).any()
    # interviewed detainees are people who answered the questionnaire (same pseudonym)
    det, _ = responses(ws, "detainee")
    interviewed = set(trans.loc[trans["respondent_group"] == "detainee", "pid"])
    assert interviewed and interviewed <= set(det["pid"])
    signed = quote_signoffs(ws)
    assert len(signed) == sample["quotes_signed_off"] > 0 and set(signed["segment_id"]) <= set(seg["segment_id"])
    assert sum("codings" in line and "accepted" in line for line in lines) == SITES


def test_book_context_gives_interviews_transcripts_and_signoffs(demo, tmp_path, monkeypatch):
    from evaluation.book.context import LOADS_ENV, BookContext
    from evaluation.store import transcripts

    result, _ = demo
    monkeypatch.setenv(LOADS_ENV, str(tmp_path / "loads.json"))
    ctx = BookContext(result.workspace)
    people = ctx.interviews()
    assert list(people.columns) == ["pid", "respondent_group", "site", "transcript_id"]
    trans = transcripts(result.workspace)
    assert len(people) == len(trans) and set(people["transcript_id"]) == set(trans["transcript_id"])
    # everyone interviewed, also those without a segment of the primary coder
    assert set(ctx.segments()["pid"]) <= set(people["pid"])
    assert set(people["respondent_group"]) == {"detainee", "peer_worker", "staff"}
    assert ctx.transcripts()["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    signed = ctx.quote_signoffs()
    assert {"segment_id", "approved_by", "approved_at", "text_sha256"} <= set(signed.columns) and len(signed)
    assert ctx.loaded == {"segments"}
    assert (tmp_path / "loads.json").read_text() == '["segments"]'


def test_hazard_ratio_recovered(demo):
    from analysis.recidivism import build_cohort, cox_model, derive_participation

    result, _ = demo
    truth = load_truth(result.workspace.root)
    ws = result.workspace
    cohort = build_cohort(outcomes(ws))
    part = derive_participation(cohort.data, contacts(ws))
    share = (part.data["group"] == "participant").mean()
    assert abs(share - truth["sample"]["participant_share"]) < 0.05
    cox = cox_model(part.data, covariates=("age_at_release", "sex", "prior_incarcerations", "primary_substance"),
                    bootstrap=None)
    row = cox.summary.loc[[i for i in cox.summary.index if "participant" in str(i)][0]]
    true_hr = truth["population"]["hazard_ratio_participation"]
    # within the 95% interval widened by half its width on the log scale (a ~99.9% interval)
    lo, hi = np.log(row["hr_lower"]), np.log(row["hr_upper"])
    half = (hi - lo) / 2
    assert lo - half / 2 < np.log(true_hr) < hi + half / 2, (row["hr"], true_hr)
    assert row["hr"] < 1.0  # the effect is protective in the truth and the sample detects it


def test_who5_change_recovered(demo):
    from analysis.wellbeing.change import paired_change
    from analysis.wellbeing.scoring import ScaleSpec, score_scale

    result, _ = demo
    truth = load_truth(result.workspace.root)
    det, _ = responses(result.workspace, "detainee")
    spec = ScaleSpec.from_mapping({"id": "who5", "items": [f"who5_{i}" for i in range(1, 6)], "item_min": 0,
                                   "item_max": 5, "multiplier": 4, "max_missing": 0, "method": "sum"})
    det = det.replace({c: {-7: np.nan, -8: np.nan, -9: np.nan} for c in spec.items})
    scores = score_scale(det, spec)
    res = paired_change(scores, pre=1, post=2)
    # exactly the change realised in the generated files ...
    assert res.n_pairs == truth["sample"]["who5_pairs"]
    assert res.mean_change == pytest.approx(truth["sample"]["who5_mean_change"], abs=1e-5)  # written to 6 decimals
    # ... and the population truth inside the (widened) interval
    lo, hi = res.change_ci
    pad = (hi - lo) / 4
    assert lo - pad < truth["population"]["who5_mean_change"] < hi + pad


def test_every_file_says_synthetic_and_key_is_nowhere(demo):
    result, lines = demo
    root = Path(result.workspace.root)
    for f in result.files:
        assert _says_synthetic(f.path), f.path.name
    raw = [p for p in (root / "raw").iterdir() if not p.name.startswith(".")]
    assert raw and all(_says_synthetic(p) for p in raw)
    projects = sorted((root / "incoming" / "interviews").glob("coded_*.qdpx"))
    assert len(projects) == SITES and all(_says_synthetic(p) for p in projects)
    for t in (root / "incoming" / "interviews" / "transcripts").iterdir():
        assert "[SYNTHETIC interview" in t.read_text(encoding="utf-8")
    assert load_truth(root)["synthetic"] is True
    # the throwaway key: only its fingerprint is recorded, the secret nowhere
    fp = result.workspace.config["key"]["fingerprint"]
    assert re.fullmatch(r"[0-9a-f]{16}", fp)
    secret_like = re.compile(rb"[0-9a-f]{64}")
    config = (root / "workspace.yaml").read_bytes()
    assert not secret_like.search(config)


def test_key_secret_not_written(tmp_path, monkeypatch):
    """The generated key's secret bytes appear in no file of the workspace."""
    from evaluation.intake import pseudonymise

    made = []
    real = pseudonymise.PseudonymKey.generate.__func__

    def spy(cls, version=1):
        key = real(cls, version)
        made.append(key)
        return key

    monkeypatch.setattr(pseudonymise.PseudonymKey, "generate", classmethod(spy))
    result = run_demo(tmp_path / "ws", scale="small", sites=1, out=lambda s: None)
    assert len(made) == 1
    secret = made[0].secret
    needles = [secret, secret.hex().encode(), made[0].text().encode()]
    for p in Path(result.workspace.root).rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            assert not any(n in data for n in needles), p


def test_cli_refuses_a_non_empty_folder(tmp_path, capsys):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "file.txt").write_text("hello")
    assert main(["demo", str(tmp_path / "x"), "--scale", "small", "--sites", "1"]) == 2
    assert "not empty" in capsys.readouterr().err


def test_same_seed_same_data(tmp_path):
    from evaluation.demo.people import simulate_population
    from evaluation.demo.truth import SCALES, Effects

    a = simulate_population(["P01", "P02"], SCALES["small"], Effects(), np.random.default_rng(5))
    b = simulate_population(["P01", "P02"], SCALES["small"], Effects(), np.random.default_rng(5))
    pd.testing.assert_frame_equal(a.episodes, b.episodes)
    pd.testing.assert_frame_equal(a.contacts, b.contacts)


def _says_synthetic(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix == ".sav":
        _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
        return "SYNTHETIC" in (meta.file_label or "") and any("SYNTHETIC" in n for n in meta.notes or [])
    if suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            text = b"".join(z.read(n) for n in z.namelist() if n.endswith(".xml"))
        return b"SYNTHETIC DATA" in text and b"_meta" in text
    if suffix == ".qdpx":
        with zipfile.ZipFile(path) as z:
            return b'name="SYNTHETIC DATA' in z.read("project.qde")
    if suffix == ".csv":
        with open(path, "rb") as fh:
            return fh.readline().startswith(b"# SYNTHETIC DATA")
    return False


@pytest.mark.slow
def test_themes_chapter_executes_against_the_demo(demo):
    """The interviews chapter runs on the demo's imported interviews and shows signed-off quotes."""
    from evaluation.build.execute import execute_chapter

    result, _ = demo
    nb = execute_chapter(Path(__file__).resolve().parents[3] / "book" / "themes.md", result.workspace.root)
    glued = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                data = out["data"]
                glued[name] = data.get("text/plain", data.get("application/papermill.record/text/plain", "")).strip("'\"")
    assert int(glued["n_quotes"]) > 0
    assert glued["n_sites_joint"] == "2"  # the two deep-dive prisons
    # printed text and displayed text (the quotes are shown as a display in the three editions)
    text = "\n".join(o.get("text", "") or "".join(o.get("data", {}).get("text/plain", ""))
                     for c in nb.cells for o in c.get("outputs", []))
    assert "approved by demo reviewer (fictional)" in text
    assert not re.search(r"k1-[0-9a-f]{64}", text)


def test_release_records_tell_who_was_released_before_follow_up(demo):
    """The wellbeing chapter's attrition reasons: every follow-up the demo lost to release is found in the
    release records within the follow-up window; transfers and refusals mostly are not."""
    from analysis.wellbeing.attrition import RELEASED, release_reasons
    from evaluation.instruments import Catalogue

    result, _ = demo
    ws, lost_truth = result.workspace, load_truth(result.workspace.root)["sample"]["followup_lost"]
    det, _ = responses(ws, "detainee")
    window = next(w.window for w in Catalogue().instrument("detainee").meta.waves if w.window)
    reasons = release_reasons(det, outcomes(ws), window_weeks=window.max_weeks)
    lost = set(det.loc[det["wave"] == 1, "pid"]) - set(det.loc[det["wave"] == 2, "pid"])
    assert len(lost) == sum(lost_truth.values())
    released = int((reasons["pid"].isin(lost) & (reasons["reason"] == RELEASED)).sum())
    # released in truth ⊆ released in the records' window; a few transferred or refusing detainees may also
    # be released later within the window
    assert lost_truth["released"] <= released <= lost_truth["released"] + 0.2 * (
        lost_truth["transferred"] + lost_truth["refused"])


def test_who5_participation_effect_recovered(demo):
    from analysis.wellbeing.participation import participation_change, participation_groups
    from analysis.wellbeing.scoring import ScaleSpec, score_scale

    result, _ = demo
    truth = load_truth(result.workspace.root)
    det, _ = responses(result.workspace, "detainee")
    spec = ScaleSpec.from_mapping({"id": "who5", "items": [f"who5_{i}" for i in range(1, 6)], "item_min": 0,
                                   "item_max": 5, "multiplier": 4, "max_missing": 0, "method": "sum"})
    det = det.replace({c: {-7: np.nan, -8: np.nan, -9: np.nan} for c in spec.items})
    groups = participation_groups(det, contacts(result.workspace), window_weeks=16)
    # the chapter's rule reproduces the generator's participants exactly (same share)
    share = (groups.persons["group"] == "participant").mean()
    assert share == pytest.approx(truth["sample"]["who5_participant_share"], abs=1e-6)
    res = participation_change(score_scale(det, spec), groups, pre=1, post=2, mixed=False)
    est, lo, hi = res.estimate()
    # the estimand: the population value (ATT = average effect here) and the sample's conditional ATT
    # (participants who answered twice, exact over item noise) agree: the truth is not seed-specific
    pop_effect, sample_effect = (truth["population"]["who5_participation_effect"],
                                 truth["sample"]["who5_participation_effect"])
    assert sample_effect == pytest.approx(pop_effect, abs=0.3)
    # One demo is one draw: its 95% interval misses the truth 1 time in 20, so asserting coverage for one
    # seed is not a test of the method. Here: the estimate within 3.29 SEs of the truth (fails 1 demo in
    # 1,000 if the SE is right); coverage at the nominal rate over 100 generator seeds is checked on the
    # recorded run (tests/evaluation/demo/test_wellbeing_generator.py), calibration over 1,000 simulated
    # studies in tests/analysis/wellbeing/test_calibration.py.
    se = float(res.table.set_index("analysis").loc["ANCOVA, propensity-weighted (ATT)", "se"])
    assert lo < est < hi and abs(est - pop_effect) < 3.29 * se, (est, lo, hi, pop_effect)
