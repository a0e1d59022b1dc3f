"""Loaders: the DESIGN.md contracts, harmonisation across versions, submissions and status."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluation.intake.pseudonymise import Pseudonymiser, nrn_check_digits, pseudonymise_frame
from evaluation.store import (
    CONTRACT_COLUMNS,
    OUTCOME_COLUMNS,
    Store,
    SubmissionMeta,
    outcomes,
    responses,
    status,
    submissions,
)

from .conftest import KEY, mini_frame, submit


def test_responses_contract_columns_and_types(ws, store, catalogue, mini):
    submit(ws, store, mini_frame(4))
    frame, report = responses(ws, "mini", "1.0", catalogue=catalogue)  # a Workspace works too
    item_cols = [c for c in mini.columns() if c not in ("prison_number", "site", "wave", "date", "comment")]
    assert list(frame.columns) == [*CONTRACT_COLUMNS, *item_cols]  # free text held out by default
    assert frame["date"].dtype.kind == "M" and frame["wave"].tolist() == [1] * 4
    assert frame["pid"].str.match(r"^k1-[0-9a-f]{64}$").all()
    assert report.complete and report.versions == (("1.0", 4),)


def test_responses_harmonise_older_versions_and_report_losses(ws, store, catalogue):
    submit(ws, store, mini_frame(4), name="a.csv")
    submit(ws, store, mini_frame(3, wave=2, version="1.1"), version="1.1", name="b.csv")
    frame, report = responses(store, "mini", catalogue=catalogue)  # latest: 1.1
    assert report.target_version == "1.1"
    assert list(frame["instrument_version"]) == ["1.0"] * 4 + ["1.1"] * 3
    assert "hours_week" in frame and "hours" not in frame and "comment" not in frame
    old = frame[frame["instrument_version"] == "1.0"]
    assert old["hours_week"].notna().all()  # renamed item carried over
    assert old["naloxone"].isna().all()  # added in 1.1: not collected
    lost = report.to_frame()
    assert lost.to_dict("records") == [
        {"from_version": "1.0", "item": "support_kind", "values_lost": 4,
         "reason": "choice 3 of 1.0 has no equivalent"}]
    assert ("1.0", "comment") in {(v, i) for v, i, _ in report.not_harmonisable}
    # the same data read at 1.0
    frame10, _ = responses(store, "mini", "1.0", catalogue=catalogue)
    assert "hours" in frame10 and len(frame10) == 7


def test_superseded_and_rejected_data_are_not_loaded(ws, store, catalogue):
    first = submit(ws, store, mini_frame(4), name="a.csv")
    submit(ws, store, mini_frame(2, start=50), name="b.csv", replaces=first)
    frame, _ = responses(store, "mini", catalogue=catalogue)
    assert len(frame) == 2 and set(frame["submission_id"]) == {store.submissions()["submission_id"].iloc[1]}


def test_empty_store_gives_the_contract_columns(store, catalogue):
    frame, report = responses(store, "mini", catalogue=catalogue)
    assert frame.empty and list(frame.columns[:6]) == list(CONTRACT_COLUMNS)
    assert report.versions == ()


def _nrn(i: int) -> str:
    first9 = f"7{i:08d}"[:9]
    return first9 + f"{nrn_check_digits(first9, born_2000_or_later=False):02d}"


def test_outcomes_contract(ws, outcomes_catalogue):
    store = Store(ws, catalogue=outcomes_catalogue)
    raw = pd.DataFrame({
        "national_register": [_nrn(i) for i in range(3)],
        "site": ["P01", "P01", "P02"],
        "entry_date": ["2023-01-05", "2023-02-01", "2023-03-01"],
        "release_date": ["2024-01-05", "2024-02-01", "2024-03-01"],
        "eligible": [1, 0, 1],
        "offence_date": ["2024-06-01", None, None],
        "reoffence_kind": [2, None, None],
        "sex": [1, 2, -8],
        "age_at_release": [30, 41, 25],
    })
    framed, problems = pseudonymise_frame(raw, {"national_register": "national_register"}, KEY)
    assert not problems
    path = ws.root.parent / "release.csv"
    raw.to_csv(path, index=False)
    sha, stored, _ = ws.keep_raw(path)
    store.write_submission(SubmissionMeta(sha, "release.csv", "P01", "release_outcomes", "1.0", stored_path=stored,
                                          id_columns={"national_register": "national_register"}), framed)
    out = outcomes(store)
    assert tuple(out.columns[: len(OUTCOME_COLUMNS)]) == OUTCOME_COLUMNS
    assert out["release_date"].dtype.kind == "M" and out["offence_date"].dtype.kind == "M"
    assert out["eligible"].tolist() == [True, False, True]
    assert out["reoffence_kind"].tolist()[0] == "reimprisonment"
    assert out["sex"].tolist()[:2] == ["male", "female"] and pd.isna(out["sex"].iloc[2])  # refused -> missing
    assert out["followup_end"].isna().all()  # not an item of this definition: an empty contract column
    assert out["pid"].iloc[0] == Pseudonymiser(KEY).pseudonym("national_register", _nrn(0))
    store.close()


def test_submissions_and_status(ws, store, catalogue):
    submit(ws, store, mini_frame(4), name="a.csv")
    submit(ws, store, mini_frame(3, wave=2), name="b.csv")
    path = ws.root.parent / "bad.csv"
    path.write_text("nonsense\n")
    sha, stored, _ = ws.keep_raw(path)
    store.record_rejection(SubmissionMeta(sha, "bad.csv", "P02", "mini", "1.0", stored_path=stored), {"status": "rejected"})
    subs = submissions(store)
    assert list(subs["status"]) == ["accepted", "accepted", "rejected"] and "file_name" not in subs
    st = status(store, catalogue, instruments=["mini"])
    assert len(st) == 10 * 2  # ten sites x two waves
    p01 = st[st["site"] == "P01"].set_index("wave")
    assert p01.loc[1, "responses"] == 4 and p01.loc[2, "responses"] == 3 and not p01["missing"].any()
    p02 = st[st["site"] == "P02"].set_index("wave")
    assert p02["missing"].all() and p02.loc[1, "rejected"] == 1


def test_loader_needs_a_workspace_or_store():
    with pytest.raises(TypeError, match="Workspace"):
        responses("/tmp/somewhere", "mini")


def test_linkage_rate_per_site_through_the_crosswalk(ws, outcomes_catalogue):
    """Release records carrying both numbers link to surveys keyed by prison number."""
    from evaluation.store import linkage

    store = Store(ws, catalogue=outcomes_catalogue)
    submit(ws, store, mini_frame(3, start=0), name="survey.csv")  # prison numbers AB-00000..AB-00002
    raw = pd.DataFrame({
        "prison_number": ["ab 00000", "AB-00001", "AB-99999", "AB-00002"],
        "national_register": [_nrn(i) for i in range(4)],
        "site": ["P01", "P01", "P01", "P02"],
        "release_date": ["2024-01-05"] * 4,
    })
    ids = {"prison_number": "prison_number", "national_register": "national_register"}
    framed, problems = pseudonymise_frame(raw, ids, KEY)
    assert not problems and {"pid", "pid_national_register"} <= set(framed.columns)
    path = ws.root.parent / "release.csv"
    raw.to_csv(path, index=False)
    sha, stored, _ = ws.keep_raw(path)
    store.write_submission(SubmissionMeta(sha, "release.csv", "P01", "release_outcomes", "1.0", stored_path=stored,
                                          id_columns=ids), framed)
    out = linkage(store)
    assert out.to_dict("records") == [
        {"site": "P01", "episodes": 3, "linked": 2, "rate": 2 / 3},
        {"site": "P02", "episodes": 1, "linked": 1, "rate": 1.0}]
    assert "pid_national_register" in outcomes(store).columns
    store.close()
