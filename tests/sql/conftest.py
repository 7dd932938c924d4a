"""Fixtures for the SQL tests: a database with auto-transaction and small helpers."""

from __future__ import annotations

import pytest


@pytest.fixture
def auto(db):
    """The fresh database with auto-transaction on (each write commits by itself)."""
    db.set_auto_transaction(True)
    return db


def rows(result_set) -> list[dict]:
    """Rows as plain dicts without conversion (projection rows) or user properties (elements)."""
    out = []
    for row in result_set:
        element = row.get_element()
        out.append(dict(element.to_dict()) if element is not None else row.to_dict(False))
    return out


def names(result_set, key: str = "name") -> list:
    return [row.get(key) for row in result_set]


@pytest.fixture
def people(auto):
    """Person (vertex) with subtype Employee, a Knows edge type and a few records."""
    db = auto
    db.command("sql", "CREATE VERTEX TYPE Person")
    db.command("sql", "CREATE VERTEX TYPE Employee EXTENDS Person")
    db.command("sql", "CREATE EDGE TYPE Knows")
    db.command(
        "sql",
        "INSERT INTO Person CONTENT ["
        "{'name': 'ann', 'age': 30, 'city': 'Rome', 'tags': ['a', 'b'],"
        " 'address': {'city': 'Rome', 'zip': 100}},"
        "{'name': 'bob', 'age': 20, 'city': 'Oslo', 'tags': ['c']},"
        "{'name': 'cid', 'age': null, 'city': 'Rome'}]",
    )
    db.command("sql", "CREATE VERTEX Employee SET name = 'dan', age = 50, city = 'Oslo'")
    return db
