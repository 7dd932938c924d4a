"""SQL functions and methods: ``count(*)``, ``out('E')``, ``name.toUpperCase()`` ...

``compile_function`` and ``compile_method`` turn a call node into a closure (see evaluate.py).
Aggregate functions register an accumulator with the compiler when it collects aggregates (a
projection with GROUP BY or aggregates); elsewhere they work on their (multi-value) arguments.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Callable, Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import orjson

from ..exceptions import QueryError
from ..model.factory import record_from_row
from ..model.records import Document, Edge, Vertex
from ..model.results import Result
from ..model.serialize import json_default
from ..rid import RID
from ..sql import ast as a
from .context import Ctx
from .values import (
    _text,
    as_record,
    compare,
    equals,
    freeze,
    get_field,
    is_multi,
    to_list,
)

if TYPE_CHECKING:
    from .evaluate import Compiler

Fn = Callable[[Ctx], Any]

AGGREGATES = frozenset({"count", "sum", "avg", "min", "max", "list", "set", "map", "median",
                        "percentile", "mode", "variance", "variancep", "stddev", "stddevp",
                        "vectorsum", "vectoravg", "vectormin", "vectormax"})
# Element-wise vector aggregates (vector/functions.py): a row's list is one value, not items.
VECTOR_AGGREGATES = {"vectorsum": "vectorSum", "vectoravg": "vectorAvg", "vectormin": "vectorMin",
                     "vectormax": "vectorMax"}  # fmt: skip
# Aggregates whose state is a Statistic (below) rather than the Accumulator's own fields.
STATISTICS = frozenset({"median", "percentile", "mode", "variance", "variancep", "stddev",
                        "stddevp"})  # fmt: skip
GRAPH_FUNCTIONS = frozenset({"out", "in", "both", "oute", "ine", "bothe", "outv", "inv", "bothv"})


def is_aggregate_call(node: object) -> bool:
    """An aggregate use: ``count(*)``, or one of AGGREGATES with exactly one argument
    (``map(k, v)`` with two); ``min(a, b)`` and ``list(1, 2)`` are plain functions."""
    if not isinstance(node, a.FunctionCall) or node.name not in AGGREGATES:
        return False
    if node.star:
        return node.name == "count"
    if node.name == "map":
        return len(node.args) in (1, 2)
    if node.name == "percentile":
        return len(node.args) >= 2
    return len(node.args) == 1


def contains_aggregate(node: Any) -> bool:
    """Does the expression call an aggregate (outside its sub-queries)?"""
    return any(is_aggregate_call(item) for item in a.walk(node, into_subqueries=False))


# ------------------------------------------------------------------------------- aggregates


class Accumulator:
    """One aggregate's running state for one group."""

    __slots__ = ("function", "distinct", "value", "count", "seen", "members")

    def __init__(self, function: str, distinct: bool = False) -> None:
        self.function = function
        self.distinct = distinct
        self.value: Any = None
        self.count = 0
        self.seen: set | None = set() if distinct else None
        self.members: set = set()
        if function in STATISTICS:
            self.value = _STATISTIC_CLASSES[function](function)
        elif function in VECTOR_AGGREGATES:
            from ..vector.functions import AGGREGATE_FUNCTIONS

            self.value = AGGREGATE_FUNCTIONS[VECTOR_AGGREGATES[function]]()

    def add(self, value: Any) -> None:
        function = self.function
        if function in VECTOR_AGGREGATES:
            self.value.add(value)
            return
        if function in STATISTICS:
            self._add_statistic(value)
            return
        if function == "count":
            if value is not None:
                if self.seen is not None:
                    key = freeze(value)
                    if key in self.seen:
                        return
                    self.seen.add(key)
                self.count += 1
            return
        if function == "map":
            if isinstance(value, tuple):
                if self.value is None:
                    self.value = {}
                key = value[0]
                self.value[key if isinstance(key, str) else _text(key)] = value[1]
            elif isinstance(value, dict):
                self.value = {**(self.value or {}), **value}
            return
        for item in self._items(value):
            if function == "sum" or function == "avg":
                _require_number(function, item)
                self.count += 1
                if self.value is None:
                    self.value = item
                elif isinstance(self.value, Decimal) or isinstance(item, Decimal):
                    self.value = _decimal(self.value) + _decimal(item)
                else:
                    self.value = self.value + item
            elif function == "min":
                if self.value is None or _order(function, item, self.value) < 0:
                    self.value = item
            elif function == "max":
                if self.value is None or _order(function, item, self.value) > 0:
                    self.value = item
            elif function == "list":
                if self.value is None:
                    self.value = []
                self.value.append(item)
            elif function == "set":
                if self.value is None:
                    self.value = []
                key = freeze(item)
                if key not in self.members:
                    self.members.add(key)
                    self.value.append(item)

    def _add_statistic(self, value: Any) -> None:
        statistic = self.value
        if isinstance(value, _PercentileInput):
            statistic.set_quantiles(value.quantiles)
            value = value.value
        for item in self._items(value):
            statistic.add(item)

    def _items(self, value: Any) -> Iterator[Any]:
        """The values an aggregate takes from one row: a list's items one by one, never null,
        and (DISTINCT) each value once."""
        for item in value if is_multi(value) else (value,):
            if item is None:
                continue
            if self.seen is not None:
                key = freeze(item)
                if key in self.seen:
                    continue
                self.seen.add(key)
            yield item

    def result(self) -> Any:
        function = self.function
        if function in STATISTICS or function in VECTOR_AGGREGATES:
            return self.value.result()
        if function == "count":
            return self.count
        if function == "sum":
            return 0 if self.value is None else self.value
        if function == "avg":
            return average(self.value, self.count)
        if function in ("list", "set"):
            return [] if self.value is None else self.value
        if function == "map":
            return {} if self.value is None else self.value
        return self.value


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(
        value, float) else value)  # fmt: skip


