"""What a book chapter needs from the evaluation side: the workspace and its loaders.

A chapter starts with::

    from evaluation.book import context
    ctx = context()

and then calls ``ctx.outcomes()``, ``ctx.responses("detainee")``, ... and the
``analysis`` package. The workspace comes from ``$PEER_EVAL_WORKSPACE`` (an
absolute path set by ``peer-eval build`` / ``peer-eval lab``), so a chapter
never names a path.
"""

from .context import BookContext, context

__all__ = ["BookContext", "context"]
