"""Small API details of issue 16, pinned to the reference's messages and types."""

from __future__ import annotations

import pytest

import arcadelite as arcadedb


@pytest.fixture
def db(tmp_path):
    database = arcadedb.create_database(str(tmp_path / "db"))
    database.schema.create_vertex_type("P")
    yield database
    database.close()


@pytest.mark.parametrize("bad", [None, 5, ["P"], b"P"])
def test_count_type_with_no_type_name_is_a_type_error(db, bad):
    with pytest.raises(TypeError, match="type name must be a str"):
        db.count_type(bad)
    assert db.count_type("Nope") == 0  # an unknown name still counts 0, as on the reference


@pytest.mark.parametrize("call", ["new_vertex", "new_document", "iterate_type"])
def test_record_factories_refuse_a_non_text_type_name(db, call):
    with pytest.raises(TypeError, match="got NoneType"):
        getattr(db, call)(None)


@pytest.mark.parametrize("mode", ["invalid_mode", "YES_FULL", ""])
def test_set_wal_flush_error_says_invalid_wal_flush_mode(db, mode):
    # the reference: "Invalid WAL flush mode: invalid. Must be one of: ['no', ...]"
    with pytest.raises(ValueError, match="Invalid WAL flush mode") as info:
        db.set_wal_flush(mode)
    assert repr(mode) in str(info.value) and "yes_nometadata" in str(info.value)
    db.set_wal_flush("yes_full")  # the valid ones still work


def test_one_says_no_results_or_multiple_results(db):
    # the reference: "Query returned no results" / "Query returned multiple results"
    with pytest.raises(ValueError, match="no results"):
        db.query("sql", "SELECT FROM P").one()
    with db.transaction():
        db.new_vertex("P").save()
        db.new_vertex("P").save()
    with pytest.raises(ValueError, match="multiple results"):
        db.query("sql", "SELECT FROM P").one()
