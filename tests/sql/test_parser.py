"""The SQL front end: each construct of ArcadeDB's dialect parses into the expected AST."""

from __future__ import annotations

import copy
import logging
import pickle
from concurrent.futures import ThreadPoolExecutor

import pytest
from lark import Lark

from arcadelite.exceptions import ParseError
from arcadelite.sql import ast as a
from arcadelite.sql import clear_cache, parse, parse_script
from arcadelite.sql.parser import GRAMMAR_PATH, MAX_NESTING

I = a.Identifier  # noqa: E741
L = a.Literal
P = a.Param


def where(condition: str) -> a.Expr:
    """The WHERE condition of ``SELECT FROM T WHERE <condition>``."""
    statement = parse(f"SELECT FROM T WHERE {condition}")
    assert isinstance(statement, a.Select)
    assert statement.where is not None
    return statement.where


def expr(text: str) -> a.Expr:
    """The single projection of ``SELECT <text>``."""
    statement = parse(f"SELECT {text}")
    assert isinstance(statement, a.Select)
    assert len(statement.projections) == 1
    return statement.projections[0].expr


def call(name: str, *args: a.Expr) -> a.FunctionCall:
    return a.FunctionCall(name, args)


def proj(e: a.Expr, text: str, alias: str | None = None) -> a.Projection:
    return a.Projection(e, alias, text)


def syntax_error(text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse(text)
    return info.value


# ============================================================================== SELECT


def test_select_without_projections_reads_whole_records():
    assert parse("SELECT FROM Person") == a.Select(target=a.TypeTarget("Person"))


def test_select_star_is_a_star_projection():
    assert parse("SELECT * FROM Person") == a.Select(
        projections=(a.Projection(a.Star(), None, "*"),), target=a.TypeTarget("Person")
    )


def test_projection_keeps_alias_and_source_text():
    statement = parse("SELECT name.toUpperCase() AS upper, count(*), (a + b) * 2 FROM V")
    assert statement.projections == (
        proj(a.MethodCall(I("name"), "touppercase"), "name.toUpperCase()", "upper"),
        proj(a.FunctionCall("count", star=True), "count(*)"),
        proj(a.BinaryOp("*", a.BinaryOp("+", I("a"), I("b")), L(2)), "(a + b) * 2"),
    )


def test_projection_text_at_end_of_input_and_in_subqueries():
    statement = parse("SELECT 1 + 1, (SELECT max(x) FROM T) AS m")
    assert [p.text for p in statement.projections] == ["1 + 1", "(SELECT max(x) FROM T)"]
    inner = statement.projections[1].expr
    assert inner == a.Subquery(
        a.Select(projections=(proj(call("max", I("x")), "max(x)"),), target=a.TypeTarget("T"))
    )


def test_select_distinct():
    assert parse("SELECT DISTINCT name FROM V") == a.Select(
        projections=(proj(I("name"), "name"),), target=a.TypeTarget("V"), distinct=True
    )


def test_select_expression_without_from():
    assert parse("SELECT 1 + 2 AS three") == a.Select(
        projections=(proj(a.BinaryOp("+", L(1), L(2)), "1 + 2", "three"),)
    )


def test_select_with_every_clause():
    statement = parse(
        "SELECT name, count(*) AS c FROM Person LET $city = address.city "
        "WHERE $city.name = 'Rome' GROUP BY name ORDER BY c DESC, name ASC, age "
        "UNWIND name SKIP 5 LIMIT 10 TIMEOUT 1000"
    )
    assert statement == a.Select(
        projections=(
            proj(I("name"), "name"),
            proj(a.FunctionCall("count", star=True), "count(*)", "c"),
        ),
        target=a.TypeTarget("Person"),
        let=(a.LetItem("city", a.FieldPath(("address", "city"))),),
        where=a.Comparison("=", a.FieldAccess(a.Variable("city"), "name"), L("Rome")),
        group_by=(I("name"),),
        order_by=(
            a.OrderItem(I("c"), descending=True),
            a.OrderItem(I("name")),
            a.OrderItem(I("age")),
        ),
        unwind=("name",),
        skip=L(5),
        limit=L(10),
        timeout=L(1000),
    )


def test_limit_may_precede_skip_and_offset_is_skip():
    assert parse("SELECT FROM V LIMIT 3 SKIP 2") == parse("SELECT FROM V SKIP 2 LIMIT 3")
    assert parse("SELECT FROM V OFFSET 2 LIMIT 3") == parse("SELECT FROM V SKIP 2 LIMIT 3")


def test_skip_and_limit_take_parameters_and_negative_numbers():
    statement = parse("SELECT FROM V SKIP ? LIMIT :n")
    assert (statement.skip, statement.limit) == (P(0), P("n"))
    assert parse("SELECT FROM V LIMIT -1").limit == L(-1)


def test_let_binds_expressions_and_subqueries():
    statement = parse("SELECT FROM V LET $a = 1, b = (SELECT FROM W) WHERE $a > 0")
    assert statement.let == (
        a.LetItem("a", L(1)),
        a.LetItem("b", a.Subquery(a.Select(target=a.TypeTarget("W")))),
    )


@pytest.mark.parametrize(
    ("target_text", "target"),
    [
        ("Person", a.TypeTarget("Person")),
        ("`My Type`", a.TypeTarget("My Type")),
        ("#12:3", a.RidLiteral(12, 3)),
        ("#-1:-1", a.RidLiteral(-1, -1)),
        ("[#1:2, #1:3]", a.ListLiteral((a.RidLiteral(1, 2), a.RidLiteral(1, 3)))),
        ("(SELECT FROM V)", a.Subquery(a.Select(target=a.TypeTarget("V")))),
        ("schema:types", a.SchemaTarget("types")),
        ("SCHEMA:Indexes", a.SchemaTarget("indexes")),
        ("schema:database", a.SchemaTarget("database")),
        ("bucket:person_0", a.BucketTarget("person_0")),
        ("bucket:12", a.BucketTarget(12)),
        ("index:`Person[name]`", a.IndexTarget("Person[name]")),
        ("indexvaluesdesc:idx", a.IndexTarget("idx", values=True, order="DESC")),
        ("?", P(0)),
        (":rids", P("rids")),
        ("$found", a.Variable("found")),
    ],
)
def test_select_targets(target_text, target):
    assert parse(f"SELECT FROM {target_text} WHERE x = 1").target == target


def test_unknown_schema_target_is_an_error():
    error = syntax_error("SELECT FROM schema:tables")
    assert "schema:tables" in str(error)
    assert (error.line, error.column) == (1, 13)


def test_keywords_can_be_field_and_type_names():
    statement = parse("SELECT type, order, value, set, `select` FROM Order WHERE in = 1")
    assert [p.expr for p in statement.projections] == [
        I("type"),
        I("order"),
        I("value"),
        I("set"),
        I("select"),
    ]
    assert statement.target == a.TypeTarget("Order")
    assert statement.where == a.Comparison("=", I("in"), L(1))


def test_keywords_are_case_insensitive():
    upper = (
        "SELECT DISTINCT n FROM v LET $x = 1 WHERE a IS NOT NULL AND b BETWEEN 1 AND 2 "
        "GROUP BY n ORDER BY n DESC SKIP 1 LIMIT 2"
    )
    lower = (
        "select distinct n from v let $x = 1 where a is not null and b between 1 and 2 "
        "group by n order by n desc skip 1 limit 2"
    )
    mixed = (
        "Select Distinct n From v Let $x = 1 Where a Is Not Null And b Between 1 And 2 "
        "Group By n Order By n Desc Skip 1 Limit 2"
    )
    assert parse(upper) == parse(lower) == parse(mixed)
    assert parse("SeLeCt FrOm V wHeRe x = TRUE") == parse("SELECT FROM V WHERE x = true")


def test_keyword_glued_to_a_name_is_not_a_keyword():
    error = syntax_error("SELECT * FROMV")
    assert error.token == "FROMV"


# ============================================================================== literals


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("'single'", "single"),
        ('"double"', "double"),
        (r"'it\'s'", "it's"),
        (r'"say \"hi\""', 'say "hi"'),
        (r"'a\nb\tc\\d\/e'", "a\nb\tc\\d/e"),
        (r"'\u00e9t\u00E9'", "été"),
        (r"'\ud83d\ude00'", "\U0001f600"),
        ("'multi\nline'", "multi\nline"),
        ("''", ""),
        ("42", 42),
        ("0", 0),
        ("3.25", 3.25),
        ("1e3", 1000.0),
        ("2.5E-1", 0.25),
        ("-7", -7),
        ("-1.5", -1.5),
        ("- 7", -7),
        ("+7", 7),
        ("true", True),
        ("FALSE", False),
        ("Null", None),
        ("123456789012345678901234567890", 123456789012345678901234567890),
    ],
)
def test_literals(text, value):
    result = expr(text)
    assert result == L(value)
    assert type(result.value) is type(value)


