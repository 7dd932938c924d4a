"""AST → plan: decide what SQLite does (filter, order, paging, counting, aggregating) and what
Python does (everything SQLite cannot express), then compile both once.

A ``SelectPlan`` is cached per statement object and catalog version (`get_plan`): executing a
repeated statement costs one dictionary lookup plus the work itself. Values (parameters, literals,
variables of enclosing queries) are *slots*: closures evaluated at execution time whose results
the storage layer binds as SQLite parameters.

Pushdown rules, in short:
- WHERE: conjuncts on properties, ``@rid``/``@type``/``@out``/``@in`` compared with values go to
  SQLite; a conjunct SQLite can only approximate (a path that may cross a link or a list) goes as
  a superset and is checked again in Python; the rest is evaluated in Python (the *residual*).
- ORDER BY on properties and ``@rid``/``@type``: SQLite, unless rows change shape first.
- SKIP/LIMIT: SQLite when nothing after the scan drops, adds or reorders rows.
- ``count(*)`` alone, and GROUP BY + count/sum/avg/min/max on properties: SQLite aggregates.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from ..exceptions import QueryError, SchemaError
from ..sql import ast as a
from ..storage import ir
from ..storage.catalog import TypeDef
from ..storage.query import Compiled, compile_aggregate, compile_count, compile_scan
from .context import Ctx
from .evaluate import Compiler
from .functions import GRAPH_FUNCTIONS, contains_aggregate, is_aggregate_call
from .walks import walk_shortcut

Fn = Callable[[Ctx], Any]
S = TypeVar("S", bound=a.Statement)
P = TypeVar("P")

_COLLECTION_TYPES = frozenset({"LIST", "MAP", "EMBEDDED", "ARRAY_OF_FLOATS", "LINK"})
# element types of an embedded map whose values SQLite can compare directly (no links, no lists)
_PLAIN_OF = frozenset({None, "BOOLEAN", "BYTE", "SHORT", "INTEGER", "LONG", "FLOAT", "DOUBLE",
                       "DECIMAL", "STRING", "DATE", "DATETIME"})  # fmt: skip
_PLAN_CACHE: dict[tuple[int, int], tuple[Any, int, Any]] = {}
_PLAN_CACHE_LIMIT = 4096
#: An IN list of more literal elements than this is bound as one JSON array (``json_each``).
LITERALS_BOUND_ONE_BY_ONE = 64
_plan_lock = threading.Lock()


def get_plan(statement: S, storage: Any, build: Callable[[S], P]) -> P:
    """The cached plan of a statement for this database's current schema (built when missing)."""
    key = (id(statement), id(storage))
    version = storage.catalog.version
    entry = _PLAN_CACHE.get(key)
    if entry is not None and entry[0] is statement and entry[1] == version:
        return entry[2]  # the plan build() made for it (the cache holds Any)
    plan = build(statement)
    with _plan_lock:
        if len(_PLAN_CACHE) >= _PLAN_CACHE_LIMIT:
            _PLAN_CACHE.clear()
        _PLAN_CACHE[key] = (statement, version, plan)
    return plan


# ------------------------------------------------------------------------------ the plan


class Projection:
    """One projected column: its name, its compiled function, its expression."""

    __slots__ = ("name", "fn", "expr")

    def __init__(self, name: str, fn: Fn, expr: a.Expr) -> None:
        self.name, self.fn, self.expr = name, fn, expr


class OrderTerm:
    """One ORDER BY key: read ``row_name`` from the projected row, else evaluate ``fn`` on the
    source row (or group)."""

    __slots__ = ("descending", "row_name", "fn")

    def __init__(self, descending: bool, row_name: str | None = None, fn: Fn | None = None) -> None:
        self.descending, self.row_name, self.fn = descending, row_name, fn


