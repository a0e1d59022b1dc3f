"""Files collected with the project's XLSForm: ODK Central's CSV export and ODK's answers.

ODK Central exports a form's submissions as CSV with its own columns around
the answers (documented in Central's "Submissions" API and export help):
``SubmissionDate``, ``meta-instanceID``, ``KEY``, ``SubmitterID``,
``SubmitterName``, ``AttachmentsPresent``, ``AttachmentsExpected``,
``Status``, ``ReviewState``, ``DeviceID``, ``Edits``, ``FormVersion``; a
question inside a group is named ``<group>-<question>`` (nested groups
``a-b-question``); a multiple-choice answer is one cell holding the chosen
choice names separated by spaces (``"1 3"``); and the form's own
``calculate`` ``peer_eval_instrument`` holds ``'<id>@<version>'``.

:func:`from_odk_central` turns such a frame into the shape of the
project's templates (meta columns dropped, group prefixes removed, the
instrument reference taken as the file's embedded reference) and says so
with one warning; :func:`split_multiple` splits space-separated choices into
the ``<item>_<code>`` 0/1 columns once the instrument is known.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.instruments import InstrumentDefinition

__all__ = ["ODK_META", "is_odk_central", "from_odk_central", "split_multiple", "take_reference"]

#: ODK Central's own columns in a CSV export (and ODK Collect's metadata questions).
ODK_META: frozenset[str] = frozenset({
    "submissiondate", "key", "instanceid", "meta-instanceid", "meta-instancename", "meta-deprecatedid",
    "meta-audit", "submitterid", "submittername", "attachmentspresent", "attachmentsexpected", "status",
    "reviewstate", "deviceid", "edits", "formversion", "start", "end", "today", "username", "phonenumber",
    "simserial", "subscriberid", "email", "audit", "__version__", "peer_eval_notice",
})


def is_odk_central(frame: pd.DataFrame | None) -> bool:
    """True for a frame with ODK Central's export columns (``SubmissionDate`` and ``KEY`` or ``meta-instanceID``)."""
    if frame is None:
        return False
    cols = {str(c).strip().lower() for c in frame.columns}
    return "submissiondate" in cols and ("key" in cols or "meta-instanceid" in cols)


def from_odk_central(read) -> bool:
    """Reshape ``read`` (a :class:`~evaluation.intake.readers.ReadResult`) if it is an ODK Central export."""
    frame = read.frame
    if not is_odk_central(frame):
        take_reference(read)
        return False
    drop = [c for c in frame.columns if str(c).strip().lower() in ODK_META or str(c).lower().startswith("meta-")]
    frame = frame.drop(columns=drop)
    renamed = {c: str(c).strip().split("-")[-1] for c in frame.columns if "-" in str(c)}
    frame = frame.rename(columns=renamed)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    read.frame = frame
    take_reference(read)
    read.add("odk-columns-read", severity="warning", meta=len(drop))
    return True


def take_reference(read) -> None:
    """The XLSForm's ``peer_eval_instrument`` column (one ``id@version`` for every row) as the file's reference."""
    from evaluation.exports.xlsform import REF_FIELD

    frame = read.frame
    if frame is None:
        return
    ref_col = next((c for c in frame.columns if str(c).strip().lower() == REF_FIELD), None)
    if ref_col is None:
        return
    refs = frame[ref_col].dropna().astype(str).str.strip().unique()
    if len(refs) == 1 and "@" in refs[0]:
        read.metadata.setdefault("xlsform.peer_eval_instrument", f"peer-eval:{refs[0]}")


def split_multiple(defn: InstrumentDefinition, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Split each multiple-choice item given as one column of space-separated codes into 0/1 columns.

    Only an item whose ``<item>_<code>`` columns are all absent is split;
    an answered row gets 1 for each chosen code and 0 for the others, an
    empty cell stays empty. A chosen name that is not a code of the item
    is kept out and returned (``item: name``) for the caller to report.
    """
    lower = {str(c).lower(): c for c in frame.columns}
    unknown: list[str] = []
    for item in defn.items:
        if item.type != "multiple_choice" or item.name.lower() not in lower:
            continue
        cols = defn.item_columns(item)
        if any(c.lower() in lower for c in cols):
            continue
        src = frame[lower[item.name.lower()]]
        text = src.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                       else str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip())
        chosen = text.str.split()
        answered = text != ""
        codes = {str(c): c for c in defn.codes(item)}
        for name in sorted({n for names in chosen for n in names} - set(codes)):
            unknown.append(f"{item.name}: {name}")
        new = {}
        for code_text, code in codes.items():
            ticked = chosen.map(lambda names, k=code_text: k in names)
            new[f"{item.name}_{code}"] = np.where(answered, ticked.astype(float), np.nan)
        frame = frame.drop(columns=[lower[item.name.lower()]])
        frame = pd.concat([frame, pd.DataFrame(new, index=frame.index)], axis=1)
    return frame, unknown
