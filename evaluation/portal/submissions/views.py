"""Coordinator pages: dashboard, templates, upload -> check report -> submit -> receipt, history.

Checking and submitting call exactly what ``peer-eval check`` and ``peer-eval
submit`` call (:func:`evaluation.intake.submit.check_file`,
:func:`evaluation.intake.submit.submit_file`); the report shown is the
intake's own (its messages in the user's language, from
:mod:`evaluation.intake.messages`).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..accounts.roles import check_site, profile_of, sites_of
from ..audit.models import record
from ..instruments import catalogue, instrument_rows, site_label, title, wave_label
from ..sniff import ALLOWED_SUFFIXES, size_message, sniff_upload
from ..workspace import read_snapshot, state_dir
from . import queue
from .models import FAILED, PENDING, QUEUED, Upload

log = logging.getLogger(__name__)

TEMPLATE_FORMATS = ("sav", "xlsform", "csv", "html")


def _lang() -> str:
    return (get_language() or "en")[:2]


@login_required
def home(request):
    if profile_of(request.user).sees_all_sites:
        return redirect("evaluator:status")
    sites = sites_of(request.user)
    if not sites:
        return render(request, "submissions/no_site.html")
    return redirect("submissions:dashboard", site=sites[0])


def _store_frames():
    """``(status, submissions)`` of the workspace, empty when there is no workspace yet."""
    import pandas as pd

    from evaluation.store import WorkspaceError, status, submissions

    try:
        with read_snapshot(catalogue()) as (_ws, store):
            return status(store, catalogue()), submissions(store)
    except WorkspaceError:
        return pd.DataFrame(columns=["instrument", "site", "wave", "submissions", "rejected", "responses",
                                     "last_received", "missing"]), pd.DataFrame(
            columns=["submission_id", "site", "instrument", "version", "status", "received_at", "n_rows",
                     "n_stored", "replaces", "superseded_by", "waves"])


def _status_rows(frame, lang: str) -> list[dict]:
    rows = []
    for r in frame.itertuples(index=False):
        rows.append({"site": r.site, "instrument": r.instrument, "title": title(r.instrument, lang),
                     "wave": wave_label(r.instrument, r.wave, lang), "accepted": int(r.submissions),
                     "rejected": int(r.rejected), "responses": int(r.responses),
                     "last": (r.last_received or "")[:10], "missing": bool(r.missing)})
    return rows


def _submission_rows(frame, lang: str) -> list[dict]:
    rows = []
    for r in frame.to_dict("records"):
        rows.append({"id": r["submission_id"], "site": r["site"], "instrument": r.get("instrument") or "",
                     "title": title(r["instrument"], lang) if r.get("instrument") else "?",
                     "version": r.get("version") or "", "status": r["status"],
                     "date": str(r.get("received_at") or "")[:16].replace("T", " "),
                     "rows": r.get("n_stored") if r["status"] != "rejected" else r.get("n_rows"),
                     "replaces": r.get("replaces") or "", "superseded_by": r.get("superseded_by") or ""})
    return rows


def _pending_rows(site: str, user, lang: str) -> list[dict]:
    """Files of ``site`` queued or being stored: shown before the stored ones, without a number yet."""
    import datetime as dt

    rows = []
    pending = list(queue.pending_for(site))
    if any(up.status == QUEUED for up in pending):
        queue.kick()  # after a server restart, the first look at the prison's page stores what waits
    for up in pending:
        iid = up.instrument.split("@")[0]
        rows.append({"id": "", "site": site, "instrument": iid, "title": title(iid, lang) if iid else "?",
                     "version": up.instrument.split("@")[1] if "@" in up.instrument else "", "status": "pending",
                     # UTC, as the stored submissions' dates beside them
                     "date": up.queued_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M") if up.queued_at else "",
                     "rows": up.n_rows, "replaces": up.replaces, "superseded_by": "",
                     "url": (reverse("evaluator:interview_detail" if up.kind == Upload.INTERVIEWS
                                     else "submissions:upload_detail", kwargs={"token": up.token})
                             if up.user_id == user.pk else None)})
    return rows


@login_required
def dashboard(request, site: str):
    check_site(request.user, site)
    lang = _lang()
    stat, subs = _store_frames()
    rows = _status_rows(stat[stat["site"] == site], lang)
    recent = _pending_rows(site, request.user, lang) + _submission_rows(subs[subs["site"] == site], lang)[::-1][:5]
    return render(request, "submissions/dashboard.html", {
        "site": site, "site_label": site_label(site, lang), "rows": rows, "recent": recent,
        "n_missing": sum(r["missing"] for r in rows), "sites": sites_of(request.user),
        "accept": ",".join(ALLOWED_SUFFIXES), "max_mb": settings.PORTAL_MAX_UPLOAD_BYTES // (1024 * 1024)})


@login_required
def history(request, site: str):
    check_site(request.user, site)
    _, subs = _store_frames()
    return render(request, "submissions/history.html", {
        "site": site, "site_label": site_label(site, _lang()),
        "rows": _pending_rows(site, request.user, _lang()) + _submission_rows(subs[subs["site"] == site], _lang())[::-1]})


@login_required
def templates(request):
    lang = _lang()
    rows = instrument_rows(lang)
    for r in rows:
        r["lang"] = lang if lang in r["languages"] else r["languages"][0]
    return render(request, "submissions/templates.html", {"rows": rows, "formats": TEMPLATE_FORMATS})


@login_required
def template_download(request, instrument: str, fmt: str):
    """A data-entry template in the user's language, made by :func:`evaluation.exports.export`."""
    from evaluation.exports import export

    if fmt not in TEMPLATE_FORMATS:
        raise Http404("no such format")
    try:
        cat = catalogue()  # the latest published version: coordinators fill in what is in the field, never a draft
        defn = cat.instrument(instrument, cat.latest(instrument, published_only=True))
    except Exception:
        raise Http404("no such questionnaire") from None
    lang = _lang() if _lang() in defn.meta.languages else defn.meta.languages[0]
    tmp = Path(tempfile.mkdtemp(prefix="template-", dir=state_dir("tmp")))
    try:
        out = export(defn, fmt, lang, tmp)
        if fmt == "csv":  # the template and its data dictionary travel together
            bundle = tmp / (out.stem + ".zip")
            with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in sorted(tmp.iterdir()):
                    if f != bundle:
                        zf.write(f, f.name)
            out = bundle
        data = out.read_bytes()
        name = out.name
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    record(request.user.get_username(), "download", detail=f"{instrument}:{fmt}:{lang}")
    from django.core.files.base import ContentFile

    return FileResponse(ContentFile(data), as_attachment=True, filename=name)


