"""Errors: the hierarchy under ArcadeDBError, and a table of bad inputs to the public methods
(class, a message naming the culprit, and nothing changed)."""

from __future__ import annotations

import inspect

import pytest

import arcadelite as arcadedb
from arcadelite import exceptions
from arcadelite.exceptions import (
    ArcadeDBError,
    AsyncExecutionError,
    AsyncOperationError,
    DatabaseClosedError,
    DatabaseLockedError,
    DuplicatedKeyError,
    ParseError,
    QueryError,
    RecordNotFoundError,
    SchemaError,
    TransactionError,
    ValidationError,
)


def test_every_library_error_derives_from_arcadedb_error():
    classes = [
        c
        for _, c in inspect.getmembers(exceptions, inspect.isclass)
        if c.__module__ == exceptions.__name__
    ]
    # VectorError (vector search); issue 10: DiskFullError, ReadOnlyDatabaseError,
    # DatabaseCorruptError, AsyncCallbackError, DatabaseForkedError
    assert len(classes) == 18
    for cls in classes:
        assert issubclass(cls, ArcadeDBError), cls
        assert getattr(arcadedb, cls.__name__) is cls  # exported at the top level
    assert issubclass(ArcadeDBError, Exception)
    assert sorted(exceptions.__all__) == sorted(c.__name__ for c in classes)


def test_error_payloads():
    dup = DuplicatedKeyError("dup", "T[k]", "v")
    assert (str(dup), dup.index_name, dup.key) == ("dup", "T[k]", "v")
    parse = ParseError("bad", text="SELECT", line=1, column=7, token="x")
    assert (parse.text, parse.line, parse.column, parse.token) == ("SELECT", 1, 7, "x")
    cause = ValueError("why")
    op = AsyncOperationError("failed", record="r", cause=cause)
    assert (op.record, op.cause, op.__cause__) == ("r", cause, cause)
    failures = [("r", cause)]
    assert AsyncExecutionError("x", failures).failures == failures
    for cls in (
        DatabaseClosedError,
        DatabaseLockedError,
        TransactionError,
        SchemaError,
        ValidationError,
        RecordNotFoundError,
        QueryError,
    ):
        with pytest.raises(ArcadeDBError, match="caught by the base"):
            raise cls("caught by the base")


@pytest.fixture
def world(db):
    """Types, declared properties, an index, and a few records to be left untouched."""
    schema = db.schema
    schema.create_document_type("Doc")
    schema.create_document_type("Sub", supertypes=["Doc"])
    schema.create_vertex_type("Person")
    schema.create_edge_type("Knows")
    schema.create_property("Person", "email", "STRING")
    schema.create_property("Person", "age", "INTEGER", min=0)
    schema.create_index("Person", ["email"], unique=True)
    with db.transaction():
        ann = db.new_vertex("Person").set("email", "a@x").set("age", 30).save()
        bob = db.new_vertex("Person").set("email", "b@x").save()
        ann.new_edge("Knows", bob)
        db.new_document("Doc").set("n", 1).save()
    return db, {"ann": ann, "bob": bob}


def _in_tx(db, action):
    with db.transaction():
        action()


