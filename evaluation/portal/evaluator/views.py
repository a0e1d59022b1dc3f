"""Evaluator pages: every prison's status, linkage, quarantine, interviews, quote sign-offs, builds, audit."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..accounts.roles import STAFF_ROLES, role_required
from ..audit.models import AuditEvent, record
from ..instruments import catalogue, group_label, site_label, title
from ..submissions.views import _status_rows, _store_frames, _submission_rows
from ..workspace import LockBusy, open_workspace, read_snapshot, workspace_lock
from . import jobs
from .models import BuildJob

staff_only = role_required(*STAFF_ROLES)

#: seconds a quote sign-off may wait for the writers' lock (files being stored) before asking to retry
SIGNOFF_WAIT_S = 3.0


def _lang() -> str:
    return (get_language() or "en")[:2]


def _with_store(fn, default):
    from evaluation.store import WorkspaceError

    try:
        with read_snapshot(catalogue()) as (ws, store):
            return fn(ws, store)
    except WorkspaceError:
        return default


@staff_only
def status(request):
    lang = _lang()
    stat, subs = _store_frames()
    rows = _status_rows(stat, lang)
    sites = []
    for code in sorted({r["site"] for r in rows}):
        mine = [r for r in rows if r["site"] == code]
        sites.append({"code": code, "label": site_label(code, lang), "rows": mine,
                      "missing": sum(r["missing"] for r in mine), "expected": len(mine),
                      "rejected": int(((subs["site"] == code) & (subs["status"] == "rejected")).sum())})
    recent = _submission_rows(subs, lang)[::-1][:15]
    return render(request, "evaluator/status.html", {"sites": sites, "recent": recent})


@staff_only
def linkage(request):
    from evaluation.store import linkage as linkage_frame

    frame = _with_store(lambda ws, store: linkage_frame(store), None)
    rows = [] if frame is None else [
        {"site": r.site, "label": site_label(r.site, _lang()), "episodes": int(r.episodes), "linked": int(r.linked),
         "rate": f"{100 * r.rate:.0f}%" if r.episodes else "–"} for r in frame.itertuples(index=False)]
    return render(request, "evaluator/linkage.html", {"rows": rows})


@staff_only
def quarantine(request):
    _, subs = _store_frames()
    rows = _submission_rows(subs[subs["status"] == "rejected"], _lang())[::-1]
    return render(request, "evaluator/quarantine.html", {"rows": rows})


@staff_only
def quarantine_report(request, sid: str):
    def read(ws, store):
        row = store.submission(sid)
        path = ws.quarantine_dir / f"{sid}.report.json"
        if row is None or row["status"] != "rejected" or not path.exists():
            return None
        return row, json.loads(path.read_text(encoding="utf-8"))

    found = _with_store(read, None)
    if found is None:
        raise Http404("no such rejected submission")
    row, report = found
    return render(request, "evaluator/quarantine_report.html", {
        "sid": sid, "site": row["site"], "title": title(row["instrument"] or "", _lang()) if row["instrument"] else "?",
        "date": str(row["received_at"])[:16].replace("T", " "), "report": report,
        "problems": report.get("problems", [])})


@staff_only
def interviews(request):
    from evaluation.store import transcripts
    from evaluation.store.segments import INSTRUMENT

    def read(ws, store):
        subs = store.submissions()
        imports = _submission_rows(subs[subs["instrument"] == INSTRUMENT], _lang())
        t = transcripts(store)
        counts = (t.groupby(["site", "respondent_group"]).size().reset_index(name="n").to_dict("records")
                  if len(t) else [])
        for c in counts:
            c["group"] = group_label(c["respondent_group"])
            c["label"] = site_label(c["site"], _lang())
        return imports, counts

    imports, counts = _with_store(read, ([], []))
    from ..accounts.roles import sites_of
    from ..sniff import INTERVIEW_SUFFIXES
    from ..submissions.views import _pending_rows
    from .interviews import names_file

    pending = [r for code in sites_of(request.user) for r in _pending_rows(code, request.user, _lang())
               if r["instrument"] == INSTRUMENT]
    sites = [{"code": code, "label": site_label(code, _lang()), "has_names": names_file(code) is not None}
             for code in sites_of(request.user)]
    return render(request, "evaluator/interviews.html", {
        "imports": pending + imports[::-1], "counts": counts, "sites": sites, "accept": ",".join(INTERVIEW_SUFFIXES),
        "names_configured": any(s["has_names"] for s in sites)})


@staff_only
def signoffs(request):
    """Approved quotes; an evaluator reviews a segment's de-identified text and approves it (store.signoffs)."""
    from evaluation.store import SignoffRefused, quote_signoffs, record_signoff
    from evaluation.store.signoffs import segment_text_sha256

    segment = (request.POST.get("segment") or request.GET.get("segment") or "").strip()[:40]
    review = None
    if segment:
        def read(ws, store):
            try:
                sha = segment_text_sha256(store, segment)
            except SignoffRefused:
                return None
            row = store.con.execute("SELECT text FROM segments WHERE segment_id = ?", (segment,)).fetchone()
            return {"segment": segment, "sha": sha, "text": row[0] if row else ""}

        review = _with_store(read, None)
        if review is None:
            messages.error(request, _("There is no quote with this number in an accepted interview import."))
    if request.method == "POST" and review is not None and request.POST.get("approve"):
        from evaluation.store import WorkspaceError

        try:
            # a sign-off writes one row; while files are being stored it waits a little, never long
            with workspace_lock(exclusive=True, timeout=SIGNOFF_WAIT_S):
                record_signoff(open_workspace(), segment, approved_by=request.user.get_username(),
                               text_sha256=request.POST.get("sha", ""))
        except LockBusy:
            messages.error(request, _("Files are being stored at this moment: approve the quote again in a minute."))
            return redirect(f"{request.path}?segment={segment}")
        except (SignoffRefused, WorkspaceError):
            messages.error(request, _("The quote changed since you read it: read it again before approving."))
            return redirect(f"{request.path}?segment={segment}")
        record(request.user.get_username(), "sign-off", detail=segment if len(segment) <= 64 else "")
        messages.success(request, _("The quote is approved for the report."))
        return redirect("evaluator:signoffs")
    frame = _with_store(lambda ws, store: quote_signoffs(ws), None)
    rows = [] if frame is None else [
        {"segment": r.segment_id, "by": r.approved_by, "at": str(r.approved_at)[:16]}
        for r in frame.itertuples(index=False)]
    return render(request, "evaluator/signoffs.html", {"rows": rows, "review": review, "segment": segment})


@staff_only
def audit(request):
    events = AuditEvent.objects.all()[:500]
    return render(request, "evaluator/audit.html", {"events": events})


@staff_only
def builds(request):
    job = BuildJob.objects.first()
    return render(request, "evaluator/builds.html", {
        "job": job, "log": jobs.log_text(job) if job else "", "zip": bool(job and jobs.site_zip(job)),
        "history": BuildJob.objects.all()[:10],
        "refresh": bool(job and job.state in (BuildJob.QUEUED, BuildJob.RUNNING))})


@staff_only
@require_POST
def build_start(request):
    try:
        jobs.start_build(request.user)
    except jobs.BuildRunning:
        messages.error(request, _("A book build is running already; wait until it has finished."))
        return redirect("evaluator:builds")
    record(request.user.get_username(), "build-started")
    return redirect("evaluator:builds")


@staff_only
def build_download(request, pk: int):
    job = get_object_or_404(BuildJob, pk=pk, state=BuildJob.DONE)
    path = jobs.site_zip(job)
    if path is None:
        raise Http404("no built site")
    record(request.user.get_username(), "download", detail=f"book-{pk}")
    return FileResponse(open(path, "rb"), as_attachment=True, filename=f"report-build-{pk}.zip")