def average(total: Any, count: int) -> Any:
    """avg(): a float, integer sums included (the current reference; the seed-era engine
    truncated integer averages); decimals keep their scale."""
    if total is None or count == 0:
        return None
    if isinstance(total, int):
        return total / count
    if isinstance(total, Decimal):
        exponent = total.as_tuple().exponent
        try:
            return (total / count).quantize(Decimal(1).scaleb(exponent), ROUND_HALF_UP)  # type: ignore[arg-type]  # a Decimal's exponent is an int
        except InvalidOperation:
            return total / count
    return total / count


def _require_number(function: str, item: Any) -> None:
    """sum/avg and the statistics take numbers only (a bool is no number); the current
    reference raises this error too (the seed-era engine skipped or mis-added text)."""
    if isinstance(item, bool) or not isinstance(item, (int, float, Decimal)):
        raise QueryError(
            f"{function}() requires numeric input, but received {item!r} "
            f"(a value of type {type(item).__name__})"
        )


def _order(function: str, item: Any, current: Any) -> int:
    """min/max order values of one kind (numbers, text, dates, ...); across kinds they refuse,
    as the reference does ('max() cannot compare ...')."""
    if _kind(item) != _kind(current):
        raise QueryError(
            f"{function}() cannot compare a value of type {type(current).__name__} "
            f"with a value of type {type(item).__name__}: {current!r} and {item!r}"
        )
    return compare(item, current, False) or 0


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float, Decimal)):
        return "number"
    if isinstance(value, dt.datetime):
        return "datetime"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, Document):
        return "record"
    return type(value).__name__


class _PercentileInput:
    """One row's arguments of percentile(value, q1, q2, ...)."""

    __slots__ = ("value", "quantiles")

    def __init__(self, value: Any, quantiles: list[Any]) -> None:
        self.value = value
        self.quantiles = quantiles


class _Variance:
    """variance / variancep / stddev / stddevp: Welford's running mean and sum of squares, so
    results match the reference to the last bit; 0.0 for one value, None for none."""

    __slots__ = ("function", "n", "mean", "m2")

    def __init__(self, function: str) -> None:
        self.function = function
        self.n = 0
        self.mean = 0.0
        self.m2 = 0.0

    def add(self, item: Any) -> None:
        _require_number(self.function, item)
        value = float(item)
        self.n += 1
        next_mean = self.mean + (value - self.mean) / self.n
        self.m2 += (value - self.mean) * (value - next_mean)
        self.mean = next_mean

    def result(self) -> float | None:
        if self.n == 0:
            return None
        if self.n == 1:
            variance = 0.0
        elif self.function.endswith("p"):  # population: variancep, stddevp
            variance = self.m2 / self.n
        else:
            variance = self.m2 / (self.n - 1)
        return math.sqrt(variance) if self.function.startswith("stddev") else variance


class _Percentile:
    """percentile(value, q, ...) and median(value) (q = 0.5). The rank is q * (n + 1) over the
    values sorted by number: below 1 gives the smallest value and from n up the largest, both
    as stored (an int stays an int); between, the two neighbours interpolate to a float.
    Several quantiles give a list."""

    __slots__ = ("function", "values", "quantiles")

    def __init__(self, function: str) -> None:
        self.function = function
        self.values: list[Any] = []
        self.quantiles: list[float] | None = [0.5] if function == "median" else None

    def set_quantiles(self, quantiles: list[Any]) -> None:
        if self.quantiles is None:  # the first row's quantiles hold for the whole group
            self.quantiles = [_quantile(q) for q in quantiles]

    def add(self, item: Any) -> None:
        _require_number(self.function, item)
        self.values.append(item)

    def result(self) -> Any:
        if not self.values or not self.quantiles:
            return None
        ordered = sorted(self.values, key=float)
        if len(self.quantiles) == 1:
            return _at_quantile(ordered, self.quantiles[0])
        return [_at_quantile(ordered, q) for q in self.quantiles]


def _quantile(value: Any) -> float:
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        raise QueryError(f"percentile() quantiles are numbers, got {value!r}") from None


