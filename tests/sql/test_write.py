"""INSERT, CREATE VERTEX/EDGE, UPDATE, DELETE: results, constraints, transactions, atomicity."""

from __future__ import annotations

import pytest

import arcadelite as arcadedb
from arcadelite import QueryError, TransactionError, ValidationError
from arcadelite.graph import Document, Edge, Vertex
from arcadelite.rid import RID

from .conftest import names, rows


def q(db, text, *args, **kwargs):
    return rows(db.query("sql", text, *args, **kwargs))


def c(db, text, *args, **kwargs):
    return rows(db.command("sql", text, *args, **kwargs))


@pytest.fixture
def docs(auto):
    auto.command("sql", "CREATE DOCUMENT TYPE D")
    return auto


# --- INSERT ----------------------------------------------------------------------------------


def test_insert_set_returns_the_element_row(docs):
    result = list(docs.command("sql", "INSERT INTO D SET a = 1, b.c = 'x', l = [1, 2]"))
    assert len(result) == 1
    element = result[0].get_element()
    assert isinstance(element, Document) and not isinstance(element, Vertex)
    assert element.to_dict() == {"a": 1, "b": {"c": "x"}, "l": [1, 2]}
    assert docs.lookup_by_rid(element.get_rid()).to_dict() == element.to_dict()


def test_insert_values_several_rows(docs):
    assert c(docs, "INSERT INTO D (a, b) VALUES (1, 'x'), (2, 'y')") == [
        {"a": 1, "b": "x"}, {"a": 2, "b": "y"}]  # fmt: skip
    with pytest.raises(QueryError, match="2 columns"):
        docs.command("sql", "INSERT INTO D (a, b) VALUES (1)")


def test_insert_content_object_and_array(docs):
    assert c(docs, "INSERT INTO D CONTENT {'a': 1, 'n': {'x': [true, null]}}") == [
        {"a": 1, "n": {"x": [True, None]}}]  # fmt: skip
    assert c(docs, "INSERT INTO D CONTENT [{'a': 2}, {'a': 3}]") == [{"a": 2}, {"a": 3}]
    assert c(docs, "INSERT INTO D CONTENT ?", {"a": 4, "@type": "ignored"}) == [{"a": 4}]
    with pytest.raises(QueryError, match="CONTENT"):
        docs.command("sql", "INSERT INTO D CONTENT ?", 5)


def test_insert_from_select(docs):
    docs.command("sql", "INSERT INTO D (a) VALUES (1), (2), (3)")
    docs.command("sql", "CREATE DOCUMENT TYPE Copy")
    assert c(docs, "INSERT INTO Copy FROM SELECT a, a * 10 AS b FROM D WHERE a > 1") == [
        {"a": 2, "b": 20}, {"a": 3, "b": 30}]  # fmt: skip
    assert c(docs, "INSERT INTO Copy FROM (SELECT FROM D WHERE a = 1)") == [{"a": 1}]
    assert docs.count_type("Copy") == 3


def test_insert_return(docs):
    row = docs.command("sql", "INSERT INTO D SET a = 5 RETURN @rid").one()
    assert isinstance(row.get("@rid"), RID)
    assert c(docs, "INSERT INTO D SET a = 6 RETURN a") == [{"a": 6}]
    assert (
        docs.command("sql", "INSERT INTO D SET a = 7 RETURN @this").one().get_element().get("a")
        == 7
    )


def test_insert_empty_record_and_parameters(docs):
    assert c(docs, "INSERT INTO D") == [{}]
    assert c(docs, "INSERT INTO D SET a = ?, b = :b", 1, b=2) == [{"a": 1, "b": 2}]
    assert c(docs, "INSERT INTO D SET a = :a, b = :b", a=1, b=2) == [{"a": 1, "b": 2}]


def test_insert_into_vertex_type_creates_a_vertex(auto):
    auto.command("sql", "CREATE VERTEX TYPE V")
    assert isinstance(auto.command("sql", "INSERT INTO V SET a = 1").one().get_element(), Vertex)


def test_insert_into_edge_type_is_refused(auto):
    auto.command("sql", "CREATE EDGE TYPE E")
    with pytest.raises(QueryError, match="CREATE EDGE"):
        auto.command("sql", "INSERT INTO E SET a = 1")


def test_insert_unknown_type_is_named(auto):
    with pytest.raises(arcadedb.SchemaError, match="Ghost"):
        auto.command("sql", "INSERT INTO Ghost SET a = 1")


# --- transactions -----------------------------------------------------------------------------


