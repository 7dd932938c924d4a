"""Remote mode against arcadelite's own server and, when ARCADELITE_REFERENCE_PYTHON names an
interpreter with arcadedb_embedded, against a real ArcadeDB server: the same tests for both."""

from __future__ import annotations

import itertools

import pytest

import arcadelite
from arcadelite import ArcadeDBError, DuplicatedKeyError, ParseError, RecordNotFoundError

from .helpers import PASSWORD, free_port
from .reference import ENV, ReferenceServer, reference_python

_names = itertools.count()


@pytest.fixture(scope="module")
def arcadelite_server(tmp_path_factory):
    server = arcadelite.create_server(str(tmp_path_factory.mktemp("remote")), PASSWORD,
                                      {"http_port": free_port()})  # fmt: skip
    server.start()
    yield server.get_http_port()
    server.stop()


@pytest.fixture(scope="module")
def arcadedb_server():
    python = reference_python()
    if python is None:
        pytest.skip(f"no real ArcadeDB server: set {ENV} to a Python with arcadedb_embedded "
                    "(e.g. a venv with arcadedb-embedded 26.2.1)")  # fmt: skip
    server = ReferenceServer(python, free_port(), PASSWORD)
    yield server.port
    server.stop()


@pytest.fixture(params=["arcadelite", "arcadedb"])
def db(request):
    port = request.getfixturevalue(f"{request.param}_server")
    database = arcadelite.connect(f"http://127.0.0.1:{port}", database=f"t{next(_names)}",
                                  password=PASSWORD, create=True)  # fmt: skip
    database.schema.create_vertex_type("Person")
    database.schema.create_property("Person", "name", "STRING")
    database.schema.create_index("Person", ["name"], unique=True)
    database.schema.create_edge_type("Knows")
    database.schema.create_document_type("Note")
    yield database
    database.drop()


def test_connect_refuses_bad_password_and_missing_database(arcadelite_server):
    url = f"http://127.0.0.1:{arcadelite_server}"
    with pytest.raises(arcadelite.remote.AuthenticationError):
        arcadelite.connect(url, database="x", password="wrong")
    with pytest.raises(ArcadeDBError, match="does not exist"):
        arcadelite.connect(url, database="never", password=PASSWORD)


def test_records_round_trip(db):
    with db.transaction():
        alice = db.new_vertex("Person").set("name", "alice").set("tags", ["a", "b"]).save()
        bob = db.new_vertex("Person").set("name", "bob").save()
        edge = alice.new_edge("Knows", bob, since=2020)
    found = db.lookup_by_rid(alice.get_rid())
    assert found.get("tags") == ["a", "b"] and found.get_type_name() == "Person"
    with pytest.raises(AttributeError, match="modify"):
        found.set("x", 1)
    changed = found.modify().set("age", 31)
    changed.save()
    assert db.lookup_by_rid(alice.get_rid()).get("age") == 31
    assert edge.get_in().get("name") == "bob" and edge.get_out_rid() == alice.get_identity()
    assert [v.get("name") for v in alice.get_vertices("out", "Knows")] == ["bob"]
    assert db.lookup_by_key("Person", ["name"], ["bob"]).get_rid() == bob.get_rid()
    assert db.count_type("Person") == 2 and db.count_type("Nope") == 0
    bob_rid = bob.get_rid()
    db.lookup_by_rid(bob_rid).delete()
    with pytest.raises(RecordNotFoundError):
        db.lookup_by_rid(bob_rid)


def test_query_results_and_params(db):
    db.command("sql", "INSERT INTO Person SET name = 'carol', age = 40")
    row = db.query("sql", "SELECT FROM Person WHERE name = :n", {"n": "carol"}).one()
    assert row.get_vertex().get("age") == 40 and row.get("@type") == "Person"
    assert db.query("sql", "SELECT name FROM Person WHERE age = ?", 40).to_list() == [{"name": "carol"}]
    assert db.query("sql", "SELECT count(*) AS c FROM Person").first().get("c") == 1


