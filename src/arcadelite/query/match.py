"""MATCH: ArcadeDB's declarative graph patterns, searched over the index-seek adjacency.

Entry points::

    run_match(ex, stmt, ctx) -> list[Result]        # the executor's handler for ast.Match
    describe(ex, stmt) -> list[str]                 # the search order it plans (for EXPLAIN)

(``query.execute_match(db, stmt, *args)`` and ``query.describe_match(db, stmt)`` run them
outside a statement.)

``ex`` is the statement's ``executor.Executor`` and ``ctx`` its context (parameters, ``$parent``,
record cache). The search yields one row per match, a dict alias -> record; RETURN, DISTINCT,
GROUP BY, ORDER BY, SKIP and LIMIT then run through the executor's SELECT pipeline
(``Executor.select(plan, ctx, rows)``), so they behave exactly as in SELECT; the start of the
search runs a SELECT plan too, so a ``where`` on an indexed property is an index seek. Plans are
cached per statement and schema version (``planner.get_plan``).

Semantics (ArcadeDB's ``MatchExecutionPlanner``/``MatchEdgeTraverser``, pinned in
tests/sql/test_match.py):
- Nodes without ``as`` get the aliases ``$ARCADEDB_DEFAULT_ALIAS_<n>``. An alias used several
  times is one variable: its ``where`` conditions are AND-ed, its types must be one hierarchy
  (the most specific wins), its ``rid`` must agree.
- The search starts from the most selective alias (a ``rid``; a ``where`` with ``@rid =`` or an
  equality on a uniquely, then non-uniquely, indexed property; else the smallest type) and
  follows the steps with ``storage.neighbors``/``storage.edges`` (index seeks), walking a step
  backwards (``out`` as ``in``, ``outE`` as ``outV`` ...) when its far end is bound first. Steps
  with ``while``/``maxDepth`` and steps into ``optional`` nodes are only walked forwards.
- ``while``/``maxDepth``: the node matches the start itself (depth 0) and every record reached
  by repeating the step while the condition holds on the record being left (``$depth`` is its
  depth) and ``depth < maxDepth``. Every path yields a row, as in ArcadeDB; without maxDepth a
  record already on the current path is not entered again (ArcadeDB would loop forever).
- Where conditions see ``$currentMatch`` (the candidate), ``$matched`` (the aliases bound so far:
  ``$matched.a.name``) and ``$depth``; an alias whose ``where`` reads ``$matched.x`` is bound after
  ``x``.
- Disjoint paths make a cartesian product; ``NOT`` paths drop the rows for which they match (their
  first alias must be bound by the positive pattern); ``optional: true`` nodes (the last node of
  their path) are null when nothing matches.
- RETURN: expressions over the aliases (``a`` is the record, ``a.name`` is named ``a.name``),
  aggregates with GROUP BY, DISTINCT, ORDER BY, SKIP, LIMIT; or ``$matches``/``$patterns`` (one
  row of the user aliases), ``$paths`` (every alias), ``$elements`` / ``$pathElements`` (each bound
  record as an element row, once per alias and match, as in ArcadeDB: add DISTINCT to dedupe).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any

from ..exceptions import ArcadeDBError, QueryError
from ..model.records import Document, Vertex
from ..model.results import Result
from ..rid import RID, bucket_of
from ..sql import ast as a
from ..storage.catalog import TypeDef
from .context import Ctx
from .evaluate import Compiler
from .functions import _labels, contains_aggregate, move
from .planner import get_plan, is_constant
from .values import as_record, to_list

if TYPE_CHECKING:
    from .executor import Executor

Fn = Callable[[Ctx], Any]

DEFAULT_ALIAS_PREFIX = "$ARCADEDB_DEFAULT_ALIAS_"

_SPECIAL_RETURNS = {
    "matches": "patterns",
    "patterns": "patterns",
    "paths": "paths",
    "elements": "elements",
    "pathelements": "pathelements",
}
# the step walked backwards: a.out(){b} is b.in(){a}; a.outE(){e} is e.outV(){a} ...
_REVERSE = {"out": "in", "in": "out", "both": "both", "oute": "outv", "ine": "inv",
            "bothe": "bothv", "outv": "oute", "inv": "ine", "bothv": "bothe"}  # fmt: skip
_TO_EDGE = frozenset({"oute", "ine", "bothe"})
_FROM_EDGE = frozenset({"outv", "inv", "bothv"})
_STEP_NAMES = {"out": "out", "in": "in", "both": "both", "oute": "outE", "ine": "inE",
               "bothe": "bothE", "outv": "outV", "inv": "inV", "bothv": "bothV"}  # fmt: skip
# context variables a MATCH condition may read that change from candidate to candidate
_MATCH_VARIABLES = frozenset({"matched", "currentmatch", "current", "depth", "path"})


# ----------------------------------------------------------------------------- entry points


def run_match(ex: Executor, stmt: a.Match, ctx: Ctx) -> list[Result]:
    """Execute a MATCH statement (the executor's handler; see the module docstring)."""
    plan = get_plan(stmt, ex.storage, lambda s: _Builder(ex, s).build())
    mctx = own_context(ctx)
    rows: Iterator[dict[str, Any]] = _search(ex, mctx, plan, 0, {}, {})
    if plan.nots:
        rows = (row for row in rows if not any(_not_matches(mctx, n, row) for n in plan.nots))
    items: Iterator[Any] = rows if plan.special is None else _special_items(plan, rows)
    cutoff = _cutoff(mctx, plan)
    if cutoff is not None:  # nothing reorders or merges rows: stop searching early
        items = islice(items, cutoff)
    found = list(items)
    mctx.vars.pop("matched", None)
    mctx.vars.pop("currentMatch", None)
    mctx.depth = 0
    return ex.select(ex.plan(plan.select), mctx, found)


def describe(ex: Executor, stmt: a.Match, ctx: Ctx | None = None) -> list[str]:
    """The search order MATCH plans for a statement, one line per step (for EXPLAIN)."""
    return get_plan(stmt, ex.storage, lambda s: _Builder(ex, s).build()).describe()


def own_context(ctx: Ctx) -> Ctx:
    """A copy of ctx whose variables this statement may set without touching the caller's."""
    other = ctx.derive(None)
    other.vars = dict(ctx.vars)
    return other


def step_text(function: str, args: tuple[a.Expr, ...]) -> str:
    shown = ", ".join(repr(x.value) if isinstance(x, a.Literal) else "?" for x in args)
    return f".{_STEP_NAMES.get(function, function)}({shown})"


# ---------------------------------------------------------------------------- AST helpers


def _walk(node: Any) -> Iterator[Any]:
    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, tuple):
            stack.extend(item)
        elif isinstance(item, a.Node):
            names: tuple[str, ...] = item.__slots__
            for name in names:
                stack.append(getattr(item, name))


