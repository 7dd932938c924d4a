"""Statement execution: runs plans (SELECT), schema changes, writes and transaction statements.

Reads materialize their rows before returning (no SQLite cursor outlives a call). Writes run
inside ``storage.writing`` (a transaction is required unless auto-transaction is on; schema
statements never need one) under a savepoint, so a failing statement changes nothing, and every
record goes through ``storage.prepare`` for schema validation.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..exceptions import ArcadeDBError, QueryError, RecordNotFoundError, SchemaError
from ..model.factory import new_record, record_from_row, records_from_scan
from ..model.records import Document, Edge, Vertex
from ..model.results import Result
from ..rid import RID
from ..sql import ast as a
from ..storage import query as ir
from ..storage.catalog import TypeDef
from ..vocabulary import SQL_INDEX_TYPES, SQL_KIND_WORDS
from . import planner as pl
from .evaluate import Compiler, Ctx, as_record, freeze, get_field, sort_key, to_list, truthy
from .functions import Accumulator, average

if TYPE_CHECKING:
    from ..model.store import Store
    from ..storage import ScanRow, Session, Storage

_WRITE_STATEMENTS = (
    a.Insert, a.CreateVertex, a.CreateEdge, a.Update, a.Delete, a.DeleteVertex, a.DeleteEdge,
    a.CreateType, a.AlterType, a.DropType, a.TruncateType, a.CreateProperty, a.AlterProperty,
    a.DropProperty, a.CreateIndex, a.DropIndex, a.RebuildIndex, a.Begin, a.Commit, a.Rollback,
    a.ImportDatabase,
)  # fmt: skip


def is_write(statement: a.Statement) -> bool:
    if isinstance(statement, _WRITE_STATEMENTS):
        return True
    if isinstance(statement, a.Profile):
        return is_write(statement.statement)
    if isinstance(statement, a.LetStatement):
        return isinstance(statement.value, a.Statement) and is_write(statement.value)
    return False


class Executor:
    """Runs statements for one database session with one set of parameters."""

    def __init__(self, store: Store, storage: Storage, session: Session, positional: tuple,
                 named: dict) -> None:  # fmt: skip
        self.store = store
        self.storage = storage
        self.session = session
        self.ctx = Ctx(store, storage, session, positional, named)
        self.ctx.executor = self
        self.planner = pl.Planner(storage, self.subquery)

    # --- plumbing ---------------------------------------------------------------------------

    @staticmethod
    def subquery(statement: a.Statement) -> Callable[[Ctx], list[Result]]:
        """A closure running a nested statement with the calling row as ``$parent``.

        It finds the executor (session, parameters) in the context at run time: the closure
        lives in cached plans that other threads and sessions run too.
        """

        def run(ctx: Ctx) -> list[Result]:
            return ctx.executor.execute(statement, ctx.child())

        return run

    def plan(self, statement: a.Select) -> pl.SelectPlan:
        return pl.get_plan(statement, self.storage, self.planner.select)

    def execute(self, statement: a.Statement, ctx: Ctx | None = None) -> list[Result]:
        ctx = ctx or self.ctx
        kind = type(statement)
        if kind is a.Select:
            return self.select(self.plan(statement), ctx)  # type: ignore[arg-type]
        handler = _HANDLERS.get(kind)
        if handler is None:
            raise QueryError(f"{kind.__name__} statements are not supported yet")
        return handler(self, statement, ctx)

    def records(self, rows: Iterable[ScanRow]) -> list[Document]:
        """The records of a compiled scan's rows."""
        return records_from_scan(self.store, self.storage.catalog.by_id, rows)

    def type_def(self, name: str, kind: str | None = None) -> TypeDef:
        return self.storage.catalog.get(name, kind, sql="")

    def value(self, node: a.Expr | None, ctx: Ctx) -> Any:
        if node is None:
            return None
        return Compiler(self.subquery).expr(node)(ctx)

    # --- SELECT -----------------------------------------------------------------------------

    def select(self, plan: pl.SelectPlan, ctx: Ctx,
               rows: list[Any] | None = None) -> list[Result]:  # fmt: skip
        """Run a SELECT plan; ``rows`` replaces its source (MATCH feeds its matches this way)."""
        storage, session = self.storage, self.session
        values = [slot(ctx) for slot in plan.slots] if plan.slots else []
        if rows is not None:
            pass
        elif plan.simple:
            return [Result(None, r) for r in self.records(plan.scan.run(storage, session, values))]  # type: ignore[union-attr]
        elif plan.count is not None:
            total = plan.count.run(storage, session, values)[0][0]
            return self._page([Result({plan.count_name: int(total or 0)})], plan, ctx)
        elif plan.aggregate is not None:
            rows = self._pushed_aggregate(plan, values)
            if rows is not None:
                return self._finish([(self._row_keys(plan, row, ctx), row) for row in rows],
                                    plan, ctx)  # fmt: skip

        order = plan.order
        out: list[tuple[list | None, Any]] = []
        where = plan.where
        per_row_lets = []
        for name, fn, per_row in plan.lets:
            if per_row:
                per_row_lets.append((name, fn))
            else:
                ctx.vars[name] = fn(ctx)
        projections = plan.projections
        seen_distinct: set | None = set() if plan.distinct_fn is not None else None

        def emit(data: Any) -> None:
            for item in self._unwind(plan.unwind, data):
                out.append((self._row_keys(plan, item, ctx) if order else None, item))

        currents = rows if rows is not None else self._source(plan, ctx, values)
        if plan.source == "subquery" and rows is None:
            currents = _with_traversal(currents, ctx)
        if plan.aggregates is not None:
            self._aggregate(plan, ctx, currents, per_row_lets, emit)
        else:
            for current in _passing_where(currents, ctx, per_row_lets, where):
                if plan.expand is not None:
                    for item in _expand(plan.expand(ctx), ctx):
                        if order:
                            saved = ctx.current
                            ctx.current = as_record(item) if isinstance(item, Result) else item
                            out.append((self._row_keys(plan, item, ctx), item))
                            ctx.current = saved
                        else:
                            out.append((None, item))
                    continue
                if projections is None:
                    emit(current)
                    continue
                data = _props_of(current) if plan.star else {}
                for p in projections:
                    data[p.name] = p.fn(ctx)
                if seen_distinct is not None:
                    key = freeze(plan.distinct_fn(ctx))  # type: ignore[misc]
                    if key in seen_distinct:
                        continue
                    seen_distinct.add(key)
                emit(data)
        return self._finish(out, plan, ctx)

    def _row_keys(self, plan: pl.SelectPlan, data: Any, ctx: Ctx) -> list[Any]:
        keys = []
        for term in plan.order:
            if term.row_name is not None:
                keys.append(data.get(term.row_name) if isinstance(data, dict) else None)
            else:
                keys.append(term.fn(ctx))  # type: ignore[misc]
        return keys

    def _finish(self, out: list[tuple[list | None, Any]], plan: pl.SelectPlan,
                ctx: Ctx) -> list[Result]:  # fmt: skip
        if plan.distinct:
            unique = []
            seen: set = set()
            for keys, data in out:
                marker = _identity(data)
                if marker not in seen:
                    seen.add(marker)
                    unique.append((keys, data))
            out = unique
        if plan.order:
            for index in range(len(plan.order) - 1, -1, -1):
                descending = plan.order[index].descending
                out.sort(key=lambda kd, i=index: sort_key(kd[0][i]), reverse=descending)  # type: ignore[index]
        rows = [_to_result(data) for _, data in out]
        return self._page(rows, plan, ctx)

    def _page(self, rows: list[Result], plan: pl.SelectPlan, ctx: Ctx) -> list[Result]:
        if plan.skip_fn is not None:
            skip = _int_value(plan.skip_fn(ctx), "SKIP")
            if skip > 0:
                rows = rows[skip:]
        if plan.limit_fn is not None:
            limit = _int_value(plan.limit_fn(ctx), "LIMIT")
            if limit >= 0:
                rows = rows[:limit]
        return rows

    def _unwind(self, fields: tuple[str, ...], data: Any) -> Iterator[Any]:
        if not fields or not isinstance(data, dict):
            yield data
            return
        rows = [data]
        for name in fields:
            expanded = []
            for row in rows:
                value = row.get(name)
                if isinstance(value, (list, tuple, set)) and not isinstance(value, str):
                    items = list(value)
                    if not items:
                        expanded.append({**row, name: None})
                    for item in items:
                        expanded.append({**row, name: item})
                else:
                    expanded.append(row)
            rows = expanded
        yield from rows

    def _aggregate(self, plan: pl.SelectPlan, ctx: Ctx, currents: Iterable[Any],
                   per_row_lets: list, emit: Callable[[Any], None]) -> None:  # fmt: skip
        aggregates = plan.aggregates or []
        groups: dict[tuple, tuple[Any, list[Accumulator], dict]] = {}
        group_fns = plan.group_fns
        for current in _passing_where(currents, ctx, per_row_lets, plan.where):
            key = tuple(freeze(g(ctx)) for g in group_fns)
            entry = groups.get(key)
            if entry is None:
                entry = groups[key] = (
                    current,
                    [Accumulator(fn, distinct) for fn, _, distinct in aggregates],
                    dict(ctx.vars),
                )
            for acc, (_, arg, _) in zip(entry[1], aggregates):
                acc.add(1 if arg is None else arg(ctx))
        if not groups and not group_fns:
            groups[()] = (None, [Accumulator(fn, d) for fn, _, d in aggregates], dict(ctx.vars))
        for current, accumulators, variables in groups.values():
            ctx.current = current
            ctx.vars.update(variables)
            ctx.agg = [acc.result() for acc in accumulators]
            if plan.projections is None:
                if current is not None:
                    emit(current)
                continue
            data = {p.name: p.fn(ctx) for p in plan.projections}
            emit(data)
        ctx.agg = None

    def _pushed_aggregate(self, plan: pl.SelectPlan, values: list[Any]) -> list[dict] | None:
        compiled = plan.aggregate
        assert compiled is not None
        groups, aggregates = compiled.extra
        try:
            rows = compiled.run(self.storage, self.session, values)
        except ArcadeDBError:
            return None  # e.g. an integer overflow in sum(): Python aggregates exactly
        if any(row[-1] for row in rows):
            return None  # dates, decimals or links among the values: Python keeps their types
        out = []
        for row in rows:
            group_values = [
                ir.decode_group_value(row[2 * i], row[2 * i + 1]) for i in range(groups)
            ]
            position = 2 * groups
            results = []
            for agg in aggregates:
                if agg.function == "avg":
                    results.append(average(row[position], row[position + 1] or 0))
                    position += 2
                    continue
                value = row[position]
                position += 1
                if agg.function == "sum" and value is None:
                    value = 0
                results.append(value)
            data = {}
            for name, kind, index in plan.aggregate_layout:
                data[name] = group_values[index] if kind == "group" else results[index]
            out.append(data)
        if not out and not groups:
            data = {}
            for name, kind, index in plan.aggregate_layout:
                function = aggregates[index].function if kind != "group" else ""
                data[name] = 0 if function in ("count", "sum") else None
            out.append(data)
        return out

    # --- sources ------------------------------------------------------------------------------

    def _source(self, plan: pl.SelectPlan, ctx: Ctx, values: list[Any]) -> Iterable[Any]:
        source = plan.source
        if source == "scan":
            return self.records(plan.scan.run(self.storage, self.session, values))  # type: ignore[union-attr]
        if source == "none":
            return [None]
        if source == "value":
            return self._resolve_targets(plan.target_fn(ctx), ctx)  # type: ignore[misc]
        if source == "subquery":
            return plan.target_fn(ctx)  # type: ignore[misc]
        if source == "schema":
            return self._schema_rows(plan.schema_kind)
        if source == "index":
            return self._index_rows(plan.schema_kind)
        raise QueryError(f"Unknown source {source}")

    def _resolve_targets(self, value: Any, ctx: Ctx) -> list[Any]:
        out: list[Any] = []
        rids: list[RID] = []
        for item in to_list(value):
            if isinstance(item, Document):
                out.append(item)
            elif isinstance(item, RID):
                out.append(item)
                rids.append(item)
            elif isinstance(item, str):
                rid = RID.parse(item)
                out.append(rid)
                rids.append(rid)
            elif isinstance(item, Result):
                out.append(item)
            elif isinstance(item, dict):
                out.append(item)
            elif item is not None:
                raise QueryError(f"Cannot read records from {item!r}: expected a RID or a record")
        if rids:  # a RID that names no record reads as nothing, as in ArcadeDB
            out = [ctx.load(item) if isinstance(item, RID) else item for item in out]
            out = [item for item in out if item is not None]
        return out

    def _schema_rows(self, kind: str) -> list[dict]:
        catalog = self.storage.catalog
        if kind == "types":
            rows = []
            for name in sorted(catalog.types, key=str.lower):
                t = catalog.types[name]
                rows.append({
                    "name": t.name,
                    "type": t.kind,
                    "parentTypes": list(t.supertypes),
                    "properties": [
                        {"name": p.name, "type": p.type, "ofType": p.of_type,
                         **{k: v for k, v in p.constraints().items()}}
                        for p in sorted(t.properties.values(), key=lambda p: p.name.lower())
                    ],
                    "indexes": [_index_row(ix) for ix in sorted(
                        (ix for ix in catalog.indexes.values() if ix.type_name == t.name),
                        key=lambda ix: ix.name)],
                    "custom": dict(t.custom),
                    "buckets": [f"{t.name}_0"],
                })  # fmt: skip
            return rows
        if kind == "indexes":
            return [_index_row(ix) for ix in sorted(catalog.indexes.values(), key=lambda i: i.name)]
        return [{
            "name": self.store.get_name(),
            "path": self.storage.folder,
            "types": len(catalog.types),
            "indexes": len(catalog.indexes),
            "autoTransaction": self.storage.auto_transaction,
        }]  # fmt: skip

    def _index_rows(self, name: str) -> list[dict]:
        index = self.storage.catalog.indexes[name]
        targets = self.storage.catalog.get(index.type_name).polymorphic
        order = tuple(ir.OrderKey(ir.Field((p,))) for p in index.properties)
        compiled = ir.compile_scan(targets, None, order)
        rows = []
        for record in self.records(compiled.run(self.storage, self.session, [])):
            key = [record._props.get(p) for p in index.properties]
            if all(k is None for k in key):
                continue
            rows.append({"key": key[0] if len(key) == 1 else key, "rid": record._rid})
        return rows

    # --- writes ---------------------------------------------------------------------------

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
        type_def = self.storage.catalog.by_id.get(record._rid.bucket_id)  # type: ignore[union-attr]
        if type_def is None:
            raise RecordNotFoundError(f"Record {record._rid} not found")
        props = {k: storable(v) for k, v in props.items() if not k.startswith("@")}
        props, encoded = self.storage.prepare(type_def, props, record._props)
        self.storage.update(self.session, type_def, record._rid.position, encoded)  # type: ignore[union-attr]
        updated = copy.copy(record)
        updated._props = dict(props)
        return updated

    def delete_record(self, record: Document) -> None:
        type_def = self.storage.catalog.by_id.get(record._rid.bucket_id)  # type: ignore[union-attr]
        if type_def is None:
            raise RecordNotFoundError(f"Record {record._rid} not found")
        self.storage.delete(self.session, type_def, record._rid.position)  # type: ignore[union-attr]

    def assign(self, props: dict[str, Any], items: Iterable[a.Assignment], ctx: Ctx) -> None:
        compiler = Compiler(self.subquery)
        for item in items:
            value = compiler.expr(item.value)(ctx)
            path = _target_path(item.target)
            if item.op != "=":
                current = _get_path(props, path)
                op = item.op[0]
                from .evaluate import arithmetic

                value = arithmetic(op, current, value) if current is not None else value
            _set_path(props, path, value)

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


