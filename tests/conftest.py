"""Shared fixtures: a fresh database per test, reopening from disk, and state snapshots."""

from __future__ import annotations

from typing import Any

import pytest

import arcadelite as arcadedb


@pytest.fixture
def db_path(tmp_path) -> str:
    return str(tmp_path / "db")


@pytest.fixture
def db(db_path):
    """A fresh, empty database in a temporary folder, closed after the test."""
    database = arcadedb.create_database(db_path)
    yield database
    database.close()


@pytest.fixture
def reopen(db_path):
    """``reopen(db)`` closes ``db`` and opens the same folder again; closed after the test."""
    opened: list[arcadedb.Database] = []

    def _reopen(database: arcadedb.Database) -> arcadedb.Database:
        database.close()
        again = arcadedb.open_database(db_path)
        opened.append(again)
        return again

    yield _reopen
    for database in opened:
        database.close()


def take_snapshot(db: arcadedb.Database) -> dict[str, Any]:
    """Everything observable through the Python API: schema (types, properties with their
    constraints, indexes) and every record with its RID, type and properties."""
    schema = db.schema
    types = {}
    for t in schema.get_types():
        props = sorted(
            (
                p.name,
                p.type,
                p.of_type,
                p.is_mandatory(),
                p.is_not_null(),
                p.is_read_only(),
                repr(p.get_min()),
                repr(p.get_max()),
                repr(p.get_default_value()),
            )
            for p in t.properties
        )
        types[t.name] = (type(t).__name__, tuple(t.supertypes), tuple(props))
    records = {}
    for name in types:
        for record in db.iterate_type(name, polymorphic=False):
            records[record.get_rid()] = (record.get_type_name(), repr(record.to_dict()))
    indexes = sorted(
        (ix.name, ix.type_name, tuple(ix.properties), ix.unique) for ix in schema.get_indexes()
    )
    return {"types": types, "indexes": indexes, "records": records}


@pytest.fixture
def snapshot():
    """``snapshot(db)``: a comparable picture of the whole database (see ``take_snapshot``)."""
    return take_snapshot
