"""Exemplar quotes: screen, sign-off, hidden sites, banded counts (synthetic quotes)."""

import pandas as pd
import pytest

from analysis.themes import sha256_text, select_quotes

PARENTS = {"trust.credibility": "trust"}
SEGMENTS = pd.DataFrame(
    [
        ("q1", "P1", "detainee", "Haren", "trust.credibility", "Hij weet waar ik door ga."),
        ("q2", "P2", "detainee", "Haren", "trust", "Fatima belde me op 0475 12 34 56."),
        ("q3", "P3", "peer_worker", "Lantin", "trust", "Ze geloven me omdat ik het zelf meemaakte."),
        ("q4", "P4", "staff", "Lantin", "trust", "Het vertrouwen groeide na een paar maanden."),
        ("q5", "P1", "detainee", "Haren", "hope", "Ik zie weer een toekomst."),
        ("q6", "P5", "detainee", "Merksplas", "trust", "Zonder hem had ik niet gepraat."),
    ],
    columns=["segment_id", "pid", "respondent_group", "site", "code", "text"],
)
SIGNOFF = pd.DataFrame({
    "segment_id": ["q1", "q2", "q3", "q4", "q6"],
    "approved_by": ["reviewer A", "reviewer A", "reviewer B", "reviewer B", " "],
    "approved_at": ["2024-05-01", "2024-05-01", "2024-05-02", "2024-05-02", "2024-05-03"],
})


def select(**kwargs):
    return select_quotes(SEGMENTS, theme="trust", parents=PARENTS, signoff=SIGNOFF,
                         names=["Fatima"], places=["Haren", "Lantin", "Merksplas"], **kwargs)


def test_only_checked_and_signed_quotes_are_publishable():
    result = select()
    published = result.to_frame()
    assert published["quote_id"].tolist() == ["q1", "q3", "q4"]
    review = result.review().set_index("quote_id")
    assert review.loc["q2", "findings"] == "name, phone" and not review.loc["q2", "publishable"]
    assert review.loc["q6", "signoff_problem"] == "no sign-off"  # blank approver does not count
    assert "q5" not in review.index  # another theme


def test_staff_and_peer_workers_carry_no_site_and_counts_are_banded():
    published = select().to_frame().set_index("quote_id")
    assert published.loc["q1", "site"] == "Haren"
    assert published.loc["q3", "site"] is None and published.loc["q4", "site"] is None
    assert published.loc["q1", "mentioned_by"] == "fewer than 5"  # 3 detainees
    assert "pid" not in published.columns and "subject" not in published.columns
    assert select(policy={"threshold": 3}).to_frame().set_index("quote_id").loc["q1", "mentioned_by"] == "3"


def test_signoff_of_changed_text_lapses():
    signoff = SIGNOFF.assign(text_sha256=[sha256_text("Hij weet waar ik door ga."), None, "0" * 64, None, None])
    result = select_quotes(SEGMENTS, theme="trust", parents=PARENTS, signoff=signoff)
    review = result.review().set_index("quote_id")
    assert review.loc["q1", "signed_off"]
    assert review.loc["q3", "signoff_problem"] == "text changed after sign-off"
    assert result.to_frame()["quote_id"].tolist() == ["q1", "q4"]


def test_latest_signoff_counts_and_per_group_limit():
    later = pd.concat([SIGNOFF, pd.DataFrame({"segment_id": ["q1"], "approved_by": ["reviewer C"],
                                               "approved_at": ["2024-06-01"]})])
    result = select_quotes(SEGMENTS, theme="trust", parents=PARENTS, signoff=later, per_group=1,
                           groups=["staff", "detainee"])
    published = result.to_frame()
    assert published["group"].tolist() == ["staff", "detainee"]
    assert published.set_index("quote_id").loc["q1", "approved_by"] == "reviewer C"


def test_without_signoff_nothing_is_publishable():
    result = select_quotes(SEGMENTS, theme="trust", parents=PARENTS)
    assert result.to_frame().empty
    assert "0 publishable" in result.title
    assert result.plot() is not None


def test_errors_name_the_fix():
    with pytest.raises(ValueError, match="no segment carries theme 'pay'"):
        select_quotes(SEGMENTS, theme="pay")
    with pytest.raises(KeyError, match="pass approved_at="):
        select_quotes(SEGMENTS, theme="trust", signoff=SIGNOFF.drop(columns="approved_at"))
