"""The TCK's value notation: parsing expected values, decoding engine values, comparing rows.

The notation (openCypher's tck/README.adoc): ``null``, ``true``, integers, floats (also ``NaN``,
``Inf``, ``-Inf``), single-quoted strings, lists ``[1, 'a']``, maps ``{k: v}``, nodes
``(:L1:L2 {p: 0})``, relationships ``[:T {p: 0}]`` and paths ``<(:A)-[:T]->()<-[:U]-()>``.

Values compare through `normalize`, which turns them into hashable, type-tagged tuples: ``1`` and
``1.0`` differ, NaN equals NaN, and lists may be compared ignoring element order.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Node:
    labels: frozenset[str] = frozenset()
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Relationship:
    type: str
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Path:
    """Nodes and relationships in path order; ``forward[i]`` tells the direction of rels[i]."""

    nodes: tuple[Node, ...]
    relationships: tuple[Relationship, ...] = ()
    forward: tuple[bool, ...] = ()


class ValueSyntaxError(ValueError):
    """A cell of a TCK table that is not in the value notation."""


# ------------------------------------------------------------------------------------ parsing


def parse_value(text: str) -> Any:
    """One value in the TCK notation → Python (None, bool, int, float, str, list, dict, Node ...)."""
    reader = _Reader(text)
    value = reader.value()
    reader.skip_space()
    if reader.pos != len(text):
        raise reader.error("unexpected text after the value")
    return value


class _Reader:
    """A recursive-descent reader over one value's text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, message: str) -> ValueSyntaxError:
        return ValueSyntaxError(f"{message} at offset {self.pos} of {self.text!r}")

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self, ahead: int = 0) -> str:
        self.skip_space()
        index = self.pos + ahead
        return self.text[index] if index < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.error(f"expected {char!r}")
        self.pos += 1

    def value(self) -> Any:
        char = self.peek()
        if char == "'":
            return self.string()
        if char == "[":
            return self.relationship() if self.peek(1) == ":" else self.list()
        if char == "{":
            return self.map()
        if char == "(":
            return self.node()
        if char == "<":
            return self.path()
        return self.word()

    def word(self) -> Any:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in ",]}) \t\n|":
            self.pos += 1
        word = self.text[start : self.pos]
        if word == "null":
            return None
        if word in ("true", "false"):
            return word == "true"
        if word in ("NaN", "Inf", "-Inf"):
            return float(word.replace("Inf", "inf").replace("NaN", "nan"))
        try:
            return int(word)
        except ValueError:
            pass
        try:
            return float(word)
        except ValueError:
            raise self.error(f"not a value: {word!r}") from None

    def string(self) -> str:
        self.expect("'")
        out: list[str] = []
        while True:
            if self.pos >= len(self.text):
                raise self.error("unterminated string")
            char = self.text[self.pos]
            self.pos += 1
            if char == "\\" and self.pos < len(self.text):
                out.append(self.text[self.pos])
                self.pos += 1
            elif char == "'":
                return "".join(out)
            else:
                out.append(char)

    def list(self) -> list[Any]:
        self.expect("[")
        items: list[Any] = []
        if self.peek() == "]":
            self.pos += 1
            return items
        while True:
            items.append(self.value())
            if self.peek() == ",":
                self.pos += 1
                continue
            self.expect("]")
            return items

    def key(self) -> str:
        self.skip_space()
        if self.peek() == "`":
            end = self.text.index("`", self.pos + 1)
            name = self.text[self.pos + 1 : end]
            self.pos = end + 1
            return name
        start = self.pos
        while self.pos < len(self.text) and (
            self.text[self.pos].isalnum() or self.text[self.pos] == "_"
        ):
            self.pos += 1
        if start == self.pos:
            raise self.error("expected a name")
        return self.text[start : self.pos]

    def map(self) -> dict[str, Any]:
        self.expect("{")
        entries: dict[str, Any] = {}
        if self.peek() == "}":
            self.pos += 1
            return entries
        while True:
            key = self.key()
            self.expect(":")
            entries[key] = self.value()
            if self.peek() == ",":
                self.pos += 1
                continue
            self.expect("}")
            return entries

    def labels(self) -> list[str]:
        names = []
        while self.peek() == ":":
            self.pos += 1
            names.append(self.key())
        return names

    def node(self) -> Node:
        self.expect("(")
        labels = self.labels()
        properties = self.map() if self.peek() == "{" else {}
        self.expect(")")
        return Node(frozenset(labels), properties)

    def relationship(self) -> Relationship:
        self.expect("[")
        types = self.labels()
        if len(types) != 1:
            raise self.error("a relationship has exactly one type")
        properties = self.map() if self.peek() == "{" else {}
        self.expect("]")
        return Relationship(types[0], properties)

    def path(self) -> Path:
        self.expect("<")
        nodes = [self.node()]
        relationships, forward = [], []
        while self.peek() != ">":
            if self.peek() == "<":  # <-[...]-
                self.pos += 1
                self.expect("-")
                relationships.append(self.relationship())
                self.expect("-")
                forward.append(False)
            else:  # -[...]->
                self.expect("-")
                relationships.append(self.relationship())
                self.expect("-")
                self.expect(">")
                forward.append(True)
            nodes.append(self.node())
        self.expect(">")
        return Path(tuple(nodes), tuple(relationships), tuple(forward))


