"""Issue 10, item 15: ``wait_completion(timeout=nan)`` and a 100,000-element ``IN`` list.

SQLite binds at most 32,766 parameters per statement; an ``IN`` list written in the statement
text must not be bound one parameter per element. The lists written in the statement here have
33,000 elements (just above the limit): parsing a literal list costs time that grows faster than
its length (about 6 s for 100,000 elements, measured), which the unit suite cannot afford;
``python -m torture faults`` runs the 100,000-element lists.
"""

from __future__ import annotations

import threading

import pytest
from torture import faultkit

pending = pytest.mark.fault_pending
MANY = 100_000  # bound as one parameter
LITERALS = 33_000  # written in the statement text


def test_wait_completion_with_a_nan_timeout_is_a_value_error_when_idle(db):
    db.schema.create_document_type("D")
    executor = db.async_executor()
    with pytest.raises(ValueError):
        executor.wait_completion(timeout=float("nan"))


def test_wait_completion_with_a_nan_timeout_is_a_value_error_while_work_is_pending(db):
    db.schema.create_document_type("D")
    executor = db.async_executor()
    release = threading.Event()
    executor.create_record(db.new_document("D").set("n", 1), callback=lambda r: release.wait(20))
    try:
        outcome = faultkit.in_thread(lambda: executor.wait_completion(timeout=float("nan")), 5)
        assert outcome.state != "timeout", "wait_completion(timeout=nan) waits forever"
        assert outcome.raised("ValueError"), str(outcome)
    finally:
        release.set()
    executor.wait_completion(timeout=20)


def test_wait_completion_with_an_infinite_timeout_waits(db):
    """Guard (passes today): inf is a valid (unbounded) timeout."""
    db.schema.create_document_type("D")
    executor = db.async_executor()
    executor.create_record(db.new_document("D").set("n", 1))
    executor.wait_completion(timeout=float("inf"))
    assert db.count_type("D") == 1


@pytest.fixture
def numbered(db):
    db.schema.create_document_type("D")
    db.schema.create_property("D", "n", "LONG")
    db.schema.create_index("D", ["n"])
    with db.transaction():
        for n in range(1000):
            db.new_document("D").set("n", n).set("s", str(n)).save()
    return db


def _literal_list(values) -> str:
    return "[" + ",".join(map(str, values)) + "]"


def test_an_in_list_of_more_literals_than_sqlite_binds(numbered):
    values = _literal_list(range(-LITERALS // 2, LITERALS // 2))
    rows = numbered.query("sql", f"SELECT count(*) AS c FROM D WHERE n IN {values}").to_list()
    assert rows == [{"c": 1000}]


def test_an_update_whose_where_has_more_literals_than_sqlite_binds(numbered):
    with numbered.transaction():
        values = "(" + ",".join(map(str, range(LITERALS))) + ")"  # the parenthesised form
        numbered.command("sql", f"UPDATE D SET hit = true WHERE n IN {values}")
    assert numbered.query("sql", "SELECT count(*) AS c FROM D WHERE hit = true").to_list() == [
        {"c": 1000}
    ]


def test_an_in_parameter_of_100000_values(numbered):
    """Guard (passes today): a list bound as one parameter goes through json_each."""
    rows = numbered.query("sql", "SELECT count(*) AS c FROM D WHERE n IN ?", list(range(MANY)))
    assert rows.to_list() == [{"c": 1000}]


def test_a_long_in_list_selects_what_the_same_values_in_short_lists_select(numbered):
    """Past 64 literals a list is bound as one value: mixed kinds must match as before."""
    mixed = ["'5'", "7.0", "null", "'x'", "12", "'13.0'", "true", *map(str, range(900, 960))]
    long_rows = numbered.query(
        "sql", f"SELECT n FROM D WHERE n IN [{','.join(mixed)}] ORDER BY n"
    ).to_list()
    short = set()
    for start in range(0, len(mixed), 10):
        part = ",".join(mixed[start:start + 10])
        short |= {r["n"] for r in numbered.query("sql", f"SELECT n FROM D WHERE n IN [{part}]")}
    assert [r["n"] for r in long_rows] == sorted(short)
    assert len(mixed) > 64 and {7, 12, 900, 959} <= short
    on_text = numbered.query(
        "sql", f"SELECT count(*) AS c FROM D WHERE s NOT IN [{','.join(mixed)}]"
    ).to_list()
    short_text = numbered.query(
        "sql", "SELECT count(*) AS c FROM D WHERE s NOT IN ['5','x','13.0',null,7.0,12]"
    ).to_list()
    assert on_text == short_text
