"""The themes chapter executes against a workspace, glues its numbers and leaks no small count.

The workspace is built through the real intake (detainee questionnaires at
baseline and follow-up). Coded interview segments are synthetic (random words,
fictional names) and reach the chapter through a first cell that replaces
``ctx.segments()``; importing them through ``evaluation.qda`` is left to the
demo workspace, and sign-offs (no store table yet) come the same way.
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
from analysis.themes import theme_prevalence
from analysis.themes.coding import one_coding_per_transcript
from evaluation.book.context import BookContext
from evaluation.build.execute import execute_notebook, read_chapter
from evaluation.instruments import Catalogue
from evaluation.instruments.synthetic import synthetic_responses
from evaluation.intake.pseudonymise import PseudonymKey
from evaluation.intake.submit import submit_file
from evaluation.qda import load_codebook
from evaluation.store import Workspace

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
RATES = {"detainee": [0.7, 0.5, 0.1, 0.1, 0.3, 0.4, 0.2], "peer_worker": [0.5, 0.3, 0.6, 0.6, 0.5, 0.2, 0.5],
         "staff": [0.3, 0.2, 0.5, 0.5, 0.3, 0.1, 0.7]}


def synthetic_segments(seed: int = 8) -> pd.DataFrame:
    """Coded segments in the segments() contract: coder C1 codes all, C2 double-codes 14 transcripts."""
    rng = np.random.default_rng(seed)
    codes = CODES
    rows, t = [], 0
    for (group, site), n in PEOPLE.items():
        for _ in range(n):
            t += 1
            pid = f"k1-{rng.bytes(32).hex()}"  # pseudonym-like: must never reach the page
            paragraphs = [" ".join(rng.choice(WORDS, 8)).capitalize() + "." for _ in range(len(codes))]
            if t == 3:
                paragraphs[0] = "Jan told me on 12/03/2024 that the peer worker helps."
            truth = rng.random(len(codes)) < RATES[group]
            truth[0] |= t == 3
            for coder in ("C1", "C2") if t <= 14 else ("C1",):
                applied = truth ^ (rng.random(len(codes)) < (0.0 if coder == "C1" else 0.15))
                pos = 0
                for i, p in enumerate(paragraphs):
                    if applied[i]:
                        rows.append({"transcript_id": f"T{t:03d}", "pid": pid, "respondent_group": group,
                                     "site": site, "coder": coder, "code": codes[i], "start": pos,
                                     "end": pos + len(p), "text": p})
                    pos += len(p) + 1
    seg = pd.DataFrame(rows)
    seg.insert(0, "segment_id", [f"S{i:04d}" for i in range(1, len(seg) + 1)])
    return seg


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
    return ws


@pytest.fixture(scope="module")
def segments():
    return synthetic_segments()


@pytest.fixture(scope="module")
def signoffs(segments):
    # two quotes approved: a clean one and the one naming "Jan" (which the screen must still stop)
    first = segments.loc[segments["respondent_group"] == "detainee", "segment_id"].iloc[0]
    named = segments.loc[segments["text"].str.contains("Jan"), "segment_id"].iloc[0]
    return pd.DataFrame({"segment_id": [first, named], "approved_by": ["evaluator A", "evaluator A"],
                         "approved_at": ["2025-06-01", "2025-06-01"]})


def shim_cell(seg_path: Path, signoff_path: Path | None) -> str:
    """A first cell giving the context the loaders the workspace does not have yet."""
    lines = ["import pandas as _pd", "from evaluation.book import BookContext as _BC"]
    # the fixture's segments stand in for the store's (the demo workspace exercises the import)
    lines.append(f"_BC.segments = lambda self: _pd.read_pickle({str(seg_path)!r})")
    if signoff_path is not None and not hasattr(BookContext, "quote_signoffs"):
        lines.append(f"_BC.quote_signoffs = lambda self: _pd.read_pickle({str(signoff_path)!r})")
    return "\n".join(lines)


def execute(workspace, segments, signoffs, tmp_path):
    import nbformat

    seg_path = tmp_path / "segments.pkl"
    segments.to_pickle(seg_path)
    signoff_path = None
    if signoffs is not None:
        signoff_path = tmp_path / "signoffs.pkl"
        signoffs.to_pickle(signoff_path)
    nb = read_chapter(CHAPTER)
    nb.cells.insert(0, nbformat.v4.new_code_cell(shim_cell(seg_path, signoff_path), id="shim"))
    return execute_notebook(nb, workspace=workspace.root, cwd=CHAPTER.parent,
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
def executed(workspace, segments, signoffs, tmp_path_factory):
    return execute(workspace, segments, signoffs, tmp_path_factory.mktemp("run"))


def test_chapter_glues_every_number_it_cites(executed, segments):
    source = CHAPTER.read_text(encoding="utf-8")
    cited = set(re.findall(r"\{glue:\}`([a-z_0-9]+)`", source))
    values = glued(executed)
    assert cited and cited <= set(values), sorted(cited - set(values))
    people = segments.drop_duplicates("pid")  # everyone who carries a segment (see the chapter)
    assert values["n_interviewed"] == str(len(people)) and int(values["n_interviewed"]) >= 40
    assert values["n_detainee"] == str(int((people["respondent_group"] == "detainee").sum()))
    assert values["n_peer_worker"] == "fewer than 10" and values["n_staff"] == "fewer than 10"
    assert values["n_double"] == "14" and values["n_coders"] == "2"
    assert values["n_sites_joint"] == "2"  # P01 and P02: 16 and 12 detainees interviewed


def test_no_suppressed_count_reaches_the_outputs(executed, segments, workspace):
    text = outputs_text(executed)
    policy = DisclosurePolicy.from_mapping({"threshold": workspace.disclosure_threshold})
    interviews = segments[["pid", "respondent_group", "site"]].drop_duplicates("pid")
    prevalence = theme_prevalence(one_coding_per_transcript(segments), interviews=interviews, parents=PARENTS)
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


def test_quotes_need_screen_and_sign_off(executed, segments):
    text = outputs_text(executed)
    values = glued(executed)
    first = segments.loc[segments["respondent_group"] == "detainee"].iloc[0]
    assert values["n_quotes"] == "1" and first["text"] in text
    assert "Jan told me" not in text  # signed off, but the screen finds a name and a date
    assert "evaluator A" in text


def test_no_pseudonym_or_path_on_the_page(executed, segments, workspace):
    text = outputs_text(executed)
    assert not re.search(r"[0-9a-f]{32,}", text)
    assert str(workspace.root) not in text


def test_without_sign_offs_no_quote_is_shown_and_the_chapter_says_why(workspace, segments, tmp_path):
    if hasattr(BookContext, "quote_signoffs"):
        pytest.skip("the store now holds sign-offs; covered by the demo workspace")
    nb = execute(workspace, segments, None, tmp_path)
    values = glued(nb)
    assert values["n_quotes"] == "0"
    assert "No quote has been signed off" in values["quote_status"]
    first = segments.loc[segments["respondent_group"] == "detainee"].iloc[0]
    assert first["text"] not in outputs_text(nb)
