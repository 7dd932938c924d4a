"""Cypher expressions over one binding row: operators, functions and aggregates.

``Evaluator.eval(expr, row)`` walks the AST (rows are dicts of variable → value); pattern
predicates and sub-queries call back into the engine (engine.py) that owns the evaluator.
"""

from __future__ import annotations

import math
import random
import re
import time
from typing import TYPE_CHECKING, Any

from ...cypher import ast as c
from ...exceptions import QueryError
from ...model.records import Document, Edge, Vertex
from .values import (
    INT_MAX,
    INT_MIN,
    Path,
    arithmetic,
    compare,
    equals,
    hashable,
    is_number,
    labels_of,
    order,
    plain_string,
    type_name,
)

if TYPE_CHECKING:
    from .engine import Engine

AGGREGATES = frozenset({"count", "sum", "avg", "min", "max", "collect", "stdev", "stdevp",
                        "percentiledisc", "percentilecont"})  # fmt: skip

_READS_PROPERTIES = frozenset({"labels", "properties", "keys"})
"""Functions that read a node's stored state (an error on one deleted by the statement)."""

_COMPARE = {
    "<": lambda o: o < 0,
    "<=": lambda o: o <= 0,
    ">": lambda o: o > 0,
    ">=": lambda o: o >= 0,
}


def contains_aggregate(expr: object) -> bool:
    """True when the expression holds an aggregate call (outside nested sub-queries)."""
    return any(_is_aggregate(node) for node in c.walk(expr))


def _is_aggregate(node: object) -> bool:
    return isinstance(node, c.CountStar) or (
        isinstance(node, c.FunctionCall) and node.name in AGGREGATES
    )


def aggregate_calls(expr: object) -> list[c.Expr]:
    found: list[c.Expr] = []
    for node in c.walk(expr):
        if _is_aggregate(node) and node not in found:
            found.append(node)  # type: ignore[arg-type]  # aggregates are expressions
    return found


