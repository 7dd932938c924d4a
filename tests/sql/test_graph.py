"""Graph SQL: traversal functions, filters, expand, MATCH, TRAVERSE, shortestPath, dijkstra."""

from __future__ import annotations

import pytest

from arcadelite import QueryError, SchemaError
from arcadelite.graph import Edge, Vertex
from arcadelite.rid import RID

from .conftest import names, rows


@pytest.fixture
def g(auto):
    """a -Knows-> b -Knows-> c -Knows-> d, a -Knows-> c, a -Likes-> d, d -Likes-> a."""
    db = auto
    db.command("sql", "CREATE VERTEX TYPE P")
    db.command("sql", "CREATE EDGE TYPE Knows")
    db.command("sql", "CREATE EDGE TYPE Likes")
    for name, age in [("a", 10), ("b", 20), ("c", 30), ("d", 40)]:
        db.command("sql", "CREATE VERTEX P SET name = ?, age = ?", name, age)
    for src, dst, w in [("a", "b", 1), ("b", "c", 1), ("c", "d", 1), ("a", "c", 5)]:
        db.command("sql", f"CREATE EDGE Knows FROM {rid(db, src)} TO {rid(db, dst)} SET w = {w}")
    db.command("sql", f"CREATE EDGE Likes FROM {rid(db, 'a')} TO {rid(db, 'd')}")
    db.command("sql", f"CREATE EDGE Likes FROM {rid(db, 'd')} TO {rid(db, 'a')}")
    return db


def rid(db, name):
    return db.query("sql", "SELECT FROM P WHERE name = ?", name).one().get_rid()


def expand(db, expr, name="a"):
    return sorted(names(db.query("sql", f"SELECT expand({expr}) FROM {rid(db, name)}")))


@pytest.mark.parametrize("expr,expected", [
    ("out()", ["b", "c", "d"]),
    ("out('Knows')", ["b", "c"]),
    ("out('Knows', 'Likes')", ["b", "c", "d"]),
    ("in()", ["d"]),
    ("in('Knows')", []),
    ("both('Likes')", ["d", "d"]),
    ("out('Knows').out('Knows')", ["c", "d"]),
    ("out('Knows')[age > 15]", ["b", "c"]),
    ("out('Knows')[age > 25]", ["c"]),
    ("out('Knows')[name = 'b'].out('Knows')", ["c"]),
    ("outE('Knows').inV()", ["b", "c"]),
    ("inE().outV()", ["d"]),
    ("bothE('Likes').bothV()", ["a", "a", "d", "d"]),
])  # fmt: skip
def test_traversal_functions(g, expr, expected):
    assert expand(g, expr) == expected


def test_edge_functions_return_edges(g):
    edges = [
        r.get_edge() for r in g.query("sql", f"SELECT expand(outE('Knows')) FROM {rid(g, 'a')}")
    ]
    assert all(isinstance(e, Edge) for e in edges)
    assert sorted(e.get("w") for e in edges) == [1, 5]
    both = list(g.query("sql", f"SELECT expand(bothE()) FROM {rid(g, 'd')}"))
    assert len(both) == 3
    edge = g.query("sql", "SELECT FROM Knows WHERE w = 5").one().get_rid()
    assert names(g.query("sql", f"SELECT expand(outV()) FROM {edge}")) == ["a"]
    assert names(g.query("sql", f"SELECT expand(inV()) FROM {edge}")) == ["c"]
    assert sorted(names(g.query("sql", f"SELECT expand(bothV()) FROM {edge}"))) == ["a", "c"]


def test_traversals_in_projections_and_where(g):
    assert rows(g.query("sql", "SELECT name, out('Knows').size() AS n, out('Knows').name AS to "
                               "FROM P ORDER BY name")) == [  # fmt: skip
        {"name": "a", "n": 2, "to": ["b", "c"]}, {"name": "b", "n": 1, "to": ["c"]},
        {"name": "c", "n": 1, "to": ["d"]}, {"name": "d", "n": 0, "to": []}]  # fmt: skip
    assert names(g.query("sql", "SELECT FROM P WHERE in('Knows').size() = 0 ORDER BY name")) == [
        "a"
    ]
    assert names(g.query("sql", "SELECT FROM P WHERE out('Likes') CONTAINS (name = 'a')")) == ["d"]
    values = g.query("sql", f"SELECT out('Knows') AS o FROM {rid(g, 'a')}").one().get("o")
    assert all(isinstance(v, Vertex) for v in values)


def test_expand_rows_are_elements_and_can_be_filtered_and_ordered(g):
    result = list(g.query("sql", f"SELECT expand(out()) FROM {rid(g, 'a')}"))
    assert all(isinstance(r.get_element(), Vertex) for r in result)
    ordered = names(
        g.query(
            "sql", "SELECT FROM (SELECT expand(out()) FROM P) WHERE age > 15 ORDER BY name DESC"
        )
    )
    assert ordered == ["d", "d", "c", "c", "b"]


