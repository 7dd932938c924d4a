"""Chains of graph moves (``out('E')``, ``out('E').in('F')``, ``both()``, their ``.size()`` and
``.asSet().size()``) from a vertex, run as one SQLite statement over the edge tables instead of
a Python loop per hop.

The compiled function gives exactly what the step-by-step evaluation (functions.move) gives:
the same records in the same order, duplicates kept; anything it does not cover (a start that
is not a saved vertex, labels that are not edge types) goes to that evaluation unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ..exceptions import ArcadeDBError
from ..model.records import Document, Vertex
from ..model.results import Result
from ..rid import RID
from ..sql import ast as a
from ..storage.codec import decode_record
from ..storage.query import compile_walk
from .context import Ctx, Fn
from .values import as_record

_MISSING = object()
WALK_MOVES = frozenset({"out", "in", "both"})
#: False sends every chain to the step-by-step evaluation (the tests compare both paths).
SQL_WALKS = True
_SQL_CACHE: dict[tuple, tuple[Any, str]] = {}
_SQL_CACHE_LIMIT = 1024
_cache_lock = threading.Lock()
_JOINED_TYPES = 4  # up to this many vertex types, a walk reads its ends' rows in the same statement

#: One hop of a chain: its direction and its label arguments (expressions).
Hop = tuple[str, tuple[a.Expr, ...]]


def walk_of(node: a.Expr) -> list[Hop] | None:
    """The hops of a chain of out/in/both moves from the current record, or None."""
    hops: list[Hop] = []
    while isinstance(node, a.MethodCall) and node.name in WALK_MOVES:
        hops.append((node.name, node.args))
        node = node.target
    if not (
        isinstance(node, a.FunctionCall)
        and node.name in WALK_MOVES
        and not node.star
        and not node.distinct
    ):
        return None
    hops.append((node.name, node.args))
    hops.reverse()
    return hops


def _labels_of(values: list[Any]) -> tuple[str, ...] | None:
    """Label arguments as type names (None when one is not a name: the slow path decides)."""
    labels: list[str] = []
    for value in values:
        for item in value if isinstance(value, (list, tuple)) else (value,):
            if not isinstance(item, str):
                return None
            labels.append(item)
    return tuple(labels)


def _walk_sql(ctx: Ctx, hops: list[tuple[str, tuple[str, ...]]], result: str) -> str:
    storage = ctx.storage
    catalog = storage.catalog
    key = (id(catalog), catalog.version, tuple(hops), result)
    entry = _SQL_CACHE.get(key)
    # the entry holds its catalog: while it is cached, no other catalog can reuse its id
    sql = entry[1] if entry is not None and entry[0] is catalog else None
    if sql is None:
        plan = tuple(
            (direction, tuple(storage.edge_types(labels))) for direction, labels in hops
        )  # raises for a label that is not an edge type
        types = tuple(catalog.types.values())
        vertices = tuple(t for t in types if t.kind == "vertex")
        if result == "rows" and len(vertices) <= _JOINED_TYPES:
            # every edge end is a vertex (CREATE EDGE checks it), so reading the ends' rows
            # from the vertex tables finds what loading them one by one would
            result = "records"
        sql = compile_walk(plan, vertices, vertices if result == "records" else types, result)
        with _cache_lock:
            if len(_SQL_CACHE) >= _SQL_CACHE_LIMIT:
                _SQL_CACHE.clear()
            _SQL_CACHE[key] = (catalog, sql)
    return sql


def _records(ctx: Ctx, rows: list[tuple[int, str, str | None]]) -> list[Document]:
    """The records of a walk's (packed RID, body, tags) rows (ends of vertex types, see
    _walk_sql), shared through the statement's record cache as ``Ctx.load_many`` shares them."""
    cache = ctx.cache
    lookup = cache.get
    store = ctx.store
    by_id = ctx.storage.catalog.by_id
    from_int = RID.from_int
    out: list[Document] = []
    append = out.append
    for packed, body, tags in rows:
        rid = from_int(packed)
        record = lookup(rid, _MISSING)
        if record is _MISSING:
            if body is None:  # no row read for it: look it up
                record = ctx.load(rid)
            else:
                if len(cache) > 100_000:
                    cache.clear()
                record = cache[rid] = Vertex(
                    store, by_id[rid.bucket_id], decode_record(body, tags), rid, False
                )
        if record is not None:
            append(record)
    return out


_FALLBACK = object()  # what _walk_from gives when SQL does not apply


