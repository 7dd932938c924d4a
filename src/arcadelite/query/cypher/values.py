"""Cypher value semantics: paths, equality and comparison (three-valued), global sort order,
arithmetic with 64-bit integers, and the plain forms rows hand back."""

from __future__ import annotations

import math
from functools import cmp_to_key
from typing import Any

from ...exceptions import QueryError
from ...model.records import Document, Edge, Vertex

INT_MIN, INT_MAX = -(2**63), 2**63 - 1
NO_LABEL = "~NO_LABEL~"
"""The vertex type of nodes created without a label (ArcadeDB's name for it)."""


class Path:
    """A path value: nodes and relationships alternating, starting and ending with a node."""

    __slots__ = ("nodes", "relationships")

    def __init__(self, nodes: list[Vertex], relationships: list[Edge]) -> None:
        self.nodes = nodes
        self.relationships = relationships

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Path)
            and [n._rid for n in self.nodes] == [n._rid for n in other.nodes]
            and [r._rid for r in self.relationships] == [r._rid for r in other.relationships]
        )

    def __hash__(self) -> int:
        return hash(tuple(n._rid for n in self.nodes))

    def text(self) -> str:
        """ArcadeDB's text form: ``(#1:0)-[#4:0]->(#1:1)``, always written left to right."""
        parts = [f"({self.nodes[0]._rid})"]
        for rel, node in zip(self.relationships, self.nodes[1:]):
            parts.append(f"-[{rel._rid}]->({node._rid})")
        return "".join(parts)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def labels_of(type_def: Any) -> list[str]:
    """A node's labels: its type's name parts and its supertypes' (``A~B`` is A and B)."""
    names = {type_def.name, *type_def.ancestors}
    found = {part for name in names for part in name.split("~") if part and name != NO_LABEL}
    return sorted(found)


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "List"
    if isinstance(value, dict):
        return "Map"
    if isinstance(value, Vertex):
        return "Node"
    if isinstance(value, Edge):
        return "Relationship"
    if isinstance(value, Path):
        return "Path"
    return type(value).__name__


def check_int(value: int) -> int:
    if value < INT_MIN or value > INT_MAX:
        raise QueryError("Integer overflow: the result does not fit in 64 bits")
    return value


# ------------------------------------------------------------------------------- equality


def equals(left: Any, right: Any) -> bool | None:
    """Cypher ``=``: None (unknown) when null is involved, False across kinds."""
    if left is None or right is None:
        return None
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right if isinstance(left, bool) and isinstance(right, bool) else False
    if is_number(left) and is_number(right):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return False
        unknown = False
        for a, b in zip(left, right):
            same = equals(a, b)
            if same is False:
                return False
            if same is None:
                unknown = True
        return None if unknown else True
    if isinstance(left, dict) and isinstance(right, dict):
        if set(left) != set(right):
            return False
        unknown = False
        for key in left:
            same = equals(left[key], right[key])
            if same is False:
                return False
            if same is None:
                unknown = True
        return None if unknown else True
    if isinstance(left, Document) and isinstance(right, Document):
        return left._rid == right._rid
    if type(left) is not type(right):
        return False
    return bool(left == right)


def compare(left: Any, right: Any) -> int | None:
    """Cypher ``<``-style comparison: -1/0/1, or None when the values are not comparable."""
    if left is None or right is None:
        return None
    if is_number(left) and is_number(right):
        if isinstance(left, float) and math.isnan(left) or isinstance(right, float) and math.isnan(right):
            return None
        return (left > right) - (left < right)
    if isinstance(left, str) and isinstance(right, str):
        return (left > right) - (left < right)
    if isinstance(left, bool) and isinstance(right, bool):
        return (left > right) - (left < right)
    if isinstance(left, list) and isinstance(right, list):
        for a, b in zip(left, right):
            order = compare(a, b)
            if order is None:
                return None
            if order:
                return order
        return (len(left) > len(right)) - (len(left) < len(right))
    return None


# ------------------------------------------------------------------------------ sort order

_ORDER_RANK = (  # ascending order of kinds across types (orderability)
    (dict, 0), (Vertex, 1), (Edge, 2), (list, 3), (Path, 4), (str, 5), (bool, 6),
)  # fmt: skip


def _rank(value: Any) -> int:
    if value is None:
        return 9
    for kind, rank in _ORDER_RANK:
        if isinstance(value, kind):
            return rank
    if is_number(value):
        return 7
    return 8


