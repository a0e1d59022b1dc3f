"""analysis.items against R (tests/reference/items: reference.R, r_output.txt, r_results.json)."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd
import pytest

from analysis.items.compare import stratified_superiority
from analysis.items import (ItemSpec, domain_scores, item_distribution, ordinal_comparison,
                            probability_of_superiority)

REF = Path(__file__).resolve().parents[2] / "reference" / "items"
R = json.loads((REF / "r_results.json").read_text())
AGREE5 = [{"code": c, "label": t} for c, t in enumerate(
    ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"], start=1)]
NONRESP = [{"code": -7, "kind": "dont_know", "label": "Don't know"}, {"code": -8, "kind": "refused", "label": "Refused"}]
ROLE = {"name": "role_clear", "label": "The tasks are clearly agreed.", "choices": AGREE5, "nonresponse": NONRESP}


@pytest.fixture(scope="module")
def role():
    return pd.read_csv(REF / "role_clarity.csv")


def test_proportional_odds_against_R(role):
    res = ordinal_comparison(role, ROLE, group="group", reference="staff", compare="peer_worker", site="site")
    # R: polr(y ~ group + site, Hess = TRUE); coef(m)["grouppeer_worker"]
    assert res.coefficients.loc["group[peer_worker]", "estimate"] == pytest.approx(R["polr_logor"], abs=1e-4)
    # R: sqrt(diag(vcov(m)))["grouppeer_worker"]
    assert res.coefficients.loc["group[peer_worker]", "se"] == pytest.approx(R["polr_se"], abs=1e-3)
    # R: exp(b + c(-1, 1) * qnorm(0.975) * se)
    assert res.odds_ratio == pytest.approx(R["polr_or"], rel=1e-4)
    assert res.table.loc[0, "ci_low"] == pytest.approx(R["polr_or_ci"][0], rel=1e-3)
    assert res.table.loc[0, "ci_high"] == pytest.approx(R["polr_or_ci"][1], rel=1e-3)
    # R: summary(clm(y ~ group + site))$coefficients["grouppeer_worker", "Pr(>|z|)"]
    assert res.table.loc[0, "p_val"] == pytest.approx(R["clm_p"], rel=1e-2)
    # R: nrow(d[d$group == ...]) after dropping don't know
    assert res.n == {"staff": R["n_staff"], "peer_worker": R["n_peer"]}
    assert res.n_left_out == (role["role_clear"] < 0).sum()
    # the thresholds are polr's zeta on statsmodels' increment scale: first = zeta_1, then log-differences
    th = res.coefficients["estimate"].iloc[-4:].to_numpy()
    assert th[0] == pytest.approx(R["polr_zeta"][0], abs=1e-3)
    assert np.exp(th[1:]) == pytest.approx(np.diff(R["polr_zeta"]), abs=1e-3)


def test_probability_of_superiority_against_R(role):
    ok = role[role["role_clear"] > 0]
    x = ok.loc[ok["group"] == "peer_worker", "role_clear"]
    y = ok.loc[ok["group"] == "staff", "role_clear"]
    a, lo, hi = probability_of_superiority(x, y)
    # R (by hand, Brunner & Munzel 2000): a <- (mean(rx) - (nx + 1) / 2) / ny
    assert a == pytest.approx(R["bm_a"], abs=1e-10)
    # R: a + c(-1, 1) * qt(0.975, df) * se_a
    assert (lo, hi) == pytest.approx(tuple(R["bm_ci"]), abs=1e-8)
    res = ordinal_comparison(role, ROLE, group="group", reference="staff", compare="peer_worker", site=None)
    # R: 2 * pt(-abs((a - 0.5) / se_a), df)
    assert res.table.loc[1, "p_val"] == pytest.approx(R["bm_p"], rel=1e-6)


def test_distribution_keeps_nonresponse_apart_and_wilson_against_R(role):
    dist = item_distribution(role, [ROLE], group="group")
    pw = dist.summary.set_index("group").loc["peer_worker"]
    # R: k <- sum(x >= 4); prop.test(k, nx, correct = FALSE)$conf.int
    assert (pw["n_agree"], pw["n_answered"]) == (R["wilson_k"], R["wilson_n"])
    assert (pw["agree_ci_low"], pw["agree_ci_high"]) == pytest.approx(tuple(R["wilson_ci"]), abs=1e-10)
    counts = dist.counts.set_index(["group", "category"])["n"]
    n_dk = int(((role["group"] == "peer_worker") & (role["role_clear"] == -7)).sum())
    assert counts[("peer_worker", "Don't know")] == n_dk
    assert pw["n_nonresponse"] == n_dk
    # don't know is not in the denominator of share_answered but is in share
    c = dist.counts[dist.counts["group"] == "peer_worker"]
    assert c.loc[c["kind"] == "answer", "share_answered"].sum() == pytest.approx(1.0)
    assert c["share"].sum() == pytest.approx(1.0)
    assert pw["median"] == float(np.median(role.loc[(role["group"] == "peer_worker") & (role["role_clear"] > 0),
                                                    "role_clear"]))


def test_domain_alpha_and_omega_against_R():
    dm = pd.read_csv(REF / "domain.csv")
    specs = [{"name": f"d{j}", "label": f"item {j}", "choices": AGREE5, "nonresponse": NONRESP,
              "factor": "training", "reverse": j == 4} for j in range(1, 5)]
    res = domain_scores(dm, specs)
    rel = res.reliability.set_index("factor").loc["training"]
    # R: psych::alpha(cc)$total$raw_alpha (d4 reversed, complete cases)
    assert rel["alpha"] == pytest.approx(R["alpha"], abs=1e-8)
    assert rel["n_complete"] == R["alpha_n"]
    # R: psych::alpha.ci(alpha, n, n.var = 4) (Feldt)
    assert (rel["alpha_ci_low"], rel["alpha_ci_high"]) == pytest.approx(tuple(R["alpha_feldt"]), abs=1e-6)
    # R: 1 - sum(1 - fa(cc, 1, fm = "minres")$communality) / sum(cor(cc))
    assert rel["omega_total"] == pytest.approx(R["omega_total"], abs=1e-4)


def test_domain_needs_three_ordinal_items():
    dm = pd.read_csv(REF / "domain.csv")
    specs = [{"name": f"d{j}", "label": "x", "choices": AGREE5, "factor": "a" if j < 3 else "b"} for j in range(1, 5)]
    res = domain_scores(dm.clip(lower=1), specs)
    assert res.reliability.empty and "a" not in res.scores and len(res.remarks) == 3


def test_spec_defaults_and_bad_codes():
    s = ItemSpec.from_mapping(ROLE)
    assert s.positive == (4, 5) and s.neutral == 3 and s.negative == (1, 2)
    yn = ItemSpec.from_mapping({"name": "yn", "label": "?", "choices": [{"code": 1, "label": "Yes"},
                                                                        {"code": 0, "label": "No"}]})
    assert yn.positive == (1,) and yn.neutral is None and yn.codes == (0, 1)
    with pytest.raises(ValueError, match="role_clear: codes \\[9\\]"):
        item_distribution(pd.DataFrame({"role_clear": [1, 9]}), [ROLE])


def test_diverging_plot_centres_on_neutral(role):
    import matplotlib.pyplot as plt

    staff = role[role["group"] == "staff"].assign(other=lambda f: f["role_clear"].clip(upper=2))
    dist = item_distribution(staff, [ROLE, {**ROLE, "name": "other", "label": "Other"}])
    ax = dist.plot(lang="nl")
    bars = [p for p in ax.patches]
    # 5 segments; the neutral one straddles zero symmetrically
    neutral = bars[2]
    assert neutral.get_x() == pytest.approx(-neutral.get_width() / 2)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # sorted by agreement: the item nobody agrees with first (bottom), role_clear on top
    assert labels[0].startswith("Other") and "clearly agreed" in labels[1] and "n = " in labels[1]
    plt.close(ax.figure)


def test_prison_enters_the_odds_ratio_only_and_the_rank_effect_says_it_pools(role):
    with_site = ordinal_comparison(role, ROLE, group="group", reference="staff", compare="peer_worker", site="site")
    without = ordinal_comparison(role, ROLE, group="group", reference="staff", compare="peer_worker", site=None)
    # the odds ratio changes with the prison fixed effect (polr with and without + site differ, see reference.R)
    assert with_site.table.loc[0, "estimate"] != pytest.approx(without.table.loc[0, "estimate"], rel=1e-3)
    # the rank-based effect is the same number either way: it is not stratified, and its label and remark say so
    cols = ["estimate", "ci_low", "ci_high", "p_val"]
    assert with_site.table.loc[1, cols].tolist() == pytest.approx(without.table.loc[1, cols].tolist())
    assert with_site.table.loc[1, "quantity"].endswith(", sites pooled")
    assert not without.table.loc[1, "quantity"].endswith("pooled")
    assert len(without.table) == 2  # no stratified row without a site
    assert any("pools the sites" in r and "van Elteren" in r for r in with_site.remarks)


def test_van_elteren_stratified_effect_against_R(role):
    res = ordinal_comparison(role, ROLE, group="group", reference="staff", compare="peer_worker", site="site")
    row = res.table.iloc[2]
    assert "within sites (van Elteren)" in row["quantity"]
    # R (by hand): num / den with num += U_s / (N_s + 1), den += n_x n_y / (N_s + 1)
    assert row["estimate"] == pytest.approx(R["ve_a"], abs=1e-10)
    # R: 2 * pnorm(-abs(dev / sqrt(v)))
    assert row["p_val"] == pytest.approx(R["ve_p"], rel=1e-8)
    assert np.isnan(row["ci_low"]) and np.isnan(row["ci_high"])  # no interval, on purpose
    ok = role[role["role_clear"] > 0]
    x, y = ok[ok["group"] == "peer_worker"], ok[ok["group"] == "staff"]
    a, z, p, used = stratified_superiority(x["role_clear"], y["role_clear"], x["site"], y["site"])
    # R: dev / sqrt(v); strata with both groups
    assert (z, used) == (pytest.approx(R["ve_z"], rel=1e-10), R["ve_strata"])


def test_van_elteren_handles_a_group_of_one_and_one_sided_strata():
    # stratum A: x = [3] vs y = [1, 3]: ranks 2.5 | 1, 2.5 -> U = 1.5 of 2 -> 0.75
    # stratum B: x only -> left out; stratum C: x = [5, 4] vs y = [1]: U = 2 of 2 -> 1.0
    a, z, p, used = stratified_superiority([3, 2, 5, 4], [1, 3, 1], ["A", "B", "C", "C"], ["A", "A", "C"])
    assert used == 2
    # weights n_x n_y / (N + 1): A 2/4, C 2/4 -> (0.75 + 1.0) / 2
    assert a == pytest.approx(0.875)
    assert 0 < p < 1 and z > 0


def test_chapter_does_not_claim_a_prison_adjusted_rank_effect():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "book" / "perspectives.md").read_text(encoding="utf-8")
    prose = " ".join(text.split())
    assert "within each prison" in prose and "van Elteren" in prose
    assert "pools the prisons" in prose


def test_banded_counts_every_code_in_one_band_nonresponse_and_blank_apart():
    from analysis.items import banded_counts

    spec = {"name": "work_status", "label": "Paid?", "nonresponse": [{"code": -8, "kind": "refused", "label": "R"}],
            "choices": [{"code": c, "label": str(c)} for c in (1, 2, 3, 4, 5)]}
    data = pd.DataFrame({"pid": list("abcdefgh") + ["a"],
                         "work_status": [1, 2, 2, 3, 4, 5, -8, np.nan, 1]})
    bands = {"work_status": {"paid": [1, 2], "volunteer": [3, 4], "other": [5]}}
    t = banded_counts(data, [spec], bands, subject="pid").to_frame()
    assert dict(zip(t["answer"], t["n"])) == {"paid": 3, "volunteer": 2, "other": 1, "no answer": 1,
                                              "not asked or blank": 1}
    assert t["n"].sum() == 8  # distinct persons, each counted once
    with pytest.raises(ValueError, match=r"\[5\] are in no band"):
        banded_counts(data, [spec], {"work_status": {"paid": [1, 2], "volunteer": [3, 4]}})
    with pytest.raises(ValueError, match="more than one band"):
        banded_counts(data, [spec], {"work_status": {"paid": [1, 2], "any": [2, 3, 4, 5]}})
    with pytest.raises(ValueError, match="neither answers nor nonresponse"):
        banded_counts(data.assign(work_status=9), [spec], bands)


def test_plot_takes_disclosure_safe_labels():
    """The chart's number of answers and nonresponse text can be replaced (the chapter passes safe_part's)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analysis.items import item_distribution

    spec = {"name": "q", "label": "A question", "choices": [{"code": c, "label": str(c)} for c in range(1, 6)],
            "nonresponse": [{"code": -7, "kind": "dont_know", "label": "don't know"}]}
    data = pd.DataFrame({"q": [1, 2, 3, 4, 5] * 4 + [-7, -7]})
    dist = item_distribution(data, [spec])
    fig, ax = plt.subplots()
    dist.plot(ax=ax, n_labels={"q": "n = all but fewer than 10"}, nonresponse_labels={"q": "not answered¹ fewer than 10"})
    texts = [t.get_text() for t in ax.get_yticklabels()] + [t.get_text() for t in ax.texts]
    assert any(t.endswith("n = all but fewer than 10") for t in texts)
    assert "not answered¹ fewer than 10" in texts and not any("n = 20" in t for t in texts)
    assert not any("%" in t and "answer" in t for t in texts)
    plt.close(fig)