def _uses_match_variables(expr: a.Expr) -> bool:
    return any(
        isinstance(item, a.Variable) and item.name.lower() in _MATCH_VARIABLES
        for item in _walk(expr)
    )


def _matched_aliases(expr: a.Expr | None) -> frozenset[str]:
    """Aliases a condition reads through ``$matched.<alias>``."""
    if expr is None:
        return frozenset()
    return frozenset(
        item.name
        for item in _walk(expr)
        if isinstance(item, a.FieldAccess)
        and isinstance(item.target, a.Variable)
        and item.target.name.lower() == "matched"
    )


def _conjuncts(expr: a.Expr | None) -> list[a.Expr]:
    if expr is None:
        return []
    return list(expr.operands) if isinstance(expr, a.And) else [expr]


def _and(parts: list[a.Expr]) -> a.Expr | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else a.And(tuple(parts))


def _rids(value: Any) -> list[RID]:
    """The RIDs a ``rid:`` value names (a RID, its text, a record, or a list of those)."""
    out = []
    for item in to_list(as_record(value)):
        item = as_record(item)
        if isinstance(item, Document):
            item = item._rid
        try:
            out.append(RID.parse(item))
        except ArcadeDBError:
            continue
    return out


# ------------------------------------------------------------------------------------ the plan


