"""The themes chapter executes against a workspace, glues its numbers and leaks no small count.

The workspace is built through the real intake (detainee questionnaires at
baseline and follow-up) and the real interview import: synthetic coded
interviews (random words, fictional names) are written as one REFI-QDA
project per prison and imported with ``evaluation.qda.importer.import_segments``;
quotes are signed off with ``evaluation.store.record_signoff``. The chapter
reads them through ``ctx.segments()`` and ``ctx.quote_signoffs()``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from analysis.disclosure import DisclosurePolicy, SuppressedValue, find_suppressed_counts, protect_table
from analysis.themes import consensus_coding, theme_prevalence
from evaluation.build.execute import execute_notebook, read_chapter
from evaluation.instruments import Catalogue
from evaluation.instruments.synthetic import synthetic_responses
from evaluation.intake.pseudonymise import PseudonymKey
from evaluation.intake.submit import submit_file
from evaluation.qda import load_codebook
from evaluation.qda.importer import import_segments
from evaluation.qda.refi import write_qdpx
from evaluation.store import Workspace, record_signoff, segment_text_sha256
from evaluation.store import segments as stored_segments

CHAPTER = Path(__file__).resolve().parents[2] / "book" / "themes.md"
WORDS = ("peer worker helps me trust talk cell guard hope day week support drugs "
         "prison staff listen time program group visit plan release work").split()
PARENTS = load_codebook().parents
CODES = ["svc_trust", "svc_hope", "org_supervision", "org_training", "stigma_workplace", "stigma_society",
         "prison_security"]
# participants per (group, site): detainees enough at P01/P02 for some published cells
PEOPLE = {("detainee", "P01"): 16, ("detainee", "P02"): 12, ("detainee", "P03"): 5,
          ("peer_worker", "P01"): 2, ("peer_worker", "P02"): 3, ("peer_worker", "P03"): 1,
          ("staff", "P01"): 3, ("staff", "P02"): 4, ("staff", "P03"): 2}
# interviewed detainees who raised no theme (transcripts with no coding): they count in the denominator
SILENT = {"P01": 3, "P03": 1}
RATES = {"detainee": [0.7, 0.5, 0.1, 0.1, 0.3, 0.4, 0.2], "peer_worker": [0.5, 0.3, 0.6, 0.6, 0.5, 0.2, 0.5],
         "staff": [0.3, 0.2, 0.5, 0.5, 0.3, 0.1, 0.7]}


def synthetic_interviews(seed: int = 8) -> dict[str, list[dict]]:
    """Coded interviews per prison, for ``write_qdpx``: coder C1 codes all, C2 double-codes 14 transcripts."""
    rng = np.random.default_rng(seed)
    codes = CODES
    out: dict[str, list[dict]] = {}
    t = 0
    for (group, site), n in PEOPLE.items():
        for _ in range(n):
            t += 1
            # study identifiers (fictional): a prison number for detainees, a study code for the others
            participant = f"ZX{t:04d}" if group == "detainee" else f"{site}-R{t}"
            paragraphs = [" ".join(rng.choice(WORDS, 8)).capitalize() + "." for _ in range(len(codes))]
            if t == 3:
                paragraphs[0] = "Jan told me on 12/03/2024 that the peer worker helps."
            truth = rng.random(len(codes)) < RATES[group]
            truth[0] |= t == 3
            codings = []
            for coder in ("C1", "C2") if t <= 14 else ("C1",):
                applied = truth ^ (rng.random(len(codes)) < (0.0 if coder == "C1" else 0.15))
                pos = 0
                for i, p in enumerate(paragraphs):
                    if applied[i]:
                        codings.append((pos, pos + len(p), codes[i], coder))
                    pos += len(p) + 1
            out.setdefault(site, []).append({"name": f"T{t:03d}", "text": " ".join(paragraphs),
                                             "participant": participant, "role": group, "site": site,
                                             "codings": codings})
    for site, n in SILENT.items():  # after the coded ones, so the random draws above do not move
        for _ in range(n):
            t += 1
            text = " ".join(" ".join(rng.choice(WORDS, 8)).capitalize() + "." for _ in range(3))
            out[site].append({"name": f"T{t:03d}", "text": text, "participant": f"ZX{t:04d}", "role": "detainee",
                              "site": site, "codings": []})
    return out


def write_sav(frame: pd.DataFrame, path: Path, defn) -> Path:
    labels = {}
    for item in defn.items:
        if item.type == "single_choice" and item.name in frame:
            labels[item.name] = {float(c.code): c.label["en"] for c in defn.choices[item.choices]}
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels, file_label=f"peer-eval:{defn.ref} en")
    return path


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("themes")
    ws = Workspace.open(root / "ws")
    key = PseudonymKey.generate()
    det = Catalogue().instrument("detainee", "1.1")
    for i, (site, n) in enumerate([("P01", 24), ("P02", 18), ("P03", 6)]):
        base = synthetic_responses(det, n, site=site, seed=i)
        follow = synthetic_responses(det, n, site=site, seed=100 + i, wave="followup",
                                     people=base["prison_number"].tolist())
        for wave, frame in (("baseline", base), ("followup", follow)):
            report = submit_file(write_sav(frame, root / f"{site}_{wave}.sav", det), site=site, workspace=ws,
                                 key=key, lang="en")
            assert report.status == "accepted", report.text()
    codebook = load_codebook()
    for site, interviews in synthetic_interviews().items():
        path = write_qdpx(root / f"coded_{site}.qdpx", codebook, interviews)
        report = import_segments(path, site=site, workspace=ws, key=key, codebook=codebook)
        assert report.status == "accepted" and not report.problems, report.text()
    # two quotes approved: a clean one (a detainee's, in a transcript only one coder coded) and the one
    # naming "Jan" and a date (which the screen must still stop)
    seg = stored_segments(ws)
    single = seg.groupby("transcript_id")["coder"].transform("nunique") == 1
    first = seg.loc[(seg["respondent_group"] == "detainee") & single, "segment_id"].iloc[0]
    named = seg.loc[seg["text"].str.contains("Jan"), "segment_id"].iloc[0]
    for sid in (first, named):
        record_signoff(ws, sid, approved_by="evaluator A", text_sha256=segment_text_sha256(ws, sid),
                       at="2025-06-01")
    return ws


@pytest.fixture(scope="module")
def segments(workspace):
    return stored_segments(workspace)


@pytest.fixture(scope="module")
def interviews(workspace):
    """Everyone interviewed (one row per participant and transcript), from the stored transcripts."""
    from evaluation.store import transcripts

    return transcripts(workspace)[["pid", "respondent_group", "site", "transcript_id"]]


@pytest.fixture(scope="module")
def signed(workspace):
    from evaluation.store import quote_signoffs

    return quote_signoffs(workspace)


def execute(workspace_root: Path, tmp_path):
    nb = read_chapter(CHAPTER)
    return execute_notebook(nb, workspace=workspace_root, cwd=CHAPTER.parent,
                            config_dir=tmp_path / "mpl", name="themes", timeout=300)


def outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if "text" in out:
                parts.append(out["text"])
            for mime in ("text/html", "text/plain", "text/markdown"):
                if mime in out.get("data", {}):
                    parts.append(out["data"][mime])
    return "\n".join(parts)


def glued(nb) -> dict[str, str]:
    values = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                data = out["data"]
                text = data.get("text/plain", data.get("application/papermill.record/text/plain", ""))
                values[name] = text.strip("'\"")
    return values


@pytest.fixture(scope="module")
def executed(workspace, tmp_path_factory):
    return execute(workspace.root, tmp_path_factory.mktemp("run"))


def test_chapter_glues_every_number_it_cites(executed, segments, interviews):
    source = CHAPTER.read_text(encoding="utf-8")
    cited = set(re.findall(r"\{glue:\}`([a-z_0-9]+)`", source))
    values = glued(executed)
    assert cited and cited <= set(values), sorted(cited - set(values))
    people = interviews.drop_duplicates("pid")  # everyone interviewed, also those who raised no theme
    silent = sum(SILENT.values())
    # everyone the fixture interviewed, more than those who carry a segment (the silent ones at least)
    assert len(people) == sum(PEOPLE.values()) + silent
    assert len(people) >= segments["pid"].nunique() + silent
    assert values["n_interviewed"] == str(len(people)) and int(values["n_interviewed"]) >= 40
    assert values["n_detainee"] == str(int((people["respondent_group"] == "detainee").sum()))
    assert values["n_transcripts"] == str(interviews["transcript_id"].nunique())
    assert values["n_peer_worker"] == "fewer than 10" and values["n_staff"] == "fewer than 10"
    both = segments.groupby("transcript_id")["coder"].nunique().eq(2).sum()
    assert 10 <= both <= 14  # C2 double-codes 14 transcripts (one may carry no code of C2's)
    assert values["n_double"] == str(both) and values["n_coders"] == "2"
    assert values["n_sites_joint"] == "2"  # P01 and P02: 16 and 12 detainees interviewed


def test_no_suppressed_count_reaches_the_outputs(executed, segments, interviews, workspace):
    text = outputs_text(executed)
    policy = DisclosurePolicy.from_mapping({"threshold": workspace.disclosure_threshold})
    coded = segments[["transcript_id", "coder"]].drop_duplicates()
    primary = consensus_coding(segments, coded=coded, parents=PARENTS).segments
    prevalence = theme_prevalence(primary, interviews=interviews, parents=PARENTS)
    table = protect_table(prevalence.to_frame(), row="theme", col="respondent_group", count="n_participants",
                          values=["share"], margins=False, policy=policy)
    hidden = table.suppression["status"] != "published"
    raw = prevalence.to_frame()
    cells = [SuppressedValue.of([r.theme, r.respondent_group], int(r.n_participants))
             for r, h in zip(raw.itertuples(), hidden) if h]
    assert cells, "the fixture must make some cells small"
    assert find_suppressed_counts(text, cells) == []
    # the small group sizes never appear beside their group's name either
    small_groups = interviews.groupby("respondent_group")["pid"].nunique()
    small = [SuppressedValue.of([g], int(n)) for g, n in small_groups.items() if policy.is_small(int(n))]
    assert find_suppressed_counts(text, small) == []


def test_quotes_need_screen_and_sign_off(executed, segments, signed):
    text = outputs_text(executed)
    values = glued(executed)
    approved = segments.set_index("segment_id").loc[signed["segment_id"], "text"]
    clean = [t for t in approved if "Jan" not in t]
    assert len(approved) == 2 and len(clean) == 1
    assert values["n_quotes"] == "1" and clean[0] in text
    assert "Jan told me" not in text  # signed off, but the screen finds a name and a date
    assert "evaluator A" in text


def test_no_pseudonym_or_path_on_the_page(executed, segments, workspace):
    text = outputs_text(executed)
    assert not re.search(r"[0-9a-f]{32,}", text)
    assert str(workspace.root) not in text


def test_without_sign_offs_no_quote_is_shown_and_the_chapter_says_why(workspace, segments, signed, tmp_path):
    import shutil
    import sqlite3

    copy = tmp_path / "ws"
    shutil.copytree(workspace.root, copy)
    con = sqlite3.connect(Workspace.open(copy, create=False).db_path)
    con.execute("DELETE FROM quote_signoffs")
    con.commit()
    con.close()
    nb = execute(copy, tmp_path)
    values = glued(nb)
    assert values["n_quotes"] == "0"
    assert "No quote has been signed off" in values["quote_status"]
    approved = segments.set_index("segment_id").loc[signed["segment_id"], "text"]
    assert not any(t in outputs_text(nb) for t in approved)


def test_small_groups_show_no_zero_and_targeted_themes_are_named(executed, interviews):
    values = glued(executed)
    # every guide asks about these three; the rest are targeted by some guides only
    # in the codebook's words (key_moments_people, prison_specific, role_definition), never its codes
    words = {"key moments and key people", "prison-specific aspects", "the peer-worker role"}
    assert set(values["compared_themes"].split(", ")) == words
    assert "service delivery as detainees see it (asked of detainees and staff)" in values["targeted_themes"]
    assert values["top_theme"] in words | {"none"}
    assert "_" not in values["targeted_themes"] + values["compared_themes"]
    # the peer workers (fewer than the threshold interviewed): no published zero in their column
    html = [o["data"]["text/html"] for c in executed.cells if "control_counts" in c.source
            for o in c.get("outputs", []) if "text/html" in o.get("data", {})]
    assert len(html) == 1
    small = [g for g, n in interviews.drop_duplicates("pid")["respondent_group"].value_counts().items() if n < 10]
    assert small, "the fixture must have a small group"
    n_themes = len(load_codebook().theme_codes())
    # every cell of a small group is suppressed, zeros included: count and share of every theme
    assert html[0].count("[c]") >= 2 * n_themes * len(small)
    assert "n_flagged_sub" in values


def test_unitized_alpha_is_shown_per_theme_beside_the_fixed_units(executed, segments, workspace):
    from analysis.themes import onto_deidentified, unitized_alpha
    from evaluation.store import transcripts as stored_transcripts

    text = outputs_text(executed)
    assert "Agreement per theme at three levels" in text
    for label in ("unitized alpha (passages)", "alpha, whole transcripts", "alpha, paragraphs", "coded passages"):
        assert label in text, label
    assert "alpha_u" not in text and "n_passages" not in text
    # the glued overall value is the library's, on the de-identified texts the chapter reads
    texts = stored_transcripts(workspace)
    coded = segments[["transcript_id", "coder"]].drop_duplicates()
    result = unitized_alpha(onto_deidentified(segments, texts), coded=coded,
                            transcripts=texts[["transcript_id", "text"]], parents=PARENTS).to_frame()
    overall = float(result.loc[result["code"] == "(all codes)", "alpha_u"].iloc[0])
    assert glued(executed)["unitized_overall"] == f"{overall:.2f}"


def test_kappa_intervals_resample_transcripts_and_cite_their_calibration(executed):
    from analysis.themes.calibration import BOOTSTRAP, WALD, published

    values, text = glued(executed), outputs_text(executed)
    rec = published()
    assert values["kappa_cal_boot_paragraph"] == f"{100 * rec.rate('paragraph', BOOTSTRAP):.1f}%"
    assert values["kappa_cal_wald_transcript"] == f"{100 * rec.rate('transcript', WALD):.1f}%"
    assert values["kappa_cal_reps"] == f"{int(rec.summary['replicates'].min()):,}"
    assert "resamples of whole transcripts" in text


def test_quote_headings_name_themes_in_words(executed):
    text = outputs_text(executed)
    codes = [t.code for t in load_codebook().themes]
    assert not any(f"Theme: {c}" in text for c in codes if "_" in c)