class SelectPlan:
    """What a SELECT does (built by Planner.select). Plain class attributes are the defaults;
    no dataclass: its generated code cost start-up time (each first query builds this module)."""

    statement: a.Select
    source: str  # "scan" "rids" "subquery" "schema" "none" "value" "bucket" "index"
    targets: list[TypeDef]
    slots: list[Fn]
    scan: Compiled | None = None
    count: Compiled | None = None
    count_name: str = "count(*)"
    aggregate: Compiled | None = None
    aggregate_layout: list[tuple[str, str, int]]
    target_fn: Fn | None = None
    subplan: Any = None
    schema_kind: str = ""
    lets: list[tuple[str, Fn, bool]]
    where: Callable[[Ctx], bool] | None = None
    projections: list[Projection] | None = None  # None: element rows
    star: bool = False
    expand: Fn | None = None
    distinct_fn: Fn | None = None
    aggregates: list[tuple[str, Fn | None, bool]] | None = None
    group_fns: list[Fn]
    unwind: tuple[str, ...] = ()
    distinct: bool = False
    order: list[OrderTerm]
    skip_fn: Fn | None = None
    limit_fn: Fn | None = None
    paged_in_storage: bool = False
    order_in_storage: bool = False
    pushed_where: Any = None
    # a graph walk (or a count over one) done in one SQLite statement (walks.py): the
    # statement's results, or None when it must run as written
    shortcut: Callable[[Ctx], list[Any] | None] | None = None

    def __init__(self, statement: a.Select, source: str) -> None:
        self.statement = statement
        self.source = source
        self.targets = []
        self.slots = []
        self.aggregate_layout = []
        self.lets = []
        self.group_fns = []
        self.order = []

    @property
    def simple(self) -> bool:
        """Element rows straight from the scan: nothing to do in Python but build records."""
        return (
            self.source == "scan"
            and self.scan is not None
            and not self.lets
            and self.where is None
            and self.projections is None
            and self.expand is None
            and not self.unwind
            and not self.distinct
            and not self.order
            and self.skip_fn is None
            and self.limit_fn is None
        )


# ------------------------------------------------------------------------------ helpers


def is_constant(node: Any, row_names: frozenset[str] = frozenset()) -> bool:
    """True when an expression's value is the same for every row of the query."""
    kind = type(node)
    if kind in (a.Literal, a.Param, a.RidLiteral):
        return True
    if kind is a.ListLiteral:
        return all(is_constant(x, row_names) for x in node.items)
    if kind is a.MapLiteral:
        return all(is_constant(v, row_names) for _, v in node.entries)
    if kind is a.BinaryOp:
        return is_constant(node.left, row_names) and is_constant(node.right, row_names)
    if kind is a.UnaryOp:
        return node.op != "NOT" and is_constant(node.operand, row_names)
    if kind is a.Variable:
        return node.name == "parent" or (
            node.name not in row_names and node.name not in ("current", "depth", "path", "this")
        )
    if kind is a.FieldAccess:
        return is_constant(node.target, row_names)
    if kind is a.MethodCall:
        return (
            node.name not in GRAPH_FUNCTIONS
            and is_constant(node.target, row_names)
            and all(is_constant(x, row_names) for x in node.args)
        )
    if kind is a.Case:
        return all(
            x is None or is_constant(x, row_names)
            for x in (node.subject, node.otherwise, *(part for when in node.whens for part in when))
        )
    if kind is a.FunctionCall:
        return (
            node.name not in GRAPH_FUNCTIONS
            and node.name not in ("expand", "distinct")
            and not is_aggregate_call(node)
            and not node.star
            and all(is_constant(x, row_names) for x in node.args)
        )
    return False


def _declared(targets: list[TypeDef], name: str) -> list[Any] | None:
    """The declarations of a property across the targets (None when some target lacks it)."""
    found = []
    for target in targets:
        prop = target.all_properties.get(name)
        if prop is None:
            return None
        found.append(prop)
    return found


