"""The perspectives chapter on a small demo workspace: no small group shown, the demo's truths recovered.

The workspace is the synthetic demo at its small scale (ten prisons, 6-12
staff and 1-3 peer workers each): per-prison staff and peer-worker groups are
all below the threshold, so the chapter must show them only pooled, and the
peer workers' table must withhold small and empty cells.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import statsmodels.api as sm

from analysis.items import ItemSpec, domain_scores, ordinal_comparison, ranked_items
from evaluation.demo.perspectives import TRUST_ITEMS
from evaluation.book import context
from evaluation.build.execute import execute_chapter
from evaluation.demo import load_truth, run_demo

from pathlib import Path

CHAPTER = Path(__file__).resolve().parents[2] / "book" / "perspectives.md"
COUNT_COLUMNS = {"answers", "complete answers", "eligible", "reached", "detainees", "agree", "neutral or disagree",
                 "no answer", "Total", "n_persons", "in custody", "after release", "peer workers"}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("persp") / "ws"
    run_demo(root, scale="small", sites=10, out=lambda *_: None)
    return root


@pytest.fixture(scope="module")
def executed(workspace):
    nb = execute_chapter(CHAPTER, workspace)
    tables = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            html = out.get("data", {}).get("text/html")
            if html and "<table" in html:
                tables.extend(pd.read_html(io.StringIO(html)))
    return nb, tables


def _flat(col) -> str:
    """A column name of a read_html table, its levels joined, pandas' "Unnamed: ..." fillers left out."""
    parts = [col] if isinstance(col, str) else [str(p) for p in col]
    return " ".join(p for p in parts if not p.startswith("Unnamed:"))


def _numbers(series) -> list[float]:
    vals = pd.to_numeric(series.astype(str).str.replace(",", ""), errors="coerce")
    return [float(v) for v in vals if np.isfinite(v)]


def test_no_table_shows_a_group_below_the_threshold(executed):
    _nb, tables = executed
    assert len(tables) >= 7
    for t in tables:
        t = t.copy()  # the fixture's tables are shared with the other tests
        cols = [_flat(c) for c in t.columns]
        t.columns = cols
        for c in cols:
            if not c.startswith("%") and any(c == k or c.endswith(" " + k) for k in COUNT_COLUMNS):
                small = [v for v in _numbers(t[c]) if 0 < v < 10]
                assert not small, (c, small, t)


def test_peer_worker_table_withholds_small_and_empty_cells(executed, workspace):
    _nb, tables = executed
    pw = next(t for t in tables if any("neutral or disagree" in str(c) for c in t.columns))
    values = pw.drop(columns=[c for c in pw.columns if "question" in str(c).lower()]).to_numpy().ravel()
    shown = _numbers(pd.Series(values))
    assert all(v >= 10 for v in shown), shown  # zeros included
    assert any(str(v) == "[c]" for v in values)
    # nothing per prison: no site code appears in any table of the chapter
    sites = load_truth(workspace)["sites"]
    per_prison = [t for t in executed[1] if any(s in t.to_string() for s in sites)]
    # only the reach tables (detainees: per prison, per prison and month) and the profile list prisons
    assert len(per_prison) == 3
    profile = next(t for t in per_prison if any("peer workers" in str(c) for c in t.columns))
    profile = profile.copy()
    profile.columns = [c if isinstance(c, str) else (c[1] if c[0].startswith("Unnamed") else c[0])
                       for c in profile.columns]
    assert set(profile["peer workers"]) <= {"in group", "–"}  # never a peer-worker share per prison
    staff_n = context(workspace).responses("staff").groupby("site").size()
    first = profile.columns[0]
    for _, row in profile.iterrows():
        if row[first] in staff_n.index and str(row["staff: readiness"]).endswith("%"):
            assert staff_n[row[first]] >= 10


def test_demo_truths_recovered(workspace):
    truth = load_truth(workspace)["sample"]["perspectives"]
    ctx = context(workspace)
    staff = ctx.responses("staff")
    pw = ctx.responses("peer_worker").query("wave == 1")
    specs = ctx.catalogue.instrument("staff").item_specs("en")
    role = next(s for s in specs if s["name"] == "role_clear")
    both = pd.concat([staff.assign(group="staff"), pw.assign(group="peer")])[["site", "group", "role_clear"]]
    cmp_ = ordinal_comparison(both, role, group="group", reference="staff", compare="peer")
    assert cmp_.table.loc[0, "ci_low"] > 1  # peer workers answer higher: the divergence
    # readiness higher where the prison has a champion: the truth (the expected difference of the domain score,
    # evaluation.demo.perspectives) lies within the 95% interval of the difference, prisons as clusters
    # (cluster-robust SE with t(G - 1), G = 10 prisons), and the estimate has the truth's sign
    dom = domain_scores(staff, specs, keep=["site"]).scores.dropna(subset=["organisational_readiness"])
    x = sm.add_constant(dom["site"].isin(truth["champion_sites"]).astype(float).rename("champion"))
    fit = sm.OLS(dom["organisational_readiness"], x).fit(cov_type="cluster", cov_kwds={"groups": dom["site"]},
                                                          use_t=True)
    lo, hi = fit.conf_int().loc["champion"]
    assert lo <= truth["champion_readiness_difference"] <= hi, (lo, hi, truth["champion_readiness_difference"])
    assert fit.params["champion"] > 0


