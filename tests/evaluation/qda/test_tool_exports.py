"""REFI-QDA projects shaped like the coding programs' own exports, and check = import.

QualCoder's exporter (``refi.py``, ``cases_xml`` / ``sources_xml``) gives each
``TextSource`` a fresh GUID while its cases refer to the source by the GUID its
files are named after (``richTextPath="internal://<guid>.docx"``); ATLAS.ti 23
exports a project with no documents or codings as a ``Project`` with ``Users``
and an empty code list; both are modelled here as those programs write them.
"""

from __future__ import annotations

import uuid
import zipfile

import pytest
from lxml import etree

from evaluation.intake.messages import render
from evaluation.qda.importer import check_segments, import_segments
from evaluation.qda.refi import CODEBOOK_NS, code_guid, codebook_qdc, codebook_schema, read_qdpx

from .conftest import TEXT, span

G = lambda: str(uuid.uuid4()).upper()  # noqa: E731 - QualCoder writes upper-case GUIDs


def qualcoder_project(path, *, participant="AB123", role="detainee", site="P01"):
    """A .qdpx as QualCoder 3 writes it: a case holding the participant, linked by the file-name GUID."""
    user, file_guid, text_file = G(), G(), G()
    var_role, var_site = G(), G()
    s1, e1 = span(TEXT, "Jan Peeters came to my cell")
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="interviews" origin="QualCoder 3.5" creatingUserGUID="{user}" creationDateTime="2025-03-01T10:00:00Z">
<Users>
<User guid="{user}" name="coder1"/>
</Users>
<CodeBook>
<Codes>
<Code guid="{G()}" name="key_people" isCodable="true" color="#F5BCA9">
<Description />
</Code>
</Codes>
</CodeBook>
<Variables>
<Variable guid="{var_role}" name="role" typeOfVariable="Text"/>
<Variable guid="{var_site}" name="site" typeOfVariable="Text"/>
</Variables>
<Cases>
<Case guid="{G()}" name="{participant}">
<Description />
<VariableValue>
<VariableRef targetGUID="{var_role}" />
<TextValue>{role}</TextValue>
</VariableValue>
<VariableValue>
<VariableRef targetGUID="{var_site}" />
<TextValue>{site}</TextValue>
</VariableValue>
<SourceRef targetGUID="{file_guid}"/>
</Case>
</Cases>
<Sources>
<TextSource richTextPath="internal://{file_guid}.docx" plainTextPath="internal://{text_file}.txt" creatingUser="{user}" creationDateTime="2025-03-01T10:00:00Z" guid="{G()}" name="interview_03.docx">
<PlainTextSelection guid="{G()}" startPosition="{s1}" endPosition="{e1}" name="{TEXT[s1:e1]}" creatingUser="{user}" creationDateTime="2025-03-01T10:05:00Z">
<Coding guid="{G()}" creatingUser="{user}" ><CodeRef targetGUID="__CODE__" />
</Coding>
</PlainTextSelection>
</TextSource>
</Sources>
</Project>
"""
    code = etree.fromstring(xml.encode()).find(".//{urn:QDA-XML:project:1.0}Code").get("guid")
    xml = xml.replace("__CODE__", code)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", xml.encode("utf-8"))
        zf.writestr(f"sources/{text_file}.txt", TEXT.encode("utf-8"))
        zf.writestr(f"sources/{file_guid}.docx", b"PK\x03\x04 not read")
    return path


def atlas_empty_project(path):
    """An ATLAS.ti 23 export of a project without documents or codings yet."""
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="P01 interviews" origin="ATLAS.ti Windows 23.2.1" creatingUserGUID="{G()}" creationDateTime="2025-03-01T10:00:00" xmlns="urn:QDA-XML:project:1.0">
  <Users>
    <User guid="{G()}" name="coder1" />
  </Users>
</Project>
"""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", xml.encode("utf-8"))
    return path


def test_qualcoder_case_is_the_participant(tmp_path, codebook):
    path = qualcoder_project(tmp_path / "qualcoder.qdpx")
    (src,) = read_qdpx(path, codebook).sources.values()
    assert (src.participant, src.role, src.site) == ("AB123", "detainee", "P01")
    report = check_segments(path, site="P01", lang="nl")
    assert report.valid and "participant-missing" not in {p.code for p in report.problems}, report.text()


def test_qualcoder_project_imports(tmp_path, codebook, ws, key):
    from evaluation.store import segments

    path = qualcoder_project(tmp_path / "qualcoder.qdpx")
    report = import_segments(path, site="P01", workspace=ws, key=key)
    assert report.status == "accepted", report.text()
    seg = segments(ws)
    assert seg["code"].tolist() == ["key_people"] and seg["respondent_group"].tolist() == ["detainee"]


def test_empty_atlas_project_check_and_import_agree(tmp_path, codebook, ws, key):
    path = atlas_empty_project(tmp_path / "atlas.qdpx")
    checked = check_segments(path, site="P01", lang="nl")
    imported = import_segments(path, site="P01", workspace=ws, key=key, lang="nl")
    flat = lambda r: sorted((p.code, p.severity) for p in r.problems)  # noqa: E731
    assert flat(checked) == flat(imported) == [("qdpx-no-codings", "warning")]
    assert checked.valid and imported.status == "accepted"
    assert "kolomnamen" not in imported.text()


@pytest.mark.parametrize("maker", [qualcoder_project, atlas_empty_project])
def test_check_and_import_report_the_same_problems(tmp_path, codebook, ws, key, maker):
    path = maker(tmp_path / "p.qdpx")
    checked = check_segments(path, site="P01")
    imported = import_segments(path, site="p01", workspace=ws, key=key)  # site code in lower case
    assert [p.code for p in checked.sorted_problems()] == [p.code for p in imported.sorted_problems()]


def test_exported_codebook_uses_the_codebook_namespace(codebook):
    doc = etree.fromstring(codebook_qdc(codebook, "nl"))
    assert etree.QName(doc).namespace == CODEBOOK_NS and doc.get("origin") == "peer-eval"
    assert codebook_schema().validate(doc)
    assert doc.find(f".//{{{CODEBOOK_NS}}}Code[@guid='{code_guid('stigma')}']") is not None


def test_no_codings_message_in_every_language():
    from evaluation.intake.problems import Problem

    for lang in ("nl", "fr", "en"):
        one = render(Problem("qdpx-no-codings", params={"n": 1}), lang)
        many = render(Problem("qdpx-no-codings", params={"n": 4}), lang)
        assert one != many and "{" not in one + many
