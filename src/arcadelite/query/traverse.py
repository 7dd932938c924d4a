"""TRAVERSE: visit the records reachable from a target through the given fields.

Entry points::

    run_traverse(ex, stmt, ctx) -> list[Result]        # the executor's handler for ast.Traverse

(``query.execute_traverse(db, stmt, *args)`` runs it outside a statement.)

``ex`` is the statement's ``executor.Executor`` and ``ctx`` its context. Rows are element rows,
one per record visited; each also carries its traversal metadata (``traversal_depth(row)``,
``traversal_path(row)``) for a ``SELECT ... FROM (TRAVERSE ...)`` to expose as ``$depth`` and
``$path``.

Semantics (ArcadeDB's DepthFirstTraverseStep / BreadthFirstTraverseStep, pinned in
tests/sql/test_traverse.py):
- The target's records are the entry points, at depth 0: a RID, a list of RIDs, a type (every
  record, subtypes included), ``bucket:<name>``, a sub-query, a parameter or a variable.
- Fields: graph functions (``out('E')``, ``in()``, ``both()``, ``outE()``, ``inV()`` ... with
  optional labels, read from the adjacency indexes), any expression that yields records, RIDs or
  lists of them (``friends``, ``out('E')[age > 3]``), and ``*``: every link held in the record's
  properties (ArcadeDB's vertices do not hold their edges as properties: use ``both()``/``bothE()``
  to walk edges).
- ``MAXDEPTH n`` keeps records at depth <= n. ``WHILE cond`` is checked on each record before it
  is visited (``$depth``, ``$path``, ``$current`` are set): a record failing it is neither
  returned nor expanded. Each record is returned once; ``LIMIT n`` stops after n rows.
- ``STRATEGY DEPTH_FIRST`` (default): pre-order, children in adjacency order; a record reached
  again by a shorter path is expanded again from that depth (ArcadeDB's fix of issue #5159), so
  MAXDEPTH keeps every record within n hops. ``BREADTH_FIRST``: level by level.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..exceptions import ArcadeDBError, QueryError
from ..model.records import Document
from ..model.results import Result
from ..rid import RID
from ..sql import ast as a
from .context import Ctx
from .evaluate import Compiler
from .planner import get_plan
from .values import as_record, is_multi

if TYPE_CHECKING:
    from .executor import Executor

Fn = Callable[[Ctx], Any]

_DEPTH = "$depth"
_PATH = "$path"


def traversal_depth(row: Result) -> int | None:
    """The depth at which TRAVERSE visited the row's record (None for other rows)."""
    data = row._data
    return data.get(_DEPTH) if data is not None and row._element is not None else None


def traversal_path(row: Result) -> list[RID] | None:
    """The RIDs from the entry point to the row's record, as TRAVERSE walked them."""
    data = row._data
    return data.get(_PATH) if data is not None and row._element is not None else None


def _row(record: Document, depth: int, path: list[RID]) -> Result:
    return Result({_DEPTH: depth, _PATH: path}, record)


def run_traverse(ex: Executor, stmt: a.Traverse, ctx: Ctx) -> list[Result]:
    """Execute a TRAVERSE statement (the executor's handler; see the module docstring)."""
    from .match import own_context  # MATCH's planner loads on first use (start-up time)

    plan = get_plan(stmt, ex.storage, lambda s: _Plan(ex, s))
    return list(plan.rows(ex, own_context(ctx)))


