"""``peer-eval check | submit | submissions | status | linkage | erase | purge-identifiers``."""

from __future__ import annotations

import argparse
import json
import sys

from evaluation.instruments import Catalogue

__all__ = ["register"]

SUBMIT_EPILOG = """The pseudonymisation key comes from --key-file, $PEER_EVAL_KEY or $PEER_EVAL_KEY_FILE;
it must be kept outside the workspace and outside any git repository.
The workspace is --workspace, else $PEER_EVAL_WORKSPACE, else ./peer-eval-workspace.

examples:
  peer-eval check baseline_P03.sav --lang nl
  peer-eval submit baseline_P03.sav --site P03 --lang nl
  peer-eval submit baseline_P03_v2.sav --site P03 --replaces S1a2b3c4d5e
  peer-eval submit extra_P03.xlsx --site P03 --append
"""


def _common(p, *, site_required: bool):
    p.add_argument("file", metavar="FILE", help="the data file: .sav, .zsav, .dta, .xlsx or .csv")
    p.add_argument("--site", required=site_required, metavar="SITE", help="site code the file is for, e.g. P03")
    p.add_argument("--instrument", metavar="ID@VERSION",
                   help="questionnaire and version (default: recognised from the file)")
    p.add_argument("--lang", choices=["nl", "fr", "en"], default="en", help="language of the report")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--date-order", choices=["dmy", "mdy"], default=None,
                   help="how dates like 03/04/2025 are written: day first (dmy) or month first (mdy); "
                        "default: found from the file")
    p.add_argument("--instruments", metavar="DIR", help=argparse.SUPPRESS)


def register(sub) -> None:
    p = sub.add_parser("check", help="check a data file without storing anything (no key needed)",
                       description="Check a data file before sending it: every problem, in your language. "
                                   "Nothing is stored and no key is needed. Exit code 1 when the file would be rejected.",
                       epilog="example:\n  peer-eval check baseline_P03.sav --site P03 --lang fr",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(p, site_required=False)
    p.set_defaults(func=_check)

    p = sub.add_parser("submit", help="submit a data file: validate, pseudonymise, store",
                       description="Submit a coordinator's data file for one site. The file is kept read-only "
                                   "in the workspace; an accepted file is stored whole, a rejected one goes to "
                                   "quarantine with its report. Exit code 1 when the file is rejected.",
                       epilog=SUBMIT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(p, site_required=True)
    p.add_argument("--workspace", metavar="DIR")
    p.add_argument("--key-file", metavar="PATH", help="file holding the pseudonymisation key")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--replaces", metavar="SUBMISSION", help="this file corrects and replaces an earlier submission")
    g.add_argument("--append", action="store_true", help="this file adds rows to data already sent for the same wave")
    p.set_defaults(func=_submit)

    p = sub.add_parser("submissions", help="what each site has sent, accepted and rejected")
    p.add_argument("--workspace", metavar="DIR")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_submissions)

    p = sub.add_parser("status", help="per site and wave: what has arrived, what is missing, response counts")
    p.add_argument("--workspace", metavar="DIR")
    p.add_argument("--missing", action="store_true", help="show only what is missing")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_status)

    p = sub.add_parser("linkage", help="per site, how many release records link to survey or contact records")
    p.add_argument("--workspace", metavar="DIR")
    p.set_defaults(func=_linkage)

    p = sub.add_parser("erase", help="GDPR erasure: remove a person from every table and raw file",
                       description="Remove one person from every table and replace each raw file holding them "
                                   "by a redacted copy (hashes logged). Needs the key.")
    p.add_argument("person", metavar="PSEUDONYM-or-ID", help="a pseudonym (k1-...) or a prison / national register number")
    p.add_argument("--workspace", metavar="DIR")
    p.add_argument("--key-file", metavar="PATH")
    p.set_defaults(func=_erase)

    p = sub.add_parser("purge-identifiers",
                       help="after the retention date: remove raw identifiers from every raw file")
    p.add_argument("--workspace", metavar="DIR")
    p.add_argument("--key-file", metavar="PATH", help="with the key, identifiers become pseudonym columns")
    p.add_argument("--force", action="store_true", help="purge even before the retention date")
    p.set_defaults(func=_purge)


