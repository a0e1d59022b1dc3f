"""A small expression language for skip logic (``relevant``) and constraints.

Grammar (a safe subset of Python expression syntax, XLSForm-like in meaning)::

    expr    := expr 'or' expr | expr 'and' expr | 'not' expr | '(' expr ')' | compare
    compare := operand (('==' | '!=' | '<' | '<=' | '>' | '>=') operand)+
             | operand 'in' '[' literal (',' literal)* ']'
             | call
    operand := NAME | '.' | NUMBER | 'STRING' | call
    call    := 'selected(' NAME ',' NUMBER ')'   # multiple choice: code ticked
             | 'answered(' NAME ')'              # item has a (non-missing) answer

``NAME`` is another item's ``name``; ``.`` is the item's own value (only in a
``constraint``). Examples::

    used_drugs_30d == 1
    age_band >= 3 and not (sex == 2)
    selected(support_kind, 4)
    . <= 80

Comparisons with a missing value are false (so an item whose condition
depends on an unanswered item is not asked, as in XLSForm).

:func:`parse` checks the syntax and returns an :class:`Expression` that lists
the names it refers to, evaluates vectorised on a :class:`pandas.DataFrame`,
and translates itself to XLSForm syntax.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["Expression", "ExpressionError", "parse", "SELF"]

SELF = "__self__"
_DOT = re.compile(r"(?<![\w.\d])\.(?![\w\d])")
_CMP = {
    ast.Eq: ("==", "="),
    ast.NotEq: ("!=", "!="),
    ast.Lt: ("<", "<"),
    ast.LtE: ("<=", "<="),
    ast.Gt: (">", ">"),
    ast.GtE: (">=", ">="),
}
_FUNCS = {"selected": 2, "answered": 1}


class ExpressionError(ValueError):
    """An expression outside the documented grammar."""


@dataclass(frozen=True)
class Expression:
    source: str
    tree: ast.Expression = field(repr=False, compare=False)
    names: frozenset[str] = frozenset()

    # -- evaluation -----------------------------------------------------
    def evaluate(self, data: pd.DataFrame, self_column: str | None = None, *, odk: bool = False) -> pd.Series:
        """Evaluate on every row of ``data``; returns a boolean Series.

        Multiple-choice items are looked up as one 0/1 column per code,
        named ``{item}_{code}``. ``odk=True`` evaluates as ODK's XPath does:
        an empty answer is unequal to every value (``x != 0`` is true when
        ``x`` is empty); every other comparison with an empty answer stays false.
        """
        result = _Evaluator(data, self_column, odk=odk).visit(self.tree.body)
        if not isinstance(result, pd.Series):
            result = pd.Series(bool(result), index=data.index)
        return result.fillna(False).astype(bool)

    def uses_not_equal(self) -> bool:
        """Whether the expression compares with ``!=``: the only place ODK's reading (``odk=True``) differs."""
        return any(isinstance(node, ast.NotEq) for node in ast.walk(self.tree))

    # -- translation ----------------------------------------------------
    def to_xlsform(self, self_name: str | None = None) -> str:
        return _XLSForm().visit(self.tree.body)


def parse(source: str) -> Expression:
    """Parse ``source``; raise :class:`ExpressionError` naming the problem."""
    text = _DOT.sub(SELF, source.strip())
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"cannot read expression {source!r}: {exc.msg}") from None
    names: set[str] = set()
    _check(tree.body, source, names)
    return Expression(source=source, tree=tree, names=frozenset(names - {SELF}))


def _check(node: ast.AST, source: str, names: set[str]) -> None:
    def bad(what: str):
        raise ExpressionError(
            f"expression {source!r} uses {what}, which the skip-logic language does not have; "
            "use item names, numbers, 'text', ==, !=, <, <=, >, >=, in [..], and, or, not, "
            "selected(item, code), answered(item)"
        )

    if isinstance(node, ast.BoolOp):
        for v in node.values:
            _check(v, source, names)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.Not, ast.USub)):
            bad(type(node.op).__name__)
        _check(node.operand, source, names)
    elif isinstance(node, ast.Compare):
        _check(node.left, source, names)
        for op, comp in zip(node.ops, node.comparators):
            if isinstance(op, ast.In):
                if not isinstance(comp, (ast.List, ast.Tuple)) or not all(
                    isinstance(e, ast.Constant) for e in comp.elts
                ):
                    bad("'in' without a list of literal values")
            elif type(op) not in _CMP:
                bad(f"the operator {type(op).__name__}")
            else:
                _check(comp, source, names)
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCS:
            bad("a function call other than selected() or answered()")
        if len(node.args) != _FUNCS[node.func.id] or node.keywords:
            bad(f"{node.func.id}() with the wrong arguments")
        if not isinstance(node.args[0], ast.Name):
            bad(f"{node.func.id}() whose first argument is not an item name")
        names.add(node.args[0].id)
        if node.func.id == "selected" and not isinstance(node.args[1], ast.Constant):
            bad("selected() whose second argument is not a choice code")
    elif isinstance(node, ast.Name):
        names.add(node.id)
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, (int, float, str)) or isinstance(node.value, bool):
            bad(f"the literal {node.value!r}")
    else:
        bad(type(node).__name__)


