"""Issue 10, item 12: hostile property names through save, SQL WHERE, a unique index,
``lookup_by_key`` and export/import.

A legal name must round-trip everywhere; an illegal one must be refused with a ValidationError at
``set`` (and an ArcadeDBError at DDL) — never accepted and then silently mis-read. The reference
engine accepts every name tried here (``"``, ``\\``, ``.``, NUL, quotes, unicode, empty), so the
names that *must* be legal are those; NUL, the empty name and ``@``-prefixed names may be refused
instead (a documented decision), but consistently.

In arcadelite's SQL a backquoted name escapes ``\\`` and `````` with a backslash (``quote``).
"""

from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import arcadelite as arcadedb
from arcadelite import ArcadeDBError
from arcadelite.exceptions import DuplicatedKeyError, ParseError, SchemaError, ValidationError

pending = pytest.mark.fault_pending

MUST_BE_LEGAL = ['a"b', "a\\b", "a.b", "a'b", "ü", "名前", "a b", '"', "\\", ".", "'", 'a\\"b',
                 "\\u0041", "a`b", "$x", "a\nb", "a]b", "[0]", "*", "a..b", "a\\.b"]  # fmt: skip
MAY_BE_REFUSED = ["a\x00b", "\x00", "", "@x"]
#: The names that fail today (a JSON path that cannot address them, or SQL that misreads them);
#: the others pass today and stay as guards.
FAILING_TODAY = {'a"b', "a\\b", '"', "\\", 'a\\"b', "\\u0041", "a\\.b", "a\x00b", "\x00", "@x"}
NAMES = [pytest.param(n, marks=pending("item 12")) if n in FAILING_TODAY else n
         for n in MUST_BE_LEGAL + MAY_BE_REFUSED]  # fmt: skip


def may_be_refused(name: str) -> bool:
    return "\x00" in name or name == "" or name.startswith("@")


def quote(name: str) -> str:
    """A property name as a backquoted SQL identifier."""
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def decoys(name: str) -> list[str]:
    """Names a broken escaping could confuse with ``name``."""
    candidates = {name.replace("\\", ""), name.replace('"', ""), name.replace("'", ""),
                  name.split(".")[0], name.split(".")[-1], name.replace("\x00", ""),
                  name.split("\x00")[0], name.replace("\\", "\\\\")}  # fmt: skip
    return sorted(c for c in candidates if c != name and c and not c.startswith("@"))


def round_trip(db: arcadedb.Database, type_name: str, name: str) -> str:
    """Check one property name end to end on a fresh type; returns "legal" or "refused"."""
    db.schema.create_document_type(type_name)
    first = db.new_document(type_name)
    try:
        first.set(name, 1)
    except ValidationError:
        assert may_be_refused(name), f"{name!r} refused, but the reference accepts it"
        with pytest.raises((SchemaError, ValidationError)):
            db.schema.create_property(type_name, name, "INTEGER")
        return "refused"
    with db.transaction():
        a = first.save()
        b = db.new_document(type_name).set(name, 2).save()
        confusers = decoys(name)
        c = db.new_document(type_name)
        for other in confusers:
            c.set(other, 1)
        c.save()
    assert db.lookup_by_rid(a.get_rid()).get(name) == 1
    assert db.lookup_by_rid(b.get_rid()).to_dict() == {name: 2}
    decoy = db.lookup_by_rid(c.get_rid())
    assert decoy.get(name) is None, f"{name!r} reads a decoy's value: {decoy.to_dict()}"
    for other in confusers:
        assert decoy.get(other) == 1

    def sql_rids(where_value: int) -> set[str]:
        rows = db.query("sql", f"SELECT FROM {type_name} WHERE {quote(name)} = ?", where_value)
        return {row.get_rid() for row in rows}

    try:
        found = sql_rids(1)
    except ParseError:
        assert name == "", f"SQL cannot spell {name!r}"
        found = None
    if found is not None:
        assert found == {a.get_rid()}, f"WHERE {quote(name)} = 1 found {found}, not {a.get_rid()}"
        values = [r.get("v") for r in db.query(
            "sql", f"SELECT {quote(name)} AS v FROM {type_name} ORDER BY @rid")]  # fmt: skip
        assert values == [1, 2, None], f"SELECT {quote(name)}: {values}"
        with db.transaction():
            db.command("sql", f"UPDATE {type_name} SET {quote(name)} = 3 WHERE {quote(name)} = 2")
        assert db.lookup_by_rid(b.get_rid()).get(name) == 3
    try:
        db.schema.create_property(type_name, name, "INTEGER")
        db.schema.create_index(type_name, [name], unique=True)
    except (SchemaError, ValidationError):
        assert may_be_refused(name), f"DDL refuses {name!r}, which the reference accepts"
        return "legal"
    with pytest.raises(DuplicatedKeyError):
        with db.transaction():
            db.new_document(type_name).set(name, 1).save()
    assert db.lookup_by_key(type_name, [name], [1]).get_rid() == a.get_rid()
    expected_b = 3 if found is not None else 2
    assert db.lookup_by_key(type_name, [name], [expected_b]).get_rid() == b.get_rid()
    assert db.lookup_by_key(type_name, [name], [7]) is None
    if found is not None:
        assert sql_rids(1) == {a.get_rid()}, "the index path finds something else"
    return "legal"


def export_import_matches(db: arcadedb.Database, folder: str) -> None:
    """Export the database, restore the dump into a new one, and compare every record."""
    dump = os.path.join(folder, "names.jsonl.gz")
    db.export_database(dump, verbose=0, overwrite=True)
    with arcadedb.create_database(os.path.join(folder, "restored")) as again:
        again.command("sql", f"IMPORT DATABASE file://{dump}")
        for type_ in db.schema.get_types():
            mine = sorted(repr(sorted(r.to_dict().items())) for r in db.iterate_type(type_.name))
            theirs = sorted(repr(sorted(r.to_dict().items())) for r in again.iterate_type(type_.name))
            assert mine == theirs, f"type {type_.name} changed through export/import"


@pytest.mark.parametrize("name", NAMES)
def test_a_hostile_property_name_round_trips_or_is_refused_up_front(db, name):
    round_trip(db, "T", name)


def test_hostile_names_survive_export_and_import(db, tmp_path):
    """Guard (passes today): export/import does not compile names into JSON paths."""
    for i, name in enumerate(MUST_BE_LEGAL + MAY_BE_REFUSED):
        try:
            with db.transaction():
                db.schema.get_or_create_document_type(f"T{i}")
                db.new_document(f"T{i}").set(name, i).set("plain", i).save()
        except ValidationError:
            assert may_be_refused(name)
    export_import_matches(db, str(tmp_path))


NAME_CHARS = st.sampled_from(list('ab."\\\'`$@ü名\x00 []*\n\t{}:,#%') + ["\\u0041"])


@pending("item 12")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(st.lists(NAME_CHARS, max_size=5).map("".join), min_size=1, max_size=3,
                      unique=True))  # fmt: skip
def test_fuzzed_property_names_round_trip_everywhere(names):
    with tempfile.TemporaryDirectory(prefix="faults-names-") as folder:
        with arcadedb.create_database(os.path.join(folder, "db")) as db:
            for i, name in enumerate(names):
                try:
                    round_trip(db, f"T{i}", name)
                except ArcadeDBError as exc:
                    raise AssertionError(f"{name!r}: {type(exc).__name__}: {exc}") from exc
            export_import_matches(db, folder)
