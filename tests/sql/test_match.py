"""MATCH (query/match.py): ArcadeDB's pattern matching, row shapes and search plan, on a small
social graph built with the Python API.

The graph::

    alice(30) -Knows(2010)-> bob(25) -Knows(2012)-> carol(35) -Knows(2018)-> dave(40)
    alice -Knows(2015)-> carol          eve(22, an Employee) -Knows(2020)-> alice
    alice, bob -LivesIn-> rome          carol, dave -LivesIn-> paris        (eve lives nowhere)
"""

from __future__ import annotations

import pytest

from arcadelite import QueryError, SchemaError, Vertex
from arcadelite.query import describe_match, execute_match
from arcadelite.query.match import DEFAULT_ALIAS_PREFIX


@pytest.fixture
def g(db):
    schema = db.schema
    schema.create_vertex_type("Person")
    schema.create_vertex_type("Employee", supertypes=["Person"])
    schema.create_vertex_type("City")
    schema.create_edge_type("Knows")
    schema.create_edge_type("LivesIn")
    schema.create_property("Person", "name", "STRING")
    schema.create_index("Person", ["name"], unique=True)
    people = {}
    with db.transaction():
        for name, age in [("alice", 30), ("bob", 25), ("carol", 35), ("dave", 40)]:
            people[name] = db.new_vertex("Person").set("name", name).set("age", age).save()
        people["eve"] = db.new_vertex("Employee").set("name", "eve").set("age", 22).save()
        cities = {n: db.new_vertex("City").set("name", n).save() for n in ("rome", "paris")}
        for a, b, since in [("alice", "bob", 2010), ("alice", "carol", 2015),
                            ("bob", "carol", 2012), ("carol", "dave", 2018),
                            ("eve", "alice", 2020)]:  # fmt: skip
            people[a].new_edge("Knows", people[b], since=since)
        for person, city in [("alice", "rome"), ("bob", "rome"), ("carol", "paris"),
                             ("dave", "paris")]:  # fmt: skip
            people[person].new_edge("LivesIn", cities[city])
    db.v = {**people, **cities}
    return db


def rows(db, text, *args, **kwargs):
    return [r.to_dict(convert_types=False) for r in execute_match(db, text, *args, **kwargs)]


def values(db, text, *args, **kwargs):
    """Each row's values as a tuple (one-column rows as the bare value)."""
    out = []
    for row in rows(db, text, *args, **kwargs):
        items = tuple(row.values())
        out.append(items[0] if len(items) == 1 else items)
    return out


# ------------------------------------------------------------------------------ row shapes


def test_return_alias_gives_a_row_holding_the_immutable_record(g):
    (row,) = execute_match(g, "MATCH {type: Person, as: p, where: (name = 'alice')} RETURN p")
    assert row.get_property_names() == ["p"]
    record = row.get("p")
    assert isinstance(record, Vertex)
    assert record.get("name") == "alice"
    assert record.get_identity() == g.v["alice"].get_identity()
    with pytest.raises(AttributeError):
        record.set("name", "x")


def test_return_alias_property_is_named_alias_dot_property_unless_aliased(g):
    text = "MATCH {type: Person, as: p, where: (name = 'bob')}.out('Knows'){as: f} RETURN "
    assert rows(g, text + "p.name, f.name") == [{"p.name": "bob", "f.name": "carol"}]
    assert rows(g, text + "p.name AS who, f.age + 1 AS next") == [{"who": "bob", "next": 36}]
    assert rows(g, text + "f.@rid AS rid") == [{"rid": g.v["carol"].get_identity()}]


def test_return_matches_gives_one_row_of_the_user_aliases(g):
    text = ("MATCH {type: Person, as: p, where: (name = 'alice')}.out('Knows'){}"
            ".out('Knows'){as: f} RETURN ")  # fmt: skip
    for special in ("$matches", "$patterns"):
        got = rows(g, text + special)
        assert sorted((r["p"].get("name"), r["f"].get("name")) for r in got) == [
            ("alice", "carol"), ("alice", "dave")]  # fmt: skip
        assert all(list(r) == ["p", "f"] for r in got)