# The SQLite types (ir.KINDS) the values of a declared property read back as; a property that
# some target does not declare, or declares otherwise, may hold any of them.
_KINDS_OF = {
    **dict.fromkeys(("BOOLEAN", "BYTE", "SHORT", "INTEGER", "LONG"), ("integer",)),
    **dict.fromkeys(("FLOAT", "DOUBLE"), ("real",)),
    "DECIMAL": ("integer", "real"),
    **dict.fromkeys(("STRING", "DATE", "DATETIME", "DATETIME_MICROS", "DATETIME_NANOS",
                     "DATETIME_SECOND", "BINARY", "LINK"), ("text",)),  # fmt: skip
}


def _value_kinds(targets: list[TypeDef], operand: Any) -> tuple[str, ...] | None:
    """The kinds a compared field may hold (None for record attributes: no conversion)."""
    if not isinstance(operand, ir.Field):
        return None
    props = _declared(targets, operand.path[0]) if len(operand.path) == 1 else None
    if not props:
        return ir.KINDS
    kinds: set[str] = set()
    for prop in props:
        if prop.type not in _KINDS_OF:
            return ir.KINDS
        kinds.update(_KINDS_OF[prop.type])
    return tuple(k for k in ir.KINDS if k in kinds)


def _scalar_declared(targets: list[TypeDef], name: str) -> bool:
    props = _declared(targets, name)
    return props is not None and all(p.type not in _COLLECTION_TYPES for p in props)


