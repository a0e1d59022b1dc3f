import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from analysis.wellbeing.reliability import cronbach_alpha, item_rest, omega_total, scale_reliability
from analysis.wellbeing.scoring import ScaleSpec

from .conftest import REF, WHO5


def test_who5_reliability_against_R(who5_items, r_results):
    res = scale_reliability(who5_items, WHO5)
    t = res.to_frame().set_index("wave")
    for wave in ("T0", "T1"):
        ref = r_results["who5_reliability"][wave]
        assert t.loc[wave, "n"] == ref["n"]
        # R: psych::alpha(x)$total$raw_alpha (complete rows); tolerance 1e-10
        assert t.loc[wave, "alpha"] == pytest.approx(ref["raw_alpha"], abs=1e-10)
        # R: psych::alpha(x)$feldt$lower.ci / $upper.ci; tolerance 1e-10
        assert t.loc[wave, "alpha_ci_low"] == pytest.approx(ref["feldt_lower"], abs=1e-10)
        assert t.loc[wave, "alpha_ci_high"] == pytest.approx(ref["feldt_upper"], abs=1e-10)
        # R: psych::omega(x, nfactors = 1)$omega.tot (minres); tolerance 1e-5 (iterative fits)
        assert t.loc[wave, "omega_total"] == pytest.approx(ref["omega_tot"], abs=1e-5)
        items = res.items[res.items["wave"] == wave]
        # R: psych::alpha(x)$item.stats$r.drop; tolerance 1e-10
        assert items["item_rest_r"].to_numpy() == pytest.approx(ref["r_drop"], abs=1e-10)
        # R: psych::alpha(x)$alpha.drop$raw_alpha; tolerance 1e-10
        assert items["alpha_if_dropped"].to_numpy() == pytest.approx(ref["alpha_drop"], abs=1e-10)
        # R: psych::fa(x, nfactors = 1, fm = "minres")$loadings; tolerance 1e-4
        assert items["loading"].to_numpy() == pytest.approx(ref["minres_loadings"], abs=1e-4)


def test_bfi_agreeableness_with_reverse_key_against_R(r_results):
    a = pd.read_csv(REF / "bfi_agreeableness.csv")
    spec = ScaleSpec.from_mapping({"id": "bfi_A", "items": list(a.columns), "reverse": ["A1"], "item_min": 1,
                                   "item_max": 6, "method": "mean"})
    res = scale_reliability(a.assign(wave="only"), spec)
    row = res.to_frame().iloc[0]
    ref = r_results["bfi_A"]
    assert row["n"] == ref["n"]
    # R: psych::alpha(Ac)$total$raw_alpha with Ac$A1 <- 7 - Ac$A1; tolerance 1e-10
    assert row["alpha"] == pytest.approx(ref["raw_alpha"], abs=1e-10)
    # R: psych::alpha(Ac)$feldt; tolerance 1e-10
    assert (row["alpha_ci_low"], row["alpha_ci_high"]) == pytest.approx(
        (ref["feldt_lower"], ref["feldt_upper"]), abs=1e-10)
    # R: psych::omega(Ac, nfactors = 1)$omega.tot; tolerance 1e-5
    assert row["omega_total"] == pytest.approx(ref["omega_tot"], abs=1e-5)
    # R: psych::alpha(Ac)$item.stats$r.drop; tolerance 1e-10
    assert res.items["item_rest_r"].to_numpy() == pytest.approx(ref["r_drop"], abs=1e-10)


def test_alpha_matches_pingouin_feldt_interval(who5_items):
    x = who5_items[WHO5["items"]].replace(-9, np.nan).astype(float)
    a, lo, hi, n = cronbach_alpha(x)
    pa, pci = pg.cronbach_alpha(data=x.dropna())
    assert a == pytest.approx(pa, abs=1e-10)
    assert (lo, hi) == pytest.approx(tuple(pci), abs=2e-3)  # pingouin rounds its CI to 3 decimals


def test_low_alpha_is_remarked():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.integers(0, 6, size=(80, 5)), columns=WHO5["items"]).assign(wave="T0")
    res = scale_reliability(x, WHO5)
    assert res.table["alpha"].iloc[0] < 0.7
    assert any("below 0.7" in r for r in res.remarks)


def test_omega_of_congeneric_items_is_close_to_truth():
    rng = np.random.default_rng(5)
    lam = np.array([0.8, 0.7, 0.6, 0.5])
    f = rng.normal(size=4000)
    x = f[:, None] * lam + rng.normal(size=(4000, 4)) * np.sqrt(1 - lam**2)
    om, loadings, heywood = omega_total(x)
    truth = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())
    assert om == pytest.approx(truth, abs=0.02)
    assert loadings == pytest.approx(lam, abs=0.05) and not heywood


def test_item_rest_and_plot(who5_items):
    res = scale_reliability(who5_items, WHO5)
    ax = res.plot()
    assert ax.get_ylabel() == "reliability" and len(ax.get_xticks()) == 2
    ir = item_rest(who5_items[WHO5["items"]].replace(-9, np.nan).dropna())
    assert list(ir.columns) == ["item_rest_r", "alpha_if_dropped"]
    assert "Reliability of who5" in res._repr_html_()