def test_invalid_unicode_escape_is_an_error():
    error = syntax_error(r"SELECT '\u12G4'")
    assert "unicode escape" in str(error)


def test_list_and_map_literals():
    assert expr("[1, 'a', [true], []]") == a.ListLiteral(
        (L(1), L("a"), a.ListLiteral((L(True),)), a.ListLiteral(()))
    )
    assert expr('{"name": "Jay", age: 3, `odd key`: null, "nested": {"x": [1]}, "e": {}}') == (
        a.MapLiteral(
            (
                ("name", L("Jay")),
                ("age", L(3)),
                ("odd key", L(None)),
                ("nested", a.MapLiteral((("x", a.ListLiteral((L(1),))),))),
                ("e", a.MapLiteral(())),
            )
        )
    )


def test_parenthesised_list_is_a_list():
    assert where("x IN (1, 2, 3)") == a.Comparison("IN", I("x"), a.ListLiteral((L(1), L(2), L(3))))
    assert where("x IN (1)") == a.Comparison("IN", I("x"), L(1))


def test_rid_literal():
    assert expr("#12:0") == a.RidLiteral(12, 0)


# ============================================================================== parameters


def test_positional_parameters_are_numbered_in_text_order():
    statement = parse("SELECT ?, name FROM V WHERE a = ? AND b IN [?, :named, ?] SKIP ? LIMIT ?")
    assert statement.projections[0].expr == P(0)
    assert statement.where == a.And(
        (
            a.Comparison("=", I("a"), P(1)),
            a.Comparison("IN", I("b"), a.ListLiteral((P(2), P("named"), P(3)))),
        )
    )
    assert (statement.skip, statement.limit) == (P(4), P(5))


def test_positional_numbering_restarts_for_each_statement_text():
    assert parse("SELECT FROM V WHERE a = ?").where == a.Comparison("=", I("a"), P(0))
    assert parse("SELECT FROM W WHERE a = ?").where == a.Comparison("=", I("a"), P(0))


def test_named_parameters_keep_their_name():
    assert where("name = :name AND age > :minAge") == a.And(
        (a.Comparison("=", I("name"), P("name")), a.Comparison(">", I("age"), P("minAge")))
    )


def test_positional_parameters_are_numbered_across_a_script():
    statements = parse_script("INSERT INTO T SET a = ?; INSERT INTO T SET a = ?, b = ?")
    assert [s.assignments for s in statements] == [
        (a.Assignment(I("a"), P(0)),),
        (a.Assignment(I("a"), P(1)), a.Assignment(I("b"), P(2))),
    ]


# ============================================================================== operators


@pytest.mark.parametrize(
    ("op_text", "op"),
    [
        ("=", "="),
        ("==", "="),
        ("<>", "<>"),
        ("!=", "<>"),
        ("<", "<"),
        ("<=", "<="),
        (">", ">"),
        (">=", ">="),
        ("LIKE", "LIKE"),
        ("like", "LIKE"),
        ("ILIKE", "ILIKE"),
        ("IN", "IN"),
        ("NOT IN", "NOT IN"),
        ("not in", "NOT IN"),
        ("CONTAINS", "CONTAINS"),
        ("CONTAINSKEY", "CONTAINSKEY"),
        ("CONTAINSVALUE", "CONTAINSVALUE"),
        ("CONTAINSANY", "CONTAINSANY"),
        ("CONTAINSALL", "CONTAINSALL"),
        ("CONTAINSTEXT", "CONTAINSTEXT"),
        ("MATCHES", "MATCHES"),
        ("INSTANCEOF", "INSTANCEOF"),
    ],
)
def test_comparison_operators(op_text, op):
    assert where(f"a {op_text} b") == a.Comparison(op, I("a"), I("b"))


def test_contains_with_a_condition_keeps_the_condition():
    assert where("races CONTAINS (name = 'e')") == a.Comparison(
        "CONTAINS", I("races"), a.Comparison("=", I("name"), L("e"))
    )


def test_instanceof_a_type_name():
    assert where("@this INSTANCEOF 'Person'") == a.Comparison("INSTANCEOF", I("@this"), L("Person"))


def test_between_owns_its_and():
    assert where("age BETWEEN 18 AND 65 AND name = 'x'") == a.And(
        (a.Between(I("age"), L(18), L(65)), a.Comparison("=", I("name"), L("x")))
    )


def test_between_bounds_may_be_expressions():
    assert where("x BETWEEN a + 1 AND b * 2") == a.Between(
        I("x"), a.BinaryOp("+", I("a"), L(1)), a.BinaryOp("*", I("b"), L(2))
    )


