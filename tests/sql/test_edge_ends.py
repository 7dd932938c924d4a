"""outV()/inV() of one edge are one vertex, as on the reference (issue 16; reference-notes §16):
``inV().name`` is a name and ``WHERE inV().name = 'bob'`` holds; from a vertex they are null;
from a list of edges they stay a list; bothV() is always a list."""

from __future__ import annotations

import pytest


@pytest.fixture
def g(auto):
    auto.command("sql", "CREATE VERTEX TYPE Person")
    auto.command("sql", "CREATE EDGE TYPE Knows")
    auto.command("sql", "CREATE VERTEX Person SET name = 'alice'")
    auto.command("sql", "CREATE VERTEX Person SET name = 'bob'")
    auto.command("sql", "CREATE EDGE Knows FROM (SELECT FROM Person WHERE name = 'alice') "
                        "TO (SELECT FROM Person WHERE name = 'bob')")  # fmt: skip
    return auto


def one(db, sql):
    rows = db.query("sql", sql).to_list()
    assert len(rows) == 1, rows
    return rows[0]


def test_ends_of_one_edge_are_single_values(g):
    assert one(g, "SELECT inV().name AS n, outV().name AS o FROM Knows") == {
        "n": "bob",
        "o": "alice",
    }
    assert one(g, "SELECT @this.inV().name AS n FROM Knows") == {"n": "bob"}
    assert one(g, "SELECT inV().name AS n FROM (SELECT FROM Knows)") == {"n": "bob"}
    assert one(g, "SELECT inV('Person').name AS n FROM Knows") == {"n": "bob"}  # label ignored
    vertex = g.query("sql", "SELECT inV() AS v FROM Knows").first().get("v")
    assert not isinstance(vertex, list) and vertex.get("name") == "bob"


def test_condition_on_an_edge_end(g):
    assert len(g.query("sql", "SELECT FROM Knows WHERE inV().name = 'bob'").to_list()) == 1
    assert g.query("sql", "SELECT FROM Knows WHERE outV().name = 'bob'").to_list() == []


def test_ends_from_a_vertex_are_null_and_from_edge_lists_a_list(g):
    assert one(g, "SELECT inV() AS v FROM Person WHERE name = 'alice'") == {"v": None}
    assert one(g, "SELECT inV().name AS n FROM Person WHERE name = 'alice'") == {"n": None}
    assert one(g, "SELECT outE().inV().name AS n FROM Person WHERE name = 'alice'") == {
        "n": ["bob"]
    }
    both = g.query("sql", "SELECT bothV().name AS n FROM Knows").first().get("n")
    assert sorted(both) == ["alice", "bob"]


def test_expand_of_an_edge_end(g):
    rows = g.query("sql", "SELECT expand(inV()) FROM Knows").to_list()
    assert [r["name"] for r in rows] == ["bob"]
