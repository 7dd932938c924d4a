"""Graph statements: CREATE VERTEX, CREATE EDGE, DELETE VERTEX, DELETE EDGE; MATCH and TRAVERSE
(whose engines are match.py and traverse.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...exceptions import QueryError
from ...model.factory import record_from_row
from ...model.records import Document, Edge, Vertex
from ...model.results import Result
from ...rid import RID
from ...sql import ast as a
from ..context import Ctx
from ..evaluate import Compiler
from ..select import int_value
from .writes import (
    delete_all,
    matching,
    rows_to_insert,
)

if TYPE_CHECKING:
    from ..executor import Executor



def _create_vertex(ex: Executor, stmt: a.CreateVertex, ctx: Ctx) -> list[Result]:
    type_def = ex.type_def(stmt.type_name, "vertex")
    rows = rows_to_insert(ex, stmt, ctx)
    with ex.write_scope():
        records = [ex.insert_record(type_def, props) for props in rows]
    return [Result(None, r) for r in records]


def _create_edge(ex: Executor, stmt: a.CreateEdge, ctx: Ctx) -> list[Result]:
    type_def = ex.type_def(stmt.type_name or "E", "edge")
    sources = ex.vertices(ex.value(stmt.source, ctx), ctx, "FROM")
    targets = ex.vertices(ex.value(stmt.destination, ctx), ctx, "TO")
    props_list = rows_to_insert(ex, stmt, ctx)
    props = props_list[0] if props_list else {}
    results: list[Document] = []
    labels = (type_def.name,)
    with ex.write_scope():
        for source in sources:
            for target in targets:
                if stmt.if_not_exists or stmt.upsert:
                    found = None
                    for edge_type, row in ex.storage.edges(ex.session, source.to_int(), "out",
                                                           labels):  # fmt: skip
                        _, _, _, _, in_rid = row
                        if in_rid == target.to_int() and edge_type is type_def:
                            found = record_from_row(ex.store, edge_type, row)
                            break
                    if found is not None:
                        if stmt.upsert and props:
                            found = ex.update_record(found, {**found._props, **props})
                        results.append(found)
                        continue
                results.append(ex.create_edge(type_def, source, target, dict(props)))
    return [Result(None, r) for r in results]


def _delete_vertex(ex: Executor, stmt: a.DeleteVertex, ctx: Ctx) -> list[Result]:
    return _delete_kind(ex, matching(ex, stmt, ctx), Vertex, "DELETE VERTEX", "a vertex")


def _delete_edge(ex: Executor, stmt: a.DeleteEdge, ctx: Ctx) -> list[Result]:
    if stmt.target is not None:
        edges = matching(ex, stmt, ctx, stmt.target)
    else:
        edges = _edges_between(ex, stmt, ctx)
    return _delete_kind(ex, edges, Edge, "DELETE EDGE", "an edge")


def _delete_kind(ex: Executor, records: list[Document], kind: type, statement: str,
                 what: str) -> list[Result]:  # fmt: skip
    """Delete records that must all be of one kind; {"count": n} like ArcadeDB."""
    for record in records:
        if not isinstance(record, kind):
            raise QueryError(f"{statement}: record {record._rid} is not {what}")
    with ex.write_scope():
        deleted = delete_all(ex, records)
    return [Result({"count": len(deleted)})]


def _edges_between(ex: Executor, stmt: a.DeleteEdge, ctx: Ctx) -> list[Document]:
    labels = (stmt.type_name,) if stmt.type_name else ()
    if stmt.type_name:
        ex.type_def(stmt.type_name, "edge")
    sources = ex.vertices(ex.value(stmt.source, ctx), ctx, "FROM") if stmt.source else None
    targets = ex.vertices(ex.value(stmt.destination, ctx), ctx, "TO") if stmt.destination else None
    if sources is None and targets is None:
        if not stmt.type_name:
            raise QueryError("DELETE EDGE needs a type, FROM or TO")
        return matching(ex, stmt, ctx, a.TypeTarget(stmt.type_name))
    found: dict[RID, Document] = {}
    if sources is not None:
        wanted = None if targets is None else {t.to_int() for t in targets}
        for source in sources:
            for edge_type, row in ex.storage.edges(ex.session, source.to_int(), "out", labels):
                _, _, _, _, in_rid = row
                if wanted is None or in_rid in wanted:
                    edge = record_from_row(ex.store, edge_type, row)
                    found[edge._rid] = edge  # type: ignore[index]  # read from storage: it has a RID
    else:
        for target in targets or []:
            for edge_type, row in ex.storage.edges(ex.session, target.to_int(), "in", labels):
                edge = record_from_row(ex.store, edge_type, row)
                found[edge._rid] = edge  # type: ignore[index]  # read from storage: it has a RID
    edges = list(found.values())
    if stmt.where is not None:
        condition = Compiler(ex.subquery).condition(stmt.where)
        kept = []
        for edge in edges:
            ctx.current = edge
            if condition(ctx):
                kept.append(edge)
        ctx.current = None
        edges = kept
    if stmt.limit is not None:
        limit = int_value(ex.value(stmt.limit, ctx), "LIMIT")
        if limit >= 0:
            edges = edges[:limit]
    return edges


def _match(ex: Executor, stmt: a.Match, ctx: Ctx) -> list[Result]:
    from ..match import run_match  # MATCH's planner loads on first use (start-up time)

    return run_match(ex, stmt, ctx)


def _traverse(ex: Executor, stmt: a.Traverse, ctx: Ctx) -> list[Result]:
    from ..traverse import run_traverse  # TRAVERSE's planner loads on first use (start-up time)

    return run_traverse(ex, stmt, ctx)


HANDLERS: dict[type, Callable[[Executor, Any, Ctx], list[Result]]] = {
    a.CreateVertex: _create_vertex,
    a.CreateEdge: _create_edge,
    a.DeleteVertex: _delete_vertex,
    a.DeleteEdge: _delete_edge,
    a.Match: _match,
    a.Traverse: _traverse,
}


__all__ = ['HANDLERS']
