"""Schema statements: CREATE/ALTER/DROP/TRUNCATE TYPE, PROPERTY and INDEX, with ArcadeDB's rows."""

from __future__ import annotations

import pytest

import arcadelite as arcadedb
from arcadelite import SchemaError, ValidationError

from .conftest import rows


@pytest.mark.parametrize("kind", ["DOCUMENT", "VERTEX", "EDGE"])
def test_create_type_returns_operation_row(db, kind):
    result = db.command("sql", f"CREATE {kind} TYPE Thing")
    assert rows(result) == [
        {"operation": f"create {kind.lower()} type", "typeName": "Thing", "created": True}
    ]
    assert type(db.schema.get_type("Thing")).__name__ == f"{kind.title()}Type"


def test_create_type_needs_no_transaction_and_duplicates_fail(db):
    db.command("sql", "CREATE VERTEX TYPE V1")
    with pytest.raises(SchemaError, match="V1"):
        db.command("sql", "CREATE VERTEX TYPE V1")


def test_create_type_if_not_exists_returns_no_row(db):
    db.command("sql", "CREATE DOCUMENT TYPE D")
    assert rows(db.command("sql", "CREATE DOCUMENT TYPE D IF NOT EXISTS")) == []
    # kind-agnostic, as in ArcadeDB: the name exists
    assert rows(db.command("sql", "CREATE VERTEX TYPE D IF NOT EXISTS")) == []


def test_create_type_extends_and_buckets(db):
    db.command("sql", "CREATE VERTEX TYPE Base")
    db.command("sql", "CREATE VERTEX TYPE Sub EXTENDS Base BUCKETS 4")
    assert db.schema.get_type("Sub").supertypes == ["Base"]
    with pytest.raises(SchemaError, match="Nope"):
        db.command("sql", "CREATE VERTEX TYPE Bad EXTENDS Nope")


def test_alter_type_name_supertype_custom(db):
    db.command("sql", "CREATE DOCUMENT TYPE A")
    db.command("sql", "CREATE DOCUMENT TYPE B")
    row = rows(db.command("sql", "ALTER TYPE B SUPERTYPE +A"))[0]
    assert row["operation"] == "ALTER TYPE" and row["result"] == "OK"
    assert db.schema.get_type("B").supertypes == ["A"]
    db.command("sql", "ALTER TYPE B SUPERTYPE -A")
    assert db.schema.get_type("B").supertypes == []
    db.command("sql", "ALTER TYPE B NAME C")
    assert db.schema.exists_type("C") and not db.schema.exists_type("B")
    db.command("sql", "ALTER TYPE C CUSTOM owner = 'me'")
    assert db.query("sql", "SELECT custom FROM schema:types WHERE name = 'C'").one().get(
        "custom"
    ) == {"owner": "me"}


def test_drop_type(db):
    db.command("sql", "CREATE DOCUMENT TYPE D")
    assert rows(db.command("sql", "DROP TYPE D")) == [{"operation": "drop type", "typeName": "D"}]
    assert not db.schema.exists_type("D")
    with pytest.raises(SchemaError, match="D"):
        db.command("sql", "DROP TYPE D")
    assert rows(db.command("sql", "DROP TYPE D IF EXISTS")) == []


def test_drop_non_empty_vertex_type_needs_unsafe(auto):
    auto.command("sql", "CREATE VERTEX TYPE V")
    auto.command("sql", "CREATE VERTEX V SET a = 1")
    with pytest.raises(SchemaError, match="UNSAFE"):
        auto.command("sql", "DROP TYPE V")
    auto.command("sql", "DROP TYPE V UNSAFE")
    assert not auto.schema.exists_type("V")


def test_truncate_type(auto):
    auto.command("sql", "CREATE DOCUMENT TYPE D")
    auto.command("sql", "CREATE DOCUMENT TYPE E EXTENDS D")
    auto.command("sql", "INSERT INTO D SET a = 1")
    auto.command("sql", "INSERT INTO E SET a = 2")
    assert rows(auto.command("sql", "TRUNCATE TYPE D"))[0]["count"] == 1
    assert auto.count_type("D") == 1  # the subtype's record stays
    auto.command("sql", "TRUNCATE TYPE D POLYMORPHIC")
    assert auto.count_type("D") == 0


def test_truncate_vertex_type_with_edges_needs_unsafe(auto):
    auto.command("sql", "CREATE VERTEX TYPE V")
    auto.command("sql", "CREATE EDGE TYPE E")
    a = auto.command("sql", "CREATE VERTEX V").one().get_rid()
    b = auto.command("sql", "CREATE VERTEX V").one().get_rid()
    auto.command("sql", f"CREATE EDGE E FROM {a} TO {b}")
    with pytest.raises(SchemaError, match="UNSAFE"):
        auto.command("sql", "TRUNCATE TYPE V")
    auto.command("sql", "TRUNCATE TYPE V UNSAFE")
    assert auto.count_type("V") == 0 and auto.count_type("E") == 0


