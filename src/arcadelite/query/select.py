"""The SELECT pipeline: a plan's rows from storage (or a source), through LET, WHERE, grouping,
projection, UNWIND, DISTINCT, ORDER BY, SKIP and LIMIT, to Results.

``SelectPipeline`` is the part of the ``Executor`` that runs SELECT plans (``planner.SelectPlan``);
MATCH and TRAVERSE feed their rows through it too (``select(plan, ctx, rows)``), so RETURN,
DISTINCT, ORDER BY ... behave exactly as in SELECT. Reads materialize their rows before
returning (no SQLite cursor outlives a call).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..exceptions import ArcadeDBError, QueryError
from ..model.factory import records_from_scan
from ..model.records import Document
from ..model.results import Result
from ..rid import RID
from ..storage import ir
from ..storage.query import compile_scan, decode_group_value
from . import planner as pl
from .context import Ctx
from .functions import Accumulator, average
from .values import as_record, freeze, sort_key, to_list

if TYPE_CHECKING:
    from ..model.store import Store
    from ..storage import ScanRow, Session, Storage



class SelectPipeline:
    """Runs SELECT plans; the ``Executor`` (executor.py) is one."""

    store: Store
    storage: Storage
    session: Session

    def records(self, rows: Iterable[ScanRow]) -> list[Document]:
        """The records of a compiled scan's rows."""
        return records_from_scan(self.store, self.storage.catalog.by_id, rows)

    # --- SELECT -----------------------------------------------------------------------------

    def select(self, plan: pl.SelectPlan, ctx: Ctx,
               rows: list[Any] | None = None) -> list[Result]:  # fmt: skip
        """Run a SELECT plan; ``rows`` replaces its source (MATCH feeds its matches this way)."""
        storage, session = self.storage, self.session
        values = [slot(ctx) for slot in plan.slots] if plan.slots else []
        if rows is None and plan.shortcut is not None:
            done = plan.shortcut(ctx)
            if done is not None:
                return done
        if rows is not None:
            pass
        elif plan.simple:
            return [Result(None, r) for r in self.records(plan.scan.run(storage, session, values))]  # type: ignore[union-attr]  # a simple plan has a scan
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
            for current in passing_where(currents, ctx, per_row_lets, where):
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
                    key = freeze(plan.distinct_fn(ctx))  # type: ignore[misc]  # distinct_fn is set with seen_distinct
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
                keys.append(term.fn(ctx))  # type: ignore[misc]  # a term without a row name has a function
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

                def term_key(keyed: tuple[Any, Any], i: int = index) -> Any:
                    return sort_key(keyed[0][i])

                out.sort(key=term_key, reverse=descending)
        rows = [to_result(data) for _, data in out]
        return self._page(rows, plan, ctx)

    def _page(self, rows: list[Result], plan: pl.SelectPlan, ctx: Ctx) -> list[Result]:
        if plan.skip_fn is not None:
            skip = int_value(plan.skip_fn(ctx), "SKIP")
            if skip > 0:
                rows = rows[skip:]
        if plan.limit_fn is not None:
            limit = int_value(plan.limit_fn(ctx), "LIMIT")
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
        for current in passing_where(currents, ctx, per_row_lets, plan.where):
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
                decode_group_value(row[2 * i], row[2 * i + 1]) for i in range(groups)
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
            return self.records(plan.scan.run(self.storage, self.session, values))  # type: ignore[union-attr]  # a scan source has a scan
        if source == "none":
            return [None]
        if source == "value":
            return self._resolve_targets(plan.target_fn(ctx), ctx)  # type: ignore[misc]  # a value source has a target function
        if source == "subquery":
            return plan.target_fn(ctx)  # type: ignore[misc]  # a subquery source has a target function
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
        compiled = compile_scan(targets, None, order)
        rows = []
        for record in self.records(compiled.run(self.storage, self.session, [])):
            key = [record._props.get(p) for p in index.properties]
            if all(k is None for k in key):
                continue
            rows.append({"key": key[0] if len(key) == 1 else key, "rid": record._rid})
        return rows


def passing_where(currents: Iterable[Any], ctx: Ctx, per_row_lets: list,
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


def expanded_row(item: Any) -> Any:
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
            out.append(expanded_row(item))
    return out


def to_result(data: Any) -> Result:
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


def int_value(value: Any, clause: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise QueryError(f"{clause} needs an integer, got {value!r}")
    return value


__all__ = ["SelectPipeline", "expanded_row", "int_value", "passing_where", "to_result"]
