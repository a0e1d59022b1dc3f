"""The reoffending chapter executes against a workspace, glues its numbers and shows no small count.

The workspace is synthetic (see ``reoffending_workspace.py``), submitted through the real intake.
The chapter is executed once, with the workspace's disclosure threshold raised to 20: the fixture's
12 deaths are then a small count that must not appear anywhere in the chapter's outputs, while its
25 removals from the country must still be shown. In the comparison section, the participants left
without a match within the caliper, the women (a few per group) and the small prison P10 are the
small counts that must not show.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.comparison import (DEFAULT_PS_COVARIATES, TIMING_COVARIATES, add_timing_covariates, caliper_match,
                                 comparison_eligibility, e_value_rr, primary_risk, propensity_score, weighted_cox)
from analysis.disclosure import find_suppressed_counts
from analysis.recidivism import build_cohort, derive_participation
from evaluation.build.chapters import front_matter
from evaluation.build.execute import run_chapter
from evaluation.store import contacts as load_contacts
from evaluation.store import outcomes

from .reoffending_workspace import build_workspace

CHAPTER = Path(__file__).resolve().parents[2] / "book" / "reoffending.md"

GLUED = [
    "reoff_threshold", "reoff_episodes", "reoff_analysed", "reoff_bad_dates", "reoff_deaths", "reoff_deportations",
    "reoff_events", "reoff_n_participants", "reoff_n_comparison", "reoff_moved", "reoff_median_part",
    "reoff_median_comp", "reoff_lr_chisq", "reoff_lr_p", "reoff_lrs_chisq", "reoff_lrs_p", "reoff_hr",
    "reoff_hr_ci", "reoff_hr_naive", "reoff_ph_p", "reoff_ph_global_p", "reoff_1y_part",
    "reoff_1y_comp", "reoff_headline",
    # Compared with similar non-participants
    "cmp_min_days", "cmp_excluded", "cmp_comp_kept", "cmp_ess_part", "cmp_ess_comp", "cmp_n_comp", "cmp_smd_before",
    "cmp_smd_after", "cmp_hr", "cmp_hr_boot",
    "cmp_evalue", "cmp_evalue_limit", "cmp_dose_hr", "cmp_dose_ci", "cmp_dose_p",
    # the primary result
    "prim_n_boot", "prim_label", "prim_risk_part", "prim_risk_comp", "prim_rd", "prim_rd_ci", "prim_rd_boot",
    "prim_rr", "prim_rr_ci", "prim_mde",
    # the complete-year rate with its own propensity model; the simulation's figures (issue 12)
    "cy_n", "cy_rd", "cy_rd_lower", "cy_rd_upper", "cy_smd_after", "cy_ess",
    "cal_wcox_boot_t1", "cal_wcox_robust_t1", "cal_wkm_cov", "cal_matched_t1", "cal_reps", "cal_reps_if", "cal_cy_cov",
    "cal_cy_t1",
]


THRESHOLD = 20


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("reoffending")
    ws = build_workspace(root / "ws", root / "outbox")
    ws.set_config(disclosure_threshold=THRESHOLD)
    return ws


@pytest.fixture(scope="module")
def executed(workspace):
    return run_chapter(CHAPTER, workspace.root)


def outputs(nb):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def glued(nb) -> dict:
    out = {}
    for o in outputs(nb):
        book = o.get("metadata", {}).get("scrapbook", {})
        if book.get("name"):
            out[book["name"]] = o.get("data", {}).get(book.get("mime_prefix", "") + "text/plain", "")
    return out


def texts(nb) -> list[str]:
    """Every text a reader can see: printed remarks, HTML tables, plain reprs and glued values."""
    seen = []
    for o in outputs(nb):
        if o.get("output_type") == "stream":
            seen.append(o["text"])
        for mime, value in o.get("data", {}).items():
            if mime.endswith(("text/html", "text/plain", "text/markdown")):
                seen.append(value)
    return seen


def test_chapter_executes_and_loads_what_it_declares(executed):
    nb, loaded = executed
    assert sorted(loaded) == sorted(front_matter(CHAPTER)["peer_eval"]["loads"])
    assert not [o for o in outputs(nb) if o.get("output_type") == "error"]
    assert any("image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {}) for o in outputs(nb))


def test_glued_numbers_exist(executed):
    values = glued(executed[0])
    missing = [k for k in GLUED if k not in values or not values[k].strip("'\" ")]
    assert not missing, missing
    # counts come through safe_count (strings, shown as their text, not in quotes), statistics are numbers
    assert re.fullmatch(r"\d+", values["reoff_analysed"]) and float(values["reoff_lr_p"]) < 1
    # the simulation's shares are glued from the committed record, written as percentages
    from analysis.comparison.calibration import published
    from analysis.comparison.calibration import WCOX_IF
    rate = published().loc[(1.0, "hazard ratio", WCOX_IF), "excludes_null"]
    assert values["cal_wcox_boot_t1"].strip("'\"") == f"{100 * rate:.1f}%"


def test_no_prison_robust_interval_is_published(executed):
    """The prison-robust t(9) interval failed the ten-prison simulation: no table or remark shows it."""
    text = "\n".join(texts(executed[0]))
    assert "lower_robust" not in text and "site-robust t(" not in text


def test_chapter_numbers_match_the_analysis(workspace, executed):
    data = outcomes(workspace)
    cohort = build_cohort(data)
    values = glued(executed[0])
    assert values["reoff_analysed"] == f"{cohort.counts['analysed']}"
    assert values["reoff_events"] == f"{cohort.counts['ended: reoffence']}"
    assert "cause-specific" in " ".join(texts(executed[0])).lower()


def test_remarks_shown(executed):
    text = "\n".join(texts(executed[0]))
    assert "proportional-hazards check" in text
    # one convention for detectable effects: no model's own minimum detectable hazard ratio
    assert "power (two-sided" not in text and "minimum detectable" not in text.lower()
    assert "contacts on or before release" in text


def test_no_small_count_in_any_output(workspace, executed):
    nb = executed[0]
    cohort = build_cohort(outcomes(workspace))
    deaths, removals = cohort.counts["ended: death"], cohort.counts["ended: deportation"]
    assert 0 < deaths < THRESHOLD <= removals  # the fixture's design
    cells = [(("ended: death",), deaths), (("death",), deaths)]
    findings = [f for t in texts(nb) for f in find_suppressed_counts(t, cells)]
    assert not findings, findings
    values = glued(nb)
    assert values["reoff_deaths"] == f"fewer than {THRESHOLD}"
    assert values["reoff_deportations"] == f"{removals}"  # a publishable count is shown
    html = "\n".join(t for t in texts(nb) if "<table" in t)
    assert "[c]" in html and "suppressed" in html
    # no ProtectedTable repr (its internal suppression pattern) reaches the notebook
    assert not any("ProtectedTable(" in t for t in texts(nb))


@pytest.fixture(scope="module")
def comparison(workspace):
    """The comparison section's inputs, recomputed outside the chapter (no bootstrap)."""
    cohort = build_cohort(outcomes(workspace), kind="reconviction", lag_months=6)
    con = load_contacts(workspace)
    part = derive_participation(cohort.data, con)
    el = comparison_eligibility(add_timing_covariates(part.data, con), con)
    release = tuple(c for c in ("release_type", "residence_status", "opioid_substitution")
                    if c in part.data and part.data[c].notna().any())
    covs = DEFAULT_PS_COVARIATES + ("index_offence",) + release + TIMING_COVARIATES
    return el, propensity_score(el.data, covariates=covs, site="site")


