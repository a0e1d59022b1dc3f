"""One detectable-effect convention in the report (issue 12): no model puts its own minimum detectable
hazard ratio among its remarks; the power calculation stays available as the ``detectable`` attribute."""

from __future__ import annotations

import numpy as np

from analysis.comparison.calibration import COVARIATES, simulate_cohort, structure
from analysis.recidivism import cox_model, kaplan_meier, logrank_test, one_year_rate


def test_no_model_remark_states_its_own_detectable_effect():
    d = simulate_cohort(np.random.default_rng(3), hr=0.8, ps=structure())
    results = [
        cox_model(d, covariates=COVARIATES, site_as="strata", bootstrap=None),
        kaplan_meier(d, group="group", times=(365,)),
        logrank_test(d, strata="site"),
        one_year_rate(d),
    ]
    for res in results:
        text = " ".join(res.remarks)
        assert "power (two-sided" not in text and "detect a hazard ratio" not in text, type(res).__name__
    # the per-model power calculation is still there for an analyst who asks for it
    assert results[0].detectable.mde_hr < 1 and results[2].detectable.mde_hr < 1
    assert results[3].detectable.mde_hr < 1