class NodeFilter:
    """What a record must be to bind a pattern node: of a type, with a RID, matching a where."""

    __slots__ = ("buckets", "rid", "where")

    def __init__(self, buckets: frozenset[int] | None, rid: Fn | None,
                 where: Callable[[Ctx], bool] | None) -> None:  # fmt: skip
        self.buckets = buckets
        self.rid = rid
        self.where = where

    def accepts(self, ctx: Ctx, record: Document, row: dict[str, Any], depth: int = 0) -> bool:
        if self.buckets is not None and record._rid.bucket_id not in self.buckets:  # type: ignore[union-attr]  # read from storage: it has a RID
            return False
        if self.rid is not None and record._rid not in _rids(self.rid(ctx)):
            return False
        if self.where is not None:
            ctx.current = record
            ctx.depth = depth
            ctx.vars["currentMatch"] = record
            ctx.vars["matched"] = row
            return self.where(ctx)
        return True


@dataclass(eq=False)
class _Alias:
    name: str
    user: bool
    type_def: TypeDef | None = None
    wheres: list[a.Expr] = field(default_factory=list)
    rid: a.Expr | None = None
    optional: bool = False
    kind: str = "vertex"
    deps: frozenset[str] = frozenset()
    filter: NodeFilter | None = None
    root_select: a.Select | None = None  # the scan that starts the search here
    root_extra: Callable[[Ctx], bool] | None = None  # conjuncts evaluated in Python
    root_cacheable: bool = True


@dataclass(eq=False)
class _Edge:
    index: int
    source: str
    target: str
    function: str
    labels: list[Fn]
    while_fn: Callable[[Ctx], bool] | None
    max_depth: int | None
    depth_alias: str | None
    path_alias: str | None
    text: str

    @property
    def recursive(self) -> bool:
        return self.while_fn is not None or self.max_depth is not None


@dataclass(eq=False)
class _Op:
    """One step of the search: bind a root alias by a scan, or walk an edge of the pattern."""

    alias: str  # the alias this step binds (or checks, when already bound)
    edge: _Edge | None = None
    source: str = ""
    function: str = ""
    reverse: bool = False
    check: bool = False
    optional: bool = False


@dataclass(eq=False)
class _NotStep:
    function: str
    labels: list[Fn]
    alias: str | None
    filter: NodeFilter
    while_fn: Callable[[Ctx], bool] | None
    max_depth: int | None


@dataclass(eq=False)
class _NotPath:
    origin: str
    origin_filter: NodeFilter
    steps: list[_NotStep]


@dataclass(eq=False)
class MatchPlan:
    statement: a.Match
    aliases: dict[str, _Alias]
    ops: list[_Op]
    nots: list[_NotPath]
    special: str | None
    select: a.Select  # RETURN ... as a SELECT over the match rows
    skip: Fn | None
    limit: Fn | None
    early_cutoff: bool  # SKIP/LIMIT may stop the search (no DISTINCT, ORDER BY, GROUP BY ...)

    def describe(self) -> list[str]:
        """The search order, one line per step (EXPLAIN-like, and for tests)."""
        lines = []
        for op in self.ops:
            if op.edge is None:
                alias = self.aliases[op.alias]
                how = "rid" if alias.rid is not None else f"scan {alias.type_def.name}"  # type: ignore[union-attr]  # an alias without a rid has a type
                lines.append(f"start {op.alias} ({how})")
            else:
                verb = "check" if op.check else "optional" if op.optional else "bind"
                lines.append(
                    f"{verb} {op.alias} = {op.source}{step_text(op.function, ())}"
                    + (" (reversed)" if op.reverse else "")
                )
        return lines


