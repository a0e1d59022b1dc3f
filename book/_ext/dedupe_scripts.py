"""Sphinx extension: drop repeated identical scripts from each page.

sphinx-thebe (loaded by Jupyter Book whatever ``launch_buttons`` says) adds
its inline ``const THEBE_JS_URL = …`` script with ``app.add_js_file(None,
body=…)`` at ``env-before-read-docs``. Sphinx 7.4 then holds it twice: once
as given to the builder (``filename=None``) and once re-added from the
registry in ``prepare_writing`` (``filename=''``). The two compare unequal,
so both are written, and the second is a JavaScript error in every browser
console ("Identifier 'THEBE_JS_URL' has already been declared").

Scripts are compared by what reaches the page — the file name (``None`` and
``''`` alike), and the attributes including the inline body — and each is
kept once, the first time it appears (priority does not matter: both copies
have the same one, and the order of the rest is unchanged).
"""


def script_key(js) -> tuple:
    """What a script writes into the page: ``(file name or '', sorted attributes)``."""
    filename = getattr(js, "filename", js) or ""
    attributes = getattr(js, "attributes", None) or {}
    return str(filename), tuple(sorted((str(k), str(v)) for k, v in attributes.items()))


def dedupe(scripts: list) -> list:
    """``scripts`` without repeats (see :func:`script_key`), first occurrence kept, in order."""
    seen, kept = set(), []
    for js in scripts:
        key = script_key(js)
        if key not in seen:
            seen.add(key)
            kept.append(js)
    return kept


def _on_page(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if scripts:
        # the same list the template renders: change it in place
        scripts[:] = dedupe(scripts)


def setup(app):
    app.connect("html-page-context", _on_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