def _at_quantile(ordered: list[Any], quantile: float) -> Any:
    n = len(ordered)
    rank = quantile * (n + 1)
    if rank < 1:
        return ordered[0]
    if rank >= n:
        return ordered[n - 1]
    whole = math.floor(rank)
    lower, upper = float(ordered[whole - 1]), float(ordered[whole])
    return lower + (rank - whole) * (upper - lower)


class _Mode:
    """mode(value): the list of the most frequent values (any type, nulls skipped), in the
    order each reached the top count; None for no values."""

    __slots__ = ("function", "counts", "top", "leaders")

    def __init__(self, function: str) -> None:
        self.function = function
        self.counts: dict[Any, int] = {}
        self.top = 0
        self.leaders: list[Any] = []

    def add(self, item: Any) -> None:
        key = (_kind(item), type(item) is float, freeze(item))  # 1 and 1.0 are two values
        count = self.counts.get(key, 0) + 1
        self.counts[key] = count
        if count > self.top:
            self.top = count
            self.leaders = [item]
        elif count == self.top:
            self.leaders.append(item)

    def result(self) -> list[Any] | None:
        return list(self.leaders) if self.leaders else None


_STATISTIC_CLASSES: dict[str, Callable[[str], Any]] = {
    "median": _Percentile, "percentile": _Percentile, "mode": _Mode, "variance": _Variance,
    "variancep": _Variance, "stddev": _Variance, "stddevp": _Variance,
}  # fmt: skip


# ------------------------------------------------------------------------------ functions


def compile_function(compiler: Compiler, node: a.FunctionCall) -> Fn:
    name = node.name
    if is_aggregate_call(node):
        if compiler.aggregates is not None:
            return _compile_aggregate(compiler, node)
        if node.star:
            raise QueryError("count(*) can only be used in a projection")
    args = [compiler.expr(arg) for arg in node.args]
    if name in GRAPH_FUNCTIONS:
        return _graph_function(name, args)
    if name == "expand":
        if len(args) != 1:
            raise QueryError("expand() takes exactly one argument")
        return args[0]
    implementation = FUNCTIONS.get(name)
    if implementation is None:
        raise QueryError(f"Unknown function '{name}()'")
    function, low, high = implementation
    if not low <= len(args) <= high:
        expected = str(low) if low == high else f"{low} to {high}" if high < 99 else f"{low}+"
        raise QueryError(f"Function {name}() takes {expected} argument(s), got {len(args)}")
    if not args:
        return lambda ctx: function(ctx)
    if len(args) == 1:
        only = args[0]
        return lambda ctx: function(ctx, only(ctx))
    return lambda ctx: function(ctx, *[arg(ctx) for arg in args])


def _compile_aggregate(compiler: Compiler, node: a.FunctionCall) -> Fn:
    aggregates = compiler.aggregates
    assert aggregates is not None
    inner = compiler.without_aggregates()  # no aggregates nested inside an aggregate
    distinct = node.distinct
    if node.star:
        arg: Fn | None = None
    elif node.name == "count" and _is_distinct_call(node.args[0]):
        # count(distinct(x)) counts the distinct non-null values of x, as count(DISTINCT x)
        distinct = True
        arg = inner.expr(node.args[0].args[0])  # type: ignore[attr-defined]  # a distinct() call
    elif node.name == "percentile":
        value_fn = inner.expr(node.args[0])
        quantile_fns = [inner.expr(q) for q in node.args[1:]]

        def arg(ctx: Ctx) -> Any:
            return _PercentileInput(value_fn(ctx), [q(ctx) for q in quantile_fns])
    elif node.name == "map" and len(node.args) == 2:
        key_fn, value_fn = inner.expr(node.args[0]), inner.expr(node.args[1])

        def arg(ctx: Ctx) -> Any:
            key = key_fn(ctx)
            return None if key is None else (key, value_fn(ctx))
    else:
        arg = inner.expr(node.args[0])
    index = len(aggregates)
    aggregates.append((node.name, arg, distinct))
    return lambda ctx: ctx.agg[index]  # type: ignore[index]  # aggregates are set when this runs


def _is_distinct_call(node: a.Expr) -> bool:
    return (isinstance(node, a.FunctionCall) and node.name == "distinct" and not node.star
            and len(node.args) == 1)  # fmt: skip


def _scalar_many(function: str) -> Callable[..., Any]:
    def apply(ctx: Ctx, *values: Any) -> Any:
        acc = Accumulator(function)
        for value in values:
            acc.add(value)
        return acc.result()

    return apply


def _percentile(ctx: Ctx, value: Any, *quantiles: Any) -> Any:
    acc = Accumulator("percentile")
    acc.add(_PercentileInput(value, list(quantiles)))
    return acc.result()


def _count(ctx: Ctx, value: Any) -> int:
    if value is None:
        return 0
    return len(value) if is_multi(value) else 1