def test_is_null_and_is_defined():
    assert where("a IS NULL") == a.IsNull(I("a"))
    assert where("a is not null") == a.IsNotNull(I("a"))
    assert where("a IS DEFINED") == a.IsDefined(I("a"))
    assert where("a IS NOT DEFINED") == a.IsNotDefined(I("a"))


def test_and_binds_tighter_than_or():
    x, y, z = (a.Comparison("=", I(n), L(1)) for n in "xyz")
    assert where("x = 1 OR y = 1 AND z = 1") == a.Or((x, a.And((y, z))))
    assert where("x = 1 AND y = 1 OR z = 1") == a.Or((a.And((x, y)), z))
    assert where("(x = 1 OR y = 1) AND z = 1") == a.And((a.Or((x, y)), z))


def test_and_or_chains_are_flattened():
    x, y, z, w = (a.Comparison("=", I(n), L(1)) for n in "xyzw")
    assert where("x = 1 AND y = 1 AND z = 1 AND w = 1") == a.And((x, y, z, w))
    assert where("x = 1 OR (y = 1 OR z = 1)") == a.Or((x, y, z))


def test_not_binds_looser_than_comparison_and_tighter_than_and():
    assert where("NOT a = 1 AND b = 2") == a.And(
        (
            a.UnaryOp("NOT", a.Comparison("=", I("a"), L(1))),
            a.Comparison("=", I("b"), L(2)),
        )
    )
    assert where("NOT (a = 1 OR b = 2)") == a.UnaryOp(
        "NOT", a.Or((a.Comparison("=", I("a"), L(1)), a.Comparison("=", I("b"), L(2))))
    )
    assert where("NOT NOT a") == a.UnaryOp("NOT", a.UnaryOp("NOT", I("a")))


def test_arithmetic_precedence_and_left_associativity():
    assert expr("1 + 2 * 3") == a.BinaryOp("+", L(1), a.BinaryOp("*", L(2), L(3)))
    assert expr("(1 + 2) * 3") == a.BinaryOp("*", a.BinaryOp("+", L(1), L(2)), L(3))
    assert expr("a - b - c") == a.BinaryOp("-", a.BinaryOp("-", I("a"), I("b")), I("c"))
    assert expr("a / b % c") == a.BinaryOp("%", a.BinaryOp("/", I("a"), I("b")), I("c"))
    assert expr("a - -1") == a.BinaryOp("-", I("a"), L(-1))


def test_arithmetic_binds_tighter_than_comparison():
    assert where("a + 1 > b * 2") == a.Comparison(
        ">", a.BinaryOp("+", I("a"), L(1)), a.BinaryOp("*", I("b"), L(2))
    )


def test_unary_minus_on_an_expression():
    assert expr("-x") == a.UnaryOp("-", I("x"))
    assert expr("-a.b") == a.UnaryOp("-", a.FieldPath(("a", "b")))


def test_string_concatenation():
    assert expr("'a' || name + 'b'") == a.BinaryOp("+", a.BinaryOp("||", L("a"), I("name")), L("b"))


# ============================================================================== navigation


def test_dot_paths_are_field_paths():
    assert expr("address.city.name") == a.FieldPath(("address", "city", "name"))


def test_method_calls():
    assert expr("name.toLowerCase()") == a.MethodCall(I("name"), "tolowercase")
    assert expr("tags.size()") == a.MethodCall(I("tags"), "size")
    assert expr("a.b.subString(0, 3).trim()") == a.MethodCall(
        a.MethodCall(a.FieldPath(("a", "b")), "substring", (L(0), L(3))), "trim"
    )


def test_traversal_chain_with_field():
    assert expr("out('Knows').name") == a.FieldAccess(call("out", L("Knows")), "name")
    assert expr("out('A').in('B')") == a.MethodCall(call("out", L("A")), "in", (L("B"),))


def test_condition_in_brackets_is_a_filter():
    assert expr("out('E')[age > 3]") == a.Filter(
        call("out", L("E")), a.Comparison(">", I("age"), L(3))
    )
    assert expr("addresses[city = 'Rome' AND zip IS NOT NULL]") == a.Filter(
        I("addresses"),
        a.And((a.Comparison("=", I("city"), L("Rome")), a.IsNotNull(I("zip")))),
    )


def test_value_in_brackets_is_a_subscript():
    assert expr("list[0]") == a.Subscript(I("list"), L(0))
    assert expr("map['key']") == a.Subscript(I("map"), L("key"))
    assert expr("a.b[1].c") == a.FieldAccess(a.Subscript(a.FieldPath(("a", "b")), L(1)), "c")


def test_context_variables():
    assert expr("$depth") == a.Variable("depth")
    assert expr("$parent.$current") == a.FieldAccess(a.Variable("parent"), "$current")
    assert expr("$current.name") == a.FieldAccess(a.Variable("current"), "name")


@pytest.mark.parametrize("name", ["rid", "type", "in", "out", "this", "class", "version"])
def test_record_attributes_are_lower_cased_identifiers(name):
    assert expr(f"@{name.upper()}") == I(f"@{name}")


def test_attribute_navigation():
    assert expr("@this.size()") == a.MethodCall(I("@this"), "size")
    assert expr("@rid.asString()") == a.MethodCall(I("@rid"), "asstring")
    assert expr("out('E').@rid") == a.FieldAccess(call("out", L("E")), "@rid")


def test_an_attribute_or_variable_after_a_field_is_not_part_of_its_path():
    # FieldPath holds plain field names only: `p.@rid` reads the record p's RID
    assert expr("p.@RID") == a.FieldAccess(I("p"), "@rid")
    assert expr("a.b.@type") == a.FieldAccess(a.FieldPath(("a", "b")), "@type")
    assert expr("a.$x") == a.FieldAccess(I("a"), "$x")
    assert expr("a.`@b`") == a.FieldPath(("a", "@b"))


def test_backquoted_names():
    assert expr("`first name`") == I("first name")
    assert expr("a.`b c`") == a.FieldPath(("a", "b c"))


# ============================================================================== functions


def test_count_star():
    assert expr("count(*)") == a.FunctionCall("count", (), star=True)
    assert expr("COUNT(*)") == a.FunctionCall("count", (), star=True)


def test_function_with_distinct_argument():
    assert expr("count(DISTINCT name)") == a.FunctionCall("count", (I("name"),), distinct=True)


@pytest.mark.parametrize(
    "name", ["out", "in", "both", "outE", "inE", "bothE", "outV", "inV", "bothV"]
)
def test_graph_functions_take_optional_labels(name):
    assert expr(f"{name}()") == a.FunctionCall(name.lower())
    assert expr(f"{name}('L1', 'L2')") == a.FunctionCall(name.lower(), (L("L1"), L("L2")))


@pytest.mark.parametrize("name", ["set", "map", "list", "distinct", "in", "first", "last"])
def test_keyword_like_function_names(name):
    assert expr(f"{name}(x)") == call(name, I("x"))


