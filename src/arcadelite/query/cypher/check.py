"""Compile-time checks of a Cypher statement, before anything runs or is written.

Variable scope through the clauses (``UndefinedVariable``), what a variable is (a node, a
relationship, a path: ``VariableTypeConflict``, ``VariableAlreadyBound``), where aggregates may
appear (``InvalidAggregation``, ``AmbiguousAggregationExpression``), column names, CREATE/MERGE
pattern rules and the function names. Each failure is a `CypherSemanticError` naming the rule,
the variable or expression, and the clause.
"""

from __future__ import annotations

from typing import Any

from ...cypher import ast as c
from ...exceptions import QueryError
from .evaluate import AGGREGATES, FUNCTIONS

NODE, REL, RELS, PATH, ANY = "node", "relationship", "relationships", "path", "value"
LIST, CONSTANT = "list", "constant"  # what a projected literal is (never a node or relationship)
_SPECIAL_FUNCTIONS = frozenset({"exists", "coalesce"})
_ENTITY_ONLY = {  # function → the kinds of variable it cannot take
    "type": {NODE, PATH, RELS},
    "length": {NODE, REL},
    "size": {PATH},
    "labels": {REL, PATH},
}


class CypherSemanticError(QueryError):
    """A statement that parses but cannot run (its detail: the openCypher error name)."""

    def __init__(self, detail: str, message: str) -> None:
        super().__init__(f"{detail}: {message}")
        self.detail = detail


def check(statement: c.Statement) -> None:
    """Raise CypherSemanticError when the statement breaks a compile-time rule."""
    if isinstance(statement, (c.Explain, c.Profile)):
        check(statement.query)
    elif isinstance(statement, c.Union):
        for query in statement.queries:
            _Checker().query(query, {})
    elif isinstance(statement, c.SingleQuery):
        _Checker().query(statement, {})