def order(left: Any, right: Any) -> int:
    """The total order of ORDER BY (and min/max): kinds first, null last, NaN above numbers."""
    lr, rr = _rank(left), _rank(right)
    if lr != rr:
        return -1 if lr < rr else 1
    if lr == 7:
        ln, rn = isinstance(left, float) and math.isnan(left), isinstance(right, float) and math.isnan(right)
        if ln or rn:
            return (ln > rn) - (ln < rn)
        return (left > right) - (left < right)
    if lr in (5, 6):
        return (left > right) - (left < right)
    if lr == 3:
        for a, b in zip(left, right):
            step = order(a, b)
            if step:
                return step
        return (len(left) > len(right)) - (len(left) < len(right))
    if lr in (1, 2):
        a, b = left._rid, right._rid
        return (a.to_int() > b.to_int()) - (a.to_int() < b.to_int())
    if lr == 4:
        return order([n for n in left.nodes], [n for n in right.nodes])
    if lr == 0:
        return order(sorted(left.items(), key=lambda kv: kv[0]), sorted(right.items(), key=lambda kv: kv[0]))
    return 0


ORDER_KEY = cmp_to_key(order)


def hashable(value: Any) -> Any:
    """A key equal for values Cypher's DISTINCT and grouping treat as equal."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__, value)
    if is_number(value):
        return ("n", value if not (isinstance(value, float) and math.isnan(value)) else "nan")
    if isinstance(value, list):
        return ("l", tuple(hashable(v) for v in value))
    if isinstance(value, dict):
        return ("m", tuple(sorted((k, hashable(v)) for k, v in value.items())))
    if isinstance(value, Document):
        return ("e", value._rid)
    if isinstance(value, Path):
        return ("p", tuple(n._rid for n in value.nodes), tuple(r._rid for r in value.relationships))
    return ("o", repr(value))


# ------------------------------------------------------------------------------ arithmetic


def arithmetic(op: str, left: Any, right: Any) -> Any:
    if left is None or right is None:
        return None
    if op == "+":
        if isinstance(left, list) or isinstance(right, list):
            return (left if isinstance(left, list) else [left]) + (
                right if isinstance(right, list) else [right]
            )
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        if isinstance(left, str) and is_number(right) or isinstance(right, str) and is_number(left):
            return plain_string(left) + plain_string(right)
    if not (is_number(left) and is_number(right)):
        raise QueryError(
            f"Type mismatch: cannot apply '{op}' to {type_name(left)} and {type_name(right)}"
        )
    both_int = isinstance(left, int) and isinstance(right, int)
    if op == "+":
        return check_int(left + right) if both_int else left + right
    if op == "-":
        return check_int(left - right) if both_int else left - right
    if op == "*":
        return check_int(left * right) if both_int else left * right
    if op == "/":
        if both_int:
            if right == 0:
                raise QueryError("/ by zero")
            quotient = abs(left) // abs(right)
            return check_int(quotient if (left >= 0) == (right >= 0) else -quotient)
        if right == 0:
            return math.nan if left == 0 or math.isnan(left) else math.copysign(math.inf, left) * (
                math.copysign(1, right))
        return left / right
    if op == "%":
        if both_int:
            if right == 0:
                raise QueryError("/ by zero")
            return int(math.fmod(left, right))
        if right == 0:
            return math.nan
        return math.fmod(left, right)
    if op == "^":
        try:
            return float(left) ** float(right)
        except (OverflowError, ZeroDivisionError):
            return math.inf
    raise QueryError(f"Unknown operator '{op}'")


def plain_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    return str(value)


# ------------------------------------------------------------------------------ output


def element_dict(record: Document) -> dict[str, Any]:
    """How a node or relationship appears inside a row: ``{"@rid", "@type", **properties}``."""
    out: dict[str, Any] = {"@rid": str(record._rid), "@type": record._type.name}
    out.update((k, output(v)) for k, v in record._props.items())
    return out


def output(value: Any) -> Any:
    """A value as rows hand it back: elements as dicts, paths as their text."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, list):
        return [output(v) for v in value]
    if isinstance(value, dict):
        return {k: output(v) for k, v in value.items()}
    if isinstance(value, Document):
        return element_dict(value)
    if isinstance(value, Path):
        return value.text()
    return value


__all__ = ["NO_LABEL", "ORDER_KEY", "Path", "arithmetic", "compare", "element_dict", "equals",
           "hashable", "is_number", "labels_of", "order", "output", "plain_string", "type_name"]  # fmt: skip
