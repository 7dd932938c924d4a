"""Statement execution: the ``Executor`` runs one statement (or script) for one session with one
set of parameters.

It is the SELECT pipeline (select.py) and the record writes (statements/writes.py) plus the
plumbing they share: the statement's context (``ctx``), plans (``plan``), sub-queries, and the
dispatch of every other statement to its handler in statements/ (ddl, dml, graph, script).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..exceptions import QueryError
from ..model.results import Result
from ..sql import ast as a
from ..storage.catalog import TypeDef
from . import planner as pl
from .context import Ctx
from .evaluate import Compiler
from .select import SelectPipeline
from .statements import HANDLERS
from .statements.writes import WriteOps, storable

if TYPE_CHECKING:
    from ..model.store import Store
    from ..storage import Session, Storage


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


class Executor(SelectPipeline, WriteOps):
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
            return self.select(self.plan(statement), ctx)  # type: ignore[arg-type]  # kind is a.Select
        handler = HANDLERS.get(kind)
        if handler is None:
            raise QueryError(f"{kind.__name__} statements are not supported yet")
        return handler(self, statement, ctx)


    def type_def(self, name: str, kind: str | None = None) -> TypeDef:
        return self.storage.catalog.get(name, kind, sql="")

    def value(self, node: a.Expr | None, ctx: Ctx) -> Any:
        if node is None:
            return None
        return Compiler(self.subquery).expr(node)(ctx)


__all__ = ["Executor", "is_write", "storable"]