_staging = queue.staging_path


@login_required
@require_POST
def upload(request, site: str):
    """Receive a file, refuse what is not a data file, then check it with intake's ``check_file``."""
    from evaluation.intake.submit import check_file

    check_site(request.user, site)
    user = request.user.get_username()
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    too_big = size_message(length - 64 * 1024) if length else None  # before the body is read
    if too_big:
        record(user, "upload-refused", site=site, detail="size")
        messages.error(request, too_big)
        return redirect("submissions:dashboard", site=site)
    f = request.FILES.get("file")
    if f is None:
        messages.error(request, _("Choose a file first, then press 'Check the file'."))
        return redirect("submissions:dashboard", site=site)
    suffix = Path(f.name).suffix.lower()[:6]
    up = Upload.objects.create(user=request.user, site=site, suffix=suffix)
    path = _staging(up)
    with open(path, "wb") as out:
        for chunk in f.chunks():
            out.write(chunk)
    refusal = sniff_upload(path, suffix)
    if refusal:
        shutil.rmtree(path.parent, ignore_errors=True)
        up.delete()
        record(user, "upload-refused", site=site, detail="content")
        messages.error(request, refusal)
        return redirect("submissions:dashboard", site=site)
    record(user, "upload", site=site, detail=suffix.lstrip("."))
    report = check_file(path, site=site, lang=_lang(), catalogue=catalogue())
    up.report = _report_dict(report)
    up.valid = report.valid
    up.instrument = report.instrument or ""
    up.n_rows = report.n_rows
    up.status = "checked"
    up.save()
    record(user, "check", site=site, detail=(report.instrument or "unknown")[:40] + (":ok" if report.valid else ":errors"),
           rows=report.n_rows)
    return redirect("submissions:upload_detail", token=up.token)


def _report_dict(report) -> dict:
    """The intake report's own dictionary, plus its problems as data so the page can show them in another language."""
    import dataclasses
    import json

    out = report.to_dict()
    try:
        out["_problems"] = json.loads(json.dumps([dataclasses.asdict(p) for p in report.sorted_problems()],
                                                 default=str))
    except (TypeError, ValueError):  # a problem that cannot be kept as data: the rendered messages stay
        pass
    return out


def _problems_in(report: dict, lang: str) -> list[dict]:
    """The report's problems with the intake's messages in ``lang`` (as rendered at check time if that fails)."""
    from evaluation.intake.problems import Problem

    shown = report.get("problems", [])
    raw = report.get("_problems")
    if not raw or len(raw) != len(shown):
        return shown
    out = []
    for d, rendered in zip(raw, shown):
        try:
            message = Problem(**d).message(lang)
        except Exception:  # a message template that needs the original objects
            message = rendered.get("message", "")
        out.append({**rendered, "message": message})
    return out


