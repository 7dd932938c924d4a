"""Details where arcadelite follows the reference engine; every expected value below is what
arcadedb-embedded returned for the same statement on the same data (docs/reference-notes.md §9,
§10)."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def t(auto):
    """T: k 1 (i 5, s 'b', f 1.5), k 2 (i and s null), k 3 (nothing), k 4 (i 6, s 'a')."""
    auto.command("sql", "CREATE DOCUMENT TYPE T")
    auto.command("sql", "INSERT INTO T SET k = 1, i = 5, s = 'b', f = 1.5")
    auto.command("sql", "INSERT INTO T SET k = 2, i = null, s = null")
    auto.command("sql", "INSERT INTO T SET k = 3")
    auto.command("sql", "INSERT INTO T SET k = 4, i = 6, s = 'a'")
    return auto


def _value(db, expr: str):
    return db.query("sql", f"SELECT {expr} AS v").to_list()[0]["v"]


def _column(db, expr: str) -> list:
    return [r.get("v") for r in db.query("sql", f"SELECT k, {expr} AS v FROM T ORDER BY k")]


def _keys(db, where: str) -> list[int]:
    return [r.get("k") for r in db.query("sql", f"SELECT k FROM T WHERE {where} ORDER BY k")]


# ------------------------------------------------------------------ arithmetic with null


NULL_ARITHMETIC = [
    ("null + 1", 1),
    ("1 + null", 1),
    ("null - 1", -1),
    ("1 - null", 1),
    ("null - 1.5", -1.5),
    ("1.5 + null", 1.5),
    ("null + 0.0", 0.0),
    ("null - -1", 1),
    ("0 - null", 0),
    ("'x' + null", "x"),
    ("null + 'x'", "x"),
    ("'a' + null + null", "a"),
    ("'a' - null", None),
    ("null - 'a'", None),
    ("[1] + null", [1]),
    ("null + [1]", [1]),
    ("[1] - null", [1]),
    ("null - [1]", None),
    ("{'a': 1} + null", {"a": 1}),
    ("null + null", None),
    ("null - null", None),
    ("null * 2", None),
    ("2 * null", None),
    ("null / 2", None),
    ("2 / null", None),
    ("null % 2", None),
    ("2 % null", None),
    ("null * null", None),
    ("1 + null + 2", 3),
    ("null + 1 - null", 1),
    ("(null + 1) * 2", 2),
    ("1 + 2 * null", 1),
    ("2 * null + 1", 1),
    ("- null", 0),
    ("-(null)", 0),
]


def test_plus_and_minus_pass_over_one_null_operand(auto):
    got = {expr: _value(auto, expr) for expr, _ in NULL_ARITHMETIC}
    assert got == dict(NULL_ARITHMETIC)
    assert all(type(got[expr]) is type(value) for expr, value in NULL_ARITHMETIC)


def test_date_plus_or_minus_null_is_the_date(auto):
    day = dt.datetime(2020, 1, 1)
    assert _value(auto, "date('2020-01-01', 'yyyy-MM-dd') + null") == day
    assert _value(auto, "date('2020-01-01', 'yyyy-MM-dd') - null") == day
    assert _value(auto, "null - date('2020-01-01', 'yyyy-MM-dd')") is None


NULL_COLUMNS = [
    ("i + 1", [6, 1, 1, 7]),
    ("1 + i", [6, 1, 1, 7]),
    ("i - 1", [4, -1, -1, 5]),
    ("1 - i", [-4, 1, 1, -5]),
    ("k - i", [-4, 2, 3, -2]),
    ("i - k", [4, -2, -3, 2]),
    ("i * 2", [10, None, None, 12]),
    ("i / 2", [2.5, None, None, 3]),
    ("i % 2", [1, None, None, 0]),
    ("i + i", [10, None, None, 12]),
    ("s + 'x'", ["bx", "x", "x", "ax"]),
    ("'x' + s", ["xb", "x", "x", "xa"]),
    ("i + s", ["5b", None, None, "6a"]),
    ("f + i", [6.5, None, None, 6]),
    ("-i", [-5, 0, 0, -6]),
    ("- i + 1", [-4, 1, 1, -5]),
]


def test_arithmetic_over_null_and_missing_properties(t):
    assert {expr: _column(t, expr) for expr, _ in NULL_COLUMNS} == dict(NULL_COLUMNS)


NULL_CONDITIONS = [
    ("i + 1 <> 6", [2, 3, 4]),
    ("i + 1 = 1", [2, 3]),
    ("1 - i = 1", [2, 3]),
    ("i * 2 = 0", []),
    ("s + 'x' = 'x'", [2, 3]),
    ("i + 1 > 0", [1, 2, 3, 4]),
    ("k + i = k", [2, 3]),
    ("-i = 0", [2, 3]),
    ("-i <> 0", [1, 4]),
]


def test_conditions_on_arithmetic_with_null(t):
    got = {where: _keys(t, where) for where, _ in NULL_CONDITIONS}
    assert got == dict(NULL_CONDITIONS)


# ------------------------------------------------------- NOT LIKE, NOT ILIKE, NOT BETWEEN


@pytest.fixture
def more(t):
    """T plus k 5 (s 'B', tags ['a', null], m {'x': 1}) and k 6 (s 'bb', tags [])."""
    t.command("sql", "INSERT INTO T SET k = 5, s = 'B', tags = ['a', null], m = {'x': 1}")
    t.command("sql", "INSERT INTO T SET k = 6, s = 'bb', tags = []")
    return t


NEGATED_FORMS = [
    # LIKE and ILIKE are never unknown: their NOT holds where s is null or missing
    ("s NOT LIKE 'b'", [2, 3, 4, 5, 6]),
    ("s not like 'b'", [2, 3, 4, 5, 6]),
    ("s NOT LIKE 'b%'", [2, 3, 4, 5]),
    ("s NOT LIKE null", [1, 2, 3, 4, 5, 6]),
    ("i NOT LIKE '5'", [2, 3, 4, 5, 6]),
    ("s NOT ILIKE 'b'", [2, 3, 4, 6]),
    ("s NOT ILIKE null", [1, 2, 3, 4, 5, 6]),
    ("NOT (s NOT LIKE 'b')", [1]),
    ("NOT s NOT LIKE 'b'", [1]),
    ("s NOT LIKE 'b' AND k > 1", [2, 3, 4, 5, 6]),
    ("s NOT LIKE 'b' OR k = 1", [1, 2, 3, 4, 5, 6]),
    # BETWEEN is >= AND <=, unknown for a null operand or bound
    ("s NOT BETWEEN 'a' AND 'b'", [5, 6]),
    ("i NOT BETWEEN 4 AND 5", [4]),
    ("i NOT BETWEEN null AND 5", [4]),
    ("i NOT BETWEEN 6 AND null", [1]),
    ("i NOT BETWEEN 5 AND 6", []),
    ("s NOT LIKE 'b%' AND i NOT BETWEEN 1 AND 5", [4]),
]


def test_not_like_ilike_and_between(more):
    got = {where: _keys(more, where) for where, _ in NEGATED_FORMS}
    assert got == dict(NEGATED_FORMS)
    assert [r.get("k") for r in more.query("sql", "SELECT k FROM T WHERE s NOT LIKE ?", "b")] == [
        2, 3, 4, 5, 6
    ]  # fmt: skip


def test_not_like_and_not_between_as_values(t):
    assert _column(t, "(s NOT LIKE 'b')") == [False, True, True, True]
    assert _column(t, "(i NOT BETWEEN 4 AND 5)") == [False, None, None, True]


# -------------------------------------------------- the CONTAINS family with null and []


@pytest.fixture
def lists(more):
    """more plus k 7 (tags [null]) and k 8 (tags null); tags is missing on k 1 to 4."""
    more.command("sql", "INSERT INTO T SET k = 7, tags = [null]")
    more.command("sql", "INSERT INTO T SET k = 8, tags = null")
    return more


CONTAINS_NULL_AND_EMPTY = [
    ("tags CONTAINS null", [5, 7]),
    ("NOT (tags CONTAINS null)", [1, 2, 3, 4, 6, 8]),
    ("s CONTAINS null", []),
    ("tags CONTAINSALL []", [5, 6, 7]),
    ("NOT (tags CONTAINSALL [])", [1, 2, 3, 4, 8]),
    ("s CONTAINSALL []", [1, 4, 5, 6]),
    ("i CONTAINSALL []", [1, 4]),
    ("tags CONTAINSALL [null]", [5, 7]),
    ("tags CONTAINSALL ['a', null]", [5]),
    ("tags CONTAINSALL null", [5, 7]),
    ("tags CONTAINSANY [null]", [5, 7]),
    ("tags CONTAINSANY null", [5, 7]),
    ("tags CONTAINSANY []", []),
    ("tags CONTAINS 'a'", [5]),
]


def test_contains_family_finds_null_items_and_containsall_empty_holds(lists):
    got = {where: _keys(lists, where) for where, _ in CONTAINS_NULL_AND_EMPTY}
    assert got == dict(CONTAINS_NULL_AND_EMPTY)