def test_return_paths_includes_the_default_aliases_of_anonymous_nodes(g):
    got = rows(g, "MATCH {type: Person, as: p, where: (name = 'bob')}.out('Knows'){}"
                  ".out('Knows'){as: f} RETURN $paths")  # fmt: skip
    assert len(got) == 1
    assert list(got[0]) == ["p", f"{DEFAULT_ALIAS_PREFIX}0", "f"]
    assert [v.get("name") for v in got[0].values()] == ["bob", "carol", "dave"]


def test_return_elements_unrolls_each_alias_record_as_an_element_row(g):
    result = execute_match(g, "MATCH {type: Person, as: p, where: (name = 'alice')}"
                              ".out('Knows'){as: f} RETURN $elements")  # fmt: skip
    assert all(r.is_element() for r in result)
    assert [r.get("name") for r in result] == ["alice", "bob", "alice", "carol"]
    distinct = execute_match(g, "MATCH {type: Person, as: p, where: (name = 'alice')}"
                                ".out('Knows'){as: f} RETURN DISTINCT $elements")  # fmt: skip
    assert [r.get("name") for r in distinct] == ["alice", "bob", "carol"]


def test_return_path_elements_includes_anonymous_nodes(g):
    result = execute_match(g, "MATCH {type: Person, as: p, where: (name = 'bob')}.out('Knows'){}"
                              ".out('Knows'){as: f} RETURN $pathElements")  # fmt: skip
    assert [r.get("name") for r in result] == ["bob", "carol", "dave"]


# ------------------------------------------------------------------------------ steps


def test_method_step_and_arrow_find_the_same_matches(g):
    expected = [("alice", "bob"), ("alice", "carol"), ("bob", "carol"), ("carol", "dave"),
                ("eve", "alice")]  # fmt: skip
    method = values(g, "MATCH {type: Person, as: a}.out('Knows'){as: b} RETURN a.name, b.name")
    arrow = values(g, "MATCH {type: Person, as: a}-Knows->{as: b} RETURN a.name, b.name")
    back = values(g, "MATCH {as: b}<-Knows-{type: Person, as: a} RETURN a.name, b.name")
    assert sorted(method) == sorted(arrow) == sorted(back) == expected


def test_in_and_both_steps(g):
    start = "MATCH {type: Person, as: p, where: (name = 'carol')}"
    assert sorted(values(g, start + ".in('Knows'){as: x} RETURN x.name")) == ["alice", "bob"]
    assert sorted(values(g, start + ".both('Knows'){as: x} RETURN x.name")) == [
        "alice", "bob", "dave"]  # fmt: skip
    assert sorted(values(g, start + "-Knows-{as: x} RETURN x.name")) == ["alice", "bob", "dave"]
    assert sorted(values(g, start + "<--{as: x} RETURN x.name")) == ["alice", "bob"]


def test_a_step_without_labels_follows_every_edge_type_and_several_labels_combine(g):
    start = "MATCH {type: Person, as: p, where: (name = 'alice')}"
    assert sorted(values(g, start + ".out(){as: x} RETURN x.name")) == ["bob", "carol", "rome"]
    assert sorted(values(g, start + "-->{as: x} RETURN x.name")) == ["bob", "carol", "rome"]
    assert sorted(values(g, start + ".out('Knows', 'LivesIn'){as: x} RETURN x.name")) == [
        "bob", "carol", "rome"]  # fmt: skip
    assert values(g, start + ".out('LivesIn'){as: x} RETURN x.name") == ["rome"]
    assert values(g, start + ".out('NoSuchEdge'){as: x} RETURN x.name") == []


def test_type_on_a_reached_node_filters_it(g):
    start = "MATCH {type: Person, as: p, where: (name = 'alice')}"
    assert values(g, start + ".out(){type: City, as: x} RETURN x.name") == ["rome"]
    assert values(g, start + ".in(){type: Employee, as: x} RETURN x.name") == ["eve"]


def test_two_hops_through_an_anonymous_node(g):
    got = values(g, "MATCH {type: Person, as: p, where: (name = 'alice')}.out('Knows'){}"
                    ".out('Knows'){as: f} RETURN f.name")  # fmt: skip
    assert sorted(got) == ["carol", "dave"]