def test_function_names_are_lower_cased_and_nest():
    assert expr("shortestPath(#1:2, #1:3, 'BOTH', 'E')") == call(
        "shortestpath", a.RidLiteral(1, 2), a.RidLiteral(1, 3), L("BOTH"), L("E")
    )
    assert expr("ifnull(coalesce(a, b), sysdate())") == call(
        "ifnull", call("coalesce", I("a"), I("b")), call("sysdate")
    )
    assert expr("expand(out('E'))") == call("expand", call("out", L("E")))
    assert expr("date('2024-01-01', 'yyyy-MM-dd')") == call(
        "date", L("2024-01-01"), L("yyyy-MM-dd")
    )


def test_distinct_modifier_versus_distinct_function():
    assert parse("SELECT DISTINCT name FROM V").distinct is True
    statement = parse("SELECT distinct(name) FROM V")
    assert statement.distinct is False
    assert statement.projections[0].expr == call("distinct", I("name"))


# ============================================================================== INSERT


def test_insert_set():
    assert parse("INSERT INTO Person SET name = 'Jay', address.city = 'Rome'") == a.Insert(
        "Person",
        assignments=(
            a.Assignment(I("name"), L("Jay")),
            a.Assignment(a.FieldPath(("address", "city")), L("Rome")),
        ),
    )


def test_insert_values_with_several_rows():
    assert parse("INSERT INTO T (a, b) VALUES (1, 'x'), (2, ?)") == a.Insert(
        "T", columns=("a", "b"), rows=((L(1), L("x")), (L(2), P(0)))
    )


def test_insert_content_object_and_array():
    assert parse('INSERT INTO T CONTENT {"a": 1}') == a.Insert(
        "T", content=a.MapLiteral((("a", L(1)),))
    )
    assert parse('INSERT INTO T CONTENT [{"a": 1}, {"a": 2}]') == a.Insert(
        "T",
        content=a.ListLiteral((a.MapLiteral((("a", L(1)),)), a.MapLiteral((("a", L(2)),)))),
    )
    assert parse("INSERT INTO T CONTENT :doc").content == P("doc")


def test_insert_from_a_query():
    query = a.Select(target=a.TypeTarget("Other"))
    assert parse("INSERT INTO T FROM SELECT FROM Other") == a.Insert("T", query=query)
    assert parse("INSERT INTO T (SELECT FROM Other)") == a.Insert("T", query=query)
    assert parse("INSERT INTO T FROM (SELECT FROM Other)") == a.Insert("T", query=query)


def test_insert_return_bucket_and_empty_record():
    assert parse("INSERT INTO T BUCKET t_1 SET a = 1 RETURN @rid") == a.Insert(
        "T", bucket="t_1", assignments=(a.Assignment(I("a"), L(1)),), returning=I("@rid")
    )
    assert parse("INSERT INTO bucket:t_2 SET a = 1").bucket == "t_2"
    assert parse("INSERT INTO T") == a.Insert("T")


def test_insert_into_schema_is_an_error():
    assert "INSERT INTO" in str(syntax_error("INSERT INTO schema:types SET a = 1"))


# ============================================================================== CREATE VERTEX / EDGE


def test_create_vertex():
    assert parse("CREATE VERTEX Person") == a.CreateVertex("Person")
    assert parse("CREATE VERTEX Person SET name = 'Jay'") == a.CreateVertex(
        "Person", assignments=(a.Assignment(I("name"), L("Jay")),)
    )
    assert parse('CREATE VERTEX Person BUCKET p1 CONTENT {"name": "Jay"}') == a.CreateVertex(
        "Person", bucket="p1", content=a.MapLiteral((("name", L("Jay")),))
    )


def test_create_edge_between_records():
    assert parse("CREATE EDGE Knows FROM #1:2 TO #1:3 SET since = 2020") == a.CreateEdge(
        "Knows",
        a.RidLiteral(1, 2),
        a.RidLiteral(1, 3),
        assignments=(a.Assignment(I("since"), L(2020)),),
    )


def test_create_edge_endpoints():
    statement = parse(
        "CREATE EDGE E FROM (SELECT FROM A WHERE x = ?) TO [#1:2, #1:3] "
        'CONTENT {"w": 1} RETRY 3 WAIT 10 BATCH 100'
    )
    assert statement == a.CreateEdge(
        "E",
        a.Subquery(a.Select(target=a.TypeTarget("A"), where=a.Comparison("=", I("x"), P(0)))),
        a.ListLiteral((a.RidLiteral(1, 2), a.RidLiteral(1, 3))),
        content=a.MapLiteral((("w", L(1)),)),
        retry=3,
        wait=10,
        batch=100,
    )
    assert parse("CREATE EDGE E FROM ? TO :to") == a.CreateEdge("E", P(0), P("to"))
    assert parse("CREATE EDGE E FROM $a TO $b") == a.CreateEdge(
        "E", a.Variable("a"), a.Variable("b")
    )


def test_create_edge_if_not_exists_before_or_after_endpoints():
    expected = a.CreateEdge("E", a.RidLiteral(1, 2), a.RidLiteral(1, 3), if_not_exists=True)
    assert parse("CREATE EDGE E FROM #1:2 TO #1:3 IF NOT EXISTS") == expected
    assert parse("CREATE EDGE E IF NOT EXISTS FROM #1:2 TO #1:3") == expected


def test_create_edge_without_type_with_bucket_and_upsert():
    assert parse("CREATE EDGE FROM #1:2 TO #1:3") == a.CreateEdge(
        None, a.RidLiteral(1, 2), a.RidLiteral(1, 3)
    )
    assert parse("CREATE EDGE E BUCKET e1 UPSERT FROM #1:2 TO #1:3") == a.CreateEdge(
        "E", a.RidLiteral(1, 2), a.RidLiteral(1, 3), bucket="e1", upsert=True
    )


# ============================================================================== UPDATE


def test_update_set_where_limit():
    assert parse("UPDATE Profile SET nick = 'Luca', n += 1 WHERE nick IS NULL LIMIT 20") == (
        a.Update(
            a.TypeTarget("Profile"),
            (a.UpdateSet((a.Assignment(I("nick"), L("Luca")), a.Assignment(I("n"), L(1), "+="))),),
            where=a.IsNull(I("nick")),
            limit=L(20),
        )
    )


def test_update_combines_operations_in_text_order():
    statement = parse(
        "UPDATE #7:0 SET a = 1 REMOVE b, tags = 'x' INCREMENT c = 2 ADD d = 3 "
        "PUT m = 'k', 'v', m2 = 'k2', 'v2'"
    )
    assert statement == a.Update(
        a.RidLiteral(7, 0),
        (
            a.UpdateSet((a.Assignment(I("a"), L(1)),)),
            a.UpdateRemove((a.RemoveItem(I("b")), a.RemoveItem(I("tags"), L("x")))),
            a.UpdateIncrement((a.Assignment(I("c"), L(2)),)),
            a.UpdateAdd((a.Assignment(I("d"), L(3)),)),
            a.UpdatePut((a.PutItem(I("m"), L("k"), L("v")), a.PutItem(I("m2"), L("k2"), L("v2")))),
        ),
    )


