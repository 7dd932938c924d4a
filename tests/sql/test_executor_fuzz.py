"""Fuzzing: whatever text or parameters a statement gets, only ArcadeDBError escapes.

Random text and mutations of valid statements (tokens dropped, swapped, duplicated or replaced)
run against a small graph database inside a transaction that is rolled back after each example.
An error that reaches ``run``'s last-resort net ("Internal error ...") is a bug, so it fails too.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import arcadelite as arcadedb

SEEDS = [
    "SELECT FROM P WHERE age > 3 ORDER BY name DESC LIMIT 2",
    "SELECT name, age * 2 AS twice FROM P WHERE name LIKE 'a%' OR age IN [1, 2]",
    "SELECT city, count(*) AS n, avg(age), max(name) FROM P GROUP BY city ORDER BY n",
    "SELECT expand(out('K')[age > 1]) FROM P",
    "SELECT name, $x FROM P LET $x = (SELECT count(*) FROM P WHERE age > $parent.$current.age)",
    "SELECT DISTINCT tags FROM P UNWIND tags SKIP 1",
    "SELECT address.city, tags[0], name.toUpperCase().subString(1, 2) FROM P",
    "SELECT FROM (SELECT name FROM P) WHERE name IS NOT NULL",
    "SELECT @rid, @type, @this FROM [#1:1, #1:2]",
    "SELECT 1 + 2 * 3 AS x, 'a' + 1, [1, 2][0], {'k': 1}.k",
    "SELECT FROM schema:types",
    "SELECT shortestPath(#1:1, #1:3) AS p, dijkstra(#1:1, #1:3, 'w')",
    "INSERT INTO P SET name = 'z', age = 5, tags = ['x']",
    "INSERT INTO P (name, age) VALUES ('y', 1), ('w', 2)",
    "INSERT INTO P CONTENT {'name': 'q', 'address': {'city': 'Rome'}}",
    "CREATE VERTEX P SET name = 'v'",
    "CREATE EDGE K FROM #1:1 TO #1:2 SET w = 3",
    "UPDATE P SET age = age + 1 WHERE name = 'a'",
    "UPDATE P ADD tags = 'n' PUT m = 'k', 2 REMOVE city RETURN AFTER WHERE age < 10",
    "UPDATE P SET z = 1 UPSERT WHERE name = 'new'",
    "DELETE FROM P WHERE age > 100",
    "DELETE VERTEX P WHERE name = 'c'",
    "DELETE EDGE K WHERE w > 1",
    "CREATE DOCUMENT TYPE X IF NOT EXISTS",
    "CREATE PROPERTY P.age INTEGER (min 0, max 99)",
    "CREATE INDEX ON P (name) NOTUNIQUE",
    "ALTER TYPE P NAME Q",
    "DROP TYPE K UNSAFE",
    "TRUNCATE TYPE P UNSAFE",
    "MATCH {type: P, as: a}.out('K'){as: b, where: (age > 1)} RETURN a.name, b.name",
    "MATCH {type: P, as: a}-K->{as: b}, NOT {as: b}-K->{as: a} RETURN $patterns",
    "TRAVERSE out('K') FROM #1:1 MAXDEPTH 2 STRATEGY BREADTH_FIRST",
    "EXPLAIN SELECT FROM P WHERE name = ?",
    "PROFILE SELECT count(*) FROM P WHERE age BETWEEN ? AND ?",
    "SELECT FROM P WHERE name = :name AND age > ?",
    "SELECT FROM P WHERE tags CONTAINS (@this = 'x') AND address CONTAINSKEY 'city'",
    "SELECT sum(age), min(born), list(name), set(city), map(name, age) FROM P",
    "SELECT date('2024-01-01', 'yyyy-MM-dd'), sysdate('yyyy'), ifnull(x, 1), coalesce(null, 2)",
    "BEGIN",
    "COMMIT",
]
TOKEN = re.compile(r"\s+|[A-Za-z_@$:][A-Za-z0-9_]*|#\d+:\d+|'[^']*'|\d+(?:\.\d+)?|\S")
VOCABULARY = [
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "(", ")", "[", "]", "{", "}", ",",
    ".", "*", "/", "%", "-", "+", "=", "<>", ">", "?", ":p", "$x", "@rid", "null", "true", "0",
    "-1", "1e308", "99999999999999999999", "'s'", "#1:1", "#99:99", "out()", "expand(", "count(*)",
    "LIMIT", "SKIP", "ORDER BY", "GROUP BY", "UNWIND", "LET", "P", "K", "name", "age", "tags",
    "address.city", "SET", "VALUES", "CONTENT", "RETURN", "UPSERT", "EDGE", "VERTEX", "TYPE",
    ";", "''", "\\", "MATCH", "{as: a}", "-K->", "TRAVERSE", "DISTINCT", "BETWEEN", "IS", "NULL",
]  # fmt: skip
LITERALS = [
    "-1", "0", "2.5", "-0.0", "1e308", "9223372036854775807", "99999999999999999999999", "'x'",
    "''", "'%'", "null", "true", "[]", "{}", "#99:9", "#1:1", "[1, 'a', null]", "{'a': null}",
    "[#1:1, #1:2]", "?", ":name", "$x", "(SELECT FROM P)", "date('2020-01-01')",
]  # fmt: skip
NAMES = ["name", "age", "tags", "address", "address.city", "born", "@rid", "@type", "@this",
         "@out", "out('K')", "$current", "$parent", "w", "nope", "price", "tags[0]"]  # fmt: skip
LITERAL = re.compile(r"^(?:-?\d+(?:\.\d+)?|'[^']*'|#\d+:\d+|null|true|false)$", re.I)
IDENT = re.compile(r"^[a-z_@][A-Za-z0-9_]*$")


@st.composite
def reworded(draw) -> str:
    """A valid statement with literals and field names swapped: it parses, then must run."""
    parts = tokens(draw(st.sampled_from(SEEDS)))
    for i, part in enumerate(parts):
        if LITERAL.match(part) and draw(st.booleans()):
            parts[i] = draw(st.sampled_from(LITERALS))
        elif IDENT.match(part) and part.lower() not in KEYWORDS and draw(st.integers(0, 3)) == 0:
            parts[i] = draw(st.sampled_from(NAMES))
    return "".join(parts)


KEYWORDS = {w.lower() for w in VOCABULARY if w.isalpha()} | {
    "as", "asc", "desc", "by", "into", "set", "to", "if", "exists", "on", "unique", "notunique",
    "maxdepth", "strategy", "breadth_first", "upsert", "after", "before", "type", "property",
    "index", "integer", "unsafe", "add", "put", "remove", "increment", "create", "update",
    "delete", "insert", "alter", "drop", "truncate", "begin", "commit", "explain", "profile",
    "document", "edge", "vertex", "while", "where", "select", "from", "match", "return", "let",
}  # fmt: skip
PARAMS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
    st.text(max_size=5), st.binary(max_size=4), st.dates(), st.datetimes(),
    st.decimals(allow_nan=False, places=3), st.just("#1:1"), st.just(["a", 1]),
    st.just({"k": [1, {"x": None}]}),
)  # fmt: skip


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


@st.composite
def mutated(draw) -> str:
    parts = tokens(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        if not parts:
            break
        i = draw(st.integers(0, len(parts) - 1))
        action = draw(st.sampled_from(["drop", "dup", "replace", "insert", "swap"]))
        if action == "drop":
            del parts[i]
        elif action == "dup":
            parts.insert(i, parts[i])
        elif action == "replace":
            parts[i] = " " + draw(st.sampled_from(VOCABULARY)) + " "
        elif action == "insert":
            parts.insert(i, " " + draw(st.sampled_from(VOCABULARY)) + " ")
        else:
            j = draw(st.integers(0, len(parts) - 1))
            parts[i], parts[j] = parts[j], parts[i]
    return "".join(parts)


STATEMENTS = st.one_of(
    mutated(),
    reworded(),
    reworded(),
    st.sampled_from(SEEDS),
    st.text(
        alphabet=st.sampled_from(
            list("SELCTFROMWHERINSUPDA ()[]{},.'\"*?:=<>!#0123456789@$abc\\-+%;")
        ),
        max_size=60,
    ),  # fmt: skip
)


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory):
    db = arcadedb.create_database(str(tmp_path_factory.mktemp("fuzz") / "db"))
    db.command("sql", "CREATE VERTEX TYPE P")
    db.command("sql", "CREATE EDGE TYPE K")
    db.command("sql", "CREATE PROPERTY P.born DATE")
    with db.transaction():
        db.command("sql", "INSERT INTO P CONTENT [{'name': 'a', 'age': 1, 'tags': ['x', 'y'], "
                          "'address': {'city': 'Rome'}}, {'name': 'b', 'age': 2, 'born': '2000-01-01'}, "
                          "{'name': 'c', 'age': null, 'city': 'Oslo', 'price': 1.5}]")  # fmt: skip
        db.command("sql", "CREATE EDGE K FROM #1:1 TO #1:2 SET w = 2")
        db.command("sql", "CREATE EDGE K FROM #1:2 TO #1:3 SET w = 1")
    yield db
    db.close()


def run_one(db, text: str, params: list, named: dict) -> None:
    db.begin()
    try:
        for row in db.command("sql", text, *params, **named):
            row.to_dict()
    except arcadedb.ArcadeDBError as exc:
        assert "Internal error" not in str(exc), f"{text!r} {params!r}: {exc}"
    finally:
        while db.is_transaction_active():
            db.rollback()


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=STATEMENTS, params=st.lists(PARAMS, max_size=3), named=PARAMS)
def test_only_arcadedb_errors_escape(fuzz_db, text, params, named):
    run_one(fuzz_db, text, params, {"name": named, "p": named})


@pytest.mark.parametrize("value", [
    float("inf"), float("nan"), 2**80, Decimal("1e400"), dt.datetime.max, b"\xff", object(),
])  # fmt: skip
def test_odd_parameter_values(fuzz_db, value):
    for text in ("SELECT FROM P WHERE age > ?", "INSERT INTO P SET x = ?", "SELECT ? + 1 AS v",
                 "SELECT FROM P WHERE name IN ?", "SELECT FROM P LIMIT ?", "SELECT FROM ?"):  # fmt: skip
        run_one(fuzz_db, text, [value], {})