def _list(ctx: Ctx, *values: Any) -> list:
    out: list[Any] = []
    for value in values:
        if is_multi(value):
            out.extend(value)
        elif value is not None:
            out.append(value)
    return out


def _set(ctx: Ctx, *values: Any) -> list:
    out: list[Any] = []
    seen: set = set()
    for value in _list(ctx, *values):
        key = freeze(value)
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def _map(ctx: Ctx, *values: Any) -> dict:
    if len(values) == 1:
        value = as_record(values[0])
        if isinstance(value, Document):
            return dict(value._props)
        if isinstance(value, dict):
            return dict(value)
        if value is None:
            return {}
        raise QueryError(f"map() expects a map or key/value pairs, got {value!r}")
    if len(values) % 2:
        raise QueryError("map() takes key/value pairs: an even number of arguments")
    return {(k if isinstance(k, str) else _text(k)): v for k, v in zip(values[::2], values[1::2])}


def _first(ctx: Ctx, value: Any) -> Any:
    if is_multi(value):
        items = list(value)
        return items[0] if items else None
    return value


def _last(ctx: Ctx, value: Any) -> Any:
    if is_multi(value):
        items = list(value)
        return items[-1] if items else None
    return value


def _ifnull(ctx: Ctx, value: Any, otherwise: Any, if_not_null: Any = None) -> Any:
    if value is None:
        return otherwise
    return value if if_not_null is None else if_not_null


def _coalesce(ctx: Ctx, *values: Any) -> Any:
    for value in values:
        if value is not None:
            return value
    return None


def _if(ctx: Ctx, condition: Any, then: Any, otherwise: Any = None) -> Any:
    if isinstance(condition, str):
        condition = condition.strip().lower() == "true"
    return then if condition else otherwise


def _ifempty(ctx: Ctx, value: Any, otherwise: Any) -> Any:
    if value is None or (hasattr(value, "__len__") and len(value) == 0):
        return otherwise
    return value


def _uuid(ctx: Ctx) -> str:
    return str(uuid.uuid4())


def _abs(ctx: Ctx, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise QueryError(f"abs() needs a number, got {value!r}")
    return abs(value)


# Java SimpleDateFormat letters → strftime
_JAVA_FORMAT = [
    ("yyyy", "%Y"), ("yy", "%y"), ("MMMM", "%B"), ("MMM", "%b"), ("MM", "%m"), ("dd", "%d"),
    ("HH", "%H"), ("hh", "%I"), ("mm", "%M"), ("ss", "%S"), ("SSS", "%f"), ("a", "%p"),
    ("EEEE", "%A"), ("EEE", "%a"), ("Z", "%z"), ("XXX", "%z"), ("X", "%z"), ("z", "%Z"),
]  # fmt: skip


def java_format(pattern: str) -> str:
    out = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "'":
            end = pattern.find("'", i + 1)
            end = len(pattern) if end < 0 else end
            out.append(pattern[i + 1 : end].replace("%", "%%") or "'")
            i = end + 1
            continue
        for java, python in _JAVA_FORMAT:
            if pattern.startswith(java, i):
                out.append(python)
                i += len(java)
                break
        else:
            out.append(pattern[i].replace("%", "%%"))
            i += 1
    return "".join(out)


def format_date(value: dt.date, pattern: str) -> str:
    try:
        text = value.strftime(java_format(pattern))
    except (ValueError, OverflowError) as exc:
        raise QueryError(f"Cannot format a date with {pattern!r}: {exc}") from None
    if "SSS" in pattern and isinstance(value, dt.datetime):
        text = text.replace(f"{value.microsecond:06d}", f"{value.microsecond // 1000:03d}")
    return text


def parse_datetime(value: Any, pattern: str | None = None) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, bool):
        raise QueryError(f"Cannot convert {value!r} to a date")
    if isinstance(value, (int, float, Decimal)):
        try:
            return dt.datetime.fromtimestamp(float(value) / 1000.0)
        except (OverflowError, ValueError, OSError):
            raise QueryError(f"{value} milliseconds is out of the date range") from None
    text = str(value).strip()
    if pattern:
        try:
            return dt.datetime.strptime(text, java_format(pattern))
        except ValueError as exc:
            raise QueryError(f"Cannot parse {text!r} with date format {pattern!r}: {exc}") from None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise QueryError(f"Cannot parse {text!r} as a date (use ISO format, e.g. '2024-01-31')")


def _date(ctx: Ctx, value: Any = None, pattern: Any = None, zone: Any = None) -> Any:
    if value is None:
        return dt.datetime.now()
    return parse_datetime(value, pattern if isinstance(pattern, str) else None)


def _sysdate(ctx: Ctx, pattern: Any = None, zone: Any = None) -> Any:
    now = dt.datetime.now()
    if pattern is None:
        return now
    return format_date(now, str(pattern))


def _format(ctx: Ctx, pattern: Any, *values: Any) -> str:
    if not isinstance(pattern, str):
        raise QueryError("format() takes a format string first")
    try:
        return re.sub(r"%(\d+\$)?[sd]", "%s", pattern) % tuple(_text(v) for v in values)
    except (TypeError, ValueError) as exc:
        raise QueryError(f"format(): {exc}") from None