class _Builder:
    """Builds a MatchPlan from the AST (see the module docstring for the rules)."""

    def __init__(self, ex: Executor, stmt: a.Match) -> None:
        self.ex = ex
        self.stmt = stmt
        self.storage = ex.storage
        self.compiler = Compiler(ex.subquery)
        self.aliases: dict[str, _Alias] = {}
        self.edges: list[_Edge] = []
        self.counter = 0

    def build(self) -> MatchPlan:
        stmt = self.stmt
        positive = [p for p in stmt.paths if not p.negated]
        if not positive:
            raise QueryError("MATCH needs at least one pattern that is not negated (NOT)")
        for path in positive:
            self._add_path(path)
        for alias in self.aliases.values():
            where = _and(alias.wheres)
            alias.filter = self._node_filter(alias.type_def, alias.rid, where)
            alias.deps = _matched_aliases(where) - {alias.name}
        self._infer_kinds()
        self._check_optionals()
        ops = self._schedule()
        nots = [self._not_path(p) for p in stmt.paths if p.negated]
        special, select = self._returns()
        compiler = self.compiler
        plain = (special is not None or not contains_aggregate(stmt.returns)) and not (
            stmt.distinct or stmt.group_by or stmt.order_by)  # fmt: skip
        return MatchPlan(
            stmt, self.aliases, ops, nots, special, select,
            None if stmt.skip is None else compiler.expr(stmt.skip),
            None if stmt.limit is None else compiler.expr(stmt.limit),
            plain,
        )  # fmt: skip

    # --- pattern --------------------------------------------------------------------------

    def _alias_name(self, node: a.MatchNode) -> tuple[str, bool]:
        if node.alias:
            if node.alias.startswith(DEFAULT_ALIAS_PREFIX):
                raise QueryError(f"MATCH alias '{node.alias}' is reserved")
            return node.alias, True
        name = f"{DEFAULT_ALIAS_PREFIX}{self.counter}"
        self.counter += 1
        return name, False

    def _type(self, name: str, alias: str | None) -> TypeDef:
        where = f" (alias '{alias}')" if alias else ""
        return self.storage.catalog.get(name, sql=f"{where} in MATCH")

    def _add_node(self, node: a.MatchNode, is_target: bool) -> str:
        name, user = self._alias_name(node)
        alias = self.aliases.get(name)
        if alias is None:
            alias = self.aliases[name] = _Alias(name, user)
        if node.type_name is not None:
            type_def = self._type(node.type_name, name if user else None)
            previous = alias.type_def
            if previous is None or type_def.is_a(previous.name):
                alias.type_def = type_def
            elif not previous.is_a(type_def.name):
                raise QueryError(
                    f"MATCH alias '{name}' is given types '{previous.name}' and "
                    f"'{type_def.name}', which are not in the same hierarchy"
                )
        if node.where is not None:
            alias.wheres.append(node.where)
        if node.rid is not None:
            if alias.rid is not None and alias.rid != node.rid:
                raise QueryError(f"MATCH alias '{name}' is given two different rids")
            alias.rid = node.rid
        if node.optional:
            if not is_target:
                raise QueryError(
                    f"MATCH alias '{name}': an optional node must be reached by a step "
                    "(it cannot start a path)"
                )
            alias.optional = True
        if not is_target and (node.while_condition is not None or node.max_depth is not None):
            raise QueryError(
                f"MATCH alias '{name}': while/maxDepth belong to a node reached by a step"
            )
        if node.max_depth is not None and node.max_depth < 0:
            raise QueryError(f"MATCH alias '{name}': maxDepth must not be negative")
        return name

    def _add_path(self, path: a.MatchPath) -> None:
        current = self._add_node(path.origin, False)
        for step in path.steps:
            target = self._add_node(step.node, True)
            node = step.node
            while_fn = None
            if node.while_condition is not None:
                while_fn = self.compiler.condition(node.while_condition)
            self.edges.append(
                _Edge(
                    len(self.edges), current, target, step.function,
                    [self.compiler.expr(arg) for arg in step.args], while_fn, node.max_depth,
                    node.depth_alias, node.path_alias, step_text(step.function, step.args),
                )
            )  # fmt: skip
            current = target

    def _node_filter(self, type_def: TypeDef | None, rid: a.Expr | None,
                     where: a.Expr | None) -> NodeFilter:  # fmt: skip
        buckets = None if type_def is None else frozenset(t.id for t in type_def.polymorphic)
        return NodeFilter(
            buckets,
            None if rid is None else self.compiler.expr(rid),
            None if where is None else self.compiler.condition(where),
        )

    def _infer_kinds(self) -> None:
        for alias in self.aliases.values():
            if alias.type_def is not None and alias.type_def.kind == "edge":
                alias.kind = "edge"
        for edge in self.edges:
            if edge.function in _TO_EDGE:
                self.aliases[edge.target].kind = "edge"
            if edge.function in _FROM_EDGE:
                self.aliases[edge.source].kind = "edge"
        for edge in self.edges:  # out()/in()/both() of an edge are its vertices
            if self.aliases[edge.source].kind == "edge" and edge.function in ("out", "in", "both"):
                edge.function += "v"

    def _check_optionals(self) -> None:
        for alias in self.aliases.values():
            if not alias.optional:
                continue
            touching = [e for e in self.edges if alias.name in (e.source, e.target)]
            if len(touching) != 1 or touching[0].target != alias.name:
                raise QueryError(
                    f"MATCH alias '{alias.name}': an optional node must be the last node of one "
                    "path and appear nowhere else in the pattern"
                )

    # --- search order ---------------------------------------------------------------------

    def _tier(self, alias: _Alias) -> int | None:
        """How selective a start the alias is (lower is better); None: it cannot start."""
        if alias.rid is not None:
            return 0
        if alias.type_def is None:
            return None
        best = 4 if not alias.wheres else 3
        for conjunct in _conjuncts(_and(alias.wheres)):
            if not isinstance(conjunct, a.Comparison) or conjunct.op != "=":
                continue
            for column, value in ((conjunct.left, conjunct.right),
                                  (conjunct.right, conjunct.left)):  # fmt: skip
                if not isinstance(column, a.Identifier) or not is_constant(value):
                    continue
                if _uses_match_variables(value):
                    continue
                if column.name == "@rid":
                    return 0
                index = self.storage.index_for(alias.type_def, (column.name,))
                if index is not None:
                    best = min(best, 1 if index.unique else 2)
        return best

    def _pick_root(self, bound: set[str]) -> _Alias:
        candidates = []
        for alias in self.aliases.values():
            if alias.name in bound or alias.optional or not alias.deps <= bound:
                continue
            tier = self._tier(alias)
            if tier is not None:
                candidates.append((tier, alias))
        if not candidates:
            left = [n for n, al in self.aliases.items() if n not in bound and not al.optional]
            shown = ", ".join(f"'{n}'" for n in left if not n.startswith(DEFAULT_ALIAS_PREFIX))
            raise QueryError(
                "MATCH cannot find where to start the search for "
                + (f"alias(es) {shown}" if shown else "an anonymous node")
                + ": give a node a type or a rid (steps with while/maxDepth and steps into "
                "optional nodes are only walked forwards), or check $matched dependencies"
            )
        tier = min(t for t, _ in candidates)
        best = [al for t, al in candidates if t == tier]
        if len(best) > 1 and tier >= 2:
            session = self.ex.session
            best.sort(key=lambda al: self.storage.count(session, al.type_def))  # type: ignore[arg-type]  # aliases sorted here have a type
        return best[0]

    def _schedule(self) -> list[_Op]:
        aliases, edges = self.aliases, self.edges
        bound: set[str] = set()
        done: set[int] = set()
        ops: list[_Op] = []
        while True:
            while True:
                chosen = None
                for edge in edges:
                    if edge.index in done:
                        continue
                    source, target = aliases[edge.source], aliases[edge.target]
                    if edge.source in bound:
                        if edge.target in bound:
                            rank = (0, edge.index)
                        elif target.deps <= bound:
                            rank = (2 if target.optional else 1, edge.index)
                        else:
                            continue
                        reverse = False
                    elif (edge.target in bound and not edge.recursive and not target.optional
                          and source.deps <= bound):  # fmt: skip
                        rank, reverse = (1, edge.index), True
                    else:
                        continue
                    if chosen is None or rank < chosen[0]:
                        chosen = (rank, edge, reverse)
                if chosen is None:
                    break
                _, edge, reverse = chosen
                done.add(edge.index)
                if reverse:
                    op = _Op(edge.source, edge, edge.target, _REVERSE[edge.function], True)
                else:
                    op = _Op(edge.target, edge, edge.source, edge.function, False,
                             edge.target in bound, aliases[edge.target].optional)  # fmt: skip
                bound.add(op.alias)
                ops.append(op)
            if len(done) == len(edges) and all(
                n in bound or al.optional for n, al in aliases.items()
            ):
                return ops
            root = self._pick_root(bound)
            self._root_scan(root)
            bound.add(root.name)
            ops.append(_Op(root.name))

    def _root_scan(self, alias: _Alias) -> None:
        if alias.rid is not None:
            return
        pushed: list[a.Expr] = []
        python: list[a.Expr] = []
        for conjunct in _conjuncts(_and(alias.wheres)):
            (python if _uses_match_variables(conjunct) else pushed).append(conjunct)
        alias.root_select = a.Select(target=a.TypeTarget(alias.type_def.name), where=_and(pushed))  # type: ignore[union-attr]  # an alias without a rid has a type
        rest = _and(python)
        alias.root_extra = None if rest is None else self.compiler.condition(rest)
        alias.root_cacheable = rest is None and not alias.deps

    # --- NOT ------------------------------------------------------------------------------

    def _not_path(self, path: a.MatchPath) -> _NotPath:
        origin = path.origin.alias
        if origin is None or origin not in self.aliases:
            raise QueryError(
                "MATCH: the first alias of a NOT pattern must be an alias of the positive "
                f"pattern ({'no alias' if origin is None else repr(origin)} is not)"
            )
        origin_type = None
        if path.origin.type_name is not None:
            origin_type = self._type(path.origin.type_name, origin)
        steps = []
        for step in path.steps:
            node = step.node
            type_def = None if node.type_name is None else self._type(node.type_name, node.alias)
            steps.append(
                _NotStep(
                    step.function,
                    [self.compiler.expr(arg) for arg in step.args],
                    node.alias,
                    self._node_filter(type_def, node.rid, node.where),
                    None if node.while_condition is None else self.compiler.condition(
                        node.while_condition),
                    node.max_depth,
                )
            )  # fmt: skip
        return _NotPath(
            origin, self._node_filter(origin_type, path.origin.rid, path.origin.where), steps
        )

    # --- RETURN ---------------------------------------------------------------------------

    def _returns(self) -> tuple[str | None, a.Select]:
        stmt = self.stmt
        special = None
        for p in stmt.returns:
            if isinstance(p.expr, a.Variable) and p.expr.name.lower() in _SPECIAL_RETURNS:
                special = _SPECIAL_RETURNS[p.expr.name.lower()]
                break
            if isinstance(p.expr, a.Star):
                raise QueryError("MATCH ... RETURN * is not supported: name the aliases")
        if special is not None and stmt.group_by:
            raise QueryError(
                "Cannot execute GROUP BY in MATCH query with RETURN $elements, "
                "$pathElements, $patterns or $paths"
            )
        select = a.Select(
            projections=() if special is not None else stmt.returns,
            distinct=stmt.distinct,
            group_by=stmt.group_by,
            order_by=stmt.order_by,
            skip=stmt.skip,
            limit=stmt.limit,
        )
        return special, select


