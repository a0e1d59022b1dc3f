"""Sphinx extension: drop repeated identical inline scripts from each page.

sphinx-thebe (loaded by Jupyter Book) adds its ``const THEBE_JS_URL = …``
script once per read of the sources; a second copy is a JavaScript error
("Identifier 'THEBE_JS_URL' has already been declared") in every browser
console. Identical scripts are removed, keeping the first.
"""


def _dedupe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for js in scripts:
        attrs = getattr(js, "attributes", {}) or {}
        key = (str(js), attrs.get("body"), attrs.get("src"))
        if key in seen:
            continue
        seen.add(key)
        kept.append(js)
    scripts[:] = kept


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