def test_update_merge_and_content():
    assert parse('UPDATE T MERGE {"a": 1}').operations == (
        a.UpdateMerge(a.MapLiteral((("a", L(1)),))),
    )
    assert parse("UPDATE T CONTENT :doc").operations == (a.UpdateContent(P("doc")),)


def test_update_upsert_and_return():
    statement = parse("UPDATE Client SET id = 23 UPSERT RETURN AFTER @rid WHERE id = 23")
    assert statement == a.Update(
        a.TypeTarget("Client"),
        (a.UpdateSet((a.Assignment(I("id"), L(23)),)),),
        upsert=True,
        return_mode="AFTER",
        return_expr=I("@rid"),
        where=a.Comparison("=", I("id"), L(23)),
    )
    assert parse("UPDATE T SET a = 1 RETURN before").return_mode == "BEFORE"
    assert parse("UPDATE T SET a = 1 RETURN COUNT").return_mode == "COUNT"


def test_update_subquery_target():
    statement = parse("UPDATE (SELECT FROM T WHERE a = 1) SET b = 2")
    assert statement.target == a.Subquery(
        a.Select(target=a.TypeTarget("T"), where=a.Comparison("=", I("a"), L(1)))
    )


# ============================================================================== DELETE


def test_delete_from():
    assert parse("DELETE FROM Person WHERE age < 18 LIMIT 5") == a.Delete(
        a.TypeTarget("Person"), where=a.Comparison("<", I("age"), L(18)), limit=L(5)
    )
    assert parse("DELETE FROM Person RETURN BEFORE WHERE a = 1 UNSAFE") == a.Delete(
        a.TypeTarget("Person"),
        where=a.Comparison("=", I("a"), L(1)),
        return_before=True,
        unsafe=True,
    )


def test_delete_vertex_forms():
    assert parse("DELETE VERTEX #10:231") == a.DeleteVertex(a.RidLiteral(10, 231))
    assert parse("DELETE VERTEX Person WHERE name = 'x' LIMIT 1") == a.DeleteVertex(
        a.TypeTarget("Person"), where=a.Comparison("=", I("name"), L("x")), limit=L(1)
    )
    subquery = a.Subquery(a.Select(target=a.TypeTarget("V")))
    assert parse("DELETE VERTEX FROM (SELECT FROM V)") == a.DeleteVertex(subquery)
    assert parse("DELETE VERTEX (SELECT FROM V)") == a.DeleteVertex(subquery)
    assert parse("DELETE VERTEX [#1:1, #1:2]") == a.DeleteVertex(
        a.ListLiteral((a.RidLiteral(1, 1), a.RidLiteral(1, 2)))
    )


def test_delete_edge_forms():
    assert parse("DELETE EDGE #22:38482") == a.DeleteEdge(target=a.RidLiteral(22, 38482))
    assert parse("DELETE EDGE [#1:1, #1:2]") == a.DeleteEdge(
        target=a.ListLiteral((a.RidLiteral(1, 1), a.RidLiteral(1, 2)))
    )
    assert parse("DELETE EDGE Knows FROM #1:2 TO #1:3 WHERE since < 2000") == a.DeleteEdge(
        type_name="Knows",
        source=a.RidLiteral(1, 2),
        destination=a.RidLiteral(1, 3),
        where=a.Comparison("<", I("since"), L(2000)),
    )
    assert parse("DELETE EDGE FROM #1:2") == a.DeleteEdge(source=a.RidLiteral(1, 2))
    assert parse("DELETE EDGE Knows") == a.DeleteEdge(type_name="Knows")
    assert parse("DELETE EDGE (SELECT FROM E)") == a.DeleteEdge(
        target=a.Subquery(a.Select(target=a.TypeTarget("E")))
    )


# ============================================================================== schema: types


@pytest.mark.parametrize("kind", ["DOCUMENT", "VERTEX", "EDGE"])
def test_create_type_kinds(kind):
    assert parse(f"CREATE {kind.lower()} TYPE Thing") == a.CreateType(kind, "Thing")


def test_create_type_options():
    assert parse(
        "CREATE VERTEX TYPE Employee IF NOT EXISTS EXTENDS Person, `Resource` "
        "BUCKET emp_1, 12 BUCKETS 4"
    ) == a.CreateType(
        "VERTEX",
        "Employee",
        if_not_exists=True,
        supertypes=("Person", "Resource"),
        buckets=("emp_1", 12),
        bucket_count=4,
    )


def test_alter_type():
    assert parse("ALTER TYPE Employee SUPERTYPE +Person") == a.AlterType(
        "Employee", "SUPERTYPE", I("Person"), "+"
    )
    assert parse("ALTER TYPE Employee SUPERTYPE -Person") == a.AlterType(
        "Employee", "SUPERTYPE", I("Person"), "-"
    )
    assert parse("ALTER TYPE Employee supertypes Person, Resource") == a.AlterType(
        "Employee", "SUPERTYPES", a.ListLiteral((I("Person"), I("Resource")))
    )
    assert parse("ALTER TYPE Employee SUPERTYPE NULL") == a.AlterType(
        "Employee", "SUPERTYPE", L(None)
    )
    assert parse("ALTER TYPE Account BUCKET -34") == a.AlterType("Account", "BUCKET", L(34), "-")
    assert parse("ALTER TYPE Account BUCKET +account2") == a.AlterType(
        "Account", "BUCKET", I("account2"), "+"
    )
    assert parse("ALTER TYPE `My Type` NAME People").name == "My Type"
    assert parse("ALTER TYPE Person NAME People") == a.AlterType("Person", "NAME", I("People"))
    assert parse("ALTER TYPE Account CUSTOM description = 'All users'") == a.AlterType(
        "Account", "CUSTOM", L("All users"), key="description"
    )


def test_drop_and_truncate_type():
    assert parse("DROP TYPE Person") == a.DropType("Person")
    assert parse("DROP TYPE Person IF EXISTS UNSAFE") == a.DropType("Person", True, True)
    assert parse("TRUNCATE TYPE Person") == a.TruncateType("Person")
    assert parse("TRUNCATE TYPE Person POLYMORPHIC UNSAFE") == a.TruncateType("Person", True, True)


# ============================================================================== schema: properties


def test_create_property_with_type_keyword_case_insensitive():
    assert parse("CREATE PROPERTY User.name string") == a.CreateProperty("User", "name", "STRING")


def test_create_property_without_type():
    assert parse("CREATE PROPERTY Employee.salary IF NOT EXISTS") == a.CreateProperty(
        "Employee", "salary", if_not_exists=True
    )


