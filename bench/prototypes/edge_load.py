"""Prototype (issue 11, not wired into src/): bulk edge-load strategies on raw APSW.

Everything here runs on arcadelite's exact layout and pragmas (storage/engine.py): a vertex table
``t1(pos INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, tags TEXT)`` holding
``{"id": i}`` bodies with the importer's id index ``x_id ON t1(json_extract(body, '$.id'))``; an
edge table ``t2(pos INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, tags TEXT, out_rid
INTEGER NOT NULL, in_rid INTEGER NOT NULL)`` with covering indexes ``t2_out(out_rid, in_rid)`` and
``t2_in(in_rid, out_rid)``; WAL, synchronous=NORMAL, cache_size=-16384 (16 MiB),
temp_store=MEMORY. Edges are random (``random.Random(seed)``) between V vertices; RIDs are packed
as arcadelite packs them (``1 << 40 | pos``). Each case runs in its own child process (clean peak
RSS) on a fresh file; the vertex table is built before the timer.

Cases (``--cases``; the time covers inserting E edges + whatever index work the case does):

  after        no edge indexes during the load, commit every --commit rows, both indexes built at
               the end (the baseline: "raw, indexes built after the load")
  live         indexes present, rows in arrival (random) order, commit every --commit (what
               arcadelite's executor does today, without its Python)
  live_1tx     indexes present, one transaction for the whole load
  sorted       indexes present, each --commit chunk sorted by (out_rid, in_rid) before insert
  sorted_100k  the same with chunks (and commits) of 100,000
  staging      indexes present; each chunk goes to an un-indexed TEMP table, then one
               ``INSERT INTO t2 SELECT ... FROM staging ORDER BY out_rid, in_rid``
  cache64      live with cache_size=-65536 (64 MiB)
  cache256     live with cache_size=-262144 (256 MiB)
  deferred     the load drops both indexes and records ``al_meta('deferred_index:t2', ...)`` in
               the same transaction, commits every --commit rows, and rebuilds the indexes and
               deletes the marker in one final transaction (a crash leaves the marker: open()
               rebuilds them -- see ``--crash``)
  deferred_file     the same, the index build sorting on disk (PRAGMA temp_store=FILE for it)
  deferred_file_t2  ... and PRAGMA threads=2 (SQLite's sorter worker threads)
  rebuild_1tx  one transaction: drop indexes, insert, create indexes, commit
  resolve_row  typeIdProperty resolution, lookup per distinct key (the importer today: one indexed
               SELECT per key, cached in a dict of up to 100,000), then ``deferred`` inserts
  resolve_set  resolution per chunk as one set-based join: ``SELECT j.value, v.pos FROM
               json_each(?) j JOIN t1 v ON json_extract(v.body, '$.id') = j.value`` with the
               chunk's distinct keys, then ``deferred`` inserts
  resolve_sql  resolution inside the insert: ``INSERT INTO t2(...) SELECT ... FROM json_each(?) e
               JOIN t1 a ON json_extract(a.body,'$.id') = e.value->>0 JOIN t1 b ON ... ORDER BY
               e.key`` (deferred indexes); edges whose ends are missing are found by the
               matching LEFT JOIN only when the chunk inserted fewer rows than it had
  resolve_map  the whole id -> position map read once (one scan of the id index: fits when the
               vertex count is bounded, ~100 bytes per entry), then a dict lookup per end
  The resolve_* cases build their indexes as deferred_file does. They read edges as (from_id, to_id) pairs with --missing of them (0.1%) naming
  an id no vertex has: those must be reported, one by one, and all others inserted.

``--crash`` runs the SIGKILL experiment for ``deferred`` and ``rebuild_1tx``: a child loads while
printing each acknowledged (committed) count; the parent kills it at a random moment, recovers
as open() would (rebuild the indexes a marker names), and checks ``PRAGMA integrity_check``,
that the table holds exactly the acknowledged rows or more (whole chunks only), and that both
indexes exist.

Commands:

    python bench/prototypes/edge_load.py --edges 1000000 --runs 3
    python bench/prototypes/edge_load.py --edges 10000000 --runs 1 --cases after,deferred,resolve_sql
    python bench/prototypes/edge_load.py --crash 20
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

RESULT = "RESULT "
BASE = 1 << 40  # bucket 1
PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-16384", "temp_store=MEMORY")
EDGE_TABLE = ("CREATE TABLE t2(pos INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, "
              "tags TEXT, out_rid INTEGER NOT NULL, in_rid INTEGER NOT NULL)")  # fmt: skip
INDEXES = (
    "CREATE INDEX t2_out ON t2(out_rid, in_rid)",
    "CREATE INDEX t2_in ON t2(in_rid, out_rid)",
)
DROP = ("DROP INDEX IF EXISTS t2_out", "DROP INDEX IF EXISTS t2_in")
INSERT = "INSERT INTO t2(body, out_rid, in_rid) VALUES ('{}', ?, ?)"
CASES = ("after", "live", "live_1tx", "sorted", "sorted_100k", "staging", "cache64", "cache256",
         "deferred", "deferred_file", "deferred_file_t2", "rebuild_1tx", "resolve_row",
         "resolve_set", "resolve_sql", "resolve_map")  # fmt: skip


def connect(path: str, cache_kib: int = 16384):
    import apsw

    conn = apsw.Connection(path)
    for pragma in PRAGMAS:
        if pragma.startswith("cache_size"):
            pragma = f"cache_size=-{cache_kib}"
        conn.execute(f"PRAGMA {pragma}").fetchall()
    return conn


def build_vertices(conn, vertices: int) -> None:
    import orjson

    conn.execute("CREATE TABLE t1(pos INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, "
                 "tags TEXT); CREATE TABLE al_meta(key TEXT PRIMARY KEY, value TEXT);")  # fmt: skip
    with conn:
        conn.executemany("INSERT INTO t1(body) VALUES (?)",
                         ((orjson.dumps({"id": i}).decode(),) for i in range(vertices)))  # fmt: skip
        conn.execute("CREATE INDEX x_id ON t1(json_extract(body, '$.id'))")
    conn.execute(EDGE_TABLE)


def pairs(args):
    """(out_rid, in_rid) of every edge, vertex positions 1..V."""
    rng = random.Random(args.seed)
    draw = rng.randrange
    v = args.vertices
    for _ in range(args.edges):
        yield BASE + draw(v) + 1, BASE + draw(v) + 1


def id_pairs(args):
    """(from_id, to_id) of every edge as an importer reads them; --missing of them dangle."""
    rng = random.Random(args.seed)
    draw = rng.randrange
    v = args.vertices
    every = int(1 / args.missing) if args.missing else 0
    for n in range(args.edges):
        a, b = draw(v), draw(v)
        if every and n % every == every - 1:
            b = v + 1_000_000 + n  # no such id
        yield a, b


def chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def defer_indexes(conn) -> None:
    with conn:
        for sql in DROP:
            conn.execute(sql)
        conn.execute("INSERT OR REPLACE INTO al_meta VALUES ('deferred_index:t2', ?)",
                     (json.dumps(list(INDEXES)),))  # fmt: skip


def finish_deferred(conn, sort_on_disk: bool = False, threads: int = 0) -> None:
    """Build the deferred indexes and drop the marker, in one transaction.

    ``sort_on_disk``: the build's sorter spills to temporary files (temp_store=FILE) instead of
    memory (arcadelite's temp_store=MEMORY keeps the whole sort in RAM: ~600 MiB at 10M edges).
    ``threads``: SQLite's sorter worker threads (PRAGMA threads).
    """
    if sort_on_disk:
        conn.execute("PRAGMA temp_store=FILE")
    if threads:
        conn.execute(f"PRAGMA threads={threads}")
    with conn:
        for sql in INDEXES:
            conn.execute(sql)
        conn.execute("DELETE FROM al_meta WHERE key = 'deferred_index:t2'")
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute("PRAGMA threads=0")


def recover(conn) -> list[str]:
    """What open() would do: rebuild the indexes a marker says were deferred."""
    rebuilt = []
    for key, value in conn.execute("SELECT key, value FROM al_meta WHERE key LIKE "
                                   "'deferred_index:%'").fetchall():  # fmt: skip
        with conn:
            for sql in json.loads(value):
                conn.execute(sql.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"))
            conn.execute("DELETE FROM al_meta WHERE key = ?", (key,))
        rebuilt.append(key)
    return rebuilt


def load(conn, args, case: str, ack=None) -> dict:
    step = args.commit
    out: dict = {}
    if case in ("after",):
        for chunk in chunks(pairs(args), step):
            with conn:
                conn.executemany(INSERT, chunk)
            if ack:  # acknowledged once committed
                ack(len(chunk))
        with conn:
            for sql in INDEXES:
                conn.execute(sql)
    elif case in ("live", "cache64", "cache256", "sorted", "sorted_100k"):
        size = 100_000 if case == "sorted_100k" else step
        for chunk in chunks(pairs(args), size):
            if case.startswith("sorted"):
                chunk.sort()
            with conn:
                conn.executemany(INSERT, chunk)
            if ack:  # acknowledged once committed
                ack(len(chunk))
    elif case == "live_1tx":
        with conn:
            conn.executemany(INSERT, pairs(args))
    elif case == "staging":
        conn.execute("CREATE TEMP TABLE staging(out_rid INTEGER, in_rid INTEGER)")
        for chunk in chunks(pairs(args), step):
            with conn:
                conn.executemany("INSERT INTO staging VALUES (?, ?)", chunk)
                conn.execute("INSERT INTO t2(body, out_rid, in_rid) SELECT '{}', out_rid, in_rid "
                             "FROM staging ORDER BY out_rid, in_rid")  # fmt: skip
                conn.execute("DELETE FROM staging")
    elif case in ("deferred", "deferred_file", "deferred_file_t2"):
        defer_indexes(conn)
        for chunk in chunks(pairs(args), step):
            with conn:
                conn.executemany(INSERT, chunk)
            if ack:  # acknowledged once committed
                ack(len(chunk))
        finish_deferred(conn, sort_on_disk=case != "deferred",
                        threads=2 if case.endswith("_t2") else 0)  # fmt: skip
    elif case == "rebuild_1tx":
        with conn:
            for sql in DROP:
                conn.execute(sql)
            for chunk in chunks(pairs(args), step):
                conn.executemany(INSERT, chunk)
            for sql in INDEXES:
                conn.execute(sql)
        if ack:
            ack(args.edges)
    elif case.startswith("resolve_"):
        out.update(load_resolving(conn, args, case))
    else:
        raise SystemExit(f"unknown case {case}")
    return out


def load_resolving(conn, args, case: str) -> dict:
    """typeIdProperty ends: resolve ids to RIDs, insert with deferred indexes, report misses."""
    import orjson

    step = args.commit
    failed = 0
    resolve_seconds = 0.0
    defer_indexes(conn)
    lookup = "SELECT pos FROM t1 WHERE json_extract(body, '$.id') = ?"
    cache: dict[int, int | None] = {}
    for chunk in chunks(id_pairs(args), step):
        t0 = time.perf_counter()
        if case == "resolve_sql":
            with conn:
                before = conn.total_changes()
                conn.execute(
                    "INSERT INTO t2(body, out_rid, in_rid) "
                    "SELECT '{}', ?1 + a.pos, ?1 + b.pos FROM json_each(?2) e "
                    "JOIN t1 a ON json_extract(a.body, '$.id') = e.value ->> 0 "
                    "JOIN t1 b ON json_extract(b.body, '$.id') = e.value ->> 1 ORDER BY e.key",
                    (BASE, orjson.dumps(chunk)),
                )
                inserted = conn.total_changes() - before
                if inserted < len(chunk):  # which edges dangle: each is reported alone
                    missing = conn.execute(
                        "SELECT e.key FROM json_each(?1) e "
                        "LEFT JOIN t1 a ON json_extract(a.body, '$.id') = e.value ->> 0 "
                        "LEFT JOIN t1 b ON json_extract(b.body, '$.id') = e.value ->> 1 "
                        "WHERE a.pos IS NULL OR b.pos IS NULL", (orjson.dumps(chunk),)).fetchall()  # fmt: skip
                    failed += len(missing)
            resolve_seconds += time.perf_counter() - t0
            continue
        if case == "resolve_row":
            found = []
            for a, b in chunk:
                ends = []
                for key in (a, b):
                    pos = cache.get(key, 0)
                    if pos == 0:
                        row = conn.execute(lookup, (key,)).fetchall()
                        pos = row[0][0] if len(row) == 1 else None
                        if len(cache) >= 100_000:
                            cache.clear()
                        cache[key] = pos
                    ends.append(pos)
                found.append(ends)
        elif case == "resolve_map":
            if not cache:  # one scan of the id index builds the whole map (bounded: --map-limit)
                cache.update(conn.execute(
                    "SELECT json_extract(body, '$.id'), pos FROM t1 "
                    "WHERE json_extract(body, '$.id') IS NOT NULL"))  # fmt: skip
            get = cache.get
            found = [(get(a), get(b)) for a, b in chunk]
        else:  # resolve_set
            keys = list({k for pair in chunk for k in pair})
            positions = dict(conn.execute(
                "SELECT j.value, v.pos FROM json_each(?) j "
                "JOIN t1 v ON json_extract(v.body, '$.id') = j.value", (orjson.dumps(keys),)))  # fmt: skip
            found = [(positions.get(a), positions.get(b)) for a, b in chunk]
        rows = [(BASE + x, BASE + y) for x, y in found if x is not None and y is not None]
        failed += len(chunk) - len(rows)
        resolve_seconds += time.perf_counter() - t0
        with conn:
            conn.executemany(INSERT, rows)
    finish_deferred(conn, sort_on_disk=True)
    return {"failed": failed, "resolve_seconds": resolve_seconds}


def child(args) -> None:
    import resource

    folder = args.dir
    cache = {"cache64": 65536, "cache256": 262144}.get(args.case, 16384)
    conn = connect(os.path.join(folder, "g.sqlite"), cache)
    build_vertices(conn, args.vertices)
    if args.case != "after":  # the deferring cases drop them (an empty table: no cost either way)
        for sql in INDEXES:
            conn.execute(sql)
    if args.crash_child:

        def ack(n):
            ack.total += n
            print(f"ACK {ack.total}", flush=True)

        ack.total = 0
        print("READY", flush=True)
        load(conn, args, args.case, ack)
        print("DONE", flush=True)
        time.sleep(60)
        return
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    out = load(conn, args, args.case)
    seconds = time.perf_counter() - t0
    count = conn.execute("SELECT count(*) FROM t2").fetchone()[0]
    indexes = sorted(r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 't2'"))  # fmt: skip
    wal = os.path.getsize(os.path.join(folder, "g.sqlite-wal")) if os.path.exists(
        os.path.join(folder, "g.sqlite-wal")) else 0  # fmt: skip
    conn.close()
    out.update({"seconds": seconds, "rows": count, "indexes": indexes,
                "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "rss_before_mib": rss0, "wal_mib": wal / 2**20,
                "db_mib": os.path.getsize(os.path.join(folder, "g.sqlite")) / 2**20})  # fmt: skip
    print(RESULT + json.dumps(out), flush=True)


def run_case(args, case: str) -> dict:
    folder = tempfile.mkdtemp(prefix=f"edge_load_{case}_", dir=args.tmp)
    cmd = [sys.executable, os.path.abspath(__file__), "--child", "--case", case, "--dir", folder,
           "--edges", str(args.edges), "--vertices", str(args.vertices), "--seed", str(args.seed),
           "--commit", str(args.commit), "--missing", str(args.missing)]  # fmt: skip
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"timeout": args.timeout}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT)]
    if proc.returncode or not lines:
        raise SystemExit(f"{shlex.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][len(RESULT) :])


def crash_experiment(args) -> None:
    """SIGKILL loads of ``deferred`` and ``rebuild_1tx`` midway; check what recovery finds."""
    rng = random.Random(args.seed)
    for case in args.crash_cases.split(","):
        ok = 0
        details = []
        for trial in range(args.crash):
            folder = tempfile.mkdtemp(prefix="edge_crash_", dir=args.tmp)
            cmd = [sys.executable, os.path.abspath(__file__), "--child", "--crash-child", "--case",
                   case, "--dir", folder, "--edges", str(args.edges), "--vertices",
                   str(args.vertices), "--seed", str(args.seed + trial), "--commit",
                   str(args.commit)]  # fmt: skip
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
            assert proc.stdout.readline().strip() == "READY"
            lines: list[str] = []
            reader = threading.Thread(target=lines.extend, args=(proc.stdout,), daemon=True)
            reader.start()
            time.sleep(rng.uniform(0.05, args.crash_window))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            reader.join()
            buffer = "".join(lines)
            acked = max([int(ln.split()[1]) for ln in lines if ln.startswith("ACK ")] or [0])
            finished = "DONE" in buffer
            conn = connect(os.path.join(folder, "g.sqlite"))
            rebuilt = recover(conn)
            count = conn.execute("SELECT count(*) FROM t2").fetchone()[0]
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
            indexes = sorted(r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='t2'"))  # fmt: skip
            whole_chunks = count % args.commit == 0 or count == args.edges
            good = (integrity == "ok" and count >= acked and whole_chunks
                    and indexes == ["t2_in", "t2_out"])  # fmt: skip
            ok += good
            details.append(f"acked {acked:,} found {count:,} rebuilt {bool(rebuilt)} {indexes} "
                           f"finished {finished} {integrity} {'' if good else 'FAIL'}")  # fmt: skip
            conn.close()
            shutil.rmtree(folder, ignore_errors=True)
        print(
            f"crash {case}: {ok}/{args.crash} recovered exactly "
            "(integrity ok, every acknowledged edge present, whole chunks, both indexes)"
        )
        for line in details:
            print("   ", line)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--edges", type=int, default=1_000_000)
    p.add_argument("--vertices", type=int, default=100_000)
    p.add_argument("--commit", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--missing", type=float, default=0.001)
    p.add_argument("--cases", default=",".join(CASES))
    p.add_argument("--tmp", default=None)
    p.add_argument("--timeout", type=float, default=3600)
    p.add_argument("--crash", type=int, default=0, help="SIGKILL trials per strategy")
    p.add_argument("--crash-window", type=float, default=4.0)
    p.add_argument("--crash-cases", default="deferred,rebuild_1tx")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--crash-child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--case", help=argparse.SUPPRESS)
    p.add_argument("--dir", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args)
        return
    print("command: " + shlex.join([sys.executable] + sys.argv), flush=True)
    if args.crash:
        crash_experiment(args)
        return
    cases = [c for c in args.cases.split(",") if c]
    results: dict[str, list[dict]] = {c: [] for c in cases}
    for run in range(args.runs):
        for case in cases:
            res = run_case(args, case)
            results[case].append(res)
            print(f"run {run + 1} {case:<12} " + json.dumps(
                {k: round(v, 2) if isinstance(v, float) else v for k, v in res.items()}), flush=True)  # fmt: skip
    base = [r["seconds"] for r in results.get("after", []) if "seconds" in r]
    base_median = statistics.median(base) if base else None
    print(f"\n{args.edges:,} edges, {args.vertices:,} vertices, commit every {args.commit:,}; "
          f"median of {args.runs}")  # fmt: skip
    print(f"{'case':<12} {'seconds':>9} {'/ after':>8} {'edges/s':>10} {'peak RSS':>9} "
          f"{'resolve s':>9} {'failed':>7}  rows")  # fmt: skip
    for case, runs in results.items():
        done = [r for r in runs if "seconds" in r]
        if not done:
            print(f"{case:<12} timeout after {runs[0]['timeout']:.0f} s")
            continue
        sec = statistics.median(r["seconds"] for r in done)
        ratio = f"{sec / base_median:.2f}x" if base_median else "-"
        resolve = statistics.median(r.get("resolve_seconds", 0) for r in done)
        print(f"{case:<12} {sec:9.2f} {ratio:>8} {args.edges / sec:10,.0f} "
              f"{statistics.median(r['peak_rss_mib'] for r in done):8.1f}M {resolve:9.2f} "
              f"{done[0].get('failed', 0):7,}  {done[0]['rows']:,} {done[0]['indexes']}")  # fmt: skip


if __name__ == "__main__":
    main()