def test_edge_steps_bind_edge_records(g):
    got = values(g, "MATCH {type: Person, as: p, where: (name = 'alice')}.outE('Knows'){as: e}"
                    ".inV(){as: f} RETURN e.since, f.name, e.@type ORDER BY e.since")  # fmt: skip
    assert got == [(2010, "bob", "Knows"), (2015, "carol", "Knows")]
    filtered = values(g, "MATCH {type: Person, as: p}.outE('Knows'){where: (since > 2014)}"
                         ".inV(){as: f} RETURN p.name, f.name")  # fmt: skip
    assert sorted(filtered) == [("alice", "carol"), ("carol", "dave"), ("eve", "alice")]
    incoming = values(g, "MATCH {type: Person, as: p, where: (name = 'carol')}.inE(){as: e}"
                         ".outV(){as: f} RETURN f.name, e.since")  # fmt: skip
    assert sorted(incoming) == [("alice", 2015), ("bob", 2012)]


def test_both_e_and_both_v(g):
    got = values(g, "MATCH {type: Person, as: p, where: (name = 'bob')}.bothE('Knows'){as: e}"
                    ".bothV(){as: x, where: (@rid <> $matched.p.@rid)} RETURN x.name")  # fmt: skip
    assert sorted(got) == ["alice", "carol"]


# ------------------------------------------------------------------------- pattern shapes


def test_an_alias_shared_by_paths_joins_them(g):
    got = values(g, "MATCH {type: Person, as: a}.out('Knows'){as: b}, "
                    "{as: b}.out('LivesIn'){as: c, where: (name = 'paris')} "
                    "RETURN a.name, b.name")  # fmt: skip
    assert sorted(got) == [("alice", "carol"), ("bob", "carol"), ("carol", "dave")]


def test_a_cycle_back_to_a_bound_alias_checks_the_edge(g):
    got = values(g, "MATCH {type: Person, as: a}.out('Knows'){as: b}.out('Knows'){as: c}, "
                    "{as: a}.out('Knows'){as: c} RETURN a.name, b.name, c.name")  # fmt: skip
    assert got == [("alice", "bob", "carol")]


def test_an_alias_given_twice_ands_its_conditions(g):
    got = values(g, "MATCH {type: Person, as: a, where: (age > 24)}.out('Knows'){as: b}, "
                    "{as: a, where: (age < 31)} RETURN a.name, b.name")  # fmt: skip
    assert sorted(got) == [("alice", "bob"), ("alice", "carol"), ("bob", "carol")]


def test_the_most_specific_type_of_an_alias_wins(g):
    got = values(g, "MATCH {type: Person, as: a}.out('Knows'){as: b}, {type: Employee, as: a} "
                    "RETURN a.name, b.name")  # fmt: skip
    assert got == [("eve", "alice")]


def test_types_are_polymorphic(g):
    assert sorted(values(g, "MATCH {type: Person, as: p} RETURN p.name")) == [
        "alice", "bob", "carol", "dave", "eve"]  # fmt: skip
    assert values(g, "MATCH {class: Employee, as: p} RETURN p.name") == ["eve"]


def test_disjoint_paths_make_a_cartesian_product(g):
    got = values(g, "MATCH {type: City, as: c}, {type: Person, as: p, where: (age > 34)} "
                    "RETURN c.name, p.name")  # fmt: skip
    assert sorted(got) == [("paris", "carol"), ("paris", "dave"), ("rome", "carol"),
                           ("rome", "dave")]  # fmt: skip


def test_not_pattern_drops_the_matches_it_finds(g):
    got = values(g, "MATCH {type: Person, as: p}.out('Knows'){as: f}, "
                    "NOT {as: p}.out('LivesIn'){where: (name = 'rome')} RETURN DISTINCT p.name")  # fmt: skip
    assert sorted(got) == ["carol", "eve"]


