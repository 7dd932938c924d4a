"""Issue 16 items waiting for the layer refactor (issue 12): each test is pinned to the
reference engine's behaviour (docs/reference-notes.md §16) and FAILS on today's code
(except the guards).

Not collected by the suite (the file name does not start with ``test_``), so the suite stays
green. Tests named ``test_guard_*`` pass today and must keep passing through the change. Run it
explicitly:  .venv/bin/python -m pytest -q tests/pending_issue16.py
When an item is wired, move its test into the suite (the docstring of each test names the
file the fix lands in).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from decimal import Decimal

import pytest

import arcadelite as arcadedb
from arcadelite import ArcadeDBError


@pytest.fixture
def auto(db):
    db.set_auto_transaction(True)
    return db


@pytest.fixture
def graph(db):
    """alice -Knows-> bob, alice -Knows-> carol (in that order)."""
    db.schema.create_vertex_type("Person")
    db.schema.create_edge_type("Knows")
    with db.transaction():
        names = {}
        for name in ("alice", "bob", "carol"):
            names[name] = db.new_vertex("Person").set("name", name).save()
        names["alice"].new_edge("Knows", names["bob"], since=2019)
        names["alice"].new_edge("Knows", names["carol"])
    return db


# ---------------------------------------------------------------- SQL: the SQLite-pushed path


@pytest.mark.parametrize(("function", "message"), [
    ("avg", r"avg\(\) requires numeric input"),
    ("sum", r"sum\(\) requires numeric input"),
    ("max", r"max\(\) cannot compare"),
    ("min", r"min\(\) cannot compare"),
])  # fmt: skip
def test_pushed_aggregates_refuse_text_among_numbers(auto, function, message):
    """storage/query.py _aggregate_sql + query/executor.py _pushed_aggregate: SQLite reads 'NA'
    as 0 (avg 1.25) and orders text after numbers (max 'NA'); the Python path already raises."""
    auto.command("sql", "CREATE DOCUMENT TYPE M")
    auto.command("sql", "INSERT INTO M CONTENT [{'x': 1}, {'x': 2}, {'x': 2}, {'x': 'NA'}]")
    with pytest.raises(ArcadeDBError, match=message):
        auto.query("sql", f"SELECT {function}(x) AS a FROM M").to_list()
    with pytest.raises(ArcadeDBError, match=message):
        auto.query("sql", f"SELECT {function}(x) AS a, g FROM M GROUP BY g").to_list()


def test_group_by_returns_groups_in_first_seen_order(auto):
    """storage/query.py _aggregate_sql (SQLite's GROUP BY returns sorted groups); the Python
    path (executor._aggregate, a dict) already keeps first-seen order. Ties of a later ORDER BY
    keep that order too (the sort is stable)."""
    auto.command("sql", "CREATE DOCUMENT TYPE G")
    for k in ["z", "b", "z", "a", "m", "b"]:
        auto.command("sql", "INSERT INTO G SET k = ?", k)
    auto.command("sql", "INSERT INTO G SET j = 1")
    rows = auto.query("sql", "SELECT k, count(*) AS c FROM G GROUP BY k").to_list()
    assert [r["k"] for r in rows] == ["z", "b", "a", "m", None]
    rows = auto.query("sql", "SELECT k FROM G GROUP BY k").to_list()
    assert [r["k"] for r in rows] == ["z", "b", "a", "m", None]
    rows = auto.query("sql", "SELECT k, count(*) AS c FROM G GROUP BY k ORDER BY c DESC").to_list()
    assert [r["k"] for r in rows] == ["z", "b", "a", "m", None]


# ---------------------------------------------------------------- full-text (FTS5)


@pytest.fixture
def articles(auto):
    auto.command("sql", "CREATE DOCUMENT TYPE Art")
    auto.command("sql", "CREATE PROPERTY Art.title STRING")
    auto.command("sql", "CREATE PROPERTY Art.body STRING")
    for title, body in [
        ("Graph databases", "Vertices and edges are first-class citizens"),
        ("SQL basics", "SELECT from tables, joins and graph queries"),
        ("Cooking pasta", "Boil water, add salt, cook the pasta"),
        ("The graph of pasta", "A graph about PASTA consumption"),
        ("Running", "Runners run; running is fun"),
    ]:
        auto.command("sql", "INSERT INTO Art SET title = ?, body = ?", title, body)
    auto.command("sql", "CREATE INDEX ON Art (title) FULL_TEXT")
    auto.command("sql", "CREATE INDEX ON Art (body) FULL_TEXT")
    return auto


def titles(db, sql: str) -> set[str]:
    return {r.get("title") for r in db.query("sql", sql)}


def test_containstext_on_a_full_text_index_matches_words(articles):
    """storage (an FTS5 table per FULL_TEXT index, kept in the record's transaction) +
    planner (CONTAINSTEXT on an indexed property becomes a MATCH). Words, any case; several
    words match any of them; no substring matches ('data')."""
    assert titles(articles, "SELECT title FROM Art WHERE title CONTAINSTEXT 'graph'") == {
        "Graph databases", "The graph of pasta"}  # fmt: skip
    assert titles(articles, "SELECT title FROM Art WHERE title CONTAINSTEXT 'Graph'") == {
        "Graph databases", "The graph of pasta"}  # fmt: skip
    assert titles(articles, "SELECT title FROM Art WHERE title CONTAINSTEXT 'graph pasta'") == {
        "Graph databases", "The graph of pasta", "Cooking pasta"}  # fmt: skip
    assert titles(articles, "SELECT title FROM Art WHERE title CONTAINSTEXT 'data'") == set()


def test_search_index_and_search_fields_seed_era_forms(articles):
    """query/functions.py (search_index, search_fields) over the FTS5 tables. The seed era
    takes them as `... = true` (a bare function is no condition there); $score is the number
    of query words a record matched (a float)."""
    sql = "SELECT title FROM Art WHERE SEARCH_INDEX('Art[title]', 'graph') = true"
    assert titles(articles, sql) == {"Graph databases", "The graph of pasta"}
    rows = articles.query("sql", "SELECT title, $score AS s FROM Art WHERE "
                          "SEARCH_INDEX('Art[title]', 'graph pasta') = true").to_list()  # fmt: skip
    assert {r["title"]: r["s"] for r in rows} == {
        "The graph of pasta": 2.0, "Graph databases": 1.0, "Cooking pasta": 1.0}  # fmt: skip
    for query, expected in [("+graph +pasta", {"The graph of pasta"}),
                            ("graph AND pasta", {"The graph of pasta"}),
                            ("graph -pasta", {"Graph databases"}),
                            ('"graph databases"', {"Graph databases"})]:  # fmt: skip
        sql = f"SELECT title FROM Art WHERE SEARCH_INDEX('Art[title]', '{query}') = true"
        assert titles(articles, sql) == expected, query
    sql = "SELECT title FROM Art WHERE SEARCH_FIELDS(['body'], 'graph') = true"
    assert titles(articles, sql) == {"SQL basics", "The graph of pasta"}
    with pytest.raises(ArcadeDBError, match="Nope\\[title\\]"):
        articles.query("sql", "SELECT FROM Art WHERE SEARCH_INDEX('Nope[title]', 'x') = true")
    with pytest.raises(ArcadeDBError, match="No full-text index found for fields"):
        articles.query("sql", "SELECT FROM Art WHERE SEARCH_FIELDS(['title', 'body'], 'x') = true")


def test_full_text_index_follows_the_transaction(articles):
    """storage: FTS5 rows written in the record's own SQLite transaction."""
    articles.set_auto_transaction(False)
    with articles.transaction():
        articles.command("sql", "INSERT INTO Art SET title = 'Fresh graph news'")
        assert titles(articles, "SELECT title FROM Art WHERE "
                      "SEARCH_INDEX('Art[title]', 'fresh') = true") == {"Fresh graph news"}  # fmt: skip
    with pytest.raises(KeyError), articles.transaction():
        articles.command("sql", "INSERT INTO Art SET title = 'Ghost words'")
        raise KeyError
    assert (
        titles(articles, "SELECT title FROM Art WHERE SEARCH_INDEX('Art[title]', 'ghost') = true")
        == set()
    )
    with articles.transaction():
        articles.command("sql", "UPDATE Art SET title = 'Swimming' WHERE title = 'Running'")
    assert (
        titles(articles, "SELECT title FROM Art WHERE SEARCH_INDEX('Art[title]', 'running') = true")
        == set()
    )


# ---------------------------------------------------------------- types on write


@pytest.fixture
def typed(db):
    db.schema.create_document_type("W")
    for name, kind in {"s": "STRING", "i": "INTEGER", "l": "LONG", "f": "FLOAT", "d": "DOUBLE",
                       "dec": "DECIMAL", "dt": "DATE", "dtt": "DATETIME", "b": "BOOLEAN",
                       "sh": "SHORT"}.items():  # fmt: skip
        db.schema.create_property("W", name, kind)
    return db


def stored(db, prop, value):
    with db.transaction():
        doc = db.new_document("W").set(prop, value).save()
    return db.lookup_by_rid(doc.get_rid()).get(prop)


CONVERSIONS = [  # (property, value written, value read back): same on 26.2.1 and 26.10.2
    ("s", 369, "369"), ("s", 3.5, "3.5"), ("s", True, "true"),
    ("s", dt.date(2024, 1, 2), "2024-01-02"), ("i", 3.99, 3), ("i", -3.99, -3),
    ("i", Decimal("7.8"), 7), ("l", 3.7, 3), ("sh", 3.9, 3),
    ("dt", dt.datetime(2024, 1, 2, 3, 4, 5), dt.date(2024, 1, 2)),
    ("dt", "2024-01-15 10:11:12", dt.date(2024, 1, 15)),
    ("dtt", 1704164645123, dt.datetime(2024, 1, 2, 3, 4, 5, 123000)),
    ("b", 1, True), ("b", 0, False),
]  # fmt: skip

ALREADY_ALIKE = [  # arcadelite converts these as the reference does today: guards, pass now
    ("i", "42", 42), ("l", "12", 12), ("f", 3, 3.0), ("f", "2.5", 2.5), ("d", 7, 7.0),
    ("dec", 1.1, Decimal("1.1")), ("dec", 3, Decimal("3")), ("dec", "2.50", Decimal("2.50")),
    ("dt", "2024-01-15", dt.date(2024, 1, 15)), ("b", "true", True),
    ("dtt", "2024-01-15 10:11:12", dt.datetime(2024, 1, 15, 10, 11, 12)),
    ("dtt", "2024-01-15T10:11:12", dt.datetime(2024, 1, 15, 10, 11, 12)),
]  # fmt: skip


@pytest.mark.parametrize(("prop", "value", "expected"), CONVERSIONS)
def test_declared_properties_convert_on_write_as_the_reference(typed, prop, value, expected):
    """storage/codec.py (declared-type coercion) + schema validation: lossless or documented
    conversions (a float into INTEGER truncates toward zero, as Java's cast). Epoch
    milliseconds into DATETIME are a datetime (UTC here: 2024-01-02 03:04:05.123); into DATE
    they are refused (26.10; 26.2.1 stored null), not converted as the issue text assumed."""
    got = stored(typed, prop, value)
    assert (got, type(got)) == (expected, type(expected))


REFUSALS = [  # 26.10.2 refuses these (26.2.1 stored a silent null or a wrapped-around value)
    ("i", "4.5"), ("i", "abc"), ("i", True), ("i", 2**40), ("d", "x"), ("b", "yes"),
    ("sh", 70000), ("dt", 1704164645123), ("dt", "garbage"),
]  # fmt: skip


@pytest.mark.parametrize(("prop", "value", "expected"), ALREADY_ALIKE)
def test_guard_conversions_that_already_match(typed, prop, value, expected):
    """Guard (passes today): the coercion change must keep these."""
    got = stored(typed, prop, value)
    assert (got, type(got)) == (expected, type(expected))


@pytest.mark.parametrize(("prop", "value"), REFUSALS)
def test_guard_declared_properties_refuse_what_the_reference_refuses(typed, prop, value):
    """Guard (passes today): what the current reference refuses stays refused."""
    with pytest.raises(ArcadeDBError, match=f"'?W?\\.?{prop}'?"):
        stored(typed, prop, value)


def test_sql_date_functions_into_a_date_property(typed):
    """date()/sysdate() give a datetime; a DATE property stores its date (upstream test_core)."""
    typed.set_auto_transaction(True)
    rid = (
        typed.command("sql", "INSERT INTO W SET dt = sysdate(), dtt = date('2024-01-15')")
        .first()
        .get_rid()
    )
    record = typed.lookup_by_rid(rid)
    assert type(record.get("dt")) is dt.date
    assert record.get("dtt") == dt.datetime(2024, 1, 15)


# ---------------------------------------------------------------- records and results


def test_select_rows_give_user_properties_only(graph):
    """results.py Result.to_dict / ResultSet.to_list / to_dataframe (model/ after the
    refactor): metadata only with include_metadata=True or an @rid projection."""
    rows = graph.query("sql", "SELECT FROM Person ORDER BY name").to_list()
    assert rows == [{"name": "alice"}, {"name": "bob"}, {"name": "carol"}]
    assert graph.query("sql", "SELECT FROM Knows WHERE since = 2019").first().to_dict() == {
        "since": 2019
    }
    assert graph.query("sql", "SELECT FROM Person WHERE name = 'bob'").first().to_dict() == {
        "name": "bob"
    }
    with_meta = (
        graph.query("sql", "SELECT FROM Person WHERE name = 'bob'")
        .first()
        .to_dict(include_metadata=True)
    )
    assert with_meta["@type"] == "Person" and with_meta["@rid"].startswith("#")
    row = graph.query("sql", "SELECT @rid, @type, name FROM Person WHERE name = 'bob'").first()
    assert set(row.to_dict()) == {"@rid", "@type", "name"}
    pytest.importorskip("pandas")
    frame = graph.query("sql", "SELECT FROM Person ORDER BY name").to_dataframe()
    assert list(frame.columns) == ["name"]


def test_first_rid_of_a_new_type_has_position_zero(db):
    """storage (record positions start at 0 in each bucket, as ArcadeDB's)."""
    db.schema.create_document_type("D")
    with db.transaction():
        first = db.new_document("D").set("k", 1).save()
    assert first.get_rid().endswith(":0")
    assert first.get_identity().position == 0


def test_vertex_edge_methods_of_upstream(graph):
    """graph.py (model/ after the refactor): get_out_edges/get_in_edges/get_both_edges(*labels)
    -> lists of Edge; the reference lists the newest edge first."""
    alice = graph.query("sql", "SELECT FROM Person WHERE name = 'alice'").first().get_vertex()
    bob = graph.query("sql", "SELECT FROM Person WHERE name = 'bob'").first().get_vertex()
    out = alice.get_out_edges()
    assert [e.get_in().get("name") for e in out] == ["carol", "bob"]
    assert [e.get_rid() for e in alice.get_out_edges("Knows")] == [e.get_rid() for e in out]
    assert alice.get_in_edges() == [] and alice.get_out_edges("Nope") == []
    assert [e.get_out().get("name") for e in bob.get_in_edges()] == ["alice"]
    assert len(alice.get_both_edges()) == 2


JAVA_NAMES = """
import arcadelite as arcadedb, sys
with arcadedb.create_database(sys.argv[1]) as db:
    db.schema.create_vertex_type("P")
    db.schema.create_property("P", "name", "STRING")
    db.schema.create_index("P", ["name"], unique=True)
    ids = []
    with db.async_executor() as ex:
        ex.create_record(db.new_vertex("P").set("name", "a"), callback=lambda r: ids.append(r.getIdentity().toString()))
    assert ids and ids[0].startswith("#")
    assert db.schema.get_type("P").getName() == "P"
    (index,) = db.schema.get_indexes()
    assert (index.getName(), index.isUnique(), index.getTypeName(), index.getPropertyNames()) == ("P[name]", True, "P", ["name"])
    row = db.query("sql", "SELECT FROM P").first()
    assert row.getElement().get().getPropertyNames() == ["name"]
print("OK")
"""


def test_java_names_without_installing_compat(tmp_path):
    """One line each after the refactor (see compat.py): class Document(RecordJavaNames),
    class Result(ResultJavaNames), class DocumentType(TypeJavaNames), class Index(IndexJavaNames)."""
    done = subprocess.run([sys.executable, "-c", JAVA_NAMES, str(tmp_path / "db")],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.stdout.strip() == "OK", done.stderr[-2000:]


# ---------------------------------------------------------------- BatchContext


def test_batch_context_inside_a_transaction(db):
    """batch.py (bulk/ after the refactor). Allowed, as on the reference (upstream
    test_batch_context's edges/update/mixed tests open one). Decided semantics: the batch's
    operations join the caller's transaction (atomic with it; the reference commits them on
    their own, so a rollback of the caller kept them). Callbacks fire after that commit."""
    db.schema.create_vertex_type("P")
    db.schema.create_edge_type("K")
    with db.transaction():
        a = db.new_vertex("P").set("n", 0).save()
        b = db.new_vertex("P").set("n", 1).save()
    seen = []
    with db.transaction():
        with db.batch_context(batch_size=10) as batch:
            for i in range(25):
                batch.create_vertex("P", callback=seen.append, n=100 + i)
            batch.create_edge(a, b, "K", since=2020)
        assert db.is_transaction_active()
    assert db.count_type("P") == 27 and db.count_type("K") == 1
    assert len(seen) == 25
    with pytest.raises(KeyError), db.transaction():
        with db.batch_context() as batch:
            batch.create_vertex("P", n=-1)
        raise KeyError
    assert db.count_type("P") == 27  # joined the rolled-back transaction


def test_batch_context_after_the_block(db):
    """is_pending() after the with block is False (the reference), not a RuntimeError; success
    callbacks fire once per committed operation; delete/update take records from queries."""
    db.schema.create_vertex_type("P")
    got = []
    with db.batch_context(batch_size=50, parallel=2) as batch:
        for i in range(100):
            batch.create_vertex("P", callback=got.append, n=i)
    assert batch.is_pending() is False
    assert len(got) == 100 and all(r.get_rid() for r in got)
    assert batch.get_success_count() == 100
    records = list(db.query("sql", "SELECT FROM P WHERE n < 3"))
    with db.batch_context() as batch:
        for row in records:
            batch.delete_record(row.get_element())
        mutable = db.query("sql", "SELECT FROM P WHERE n = 5").first().get_vertex().modify()
        batch.update_record(mutable.set("n", 500))
    assert db.count_type("P") == 97
    assert db.query("sql", "SELECT count(*) AS c FROM P WHERE n = 500").first().get("c") == 1


# ---------------------------------------------------------------- import_csv


def test_import_csv_declares_the_types_it_inferred(db, tmp_path):
    """importer.py (io/ after the refactor). The reference declares each column: whole numbers
    LONG, anything else STRING (a column with 'NA' or '1.5' is STRING there); empty cells are
    null. Declared, the columns can be indexed right away."""
    path = tmp_path / "p.csv"
    path.write_text("id,name,age,score\n1,Ann,30,1.5\n2,Bob,,2.5\n3,Cid,41,NA\n")
    arcadedb.import_csv(db, str(path), "Person")
    declared = {p.name: p.type for p in db.schema.get_type("Person").properties}
    assert declared["id"] == "LONG" and declared["age"] == "LONG"
    assert declared["name"] == "STRING" and declared["score"] == "STRING"
    db.schema.create_index("Person", ["name"], unique=True)
    assert db.lookup_by_key("Person", ["name"], ["Bob"]).get("age") is None


def test_import_duration_is_never_zero(db, tmp_path):
    """importer.py: duration_ms from a monotonic clock, at least 1 for any import (it was 0
    for small files: a whole-millisecond wall clock)."""
    path = tmp_path / "one.csv"
    path.write_text("a\n1\n")
    started = time.perf_counter()
    stats = arcadedb.import_csv(db, str(path), "One")
    assert stats["duration_ms"] > 0
    assert stats["duration_ms"] <= (time.perf_counter() - started) * 1000 + 1