def test_unknown_edge_label_finds_nothing_but_vertex_label_errors(g):
    assert expand(g, "out('Nope')") == []
    with pytest.raises(SchemaError, match="P"):
        expand(g, "out('P')")


def test_edge_attributes(g):
    assert rows(g.query("sql", "SELECT @out AS o, @in AS i FROM Knows WHERE w = 5")) == [
        {"o": RID.parse(rid(g, "a")), "i": RID.parse(rid(g, "c"))}]  # fmt: skip
    assert len(list(g.query("sql", f"SELECT FROM Knows WHERE @out = {rid(g, 'a')}"))) == 2
    assert (
        len(list(g.query("sql", f"SELECT FROM Knows WHERE @in IN [{rid(g, 'c')}, {rid(g, 'd')}]")))
        == 3
    )


# --- MATCH ----------------------------------------------------------------------------------


def test_match_one_hop(g):
    result = rows(g.query("sql", "MATCH {type: P, as: x, where: (name = 'a')}.out('Knows'){as: y} "
                                 "RETURN x.name AS x, y.name AS y ORDER BY y"))  # fmt: skip
    assert result == [{"x": "a", "y": "b"}, {"x": "a", "y": "c"}]


def test_match_arrows_and_multi_hop(g):
    result = rows(g.query("sql", "MATCH {type: P, as: x}-Knows->{as: y}-Knows->{as: z} "
                                 "RETURN x.name AS x, y.name AS y, z.name AS z ORDER BY x, y"))  # fmt: skip
    assert result == [{"x": "a", "y": "b", "z": "c"}, {"x": "a", "y": "c", "z": "d"},
                      {"x": "b", "y": "c", "z": "d"}]  # fmt: skip
    back = rows(
        g.query(
            "sql", "MATCH {type: P, as: x, where: (name = 'd')}<-Knows-{as: y} RETURN y.name AS y"
        )
    )
    assert back == [{"y": "c"}]
    both = rows(
        g.query(
            "sql",
            "MATCH {type: P, as: x, where: (name = 'd')}-Likes-{as: y} RETURN DISTINCT y.name AS y",
        )
    )
    assert both == [{"y": "a"}]


def test_match_returns_aliases_as_records(g):
    row = g.query(
        "sql", "MATCH {type: P, as: x, where: (name = 'b')}.out('Knows'){as: y} RETURN x, y"
    ).one()
    assert isinstance(row.get("x"), Vertex) and row.get("y").get("name") == "c"


def test_match_filters_and_joins_on_shared_aliases(g):
    result = rows(g.query("sql",
        "MATCH {type: P, as: x}.out('Knows'){as: y, where: (age >= 30)}, "
        "{as: x}.out('Likes'){as: z} RETURN x.name AS x, y.name AS y, z.name AS z"))  # fmt: skip
    assert result == [{"x": "a", "y": "c", "z": "d"}]
    cycle = rows(g.query("sql", "MATCH {type: P, as: x}.out('Likes'){as: y}.out('Likes'){as: x} "
                                "RETURN x.name AS x ORDER BY x"))  # fmt: skip
    assert cycle == [{"x": "a"}, {"x": "d"}]


def test_match_while_optional_not_and_specials(g):
    reach = rows(g.query("sql", "MATCH {type: P, as: x, where: (name = 'a')}.out('Knows')"
                                "{as: y, while: ($depth < 2)} RETURN DISTINCT y.name AS y ORDER BY y"))  # fmt: skip
    assert reach == [{"y": "a"}, {"y": "b"}, {"y": "c"}, {"y": "d"}]
    optional = rows(g.query("sql", "MATCH {type: P, as: x}.in('Knows'){as: y, optional: true} "
                                   "RETURN x.name AS x, y.name AS y ORDER BY x, y"))  # fmt: skip
    assert optional[0] == {"x": "a", "y": None} and len(optional) == 5
    negated = rows(
        g.query("sql", "MATCH {type: P, as: x}, NOT {as: x}.out('Knows'){as: y} RETURN x.name AS x")
    )
    assert negated == [{"x": "d"}]
    elements = g.query(
        "sql", "MATCH {type: P, as: x, where: (name = 'c')}.out('Knows'){as: y} RETURN $elements"
    )
    assert sorted(names(elements)) == ["c", "d"]
    patterns = rows(
        g.query(
            "sql",
            "MATCH {type: P, as: x, where: (name = 'c')}.out('Knows'){as: y} RETURN $patterns",
        )
    )
    assert [sorted(p) for p in patterns] == [["x", "y"]]


