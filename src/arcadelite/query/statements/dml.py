"""Document writes: INSERT, UPDATE (SET, REMOVE, INCREMENT, ADD, PUT, MERGE, CONTENT, UPSERT,
RETURN) and DELETE, each all or nothing under the statement's savepoint (writes.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...exceptions import QueryError
from ...model.factory import new_record
from ...model.records import Document
from ...model.results import Result
from ...sql import ast as a
from .. import planner as pl
from ..context import Ctx
from ..evaluate import Compiler
from ..values import arithmetic, equals, to_list
from .writes import (
    delete_all,
    get_path,
    matching,
    remove_path,
    returning,
    rows_to_insert,
    set_path,
    target_path,
)

if TYPE_CHECKING:
    from ..executor import Executor



def _insert(ex: Executor, stmt: a.Insert, ctx: Ctx) -> list[Result]:
    name = stmt.type_name
    if name is None:
        name = ex.planner._bucket(stmt.bucket.split(":", 1)[-1] if stmt.bucket else "").name
    type_def = ex.type_def(name)
    rows = rows_to_insert(ex, stmt, ctx)
    with ex.write_scope():
        records = [ex.insert_record(type_def, props) for props in rows]
    return returning(ex, records, stmt.returning, ctx)


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
                path = target_path(item.target)
                current = get_path(props, path)
                op = "+" if item.op in ("=", "+=") else item.op[0]
                set_path(props, path, value if current is None else arithmetic(op, current, value))
        elif isinstance(operation, a.UpdateRemove):
            for remove in operation.items:
                path = target_path(remove.target)
                if remove.value is None:
                    remove_path(props, path)
                    continue
                value = compiler.expr(remove.value)(ctx)
                current = get_path(props, path)
                if isinstance(current, list):
                    drop = to_list(value)  # items equal as they are: REMOVE tags = 5 keeps '5'
                    kept = [v for v in current if not any(equals(v, d, False) for d in drop)]
                    set_path(props, path, kept)
                elif isinstance(current, dict):
                    for key in to_list(value):
                        current.pop(key, None)
        elif isinstance(operation, a.UpdateAdd):
            for item in operation.items:
                value = compiler.expr(item.value)(ctx)
                path = target_path(item.target)
                current = get_path(props, path)
                items = list(current) if isinstance(current, list) else (
                    [] if current is None else [current])  # fmt: skip
                items.extend(value if isinstance(value, list) else [value])
                set_path(props, path, items)
        elif isinstance(operation, a.UpdatePut):
            for put in operation.items:
                key = compiler.expr(put.key)(ctx)
                value = compiler.expr(put.value)(ctx)
                path = target_path(put.target)
                current = get_path(props, path)
                mapping = dict(current) if isinstance(current, dict) else {}
                mapping[key if isinstance(key, str) else str(key)] = value
                set_path(props, path, mapping)
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
    records = matching(ex, stmt, ctx)
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
    return returning(ex, chosen, stmt.return_expr, ctx)


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
                path = target_path(left)
                if path[0].startswith("@"):
                    continue
                set_path(seed, path, ex.value(right, ctx))
    return seed


def _delete(ex: Executor, stmt: a.Delete, ctx: Ctx) -> list[Result]:
    records = matching(ex, stmt, ctx)
    with ex.write_scope():
        deleted = delete_all(ex, records)
    if stmt.return_before:
        return [Result(None, r) for r in deleted]
    return [Result({"count": len(deleted)})]


HANDLERS: dict[type, Callable[[Executor, Any, Ctx], list[Result]]] = {
    a.Insert: _insert,
    a.Update: _update,
    a.Delete: _delete,
}


__all__ = ['HANDLERS']