def test_create_property_with_type_of_and_constraints(db):
    db.command("sql", "CREATE DOCUMENT TYPE P")
    row = rows(
        db.command(
            "sql",
            "CREATE PROPERTY P.name STRING (mandatory true, notnull true, max 5, default 'x')",
        )
    )[0]
    assert row == {
        "operation": "create property", "typeName": "P", "propertyName": "name", "created": True,
        "mandatory": True, "notnull": True, "max": 5, "default": "x",
    }  # fmt: skip
    prop = db.schema.get_type("P").get_property("name")
    assert prop.type == "STRING" and prop.is_mandatory() and prop.is_not_null()
    assert prop.get_max() == 5 and prop.get_default_value() == "x"
    db.command("sql", "CREATE PROPERTY P.tags LIST OF STRING")
    assert db.schema.get_type("P").get_property("tags").of_type == "STRING"
    db.command("sql", "CREATE PROPERTY P.ro INTEGER (readonly)")
    assert db.schema.get_type("P").get_property("ro").is_read_only()


def test_create_property_if_not_exists_and_errors(db):
    db.command("sql", "CREATE DOCUMENT TYPE P")
    db.command("sql", "CREATE PROPERTY P.a INTEGER")
    assert (
        rows(db.command("sql", "CREATE PROPERTY P.a IF NOT EXISTS INTEGER"))[0]["created"] is False
    )
    with pytest.raises(SchemaError, match="P.a"):
        db.command("sql", "CREATE PROPERTY P.a INTEGER")
    with pytest.raises(SchemaError, match="Nope"):
        db.command("sql", "CREATE PROPERTY Nope.a INTEGER")
    with pytest.raises(arcadedb.ArcadeDBError, match="(?i)FOO"):
        db.command("sql", "CREATE PROPERTY P.b FOO")


def test_property_constraints_are_enforced_by_sql_writes(auto):
    auto.command("sql", "CREATE DOCUMENT TYPE P")
    auto.command("sql", "CREATE PROPERTY P.age INTEGER (min 0, max 150)")
    auto.command("sql", "CREATE PROPERTY P.name STRING (mandatory true)")
    with pytest.raises(ValidationError, match="P.name"):
        auto.command("sql", "INSERT INTO P SET age = 3")
    with pytest.raises(ValidationError, match="P.age"):
        auto.command("sql", "INSERT INTO P SET name = 'x', age = 200")
    with pytest.raises(ValidationError, match="P.age"):
        auto.command("sql", "INSERT INTO P SET name = 'x', age = 'old'")
    row = auto.command("sql", "INSERT INTO P SET name = 'x', age = '42'").one()
    assert row.get("age") == 42  # lossless conversion to the declared type


def test_alter_property(db):
    db.command("sql", "CREATE DOCUMENT TYPE P")
    db.command("sql", "CREATE PROPERTY P.a INTEGER")
    row = rows(db.command("sql", "ALTER PROPERTY P.a MANDATORY true"))[0]
    assert row["operation"] == "alter property" and row["attribute"] == "mandatory"
    assert row["oldValue"] is False and row["newValue"] is True
    assert db.schema.get_type("P").get_property("a").is_mandatory()
    db.command("sql", "ALTER PROPERTY P.a MAX 10")
    assert db.schema.get_type("P").get_property("a").get_max() == 10
    with pytest.raises(SchemaError, match="b"):
        db.command("sql", "ALTER PROPERTY P.b MANDATORY true")


def test_drop_property(db):
    db.command("sql", "CREATE DOCUMENT TYPE P")
    db.command("sql", "CREATE PROPERTY P.a INTEGER")
    db.command("sql", "CREATE INDEX ON P (a) NOTUNIQUE")
    with pytest.raises(SchemaError, match="P\\[a\\]"):
        db.command("sql", "DROP PROPERTY P.a")
    result = rows(db.command("sql", "DROP PROPERTY P.a FORCE"))
    assert result == [
        {"operation": "cascade drop index", "indexName": "P[a]"},
        {"operation": "drop property", "typeName": "P", "propertyName": "a"},
    ]
    assert db.schema.get_indexes() == []
    assert rows(db.command("sql", "DROP PROPERTY P.a IF EXISTS")) == []


def test_create_index_kinds_and_names(auto):
    auto.command("sql", "CREATE DOCUMENT TYPE P")
    auto.command("sql", "CREATE PROPERTY P.a INTEGER")
    auto.command("sql", "CREATE PROPERTY P.b STRING")
    auto.command("sql", "INSERT INTO P SET a = 1, b = 'x'")
    assert rows(auto.command("sql", "CREATE INDEX ON P (a) UNIQUE")) == [
        {"operation": "create index", "name": "P[a]", "type": "LSM_TREE", "totalIndexed": 1}
    ]
    auto.command("sql", "CREATE INDEX ByAB ON P (a, b) NOTUNIQUE")
    auto.command("sql", "CREATE INDEX ON P (b) FULL_TEXT")
    found = {ix.name: (ix.properties, ix.unique) for ix in auto.schema.get_indexes()}
    assert found == {"P[a]": (["a"], True), "ByAB": (["a", "b"], False), "P[b]": (["b"], False)}
    assert auto.schema.get_index_by_name("P[b]").index_type == arcadedb.IndexType.FULL_TEXT
    assert rows(auto.command("sql", "CREATE INDEX IF NOT EXISTS ON P (a) UNIQUE")) == []
    with pytest.raises(SchemaError, match="already exists"):
        auto.command("sql", "CREATE INDEX ON P (a) UNIQUE")