def test_not_pattern_ending_on_a_bound_alias_checks_that_record(g):
    # pairs a -> b where a does not also reach b in two Knows hops
    got = values(g, "MATCH {type: Person, as: a}.out('Knows'){as: b}, "
                    "NOT {as: a}.out('Knows'){}.out('Knows'){as: b} RETURN a.name, b.name")  # fmt: skip
    assert sorted(got) == [("alice", "bob"), ("bob", "carol"), ("carol", "dave"),
                           ("eve", "alice")]  # fmt: skip


def test_optional_node_is_null_when_nothing_matches(g):
    got = values(g, "MATCH {type: Person, as: p}.out('LivesIn'){as: c, optional: true} "
                    "RETURN p.name, c.name ORDER BY p.name")  # fmt: skip
    assert got == [("alice", "rome"), ("bob", "rome"), ("carol", "paris"), ("dave", "paris"),
                   ("eve", None)]  # fmt: skip


# ---------------------------------------------------------------------- while / maxDepth


def test_while_matches_the_start_and_every_path_while_the_condition_holds(g):
    got = values(g, "MATCH {type: Person, as: p, where: (name = 'eve')}"
                    ".out('Knows'){as: x, while: ($depth < 2), depthAlias: d} RETURN x.name, d")  # fmt: skip
    assert got == [("eve", 0), ("alice", 1), ("bob", 2), ("carol", 2)]


def test_max_depth_bounds_the_walk_and_each_path_gives_a_row(g):
    text = ("MATCH {type: Person, as: p, where: (name = 'eve')}.out('Knows')"
            "{as: x, maxDepth: %d, depthAlias: d} RETURN x.name, d")  # fmt: skip
    assert values(g, text % 0) == [("eve", 0)]
    assert values(g, text % 2) == [("eve", 0), ("alice", 1), ("bob", 2), ("carol", 2)]
    # carol is reached by two paths (eve-alice-bob-carol and eve-alice-carol): two rows
    assert values(g, text % 3) == [("eve", 0), ("alice", 1), ("bob", 2), ("carol", 3),
                                   ("carol", 2), ("dave", 3)]  # fmt: skip


def test_a_where_on_a_recursive_node_filters_what_it_binds_not_where_it_walks(g):
    got = values(g, "MATCH {type: Person, as: p, where: (name = 'eve')}.out('Knows')"
                    "{as: x, while: (true), where: (age > 30)} RETURN x.name")  # fmt: skip
    assert got == ["carol", "dave", "carol", "dave"]


def test_path_alias_holds_the_rids_walked_from_the_start(g):
    got = rows(g, "MATCH {type: Person, as: p, where: (name = 'bob')}.out('Knows')"
                  "{as: x, maxDepth: 2, pathAlias: route} RETURN x.name, route")  # fmt: skip
    v = {k: r.get_identity() for k, r in g.v.items()}
    assert got == [{"x.name": "bob", "route": []},
                   {"x.name": "carol", "route": [v["carol"]]},
                   {"x.name": "dave", "route": [v["carol"], v["dave"]]}]  # fmt: skip


def test_while_without_max_depth_stops_at_cycles(g):
    with g.transaction():
        g.v["dave"].new_edge("Knows", g.v["eve"], since=2021)
    got = values(g, "MATCH {type: Person, as: p, where: (name = 'carol')}"
                    ".out('Knows'){as: x, while: (true), depthAlias: d} RETURN x.name, d")  # fmt: skip
    assert got == [("carol", 0), ("dave", 1), ("eve", 2), ("alice", 3), ("bob", 4)]


# -------------------------------------------------------------------- context variables


def test_where_reads_the_aliases_matched_so_far(g):
    got = values(g, "MATCH {type: Person, as: a}.out('Knows'){as: b, where: "
                    "(age > $matched.a.age)} RETURN a.name, b.name")  # fmt: skip
    assert sorted(got) == [("alice", "carol"), ("bob", "carol"), ("carol", "dave"),
                           ("eve", "alice")]  # fmt: skip


def test_current_match_is_the_candidate(g):
    got = values(g, "MATCH {type: Person, as: a}.out('Knows'){as: b, where: "
                    "($currentMatch.name = 'carol')} RETURN a.name")  # fmt: skip
    assert sorted(got) == ["alice", "bob"]


