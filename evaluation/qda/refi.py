"""REFI-QDA exchange: the codebook as ``.qdc``, coded projects as ``.qdpx``.

The REFI-QDA standard (QDA-XML 1.0, namespace ``urn:QDA-XML:project:1.0``;
the schema is in ``schema/Project-mrt2019.xsd``, MIT licence) is what NVivo,
ATLAS.ti, MAXQDA, QualCoder and others import and export.

- :func:`codebook_qdc` / :func:`write_qdc`: the codebook as a ``CodeBook``
  document in the REFI-QDA codebook namespace ``urn:QDA-XML:codebook:1.0``
  (what QualCoder, ATLAS.ti and NVivo import as a ``.qdc``), one ``Code`` per theme with its sub-themes nested, the code name
  in the coder's language and the definition, when to use / not to use and
  example in its ``Description``. GUIDs are derived from the codes (UUID 5),
  so every export of a version is byte-identical and re-imports map back.
- :func:`read_qdpx`: a project (zip with ``project.qde`` and ``sources/``)
  as a :class:`~evaluation.qda.coded.CodedFile`. Codes are mapped by their
  name (a code or a label in any language) or by the ``[code]`` marker of the
  description; nested codes (ATLAS.ti) are read; the participant, role and
  site of a transcript come from its ``Case`` (case name = participant, case
  variables ``role`` / ``site``) or from the source's own variables. QualCoder
  writes a case's ``SourceRef`` with the GUID its source's files are named
  after (``richTextPath="internal://<that GUID>.docx"``), not the
  ``TextSource``'s own GUID: such a reference is matched by that file name.
- :func:`write_qdpx`: a valid project from transcripts and codings (fixtures,
  the demo).
"""

from __future__ import annotations

import io
import uuid
import zipfile
import zlib
from pathlib import Path
from typing import Iterable
from xml.sax.saxutils import escape

from lxml import etree

from evaluation.intake.problems import Problem

from .codebook import Codebook
from .coded import CodedFile, Selection, Source, field_of

__all__ = ["NS", "CODEBOOK_NS", "XSD_PATH", "code_guid", "codebook_qdc", "write_qdc", "read_qdpx", "write_qdpx", "schema",
           "codebook_schema"]

NS = "urn:QDA-XML:project:1.0"
#: The namespace of a codebook exchanged on its own (a ``.qdc`` file, REFI-QDA Codebook 1.0).
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
XSD_PATH = Path(__file__).with_name("schema") / "Project-mrt2019.xsd"
_GUID_NS = uuid.UUID("6f1d3c2e-0b7a-5e4f-9a8b-2c1d0e3f4a5b")
_Q = f"{{{NS}}}"
_DESC_HEAD = {"en": ("When to use", "When not to use", "Example"),
              "nl": ("Wanneer gebruiken", "Wanneer niet gebruiken", "Voorbeeld"),
              "fr": ("Quand l'utiliser", "Quand ne pas l'utiliser", "Exemple")}


def code_guid(code: str) -> str:
    """The stable GUID of a code in every export (UUID 5 of the code)."""
    return str(uuid.uuid5(_GUID_NS, f"codebook-code:{code}"))


def _guid(*parts) -> str:
    return str(uuid.uuid5(_GUID_NS, ":".join(map(str, parts))))


def schema() -> etree.XMLSchema:
    """The REFI-QDA project schema (root element ``Project``)."""
    return etree.XMLSchema(etree.parse(str(XSD_PATH)))


def codebook_schema() -> etree.XMLSchema:
    """The REFI-QDA codebook schema: ``CodeBook`` as the root, namespace :data:`CODEBOOK_NS`.

    Built from the project schema (the codebook standard reuses its
    ``CodeBookType``), with the root element and its ``origin`` attribute added.
    """
    text = XSD_PATH.read_text(encoding="utf-8").replace(NS, CODEBOOK_NS)
    doc = etree.fromstring(text.encode("utf-8"))
    xs = "http://www.w3.org/2001/XMLSchema"
    el = etree.SubElement(doc, f"{{{xs}}}element")
    el.set("name", "CodeBook")
    el.set("type", "CodeBookType")
    for ct in doc.iter(f"{{{xs}}}complexType"):
        if ct.get("name") == "CodeBookType":
            attr = etree.SubElement(ct, f"{{{xs}}}attribute")
            attr.set("name", "origin")
            attr.set("type", "xsd:string")
    return etree.XMLSchema(doc)


# ---------------------------------------------------------------------------
# the codebook as .qdc


