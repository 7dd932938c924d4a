"""Typed AST of ArcadeDB's SQL dialect: what `arcadelite.sql.parse` returns.

Every node is frozen and slotted (built by ``@_node``, with a frozen dataclass's interface:
keyword or positional construction, ``replace``, equality and hashing by value), so nodes are
immutable, hashable and safe to share between threads and across the parse cache; sequences are
tuples. Nodes are built for pattern
matching (``case Comparison("=", Identifier(name), Param(key)):``).

Conventions
  * Function and method names are lower-cased (``count``, ``oute``, ``tolowercase``); keyword-valued
    fields (``CreateType.kind``, ``Update.return_mode`` ...) are upper-cased.
  * Record attributes are identifiers whose name starts with ``@`` and is lower-cased: ``@rid``.
  * ``$name`` variables become ``Variable("name")``.
  * Positional ``?`` parameters are ``Param(0)``, ``Param(1)`` ... in text order; ``:name`` is
    ``Param("name")``.
  * Negative number literals are folded: ``-5`` is ``Literal(-5)``.
  * ``AND``/``OR`` chains are flattened into one n-ary node.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..frozen import Frozen, FrozenError, _values, replace
from ..frozen import frozen as _node  # the node decorator (cypher.ast uses it too)

FrozenNodeError = FrozenError


class Node(Frozen):
    """Base of every AST node (equality, hashing, repr, immutability: see frozen.Frozen)."""

    __slots__ = ()


_field_values = _values


def walk(root: object, into_subqueries: bool = True) -> Iterator[object]:
    """Every node (and tuple item) under ``root``, depth first; optionally not into sub-queries."""
    stack = [root]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, tuple):
            stack.extend(item)
        elif isinstance(item, Node) and (into_subqueries or not isinstance(item, Subquery)):
            stack.extend(_field_values(item))


class Expr(Node):
    """Base of every expression node."""

    __slots__ = ()


class Statement(Node):
    """Base of every statement node."""

    __slots__ = ()




# ---------------------------------------------------------------------------------------- values


@_node
class Literal(Expr):
    """A constant: None, bool, int, float or str."""

    value: object


@_node
class Param(Expr):
    """A parameter: an int key for positional ``?`` (0-based), a str key for ``:name``."""

    key: int | str


@_node
class Identifier(Expr):
    """A field name (``name``) or a record attribute (``@rid``, ``@type``, ``@this`` ...)."""

    name: str


@_node
class FieldPath(Expr):
    """A dotted path of plain field names, ``address.city.name`` → ``("address", "city", "name")``."""

    parts: tuple[str, ...]


@_node
class Variable(Expr):
    """A context or script variable: ``$parent`` → ``Variable("parent")``."""

    name: str


@_node
class RidLiteral(Expr):
    """A record id ``#bucket:position``."""

    bucket: int
    position: int


@_node
class ListLiteral(Expr):
    """``[a, b, c]`` (also a parenthesised list ``(a, b, c)``)."""

    items: tuple[Expr, ...]


@_node
class MapLiteral(Expr):
    """``{"k": v, k2: v2}``: entries in text order."""

    entries: tuple[tuple[str, Expr], ...]


@_node
class Star(Expr):
    """``*`` as a projection or TRAVERSE field."""


@_node
class Subquery(Expr):
    """A statement used as a value or a target: ``(SELECT ...)``."""

    statement: Statement


# ------------------------------------------------------------------------------------ operators


@_node
class BinaryOp(Expr):
    """Arithmetic: op is one of ``+ - * / %`` or ``||`` (string concatenation)."""

    op: str
    left: Expr
    right: Expr


@_node
class UnaryOp(Expr):
    """op is ``NOT``, ``-`` or ``+``."""

    op: str
    operand: Expr