class Evaluator:
    """Evaluates expressions for one statement (its parameters, its engine)."""

    def __init__(self, engine: Engine, params: dict[Any, Any]) -> None:
        self.engine = engine
        self.params = params
        self.aggregated: dict[c.Expr, Any] | None = None
        self._regex: dict[str, re.Pattern[str]] = {}

    # ----------------------------------------------------------------------- dispatch

    def eval(self, expr: c.Expr, row: dict[str, Any]) -> Any:
        method = _DISPATCH.get(type(expr))
        if method is None:
            raise QueryError(f"Cypher expression {type(expr).__name__} is not supported yet")
        return method(self, expr, row)

    def truth(self, expr: c.Expr | None, row: dict[str, Any]) -> bool:
        """A WHERE condition: only true passes (null and false do not)."""
        if expr is None:
            return True
        return self.eval(expr, row) is True

    def _literal(self, e: c.Literal, row: dict) -> Any:
        return e.value

    def _parameter(self, e: c.Parameter, row: dict) -> Any:
        if e.key in self.params:
            return self.params[e.key]
        raise QueryError(f"Expected parameter(s): {e.key}")

    def _variable(self, e: c.Variable, row: dict) -> Any:
        try:
            return row[e.name]
        except KeyError:
            raise QueryError(f"Variable '{e.name}' not defined") from None

    def _list(self, e: c.ListLiteral, row: dict) -> Any:
        return [self.eval(item, row) for item in e.items]

    def _map(self, e: c.MapLiteral, row: dict) -> Any:
        return {key: self.eval(value, row) for key, value in e.entries}

    # ---------------------------------------------------------------------- boolean logic

    def _or(self, e: c.Or, row: dict) -> Any:
        unknown = False
        for operand in e.operands:
            value = self.boolean(self.eval(operand, row))
            if value is True:
                return True
            if value is None:
                unknown = True
        return None if unknown else False

    def _and(self, e: c.And, row: dict) -> Any:
        unknown = False
        for operand in e.operands:
            value = self.boolean(self.eval(operand, row))
            if value is False:
                return False
            if value is None:
                unknown = True
        return None if unknown else True

    def _xor(self, e: c.Xor, row: dict) -> Any:
        result: bool | None = False
        for operand in e.operands:
            value = self.boolean(self.eval(operand, row))
            if value is None or result is None:
                result = None
            else:
                result = result != value
        return result

    def _not(self, e: c.Not, row: dict) -> Any:
        value = self.boolean(self.eval(e.operand, row))
        return None if value is None else not value

    @staticmethod
    def boolean(value: Any) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        raise QueryError(f"Type mismatch: expected Boolean but was {type_name(value)}")

    # --------------------------------------------------------------------- comparisons

    def _comparison(self, e: c.Comparison, row: dict) -> Any:
        left, right = self.eval(e.left, row), self.eval(e.right, row)
        if e.op == "=":
            return equals(left, right)
        if e.op == "<>":
            same = equals(left, right)
            return None if same is None else not same
        result = compare(left, right)
        return None if result is None else _COMPARE[e.op](result)

    def _string_predicate(self, e: c.StringPredicate, row: dict) -> Any:
        left, right = self.eval(e.left, row), self.eval(e.right, row)
        if not isinstance(left, str) or not isinstance(right, str):
            return None
        if e.op == "STARTS WITH":
            return left.startswith(right)
        if e.op == "ENDS WITH":
            return left.endswith(right)
        if e.op == "CONTAINS":
            return right in left
        pattern = self._regex.get(right)
        if pattern is None:
            try:
                pattern = self._regex[right] = re.compile(right, re.DOTALL)
            except re.error as exc:
                raise QueryError(f"Invalid regular expression {right!r}: {exc}") from None
        return pattern.fullmatch(left) is not None

    def _in(self, e: c.In, row: dict) -> Any:
        element, container = self.eval(e.element, row), self.eval(e.container, row)
        if container is None:
            return None
        if not isinstance(container, list):
            raise QueryError(f"Type mismatch: IN expects a List, got {type_name(container)}")
        unknown = False
        for item in container:
            same = equals(element, item)
            if same is True:
                return True
            if same is None:
                unknown = True
        return None if unknown else False

    def _is_null(self, e: c.IsNull, row: dict) -> Any:
        return self.eval(e.operand, row) is None

    def _is_not_null(self, e: c.IsNotNull, row: dict) -> Any:
        return self.eval(e.operand, row) is not None

    def _binary(self, e: c.BinaryOp, row: dict) -> Any:
        return arithmetic(e.op, self.eval(e.left, row), self.eval(e.right, row))

    def _unary(self, e: c.UnaryOp, row: dict) -> Any:
        value = self.eval(e.operand, row)
        if value is None:
            return None
        if not is_number(value):
            raise QueryError(f"Type mismatch: cannot apply unary '{e.op}' to {type_name(value)}")
        return -value if e.op == "-" else value

    def _has_labels(self, e: c.HasLabels, row: dict) -> Any:
        value = self.eval(e.subject, row)
        if value is None:
            return None
        if not isinstance(value, Vertex):
            raise QueryError(f"Type mismatch: a label test needs a Node, got {type_name(value)}")
        labels = labels_of(value._type)
        return all(label in labels for label in e.labels)

    # ---------------------------------------------------------------------- access

    def _property(self, e: c.Property, row: dict) -> Any:
        return self.property_of(self.eval(e.subject, row), e.key)

    def property_of(self, subject: Any, key: str) -> Any:
        if subject is None:
            return None
        if isinstance(subject, Document):
            if subject._rid in self.engine.graph.deleted:
                raise QueryError(f"DeletedEntityAccess: {subject._rid} was deleted by this statement")
            return subject._props.get(key)
        if isinstance(subject, dict):
            return subject.get(key)
        raise QueryError(f"Type mismatch: cannot read property '{key}' of {type_name(subject)}")

    def _subscript(self, e: c.Subscript, row: dict) -> Any:
        subject, index = self.eval(e.subject, row), self.eval(e.index, row)
        if subject is None or index is None:
            return None
        if isinstance(subject, list):
            if not isinstance(index, int) or isinstance(index, bool):
                raise QueryError(f"Type mismatch: a list index must be an Integer, got {type_name(index)}")
            if -len(subject) <= index < len(subject):
                return subject[index]
            return None
        if isinstance(subject, (dict, Document)):
            if not isinstance(index, str):
                raise QueryError(f"Type mismatch: a map key must be a String, got {type_name(index)}")
            return self.property_of(subject, index)
        raise QueryError(f"Type mismatch: cannot index {type_name(subject)}")

    def _slice(self, e: c.Slice, row: dict) -> Any:
        subject = self.eval(e.subject, row)
        start = self.eval(e.start, row) if e.start is not None else 0
        end = self.eval(e.end, row) if e.end is not None else None
        if subject is None or start is None or (e.end is not None and end is None):
            return None
        if not isinstance(subject, list):
            raise QueryError(f"Type mismatch: cannot slice {type_name(subject)}")
        return subject[start:end]

    # --------------------------------------------------------------------- constructs

    def _case(self, e: c.Case, row: dict) -> Any:
        if e.subject is None:
            for when, then in e.whens:
                if self.eval(when, row) is True:
                    return self.eval(then, row)
        else:
            subject = self.eval(e.subject, row)
            for when, then in e.whens:
                if equals(subject, self.eval(when, row)) is True:
                    return self.eval(then, row)
        return self.eval(e.otherwise, row) if e.otherwise is not None else None

    def _iterate(self, source: c.Expr, row: dict) -> list | None:
        items = self.eval(source, row)
        if items is None:
            return None
        if not isinstance(items, list):
            raise QueryError(f"Type mismatch: expected a List, got {type_name(items)}")
        return items

    def _comprehension(self, e: c.ListComprehension, row: dict) -> Any:
        items = self._iterate(e.source, row)
        if items is None:
            return None
        out = []
        inner = dict(row)
        for item in items:
            inner[e.variable] = item
            if e.where is not None and self.eval(e.where, inner) is not True:
                continue
            out.append(self.eval(e.projection, inner) if e.projection is not None else item)
        return out

    def _quantifier(self, e: c.Quantifier, row: dict) -> Any:
        items = self._iterate(e.source, row)
        if items is None:
            return None
        inner = dict(row)
        trues = unknowns = 0
        for item in items:
            inner[e.variable] = item
            value = self.eval(e.where, inner)
            if value is True:
                trues += 1
            elif value is None:
                unknowns += 1
        falses = len(items) - trues - unknowns
        if e.kind == "all":
            return False if falses else (None if unknowns else True)
        if e.kind == "any":
            return True if trues else (None if unknowns else False)
        if e.kind == "none":
            return False if trues else (None if unknowns else True)
        if trues > 1:
            return False
        return None if unknowns else trues == 1

    def _reduce(self, e: c.Reduce, row: dict) -> Any:
        items = self._iterate(e.source, row)
        inner = dict(row)
        inner[e.accumulator] = self.eval(e.initial, row)
        if items is None:
            return None
        for item in items:
            inner[e.variable] = item
            inner[e.accumulator] = self.eval(e.expression, inner)
        return inner[e.accumulator]

    def _map_projection(self, e: c.MapProjection, row: dict) -> Any:
        subject = self.eval(e.subject, row)
        if subject is None:
            return None
        out: dict[str, Any] = {}
        for selector in e.selectors:
            if isinstance(selector, c.PropertySelector):
                out[selector.key] = self.property_of(subject, selector.key)
            elif isinstance(selector, c.AllPropertiesSelector):
                props = subject._props if isinstance(subject, Document) else subject
                out.update(props)
            else:
                key, value = selector
                out[key] = self.eval(value, row)
        return out

    def _pattern_predicate(self, e: c.PatternPredicate, row: dict) -> Any:
        return self.engine.pattern_exists(e.pattern, row)

    def _pattern_comprehension(self, e: c.PatternComprehension, row: dict) -> Any:
        out = []
        for match in self.engine.pattern_matches(e.pattern, row):
            if e.where is not None and self.eval(e.where, match) is not True:
                continue
            out.append(self.eval(e.projection, match))
        return out

    def _exists(self, e: c.ExistsSubquery, row: dict) -> Any:
        return bool(self.engine.subquery_rows(e.query, row, limit=1))

    def _count_subquery(self, e: c.CountSubquery, row: dict) -> Any:
        return len(self.engine.subquery_rows(e.query, row))

    # ---------------------------------------------------------------------- functions

    def _count_star(self, e: c.CountStar, row: dict) -> Any:
        return self._aggregated(e)

    def _aggregated(self, e: c.Expr) -> Any:
        if self.aggregated is None or e not in self.aggregated:
            raise QueryError("Aggregation is not allowed here: use it in WITH or RETURN")
        return self.aggregated[e]

    def _call(self, e: c.FunctionCall, row: dict) -> Any:
        if e.name in AGGREGATES:
            return self._aggregated(e)
        if e.name == "exists" and len(e.args) == 1:
            arg = e.args[0]
            if isinstance(arg, c.PatternPredicate):
                return self.engine.pattern_exists(arg.pattern, row)
            return self.eval(arg, row) is not None
        if e.name == "coalesce":
            for arg in e.args:
                value = self.eval(arg, row)
                if value is not None:
                    return value
            return None
        function = FUNCTIONS.get(e.name)
        if function is None:
            raise QueryError(f"Unknown function '{e.name}'")
        args = [self.eval(arg, row) for arg in e.args]
        if (e.name in _READS_PROPERTIES and args and isinstance(args[0], Document)
                and args[0]._rid in self.engine.graph.deleted):  # fmt: skip
            raise QueryError(f"DeletedEntityAccess: {args[0]._rid} was deleted by this statement")
        return function(*args)

    # --------------------------------------------------------------------- aggregation

    def aggregate(self, call: c.Expr, rows: list[dict[str, Any]]) -> Any:
        """The value of one aggregate call over the rows of a group."""
        if isinstance(call, c.CountStar):
            return len(rows)
        assert isinstance(call, c.FunctionCall)
        name = call.name
        if not call.args:
            raise QueryError(f"{name}() needs an argument")
        values = [self.eval(call.args[0], row) for row in rows]
        values = [v for v in values if v is not None]
        if call.distinct:
            seen: set[Any] = set()
            unique = []
            for value in values:
                key = hashable(value)
                if key not in seen:
                    seen.add(key)
                    unique.append(value)
            values = unique
        if name == "count":
            return len(values)
        if name == "collect":
            return values
        if name == "min" or name == "max":
            if not values:
                return None
            best = values[0]
            for value in values[1:]:
                step = order(value, best)
                if (step < 0) if name == "min" else (step > 0):
                    best = value
            return best
        if name in ("sum", "avg", "stdev", "stdevp"):
            for value in values:
                if not is_number(value):
                    raise QueryError(f"Type mismatch: {name}() needs numbers, got {type_name(value)}")
            if name == "sum":
                total = sum(values) if values else 0
                return total
            if not values:
                return None
            if name == "avg":
                return sum(values) / len(values)
            count = len(values) - (1 if name == "stdev" else 0)
            if count <= 0:
                return 0.0
            mean = sum(values) / len(values)
            return math.sqrt(sum((v - mean) ** 2 for v in values) / count)
        if name in ("percentiledisc", "percentilecont"):
            percentile: Any = self.eval(call.args[1], rows[0]) if rows and len(call.args) > 1 else None
            if not values:
                return None
            if not is_number(percentile) or not 0 <= percentile <= 1:
                raise QueryError(f"{name}() needs a percentile between 0.0 and 1.0")
            values = sorted(values)
            if name == "percentiledisc":
                index = max(0, math.ceil(percentile * len(values)) - 1)
                return values[index]
            position = percentile * (len(values) - 1)
            low = math.floor(position)
            high = math.ceil(position)
            fraction = position - low
            return float(values[low] + (values[high] - values[low]) * fraction)
        raise QueryError(f"Unknown aggregate '{name}'")


