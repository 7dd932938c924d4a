"""SQL benchmark: issue 3's figures, each against its target, printed with the command that ran.

Data (built once per run in a temporary folder, or --path):
  - document type T: N documents {id:int, name:str, age:int, city:str} (default 1,000,000),
    with a NOTUNIQUE index on id;
  - vertex type Person (default 100,000 vertices) and edge type Knows (default 1,000,000 edges,
    random targets).
The bulk load goes through the storage layer's multi-row insert path (what the async executor
uses; positions are assigned in order from 1 in the fresh tables), so building takes seconds.

Figures (median of --rounds rounds, each a timed loop):
  - point lookup  SELECT FROM T WHERE id = ?              (new id each time)   target >= 20,000 q/s
  - count         SELECT count(*) FROM T WHERE age > ?     vs the hand-written SQLite query, <= 2x
  - top-10        SELECT FROM T WHERE city = ? ORDER BY age LIMIT 10  vs hand-written, <= 2x
  - one hop       SELECT expand(out('Knows')) FROM ?       (random vertex)      target >= 5,000 q/s
  - two hops      SELECT out('Knows').out('Knows').asSet().size() AS n FROM ?  target >= 500 q/s
  - cache hit     parse + plan of a repeated statement                         target <= 20 us

The hand-written queries run on a separate APSW connection to the same SQLite file, in the same
run, fetching the same rows (``json_extract`` on the JSON bodies, as arcadelite stores them).

Commands:

    python bench/sql_bench.py                      # full size (about a minute to build)
    python bench/sql_bench.py --docs 100000 --vertices 10000 --edges 100000   # quick
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import apsw
import orjson
from bytecode import compile_sources

import arcadelite as arcadedb
from arcadelite.query.executor import Executor
from arcadelite.query.planner import get_plan
from arcadelite.rid import RID
from arcadelite.sql import parse

CITIES = [f"city{i}" for i in range(100)]


def build(path: str, docs: int, vertices: int, edges: int, seed: int) -> arcadedb.Database:
    rng = random.Random(seed)
    db = arcadedb.create_database(path)
    db.set_wal_flush("no")
    db.command("sql", "CREATE DOCUMENT TYPE T")
    db.command("sql", "CREATE PROPERTY T.id INTEGER")
    db.command("sql", "CREATE VERTEX TYPE Person")
    db.command("sql", "CREATE EDGE TYPE Knows")
    storage = db._storage
    session = storage.session()
    started = time.perf_counter()
    t_type = storage.catalog.get("T")
    storage.begin_write(session)
    chunk = 50_000
    for start in range(0, docs, chunk):
        rows = [
            (
                orjson.dumps(
                    {
                        "id": i,
                        "name": f"name{i}",
                        "age": rng.randrange(100),
                        "city": rng.choice(CITIES),
                    }
                ).decode(),
                None,
            )  # fmt: skip
            for i in range(start, min(start + chunk, docs))
        ]
        storage.insert_rows(session, t_type, rows)
    person = storage.catalog.get("Person")
    storage.insert_rows(session, person, [
        (orjson.dumps({"id": i, "name": f"p{i}"}).decode(), None) for i in range(vertices)
    ])  # fmt: skip
    knows = storage.catalog.get("Knows")
    for start in range(0, edges, chunk):
        rows = []
        for _ in range(start, min(start + chunk, edges)):
            src = RID(person.id, rng.randrange(vertices) + 1).to_int()
            dst = RID(person.id, rng.randrange(vertices) + 1).to_int()
            rows.append(("{}", None, src, dst))
        storage.insert_rows(session, knows, rows)
    storage.commit(session)
    db.command("sql", "CREATE INDEX ON T (id) NOTUNIQUE")
    print(f"# built {docs:,} documents, {vertices:,} vertices, {edges:,} edges "
          f"in {time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
    return db


def rate(loop, count: int, rounds: int) -> float:
    """Median operations per second over rounds of count calls of loop(i)."""
    results = []
    for r in range(rounds):
        started = time.perf_counter()
        for i in range(count):
            loop(i + r * count)
        results.append(count / (time.perf_counter() - started))
    return statistics.median(results)


def main() -> None:
    compile_sources()  # measure as installed: with bytecode (see bench/bytecode.py)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--vertices", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--path", help="database folder (default: a temporary one)")
    args = parser.parse_args()
    print("$ python " + " ".join(shlex.quote(a) for a in sys.argv), flush=True)

    folder = args.path or os.path.join(tempfile.mkdtemp(prefix="sqlbench"), "db")
    db = build(folder, args.docs, args.vertices, args.edges, args.seed)
    rng = random.Random(args.seed + 1)
    raw = apsw.Connection(
        os.path.join(folder, "arcadelite.sqlite"), flags=apsw.SQLITE_OPEN_READONLY
    )
    table = "t" + str(db._storage.catalog.get("T").id)
    rounds = args.rounds
    figures = []

    def report(name: str, value: str, target: str, ok: bool) -> None:
        figures.append((name, value, target, "ok" if ok else "MISSED"))
        print(
            f"{name:<14} {value:>28}   target {target:<22} {'ok' if ok else 'MISSED'}", flush=True
        )

    # point lookup
    ids = [rng.randrange(args.docs) for _ in range(20_000)]
    query = db.query
    point = rate(lambda i: list(query("sql", "SELECT FROM T WHERE id = ?", ids[i % len(ids)])),
                 5000, rounds)  # fmt: skip
    report("point lookup", f"{point:,.0f} q/s", ">= 20,000 q/s", point >= 20_000)

    # count with WHERE, vs hand-written
    ages = [rng.randrange(100) for _ in range(64)]
    count_ours = rate(lambda i: query("sql", "SELECT count(*) FROM T WHERE age > ?",
                                      ages[i % 64]).one(), 3, rounds)  # fmt: skip
    count_raw = rate(lambda i: raw.execute(
        f"SELECT count(*) FROM {table} WHERE json_extract(body, '$.age') > ?",
        (ages[i % 64],)).fetchall(), 3, rounds)  # fmt: skip
    ratio = count_raw / count_ours
    report("count", f"{1000 / count_ours:.1f} ms vs {1000 / count_raw:.1f} ms ({ratio:.2f}x)",
           "<= 2x hand-written", ratio <= 2)  # fmt: skip

    # top 10 by age in a city, vs hand-written
    cities = [rng.choice(CITIES) for _ in range(64)]
    top_ours = rate(lambda i: list(query("sql", "SELECT FROM T WHERE city = ? ORDER BY age LIMIT 10",
                                         cities[i % 64])), 3, rounds)  # fmt: skip
    top_raw = rate(lambda i: raw.execute(
        f"SELECT pos, body, tags FROM {table} WHERE json_extract(body, '$.city') = ? "
        "ORDER BY json_extract(body, '$.age') LIMIT 10", (cities[i % 64],)).fetchall(), 3, rounds)  # fmt: skip
    ratio = top_raw / top_ours
    report("top-10", f"{1000 / top_ours:.1f} ms vs {1000 / top_raw:.1f} ms ({ratio:.2f}x)",
           "<= 2x hand-written", ratio <= 2)  # fmt: skip

    # graph hops
    person = db._storage.catalog.get("Person").id
    starts = [str(RID(person, rng.randrange(args.vertices) + 1)) for _ in range(5000)]
    hop1 = rate(lambda i: list(query("sql", "SELECT expand(out('Knows')) FROM ?",
                                     starts[i % len(starts)])), 2000, rounds)  # fmt: skip
    report("one hop", f"{hop1:,.0f} q/s", ">= 5,000 q/s", hop1 >= 5000)
    two = "SELECT out('Knows').out('Knows').asSet().size() AS n FROM ?"
    hop2 = rate(lambda i: query("sql", two, starts[i % len(starts)]).one(), 300, rounds)
    report("two hops", f"{hop2:,.0f} q/s", ">= 500 q/s", hop2 >= 500)

    # statement cache: parse + plan of a repeated statement
    storage = db._storage
    executor = Executor(db, storage, storage.session(), (1,), {})
    text = "SELECT FROM T WHERE id = ? AND name = 'x' ORDER BY age LIMIT 5"

    def cached(i: int) -> None:
        get_plan(parse(text), storage, executor.planner.select)

    cached(0)
    per_call = 1e6 / rate(cached, 100_000, rounds)
    report("cache hit", f"{per_call:.2f} us", "<= 20 us", per_call <= 20)

    db.close()
    missed = [f for f in figures if f[3] != "ok"]
    print(f"# {len(figures) - len(missed)}/{len(figures)} targets met")


if __name__ == "__main__":
    main()