# ----------------------------------------------------------------------- engine values (JSON)


def decode(value: Any) -> Any:
    """An engine value as sent by `tck.session` (JSON with tagged elements) → model values."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if isinstance(value, dict):
        if "~node" in value:
            node = value["~node"]
            return Node(frozenset(node["labels"]), decode(node["properties"]))
        if "~rel" in value:
            rel = value["~rel"]
            return Relationship(rel["type"], decode(rel["properties"]))
        if "~path" in value:
            path = value["~path"]
            return Path(
                tuple(decode(n) for n in path["nodes"]),
                tuple(decode(r) for r in path["relationships"]),
                tuple(path["forward"]),
            )
        if "~float" in value:
            return float(value["~float"])
        if "~other" in value:
            return Other(value["~other"])
        return {key: decode(item) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class Other:
    """An engine value the notation has no form for (a temporal value ...), kept as its text."""

    text: str


# ------------------------------------------------------------------------------------ comparing


def normalize(value: Any, ignore_list_order: bool = False) -> Any:
    """A hashable, type-tagged form of a value, equal exactly when the TCK says values match."""
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, float):
        return ("float", "NaN") if math.isnan(value) else ("float", value)
    if isinstance(value, str):
        return ("str", value)
    if isinstance(value, list | tuple):
        items = [normalize(item, ignore_list_order) for item in value]
        if ignore_list_order:
            items.sort(key=repr)
        return ("list", tuple(items))
    if isinstance(value, dict):
        return ("map", _entries(value, ignore_list_order))
    if isinstance(value, Node):
        return ("node", tuple(sorted(value.labels)), _entries(value.properties, ignore_list_order))
    if isinstance(value, Relationship):
        return ("rel", value.type, _entries(value.properties, ignore_list_order))
    if isinstance(value, Path):
        return (
            "path",
            tuple(normalize(n) for n in value.nodes),
            tuple(normalize(r) for r in value.relationships),
            value.forward,
        )
    if isinstance(value, Other):
        return ("other", value.text)
    raise TypeError(f"no TCK form for {type(value).__name__}: {value!r}")


def _entries(mapping: dict[str, Any], ignore_list_order: bool) -> tuple[Any, ...]:
    return tuple(sorted((k, normalize(v, ignore_list_order)) for k, v in mapping.items()))


def rows_match(
    expected: list[list[Any]],
    actual: list[list[Any]],
    ordered: bool = False,
    ignore_list_order: bool = False,
) -> bool:
    """Whether two tables of values hold the same rows (in order, or as multisets)."""
    want = [tuple(normalize(v, ignore_list_order) for v in row) for row in expected]
    got = [tuple(normalize(v, ignore_list_order) for v in row) for row in actual]
    return want == got if ordered else Counter(want) == Counter(got)


def show(value: Any) -> str:
    """A value written back in the TCK notation (for failure reports)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Inf" if value > 0 else "-Inf"
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Node):
        labels = "".join(f":{label}" for label in sorted(value.labels))
        props = f" {show(value.properties)}" if value.properties else ""
        return f"({labels}{props})".replace("( ", "(")
    if isinstance(value, Relationship):
        props = f" {show(value.properties)}" if value.properties else ""
        return f"[:{value.type}{props}]"
    if isinstance(value, Path):
        parts = [show(value.nodes[0])]
        for rel, forward, node in zip(value.relationships, value.forward, value.nodes[1:]):
            parts.append(f"-{show(rel)}->" if forward else f"<-{show(rel)}-")
            parts.append(show(node))
        return "<" + "".join(parts) + ">"
    if isinstance(value, Other):
        return f"<{value.text}>"
    return repr(value)
