"""The Cypher front end: each construct parses into the expected AST; errors point at the column."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from arcadelite.cypher import ast as a
from arcadelite.cypher import clear_cache, parse
from arcadelite.cypher.parser import MAX_NESTING
from arcadelite.exceptions import ParseError

L = a.Literal
V = a.Variable
N = a.NodePattern
R = a.RelationshipPattern


def expr(text: str) -> a.Expr:
    """The single projection of ``RETURN <text>``."""
    statement = parse(f"RETURN {text}")
    assert isinstance(statement, a.SingleQuery)
    (item,) = statement.clauses[0].items  # type: ignore[attr-defined]
    return item.expression


def where(condition: str) -> a.Expr:
    """The WHERE of ``MATCH (n) WHERE <condition> RETURN n``."""
    match = parse(f"MATCH (n) WHERE {condition} RETURN n").clauses[0]  # type: ignore[attr-defined]
    assert isinstance(match, a.Match) and match.where is not None
    return match.where


def pattern(text: str) -> a.PathPattern:
    """The single path pattern of ``MATCH <text> RETURN 1``."""
    match = parse(f"MATCH {text} RETURN 1").clauses[0]  # type: ignore[attr-defined]
    (path,) = match.patterns
    return path


def clauses(text: str) -> tuple[a.Clause, ...]:
    statement = parse(text)
    assert isinstance(statement, a.SingleQuery)
    return statement.clauses


def prop(variable: str, key: str) -> a.Property:
    return a.Property(V(variable), key)


def error(text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse(text)
    return info.value


# ======================================================================================= MATCH


def test_match_return_is_a_single_query_of_two_clauses():
    assert parse("MATCH (n:Person) RETURN n") == a.SingleQuery(
        (
            a.Match((a.PathPattern((N("n", ("Person",)),)),)),
            a.Return((a.ProjectionItem(V("n"), None, "n"),)),
        )
    )


def test_node_pattern_with_labels_and_property_map():
    assert pattern("(a:Person:Admin {name: 'Ann', age: 3})").elements == (
        N("a", ("Person", "Admin"), a.MapLiteral((("name", L("Ann")), ("age", L(3))))),
    )


def test_node_pattern_properties_may_be_a_parameter():
    assert pattern("(a:P $props)").elements == (N("a", ("P",), a.Parameter("props")),)


def test_anonymous_and_empty_node_patterns():
    assert pattern("()").elements == (N(),)
    assert pattern("(:L)").elements == (N(None, ("L",)),)


@pytest.mark.parametrize(
    "arrow, direction",
    [("-->", "out"), ("<--", "in"), ("--", "both"), ("<-->", "both")],
)
def test_bare_relationship_directions(arrow, direction):
    assert pattern(f"(a){arrow}(b)").elements == (N("a"), R(direction=direction), N("b"))


@pytest.mark.parametrize(
    "rel, direction",
    [("-[r]->", "out"), ("<-[r]-", "in"), ("-[r]-", "both"), ("<-[r]->", "both")],
)
def test_detailed_relationship_directions(rel, direction):
    assert pattern(f"(a){rel}(b)").relationships == (R("r", direction=direction),)


def test_relationship_with_types_and_properties():
    assert pattern("(a)-[r:KNOWS|:LIKES|LOVES {since: 2020}]->(b)").relationships == (
        R("r", ("KNOWS", "LIKES", "LOVES"), "out", None, a.MapLiteral((("since", L(2020)),))),
    )


@pytest.mark.parametrize(
    "stars, length",
    [
        ("*", a.VarLength(None, None)),
        ("*2", a.VarLength(2, 2)),
        ("*1..3", a.VarLength(1, 3)),
        ("*..3", a.VarLength(None, 3)),
        ("*2..", a.VarLength(2, None)),
        ("* 1 .. 3", a.VarLength(1, 3)),
    ],
)
def test_variable_length_relationships(stars, length):
    assert pattern(f"(a)-[:T{stars}]->(b)").relationships[0].length == length


def test_multi_hop_path_alternates_nodes_and_relationships():
    path = pattern("(a)-[:X]->(b)<-[:Y]-(c)--(d)")
    assert path.nodes == (N("a"), N("b"), N("c"), N("d"))
    assert [r.direction for r in path.relationships] == ["out", "in", "both"]


def test_named_path_and_comma_separated_patterns():
    (match, _) = clauses("MATCH p = (a)-->(b), (c) RETURN p")
    assert isinstance(match, a.Match)
    assert match.patterns[0].variable == "p"
    assert match.patterns[1] == a.PathPattern((N("c"),))


@pytest.mark.parametrize(
    "function, kind", [("shortestPath", "shortest"), ("allShortestPaths", "all")]
)
def test_shortest_path_patterns(function, kind):
    path = pattern(f"p = {function}((a:P)-[:KNOWS*..5]-(b))")
    assert path == a.PathPattern(
        (N("a", ("P",)), R(None, ("KNOWS",), "both", a.VarLength(None, 5)), N("b")), "p", kind
    )


def test_shortest_path_needs_one_relationship():
    assert "exactly one relationship" in str(
        error("MATCH p = shortestPath((a)-->(b)-->(c)) RETURN p")
    )


def test_optional_match_and_match_where():
    (optional, _) = clauses("OPTIONAL MATCH (n) WHERE n.x = 1 RETURN n")
    assert optional == a.Match(
        (a.PathPattern((N("n"),)),), a.Comparison("=", prop("n", "x"), L(1)), optional=True
    )


def test_parenthesised_pattern_is_the_same_pattern():
    assert pattern("((a)-->(b))") == pattern("(a)-->(b)")


# ================================================================================= projections


def test_projection_text_is_the_expression_as_written():
    (ret,) = clauses("RETURN  p.name ,count( * ), n.age+1 AS next")
    assert isinstance(ret, a.Return)
    assert [item.name for item in ret.items] == ["p.name", "count( * )", "next"]
    assert ret.items[2].text == "n.age+1"


def test_return_distinct_star_order_skip_limit():
    (_, ret) = clauses("MATCH (n) RETURN DISTINCT *, n.x AS x ORDER BY x DESC, n.y SKIP 1 LIMIT $n")
    assert ret == a.Return(
        (a.ProjectionItem(prop("n", "x"), "x", "n.x"),),
        star=True,
        distinct=True,
        order_by=(a.SortItem(V("x"), True), a.SortItem(prop("n", "y"), False)),
        skip=L(1),
        limit=a.Parameter("n"),
    )


@pytest.mark.parametrize("word, descending", [("ASC", False), ("ascending", False),
                                              ("DESC", True), ("Descending", True)])  # fmt: skip
def test_sort_direction_keywords(word, descending):
    (ret,) = clauses(f"RETURN 1 AS x ORDER BY x {word}")
    assert ret.order_by == (a.SortItem(V("x"), descending),)  # type: ignore[attr-defined]


def test_with_where_after_aggregation():
    (_, with_, _) = clauses("MATCH (a)-->(b) WITH a, count(b) AS c WHERE c > 2 RETURN a")
    assert with_ == a.With(
        (
            a.ProjectionItem(V("a"), None, "a"),
            a.ProjectionItem(a.FunctionCall("count", (V("b"),)), "c", "count(b)"),
        ),
        where=a.Comparison(">", V("c"), L(2)),
    )


def test_offset_is_skip():
    (ret,) = clauses("RETURN 1 AS x OFFSET 2")
    assert ret.skip == L(2)  # type: ignore[attr-defined]


def test_unwind():
    assert clauses("UNWIND [1, 2] AS x RETURN x")[0] == a.Unwind(a.ListLiteral((L(1), L(2))), "x")


def test_union_and_union_all():
    assert parse("RETURN 1 AS a UNION RETURN 2 AS a") == a.Union(
        (
            a.SingleQuery((a.Return((a.ProjectionItem(L(1), "a", "1"),)),)),
            a.SingleQuery((a.Return((a.ProjectionItem(L(2), "a", "2"),)),)),
        ),
        all=False,
    )
    assert parse("RETURN 1 AS a UNION ALL RETURN 2 AS a").all is True  # type: ignore[attr-defined]


def test_mixing_union_and_union_all_is_an_error():
    assert "cannot be mixed" in str(
        error("RETURN 1 AS a UNION RETURN 2 AS a UNION ALL RETURN 3 AS a")
    )


def test_return_must_be_the_last_clause():
    assert "last clause" in str(error("RETURN 1 AS a MATCH (n) RETURN n"))


# ============================================================================= updating clauses


def test_create_nodes_relationships_and_paths():
    (create,) = clauses("CREATE (a:P {n: 1}), (a)-[:KNOWS {w: 2}]->(b:P)")
    assert create == a.Create(
        (
            a.PathPattern((N("a", ("P",), a.MapLiteral((("n", L(1)),))),)),
            a.PathPattern(
                (
                    N("a"),
                    R(None, ("KNOWS",), "out", None, a.MapLiteral((("w", L(2)),))),
                    N("b", ("P",)),
                )
            ),
        )
    )


def test_merge_with_on_create_and_on_match():
    (merge,) = clauses(
        "MERGE (p:P {id: $id}) ON CREATE SET p.c = 1 ON MATCH SET p.m = 2, p:Seen ON CREATE SET p += $x"
    )
    assert merge == a.Merge(
        a.PathPattern((N("p", ("P",), a.MapLiteral((("id", a.Parameter("id")),))),)),
        on_create=(
            a.SetProperty(prop("p", "c"), L(1)),
            a.MergeProperties("p", a.Parameter("x")),
        ),
        on_match=(a.SetProperty(prop("p", "m"), L(2)), a.SetLabels("p", ("Seen",))),
    )


def test_set_items():
    (_, set_) = clauses("MATCH (n) SET n.a = 1, n = {b: 2}, n += {c: 3}, n:X:Y")
    assert set_ == a.SetClause(
        (
            a.SetProperty(prop("n", "a"), L(1)),
            a.SetAllProperties("n", a.MapLiteral((("b", L(2)),))),
            a.MergeProperties("n", a.MapLiteral((("c", L(3)),))),
            a.SetLabels("n", ("X", "Y")),
        )
    )


def test_set_target_must_be_a_property_or_variable():
    assert "SET needs" in str(error("MATCH (n) SET n.a.b.c[0] = 1"))
    assert "variable on its left" in str(error("MATCH (n) SET n.a += {x: 1}"))


def test_remove_properties_and_labels():
    (_, remove) = clauses("MATCH (n) REMOVE n.a, n:X:Y")
    assert remove == a.Remove((a.RemoveProperty(prop("n", "a")), a.RemoveLabels("n", ("X", "Y"))))


def test_delete_and_detach_delete():
    assert clauses("MATCH (n)-[r]->() DELETE r, n")[1] == a.Delete((V("r"), V("n")), False)
    assert clauses("MATCH (n) DETACH DELETE n")[1] == a.Delete((V("n"),), True)


def test_foreach():
    (foreach,) = clauses("FOREACH (x IN [1] | CREATE (:N {v: x}))")
    assert foreach == a.Foreach(
        "x",
        a.ListLiteral((L(1),)),
        (a.Create((a.PathPattern((N(None, ("N",), a.MapLiteral((("v", V("x")),))),)),)),),
    )


def test_is_updating():
    assert a.is_updating(parse("MATCH (n) SET n.x = 1"))
    assert a.is_updating(parse("FOREACH (x IN [1] | CREATE ())"))
    assert not a.is_updating(parse("MATCH (n) RETURN n"))


# ================================================================================== procedures


def test_call_with_yield_and_where():
    (call, _) = clauses("CALL db.labels() YIELD label AS l WHERE l <> 'x' RETURN l")
    assert call == a.Call(
        "db.labels", (), (a.YieldItem("label", "l"),), False, a.Comparison("<>", V("l"), L("x"))
    )


def test_standalone_call_without_arguments_and_yield_star():
    assert clauses("CALL test.doNothing") == (a.Call("test.doNothing"),)
    assert clauses("CALL ns.proc(1, 'a') YIELD *") == (
        a.Call("ns.proc", (L(1), L("a")), yield_all=True),
    )
    assert "YIELD *" in str(error("CALL ns.proc() YIELD * RETURN x"))


def test_call_subquery():
    (call, _) = clauses("CALL { MATCH (n) RETURN n } RETURN n")
    assert isinstance(call, a.CallSubquery) and isinstance(call.query, a.SingleQuery)


def test_explain_and_profile():
    assert isinstance(parse("EXPLAIN MATCH (n) RETURN n"), a.Explain)
    assert isinstance(parse("PROFILE MATCH (n) RETURN n"), a.Profile)


# ================================================================================ expressions


@pytest.mark.parametrize(
    "text, value",
    [
        ("42", 42),
        ("-42", -42),
        ("0x1F", 31),
        ("-0x1F", -31),
        ("0o17", 15),
        ("1.5", 1.5),
        (".5", 0.5),
        ("-.1e9", -1e8),
        ("1e3", 1000.0),
        ("'it''s'", None),  # two strings are not one: see the error test
        ("true", True),
        ("FALSE", False),
        ("null", None),
        ("'a\\tb\\u0041\\\\'", "a\tbA\\"),
        ('"double \\" quoted"', 'double " quoted'),
        ("9223372036854775807", 2**63 - 1),
        ("-9223372036854775808", -(2**63)),
    ],
)
def test_literals(text, value):
    if text == "'it''s'":
        error(f"RETURN {text}")
        return
    assert expr(text) == L(value)


@pytest.mark.parametrize(
    "text",
    [
        "9223372036854775808",
        "-9223372036854775809",
        "0x8000000000000000",
        "1.34E999",
        "'\\uH'",
        "9223372h54775808",
        "0x1A2b3j4D5E6f7",
    ],
)
def test_bad_number_and_string_literals_are_errors(text):
    error(f"RETURN {text} AS x")


def test_list_and_map_literals():
    assert expr("[1, 'a', [], {}]") == a.ListLiteral(
        (L(1), L("a"), a.ListLiteral(()), a.MapLiteral(()))
    )
    assert expr("{name: 'x', `odd key`: 2, exists: 3}") == a.MapLiteral(
        (("name", L("x")), ("odd key", L(2)), ("exists", L(3)))
    )


@pytest.mark.parametrize("bad", ["{1: 2}", "{k1.k: 1}", "{, }", "[, ]", "{k: {k: {}}"])
def test_malformed_maps_and_lists_are_errors(bad):
    error(f"RETURN {bad} AS literal")


def test_parameters_by_name_and_number():
    assert expr("$name") == a.Parameter("name")
    assert expr("$0") == a.Parameter(0)
    assert expr("$`odd name`") == a.Parameter("odd name")


def test_property_subscript_slice_and_labels():
    assert expr("n.a.b") == a.Property(prop("n", "a"), "b")
    assert expr("l[0]") == a.Subscript(V("l"), L(0))
    assert expr("l[-1]") == a.Subscript(V("l"), L(-1))
    assert expr("m['k']") == a.Subscript(V("m"), L("k"))
    assert expr("l[1..3]") == a.Slice(V("l"), L(1), L(3))
    assert expr("l[..3]") == a.Slice(V("l"), None, L(3))
    assert expr("l[1..]") == a.Slice(V("l"), L(1), None)
    assert expr("n:A:B") == a.HasLabels(V("n"), ("A", "B"))


@pytest.mark.parametrize(
    "text, op",
    [("STARTS WITH", "STARTS WITH"), ("ENDS WITH", "ENDS WITH"), ("CONTAINS", "CONTAINS"),
     ("=~", "=~")],
)  # fmt: skip
def test_string_predicates(text, op):
    assert where(f"n.name {text} 'x'") == a.StringPredicate(op, prop("n", "name"), L("x"))


def test_null_and_list_predicates():
    assert where("n.x IS NULL") == a.IsNull(prop("n", "x"))
    assert where("n.x IS NOT NULL") == a.IsNotNull(prop("n", "x"))
    assert where("n.x IN [1, 2]") == a.In(prop("n", "x"), a.ListLiteral((L(1), L(2))))


@pytest.mark.parametrize("op", ["=", "<>", "<", "<=", ">", ">="])
def test_comparison_operators(op):
    assert expr(f"a {op} b") == a.Comparison(op, V("a"), V("b"))


def test_not_equal_bang_form_is_angle_brackets():
    assert expr("a != b") == a.Comparison("<>", V("a"), V("b"))


def test_comparison_chains_are_conjunctions():
    assert expr("1 < x <= 3") == a.And(
        (a.Comparison("<", L(1), V("x")), a.Comparison("<=", V("x"), L(3)))
    )


def test_boolean_operators_flatten():
    assert expr("a OR b OR c") == a.Or((V("a"), V("b"), V("c")))
    assert expr("a XOR b XOR c") == a.Xor((V("a"), V("b"), V("c")))
    assert expr("a AND b AND c") == a.And((V("a"), V("b"), V("c")))


@pytest.mark.parametrize(
    "text, tree",
    [
        # OR < XOR < AND < NOT < comparison < predicates < + - < * / % < ^ < unary
        ("a OR b XOR c", a.Or((V("a"), a.Xor((V("b"), V("c")))))),
        ("a XOR b AND c", a.Xor((V("a"), a.And((V("b"), V("c")))))),
        ("NOT a AND b", a.And((a.Not(V("a")), V("b")))),
        ("NOT a = b", a.Not(a.Comparison("=", V("a"), V("b")))),
        ("a = b IS NULL", a.Comparison("=", V("a"), a.IsNull(V("b")))),
        ("NOT a IS NULL", a.Not(a.IsNull(V("a")))),
        ("a IN b = c", a.Comparison("=", a.In(V("a"), V("b")), V("c"))),
        ("a + b IN c", a.In(a.BinaryOp("+", V("a"), V("b")), V("c"))),
        ("a + b * c", a.BinaryOp("+", V("a"), a.BinaryOp("*", V("b"), V("c")))),
        ("a - b - c", a.BinaryOp("-", a.BinaryOp("-", V("a"), V("b")), V("c"))),
        ("a * b ^ c", a.BinaryOp("*", V("a"), a.BinaryOp("^", V("b"), V("c")))),
        ("2 ^ 3 ^ 2", a.BinaryOp("^", a.BinaryOp("^", L(2), L(3)), L(2))),
        ("-3 ^ 2", a.BinaryOp("^", L(-3), L(2))),
        ("-x ^ 2", a.BinaryOp("^", a.UnaryOp("-", V("x")), L(2))),
        ("-(3 ^ 2)", a.UnaryOp("-", a.BinaryOp("^", L(3), L(2)))),
        ("1--1", a.BinaryOp("-", L(1), L(-1))),
        ("a % b / c", a.BinaryOp("/", a.BinaryOp("%", V("a"), V("b")), V("c"))),
    ],
)
def test_operator_precedence(text, tree):
    assert expr(text) == tree


def test_case_simple_and_searched():
    assert expr("CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END") == a.Case(
        None, ((V("a"), L(1)), (V("b"), L(2))), L(3)
    )
    assert expr("CASE x WHEN 1 THEN 'one' END") == a.Case(V("x"), ((L(1), L("one")),), None)


def test_function_calls():
    assert expr("toLower(n.name)") == a.FunctionCall("tolower", (prop("n", "name"),))
    assert expr("count(DISTINCT n)") == a.FunctionCall("count", (V("n"),), True)
    assert expr("count(*)") == a.CountStar()
    assert expr("rand()") == a.FunctionCall("rand")
    assert expr("duration.inSeconds(a, b)") == a.FunctionCall(
        "duration.inseconds", (V("a"), V("b"))
    )


def test_only_count_takes_a_star():
    assert "count(*)" in str(error("RETURN sum(*)"))


def test_list_comprehensions():
    assert expr("[x IN l WHERE x > 1 | x * 2]") == a.ListComprehension(
        "x", V("l"), a.Comparison(">", V("x"), L(1)), a.BinaryOp("*", V("x"), L(2))
    )
    assert expr("[x IN l | x]") == a.ListComprehension("x", V("l"), None, V("x"))
    assert expr("[x IN l WHERE x]") == a.ListComprehension("x", V("l"), V("x"))
    # as on ArcadeDB: a lone "x IN list" in brackets is the identity comprehension
    assert expr("[x IN l]") == a.ListComprehension("x", V("l"))


def test_pattern_comprehension():
    assert expr("[p = (a)-[:T]->(b:B) WHERE b.x > 1 | b.name]") == a.PatternComprehension(
        a.PathPattern((N("a"), R(None, ("T",), "out"), N("b", ("B",))), "p"),
        a.Comparison(">", prop("b", "x"), L(1)),
        prop("b", "name"),
    )
    assert "needs '| expression'" in str(error("RETURN [(a)-->(b) WHERE b.x] AS l"))


@pytest.mark.parametrize("kind", ["all", "any", "none", "single"])
def test_quantifiers(kind):
    assert expr(f"{kind}(x IN l WHERE x > 0)") == a.Quantifier(
        kind, "x", V("l"), a.Comparison(">", V("x"), L(0))
    )


def test_reduce():
    assert expr("reduce(s = 0, x IN l | s + x)") == a.Reduce(
        "s", L(0), "x", V("l"), a.BinaryOp("+", V("s"), V("x"))
    )


def test_map_projection():
    assert expr("n {.name, .*, k: 1, v}") == a.MapProjection(
        V("n"),
        (a.PropertySelector("name"), a.AllPropertiesSelector(), ("k", L(1)), ("v", V("v"))),
    )


def test_exists_subqueries():
    assert where("exists { (n)-->(m) WHERE m.x = 1 }") == a.ExistsSubquery(
        a.SingleQuery(
            (
                a.Match(
                    (a.PathPattern((N("n"), R(direction="out"), N("m"))),),
                    a.Comparison("=", prop("m", "x"), L(1)),
                ),
            )
        )
    )
    full = where("EXISTS { MATCH (n)-->(m) RETURN m }")
    assert isinstance(full, a.ExistsSubquery) and len(full.query.clauses) == 2  # type: ignore[attr-defined]
    assert isinstance(where("COUNT { (n)-->() } > 1").left, a.CountSubquery)  # type: ignore[attr-defined]


def test_exists_subquery_cannot_write():
    assert "updating clauses" in str(
        error("MATCH (n) WHERE exists { MATCH (n)-->(m) SET m.x = 1 } RETURN n")
    )


# ============================================================================ pattern predicates


@pytest.mark.parametrize(
    "text, first",
    [
        ("(n)-->()", N("n")),
        ("(n:A)-->()", N("n", ("A",))),
        ("(n {k: 1})-->()", N("n", (), a.MapLiteral((("k", L(1)),)))),
        ("(n:A {k: 1})-->()", N("n", ("A",), a.MapLiteral((("k", L(1)),)))),
        ("(n $p)-->()", N("n", (), a.Parameter("p"))),
        ("()-->(n)", N()),
        ("(:A {k: 1})-->(n)", N(None, ("A",), a.MapLiteral((("k", L(1)),)))),
    ],
)
def test_pattern_predicates_start_with_any_node_form(text, first):
    predicate = where(text)
    assert isinstance(predicate, a.PatternPredicate)
    assert predicate.pattern.elements[0] == first


def test_pattern_predicate_under_boolean_operators():
    assert where("NOT (n)-[:T]->(:B) AND n.x = 1") == a.And(
        (
            a.Not(
                a.PatternPredicate(a.PathPattern((N("n"), R(None, ("T",), "out"), N(None, ("B",)))))
            ),
            a.Comparison("=", prop("n", "x"), L(1)),
        )
    )


def test_parenthesised_expression_before_a_minus_is_arithmetic():
    assert expr("(a) - 1") == a.BinaryOp("-", V("a"), L(1))
    assert expr("(a)-1") == a.BinaryOp("-", V("a"), L(1))
    assert expr("(x) < -1") == a.Comparison("<", V("x"), L(-1))


@pytest.mark.parametrize(
    "text, column",
    [
        ("MATCH (n) RETURN (n)-[]->()", 18),
        ("MATCH (n) RETURN size((n)-->())", 23),
        ("MATCH (n) WITH (n)-->() AS x RETURN x", 16),
        ("MATCH (n) SET n.p = head(nodes(head((n)-[:R]->()))).foo", 37),
    ],
)
def test_a_pattern_is_only_a_predicate(text, column):
    problem = error(text)
    assert "can only be a predicate" in str(problem)
    assert (problem.line, problem.column) == (1, column)


def test_exists_function_takes_a_pattern():
    assert where("exists((n)-->())") == a.FunctionCall(
        "exists", (a.PatternPredicate(a.PathPattern((N("n"), R(direction="out"), N()))),)
    )


# ============================================================================== names and words


def test_keywords_are_names_where_no_keyword_fits():
    (match, ret) = clauses("MATCH (order:Match {count: 1}) RETURN order.exists AS `where`")
    assert match.patterns[0].nodes[0] == N("order", ("Match",), a.MapLiteral((("count", L(1)),)))  # type: ignore[attr-defined]
    assert ret.items[0] == a.ProjectionItem(prop("order", "exists"), "where", "order.exists")  # type: ignore[attr-defined]


def test_keywords_are_case_insensitive():
    assert parse("match (n) where n.x = 1 return n") == parse("MATCH (n) WHERE n.x = 1 RETURN n")


def test_quoted_names_unescape_doubled_backticks():
    assert expr("`a``b`") == V("a`b")


def test_comments_are_ignored():
    assert parse("MATCH (n) // all nodes\n/* block\ncomment */ RETURN n") == parse(
        "MATCH (n) RETURN n"
    )


def test_trailing_semicolon():
    assert parse("RETURN 1;") == parse("RETURN 1")


# ==================================================================================== errors


def test_syntax_error_points_at_line_and_column_with_the_statement():
    problem = error("MATCH (n)\nWHERE n.x = 1\nRETURN n m")
    assert (problem.line, problem.column) == (3, 10)
    assert problem.token == "m"
    assert "line 3, column 10" in str(problem)
    assert "  RETURN n m\n           ^" in str(problem)
    assert problem.text == "MATCH (n)\nWHERE n.x = 1\nRETURN n m"


def test_error_names_what_was_expected():
    problem = error("MATCH (a)-[:LIKES..]->(c) RETURN c")
    assert (problem.line, problem.column) == (1, 18)
    assert "'*'" in str(problem) and "']'" in str(problem)


def test_unterminated_string_and_unknown_character():
    assert "unterminated quote" in str(error("RETURN 'abc"))
    problem = error("RETURN 42 — 41")
    assert (problem.column, problem.token) == (11, "—")


def test_end_of_input_error():
    problem = error("MATCH (n) RETURN")
    assert "end of input" in str(problem)
    assert (problem.line, problem.column) == (1, 17)


def test_bad_comprehension_forms():
    assert "[x IN list ...]" in str(error("RETURN [1 WHERE true | 2] AS x"))
    assert "not a function" in str(error("RETURN foo(x IN l WHERE x) AS x"))
    assert "reduce" in str(error("RETURN reduce(0, x IN l | x) AS x"))


def test_deep_nesting_is_a_parse_error_not_a_crash():
    deep = "RETURN " + "[" * (MAX_NESTING + 10) + "]" * (MAX_NESTING + 10)
    assert "nests too deeply" in str(error(deep))


def test_non_string_input_is_a_type_error():
    with pytest.raises(TypeError):
        parse(42)  # type: ignore[arg-type]


# ===================================================================================== cache


def test_parse_cache_returns_the_same_object_and_can_be_cleared():
    text = "MATCH (n:CacheProbe) RETURN n"
    first = parse(text)
    assert parse(text) is first
    clear_cache()
    again = parse(text)
    assert again == first and again is not first


def test_parameters_do_not_defeat_the_cache():
    text = "MATCH (n) WHERE n.id = $id RETURN n"
    assert parse(text) is parse(text)  # one AST whatever $id is bound to later


def test_parsing_from_threads_gives_equal_trees():
    texts = [f"MATCH (n:T{i}) WHERE n.x > {i} RETURN n.x AS x{i}" for i in range(40)]
    clear_cache()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(parse, texts * 3))
    clear_cache()
    assert results == [parse(t) for t in texts * 3]


def test_not_nests_but_needs_parentheses_under_a_comparison():
    assert expr("NOT NOT a") == a.Not(a.Not(V("a")))
    assert expr("a = (NOT b)") == a.Comparison("=", V("a"), a.Not(V("b")))
    problem = error("RETURN a = NOT b")
    assert "NOT needs parentheses" in str(problem) and problem.column == 12


def test_parenthesised_comparisons_do_not_chain():
    assert expr("(a < b) < c") == a.Comparison("<", a.Comparison("<", V("a"), V("b")), V("c"))
