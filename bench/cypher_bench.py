"""Cypher benchmark: issue 13's figures, the Cypher form of each query against its SQL form in
the same run (and, when ARCADELITE_NATIVE_PYTHON is set, upstream's native engine on the same
graph through its own Python, for orientation), printed with the command that ran.

Data: the graph of bench/sql_bench.py (vertex type Person {id, name} with a NOTUNIQUE index on
id, edge type Knows with random ends); the document type T is kept small here.

Figures (median of --rounds rounds, each a timed loop):
  - point lookup  MATCH (p:Person {id: $id}) RETURN p      vs SELECT FROM Person WHERE id = ?
  - one hop       MATCH (a:Person {id: $id})-[:Knows]->(b) RETURN b
                                                  vs SELECT expand(out('Knows')) FROM Person WHERE id = ?
  - two hops      MATCH (a:Person {id: $id})-[:Knows]->()-[:Knows]->(c) RETURN count(DISTINCT c) AS n
                  vs SELECT out('Knows').out('Knows').asSet().size() AS n FROM Person WHERE id = ?
    target for each: Cypher within 1.5x of SQL
  - cache hit     parse of a repeated Cypher statement                          target <= 20 us

Commands:

    python bench/cypher_bench.py                                   # 100,000 vertices, 1,000,000 edges
    python bench/cypher_bench.py --vertices 10000 --edges 100000   # quick
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bytecode import compile_sources
from sql_bench import build, rate

from arcadelite.cypher import parse

QUERIES = {
    "point lookup": ("MATCH (p:Person {id: $id}) RETURN p", "SELECT FROM Person WHERE id = ?"),
    "one hop": (
        "MATCH (a:Person {id: $id})-[:Knows]->(b) RETURN b",
        "SELECT expand(out('Knows')) FROM Person WHERE id = ?",
    ),
    "two hops": (
        "MATCH (a:Person {id: $id})-[:Knows]->()-[:Knows]->(c) RETURN count(DISTINCT c) AS n",
        "SELECT out('Knows').out('Knows').asSet().size() AS n FROM Person WHERE id = ?",
    ),
}
LOOPS = {"point lookup": 2000, "one hop": 1000, "two hops": 200}

NATIVE_SCRIPT = r"""
import json, random, statistics, sys, time, arcadedb
vertices, edges, rounds, seed, folder = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
queries, loops = json.loads(sys.argv[6]), json.loads(sys.argv[7])
rng = random.Random(seed)
db = arcadedb.create_database(folder)
db.command("sql", "CREATE VERTEX TYPE Person")
db.command("sql", "CREATE EDGE TYPE Knows")
db.command("sql", "CREATE PROPERTY Person.id INTEGER")
db.command("sql", "CREATE INDEX ON Person (id) NOTUNIQUE")
with db.transaction():
    for i in range(vertices):
        db.command("sql", "INSERT INTO Person SET id = ?, name = ?", i, f"p{i}")
batch = 5000
for start in range(0, edges, batch):
    with db.transaction():
        for _ in range(start, min(start + batch, edges)):
            db.command("sql", "CREATE EDGE Knows FROM (SELECT FROM Person WHERE id = ?) TO (SELECT FROM Person WHERE id = ?)",
                       rng.randrange(vertices), rng.randrange(vertices))
ids = [rng.randrange(vertices) for _ in range(5000)]
out = {}
for name, (cypher, sql) in queries.items():
    for lang, text in (("cypher", cypher), ("sql", sql)):
        rates = []
        for r in range(rounds):
            started = time.perf_counter()
            for i in range(loops[name]):
                v = ids[(i + r * loops[name]) % len(ids)]
                list(db.query(lang, text, {"id": v}) if lang == "cypher" else db.query(lang, text, v))
            rates.append(loops[name] / (time.perf_counter() - started))
        out[f"{name} {lang}"] = statistics.median(rates)
db.close()
print(json.dumps(out))
"""


def main() -> None:
    compile_sources()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vertices", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--native-edges", type=int, default=None,
                        help="edges for the native engine's graph (default: --edges)")  # fmt: skip
    args = parser.parse_args()
    print("$ python " + " ".join(shlex.quote(a) for a in sys.argv), flush=True)
    workdir = tempfile.mkdtemp(prefix="cypherbench")
    db = build(os.path.join(workdir, "db"), 1000, args.vertices, args.edges, args.seed)
    db.command("sql", "CREATE PROPERTY Person.id INTEGER")
    db.command("sql", "CREATE INDEX ON Person (id) NOTUNIQUE")
    rng = random.Random(args.seed + 1)
    ids = [rng.randrange(args.vertices) for _ in range(5000)]
    figures = []
    for name, (cypher, sql) in QUERIES.items():
        loops = LOOPS[name]
        assert db.query("cypher", cypher, {"id": ids[0]}).to_list() is not None
        ours_cypher = rate(lambda i, text=cypher: list(db.query("cypher", text, {"id": ids[i % len(ids)]})),
                           loops, args.rounds)  # fmt: skip
        ours_sql = rate(lambda i, text=sql: list(db.query("sql", text, ids[i % len(ids)])),
                        loops, args.rounds)  # fmt: skip
        ratio = ours_sql / ours_cypher
        ok = ratio <= 1.5
        figures.append(ok)
        print(f"{name:<13} cypher {ours_cypher:>9,.0f} q/s   sql {ours_sql:>9,.0f} q/s   "
              f"cypher/sql time {ratio:.2f}x   target <= 1.5x {'ok' if ok else 'MISSED'}", flush=True)  # fmt: skip
    # the same answers both ways (a two-hop count for a few start vertices)
    for v in ids[:20]:
        a = db.query("cypher", QUERIES["two hops"][0], {"id": v}).to_list()[0]["n"]
        b = db.query("sql", QUERIES["two hops"][1], v).to_list()[0]["n"]
        assert a == b, (v, a, b)
    text = "MATCH (a:Person {id: $id})-[:Knows]->(b) WHERE b.name STARTS WITH 'p' RETURN b.name"
    parse(text)
    per_call = 1e6 / rate(lambda i: parse(text), 100_000, args.rounds)
    ok = per_call <= 20
    figures.append(ok)
    print(f"{'cache hit':<13} {per_call:.2f} us   target <= 20 us {'ok' if ok else 'MISSED'}")
    db.close()
    native = os.environ.get("ARCADELITE_NATIVE_PYTHON")
    if native:
        edges = args.native_edges if args.native_edges is not None else args.edges
        result = subprocess.run(
            [native, "-c", NATIVE_SCRIPT, str(args.vertices), str(edges), str(args.rounds),
             str(args.seed), os.path.join(workdir, "native"), json.dumps(QUERIES), json.dumps(LOOPS)],
            capture_output=True, text=True, timeout=3600,
        )  # fmt: skip
        if result.returncode != 0:
            print("# native engine failed:", result.stderr.strip().splitlines()[-1:])
        else:
            rates = json.loads(result.stdout.strip().splitlines()[-1])
            print(f"# native engine ({args.vertices:,} vertices, {edges:,} edges):")
            for key, value in rates.items():
                print(f"native {key:<20} {value:>9,.0f} q/s")
    print(f"# {sum(figures)}/{len(figures)} targets met")


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"# {time.perf_counter() - t0:.0f} s", file=sys.stderr)
