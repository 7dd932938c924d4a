"""SELECT: projections, WHERE operators, ordering, paging, grouping, targets and row shapes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import arcadelite as arcadedb
from arcadelite import QueryError, SchemaError
from arcadelite.graph import Document, Vertex
from arcadelite.rid import RID

from .conftest import names, rows


def q(db, text, *args, **kwargs):
    return rows(db.query("sql", text, *args, **kwargs))


# --- row shapes (API.md §4) -------------------------------------------------------------------


def test_select_from_type_gives_immutable_element_rows(people):
    result = list(people.query("sql", "SELECT FROM Person WHERE name = 'ann'"))
    assert len(result) == 1
    row = result[0]
    assert row.is_element()
    vertex = row.get_element()
    assert isinstance(vertex, Vertex) and row.get_vertex() is vertex
    assert vertex.get("tags") == ["a", "b"]
    assert row.get_rid() == vertex.get_rid()
    with pytest.raises(AttributeError, match="modify"):
        vertex.set("age", 1)
    assert row.to_dict(False)["@type"] == "Person"


def test_projection_rows_are_dicts_without_element(people):
    row = people.query("sql", "SELECT name, age AS years FROM Person WHERE name = 'bob'").one()
    assert row.get_element() is None and row.get_rid() is None
    assert row.to_dict() == {"name": "bob", "years": 20}
    assert row.get_property_names() == ["name", "years"]


def test_count_star_is_one_row_with_an_int(people):
    row = people.query("sql", "SELECT count(*) AS c FROM Person").one()
    assert row.get("c") == 4 and type(row.get("c")) is int
    assert q(people, "SELECT count(*) FROM Person") == [{"count(*)": 4}]
    assert q(people, "SELECT count(*) FROM Person WHERE age > 100") == [{"count(*)": 0}]


def test_select_without_target(db):
    assert q(db, "SELECT 1 + 1 AS x") == [{"x": 2}]
    assert q(db, "SELECT 10/4 AS d, 10/5 AS e, 3.0 AS g, 7 % 3 AS m, -7 % 3 AS n") == [
        {"d": 2.5, "e": 2, "g": 3.0, "m": 1, "n": -1}
    ]
    assert q(db, "SELECT 'a' + 1 AS s, [1, 2] AS l, {'k': 'v'} AS m, null AS z") == [
        {"s": "a1", "l": [1, 2], "m": {"k": "v"}, "z": None}
    ]
    assert q(db, "SELECT 1 + 1") == [{"1 + 1": 2}]


def test_expand_scalar_list_gives_value_rows(db):
    assert q(db, "SELECT expand([1, 2, 3])") == [{"value": 1}, {"value": 2}, {"value": 3}]


def test_star_projection(people):
    assert q(people, "SELECT * FROM Person WHERE name = 'bob'") == [
        {"name": "bob", "age": 20, "city": "Oslo", "tags": ["c"]}
    ]
    assert q(people, "SELECT *, age * 2 AS twice FROM Person WHERE name = 'bob'") == [
        {"name": "bob", "age": 20, "city": "Oslo", "tags": ["c"], "twice": 40}
    ]


def test_values_keep_their_python_types(auto):
    auto.command("sql", "CREATE DOCUMENT TYPE T")
    auto.command("sql", "CREATE PROPERTY T.d DATE")
    auto.command("sql", "CREATE PROPERTY T.ts DATETIME")
    auto.command("sql", "CREATE PROPERTY T.price DECIMAL")
    auto.command(
        "sql",
        "INSERT INTO T SET d = ?, ts = ?, price = ?, link = #1:1, raw = ?",
        dt.date(2024, 1, 31),
        dt.datetime(2024, 1, 31, 12, 30),
        Decimal("9.99"),
        b"\x00\x01",
    )
    row = auto.query("sql", "SELECT d, ts, price, link, raw FROM T").one()
    assert row.get("d") == dt.date(2024, 1, 31)
    assert row.get("ts") == dt.datetime(2024, 1, 31, 12, 30)
    assert row.get("price") == Decimal("9.99") and isinstance(row.get("price"), Decimal)
    assert row.get("link") == RID(1, 1) and isinstance(row.get("link"), RID)
    assert row.get("raw") == b"\x00\x01"


# --- parameters ------------------------------------------------------------------------------


def test_positional_named_and_dict_parameters(people):
    assert names(
        people.query("sql", "SELECT FROM Person WHERE age > ? AND city = ?", 25, "Oslo")
    ) == ["dan"]
    assert names(people.query("sql", "SELECT FROM Person WHERE name = :n", n="bob")) == ["bob"]
    assert names(people.query("sql", "SELECT FROM Person WHERE name = :n", {"n": "ann"})) == ["ann"]
    assert names(
        people.query(
            "sql", "SELECT FROM Person WHERE name IN :names ORDER BY name", names=["dan", "bob"]
        )
    ) == ["bob", "dan"]
    with pytest.raises(QueryError, match=":missing"):
        people.query("sql", "SELECT FROM Person WHERE name = :missing")
    with pytest.raises(QueryError, match="parameter"):
        people.query("sql", "SELECT FROM Person WHERE name = ?")


def test_numpy_arrays_are_accepted_as_lists(people):
    np = pytest.importorskip("numpy")
    found = names(
        people.query("sql", "SELECT FROM Person WHERE age IN ? ORDER BY age", np.array([20, 30]))
    )
    assert found == ["bob", "ann"]


def test_statement_cache_reuses_parse_and_plan(people):
    for age in (10, 25, 40):
        expected = sorted(n for n, a in [("ann", 30), ("bob", 20), ("dan", 50)] if a > age)
        assert (
            sorted(names(people.query("sql", "SELECT FROM Person WHERE age > ?", age))) == expected
        )


# --- WHERE operators ----------------------------------------------------------------------------

WHERE_CASES = [
    ("age = 30", ["ann"]),
    ("age == 30", ["ann"]),
    # cid has no age: the reference treats null <> 30 as unknown, not true (reference-notes §10)
    ("age <> 30", ["bob", "dan"]),
    ("age != 30", ["bob", "dan"]),
    ("age < 30", ["bob"]),
    ("age <= 30", ["ann", "bob"]),
    ("age > 30", ["dan"]),
    ("age >= 30", ["ann", "dan"]),
    ("NOT (age > 25)", ["bob"]),  # NOT of unknown (cid's missing age) is unknown
    ("age > 25 AND city = 'Rome'", ["ann"]),
    ("age > 40 OR city = 'Rome'", ["ann", "cid", "dan"]),
    ("age BETWEEN 20 AND 30", ["ann", "bob"]),
    ("age IS NULL", ["cid"]),
    ("age IS NOT NULL", ["ann", "bob", "dan"]),
    ("name IN ['ann', 'dan']", ["ann", "dan"]),
    ("name IN ('ann', 'dan')", ["ann", "dan"]),
    ("name NOT IN ['ann', 'dan']", ["bob", "cid"]),
    ("name LIKE 'a%'", ["ann"]),
    ("name LIKE '?ob'", ["bob"]),
    ("name LIKE 'A%'", []),  # LIKE is case-sensitive
    ("name ILIKE 'A%'", ["ann"]),
    ("name MATCHES '[ab].*'", ["ann", "bob"]),
    ("tags CONTAINS 'a'", ["ann"]),
    ("tags CONTAINS (@this = 'c')", ["bob"]),
    ("tags CONTAINSANY ['c', 'z']", ["bob"]),
    ("tags CONTAINSALL ['a', 'b']", ["ann"]),
    ("tags IN ['b']", ["ann"]),  # a collection on the left: any element
    ("address CONTAINSKEY 'zip'", ["ann"]),
    ("address CONTAINSVALUE 100", ["ann"]),
    ("name CONTAINSTEXT 'n'", ["ann", "dan"]),
    ("address.city = 'Rome'", ["ann"]),
    ("address.zip > 50", ["ann"]),
    ("@this INSTANCEOF 'Employee'", ["dan"]),
    ("@type = 'Employee'", ["dan"]),
    ("age IS DEFINED", ["ann", "bob", "cid", "dan"]),
    ("tags IS NOT DEFINED", ["cid", "dan"]),
    ("age + 5 > 30", ["ann", "dan"]),
    ("name.toUpperCase() = 'BOB'", ["bob"]),
    ("tags.size() = 2", ["ann"]),
    ("(age > 25 AND city = 'Oslo') OR name = 'bob'", ["bob", "dan"]),
]


@pytest.mark.parametrize("condition,expected", WHERE_CASES)
def test_where_operators(people, condition, expected):
    assert sorted(names(people.query("sql", f"SELECT FROM Person WHERE {condition}"))) == expected


def test_where_on_rid_and_links(people):
    ann = people.query("sql", "SELECT FROM Person WHERE name = 'ann'").one().get_rid()
    bob = people.query("sql", "SELECT FROM Person WHERE name = 'bob'").one().get_rid()
    assert names(people.query("sql", f"SELECT FROM Person WHERE @rid = {ann}")) == ["ann"]
    assert names(people.query("sql", "SELECT FROM Person WHERE @rid = ?", RID.parse(bob))) == [
        "bob"
    ]
    assert sorted(names(people.query("sql", f"SELECT FROM Person WHERE @rid IN [{ann}, {bob}]"))) == [
        "ann", "bob"]  # fmt: skip
    people.command("sql", f"UPDATE Person SET friend = {bob} WHERE name = 'ann'")
    assert names(people.query("sql", "SELECT FROM Person WHERE friend.name = 'bob'")) == ["ann"]
    assert q(people, "SELECT friend.name AS f, friend.age AS a FROM Person WHERE name = 'ann'") == [
        {"f": "bob", "a": 20}
    ]
    assert names(people.query("sql", f"SELECT FROM Person WHERE friend = {bob}")) == ["ann"]


def test_where_dates_and_decimals_compare_by_value(auto):
    auto.command("sql", "CREATE DOCUMENT TYPE E")
    for day, amount in [(dt.date(2023, 12, 31), "10.5"), (dt.date(2024, 1, 2), "9.25"),
                        (dt.date(2024, 2, 1), "100")]:  # fmt: skip
        auto.command("sql", "INSERT INTO E SET day = ?, amount = ?", day, Decimal(amount))
    assert [r.get("day") for r in auto.query("sql", "SELECT FROM E WHERE day > ? ORDER BY day",
                                             dt.date(2024, 1, 1))] == [dt.date(2024, 1, 2), dt.date(2024, 2, 1)]  # fmt: skip
    assert [r.get("day") for r in auto.query("sql", "SELECT FROM E WHERE day = '2024-01-02'")] == [
        dt.date(2024, 1, 2)]  # fmt: skip
    assert [str(r.get("amount")) for r in auto.query("sql", "SELECT FROM E ORDER BY amount DESC")] == [
        "100", "10.5", "9.25"]  # fmt: skip
    assert q(auto, "SELECT max(day) AS d, sum(amount) AS s FROM E") == [
        {"d": dt.date(2024, 2, 1), "s": Decimal("119.75")}
    ]


# --- ORDER BY / SKIP / LIMIT / DISTINCT / UNWIND ------------------------------------------------


def test_order_by_several_keys(people):
    assert names(people.query("sql", "SELECT FROM Person ORDER BY city DESC, name")) == [
        "ann", "cid", "bob", "dan"]  # fmt: skip
    # nulls first ascending, last descending (as ArcadeDB and SQLite)
    assert names(people.query("sql", "SELECT FROM Person ORDER BY age")) == [
        "cid",
        "bob",
        "ann",
        "dan",
    ]
    assert names(people.query("sql", "SELECT FROM Person ORDER BY age DESC")) == [
        "dan",
        "ann",
        "bob",
        "cid",
    ]


def test_order_by_alias_expression_and_rid(people):
    assert q(people, "SELECT name, age * -1 AS neg FROM Person WHERE age IS NOT NULL ORDER BY neg") == [
        {"name": "dan", "neg": -50}, {"name": "ann", "neg": -30}, {"name": "bob", "neg": -20}]  # fmt: skip
    assert names(people.query("sql", "SELECT FROM Person ORDER BY name.length() DESC, name LIMIT 2")) == [
        "ann", "bob"]  # fmt: skip
    assert names(people.query("sql", "SELECT FROM Person ORDER BY @rid DESC")) == [
        "dan",
        "cid",
        "bob",
        "ann",
    ]


def test_skip_and_limit(people):
    assert names(people.query("sql", "SELECT FROM Person ORDER BY name SKIP 1 LIMIT 2")) == [
        "bob",
        "cid",
    ]
    assert names(people.query("sql", "SELECT FROM Person ORDER BY name LIMIT 2 SKIP 1")) == [
        "bob",
        "cid",
    ]
    assert names(people.query("sql", "SELECT FROM Person ORDER BY name LIMIT ?", 1)) == ["ann"]
    assert names(people.query("sql", "SELECT FROM Person ORDER BY name LIMIT -1")) == [
        "ann", "bob", "cid", "dan"]  # fmt: skip
    # paging after a Python-side filter
    assert names(
        people.query("sql", "SELECT FROM Person WHERE name.length() = 3 ORDER BY name SKIP 3")
    ) == ["dan"]


def test_distinct(people):
    assert q(people, "SELECT DISTINCT city FROM Person ORDER BY city") == [
        {"city": "Oslo"},
        {"city": "Rome"},
    ]
    assert sorted(r["c"] for r in q(people, "SELECT distinct(city) AS c FROM Person")) == [
        "Oslo",
        "Rome",
    ]


def test_unwind(people):
    assert q(people, "SELECT name, tags FROM Person WHERE tags IS NOT NULL UNWIND tags") == [
        {"name": "ann", "tags": "a"}, {"name": "ann", "tags": "b"}, {"name": "bob", "tags": "c"}]  # fmt: skip


# --- GROUP BY and aggregates -----------------------------------------------------------------


def test_group_by_with_aggregates(people):
    assert q(
        people,
        "SELECT city, count(*) AS n, sum(age) AS s, min(age) AS lo, max(age) AS hi, "
        "avg(age) AS mean FROM Person GROUP BY city ORDER BY city",
    ) == [  # fmt: skip
        {"city": "Oslo", "n": 2, "s": 70, "lo": 20, "hi": 50, "mean": 35},
        {"city": "Rome", "n": 2, "s": 30, "lo": 30, "hi": 30, "mean": 30},
    ]


def test_avg_of_integers_is_a_float_as_on_the_current_reference(auto):
    # issue 16: the seed-era engine truncated (1); 26.10 and every SQL engine give the float
    auto.command("sql", "CREATE DOCUMENT TYPE N")
    auto.command("sql", "INSERT INTO N (v) VALUES (1), (2), (2)")
    assert q(auto, "SELECT avg(v) AS a FROM N") == [{"a": 5 / 3}]
    assert isinstance(q(auto, "SELECT avg(v) AS a FROM N")[0]["a"], float)
    auto.command("sql", "INSERT INTO N SET v = 2.5")
    assert q(auto, "SELECT avg(v) AS a FROM N") == [{"a": 1.875}]


def test_aggregates_over_empty_input(auto):
    auto.command("sql", "CREATE DOCUMENT TYPE N")
    assert q(auto, "SELECT count(*) AS c, sum(v) AS s, avg(v) AS a, min(v) AS m FROM N") == [
        {"c": 0, "s": 0, "a": None, "m": None}]  # fmt: skip
    assert q(auto, "SELECT v, count(*) AS c FROM N GROUP BY v") == []


def test_group_by_computed_in_python(people):
    assert q(
        people,
        "SELECT name.left(1) AS initial, count(*) AS n FROM Person GROUP BY initial "
        "ORDER BY initial",
    ) == [  # fmt: skip
        {"initial": "a", "n": 1},
        {"initial": "b", "n": 1},
        {"initial": "c", "n": 1},
        {"initial": "d", "n": 1},
    ]
    assert q(people, "SELECT count(age) AS known, count(*) AS all FROM Person") == [
        {"known": 3, "all": 4}
    ]
    assert q(people, "SELECT count(DISTINCT city) AS n FROM Person") == [{"n": 2}]
    assert q(people, "SELECT list(name) AS l, set(city) AS s FROM Person WHERE age > 0") == [
        {"l": ["ann", "bob", "dan"], "s": ["Rome", "Oslo"]}]  # fmt: skip
    assert q(people, "SELECT city, count(*) AS n FROM Person GROUP BY city ORDER BY count(*) DESC, city LIMIT 1") == [
        {"city": "Oslo", "n": 2}]  # fmt: skip


# --- targets ------------------------------------------------------------------------------------


def test_polymorphism(people):
    assert sorted(names(people.query("sql", "SELECT FROM Person"))) == ["ann", "bob", "cid", "dan"]
    assert names(people.query("sql", "SELECT FROM Employee")) == ["dan"]
    assert q(people, "SELECT count(*) AS c FROM Person WHERE city = 'Oslo'") == [{"c": 2}]


def test_rid_and_rid_list_targets(people):
    ann = people.query("sql", "SELECT FROM Person WHERE name = 'ann'").one().get_rid()
    dan = people.query("sql", "SELECT FROM Employee").one().get_rid()
    assert names(people.query("sql", f"SELECT FROM {ann}")) == ["ann"]
    assert names(people.query("sql", f"SELECT FROM [{dan}, {ann}]")) == ["dan", "ann"]
    assert names(people.query("sql", f"SELECT FROM [{dan}, {ann}] WHERE age > 40")) == ["dan"]
    assert names(people.query("sql", "SELECT FROM ?", ann)) == ["ann"]
    assert names(people.query("sql", "SELECT FROM #99:1")) == []


def test_subquery_target_and_in_subquery(people):
    assert q(people, "SELECT FROM (SELECT name, age FROM Person WHERE age > 10) WHERE age < 40 ORDER BY age") == [
        {"name": "bob", "age": 20}, {"name": "ann", "age": 30}]  # fmt: skip
    assert sorted(names(people.query(
        "sql", "SELECT FROM Person WHERE city IN (SELECT city FROM Person WHERE age > 40)"))) == ["bob", "dan"]  # fmt: skip
    assert names(people.query(
        "sql", "SELECT FROM Person WHERE @rid IN (SELECT FROM Employee)")) == ["dan"]  # fmt: skip


def test_unknown_type_is_named(people):
    with pytest.raises(SchemaError, match="Nope"):
        people.query("sql", "SELECT FROM Nope")


# --- LET -------------------------------------------------------------------------------------------


def test_let_subquery_and_expression(people):
    result = q(people, "SELECT name, $n AS n, $total[0].c AS total FROM Person "
                       "LET $n = name.toUpperCase(), $total = (SELECT count(*) AS c FROM Person) "
                       "WHERE $n <> 'CID' ORDER BY name")  # fmt: skip
    assert result == [{"name": "ann", "n": "ANN", "total": 4}, {"name": "bob", "n": "BOB", "total": 4},
                      {"name": "dan", "n": "DAN", "total": 4}]  # fmt: skip


def test_let_correlated_subquery_with_parent(people):
    result = q(people, "SELECT name, $same.size() AS same FROM Person LET $same = "
                       "(SELECT FROM Person WHERE city = $parent.$current.city) ORDER BY name")  # fmt: skip
    assert result == [{"name": "ann", "same": 2}, {"name": "bob", "same": 2}, {"name": "cid", "same": 2},
                      {"name": "dan", "same": 2}]  # fmt: skip


# --- paths, methods, functions ------------------------------------------------------------------


def test_dot_paths_into_embedded_maps(people):
    assert q(people, "SELECT address.city AS c, address.zip FROM Person WHERE name = 'ann'") == [
        {"c": "Rome", "address.zip": 100}]  # fmt: skip
    assert q(people, "SELECT address['city'] AS c, tags[0] AS t0, tags[-1] AS last FROM Person WHERE name = 'ann'") == [
        {"c": "Rome", "t0": "a", "last": "b"}]  # fmt: skip


def test_record_attributes(people):
    row = people.query("sql", "SELECT @rid, @type, @this FROM Person WHERE name = 'dan'").one()
    assert isinstance(row.get("@rid"), RID) and row.get("@type") == "Employee"
    assert isinstance(row.get("@this"), Document) and row.get("@this").get("name") == "dan"


METHOD_CASES = [
    ("'Hello'.size()", 5),
    ("'Hello'.length()", 5),
    ("'Hello'.toLowerCase()", "hello"),
    ("'Hello'.toUpperCase()", "HELLO"),
    ("'  x '.trim()", "x"),
    ("12.asString()", "12"),
    ("'42'.asInteger()", 42),
    ("'42'.asLong()", 42),
    ("'1.5'.asFloat()", 1.5),
    ("'2024-01-31'.asDate()", dt.date(2024, 1, 31)),
    ("'2024-01-31 10:20:30'.asDateTime()", dt.datetime(2024, 1, 31, 10, 20, 30)),
    ("{'a': 1, 'b': 2}.keys()", ["a", "b"]),
    ("{'a': 1, 'b': 2}.values()", [1, 2]),
    ("'Hello'.subString(1, 3)", "el"),
    ("'Hello'.subString(2)", "llo"),
    ("'Hello'.indexOf('l')", 2),
    ("'Hello'.indexOf('z')", -1),
    ("'Hello'.replace('l', 'L')", "HeLLo"),
    ("'a,b,,c'.split(',')", ["a", "b", "", "c"]),
    ("[1, 2, 3].size()", 3),
    ("null.size()", 0),
    ("ifnull(null, 'x')", "x"),
    ("ifnull(1, 'x')", 1),
    ("coalesce(null, null, 3, 4)", 3),
    ("first([5, 6])", 5),
    ("last([5, 6])", 6),
    ("list(1, 2)", [1, 2]),
    ("set(1, 1, 2)", [1, 2]),
    ("map('a', 1)", {"a": 1}),
    ("date('2024-01-31')", dt.datetime(2024, 1, 31)),
    ("date('31/01/2024', 'dd/MM/yyyy')", dt.datetime(2024, 1, 31)),
    ("uuid().length()", 36),
    ("max(3, 9, 4)", 9),
    ("min(3, 9, 4)", 3),
    ("abs(-2)", 2),
]


@pytest.mark.parametrize("expr,expected", METHOD_CASES)
def test_methods_and_functions(db, expr, expected):
    value = db.query("sql", f"SELECT {expr} AS v").one().get("v")
    assert value == expected and type(value) is type(expected)


def test_sysdate(db):
    value = db.query("sql", "SELECT sysdate() AS now").one().get("now")
    assert isinstance(value, dt.datetime) and abs((dt.datetime.now() - value).total_seconds()) < 5
    assert db.query("sql", "SELECT sysdate('yyyy') AS y").one().get("y") == str(
        dt.date.today().year
    )


def test_unknown_function_and_method_are_named(people):
    with pytest.raises(QueryError, match="nosuchfn"):
        people.query("sql", "SELECT nosuchfn(1) FROM Person")
    with pytest.raises(QueryError, match="nosuchmethod"):
        people.query("sql", "SELECT name.noSuchMethod() FROM Person")


def test_query_refuses_writes(people):
    with pytest.raises(QueryError, match="command"):
        people.query("sql", "INSERT INTO Person SET name = 'x'")
    with pytest.raises(QueryError, match="command"):
        people.query("sql", "CREATE VERTEX TYPE X")
    assert people.count_type("Person") == 4


def test_languages(db):
    assert rows(db.query("cypher", "MATCH (n) RETURN n")) == []
    assert rows(db.query("OpenCypher", "RETURN 1 AS one")) == [{"one": 1}]
    with pytest.raises(arcadedb.ArcadeDBError, match="sql"):
        db.query("gremlin", "g.V()")
    assert rows(db.query("SQL", "SELECT 1 AS one")) == [{"one": 1}]


def test_sqlscript(auto):
    result = auto.command(
        "sqlscript",
        "CREATE DOCUMENT TYPE S; INSERT INTO S SET a = 1; INSERT INTO S SET a = 2;"
        "LET $x = SELECT sum(a) AS t FROM S; RETURN $x",
    )
    assert rows(result) == [{"t": 3}]


# --- pushdown into SQLite -----------------------------------------------------------------------


def _plan(db, text, *args):
    return db.query("sql", "EXPLAIN " + text, *args).one().get("executionPlan")


def test_equality_and_range_on_indexed_property_use_the_index(auto):
    auto.command("sql", "CREATE DOCUMENT TYPE T")
    auto.command("sql", "CREATE PROPERTY T.id INTEGER")
    auto.command("sql", "CREATE INDEX ON T (id) UNIQUE")
    auto.command("sql", "INSERT INTO T (id) VALUES (1), (2), (3)")
    for condition in ("id = ?", "id > ?", "id BETWEEN ? AND 9", "id IN [1, ?]"):
        plan = _plan(auto, f"SELECT FROM T WHERE {condition}", 2)
        assert plan["indexes"] == ["T[id]"], (condition, plan)
        assert any("USING INDEX" in line for line in plan["sqlitePlan"])
    assert (
        "json_extract(body, '$.id') = ?1" in _plan(auto, "SELECT FROM T WHERE id = ?", 2)["sqlite"]
    )
    text = (
        auto.query("sql", "EXPLAIN SELECT FROM T WHERE id = 3").one().get("executionPlanAsString")
    )
    assert "T[id]" in text and "SEARCH" in text


def test_pushdown_decisions_are_visible_in_explain(people):
    steps = _plan(people, "SELECT FROM Person WHERE city = 'Rome' ORDER BY age LIMIT 1")["steps"]
    assert (
        "filter in SQLite" in steps
        and "order in SQLite" in steps
        and "skip/limit in SQLite" in steps
    )
    steps = _plan(people, "SELECT count(*) FROM Person WHERE age > 3")["steps"]
    assert steps[0].startswith("count in SQLite")
    steps = _plan(people, "SELECT city, count(*) FROM Person GROUP BY city")["steps"]
    assert steps[0].startswith("aggregate in SQLite")
    steps = _plan(people, "SELECT FROM Person WHERE name.toUpperCase() = 'X' LIMIT 1")["steps"]
    assert "filter in Python" in steps and "skip/limit in Python" in steps


def test_profile_runs_and_reports(people):
    row = people.query("sql", "PROFILE SELECT FROM Person WHERE age > 1").one()
    assert row.get("executionPlan")["rows"] == 3


# --- SQLite and Python agree ----------------------------------------------------------------------

_VALUES = [None, 0, 1, -2, 2.5, True, False, "", "a", "b%", "B", "ab", "10", [1, "a"], {"k": 1},
           dt.date(2024, 1, 2), dt.datetime(2024, 1, 2, 3, 4), Decimal("1.5"), Decimal("-2"),
           # text that reads as a number, or not quite (text meets numbers as ArcadeDB converts)
           "5", "05", "5.0", " 2.5", "1e1", "٥", "-2", "1.0E7", 5, 1e7, 2.0]  # fmt: skip
_CONSTANTS = ["0", "1", "2.5", "-2", "'a'", "'ab'", "'B'", "'10'", "true", "null", "'2024-01-02'",
              "1.5", "'5'", "'05'", "'5.0'", "'1e1'", "'٥'", "'-2'", "1e7", "2.0"]  # fmt: skip
_CONDITIONS = ["v = {c}", "v <> {c}", "v < {c}", "v <= {c}", "v > {c}", "v >= {c}", "v IS NULL",
               "v IS NOT NULL", "v IN [{c}, 1]", "v NOT IN [{c}]", "v BETWEEN {c} AND 'zz'",
               "v LIKE 'a%'", "v LIKE '?'", "NOT (v = {c})", "v = {c} OR w > 0", "v IS DEFINED",
               "m.k = 1", "m.k > 0", "{c} = v", "{c} < v", "{c} >= v", "v BETWEEN '1' AND {c}",
               "d = {c}", "d < {c}", "d BETWEEN {c} AND 9", "d IN [{c}]", "{c} > d",
               # three-valued: null and missing values make comparisons unknown, also under NOT
               "NOT (v <> {c})", "NOT (v < {c})", "NOT (v >= {c})", "NOT (v IN [{c}, 1])",
               "NOT (v NOT IN [{c}])", "v NOT IN [{c}, null]", "NOT (v BETWEEN {c} AND 'zz')",
               "NOT (v BETWEEN 'a' AND {c})", "NOT (v = {c} OR w > 0)", "NOT (v = {c} AND w > 0)",
               "NOT (v LIKE 'a%')", "NOT (v IS NULL OR v > {c})", "NOT (NOT (v = {c}) OR w = 0)",
               "d <> {c}", "NOT (d = {c})", "d NOT IN [{c}, 1]", "NOT (d BETWEEN {c} AND 9)",
               "NOT ({c} = v)"]  # fmt: skip


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    db = arcadedb.create_database(str(tmp_path_factory.mktemp("mixed") / "db"))
    db.command("sql", "CREATE DOCUMENT TYPE M")
    db.command("sql", "CREATE PROPERTY M.d DECIMAL")  # integer and real values, indexed
    db.command("sql", "CREATE INDEX ON M (d) NOTUNIQUE")
    with db.transaction():
        for i, value in enumerate(_VALUES):
            db.command("sql", "INSERT INTO M SET v = ?, w = ?, m = ?, d = ?", value, i % 3 - 1,
                       {"k": value} if i % 2 else None, Decimal(i - 8) / 4)  # fmt: skip
        db.command("sql", "INSERT INTO M SET w = 5")  # v missing
    yield db
    db.close()


def _rids(db, text, *args):
    return sorted(r.get_rid() for r in db.query("sql", text, *args))


@pytest.mark.parametrize("template", _CONDITIONS)
@pytest.mark.parametrize("constant", _CONSTANTS)
def test_sqlite_pushdown_and_python_evaluation_agree(mixed, template, constant):
    condition = template.format(c=constant)
    pushed = _rids(mixed, f"SELECT FROM M WHERE {condition}")
    # an OR with a condition SQLite cannot take keeps the whole WHERE in Python
    in_python = _rids(mixed, f"SELECT FROM M WHERE ({condition}) OR w.asString() = 'never'")
    assert pushed == in_python, condition
    if "{c}" in template and constant not in ("null", "true"):
        # through a parameter the kind of value is known only when the statement runs
        value = mixed.query("sql", f"SELECT {constant} AS x").one().get("x")
        text = f"SELECT FROM M WHERE {template.format(c='?')}"
        assert _rids(mixed, text, *[value] * template.count("{c}")) == pushed, (condition, value)


@pytest.mark.parametrize(
    "items", [[], [1], [1, None], [None], ["a", 5], ["10", "x", "5.0"], ["1e1", None]]
)
@pytest.mark.parametrize("template", ["v IN ?", "v NOT IN ?", "NOT (v IN ?)", "d NOT IN ?"])
def test_sqlite_and_python_agree_on_in_with_a_list_parameter(mixed, template, items):
    pushed = _rids(mixed, f"SELECT FROM M WHERE {template}", items)
    in_python = _rids(mixed, f"SELECT FROM M WHERE ({template}) OR w.asString() = 'never'", items)
    assert pushed == in_python, (template, items)


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
def test_sqlite_and_python_order_agree(mixed, direction):
    pushed = [
        r.get_rid() for r in mixed.query("sql", f"SELECT FROM M ORDER BY v {direction}, @rid")
    ]
    # DISTINCT keeps the rows but moves the ordering to Python
    in_python = [
        r.get_rid()
        for r in mixed.query("sql", f"SELECT DISTINCT * FROM M ORDER BY v {direction}, @rid")
    ]
    assert (
        _plan(mixed, f"SELECT FROM M ORDER BY v {direction}")["steps"].count("order in SQLite") == 1
    )
    assert pushed == in_python


def test_cached_plans_run_subqueries_on_the_calling_threads_session(auto):
    import threading

    auto.command("sql", "CREATE DOCUMENT TYPE D")
    auto.command("sql", "INSERT INTO D SET a = 1")
    text = "SELECT count(*) AS c FROM D WHERE a IN (SELECT a FROM D)"
    assert auto.query("sql", text).one().get("c") == 1  # the plan is cached now
    seen = []

    def worker():
        with auto.transaction():
            auto.command("sql", "INSERT INTO D SET a = 2")
            seen.append(auto.query("sql", text).one().get("c"))  # reads its own write

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [2]


@pytest.mark.parametrize("declared", [False, True])
def test_negated_comparisons_use_sqlites_own_comparison(auto, declared):
    # NOT of SQLite's comparison is already unknown where the field is null: no CASE (which
    # reads the field twice) is needed, and the rows are those of the reference
    auto.command("sql", "CREATE DOCUMENT TYPE T")
    if declared:
        auto.command("sql", "CREATE PROPERTY T.i INTEGER")
    auto.command("sql", "INSERT INTO T (k, i) VALUES (1, 4), (2, 5), (3, null), (4, 6)")
    auto.command("sql", "INSERT INTO T SET k = 5")
    for condition, expected in [("i <> 5", [1, 4]), ("i <> ?", [1, 4]), ("NOT (i = 5)", [1, 4]),
                                ("NOT (i > 5)", [1, 2]), ("NOT (i BETWEEN 5 AND 9)", [1])]:  # fmt: skip
        text = f"SELECT k FROM T WHERE {condition} ORDER BY k"
        assert [r.get("k") for r in auto.query("sql", text, 5)] == expected, condition
        sql = _plan(auto, text, 5)["sqlite"]
        assert "CASE" not in sql, (condition, sql)

    # SQLite binds a NaN as NULL, where its comparison would be unknown: the CASE form stays
    nan = float("nan")
    sql = _plan(auto, "SELECT k FROM T WHERE i <> ?", nan)["sqlite"]
    assert "CASE" in sql
    assert [r.get("k") for r in auto.query("sql", "SELECT k FROM T WHERE i <> ?", nan)] == [1, 2, 4]
    assert [
        r.get("k")
        for r in auto.query("sql", "SELECT k FROM T WHERE i <> ? OR k.asString() = 'x'", nan)
    ] == [1, 2, 4]