def test_transaction_rolls_back_on_error_and_isolates(db):
    with pytest.raises(RuntimeError):
        with db.transaction():
            db.new_vertex("Person").set("name", "ghost").save()
            assert db.query("sql", "SELECT count(*) AS c FROM Person").first().get("c") == 1
            raise RuntimeError("boom")
    assert db.count_type("Person") == 0
    db.begin()
    db.new_vertex("Person").set("name", "pending").save()
    assert db.is_transaction_active()
    import threading

    seen = []
    threading.Thread(target=lambda: seen.append(db.count_type("Person"))).start()
    db.commit()
    assert db.count_type("Person") == 1


def test_errors_map_to_arcadelite_exceptions(db):
    db.command("sql", "INSERT INTO Person SET name = 'dup'")
    with pytest.raises(DuplicatedKeyError):
        db.command("sql", "INSERT INTO Person SET name = 'dup'")
    with pytest.raises(ParseError):
        db.query("sql", "SELEC FROM Person")
    with pytest.raises(ArcadeDBError):
        db.new_vertex("Note")  # a document type


def test_async_batches_are_exact_when_some_operations_fail(db):
    db.command("sql", "INSERT INTO Person SET name = 'taken'")
    committed, failed = [], []
    executor = db.async_executor().set_commit_every(100).set_parallel_level(4)
    for i in range(1000):
        name = "taken" if i % 200 == 7 else f"p{i} & co &amp; <x>"
        vertex = db.new_vertex("Person").set("name", name).set("i", i)
        executor.create_record(vertex, callback=committed.append, error_callback=failed.append)
    executor.wait_completion()
    executor.close()
    assert len(failed) == 5 and all(isinstance(e.cause, DuplicatedKeyError) for e in failed)
    assert sorted(e.record.get("i") for e in failed) == [7, 207, 407, 607, 807]
    assert len(committed) == 995 and len({v.get_rid() for v in committed}) == 995
    assert db.count_type("Person") == 996
    stored = db.lookup_by_rid(committed[0].get_rid())
    assert stored.get("name") == committed[0].get("name")  # '&amp;' kept as written


def test_async_failures_without_callbacks_raise_at_wait(db):
    db.command("sql", "INSERT INTO Person SET name = 'taken'")
    executor = db.async_executor().set_commit_every(10)
    for name in ["a", "taken", "b"]:
        executor.create_record(db.new_vertex("Person").set("name", name))
    with pytest.raises(arcadelite.AsyncExecutionError) as caught:
        executor.wait_completion()
    assert len(caught.value.failures) == 1
    assert db.count_type("Person") == 3
    executor.close()


def test_async_updates_and_deletes_in_order(db):
    executor = db.async_executor().set_commit_every(3)
    vertex = db.new_vertex("Person").set("name", "v")
    executor.create_record(vertex)
    vertex.set("age", 9)
    executor.update_record(vertex)  # waits for the batch carrying the create, then updates
    executor.wait_completion()
    assert db.lookup_by_rid(vertex.get_rid()).get("age") == 9
    changed = vertex.modify().set("age", 10)
    executor.update_record(changed)
    executor.delete_record(changed)
    executor.wait_completion()
    assert db.count_type("Person") == 0
    failed = []
    executor.delete_record(changed, error_callback=failed.append)
    executor.wait_completion()
    executor.close()
    assert len(failed) == 1 and isinstance(failed[0].cause, RecordNotFoundError)


def test_batch_context_with_edges_to_queued_vertices(db):
    with db.batch_context(batch_size=50, parallel=2) as batch:
        people = [batch.create_vertex("Person", name=f"n{i}") for i in range(120)]
        for a, b in zip(people, people[1:]):
            batch.create_edge(a, b, "Knows", w=1)
        batch.create_document("Note", text="done")
    assert batch.get_errors() == []
    assert batch.get_success_count() == 120 + 119 + 1
    assert db.count_type("Knows") == 119
    first = db.lookup_by_rid(people[0].get_rid())
    assert [v.get("name") for v in first.get_vertices("out")] == ["n1"]


def test_async_query_runs_after_the_writes_before_it(db):
    seen = []
    executor = db.async_executor().set_commit_every(1000)
    for i in range(10):
        executor.create_record(db.new_vertex("Person").set("name", f"q{i}"))
    executor.query("sql", "SELECT count(*) AS c FROM Person", lambda rs: seen.append(rs.first().get("c")))
    executor.wait_completion()
    executor.close()
    assert seen == [10]