_DISPATCH: dict[type, Any] = {
    c.Literal: Evaluator._literal,
    c.Parameter: Evaluator._parameter,
    c.Variable: Evaluator._variable,
    c.ListLiteral: Evaluator._list,
    c.MapLiteral: Evaluator._map,
    c.Or: Evaluator._or,
    c.And: Evaluator._and,
    c.Xor: Evaluator._xor,
    c.Not: Evaluator._not,
    c.Comparison: Evaluator._comparison,
    c.StringPredicate: Evaluator._string_predicate,
    c.In: Evaluator._in,
    c.IsNull: Evaluator._is_null,
    c.IsNotNull: Evaluator._is_not_null,
    c.BinaryOp: Evaluator._binary,
    c.UnaryOp: Evaluator._unary,
    c.HasLabels: Evaluator._has_labels,
    c.Property: Evaluator._property,
    c.Subscript: Evaluator._subscript,
    c.Slice: Evaluator._slice,
    c.FunctionCall: Evaluator._call,
    c.CountStar: Evaluator._count_star,
    c.Case: Evaluator._case,
    c.ListComprehension: Evaluator._comprehension,
    c.Quantifier: Evaluator._quantifier,
    c.Reduce: Evaluator._reduce,
    c.MapProjection: Evaluator._map_projection,
    c.PatternPredicate: Evaluator._pattern_predicate,
    c.PatternComprehension: Evaluator._pattern_comprehension,
    c.ExistsSubquery: Evaluator._exists,
    c.CountSubquery: Evaluator._count_subquery,
}