@pytest.mark.parametrize(
    "text",
    [
        "CREATE PROPERTY User.tags IF NOT EXISTS LIST OF STRING",
        "CREATE PROPERTY User.tags LIST OF STRING IF NOT EXISTS",
        "CREATE PROPERTY User.tags LIST STRING IF NOT EXISTS",
    ],
)
def test_create_property_if_not_exists_positions_and_of_type(text):
    assert parse(text) == a.CreateProperty("User", "tags", "LIST", "STRING", if_not_exists=True)


def test_create_property_of_a_schema_type_keeps_its_case():
    assert parse("CREATE PROPERTY Profile.address EMBEDDED Address") == a.CreateProperty(
        "Profile", "address", "EMBEDDED", "Address"
    )
    assert parse("CREATE PROPERTY Profile.friend LINK OF Person").of_type == "Person"
    assert parse("CREATE PROPERTY Shop.last LINK Order").of_type == "Order"


def test_create_property_constraints():
    statement = parse(
        "CREATE PROPERTY Transaction.createdOn DATETIME (mandatory true, notnull true, "
        "READONLY, min '2010-01-01', max 10, default sysdate(), regexp '[0-9]+') IF NOT EXISTS"
    )
    assert statement == a.CreateProperty(
        "Transaction",
        "createdOn",
        "DATETIME",
        if_not_exists=True,
        constraints=(
            a.PropertyConstraint("mandatory", L(True)),
            a.PropertyConstraint("notnull", L(True)),
            a.PropertyConstraint("readonly", L(True)),
            a.PropertyConstraint("min", L("2010-01-01")),
            a.PropertyConstraint("max", L(10)),
            a.PropertyConstraint("default", call("sysdate")),
            a.PropertyConstraint("regexp", L("[0-9]+")),
        ),
    )


@pytest.mark.parametrize(
    "property_type",
    [
        "BOOLEAN",
        "BYTE",
        "SHORT",
        "INTEGER",
        "LONG",
        "FLOAT",
        "DOUBLE",
        "DECIMAL",
        "STRING",
        "BINARY",
        "DATE",
        "DATETIME",
        "EMBEDDED",
        "LIST",
        "MAP",
        "LINK",
        "ARRAY_OF_FLOATS",
    ],
)
def test_property_types(property_type):
    statement = parse(f"CREATE PROPERTY T.p {property_type.lower()}")
    assert statement.property_type == property_type


def test_unknown_property_type_points_at_it():
    error = syntax_error("CREATE PROPERTY User.name STRNG")
    assert "Unknown property type 'STRNG'" in str(error)
    assert (error.line, error.column, error.token) == (1, 27, "STRNG")


def test_unknown_property_constraint_is_an_error():
    error = syntax_error("CREATE PROPERTY User.name STRING (mandatroy true)")
    assert "mandatroy" in str(error)
    assert error.column == 35


def test_alter_property():
    assert parse("ALTER PROPERTY User.subscribedOn MANDATORY true") == a.AlterProperty(
        "User", "subscribedOn", "MANDATORY", L(True)
    )
    assert parse("ALTER PROPERTY User.name TYPE LONG") == a.AlterProperty(
        "User", "name", "TYPE", I("LONG")
    )
    assert parse("ALTER PROPERTY User.created default sysdate()") == a.AlterProperty(
        "User", "created", "DEFAULT", call("sysdate")
    )
    assert parse("ALTER PROPERTY User.name CUSTOM label = 'Name'") == a.AlterProperty(
        "User", "name", "CUSTOM", L("Name"), key="label"
    )


def test_drop_property():
    assert parse("DROP PROPERTY User.name") == a.DropProperty("User", "name")
    assert parse("DROP PROPERTY User.name IF EXISTS FORCE") == a.DropProperty(
        "User", "name", True, True
    )


# ============================================================================== schema: indexes


def test_create_index_unnamed():
    assert parse("CREATE INDEX ON Person (name) UNIQUE") == a.CreateIndex(
        None, "Person", ("name",), "UNIQUE", by=(None,)
    )


def test_create_index_with_every_option():
    statement = parse(
        "CREATE INDEX `Person[first,last]` IF NOT EXISTS ON Person (first, last, tags BY ITEM) "
        'notunique STRING, STRING NULL_STRATEGY skip METADATA {"x": 1}'
    )
    assert statement == a.CreateIndex(
        "Person[first,last]",
        "Person",
        ("first", "last", "tags"),
        "NOTUNIQUE",
        if_not_exists=True,
        null_strategy="SKIP",
        key_types=("STRING", "STRING"),
        by=(None, None, "ITEM"),
        metadata=a.MapLiteral((("x", L(1)),)),
    )


@pytest.mark.parametrize("index_type", ["UNIQUE", "NOTUNIQUE", "FULL_TEXT"])
def test_index_types(index_type):
    statement = parse(f"CREATE INDEX IF NOT EXISTS ON Doc (`@out`, `@in`) {index_type}")
    assert statement.index_type == index_type
    assert statement.properties == ("@out", "@in")


def test_unknown_index_type_is_an_error():
    error = syntax_error("CREATE INDEX ON Person (name) UNIQE")
    assert "Unknown index type 'UNIQE'" in str(error)
    assert (error.line, error.column) == (1, 31)


def test_drop_and_rebuild_index():
    assert parse("DROP INDEX `User[id]`") == a.DropIndex("User[id]")
    assert parse("DROP INDEX User[id, name] IF EXISTS") == a.DropIndex("User[id,name]", True)
    assert parse("REBUILD INDEX `User[id]`") == a.RebuildIndex("User[id]")
    assert parse("REBUILD INDEX *") == a.RebuildIndex(None)


# ============================================================================== MATCH


def test_match_with_method_steps():
    statement = parse(
        "MATCH {type: Person, as: p, where: (name = 'Jay')}.out('Knows'){as: f} RETURN p, f.name"
    )
    assert statement == a.Match(
        paths=(
            a.MatchPath(
                a.MatchNode(
                    type_name="Person", alias="p", where=a.Comparison("=", I("name"), L("Jay"))
                ),
                (a.MatchStep("out", (L("Knows"),), a.MatchNode(alias="f")),),
            ),
        ),
        returns=(proj(I("p"), "p"), proj(a.FieldPath(("f", "name")), "f.name")),
    )


@pytest.mark.parametrize(
    ("step", "function", "args"),
    [
        ("-Knows->", "out", (L("Knows"),)),
        ("-->", "out", ()),
        ("<-Knows-", "in", (L("Knows"),)),
        ("<--", "in", ()),
        ("-Knows-", "both", (L("Knows"),)),
        ("--", "both", ()),
        (".in()", "in", ()),
        (".both('Knows')", "both", (L("Knows"),)),
        (".outE('Knows')", "oute", (L("Knows"),)),
    ],
)
def test_match_steps(step, function, args):
    statement = parse(f"MATCH {{as: a}}{step}{{as: b}} RETURN a, b")
    assert statement.paths[0].steps == (a.MatchStep(function, args, a.MatchNode(alias="b")),)


