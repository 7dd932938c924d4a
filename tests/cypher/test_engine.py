"""arcadelite's Cypher engine beyond the pinned shapes: writes and schema, errors that change
nothing, parameters, the async executor, and exact rows of the clauses the issue names."""

from __future__ import annotations

import pytest

import arcadelite as arcadedb
from arcadelite.exceptions import ArcadeDBError, DuplicatedKeyError, ParseError, QueryError


@pytest.fixture
def graph(db):
    with db.transaction():
        db.command("cypher", "CREATE (:Person {name: 'Ann', age: 30})-[:KNOWS {since: 1}]->"
                   "(:Person {name: 'Bob', age: 40})-[:KNOWS {since: 2}]->"
                   "(:Person {name: 'Cy', age: 50})")  # fmt: skip
    return db


def rows(result):
    return [row.to_dict() for row in result]


def test_patterns_var_length_and_optional(graph):
    q = graph.query
    assert rows(q("cypher", "MATCH (a:Person {name: 'Ann'})-[:KNOWS*1..2]->(b) "
                  "RETURN b.name AS n ORDER BY n")) == [{"n": "Bob"}, {"n": "Cy"}]  # fmt: skip
    assert rows(q("cypher", "MATCH (b)<-[:KNOWS]-(a) RETURN a.name AS a, b.name AS b "
                  "ORDER BY a")) == [{"a": "Ann", "b": "Bob"}, {"a": "Bob", "b": "Cy"}]  # fmt: skip
    assert rows(q("cypher", "MATCH (p:Person) OPTIONAL MATCH (p)-[:KNOWS]->(x) "
                  "RETURN p.name AS p, x.name AS x ORDER BY p")) == [
        {"p": "Ann", "x": "Bob"}, {"p": "Bob", "x": "Cy"}, {"p": "Cy", "x": None}]  # fmt: skip
    assert rows(q("cypher", "MATCH (p:Person) WHERE (p)-[:KNOWS]->() RETURN count(p) AS n")) == [
        {"n": 2}]  # fmt: skip


def test_aggregation_with_filtering_and_order(graph):
    result = graph.query(
        "cypher",
        "MATCH (p:Person) WITH p.age > 35 AS old, count(*) AS n, collect(p.name) AS names "
        "WHERE n > 0 RETURN old, n, names ORDER BY old DESC",
    )
    assert rows(result) == [
        {"old": True, "n": 2, "names": ["Bob", "Cy"]},
        {"old": False, "n": 1, "names": ["Ann"]},
    ]


def test_parameters_as_dict_and_keywords(graph):
    text = "MATCH (p:Person) WHERE p.age >= $low RETURN p.name AS n ORDER BY n"
    assert rows(graph.query("cypher", text, {"low": 40})) == [{"n": "Bob"}, {"n": "Cy"}]
    assert rows(graph.query("cypher", text, low=45)) == [{"n": "Cy"}]


def test_merge_set_remove_delete(graph):
    with graph.transaction():
        graph.command("cypher", "MERGE (p:Person {name: 'Ann'}) ON MATCH SET p.seen = 1")
        graph.command("cypher", "MERGE (p:Person {name: 'Di'}) ON CREATE SET p.age = 20")
        graph.command("cypher", "MATCH (p:Person {name: 'Bob'}) SET p += {city: 'Rome'} "
                      "REMOVE p.age")  # fmt: skip
        graph.command("cypher", "MATCH (p:Person {name: 'Cy'}) DETACH DELETE p")
    assert rows(graph.query("cypher", "MATCH (p:Person) RETURN p.name AS n, p.age AS age, "
                            "p.seen AS seen, p.city AS city ORDER BY n")) == [  # fmt: skip
        {"n": "Ann", "age": 30, "seen": 1, "city": None},
        {"n": "Bob", "age": None, "seen": None, "city": "Rome"},
        {"n": "Di", "age": 20, "seen": None, "city": None},
    ]
    assert graph.count_type("KNOWS") == 1


def test_a_failing_statement_changes_nothing(graph):
    with graph.transaction():
        with pytest.raises(QueryError, match="DETACH DELETE"):
            graph.command("cypher", "MATCH (p:Person) SET p.touched = true WITH p "
                          "WHERE p.name = 'Bob' DELETE p")  # fmt: skip
    assert rows(graph.query("cypher", "MATCH (p) WHERE p.touched IS NOT NULL RETURN p")) == []
    assert graph.count_type("Person") == 3


def test_unique_indexes_hold_for_cypher_writes(graph):
    graph.command("sql", "CREATE PROPERTY Person.name STRING")
    graph.command("sql", "CREATE INDEX ON Person (name) UNIQUE")
    with graph.transaction():
        with pytest.raises(DuplicatedKeyError):
            graph.command("cypher", "CREATE (:Person {name: 'Zed'}), (:Person {name: 'Ann'})")
    assert graph.count_type("Person") == 3


def test_errors_name_what_and_where(graph):
    with pytest.raises(ParseError) as parse_error:
        graph.query("cypher", "MATCH (p:Person RETURN p")
    assert "RETURN" in str(parse_error.value)
    with pytest.raises(QueryError, match="UndefinedVariable: Variable 'm'"):
        graph.query("cypher", "MATCH (n) RETURN m")
    with pytest.raises(QueryError, match="VariableTypeConflict"):
        graph.query("cypher", "MATCH ()-[r]->() MATCH (r) RETURN r")
    with pytest.raises(QueryError, match="InvalidAggregation"):
        graph.query("cypher", "MATCH (a) WHERE count(a) > 1 RETURN a")
    with pytest.raises(QueryError, match="command"):
        graph.query("cypher", "MATCH (p:Person) SET p.x = 1")
    assert rows(graph.query("cypher", "MATCH (p) WHERE p.x IS NOT NULL RETURN p")) == []
    with pytest.raises(ArcadeDBError, match="Unknown query language"):
        graph.query("gremlin", "g.V()")


def test_async_executor_runs_cypher(db_path):
    db = arcadedb.create_database(db_path + "_async")
    try:
        ex = db.async_executor()
        seen = []
        for i in range(5):
            ex.command("cypher", "CREATE (:Item {n: $n})", n=i)
        ex.wait_completion()
        ex.query("cypher", "MATCH (i:Item) RETURN sum(i.n) AS total", seen.append)
        ex.wait_completion()
        assert [rows(r) for r in seen] == [[{"total": 10}]]
        ex.close()
    finally:
        db.close()
