"""What the write statements share: the statement's write scope, record writes, assignments.

Writes run inside ``storage.writing`` (a transaction is required unless auto-transaction is on;
schema statements never need one) under a savepoint, so a failing statement changes nothing, and
every record goes through ``storage.prepare`` for schema validation. ``WriteOps`` is the part of
the ``Executor`` that does it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ...exceptions import ArcadeDBError, QueryError, RecordNotFoundError
from ...model.factory import new_record
from ...model.records import Document, Edge, Vertex
from ...model.results import Result
from ...rid import RID
from ...sql import ast as a
from ...storage.catalog import TypeDef
from ..context import Ctx
from ..evaluate import Compiler
from ..values import arithmetic, as_record, to_list

if TYPE_CHECKING:
    from ...model.store import Store
    from ...storage import Session, Storage
    from ..executor import Executor



class WriteOps:
    """Record writes for statements; the ``Executor`` (executor.py) is one."""

    store: Store
    storage: Storage
    session: Session
    subquery: Callable[[a.Statement], Callable[[Ctx], list[Result]]]

    def value(self, node: a.Expr | None, ctx: Ctx) -> Any:
        raise NotImplementedError  # the Executor's

    @contextmanager
    def write_scope(self) -> Iterator[Session]:
        """The statement's write transaction: all of it or nothing of it."""
        storage = self.storage
        with storage.writing(self.session) as session:
            storage.savepoint(session, "al_statement")
            try:
                yield session
            except BaseException:
                storage.rollback_to_savepoint(session, "al_statement")
                storage.release_savepoint(session, "al_statement")
                raise
            storage.release_savepoint(session, "al_statement")

    def insert_record(self, type_def: TypeDef, props: dict[str, Any]) -> Document:
        if type_def.kind == "edge":
            raise QueryError(
                f"Cannot insert into edge type '{type_def.name}' directly: use CREATE EDGE "
                f"{type_def.name} FROM <vertex> TO <vertex>"
            )
        props = {k: storable(v) for k, v in props.items() if not k.startswith("@")}
        props, encoded = self.storage.prepare(type_def, props)
        position = self.storage.insert(self.session, type_def, encoded)
        return new_record(self.store, type_def, dict(props), RID(type_def.id, position), False)

    def create_edge(self, type_def: TypeDef, source: RID, target: RID,
                    props: dict[str, Any]) -> Edge:  # fmt: skip
        props = {k: storable(v) for k, v in props.items() if not k.startswith("@")}
        props, encoded = self.storage.prepare(type_def, props)
        position = self.storage.insert(self.session, type_def, encoded, source.to_int(),
                                       target.to_int())  # fmt: skip
        return new_record(self.store, type_def, dict(props), RID(type_def.id, position), False,
                          source, target)  # type: ignore[return-value]  # fmt: skip

    def update_record(self, record: Document, props: dict[str, Any]) -> Document:
        type_def = self.storage.catalog.by_id.get(record._rid.bucket_id)  # type: ignore[union-attr]  # updated records were read from storage
        if type_def is None:
            raise RecordNotFoundError(f"Record {record._rid} not found")
        props = {k: storable(v) for k, v in props.items() if not k.startswith("@")}
        props, encoded = self.storage.prepare(type_def, props, record._props)
        self.storage.update(self.session, type_def, record._rid.position, encoded)  # type: ignore[union-attr]  # updated records were read from storage
        updated = copy.copy(record)
        updated._props = dict(props)
        return updated

    def delete_record(self, record: Document) -> None:
        type_def = self.storage.catalog.by_id.get(record._rid.bucket_id)  # type: ignore[union-attr]  # deleted records were read from storage
        if type_def is None:
            raise RecordNotFoundError(f"Record {record._rid} not found")
        self.storage.delete(self.session, type_def, record._rid.position)  # type: ignore[union-attr]  # deleted records were read from storage

    def assign(self, props: dict[str, Any], items: Iterable[a.Assignment], ctx: Ctx) -> None:
        compiler = Compiler(self.subquery)
        for item in items:
            value = compiler.expr(item.value)(ctx)
            path = target_path(item.target)
            if item.op != "=":
                current = get_path(props, path)
                op = item.op[0]
                value = arithmetic(op, current, value) if current is not None else value
            set_path(props, path, value)

    def content(self, node: a.Expr, ctx: Ctx) -> list[dict[str, Any]]:
        value = self.value(node, ctx)
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            item = as_record(item)
            if isinstance(item, Document):
                item = dict(item._props)
            elif isinstance(item, Result):
                item = item.to_dict(False)
            if not isinstance(item, dict):
                raise QueryError(f"CONTENT expects a JSON object (or a list of them), got {item!r}")
            out.append({k: v for k, v in item.items() if not str(k).startswith("@")})
        return out

    def vertices(self, value: Any, ctx: Ctx, role: str) -> list[RID]:
        out = []
        for item in to_list(value):
            item = as_record(item)
            if isinstance(item, Result):
                rid = item.get("@rid")
                if rid is None and item._data:
                    rid = next(iter(item._data.values()))
                item = rid
            if isinstance(item, Document):
                rid = item._rid
                record: Any = item
            else:
                try:
                    rid = RID.parse(item)
                except ArcadeDBError:
                    raise QueryError(
                        f"CREATE EDGE {role}: {item!r} is not a vertex or RID"
                    ) from None
                record = ctx.load(rid)
            if record is None:
                raise RecordNotFoundError(f"Cannot create edge: vertex {rid} ({role}) not found")
            if not isinstance(record, Vertex):
                raise QueryError(f"Cannot create edge: record {rid} ({role}) is not a vertex")
            out.append(rid)
        return out