def test_comparison_numbers_match_the_analysis(executed, comparison):
    el, ps = comparison
    values = glued(executed[0])
    hr = float(weighted_cox(ps.data).summary["hr"].iloc[0])
    assert values["cmp_hr"] == f"{hr:.2f}"
    lo, hi = (float(v) for v in values["cmp_hr_boot"].split(" to "))
    assert lo < hr < hi
    assert values["cmp_comp_kept"] == f"{len(el.data) - int(ps.data['treated'].sum())}"
    assert values["cmp_ess_comp"] == f"{ps.effective_n['comparison']:.0f}"
    # the weighted HR's interval is the influence function with the propensity model (no prison-clustered one)
    from analysis.comparison.weighted import weighted_hr_influence
    h = weighted_hr_influence(ps)
    assert values["cmp_hr_boot"] == f"{h['lower']:.2f} to {h['upper']:.2f}"
    # the primary result glued is the one of primary_risk on the same cohort (influence-function interval)
    prim = primary_risk(ps, n_boot=0, min_at_risk=THRESHOLD)
    rd, rd_lo, rd_hi = prim.interval("risk difference")
    assert values["prim_rd"] == f"{rd:.1f}"
    assert values["prim_rd_ci"] == f"{rd_lo:.1f} to {rd_hi:.1f}"
    assert values["prim_label"] == "PRIMARY"
    # the E-value glued is the one of the published primary risk ratio and its interval
    assert float(values["cmp_evalue"]) == pytest.approx(e_value_rr(*prim.interval("risk ratio")).e_point, abs=0.02)
    assert float(values["cmp_evalue_limit"]) <= float(values["cmp_evalue"])