def _description(c, lang: str) -> str:
    when, when_not, example = _DESC_HEAD[lang]
    return (f"[{c.code}] {c.definition[lang].strip()}\n{when}: {c.when_to_use[lang].strip()}\n"
            f"{when_not}: {c.when_not_to_use[lang].strip()}\n{example}: {c.example[lang].strip()}")


def _code_element(parent, c, lang: str, color: str | None):
    el = etree.SubElement(parent, f"{_Q}Code")
    el.set("guid", code_guid(c.code))
    el.set("name", c.label[lang])
    el.set("isCodable", "true")
    if color:
        el.set("color", color.upper())
    d = etree.SubElement(el, f"{_Q}Description")
    d.text = _description(c, lang)
    return el


def _codes(parent, codebook: Codebook, lang: str) -> None:
    codes = etree.SubElement(parent, f"{_Q}Codes")
    for t in codebook.themes:
        el = _code_element(codes, t, lang, t.color)
        for s in t.sub_themes:
            _code_element(el, s, lang, s.color or t.color)


def codebook_qdc(codebook: Codebook, lang: str = "en") -> bytes:
    """The codebook as a REFI-QDA ``CodeBook`` document (UTF-8 XML bytes), names in ``lang``."""
    if lang not in codebook.languages:
        raise ValueError(f"codebook_qdc(lang={lang!r}): the codebook is in {', '.join(codebook.languages)}")
    root = etree.Element(f"{_Q}CodeBook", nsmap={None: NS})
    _codes(root, codebook, lang)
    # the same elements in the codebook namespace, with the exporting program named as ATLAS.ti and QualCoder do
    text = etree.tostring(root, encoding="unicode").replace(f'xmlns="{NS}"', f'xmlns="{CODEBOOK_NS}" origin="peer-eval"', 1)
    out = etree.fromstring(text.encode("utf-8"))
    return etree.tostring(out, xml_declaration=True, encoding="utf-8", pretty_print=True)


def write_qdc(codebook: Codebook, path: Path | str, lang: str = "en") -> Path:
    """Write :func:`codebook_qdc` to ``path`` (a ``.qdc`` file) and return the path."""
    path = Path(path)
    path.write_bytes(codebook_qdc(codebook, lang))
    return path


# ---------------------------------------------------------------------------
# reading a project


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _variable_value(vv, variables: dict[str, str]) -> tuple[str | None, str | None]:
    ref = vv.find(f"{_Q}VariableRef")
    name = variables.get(ref.get("targetGUID")) if ref is not None else None
    for child in vv:
        if child.tag != f"{_Q}VariableRef" and child.text is not None:
            return name, child.text.strip()
    return name, None


