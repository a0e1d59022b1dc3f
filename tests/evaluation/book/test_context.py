"""The book context's primary outcomes in the editions' languages."""

from types import SimpleNamespace

from evaluation.book.context import BookContext


def _ctx(outcomes):
    ctx = BookContext.__new__(BookContext)
    ctx.workspace = SimpleNamespace(config={"primary_outcomes": outcomes})
    return ctx


def test_labels_per_language_and_an_english_only_label_lacks_the_others():
    ctx = _ctx([{"id": "a", "label": {"en": "Reoffending", "nl": "Recidive", "fr": "Récidive"}},
                {"id": "b", "label": "WHO-5 change"}, "c"])
    assert ctx.primary_outcome_labels() == ["Reoffending", "WHO-5 change", "c"]
    assert ctx.primary_outcome_labels("nl") is None  # "b" has an English label only
    texts = ctx.primary_outcome_texts()
    assert texts == {"en": "Reoffending; WHO-5 change; c"}
    ctx = _ctx([{"id": "a", "label": {"en": "Reoffending", "nl": "Recidive", "fr": "Récidive"}}, "c"])
    assert ctx.primary_outcome_texts() == {"en": "Reoffending; c", "nl": "Recidive; c", "fr": "Récidive; c"}
    assert _ctx([]).primary_outcome_texts()["fr"] == "aucun n’est encore désigné"