def ddl_result(**fields: Any) -> list[Result]:
    return [Result(fields)]


def rows_to_insert(ex: Executor, stmt: Any, ctx: Ctx) -> list[dict[str, Any]]:
    if getattr(stmt, "assignments", ()):
        props: dict[str, Any] = {}
        ctx.current = props
        ex.assign(props, stmt.assignments, ctx)
        ctx.current = None
        return [props]
    if getattr(stmt, "columns", ()):
        compiler = Compiler(ex.subquery)
        rows = []
        for values in stmt.rows:
            if len(values) != len(stmt.columns):
                raise QueryError(
                    f"INSERT has {len(stmt.columns)} columns but a row of {len(values)} values"
                )
            rows.append({c: compiler.expr(v)(ctx) for c, v in zip(stmt.columns, values)})
        return rows
    if stmt.content is not None:
        return ex.content(stmt.content, ctx)
    query = getattr(stmt, "query", None)
    if query is not None:
        rows = []
        for result in ex.execute(query, ctx.child()):
            element = result.get_element()
            rows.append(dict(element._props) if element is not None else result.to_dict(False))
        return rows
    return [{}]


def returning(ex: Executor, records: list[Document], expr: a.Expr | None,
               ctx: Ctx) -> list[Result]:  # fmt: skip
    if expr is None:
        return [Result(None, r) for r in records]
    fn = Compiler(ex.subquery).expr(expr)
    name = _expr_name(expr)
    out = []
    for record in records:
        ctx.current = record
        value = fn(ctx)
        if isinstance(value, Document):
            out.append(Result(None, value))
        else:
            out.append(Result({name: value}))
    ctx.current = None
    return out


def _expr_name(expr: a.Expr) -> str:
    if isinstance(expr, a.Identifier):
        return expr.name
    if isinstance(expr, a.FieldPath):
        return ".".join(expr.parts)
    return "value"


_SELECT_OF: dict[int, tuple[Any, a.Select]] = {}


def select_of(stmt: Any, target: Any, where: a.Expr | None, limit: a.Expr | None) -> a.Select:
    """A SELECT finding the records a write statement works on (cached with the statement)."""
    entry = _SELECT_OF.get(id(stmt))
    if entry is not None and entry[0] is stmt:
        return entry[1]
    select = a.Select(target=target, where=where, limit=limit)
    if len(_SELECT_OF) > 4096:
        _SELECT_OF.clear()
    _SELECT_OF[id(stmt)] = (stmt, select)
    return select


def matching(ex: Executor, stmt: Any, ctx: Ctx, target: Any = None) -> list[Document]:
    select = select_of(stmt, target if target is not None else stmt.target, stmt.where,
                        stmt.limit)  # fmt: skip
    out = []
    for result in ex.execute(select, ctx):
        element = result.get_element()
        if element is None:
            raise QueryError("The target of this statement must be records (a type, RIDs or a "
                             "sub-query returning records)")  # fmt: skip
        out.append(element)
    return out


def delete_all(ex: Executor, records: list[Document]) -> list[Document]:
    deleted = []
    gone: set[RID] = set()
    for record in records:
        if record._rid in gone:
            continue
        rid = record._rid
        assert rid is not None  # statements delete records they read from storage
        if isinstance(record, Vertex):
            for edge_type, (pos, *_) in ex.storage.edges(ex.session, rid.to_int(), "both"):
                gone.add(RID(edge_type.id, pos))
        if isinstance(record, Edge) and ex.storage.load(ex.session, rid) is None:
            continue  # already gone with one of its vertices
        ex.delete_record(record)
        gone.add(rid)
        deleted.append(record)
    return deleted


def storable(value: Any) -> Any:
    """A value as it is stored: records become links, query rows become maps."""
    kind = type(value)
    if kind in (str, int, float, bool) or value is None:
        return value
    if isinstance(value, Document):
        return value._rid if value._rid is not None else dict(value._props)
    if isinstance(value, Result):
        element = value.get_element()
        return element._rid if element is not None else {
            k: storable(v) for k, v in value.to_dict(False).items()}  # fmt: skip
    if isinstance(value, dict):
        return {str(k): storable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [storable(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (bytes, bytearray)):
        return storable(value.tolist())
    return value


def target_path(target: Any) -> tuple[str, ...]:
    if isinstance(target, a.Identifier):
        return (target.name,)
    if isinstance(target, a.FieldPath):
        return target.parts
    raise QueryError(f"Cannot assign to {target!r}")


def get_path(props: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = props
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def set_path(props: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    container = props
    for part in path[:-1]:
        nxt = container.get(part)
        if not isinstance(nxt, dict):
            nxt = {}
            container[part] = nxt
        container = nxt
    container[path[-1]] = value


def remove_path(props: dict[str, Any], path: tuple[str, ...]) -> None:
    container: Any = props
    for part in path[:-1]:
        container = container.get(part) if isinstance(container, dict) else None
        if container is None:
            return
    if isinstance(container, dict):
        container.pop(path[-1], None)


__all__ = ["WriteOps", "ddl_result", "delete_all", "get_path", "matching", "remove_path", "returning",
           "rows_to_insert", "set_path", "storable", "target_path"]  # fmt: skip