@_node
class Comparison(Expr):
    """A binary condition.

    op is one of ``= <> < <= > >= LIKE ILIKE IN "NOT IN" CONTAINS CONTAINSKEY CONTAINSVALUE
    CONTAINSANY CONTAINSALL CONTAINSTEXT MATCHES INSTANCEOF`` (``==`` becomes ``=``, ``!=``
    becomes ``<>``). For ``x CONTAINS (cond)`` the right side is the condition node,
    evaluated against each element of ``x``.
    """

    op: str
    left: Expr
    right: Expr


@_node
class Between(Expr):
    """``expr BETWEEN low AND high`` (inclusive)."""

    expr: Expr
    low: Expr
    high: Expr


@_node
class IsNull(Expr):
    expr: Expr


@_node
class IsNotNull(Expr):
    expr: Expr


@_node
class IsDefined(Expr):
    """``expr IS DEFINED``: the field exists in the record (even if null)."""

    expr: Expr


@_node
class IsNotDefined(Expr):
    expr: Expr


@_node
class And(Expr):
    """Conjunction of two or more operands, flattened."""

    operands: tuple[Expr, ...]


@_node
class Or(Expr):
    """Disjunction of two or more operands, flattened."""

    operands: tuple[Expr, ...]


# ------------------------------------------------------------------------ calls and navigation


@_node
class Case(Expr):
    """``CASE [subject] WHEN w THEN x ... [ELSE y] END``.

    subject None is the searched form (each ``w`` a condition); otherwise the simple form
    (``subject`` compared with each ``w``). No match and no ELSE gives null.
    """

    subject: Expr | None
    whens: tuple[tuple[Expr, Expr], ...]
    otherwise: Expr | None = None


@_node
class FunctionCall(Expr):
    """``name(args)``; ``count(*)`` has ``star=True``, ``count(DISTINCT x)`` has ``distinct=True``."""

    name: str
    args: tuple[Expr, ...] = ()
    distinct: bool = False
    star: bool = False


@_node
class MethodCall(Expr):
    """``target.name(args)``: ``name.toLowerCase()``, ``out('A').out('B')``."""

    target: Expr
    name: str
    args: tuple[Expr, ...] = ()


@_node
class FieldAccess(Expr):
    """``target.name`` where target is not a plain path (``out('E').name``, ``$a.name``)."""

    target: Expr
    name: str


@_node
class Subscript(Expr):
    """``target[index]``: a list position or a map key."""

    target: Expr
    index: Expr


@_node
class Filter(Expr):
    """``target[condition]``: keep the elements of target matching condition (``out('E')[age > 3]``)."""

    target: Expr
    condition: Expr


CONDITION_TYPES: tuple[type, ...] = (
    Comparison,
    Between,
    IsNull,
    IsNotNull,
    IsDefined,
    IsNotDefined,
    And,
    Or,
)
"""Expression nodes that are conditions (plus ``UnaryOp("NOT", ...)``)."""


def is_condition(expr: object) -> bool:
    """True when expr is a boolean condition node (what ``x[...]`` treats as a filter)."""
    return isinstance(expr, CONDITION_TYPES) or (isinstance(expr, UnaryOp) and expr.op == "NOT")


# --------------------------------------------------------------------------------------- targets


@_node
class TypeTarget(Node):
    """A type name as a statement target: ``FROM Person``."""

    name: str


@_node
class BucketTarget(Node):
    """``bucket:name`` or ``bucket:12``."""

    name: str | int


@_node
class IndexTarget(Node):
    """``index:name``; order is ``ASC``/``DESC`` for ``indexvaluesasc:``/``indexvaluesdesc:``."""

    name: str
    values: bool = False
    order: str | None = None


@_node
class SchemaTarget(Node):
    """``schema:types``, ``schema:indexes``, ``schema:database`` (kind lower-cased)."""

    kind: str


Target = (
    TypeTarget
    | BucketTarget
    | IndexTarget
    | SchemaTarget
    | RidLiteral
    | ListLiteral
    | Subquery
    | Param
    | Variable
)
"""What a statement reads from or writes to."""


# -------------------------------------------------------------------------- statement pieces


