"""Pinned Cypher row shapes and semantics, as data for the Cypher engine's tests.

Derived from what the reference engines return (docs/reference-notes.md, section 13): ArcadeDB
26.10.2 (JVM bindings) and upstream's native build 26.11 agree on every item here; where the seed
era (26.2.1) differs, the note says so and why the current behaviour is pinned. Nothing here runs
by itself: the engine's tests load a database with `GRAPH`, run each `Shape` and compare.

Conventions
  * ``rows`` are what ``[row.to_dict() for row in result]`` gives, in order when ``ordered``.
  * A node or relationship inside a row is a dict ``{"@rid": RID, "@type": T, **properties}``;
    `RID` matches any record id (``#bucket:position``).
  * ``element`` names what ``row.get_element()`` returns for a row of one node/relationship
    (``"vertex"``/``"edge"``, its type); ``row.get_rid()`` is then that element's RID.
  * ``error`` is a text the error message must contain (case-insensitive); rows are then unused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


class Matching:
    """Equal to any text the regular expression matches in full (a RID, a path's text)."""

    def __init__(self, pattern: str, name: str) -> None:
        self.pattern = re.compile(pattern)
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.pattern.fullmatch(other) is not None

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return self.name


RID: Any = Matching(r"#\d+:\d+", "RID")
RID_PATH: Any = Matching(r"\(#\d+:\d+\)(-\[#\d+:\d+\]->\(#\d+:\d+\))*", "RID_PATH")


@dataclass(frozen=True)
class Numpy:
    """A numpy parameter value, built by the test (numpy is optional): numpy.<kind>(value)."""

    kind: str
    value: Any

    def build(self) -> Any:
        import numpy

        return getattr(numpy, self.kind)(self.value)


@dataclass(frozen=True)
class Shape:
    name: str
    statement: str
    rows: tuple[dict[str, Any], ...] = ()
    columns: tuple[str, ...] | None = None  # property_names of each row, in this order
    via: str = "query"  # "query" or "command"
    params: dict[str, Any] | None = None
    ordered: bool = True
    element: tuple[str, str] | None = None  # ("vertex" | "edge", type) of row.get_element()
    error: str | None = None
    fresh: bool = False  # run on a new database loaded with GRAPH (it writes)
    types_after: tuple[str, ...] = ()  # types that exist afterwards (labels create types)
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


LANGUAGES = ("cypher", "opencypher")
"""Both names run Cypher on the current engines (the seed era knew only "opencypher")."""

GRAPH = (
    "CREATE (p:Person {name: 'Ann', age: 30})",
    "CREATE (p:Person {name: 'Bob', age: 40})",
    "MATCH (a:Person {name: 'Ann'}), (b:Person {name: 'Bob'}) "
    "CREATE (a)-[:KNOWS {since: 2020}]->(b)",
)
"""Cypher statements (through ``command``) that build the graph every shape starts from."""

SCHEMA = ("CREATE VERTEX TYPE Animal", "CREATE VERTEX TYPE Dog EXTENDS Animal")
"""SQL run before GRAPH: a supertype for the label-matching shapes."""

ANN = {"@rid": RID, "@type": "Person", "name": "Ann", "age": 30}
BOB = {"@rid": RID, "@type": "Person", "name": "Bob", "age": 40}
KNOWS = {"@rid": RID, "@type": "KNOWS", "since": 2020}

SHAPES: tuple[Shape, ...] = (
    # ------------------------------------------------------------------ projections and names
    Shape(
        "a projected property is keyed by the expression's text",
        "MATCH (p:Person) RETURN p.name ORDER BY p.name",
        ({"p.name": "Ann"}, {"p.name": "Bob"}),
        columns=("p.name",),
    ),
    Shape(
        "an alias names the column",
        "MATCH (p:Person) RETURN p.name AS name ORDER BY name",
        ({"name": "Ann"}, {"name": "Bob"}),
        columns=("name",),
    ),
    Shape(
        "columns keep the projection order; unaliased expressions keep their text as written",
        "RETURN 1 + 2, toUpper('a'), [1,2][0]",
        ({"1 + 2": 3, "toUpper('a')": "A", "[1,2][0]": 1},),
        columns=("1 + 2", "toUpper('a')", "[1,2][0]"),
        note="the seed era returned these columns in hash order",
    ),
    Shape(
        "count(*) is a column named count(*)",
        "MATCH (p:Person) RETURN count(*)",
        ({"count(*)": 2},),
        columns=("count(*)",),
    ),
    Shape(
        "a missing property and a null literal are None",
        "MATCH (p:Person {name: 'Ann'}) RETURN p.missing, null AS z",
        ({"p.missing": None, "z": None},),
        columns=("p.missing", "z"),
    ),
    Shape(
        "a query that matches nothing gives no rows",
        "MATCH (n:Nothing) RETURN n.name AS name",
        (),
    ),
    # ------------------------------------------------------------------------- elements
    Shape(
        "a returned node is an element row",
        "MATCH (p:Person {name: 'Ann'}) RETURN p",
        ({"p": ANN},),
        columns=("p",),
        element=("vertex", "Person"),
        note="26.10.2 hands back the Java vertex and the seed era also listed the vertex's "
        "property names as columns (with None values); the dict is the native build's form, "
        "the only one a Python program can use",
    ),
    Shape(
        "RETURN * of one node is the same element row",
        "MATCH (p:Person {name: 'Ann'}) RETURN *",
        ({"p": ANN},),
        columns=("p",),
        element=("vertex", "Person"),
    ),
    Shape(
        "several elements in a row: no single element",
        "MATCH (a:Person)-[r:KNOWS]->(b) RETURN a, r, b",
        ({"a": ANN, "r": KNOWS, "b": BOB},),
        columns=("a", "r", "b"),
        element=None,
        extra={"get_element": None, "get_rid": None},
    ),
    Shape(
        "a returned relationship is an element row",
        "MATCH ()-[r:KNOWS]->() RETURN r",
        ({"r": KNOWS},),
        columns=("r",),
        element=("edge", "KNOWS"),
    ),
    Shape(
        "a list of nodes holds element dicts",
        "MATCH (p:Person) WITH p ORDER BY p.name RETURN collect(p) AS people",
        ({"people": [ANN, BOB]},),
        columns=("people",),
    ),
    Shape(
        "a map may hold an element",
        "MATCH (p:Person {name: 'Ann'}) RETURN {name: p.name, n: p} AS m",
        ({"m": {"name": "Ann", "n": ANN}},),
    ),
    Shape(
        "a path is returned as its RIDs in text",
        "MATCH path = (a:Person)-[:KNOWS]->(b) RETURN path",
        ({"path": RID_PATH},),
        columns=("path",),
        note="native: '(#1:0)-[#4:0]->(#1:1)', always written -[..]->, whatever the "
        "relationship's direction; 26.10.2 and the seed era hand back a Java TraversalPath",
    ),
    Shape(
        "labels, type, keys, properties",
        "MATCH (p:Person {name: 'Ann'})-[r]->() "
        "RETURN labels(p) AS l, type(r) AS t, keys(p) AS k, properties(p) AS props",
        (
            {
                "l": ["Person"],
                "t": "KNOWS",
                "k": ["name", "age"],
                "props": {"name": "Ann", "age": 30},
            },
        ),
        note="id(p) is an int on the current engines (140737488355328 for #1:0), '#1:0' in the "
        "seed era: not pinned",
    ),
    Shape(
        "OPTIONAL MATCH without a match gives null",
        "MATCH (p:Person {name: 'Bob'}) OPTIONAL MATCH (p)-[:KNOWS]->(x) RETURN p.name AS name, x",
        ({"name": "Bob", "x": None},),
    ),
    # ----------------------------------------------------------------------- semantics
    Shape(
        "DISTINCT, ORDER BY DESC, SKIP, LIMIT",
        "UNWIND [3, 1, 2, 3] AS x RETURN DISTINCT x ORDER BY x DESC SKIP 1 LIMIT 1",
        ({"x": 2},),
    ),
    Shape(
        "aggregates skip nulls; avg is a float, sum of ints an int",
        "UNWIND [1, 2, 3, null] AS x "
        "RETURN count(x) AS c, sum(x) AS s, avg(x) AS a, min(x) AS mi, max(x) AS ma, collect(x) AS l",
        ({"c": 3, "s": 6, "a": 2.0, "mi": 1, "ma": 3, "l": [1, 2, 3]},),
    ),
    Shape(
        "integer division truncates; ^ is a float",
        "RETURN 7 / 2 AS a, 7.0 / 2 AS b, 7 % 3 AS c, 2 ^ 3 AS d",
        ({"a": 3, "b": 3.5, "c": 1, "d": 8.0},),
    ),
    Shape(
        "string predicates and regular expressions",
        "RETURN 'abc' STARTS WITH 'a' AS s, 'abc' =~ 'a.c' AS r, 'abc' CONTAINS 'z' AS c",
        ({"s": True, "r": True, "c": False},),
    ),
    Shape(
        "three-valued logic",
        "RETURN null = null AS a, null IS NULL AS b, 1 IN [1, null] AS c, 2 IN [1, null] AS d, "
        "null AND false AS e",
        ({"a": None, "b": True, "c": True, "d": None, "e": False},),
    ),
    Shape(
        "comparison chains",
        "RETURN 1 < 2 < 3 AS a, 3 > 2 > 1 AS b, 1 < 3 < 2 AS c",
        ({"a": True, "b": True, "c": False},),
    ),
    Shape(
        "unary minus binds tighter than ^, and ^ is left-associative",
        "RETURN -3 ^ 2 AS a, 2 ^ 3 ^ 2 AS b",
        ({"a": 9.0, "b": 64.0},),
    ),
    Shape(
        "[x IN list] alone is the list itself",
        "WITH 5 AS x RETURN [x IN [1, 2]] AS l",
        ({"l": [1, 2]},),
    ),
    Shape(
        "CASE and list comprehension",
        "UNWIND [1, 2] AS x RETURN CASE x WHEN 1 THEN 'one' ELSE 'other' END AS c, "
        "[y IN range(1, 5) WHERE y % 2 = 1 | y * x] AS l",
        ({"c": "one", "l": [1, 3, 5]}, {"c": "other", "l": [2, 6, 10]}),
    ),
    Shape(
        "variable-length and shortest paths",
        "MATCH p = shortestPath((a:Person {name: 'Ann'})-[*]-(b:Person {name: 'Bob'})) "
        "RETURN length(p) AS len, [n IN nodes(p) | n.name] AS names",
        ({"len": 1, "names": ["Ann", "Bob"]},),
    ),
    Shape(
        "a relationship is used once per match (no two-hop path over one edge)",
        "MATCH (a)-[r1]-(b)-[r2]-(c) RETURN count(*) AS n",
        ({"n": 0},),
    ),
    # ----------------------------------------------------------------------- parameters
    Shape(
        "$name parameters from a dict",
        "MATCH (p:Person) WHERE p.name = $name RETURN p.age AS age",
        ({"age": 40},),
        params={"name": "Bob"},
    ),
    Shape(
        "a list parameter",
        "UNWIND $xs AS x RETURN x",
        ({"x": 1}, {"x": 2}, {"x": 3}),
        params={"xs": [1, 2, 3]},
        note="the seed era failed on any list parameter (a JPype HashMap.put overload error)",
    ),
    Shape(
        "$0 is the parameter named '0'",
        "RETURN $0 AS x",
        ({"x": 5},),
        params={"0": 5},
    ),
    Shape(
        "a missing parameter is an error",
        "RETURN $nope AS x",
        error="nope",
        note="current engines: 'Expected parameter(s): nope'; the seed era returned null",
    ),
    Shape(
        "numpy arrays bind as lists, numpy scalars as numbers",
        "RETURN $xs AS xs, $v AS v",
        ({"xs": [1, 2, 3], "v": 7},),
        params={"xs": Numpy("array", [1, 2, 3]), "v": Numpy("int64", 7)},
        note="native: lists and numbers; 26.10.2 and the "
        "seed era failed ('only integer scalar arrays can be converted to a scalar index')",
    ),
    # ----------------------------------------------------------------------------- errors
    Shape(
        "a syntax error is a parse error naming the place",
        "MATCH (p:Person RETURN p",
        error="syntax error",
        note="native: 'Syntax error at line 1:16 - mismatched input 'RETURN' expecting ...'",
    ),
    Shape(
        "an unknown function is an error naming it",
        "RETURN nosuchfunction(1) AS x",
        error="nosuchfunction",
    ),
    Shape(
        "an undefined variable is an error naming it",
        "MATCH (n) RETURN m",
        error="'m'",
    ),
    Shape(
        "division by zero is an error",
        "RETURN 1 / 0 AS x",
        error="by zero",
        note="the seed era returned null",
    ),
    Shape(
        "a write through query() is refused: use command()",
        "CREATE (x:Person {name: 'Zed'})",
        error="command",
        fresh=True,
        extra={"count_after": ("MATCH (p:Person) RETURN count(p) AS n", 2)},
        note="seed era: 'Query contains write operations. Use command() instead of query()'; "
        "current: QueryNotIdempotentException 'Query ... is not idempotent'; nothing is written",
    ),
    # ------------------------------------------------------------------------- writes
    Shape(
        "CREATE without RETURN gives an empty result (not None)",
        "CREATE (n:NewLabel {x: 1})",
        (),
        via="command",
        fresh=True,
        types_after=("NewLabel",),
    ),
    Shape(
        "CREATE ... RETURN the node: an element row",
        "CREATE (p:Person {name: 'Cy', age: 5}) RETURN p",
        ({"p": {"@rid": RID, "@type": "Person", "name": "Cy", "age": 5}},),
        via="command",
        fresh=True,
        element=("vertex", "Person"),
    ),
    Shape(
        "a relationship type is created on first use",
        "CREATE (a:Person {name: 'Cy'})-[:LIKES]->(b:Person {name: 'Di'}) "
        "RETURN a.name AS a, b.name AS b",
        ({"a": "Cy", "b": "Di"},),
        via="command",
        fresh=True,
        types_after=("LIKES",),
    ),
    Shape(
        "MERGE creates, with ON CREATE SET, and returns the node",
        "MERGE (c:Company {name: 'Acme'}) ON CREATE SET c.created = true RETURN c",
        ({"c": {"@rid": RID, "@type": "Company", "name": "Acme", "created": True}},),
        via="command",
        fresh=True,
        element=("vertex", "Company"),
    ),
    Shape(
        "MERGE matches, with ON MATCH SET",
        "MERGE (p:Person {name: 'Ann'}) ON MATCH SET p.seen = true RETURN p.seen AS seen, "
        "p.age AS age",
        ({"seen": True, "age": 30},),
        via="command",
        fresh=True,
    ),
    Shape(
        "SET += merges a map",
        "MATCH (p:Person {name: 'Bob'}) SET p += {city: 'Rome', age: 41} "
        "RETURN p.city AS city, p.age AS age, p.name AS name",
        ({"city": "Rome", "age": 41, "name": "Bob"},),
        via="command",
        fresh=True,
    ),
    Shape(
        "REMOVE a property",
        "MATCH (p:Person {name: 'Bob'}) REMOVE p.age RETURN p",
        ({"p": {"@rid": RID, "@type": "Person", "name": "Bob"}},),
        via="command",
        fresh=True,
    ),
    Shape(
        "SET a label gives the node both labels (its type becomes Admin~Person, a new RID)",
        "MATCH (p:Person {name: 'Bob'}) SET p:Admin RETURN labels(p) AS l",
        ({"l": ["Admin", "Person"]},),
        via="command",
        fresh=True,
    ),
    Shape(
        "DELETE of a node with relationships is refused",
        "MATCH (p:Person {name: 'Ann'}) DELETE p",
        via="command",
        fresh=True,
        error="DETACH DELETE",
        note="'DeleteConnectedNode: Cannot delete node #1:0 because it still has relationships"
        "... or use DETACH DELETE' on every engine",
    ),
    Shape(
        "DETACH DELETE then a count",
        "MATCH (p:Person {name: 'Ann'}) DETACH DELETE p RETURN count(*) AS n",
        ({"n": 1},),
        via="command",
        fresh=True,
    ),
    # -------------------------------------------------------------------- labels and types
    Shape(
        "a supertype label matches nodes of its subtypes",
        "MATCH (a:Animal) RETURN a.name AS name",
        ({"name": "Rex"},),
        fresh=True,
        extra={"before": ("CREATE (d:Dog {name: 'Rex'})",)},
        note="labels(d) of that Dog: ['Animal', 'Dog'] on the current engines, ['Animal'] in "
        "the seed era: not pinned",
    ),
)