def test_contact_bands_have_one_definition(workspace):
    from evaluation.demo.perspectives import CONTACT_BANDS, contact_band

    truth = load_truth(workspace)["sample"]["perspectives"]
    assert {int(k): (v["contacts_from"], v["contacts_to"]) for k, v in truth["contact_bands"].items()} == CONTACT_BANDS
    assert list(contact_band([0, 1, 2, 3, 4, 6, 7, 10, 11, 40])) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # the bands are the questionnaire's answers: one code per band, in order
    det = context(workspace).catalogue.instrument("detainee")
    codes = [c.code for c in det.choices[det.item("peer_contact_n").choices]]
    assert codes == list(CONTACT_BANDS)
    # the demo's answers spread over the bands (the truth needs more than band 1)
    n = truth["peer_trust_n_by_contact_band"]
    assert len(n) == 5 and sum(v for k, v in n.items() if int(k) >= 3) >= 30


def test_demo_trust_by_contacts_recovered(workspace):
    truth = load_truth(workspace)["sample"]["perspectives"]
    ctx = context(workspace)
    # trust higher among frequent contacts
    det = ctx.responses("detainee").query("wave == 1 and peer_contact == 1")
    det = det[det["peer_contact_n"] >= 1]  # "don't know" is no band
    items = ctx.catalogue.instrument("detainee").item_specs("en", items=list(TRUST_ITEMS))
    for spec in items:  # peer_passes_on is worded the other way round
        spec["reverse"] = spec["name"] == "peer_passes_on"
    trust = ranked_items(det, [ItemSpec.from_mapping(m) for m in items]).mean(axis=1)
    fit = sm.OLS(trust, sm.add_constant(det["peer_contact_n"].astype(float)), missing="drop").fit()
    lo, hi = fit.conf_int().loc["peer_contact_n"]
    # the latent slope per band is attenuated a little by rounding and clipping to 1-5: the estimate's interval
    # excludes 0 and holds the latent slope
    assert lo > 0 and lo <= truth["trust_per_contact_band_latent"] <= hi, (lo, hi)
    means = list(truth["peer_trust_mean_by_contact_band"].values())
    assert means == sorted(means)


def _glued(nb, name):
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("metadata", {}).get("scrapbook", {}).get("name") == name:
                text = next(v for k, v in out["data"].items() if k.endswith("text/plain"))
                return str(text).strip("'\"")
    raise KeyError(name)


def test_aftercare_groups_come_from_the_contact_log(executed, workspace):
    from analysis.service import survey_participation

    nb, _tables = executed
    ctx = context(workspace)
    sp = survey_participation(ctx.responses("detainee").query("wave == 2"), ctx.contacts(), ctx.outcomes())
    n = sp.n_by_source()
    assert n["contact log"] >= 10 and n["self-report"] >= 10  # both sources occur in the demo
    assert _glued(nb, "pp_care_log") == str(n["contact log"])
    assert _glued(nb, "pp_care_self") == str(n["self-report"])
    assert "taken from the contact log" in CHAPTER.read_text(encoding="utf-8")


def test_reach_per_prison_and_month_pools_small_months(executed, workspace):
    _nb, tables = executed
    found = [t for t in tables if any("months of release" in " ".join(map(str, c)) if isinstance(c, tuple)
                                      else "months of release" in str(c) for c in t.columns)
             or t.astype(str).apply(lambda col: col.str.contains(" to 20", regex=False)).any().any()]
    assert found, "no reach-by-month table"
    t = found[0]
    flat = t.copy()
    flat.columns = [_flat(c) for c in t.columns]
    elig = next(c for c in flat.columns if c == "eligible")
    shown = _numbers(flat[elig])
    assert len(shown) >= 20 and min(shown) >= 10  # ten prisons, several periods each, none below the threshold
    ctx = context(workspace)
    n_eligible = int((ctx.outcomes()["eligible"] == 1).sum())
    assert sum(shown) <= n_eligible


