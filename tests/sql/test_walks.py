"""Graph moves compiled to SQL (query/walks.py) give exactly what the step-by-step evaluation
gives: the same records in the same order, the same counts and errors, on random graphs with
several edge and vertex types, subtypes, self-loops, parallel edges, deleted vertices and edges
left dangling by DROP TYPE ... UNSAFE."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import arcadelite as arcadedb
from arcadelite.exceptions import ArcadeDBError
from arcadelite.query import walks

QUERIES = [
    "SELECT expand(out('E')) FROM ?",
    "SELECT expand(in()) FROM ?",
    "SELECT expand(both('E', 'F')) FROM ?",
    "SELECT out('E').out('E').asSet().size() AS n FROM ?",
    "SELECT out('E').out('E').size() AS n FROM ?",
    "SELECT count(DISTINCT @rid) AS n FROM (SELECT expand(out('E').out('E')) FROM ?)",
    "SELECT count(*) FROM (SELECT expand(both().in('F')) FROM ?)",
    "SELECT count(DISTINCT @rid) FROM (SELECT expand(out('E', 'G')) FROM ?)",
    "SELECT both().in('F') AS n, out('G').size() AS g FROM ?",
    "SELECT in().out('E').both('F').asSet().size() AS n, out().out().out() AS m FROM ?",
    "SELECT out('E')[i > 2].i AS n, both('F').both('F').asSet() AS s FROM ?",
    "SELECT expand(out(?)) FROM ?",
    "SELECT out('V') AS n FROM ?",
    "SELECT out('Nope').out('E') AS n FROM ?",
]
SCANS = [
    "SELECT i, out('E').size() AS n FROM V WHERE both().size() > 1 ORDER BY i",
    "SELECT i, out('E').out().asSet().size() AS n FROM W ORDER BY i",
    "SELECT @rid, out() AS o FROM E ORDER BY @rid",
]


def _build(path: str, vertices: list[int], edges: list[tuple[int, int, int]],
           deleted: list[int], drop_w: bool) -> tuple[arcadedb.Database, list]:  # fmt: skip
    db = arcadedb.create_database(path)
    db.set_auto_transaction(True)
    for text in ("CREATE VERTEX TYPE V", "CREATE VERTEX TYPE W", "CREATE EDGE TYPE E",
                 "CREATE EDGE TYPE F EXTENDS E", "CREATE EDGE TYPE G"):  # fmt: skip
        db.command("sql", text)
    rids = [
        db.command("sql", f"CREATE VERTEX {'VW'[kind]} SET i = ?", i).one().get_identity()
        for i, kind in enumerate(vertices)
    ]
    for a, b, kind in edges:
        db.command("sql", f"CREATE EDGE {'EFG'[kind]} FROM {rids[a % len(rids)]} "
                          f"TO {rids[b % len(rids)]} SET w = {a}")  # fmt: skip
    for d in deleted:
        db.command("sql", f"DELETE VERTEX {rids[d % len(rids)]}")
    if drop_w:
        db.command("sql", "DROP TYPE W UNSAFE")
    return db, rids


def _answer(db: arcadedb.Database, text: str, params: tuple) -> object:
    try:
        return [r.to_dict() for r in db.query("sql", text, *params)]
    except ArcadeDBError as exc:
        return ("error", type(exc).__name__, str(exc))


def _both_paths(db: arcadedb.Database, text: str, params: tuple,
                monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:  # fmt: skip
    with monkeypatch.context() as m:
        m.setattr(walks, "SQL_WALKS", False)
        slow = _answer(db, text, params)
    return _answer(db, text, params), slow


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    vertices=st.lists(st.integers(0, 1), min_size=1, max_size=7),
    edges=st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(0, 2)), max_size=18
    ),  # fmt: skip
    deleted=st.lists(st.integers(0, 6), max_size=2, unique=True),
    drop_w=st.booleans(),
)
def test_sql_walks_equal_the_step_by_step_evaluation(tmp_path_factory, monkeypatch, vertices,
                                                     edges, deleted, drop_w):  # fmt: skip
    path = str(tmp_path_factory.mktemp("walks") / "db")
    db, rids = _build(path, vertices, edges, deleted, drop_w)
    try:
        for text in QUERIES:
            for rid in rids:
                params = ("F", rid) if text.count("?") == 2 else (rid,)
                fast, slow = _both_paths(db, text, params, monkeypatch)
                assert fast == slow, (text, rid)
        for text in SCANS:
            fast, slow = _both_paths(db, text, (), monkeypatch)
            assert fast == slow, text
    finally:
        db.close()


def test_walk_runs_in_sqlite_and_skips_dangling_ends(tmp_path, monkeypatch):
    """The compiled walk is really taken (one statement per row, no per-hop reads), and an edge
    whose end was dropped with its type leads nowhere on both paths."""
    db, rids = _build(str(tmp_path / "db"), [0, 0, 1, 0], [(0, 1, 0), (1, 2, 0), (1, 3, 0),
                                                          (0, 3, 1), (3, 1, 0)], [], True)  # fmt: skip
    try:
        calls: list[str] = []
        storage = db._storage
        original = storage.execute_sql

        def spy(session, sql, params=()):
            calls.append(sql)
            return original(session, sql, params)

        monkeypatch.setattr(storage, "execute_sql", spy)
        text = "SELECT out('E').out('E').asSet().size() AS n, out('E').out('E') AS m FROM ?"
        fast = db.query("sql", text, rids[0]).one()
        assert sum("WITH h1" in sql for sql in calls) == 2
        # #0 -E-> #1 -E-> (#2 dropped with W, #3);  #0 -F-> #3 -E-> #1
        assert fast.get("n") == 2
        assert [v.get("i") for v in fast.get("m")] == [3, 1]
        fast_rows, slow_rows = _both_paths(db, text, (rids[0],), monkeypatch)
        assert fast_rows == slow_rows
        # whole statements: one SQLite statement each, the start vertex not even read
        for text, expected in [
            ("SELECT expand(out('E').out('E')) FROM ?", [3, 1]),
            ("SELECT count(DISTINCT @rid) AS n FROM (SELECT expand(out('E').out()) FROM ?)", 2),
        ]:
            calls.clear()
            rows = db.query("sql", text, rids[0]).to_list()
            assert len(calls) == 1 and calls[0].startswith("WITH h1"), calls
            got = [r["i"] for r in rows] if isinstance(expected, list) else rows[0]["n"]
            assert got == expected
    finally:
        db.close()


def test_walks_of_two_databases_use_their_own_tables(tmp_path, monkeypatch):
    """The same statement on two open databases whose types have other ids walks each one's
    own edge tables (compiled SQL is cached per catalog)."""
    first, rids1 = _build(str(tmp_path / "a"), [0, 0], [(0, 1, 0)], [], False)
    second = arcadedb.create_database(str(tmp_path / "b"))
    try:
        second.set_auto_transaction(True)
        second.command("sql", "CREATE DOCUMENT TYPE Pad")
        second.command("sql", "CREATE VERTEX TYPE V")
        second.command("sql", "CREATE EDGE TYPE E")
        v = [second.command("sql", "CREATE VERTEX V SET i = ?", i).one().get_identity()
             for i in range(3)]  # fmt: skip
        second.command("sql", f"CREATE EDGE E FROM {v[0]} TO {v[2]}")
        second.command("sql", f"CREATE EDGE E FROM {v[0]} TO {v[1]}")
        text = "SELECT out('E').i AS n, out('E').size() AS s FROM ?"
        for _ in range(2):
            assert first.query("sql", text, rids1[0]).one().get("n") == [1]
            assert second.query("sql", text, v[0]).one().get("n") == [1, 2]
            assert second.query("sql", text, v[0]).one().get("s") == 2
    finally:
        second.close()
        first.close()