def _concat(ctx: Ctx, *values: Any) -> str:
    return "".join(_text(v) for v in values if v is not None)


def _shortest_path(ctx: Ctx, source: Any, target: Any, direction: Any = "BOTH",
                   edge_types: Any = None, options: Any = None) -> list[RID]:  # fmt: skip
    """ArcadeDB's shortestPath(): the path's vertex RIDs (see paths.py)."""
    from .paths import shortest_path

    max_depth = with_edges = None
    if isinstance(options, dict):
        max_depth = options.get("maxDepth")
        with_edges = options.get("edge")
    elif options is not None:
        raise QueryError(f"shortestPath() takes its options as a map, got {options!r}")
    if max_depth is not None and (isinstance(max_depth, bool) or not isinstance(max_depth, int)):
        raise QueryError(f"shortestPath() maxDepth must be an integer, got {max_depth!r}")
    return shortest_path(ctx.store, ctx.session, _single(source), _single(target), direction,
                         edge_types, max_depth=max_depth, with_edges=with_edges is True)  # fmt: skip


def _dijkstra(ctx: Ctx, source: Any, target: Any, weight_field: Any,
              direction: Any = "OUT") -> list[Document]:  # fmt: skip
    """ArcadeDB's dijkstra(): the cheapest path's vertices, as records (see paths.py)."""
    from .paths import dijkstra

    rids = dijkstra(ctx.store, ctx.session, _single(source), _single(target), weight_field, direction)
    return ctx.load_many(rids)


def _single(value: Any) -> Any:
    """A path end given as a one-element list (a sub-query's rows) is that element."""
    value = as_record(value)
    if is_multi(value):
        items = list(value)
        if len(items) != 1:
            raise QueryError(f"Expected one vertex, got {len(items)}")
        value = as_record(items[0])
    return value


FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "count": (_count, 1, 1),
    "sum": (_scalar_many("sum"), 1, 999),
    "avg": (_scalar_many("avg"), 1, 999),
    "min": (_scalar_many("min"), 1, 999),
    "max": (_scalar_many("max"), 1, 999),
    "median": (_scalar_many("median"), 1, 1),
    "percentile": (_percentile, 2, 999),
    "mode": (_scalar_many("mode"), 1, 1),
    "variance": (_scalar_many("variance"), 1, 1),
    "variancep": (_scalar_many("variancep"), 1, 1),
    "stddev": (_scalar_many("stddev"), 1, 1),
    "stddevp": (_scalar_many("stddevp"), 1, 1),
    "list": (_list, 0, 999),
    "set": (_set, 0, 999),
    "map": (_map, 0, 999),
    "first": (_first, 1, 1),
    "last": (_last, 1, 1),
    "distinct": (lambda ctx, value: value, 1, 1),
    "ifnull": (_ifnull, 2, 3),
    "coalesce": (_coalesce, 1, 999),
    "if": (_if, 2, 3),
    "ifempty": (_ifempty, 2, 2),
    "uuid": (_uuid, 0, 0),
    "date": (_date, 0, 3),
    "sysdate": (_sysdate, 0, 2),
    "abs": (_abs, 1, 1),
    "format": (_format, 1, 999),
    "concat": (_concat, 1, 999),
    "shortestpath": (_shortest_path, 2, 5),
    "dijkstra": (_dijkstra, 3, 4),
}

# ---------------------------------------------------------------------------- vector functions

#: The seed era's vector SQL functions (vector/functions.py: numpy is loaded on first call), by
#: name, with their argument counts.
_VECTOR_ARITY = {
    "vectorAdd": (2, 2), "vectorSubtract": (2, 2), "vectorMultiply": (2, 2), "vectorScale": (2, 2),
    "vectorDotProduct": (2, 2), "vectorCosineSimilarity": (2, 2), "vectorL2Distance": (2, 2),
    "vectorMagnitude": (1, 1), "vectorNormalize": (1, 1), "vectorDimension": (1, 1),
    "vectorL1Norm": (1, 1), "vectorLInfNorm": (1, 1), "vectorVariance": (1, 1),
    "vectorStdDev": (1, 1), "vectorIsNormalized": (1, 2), "vectorHasNaN": (1, 1),
    "vectorHasInf": (1, 1), "vectorClip": (3, 3), "vectorQuantizeInt8": (1, 1),
    "vectorQuantizeBinary": (1, 1), "vectorDequantizeInt8": (3, 3),
}  # fmt: skip


def _vector_function(name: str) -> Callable[..., Any]:
    def apply(ctx: Ctx, *args: Any) -> Any:
        from ..vector.functions import SCALAR_FUNCTIONS

        return SCALAR_FUNCTIONS[name](*(_plain_vector(arg) for arg in args))

    return apply


def _plain_vector(value: Any) -> Any:
    """A stored list comes back from a record as a tuple or list: either is a vector."""
    return list(value) if isinstance(value, tuple) else value


