"""``peer-eval interviews codebook export | check``, ``interviews import``, ``interviews check``, ``interviews template``,
``interviews quotes`` (candidate quotes for reviewers) and ``interviews signoff`` (approve a quote)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["register"]

IMPORT_EPILOG = """A .qdpx project (REFI-QDA export of NVivo, ATLAS.ti, MAXQDA, QualCoder...) or a filled-in
spreadsheet template (.xlsx/.csv; see 'peer-eval interviews template'). The names list is a CSV
with the columns name,label[,participant,role]: every name is replaced by its label in the stored
text, and listed participants form the roster the file is checked against.

examples:
  peer-eval interviews codebook export --format qdc --lang nl --output codebook_nl.qdc
  peer-eval interviews check coded_P03.qdpx --site P03 --names names_P03.csv
  peer-eval interviews import coded_P03.qdpx --site P03 --names names_P03.csv
  peer-eval interviews import segments_P03.xlsx --site P03 --transcripts transcripts_P03/
"""


def register(sub) -> None:
    p = sub.add_parser("interviews", help="interview codebook, coded segments (REFI-QDA or spreadsheet)",
                       description="The thematic codebook and the import of coded interview segments.",
                       epilog=IMPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    isub = p.add_subparsers(dest="interviews_command", metavar="ACTION")
    isub.required = True

    cb = isub.add_parser("codebook", help="export or check the codebook")
    cbs = cb.add_subparsers(dest="codebook_command", metavar="ACTION")
    cbs.required = True
    ex = cbs.add_parser("export", help="the codebook as REFI-QDA (.qdc) for the coding tools, or Markdown")
    ex.add_argument("--format", choices=["qdc", "md"], default="qdc")
    ex.add_argument("--lang", choices=["nl", "fr", "en"], default="en")
    ex.add_argument("--version", metavar="VERSION", help="codebook version (default: the latest)")
    ex.add_argument("--output", "-o", metavar="PATH", help="file to write (default: standard output)")
    ex.add_argument("--instruments", metavar="DIR", help=argparse.SUPPRESS)
    ex.set_defaults(func=_export)
    ck = cbs.add_parser("check", help="load every codebook version and list its problems")
    ck.add_argument("--instruments", metavar="DIR", help=argparse.SUPPRESS)
    ck.set_defaults(func=_check_codebook)

    for name, helptext in (("check", "check a coded file without storing anything (no key needed)"),
                           ("import", "import a coded file into the workspace: pseudonyms, names replaced")):
        c = isub.add_parser(name, help=helptext, epilog=IMPORT_EPILOG,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        c.add_argument("file", metavar="FILE", help=".qdpx, .xlsx or .csv")
        c.add_argument("--site", required=name == "import", metavar="SITE", help="site code, e.g. P03")
        c.add_argument("--names", metavar="NAMES.csv", help="names to replace, and the roster of interviewees")
        c.add_argument("--transcripts", metavar="DIR", help="spreadsheets: folder of <transcript>.txt (UTF-8)")
        c.add_argument("--lang", choices=["nl", "fr", "en"], default="en", help="language of the report")
        c.add_argument("--json", action="store_true", help="print the report as JSON")
        if name == "import":
            c.add_argument("--workspace", metavar="DIR")
            c.add_argument("--key-file", metavar="PATH", help="file holding the pseudonymisation key")
            c.add_argument("--replaces", metavar="SUBMISSION", help="this file replaces an earlier import")
            c.set_defaults(func=_import)
        else:
            c.set_defaults(func=_check)

    q = isub.add_parser("quotes", help="list candidate quotes of a theme for the reviewers",
                        description="Candidate quotes of a theme (its sub-themes included): segment id, respondent "
                                    "group, code, sign-off and the de-identified text. The book shows a quote only "
                                    "once it is signed off and passes the de-identification screen.")
    q.add_argument("--theme", required=True, metavar="THEME", help="theme or sub-theme code (or label)")
    q.add_argument("--group", choices=["detainee", "peer_worker", "staff"], help="only this respondent group")
    q.add_argument("--workspace", metavar="DIR")
    q.set_defaults(func=_quotes)
    so = isub.add_parser("signoff", help="approve a quote for publication (after reading it)",
                         description="Show a quote's de-identified text and record that you approve it. "
                                     "The approval holds for this exact text: if the text changes, sign it off again.")
    so.add_argument("segment", metavar="SEGMENT_ID", help="from 'peer-eval interviews quotes'")
    so.add_argument("--by", required=True, metavar="NAME", help="who approves (name or initials)")
    so.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    so.add_argument("--workspace", metavar="DIR")
    so.set_defaults(func=_signoff)
    from evaluation.qda.consensus_cli import add_parser as add_consensus  # issue 13: the consensus pass

    add_consensus(isub)

    t = isub.add_parser("template", help="the empty spreadsheet template for coded segments")
    t.add_argument("--lang", choices=["nl", "fr", "en"], default="en")
    t.add_argument("--output", "-o", metavar="PATH", help=".xlsx or .csv (default: segments_template_<lang>.xlsx)")
    t.set_defaults(func=_template)


def _export(args) -> int:
    from evaluation.qda import codebook_markdown, load_codebook
    from evaluation.qda.refi import codebook_qdc

    cb = load_codebook(args.version, root=args.instruments)
    data = codebook_qdc(cb, args.lang) if args.format == "qdc" else codebook_markdown(cb, args.lang).encode("utf-8")
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"wrote {args.output}")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def _check_codebook(args) -> int:
    from evaluation.qda import check_codebooks

    problems = check_codebooks(args.instruments)
    for p in problems:
        print(p)
    print("codebook: no problems found" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


def _print(report, as_json: bool) -> None:
    print(report.to_json() if as_json else report.text())


def _file_refused(args) -> int | None:
    from evaluation.intake.filearg import file_problem

    problem = file_problem(args.file)
    if problem is None:
        return None
    print(problem.message(args.lang), file=sys.stderr)
    return 2


def _check(args) -> int:
    from evaluation.qda.importer import check_segments

    refused = _file_refused(args)
    if refused is not None:
        return refused
    report = check_segments(args.file, site=args.site, names=args.names, transcripts=args.transcripts,
                            lang=args.lang)
    _print(report, args.json)
    return 0 if report.valid else 1


def _import(args) -> int:
    from evaluation.intake.messages import render_refusal
    from evaluation.intake.submit import IntakeRefused
    from evaluation.qda.importer import import_segments

    refused = _file_refused(args)
    if refused is not None:
        return refused
    try:
        report = import_segments(args.file, site=args.site, workspace=args.workspace, key_file=args.key_file,
                                 names=args.names, transcripts=args.transcripts, lang=args.lang,
                                 replaces=args.replaces)
    except IntakeRefused as exc:
        print(render_refusal(exc, args.lang), file=sys.stderr)
        return 2
    _print(report, args.json)
    return 0 if report.status in ("accepted", "duplicate") else 1


def _template(args) -> int:
    from evaluation.qda.spreadsheet import export_segment_template

    out = export_segment_template(args.output or f"segments_template_{args.lang}.xlsx", args.lang)
    print(f"wrote {out}")
    return 0


def _open_workspace(path):
    from evaluation.store import Workspace, WorkspaceError

    try:
        return Workspace.open(path, create=False)
    except WorkspaceError as exc:
        print(str(exc), file=sys.stderr)
        return None


def _quotes(args) -> int:
    from evaluation.qda import load_codebook
    from evaluation.store import quote_signoffs, segments

    ws = _open_workspace(args.workspace)
    if ws is None:
        return 2
    codebook = load_codebook()
    code = codebook.resolve(args.theme)
    if code is None:
        print(f"--theme {args.theme!r} is not a code of {codebook.ref}; use one of "
              f"{', '.join(codebook.theme_codes())}", file=sys.stderr)
        return 2
    parents = codebook.parents
    seg = segments(ws)
    keep = seg["code"].map(lambda c: c == code or parents.get(c) == code)
    if args.group:
        keep &= seg["respondent_group"] == args.group
    seg = seg.loc[keep].drop_duplicates("segment_id")
    signed = quote_signoffs(ws).drop_duplicates("segment_id", keep="last").set_index("segment_id")
    print(f"{len(seg)} candidate quote(s) for {code}" + (f" ({args.group})" if args.group else "") +
          ". Texts are de-identified; read each before signing it off.")
    import hashlib

    for r in seg.itertuples(index=False):
        text = " ".join(str(r.text or "").split())
        status = "not signed off"
        if r.segment_id in signed.index:
            s = signed.loc[r.segment_id]
            current = hashlib.sha256(str(r.text or "").encode("utf-8")).hexdigest() == s["text_sha256"]
            status = (f"signed off by {s['approved_by']} on {s['approved_at']:%Y-%m-%d}" if current
                      else "text changed after sign-off")
        print(f"\n{r.segment_id}  {r.respondent_group}  {r.code}  [{status}]\n  {text}")
    return 0


def _signoff(args) -> int:
    import hashlib

    from evaluation.store import SignoffRefused, record_signoff, segments

    ws = _open_workspace(args.workspace)
    if ws is None:
        return 2
    seg = segments(ws)
    row = seg.loc[seg["segment_id"] == args.segment]
    if row.empty:
        print(f"{args.segment!r} is not a segment of an accepted import; list the candidates with "
              "'peer-eval interviews quotes --theme THEME'", file=sys.stderr)
        return 2
    r = row.iloc[0]
    text = str(r["text"] or "")
    print(f"Quote {args.segment} ({r['respondent_group']}, {r['code']}), as it would be published:\n")
    print("  " + " ".join(text.split()) + "\n")
    if not args.yes:
        answer = input(f"Approve this quote for publication as {args.by!r}? [y/N] ").strip().lower()
        if answer not in ("y", "yes", "j", "ja", "o", "oui"):
            print("not signed off")
            return 1
    try:
        rec = record_signoff(ws, args.segment, approved_by=args.by,
                             text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    except SignoffRefused as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"signed off by {rec['approved_by']} at {rec['approved_at']}")
    return 0