def read_qdpx(path: Path | str, codebook: Codebook | None = None) -> CodedFile:
    """Read a ``.qdpx`` project; problems (unreadable zip, XML, schema) go in ``CodedFile.problems``.

    ``codebook`` is used to map code names to codes (name, label in any
    language, or ``[code]`` at the start of the description); codes it cannot
    map keep their name as written and the importer reports them.
    """
    path = Path(path)
    out = CodedFile(format="qdpx")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        out.problems.append(Problem("file-unreadable", params={"detail": f"not a .qdpx (zip) file: {type(exc).__name__}"}))
        return out
    with zf:
        from evaluation.intake.limits import LimitExceeded, zip_members

        try:  # (issue 17) a bomb is refused from the ZIP's directory, before anything is decompressed
            zip_members(path)
        except LimitExceeded as exc:
            out.problems.append(Problem("limit-exceeded", params=exc.params))
            return out
        names = {n.lower(): n for n in zf.namelist()}
        qde = names.get("project.qde") or next((names[n] for n in names if n.endswith(".qde")), None)
        if qde is None:
            out.problems.append(Problem("qdpx-invalid", params={"detail": "project.qde missing"}))
            return out
        try:
            doc = etree.parse(io.BytesIO(zf.read(qde)), etree.XMLParser(resolve_entities=False, no_network=True))
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # (issue 17) a damaged member
            out.problems.append(Problem("file-unreadable", params={"detail": f"damaged .qdpx: {type(exc).__name__}"}))
            return out
        except etree.XMLSyntaxError as exc:
            out.problems.append(Problem("qdpx-invalid", params={"detail": f"project.qde is not XML ({exc.msg})"}))
            return out
        sch = schema()
        if not sch.validate(doc):
            err = sch.error_log.last_error
            out.problems.append(Problem("qdpx-schema", severity="warning",
                                        params={"detail": f"line {err.line}: {err.message}"[:200]}))
        root = doc.getroot()
        out.origin = root.get("origin")
        users = {u.get("guid"): (u.get("name") or u.get("id") or u.get("guid")) for u in root.iter(f"{_Q}User")}
        codes: dict[str, str] = {}
        for c in root.iter(f"{_Q}Code"):
            name = c.get("name") or ""
            desc = c.find(f"{_Q}Description")
            mapped = codebook.resolve(name) if codebook is not None else None
            if mapped is None and desc is not None and desc.text and desc.text.lstrip().startswith("["):
                marker = desc.text.lstrip()[1:].split("]", 1)[0]
                mapped = codebook.resolve(marker) if codebook is not None else marker
            codes[c.get("guid")] = mapped or name
        variables = {v.get("guid"): v.get("name") for v in root.iter(f"{_Q}Variable")}
        source_alias = _source_aliases(root)
        case_of_source: dict[str, dict[str, str | None]] = {}
        for case in root.iter(f"{_Q}Case"):
            info: dict[str, str | None] = {"participant": case.get("name")}
            for vv in case.findall(f"{_Q}VariableValue"):
                name, value = _variable_value(vv, variables)
                f = field_of(name)
                if f in ("participant", "role", "site"):
                    info[f] = value
            for sr in case.findall(f"{_Q}SourceRef"):
                target = sr.get("targetGUID")
                case_of_source[source_alias.get(_guid_key(target), target)] = info
        sources_el = root.find(f"{_Q}Sources")
        for ts in (sources_el.findall(f"{_Q}TextSource") if sources_el is not None else []):
            guid = ts.get("guid")
            src = Source(key=guid, name=ts.get("name") or guid)
            content = ts.find(f"{_Q}PlainTextContent")
            if content is not None and content.text is not None:
                src.text = content.text
            elif ts.get("plainTextPath"):
                p = ts.get("plainTextPath")
                inner = p.split("://", 1)[1] if p.startswith("internal://") else p
                member = names.get(f"sources/{inner}".lower()) or names.get(inner.lower())
                if member is None:
                    out.problems.append(Problem("transcript-text-missing", severity="warning",
                                                params={"transcript": src.name}))
                else:
                    raw = zf.read(member)
                    try:
                        src.text = raw.decode("utf-8-sig")
                    except UnicodeDecodeError:
                        src.text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else None
                        if src.text is None:
                            out.problems.append(Problem("transcript-text-missing", severity="warning",
                                                        params={"transcript": src.name}))
            info = dict(case_of_source.get(guid, {}))
            for vv in ts.findall(f"{_Q}VariableValue"):
                name, value = _variable_value(vv, variables)
                f = field_of(name)
                if f in ("participant", "role", "site") and value:
                    info[f] = value
            src.participant, src.role, src.site = info.get("participant"), info.get("role"), info.get("site")
            out.sources[guid] = src
            for sel in ts.findall(f"{_Q}PlainTextSelection"):
                desc = sel.find(f"{_Q}Description")
                for coding in sel.findall(f"{_Q}Coding"):
                    ref = coding.find(f"{_Q}CodeRef")
                    code_guid_ = ref.get("targetGUID") if ref is not None else None
                    user = coding.get("creatingUser") or sel.get("creatingUser")
                    out.selections.append(Selection(
                        source=guid, code=codes.get(code_guid_, code_guid_), coder=users.get(user, user),
                        start=_int(sel.get("startPosition")), end=_int(sel.get("endPosition")),
                        text=sel.get("name"), comment=desc.text if desc is not None else None,
                        ref=sel.get("guid")))
    return out


def _guid_key(guid: str | None) -> str:
    return (guid or "").strip().strip("{}").lower()


def _source_aliases(root) -> dict[str, str]:
    """Other GUIDs a source is known by -> its ``guid``: the GUID its files are named after (QualCoder)."""
    out: dict[str, str] = {}
    sources = root.find(f"{_Q}Sources")
    if sources is None:
        return out
    for ts in sources:
        guid = ts.get("guid")
        if not guid:
            continue
        out[_guid_key(guid)] = guid
        for attr in ("richTextPath", "plainTextPath", "path"):
            value = ts.get(attr)
            if value:
                stem = value.rsplit("/", 1)[-1].split(".", 1)[0]
                out.setdefault(_guid_key(stem), guid)
    return out


# ---------------------------------------------------------------------------
# writing a project


