"""No provisional individual-change share reaches the key findings."""

import dataclasses
import re

import pytest

from analysis.wellbeing import paired_change, reliable_change, score_scale
from analysis.wellbeing.findings import key_findings
from analysis.wellbeing.scoring import ScaleSpec

from .conftest import WHO5


@pytest.fixture(scope="module")
def scores(who5_items):
    return score_scale(who5_items, WHO5)


def test_unverified_inputs_make_shares_provisional_and_keep_them_out(scores):
    rc = reliable_change(scores, WHO5)  # WHO5 fixture: not verified
    assert rc.provisional and set(rc.table["status"]) == {"provisional"}
    assert rc.remarks[1].startswith("Provisional")
    kf = key_findings(label="WHO-5", change=paired_change(scores), individual=rc)
    text = " ".join(kf.findings)
    assert not re.search(r"\d+% (reliably|improved|deteriorated)", text) and "reliably" not in text  # no share
    assert any("provisional" in w for w in kf.withheld)
    assert set(kf.to_frame()["status"]) == {"finding", "withheld"}


def test_verified_inputs_make_a_finding(scores):
    rc = reliable_change(scores, {**WHO5, "verified": True})
    assert not rc.provisional and set(rc.table["status"]) == {"finding"}
    kf = key_findings(label="WHO-5", individual=rc)
    assert len(kf.findings) == 1 and re.search(r"\d+% reliably improved", kf.findings[0])


def test_sample_stand_ins_are_never_verified(scores):
    spec = {**WHO5, "verified": True, "norm_sd": None}
    rc = reliable_change(scores, spec)
    assert rc.provisional  # the SD of the data stood in
    assert key_findings(label="WHO-5", individual=rc).findings == ()


def test_sdc_step_and_mic_remarks(scores):
    rc = reliable_change(scores, WHO5)
    # SDC = 1.96 * sqrt(2) * SD * sqrt(1 - r) = 1.96 * sqrt(2) * 20 * sqrt(0.17)
    assert rc.sdc == pytest.approx(1.96 * 2**0.5 * 20 * 0.17**0.5) == pytest.approx(22.86, abs=0.01)
    assert rc.step == ScaleSpec.from_mapping(WHO5).step == 4
    text = " ".join(rc.remarks)
    assert "smaller than the smallest detectable change (22.9 points)" in text
    assert "steps of 4 points, so the smallest change counted as important is 12, not 10" in text


def test_small_results_are_withheld(scores):
    ch = paired_change(scores)
    kf = key_findings(label="WHO-5", change=dataclasses.replace(ch, n_pairs=5))
    assert kf.findings == () and kf.withheld
