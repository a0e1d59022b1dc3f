"""CSV data-entry template plus codebook (data dictionary).

Three files for ``out_path`` = ``detainee_1.1_nl.csv``:

- ``detainee_1.1_nl.csv``: the template, UTF-8 with BOM (so Excel shows
  accents), ``;``-separated (what Excel writes in Belgian nl/fr locales, so the
  file a coordinator saves has the separator it was given), one header row of
  variable names and **no data rows**. Nothing else: a comment line would not
  survive Excel, so the CSV itself carries no instrument reference;
- ``detainee_1.1_nl.codebook.csv``: the data dictionary, one row per variable
  (every row names the instrument and version: this sidecar is how
  :func:`read_csv_ref` recognises the template);
- ``detainee_1.1_nl.codebook.md``: the same dictionary for people, with the
  notices (unvalidated translations, licensed texts, scale copyright lines).

Intake must therefore recognise a filled-in CSV from its header (the variable
names) when no sidecar travels with it.
"""

from __future__ import annotations

import csv
from pathlib import Path

from evaluation.instruments import LANGUAGE_NAMES, InstrumentDefinition, Item, parse

from .common import (
    atomic_path,
    check_lang,
    choice_labels,
    embed_ref,
    find_ref,
    format_number,
    nonresponse_labels,
    phrase,
    scale_notes,
    template_notices,
    text_in,
)
from .wording import describe

__all__ = [
    "DELIMITER",
    "CODEBOOK_FIELDS",
    "codebook_rows",
    "codebook_markdown",
    "sidecar_paths",
    "write_csvbook",
    "read_csv_ref",
]

DELIMITER = ";"
CODEBOOK_FIELDS = [
    "instrument", "version", "language", "variable", "item", "label", "type", "codes",
    "nonresponse_codes", "range", "constraint", "skip_logic", "skip_logic_text", "required",
    "role", "identifier", "free_text", "scale", "provenance",
]


def sidecar_paths(out_path: Path | str) -> dict[str, Path]:
    """The codebook files written beside the CSV template ``out_path``."""
    out_path = Path(out_path)
    stem = out_path.with_suffix("")
    return {"csv": stem.with_name(stem.name + ".codebook.csv"), "md": stem.with_name(stem.name + ".codebook.md")}


def _codes(labels: dict) -> str:
    return "; ".join(f"{format_number(k)}={v}" for k, v in labels.items())


def codebook_rows(definition: InstrumentDefinition, lang: str) -> list[dict[str, str]]:
    """One row per data column, with the fields of :data:`CODEBOOK_FIELDS`."""
    check_lang(definition, lang)
    rows = []
    for item in definition.items:
        base = {
            "instrument": definition.id,
            "version": definition.version,
            "language": lang,
            "item": item.name,
            "type": item.type,
            "nonresponse_codes": _codes(nonresponse_labels(definition, item, lang)),
            "range": _range(item),
            "constraint": item.constraint.rule if item.constraint else "",
            "skip_logic": item.relevant or "",
            "skip_logic_text": describe(parse(item.relevant), definition, lang) if item.relevant else "",
            "required": "yes" if item.required else "no",
            "role": item.role or "",
            "identifier": item.identifier or "",
            "free_text": "yes" if item.free_text else "no",
            "scale": item.scale or "",
            "provenance": definition.provenance(item, lang).value,
        }
        label = text_in(item.label, lang)
        if item.type == "multiple_choice":
            for code, clabel in choice_labels(definition, item, lang).items():
                rows.append({**base, "variable": f"{item.name}_{code}", "label": f"{label}: {clabel}",
                             "codes": _codes({0: phrase("not_ticked", lang), 1: phrase("ticked", lang)})})
            continue
        codes = choice_labels(definition, item, lang)
        if item.role == "site" and definition.sites is not None:
            codes = {s.code: text_in(s.label, lang) for s in definition.sites.sites}
        elif item.role == "wave":
            codes = {w.code: text_in(w.label, lang) for w in definition.meta.waves}
        rows.append({**base, "variable": item.name, "label": label, "codes": _codes(codes)})
    return rows


def _range(item: Item) -> str:
    if not item.range or (item.range.min is None and item.range.max is None):
        return ""
    lo = format_number(item.range.min) if item.range.min is not None else ""
    hi = format_number(item.range.max) if item.range.max is not None else ""
    return f"{lo}..{hi}"


def _md_cell(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def codebook_markdown(definition: InstrumentDefinition, lang: str) -> str:
    """The codebook as a Markdown document (notices, scales, one table row per variable)."""
    rows = codebook_rows(definition, lang)
    lines = [
        f"# {text_in(definition.meta.title, lang)} — {definition.ref} ({LANGUAGE_NAMES[lang]})",
        "",
        f"`{embed_ref(definition)}`",
        "",
    ]
    lines += [f"> {n}" for n in template_notices(definition, lang)]
    for scale_id in definition.scales:
        lines += ["", f"**{scale_id}**: " + " — ".join(scale_notes(definition, scale_id, lang))]
    cols = ["variable", "label", "type", "codes", "nonresponse_codes", "range", "constraint",
            "skip_logic", "skip_logic_text", "required", "role", "scale", "provenance"]
    lines += ["", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        lines.append("| " + " | ".join(_md_cell(r[c]) for c in cols) + " |")
    return "\n".join(lines) + "\n"


def write_csvbook(definition: InstrumentDefinition, lang: str, out_path: Path | str) -> Path:
    """Write the codebook files, then the CSV template (each atomically); return the template."""
    out_path = Path(out_path)
    rows = codebook_rows(definition, lang)
    side = sidecar_paths(out_path)
    with atomic_path(side["csv"]) as tmp:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=CODEBOOK_FIELDS, delimiter=DELIMITER)
            w.writeheader()
            w.writerows(rows)
    with atomic_path(side["md"]) as tmp:
        tmp.write_text(codebook_markdown(definition, lang), encoding="utf-8")
    with atomic_path(out_path) as tmp:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh, delimiter=DELIMITER).writerow(definition.columns())
    return out_path


def read_csv_ref(path: Path | str) -> str | None:
    """``id@version`` of a CSV template: from its codebook sidecar, or a ``peer-eval:`` first line.

    A codebook CSV passed directly is recognised too. Returns None when
    neither is there (intake then recognises the instrument from the header).
    """
    path = Path(path)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
    ref = find_ref(first)
    if ref:
        return ref
    candidates = [path] if path.name.endswith(".codebook.csv") else [sidecar_paths(path)["csv"]]
    for cand in candidates:
        if not cand.exists():
            continue
        with open(cand, encoding="utf-8-sig", newline="") as fh:
            sample = fh.read(4096)
            fh.seek(0)
            delim = ";" if sample.count(";") >= sample.count(",") else ","
            for row in csv.DictReader(fh, delimiter=delim):
                if row.get("instrument") and row.get("version"):
                    return f"{row['instrument']}@{row['version']}"
    return None
