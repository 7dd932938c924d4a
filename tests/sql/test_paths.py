"""shortestPath / dijkstra (query/paths.py) on a small road map built with the Python API.

The map (Road edges carry ``km``; D -> E is a Rail edge; F is isolated)::

    A -1-> B -1-> C -1-> D -Rail-> E        F
    A ------------5-----> D
"""

from __future__ import annotations

import pytest

from arcadelite import QueryError, RecordNotFoundError
from arcadelite.query.paths import dijkstra, shortest_path


@pytest.fixture
def m(db):
    db.schema.create_vertex_type("Place")
    db.schema.create_edge_type("Road")
    db.schema.create_edge_type("Rail")
    with db.transaction():
        v = {n: db.new_vertex("Place").set("name", n).save() for n in "ABCDEF"}
        db.e = {
            "AB": v["A"].new_edge("Road", v["B"], km=1),
            "BC": v["B"].new_edge("Road", v["C"], km=1),
            "CD": v["C"].new_edge("Road", v["D"], km=1),
            "AD": v["A"].new_edge("Road", v["D"], km=5),
            "DE": v["D"].new_edge("Rail", v["E"], km=1),
        }
    db.v = v
    db.name = {vertex.get_identity(): n for n, vertex in v.items()}
    return db


def sp(db, a, b, *args, **kwargs):
    path = shortest_path(db, None, db.v[a].get_identity(), db.v[b].get_identity(), *args, **kwargs)
    return "".join(db.name[rid] for rid in path)


def dj(db, a, b, *args, **kwargs):
    path = dijkstra(db, None, db.v[a].get_identity(), db.v[b].get_identity(), *args, **kwargs)
    return "".join(db.name[rid] for rid in path)


# ---------------------------------------------------------------------------- shortestPath


def test_shortest_path_returns_the_vertex_rids_from_source_to_destination(m):
    path = shortest_path(m, None, m.v["A"].get_identity(), m.v["C"].get_identity(), "OUT")
    assert path == [m.v[n].get_identity() for n in "ABC"]
    assert sp(m, "A", "D") == "AD"  # the fewest hops, whatever the weights


def test_shortest_path_direction(m):
    assert sp(m, "A", "C", "OUT") == "ABC"
    assert sp(m, "C", "A", "OUT") == ""
    assert sp(m, "C", "A", "IN") == "CBA"
    assert sp(m, "E", "C", "BOTH") == "EDC"
    assert sp(m, "E", "C", "both") == "EDC"


def test_shortest_path_edge_labels(m):
    assert sp(m, "A", "E") == "ADE"
    assert sp(m, "A", "E", "BOTH", "Road") == ""
    assert sp(m, "A", "E", "BOTH", ["Road", "Rail"]) == "ADE"
    assert sp(m, "A", "E", "OUT", "NoSuchEdge") == ""


def test_shortest_path_same_vertex_and_unreachable(m):
    assert sp(m, "A", "A") == "A"
    assert sp(m, "A", "F") == ""
    assert sp(m, "F", "A") == ""


def test_shortest_path_max_depth_counts_levels_as_arcadedb_does(m):
    # ArcadeDB's {maxDepth: n} finds paths of at most n - 1 edges
    assert sp(m, "A", "C", "OUT", max_depth=2) == ""
    assert sp(m, "A", "C", "OUT", max_depth=3) == "ABC"
    assert sp(m, "A", "B", "OUT", max_depth=1) == ""
    assert sp(m, "A", "B", "OUT", max_depth=2) == "AB"


def test_shortest_path_with_edges_interleaves_the_edge_rids(m):
    path = shortest_path(m, None, m.v["A"].get_identity(), m.v["C"].get_identity(), "OUT",
                         with_edges=True)  # fmt: skip
    assert path == [m.v["A"].get_identity(), m.e["AB"].get_identity(), m.v["B"].get_identity(),
                    m.e["BC"].get_identity(), m.v["C"].get_identity()]  # fmt: skip
    back = shortest_path(m, None, m.v["C"].get_identity(), m.v["A"].get_identity(), "IN",
                         with_edges=True)  # fmt: skip
    assert back == [m.v["C"].get_identity(), m.e["BC"].get_identity(), m.v["B"].get_identity(),
                    m.e["AB"].get_identity(), m.v["A"].get_identity()]  # fmt: skip


def test_shortest_path_accepts_records_and_rid_text(m):
    path = shortest_path(m, None, m.v["A"], str(m.v["C"].get_identity()), "OUT")
    assert [m.name[r] for r in path] == ["A", "B", "C"]


def test_shortest_path_finds_the_meeting_point_from_both_sides(db):
    # a longer chain, so both frontiers move before they meet
    db.schema.create_vertex_type("N")
    db.schema.create_edge_type("L")
    with db.transaction():
        chain = [db.new_vertex("N").set("i", i).save() for i in range(9)]
        for left, right in zip(chain, chain[1:]):
            left.new_edge("L", right)
        chain[0].new_edge("L", chain[5])  # a shortcut
    path = shortest_path(db, None, chain[0].get_identity(), chain[8].get_identity(), "OUT")
    assert path == [chain[i].get_identity() for i in (0, 5, 6, 7, 8)]


# -------------------------------------------------------------------------------- dijkstra


def test_dijkstra_takes_the_cheapest_path(m):
    path = dijkstra(m, None, m.v["A"].get_identity(), m.v["D"].get_identity(), "km")
    assert path == [m.v[n].get_identity() for n in "ABCD"]  # 3 km, not the 5 km direct road


def test_dijkstra_follows_out_edges_unless_told_otherwise(m):
    assert dj(m, "D", "A", "km") == ""
    assert dj(m, "D", "A", "km", "BOTH") == "DCBA"
    assert dj(m, "D", "A", "km", "IN") == "DCBA"


def test_dijkstra_counts_a_missing_weight_as_zero(m):
    with m.transaction():
        m.v["A"].new_edge("Road", m.v["C"])  # no km: free, as in ArcadeDB
    assert dj(m, "A", "D", "km") == "ACD"


def test_dijkstra_edge_labels_and_hop_count_without_weight(m):
    assert dj(m, "A", "E", "km") == "ABCDE"
    assert dj(m, "A", "E", "km", edge_labels="Road") == ""
    assert dj(m, "A", "D", None) == "AD"  # no weight property: each edge weighs 1


def test_dijkstra_same_vertex_and_unreachable(m):
    assert dj(m, "B", "B", "km") == "B"
    assert dj(m, "A", "F", "km") == ""


# ---------------------------------------------------------------------------------- errors


def test_errors_name_the_culprit(m):
    a, c = m.v["A"].get_identity(), m.v["C"].get_identity()
    with pytest.raises(QueryError, match="is a edge, not a vertex|not a vertex"):
        shortest_path(m, None, m.e["AB"].get_identity(), c)
    with pytest.raises(RecordNotFoundError, match="destination"):
        shortest_path(m, None, a, "#1:999")
    with pytest.raises(QueryError, match="source"):
        dijkstra(m, None, "nonsense", c, "km")
    with pytest.raises(QueryError, match="Direction"):
        shortest_path(m, None, a, c, "UP")
    with pytest.raises(QueryError, match="labels"):
        shortest_path(m, None, a, c, "OUT", [1])
    with pytest.raises(QueryError, match="weight"):
        dijkstra(m, None, a, c, 3)
