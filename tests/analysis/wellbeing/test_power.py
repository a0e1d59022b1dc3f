import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis.wellbeing.power import min_detectable_dz, nct_cdf, paired_power


def test_min_detectable_dz_against_R(r_results):
    # R: power.t.test(n = 10, sd = 1, power = .8, type = "paired", strict = TRUE)$delta; tolerance 1e-8
    assert min_detectable_dz(10) == pytest.approx(r_results["sleep"]["mdes_dz"], abs=1e-8)
    # R: power.t.test(n = 235, sd = 1, power = .8, type = "paired", strict = TRUE)$delta; tolerance 1e-8
    assert min_detectable_dz(235) == pytest.approx(r_results["who5_paired"]["mdes_dz"], abs=1e-8)


@settings(max_examples=40, deadline=None)
@given(st.integers(3, 2000), st.sampled_from([0.5, 0.8, 0.9]))
def test_power_at_the_minimum_detectable_dz_is_the_target(n, power):
    d = min_detectable_dz(n, power=power)
    assert paired_power(d, n) == pytest.approx(power, abs=1e-8)
    # the noncentral t needs a larger effect than the normal approximation promises
    z = (stats.norm.ppf(0.975) + stats.norm.ppf(power)) / n**0.5
    assert d > z
    assert min_detectable_dz(n + 1, power=power) < d


def test_degenerate_inputs():
    assert min_detectable_dz(1) != min_detectable_dz(1)  # NaN
    with pytest.raises(ValueError, match="power and alpha"):
        min_detectable_dz(10, power=1.2)


@pytest.mark.parametrize("x, ncp", [(5.44, -4.56), (-5.44, 5.43), (-1.97, 10.0), (2.0, 0.0)])
def test_nct_cdf_is_finite_and_consistent_in_the_tails(x, ncp):
    v = nct_cdf(x, 230, ncp)
    assert 0 <= v <= 1
    assert v == pytest.approx(1 - nct_cdf(-x, 230, -ncp), abs=1e-12)