def test_every_result_section_is_labelled_primary_or_exploratory(executed):
    text = CHAPTER.read_text(encoding="utf-8")
    headings = re.findall(r"^#{2,3} (.+)$", text, re.M)
    results = [h for h in headings if not h.startswith(("Who ", "Compared with", "The propensity score",
                                                           "What ten prisons"))]
    unlabelled = [h for h in results if not re.search(r"\((primary|exploratory)[,)]", h)]
    assert not unlabelled, unlabelled
    primary = [h for h in results if "(primary" in h]
    assert primary == ["The primary result: one-year risk of reoffending (primary)",
                       "Could something unmeasured explain it? (primary, sensitivity)",
                       "Sensitivity of the primary result (primary, sensitivity)"]
    # the executed chapter prints the label with the primary result's remarks, and marks the others exploratory
    seen = "\n".join(texts(executed[0]))
    assert "PRIMARY result (pre-specified)" in seen
    # nothing at two years: the follow-up is shorter
    assert "730" not in seen


def test_comparison_shows_no_small_count(executed, comparison):
    nb = executed[0]
    _, ps = comparison
    seen = texts(nb)
    text = "\n".join(seen)
    match = caliper_match(ps)
    un, n_part = match.n_unmatched, int(ps.data["treated"].sum())
    assert 0 < un < THRESHOLD  # the fixture's design
    # neither the unmatched participants nor the matched total (participants minus them) are shown
    assert not [t for t in seen if re.search(rf"(?<![\d.]){un} participant", t)]
    assert not [t for t in seen if re.search(rf"(?<![\d.]){n_part - un} of {n_part}", t)]
    tables = [t for t in seen if "<table" in t and "matched (caliper)" in t]
    assert tables and not any(f">{len(match.data)}<" in t for t in tables)
    assert any("all but fewer than 20 of" in t for t in tables)
    # women are few in each group: their share (a count times a published group size) is suppressed
    women = int((ps.data["sex"] == "female").groupby(ps.data["treated"]).sum().min())
    assert 0 < women < THRESHOLD
    # the model term sex[female] is shown to readers as "sex: female" (analysis.reader.label)
    balance_html = next(t for t in seen if "<table" in t and "sex: female" in t)
    row = re.search(r"sex: female</th>(.*?)</tr>", balance_html, re.S).group(1)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row) == ["[c]"] * 5
    # the small prison is left out of the per-site overlap figure, and said so
    assert "prison(s) not shown in the overlap figure" in text
    findings = [f for t in seen for f in find_suppressed_counts(t, [(("unmatched",), un), (("female",), women)])]
    assert not findings, findings