# ------------------------------------------------------------------------------ statements


def _ddl_result(**fields: Any) -> list[Result]:
    return [Result(fields)]


def _create_type(ex: Executor, stmt: a.CreateType, ctx: Ctx) -> list[Result]:
    kind = SQL_KIND_WORDS[stmt.kind]
    existing = ex.storage.catalog.types.get(stmt.name)
    if existing is not None and stmt.if_not_exists:
        return []
    for parent in stmt.supertypes:
        if parent not in ex.storage.catalog.types:
            raise SchemaError(f"Supertype '{parent}' not found")
    ex.storage.create_type(ex.session, stmt.name, kind, list(stmt.supertypes))
    return _ddl_result(operation=f"create {kind} type", typeName=stmt.name, created=True)


def _alter_type(ex: Executor, stmt: a.AlterType, ctx: Ctx) -> list[Result]:
    storage = ex.storage
    ex.type_def(stmt.name)
    attribute = stmt.attribute.upper()
    if attribute == "CUSTOM" or stmt.key is not None:
        value = ex.value(stmt.value, ctx)
        storage.alter_type(ex.session, stmt.name, "custom", (stmt.key, value))
        return _ddl_result(operation="ALTER TYPE", typeName=stmt.name, result="OK",
                           custom=f"{stmt.key}={value}")  # fmt: skip
    values = stmt.value.items if isinstance(stmt.value, a.ListLiteral) else (stmt.value,)
    names = [v.name if isinstance(v, a.Identifier) else ex.value(v, ctx) for v in values]
    if attribute == "NAME":
        storage.alter_type(ex.session, stmt.name, "name", names[0])
        return _ddl_result(operation="ALTER TYPE", typeName=stmt.name, result="OK", name=names[0])
    if attribute == "SUPERTYPE":
        for name in names:
            text = str(name)
            sign = stmt.modifier or ("-" if text.startswith("-") else "+")
            storage.alter_type(ex.session, stmt.name, "supertype", sign + text.lstrip("+-"))
        return _ddl_result(operation="ALTER TYPE", typeName=stmt.name, result="OK")
    raise SchemaError(f"ALTER TYPE {attribute} is not supported (use NAME, SUPERTYPE or CUSTOM)")


