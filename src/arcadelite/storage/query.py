"""A small predicate and ordering IR, compiled into SQLite SQL over the per-type tables.

The query planner describes *what* to read with these nodes; only this module knows how that reads
in SQLite. A type's records live in one table per type (``t<id>``), so a query on a type is one
SELECT per table of the type and its subtypes, glued with ``UNION ALL``. Each branch is compiled
for its own table, so ``@type`` and ``@rid`` become constants or primary-key seeks there.

Values are not inlined: every ``Value(slot)`` becomes a numbered SQLite parameter whose binder
converts the execution-time value (``values[slot]``) into the form it compares as inside SQLite
(see ``codec.sql_value``). A compiled query is therefore reusable for any parameter values.

Semantics follow ArcadeDB's two-valued logic: a comparison with a missing or null operand is false,
``a <> b`` is ``NOT (a = b)`` (so true when ``a`` is null), and ``NOT`` of a false comparison is
true. SQLite's NULL propagation agrees with that in positive positions; under ``NOT`` the operand
is wrapped in ``coalesce(..., 0)``.

Index use: a comparison of a property with a value compiles to ``json_extract(body, '$.p') = ?``,
the very expression of the property's SQLite expression index, so SQLite seeks the index.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from ..exceptions import QueryError
from ..rid import POSITION_BITS, RID
from . import codec
from .catalog import TypeDef
from .engine import Session, Storage, field_sql, json_path

# ------------------------------------------------------------------------------------------ IR

_node = dataclass(frozen=True, slots=True)


@_node
class Field:
    """A property of the record, or a path into embedded maps: ``("address", "city")``."""

    path: tuple[str, ...]


@_node
class Special:
    """A record attribute: ``@rid``, ``@type``, ``@out`` or ``@in``."""

    name: str


@_node
class Value:
    """An execution-time value: ``values[slot]`` (a parameter, a literal, a constant expression)."""

    slot: int


@_node
class Compare:
    """``left op right`` with op one of ``= <> < <= > >=``."""

    op: str
    left: Any
    right: Any


@_node
class And:
    items: tuple[Any, ...]


@_node
class Or:
    items: tuple[Any, ...]


@_node
class Not:
    item: Any


@_node
class IsNull:
    operand: Any


@_node
class IsDefined:
    """The property exists in the record (even when it holds null)."""

    field: Field


@_node
class In:
    """``operand IN values``: values is a tuple of operands, or one Value holding a list."""

    operand: Any
    values: Any


@_node
class Like:
    """ArcadeDB's LIKE: case-sensitive, ``%`` any run, ``?`` any one character, ``\\`` escapes."""

    operand: Any
    pattern: Any


@_node
class Between:
    operand: Any
    low: Any
    high: Any


@_node
class JsonType:
    """The JSON type of the value at field is one of kinds (``text``, ``array``, ``object`` ...).

    The planner uses it to widen a condition into a superset when Python must decide some rows:
    a path whose first steps hold a link (text) or a list cannot be followed inside SQLite.
    """

    field: Field
    kinds: tuple[str, ...]


@_node
class OrderKey:
    expr: Any
    descending: bool = False


@_node
class Aggregate:
    """``count``, ``sum``, ``avg``, ``min`` or ``max`` of expr (None for ``count(*)``)."""

    function: str
    expr: Any = None


SPECIALS = ("@rid", "@type", "@out", "@in")

# -------------------------------------------------------------------------------- binders


_INT64 = (-(1 << 63), (1 << 63) - 1)