# ------------------------------------------------------------------------------- the search


def _cutoff(ctx: Ctx, plan: MatchPlan) -> int | None:
    """SKIP + LIMIT, when the rows past it can never be returned (else None)."""
    if not plan.early_cutoff or plan.limit is None:
        return None
    limit = plan.limit(ctx)
    skip = 0 if plan.skip is None else plan.skip(ctx)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        return None
    if isinstance(skip, bool) or not isinstance(skip, int):
        return None
    return max(skip, 0) + limit


def _step(ctx: Ctx, element: Document, function: str, labels: tuple[str, ...],
          buckets: frozenset[int] | None) -> list[Document]:  # fmt: skip
    """The records one step away; vertex-to-vertex steps read only the adjacency index and load
    just the neighbours of the wanted types."""
    if isinstance(element, Vertex) and function in ("out", "in", "both"):
        packed = ctx.storage.neighbors(ctx.session, element._rid.to_int(), function, labels)  # type: ignore[union-attr]  # read from storage: it has a RID
        if buckets is not None:
            packed = [p for p in packed if bucket_of(p) in buckets]
        return ctx.load_many([RID.from_int(p) for p in packed])
    found = move(ctx, element, function, labels)
    if buckets is not None:
        found = [r for r in found if r._rid.bucket_id in buckets]  # type: ignore[union-attr]  # read from storage: it has a RID
    return found