def _walk_from(ctx: Ctx, label_fns: list[tuple[str, list[Fn]]], packed: int,
               result: str) -> Any:  # fmt: skip
    """The walk from the vertex with this packed RID: its records ("rows") or a count, or
    _FALLBACK when the step-by-step evaluation must decide (labels that are not names or not
    edge types, SQL_WALKS off)."""
    if not SQL_WALKS:
        return _FALLBACK
    plan = []
    for direction, fns in label_fns:
        labels = _labels_of([fn(ctx) for fn in fns])
        if labels is None:
            return _FALLBACK
        plan.append((direction, labels))
    try:
        sql = _walk_sql(ctx, plan, result)
    except ArcadeDBError:  # e.g. a vertex type as label: the step-by-step walk may not
        return _FALLBACK  # even read it (no edges before it), or reports it itself
    rows: list[Any] = ctx.storage.execute_sql(ctx.session, sql, (packed,)).fetchall()
    if result != "rows":
        return rows[0][0]
    if rows and len(rows[0]) == 1:  # the ends' rows were not read with the walk
        from_int = RID.from_int
        return ctx.load_many([from_int(row[0]) for row in rows])
    return _records(ctx, rows)


def compile_walk_fn(hops: list[Hop], compile_expr: Callable[[a.Expr], Fn], fallback: Fn,
                    result: str = "rows") -> Fn:  # fmt: skip
    """A function of the context giving the chain's value ("rows": the records reached),
    its ``.size()`` ("count") or its ``.asSet().size()`` ("distinct"); ``fallback`` computes
    the same value step by step where SQL does not apply."""
    label_fns = [(direction, [compile_expr(arg) for arg in args]) for direction, args in hops]

    def walk(ctx: Ctx) -> Any:
        start = as_record(ctx.current)
        if not isinstance(start, Vertex) or start._rid is None:
            return fallback(ctx)
        found = _walk_from(ctx, label_fns, start._rid.to_int(), result)
        return fallback(ctx) if found is _FALLBACK else found

    return walk


def _walked_select(stmt: a.Select) -> tuple[str, list[Hop], a.Expr] | None:
    """("rows", hops, start) for ``SELECT expand(<chain>) FROM <start>`` (a parameter or a RID),
    with nothing else in the statement."""
    if len(stmt.projections) != 1 or not isinstance(stmt.target, (a.Param, a.RidLiteral)):
        return None
    if stmt.let or stmt.where is not None or stmt.group_by or stmt.order_by or stmt.unwind:
        return None
    if stmt.skip is not None or stmt.limit is not None or stmt.distinct:
        return None
    expand = stmt.projections[0].expr
    if not isinstance(expand, a.FunctionCall) or expand.name != "expand" or len(expand.args) != 1:
        return None
    hops = walk_of(expand.args[0])
    return None if hops is None else ("rows", hops, stmt.target)


def _counted_walk(stmt: a.Select) -> tuple[str, list[Hop], a.Expr] | None:
    """("distinct" or "count", hops, start) for ``SELECT count(DISTINCT @rid) | count(*) FROM
    (SELECT expand(<chain>) FROM <start>)`` with nothing else in either statement."""
    if len(stmt.projections) != 1 or not isinstance(stmt.target, a.Subquery):
        return None
    if stmt.let or stmt.where is not None or stmt.group_by or stmt.order_by or stmt.unwind:
        return None
    if stmt.skip is not None or stmt.limit is not None or stmt.distinct:
        return None
    count = stmt.projections[0].expr
    if not isinstance(count, a.FunctionCall) or count.name != "count":
        return None
    if count.star and not count.distinct:
        result = "count"
    elif count.distinct and count.args == (a.Identifier("@rid"),):
        result = "distinct"
    else:
        return None
    inner = stmt.target.statement
    found = _walked_select(inner) if isinstance(inner, a.Select) else None
    return None if found is None else (result, found[1], found[2])


def walk_shortcut(stmt: a.Select, compile_expr: Callable[[a.Expr], Fn],
                  name: str) -> Callable[[Ctx], list[Result] | None] | None:  # fmt: skip
    """For ``SELECT expand(<chain>) FROM <vertex>`` or a count over it (see _walked_select,
    _counted_walk): a function giving the statement's results, or None when the statement runs
    as written (the same answer, step by step). The start vertex is not even read: a RID of a
    vertex type that names no record has no edges (a vertex goes with its edges), so the walk
    finds nothing, as the step-by-step walk from no record does."""
    found = _walked_select(stmt) or _counted_walk(stmt)
    if found is None:
        return None
    result, hops, start = found
    start_fn = compile_expr(start)
    label_fns = [(direction, [compile_expr(arg) for arg in args]) for direction, args in hops]

    def shortcut(ctx: Ctx) -> list[Result] | None:
        value = start_fn(ctx)
        if isinstance(value, str) and value.startswith("#"):
            try:
                value = RID.parse(value)
            except ArcadeDBError:
                return None
        if type(value) is not RID:
            return None
        type_def = ctx.storage.catalog.by_id.get(value.bucket_id)
        if type_def is None or type_def.kind != "vertex":
            return None
        found = _walk_from(ctx, label_fns, value.to_int(), result)
        if found is _FALLBACK:
            return None
        if result == "rows":
            return [Result(None, record) for record in found]
        return [Result({name: found})]

    return shortcut


__all__ = ["WALK_MOVES", "compile_walk_fn", "walk_of", "walk_shortcut"]
