"""Fuzzing the SQL front end: whatever the text, only ParseError escapes parse()."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark import Token, Tree

from arcadelite.exceptions import ParseError
from arcadelite.sql import ast as a
from arcadelite.sql import parse, parse_script

VALID = [
    "SELECT FROM Person",
    "SELECT * FROM Person WHERE name = 'Jay' AND age >= 18",
    "SELECT DISTINCT name, count(*) AS c FROM Person GROUP BY name ORDER BY c DESC LIMIT 10",
    "SELECT name.toLowerCase(), out('Knows').name FROM V WHERE @rid = #12:3",
    "SELECT FROM V WHERE a BETWEEN 1 AND 5 OR NOT (b IS NULL) AND c IN [1, 2, ?]",
    "SELECT FROM V LET $a = (SELECT FROM W), $b = address.city WHERE $b.name LIKE 'R%'",
    "SELECT expand(out('E')[age > 3]) FROM #1:2 SKIP :s LIMIT :l",
    'SELECT 1 + 2 * -3, \'a\' || "b", {"k": [1, 2.5, null]}',
    "SELECT FROM schema:types",
    "SELECT FROM [#1:2, #1:3] UNWIND tags TIMEOUT 100",
    "SELECT shortestPath(#1:2, #1:3, 'BOTH', 'E') AS p",
    "SELECT FROM V WHERE tags CONTAINS (name = 'x') AND m CONTAINSKEY 'k'",
    "SELECT FROM V WHERE list[0] = 1 AND map['k'] IS NOT DEFINED",
    "SELECT $parent.$current, $depth FROM (TRAVERSE out() FROM V MAXDEPTH 2)",
    "INSERT INTO Person SET name = 'Jay', address.city = 'Rome' RETURN @rid",
    "INSERT INTO Person (name, age) VALUES ('a', 1), ('b', 2)",
    'INSERT INTO Person CONTENT [{"name": "a"}, {"name": "b", "tags": ["x"]}]',
    "INSERT INTO Person FROM SELECT FROM Other WHERE x > 0",
    "CREATE VERTEX Person SET name = ?",
    'CREATE VERTEX Person CONTENT {"name": "x"}',
    "CREATE EDGE Knows FROM #1:2 TO #1:3 IF NOT EXISTS SET since = 2020",
    "CREATE EDGE Knows FROM (SELECT FROM P WHERE a = 1) TO [#1:2] RETRY 3 WAIT 10",
    "UPDATE Person SET age = age + 1, n += 1 REMOVE tmp WHERE name = :n LIMIT 5",
    "UPDATE #1:2 INCREMENT c = 1 PUT m = 'k', 'v' UPSERT RETURN AFTER @this WHERE x = 1",
    'UPDATE Person MERGE {"a": 1} RETURN BEFORE',
    "DELETE FROM Person WHERE age < 18 LIMIT 10 UNSAFE",
    "DELETE VERTEX FROM (SELECT FROM V WHERE a = 1)",
    "DELETE EDGE Knows FROM #1:2 TO #1:3 WHERE since < 2000",
    "DELETE EDGE #22:38482",
    "CREATE VERTEX TYPE Person IF NOT EXISTS EXTENDS V BUCKETS 4",
    "CREATE DOCUMENT TYPE Doc",
    "ALTER TYPE Employee SUPERTYPE +Person",
    "ALTER TYPE Account CUSTOM description = 'All users'",
    "DROP TYPE Person IF EXISTS UNSAFE",
    "TRUNCATE TYPE Person POLYMORPHIC UNSAFE",
    "CREATE PROPERTY User.name STRING (mandatory true, notnull true, max 20) IF NOT EXISTS",
    "CREATE PROPERTY User.tags LIST OF STRING",
    "ALTER PROPERTY User.name MANDATORY false",
    "DROP PROPERTY User.name IF EXISTS FORCE",
    "CREATE INDEX IF NOT EXISTS ON User (name, age) UNIQUE NULL_STRATEGY SKIP",
    "CREATE INDEX `User[email]` ON User (email) NOTUNIQUE",
    "DROP INDEX `User[id]` IF EXISTS",
    "REBUILD INDEX *",
    "MATCH {type: Person, as: p, where: (name = 'x')}.out('Knows'){as: f, maxDepth: 3} RETURN p, f",
    "MATCH {as: a}-Knows->{as: b}<-Likes-{as: c}, NOT {as: a}--{as: c} RETURN DISTINCT a.name AS n",
    "TRAVERSE out('Friend'), * FROM #10:1234 MAXDEPTH 3 WHILE $depth < 3 STRATEGY BREADTH_FIRST",
    "EXPLAIN SELECT FROM V WHERE a = 1",
    "PROFILE UPDATE V SET a = 1",
    "BEGIN",
    "COMMIT RETRY 3",
    "ROLLBACK",
    "IMPORT DATABASE file://path/to/x.jsonl.gz",
]

SCRIPT = (
    "BEGIN; LET $v = CREATE VERTEX V SET a = ?; CREATE EDGE E FROM $v TO #1:0; COMMIT; RETURN $v"
)

SQL_CHARS = "()[]{}'\"`,.;:?#@$-+*/%<>=!|&^~\\ \n\t_0123456789abcdefxyzSELCTFROMWHEx§é\x00"
TOKEN_POOL = [
    *"SELECT FROM WHERE AND OR NOT IN IS NULL BETWEEN LIKE INSERT INTO SET VALUES CONTENT "
    "UPDATE DELETE VERTEX EDGE CREATE TYPE PROPERTY INDEX MATCH RETURN TRAVERSE LET ORDER BY "
    "GROUP LIMIT SKIP DISTINCT AS TO IF EXISTS UPSERT DROP ALTER count out in set map".split(),
    *"( ) [ ] { } , . ; : ? = <> < >= + - * / % || -> <- -- --> # @rid $a :p 'x' \"y\" 1 2.5 #1:2".split(),
]

_TOKENIZE = re.compile(r"\s+|\w+|'[^']*'|\"[^\"]*\"|.", re.S)


def check(text: str, parser=parse) -> None:
    """parse(text) returns AST or raises ParseError; nothing else."""
    try:
        result = parser(text)
    except ParseError as error:
        assert isinstance(str(error), str)
        assert error.line is None or (isinstance(error.line, int) and error.line >= 1)
        assert error.column is None or (isinstance(error.column, int) and error.column >= 1)
        return
    statements = result if isinstance(result, list) else [result]
    for statement in statements:
        assert isinstance(statement, a.Statement)
        assert_clean(statement)


def assert_clean(root: object) -> None:
    """The AST holds only nodes, tuples and plain values: no Lark trees or tokens leak out."""
    stack = [root]
    while stack:
        value = stack.pop()
        assert not isinstance(value, (Tree, Token)), value
        if isinstance(value, tuple):
            stack.extend(value)
        elif isinstance(value, a.Node):
            stack.extend(getattr(value, name) for name in value.__slots__)
        else:
            assert value is None or type(value) in (str, int, float, bool), repr(value)


def test_every_corpus_statement_parses_into_clean_ast():
    for text in VALID:
        statement = parse(text)
        assert isinstance(statement, a.Statement), text
        assert_clean(statement)
    assert all(isinstance(s, a.Statement) for s in parse_script(SCRIPT))


FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)


@FUZZ
@given(st.text(max_size=120))
def test_random_text_raises_only_parse_error(text):
    check(text)


@FUZZ
@given(st.text(alphabet=SQL_CHARS, max_size=80))
def test_random_sql_characters_raise_only_parse_error(text):
    check(text)


@st.composite
def char_mutants(draw) -> str:
    """A corpus statement with a few characters inserted, deleted or swapped."""
    text = draw(st.sampled_from(VALID))
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        i = draw(st.integers(0, len(text) - 1))
        action = draw(st.sampled_from(["insert", "delete", "swap", "replace"]))
        if action == "insert":
            text = text[:i] + draw(st.sampled_from(SQL_CHARS)) + text[i:]
        elif action == "delete":
            text = text[:i] + text[i + 1 :]
        elif action == "swap":
            j = draw(st.integers(0, len(text) - 1))
            chars = list(text)
            chars[i], chars[j] = chars[j], chars[i]
            text = "".join(chars)
        else:
            text = text[:i] + draw(st.sampled_from(SQL_CHARS)) + text[i + 1 :]
    return text


@st.composite
def token_mutants(draw) -> str:
    """A corpus statement with whole tokens inserted, deleted, duplicated or swapped."""
    tokens = _TOKENIZE.findall(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 3))):
        if not tokens:
            break
        i = draw(st.integers(0, len(tokens) - 1))
        action = draw(st.sampled_from(["insert", "delete", "duplicate", "swap", "replace"]))
        if action == "insert":
            tokens.insert(i, " " + draw(st.sampled_from(TOKEN_POOL)) + " ")
        elif action == "delete":
            del tokens[i]
        elif action == "duplicate":
            tokens.insert(i, tokens[i])
        elif action == "swap":
            j = draw(st.integers(0, len(tokens) - 1))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        else:
            tokens[i] = draw(st.sampled_from(TOKEN_POOL))
    return "".join(tokens)


@FUZZ
@given(char_mutants())
def test_character_mutations_raise_only_parse_error(text):
    check(text)


@FUZZ
@given(token_mutants())
def test_token_mutations_raise_only_parse_error(text):
    check(text)


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(VALID), token_mutants()), max_size=4))
def test_scripts_of_mutants_raise_only_parse_error(statements):
    check(";\n".join(statements), parse_script)