def _recursive(ctx: Ctx, start: Document, function: str, labels: tuple[str, ...],
               node: NodeFilter, while_fn: Callable[[Ctx], bool] | None, max_depth: int | None,
               row: dict[str, Any]) -> list[tuple[Document, int, list[RID]]]:  # fmt: skip
    """ArcadeDB's while/maxDepth traversal: (record, depth, path) for each path that ends on a
    record the node accepts, the start itself included at depth 0."""
    out: list[tuple[Document, int, list[RID]]] = []
    stack: list[tuple[Document, int, list[RID]]] = [(start, 0, [])]
    while stack:
        record, depth, path = stack.pop()
        if node.accepts(ctx, record, row, depth):
            out.append((record, depth, path))
        if max_depth is not None and depth >= max_depth:
            continue
        if while_fn is not None:
            ctx.current = record
            ctx.depth = depth
            ctx.vars["currentMatch"] = record
            ctx.vars["matched"] = row
            if not while_fn(ctx):
                continue
        children: list[tuple[Document, int, list[RID]]] = []
        for child in _step(ctx, record, function, labels, None):
            rid = child._rid
            if max_depth is None and (rid == start._rid or rid in path):
                continue  # no maxDepth: never enter a record already on this path
            children.append((child, depth + 1, path + [rid]))  # type: ignore[list-item]  # read from storage: it has a RID
        stack.extend(reversed(children))
    return out