def test_parameters_positional_and_named(g):
    text = "MATCH {type: Person, as: p, where: (name = ?)}.out(?){as: f} RETURN f.name"
    assert sorted(values(g, text, "alice", "Knows")) == ["bob", "carol"]
    named = "MATCH {type: Person, as: p, where: (age > :min)}.out('LivesIn'){as: c} RETURN c.name"
    assert sorted(values(g, named, min=32)) == ["paris", "paris"]
    assert sorted(values(g, named, {"min": 27})) == ["paris", "paris", "rome"]


def test_a_rid_node_starts_the_search(g):
    carol = g.v["carol"].get_identity()
    assert values(g, f"MATCH {{rid: {carol}, as: c}}.in('Knows'){{as: x}} RETURN x.name "
                     "ORDER BY x.name") == ["alice", "bob"]  # fmt: skip
    assert values(g, "MATCH {rid: ?, as: c}.out(){as: x} RETURN x.name ORDER BY x.name",
                  carol) == ["dave", "paris"]  # fmt: skip
    assert values(g, "MATCH {rid: #999:0, as: c} RETURN c") == []


# --------------------------------------------------------------------------------- RETURN


def test_distinct_order_by_skip_and_limit(g):
    base = "MATCH {type: Person, as: a}.out('Knows'){as: b} RETURN "
    assert values(g, base + "DISTINCT b.name ORDER BY b.name") == [
        "alice", "bob", "carol", "dave"]  # fmt: skip
    assert values(g, base + "b.name ORDER BY b.name DESC SKIP 1 LIMIT 2") == ["carol", "carol"]
    assert values(g, base + "a.name, b.name ORDER BY b.name DESC, a.name LIMIT 3") == [
        ("carol", "dave"), ("alice", "carol"), ("bob", "carol")]  # fmt: skip
    assert len(values(g, base + "a.name LIMIT 2")) == 2


def test_group_by_and_aggregates(g):
    got = values(g, "MATCH {type: Person, as: a}.out('Knows'){as: b} "
                    "RETURN a.name AS who, count(*) AS n, max(b.age) AS oldest "
                    "GROUP BY a.name ORDER BY n DESC, who")  # fmt: skip
    assert got == [("alice", 2, 35), ("bob", 1, 35), ("carol", 1, 40), ("eve", 1, 30)]


def test_count_of_no_match_is_zero(g):
    assert rows(g, "MATCH {type: Person, as: a, where: (name = 'nobody')}.out(){as: b} "
                   "RETURN count(*) AS n") == [{"n": 0}]  # fmt: skip


def test_return_alias_records_compare_by_identity_for_distinct(g):
    got = execute_match(g, "MATCH {type: Person, as: a}.out('Knows'){as: b} RETURN DISTINCT b")
    assert sorted(r.get("b").get("name") for r in got) == ["alice", "bob", "carol", "dave"]


# --------------------------------------------------------------------------- search plan


def test_search_starts_from_the_uniquely_indexed_node_and_walks_steps_backwards(g):
    text = ("MATCH {type: Person, as: a}.out('Knows'){type: Person, as: b, "
            "where: (name = 'dave')} RETURN a.name")  # fmt: skip
    assert describe_match(g, text) == ["start b (scan Person)", "bind a = b.in() (reversed)"]
    assert values(g, text) == ["carol"]


def test_edge_steps_are_walked_backwards_too(g):
    text = ("MATCH {type: Person, as: p}.outE('Knows'){as: e}.inV(){type: Person, as: q, "
            "where: (name = 'carol')} RETURN p.name, e.since")  # fmt: skip
    assert describe_match(g, text) == ["start q (scan Person)", "bind e = q.inE() (reversed)",
                                "bind p = e.outV() (reversed)"]  # fmt: skip
    assert sorted(values(g, text)) == [("alice", 2015), ("bob", 2012)]
    # walking outE('LivesIn') backwards from a Knows edge finds nothing
    other = ("MATCH {type: Person, as: p}.outE('LivesIn'){as: e}.inV(){type: Person, as: q, "
             "where: (name = 'carol')} RETURN p.name")  # fmt: skip
    assert values(g, other) == []