@_node
class Projection(Node):
    """One ``expr [AS alias]`` of a projection list; text is the expression's source text."""

    expr: Expr
    alias: str | None = None
    text: str = ""


@_node
class OrderItem(Node):
    expr: Expr
    descending: bool = False


@_node
class LetItem(Node):
    """``LET $name = value`` (name without the ``$``)."""

    name: str
    value: Expr


@_node
class Assignment(Node):
    """``target op value`` in SET/INCREMENT/ADD; op is ``=``, ``+=``, ``-=``, ``*=`` or ``/=``."""

    target: Identifier | FieldPath
    value: Expr
    op: str = "="


@_node
class RemoveItem(Node):
    """``REMOVE field`` or ``REMOVE field = value`` (remove value from a collection)."""

    target: Identifier | FieldPath
    value: Expr | None = None


@_node
class PutItem(Node):
    """``PUT field = key, value``."""

    target: Identifier | FieldPath
    key: Expr
    value: Expr


# ---------------------------------------------------------------------------------- queries


@_node
class Select(Statement):
    """``SELECT``; empty projections mean the whole record (``SELECT FROM T``)."""

    projections: tuple[Projection, ...] = ()
    target: Target | None = None
    distinct: bool = False
    let: tuple[LetItem, ...] = ()
    where: Expr | None = None
    group_by: tuple[Expr, ...] = ()
    order_by: tuple[OrderItem, ...] = ()
    unwind: tuple[str, ...] = ()
    skip: Expr | None = None
    limit: Expr | None = None
    timeout: Expr | None = None


@_node
class MatchNode(Node):
    """One ``{...}`` of a MATCH pattern (an anonymous ``{}`` when every field is empty)."""

    type_name: str | None = None
    alias: str | None = None
    where: Expr | None = None
    while_condition: Expr | None = None
    max_depth: int | None = None
    optional: bool = False
    rid: Expr | None = None
    depth_alias: str | None = None
    path_alias: str | None = None


@_node
class MatchStep(Node):
    """An edge step to the next node.

    function is ``out in both oute ine bothe outv inv bothv`` (arrows: ``-E->`` is ``out``,
    ``<-E-`` is ``in``, ``-E-`` is ``both``); args are the call's arguments (edge labels).
    """

    function: str
    args: tuple[Expr, ...]
    node: MatchNode


@_node
class MatchPath(Node):
    """A pattern path: origin node then steps; ``NOT {...}...`` paths have negated=True."""

    origin: MatchNode
    steps: tuple[MatchStep, ...] = ()
    negated: bool = False


@_node
class Match(Statement):
    paths: tuple[MatchPath, ...]
    returns: tuple[Projection, ...]
    distinct: bool = False
    group_by: tuple[Expr, ...] = ()
    order_by: tuple[OrderItem, ...] = ()
    skip: Expr | None = None
    limit: Expr | None = None


@_node
class Traverse(Statement):
    """``TRAVERSE fields FROM target``; strategy is ``DEPTH_FIRST``/``BREADTH_FIRST`` or None."""

    fields: tuple[Expr, ...]
    target: Target
    max_depth: int | None = None
    while_condition: Expr | None = None
    limit: Expr | None = None
    strategy: str | None = None


# -------------------------------------------------------------------------------- writes


@_node
class Insert(Statement):
    """``INSERT INTO``: at most one of assignments / columns+rows / content / query is set.

    None of them set inserts an empty record. type_name is None for ``INSERT INTO bucket:b``.
    """

    type_name: str | None
    bucket: str | None = None
    assignments: tuple[Assignment, ...] = ()
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Expr, ...], ...] = ()
    content: Expr | None = None
    query: Statement | None = None
    returning: Expr | None = None


@_node
class CreateVertex(Statement):
    type_name: str
    bucket: str | None = None
    assignments: tuple[Assignment, ...] = ()
    content: Expr | None = None