def _own_upload(request, token) -> Upload:
    up = get_object_or_404(Upload, token=token, user=request.user, kind=Upload.SURVEY)
    check_site(request.user, up.site)
    return up


def _earlier(site: str, instrument_ref: str) -> list[dict]:
    """Accepted submissions of this prison and questionnaire: what a corrected file may replace."""
    _, subs = _store_frames()
    iid = instrument_ref.split("@")[0]
    mine = subs[(subs["site"] == site) & (subs["instrument"] == iid) & (subs["status"] == "accepted")]
    return _submission_rows(mine, _lang())


@login_required
def upload_detail(request, token):
    up = _own_upload(request, token)
    lang = _lang()
    if up.status in PENDING:
        if up.status == QUEUED:
            queue.kick()
        ahead = Upload.objects.filter(status__in=PENDING, queued_at__lt=up.queued_at).count() if up.queued_at else 0
        return render(request, "submissions/pending.html", {
            "up": up, "ahead": ahead, "site_label": site_label(up.site, lang),
            "instrument_title": title(up.instrument.split("@")[0], lang) if up.instrument else "",
            "state_url": reverse("submissions:upload_state", kwargs={"token": up.token})})
    if up.submitted and up.submission_id:
        if up.status == "duplicate":
            messages.info(request, _("This exact file was submitted before (submission %(sid)s); it is not stored "
                                     "twice.") % {"sid": up.submission_id})
        return redirect("submissions:receipt", site=up.site, sid=up.submission_id)
    if up.status == FAILED:
        messages.error(request, _("The portal cannot store files at the moment (its set-up is incomplete). "
                                  "Nothing was stored. Please tell the evaluation team."))
    problems = _problems_in(up.report, _lang())
    errors = [p for p in problems if p.get("severity") == "error"]
    warnings = [p for p in problems if p.get("severity") != "error"]
    earlier = _earlier(up.site, up.instrument) if up.valid and up.instrument and not up.submitted else []
    from ..verdict import intake_verdict

    return render(request, "submissions/check.html", {
        "up": up, "errors": errors, "warnings": warnings, "earlier": earlier,
        "intake_verdict": intake_verdict(up.report, lang=_lang(), status=up.status),
        "instrument_title": title(up.instrument.split("@")[0], _lang()) if up.instrument else "",
        "site_label": site_label(up.site, _lang())})


@login_required
@require_POST
def submit(request, token):
    """Queue a checked file for storing (background job, :mod:`.queue`) and show that it is being stored.

    The job calls intake's ``submit_file`` (the same call as ``peer-eval
    submit``); this request never waits for the workspace.
    """
    up = _own_upload(request, token)
    if up.status in PENDING or up.submitted:
        return redirect("submissions:upload_detail", token=up.token)
    if up.status in ("rejected", "expired") or not up.valid:
        messages.error(request, _("This file cannot be submitted: correct the problems listed and upload it again."))
        return redirect("submissions:upload_detail", token=up.token)
    replaces = request.POST.get("replaces") or None
    if replaces and replaces not in {r["id"] for r in _earlier(up.site, up.instrument)}:
        raise Http404("no such submission")
    queue.enqueue(up, replaces=replaces, lang=_lang())
    return redirect("submissions:upload_detail", token=up.token)


@login_required
def upload_state(request, token):
    """``{"done": bool, "next": url}`` for the page that waits while a file is being stored."""
    up = _own_upload(request, token)
    if up.status == QUEUED:
        queue.kick()  # after a server restart, the first look at a queued file wakes a worker again
    return JsonResponse({"done": up.status not in PENDING,
                         "next": reverse("submissions:upload_detail", kwargs={"token": up.token})})


@login_required
def receipt(request, site: str, sid: str):
    check_site(request.user, site)
    from evaluation.store import WorkspaceError

    try:
        with read_snapshot() as (_ws, store):
            row = store.submission(sid)
    except WorkspaceError:
        row = None
    if row is None or row["site"] != site:
        raise Http404("no such submission")
    lang = _lang()
    return render(request, "submissions/receipt.html", {
        "site": site, "site_label": site_label(site, lang), "sid": sid, "status": row["status"],
        "rows": row["n_stored"] if row["status"] != "rejected" else row["n_rows"],
        "date": str(row["received_at"])[:16].replace("T", " "), "title": title(row["instrument"] or "", lang),
        "version": row["version"], "replaces": row.get("replaces") or "",
        "waves": ", ".join(wave_label(row["instrument"], w, lang) for w in (row.get("waves") or "").split(",") if w)})