def _drop_type(ex: Executor, stmt: a.DropType, ctx: Ctx) -> list[Result]:
    type_def = ex.storage.catalog.types.get(stmt.name)
    if type_def is None:
        if stmt.if_exists:
            return []
        raise SchemaError(f"Type '{stmt.name}' does not exist")
    if not stmt.unsafe and type_def.kind in ("vertex", "edge") and ex.storage.count(
        ex.session, type_def, False
    ):  # fmt: skip
        what = "Vertices" if type_def.kind == "vertex" else "Edges"
        raise SchemaError(
            f"'DROP TYPE' command cannot drop type '{stmt.name}' because it contains {what}. "
            f"Use 'DELETE {what[:-1].upper()}' first, or add the 'UNSAFE' keyword to force it"
        )
    ex.storage.drop_type(ex.session, stmt.name, unsafe=True)
    return _ddl_result(operation="drop type", typeName=stmt.name)


def _truncate_type(ex: Executor, stmt: a.TruncateType, ctx: Ctx) -> list[Result]:
    type_def = ex.type_def(stmt.name)
    targets = type_def.polymorphic if stmt.polymorphic else [type_def]
    total = sum(ex.storage.count(ex.session, t, False) for t in targets)
    if not stmt.unsafe and type_def.kind == "vertex" and total:
        for target in targets:
            if ex.storage.has_edges(ex.session, target):
                raise SchemaError(
                    f"Cannot truncate vertex type '{stmt.name}': its vertices have edges "
                    "(delete them first, or use TRUNCATE TYPE ... UNSAFE)"
                )
    ex.storage.truncate(ex.session, type_def, stmt.polymorphic)
    return _ddl_result(operation="truncate type", typeName=stmt.name, count=total)


