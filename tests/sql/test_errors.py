"""Errors: every failure is an ArcadeDBError that names what is wrong; failures change nothing."""

from __future__ import annotations

import pytest

import arcadelite as arcadedb
from arcadelite import (
    ArcadeDBError,
    DatabaseClosedError,
    DuplicatedKeyError,
    ParseError,
    QueryError,
    RecordNotFoundError,
    SchemaError,
    TransactionError,
    ValidationError,
)


@pytest.fixture
def schema_db(auto):
    auto.command("sql", "CREATE VERTEX TYPE V")
    auto.command("sql", "CREATE EDGE TYPE E")
    auto.command("sql", "CREATE PROPERTY V.n INTEGER (max 100)")
    auto.command("sql", "CREATE PROPERTY V.k STRING")
    auto.command("sql", "CREATE INDEX ON V (k) UNIQUE")
    auto.command("sql", "INSERT INTO V (n, k) VALUES (1, 'a'), (2, 'b')")
    return auto


def test_syntax_error_names_line_column_and_token(db):
    with pytest.raises(ParseError) as info:
        db.query("sql", "SELECT FROM V\nWHERE a = = 1")
    error = info.value
    assert (error.line, error.column, error.token) == (2, 11, "=")
    assert "line 2, column 11" in str(error)


def test_unknown_names_are_named(schema_db):
    cases = [
        ("SELECT FROM Ghost", SchemaError, "Ghost"),
        ("INSERT INTO Ghost SET a = 1", SchemaError, "Ghost"),
        ("UPDATE Ghost SET a = 1", SchemaError, "Ghost"),
        ("DELETE FROM Ghost", SchemaError, "Ghost"),
        ("SELECT ghostfn() FROM V", QueryError, "ghostfn"),
        ("SELECT n.ghostMethod() FROM V", QueryError, "ghostmethod"),
        ("ALTER PROPERTY V.ghost MANDATORY true", SchemaError, "ghost"),
        ("DROP PROPERTY V.ghost", SchemaError, "ghost"),
        ("DROP INDEX `V[ghost]`", SchemaError, "V\\[ghost\\]"),
        ("CREATE INDEX ON V (ghost) UNIQUE", SchemaError, "ghost"),
        ("SELECT FROM index:ghost", SchemaError, "ghost"),
        ("SELECT FROM schema:ghosts", ParseError, "ghosts"),
        ("SELECT FROM bucket:Ghost", SchemaError, "Ghost"),
    ]
    for text, error, pattern in cases:
        with pytest.raises(error, match=pattern):
            schema_db.command("sql", text)


def test_type_mismatch_names_the_property(schema_db):
    with pytest.raises(ValidationError, match="V.n"):
        schema_db.command("sql", "INSERT INTO V SET n = 'many'")
    with pytest.raises(ValidationError, match="V.n"):
        schema_db.command("sql", "UPDATE V SET n = [1]")
    with pytest.raises(ValidationError, match="V.n"):
        schema_db.command("sql", "INSERT INTO V SET n = 1000")


def test_duplicate_key_names_index_and_key(schema_db):
    with pytest.raises(DuplicatedKeyError, match="V\\[k\\]") as info:
        schema_db.command("sql", "INSERT INTO V SET k = 'a'")
    assert info.value.key == "a"
    with pytest.raises(DuplicatedKeyError):
        schema_db.command("sql", "UPDATE V SET k = 'a' WHERE k = 'b'")


@pytest.mark.parametrize("statement", [
    "INSERT INTO V (n, k) VALUES (3, 'c'), (4, 'a')",
    "INSERT INTO V CONTENT [{'n': 5, 'k': 'd'}, {'n': 500, 'k': 'e'}]",
    "UPDATE V SET n = n * 60",
    "UPDATE V SET k = 'same'",
    "CREATE VERTEX V SET n = 'x'",
    "CREATE EDGE E FROM #1:1 TO #1:999",
    "CREATE EDGE E FROM (SELECT FROM V) TO #1:999",
    "UPDATE V SET n = 1 UPSERT WHERE k = 'a' AND n = 'bad'",
    "DELETE EDGE V WHERE n > 0",
    "INSERT INTO V SET n = 1 / 0",
    "CREATE INDEX ON V (n) UNIQUE",
    "CREATE PROPERTY V.n STRING",
    "DROP TYPE V",
])  # fmt: skip
def test_failing_statement_changes_nothing(schema_db, snapshot, statement):
    schema_db.command("sql", "INSERT INTO V SET n = 1, k = 'c'")
    before = snapshot(schema_db)
    with pytest.raises(ArcadeDBError):
        schema_db.command("sql", statement)
    assert snapshot(schema_db) == before


def test_failing_statement_in_user_transaction_keeps_the_transaction(db, snapshot):
    db.command("sql", "CREATE DOCUMENT TYPE D")
    db.command("sql", "CREATE PROPERTY D.n INTEGER (max 10)")
    db.begin()
    db.command("sql", "INSERT INTO D SET n = 1")
    with pytest.raises(ValidationError):
        db.command("sql", "INSERT INTO D (n) VALUES (2), (20)")
    assert db.is_transaction_active()
    assert db.query("sql", "SELECT count(*) AS c FROM D").one().get("c") == 1
    db.commit()
    assert db.count_type("D") == 1


def test_missing_record_targets(schema_db):
    with pytest.raises(RecordNotFoundError, match="#1:999"):
        schema_db.command("sql", "CREATE EDGE E FROM #1:1 TO #1:999")
    assert list(schema_db.query("sql", "SELECT FROM #1:999")) == []
    assert list(schema_db.command("sql", "UPDATE #1:999 SET n = 1"))[0].get("count") == 0


def test_write_without_transaction(db):
    db.command("sql", "CREATE DOCUMENT TYPE D")
    with pytest.raises(TransactionError, match="set_auto_transaction"):
        db.command("sql", "INSERT INTO D SET a = 1")


def test_bad_values_in_clauses(schema_db):
    with pytest.raises(QueryError, match="LIMIT"):
        schema_db.query("sql", "SELECT FROM V LIMIT ?", "ten")
    with pytest.raises(QueryError, match="SKIP"):
        schema_db.query("sql", "SELECT FROM V WHERE n.size() > 0 SKIP ?", 1.5)
    with pytest.raises(QueryError, match="(?i)division by zero"):
        schema_db.query("sql", "SELECT 1 / 0 AS x")
    with pytest.raises(QueryError, match="regular expression"):
        schema_db.query("sql", "SELECT FROM V WHERE k MATCHES '('")
    with pytest.raises(QueryError, match="expand"):
        schema_db.query("sql", "SELECT expand(n), k FROM V")
    with pytest.raises(QueryError, match="count"):
        schema_db.query("sql", "SELECT FROM V WHERE count(*) > 1")
    with pytest.raises(QueryError, match="argument"):
        schema_db.query("sql", "SELECT ifnull(1) FROM V")


def test_misuse_raises_builtin_errors(db):
    with pytest.raises(TypeError):
        db.query("sql", 42)
    with pytest.raises(TypeError):
        db.query(None, "SELECT 1")


def test_closed_database(db_path):
    db = arcadedb.create_database(db_path)
    db.close()
    with pytest.raises(DatabaseClosedError, match="closed"):
        db.query("sql", "SELECT 1")


def test_error_messages_show_the_statement_position_for_parse_errors(db):
    with pytest.raises(ParseError, match="column"):
        db.command("sql", "CREATE VERTEX TYPE")