def test_create_index_errors(auto):
    auto.command("sql", "CREATE DOCUMENT TYPE P")
    with pytest.raises(SchemaError, match="P.a"):
        auto.command("sql", "CREATE INDEX ON P (a) UNIQUE")  # not declared
    auto.command("sql", "CREATE PROPERTY P.a INTEGER")
    auto.command("sql", "INSERT INTO P SET a = 1")
    auto.command("sql", "INSERT INTO P SET a = 1")
    with pytest.raises(arcadedb.DuplicatedKeyError):
        auto.command("sql", "CREATE INDEX ON P (a) UNIQUE")
    assert auto.schema.get_indexes() == []


def test_unique_index_rejects_sql_duplicates_and_statement_changes_nothing(auto):
    auto.command("sql", "CREATE DOCUMENT TYPE P")
    auto.command("sql", "CREATE PROPERTY P.a INTEGER")
    auto.command("sql", "CREATE INDEX ON P (a) UNIQUE")
    auto.command("sql", "INSERT INTO P SET a = 1")
    with pytest.raises(arcadedb.DuplicatedKeyError, match="P\\[a\\]"):
        auto.command("sql", "INSERT INTO P (a) VALUES (2), (1)")
    assert [r.get("a") for r in auto.query("sql", "SELECT FROM P")] == [1]


def test_drop_and_rebuild_index(auto):
    auto.command("sql", "CREATE DOCUMENT TYPE P")
    auto.command("sql", "CREATE PROPERTY P.a INTEGER")
    auto.command("sql", "CREATE INDEX ON P (a) NOTUNIQUE")
    auto.command("sql", "INSERT INTO P SET a = 1")
    assert rows(auto.command("sql", "REBUILD INDEX `P[a]`")) == [
        {"operation": "rebuild index", "indexName": "P[a]", "totalIndexed": 1}
    ]
    assert rows(auto.command("sql", "REBUILD INDEX *"))[0]["indexName"] == "*"
    assert rows(auto.command("sql", "DROP INDEX `P[a]`")) == [
        {"operation": "drop index", "indexName": "P[a]"}
    ]
    with pytest.raises(SchemaError, match="P\\[a\\]"):
        auto.command("sql", "DROP INDEX `P[a]`")
    assert rows(auto.command("sql", "DROP INDEX `P[a]` IF EXISTS")) == []


def test_schema_statements_inside_a_transaction_roll_back(db):
    db.begin()
    db.command("sql", "CREATE DOCUMENT TYPE T")
    db.rollback()
    assert not db.schema.exists_type("T")


def test_schema_changes_invalidate_cached_plans(auto):
    auto.command("sql", "CREATE DOCUMENT TYPE A")
    auto.command("sql", "INSERT INTO A SET x = 1")
    query = "SELECT FROM A WHERE x = 1"
    assert len(list(auto.query("sql", query))) == 1
    auto.command("sql", "CREATE DOCUMENT TYPE B EXTENDS A")
    auto.command("sql", "INSERT INTO B SET x = 1")
    assert len(list(auto.query("sql", query))) == 2  # the cached plan saw only A's table
    auto.command("sql", "DROP TYPE B")
    auto.command("sql", "DROP TYPE A")
    with pytest.raises(SchemaError, match="A"):
        auto.query("sql", query)


def test_schema_targets(auto):
    auto.command("sql", "CREATE VERTEX TYPE V")
    auto.command("sql", "CREATE VERTEX TYPE W EXTENDS V")
    auto.command("sql", "CREATE PROPERTY V.id LONG")
    auto.command("sql", "CREATE INDEX ON V (id) UNIQUE")
    types = {r.get("name"): r for r in auto.query("sql", "SELECT FROM schema:types")}
    assert types["W"].get("type") == "vertex" and types["W"].get("parentTypes") == ["V"]
    assert types["V"].get("properties")[0]["name"] == "id"
    assert types["V"].get("indexes")[0]["name"] == "V[id]"
    indexes = rows(
        auto.query("sql", "SELECT name, typeName, properties, unique FROM schema:indexes")
    )
    assert indexes == [{"name": "V[id]", "typeName": "V", "properties": ["id"], "unique": True}]
    database = auto.query("sql", "SELECT FROM schema:database").one()
    assert database.get("name") == auto.get_name()
