"""Python evaluation of SQL expressions: each AST expression is compiled once into a closure.

``Compiler.expr(node)`` returns ``f(ctx) -> value``; ``Compiler.condition(node)`` returns
``f(ctx) -> True | False | None`` (None: unknown, see below). The closures read the row being evaluated from ``ctx.current`` (a record, a
projected dict, a Result or a plain value) and parameters, variables and the database from ``ctx``.

Comparison semantics mirror what the storage layer compiles for SQLite, so that a condition gives
the same answer whether it was pushed down or evaluated here: dates compare as their ISO text,
decimals as numbers, and text meets numbers as ArcadeDB converts them (`_cross`); ORDER BY, min()
and max() put numbers before strings.

Conditions are three-valued, as the reference evaluates them (docs/reference-notes.md §10): a
comparison (``= <> < <= > >=``, BETWEEN) with a null or missing operand is *unknown* (None), IN
is unknown when nothing matches and the operand is null (the list not empty) or the list holds a
null, and NOT, AND, OR follow Kleene's rules, so ``i <> 5`` and ``NOT (i = 5)`` do not hold where
``i`` is missing. LIKE, MATCHES, the CONTAINS family, IS [NOT] NULL/DEFINED and INSTANCEOF are
never unknown. A WHERE keeps the rows whose condition is True; a projected condition shows
unknown as null.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..exceptions import QueryError
from ..model.records import Document
from ..model.results import Result
from ..rid import RID
from ..sql import ast as a
from .context import Ctx, Fn
from .functions import compile_function, compile_method
from .values import (
    NUMBER_TYPES,
    _text,
    arithmetic,
    as_record,
    case_equals,
    compare,
    contains,
    contains_all,
    contains_any,
    equals,
    get_field,
    in_list3,
    instance_of,
    like,
    matches,
    record_attribute,
    to_list,
    truthy,
)
from .walks import WALK_MOVES, compile_walk_fn, walk_of


def _and3(parts: list[Callable[[Ctx], Any]]) -> Callable[[Ctx], bool | None]:
    """Kleene AND: False wins, then unknown (None), else True."""

    def and_(ctx: Ctx) -> bool | None:
        unknown = False
        for part in parts:
            value = part(ctx)
            if value is None:
                unknown = True
            elif not value:
                return False
        return None if unknown else True

    return and_


def _or3(parts: list[Callable[[Ctx], Any]]) -> Callable[[Ctx], bool | None]:
    """Kleene OR: True wins, then unknown (None), else False."""

    def or_(ctx: Ctx) -> bool | None:
        unknown = False
        for part in parts:
            value = part(ctx)
            if value is None:
                unknown = True
            elif value:
                return True
        return None if unknown else False

    return or_


def _ordered3(
    result: int | None, left: Any, right: Any, test: Callable[[int], bool]
) -> bool | None:
    """An ordering test of compare()'s result: unknown when an operand is null, false when the
    values do not compare (text that is no number against a number)."""
    if left is None or right is None:
        return None
    return result is not None and test(result)


# ------------------------------------------------------------------------------- compiler


_AT_LEAST: Callable[[int], bool] = lambda c: c >= 0  # noqa: E731
_AT_MOST: Callable[[int], bool] = lambda c: c <= 0  # noqa: E731
_ORDER_TESTS: dict[str, Callable[[int], bool]] = {
    "<": lambda c: c < 0, "<=": _AT_MOST, ">": lambda c: c > 0, ">=": _AT_LEAST,
}  # fmt: skip


class Compiler:
    """Compiles expressions of one statement; aggregates register here when allowed."""

    def __init__(self, subquery: Callable[[a.Statement], Callable[[Ctx], list]],
                 aggregates: list | None = None) -> None:  # fmt: skip
        self._subquery = subquery
        self.aggregates = aggregates  # None: aggregate functions are not allowed here

    def without_aggregates(self) -> Compiler:
        """A compiler for the same statement where aggregate functions are not allowed."""
        return Compiler(self._subquery)

    def condition(self, node: a.Expr) -> Callable[[Ctx], bool]:
        fn = self.expr(node)
        if a.is_condition(node):
            return fn
        return lambda ctx: truthy(fn(ctx))

    def expr(self, node: a.Expr) -> Fn:  # one dispatch on node type
        if isinstance(node, a.Literal):
            value = node.value
            return lambda ctx: value
        if isinstance(node, a.Identifier):
            return self._identifier(node.name)
        if isinstance(node, a.FieldPath):
            return self._path(node.parts)
        if isinstance(node, a.Param):
            key = node.key
            return lambda ctx: ctx.param(key)
        if isinstance(node, a.Comparison):
            return self._comparison(node)
        if isinstance(node, a.And):
            return _and3([self.condition(x) for x in node.operands])
        if isinstance(node, a.Or):
            return _or3([self.condition(x) for x in node.operands])
        if isinstance(node, a.UnaryOp):
            return self._unary(node)
        if isinstance(node, a.BinaryOp):
            left, right, op = self.expr(node.left), self.expr(node.right), node.op
            return lambda ctx: arithmetic(op, left(ctx), right(ctx))
        if isinstance(node, a.IsNull):
            inner = self.expr(node.expr)
            return lambda ctx: inner(ctx) is None
        if isinstance(node, a.IsNotNull):
            inner = self.expr(node.expr)
            return lambda ctx: inner(ctx) is not None
        if isinstance(node, (a.IsDefined, a.IsNotDefined)):
            return self._defined(node.expr, isinstance(node, a.IsDefined))
        if isinstance(node, a.Between):
            value, low, high = self.expr(node.expr), self.expr(node.low), self.expr(node.high)

            def between(ctx: Ctx) -> bool | None:
                v, lo, hi = value(ctx), low(ctx), high(ctx)
                above = _ordered3(compare(v, lo), v, lo, _AT_LEAST)
                if above is False:
                    return False
                below = _ordered3(compare(v, hi), v, hi, _AT_MOST)
                if below is False:
                    return False
                return None if above is None or below is None else True

            return between
        if isinstance(node, a.RidLiteral):
            rid = RID(node.bucket, node.position)
            return lambda ctx: rid
        if isinstance(node, a.ListLiteral):
            items = [self.expr(x) for x in node.items]
            return lambda ctx: [item(ctx) for item in items]
        if isinstance(node, a.MapLiteral):
            entries = [(key, self.expr(value)) for key, value in node.entries]
            return lambda ctx: {key: value(ctx) for key, value in entries}
        if isinstance(node, a.Variable):
            name = node.name
            return lambda ctx: ctx.variable(name)
        if isinstance(node, a.FunctionCall):
            if node.name in WALK_MOVES:
                return self._walk(node) or compile_function(self, node)
            return compile_function(self, node)
        if isinstance(node, a.MethodCall):
            return self._walk(node) or compile_method(self, node)
        if isinstance(node, a.FieldAccess):
            return self._field_access(node)
        if isinstance(node, a.Subscript):
            return self._subscript(node)
        if isinstance(node, a.Filter):
            return self._filter(node)
        if isinstance(node, a.Subquery):
            return self._subquery(node.statement)
        if isinstance(node, a.Star):
            return lambda ctx: ctx.current
        if isinstance(node, a.Case):
            return self._case(node)
        raise QueryError(f"Unsupported expression {type(node).__name__}")

    # --- pieces -------------------------------------------------------------------------------

    def _walk(self, node: a.FunctionCall | a.MethodCall) -> Fn | None:
        """A chain of out/in/both moves (and its ``.size()``, ``.asSet().size()``) as one SQLite
        walk (walks.py), or None when the node is not one."""
        result = "rows"
        chain: a.Expr = node
        if isinstance(node, a.MethodCall) and node.name == "size" and not node.args:
            chain, result = node.target, "count"
            if isinstance(chain, a.MethodCall) and chain.name == "asset" and not chain.args:
                chain, result = chain.target, "distinct"
        hops = walk_of(chain)
        if hops is None:
            return None
        if result == "rows":
            slow = compile_function(self, node) if isinstance(node, a.FunctionCall) else (
                compile_method(self, node))  # fmt: skip
        else:
            slow = compile_method(self, node)  # type: ignore[arg-type]  # a size() call here
        return compile_walk_fn(hops, self.expr, slow, result)

    def _identifier(self, name: str) -> Fn:
        if name.startswith("@"):
            return lambda ctx: record_attribute(ctx, ctx.current, name)

        def field(ctx: Ctx) -> Any:
            current = ctx.current
            if isinstance(current, Document):
                return current._props.get(name)
            return get_field(ctx, current, name)

        return field

    def _path(self, parts: tuple[str, ...]) -> Fn:
        first, rest = parts[0], parts[1:]

        def path(ctx: Ctx) -> Any:
            current = ctx.current
            value = (
                current._props.get(first)
                if isinstance(current, Document)
                else get_field(ctx, current, first)
            )
            for part in rest:
                if value is None:
                    return None
                value = get_field(ctx, value, part)
            return value

        return path

    def _field_access(self, node: a.FieldAccess) -> Fn:
        target, name = self.expr(node.target), node.name
        if name.startswith("@"):
            return lambda ctx: record_attribute(ctx, target(ctx), name)
        return lambda ctx: get_field(ctx, target(ctx), name)

    def _subscript(self, node: a.Subscript) -> Fn:
        target, index = self.expr(node.target), self.expr(node.index)

        def subscript(ctx: Ctx) -> Any:
            value, key = target(ctx), index(ctx)
            if value is None or key is None:
                return None
            if isinstance(value, RID):
                value = ctx.load(value)
            value = as_record(value)
            if isinstance(value, Document):
                return value._props.get(key) if isinstance(key, str) else None
            if isinstance(value, dict):
                return value.get(key if isinstance(key, str) else str(key))
            if type(value) is Result:
                return value.get(key) if isinstance(key, str) else None
            if isinstance(value, (list, tuple, str)):
                if isinstance(key, list):
                    return [
                        value[k]
                        for k in key
                        if isinstance(k, int) and -len(value) <= k < len(value)
                    ]
                if isinstance(key, bool) or not isinstance(key, int):
                    if isinstance(key, str) and isinstance(value, (list, tuple)):
                        return get_field(ctx, list(value), key)
                    return None
                return value[key] if -len(value) <= key < len(value) else None
            return None

        return subscript

    def _filter(self, node: a.Filter) -> Fn:
        target, condition = self.expr(node.target), self.condition(node.condition)

        def filter_(ctx: Ctx) -> Any:
            value = target(ctx)
            if value is None:
                return None
            items = to_list(value) if not isinstance(value, dict) else [value]
            out = []
            for item in items:
                element = ctx.load(item) if isinstance(item, RID) else as_record(item)
                if element is not None and condition(ctx.derive(element)):
                    out.append(item if not isinstance(item, RID) else element)
            return out

        return filter_

    def _unary(self, node: a.UnaryOp) -> Fn:
        if node.op == "NOT":
            inner = self.condition(node.operand)

            def not_(ctx: Ctx) -> bool | None:
                value = inner(ctx)
                return None if value is None else not value

            return not_
        inner_value = self.expr(node.operand)
        if node.op == "-":

            def negate(ctx: Ctx) -> Any:
                value = inner_value(ctx)
                if value is None:
                    return 0  # as the reference: -null is 0
                if isinstance(value, bool) or not isinstance(value, NUMBER_TYPES):
                    raise QueryError(f"Cannot negate {type(value).__name__} value {value!r}")
                return -value

            return negate
        return inner_value

    def _case(self, node: a.Case) -> Fn:
        """CASE: the THEN of the first WHEN that holds, else the ELSE (null when there is none).

        The searched form tests each WHEN as a condition (null counts as false). The simple form
        matches as ArcadeDB does (measured on the reference): like Java's equals, so a value only
        matches one of the same type (1 is not 1.0, 5 is not '5') and null matches null.
        """
        otherwise = self.expr(node.otherwise) if node.otherwise is not None else None
        thens = [self.expr(then) for _, then in node.whens]
        if node.subject is None:
            tests = [self.condition(when) for when, _ in node.whens]

            def searched(ctx: Ctx) -> Any:
                for test, then in zip(tests, thens):
                    if test(ctx):
                        return then(ctx)
                return otherwise(ctx) if otherwise is not None else None

            return searched
        subject = self.expr(node.subject)
        values = [self.expr(when) for when, _ in node.whens]

        def simple(ctx: Ctx) -> Any:
            value = subject(ctx)
            for candidate, then in zip(values, thens):
                if case_equals(value, candidate(ctx)):
                    return then(ctx)
            return otherwise(ctx) if otherwise is not None else None

        return simple

    def _defined(self, node: a.Expr, defined: bool) -> Fn:
        if isinstance(node, a.Identifier) and not node.name.startswith("@"):
            name = node.name

            def has(ctx: Ctx) -> bool:
                current = as_record(ctx.current)
                if isinstance(current, Document):
                    return (name in current._props) is defined
                if isinstance(current, dict):
                    return (name in current) is defined
                if type(current) is Result:
                    return current.has_property(name) is defined
                return not defined

            return has
        inner = self.expr(node)
        return lambda ctx: (inner(ctx) is not None) is defined

    def _comparison(self, node: a.Comparison) -> Fn:
        op = node.op
        left = self.expr(node.left)
        if op == "CONTAINS" and a.is_condition(node.right):
            condition = self.condition(node.right)
            return lambda ctx: contains(ctx, left(ctx), None, condition)
        right = self.expr(node.right)
        if op == "=" or op == "<>":
            equal = op == "="

            def equality(ctx: Ctx) -> bool | None:
                x, y = left(ctx), right(ctx)
                if x is None or y is None:
                    return None
                return equals(x, y) is equal

            return equality
        if op in ("<", "<=", ">", ">="):
            test = _ORDER_TESTS[op]

            def ordered(ctx: Ctx) -> bool | None:
                x, y = left(ctx), right(ctx)
                if x is None or y is None:
                    return None
                result = compare(x, y)
                return result is not None and test(result)

            return ordered
        if op == "LIKE" or op == "ILIKE":
            ignore = op == "ILIKE"
            return lambda ctx: like(left(ctx), right(ctx), ignore)
        if op == "IN":
            return lambda ctx: in_list3(left(ctx), right(ctx))
        if op in ("NOT IN", "NOT_IN"):

            def not_in(ctx: Ctx) -> bool | None:
                found = in_list3(left(ctx), right(ctx))
                return None if found is None else not found

            return not_in
        if op == "CONTAINS":
            return lambda ctx: contains(ctx, left(ctx), right(ctx), None)
        if op == "CONTAINSKEY":

            def contains_key(ctx: Ctx) -> bool:
                value = as_record(left(ctx))
                key = right(ctx)
                if not isinstance(key, str):
                    return False  # map keys are strings
                if isinstance(value, Document):
                    return key in value._props
                return isinstance(value, dict) and key in value

            return contains_key
        if op == "CONTAINSVALUE":

            def contains_value(ctx: Ctx) -> bool:
                value = as_record(left(ctx))
                wanted = right(ctx)
                values = (
                    value._props.values()
                    if isinstance(value, Document)
                    else (value.values() if isinstance(value, dict) else ())
                )
                return any(equals(v, wanted) for v in values)

            return contains_value
        if op == "CONTAINSANY":
            return lambda ctx: contains_any(left(ctx), right(ctx))
        if op == "CONTAINSALL":
            return lambda ctx: contains_all(left(ctx), right(ctx))
        if op == "CONTAINSTEXT":

            def contains_text(ctx: Ctx) -> bool:
                value, text = left(ctx), right(ctx)
                if value is None or text is None:
                    return False
                return _text(text) in _text(value)

            return contains_text
        if op == "MATCHES":
            return lambda ctx: matches(left(ctx), right(ctx))
        if op == "INSTANCEOF":
            if isinstance(node.right, a.Identifier) and not node.right.name.startswith("@"):
                type_name = node.right.name
                return lambda ctx: instance_of(ctx, left(ctx), type_name)
            return lambda ctx: instance_of(ctx, left(ctx), right(ctx))
        raise QueryError(f"Unknown operator '{op}'")


def evaluate_constant(node: a.Expr, ctx: Ctx) -> Any:
    """Evaluate an expression that needs no row (DDL values, LIMIT ...)."""
    return Compiler(_no_subquery).expr(node)(ctx)


def _no_subquery(statement: a.Statement) -> Callable[[Ctx], list]:
    raise QueryError("A sub-query is not allowed here")


__all__ = ["Compiler", "evaluate_constant"]