def test_write_outside_transaction_needs_auto_transaction(db):
    db.command("sql", "CREATE DOCUMENT TYPE D")  # schema: no transaction needed
    with pytest.raises(TransactionError, match="transaction"):
        db.command("sql", "INSERT INTO D SET a = 1")
    with db.transaction():
        db.command("sql", "INSERT INTO D SET a = 1")
    assert db.count_type("D") == 1


def test_sql_transaction_statements(db):
    db.command("sql", "CREATE DOCUMENT TYPE D")
    assert c(db, "BEGIN") == [{"operation": "begin"}]
    assert db.is_transaction_active()
    db.command("sql", "INSERT INTO D SET a = 1")
    db.command("sql", "ROLLBACK")
    assert db.count_type("D") == 0
    db.command("sql", "BEGIN")
    db.command("sql", "INSERT INTO D SET a = 2")
    db.command("sql", "COMMIT")
    assert not db.is_transaction_active()
    assert names(db.query("sql", "SELECT FROM D"), "a") == [2]


def test_failing_statement_inside_a_transaction_changes_nothing(db):
    db.command("sql", "CREATE DOCUMENT TYPE D")
    db.command("sql", "CREATE PROPERTY D.a INTEGER (max 10)")
    with db.transaction():
        db.command("sql", "INSERT INTO D SET a = 1")
        with pytest.raises(ValidationError, match="D.a"):
            db.command("sql", "INSERT INTO D (a) VALUES (2), (3), (99)")
        with pytest.raises(ValidationError):
            db.command("sql", "UPDATE D SET a = a + 20")
        db.command("sql", "INSERT INTO D SET a = 4")
    assert sorted(names(db.query("sql", "SELECT FROM D"), "a")) == [1, 4]


def test_failing_statement_in_auto_transaction_changes_nothing(docs):
    docs.command("sql", "CREATE PROPERTY D.a INTEGER")
    docs.command("sql", "CREATE INDEX ON D (a) UNIQUE")
    with pytest.raises(arcadedb.DuplicatedKeyError):
        docs.command("sql", "INSERT INTO D (a) VALUES (1), (2), (1)")
    assert docs.count_type("D") == 0


def test_other_thread_does_not_see_uncommitted_sql_writes(db):
    import threading

    db.command("sql", "CREATE DOCUMENT TYPE D")
    seen = []
    db.begin()
    db.command("sql", "INSERT INTO D SET a = 1")
    thread = threading.Thread(
        target=lambda: seen.append(db.query("sql", "SELECT count(*) AS c FROM D").one().get("c"))
    )
    thread.start()
    thread.join()
    assert seen == [0]
    assert db.query("sql", "SELECT count(*) AS c FROM D").one().get("c") == 1
    db.commit()


# --- CREATE VERTEX / CREATE EDGE ------------------------------------------------------------------


@pytest.fixture
def graph(auto):
    auto.command("sql", "CREATE VERTEX TYPE V")
    auto.command("sql", "CREATE EDGE TYPE E")
    for name in "abcd":
        auto.command("sql", "CREATE VERTEX V SET name = ?", name)
    return auto


def rid_of(db, name):
    return db.query("sql", "SELECT FROM V WHERE name = ?", name).one().get_rid()


def test_create_vertex(graph):
    row = graph.command("sql", "CREATE VERTEX V CONTENT {'name': 'e', 'n': 1}").one()
    assert isinstance(row.get_element(), Vertex) and row.get_element().to_dict() == {
        "name": "e",
        "n": 1,
    }
    graph.command("sql", "CREATE DOCUMENT TYPE D")
    with pytest.raises(arcadedb.SchemaError, match="D"):
        graph.command("sql", "CREATE VERTEX D SET a = 1")


def test_create_edge_from_rids(graph):
    a, b = rid_of(graph, "a"), rid_of(graph, "b")
    edge = graph.command("sql", f"CREATE EDGE E FROM {a} TO {b} SET w = 5").one().get_edge()
    assert isinstance(edge, Edge) and edge.get("w") == 5
    assert edge.get_out().get_rid() == a and edge.get_in().get_rid() == b
    assert names(graph.query("sql", f"SELECT expand(out('E')) FROM {a}")) == ["b"]


def test_create_edge_from_lists_and_subqueries(graph):
    a, b = rid_of(graph, "a"), rid_of(graph, "b")
    result = list(
        graph.command(
            "sql", f"CREATE EDGE E FROM [{a}, {b}] TO (SELECT FROM V WHERE name IN ['c', 'd'])"
        )
    )
    assert len(result) == 4
    pairs = sorted(
        (r.get_edge().get_out().get("name"), r.get_edge().get_in().get("name")) for r in result
    )
    assert pairs == [("a", "c"), ("a", "d"), ("b", "c"), ("b", "d")]
    graph.command("sql", "CREATE EDGE E FROM ? TO ? CONTENT {'w': 1}", a, b)
    assert q(graph, "SELECT w FROM E WHERE w IS NOT NULL") == [{"w": 1}]