@_node
class CreateEdge(Statement):
    """``CREATE EDGE``; source/destination are RidLiteral, ListLiteral, Subquery, Param or Variable."""

    type_name: str | None
    source: Expr
    destination: Expr
    bucket: str | None = None
    assignments: tuple[Assignment, ...] = ()
    content: Expr | None = None
    if_not_exists: bool = False
    upsert: bool = False
    retry: int | None = None
    wait: int | None = None
    batch: int | None = None


@_node
class UpdateSet(Node):
    items: tuple[Assignment, ...]


@_node
class UpdateRemove(Node):
    items: tuple[RemoveItem, ...]


@_node
class UpdateIncrement(Node):
    items: tuple[Assignment, ...]


@_node
class UpdateAdd(Node):
    items: tuple[Assignment, ...]


@_node
class UpdatePut(Node):
    items: tuple[PutItem, ...]


@_node
class UpdateMerge(Node):
    value: Expr


@_node
class UpdateContent(Node):
    value: Expr


UpdateOperation = (
    UpdateSet | UpdateRemove | UpdateIncrement | UpdateAdd | UpdatePut | UpdateMerge | UpdateContent
)


@_node
class Update(Statement):
    """``UPDATE``; operations in text order; return_mode is ``BEFORE``/``AFTER``/``COUNT`` or None."""

    target: Target
    operations: tuple[UpdateOperation, ...]
    upsert: bool = False
    return_mode: str | None = None
    return_expr: Expr | None = None
    where: Expr | None = None
    limit: Expr | None = None
    timeout: Expr | None = None


@_node
class Delete(Statement):
    target: Target
    where: Expr | None = None
    limit: Expr | None = None
    return_before: bool = False
    unsafe: bool = False


@_node
class DeleteVertex(Statement):
    target: Target
    where: Expr | None = None
    limit: Expr | None = None
    batch: Expr | None = None


@_node
class DeleteEdge(Statement):
    """``DELETE EDGE``: by records (target) or by type_name / source / destination + where."""

    target: Expr | None = None
    type_name: str | None = None
    source: Expr | None = None
    destination: Expr | None = None
    where: Expr | None = None
    limit: Expr | None = None
    batch: Expr | None = None


# ------------------------------------------------------------------------------------ schema


@_node
class CreateType(Statement):
    """``CREATE DOCUMENT|VERTEX|EDGE TYPE``; kind is ``DOCUMENT``, ``VERTEX`` or ``EDGE``."""

    kind: str
    name: str
    if_not_exists: bool = False
    supertypes: tuple[str, ...] = ()
    buckets: tuple[str | int, ...] = ()
    bucket_count: int | None = None


@_node
class AlterType(Statement):
    """``ALTER TYPE name ATTRIBUTE [+|-]value[, value]``; ``CUSTOM key = value`` sets key.

    attribute is upper-cased (``NAME``, ``SUPERTYPE``, ``BUCKET``, ``CUSTOM`` ...); a bare name
    value is an Identifier; several comma-separated values are a ListLiteral; modifier is ``+``/``-``.
    """

    name: str
    attribute: str
    value: Expr
    modifier: str | None = None
    key: str | None = None


@_node
class DropType(Statement):
    name: str
    if_exists: bool = False
    unsafe: bool = False


@_node
class TruncateType(Statement):
    name: str
    polymorphic: bool = False
    unsafe: bool = False


@_node
class PropertyConstraint(Node):
    """``mandatory true``, ``min 1``, ``default sysdate()``: name lower-cased."""

    name: str
    value: Expr


@_node
class CreateProperty(Statement):
    """``CREATE PROPERTY T.p TYPE [OF X]``; property_type upper-cased (None when omitted).

    of_type is upper-cased when it is a property type (``LIST OF STRING``), kept as written when
    it names a schema type (``LINK OF Person``, ``EMBEDDED Address``).
    """

    type_name: str
    name: str
    property_type: str | None = None
    of_type: str | None = None
    if_not_exists: bool = False
    constraints: tuple[PropertyConstraint, ...] = ()


