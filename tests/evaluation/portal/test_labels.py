"""Words, not codes: interview imports and respondent groups in the reader's language."""

from __future__ import annotations

import hashlib
import re
import uuid

import pandas as pd
import pytest

from .conftest import verified_client


def _store_interviews(ws_root, site: str) -> str:
    """Two transcripts (a detainee, a peer worker) stored with the store's own write_segments."""
    from evaluation.store import SubmissionMeta, Workspace, write_segments

    sha = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
    t_rows, s_rows = [], []
    for i, group in enumerate(("detainee", "peer_worker")):
        text = f"Zij luisterde echt, week na week ({i})."
        tid, pid = f"T{sha[:8]}{i}", f"k1-{sha[i:i + 20]}"
        t_rows.append({"transcript_id": tid, "pid": pid, "respondent_group": group, "site": site, "sha256": sha,
                       "n_chars": len(text), "text": text,
                       "sha256_deidentified": hashlib.sha256(text.encode()).hexdigest(), "replacements": 0})
        s_rows.append({"segment_id": f"G{sha[:14]}{i}", "transcript_id": tid, "pid": pid, "respondent_group": group,
                       "site": site, "coder": "A", "code": "trust", "start": 0, "end": len(text), "text": text,
                       "comment": None})
    ws = Workspace.open(ws_root, create=False)
    with ws.store() as store:
        return write_segments(store, SubmissionMeta(sha256=sha, file_name="coded.csv", site=site, format="csv",
                                                    n_rows=2), pd.DataFrame(t_rows), pd.DataFrame(s_rows),
                              codebook_version="1.0")


@pytest.mark.parametrize("lang, title, groups", [
    ("nl", "Codeboek voor de interviews", ("gedetineerden", "ervaringsdeskundigen")),
    ("fr", "Livre de codes pour les entretiens", ("personnes détenues", "pairs-aidants")),
    ("en", "Codebook for the interviews", ("detainees", "peer workers")),
])
def test_interview_imports_and_groups_as_words(portal, make_user, lang, title, groups):
    ws_root, _ = portal
    sid = _store_interviews(ws_root, "P06")
    e = verified_client(make_user(role="evaluator", sites=[], language=lang))
    html = e.get("/evaluator/interviews/").content.decode()
    assert sid in html and title in html
    for word in groups:
        assert word in html
    cells = re.findall(r"<td>([^<]*)</td>", html)
    for code in ("codebook", "detainee", "peer_worker"):
        assert code not in cells, f"raw code {code!r} shown as a label"
    assert not re.search(r">\s*codebook\s+1\.0", html)
    # the prison's own history names the import the same way
    c = verified_client(make_user(sites=["P06"], language=lang))
    assert title in c.get("/prison/P06/history/").content.decode()
