"""Typed AST of openCypher: what `arcadelite.cypher.parse` returns.

Every node is a frozen, slotted dataclass (the `Node` base of the SQL AST: equality, hashing and
repr by field values), so nodes are immutable, hashable and safe to share across threads and the
parse cache; sequences are tuples. Nodes are built for pattern matching
(``case Comparison("=", Property(Variable(v), key), Parameter(p)):``).

Conventions
  * Keywords and function names are case-insensitive in Cypher: function names are lower-cased,
    dotted namespaces kept (``count``, ``tolower``, ``duration.inseconds``). Variables, labels,
    relationship types, property keys and map keys keep their case.
  * ``$name`` is ``Parameter("name")``; ``$0`` is ``Parameter(0)`` (digits give an int key).
  * Negative number literals are folded: ``-5`` is ``Literal(-5)``.
  * ``AND``/``OR``/``XOR`` chains are flattened into one n-ary node; a comparison chain
    ``a < b < c`` is ``And((Comparison("<", a, b), Comparison("<", b, c)))`` as Cypher defines it.
  * A path pattern's ``elements`` alternate node and relationship patterns, starting and ending with
    a node: ``(a)-[r]->(b)`` is ``(NodePattern a, RelationshipPattern r, NodePattern b)``.
"""

from __future__ import annotations

from collections.abc import Iterator

from arcadelite.sql.ast import Node
from arcadelite.sql.ast import _node as _node  # the one node decorator, shared with SQL's AST


class Expr(Node):
    """Base of every expression node."""

    __slots__ = ()


class Clause(Node):
    """Base of every clause node (MATCH, WITH, CREATE ...)."""

    __slots__ = ()


class Statement(Node):
    """Base of what `parse` returns: a query, a union of queries, EXPLAIN/PROFILE of one."""

    __slots__ = ()


def slot_names(node: Node) -> tuple[str, ...]:
    """The field names of an AST node (every node class is slotted)."""
    names: tuple[str, ...] = node.__slots__
    return names


def walk(root: object) -> Iterator[object]:
    """Every node (and tuple item) under ``root``, depth first, sub-queries included."""
    stack = [root]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, tuple):
            stack.extend(item)
        elif isinstance(item, Node):
            stack.extend(getattr(item, name) for name in slot_names(item))


# ---------------------------------------------------------------------------------------- values


@_node
class Literal(Expr):
    """A constant: None, bool, int (64-bit range), float or str."""

    value: object


@_node
class Parameter(Expr):
    """``$name`` (str key) or ``$0`` (int key); bound at execution, never at parse time."""

    key: str | int


@_node
class Variable(Expr):
    """A variable bound by a pattern, UNWIND, WITH/RETURN alias, comprehension or FOREACH."""

    name: str


@_node
class ListLiteral(Expr):
    items: tuple[Expr, ...]


@_node
class MapLiteral(Expr):
    """``{k: v, ...}``: entries in text order (also a pattern's inline property map)."""

    entries: tuple[tuple[str, Expr], ...]


# ------------------------------------------------------------------------------------ operators


@_node
class Or(Expr):
    operands: tuple[Expr, ...]


@_node
class Xor(Expr):
    operands: tuple[Expr, ...]


@_node
class And(Expr):
    operands: tuple[Expr, ...]


@_node
class Not(Expr):
    operand: Expr


@_node
class Comparison(Expr):
    """op is one of ``= <> < <= > >=`` (``!=`` becomes ``<>``)."""

    op: str
    left: Expr
    right: Expr


@_node
class StringPredicate(Expr):
    """op is ``STARTS WITH``, ``ENDS WITH``, ``CONTAINS`` or ``=~`` (a regular expression)."""

    op: str
    left: Expr
    right: Expr


@_node
class In(Expr):
    """``element IN container``."""

    element: Expr
    container: Expr


@_node
class IsNull(Expr):
    operand: Expr


@_node
class IsNotNull(Expr):
    operand: Expr


@_node
class BinaryOp(Expr):
    """Arithmetic (and list/string concatenation for ``+``): op is ``+ - * / % ^``."""

    op: str
    left: Expr
    right: Expr


@_node
class UnaryOp(Expr):
    """op is ``-`` or ``+`` (on a non-literal operand; literals are folded)."""

    op: str
    operand: Expr


@_node
class HasLabels(Expr):
    """The label test ``n:A:B`` (true when n has every label)."""

    subject: Expr
    labels: tuple[str, ...]


# ----------------------------------------------------------------------------- access and calls


@_node
class Property(Expr):
    """``subject.key``."""

    subject: Expr
    key: str


