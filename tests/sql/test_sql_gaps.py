"""SQL gaps closed against the reference engine (arcadedb-embedded 26.10.2, run side by side).

Every expected result below is what the reference returned for the same statements on the same
data; where arcadelite deliberately differs, the comment says what the reference does and why.
"""

from __future__ import annotations

import pytest

from arcadelite.exceptions import ParseError
from arcadelite.sql import ast as a
from arcadelite.sql import parse

from .conftest import rows


def values(db, text, *args, key="x"):
    return [row.get(key) for row in db.query("sql", text, *args)]


# --- "-- " comments -------------------------------------------------------------------------------
# Reference: "--" followed by a space starts a comment that runs to the end of the line (LF or
# CRLF), anywhere whitespace may go, also before the statement. "--" followed by anything else
# is not a comment ("SELECT 1 AS x --comment", "... --\n", a trailing "--" are syntax errors),
# and a comment marker inside a string is text.


def test_dash_dash_space_comments_run_to_the_end_of_the_line(auto):
    auto.command("sql", "CREATE DOCUMENT TYPE C")
    auto.command("sql", "INSERT INTO C SET name = 'a' -- the first\n")
    auto.command("sql", "INSERT INTO C SET name = 'b'")
    assert rows(auto.query("sql", "SELECT 5 -- 3")) == [{"5": 5}]
    assert rows(auto.query("sql", "SELECT 5-- 3\n+ 1 AS x")) == [{"x": 6}]
    assert rows(auto.query("sql", "-- hi\nSELECT 1 AS x -- a\r\n, 2 AS y")) == [{"x": 1, "y": 2}]
    assert values(auto, "SELECT name AS x FROM C -- x\nWHERE name = 'a' -- trailing\n") == ["a"]
    # a block comment opened inside a line comment is part of that comment, and the reverse
    assert rows(auto.query("sql", "SELECT 7 AS x -- a /* b\n, 2 AS y -- */")) == [{"x": 7, "y": 2}]
    assert rows(auto.query("sql", "SELECT 7 /* a -- b */ AS x")) == [{"x": 7}]
    assert values(auto, "SELECT 'a -- b' AS x") == ["a -- b"]
    script = auto.command("sqlscript", "-- setup\nINSERT INTO C SET name = 'c'; -- done\n")
    assert script is not None and auto.count_type("C") == 3


def test_two_dashes_without_a_space_are_not_a_comment():
    # Reference: "SELECT 5--3" is a syntax error there ("--" is one token). arcadelite reads it
    # as 5 - (-3), so arithmetic written without spaces keeps working.
    assert parse("SELECT 5--3 AS x").projections[0].expr == a.BinaryOp(
        "-", a.Literal(5), a.Literal(-3)
    )
    for text in ("SELECT 1 AS x --", "SELECT 1 AS x --comment", "SELECT 1 --\n AS x"):
        with pytest.raises(ParseError):
            parse(text)
    # the comment ends the line: a statement continued after it still parses
    statement = parse("SELECT a -- c\n FROM T")
    assert statement.projections[0].expr == a.Identifier("a")
    assert statement.target == a.TypeTarget("T")


# --- HAVING -------------------------------------------------------------------------------------
# Reference: no HAVING at all ("mismatched input 'HAVING'"), after SELECT ... GROUP BY and after
# MATCH ... RETURN ... GROUP BY alike; a grouped result is filtered in an outer query.


@pytest.mark.parametrize(
    "text",
    [
        "SELECT g, count(*) AS c FROM D GROUP BY g HAVING count(*) > 1",
        "SELECT count(*) AS c FROM D HAVING c > 1",
        "MATCH {type: D, as: d} RETURN d.g AS g, count(*) AS c GROUP BY g HAVING c > 1",
    ],
)
def test_having_is_a_parse_error_that_says_it_is_not_supported(text):
    with pytest.raises(ParseError, match="HAVING is not supported") as caught:
        parse(text)
    assert caught.value.column == text.index("HAVING") + 1


def test_the_outer_query_the_having_error_suggests_works(auto):
    auto.command("sql", "CREATE DOCUMENT TYPE D")
    auto.command("sql", "INSERT INTO D (g) VALUES ('x'), ('x'), ('y')")
    text = "SELECT FROM (SELECT g, count(*) AS c FROM D GROUP BY g) WHERE c > 1"
    assert rows(auto.query("sql", text)) == [{"g": "x", "c": 2}]
    assert values(auto, "SELECT having AS x FROM D LIMIT 1") == [None]  # still a field name
    with pytest.raises(ParseError, match="HAVING is not supported"):
        auto.query("sql", "SELECT g FROM D GROUP BY g HAVING g = 'x'")