def _constraint_value(ex: Executor, constraint: a.PropertyConstraint, ctx: Ctx) -> Any:
    node = constraint.value
    if node is None:
        return True
    if constraint.name == "default" and isinstance(node, a.FunctionCall) and not node.args:
        return f"{node.name}()"
    return ex.value(node, ctx)


def _create_property(ex: Executor, stmt: a.CreateProperty, ctx: Ctx) -> list[Result]:
    type_def = ex.type_def(stmt.type_name)
    row: dict[str, Any] = {"operation": "create property", "typeName": stmt.type_name,
                           "propertyName": stmt.name}  # fmt: skip
    if stmt.of_type is not None:
        row["of"] = stmt.of_type
    if stmt.if_not_exists and stmt.name in type_def.all_properties:
        row["created"] = False
        return [Result(row)]
    if stmt.property_type is None:
        raise SchemaError(f"CREATE PROPERTY {stmt.type_name}.{stmt.name} needs a property type")
    constraints = {c.name: _constraint_value(ex, c, ctx) for c in stmt.constraints}
    ex.storage.create_property(ex.session, stmt.type_name, stmt.name, stmt.property_type,
                               stmt.of_type, False, constraints)  # fmt: skip
    row["created"] = True
    row.update(constraints)
    return [Result(row)]


def _alter_property(ex: Executor, stmt: a.AlterProperty, ctx: Ctx) -> list[Result]:
    type_def = ex.type_def(stmt.type_name)
    prop = type_def.properties.get(stmt.name)
    if prop is None:
        raise SchemaError(f"Property '{stmt.name}' not found on type {stmt.type_name}")
    attribute = stmt.attribute.lower()
    if stmt.key is not None or attribute == "custom":
        raise SchemaError("ALTER PROPERTY ... CUSTOM is not supported yet")
    node = stmt.value
    if attribute == "type" and isinstance(node, a.Identifier):
        value: Any = node.name
    elif attribute == "default" and isinstance(node, a.FunctionCall) and not node.args:
        value = f"{node.name}()"
    else:
        value = ex.value(node, ctx)
    old = prop.type if attribute == "type" else getattr(prop, attribute, None)
    ex.storage.alter_property(ex.session, stmt.type_name, stmt.name, attribute, value)
    return _ddl_result(operation="alter property", type=stmt.type_name, property=stmt.name,
                       attribute=attribute, oldValue=old, newValue=value)  # fmt: skip


def _drop_property(ex: Executor, stmt: a.DropProperty, ctx: Ctx) -> list[Result]:
    type_def = ex.type_def(stmt.type_name)
    if stmt.name not in type_def.properties:
        if stmt.if_exists:
            return []
        raise SchemaError(f"Property '{stmt.name}' not found on type {stmt.type_name}")
    using = [ix.name for ix in ex.storage.catalog.indexes.values()
             if ix.type_name == stmt.type_name and stmt.name in ix.properties]  # fmt: skip
    ex.storage.drop_property(ex.session, stmt.type_name, stmt.name, force=stmt.force)
    rows = [Result({"operation": "cascade drop index", "indexName": n}) for n in using]
    rows.append(Result({"operation": "drop property", "typeName": stmt.type_name,
                        "propertyName": stmt.name}))  # fmt: skip
    return rows


