"""The query IR: what the planner asks storage to read, in nodes storage compiles to SQL.

A condition is a tree of ``Compare``, ``And``, ``Or``, ``Not``, ``IsNull``, ``IsDefined``, ``In``,
``Like``, ``Between`` and ``JsonType`` over operands ``Field`` (a property path), ``Special``
(``@rid``, ``@type``, ``@out``, ``@in``) and ``Value`` (a slot of the values given at run time);
``OrderKey`` and ``Aggregate`` say how to order and what to aggregate. ``query.py`` compiles them
for SQLite; nothing here knows SQL.
"""

from __future__ import annotations

from typing import Any

from ..frozen import Frozen, frozen


@frozen
class Field(Frozen):
    """A property of the record, or a path into embedded maps: ``("address", "city")``."""

    path: tuple[str, ...]


@frozen
class Special(Frozen):
    """A record attribute: ``@rid``, ``@type``, ``@out`` or ``@in``."""

    name: str


@frozen
class Value(Frozen):
    """An execution-time value: ``values[slot]`` (a parameter, a literal, a constant expression)."""

    slot: int


@frozen
class Compare(Frozen):
    """``left op right`` with op one of ``= <> < <= > >=``.

    kinds (a Field compared with a Value): the SQLite types the field's values may have, of
    ``KINDS``; text and numbers then meet as ArcadeDB converts them. None: SQLite's own order.
    swapped: the value stood on the left in the statement, so it is the value's type that the
    field converts to; the condition then selects a superset (rows of the other kind all pass)
    for Python to decide.
    """

    op: str
    left: Any
    right: Any
    kinds: tuple[str, ...] | None = None
    swapped: bool = False


@frozen
class And(Frozen):
    items: tuple[Any, ...]


@frozen
class Or(Frozen):
    items: tuple[Any, ...]


@frozen
class Not(Frozen):
    item: Any


@frozen
class IsNull(Frozen):
    operand: Any


@frozen
class IsDefined(Frozen):
    """The property exists in the record (even when it holds null)."""

    field: Field


@frozen
class In(Frozen):
    """``operand IN values``: values is a tuple of operands, or one Value holding a list."""

    operand: Any
    values: Any
    kinds: tuple[str, ...] | None = None  # as Compare's


@frozen
class Like(Frozen):
    """ArcadeDB's LIKE: case-sensitive, ``%`` any run, ``?`` any one character, ``\\`` escapes."""

    operand: Any
    pattern: Any


@frozen
class Between(Frozen):
    operand: Any
    low: Any
    high: Any
    kinds: tuple[str, ...] | None = None  # as Compare's


@frozen
class JsonType(Frozen):
    """The JSON type of the value at field is one of kinds (``text``, ``array``, ``object`` ...).

    The planner uses it to widen a condition into a superset when Python must decide some rows:
    a path whose first steps hold a link (text) or a list cannot be followed inside SQLite.
    """

    field: Field
    kinds: tuple[str, ...]


@frozen
class OrderKey(Frozen):
    expr: Any
    descending: bool = False


@frozen
class Aggregate(Frozen):
    """``count``, ``sum``, ``avg``, ``min`` or ``max`` of expr (None for ``count(*)``)."""

    function: str
    expr: Any = None


SPECIALS = ("@rid", "@type", "@out", "@in")
KINDS = ("integer", "real", "text")
"""SQLite's types of stored scalars (typeof of json_extract): booleans read as integer; dates,
links, binaries, and lists and maps (as JSON text) as text."""


__all__ = ["KINDS", "SPECIALS", "Aggregate", "And", "Between", "Compare", "Field", "In", "IsDefined",
           "IsNull", "JsonType", "Like", "Not", "Or", "OrderKey", "Special", "Value"]  # fmt: skip
