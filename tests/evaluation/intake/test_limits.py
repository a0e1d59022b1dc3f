"""Limits on every reader: bombs of each container kind refused within 5 s and 200 MB, limits named.

Each bomb is read in a fresh child process that reports its wall time and
the growth of its peak resident memory (``ru_maxrss``) over the read.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from evaluation.intake.limits import Limits, LimitExceeded, limits_from_config, parse_xml, using
from evaluation.intake.readers import read_file

REPO = Path(__file__).resolve().parents[3]

_PROBE = """
import json, resource, sys, time
from pathlib import Path
from evaluation.intake.readers import read_file
from evaluation.qda.refi import read_qdpx
p = Path(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.monotonic()
r = read_qdpx(p) if p.suffix == ".qdpx" else read_file(p)
print(json.dumps({"seconds": time.monotonic() - t,
                  "mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024,
                  "problems": [[x.code, x.params] for x in r.problems]}))
"""


def _probe(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True, timeout=120,
                         cwd=REPO, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _workbook() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["prison_number", "site"])
    wb.active.append(["AB-1", "P01"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rezip(dest: Path, member: str, write) -> Path:
    src = zipfile.ZipFile(io.BytesIO(_workbook()))
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
        for i in src.infolist():
            if i.filename == member:
                with z.open(member, "w", force_zip64=True) as fh:
                    write(fh)
            else:
                z.writestr(i, src.read(i.filename))
    return dest


_SHEET = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'


def _rows_bomb(fh):  # 5,000,000 rows
    fh.write(_SHEET + b'<row><c t="inlineStr"><is><t>prison_number</t></is></c></row>')
    block = b"<row><c><v>1</v></c></row>" * 100_000
    for _ in range(50):
        fh.write(block)
    fh.write(b"</sheetData></worksheet>")


def _cell_bomb(fh):  # one cell of 300 MiB
    fh.write(_SHEET + b'<row><c t="inlineStr"><is><t>')
    chunk = b"a" * (1 << 20)
    for _ in range(300):
        fh.write(chunk)
    fh.write(b"</t></is></c></row></sheetData></worksheet>")


def _qdpx_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("project.qde", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="x">')
            chunk = b" " * (1 << 20)
            for _ in range(300):
                fh.write(chunk)
            fh.write(b"</Project>")
    return path


BOMBS = {
    "xlsx-5M-rows": (lambda d: _rezip(d / "rows.xlsx", "xl/worksheets/sheet1.xml", _rows_bomb), "max_zip_ratio"),
    "xlsx-huge-cell": (lambda d: _rezip(d / "cell.xlsx", "xl/worksheets/sheet1.xml", _cell_bomb), "max_unzipped_bytes"),
    "qdpx": (lambda d: _qdpx_bomb(d / "bomb.qdpx"), "max_unzipped_bytes"),
    "zsav-3M-rows": (lambda d: pyreadstat.write_sav(pd.DataFrame({"x": np.zeros(3_000_000)}), str(d / "b.zsav"),
                                                    compress=True) or d / "b.zsav", "max_rows"),
    "sav-6000-columns": (lambda d: pyreadstat.write_sav(pd.DataFrame(np.zeros((1, 6000)),
                                                                     columns=[f"v{i}" for i in range(6000)]),
                                                        str(d / "w.sav")) or d / "w.sav", "max_columns"),
}


@pytest.mark.parametrize("kind", list(BOMBS))
def test_bomb_is_refused_within_5_s_and_200_mb_naming_the_limit(kind, tmp_path):
    make, limit = BOMBS[kind]
    path = make(tmp_path)
    assert path.stat().st_size < 8 * 2**20  # small on disk
    got = _probe(path)
    assert got["seconds"] < 5 and got["mb"] < 200, got
    codes = [(c, p.get("limit")) for c, p in got["problems"]]
    assert ("limit-exceeded", limit) in codes


def test_limits_configured_in_the_workspace_apply_to_submissions(tmp_path):
    from evaluation.intake.pseudonymise import PseudonymKey
    from evaluation.intake.submit import submit_file
    from evaluation.store import Workspace

    ws = Workspace.open(tmp_path / "ws")
    ws.config["limits"] = {"max_rows": 3}
    ws.save_config()
    path = tmp_path / "f.csv"
    pd.DataFrame({"prison_number": [f"AB-{i}" for i in range(5)], "site": "P01"}).to_csv(path, index=False)
    report = submit_file(path, site="P01", workspace=tmp_path / "ws", key=PseudonymKey(bytes(range(32)), 1, "x"))
    assert report.status == "rejected"
    problem = next(p for p in report.problems if p.code == "limit-exceeded")
    assert problem.params["limit"] == "max_rows" and problem.params["allowed"] == "3"
    text = report.text()
    assert "max_rows" in text and "workspace.yaml" in text


def test_cell_length_and_bad_limit_settings(tmp_path):
    path = tmp_path / "long.csv"
    pd.DataFrame({"prison_number": ["AB-1"], "comment": ["x" * 500]}).to_csv(path, index=False)
    with using(Limits(max_cell_chars=100)):
        r = read_file(path)
    assert r.frame is None and [p.params["limit"] for p in r.problems if p.code == "limit-exceeded"] == ["max_cell_chars"]
    assert limits_from_config({"limits": {"max_rows": 10}}).max_rows == 10
    for bad in ({"max_rows": 0}, {"max_rows": "many"}, {"rows": 5}):
        with pytest.raises(ValueError, match="limit"):
            limits_from_config({"limits": bad})


def test_xml_entities_are_never_expanded_and_depth_is_limited():
    lol = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
           b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><l>&c;</l>')
    root = parse_xml(lol).getroot()
    assert "aaaaaaaaaa" not in (root.text or "")
    ext = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY x SYSTEM "file:///etc/passwd">]><l>&x;</l>'
    assert "root:" not in (parse_xml(ext).getroot().text or "")
    deep = b"<a>" * 300 + b"</a>" * 300
    with pytest.raises(Exception):  # libxml2 refuses, or the depth limit does
        parse_xml(deep, Limits(max_xml_depth=100))
    with pytest.raises(LimitExceeded):
        parse_xml(b"<a>" * 150 + b"</a>" * 150, Limits(max_xml_depth=100))