def write_qdpx(
    path: Path | str,
    codebook: Codebook,
    transcripts: Iterable[dict],
    *,
    lang: str = "en",
    project: str = "peer-eval interviews",
    origin: str = "peer-eval",
    inline_text: bool = False,
    selection_names: bool = True,
) -> Path:
    """Write a REFI-QDA project.

    ``transcripts``: dicts with ``name``, ``text``, ``participant``, ``role``,
    ``site`` and ``codings``: a list of ``(start, end, code, coder)`` in code
    points of ``text``. One ``Case`` per participant carries ``role`` and
    ``site`` variables; each coder is a ``User``; each coding its own
    ``PlainTextSelection`` whose ``name`` is the selected text (unless
    ``selection_names=False``). Texts go in ``sources/`` (UTF-8) unless
    ``inline_text``.
    """
    transcripts = list(transcripts)
    coders = sorted({c[3] for t in transcripts for c in t.get("codings", [])})
    user_guid = {u: _guid("user", u) for u in coders}
    x: list[str] = ['<?xml version="1.0" encoding="utf-8"?>',
                    f'<Project xmlns="{NS}" name="{escape(project)}" origin="{escape(origin)}">']
    if coders:
        x.append("<Users>")
        x += [f'<User guid="{user_guid[u]}" name="{escape(u)}"/>' for u in coders]
        x.append("</Users>")
    cb = etree.Element(f"{_Q}CodeBook", nsmap={None: NS})
    _codes(cb, codebook, lang)
    known = set(codebook.all_codes())
    others = sorted({c[2] for t in transcripts for c in t.get("codings", [])} - known)
    codes_el = cb.find(f"{_Q}Codes")
    for other in others:  # codes the coder added that the codebook lacks
        el = etree.SubElement(codes_el, f"{_Q}Code")
        el.set("guid", code_guid(other))
        el.set("name", other)
        el.set("isCodable", "true")
    x.append(etree.tostring(cb, encoding="unicode").replace(f' xmlns="{NS}"', "", 1))
    var_role, var_site = _guid("var", "role"), _guid("var", "site")
    x.append(f'<Variables><Variable guid="{var_role}" name="role" typeOfVariable="Text"/>'
             f'<Variable guid="{var_site}" name="site" typeOfVariable="Text"/></Variables>')
    files: dict[str, bytes] = {}
    src_guids = [_guid("source", n, t["name"]) for n, t in enumerate(transcripts)]
    cases: dict[str, list[int]] = {}
    for n, t in enumerate(transcripts):
        cases.setdefault(t.get("participant") or "", []).append(n)
    x.append("<Cases>")
    for participant, idx in cases.items():
        t0 = transcripts[idx[0]]
        x.append(f'<Case guid="{_guid("case", participant)}" name="{escape(participant)}">')
        for var, key in ((var_role, "role"), (var_site, "site")):
            if t0.get(key):
                x.append(f'<VariableValue><VariableRef targetGUID="{var}"/><TextValue>{escape(str(t0[key]))}'
                         "</TextValue></VariableValue>")
        x += [f'<SourceRef targetGUID="{src_guids[i]}"/>' for i in idx]
        x.append("</Case>")
    x.append("</Cases>")
    x.append("<Sources>")
    for n, t in enumerate(transcripts):
        g = src_guids[n]
        if inline_text:
            x.append(f'<TextSource guid="{g}" name="{escape(t["name"])}">')
            x.append(f"<PlainTextContent>{escape(t['text'])}</PlainTextContent>")
        else:
            fname = f"{g}.txt"
            files[f"sources/{fname}"] = t["text"].encode("utf-8")
            x.append(f'<TextSource guid="{g}" name="{escape(t["name"])}" plainTextPath="internal://{fname}">')
        for k, (s, e, code, coder) in enumerate(t.get("codings", [])):
            sg = _guid("sel", g, k, s, e, code, coder)
            name = f' name="{escape(t["text"][s:e], {chr(34): "&quot;", chr(10): "&#10;", chr(13): "&#13;"})}"' \
                if selection_names else ""
            x.append(f'<PlainTextSelection guid="{sg}"{name} startPosition="{s}" endPosition="{e}" '
                     f'creatingUser="{user_guid[coder]}">')
            x.append(f'<Coding guid="{_guid("coding", sg)}" creatingUser="{user_guid[coder]}">'
                     f'<CodeRef targetGUID="{code_guid(code)}"/></Coding>')
            x.append("</PlainTextSelection>")
        x.append("</TextSource>")
    x.append("</Sources>")
    x.append("</Project>")
    path = Path(path)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", "\n".join(x).encode("utf-8"))
        for name, data in files.items():
            zf.writestr(name, data)
    return path