def _roots(ex: Executor, ctx: Ctx, alias: _Alias, row: dict[str, Any],
           cache: dict[str, list[Document]]) -> list[Document]:  # fmt: skip
    found = cache.get(alias.name)
    if found is not None:
        return found
    node = alias.filter
    assert node is not None
    if alias.rid is not None:
        records = [r for r in ctx.load_many(_rids(node.rid(ctx)))  # type: ignore[misc]  # a rid given to MATCH names a record
                   if node.accepts(ctx, r, row)]  # fmt: skip
        cacheable = not alias.deps
    else:
        plan = ex.plan(alias.root_select)  # type: ignore[arg-type]  # set by _root_scan for every scanned alias
        records = [r._element for r in ex.select(plan, ctx.child())]  # type: ignore[misc]  # a scan's rows are elements
        extra = alias.root_extra
        if extra is not None:
            kept = []
            for record in records:
                ctx.current = record
                ctx.vars["currentMatch"] = record
                ctx.vars["matched"] = row
                if extra(ctx):
                    kept.append(record)
            records = kept
        cacheable = alias.root_cacheable
    if cacheable:
        cache[alias.name] = records
    return records


def _same(left: Any, right: Any) -> bool:
    if left is None or right is None:
        return left is right
    return left._rid == right._rid