class _Checker:
    def query(self, query: c.SingleQuery, scope: dict[str, str]) -> dict[str, str]:
        scope = dict(scope)
        for clause in query.clauses:
            scope = self.clause(clause, scope)
        return scope

    def clause(self, clause: c.Clause, scope: dict[str, str]) -> dict[str, str]:
        if isinstance(clause, c.Match):
            self.match_patterns(clause.patterns, scope)
            if clause.where is not None:
                self.expr(clause.where, scope, "WHERE")
            return scope
        if isinstance(clause, c.Unwind):
            self.expr(clause.expression, scope, "UNWIND")
            scope[clause.variable] = ANY
            return scope
        if isinstance(clause, (c.With, c.Return)):
            return self.projection(clause, scope)
        if isinstance(clause, c.Create):
            declared: set[str] = set()
            for pattern in clause.patterns:
                self.create_pattern(pattern, scope, declared, "CREATE")
            return scope
        if isinstance(clause, c.Merge):
            self.create_pattern(clause.pattern, scope, set(), "MERGE")
            for item in clause.on_create + clause.on_match:
                self.set_item(item, scope)
            return scope
        if isinstance(clause, c.SetClause):
            for item in clause.items:
                self.set_item(item, scope)
            return scope
        if isinstance(clause, c.Remove):
            for removal in clause.items:
                if isinstance(removal, c.RemoveProperty):
                    self.expr(removal.target, scope, "REMOVE")
                else:
                    self.variable(removal.variable, scope, "REMOVE")
            return scope
        if isinstance(clause, c.Delete):
            for expr in clause.expressions:
                if isinstance(expr, c.HasLabels):
                    raise CypherSemanticError("InvalidDelete", "DELETE removes nodes, "
                                              "relationships or paths, not labels: use REMOVE")  # fmt: skip
                if isinstance(expr, (c.Literal, c.BinaryOp, c.UnaryOp, c.MapLiteral)):
                    raise CypherSemanticError("InvalidArgumentType",
                                              "DELETE needs a node, relationship or path")  # fmt: skip
                self.expr(expr, scope, "DELETE")
            return scope
        if isinstance(clause, c.Foreach):
            self.expr(clause.source, scope, "FOREACH")
            inner = dict(scope)
            inner[clause.variable] = ANY
            for sub in clause.clauses:
                inner = self.clause(sub, inner)
            return scope
        if isinstance(clause, c.CallSubquery):
            if isinstance(clause.query, c.SingleQuery):
                inner = self.query(clause.query, scope)
                returned = [x for x in clause.query.clauses if isinstance(x, c.Return)]
                if returned:
                    scope = dict(scope)
                    for projected in returned[0].items:
                        scope[projected.name] = inner.get(projected.name, ANY)
            return scope
        if isinstance(clause, c.Call):
            for arg in clause.arguments or ():
                self.expr(arg, scope, "CALL")
            for yielded in clause.yield_items:
                scope[yielded.alias or yielded.field] = ANY
            return scope
        return scope

    # ------------------------------------------------------------------------- patterns

    def match_patterns(self, patterns: tuple[c.PathPattern, ...], scope: dict[str, str]) -> None:
        rels_here: set[str] = set()
        for pattern in patterns:
            if pattern.variable is not None:
                if pattern.variable in scope:
                    raise CypherSemanticError("VariableAlreadyBound",
                                              f"Variable '{pattern.variable}' is already bound")  # fmt: skip
            for element in pattern.elements:
                if isinstance(element, c.NodePattern):
                    self.declare(element.variable, NODE, scope)
                    if element.properties is not None:
                        self.expr(element.properties, scope, "MATCH")
                else:
                    name = element.variable
                    kind = RELS if element.length is not None else REL
                    if name is not None:
                        if name in rels_here:
                            raise CypherSemanticError("RelationshipUniquenessViolation",
                                                      f"Relationship '{name}' is used twice in one MATCH")  # fmt: skip
                        rels_here.add(name)
                    self.declare(name, kind, scope)
                    if element.properties is not None:
                        self.expr(element.properties, scope, "MATCH")
            if pattern.variable is not None:
                scope[pattern.variable] = PATH

    def declare(self, name: str | None, kind: str, scope: dict[str, str]) -> None:
        if name is None:
            return
        known = scope.get(name)
        if known is None or known == ANY:
            scope.setdefault(name, kind)
            return
        if known == kind or {known, kind} == {REL, RELS} or (known == LIST and kind == RELS):
            return
        raise CypherSemanticError("VariableTypeConflict",
                                  f"Variable '{name}' is a {known}, not a {kind}")  # fmt: skip

    def create_pattern(self, pattern: c.PathPattern, scope: dict[str, str], declared: set[str],
                       clause: str) -> None:  # fmt: skip
        if pattern.variable is not None and pattern.variable in scope:
            raise CypherSemanticError("VariableAlreadyBound",
                                      f"Variable '{pattern.variable}' is already bound")  # fmt: skip
        single = len(pattern.elements) == 1
        for element in pattern.elements:
            if element.properties is not None:
                self.expr(element.properties, scope, clause)
            name = element.variable
            if isinstance(element, c.NodePattern):
                if name is not None and name in scope:
                    if element.labels or element.properties is not None or single:
                        raise CypherSemanticError(
                            "VariableAlreadyBound",
                            f"Variable '{name}' is already bound: {clause} cannot create it",
                        )
                    if scope[name] not in (NODE, ANY):
                        raise CypherSemanticError("VariableTypeConflict",
                                                  f"Variable '{name}' is a {scope[name]}, not a node")  # fmt: skip
                elif name is not None:
                    scope[name] = NODE
                    declared.add(name)
            else:
                if name is not None and name in scope:
                    raise CypherSemanticError("VariableAlreadyBound",
                                              f"Variable '{name}' is already bound: {clause} "
                                              "cannot create it")  # fmt: skip
                if len(element.types) != 1:
                    raise CypherSemanticError("NoSingleRelationshipType",
                                              f"A relationship to {clause} needs exactly one type")  # fmt: skip
                if clause == "CREATE" and element.direction == "both":
                    raise CypherSemanticError("RequiresDirectedRelationship",
                                              "A relationship to CREATE needs a direction")  # fmt: skip
                if element.length is not None:
                    raise CypherSemanticError("CreatingVarLength",
                                              f"A variable-length relationship cannot be {clause}d")  # fmt: skip
                if name is not None:
                    scope[name] = REL
        if pattern.variable is not None:
            scope[pattern.variable] = PATH

    def set_item(self, item: Any, scope: dict[str, str]) -> None:
        if isinstance(item, c.SetProperty):
            self.expr(item.target, scope, "SET")
            self.expr(item.value, scope, "SET")
        elif isinstance(item, (c.SetAllProperties, c.MergeProperties)):
            self.variable(item.variable, scope, "SET")
            self.expr(item.value, scope, "SET")
        elif isinstance(item, c.SetLabels):
            self.variable(item.variable, scope, "SET")

    # ----------------------------------------------------------------------- projections

    def projection(self, clause: c.With | c.Return, scope: dict[str, str]) -> dict[str, str]:
        what = "RETURN" if isinstance(clause, c.Return) else "WITH"
        if clause.star and not scope and what == "RETURN":
            raise CypherSemanticError("NoVariablesInScope", f"{what} * has no variables to project")
        names: list[str] = []
        new_scope: dict[str, str] = dict(scope) if clause.star else {}
        keys = [item.expression for item in clause.items if not _has_aggregate(item.expression)]
        aggregating = any(_has_aggregate(item.expression) for item in clause.items)
        for item in clause.items:
            self.expr(item.expression, scope, what, aggregates=True)
            if what == "WITH" and item.alias is None and not isinstance(item.expression, c.Variable):
                raise CypherSemanticError("NoExpressionAlias",
                                          f"Expression in WITH must be aliased (use AS): {item.text}")  # fmt: skip
            name = item.alias if item.alias is not None else (
                item.expression.name if isinstance(item.expression, c.Variable) and what == "WITH"
                else item.name)  # fmt: skip
            if name in names:
                raise CypherSemanticError("ColumnNameConflict",
                                          f"Column '{name}' is projected more than once in {what}")  # fmt: skip
            names.append(name)
            if _has_aggregate(item.expression):
                self.ambiguous(item.expression, keys, what)
            expression = item.expression
            new_scope[name] = _kind_of(expression, scope)
        order_scope = {**scope, **new_scope} if not aggregating and not clause.distinct else {
            **new_scope, **{k: v for k, v in scope.items() if k not in new_scope}}
        for sort in clause.order_by:
            if _has_aggregate(sort.expression):
                if not aggregating:
                    raise CypherSemanticError("InvalidAggregation",
                                              f"ORDER BY cannot aggregate when {what} does not")  # fmt: skip
                self.ambiguous(sort.expression, keys + [c.Variable(n) for n in names], what)
            self.expr(sort.expression, order_scope, "ORDER BY", aggregates=aggregating)
        for bound in (clause.skip, clause.limit):
            if bound is not None:
                self.expr(bound, {}, "SKIP/LIMIT")
                if any(isinstance(n, c.Variable) for n in c.walk(bound)):
                    raise CypherSemanticError("NonConstantExpression",
                                              "SKIP and LIMIT take constants or parameters")  # fmt: skip
        if isinstance(clause, c.With) and clause.where is not None:
            self.expr(clause.where, {**scope, **new_scope} if not aggregating else new_scope, "WHERE")
        return new_scope

    def ambiguous(self, expr: c.Expr, keys: list[c.Expr], what: str) -> None:
        """Outside its aggregates, an aggregating expression may use only grouping keys."""
        def visit(node: object, local: frozenset[str]) -> None:
            if isinstance(node, c.Expr) and node in keys:
                return
            if _is_aggregate(node):
                return
            if isinstance(node, c.Variable):
                if node.name not in local:
                    raise CypherSemanticError(
                        "AmbiguousAggregationExpression",
                        f"'{node.name}' in an aggregating {what} expression is not a grouping key",
                    )
                return
            if isinstance(node, (c.ListComprehension, c.Quantifier)):
                visit(node.source, local)
                inner = local | {node.variable}
                for part in (node.where, getattr(node, "projection", None)):
                    if part is not None:
                        visit(part, inner)
                return
            if isinstance(node, c.Node):
                for name in c.slot_names(node):
                    visit(getattr(node, name), local)
            elif isinstance(node, tuple):
                for part in node:
                    visit(part, local)

        visit(expr, frozenset())

    # ----------------------------------------------------------------------- expressions

    def variable(self, name: str, scope: dict[str, str], where: str) -> None:
        if name not in scope:
            raise CypherSemanticError("UndefinedVariable", f"Variable '{name}' not defined ({where})")

    def expr(self, expr: object, scope: dict[str, str], where: str, aggregates: bool = False,
             inside_aggregate: bool = False) -> None:  # fmt: skip
        if isinstance(expr, c.Variable):
            self.variable(expr.name, scope, where)
            return
        if isinstance(expr, c.CountStar) or (isinstance(expr, c.FunctionCall) and expr.name in AGGREGATES):
            if not aggregates:
                raise CypherSemanticError("InvalidAggregation",
                                          f"Aggregation is not allowed in {where}")  # fmt: skip
            if inside_aggregate:
                raise CypherSemanticError("NestedAggregation", "Aggregations cannot be nested")
            if isinstance(expr, c.FunctionCall):
                for arg in expr.args:
                    if any(isinstance(n, c.FunctionCall) and n.name == "rand" for n in c.walk(arg)):
                        raise CypherSemanticError("NonConstantExpression",
                                                  "rand() cannot be aggregated")  # fmt: skip
                    self.expr(arg, scope, where, aggregates, True)
            return
        if isinstance(expr, c.FunctionCall):
            if expr.name not in FUNCTIONS and expr.name not in _SPECIAL_FUNCTIONS:
                raise CypherSemanticError("UnknownFunction", f"Unknown function '{expr.name}'")
            banned = _ENTITY_ONLY.get(expr.name)
            if banned and len(expr.args) == 1 and isinstance(expr.args[0], c.Variable):
                kind = scope.get(expr.args[0].name)
                if kind in banned:
                    raise CypherSemanticError("InvalidArgumentType",
                                              f"{expr.name}() cannot take a {kind}")  # fmt: skip
            for arg in expr.args:
                self.expr(arg, scope, where, aggregates, inside_aggregate)
            return
        if isinstance(expr, c.Property) and isinstance(expr.subject, c.Variable):
            if scope.get(expr.subject.name) in (PATH, RELS):
                raise CypherSemanticError("InvalidArgumentType",
                                          f"A {scope[expr.subject.name]} has no properties")  # fmt: skip
        if isinstance(expr, (c.ListComprehension, c.Quantifier)):
            self.expr(expr.source, scope, where, aggregates, inside_aggregate)
            inner = {**scope, expr.variable: ANY}
            for part in (expr.where, getattr(expr, "projection", None)):
                if part is not None:
                    self.expr(part, inner, where, False, inside_aggregate)
            return
        if isinstance(expr, c.Reduce):
            self.expr(expr.initial, scope, where, aggregates, inside_aggregate)
            self.expr(expr.source, scope, where, aggregates, inside_aggregate)
            inner = {**scope, expr.accumulator: ANY, expr.variable: ANY}
            self.expr(expr.expression, inner, where, False, inside_aggregate)
            return
        if isinstance(expr, (c.PatternPredicate, c.PatternComprehension)):
            pattern = expr.pattern
            inner = dict(scope)
            for element in pattern.elements:
                if element.variable is not None and element.variable not in inner:
                    if isinstance(expr, c.PatternPredicate):
                        raise CypherSemanticError(
                            "UndefinedVariable",
                            f"Variable '{element.variable}' not defined (a pattern predicate "
                            "cannot introduce variables)",
                        )
                    inner[element.variable] = ANY
                if element.properties is not None:
                    self.expr(element.properties, inner, where, False, inside_aggregate)
            if pattern.variable is not None:
                inner[pattern.variable] = PATH
            if isinstance(expr, c.PatternComprehension):
                if expr.where is not None:
                    self.expr(expr.where, inner, where, False, inside_aggregate)
                self.expr(expr.projection, inner, where, False, inside_aggregate)
            return
        if isinstance(expr, (c.ExistsSubquery, c.CountSubquery)):
            return  # checked when it runs, with the outer row's variables
        if isinstance(expr, c.MapProjection):
            self.expr(expr.subject, scope, where, aggregates, inside_aggregate)
            for selector in expr.selectors:
                if isinstance(selector, tuple):
                    self.expr(selector[1], scope, where, aggregates, inside_aggregate)
            return
        if isinstance(expr, c.Node):
            for name in c.slot_names(expr):
                self.expr(getattr(expr, name), scope, where, aggregates, inside_aggregate)
        elif isinstance(expr, tuple):
            for part in expr:
                self.expr(part, scope, where, aggregates, inside_aggregate)


def _kind_of(expression: c.Expr, scope: dict[str, str]) -> str:
    if isinstance(expression, c.Variable):
        return scope.get(expression.name, ANY)
    if isinstance(expression, c.ListLiteral):
        return LIST
    if isinstance(expression, (c.Literal, c.MapLiteral)) and not (
        isinstance(expression, c.Literal) and expression.value is None
    ):
        return CONSTANT
    return ANY


def _is_aggregate(node: object) -> bool:
    return isinstance(node, c.CountStar) or (isinstance(node, c.FunctionCall) and node.name in AGGREGATES)


def _has_aggregate(expr: object) -> bool:
    return any(_is_aggregate(node) for node in c.walk(expr))


__all__ = ["CypherSemanticError", "check"]