class _Plan:
    """The compiled pieces of one TRAVERSE statement."""

    def __init__(self, ex: Executor, stmt: a.Traverse) -> None:
        compiler = Compiler(ex.subquery)
        self.fields: list[Fn | None] = [  # None stands for *
            None if isinstance(f, a.Star) else compiler.expr(f) for f in stmt.fields
        ]
        self.while_fn = (
            None if stmt.while_condition is None else compiler.condition(stmt.while_condition)
        )
        if stmt.max_depth is not None and stmt.max_depth < 0:
            raise QueryError("TRAVERSE ... MAXDEPTH must not be negative")
        self.max_depth = stmt.max_depth
        self.limit = None if stmt.limit is None else compiler.expr(stmt.limit)
        strategy = (stmt.strategy or "DEPTH_FIRST").upper()
        if strategy not in ("DEPTH_FIRST", "BREADTH_FIRST"):
            raise QueryError(
                f"Unknown TRAVERSE strategy '{stmt.strategy}': use DEPTH_FIRST or BREADTH_FIRST"
            )
        self.breadth_first = strategy == "BREADTH_FIRST"
        self.scan: a.Select | None = None
        self.subquery: a.Statement | None = None
        self.target_fn: Fn | None = None
        target = stmt.target
        if isinstance(target, (a.TypeTarget, a.BucketTarget)):
            self.scan = a.Select(target=target)
            ex.plan(self.scan)  # an unknown type or bucket fails now
        elif isinstance(target, a.Subquery):
            self.subquery = target.statement
        elif isinstance(target, (a.SchemaTarget, a.IndexTarget)):
            raise QueryError("TRAVERSE cannot start from schema: or index: targets")
        else:  # RID, list, parameter, variable
            self.target_fn = compiler.expr(target)

    # --- pieces ---------------------------------------------------------------------------

    def _entry_points(self, ex: Executor, ctx: Ctx) -> list[Document]:
        if self.scan is not None:
            return [r._element for r in ex.select(ex.plan(self.scan), ctx.child())]  # type: ignore[misc]  # a scan's rows are elements
        if self.subquery is not None:
            return _records(ctx, ex.execute(self.subquery, ctx.child()))
        return _records(ctx, self.target_fn(ctx))  # type: ignore[misc]  # target_fn is set when scan and subquery are not

    def _children(self, ctx: Ctx, record: Document) -> list[Document]:
        found: list[Document] = []
        for field in self.fields:
            ctx.current = record
            if field is None:
                for value in record._props.values():
                    found.extend(_records(ctx, value, links_only=True))
            else:
                found.extend(_records(ctx, field(ctx)))
        return found

    def _admit(self, ctx: Ctx, record: Document, depth: int, path: list[RID]) -> bool:
        if self.while_fn is None:
            return True
        ctx.current = record
        ctx.depth = depth
        ctx.path = path
        return self.while_fn(ctx)

    def _limit(self, ctx: Ctx) -> int | None:
        if self.limit is None:
            return None
        value = self.limit(ctx)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise QueryError(f"LIMIT needs an integer, got {value!r}")
        return None if value < 0 else value

    # --- the walk -------------------------------------------------------------------------

    def rows(self, ex: Executor, ctx: Ctx) -> Iterator[Result]:
        limit = self._limit(ctx)
        if limit == 0:
            return
        walk = self._breadth_first if self.breadth_first else self._depth_first
        emitted = 0
        for row in walk(self._starts(ex, ctx), ctx):
            yield row
            emitted += 1
            if limit is not None and emitted >= limit:
                return

    def _starts(self, ex: Executor, ctx: Ctx) -> tuple[list[tuple[Document, int, list[RID]]],
                                                       set[RID]]:  # fmt: skip
        """The entry points the WHILE admits (depth 0), and every entry point's RID."""
        seen: set[RID] = set()
        starts = []
        for record in self._entry_points(ex, ctx):
            rid = record._rid
            if rid is None or rid in seen:
                continue
            seen.add(rid)
            if self._admit(ctx, record, 0, [rid]):
                starts.append((record, 0, [rid]))
        return starts, seen

    def _depth_first(self, entry: tuple[list, set[RID]], ctx: Ctx) -> Iterator[Result]:
        starts, seen = entry
        best: dict[RID, int] = dict.fromkeys(seen, 0)
        emitted: set[RID] = set()
        stack = list(reversed(starts))
        max_depth = self.max_depth
        while stack:
            record, depth, path = stack.pop()
            rid = record._rid
            if best.get(rid, depth) < depth:
                continue  # a shorter path reached it after this entry was queued
            if rid not in emitted:
                emitted.add(rid)
                yield _row(record, depth, path)
            if max_depth is not None and depth >= max_depth:
                continue
            pushed = []
            for child in self._children(ctx, record):
                child_rid = child._rid
                known = best.get(child_rid)  # type: ignore[arg-type]  # read from storage: it has a RID
                if known is not None and known <= depth + 1:
                    continue
                best[child_rid] = depth + 1  # type: ignore[index]  # read from storage: it has a RID
                child_path = path + [child_rid]
                if self._admit(ctx, child, depth + 1, child_path):
                    pushed.append((child, depth + 1, child_path))
            stack.extend(reversed(pushed))

    def _breadth_first(self, entry: tuple[list, set[RID]], ctx: Ctx) -> Iterator[Result]:
        starts, seen = entry
        seen = set(seen)
        queue = deque(starts)
        max_depth = self.max_depth
        while queue:
            record, depth, path = queue.popleft()
            yield _row(record, depth, path)
            if max_depth is not None and depth >= max_depth:
                continue
            for child in self._children(ctx, record):
                child_rid = child._rid
                if child_rid in seen:
                    continue
                seen.add(child_rid)  # type: ignore[arg-type]  # read from storage: it has a RID
                child_path = path + [child_rid]
                if self._admit(ctx, child, depth + 1, child_path):
                    queue.append((child, depth + 1, child_path))


def _records(ctx: Ctx, value: Any, links_only: bool = False) -> list[Document]:
    """The records a value names: records, RIDs, element rows, lists and maps of them.

    With links_only (``TRAVERSE *``) only stored links count: a property's RIDs, directly or
    inside lists and maps.
    """
    value = as_record(value)
    if type(value) is Result and value._data is not None and len(value._data) == 1:
        value = as_record(next(iter(value._data.values())))  # a sub-query's one-column rows
        links_only = False
    if isinstance(value, RID):
        record = ctx.load(value)
        return [] if record is None else [record]
    if isinstance(value, Document):
        return [] if links_only or value._rid is None else [value]
    if isinstance(value, dict):
        value = list(value.values())
    if is_multi(value):
        out: list[Document] = []
        rids: list[RID] = []
        for item in value:
            item = as_record(item)
            if isinstance(item, RID):
                rids.append(item)
                continue
            if rids:
                out.extend(ctx.load_many(rids))
                rids = []
            out.extend(_records(ctx, item, links_only))
        if rids:
            out.extend(ctx.load_many(rids))
        return out
    if not links_only and isinstance(value, str) and value.startswith("#"):
        try:
            return _records(ctx, RID.parse(value))
        except ArcadeDBError:
            return []
    return []


__all__ = ["run_traverse", "traversal_depth", "traversal_path"]
