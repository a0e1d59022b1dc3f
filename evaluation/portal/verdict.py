"""The check report's verdict sentence: the intake's own when it has one, else the portal's.

The intake report may carry its own first sentence, whether the file is (or
would be) accepted (:func:`evaluation.intake.messages.verdict`, in the
report's language). When it exists the page shows it, followed by the
portal's sentence saying what to do; when it does not (an older intake), the
page shows the portal's own full sentence (``check.html``).
"""

from __future__ import annotations

__all__ = ["intake_verdict"]


def intake_verdict(report: dict, *, lang: str, status: str) -> str | None:
    """The intake's verdict for a stored report dictionary in ``lang``, or ``None`` when intake has none."""
    try:
        from evaluation.intake.messages import verdict
    except ImportError:
        return None
    from evaluation.intake.problems import Problem, Report

    if report.get("problems") and not report.get("_problems"):
        return None  # the problems were not kept as data: the verdict could not be recomputed faithfully
    status = status if status in ("checked", "accepted", "rejected", "duplicate") else "checked"
    try:
        problems = [Problem(**d) for d in report.get("_problems") or []]
        rep = Report(file="", lang=lang, status=status, problems=problems, n_rows=report.get("rows") or 0,
                     instrument=report.get("instrument"), site=report.get("site"))
        text = verdict(rep)
    except Exception:  # a verdict that needs more than the stored report: the portal's sentence instead
        return None
    return str(text).strip() or None