@_node
class Subscript(Expr):
    """``subject[index]``: a list position (negative from the end) or a map key."""

    subject: Expr
    index: Expr


@_node
class Slice(Expr):
    """``subject[start..end]``; a missing bound is None."""

    subject: Expr
    start: Expr | None
    end: Expr | None


@_node
class FunctionCall(Expr):
    """``name(args)``, ``name(DISTINCT args)``; name lower-cased, namespaces kept with dots."""

    name: str
    args: tuple[Expr, ...] = ()
    distinct: bool = False


@_node
class CountStar(Expr):
    """``count(*)``."""


@_node
class Case(Expr):
    """``CASE [subject] WHEN w THEN x ... [ELSE y] END``.

    subject None is the searched form (each ``w`` a condition); otherwise the simple form
    (``subject = w``). No match and no ELSE gives null.
    """

    subject: Expr | None
    whens: tuple[tuple[Expr, Expr], ...]
    otherwise: Expr | None = None


@_node
class ListComprehension(Expr):
    """``[variable IN source WHERE where | projection]`` (where, projection optional)."""

    variable: str
    source: Expr
    where: Expr | None = None
    projection: Expr | None = None


@_node
class Quantifier(Expr):
    """``all|any|none|single(variable IN source WHERE where)``; kind is lower-cased."""

    kind: str
    variable: str
    source: Expr
    where: Expr


@_node
class Reduce(Expr):
    """``reduce(accumulator = initial, variable IN source | expression)``."""

    accumulator: str
    initial: Expr
    variable: str
    source: Expr
    expression: Expr


@_node
class PropertySelector(Node):
    """``.key`` in a map projection."""

    key: str


@_node
class AllPropertiesSelector(Node):
    """``.*`` in a map projection."""


@_node
class MapProjection(Expr):
    """``v {.a, .*, k: expr, w}``; selectors are PropertySelector, AllPropertiesSelector or
    ``(key, expr)`` pairs (``w`` alone is ``("w", Variable("w"))``)."""

    subject: Variable
    selectors: tuple[PropertySelector | AllPropertiesSelector | tuple[str, Expr], ...]


# -------------------------------------------------------------------------------------- patterns


@_node
class NodePattern(Node):
    """``(variable:Label1:Label2 {properties})``; properties is a MapLiteral or a Parameter."""

    variable: str | None = None
    labels: tuple[str, ...] = ()
    properties: MapLiteral | Parameter | None = None


@_node
class VarLength(Node):
    """The ``*min..max`` of a variable-length relationship; None is unbounded (``*`` is both)."""

    min: int | None = None
    max: int | None = None


@_node
class RelationshipPattern(Node):
    """``-[variable:T1|T2 *min..max {properties}]->``.

    direction is ``"out"`` (``-->``, from the node on its left to the one on its right), ``"in"``
    (``<--``) or ``"both"`` (``--``, also ``<-->``: either way round).
    """

    variable: str | None = None
    types: tuple[str, ...] = ()
    direction: str = "both"
    length: VarLength | None = None
    properties: MapLiteral | Parameter | None = None


@_node
class PathPattern(Node):
    """``[variable =] [shortestPath|allShortestPaths](node (rel node)*)``.

    shortest is None, ``"shortest"`` (shortestPath) or ``"all"`` (allShortestPaths).
    """

    elements: tuple[NodePattern | RelationshipPattern, ...]
    variable: str | None = None
    shortest: str | None = None

    @property
    def nodes(self) -> tuple[NodePattern, ...]:
        return self.elements[0::2]  # type: ignore[return-value]  # even slots are nodes

    @property
    def relationships(self) -> tuple[RelationshipPattern, ...]:
        return self.elements[1::2]  # type: ignore[return-value]  # odd slots are relationships


@_node
class PatternPredicate(Expr):
    """A pattern used as a boolean (``WHERE (a)-[:T]->(:B)``): true when it has a match."""

    pattern: PathPattern


@_node
class PatternComprehension(Expr):
    """``[p = (a)-->(b) WHERE where | projection]``: one projection per match of the pattern."""

    pattern: PathPattern
    where: Expr | None
    projection: Expr


@_node
class ExistsSubquery(Expr):
    """``EXISTS { ... }``: true when the query yields a row. A bare ``EXISTS { pattern WHERE c }``
    is the query ``MATCH pattern WHERE c``."""

    query: Statement


@_node
class CountSubquery(Expr):
    """``COUNT { ... }``: how many rows the query yields (bare patterns as for EXISTS)."""

    query: Statement


# --------------------------------------------------------------------------------- clause parts


