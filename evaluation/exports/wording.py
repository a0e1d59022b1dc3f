"""Skip logic and constraints in words, per language ("Answer only if question 5 is “Yes”").

The printable questionnaire and the codebook show a ``relevant`` expression
(:mod:`evaluation.instruments.expr`) as a sentence a respondent or coordinator
reads, with choice codes replaced by their labels::

    describe(parse("used_drugs_30d == 1"), definition, "en", ref=numbering)
    # 'question 5 is “Yes”'
    skip_instruction(...)   # 'Answer only if question 5 is “Yes”.'
"""

from __future__ import annotations

import ast
from typing import Callable

from evaluation.instruments import InstrumentDefinition, parse
from evaluation.instruments.expr import SELF, Expression

from .common import format_number, text_in

__all__ = ["describe", "skip_instruction", "question_refs"]

_WORDS = {
    "en": {"eq": "is", "ne": "is not", "lt": "is less than", "le": "is at most", "gt": "is more than",
           "ge": "is at least", "in": "is one of", "and": "and", "or": "or", "not": "not",
           "selected": "{value} is ticked at {q}", "answered": "{q} is answered", "self": "the answer",
           "only_if": "Answer only if {cond}.", "question": "question {n}", "quote": "“{}”"},
    "nl": {"eq": "is", "ne": "is niet", "lt": "is kleiner dan", "le": "is hoogstens", "gt": "is groter dan",
           "ge": "is minstens", "in": "is een van", "and": "en", "or": "of", "not": "niet",
           "selected": "{value} is aangekruist bij {q}", "answered": "{q} is beantwoord", "self": "het antwoord",
           "only_if": "Alleen beantwoorden als {cond}.", "question": "vraag {n}", "quote": "“{}”"},
    "fr": {"eq": "est", "ne": "n'est pas", "lt": "est inférieur à", "le": "est au plus", "gt": "est supérieur à",
           "ge": "est au moins", "in": "est l'une des réponses", "and": "et", "or": "ou", "not": "non",
           "selected": "{value} est coché à {q}", "answered": "{q} a reçu une réponse", "self": "la réponse",
           "only_if": "Répondre uniquement si {cond}.", "question": "la question {n}", "quote": "« {} »"},
}
_OPS = {ast.Eq: "eq", ast.NotEq: "ne", ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge"}


def question_refs(definition: InstrumentDefinition, numbers: dict[str, int], lang: str) -> Callable[[str], str]:
    """A reference maker: 'question 5' for numbered items, else the item's label in quotes."""
    words = _WORDS.get(lang, _WORDS["en"])

    def ref(name: str) -> str:
        if name in numbers:
            return words["question"].format(n=numbers[name])
        try:
            return words["quote"].format(text_in(definition.item(name).label, lang))
        except KeyError:
            return name

    return ref


def describe(
    expr: Expression | str,
    definition: InstrumentDefinition,
    lang: str,
    ref: Callable[[str], str] | None = None,
) -> str:
    """``expr`` in words in ``lang``; ``ref(name)`` names an item (default: its label)."""
    if isinstance(expr, str):
        expr = parse(expr)
    ref = ref or question_refs(definition, {}, lang)
    return _Describer(definition, lang, ref).visit(expr.tree.body)


def skip_instruction(expr: Expression | str, definition: InstrumentDefinition, lang: str,
                     ref: Callable[[str], str] | None = None) -> str:
    """'Answer only if …' in ``lang``."""
    words = _WORDS.get(lang, _WORDS["en"])
    return words["only_if"].format(cond=describe(expr, definition, lang, ref))


class _Describer(ast.NodeVisitor):
    def __init__(self, definition: InstrumentDefinition, lang: str, ref: Callable[[str], str]):
        self.d = definition
        self.lang = lang
        self.w = _WORDS.get(lang, _WORDS["en"])
        self.ref = ref

    def _labels(self, name: str) -> dict:
        try:
            item = self.d.item(name)
        except KeyError:
            return {}
        if not item.choices:
            return {}
        return {c.code: text_in(c.label, self.lang) for c in self.d.choices[item.choices]}

    def _value(self, node, about: ast.AST | None) -> str:
        """A literal, shown as its choice label when compared with a choice item."""
        if isinstance(node, ast.Constant):
            if isinstance(about, ast.Name):
                label = self._labels(about.id).get(node.value)
                if label is not None:
                    return self.w["quote"].format(label)
            if isinstance(node.value, str):
                return self.w["quote"].format(node.value)
            return format_number(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return "-" + self._value(node.operand, None)
        return self.visit(node)

    def visit_Name(self, node):
        return self.w["self"] if node.id == SELF else self.ref(node.id)

    def visit_Constant(self, node):
        return self._value(node, None)

    def visit_UnaryOp(self, node):
        if isinstance(node.op, ast.USub):
            return self._value(node, None)
        return f"{self.w['not']} ({self.visit(node.operand)})"

    def visit_BoolOp(self, node):
        word = self.w["and"] if isinstance(node.op, ast.And) else self.w["or"]
        parts = []
        for v in node.values:
            text = self.visit(v)
            parts.append(f"({text})" if isinstance(v, ast.BoolOp) else text)
        return f" {word} ".join(parts)

    def visit_Compare(self, node):
        parts = []
        left = node.left
        for op, comp in zip(node.ops, node.comparators):
            subject = self.visit(left) if isinstance(left, ast.Name) else self._value(left, None)
            about = left if isinstance(left, ast.Name) else None
            if isinstance(op, ast.In):
                values = ", ".join(self._value(e, about) for e in comp.elts)
                parts.append(f"{subject} {self.w['in']}: {values}")
            else:
                other = self.visit(comp) if isinstance(comp, ast.Name) else self._value(comp, about)
                parts.append(f"{subject} {self.w[_OPS[type(op)]]} {other}")
            left = comp
        return f" {self.w['and']} ".join(parts)

    def visit_Call(self, node):
        name = node.args[0].id
        if node.func.id == "answered":
            return self.w["answered"].format(q=self.ref(name))
        code = node.args[1].value
        label = self._labels(name).get(code)
        value = self.w["quote"].format(label) if label is not None else format_number(code)
        return self.w["selected"].format(value=value, q=self.ref(name))
