"""Sphinx extension: glued values inside translated paragraphs (the Dutch and French editions).

Sphinx's i18n transform (``sphinx.transforms.i18n.Locale``) parses each translated paragraph into a new
docutils document (for a notebook: with a notebook renderer of its own that holds no glued data), after
the chapter itself was parsed and myst-nb removed its renderer from the chapter's document. A
``{glue}`` role in a translated paragraph therefore finds no value: "No key ... found in glue data for
this document" (Sphinx 7.4.7, myst-nb 1.4.0: 334 such warnings on the demo book's Dutch edition), and
there is no option for this in either package.

myst-nb also pastes values from a named document (``{glue}`chapter.ipynb::key```), resolved after
reading from the glued data it wrote for that document. This extension rewrites, in each translated
message only, the roles that name no document into roles naming the chapter being translated, so the
value pasted is exactly the chapter's own, and shown as the chapter's own reference shows it (plain text, not
inline code). The English edition is untouched.
"""

from __future__ import annotations

import contextvars
import os
import re

__all__ = ["setup", "name_the_chapter"]

_CHAPTER = contextvars.ContextVar("peer_eval_translated_chapter", default=None)
_ROLE = re.compile(r"(\{glue(:[a-z]*)?\}`)(?![^`]*::)([^`]+)(`)")
_PATCHED = False


def name_the_chapter(msgstr: str, chapter_file: str) -> str:
    """``msgstr`` with every glue role that names no document pointing at ``chapter_file``.

    ``{glue:text}`` splits its text at the last colon for a format spec, so a named document needs an
    explicit one (``s``, the role's own default) when the key had none.
    """

    def named(m: re.Match) -> str:
        key = m.group(3)
        if m.group(2) == ":text" and ":" not in key:
            key += ":s"
        return f"{m.group(1)}{chapter_file}::{key}{m.group(4)}"

    return _ROLE.sub(named, msgstr)


def _patch() -> None:
    global _PATCHED
    if _PATCHED:
        return
    from sphinx.transforms import i18n

    original_publish = i18n.publish_msgstr

    def publish_msgstr(app, source, source_path, source_line, config, settings):
        chapter = _CHAPTER.get()
        if chapter and "{glue" in source:
            source = name_the_chapter(source, chapter)
        return original_publish(app, source, source_path, source_line, config, settings)

    i18n.publish_msgstr = publish_msgstr

    original_apply = i18n.Locale.apply

    def apply(self, **kwargs):
        token = _CHAPTER.set(os.path.basename(str(self.env.doc2path(self.env.docname))))
        try:
            return original_apply(self, **kwargs)
        finally:
            _CHAPTER.reset(token)

    i18n.Locale.apply = apply

    # A value pasted by a named reference (what the translated paragraphs use) comes out of myst-nb as
    # inline *code* when it is plain text (myst_nb.ext.glue.crossref.generate_any_nodes: nodes.literal),
    # where the chapter's own reference gives plain inline text: the Dutch and French pages showed every
    # glued number in a code box. The named reference's plain text is given the node the chapter's own
    # reference gives (myst-nb's render_text_plain_inline: an inline with classes output, text_plain).
    from docutils import nodes
    from myst_nb.ext.glue import crossref

    original_generate = crossref.generate_any_nodes

    def generate_any_nodes(node, output, priority_list, builder, env):
        out = original_generate(node, output, priority_list, builder, env)
        if (node.inline and len(out) == 1 and type(out[0]) is nodes.literal
                and out[0].astext() == (output.get("data") or {}).get("text/plain")):
            text = out[0].astext()
            return [nodes.inline(text, text, classes=["output", "text_plain"])]
        return out

    crossref.generate_any_nodes = generate_any_nodes
    _PATCHED = True


def setup(app):
    _patch()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
