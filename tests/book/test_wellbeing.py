"""The wellbeing chapter executes against a small synthetic workspace and publishes no small count.

The workspace: ten sites of detainees at baseline and follow-up, submitted as
.sav files through the real intake; site P04 is deliberately small (its
per-site results must be hidden). Peer workers (two or three per site, both
waves) are written straight into the store: the intake gives peer-worker
files (identifier kind ``pseudonym``) no ``pid`` column yet, so they cannot
go through it (reported to the lead). Release records (CSV, through the
intake) link some detainees to a release: of those without a follow-up,
about half are released inside their follow-up window, some after it or
before their first questionnaire (an earlier stay), the rest have no
record; completers may be released after their window. No real person is
in these data.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from analysis.disclosure import SuppressedValue, find_suppressed_counts, scan_page
from analysis.wellbeing import ScaleSpec, score_scale
from analysis.wellbeing.publish import n_complete_pairs
from evaluation.build.execute import execute_chapter
from evaluation.instruments import Catalogue
from evaluation.instruments.synthetic import synthetic_responses
from evaluation.intake.pseudonymise import Pseudonymiser, PseudonymKey
from evaluation.intake.submit import submit_file
from evaluation.store import Store, Workspace, responses
from evaluation.store.db import SubmissionMeta

CHAPTER = Path(__file__).resolve().parents[2] / "book" / "wellbeing.md"
CAT = Catalogue()
DET = CAT.instrument("detainee", "1.1")
PW = CAT.instrument("peer_worker", "1.0")
REL = CAT.instrument("release_outcomes", "1.0")
WINDOW_DAYS = 7 * 16  # the detainee follow-up wave's max_weeks
SIZES = {"P01": 30, "P02": 28, "P03": 25, "P04": 6, "P05": 32, "P06": 27, "P07": 24, "P08": 26, "P09": 29, "P10": 31}
PW_PER_SITE = {s: 2 + (i % 2) for i, s in enumerate(SIZES)}  # 2 or 3 peer workers per site


def _write_sav(frame: pd.DataFrame, path: Path, defn) -> Path:
    labels = {item.name: {float(c.code): c.label["en"] for c in defn.choices[item.choices]}
              for item in defn.items if item.type == "single_choice" and item.name in frame}
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels, file_label=f"peer-eval:{defn.ref} en")
    return path


def _items(frame: pd.DataFrame, rng, latent, prefix: str, k: int, lo: int, hi: int) -> pd.DataFrame:
    """Items driven by one latent score, so the scales hang together as real ones do."""
    for j in range(1, k + 1):
        frame[f"{prefix}_{j}"] = np.clip(np.round(latent + rng.normal(0, 0.8, len(frame))), lo, hi).astype(float)
    return frame


def _store_peer_workers(ws: Workspace, key: PseudonymKey, frame: pd.DataFrame, site: str, tag: str) -> None:
    ps = Pseudonymiser(key)
    frame = frame.copy()
    frame.insert(0, "pid", [ps.pseudonym("prison_number", f"{site}{i:05d}") for i in range(len(frame))])
    frame = frame.drop(columns=["respondent_code"])
    sha = hashlib.sha256(f"pw-{site}-{tag}".encode()).hexdigest()
    with Store(ws, catalogue=CAT) as st:
        st.write_submission(SubmissionMeta(sha256=sha, file_name=f"pw_{site}_{tag}.sav", site=site, format="sav",
                                           n_rows=len(frame), instrument="peer_worker", version="1.0"),
                            frame, definition=PW, append=tag != "baseline")


def _release_records(base: pd.DataFrame, keep: np.ndarray, rng, site: str, seed: int,
                     path: Path) -> tuple[Path, int]:
    """A release-records CSV for some of ``base``'s detainees; returns it and how many of those lost
    to follow-up were released inside their follow-up window."""
    people, dates, inside = [], [], 0
    for pn, day, kept in zip(base["prison_number"], pd.to_datetime(base["date"]), keep):
        u = rng.random()
        if not kept and u < 0.5:
            release, inside = day + pd.Timedelta(days=int(rng.integers(0, WINDOW_DAYS + 1))), inside + 1
        elif not kept and u < 0.65:
            release = day + pd.Timedelta(days=WINDOW_DAYS + int(rng.integers(1, 60)))  # after the window
        elif not kept and u < 0.75:
            release = day - pd.Timedelta(days=int(rng.integers(30, 300)))  # an earlier stay
        elif kept and u < 0.5:
            release = day + pd.Timedelta(days=WINDOW_DAYS + int(rng.integers(1, 90)))
        else:
            continue
        people.append(pn)
        dates.append(release)
    rel = synthetic_responses(REL, len(people), site=site, seed=seed, people=people, dates=dates)
    rel["release_date"] = dates
    rel["entry_date"] = [d - pd.Timedelta(days=400) for d in dates]
    rel["followup_end"] = rel["extract_date"] = pd.Timestamp("2026-06-30")
    for c in ("first_contact_date", "offence_date", "conviction_date", "reoffence_kind", "death_date",
              "deportation_date"):
        rel[c] = np.nan
    for c in ("entry_date", "release_date", "followup_end", "extract_date"):
        rel[c] = pd.to_datetime(rel[c]).dt.strftime("%Y-%m-%d")
    rel.to_csv(path, index=False)
    return path, inside


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Workspace, dict[str, int]]:
    """The workspace and how many detainees lost to follow-up were released inside their window."""
    root = tmp_path_factory.mktemp("wellbeing")
    ws = Workspace.open(root / "ws")
    key = PseudonymKey.generate()
    rng = np.random.default_rng(7)
    expected = {"released": 0, "not_known": 0}
    for s, (site, n) in enumerate(SIZES.items()):
        base = synthetic_responses(DET, n, site=site, seed=100 + s, wave="baseline")
        lat_w, lat_b = rng.normal(2.4, 0.9, n), rng.normal(3.6, 0.9, n)
        base = _items(_items(base, rng, lat_w, "who5", 5, 0, 5), rng, lat_b, "barc10", 10, 1, 6)
        keep = rng.random(n) < 0.75
        fu = synthetic_responses(DET, int(keep.sum()), site=site, seed=200 + s, wave="followup",
                                 people=base.loc[keep, "prison_number"].tolist())
        fu = _items(_items(fu, rng, lat_w[keep] + 0.35, "who5", 5, 0, 5), rng, lat_b[keep] + 0.2, "barc10", 10, 1, 6)
        for frame, tag in ((base, "b"), (fu, "f")):
            report = submit_file(_write_sav(frame, root / f"det_{site}_{tag}.sav", DET), site=site,
                                 workspace=ws, key=key)
            assert report.status == "accepted", report.text()
        k = PW_PER_SITE[site]
        for tag, seed in (("baseline", 300), ("followup", 400)):
            _store_peer_workers(ws, key, synthetic_responses(PW, k, site=site, seed=seed + s, wave=tag), site, tag)
        path, inside = _release_records(base, keep, np.random.default_rng(1000 + s), site, 500 + s,
                                        root / f"rel_{site}.csv")
        report = submit_file(path, site=site, workspace=ws, key=key)
        assert report.status == "accepted", report.text()
        expected["released"] += inside
        expected["not_known"] += int((~keep).sum()) - inside
    return ws, expected


@pytest.fixture(scope="module")
def workspace(built) -> Workspace:
    return built[0]


@pytest.fixture(scope="module")
def executed(workspace):
    return execute_chapter(CHAPTER, workspace.root)


def _texts(nb) -> list[str]:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                out.append(o["text"])
            for mime, val in o.get("data", {}).items():
                if mime.startswith("text/") or mime.endswith("text/plain") or mime.endswith("text/html"):
                    out.append(val if isinstance(val, str) else "".join(val))
    return out


def test_chapter_executes_and_every_glued_name_exists(executed):
    glued = {o["metadata"]["scrapbook"]["name"] for c in executed.cells for o in c.get("outputs", [])
             if "scrapbook" in o.get("metadata", {})}
    used = set(re.findall(r"\{glue:?\w*\}`(\w+)", CHAPTER.read_text(encoding="utf-8")))
    assert used, "the chapter glues no number"
    assert used <= glued, f"glued in prose but never glued: {sorted(used - glued)}"


def test_declared_loads_match(executed):
    front = CHAPTER.read_text(encoding="utf-8").split("---")[1]
    assert "loads: [detainee, peer_worker, release_outcomes, contacts]" in front


def _glued(nb) -> dict[str, str]:
    values = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            name = o.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                data = o["data"]
                values[name] = data.get("text/plain", data.get("application/papermill.record/text/plain", ""))
                values[name] = values[name].strip("'\"")
    return values


def test_attrition_separates_release_from_the_rest(built, executed):
    _, expected = built
    assert expected["released"] >= 10 and expected["not_known"] >= 10, "the fixture must publish both counts"
    values = _glued(executed)
    assert values["wb_n_lost_released"] == str(expected["released"])
    assert values["wb_n_lost_not_known"] == str(expected["not_known"])
    assert values["wb_window_weeks"] == "16"
    text = "\n".join(_texts(executed))
    assert "not known (refusal, transfer or other)" in text  # the attrition table's row
    assert "released or transferred" not in text  # transfers are not in the data: never claimed


def test_figures_are_drawn(executed):
    images = [o for c in executed.cells for o in c.get("outputs", [])
              if {"image/png", "image/svg+xml"} & set(o.get("data", {}))]  # the build draws SVG
    assert len(images) >= 3  # WHO-5 forest, mixed model summary, BARC-10 forest


def test_no_small_count_and_no_pseudonym_in_outputs(workspace, executed):
    det, _ = responses(workspace, "detainee", catalogue=CAT)
    spec = ScaleSpec.from_mapping(CAT.scale("who5", "1.0").scoring_spec())
    scores = score_scale(det, spec)
    hidden = []
    for site, g in scores.groupby("site"):
        k = n_complete_pairs(g)
        if 0 < k < 10:
            hidden.append(SuppressedValue.of([site], k))
    assert [h.labels for h in hidden] == [("P04",)], "the fixture must have one small site"
    # peer workers per site (one to three) must never appear beside their site
    for site, k in PW_PER_SITE.items():
        hidden.append(SuppressedValue.of([site], k))
    texts = _texts(executed)
    findings = [f for t in texts for f in find_suppressed_counts(t, hidden)]
    assert findings == []
    leaks = [f for t in texts for f in scan_page(t)]
    assert leaks == []


def test_small_site_is_not_in_the_forest_and_remarks_say_so(executed):
    text = "\n".join(_texts(executed))
    assert "1 group with fewer than 10 persons not shown" in text
    # the remark naming the small site is withheld, with a sentence saying so
    assert "Fewer than 10 pairs at" not in text
    assert "not shown because they state a number of fewer than 10 persons" in text


def test_peer_worker_results_are_pooled_never_per_site(executed):
    src = CHAPTER.read_text(encoding="utf-8")
    assert "paired_change(pw_who5, site=None" in src
    text = "\n".join(_texts(executed))
    assert "wellbeing:pw-who5-paired-change" not in text  # table names are not printed
    # the pooled peer-worker change is published (25 pairs >= threshold)
    glue = {o["metadata"]["scrapbook"]["name"]: o["data"] for c in executed.cells for o in c.get("outputs", [])
            if "scrapbook" in o.get("metadata", {})}
    assert glue["wb_pw_pairs"]["application/papermill.record/text/plain"] == "25"
    assert re.fullmatch(r"-?\d+\.\d", glue["wb_pw_who5_change"]["application/papermill.record/text/plain"])


def test_mixed_model_prints_no_false_convergence_warning(executed):
    text = "\n".join(_texts(executed))
    assert "did not converge" not in text and "did not report convergence" not in text
    glue = _glued(executed)
    assert "random intercept" in glue["wb_who5_mm_structure"]


def test_no_provisional_share_reaches_the_key_findings(executed):
    glue = _glued(executed)
    findings = glue["wb_key_findings"]
    assert "WHO-5" in findings
    # the fixture's WHO-5 psychometrics are not verified: no share of persons is a key finding
    assert not re.search(r"\d+% (reliably|improved|deteriorated)", findings) and "reliably" not in findings
    assert "Provisional" in glue["wb_who5_rc_status"]
    text = "\n".join(_texts(executed))
    assert "WHO-5 (RCI), provisional: its inputs are not yet verified" in text  # the table says so in its caption


def test_participation_comparison_names_its_design_level_and_estimand(executed):
    glue = _glued(executed)
    assert glue["wb_maryland"] == "3"
    text = "\n".join(_texts(executed))
    assert "level 3 of the Maryland Scientific Methods Scale" in text
    assert "participants' score changed by" in glue["wb_key_findings"]
    assert glue["wb_tipping"].startswith(("δ =", "no value"))


def test_no_code_name_reaches_the_reader(executed):
    import html as h
    import re as _re

    text = h.unescape(_re.sub(r"<[^>]+>", " ", "\n".join(_texts(executed))))
    for name in ("d_z", "g_z", "d_av", "g_av", "s_av", "ci_method", "baseline_score", "age_band", "d z", "d av"):
        assert not _re.search(rf"(?<![\w']){_re.escape(name)}(?!\w)", text), name
    assert "standardised change (mean change / SD of the changes)" in text