def _create_index(ex: Executor, stmt: a.CreateIndex, ctx: Ctx) -> list[Result]:
    catalog = ex.storage.catalog
    type_def = ex.type_def(stmt.type_name)
    kind = SQL_INDEX_TYPES.get(stmt.index_type)
    if kind is None:
        raise SchemaError(f"Index type '{stmt.index_type}' is not supported: use UNIQUE, "
                          "NOTUNIQUE or FULL_TEXT")  # fmt: skip
    if any(by is not None for by in stmt.by):
        raise SchemaError("Indexes BY KEY / BY VALUE / BY ITEM are not supported yet")
    name = stmt.name or f"{stmt.type_name}[{','.join(stmt.properties)}]"
    existing = catalog.indexes.get(name) or next(
        (ix for ix in catalog.indexes.values()
         if ix.type_name == stmt.type_name and ix.properties == tuple(stmt.properties)), None)  # fmt: skip
    if existing is not None:
        if stmt.if_not_exists:
            return []
        raise SchemaError(f"Index '{existing.name}' already exists")
    unique, index_kind = kind
    ex.storage.create_index(ex.session, stmt.type_name, list(stmt.properties), unique, index_kind,
                            False, name, stmt.null_strategy or "SKIP")  # fmt: skip
    total = sum(ex.storage.count(ex.session, t, False) for t in type_def.polymorphic)
    return _ddl_result(operation="create index", name=name, type=index_kind, totalIndexed=total)


def _drop_index(ex: Executor, stmt: a.DropIndex, ctx: Ctx) -> list[Result]:
    if stmt.name not in ex.storage.catalog.indexes:
        if stmt.if_exists:
            return []
        raise SchemaError(f"Index not found: {stmt.name}")
    ex.storage.drop_index(ex.session, stmt.name)
    return _ddl_result(operation="drop index", indexName=stmt.name)


def _rebuild_index(ex: Executor, stmt: a.RebuildIndex, ctx: Ctx) -> list[Result]:
    name = stmt.name or "*"
    ex.storage.rebuild_index(ex.session, name)
    catalog = ex.storage.catalog
    names = list(catalog.indexes) if name == "*" else [name]
    total = 0
    for index_name in names:
        index = catalog.indexes[index_name]
        total += sum(ex.storage.count(ex.session, t, False)
                     for t in catalog.get(index.type_name).polymorphic)  # fmt: skip
    return _ddl_result(operation="rebuild index", indexName=name, totalIndexed=total)


def _begin(ex: Executor, stmt: a.Begin, ctx: Ctx) -> list[Result]:
    ex.storage.begin(ex.session)
    return _ddl_result(operation="begin")


def _commit(ex: Executor, stmt: a.Commit, ctx: Ctx) -> list[Result]:
    ex.storage.commit(ex.session)
    return _ddl_result(operation="commit")


def _rollback(ex: Executor, stmt: a.Rollback, ctx: Ctx) -> list[Result]:
    ex.storage.rollback(ex.session)
    return _ddl_result(operation="rollback")


# --- INSERT / CREATE VERTEX / CREATE EDGE -----------------------------------------------------


def _insert_rows(ex: Executor, stmt: Any, ctx: Ctx) -> list[dict[str, Any]]:
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


def _insert(ex: Executor, stmt: a.Insert, ctx: Ctx) -> list[Result]:
    name = stmt.type_name
    if name is None:
        name = ex.planner._bucket(stmt.bucket.split(":", 1)[-1] if stmt.bucket else "").name
    type_def = ex.type_def(name)
    rows = _insert_rows(ex, stmt, ctx)
    with ex.write_scope():
        records = [ex.insert_record(type_def, props) for props in rows]
    return _returning(ex, records, stmt.returning, ctx)