class _Translator:
    """Turns WHERE / ORDER BY expressions into storage IR where that is possible."""

    def __init__(self, targets: list[TypeDef], compiler: Compiler, row_names: frozenset[str]):
        self.targets = targets
        self.compiler = compiler
        self.row_names = row_names
        self.slots: list[Fn] = []
        self._slot_of: dict[int, ir.Value] = {}

    def value(self, node: a.Expr) -> ir.Value:
        found = self._slot_of.get(id(node))
        if found is None:
            self.slots.append(self.compiler.expr(node))
            found = self._slot_of[id(node)] = ir.Value(len(self.slots) - 1)
        return found

    # column: (ir operand, exact for comparisons, exact for IN/LIKE, guard for supersets)
    def column(self, node: a.Expr) -> tuple[Any, bool, bool, Any] | None:
        if isinstance(node, a.Identifier):
            if node.name.startswith("@"):
                if node.name in ir.SPECIALS:
                    return ir.Special(node.name), True, True, None
                return None
            fld = ir.Field((node.name,))
            scalar = _scalar_declared(self.targets, node.name)
            return fld, True, scalar, None if scalar else ir.JsonType(fld, ("array",))
        if isinstance(node, a.FieldPath):
            fld = ir.Field(node.parts)
            first = _declared(self.targets, node.parts[0])
            embedded = (
                first is not None
                and len(node.parts) == 2
                and all(p.type in ("EMBEDDED", "MAP") and p.of_type in _PLAIN_OF for p in first)
            )
            if embedded:
                return fld, True, False, ir.JsonType(fld, ("array",))
            prefixes = [
                ir.JsonType(ir.Field(node.parts[:i]), ("text", "array"))
                for i in range(1, len(node.parts))
            ]
            guard = prefixes[0] if len(prefixes) == 1 else ir.Or(tuple(prefixes))
            return fld, False, False, ir.Or((guard, ir.JsonType(fld, ("array",))))
        return None

    def const(self, node: a.Expr) -> bool:
        return is_constant(node, self.row_names)

    def condition(self, node: a.Expr) -> tuple[Any, bool] | None:
        """(IR, exact) for a condition, or None when SQLite cannot decide it."""
        atom: Any
        if isinstance(node, a.And):
            parts = [self.condition(x) for x in node.operands]
            if any(p is None for p in parts):
                return None
            return ir.And(tuple(p[0] for p in parts)), all(p[1] for p in parts)  # type: ignore[index]  # no part is None here
        if isinstance(node, a.Or):
            parts = [self.condition(x) for x in node.operands]
            if any(p is None for p in parts):
                return None
            return ir.Or(tuple(p[0] for p in parts)), all(p[1] for p in parts)  # type: ignore[index]  # no part is None here
        if isinstance(node, a.UnaryOp) and node.op == "NOT":
            inner = self.condition(node.operand)
            if inner is None or not inner[1]:
                return None
            return ir.Not(inner[0]), True
        if isinstance(node, a.Comparison):
            return self._comparison(node)
        if isinstance(node, a.Between):
            col = self.column(node.expr)
            if col is None or not self.const(node.low) or not self.const(node.high):
                return None
            kinds = _value_kinds(self.targets, col[0])
            atom = ir.Between(col[0], self.value(node.low), self.value(node.high), kinds)
            return self._guarded(atom, col, col[1])
        if isinstance(node, (a.IsNull, a.IsNotNull)):
            col = self.column(node.expr)
            if col is None:
                return None
            atom = ir.IsNull(col[0])
            if isinstance(node, a.IsNotNull):
                if not col[1]:
                    return None
                return ir.Not(atom), True
            return self._guarded(atom, col, col[1])
        if isinstance(node, (a.IsDefined, a.IsNotDefined)):
            if isinstance(node.expr, a.Identifier) and not node.expr.name.startswith("@"):
                atom = ir.IsDefined(ir.Field((node.expr.name,)))
                return (atom if isinstance(node, a.IsDefined) else ir.Not(atom)), True
            return None
        return None

    def _guarded(self, atom: Any, col: tuple, exact: bool) -> tuple[Any, bool]:
        if exact:
            return atom, True
        return ir.Or((atom, col[3])), False

    def _comparison(self, node: a.Comparison) -> tuple[Any, bool] | None:
        op = node.op
        atom: Any
        if op in ("=", "<>", "<", "<=", ">", ">="):
            left, right = node.left, node.right
            col = self.column(left)
            swapped = False
            if col is None or not self.const(right):
                col = self.column(right)
                if col is None or not self.const(left):
                    return None
                left, right = right, left
                op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
                swapped = True
            if isinstance(col[0], ir.Special) and col[0].name == "@type" and op not in ("=", "<>"):
                return None
            kinds = _value_kinds(self.targets, col[0])
            if swapped and kinds is not None:
                # value op field converts the field to the value's type: SQLite selects the rows
                # of the value's kind exactly and every row of the other kind, Python decides
                if op == "<>":
                    return None
                atom = ir.Compare(op, col[0], self.value(right), kinds, True)
                return (atom if col[3] is None else ir.Or((atom, col[3]))), False
            atom = ir.Compare(op, col[0], self.value(right), kinds)
            if op == "<>":
                if not col[1]:
                    return None
                return atom, True
            return self._guarded(atom, col, col[1])
        if op in ("IN", "NOT IN", "NOT_IN"):
            col = self.column(node.left)
            if col is None:
                return None
            right = node.right
            if isinstance(right, a.ListLiteral):
                if not all(self.const(x) for x in right.items):
                    return None
                if len(right.items) > LITERALS_BOUND_ONE_BY_ONE:
                    # one value holding the list, as ``IN ?``: SQLite binds at most 32,766
                    # parameters per statement
                    values: Any = self.value(right)
                else:
                    values = tuple(self.value(x) for x in right.items)
            elif isinstance(right, (a.Param, a.Variable)) and self.const(right):
                values = self.value(right)
            else:
                return None
            atom = ir.In(col[0], values, _value_kinds(self.targets, col[0]))
            exact = col[2]
            if op != "IN":
                return (ir.Not(atom), True) if exact else None
            return self._guarded(atom, col, exact)
        if op == "LIKE":
            col = self.column(node.left)
            if col is None or isinstance(col[0], ir.Special) or not self.const(node.right):
                return None
            atom = ir.Like(col[0], self.value(node.right))
            return self._guarded(atom, col, col[2])
        return None

    def order_key(self, node: a.Expr) -> Any:
        col = self.column(node)
        if col is None or not col[1]:
            return None
        if isinstance(col[0], ir.Special) and col[0].name in ("@out", "@in"):
            return None
        if isinstance(col[0], ir.Field):
            props = _declared(self.targets, col[0].path[0]) or []
            if any(p.type == "LINK" for p in props):
                return None  # links sort by bucket then position, not by their "#b:p" text
        return col[0]


