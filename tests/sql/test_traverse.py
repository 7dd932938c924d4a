"""TRAVERSE (query/traverse.py): order, depth, MAXDEPTH/WHILE/LIMIT, strategies and targets, on
a small tree built with the Python API.

The tree (Child edges, in creation order)::

    root -> a -> c -> f
         |    -> d
         -> b -> e
"""

from __future__ import annotations

import pytest

from arcadelite import Edge, ParseError, QueryError, SchemaError
from arcadelite.query import execute_traverse
from arcadelite.query.traverse import traversal_depth, traversal_path


@pytest.fixture
def t(db):
    db.schema.create_vertex_type("Node")
    db.schema.create_edge_type("Child")
    db.schema.create_edge_type("Other")
    with db.transaction():
        nodes = {n: db.new_vertex("Node").set("name", n).save() for n in
                 ("root", "a", "b", "c", "d", "e", "f")}  # fmt: skip
        for parent, child in [("root", "a"), ("root", "b"), ("a", "c"), ("a", "d"), ("b", "e"),
                              ("c", "f")]:  # fmt: skip
            nodes[parent].new_edge("Child", nodes[child])
    db.n = nodes
    db.rid = {name: v.get_identity() for name, v in nodes.items()}
    return db


def walk(db, text, *args, **kwargs):
    """(name, depth) per row."""
    return [
        (r.get("name"), traversal_depth(r)) for r in execute_traverse(db, text, *args, **kwargs)
    ]


def names(db, text, *args, **kwargs):
    return [r.get("name") for r in execute_traverse(db, text, *args, **kwargs)]


def test_depth_first_is_the_default_pre_order_with_depths(t):
    expected = [("root", 0), ("a", 1), ("c", 2), ("f", 3), ("d", 2), ("b", 1), ("e", 2)]
    assert walk(t, "TRAVERSE out('Child') FROM ?", t.rid["root"]) == expected
    assert walk(t, "TRAVERSE out('Child') FROM ? STRATEGY DEPTH_FIRST", t.rid["root"]) == expected


def test_breadth_first_goes_level_by_level(t):
    got = walk(t, "TRAVERSE out() FROM ? STRATEGY BREADTH_FIRST", t.rid["root"])
    assert got == [("root", 0), ("a", 1), ("b", 1), ("c", 2), ("d", 2), ("e", 2), ("f", 3)]


def test_rows_are_element_rows_carrying_their_path(t):
    rows = execute_traverse(t, f"TRAVERSE out() FROM {t.rid['root']}")
    assert all(r.is_element() for r in rows)
    assert rows[0].to_dict() == {"name": "root", "@rid": str(t.rid["root"]), "@type": "Node",
                                 "@cat": "v"}  # fmt: skip
    f = next(r for r in rows if r.get("name") == "f")
    assert traversal_path(f) == [t.rid[n] for n in ("root", "a", "c", "f")]


@pytest.mark.parametrize("strategy", ["DEPTH_FIRST", "BREADTH_FIRST"])
def test_maxdepth_keeps_records_up_to_that_depth(t, strategy):
    text = f"TRAVERSE out() FROM ? MAXDEPTH %d STRATEGY {strategy}"
    assert names(t, text % 0, t.rid["root"]) == ["root"]
    assert sorted(names(t, text % 1, t.rid["root"])) == ["a", "b", "root"]
    assert sorted(names(t, text % 2, t.rid["root"])) == ["a", "b", "c", "d", "e", "root"]


def test_while_on_depth_is_checked_before_a_record_is_visited(t):
    assert walk(t, "TRAVERSE out() FROM ? WHILE $depth < 2", t.rid["root"]) == [
        ("root", 0), ("a", 1), ("b", 1)]  # fmt: skip
    assert walk(t, "TRAVERSE out() FROM ? WHILE $depth <= 1", t.rid["root"]) == [
        ("root", 0), ("a", 1), ("b", 1)]  # fmt: skip


def test_a_record_failing_while_is_neither_returned_nor_expanded(t):
    assert names(t, "TRAVERSE out() FROM ? WHILE name <> 'a'", t.rid["root"]) == [
        "root", "b", "e"]  # fmt: skip
    assert names(t, "TRAVERSE out() FROM ? WHILE name <> 'root'", t.rid["root"]) == []


def test_while_sees_the_path_walked(t):
    got = names(t, "TRAVERSE out() FROM ? WHILE $path.size() < 3", t.rid["root"])
    assert got == ["root", "a", "b"]


def test_limit_stops_after_n_rows(t):
    assert names(t, "TRAVERSE out() FROM ? LIMIT 3", t.rid["root"]) == ["root", "a", "c"]
    assert names(t, "TRAVERSE out() FROM ? LIMIT ?", t.rid["root"], 2) == ["root", "a"]
    assert names(t, "TRAVERSE out() FROM ? LIMIT 0", t.rid["root"]) == []


def test_in_and_both(t):
    assert names(t, "TRAVERSE in() FROM ?", t.rid["f"]) == ["f", "c", "a", "root"]
    assert names(t, "TRAVERSE both() FROM ? MAXDEPTH 1", t.rid["a"]) == ["a", "c", "d", "root"]


