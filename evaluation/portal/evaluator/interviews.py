"""Interview imports through the portal (evaluators and the data controller).

Upload a REFI-QDA project (``.qdpx``) or coded segments as CSV, read the
check report — :func:`evaluation.qda.importer.check_segments`, what
``peer-eval interviews check`` calls — then import: a background job
(:mod:`evaluation.portal.submissions.queue`) calls
:func:`evaluation.qda.importer.import_segments`, what ``peer-eval interviews
import`` calls. The names list that de-identifies the transcripts stays on
the data controller's server: its folder comes from ``PEER_EVAL_NAMES_DIR``
(``names_<PRISON>.csv``), it is never uploaded, and no page shows its path
or its content. Without a names list for the prison, a file can be checked
but not imported. Upload, check and import are audited.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..accounts.roles import STAFF_ROLES, check_site, role_required
from ..audit.models import record
from ..instruments import CODEBOOK, site_label, title
from ..sniff import INTERVIEW_SUFFIXES, size_message, sniff_upload
from ..submissions import queue
from ..submissions.models import FAILED, PENDING, QUEUED, Upload

__all__ = ["names_file", "transcripts_dir", "upload", "detail", "start_import", "state"]

staff_only = role_required(*STAFF_ROLES)


def _lang() -> str:
    return (get_language() or "en")[:2]


def names_file(site: str) -> Path | None:
    """``$PEER_EVAL_NAMES_DIR/names_<site>.csv`` when it exists (a path on this server, never shown)."""
    folder = settings.PORTAL_NAMES_DIR
    if not folder:
        return None
    path = Path(folder) / f"names_{site}.csv"
    return path if path.is_file() else None


def transcripts_dir(site: str) -> Path | None:
    """``$PEER_EVAL_TRANSCRIPTS_DIR/<site>/`` when it exists (transcripts for coded spreadsheets)."""
    folder = settings.PORTAL_TRANSCRIPTS_DIR
    if not folder:
        return None
    path = Path(folder) / site
    return path if path.is_dir() else None


def _own(request, token) -> Upload:
    up = get_object_or_404(Upload, token=token, user=request.user, kind=Upload.INTERVIEWS)
    check_site(request.user, up.site)
    return up


@staff_only
@require_POST
def upload(request):
    """Receive a coded file, refuse what is not one, then check it as ``peer-eval interviews check`` does."""
    from evaluation.qda.importer import check_segments

    site = request.POST.get("site", "")
    check_site(request.user, site)
    user = request.user.get_username()
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    too_big = size_message(length - 64 * 1024) if length else None
    f = request.FILES.get("file")
    if too_big or f is None:
        messages.error(request, too_big or _("Choose a file first, then press 'Check the file'."))
        if too_big:
            record(user, "upload-refused", site=site, detail="size")
        return redirect("evaluator:interviews")
    suffix = Path(f.name).suffix.lower()[:6]
    up = Upload.objects.create(user=request.user, site=site, suffix=suffix, kind=Upload.INTERVIEWS)
    path = queue.staging_path(up)
    with open(path, "wb") as out:
        for chunk in f.chunks():
            out.write(chunk)
    refusal = sniff_upload(path, suffix, INTERVIEW_SUFFIXES)
    if refusal:
        shutil.rmtree(path.parent, ignore_errors=True)
        up.delete()
        record(user, "upload-refused", site=site, detail="content")
        messages.error(request, refusal)
        return redirect("evaluator:interviews")
    record(user, "upload", site=site, detail="interviews-" + suffix.lstrip("."))
    from ..submissions.views import _report_dict

    report = check_segments(path, site=site, names=names_file(site), transcripts=transcripts_dir(site),
                            lang=_lang())
    up.report = _report_dict(report)
    up.valid = report.valid
    up.instrument = (report.instrument or CODEBOOK)[:64]
    up.n_rows = report.n_rows
    up.status = "checked"
    up.save()
    record(user, "check", site=site, detail=f"{CODEBOOK}:{'ok' if report.valid else 'errors'}", rows=report.n_rows)
    return redirect("evaluator:interview_detail", token=up.token)


def _earlier(site: str, lang: str) -> list[dict]:
    from ..submissions.views import _store_frames, _submission_rows

    _, subs = _store_frames()
    mine = subs[(subs["site"] == site) & (subs["instrument"] == CODEBOOK) & (subs["status"] == "accepted")]
    return _submission_rows(mine, lang)


@staff_only
def detail(request, token):
    from ..submissions.views import _problems_in

    up = _own(request, token)
    lang = _lang()
    if up.status in PENDING:
        if up.status == QUEUED:
            queue.kick()
        return render(request, "submissions/pending.html", {
            "up": up, "ahead": 0, "site_label": site_label(up.site, lang), "instrument_title": title(CODEBOOK, lang),
            "state_url": reverse("evaluator:interview_state", kwargs={"token": up.token})})
    if up.submitted and up.submission_id:
        if up.status == "duplicate":
            messages.info(request, _("This exact file was submitted before (submission %(sid)s); it is not stored "
                                     "twice.") % {"sid": up.submission_id})
        return redirect("submissions:receipt", site=up.site, sid=up.submission_id)
    if up.status == FAILED:
        messages.error(request, _("The portal cannot store files at the moment (its set-up is incomplete). "
                                  "Nothing was stored. Please tell the evaluation team."))
    problems = _problems_in(up.report, lang)
    has_names = names_file(up.site) is not None
    from ..verdict import intake_verdict

    return render(request, "evaluator/interview_check.html", {
        "intake_verdict": intake_verdict(up.report, lang=lang, status=up.status),
        "up": up, "errors": [p for p in problems if p.get("severity") == "error"],
        "warnings": [p for p in problems if p.get("severity") != "error"], "has_names": has_names,
        "can_import": up.valid and has_names and not up.submitted and up.status in ("checked", FAILED),
        "earlier": _earlier(up.site, lang) if up.valid and not up.submitted else [],
        "site_label": site_label(up.site, lang), "instrument_title": title(CODEBOOK, lang)})


@staff_only
@require_POST
def start_import(request, token):
    """Queue the checked file; the job imports it with ``import_segments`` and the server's names list."""
    up = _own(request, token)
    if up.status in PENDING or up.submitted:
        return redirect("evaluator:interview_detail", token=up.token)
    if not up.valid or names_file(up.site) is None:
        messages.error(request, _("This file cannot be imported: correct the problems listed, or ask the data "
                                  "controller to put this prison's names list on the server."))
        return redirect("evaluator:interview_detail", token=up.token)
    replaces = request.POST.get("replaces") or None
    if replaces and replaces not in {r["id"] for r in _earlier(up.site, _lang())}:
        from django.http import Http404

        raise Http404("no such import")
    queue.enqueue(up, replaces=replaces, lang=_lang())
    return redirect("evaluator:interview_detail", token=up.token)


@staff_only
def state(request, token):
    up = _own(request, token)
    if up.status == QUEUED:
        queue.kick()
    return JsonResponse({"done": up.status not in PENDING,
                         "next": reverse("evaluator:interview_detail", kwargs={"token": up.token})})
