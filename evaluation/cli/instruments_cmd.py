"""``peer-eval instruments ...``: list, show, diff, check, export and maintain definitions."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from evaluation.instruments import Catalogue, DefinitionError, frozen
from evaluation.instruments.diff import diff
from evaluation.instruments.schema import write_schemas
from evaluation.instruments.translations import translation_report

__all__ = ["register"]

EPILOG = """examples:
  peer-eval instruments list
  peer-eval instruments show detainee@1.1 --lang nl
  peer-eval instruments diff detainee 1.0 1.1
  peer-eval instruments export detainee@1.1 --format sav --lang nl
  peer-eval instruments translations
"""


def register(sub) -> None:
    p = sub.add_parser(
        "instruments",
        help="list, show, diff, check and export the survey instruments",
        description="Versioned survey instruments: list, show, diff, check, export templates.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--instruments", metavar="DIR", help="instrument definitions folder (default: the repository's instruments/)")
    p.add_argument("--licensed-texts", metavar="PATH",
                   help="local YAML file with the item texts of licensed scales (WEMWBS); never commit it")
    isub = p.add_subparsers(dest="action", metavar="ACTION")
    isub.required = True

    a = isub.add_parser("list", help="every instrument with its versions and status")
    a.set_defaults(func=_list)

    a = isub.add_parser("show", help="the items of one version")
    a.add_argument("ref", metavar="ID[@VERSION]", help="e.g. detainee or detainee@1.0 (default: latest)")
    a.add_argument("--lang", choices=["nl", "fr", "en"], default="en")
    a.set_defaults(func=_show)

    a = isub.add_parser("diff", help="what changed between two versions, and what can be harmonised")
    a.add_argument("id")
    a.add_argument("old", metavar="OLD_VERSION")
    a.add_argument("new", metavar="NEW_VERSION")
    a.add_argument("--json", action="store_true", help="print the differences as JSON")
    a.set_defaults(func=_diff)

    a = isub.add_parser("check", help="load every definition and report every problem (exit 1 if any)")
    a.set_defaults(func=_check)

    a = isub.add_parser("translations",
                        help="texts missing a language and project translations to replace before fieldwork")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=_translations)

    a = isub.add_parser("export", help="a data-entry template: .sav, XLSForm, CSV + codebook, printable HTML")
    a.add_argument("ref", metavar="ID@VERSION")
    a.add_argument("--format", "-f", required=True, choices=["sav", "xlsform", "csv", "html"],
                   help="sav: SPSS with labels; xlsform: ODK/KoboToolbox; csv: CSV + codebook; html: printable questionnaire")
    a.add_argument("--lang", choices=["nl", "fr", "en"], default="nl")
    a.add_argument("--output", "-o", metavar="PATH", help="output file (default: ID_VERSION_LANG.EXT here)")
    a.set_defaults(func=_export)

    a = isub.add_parser("freeze", help="register newly published versions in published.sha256 (irreversible)")
    a.set_defaults(func=_freeze)

    a = isub.add_parser("schema", help="write the JSON Schemas of the definition format")
    a.add_argument("--output", metavar="DIR", help="default: instruments/schema")
    a.set_defaults(func=_schema)


def _catalogue(args) -> Catalogue:
    return Catalogue(args.instruments, licensed_texts=args.licensed_texts)


def _fail(exc: Exception) -> int:
    print(str(exc).strip("'\""), file=sys.stderr)
    return 1


def _list(args) -> int:
    cat = _catalogue(args)
    rows = []
    for iid in cat.instrument_ids():
        for v in cat.versions(iid):
            try:
                d = cat.instrument(iid, v)
                rows.append((iid, v, d.meta.status, d.meta.respondent_group, len(d.items),
                             ",".join(d.meta.languages), d.meta.title.get("en", "")))
            except DefinitionError as exc:
                rows.append((iid, v, "INVALID", "", "", "", f"{len(exc.problems)} problem(s): run 'peer-eval instruments check'"))
    header = ("instrument", "version", "status", "group", "items", "languages", "title")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    return 0


def _show(args) -> int:
    try:
        d = _catalogue(args).parse_ref(args.ref)
    except (KeyError, DefinitionError) as exc:
        return _fail(exc)
    lang = args.lang
    print(f"{d.ref}  [{d.meta.status}]  {d.meta.title.get(lang, '')}")
    print(f"waves: {', '.join(w.name for w in d.meta.waves)}; languages: {', '.join(d.meta.languages)}"
          + ("; anonymous" if d.meta.anonymous else ""))
    unval = d.unvalidated_languages()
    if unval:
        print(f"contains project translations not yet validated in: {', '.join(unval)}")
    for n, item in enumerate(d.items, start=1):
        flags = [item.type]
        if item.role:
            flags.append(f"role={item.role}")
        if item.required:
            flags.append("required")
        if item.scale:
            flags.append(f"scale={item.scale}")
        print(f"{n:3d}. {item.name}  ({', '.join(flags)})  {item.label.get(lang, '')}")
        if item.relevant:
            print(f"       asked if: {item.relevant}")
        if item.choices:
            opts = "; ".join(f"{c.code}={c.label.get(lang, '')}" for c in d.choices[item.choices])
            print(f"       choices: {opts}")
        if item.nonresponse:
            print("       nonresponse: " + ", ".join(f"{v}={k}" for k, v in d.nonresponse_codes(item).items()))
    return 0


def _diff(args) -> int:
    cat = _catalogue(args)
    try:
        d = diff(cat.instrument(args.id, args.old), cat.instrument(args.id, args.new))
    except (KeyError, DefinitionError, ValueError) as exc:
        return _fail(exc)
    if args.json:
        print(json.dumps({
            "old": d.old.ref, "new": d.new.ref,
            "changes": [vars(c) for c in d.changes],
            "mapping": [{"target": m.target, "source": m.source,
                         "recode": {str(k): v for k, v in (m.recode or {}).items()} or None,
                         "harmonisable": m.harmonisable} for m in d.mapping],
            "not_harmonisable": [{"item": i, "reason": r} for i, r in d.not_harmonisable],
        }, indent=2, ensure_ascii=False))
    else:
        print(d)
    return 0


def _check(args) -> int:
    from evaluation.instruments.guides import GuideCatalogue

    cat = _catalogue(args)
    problems = cat.check_all() + GuideCatalogue(cat.root).check_all()
    for p in problems:
        print(f"- {p}")
    print(f"{len(problems)} problem(s)" if problems else "all definitions are valid")
    return 1 if problems else 0


def _translations(args) -> int:
    report = translation_report(_catalogue(args))
    if args.json:
        print(report.to_json(orient="records", force_ascii=False, indent=2))
        return 0
    if report.empty:
        print("every text has every language and every translation is validated")
        return 0
    summary = report.groupby(["instrument", "problem", "language"]).size().rename("texts").reset_index()
    print(summary.to_string(index=False))
    print("\nProject translations of scale texts must be replaced by the official version before fieldwork.")
    print("Use --json for the list of every text.")
    return 0


def _export(args) -> int:
    from evaluation.exports import export

    try:
        d = _catalogue(args).parse_ref(args.ref)
    except (KeyError, DefinitionError) as exc:
        return _fail(exc)
    # a folder (the current one by default) gets the standard name: detainee_1.1_nl.sav
    out = Path(args.output) if args.output else Path.cwd()
    try:
        path = export(d, args.format, args.lang, out)
    except ValueError as exc:
        return _fail(exc)
    print(f"wrote {path}")
    return 0


def _status(path: Path) -> str | None:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("status")


def _freeze(args) -> int:
    cat = _catalogue(args)
    files = [cat.root / iid / f"{v}.yaml" for iid in cat.instrument_ids() for v in cat.versions(iid)]
    files += sorted((cat.root / "scales").glob("*.yaml"))
    published = [p.relative_to(cat.root).as_posix() for p in files if _status(p) == "published"]
    added = frozen.register(cat.root, published)
    print("registered: " + (", ".join(added) if added else "nothing new"))
    return 0


def _schema(args) -> int:
    folder = Path(args.output) if args.output else _catalogue(args).root / "schema"
    for path in write_schemas(folder):
        print(f"wrote {path}")
    return 0