def _vector_neighbors(ctx: Ctx, index: Any, vector: Any, k: Any) -> list[dict[str, Any]]:
    """vectorNeighbors('Type[property]' or index name, vector, k): one list of
    ``{record, distance}`` maps, sorted by distance ascending as the seed era sorts them."""
    from .vectors import indexes_of

    name = _vector_index_name(ctx, index)
    if isinstance(k, bool) or not isinstance(k, int):
        raise QueryError(f"vectorNeighbors() k must be an integer, got {k!r}")
    if not isinstance(vector, (list, tuple)) and not hasattr(vector, "tolist"):
        raise QueryError(f"vectorNeighbors() needs a vector (a list of numbers), got {vector!r}; "
                         "looking a vertex up by key is not supported")
    found = indexes_of(ctx.storage).search(name, _plain_vector(vector), k, session=ctx.session)
    found.sort(key=lambda pair: pair[1])
    return [{"record": ctx.store.lookup_by_rid(RID.from_int(rid)), "distance": score}
            for rid, score in found]


def _vector_index_name(ctx: Ctx, index: Any) -> str:
    if not isinstance(index, str):
        raise QueryError(f"vectorNeighbors() takes an index name or 'Type[property]', got {index!r}")
    catalog = ctx.storage.catalog
    found = catalog.indexes.get(index)
    if found is not None and found.vector is not None:
        return index
    type_name, bracket, rest = index.partition("[")
    if not bracket or not rest.endswith("]"):
        raise QueryError(f"Index with name '{index}' was not found")
    prop = rest[:-1]
    type_def = catalog.types.get(type_name)
    if type_def is None:
        raise QueryError(f"Type with name '{type_name}' was not found")
    for candidate in type_def.indexes:
        if candidate.vector is not None and candidate.properties == (prop,):
            return candidate.name
    raise QueryError(f"No vector index found on property '{prop}' for type '{type_name}' or its "
                     "parent types")


FUNCTIONS.update({name.lower(): (_vector_function(name), low, high)
                  for name, (low, high) in _VECTOR_ARITY.items()})  # fmt: skip
FUNCTIONS["vectorneighbors"] = (_vector_neighbors, 3, 3)


# ---------------------------------------------------------------------------- graph moves


def _labels(values: list[Any]) -> tuple[str, ...]:
    labels: list[str] = []
    for value in values:
        for item in to_list(value):
            if not isinstance(item, str):
                raise QueryError(f"Edge labels are type names (strings), got {item!r}")
            labels.append(item)
    return tuple(labels)


def _elements(ctx: Ctx, value: Any) -> list[Document]:
    """Records named by a value: a record, a RID, a Result, or a list of those."""
    value = as_record(value)
    if isinstance(value, Document):
        return [value]
    if isinstance(value, RID):
        record = ctx.load(value)
        return [] if record is None else [record]
    if is_multi(value):
        out: list[Document] = []
        for item in value:
            out.extend(_elements(ctx, item))
        return out
    if isinstance(value, str) and value.startswith("#"):
        try:
            return _elements(ctx, RID.parse(value))
        except Exception:
            return []
    return []


def move(ctx: Ctx, value: Any, function: str, labels: tuple[str, ...]) -> list[Document]:
    """out/in/both/outE/inE/bothE/outV/inV/bothV from every element of value."""
    storage, session = ctx.storage, ctx.session
    out: list[Document] = []
    for element in _elements(ctx, value):
        if isinstance(element, Vertex):
            if function in ("out", "in", "both"):
                packed = storage.neighbors(session, element._rid.to_int(), function, labels)  # type: ignore[union-attr]  # read from storage: it has a RID
                out.extend(ctx.load_many([RID.from_int(p) for p in packed]))
            elif function in ("oute", "ine", "bothe"):
                direction = function[:-1]
                store = ctx.store
                out.extend(
                    record_from_row(store, edge_type, row)
                    for edge_type, row in storage.edges(
                        session, element._rid.to_int(), direction, labels  # type: ignore[union-attr]  # read from storage: it has a RID
                    )
                )
        elif isinstance(element, Edge):
            ends: list[RID | None] = []  # an edge read from storage has both
            if function in ("out", "outv"):
                ends = [element._out]
            elif function in ("in", "inv"):
                ends = [element._in]
            elif function in ("both", "bothv"):
                ends = [element._out, element._in]
            out.extend(ctx.load_many(ends))  # type: ignore[arg-type]  # (see ends)
    return out


def _graph_function(name: str, args: list[Fn]) -> Fn:
    if not args:
        return lambda ctx: graph_step(ctx, ctx.current, name, ())
    return lambda ctx: graph_step(ctx, ctx.current, name, _labels([arg(ctx) for arg in args]))


