"""Sphinx extension: paste a value another chapter glued, or say that chapter is not computed yet.

The landing page (intro.md) and the assumptions page show results the chapters compute and glue (the key
findings, the rated diagnostics), so nothing is computed twice. myst-nb pastes another document's glued
output (``{glue}`` with ``:doc:``), but a book built before some data have arrived lacks the chapter (or
the chapter is a "cannot be computed yet" page without the value), and myst-nb then warns, which fails a
``-W`` build. This directive pastes the value when it exists and its own content otherwise::

    ```{chapter-glue} reoffending::key_finding_reoffending
    The reoffending chapter cannot be computed from the data submitted so far.
    ```

The content is ordinary MyST prose (translated through the gettext catalogues like any paragraph).
"""

from __future__ import annotations

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import docname_join
from sphinx.util.docutils import SphinxDirective

__all__ = ["setup"]


class chapter_glue(nodes.General, nodes.Element):
    """A pasted value (a myst-nb pending glue reference) with its fallback content."""


class ChapterGlue(SphinxDirective):
    required_arguments = 1
    final_argument_whitespace = False
    has_content = True

    def run(self):
        from myst_nb.ext.glue.utils import PendingGlueReference

        target = self.arguments[0]
        if "::" not in target:
            raise self.error(f"chapter-glue needs <chapter>::<key>, got {target!r}")
        doc, key = target.split("::", 1)
        fallback = nodes.container(classes=["chapter-glue-missing"])
        self.state.nested_parse(self.content, self.content_offset, fallback)
        node = chapter_glue(classes=["chapter-glue"])
        refdoc = docname_join(self.env.docname, doc)  # a chapter is .md or .ipynb: named without extension
        if refdoc in self.env.found_docs:
            ref = PendingGlueReference(refdoc=refdoc, key=key, inline=False)
            ref.source, ref.line = self.state.document.current_source, self.lineno
            node += ref
        node += fallback
        return [node]


class ResolveChapterGlue(SphinxPostTransform):
    """Before myst-nb resolves glue references (priority 5): keep the value or the fallback, never both."""

    default_priority = 4

    def run(self, **kwargs):
        from myst_nb.ext.glue.crossref import read_glue_cache
        from myst_nb.ext.glue.utils import PendingGlueReference

        folder = self.env.mystnb_config.output_folder
        for node in list(self.document.findall(chapter_glue)):
            refs = [n for n in node.children if isinstance(n, PendingGlueReference)]
            found = [r for r in refs if r.key in read_glue_cache(folder, r.refdoc)]
            for child in list(node.children):
                if (found and not isinstance(child, PendingGlueReference)) or (
                        not found and isinstance(child, PendingGlueReference)):
                    node.remove(child)
            container = nodes.container(classes=node["classes"])
            container.extend(node.children)
            node.replace_self(container)


def setup(app):
    app.add_node(chapter_glue)
    app.add_directive("chapter-glue", ChapterGlue)
    app.add_post_transform(ResolveChapterGlue)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