# ------------------------------------------------------------------------------- functions


def _null_safe(function: Any) -> Any:
    def call(*args: Any) -> Any:
        if args and args[0] is None:
            return None
        return function(*args)

    return call


def _expect(kind: Any, value: Any, function: str) -> None:
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool) and kind is not object):
        raise QueryError(f"Type mismatch: {function}() cannot take {type_name(value)}")


def _id(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, Document):
        raise QueryError(f"Type mismatch: id() needs a Node or Relationship, got {type_name(value)}")
    return value._rid.to_int() if value._rid is not None else None


def _labels(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, Vertex):
        raise QueryError(f"Type mismatch: labels() needs a Node, got {type_name(value)}")
    return labels_of(value._type)


def _type(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, Edge):
        raise QueryError(f"Type mismatch: type() needs a Relationship, got {type_name(value)}")
    return value._type.name


def _properties(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Document):
        return dict(value._props)
    if isinstance(value, dict):
        return dict(value)
    raise QueryError(f"Type mismatch: properties() cannot take {type_name(value)}")


def _keys(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Document):
        return list(value._props)
    if isinstance(value, dict):
        return list(value)
    raise QueryError(f"Type mismatch: keys() cannot take {type_name(value)}")


def _size(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (list, str)):
        return len(value)
    raise QueryError(f"Type mismatch: size() cannot take {type_name(value)}")