def graph_step(ctx: Ctx, value: Any, function: str, labels: tuple[str, ...]) -> Any:
    """A graph function in an expression. outV()/inV() of one edge are that one vertex, as on
    the reference (``inV().name`` is a name, ``WHERE inV().name = 'bob'`` holds), and null
    from a vertex; from a list of edges (``outE().inV()``) they stay a list, as every other
    move does."""
    if function in ("outv", "inv"):
        single = as_record(value)
        if isinstance(single, Document):
            if not isinstance(single, Edge):
                return None
            ends = move(ctx, single, function, labels)
            return ends[0] if ends else None
    return move(ctx, value, function, labels)


# -------------------------------------------------------------------------------- methods


def compile_method(compiler: Compiler, node: a.MethodCall) -> Fn:
    target = compiler.expr(node.target)
    args = [compiler.expr(arg) for arg in node.args]
    name = node.name
    if name in GRAPH_FUNCTIONS:
        return lambda ctx: graph_step(ctx, target(ctx), name, _labels([arg(ctx) for arg in args]))
    implementation = METHODS.get(name)
    if implementation is None:
        raise QueryError(f"Unknown method '.{node.name}()'")
    method, low, high = implementation
    if not low <= len(args) <= high:
        expected = str(low) if low == high else f"{low} to {high}"
        raise QueryError(f"Method .{name}() takes {expected} argument(s), got {len(args)}")
    if not args:
        return lambda ctx: method(ctx, target(ctx))
    return lambda ctx: method(ctx, target(ctx), *[arg(ctx) for arg in args])


def _size(ctx: Ctx, value: Any) -> int:
    value = as_record(value)
    if value is None:
        return 0
    if isinstance(value, Document):
        return len(value._props)
    if isinstance(value, (str, list, tuple, dict, set, frozenset, bytes)):
        return len(value)
    if type(value) is Result:
        return len(value.get_property_names())
    return 1


def _string_method(function: Callable[[str], Any]) -> Callable[[Ctx, Any], Any]:
    def apply(ctx: Ctx, value: Any) -> Any:
        if value is None:
            return None
        return function(value if isinstance(value, str) else _text(value))

    return apply


def _as_string(ctx: Ctx, value: Any) -> Any:
    return None if value is None else _text(value)


def _as_integer(ctx: Ctx, value: Any) -> Any:
    if value is None:
        return None
    try:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, (int, float, Decimal)):
            return int(value)
        if isinstance(value, (dt.date, dt.datetime)):
            return int(parse_datetime(value).timestamp() * 1000)  # type: ignore[union-attr]  # text that parses as a date
        text = str(value).strip()
        return int(text) if re.fullmatch(r"[-+]?\d+", text) else int(float(text))
    except (ValueError, OverflowError):
        return None


def _as_float(ctx: Ctx, value: Any) -> Any:
    if value is None:
        return None
    try:
        return float(value if not isinstance(value, str) else value.strip())
    except (ValueError, TypeError, OverflowError):
        return None


def _as_decimal(ctx: Ctx, value: Any) -> Any:
    if value is None:
        return None
    try:
        if isinstance(value, float):
            return Decimal(repr(value))
        return Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        return None