def test_create_edge_if_not_exists(graph):
    a, b = rid_of(graph, "a"), rid_of(graph, "b")
    first = graph.command("sql", f"CREATE EDGE E FROM {a} TO {b}").one().get_rid()
    again = graph.command("sql", f"CREATE EDGE E FROM {a} TO {b} IF NOT EXISTS").one().get_rid()
    assert first == again and graph.count_type("E") == 1


def test_create_edge_errors(graph):
    a = rid_of(graph, "a")
    with pytest.raises(arcadedb.RecordNotFoundError, match="#1:99"):
        graph.command("sql", f"CREATE EDGE E FROM {a} TO #1:99")
    graph.command("sql", "CREATE DOCUMENT TYPE D")
    doc = graph.command("sql", "INSERT INTO D SET x = 1").one().get_rid()
    with pytest.raises(QueryError, match="not a vertex"):
        graph.command("sql", f"CREATE EDGE E FROM {a} TO {doc}")
    with pytest.raises(arcadedb.SchemaError, match="V"):
        graph.command("sql", f"CREATE EDGE V FROM {a} TO {a}")
    assert graph.count_type("E") == 0


# --- UPDATE ----------------------------------------------------------------------------------------


@pytest.fixture
def counters(docs):
    docs.command("sql", "INSERT INTO D (name, n) VALUES ('x', 1), ('y', 2), ('z', 3)")
    return docs


def test_update_set_returns_count(counters):
    assert c(counters, "UPDATE D SET n = n + 10, seen = true WHERE n >= 2") == [{"count": 2}]
    assert q(counters, "SELECT name, n, seen FROM D ORDER BY name") == [
        {"name": "x", "n": 1, "seen": None}, {"name": "y", "n": 12, "seen": True},
        {"name": "z", "n": 13, "seen": True}]  # fmt: skip


def test_update_remove_increment_add_put(counters):
    counters.command("sql", "UPDATE D SET tags = ['a', 'b', 'a'], m = {'k': 1} WHERE name = 'x'")
    counters.command("sql", "UPDATE D INCREMENT n = 5 WHERE name = 'x'")
    counters.command("sql", "UPDATE D ADD tags = 'c' WHERE name = 'x'")
    counters.command("sql", "UPDATE D PUT m = 'j', 2 WHERE name = 'x'")
    counters.command("sql", "UPDATE D REMOVE tags = 'a' WHERE name = 'x'")
    assert q(counters, "SELECT n, tags, m FROM D WHERE name = 'x'") == [
        {"n": 6, "tags": ["b", "c"], "m": {"k": 1, "j": 2}}]  # fmt: skip
    counters.command("sql", "UPDATE D REMOVE m, tags WHERE name = 'x'")
    assert q(counters, "SELECT FROM D WHERE name = 'x'") == [{"name": "x", "n": 6}]


def test_update_merge_and_content(counters):
    counters.command("sql", "UPDATE D MERGE {'extra': 1} WHERE name = 'y'")
    assert q(counters, "SELECT FROM D WHERE name = 'y'") == [{"name": "y", "n": 2, "extra": 1}]
    counters.command("sql", "UPDATE D CONTENT {'name': 'y2'} WHERE name = 'y'")
    assert q(counters, "SELECT FROM D WHERE name = 'y2'") == [{"name": "y2"}]


def test_update_return_before_after_count(counters):
    assert c(counters, "UPDATE D SET n = 0 RETURN BEFORE WHERE name = 'x'") == [
        {"name": "x", "n": 1}
    ]
    assert c(counters, "UPDATE D SET n = 7 RETURN AFTER WHERE name = 'x'") == [
        {"name": "x", "n": 7}
    ]
    assert c(counters, "UPDATE D SET n = 8 RETURN AFTER n WHERE name = 'x'") == [{"n": 8}]
    assert c(counters, "UPDATE D SET n = 9 RETURN COUNT WHERE name = 'x'") == [{"count": 1}]


def test_update_limit_and_rid_target(counters):
    assert c(counters, "UPDATE D SET hit = 1 LIMIT 2") == [{"count": 2}]
    assert q(counters, "SELECT count(*) AS c FROM D WHERE hit = 1") == [{"c": 2}]
    rid = counters.query("sql", "SELECT FROM D WHERE name = 'z'").one().get_rid()
    assert c(counters, f"UPDATE {rid} SET n = 100") == [{"count": 1}]
    assert q(counters, f"SELECT n FROM {rid}") == [{"n": 100}]