def test_a_rid_beats_an_index_and_a_while_step_is_only_walked_forwards(g):
    text = ("MATCH {type: Person, as: a}.out('Knows'){as: b, while: ($depth < 1)}, "
            "{rid: ?, as: b} RETURN a.name")  # fmt: skip
    assert describe_match(g, text) == [
        "start b (rid)", "start a (scan Person)", "check b = a.out()"]  # fmt: skip
    # the while node matches the start itself (depth 0) and its neighbours (depth 1)
    assert sorted(values(g, text, g.v["bob"].get_identity())) == ["alice", "bob"]


def test_the_smallest_type_starts_when_nothing_is_indexed(g):
    text = "MATCH {type: Person, as: p}.out('LivesIn'){type: City, as: c} RETURN p.name"
    assert describe_match(g, text) == ["start c (scan City)", "bind p = c.in() (reversed)"]
    assert sorted(values(g, text)) == ["alice", "bob", "carol", "dave"]


def test_two_hops_from_one_start_are_index_seeks_only(g):
    statements = []

    def tracer(cursor, sql, bindings):
        statements.append((sql, bindings))
        return True

    text = ("MATCH {type: Person, as: a, where: (name = ?)}.out('Knows'){as: b}"
            ".out('Knows'){as: c} RETURN c.name")  # fmt: skip
    execute_match(g, text, "alice")  # plans are cached from here on
    storage = g._storage
    session = storage.session()
    session.conn.exec_trace = tracer
    try:
        assert sorted(values(g, text, "alice")) == ["carol", "dave"]
    finally:
        session.conn.exec_trace = None
    assert statements
    for sql, bindings in statements:
        for line in storage.explain(session, sql, bindings):
            # SEARCH = index seek; the rest is structure (Person's UNION ALL with Employee,
            # the json_each list of positions that load_many seeks by primary key)
            assert line.startswith(("SEARCH", "SCAN json_each", "LIST SUBQUERY",
                                    "COMPOUND QUERY", "LEFT-MOST SUBQUERY", "UNION ALL")), (
                sql, line)  # fmt: skip


def test_limit_stops_the_search_early(g):
    statements = []

    def tracer(cursor, sql, bindings):
        statements.append(sql)
        return True

    text = "MATCH {type: Person, as: a}.out('Knows'){as: b}.out('Knows'){as: c} RETURN c.name"
    session = g._storage.session()
    counts = []
    for suffix in ("", " LIMIT 1"):
        execute_match(g, text + suffix)
        statements.clear()
        session.conn.exec_trace = tracer
        try:
            execute_match(g, text + suffix)
        finally:
            session.conn.exec_trace = None
        counts.append(len(statements))
    assert counts[1] < counts[0]


# ---------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "error", "words"),
    [
        ("MATCH {type: Nobody, as: a} RETURN a", SchemaError, ["Nobody"]),
        ("MATCH {as: a}.out(){as: b} RETURN a", QueryError, ["'a'", "'b'", "type or a rid"]),
        ("MATCH {type: Person, as: a}, NOT {as: z}.out(){} RETURN a", QueryError, ["'z'"]),
        ("MATCH {type: Person, as: a}.out(){as: b, optional: true}.out(){as: c} RETURN a",
         QueryError, ["'b'", "optional"]),
        ("MATCH {type: Person, as: a, optional: true} RETURN a", QueryError, ["'a'"]),
        ("MATCH {type: Person, as: a}.out(){type: City, as: b}, {type: Employee, as: b} "
         "RETURN a", QueryError, ["'b'", "City", "Employee"]),
        ("MATCH {type: Person, as: a} RETURN $elements GROUP BY a", QueryError, ["GROUP BY"]),
        ("MATCH {type: Person, as: a}.out(){as: b, maxDepth: -1} RETURN a", QueryError,
         ["maxDepth"]),
    ],
)  # fmt: skip
def test_bad_patterns_raise_errors_naming_the_culprit(g, text, error, words):
    with pytest.raises(error) as info:
        execute_match(g, text)
    for word in words:
        assert word in str(info.value)