def group_exprs(group_by: tuple, projections: tuple) -> tuple:
    """GROUP BY items, with projection aliases replaced by the projected expressions."""
    aliases = {p.alias: p.expr for p in projections if p.alias}
    return tuple(
        aliases[g.name] if isinstance(g, a.Identifier) and g.name in aliases else g
        for g in group_by
    )


def projection_name(p: a.Projection) -> str:
    if p.alias:
        return p.alias
    if isinstance(p.expr, a.Identifier):
        return p.expr.name
    if isinstance(p.expr, a.FieldPath):
        return ".".join(p.expr.parts)
    return p.text.strip() or "value"


# ------------------------------------------------------------------------------ planning


class Planner:
    """Builds plans; ``subquery`` compiles nested statements through the executor."""

    def __init__(self, storage: Any, subquery: Callable[[a.Statement], Fn]) -> None:
        self.storage = storage
        self.subquery = subquery

    def compiler(self, aggregates: list | None = None) -> Compiler:
        return Compiler(self.subquery, aggregates)

    def resolve_type(self, name: str) -> TypeDef:
        return self.storage.catalog.get(name, sql="")

    def select(self, stmt: a.Select) -> SelectPlan:
        plan = SelectPlan(stmt, "none")
        compiler = self.compiler()
        let_names = frozenset(item.name for item in stmt.let)
        target = stmt.target

        # ---- source
        if isinstance(target, a.TypeTarget):
            plan.source = "scan"
            plan.targets = list(self.resolve_type(target.name).polymorphic)
        elif isinstance(target, a.BucketTarget):
            plan.source = "scan"
            plan.targets = [self._bucket(target.name)]
        elif isinstance(target, a.SchemaTarget):
            if target.kind not in ("types", "indexes", "database"):
                raise QueryError(
                    f"Unknown schema target 'schema:{target.kind}': use schema:types, "
                    "schema:indexes or schema:database"
                )
            plan.source, plan.schema_kind = "schema", target.kind
        elif isinstance(target, a.IndexTarget):
            if target.name not in self.storage.catalog.indexes:
                raise SchemaError(f"Index '{target.name}' does not exist")
            plan.source, plan.schema_kind = "index", target.name
        elif isinstance(target, a.Subquery):
            plan.source = "subquery"
            plan.target_fn = self.subquery(target.statement)
        elif target is None:
            plan.source = "none"
        else:  # RID, list of RIDs, parameter, variable
            plan.source = "value"
            plan.target_fn = compiler.expr(target)

        # ---- LET
        for item in stmt.let:
            value = item.value
            per_row = not is_constant(value, let_names) and not (
                isinstance(value, a.Subquery) and not _correlated(value.statement)
            )
            plan.lets.append((item.name, compiler.expr(value), per_row))

        # ---- WHERE: split between SQLite and Python
        residual: list[a.Expr] = []
        translator = _Translator(plan.targets, compiler, let_names)
        pushed: list[Any] = []
        if stmt.where is not None:
            conjuncts = stmt.where.operands if isinstance(stmt.where, a.And) else (stmt.where,)
            for conjunct in conjuncts:
                got = translator.condition(conjunct) if plan.source == "scan" else None
                if got is None:
                    residual.append(conjunct)
                else:
                    pushed.append(got[0])
                    if not got[1]:
                        residual.append(conjunct)
        if residual:
            condition = (
                compiler.condition(residual[0])
                if len(residual) == 1
                else compiler.condition(a.And(tuple(residual)))
            )
            plan.where = condition
        storage_filter = None if not pushed else pushed[0] if len(pushed) == 1 else ir.And(
            tuple(pushed))  # fmt: skip
        plan.pushed_where = storage_filter

        # ---- projections
        projections = stmt.projections
        star_only = len(projections) == 1 and isinstance(projections[0].expr, a.Star)
        expand_calls = [
            p for p in projections
            if isinstance(p.expr, a.FunctionCall) and p.expr.name == "expand"
        ]  # fmt: skip
        aggregating = bool(stmt.group_by) or any(contains_aggregate(p.expr) for p in projections)
        agg_list: list | None = [] if aggregating else None
        proj_compiler = self.compiler(agg_list)
        if expand_calls:
            if len(projections) != 1:
                raise QueryError("expand() cannot be used together with other projections")
            call = expand_calls[0].expr
            if len(call.args) != 1:  # type: ignore[attr-defined]  # an expand() projection is a function call
                raise QueryError("expand() takes exactly one argument")
            plan.expand = proj_compiler.expr(call.args[0])  # type: ignore[attr-defined]  # an expand() projection is a function call
        elif projections and not star_only:
            plan.projections = []
            for p in projections:
                if isinstance(p.expr, a.Star):
                    plan.star = True
                    continue
                if (
                    isinstance(p.expr, a.FunctionCall)
                    and p.expr.name == "distinct"
                    and len(p.expr.args) == 1
                ):
                    fn = proj_compiler.expr(p.expr.args[0])
                    plan.distinct_fn = fn
                else:
                    fn = proj_compiler.expr(p.expr)
                plan.projections.append(Projection(projection_name(p), fn, p.expr))
        plan.aggregates = agg_list
        group_by = group_exprs(stmt.group_by, projections)
        if aggregating:
            group_compiler = self.compiler()
            plan.group_fns = [group_compiler.expr(g) for g in group_by]

        plan.unwind = stmt.unwind
        plan.distinct = stmt.distinct

        # ---- ORDER BY
        names = {p.name: p for p in plan.projections or []}
        order_ir: list[ir.OrderKey] = []
        for order_item in stmt.order_by:
            term = OrderTerm(order_item.descending)
            matched = None
            if isinstance(order_item.expr, a.Identifier) and order_item.expr.name in names:
                matched = names[order_item.expr.name]
            elif (isinstance(order_item.expr, a.FieldPath)
                  and ".".join(order_item.expr.parts) in names):  # fmt: skip
                matched = names[".".join(order_item.expr.parts)]
            else:
                for projection in plan.projections or []:
                    if projection.expr == order_item.expr:
                        matched = projection
                        break
            if matched is not None:
                term.row_name = matched.name
                key_expr = matched.expr
            else:
                term.fn = (proj_compiler if aggregating else compiler).expr(order_item.expr)
                key_expr = order_item.expr
            plan.order.append(term)
            if plan.source == "scan" and not aggregating:
                key = translator.order_key(key_expr) if (
                    matched is None or isinstance(matched.expr, (a.Identifier, a.FieldPath))
                ) else None  # fmt: skip
                order_ir.append(ir.OrderKey(key, order_item.descending) if key is not None else None)  # type: ignore[arg-type]  # None marks a key SQLite cannot order by (checked below)

        # ---- SKIP / LIMIT
        if stmt.skip is not None:
            plan.skip_fn = compiler.expr(stmt.skip)
        if stmt.limit is not None:
            plan.limit_fn = compiler.expr(stmt.limit)

        # ---- what SQLite does
        if plan.source == "scan":
            reshapes = bool(plan.unwind or plan.distinct or plan.expand is not None or aggregating
                            or plan.distinct_fn is not None)  # fmt: skip
            order_pushable = (
                bool(order_ir) and all(k is not None for k in order_ir) and not reshapes
            )
            if order_pushable:
                plan.order_in_storage = True
            page = (not reshapes and plan.where is None and (not plan.order or order_pushable)
                    and not plan.lets)  # fmt: skip
            skip_v = limit_v = None
            if page and (stmt.skip is not None or stmt.limit is not None):
                if stmt.skip is not None and is_constant(stmt.skip, let_names):
                    skip_v = translator.value(stmt.skip)
                if stmt.limit is not None and is_constant(stmt.limit, let_names):
                    limit_v = translator.value(stmt.limit)
                if (stmt.skip is None or skip_v is not None) and (
                    stmt.limit is None or limit_v is not None
                ):
                    plan.paged_in_storage = True
                    plan.skip_fn = plan.limit_fn = None
                else:
                    skip_v = limit_v = None
            plan.scan = compile_scan(
                plan.targets,
                storage_filter,
                tuple(order_ir) if plan.order_in_storage else (),
                skip_v,
                limit_v,
            )
            if plan.order_in_storage:
                plan.order = []
            self._aggregate_pushdown(plan, stmt, group_by, translator, storage_filter)
        plan.slots = translator.slots
        if plan.source in ("subquery", "value") and len(projections) == 1:
            plan.shortcut = walk_shortcut(stmt, compiler.expr, projection_name(projections[0]))
        return plan

    def _bucket(self, name: str | int) -> TypeDef:
        catalog = self.storage.catalog
        if isinstance(name, int) or (isinstance(name, str) and name.isdigit()):
            type_def = catalog.by_id.get(int(name))
        else:
            type_def = catalog.types.get(name)
            if type_def is None and "_" in name:
                base, _, suffix = name.rpartition("_")
                if suffix.isdigit():
                    type_def = catalog.types.get(base)
        if type_def is None:
            raise SchemaError(f"Bucket '{name}' was not found")
        return type_def

    def _aggregate_pushdown(self, plan: SelectPlan, stmt: a.Select, group_by: tuple,
                            translator: _Translator, storage_filter: Any) -> None:  # fmt: skip
        """count(*) alone, or GROUP BY + aggregates over properties, computed by SQLite."""
        if plan.aggregates is None or plan.where is not None or plan.lets or plan.unwind:
            return
        if plan.projections is None or plan.star or plan.distinct_fn is not None:
            return
        if any(term.fn is not None for term in plan.order):
            return
        projections = stmt.projections
        if (
            len(projections) == 1
            and isinstance(projections[0].expr, a.FunctionCall)
            and projections[0].expr.name == "count"
            and projections[0].expr.star
            and not stmt.group_by
        ):
            plan.count = compile_count(plan.targets, storage_filter)
            plan.count_name = plan.projections[0].name
            return
        group_ir = []
        for g in group_by:
            col = translator.column(g)
            if (
                col is None
                or not col[1]
                or isinstance(col[0], ir.Special)
                and (col[0].name != "@type")
            ):
                return
            group_ir.append(col[0])
        aggregates: list[ir.Aggregate] = []
        layout: list[tuple[str, str, int]] = []
        for p, proj in zip(projections, plan.projections):
            expr = p.expr
            if isinstance(expr, a.FunctionCall) and expr.name in (
                "count", "sum", "avg", "min", "max"
            ) and not expr.distinct and is_aggregate_call(expr):  # fmt: skip
                if expr.star:
                    arg = None
                else:
                    col = translator.column(expr.args[0])
                    if col is None or not col[1] or isinstance(col[0], ir.Special):
                        return
                    arg = col[0]
                layout.append((proj.name, expr.name, len(aggregates)))
                aggregates.append(ir.Aggregate(expr.name, arg))
            elif expr in group_by:
                layout.append((proj.name, "group", group_by.index(expr)))
            else:
                return
        plan.aggregate = compile_aggregate(
            plan.targets, tuple(group_ir), tuple(aggregates), storage_filter
        )
        plan.aggregate_layout = layout


def _correlated(statement: Any) -> bool:
    """Does a sub-query refer to the enclosing row ($parent / $current)?"""
    return any(
        isinstance(item, a.Variable) and item.name in ("parent", "current")
        for item in a.walk(statement)
    )


__all__ = ["OrderTerm", "Planner", "Projection", "SelectPlan", "get_plan", "is_constant"]