def _returning(ex: Executor, records: list[Document], expr: a.Expr | None,
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


def _create_vertex(ex: Executor, stmt: a.CreateVertex, ctx: Ctx) -> list[Result]:
    type_def = ex.type_def(stmt.type_name, "vertex")
    rows = _insert_rows(ex, stmt, ctx)
    with ex.write_scope():
        records = [ex.insert_record(type_def, props) for props in rows]
    return [Result(None, r) for r in records]


def _create_edge(ex: Executor, stmt: a.CreateEdge, ctx: Ctx) -> list[Result]:
    type_def = ex.type_def(stmt.type_name or "E", "edge")
    sources = ex.vertices(ex.value(stmt.source, ctx), ctx, "FROM")
    targets = ex.vertices(ex.value(stmt.destination, ctx), ctx, "TO")
    props_list = _insert_rows(ex, stmt, ctx)
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
                        if row.in_rid == target.to_int() and edge_type is type_def:
                            found = record_from_row(ex.store, edge_type, row)
                            break
                    if found is not None:
                        if stmt.upsert and props:
                            found = ex.update_record(found, {**found._props, **props})
                        results.append(found)
                        continue
                results.append(ex.create_edge(type_def, source, target, dict(props)))
    return [Result(None, r) for r in results]


# --- UPDATE / DELETE ---------------------------------------------------------------------------

_SELECT_OF: dict[int, tuple[Any, a.Select]] = {}


def _select_of(stmt: Any, target: Any, where: a.Expr | None, limit: a.Expr | None) -> a.Select:
    """A SELECT finding the records a write statement works on (cached with the statement)."""
    entry = _SELECT_OF.get(id(stmt))
    if entry is not None and entry[0] is stmt:
        return entry[1]
    select = a.Select(target=target, where=where, limit=limit)
    if len(_SELECT_OF) > 4096:
        _SELECT_OF.clear()
    _SELECT_OF[id(stmt)] = (stmt, select)
    return select


def _matching(ex: Executor, stmt: Any, ctx: Ctx, target: Any = None) -> list[Document]:
    select = _select_of(stmt, target if target is not None else stmt.target, stmt.where,
                        stmt.limit)  # fmt: skip
    out = []
    for result in ex.execute(select, ctx):
        element = result.get_element()
        if element is None:
            raise QueryError("The target of this statement must be records (a type, RIDs or a "
                             "sub-query returning records)")  # fmt: skip
        out.append(element)
    return out


def _apply_update(ex: Executor, stmt: a.Update, record: Document, ctx: Ctx) -> dict[str, Any]:
    working = record.modify()
    props = working._props
    ctx.current = working
    compiler = Compiler(ex.subquery)
    for operation in stmt.operations:
        if isinstance(operation, a.UpdateSet):
            ex.assign(props, operation.items, ctx)
        elif isinstance(operation, a.UpdateIncrement):
            for item in operation.items:
                value = compiler.expr(item.value)(ctx)
                path = _target_path(item.target)
                current = _get_path(props, path)
                from .evaluate import arithmetic

                op = "+" if item.op in ("=", "+=") else item.op[0]
                _set_path(props, path, value if current is None else arithmetic(op, current, value))
        elif isinstance(operation, a.UpdateRemove):
            for item in operation.items:
                path = _target_path(item.target)
                if item.value is None:
                    _remove_path(props, path)
                    continue
                value = compiler.expr(item.value)(ctx)
                current = _get_path(props, path)
                if isinstance(current, list):
                    from .evaluate import equals

                    drop = to_list(value)  # items equal as they are: REMOVE tags = 5 keeps '5'
                    kept = [v for v in current if not any(equals(v, d, False) for d in drop)]
                    _set_path(props, path, kept)
                elif isinstance(current, dict):
                    for key in to_list(value):
                        current.pop(key, None)
        elif isinstance(operation, a.UpdateAdd):
            for item in operation.items:
                value = compiler.expr(item.value)(ctx)
                path = _target_path(item.target)
                current = _get_path(props, path)
                items = list(current) if isinstance(current, list) else (
                    [] if current is None else [current])  # fmt: skip
                items.extend(value if isinstance(value, list) else [value])
                _set_path(props, path, items)
        elif isinstance(operation, a.UpdatePut):
            for item in operation.items:
                key = compiler.expr(item.key)(ctx)
                value = compiler.expr(item.value)(ctx)
                path = _target_path(item.target)
                current = _get_path(props, path)
                mapping = dict(current) if isinstance(current, dict) else {}
                mapping[key if isinstance(key, str) else str(key)] = value
                _set_path(props, path, mapping)
        elif isinstance(operation, a.UpdateMerge):
            for content in ex.content(operation.value, ctx):
                props.update(content)
        elif isinstance(operation, a.UpdateContent):
            contents = ex.content(operation.value, ctx)
            props.clear()
            if contents:
                props.update(contents[0])
    ctx.current = None
    return props


def _update(ex: Executor, stmt: a.Update, ctx: Ctx) -> list[Result]:
    records = _matching(ex, stmt, ctx)
    before: list[Document] = []
    after: list[Document] = []
    with ex.write_scope():
        if not records and stmt.upsert:
            if not isinstance(stmt.target, a.TypeTarget):
                raise QueryError("UPDATE ... UPSERT needs a type as target")
            type_def = ex.type_def(stmt.target.name)
            seed = _where_equalities(ex, stmt.where, ctx)
            blank = new_record(ex.store, type_def, seed)
            props = _apply_update(ex, stmt, blank, ctx)
            after.append(ex.insert_record(type_def, props))
        else:
            for record in records:
                props = _apply_update(ex, stmt, record, ctx)
                before.append(record)
                after.append(ex.update_record(record, props))
    mode = stmt.return_mode
    if mode is None or mode == "COUNT":
        return [Result({"count": len(after)})]
    chosen = before if mode == "BEFORE" else after
    return _returning(ex, chosen, stmt.return_expr, ctx)


def _where_equalities(ex: Executor, where: a.Expr | None, ctx: Ctx) -> dict[str, Any]:
    """``a = 1 AND b.c = 'x'`` → the properties an UPSERT gives the record it creates."""
    seed: dict[str, Any] = {}
    if where is None:
        return seed
    conjuncts = where.operands if isinstance(where, a.And) else (where,)
    for conjunct in conjuncts:
        if isinstance(conjunct, a.Comparison) and conjunct.op == "=":
            left, right = conjunct.left, conjunct.right
            if not isinstance(left, (a.Identifier, a.FieldPath)):
                left, right = right, left
            if isinstance(left, (a.Identifier, a.FieldPath)) and pl.is_constant(right):
                path = _target_path(left)
                if path[0].startswith("@"):
                    continue
                _set_path(seed, path, ex.value(right, ctx))
    return seed


def _delete(ex: Executor, stmt: a.Delete, ctx: Ctx) -> list[Result]:
    records = _matching(ex, stmt, ctx)
    with ex.write_scope():
        deleted = _delete_all(ex, records)
    if stmt.return_before:
        return [Result(None, r) for r in deleted]
    return [Result({"count": len(deleted)})]


def _delete_all(ex: Executor, records: list[Document]) -> list[Document]:
    deleted = []
    gone: set[RID] = set()
    for record in records:
        if record._rid in gone:
            continue
        if isinstance(record, Vertex):
            for edge_type, row in ex.storage.edges(ex.session, record._rid.to_int(), "both"):
                gone.add(RID(edge_type.id, row.pos))
        if isinstance(record, Edge) and ex.storage.load(ex.session, record._rid) is None:
            continue  # already gone with one of its vertices
        ex.delete_record(record)
        gone.add(record._rid)
        deleted.append(record)
    return deleted


def _delete_vertex(ex: Executor, stmt: a.DeleteVertex, ctx: Ctx) -> list[Result]:
    return _delete_kind(ex, _matching(ex, stmt, ctx), Vertex, "DELETE VERTEX", "a vertex")


def _delete_edge(ex: Executor, stmt: a.DeleteEdge, ctx: Ctx) -> list[Result]:
    if stmt.target is not None:
        edges = _matching(ex, stmt, ctx, stmt.target)
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
        deleted = _delete_all(ex, records)
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
        return _matching(ex, stmt, ctx, a.TypeTarget(stmt.type_name))
    found: dict[RID, Document] = {}
    if sources is not None:
        wanted = None if targets is None else {t.to_int() for t in targets}
        for source in sources:
            for edge_type, row in ex.storage.edges(ex.session, source.to_int(), "out", labels):
                if wanted is None or row.in_rid in wanted:
                    edge = record_from_row(ex.store, edge_type, row)
                    found[edge._rid] = edge
    else:
        for target in targets or []:
            for edge_type, row in ex.storage.edges(ex.session, target.to_int(), "in", labels):
                edge = record_from_row(ex.store, edge_type, row)
                found[edge._rid] = edge
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
        limit = _int_value(ex.value(stmt.limit, ctx), "LIMIT")
        if limit >= 0:
            edges = edges[:limit]
    return edges


# --- EXPLAIN / PROFILE / scripts ------------------------------------------------------------


def describe_plan(ex: Executor, statement: a.Statement, ctx: Ctx | None) -> dict[str, Any]:
    if isinstance(statement, a.Match):
        from .match import describe_match

        return {"statement": "MATCH", "steps": describe_match(ex.store, statement)}
    if not isinstance(statement, a.Select):
        return {"statement": type(statement).__name__, "steps": ["execute " + type(
            statement).__name__]}  # fmt: skip
    plan = ex.plan(statement)
    steps: list[str] = []
    sqlite: list[str] = []
    compiled = plan.count or plan.aggregate or plan.scan
    if plan.source == "scan":
        names = ", ".join(t.name for t in plan.targets)
        if plan.count is not None:
            steps.append(f"count in SQLite over {names}")
        elif plan.aggregate is not None:
            steps.append(f"aggregate in SQLite over {names}")
        else:
            steps.append(f"fetch from type {plan.targets[0].name if plan.targets else '?'}"
                         f" (tables: {names})")  # fmt: skip
        if plan.pushed_where is not None:
            steps.append("filter in SQLite")
        if plan.order_in_storage:
            steps.append("order in SQLite")
        if plan.paged_in_storage:
            steps.append("skip/limit in SQLite")
    else:
        steps.append(f"fetch from {plan.source}")
    if plan.lets:
        steps.append("let " + ", ".join("$" + name for name, _, _ in plan.lets))
    if plan.where is not None:
        steps.append("filter in Python")
    if plan.aggregates is not None and plan.count is None and plan.aggregate is None:
        steps.append("aggregate in Python")
    if plan.expand is not None:
        steps.append("expand")
    elif plan.projections is not None:
        steps.append("project " + ", ".join(p.name for p in plan.projections))
    if plan.unwind:
        steps.append("unwind " + ", ".join(plan.unwind))
    if plan.distinct:
        steps.append("distinct")
    if plan.order:
        steps.append("order in Python")
    if plan.skip_fn is not None or plan.limit_fn is not None:
        steps.append("skip/limit in Python")
    info: dict[str, Any] = {"statement": "SELECT", "steps": steps}
    if compiled is not None:
        values = None
        if ctx is not None:
            try:
                values = [slot(ctx) for slot in plan.slots]
            except ArcadeDBError:
                values = None
        sqlite = compiled.explain(ex.storage, ex.session, values)
        info["sqlite"] = compiled.sql_for(values)
        info["sqlitePlan"] = sqlite
        info["indexes"] = ex.storage.indexes_named_in("\n".join(sqlite))
    return info


def _plan_text(info: dict[str, Any]) -> str:
    lines = [f"+ {step}" for step in info["steps"]]
    if "sqlite" in info:
        lines.append(f"  SQLite: {info['sqlite']}")
        lines.extend(f"    {line}" for line in info["sqlitePlan"])
        if info.get("indexes"):
            lines.append("  using index " + ", ".join(info["indexes"]))
    return "\n".join(lines)


def _explain(ex: Executor, stmt: a.Explain, ctx: Ctx) -> list[Result]:
    info = describe_plan(ex, stmt.statement, ctx)
    return [Result({"executionPlan": info, "executionPlanAsString": _plan_text(info)})]


def _profile(ex: Executor, stmt: a.Profile, ctx: Ctx) -> list[Result]:
    started = time.perf_counter()
    rows = ex.execute(stmt.statement, ctx)
    elapsed = time.perf_counter() - started
    info = describe_plan(ex, stmt.statement, ctx)
    info["rows"] = len(rows)
    info["elapsedMs"] = round(elapsed * 1000, 3)
    text = _plan_text(info) + f"\n  {len(rows)} row(s) in {info['elapsedMs']} ms"
    return [Result({"executionPlan": info, "executionPlanAsString": text, "result": rows})]


def _let_statement(ex: Executor, stmt: a.LetStatement, ctx: Ctx) -> list[Result]:
    if isinstance(stmt.value, a.Statement):
        value: Any = ex.execute(stmt.value, ctx)
    else:
        value = ex.value(stmt.value, ctx)
    ctx.vars[stmt.name] = value
    return []


class _Return(Exception):
    def __init__(self, rows: list[Result]) -> None:
        self.rows = rows


def _return_statement(ex: Executor, stmt: a.ReturnStatement, ctx: Ctx) -> list[Result]:
    value = ex.value(stmt.value, ctx) if stmt.value is not None else None
    rows = []
    for item in [] if value is None else value if isinstance(value, list) else [value]:
        rows.append(_expanded_row(item))
    raise _Return(rows)


def run_script(ex: Executor, statements: list[a.Statement]) -> list[Result]:
    rows: list[Result] = []
    try:
        for statement in statements:
            rows = ex.execute(statement)
    except _Return as done:
        return done.rows
    return rows


def _import_database(ex: Executor, stmt: a.ImportDatabase, ctx: Ctx) -> list[Result]:
    """``IMPORT DATABASE file://dump.jsonl.gz [WITH key = value]``: restore a dump (through the
    Store: the restore lives above the query engine)."""
    settings = {key: ex.value(value, ctx) for key, value in stmt.settings}
    return [Result(ex.store.import_dump(stmt.url, **settings))]


def _match(ex: Executor, stmt: a.Match, ctx: Ctx) -> list[Result]:
    from .match import run_match

    return run_match(ex, stmt, ctx)


def _traverse(ex: Executor, stmt: a.Traverse, ctx: Ctx) -> list[Result]:
    from .traverse import run_traverse

    return run_traverse(ex, stmt, ctx)


_HANDLERS: dict[type, Callable[[Executor, Any, Ctx], list[Result]]] = {
    a.CreateType: _create_type,
    a.AlterType: _alter_type,
    a.DropType: _drop_type,
    a.TruncateType: _truncate_type,
    a.CreateProperty: _create_property,
    a.AlterProperty: _alter_property,
    a.DropProperty: _drop_property,
    a.CreateIndex: _create_index,
    a.DropIndex: _drop_index,
    a.RebuildIndex: _rebuild_index,
    a.Begin: _begin,
    a.Commit: _commit,
    a.Rollback: _rollback,
    a.Insert: _insert,
    a.CreateVertex: _create_vertex,
    a.CreateEdge: _create_edge,
    a.Update: _update,
    a.Delete: _delete,
    a.DeleteVertex: _delete_vertex,
    a.DeleteEdge: _delete_edge,
    a.Explain: _explain,
    a.Profile: _profile,
    a.LetStatement: _let_statement,
    a.ReturnStatement: _return_statement,
    a.ImportDatabase: _import_database,
    a.Match: _match,
    a.Traverse: _traverse,
}


# ------------------------------------------------------------------------------ helpers


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


def _passing_where(currents: Iterable[Any], ctx: Ctx, per_row_lets: list,
                   where: Callable[[Ctx], Any] | None) -> Iterator[Any]:  # fmt: skip
    """The rows that pass WHERE, each made ``ctx.current`` with its per-row LETs evaluated."""
    for current in currents:
        ctx.current = current
        for name, fn in per_row_lets:
            ctx.vars[name] = fn(ctx)
        if where is None or where(ctx):
            yield current


def _with_traversal(rows: Iterable[Any], ctx: Ctx) -> Iterator[Any]:
    """Rows of a sub-query; TRAVERSE rows also set ``$depth`` and ``$path`` while they are read."""
    for row in rows:
        data = row._data if type(row) is Result and row._element is not None else None
        if data:
            ctx.depth = data.get("$depth", 0)
            ctx.path = data.get("$path")
        yield row


def _props_of(current: Any) -> dict[str, Any]:
    current = as_record(current)
    if isinstance(current, Document):
        return dict(current._props)
    if isinstance(current, Result):
        return current.to_dict(False)
    if isinstance(current, dict):
        return dict(current)
    return {}


def _expanded_row(item: Any) -> Any:
    if isinstance(item, (Document, Result)):
        return item
    if isinstance(item, dict):
        return item
    return {"value": item}


def _expand(value: Any, ctx: Ctx) -> list[Any]:
    """expand(): records (links are loaded), maps, or ``{"value": v}`` rows for scalars."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    out = []
    for item in to_list(value):
        if isinstance(item, RID):
            item = ctx.load(item)
        if item is not None:
            out.append(_expanded_row(item))
    return out


def _to_result(data: Any) -> Result:
    if isinstance(data, Result):
        return data
    if isinstance(data, Document):
        return Result(None, data)
    if isinstance(data, dict):
        return Result(data)
    if isinstance(data, RID):
        return Result({"@rid": data})
    return Result({"value": data})


def _identity(data: Any) -> Any:
    if isinstance(data, Document):
        return ("rid", data._rid)
    if isinstance(data, Result):
        element = data.get_element()
        return ("rid", element._rid) if element is not None else freeze(data.to_dict(False))
    return freeze(data)


def _index_row(index: Any) -> dict[str, Any]:
    return {"name": index.name, "typeName": index.type_name, "type": index.kind,
            "properties": list(index.properties), "unique": index.unique, "automatic": True,
            "nullStrategy": index.null_strategy}  # fmt: skip


def _int_value(value: Any, clause: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise QueryError(f"{clause} needs an integer, got {value!r}")
    return value


def _target_path(target: Any) -> tuple[str, ...]:
    if isinstance(target, a.Identifier):
        return (target.name,)
    if isinstance(target, a.FieldPath):
        return target.parts
    raise QueryError(f"Cannot assign to {target!r}")


def _get_path(props: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = props
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _set_path(props: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    container = props
    for part in path[:-1]:
        nxt = container.get(part)
        if not isinstance(nxt, dict):
            nxt = {}
            container[part] = nxt
        container = nxt
    container[path[-1]] = value


def _remove_path(props: dict[str, Any], path: tuple[str, ...]) -> None:
    container: Any = props
    for part in path[:-1]:
        container = container.get(part) if isinstance(container, dict) else None
        if container is None:
            return
    if isinstance(container, dict):
        container.pop(path[-1], None)


__all__ = ["Executor", "is_write", "run_script", "storable", "get_field", "truthy"]