# (id, call(db, records), exception class, text the message must contain)
BAD_INPUTS = [
    (
        "type name not a string",
        lambda db, r: db.schema.create_document_type(123),
        SchemaError,
        "123",
    ),
    ("empty type name", lambda db, r: db.schema.create_vertex_type("  "), SchemaError, "'  '"),
    ("duplicate type", lambda db, r: db.schema.create_edge_type("Doc"), SchemaError, "Doc"),
    (
        "get_or_create of another kind",
        lambda db, r: db.schema.get_or_create_vertex_type("Knows"),
        SchemaError,
        "Knows",
    ),
    (
        "unknown supertype",
        lambda db, r: db.schema.create_document_type("X", supertypes=["Ghost"]),
        SchemaError,
        "Ghost",
    ),
    ("drop unknown type", lambda db, r: db.schema.drop_type("Ghost"), SchemaError, "Ghost"),
    (
        "property on unknown type",
        lambda db, r: db.schema.create_property("Ghost", "p", "STRING"),
        SchemaError,
        "Ghost",
    ),
    (
        "unknown property type",
        lambda db, r: db.schema.create_property("Doc", "p", "VARCHAR"),
        SchemaError,
        "VARCHAR",
    ),
    (
        "unknown constraint",
        lambda db, r: db.schema.create_property("Doc", "p", "STRING", unique=True),
        SchemaError,
        "unique",
    ),
    (
        "duplicate property",
        lambda db, r: db.schema.create_property("Person", "email", "STRING"),
        SchemaError,
        "Person.email",
    ),
    (
        "drop unknown property",
        lambda db, r: db.schema.drop_property("Person", "ghost"),
        SchemaError,
        "Person.ghost",
    ),
    (
        "drop a property an index uses",
        lambda db, r: db.schema.drop_property("Person", "email"),
        SchemaError,
        "Person[email]",
    ),
    (
        "drop a type with subtypes",
        lambda db, r: db.schema.drop_type("Doc"),
        SchemaError,
        "Sub",
    ),
    (
        "index on undeclared property",
        lambda db, r: db.schema.create_index("Person", ["nick"]),
        SchemaError,
        "Person.nick",
    ),
    (
        "unknown index type",
        lambda db, r: db.schema.create_index("Person", ["age"], index_type="HASH"),
        SchemaError,
        "HASH",
    ),
    (
        "unique full-text index",
        lambda db, r: db.schema.create_index("Person", ["age"], True, "FULL_TEXT"),
        SchemaError,
        "FULL_TEXT",
    ),
    (
        "duplicate index",
        lambda db, r: db.schema.create_index("Person", ["email"]),
        SchemaError,
        "Person[email]",
    ),
    ("drop unknown index", lambda db, r: db.schema.drop_index("Ghost[x]"), SchemaError, "Ghost[x]"),
    (
        "unknown index by name",
        lambda db, r: db.schema.get_index_by_name("Ghost[x]"),
        SchemaError,
        "Ghost[x]",
    ),
    ("new_document of unknown type", lambda db, r: db.new_document("Ghost"), SchemaError, "Ghost"),
    (
        "new_document of a vertex type",
        lambda db, r: db.new_document("Person"),
        SchemaError,
        "Person",
    ),
    ("new_vertex of a document type", lambda db, r: db.new_vertex("Doc"), SchemaError, "Doc"),
    ("new_vertex of None", lambda db, r: db.new_vertex(None), TypeError, "None"),  # issue 16
    ("malformed rid", lambda db, r: db.lookup_by_rid("#x:1"), ArcadeDBError, "#x:1"),
    ("rid of a wrong type", lambda db, r: db.lookup_by_rid(3.5), ArcadeDBError, "float"),
    ("missing record", lambda db, r: db.lookup_by_rid("#9999:1"), RecordNotFoundError, "#9999:1"),
    (
        "lookup_by_key without an index",
        lambda db, r: db.lookup_by_key("Person", ["age"], [30]),
        SchemaError,
        "Person[age]",
    ),
    (
        "lookup_by_key on unknown type",
        lambda db, r: db.lookup_by_key("Ghost", ["a"], [1]),
        SchemaError,
        "Ghost",
    ),
    (
        "lookup_by_key with mismatched values",
        lambda db, r: db.lookup_by_key("Person", ["email"], ["a", "b"]),
        ValueError,
        "1 keys but 2 values",
    ),
    ("iterate unknown type", lambda db, r: db.iterate_type("Ghost"), SchemaError, "Ghost"),
    ("wal flush mode", lambda db, r: db.set_wal_flush("always"), ValueError, "'always'"),
    ("commit without begin", lambda db, r: db.commit(), TransactionError, "begin()"),
    (
        "write without a transaction",
        lambda db, r: db.new_document("Doc").save(),
        TransactionError,
        "db.transaction()",
    ),
    (
        "property name not a string",
        lambda db, r: db.new_document("Doc").set(5, "x"),
        TypeError,
        "int",
    ),
    (
        "set on an immutable record",
        lambda db, r: db.lookup_by_rid(r["ann"].get_rid()).set("age", 1),
        AttributeError,
        "modify()",
    ),
    (
        "declared type mismatch",
        lambda db, r: _in_tx(db, lambda: db.new_vertex("Person").set("age", "old").save()),
        ValidationError,
        "Person.age",
    ),
    (
        "below the minimum",
        lambda db, r: _in_tx(db, lambda: db.new_vertex("Person").set("age", -1).save()),
        ValidationError,
        "Person.age",
    ),
    (
        "int beyond 64 bits",
        lambda db, r: _in_tx(db, lambda: db.new_document("Doc").set("big", 2**70).save()),
        ValidationError,
        "'big'",
    ),
    (
        "duplicate key on insert",
        lambda db, r: _in_tx(db, lambda: db.new_vertex("Person").set("email", "a@x").save()),
        DuplicatedKeyError,
        "Person[email]",
    ),
    (
        "duplicate key on update",
        lambda db, r: _in_tx(db, lambda: r["bob"].modify().set("email", "a@x").save()),
        DuplicatedKeyError,
        "'a@x'",
    ),
    (
        "edge of an unknown type",
        lambda db, r: _in_tx(db, lambda: r["ann"].new_edge("Ghost", r["bob"])),
        SchemaError,
        "Ghost",
    ),
    (
        "edge of a vertex type",
        lambda db, r: _in_tx(db, lambda: r["ann"].new_edge("Person", r["bob"])),
        SchemaError,
        "Person",
    ),
    (
        "edge to a document",
        lambda db, r: _in_tx(db, lambda: r["ann"].new_edge("Knows", "#1:1")),
        ArcadeDBError,
        "#1:1",
    ),
    (
        "edge record without vertices",
        lambda db, r: _in_tx(db, lambda: db.new_edge_record("Knows").save()),
        ArcadeDBError,
        "Knows",
    ),
    (
        "traversal direction",
        lambda db, r: r["ann"].get_vertices("up"),
        ValueError,
        "'up'",
    ),
    (
        "delete an unsaved record",
        lambda db, r: _in_tx(db, lambda: db.new_document("Doc").delete()),
        ArcadeDBError,
        "Doc",
    ),
]


@pytest.mark.parametrize(
    "call, error, culprit", [row[1:] for row in BAD_INPUTS], ids=[row[0] for row in BAD_INPUTS]
)
def test_bad_input(world, snapshot, call, error, culprit):
    db, records = world
    before = snapshot(db)
    with pytest.raises(error) as err:
        call(db, records)
    assert type(err.value) is error or error is ArcadeDBError
    assert culprit in str(err.value)
    assert db.is_transaction_active() is False
    assert snapshot(db) == before


def test_bad_input_on_a_closed_database(world):
    db, records = world
    path = db.get_database_path()
    db.close()
    for name, call, _, _ in BAD_INPUTS:
        with pytest.raises(DatabaseClosedError) as err:
            call(db, records)
        assert "closed" in str(err.value), name
    with arcadedb.open_database(path) as again:
        assert again.count_type("Person") == 2
        assert again.count_type("Knows") == 1
        assert again.count_type("Doc") == 1