def _length(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Path):
        return len(value.relationships)
    if isinstance(value, (list, str)):
        return len(value)
    raise QueryError(f"Type mismatch: length() cannot take {type_name(value)}")


def _to_integer(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                number = float(value)
            except ValueError:
                return None
            return None if math.isnan(number) or math.isinf(number) else int(number)
    raise QueryError(f"Type mismatch: toInteger() cannot take {type_name(value)}")


def _to_float(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        raise QueryError("Type mismatch: toFloat() cannot take Boolean")
    if is_number(value):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    raise QueryError(f"Type mismatch: toFloat() cannot take {type_name(value)}")


def _to_boolean(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        return True if lowered == "true" else False if lowered == "false" else None
    if isinstance(value, int):
        return value != 0
    raise QueryError(f"Type mismatch: toBoolean() cannot take {type_name(value)}")


def _to_string(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (str, bool, int, float)):
        return plain_string(value)
    raise QueryError(f"Type mismatch: toString() cannot take {type_name(value)}")


def _string_function(name: str, function: Any) -> Any:
    def call(value: Any, *rest: Any) -> Any:
        if value is None or any(r is None for r in rest):
            return None
        if not isinstance(value, str):
            raise QueryError(f"Type mismatch: {name}() needs a String, got {type_name(value)}")
        return function(value, *rest)

    return call


def _substring(value: str, start: Any, length: Any = None) -> str:
    if not isinstance(start, int) or start < 0:
        raise QueryError("substring() needs a non-negative Integer start")
    if length is None:
        return value[start:]
    if not isinstance(length, int) or length < 0:
        raise QueryError("substring() needs a non-negative Integer length")
    return value[start : start + length]


def _left(value: str, length: Any) -> str:
    if not isinstance(length, int) or length < 0:
        raise QueryError("left() needs a non-negative Integer length")
    return value[:length]


def _right(value: str, length: Any) -> str:
    if not isinstance(length, int) or length < 0:
        raise QueryError("right() needs a non-negative Integer length")
    return value[len(value) - length :] if length else ""


def _split(value: str, separator: Any) -> list[str]:
    if not isinstance(separator, str):
        raise QueryError("split() needs a String separator")
    if separator == "":
        return list(value)
    return value.split(separator)


def _reverse(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (str, list)):
        return value[::-1]
    raise QueryError(f"Type mismatch: reverse() cannot take {type_name(value)}")


def _range(start: Any, end: Any, step: Any = 1) -> list[int]:
    for value in (start, end, step):
        if not isinstance(value, int) or isinstance(value, bool):
            raise QueryError(f"Type mismatch: range() needs Integers, got {type_name(value)}")
    if step == 0:
        raise QueryError("range() step must not be zero")
    return list(range(start, end + (1 if step > 0 else -1), step))


def _head(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, list):
        raise QueryError(f"Type mismatch: head() needs a List, got {type_name(value)}")
    return value[0] if value else None


def _last(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, list):
        raise QueryError(f"Type mismatch: last() needs a List, got {type_name(value)}")
    return value[-1] if value else None


def _tail(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, list):
        raise QueryError(f"Type mismatch: tail() needs a List, got {type_name(value)}")
    return value[1:]


def _nodes(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, Path):
        raise QueryError(f"Type mismatch: nodes() needs a Path, got {type_name(value)}")
    return list(value.nodes)


def _relationships(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, Path):
        raise QueryError(f"Type mismatch: relationships() needs a Path, got {type_name(value)}")
    return list(value.relationships)


def _number_function(name: str, function: Any) -> Any:
    def call(*args: Any) -> Any:
        if any(arg is None for arg in args):
            return None
        for arg in args:
            if not is_number(arg):
                raise QueryError(f"Type mismatch: {name}() needs a number, got {type_name(arg)}")
        try:
            return function(*args)
        except (ValueError, OverflowError):
            return math.nan

    return call


def _round(value: float, precision: Any = 0, mode: Any = "HALF_UP") -> Any:
    scale = 10 ** int(precision)
    scaled = value * scale
    rounded = math.floor(abs(scaled) + 0.5) * (1 if scaled >= 0 else -1)
    return float(rounded / scale)


def _abs(value: Any) -> Any:
    return abs(value)


def _sign(value: Any) -> int:
    return (value > 0) - (value < 0)


def _to_int_if(value: float) -> float:
    return float(value)


def _nullable_list(function: Any) -> Any:
    def call(value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, list):
            raise QueryError(f"Type mismatch: expected a List, got {type_name(value)}")
        return function(value)

    return call


def _to_list_of(convert: Any) -> Any:
    return _nullable_list(lambda values: [convert(v) if is_simple(v) else None for v in values])


def is_simple(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _start_node(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, Edge):
        raise QueryError("startNode() needs a Relationship")
    return value._db.lookup_by_rid(value._out) if value._out is not None else None


def _end_node(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, Edge):
        raise QueryError("endNode() needs a Relationship")
    return value._db.lookup_by_rid(value._in) if value._in is not None else None


FUNCTIONS: dict[str, Any] = {
    "id": _id,
    "elementid": lambda v: None if v is None else str(v._rid),
    "labels": _labels,
    "type": _type,
    "properties": _properties,
    "keys": _keys,
    "size": _size,
    "length": _length,
    "tointeger": _to_integer,
    "tofloat": _to_float,
    "toboolean": _to_boolean,
    "tostring": _to_string,
    "tointegerornull": lambda v: _to_integer(v) if is_simple(v) else None,
    "tofloatornull": lambda v: _to_float(v) if is_simple(v) and not isinstance(v, bool) else None,
    "tobooleanornull": lambda v: _to_boolean(v) if is_simple(v) and not isinstance(v, float) else None,
    "tostringornull": lambda v: _to_string(v) if is_simple(v) else None,
    "tointegerlist": _to_list_of(_to_integer),
    "tofloatlist": _to_list_of(lambda v: None if isinstance(v, bool) else _to_float(v)),
    "tobooleanlist": _to_list_of(lambda v: None if isinstance(v, float) else _to_boolean(v)),
    "tostringlist": _to_list_of(_to_string),
    "tolower": _string_function("toLower", str.lower),
    "toupper": _string_function("toUpper", str.upper),
    "lower": _string_function("lower", str.lower),
    "upper": _string_function("upper", str.upper),
    "trim": _string_function("trim", str.strip),
    "ltrim": _string_function("lTrim", str.lstrip),
    "rtrim": _string_function("rTrim", str.rstrip),
    "replace": _string_function("replace", lambda s, a, b: s.replace(a, b)),
    "substring": _string_function("substring", _substring),
    "left": _string_function("left", _left),
    "right": _string_function("right", _right),
    "split": _string_function("split", _split),
    "reverse": _reverse,
    "range": _range,
    "head": _head,
    "last": _last,
    "tail": _tail,
    "nodes": _nodes,
    "relationships": _relationships,
    "startnode": _start_node,
    "endnode": _end_node,
    "abs": _number_function("abs", _abs),
    "ceil": _number_function("ceil", lambda v: float(math.ceil(v))),
    "floor": _number_function("floor", lambda v: float(math.floor(v))),
    "round": _number_function("round", _round),
    "sign": _number_function("sign", _sign),
    "sqrt": _number_function("sqrt", math.sqrt),
    "exp": _number_function("exp", math.exp),
    "log": _number_function("log", math.log),
    "log10": _number_function("log10", math.log10),
    "sin": _number_function("sin", math.sin),
    "cos": _number_function("cos", math.cos),
    "tan": _number_function("tan", math.tan),
    "asin": _number_function("asin", math.asin),
    "acos": _number_function("acos", math.acos),
    "atan": _number_function("atan", math.atan),
    "atan2": _number_function("atan2", math.atan2),
    "degrees": _number_function("degrees", math.degrees),
    "radians": _number_function("radians", math.radians),
    "pi": lambda: math.pi,
    "e": lambda: math.e,
    "rand": lambda: random.random(),
    "timestamp": lambda: int(time.time() * 1000),
}

INT_RANGE = (INT_MIN, INT_MAX)

__all__ = ["AGGREGATES", "FUNCTIONS", "Evaluator", "aggregate_calls", "contains_aggregate"]