def test_injecting_change_is_mcnemar_on_pairs(executed, workspace):
    from analysis.service import paired_proportion, use_outcomes

    nb, _tables = executed
    res = paired_proportion(use_outcomes(context(workspace).responses("detainee")), outcome="injecting")
    assert _glued(nb, "pp_inj_pairs") == str(res.n_pairs)
    assert _glued(nb, "pp_inj_diff") == f"{100 * res.difference:.0f}"


def test_peer_worker_conditions_pooled_banded_zeros_withheld(executed, workspace):
    nb, tables = executed
    cond = next(t for t in tables if t.astype(str).apply(lambda c: c.str.contains("not asked or blank")).any().any())
    text = cond.astype(str)
    assert text.apply(lambda c: c.str.contains("paid", regex=False)).any().any()  # answers in bands
    values = cond.iloc[:, -1].astype(str).tolist()
    shown = _numbers(pd.Series(values))
    assert shown and all(v >= 10 for v in shown), values  # zeros and small counts withheld
    assert "[c]" in values
    sites = load_truth(workspace)["sites"]
    assert not any(s in cond.to_string() for s in sites)  # pooled, never per prison
    # the count in the prose is a band, never an exact small number
    ctx = context(workspace)
    pw = ctx.responses("peer_worker").query("wave == 1").drop_duplicates("pid")
    n_paid = int(pw["work_status"].isin([1, 2]).sum())
    glued = _glued(nb, "pp_pw_paid")
    assert glued == (str(n_paid) if n_paid >= 10 else glued) and (n_paid >= 10 or not glued.isdigit())


def test_no_small_nonresponse_derivable_from_item_counts(executed, workspace):
    """Answers per question beside the glued staff total: total − answers must not be a small count."""
    nb, tables = executed
    threshold = int(_glued(nb, "pp_threshold"))
    n_staff = int(_glued(nb, "pp_n_staff").replace(",", ""))
    staff_n = len(context(workspace).responses("staff"))
    assert n_staff == staff_n
    items = next(t for t in tables if any("not answered" in _flat(c) for c in t.columns))
    items = items.copy()
    items.columns = [_flat(c) for c in items.columns]
    banded = 0
    for answers, rest in zip(items["answers"].astype(str), items["not answered"].astype(str)):
        a = pd.to_numeric(answers.replace(",", ""), errors="coerce")
        r = pd.to_numeric(rest.replace(",", ""), errors="coerce")
        if np.isfinite(a):
            assert np.isfinite(r) and a + r == n_staff  # both exact only together
            assert r == 0 or r >= threshold, (answers, rest)  # nothing small by subtraction
            assert a >= threshold
        else:  # a band: the other one is no number either
            assert not np.isfinite(r), (answers, rest)
            banded += 1
    # the demo's small staff groups have questions with few "don't know": the rule is exercised
    assert banded >= 1


def test_instrument_texts_in_the_three_editions(executed, workspace):
    """Item wordings and factor names in the tables, and the charts, come in nl/fr from the instruments."""
    import html as html_lib

    from analysis.editions import MIME

    nb, _tables = executed
    outputs = [o for c in nb.cells for o in c.get("outputs", []) if MIME in o.get("data", {})]
    ctx = context(workspace)
    staff_def = ctx.catalogue.instrument("staff")
    factors = ctx.catalogue.factors().factors
    tables = [o for o in outputs if "<table" in o["data"].get("text/html", "")]
    figures = [o for o in outputs if "image/svg+xml" in o["data"]]
    assert len(figures) >= 2 and len(tables) >= 2
    english = html_lib.unescape(" ".join(o["data"]["text/html"] for o in tables))
    en_wording = {s["name"]: s["label"] for s in staff_def.item_specs("en")}
    assert en_wording["role_clear"] in english and all(f.label["en"] in english for f in factors)
    for lang in ("nl", "fr"):
        text = html_lib.unescape(" ".join(o["data"][MIME][lang]["text/html"] for o in tables))
        wording = {s["name"]: s["label"] for s in staff_def.item_specs(lang)}
        assert wording["role_clear"] in text and en_wording["role_clear"] not in text
        assert all(f.label[lang] in text for f in factors)
        for o in figures:  # drawn in that language: another SVG than the English one
            assert o["data"][MIME][lang]["image/svg+xml"] != o["data"]["image/svg+xml"]


def test_calibration_glued_from_the_record(executed):
    from analysis.integration.calibration import calibration_record

    nb, _tables = executed
    cal = calibration_record().set_index("quantity")
    assert _glued(nb, "pp_cal_agree") == f"{100 * cal.loc['staff_agree', 'coverage']:.1f}%"
    assert _glued(nb, "pp_cal_or") == f"{100 * cal.loc['role_or', 'coverage']:.1f}%"
    assert "How far the intervals can be trusted" in CHAPTER.read_text(encoding="utf-8")