@_node
class ProjectionItem(Node):
    """One ``expression [AS alias]``; text is the expression's source text as written."""

    expression: Expr
    alias: str | None = None
    text: str = ""

    @property
    def name(self) -> str:
        """The column name: the alias, else the expression's text (``p.name``, ``count(*)``)."""
        return self.alias if self.alias is not None else self.text


@_node
class SortItem(Node):
    expression: Expr
    descending: bool = False


@_node
class SetProperty(Node):
    """``SET subject.key = value``."""

    target: Property
    value: Expr


@_node
class SetAllProperties(Node):
    """``SET n = {map}`` (replaces every property)."""

    variable: str
    value: Expr


@_node
class MergeProperties(Node):
    """``SET n += {map}`` (adds and overwrites, keeps the others)."""

    variable: str
    value: Expr


@_node
class SetLabels(Node):
    """``SET n:A:B``."""

    variable: str
    labels: tuple[str, ...]


SetItem = SetProperty | SetAllProperties | MergeProperties | SetLabels


@_node
class RemoveProperty(Node):
    """``REMOVE subject.key``."""

    target: Property


@_node
class RemoveLabels(Node):
    """``REMOVE n:A:B``."""

    variable: str
    labels: tuple[str, ...]


@_node
class YieldItem(Node):
    """``YIELD field [AS alias]`` of a procedure call."""

    field: str
    alias: str | None = None


# --------------------------------------------------------------------------------------- clauses


@_node
class Match(Clause):
    """``[OPTIONAL] MATCH patterns [WHERE where]``."""

    patterns: tuple[PathPattern, ...]
    where: Expr | None = None
    optional: bool = False


@_node
class Unwind(Clause):
    """``UNWIND expression AS variable``."""

    expression: Expr
    variable: str


@_node
class With(Clause):
    """``WITH [DISTINCT] [*,] items [ORDER BY] [SKIP] [LIMIT] [WHERE]``."""

    items: tuple[ProjectionItem, ...]
    star: bool = False
    distinct: bool = False
    order_by: tuple[SortItem, ...] = ()
    skip: Expr | None = None
    limit: Expr | None = None
    where: Expr | None = None


@_node
class Return(Clause):
    """``RETURN [DISTINCT] [*,] items [ORDER BY] [SKIP] [LIMIT]``."""

    items: tuple[ProjectionItem, ...]
    star: bool = False
    distinct: bool = False
    order_by: tuple[SortItem, ...] = ()
    skip: Expr | None = None
    limit: Expr | None = None


@_node
class Create(Clause):
    patterns: tuple[PathPattern, ...]


@_node
class Merge(Clause):
    """``MERGE pattern [ON CREATE SET ...] [ON MATCH SET ...]`` (repeated actions concatenated)."""

    pattern: PathPattern
    on_create: tuple[SetItem, ...] = ()
    on_match: tuple[SetItem, ...] = ()


@_node
class SetClause(Clause):
    items: tuple[SetItem, ...]


@_node
class Remove(Clause):
    items: tuple[RemoveProperty | RemoveLabels, ...]


@_node
class Delete(Clause):
    """``[DETACH] DELETE expressions``."""

    expressions: tuple[Expr, ...]
    detach: bool = False


@_node
class Foreach(Clause):
    """``FOREACH (variable IN source | clauses)``."""

    variable: str
    source: Expr
    clauses: tuple[Clause, ...]


@_node
class Call(Clause):
    """``CALL procedure(arguments) [YIELD ...]``.

    arguments None is the standalone form without parentheses (arguments from the parameters);
    yield_all is ``YIELD *``.
    """

    procedure: str
    arguments: tuple[Expr, ...] | None = None
    yield_items: tuple[YieldItem, ...] = ()
    yield_all: bool = False
    where: Expr | None = None


@_node
class CallSubquery(Clause):
    """``CALL { query }``."""

    query: Statement


# ------------------------------------------------------------------------------------ statements


@_node
class SingleQuery(Statement):
    """Clauses in order; a RETURN, if any, is the last."""

    clauses: tuple[Clause, ...]


@_node
class Union(Statement):
    """``q1 UNION q2 ...`` (all=False: distinct rows) or ``UNION ALL`` (never mixed)."""

    queries: tuple[SingleQuery, ...]
    all: bool = False


@_node
class Explain(Statement):
    query: Statement


@_node
class Profile(Statement):
    query: Statement


UPDATING_CLAUSES: tuple[type, ...] = (Create, Merge, SetClause, Remove, Delete, Foreach)
"""Clauses that write: a query holding one must run through ``command``, not ``query``."""


def is_updating(statement: Statement) -> bool:
    """True when the statement writes (an updating clause anywhere, sub-queries included)."""
    return any(isinstance(node, UPDATING_CLAUSES) for node in walk(statement))
