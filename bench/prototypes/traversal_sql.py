"""Prototype (issue 11, not wired into src/): traversals compiled to SQL over the edge tables.

A graph is built with arcadelite (its storage layer's bulk insert, as bench/graph_bench.py does):
V ``Person`` vertices, E random ``Knows`` edges. For --queries random start vertices, each SQL
form below runs on a separate APSW connection to the same file and its answers are checked against
arcadelite's own answer to the ArcadeDB statement named beside it (timed too, in the same run):

  one hop (rows)        SELECT expand(out('Knows')) FROM ?
     join               SELECT v.pos, v.body, v.tags FROM t2 e JOIN t1 v ON v.pos = e.in_rid - B
                        WHERE e.out_rid = ?
     ids only           SELECT in_rid FROM t2 WHERE out_rid = ?           (covering index only)
  two hops, distinct    SELECT out('Knows').out('Knows').asSet().size() AS n FROM ?
     join distinct      SELECT count(DISTINCT e2.in_rid) FROM t2 e1 JOIN t2 e2
                        ON e2.out_rid = e1.in_rid WHERE e1.out_rid = ?
     IN subquery        SELECT count(DISTINCT in_rid) FROM t2 WHERE out_rid IN
                        (SELECT in_rid FROM t2 WHERE out_rid = ?)
     CTE frontier       the k-hop form below with k = 2
  k hops, distinct      SELECT out('Knows').out('Knows').out('Knows').asSet().size() AS n FROM ?
     (k = 3)            WITH RECURSIVE f(v, d) AS (SELECT ?, 0 UNION SELECT e.in_rid, f.d + 1
                        FROM f JOIN t2 e ON e.out_rid = f.v WHERE f.d < k)
                        SELECT count(*) FROM f WHERE d = k
                        (UNION dedups (vertex, depth): the frontier at each depth is a set, so
                        the count is the distinct ends of walks of exactly k hops -- what
                        out()...out().asSet().size() answers)
     nested IN          SELECT count(DISTINCT in_rid) FROM t2 WHERE out_rid IN (SELECT in_rid
                        FROM t2 WHERE out_rid IN (SELECT in_rid FROM t2 WHERE out_rid = ?))
     Python frontier    per hop one ``SELECT in_rid FROM t2 WHERE out_rid IN (...)`` over the set
  within k, distinct    SELECT count(*) FROM (TRAVERSE out('Knows') FROM ? MAXDEPTH k) (the start
  (TRAVERSE, k = 3)     included, every vertex once)
     CTE visited        WITH RECURSIVE f(v, d) AS (...same...) SELECT count(DISTINCT v) FROM f

Figures: queries/s (median of --rounds passes over the start vertices), each form's ratio to
the hand-written join (or to the best SQL form), and arcadelite's statement today.

Commands:

    python bench/prototypes/traversal_sql.py                     # 100k vertices, 1M edges
    python bench/prototypes/traversal_sql.py --vertices 10000 --edges 100000 --queries 500
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

import apsw
import orjson

import arcadelite
from arcadelite.rid import POSITION_BITS, RID


def build(folder: str, vertices: int, edges: int, seed: int):
    db = arcadelite.create_database(folder)
    db.set_wal_flush("no")
    db.command("sql", "CREATE VERTEX TYPE Person")
    db.command("sql", "CREATE EDGE TYPE Knows")
    storage = db._storage
    session = storage.session()
    person, knows = storage.catalog.get("Person"), storage.catalog.get("Knows")
    storage.begin_write(session)
    storage.insert_rows(session, person, [(orjson.dumps({"id": i}).decode(), None)
                                          for i in range(vertices)])  # fmt: skip
    base = person.id << POSITION_BITS
    rng = random.Random(seed)
    rows = [("{}", None, base + rng.randrange(vertices) + 1, base + rng.randrange(vertices) + 1)
            for _ in range(edges)]  # fmt: skip
    for start in range(0, edges, 50_000):
        storage.insert_rows(session, knows, rows[start : start + 50_000])
    storage.commit(session)
    return db, person, knows


def rate(fn, items, rounds):
    speeds, answers = [], None
    for _ in range(rounds):
        t0 = time.perf_counter()
        answers = [fn(x) for x in items]
        speeds.append(len(items) / (time.perf_counter() - t0))
    return statistics.median(speeds), answers


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--vertices", type=int, default=100_000)
    p.add_argument("--edges", type=int, default=1_000_000)
    p.add_argument("--queries", type=int, default=2000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--k", type=int, default=3)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--tmp", default=None)
    args = p.parse_args()
    print("command: " + shlex.join([sys.executable] + sys.argv), flush=True)
    folder = os.path.join(tempfile.mkdtemp(prefix="traversal_", dir=args.tmp), "db")
    db, person, knows = build(folder, args.vertices, args.edges, args.seed)
    raw = apsw.Connection(os.path.join(folder, "arcadelite.sqlite"),
                          flags=apsw.SQLITE_OPEN_READONLY)  # fmt: skip
    raw.execute("PRAGMA cache_size=-16384")
    vt, et, base = person.table, knows.table, person.id << POSITION_BITS
    rng = random.Random(args.seed + 1)
    starts = [RID(person.id, rng.randrange(args.vertices) + 1) for _ in range(args.queries)]
    texts, packed = [str(r) for r in starts], [r.to_int() for r in starts]
    k, rounds, q = args.k, args.rounds, db.query
    for t, pk in zip(texts[:200], packed[:200]):  # warm caches on both sides
        list(q("sql", "SELECT expand(out('Knows')) FROM ?", t))
        raw.execute(f"SELECT * FROM {et} WHERE out_rid = ?", (pk,)).fetchall()

    def sql(text):
        return lambda pk: raw.execute(text, (pk,)).fetchall()

    def scalar(text):
        return lambda pk: raw.execute(text, (pk,)).fetchone()[0]

    def cte(depth, visited=False):
        head = (f"WITH RECURSIVE f(v, d) AS (SELECT ?, 0 UNION SELECT e.in_rid, f.d + 1 FROM f "
                f"JOIN {et} e ON e.out_rid = f.v WHERE f.d < {depth}) ")  # fmt: skip
        return head + ("SELECT count(DISTINCT v) FROM f" if visited
                       else f"SELECT count(*) FROM f WHERE d = {depth}")  # fmt: skip

    def nested_in(depth):
        inner = f"SELECT in_rid FROM {et} WHERE out_rid = ?"
        for _ in range(depth - 1):
            inner = f"SELECT in_rid FROM {et} WHERE out_rid IN ({inner})"
        return inner.replace("SELECT in_rid", "SELECT count(DISTINCT in_rid)", 1)

    def python_frontier(depth):
        def run(pk):
            frontier = {pk}
            for _ in range(depth):
                ids = list(frontier)
                nxt = set()
                for s in range(0, len(ids), 500):
                    part = ids[s : s + 500]
                    nxt.update(r[0] for r in raw.execute(
                        f"SELECT in_rid FROM {et} WHERE out_rid IN ({','.join('?' * len(part))})",
                        part))  # fmt: skip
                frontier = nxt
            return len(frontier)

        return run

    out_k = "SELECT " + ".".join(["out('Knows')"] * k) + ".asSet().size() AS n FROM ?"
    groups = [
        ("one hop (rows)", lambda t: len(list(q("sql", "SELECT expand(out('Knows')) FROM ?", t))),
         [("join", lambda pk: len(sql(f"SELECT v.pos, v.body, v.tags FROM {et} e JOIN {vt} v "
                                      f"ON v.pos = e.in_rid - {base} WHERE e.out_rid = ?")(pk))),
          ("ids only", lambda pk: len(sql(f"SELECT in_rid FROM {et} WHERE out_rid = ?")(pk)))]),
        ("two hops distinct",
         lambda t: q("sql", "SELECT out('Knows').out('Knows').asSet().size() AS n FROM ?",
                     t).one().get("n"),
         [("join distinct", scalar(f"SELECT count(DISTINCT e2.in_rid) FROM {et} e1 JOIN {et} e2 "
                                   "ON e2.out_rid = e1.in_rid WHERE e1.out_rid = ?")),
          ("IN subquery", scalar(nested_in(2))),
          ("CTE frontier", scalar(cte(2)))]),
        (f"{k} hops distinct", lambda t: q("sql", out_k, t).one().get("n"),
         [("CTE frontier", scalar(cte(k))),
          ("nested IN", scalar(nested_in(k))),
          ("Python frontier", python_frontier(k))]),
        (f"TRAVERSE within {k}",
         lambda t: q("sql", f"SELECT count(*) AS n FROM (TRAVERSE out('Knows') FROM ? "
                            f"MAXDEPTH {k})", t).one().get("n"),
         [("CTE visited", scalar(cte(k, visited=True)))]),
    ]  # fmt: skip
    print(f"{args.vertices:,} vertices, {args.edges:,} edges, {args.queries:,} starts, "
          f"median of {rounds} rounds", flush=True)  # fmt: skip
    for title, ours, forms in groups:
        fewer = texts if "hop" in title and "3" not in title else texts[: max(50, len(texts) // 10)]
        items = fewer
        pks = packed[: len(items)]
        ours_qps, ours_ans = rate(ours, items, rounds)
        rows = []
        for name, fn in forms:
            qps, ans = rate(fn, pks, rounds)
            rows.append((name, qps, ans == ours_ans))
        best = max(qps for _, qps, _ in rows)
        print(f"\n{title}: arcadelite today {ours_qps:,.0f} q/s ({best / ours_qps:.1f}x slower "
              f"than the best SQL form), {len(items):,} starts")  # fmt: skip
        for name, qps, same in rows:
            print(f"   {name:<16} {qps:>10,.0f} q/s   {best / qps:5.2f}x the best   "
                  f"answers equal arcadelite's: {same}")  # fmt: skip
    raw.close()
    db.close()


if __name__ == "__main__":
    main()
