"""Statement handlers: one module per family, each a ``HANDLERS`` table (AST node type -> handler).

``handler(executor, statement, ctx) -> list[Result]``; ``executor.Executor.execute`` dispatches
through the merged table below. SELECT is not here: it is the pipeline of select.py.

- ddl.py: schema statements (types, properties, indexes)
- dml.py: INSERT, UPDATE, DELETE
- graph.py: CREATE VERTEX/EDGE, DELETE VERTEX/EDGE, MATCH, TRAVERSE
- script.py: BEGIN/COMMIT/ROLLBACK, LET, RETURN, EXPLAIN, PROFILE, IMPORT DATABASE
- writes.py: what the write statements share (write scope, record writes, assignments)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import ddl, dml, graph, script

if TYPE_CHECKING:
    from collections.abc import Callable

    from ...model.results import Result
    from ..context import Ctx
    from ..executor import Executor

HANDLERS: dict[type, Callable[[Executor, Any, Ctx], list[Result]]] = {
    **ddl.HANDLERS, **dml.HANDLERS, **graph.HANDLERS, **script.HANDLERS,
}  # fmt: skip

__all__ = ["HANDLERS"]
