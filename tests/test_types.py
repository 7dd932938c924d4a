"""Types (API.md §10): every Python type round-trips through save, close, reopen and get;
declared property types convert losslessly or refuse naming the property."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import arcadelite as arcadedb
from arcadelite import RID, ValidationError

UTC = dt.timezone.utc
PLUS_5_30 = dt.timezone(dt.timedelta(hours=5, minutes=30))
MINUS_8 = dt.timezone(dt.timedelta(hours=-8))

VALUES = {
    "none": None,
    "true": True,
    "false": False,
    "zero": 0,
    "int": 42,
    "negative": -7,
    "int64_max": 2**63 - 1,
    "int64_min": -(2**63),
    "beyond_53_bits": 2**53 + 1,
    "float": 3.25,
    "float_tiny": 5e-324,
    "float_whole": 2.0,
    "negative_zero": -0.0,
    "str": "plain",
    "str_empty": "",
    "unicode": "héllo wörld ✓ 日本語 🎉 \u0000 nul",
    "looks_like_a_date": "2024-01-02T03:04:05.000000",
    "looks_like_a_rid": "#1:2",
    "bytes": b"\x00\x01\xfe\xff",
    "bytes_empty": b"",
    "decimal": Decimal("1.10"),
    "decimal_negative": Decimal("-0.000123"),
    "decimal_big": Decimal("123456789012345678901234567890.123456789"),
    "decimal_exponent": Decimal("1E+5"),
    "decimal_huge": Decimal("9.99E+400"),
    "decimal_integral": Decimal("5"),
    "date": dt.date(2024, 2, 29),
    "date_old": dt.date(1, 1, 1),
    "naive": dt.datetime(2024, 5, 6, 7, 8, 9, 123456),
    "naive_old": dt.datetime(999, 12, 31, 23, 59, 59),
    "aware_utc": dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
    "aware_plus": dt.datetime(2024, 5, 6, 7, 8, 9, 10, tzinfo=PLUS_5_30),
    "aware_minus": dt.datetime(2024, 12, 31, 23, 0, tzinfo=MINUS_8),
    "list": [1, "two", 3.0, None, True],
    "list_empty": [],
    "dict": {"a": 1, "b": {"c": [1, 2]}, "": "empty key", "dotted.key": 1},
    "dict_empty": {},
    "nested": [
        {"when": dt.datetime(2020, 1, 1, tzinfo=PLUS_5_30), "amount": Decimal("2.50")},
        {"day": dt.date(2020, 1, 2), "raw": b"\x01", "more": [[dt.datetime(2020, 1, 3)]]},
    ],
}


def _same(a, b):
    """Equal, of the same type, and (for aware datetimes) with the same offset, recursively."""
    assert type(a) is type(b), (a, b)
    if isinstance(a, float):
        assert a == b or (math.isnan(a) and math.isnan(b))
        assert math.copysign(1, a) == math.copysign(1, b)
    elif isinstance(a, Decimal):
        assert str(a) == str(b)  # the exact text, exponent included
    elif isinstance(a, dt.datetime):
        assert a == b and a.utcoffset() == b.utcoffset()
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for key in a:
            _same(a[key], b[key])
    else:
        assert a == b


@pytest.fixture
def tdb(db):
    db.schema.create_document_type("T")
    db.schema.create_vertex_type("V")
    return db


def test_every_type_round_trips_through_save_close_reopen_get(tdb, reopen):
    with tdb.transaction():
        record = tdb.new_document("T")
        for name, value in VALUES.items():
            record.set(name, value)
        rid = record.save().get_rid()
    for name, value in VALUES.items():  # the saved record itself
        _same(record.get(name), value)
    db = reopen(tdb)
    loaded = db.lookup_by_rid(rid)
    assert loaded.get_property_names() == list(VALUES)
    for name, value in VALUES.items():
        _same(loaded.get(name), value)


def test_tuples_become_lists(tdb, reopen):
    with tdb.transaction():
        rid = tdb.new_document("T").set("t", (1, (2, 3), "x")).save().get_rid()
    _same(reopen(tdb).lookup_by_rid(rid).get("t"), [1, [2, 3], "x"])


def test_links_come_back_as_rids(tdb, reopen):
    with tdb.transaction():
        target = tdb.new_vertex("V").set("name", "t").save()
        record = (
            tdb.new_document("T")
            .set("by_record", target)
            .set("by_rid", target.get_identity())
            .set("in_list", [target, target.get_identity()])
            .set("in_map", {"to": target})
            .save()
        )
    db = reopen(tdb)
    loaded = db.lookup_by_rid(record.get_rid())
    expected = RID.parse(target.get_rid())
    for value in (
        loaded.get("by_record"),
        loaded.get("by_rid"),
        *loaded.get("in_list"),
        loaded.get("in_map")["to"],
    ):
        assert type(value) is RID
        assert value == expected
    assert db.lookup_by_rid(loaded.get("by_record")).get("name") == "t"


def test_link_to_an_unsaved_record_is_refused(tdb, snapshot):
    before = snapshot(tdb)
    with pytest.raises(ValidationError, match="'friend'.*save it first"):
        with tdb.transaction():
            tdb.new_document("T").set("friend", tdb.new_vertex("V")).save()
    assert snapshot(tdb) == before


@pytest.mark.parametrize(
    "value, culprit",
    [
        (2**63, "9223372036854775808"),
        (-(2**63) - 1, "-9223372036854775809"),
        (2**64, "18446744073709551616"),
        (10**30, "1" + "0" * 30),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        (-float("inf"), "-inf"),
        (Decimal("NaN"), "NaN"),
        (Decimal("Infinity"), "Infinity"),
        (dt.time(12, 0), "time"),
        (object(), "object"),
        ({1: "int key"}, "1"),
        (dt.datetime(1, 1, 1, tzinfo=PLUS_5_30), "0001-01-01"),
        ("lone \ud800 surrogate", "not valid UTF-8"),
    ],
)
@pytest.mark.parametrize("nested", [False, True], ids=["top", "nested"])
def test_unstorable_values_are_refused_naming_the_property(tdb, snapshot, value, culprit, nested):
    before = snapshot(tdb)
    record = tdb.new_document("T").set("ok", 1)
    if nested:
        record.set("outer", [{"inner": value}])
    else:
        record.set("bad", value)
    with pytest.raises(ValidationError) as err:
        with tdb.transaction():
            record.save()
    message = str(err.value)
    assert culprit in message
    if not isinstance(value, dict):  # a bad key is itself the culprit
        assert ("'outer.0.inner'" if nested else "'bad'") in message
    assert record.get_rid() is None
    assert snapshot(tdb) == before


def test_values_compare_by_value_in_indexes(tdb):
    """Numbers, decimals, dates and aware datetimes key an index by value, not by text."""
    tdb.schema.create_property("T", "k", "DECIMAL")
    tdb.schema.create_index("T", ["k"], unique=True)
    with tdb.transaction():
        tdb.new_document("T").set("k", Decimal("2.5")).save()
    for same in (Decimal("2.50"), Decimal("2.500")):
        with pytest.raises(arcadedb.DuplicatedKeyError):
            with tdb.transaction():
                tdb.new_document("T").set("k", same).save()
    assert tdb.lookup_by_key("T", "k", Decimal("2.50")) is not None


# --- declared types -----------------------------------------------------------------------------


@pytest.fixture
def typed(db):
    db.schema.create_document_type("D")
    for name, ptype in [
        ("long", "LONG"),
        ("integer", "INTEGER"),
        ("short", "SHORT"),
        ("byte", "BYTE"),
        ("double", "DOUBLE"),
        ("float", "FLOAT"),
        ("decimal", "DECIMAL"),
        ("string", "STRING"),
        ("boolean", "BOOLEAN"),
        ("binary", "BINARY"),
        ("date", "DATE"),
        ("datetime", "DATETIME"),
        ("map", "MAP"),
        ("list", "LIST"),
        ("embedded", "EMBEDDED"),
        ("link", "LINK"),
        ("vector", "ARRAY_OF_FLOATS"),
    ]:
        db.schema.create_property("D", name, ptype)
    db.schema.create_property("D", "ints", "LIST", of_type="INTEGER")
    db.schema.create_vertex_type("V")
    return db


_CONVERSIONS = [
    ("long", 5, 5),
    ("long", 5.0, 5),
    ("long", Decimal("7"), 7),
    ("long", "12", 12),
    ("long", 2**63 - 1, 2**63 - 1),
    ("integer", -(2**31), -(2**31)),
    ("short", 32767, 32767),
    ("byte", -128, -128),
    ("double", 3, 3.0),
    ("double", 2**53, float(2**53)),
    ("double", "1.5", 1.5),
    ("double", Decimal("0.5"), 0.5),
    ("float", 1, 1.0),
    ("decimal", 3, Decimal("3")),
    ("decimal", "1.10", Decimal("1.10")),
    ("decimal", 0.1, Decimal("0.1")),
    ("boolean", "true", True),
    ("boolean", False, False),
    ("binary", bytearray(b"ab"), b"ab"),
    ("date", "2024-02-29", dt.date(2024, 2, 29)),
    ("date", dt.datetime(2024, 2, 29), dt.date(2024, 2, 29)),
    ("datetime", "2024-02-29T10:11:12", dt.datetime(2024, 2, 29, 10, 11, 12)),
    ("datetime", "2024-02-29T10:11:12Z", dt.datetime(2024, 2, 29, 10, 11, 12, tzinfo=UTC)),
    (
        "datetime",
        "2024-02-29T10:11:12+05:30",
        dt.datetime(2024, 2, 29, 10, 11, 12, tzinfo=PLUS_5_30),
    ),
    ("datetime", dt.date(2024, 2, 29), dt.datetime(2024, 2, 29)),
    ("list", (1, 2), [1, 2]),
    ("ints", [1, 2.0, "3"], [1, 2, 3]),
    ("map", {"a": 1}, {"a": 1}),
    ("vector", [1, 2.5], [1.0, 2.5]),
]


@pytest.mark.parametrize("prop, given_value, stored", _CONVERSIONS)
def test_declared_types_convert_losslessly(typed, reopen, prop, given_value, stored):
    with typed.transaction():
        record = typed.new_document("D").set(prop, given_value).save()
    _same(record.get(prop), stored)
    _same(reopen(typed).lookup_by_rid(record.get_rid()).get(prop), stored)


def test_link_property_converts_records_and_text(typed):
    with typed.transaction():
        target = typed.new_vertex("V").save()
        by_record = typed.new_document("D").set("link", target).save()
        by_text = typed.new_document("D").set("link", target.get_rid()).save()
    assert by_record.get("link") == by_text.get("link") == target.get_identity()
    assert type(typed.lookup_by_rid(by_text.get_rid()).get("link")) is RID


def test_link_property_refusals_name_the_property(typed, snapshot):
    typed.schema.create_property("D", "owner", "LINK", of_type="V")
    with typed.transaction():
        document = typed.new_document("D").save()
    before = snapshot(typed)
    for prop, value, culprit in [
        ("link", typed.new_vertex("V"), "'D.link' is declared LINK"),
        ("owner", document, f"'D.owner' links to {document.get_rid()}, which is not a V"),
    ]:
        with pytest.raises(ValidationError, match=re.escape(culprit)):
            with typed.transaction():
                typed.new_document("D").set(prop, value).save()
    assert snapshot(typed) == before


_MISMATCHES = [
    ("long", 1.5),
    ("long", "12a"),
    ("long", True),
    ("long", 2**63),
    ("integer", 2**31),
    ("short", 32768),
    ("byte", 128),
    ("double", 2**53 + 1),
    ("double", "abc"),
    ("double", True),
    ("decimal", "1,5"),
    ("string", 5),
    ("string", b"x"),
    ("boolean", 1),
    ("boolean", "yes"),
    ("binary", "text"),
    ("date", "02/29/2024"),
    ("date", dt.datetime(2024, 2, 29, 10, 0)),
    ("datetime", "yesterday"),
    ("datetime", 1700000000),
    ("map", [1]),
    ("list", "abc"),
    ("ints", [1, "x"]),
    ("ints", [1.5]),
    ("link", 5),
    ("link", "not a rid"),
    ("link", [1]),
    ("vector", ["a"]),
]


@pytest.mark.parametrize("prop, value", _MISMATCHES)
def test_declared_types_refuse_lossy_values_naming_the_property(typed, snapshot, prop, value):
    before = snapshot(typed)
    record = typed.new_document("D").set(prop, value)
    with pytest.raises(ValidationError) as err:
        with typed.transaction():
            record.save()
    assert f"Property 'D.{prop}' is declared" in str(err.value)
    assert repr(value) in str(err.value)
    assert record.get_rid() is None
    assert snapshot(typed) == before


def test_a_mismatch_on_update_changes_nothing(typed, snapshot):
    with typed.transaction():
        record = typed.new_document("D").set("long", 1).save()
    before = snapshot(typed)
    with pytest.raises(ValidationError, match="'D.long' is declared LONG"):
        with typed.transaction():
            record.set("long", "one").save()
    assert snapshot(typed) == before


def test_none_is_accepted_by_any_declared_type(typed):
    with typed.transaction():
        record = typed.new_document("D")
        for prop in ("long", "date", "string", "map", "link"):
            record.set(prop, None)
        record.save()
    loaded = typed.lookup_by_rid(record.get_rid())
    assert loaded.to_dict() == {
        "long": None,
        "date": None,
        "string": None,
        "map": None,
        "link": None,
    }


# --- property-based round trip --------------------------------------------------------------------

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    st.binary(max_size=20),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.dates(),
    st.datetimes(),
    st.builds(RID, st.integers(0, 2**20), st.integers(0, 2**40 - 1)),
    st.datetimes(
        min_value=dt.datetime(2, 1, 1),
        max_value=dt.datetime(9998, 12, 31),
        timezones=st.sampled_from([UTC, PLUS_5_30, MINUS_8]),
    ),
)
_values = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(props=st.dictionaries(st.text(min_size=1, max_size=10), _values, max_size=6))
def test_nested_values_round_trip(tmp_path_factory, props):
    path = str(tmp_path_factory.mktemp("hyp") / "db")
    with arcadedb.create_database(path) as db:
        db.schema.create_document_type("H")
        with db.transaction():
            rid = db.new_document("H")
            for key, value in props.items():
                rid.set(key, value)
            rid = rid.save().get_rid()
    with arcadedb.open_database(path) as db:
        loaded = db.lookup_by_rid(rid)
        assert loaded.get_property_names() == list(props)
        for key, value in props.items():
            _same(loaded.get(key), value)