def test_match_group_by_and_count(g):
    assert rows(g.query("sql", "MATCH {type: P, as: x}.out('Knows'){as: y} "
                               "RETURN x.name AS n, count(*) AS c GROUP BY n ORDER BY n")) == [  # fmt: skip
        {"n": "a", "c": 2}, {"n": "b", "c": 1}, {"n": "c", "c": 1}]  # fmt: skip


def test_match_origin_needs_a_type(g):
    with pytest.raises(QueryError, match="type"):
        g.query("sql", "MATCH {as: x}.out(){as: y} RETURN x")


# --- TRAVERSE -------------------------------------------------------------------------------


def test_traverse_depth_first_and_breadth_first(g):
    start = rid(g, "a")
    assert names(g.query("sql", f"TRAVERSE out('Knows') FROM {start}")) == ["a", "b", "c", "d"]
    assert names(g.query("sql", f"TRAVERSE out('Knows') FROM {start} STRATEGY BREADTH_FIRST")) == [
        "a", "b", "c", "d"]  # fmt: skip
    # depth first follows b's branch down to d before visiting a's second child
    g.command("sql", "CREATE VERTEX P SET name = 'e'")
    g.command("sql", f"CREATE EDGE Knows FROM {start} TO {rid(g, 'e')}")
    assert names(g.query("sql", f"TRAVERSE out('Knows') FROM {start}")) == ["a", "b", "c", "d", "e"]
    assert names(g.query("sql", f"TRAVERSE out('Knows') FROM {start} STRATEGY BREADTH_FIRST")) == [
        "a", "b", "c", "e", "d"]  # fmt: skip


def test_traverse_maxdepth_while_limit(g):
    start = rid(g, "a")
    assert names(g.query("sql", f"TRAVERSE out('Knows') FROM {start} MAXDEPTH 1")) == [
        "a",
        "b",
        "c",
    ]
    assert names(g.query("sql", f"TRAVERSE out('Knows') FROM {start} WHILE $depth < 1")) == ["a"]
    assert names(g.query("sql", f"TRAVERSE out('Knows') FROM {start} LIMIT 2")) == ["a", "b"]
    assert names(g.query("sql", "SELECT FROM (TRAVERSE in('Knows') FROM (SELECT FROM P WHERE name = 'd')) "
                                "WHERE age < 30 ORDER BY name")) == ["a", "b"]  # fmt: skip


def test_traverse_edges_and_vertices(g):
    result = list(g.query("sql", f"TRAVERSE bothE(), bothV() FROM {rid(g, 'b')} MAXDEPTH 2"))
    kinds = {type(r.get_element()).__name__ for r in result}
    assert kinds == {"Vertex", "Edge"}


# --- paths ----------------------------------------------------------------------------------


def test_shortest_path(g):
    a, d = rid(g, "a"), rid(g, "d")
    path = g.query("sql", f"SELECT shortestPath({a}, {d}) AS p").one().get("p")
    assert [str(r) for r in path] == [a, d]  # through Likes, both directions
    path = g.query("sql", f"SELECT shortestPath({a}, {d}, 'OUT', 'Knows') AS p").one().get("p")
    assert [str(r) for r in path] == [a, rid(g, "c"), d]
    assert (
        g.query("sql", f"SELECT shortestPath({d}, {a}, 'OUT', 'Knows') AS p").one().get("p") == []
    )
    assert names(g.query("sql", f"SELECT expand(shortestPath({a}, {d}, 'OUT', 'Knows'))")) == [
        "a",
        "c",
        "d",
    ]


def test_dijkstra(g):
    a, c = rid(g, "a"), rid(g, "c")
    path = g.query("sql", f"SELECT dijkstra({a}, {c}, 'w', 'OUT') AS p").one().get("p")
    assert [v.get("name") for v in path] == ["a", "b", "c"]  # 1 + 1 beats the direct 5
    assert names(g.query("sql", f"SELECT expand(dijkstra({a}, {c}, 'w'))")) == ["a", "b", "c"]


def test_select_from_traverse_sees_depth_and_path(g):
    result = rows(g.query("sql", f"SELECT name, $depth AS d FROM (TRAVERSE out('Knows') FROM {rid(g, 'a')}) "
                                 "WHERE $depth >= 1 ORDER BY name"))  # fmt: skip
    assert result == [{"name": "b", "d": 1}, {"name": "c", "d": 1}, {"name": "d", "d": 2}]
    path = g.query("sql", f"SELECT $path AS p FROM (TRAVERSE out('Knows') FROM {rid(g, 'a')}) "
                          "WHERE name = 'd'").one().get("p")  # fmt: skip
    assert [str(r) for r in path][-1] == rid(g, "d")