def test_match_step_without_node_is_anonymous():
    statement = parse("MATCH {as: a}.outE('E').inV(){as: b} RETURN b")
    assert statement.paths[0].steps == (
        a.MatchStep("oute", (L("E"),), a.MatchNode()),
        a.MatchStep("inv", (), a.MatchNode(alias="b")),
    )


def test_match_node_options():
    statement = parse(
        "MATCH {class: Person, as: p}.out(){as: f, while: ($depth < 3), maxDepth: 3, "
        "optional: true, depthAlias: d, pathAlias: path}, {as: x, rid: #1:2} RETURN f"
    )
    assert statement.paths[0].steps[0].node == a.MatchNode(
        alias="f",
        while_condition=a.Comparison("<", a.Variable("depth"), L(3)),
        max_depth=3,
        optional=True,
        depth_alias="d",
        path_alias="path",
    )
    assert statement.paths[1].origin == a.MatchNode(alias="x", rid=a.RidLiteral(1, 2))


def test_match_not_pattern_and_return_clauses():
    statement = parse(
        "MATCH {type: P, as: a}-Knows->{as: b}, NOT {as: a}-Hates->{as: b} "
        "RETURN DISTINCT a.name AS n, b ORDER BY n DESC SKIP 1 LIMIT 10"
    )
    assert statement.paths[1] == a.MatchPath(
        a.MatchNode(alias="a"),
        (a.MatchStep("out", (L("Hates"),), a.MatchNode(alias="b")),),
        negated=True,
    )
    assert statement.distinct is True
    assert statement.returns == (proj(a.FieldPath(("a", "name")), "a.name", "n"), proj(I("b"), "b"))
    assert statement.order_by == (a.OrderItem(I("n"), True),)
    assert (statement.skip, statement.limit) == (L(1), L(10))


def test_unknown_match_key_is_an_error():
    error = syntax_error("MATCH {type: P, alias: p} RETURN p")
    assert "Unknown MATCH key 'alias'" in str(error)
    assert (error.line, error.column) == (1, 17)


def test_match_key_with_wrong_value_is_an_error():
    assert "expects an integer" in str(syntax_error("MATCH {as: p, maxDepth: 'x'} RETURN p"))


# ============================================================================== TRAVERSE


def test_traverse():
    statement = parse(
        "TRAVERSE out('Friend'), * FROM #10:1234 MAXDEPTH 3 WHILE $depth < 3 LIMIT 100 "
        "STRATEGY breadth_first"
    )
    assert statement == a.Traverse(
        (call("out", L("Friend")), a.Star()),
        a.RidLiteral(10, 1234),
        max_depth=3,
        while_condition=a.Comparison("<", a.Variable("depth"), L(3)),
        limit=L(100),
        strategy="BREADTH_FIRST",
    )


def test_traverse_from_subquery_inside_select():
    statement = parse("SELECT FROM (TRAVERSE out() FROM V MAXDEPTH 2) WHERE $depth >= 1")
    assert statement.target == a.Subquery(
        a.Traverse((call("out"),), a.TypeTarget("V"), max_depth=2)
    )


def test_unknown_traverse_strategy_is_an_error():
    assert "STRATEGY" in str(syntax_error("TRAVERSE * FROM V STRATEGY SIDEWAYS"))


# ============================================================================== other statements


def test_explain_and_profile_wrap_a_statement():
    assert parse("EXPLAIN SELECT FROM V") == a.Explain(a.Select(target=a.TypeTarget("V")))
    assert parse("PROFILE UPDATE V SET a = 1") == a.Profile(
        a.Update(a.TypeTarget("V"), (a.UpdateSet((a.Assignment(I("a"), L(1)),)),))
    )


def test_transaction_statements():
    assert parse("BEGIN") == a.Begin()
    assert parse("begin isolation repeatable_read") == a.Begin("REPEATABLE_READ")
    assert parse("COMMIT") == a.Commit()
    assert parse("COMMIT RETRY 10") == a.Commit(10)
    assert parse("ROLLBACK") == a.Rollback()


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("IMPORT DATABASE file://path/to/x.jsonl.gz", "file://path/to/x.jsonl.gz"),
        ("import database file:///abs/x.jsonl.gz", "file:///abs/x.jsonl.gz"),
        ("IMPORT DATABASE https://example.com/db.tgz", "https://example.com/db.tgz"),
        ("IMPORT DATABASE '/tmp/my db.jsonl'", "/tmp/my db.jsonl"),
        ("IMPORT DATABASE /tmp/x.jsonl", "/tmp/x.jsonl"),
    ],
)
def test_import_database(text, url):
    assert parse(text) == a.ImportDatabase(url)


def test_import_database_settings():
    assert parse("IMPORT DATABASE file://x.gz WITH commitEvery = 1000, wal = false") == (
        a.ImportDatabase("file://x.gz", (("commitEvery", L(1000)), ("wal", L(False))))
    )


# ============================================================================== scripts


def test_script_with_transaction_let_and_return():
    statements = parse_script(
        """
        BEGIN;
        LET $v = CREATE VERTEX V SET name = 'a';
        LET $n = (SELECT count(*) AS c FROM V);
        CREATE EDGE E FROM $v TO #1:0;;
        COMMIT RETRY 3;
        RETURN $v
        """
    )
    assert statements == [
        a.Begin(),
        a.LetStatement("v", a.CreateVertex("V", assignments=(a.Assignment(I("name"), L("a")),))),
        a.LetStatement(
            "n",
            a.Subquery(
                a.Select(
                    projections=(proj(a.FunctionCall("count", star=True), "count(*)", "c"),),
                    target=a.TypeTarget("V"),
                )
            ),
        ),
        a.CreateEdge("E", a.Variable("v"), a.RidLiteral(1, 0)),
        a.Commit(3),
        a.ReturnStatement(a.Variable("v")),
    ]


def test_empty_script_has_no_statements():
    assert parse_script("") == []
    assert parse_script(" ; ;\n") == []


def test_parse_accepts_one_trailing_semicolon_but_not_two_statements():
    assert parse("SELECT FROM V;") == parse("SELECT FROM V")
    error = syntax_error("SELECT FROM V; SELECT FROM W")
    assert (error.line, error.column, error.token) == (1, 16, "SELECT")


def test_comments_are_ignored():
    assert parse("SELECT /* all */ FROM /* the */ V") == parse("SELECT FROM V")


# ============================================================================== errors