def test_each_record_is_returned_once_even_on_cycles(t):
    with t.transaction():
        t.n["f"].new_edge("Child", t.n["root"])
        t.n["e"].new_edge("Child", t.n["a"])
    got = names(t, "TRAVERSE out() FROM ?", t.rid["root"])
    assert sorted(got) == ["a", "b", "c", "d", "e", "f", "root"]
    assert sorted(names(t, "TRAVERSE both() FROM ? STRATEGY BREADTH_FIRST", t.rid["c"])) == [
        "a", "b", "c", "d", "e", "f", "root"]  # fmt: skip


def test_a_shorter_path_found_later_expands_a_record_again(t):
    # x -> p -> y -> c and x -> q -> c (Other edges), then c -> f (Child)
    with t.transaction():
        x, p, q, y = (t.new_vertex("Node").set("name", n).save() for n in ("x", "p", "q", "y"))
        for tail, head in [(x, p), (x, q), (p, y), (y, t.n["c"]), (q, t.n["c"])]:
            tail.new_edge("Other", head)
    got = walk(t, "TRAVERSE out() FROM ? MAXDEPTH 3", x.get_identity())
    # depth-first reaches c first at depth 3 (no further), then through q at depth 2: c is not
    # returned again but is expanded again, so f (3 hops away) is found, as in ArcadeDB
    assert got == [("x", 0), ("p", 1), ("y", 2), ("c", 3), ("q", 1), ("f", 3)]


def test_edges_can_be_traversed_too(t):
    rows = execute_traverse(t, "TRAVERSE outE('Child'), inV() FROM ? MAXDEPTH 2",
                            t.rid["root"])  # fmt: skip
    kinds = ["E" if isinstance(r.get_element(), Edge) else r.get("name") for r in rows]
    assert kinds == ["root", "E", "a", "E", "b"]
    assert [traversal_depth(r) for r in rows] == [0, 1, 2, 1, 2]


def test_a_filtered_field_prunes_what_it_drops(t):
    got = names(t, "TRAVERSE out('Child')[name <> 'c'] FROM ?", t.rid["root"])
    assert got == ["root", "a", "d", "b", "e"]


def test_labels_select_the_edge_types(t):
    with t.transaction():
        t.n["d"].new_edge("Other", t.n["e"])
    assert names(t, "TRAVERSE out('Child') FROM ?", t.rid["d"]) == ["d"]
    assert names(t, "TRAVERSE out('Other') FROM ?", t.rid["d"]) == ["d", "e"]
    assert names(t, "TRAVERSE out('Child', 'Other') FROM ?", t.rid["a"]) == [
        "a", "c", "f", "d", "e"]  # fmt: skip


def test_star_follows_the_links_held_in_properties(t):
    t.schema.create_document_type("Doc")
    with t.transaction():
        leaf = t.new_document("Doc").set("name", "leaf").save()
        other = t.new_document("Doc").set("name", "other").save()
        middle = t.new_document("Doc").set("name", "middle").set("refs", [leaf.get_identity()])
        middle.set("map", {"k": other.get_identity()}).set("note", "#9:9").save()
        top = t.new_document("Doc").set("name", "top").set("one", middle.get_identity()).save()
    assert walk(t, "TRAVERSE * FROM ?", top.get_identity()) == [
        ("top", 0), ("middle", 1), ("leaf", 2), ("other", 2)]  # fmt: skip
    assert names(t, "TRAVERSE refs FROM ?", middle.get_identity()) == ["middle", "leaf"]


def test_targets_rid_list_type_subquery_and_parameter(t):
    r = t.rid
    assert names(t, f"TRAVERSE out() FROM [{r['a']}, {r['b']}]") == [
        "a", "c", "f", "d", "b", "e"]  # fmt: skip
    assert names(t, "TRAVERSE out() FROM ?", [r["c"], r["e"]]) == ["c", "f", "e"]
    # a type: every record is an entry point, at depth 0, returned once
    got = walk(t, "TRAVERSE out() FROM Node")
    assert sorted(got) == sorted((n, 0) for n in ("root", "a", "b", "c", "d", "e", "f"))
    assert names(t, "TRAVERSE out() FROM (SELECT FROM Node WHERE name = 'b')") == ["b", "e"]
    assert names(t, "TRAVERSE in() FROM (SELECT @rid FROM Node WHERE name = 'd')") == [
        "d", "a", "root"]  # fmt: skip
    assert names(t, "TRAVERSE out() FROM :start", start=r["c"]) == ["c", "f"]


def test_errors(t):
    with pytest.raises(ParseError, match="SIDEWAYS"):
        execute_traverse(t, "TRAVERSE out() FROM Node STRATEGY SIDEWAYS")
    with pytest.raises(SchemaError, match="Nobody"):
        execute_traverse(t, "TRAVERSE out() FROM Nobody")
    with pytest.raises(QueryError, match="schema"):
        execute_traverse(t, "TRAVERSE out() FROM schema:types")
