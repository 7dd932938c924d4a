"""Script and session statements: BEGIN/COMMIT/ROLLBACK, LET, RETURN, EXPLAIN, PROFILE, and
IMPORT DATABASE (which reaches the dump restore through the Store: it lives above the query
engine). ``run_script`` runs a list of statements, the last one's rows (or RETURN's) its result.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...exceptions import ArcadeDBError
from ...model.results import Result
from ...sql import ast as a
from ..context import Ctx
from ..select import expanded_row
from .writes import (
    ddl_result,
)

if TYPE_CHECKING:
    from ..executor import Executor



def _begin(ex: Executor, stmt: a.Begin, ctx: Ctx) -> list[Result]:
    ex.storage.begin(ex.session)
    return ddl_result(operation="begin")


def _commit(ex: Executor, stmt: a.Commit, ctx: Ctx) -> list[Result]:
    ex.storage.commit(ex.session)
    return ddl_result(operation="commit")


def _rollback(ex: Executor, stmt: a.Rollback, ctx: Ctx) -> list[Result]:
    ex.storage.rollback(ex.session)
    return ddl_result(operation="rollback")


def describe_plan(ex: Executor, statement: a.Statement, ctx: Ctx | None) -> dict[str, Any]:
    if isinstance(statement, a.Match):
        from ..match import describe  # MATCH's planner loads on first use (start-up time)

        return {"statement": "MATCH", "steps": describe(ex, statement)}
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
        rows.append(expanded_row(item))
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
    return [Result(ex.store._import_dump(stmt.url, **settings))]


HANDLERS: dict[type, Callable[[Executor, Any, Ctx], list[Result]]] = {
    a.Begin: _begin,
    a.Commit: _commit,
    a.Rollback: _rollback,
    a.Explain: _explain,
    a.Profile: _profile,
    a.LetStatement: _let_statement,
    a.ReturnStatement: _return_statement,
    a.ImportDatabase: _import_database,
}


__all__ = ['HANDLERS', 'describe_plan', 'run_script']