def _catalogue(args) -> Catalogue:
    return Catalogue(getattr(args, "instruments", None))


def _print_report(report, as_json: bool) -> int:
    print(report.to_json() if as_json else report.text())
    return 0 if report.status in ("accepted", "checked", "duplicate") and report.valid else 1


def _file_refused(args) -> int | None:
    """Exit 2 with a message in the coordinator's language when FILE is not a readable file."""
    from evaluation.intake.filearg import file_problem

    problem = file_problem(args.file)
    if problem is None:
        return None
    print(problem.message(args.lang), file=sys.stderr)
    return 2


def _check(args) -> int:
    from evaluation.intake.submit import check_file

    refused = _file_refused(args)
    if refused is not None:
        return refused
    report = check_file(args.file, site=args.site, instrument=args.instrument, lang=args.lang,
                        catalogue=_catalogue(args), date_order=args.date_order)
    return _print_report(report, args.json)


def _submit(args) -> int:
    from evaluation.intake.messages import render_refusal
    from evaluation.intake.submit import IntakeRefused, submit_file

    refused = _file_refused(args)
    if refused is not None:
        return refused
    try:
        report = submit_file(args.file, site=args.site, instrument=args.instrument, lang=args.lang,
                             workspace=args.workspace, key_file=args.key_file, replaces=args.replaces,
                             append=args.append, catalogue=_catalogue(args), date_order=args.date_order)
    except IntakeRefused as exc:
        print(render_refusal(exc, args.lang), file=sys.stderr)
        return 2
    return _print_report(report, args.json)


def _workspace(args):
    from evaluation.store import Workspace, WorkspaceError

    try:
        return Workspace.open(args.workspace, create=False)
    except WorkspaceError as exc:
        print(str(exc), file=sys.stderr)
        return None


def _table(frame, as_json: bool = False) -> None:
    if as_json:
        print(frame.to_json(orient="records", force_ascii=False, indent=2, date_format="iso"))
    elif frame.empty:
        print("nothing yet")
    else:
        print(frame.to_string(index=False))


def _submissions(args) -> int:
    from evaluation.store import submissions

    ws = _workspace(args)
    if ws is None:
        return 1
    _table(submissions(ws), args.json)
    return 0


def _status(args) -> int:
    from evaluation.store import status

    ws = _workspace(args)
    if ws is None:
        return 1
    frame = status(ws, Catalogue())
    if args.missing and "missing" in frame:
        frame = frame[frame["missing"]]
    _table(frame, args.json)
    return 0


def _linkage(args) -> int:
    from evaluation.store import linkage

    ws = _workspace(args)
    if ws is None:
        return 1
    _table(linkage(ws))
    return 0


def _key(args):
    from evaluation.intake.pseudonymise import KeyMissing, KeyRefused, load_key

    try:
        return load_key(args.key_file)
    except (KeyMissing, KeyRefused) as exc:
        print(str(exc), file=sys.stderr)
        return None


def _erase(args) -> int:
    from evaluation.store import erase

    ws = _workspace(args)
    key = _key(args) if ws is not None else None
    if ws is None or key is None:
        return 2
    try:
        result = erase(ws, key, args.person)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    for problem in result.files_unreadable:  # named, never silently left: the command fails
        print(f"NOT CLEANED: {problem} — the person may still be in this file; remove it by hand "
              "or ask the data controller", file=sys.stderr)
    if not result.found and not result.files_unreadable:
        print("no data of this person were found")
        return 1
    print(json.dumps({"rows_removed": result.rows_removed, "tables": list(result.tables),
                      "files_redacted": len(result.files_redacted),
                      "files_not_cleaned": len(result.files_unreadable)}, indent=2))
    return 3 if result.files_unreadable else 0


def _purge(args) -> int:
    from evaluation.store import RetentionNotDue, purge_identifiers

    ws = _workspace(args)
    if ws is None:
        return 2
    key = _key(args) if args.key_file else None
    try:
        result = purge_identifiers(ws, key, force=args.force)
    except RetentionNotDue as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(result)
    return 0