def _search(ex: Executor, ctx: Ctx, plan: MatchPlan, i: int, row: dict[str, Any],
            cache: dict[str, list[Document]]) -> Iterator[dict[str, Any]]:  # fmt: skip
    """Depth-first over the ops: every complete binding of the pattern's aliases."""
    if i == len(plan.ops):
        yield row
        return
    op = plan.ops[i]
    alias = plan.aliases[op.alias]
    node = alias.filter
    assert node is not None
    edge = op.edge
    if edge is None:
        for record in _roots(ex, ctx, alias, row, cache):
            bound = dict(row)
            bound[op.alias] = record
            yield from _search(ex, ctx, plan, i + 1, bound, cache)
        return
    source = row.get(op.source)
    if source is None:
        return
    labels = _labels([fn(ctx) for fn in edge.labels]) if edge.labels else ()
    if op.reverse and edge.function in _TO_EDGE and labels:
        # walking a.outE('E'){e} backwards from e: e itself must be an 'E'
        if not any(source._type.is_a(label) for label in labels):
            return
        labels = ()
    matched = False
    if edge.recursive:
        found = _recursive(ctx, source, op.function, labels, node, edge.while_fn,
                           edge.max_depth, row)  # fmt: skip
    else:
        buckets = None if op.check else node.buckets
        found = [(c, None, None) for c in _step(ctx, source, op.function, labels, buckets)]  # type: ignore[misc]  # edges and vertices are records
    for record, depth, path in found:
        if op.check:
            if not _same(row[op.alias], record):
                continue
            matched = True
            yield from _search(ex, ctx, plan, i + 1, row, cache)
            continue
        if not edge.recursive and not node.accepts(ctx, record, row):
            continue
        matched = True
        yield from _search(ex, ctx, plan, i + 1, _bound(row, op, edge, record, depth, path), cache)
    if not matched and op.optional:
        yield from _search(ex, ctx, plan, i + 1, _bound(row, op, edge, None, None, None), cache)


def _bound(row: dict[str, Any], op: Any, edge: Any, record: Any, depth: Any,
           path: Any) -> dict[str, Any]:  # fmt: skip
    """The row extended with this step's alias (and its depth and path aliases, if named)."""
    bound = dict(row)
    bound[op.alias] = record
    if edge.depth_alias:
        bound[edge.depth_alias] = depth
    if edge.path_alias:
        bound[edge.path_alias] = path
    return bound


def _not_matches(ctx: Ctx, npath: _NotPath, row: dict[str, Any]) -> bool:
    """True when the NOT pattern matches from the row's bindings (the row is then dropped)."""
    start = row.get(npath.origin)
    if start is None or not npath.origin_filter.accepts(ctx, start, row):
        return False
    steps = npath.steps

    def walk(element: Document, k: int, local: dict[str, Any]) -> bool:
        if k == len(steps):
            return True
        step = steps[k]
        labels = _labels([fn(ctx) for fn in step.labels]) if step.labels else ()
        if step.while_fn is not None or step.max_depth is not None:
            found = [r for r, _, _ in _recursive(ctx, element, step.function, labels, step.filter,
                                                 step.while_fn, step.max_depth, local)]  # fmt: skip
        else:
            found = [r for r in _step(ctx, element, step.function, labels, step.filter.buckets)
                     if step.filter.accepts(ctx, r, local)]  # fmt: skip
        for record in found:
            if step.alias is not None and step.alias in local:
                if _same(local[step.alias], record) and walk(record, k + 1, local):
                    return True
                continue
            nested = local if step.alias is None else {**local, step.alias: record}
            if walk(record, k + 1, nested):
                return True
        return False

    return walk(start, 0, row)


def _special_items(plan: MatchPlan, rows: Iterator[dict[str, Any]]) -> Iterator[Any]:
    """Rows for RETURN $matches/$patterns/$paths (maps) or $elements/$pathElements (records)."""
    everything = plan.special in ("paths", "pathelements")
    names = [n for n in plan.aliases if everything or not n.startswith(DEFAULT_ALIAS_PREFIX)]
    if plan.special in ("patterns", "paths"):
        for row in rows:
            data = {n: row.get(n) for n in names}
            for key, value in row.items():  # depthAlias / pathAlias values
                if key not in plan.aliases:
                    data[key] = value
            yield data
        return
    for row in rows:
        for n in names:
            value = row.get(n)
            if isinstance(value, Document):
                yield value


__all__ = [
    "DEFAULT_ALIAS_PREFIX",
    "MatchPlan",
    "NodeFilter",
    "describe",
    "own_context",
    "run_match",
]