def _as_boolean(ctx: Ctx, value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        return True if text == "true" else False if text == "false" else None
    if isinstance(value, (int, float, Decimal)):
        return value != 0
    return None


def _as_date(ctx: Ctx, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    parsed = parse_datetime(value)
    return None if parsed is None else parsed.date()


def _as_datetime(ctx: Ctx, value: Any) -> Any:
    return parse_datetime(value)


def _as_list(ctx: Ctx, value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, dict):
        return list(value.values())
    return list(to_list(value))


def _as_set(ctx: Ctx, value: Any) -> Any:
    return _set(ctx, _as_list(ctx, value))


def _as_map(ctx: Ctx, value: Any) -> Any:
    value = as_record(value)
    if isinstance(value, Document):
        return dict(value._props)
    if type(value) is Result:
        return value.to_dict(False)
    return value if isinstance(value, dict) else None


def _keys(ctx: Ctx, value: Any) -> Any:
    value = as_record(value)
    if isinstance(value, Document):
        return list(value._props)
    if type(value) is Result:
        return value.get_property_names()
    return list(value) if isinstance(value, dict) else None


def _values(ctx: Ctx, value: Any) -> Any:
    value = as_record(value)
    if isinstance(value, Document):
        return list(value._props.values())
    if type(value) is Result:
        return [value.get(k) for k in value.get_property_names()]
    return list(value.values()) if isinstance(value, dict) else None


def _substring(ctx: Ctx, value: Any, begin: Any, end: Any = None) -> Any:
    if value is None:
        return None
    text = value if isinstance(value, str) else _text(value)
    begin = _int_arg(begin, "subString")
    if end is None:
        return text[max(begin, 0) :]
    end = _int_arg(end, "subString")
    return text[max(begin, 0) : max(end, 0)]


def _int_arg(value: Any, method: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise QueryError(f".{method}() needs an integer argument, got {value!r}")
    try:
        return int(value)
    except (OverflowError, ValueError):  # inf and nan have no integer value
        raise QueryError(f".{method}() needs an integer argument, got {value!r}") from None


def _index_of(ctx: Ctx, value: Any, needle: Any, start: Any = 0) -> Any:
    if value is None or needle is None:
        return None if value is None else -1
    text = value if isinstance(value, str) else _text(value)
    return text.find(_text(needle), _int_arg(start, "indexOf"))


def _replace(ctx: Ctx, value: Any, old: Any, new: Any) -> Any:
    if value is None:
        return None
    text = value if isinstance(value, str) else _text(value)
    return text.replace(_text(old), "" if new is None else _text(new))


def _split(ctx: Ctx, value: Any, separator: Any) -> Any:
    if value is None:
        return None
    text = value if isinstance(value, str) else _text(value)
    try:
        parts = re.split(_text(separator), text) if separator != "" else list(text)
    except re.error as exc:
        raise QueryError(f".split(): invalid separator {separator!r}: {exc}") from None
    while parts and parts[-1] == "":  # Java's split drops trailing empty strings
        parts.pop()
    return parts


def _left(ctx: Ctx, value: Any, count: Any) -> Any:
    return None if value is None else _text(value)[: max(_int_arg(count, "left"), 0)]


def _right(ctx: Ctx, value: Any, count: Any) -> Any:
    if value is None:
        return None
    count = max(_int_arg(count, "right"), 0)
    text = _text(value)
    return text[len(text) - count :] if count else ""


def _char_at(ctx: Ctx, value: Any, index: Any) -> Any:
    if value is None:
        return None
    text = _text(value)
    index = _int_arg(index, "charAt")
    return text[index] if 0 <= index < len(text) else None


def _to_json(ctx: Ctx, value: Any) -> Any:
    value = as_record(value)
    if isinstance(value, Document):
        data = value.to_dict(include_metadata=True)
    elif type(value) is Result:
        return value.to_json()
    else:
        data = value
    return orjson.dumps(data, default=json_default).decode()


def _field(ctx: Ctx, value: Any, name: Any) -> Any:
    return get_field(ctx, as_record(value), str(name))


def _exclude(ctx: Ctx, value: Any, *names: Any) -> Any:
    data = _as_map(ctx, value)
    if data is None:
        return None
    drop = {str(n) for n in names}
    return {k: v for k, v in data.items() if k not in drop}


def _include(ctx: Ctx, value: Any, *names: Any) -> Any:
    data = _as_map(ctx, value)
    if data is None:
        return None
    return {str(n): data.get(str(n)) for n in names if str(n) in data}


def _type(ctx: Ctx, value: Any) -> Any:
    value = as_record(value)
    if value is None:
        return None
    names = {bool: "BOOLEAN", int: "LONG", float: "DOUBLE", str: "STRING", Decimal: "DECIMAL",
             dict: "MAP", list: "LIST", bytes: "BINARY", dt.date: "DATE",
             dt.datetime: "DATETIME", RID: "LINK"}  # fmt: skip
    if isinstance(value, Document):
        return "LINK"
    return names.get(type(value), type(value).__name__.upper())


def _contains(ctx: Ctx, value: Any, item: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return _text(item) in value
    return any(equals(v, item) for v in to_list(value))


METHODS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "size": (_size, 0, 0),
    "length": (_size, 0, 0),
    "tolowercase": (_string_method(str.lower), 0, 0),
    "touppercase": (_string_method(str.upper), 0, 0),
    "trim": (_string_method(str.strip), 0, 0),
    "asstring": (_as_string, 0, 0),
    "asinteger": (_as_integer, 0, 0),
    "aslong": (_as_integer, 0, 0),
    "asfloat": (_as_float, 0, 0),
    "asdouble": (_as_float, 0, 0),
    "asdecimal": (_as_decimal, 0, 0),
    "asboolean": (_as_boolean, 0, 0),
    "asdate": (_as_date, 0, 0),
    "asdatetime": (_as_datetime, 0, 0),
    "aslist": (_as_list, 0, 0),
    "asset": (_as_set, 0, 0),
    "asmap": (_as_map, 0, 0),
    "keys": (_keys, 0, 0),
    "values": (_values, 0, 0),
    "substring": (_substring, 1, 2),
    "indexof": (_index_of, 1, 2),
    "replace": (_replace, 2, 2),
    "split": (_split, 1, 1),
    "left": (_left, 1, 1),
    "right": (_right, 1, 1),
    "charat": (_char_at, 1, 1),
    "tojson": (_to_json, 0, 0),
    "field": (_field, 1, 1),
    "exclude": (_exclude, 0, 99),
    "include": (_include, 0, 99),
    "type": (_type, 0, 0),
    "contains": (_contains, 1, 1),
    "format": (
        lambda ctx, value, pattern: (
            None
            if value is None
            else (
                format_date(value, str(pattern))
                if isinstance(value, dt.date)
                else _format(ctx, str(pattern), value)
            )
        ),
        1,
        1,
    ),  # fmt: skip
}