def bind_scalar(value: Any) -> Any:
    """The SQLite form of a value compared with a stored property."""
    value = codec.sql_value(value)
    if isinstance(value, (list, tuple, dict)):
        return codec.dumps(_plain(value))
    if type(value) is int and not _INT64[0] <= value <= _INT64[1]:
        return float(value)  # beyond any stored integer; compares by value as a double
    if not isinstance(value, (str, int, float, bytes)) and value is not None:
        return str(value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    value = codec.sql_value(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if type(value) is int and not _INT64[0] <= value <= _INT64[1]:
        return float(value)
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None  # JSON has no NaN or infinity
    if not isinstance(value, (str, int, float)) and value is not None:
        return str(value)
    return value


def bind_packed_rid(value: Any) -> int | None:
    """A RID (or "#b:p" text, or record) as the packed integer stored in out_rid/in_rid."""
    try:
        return RID.parse(value).to_int()
    except Exception:  # noqa: BLE001 - anything that is not a RID matches nothing
        return None


def bind_list(value: Any) -> str:
    """A list of values as the JSON array that ``json_each`` unrolls for ``IN``."""
    if value is None:
        items: list[Any] = []
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
    elif hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        items = list(value.tolist())
    else:
        items = [value]
    return codec.dumps([_plain(v) for v in items])


def bind_packed_list(value: Any) -> str:
    items = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
    return codec.dumps([bind_packed_rid(v) for v in items])


_GLOB_SPECIAL = re.compile(r"[*?\[]")


def like_to_glob(pattern: Any) -> str | None:
    """Translate an ArcadeDB LIKE pattern into a SQLite GLOB pattern (both case-sensitive)."""
    if pattern is None:
        return None
    text = str(codec.sql_value(pattern)) if not isinstance(pattern, str) else pattern
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in "%?":
            out.append("[?]" if text[i + 1] == "?" else "%")
            i += 2
            continue
        if char == "%":
            out.append("*")
        elif char == "?":
            out.append("?")
        elif _GLOB_SPECIAL.match(char):
            out.append(f"[{char}]")
        else:
            out.append(char)
        i += 1
    return "".join(out)


# ------------------------------------------------------------------------------- compiler


class Compiled:
    """SQLite text plus how to build its parameters from the execution-time values."""

    __slots__ = ("sql", "binders", "kind", "extra")

    def __init__(self, sql: str, binders: list[tuple[int, Callable[[Any], Any]]], kind: str,
                 extra: Any = None) -> None:  # fmt: skip
        self.sql = sql
        self.binders = binders
        self.kind = kind
        self.extra = extra

    def params(self, values: list[Any]) -> list[Any]:
        return [bind(values[slot]) for slot, bind in self.binders]

    def run(self, storage: Storage, session: Session, values: list[Any]) -> list[tuple]:
        """Execute and fetch every row (rows are materialized: no cursor stays open)."""
        return storage.execute_sql(session, self.sql, self.params(values)).fetchall()

    def explain(self, storage: Storage, session: Session, values: list[Any] | None) -> list[str]:
        params = self.params(values) if values is not None else [None] * len(self.binders)
        return storage.explain(session, self.sql, params)


class _Builder:
    """Numbers parameters across the branches of one statement (shared by every table)."""

    def __init__(self) -> None:
        self.binders: list[tuple[int, Callable[[Any], Any]]] = []
        self.numbers: dict[tuple[int, Any], int] = {}

    def param(self, slot: int, bind: Callable[[Any], Any] = bind_scalar) -> str:
        key = (slot, bind)
        number = self.numbers.get(key)
        if number is None:
            self.binders.append((slot, bind))
            number = self.numbers[key] = len(self.binders)
        return f"?{number}"


def _operand(node: Any, table: TypeDef, b: _Builder, rid_context: bool = False) -> str:
    if isinstance(node, Field):
        return field_sql(node.path)
    if isinstance(node, Value):
        return b.param(node.slot, bind_packed_rid if rid_context else bind_scalar)
    if isinstance(node, Special):
        name = node.name
        if name == "@rid":
            return f"(pos + {table.id << POSITION_BITS})"
        if name == "@type":
            return "'" + table.name.replace("'", "''") + "'"
        if name in ("@out", "@in"):
            return ("out_rid" if name == "@out" else "in_rid") if table.kind == "edge" else "NULL"
    raise ValueError(f"not a storage operand: {node!r}")


def _is_rid_special(node: Any) -> bool:
    return isinstance(node, Special) and node.name in ("@rid", "@out", "@in")


def _condition(node: Any, table: TypeDef, b: _Builder) -> str:
    if isinstance(node, Compare):
        rid = _is_rid_special(node.left) or _is_rid_special(node.right)
        if (
            node.op == "="
            and isinstance(node.left, Special)
            and node.left.name == "@rid"
            and (isinstance(node.right, Value))
        ):
            # a primary-key seek: pos = packed - bucket offset (matches only in the RID's table)
            return f"pos = ({_operand(node.right, table, b, True)} - {table.id << POSITION_BITS})"
        left = _operand(node.left, table, b, rid)
        right = _operand(node.right, table, b, rid)
        if node.op == "<>":
            return f"NOT coalesce({left} = {right}, 0)"
        return f"{left} {node.op} {right}"
    if isinstance(node, And):
        return "(" + " AND ".join(_condition(i, table, b) for i in node.items) + ")"
    if isinstance(node, Or):
        return "(" + " OR ".join(_condition(i, table, b) for i in node.items) + ")"
    if isinstance(node, Not):
        return f"NOT coalesce({_condition(node.item, table, b)}, 0)"
    if isinstance(node, IsNull):
        return f"{_operand(node.operand, table, b)} IS NULL"
    if isinstance(node, IsDefined):
        return f"json_type(body, {json_path(node.field.path)}) IS NOT NULL"
    if isinstance(node, In):
        rid = _is_rid_special(node.operand)
        left = _operand(node.operand, table, b, rid)
        if isinstance(node.values, Value):
            bind = bind_packed_list if rid else bind_list
            return f"{left} IN (SELECT value FROM json_each({b.param(node.values.slot, bind)}))"
        items = ", ".join(_operand(v, table, b, rid) for v in node.values)
        return f"{left} IN ({items})"
    if isinstance(node, Like):
        left = _operand(node.operand, table, b)
        glob = b.param(node.pattern.slot, like_to_glob)
        return f"({left} GLOB {glob} AND ({left} <> '' OR {glob} = ''))"
    if isinstance(node, Between):
        return (
            f"{_operand(node.operand, table, b)} BETWEEN {_operand(node.low, table, b)} "
            f"AND {_operand(node.high, table, b)}"
        )
    if isinstance(node, JsonType):
        kinds = ", ".join("'" + k.replace("'", "''") + "'" for k in node.kinds)
        return f"json_type(body, {json_path(node.field.path)}) IN ({kinds})"
    raise ValueError(f"not a storage condition: {node!r}")


_SCAN_COLUMNS = ("tid", "pos", "body", "tags", "out_rid", "in_rid")


def _columns(table: TypeDef) -> str:
    edge = "out_rid, in_rid" if table.kind == "edge" else "NULL AS out_rid, NULL AS in_rid"
    return f"{table.id} AS tid, pos, body, tags, {edge}"


def _where(filter: Any, table: TypeDef, b: _Builder) -> str:
    return "" if filter is None else " WHERE " + _condition(filter, table, b)


def compile_scan(targets: list[TypeDef], filter: Any = None, order: tuple[OrderKey, ...] = (),
                 skip: Value | None = None, limit: Value | None = None) -> Compiled:  # fmt: skip
    """Rows ``(type id, pos, body, tags, out_rid, in_rid)`` of the targets matching filter."""
    b = _Builder()
    if len(targets) == 1:
        table = targets[0]
        sql = f"SELECT {_columns(table)} FROM {table.table}{_where(filter, table, b)}"
        if order:
            terms = []
            for key in order:
                if isinstance(key.expr, Special) and key.expr.name == "@rid":
                    term = "pos"
                else:
                    term = _operand(key.expr, table, b)
                terms.append(term + (" DESC" if key.descending else ""))
            sql += " ORDER BY " + ", ".join(terms)
    else:
        branches = []
        for table in targets:
            keys = "".join(f", {_operand(k.expr, table, b)} AS k{i}" for i, k in enumerate(order))
            branches.append(
                f"SELECT {_columns(table)}{keys} FROM {table.table}{_where(filter, table, b)}"
            )
        sql = " UNION ALL ".join(branches)
        if order:
            sql = f"SELECT {', '.join(_SCAN_COLUMNS)} FROM ({sql}) ORDER BY " + ", ".join(
                f"k{i}" + (" DESC" if k.descending else "") for i, k in enumerate(order)
            )
    if limit is not None or skip is not None:
        sql += " LIMIT " + (b.param(limit.slot, _bind_limit) if limit is not None else "-1")
        if skip is not None:
            sql += " OFFSET " + b.param(skip.slot, _bind_skip)
    return Compiled(sql, b.binders, "scan")


def _count_value(value: Any, clause: str) -> int:
    if value is None:
        return -1
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise QueryError(f"{clause} needs an integer, got {value!r}")
    return max(min(value, (1 << 62)), -1)


def _bind_limit(value: Any) -> int:
    return _count_value(value, "LIMIT")


def _bind_skip(value: Any) -> int:
    return max(_count_value(value, "SKIP"), 0)


def compile_count(targets: list[TypeDef], filter: Any = None) -> Compiled:
    """One row holding the number of matching records."""
    b = _Builder()
    if len(targets) == 1:
        table = targets[0]
        sql = f"SELECT count(*) FROM {table.table}{_where(filter, table, b)}"
    else:
        parts = " UNION ALL ".join(
            f"SELECT count(*) AS c FROM {t.table}{_where(filter, t, b)}" for t in targets
        )
        sql = f"SELECT coalesce(sum(c), 0) FROM ({parts})"
    return Compiled(sql, b.binders, "count")


def _tag_probe(path: tuple[str, ...]) -> str:
    """SQL true when the row's tag list mentions this exact path (a date, decimal, link ...)."""
    needle = "[" + orjson.dumps(list(path)).decode() + ","
    return f"(tags IS NOT NULL AND instr(tags, '{needle.replace(chr(39), chr(39) * 2)}') > 0)"


def compile_aggregate(targets: list[TypeDef], group: tuple[Any, ...],
                      aggregates: tuple[Aggregate, ...], filter: Any = None) -> Compiled:  # fmt: skip
    """One row per group: group values (with their JSON types), then per aggregate its result
    (``avg`` as sum and count), then a flag that is 1 when some aggregated or grouped value was
    a tagged type (date, decimal, link ...): the caller must then aggregate in Python instead."""
    b = _Builder()
    typed_paths: list[tuple[str, ...]] = []
    for expr in list(group) + [a.expr for a in aggregates if a.function != "count"]:
        if isinstance(expr, Field) and expr.path not in typed_paths:
            typed_paths.append(expr.path)

    def inner_columns(table: TypeDef) -> list[str]:
        cols = []
        for i, expr in enumerate(group):
            cols.append(f"{_operand(expr, table, b)} AS g{i}")
            if isinstance(expr, Field):
                cols.append(f"json_type(body, {json_path(expr.path)}) AS t{i}")
            else:
                cols.append(f"NULL AS t{i}")
        for i, agg in enumerate(aggregates):
            if agg.expr is not None:
                cols.append(f"{_operand(agg.expr, table, b)} AS a{i}")
        probes = [_tag_probe(p) for p in typed_paths]
        cols.append(("(" + " OR ".join(probes) + ")" if probes else "0") + " AS tagged")
        return cols

    outer: list[str] = []
    for i in range(len(group)):
        outer += [f"g{i}", f"t{i}"]
    for i, agg in enumerate(aggregates):
        if agg.function == "count":
            outer.append("count(*)" if agg.expr is None else f"count(a{i})")
        elif agg.function == "avg":
            outer += [f"sum(a{i})", f"count(a{i})"]
        else:
            outer.append(f"{agg.function}(a{i})")
    outer.append("max(tagged)")
    branches = [
        f"SELECT {', '.join(inner_columns(t))} FROM {t.table}{_where(filter, t, b)}"
        for t in targets
    ]
    sql = f"SELECT {', '.join(outer)} FROM ({' UNION ALL '.join(branches)})"
    if group:
        sql += " GROUP BY " + ", ".join(f"g{i}" for i in range(len(group)))
    return Compiled(sql, b.binders, "aggregate", (len(group), aggregates))


def decode_group_value(value: Any, json_type: str | None) -> Any:
    """A group value read back from SQLite, typed as JSON had it."""
    if json_type == "true" or json_type == "false":
        return bool(value)
    if json_type in ("object", "array") and isinstance(value, str):
        return orjson.loads(value)
    return value


__all__ = [
    "Aggregate",
    "And",
    "Between",
    "Compare",
    "Compiled",
    "Field",
    "In",
    "IsDefined",
    "IsNull",
    "Like",
    "JsonType",
    "Not",
    "Or",
    "OrderKey",
    "SPECIALS",
    "Special",
    "Value",
    "compile_aggregate",
    "compile_count",
    "compile_scan",
    "decode_group_value",
    "like_to_glob",
]
