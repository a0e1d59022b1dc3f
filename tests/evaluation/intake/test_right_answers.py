"""Right answers (issue 17 part 5): wide rows, identifiers as declared, echoed values capped, unknown versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.demo.files import write_csv_data
from evaluation.instruments import Catalogue
from evaluation.instruments.synthetic import synthetic_responses
from evaluation.intake.pseudonymise import PseudonymKey, Pseudonymiser, normalise_identifier, InvalidIdentifier
from evaluation.intake.submit import check_file, submit_file

CAT = Catalogue()
DET = CAT.instrument("detainee", CAT.latest("detainee"))
KEY = PseudonymKey(bytes(range(32)), 1, "generated")


def _csv(tmp_path: Path, df, name="f.csv") -> Path:
    return write_csv_data(DET, df, tmp_path / name)


def test_rows_wider_than_the_header_are_an_error(tmp_path):
    path = _csv(tmp_path, synthetic_responses(DET, 4, site="P03", seed=1))
    lines = path.read_text(encoding="cp1252").splitlines()
    lines[3] += ";EXTRA;MORE"
    path.write_text("\n".join(lines) + "\n", encoding="cp1252")
    report = check_file(path, site="P03")
    assert not report.valid and report.text() != "" and "no problems found" not in report.text()


@pytest.mark.parametrize("folded,plain", [("ﬁ-12345", "FI-12345"), ("ıA-12345", "IA-12345"),
                                          ("ſA-12345", "SA-12345"), ("ßA-12345", "SSA-12345")])
def test_no_compatibility_folding_merges_two_people(folded, plain):
    ps = Pseudonymiser(KEY)
    assert ps.try_pseudonym("prison_number", folded) == (None, "non-ascii")
    assert ps.try_pseudonym("prison_number", plain)[0] is not None
    with pytest.raises(InvalidIdentifier):
        normalise_identifier("prison_number", folded)


def test_a_prison_number_with_folding_letters_is_rejected_at_intake(tmp_path):
    df = synthetic_responses(DET, 4, site="P03", seed=2)
    pid = DET.role_item("pid").name
    df.loc[1, pid] = "ﬁ-12345"
    df.loc[2, pid] = "FI-12345"
    from evaluation.demo.files import write_sav_data

    path = write_sav_data(DET, df, tmp_path / "f.sav", "nl")  # UTF-8 (Windows-1252 has no ﬁ)
    report = submit_file(path, site="P03", workspace=tmp_path / "ws", key=KEY)
    assert report.status == "rejected"
    assert [p.row for p in report.problems if p.code == "identifier-invalid"]


def test_a_10_mb_prison_number_is_refused_and_never_echoed(tmp_path):
    ps = Pseudonymiser(KEY)
    assert ps.try_pseudonym("prison_number", "A" * 10_000_000) == (None, "too-long")
    assert ps.try_pseudonym("prison_number", "A" * 33)[1] == "too-long"


def test_echoed_values_are_capped_and_stripped_of_control_characters(tmp_path):
    df = synthetic_responses(DET, 3, site="P03", seed=3)
    df["site"] = "\x1b[2J\x1b[31m" + "P" * 5_000_000
    path = _csv(tmp_path, df, name="\x1b[31mevil\x07.csv")
    report = check_file(path, site="P" * 10_000_000 + "\x1b[0m")
    text = report.text() + report.to_json()
    assert "\x1b" not in text and "\x07" not in text
    assert len(text) < 20_000


def test_an_unknown_version_in_the_file_label_is_an_error(tmp_path):
    path = _csv(tmp_path, synthetic_responses(DET, 3, site="P03", seed=4))
    path.write_text(path.read_text(encoding="cp1252").replace(f"detainee@{DET.version}", "detainee@7.3"),
                    encoding="cp1252")
    report = check_file(path, site="P03")
    assert [p.code for p in report.problems] == ["instrument-version-unknown"]
    assert "detainee@7.3" in report.text()
