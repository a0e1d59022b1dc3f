"""Sphinx extension: the report's three editions (English at the site's root, Dutch ``nl/``, French ``fr/``).

``peer-eval build`` runs Sphinx once per edition with ``language`` set and ``html_context`` holding
``peer_eval_edition`` and ``peer_eval_editions`` (``evaluation.build.sphinx.generated_config``). This
extension

* gives every page a language switcher (``_templates/language-switcher.html``, in the article's
  header): links to the same page in the other editions, each with ``lang`` and ``hreflang``, in a
  ``<nav>`` named in the page's language;
* lists, for an edition other than English, every message of the page that has no translation in
  ``book/locales`` (Sphinx marks each translatable node ``translated`` or not) — headings, table and
  figure captions apart, since the build fails on those — in ``_build/untranslated-<language>.json``
  beside the site (read by ``evaluation.build.book``). A message translated by itself (``msgstr`` equal
  to ``msgid``, e.g. "BARC-10") counts as translated.
"""

from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes

__all__ = ["setup", "switcher_links", "REPORT_NAME"]

REPORT_NAME = "untranslated-{language}.json"
_HEADINGS = (nodes.title, nodes.caption, nodes.rubric)


def switcher_links(pagename: str, edition: str, editions: list[str], names: dict[str, str]) -> list[dict]:
    """The switcher's entries for ``pagename`` of ``edition``: one per edition, with its relative link."""
    up = "../" * pagename.count("/") + ("" if edition == "en" else "../")
    out = []
    for lang in editions:
        prefix = "" if lang == "en" else f"{lang}/"
        out.append({"lang": lang, "name": names.get(lang, lang), "current": lang == edition,
                    "href": f"{up}{prefix}{pagename}.html"})
    return out


def _on_config(app, config):
    if not any((Path(app.confdir) / t / "language-switcher.html").is_file() for t in config.templates_path or []):
        return  # a book without the template (a test's copy): no switcher
    options = config.html_theme_options
    end = list(options.get("article_header_end") or ["article-header-buttons.html"])
    if "language-switcher.html" not in end:
        options["article_header_end"] = ["language-switcher.html", *end]


def _on_page(app, pagename, templatename, context, doctree):
    ctx = app.config.html_context or {}
    editions = ctx.get("peer_eval_editions")
    if not editions:
        return
    context["peer_eval_switcher"] = switcher_links(pagename, ctx.get("peer_eval_edition", "en"), list(editions),
                                                   dict(ctx.get("peer_eval_edition_names") or {}))


def _catalogue(app, docname: str) -> dict[str, str]:
    from sphinx.locale import init as init_locale
    from sphinx.util.i18n import docname_to_domain

    dirs = [str(Path(app.srcdir) / d) for d in app.config.locale_dirs]
    catalog, has = init_locale(dirs, app.config.language, docname_to_domain(docname, app.config.gettext_compact))
    if not has:
        return {}
    merged: dict[str, str] = {}
    while catalog is not None:
        merged = {**(getattr(catalog, "_catalog", None) or {}), **merged}
        catalog = getattr(catalog, "_fallback", None)
    return {k: v for k, v in merged.items() if isinstance(k, str)}


def _in_cell_output(node) -> bool:
    """Whether ``node`` was rendered from a code cell's output (myst-nb's ``cell_output`` container)."""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.container) and "cell_output" in parent.get("classes", ()):
            return True
        parent = parent.parent
    return False


def _on_doctree(app, doctree):
    language = app.config.language or "en"
    if language == "en" or app.builder.format != "html":
        return
    from sphinx.util.nodes import extract_messages

    docname = app.env.docname
    merged = translations = None
    messages, headings = [], []
    for node, msg in extract_messages(doctree):
        if node.get("translated"):  # (no catalogue at all for the page: nothing is marked, nothing translated)
            continue
        if _in_cell_output(node):  # kernel output: in its edition's language already (analysis.editions, checked
            continue               # by the reader-prepared notebooks), or content such as the codebook's own texts
        if merged is None:
            merged = _catalogue(app, docname)
        if (merged.get(msg) or "").strip():  # translated by itself ("BARC-10")
            continue
        if translations is None:
            translations = {v for v in merged.values() if isinstance(v, str)}
        if msg in translations:  # already in the edition's language (the toc's part captions, translated by the build)
            continue
        kind = "heading" if isinstance(node, _HEADINGS) else "text"
        if isinstance(node, nodes.title) and isinstance(node.parent, (nodes.table, nodes.figure)):
            kind = "caption"
        if isinstance(node, nodes.caption):
            kind = "caption"
        (headings if kind != "text" else messages).append({"kind": kind, "msgid": msg, "line": node.line})
    store = app.env.__dict__.setdefault("peer_eval_untranslated", {})
    store[docname] = {"headings": headings, "messages": messages}


def _on_purge(app, env, docname):
    getattr(env, "peer_eval_untranslated", {}).pop(docname, None)


def _on_merge(app, env, docnames, other):
    env.__dict__.setdefault("peer_eval_untranslated", {}).update(
        {d: v for d, v in getattr(other, "peer_eval_untranslated", {}).items() if d in docnames})


def _on_finished(app, exception):
    language = app.config.language or "en"
    if exception is not None or language == "en" or app.builder.format != "html":
        return
    report = {d: v for d, v in sorted(getattr(app.env, "peer_eval_untranslated", {}).items())
              if v["headings"] or v["messages"]}
    out = Path(app.outdir).parent / REPORT_NAME.format(language=language)
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def setup(app):
    app.connect("config-inited", _on_config)
    app.connect("html-page-context", _on_page)
    app.connect("doctree-read", _on_doctree)
    app.connect("env-purge-doc", _on_purge)
    app.connect("env-merge-info", _on_merge)
    app.connect("build-finished", _on_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