def test_update_upsert(counters):
    assert c(counters, "UPDATE D SET n = 50 UPSERT WHERE name = 'new'") == [{"count": 1}]
    assert q(counters, "SELECT name, n FROM D WHERE name = 'new'") == [{"name": "new", "n": 50}]
    assert c(counters, "UPDATE D SET n = 51 UPSERT WHERE name = 'new'") == [{"count": 1}]
    assert q(counters, "SELECT count(*) AS c FROM D WHERE name = 'new'") == [{"c": 1}]
    assert c(counters, "UPDATE D SET n = 1 UPSERT RETURN AFTER WHERE name = 'w'") == [
        {"name": "w", "n": 1}
    ]


def test_update_respects_read_only_and_types(counters):
    counters.command("sql", "CREATE PROPERTY D.code STRING (readonly true)")
    counters.command("sql", "INSERT INTO D SET name = 'r', code = 'A'")
    with pytest.raises(ValidationError, match="D.code"):
        counters.command("sql", "UPDATE D SET code = 'B' WHERE name = 'r'")
    assert q(counters, "SELECT code FROM D WHERE name = 'r'") == [{"code": "A"}]
    counters.command("sql", "CREATE PROPERTY D.n2 INTEGER")
    with pytest.raises(ValidationError, match="D.n2"):
        counters.command("sql", "UPDATE D SET n2 = 'many'")


# --- DELETE ----------------------------------------------------------------------------------------


def test_delete_from(counters):
    assert c(counters, "DELETE FROM D WHERE n > 1") == [{"count": 2}]
    assert names(counters.query("sql", "SELECT FROM D")) == ["x"]
    assert c(counters, "DELETE FROM D RETURN BEFORE") == [{"name": "x", "n": 1}]
    assert counters.count_type("D") == 0


def test_delete_limit(counters):
    assert c(counters, "DELETE FROM D LIMIT 2") == [{"count": 2}]
    assert counters.count_type("D") == 1


def test_delete_vertex_takes_its_edges(graph):
    a, b, cc = rid_of(graph, "a"), rid_of(graph, "b"), rid_of(graph, "c")
    graph.command("sql", f"CREATE EDGE E FROM {a} TO {b}")
    graph.command("sql", f"CREATE EDGE E FROM {b} TO {cc}")
    assert c(graph, f"DELETE VERTEX {b}") == [{"count": 1}]
    assert graph.count_type("E") == 0
    assert c(graph, "DELETE VERTEX V WHERE name = 'd'") == [{"count": 1}]
    assert c(graph, "DELETE VERTEX FROM (SELECT FROM V WHERE name = 'c')") == [{"count": 1}]
    assert names(graph.query("sql", "SELECT FROM V")) == ["a"]


def test_delete_edge_forms(graph):
    a, b, cc = rid_of(graph, "a"), rid_of(graph, "b"), rid_of(graph, "c")
    e1 = graph.command("sql", f"CREATE EDGE E FROM {a} TO {b} SET w = 1").one().get_rid()
    graph.command("sql", f"CREATE EDGE E FROM {a} TO {cc} SET w = 2")
    graph.command("sql", f"CREATE EDGE E FROM {b} TO {cc} SET w = 3")
    assert c(graph, f"DELETE EDGE {e1}") == [{"count": 1}]
    assert c(graph, f"DELETE EDGE FROM {a} TO {cc}") == [{"count": 1}]
    graph.command("sql", f"CREATE EDGE E FROM {a} TO {cc} SET w = 4")
    assert c(graph, "DELETE EDGE E WHERE w > 3") == [{"count": 1}]
    assert c(graph, f"DELETE EDGE E TO {cc}") == [{"count": 1}]
    assert graph.count_type("E") == 0
    assert graph.count_type("V") == 4


def test_import_database_restores_an_arcadedb_dump(db):
    from pathlib import Path

    dump = Path(__file__).resolve().parents[1] / "fixtures" / "arcadedb_export.jsonl.gz"
    row = db.command("sql", f"IMPORT DATABASE file://{dump}").one()
    assert row.get("operation") == "import database"
    assert db.count_type("Person") > 0
    created = row.get("createdDocuments") + row.get("createdVertices") + row.get("createdEdges")
    assert created == sum(db.count_type(t.name, polymorphic=False) for t in db.schema.get_types())