def _missing(x) -> pd.Series | bool:
    if isinstance(x, pd.Series):
        return x.isna()
    return x is None or (isinstance(x, float) and np.isnan(x))


class _Evaluator(ast.NodeVisitor):
    def __init__(self, data: pd.DataFrame, self_column: str | None, odk: bool = False):
        self.data = data
        self.self_column = self_column
        self.odk = odk

    def column(self, name: str) -> pd.Series:
        if name == SELF:
            if self.self_column is None:
                raise ExpressionError("'.' (the item's own value) is only allowed in a constraint")
            name = self.self_column
        if name not in self.data.columns:
            return pd.Series(np.nan, index=self.data.index)
        return self.data[name]

    def visit_Name(self, node):
        return self.column(node.id)

    def visit_Constant(self, node):
        return node.value

    def visit_UnaryOp(self, node):
        v = self.visit(node.operand)
        if isinstance(node.op, ast.USub):
            return -v
        return ~_as_bool(v, self.data.index)

    def visit_BoolOp(self, node):
        vals = [_as_bool(self.visit(v), self.data.index) for v in node.values]
        out = vals[0]
        for v in vals[1:]:
            out = (out & v) if isinstance(node.op, ast.And) else (out | v)
        return out

    def visit_Compare(self, node):
        left = self.visit(node.left)
        out = pd.Series(True, index=self.data.index)
        for op, comp in zip(node.ops, node.comparators):
            if isinstance(op, ast.In):
                values = [e.value for e in comp.elts]
                res = _series(left, self.data.index).isin(values)
                right = None
            else:
                right = self.visit(comp)
                l, r = _series(left, self.data.index), right
                with np.errstate(invalid="ignore"):
                    res = {
                        ast.Eq: lambda: l == r,
                        ast.NotEq: lambda: l != r,
                        ast.Lt: lambda: l < r,
                        ast.LtE: lambda: l <= r,
                        ast.Gt: lambda: l > r,
                        ast.GtE: lambda: l >= r,
                    }[type(op)]()
                empty = _series(_missing(l), self.data.index)
                if isinstance(r, pd.Series):
                    empty = empty | r.isna()
                # XPath: an empty answer compares as NaN, which is unequal to everything
                res = (res | empty) if (self.odk and isinstance(op, ast.NotEq)) else (res & ~empty)
            out = out & res.fillna(False).astype(bool)
            left = right
        return out

    def visit_Call(self, node):
        name = node.args[0].id
        if node.func.id == "answered":
            return ~self.column(name).isna()
        code = node.args[1].value
        col = f"{name}_{code}"
        return (self.column(col) == 1).fillna(False)


def _series(x, index) -> pd.Series:
    return x if isinstance(x, pd.Series) else pd.Series(x, index=index)


def _as_bool(x, index) -> pd.Series:
    return _series(x, index).fillna(False).astype(bool)


class _XLSForm(ast.NodeVisitor):
    def visit_Name(self, node):
        return "." if node.id == SELF else "${" + node.id + "}"

    def visit_Constant(self, node):
        return f"'{node.value}'" if isinstance(node.value, str) else repr(node.value)

    def visit_UnaryOp(self, node):
        if isinstance(node.op, ast.USub):
            return "-" + self.visit(node.operand)
        return f"not({self.visit(node.operand)})"

    def visit_BoolOp(self, node):
        op = " and " if isinstance(node.op, ast.And) else " or "
        return "(" + op.join(self.visit(v) for v in node.values) + ")"

    def visit_Compare(self, node):
        parts = []
        left = node.left
        for op, comp in zip(node.ops, node.comparators):
            l = self.visit(left)
            if isinstance(op, ast.In):
                parts.append("(" + " or ".join(f"{l} = {self.visit(e)}" for e in comp.elts) + ")")
            else:
                parts.append(f"{l} {_CMP[type(op)][1]} {self.visit(comp)}")
            left = comp
        return parts[0] if len(parts) == 1 else "(" + " and ".join(parts) + ")"

    def visit_Call(self, node):
        name = "${" + node.args[0].id + "}"
        if node.func.id == "answered":
            return f"string-length(string({name})) > 0"
        return f"selected({name}, '{node.args[1].value}')"