def test_syntax_error_names_line_column_and_token():
    error = syntax_error("SELECT * FORM X")
    message = str(error)
    assert message.startswith("Syntax error at line 1, column 10 near 'FORM': expected one of")
    assert "FROM" in message
    assert message.splitlines()[0].endswith("in: SELECT * FORM X")
    assert (error.line, error.column, error.token, error.text) == (1, 10, "FORM", "SELECT * FORM X")


def test_syntax_error_in_a_multi_line_statement_points_at_the_line():
    text = "SELECT name\nFROM Person\nWHERE age >> 3"
    error = syntax_error(text)
    assert (error.line, error.column, error.token) == (3, 12, ">")
    lines = str(error).splitlines()
    assert lines[0].startswith("Syntax error at line 3, column 12 near '>'")
    assert lines[1:] == ["  WHERE age >> 3", "             ^"]


def test_unexpected_end_of_input():
    error = syntax_error("SELECT FROM Person WHERE")
    assert (error.line, error.column, error.token) == (1, 25, "")
    assert "near end of input" in str(error)
    error = syntax_error("SELECT FROM V\nWHERE a = ")
    assert (error.line, error.column) == (2, 11)


def test_unterminated_string():
    error = syntax_error("SELECT FROM V WHERE name = 'Jay")
    assert (error.line, error.column, error.token) == (1, 28, "'")
    assert "unterminated" in str(error)


def test_unexpected_character():
    error = syntax_error("SELECT FROM V WHERE a = 1 § 2")
    assert (error.line, error.column, error.token) == (1, 27, "§")


def test_empty_statement_is_an_error():
    assert "end of input" in str(syntax_error(""))
    assert "end of input" in str(syntax_error("   "))


@pytest.mark.parametrize(
    ("text", "line", "column", "token"),
    [
        ("SELEKT FROM V", 1, 1, "SELEKT"),
        ("INSERT INTO SET a = 1", 1, 17, "a"),
        ("UPDATE V SET WHERE a = 1", 1, 20, "a"),
        ("CREATE VERTEX TYPE", 1, 19, ""),
        ("DELETE FROM V WHERE a = 1 LIMIT x", 1, 33, "x"),
        ("MATCH {as: a} -E-> {as: b}", 1, 27, ""),
        ("SELECT FROM V WHERE a BETWEEN 1", 1, 32, ""),
        ("SELECT count(*) FROM V GROUP name", 1, 30, "name"),
        ("CREATE INDEX ON V name UNIQUE", 1, 19, "name"),
    ],
)
def test_bad_statements_report_position(text, line, column, token):
    error = syntax_error(text)
    assert (error.line, error.column, error.token) == (line, column, token)
    assert f"line {line}, column {column}" in str(error)


def test_number_too_large_is_a_parse_error():
    error = syntax_error("SELECT " + "9" * 5000)
    assert "Number too large" in str(error)


def test_deep_nesting_is_a_parse_error():
    with pytest.raises(ParseError, match="nests too deeply"):
        parse("SELECT " + "[" * (MAX_NESTING + 5) + "]" * (MAX_NESTING + 5))
    with pytest.raises(ParseError, match="nests too deeply"):
        parse("SELECT " + " + ".join(["1"] * 1000))
    with pytest.raises(ParseError, match="nests too deeply"):
        parse("SELECT FROM V WHERE " + "NOT " * 500 + "a")


def test_moderate_nesting_parses():
    depth = MAX_NESTING // 2
    assert parse("SELECT " + "(" * 5000 + "1" + ")" * 5000).projections[0].expr == L(1)
    assert parse("SELECT " + "[" * depth + "]" * depth) is not None
    assert isinstance(parse("SELECT FROM V WHERE " + " OR ".join(["a = 1"] * 2000)).where, a.Or)


def test_non_string_input_is_a_type_error():
    with pytest.raises(TypeError):
        parse(b"SELECT 1")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_script(None)  # type: ignore[arg-type]


# ============================================================================== cache and AST


def test_cache_hit_returns_the_identical_object():
    text = "SELECT FROM Person WHERE name = ? -- cached"[:-10]
    first = parse(text)
    assert parse(text) is first
    clear_cache()
    again = parse(text)
    assert again is not first
    assert again == first


def test_failed_parses_are_not_cached():
    for _ in range(2):
        with pytest.raises(ParseError):
            parse("SELECT FROM")


def test_script_results_are_fresh_lists():
    first = parse_script("BEGIN; COMMIT")
    first.append(a.Rollback())
    assert parse_script("BEGIN; COMMIT") == [a.Begin(), a.Commit()]


def test_nodes_are_immutable_and_hashable():
    statement = parse("SELECT a, b FROM V WHERE c IN [1, 2] ORDER BY a")
    with pytest.raises(AttributeError):
        statement.where = None  # type: ignore[misc]
    assert hash(statement) == hash(parse("SELECT a, b FROM V WHERE c IN [1, 2] ORDER BY a"))
    changed = a.replace(statement, limit=L(1))
    assert changed.limit == L(1) and changed.where == statement.where and statement.limit is None
    assert copy.deepcopy(statement) == statement
    assert pickle.loads(pickle.dumps(statement)) == statement
    assert {statement: 1}[statement] == 1


def test_nodes_compare_by_type_and_value():
    assert I("a") != a.Variable("a")
    assert L(1) == L(1)
    assert L("1") != L(1)
    assert repr(a.Comparison("=", I("a"), P(0))) == (
        "Comparison(op='=', left=Identifier(name='a'), right=Param(key=0))"
    )


def test_nodes_support_pattern_matching():
    match parse("SELECT FROM Person WHERE age >= ?"):
        case a.Select(
            target=a.TypeTarget(name), where=a.Comparison(">=", a.Identifier(f), a.Param(k))
        ):
            assert (name, f, k) == ("Person", "age", 0)
        case _:
            pytest.fail("pattern did not match")


def test_parse_is_thread_safe():
    clear_cache()
    texts = [
        f"SELECT a + {i} AS x FROM T{i} WHERE a = ? AND b = :b{i} AND c = ?" for i in range(300)
    ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(parse, texts))
    for i, statement in enumerate(results):
        assert statement == a.Select(
            projections=(proj(a.BinaryOp("+", I("a"), L(i)), f"a + {i}", "x"),),
            target=a.TypeTarget(f"T{i}"),
            where=a.And(
                (
                    a.Comparison("=", I("a"), P(0)),
                    a.Comparison("=", I("b"), P(f"b{i}")),
                    a.Comparison("=", I("c"), P(1)),
                )
            ),
        )


def test_grammar_has_no_lalr_conflicts(caplog):
    caplog.set_level(logging.DEBUG, logger="lark")
    Lark(
        GRAMMAR_PATH.read_text(encoding="utf-8"),
        parser="lalr",
        start=["single", "script"],
        debug=True,  # Lark reports shift/reduce conflicts as warnings (reduce/reduce raise)
    )
    assert not [r for r in caplog.records if "conflict" in r.getMessage().lower()]