@_node
class AlterProperty(Statement):
    """``ALTER PROPERTY T.p ATTRIBUTE value``; attribute upper-cased; ``CUSTOM key = v`` sets key."""

    type_name: str
    name: str
    attribute: str
    value: Expr
    key: str | None = None


@_node
class DropProperty(Statement):
    type_name: str
    name: str
    if_exists: bool = False
    force: bool = False


@_node
class CreateIndex(Statement):
    """``CREATE INDEX``; index_type upper-cased (``UNIQUE``, ``NOTUNIQUE``, ``FULL_TEXT`` ...).

    by holds each property's ``BY KEY|VALUE|ITEM`` modifier (upper-cased) or None.
    """

    name: str | None
    type_name: str
    properties: tuple[str, ...]
    index_type: str
    if_not_exists: bool = False
    null_strategy: str | None = None
    key_types: tuple[str, ...] = ()
    by: tuple[str | None, ...] = ()
    metadata: MapLiteral | None = None


@_node
class DropIndex(Statement):
    name: str
    if_exists: bool = False


@_node
class RebuildIndex(Statement):
    """``REBUILD INDEX name``; name None means ``REBUILD INDEX *``."""

    name: str | None


# ------------------------------------------------------------------- wrappers and scripts


@_node
class Explain(Statement):
    statement: Statement


@_node
class Profile(Statement):
    statement: Statement


@_node
class Begin(Statement):
    isolation: str | None = None


@_node
class Commit(Statement):
    retry: int | None = None


@_node
class Rollback(Statement):
    pass


@_node
class ImportDatabase(Statement):
    """``IMPORT DATABASE url [WITH key = value, ...]``."""

    url: str
    settings: tuple[tuple[str, Expr], ...] = ()


@_node
class LetStatement(Statement):
    """Script ``LET $name = <statement or expression>`` (name without the ``$``)."""

    name: str
    value: Statement | Expr


@_node
class ReturnStatement(Statement):
    """Script ``RETURN [expr]``."""

    value: Expr | None = None


__all__ = [
    "CONDITION_TYPES",
    "walk",
    "AlterProperty",
    "AlterType",
    "And",
    "Assignment",
    "Begin",
    "Between",
    "BinaryOp",
    "BucketTarget",
    "Case",
    "Commit",
    "Comparison",
    "CreateEdge",
    "CreateIndex",
    "CreateProperty",
    "CreateType",
    "CreateVertex",
    "Delete",
    "DeleteEdge",
    "DeleteVertex",
    "DropIndex",
    "DropProperty",
    "DropType",
    "Explain",
    "Expr",
    "FieldAccess",
    "FieldPath",
    "Filter",
    "FunctionCall",
    "Identifier",
    "ImportDatabase",
    "IndexTarget",
    "Insert",
    "IsDefined",
    "IsNotDefined",
    "IsNotNull",
    "IsNull",
    "LetItem",
    "LetStatement",
    "ListLiteral",
    "Literal",
    "MapLiteral",
    "Match",
    "MatchNode",
    "MatchPath",
    "MatchStep",
    "MethodCall",
    "FrozenNodeError",
    "Node",
    "Or",
    "OrderItem",
    "Param",
    "Profile",
    "Projection",
    "PropertyConstraint",
    "PutItem",
    "RebuildIndex",
    "RemoveItem",
    "ReturnStatement",
    "RidLiteral",
    "Rollback",
    "SchemaTarget",
    "Select",
    "Star",
    "Statement",
    "Subquery",
    "Subscript",
    "Target",
    "Traverse",
    "TruncateType",
    "TypeTarget",
    "UnaryOp",
    "Update",
    "UpdateAdd",
    "UpdateContent",
    "UpdateIncrement",
    "UpdateMerge",
    "UpdateOperation",
    "UpdatePut",
    "UpdateRemove",
    "UpdateSet",
    "Variable",
    "is_condition",
    "replace",
]
