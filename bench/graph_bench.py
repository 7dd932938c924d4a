"""Graph scale benchmark (issue 11): bulk graph loads, one and two hops, a full scan's memory.

Every measured piece runs in its own fresh child process (clean peak RSS, from
``resource.getrusage(RUSAGE_SELF).ru_maxrss``, which includes an in-process JVM), in a fresh
temporary folder. Figures are medians [min-max] of ``--runs`` runs; ratios are taken between
medians measured in the same invocation.

Parts (``--only load,hops,scan``):

* ``load`` -- 100,000 ``Person`` vertices (``{"id": i}``) and 1,000,000 ``Knows`` edges with
  random endpoints (``random.Random(seed)``, the same pairs on every side), timed from the first
  record to the last commit (index builds included):

  - ``async``   arcadelite's AsyncExecutor: vertices by ``db.async_executor()`` (commit every
    10,000) + ``create_record(new_vertex)``; edges by ``db.batch_context(batch_size=10000)``
    + ``create_edge(rid, rid, "Knows")`` (BatchContext is the public way to queue edges on the
    executor); the vertex RIDs come from the saved vertex objects.
  - ``import``  arcadelite's importer from CSV: ``import_csv(vertices.csv, typeIdProperty="id",
    typeIdType="Long")`` then ``import_file(edges.csv, import_type="edges",
    edgeFromField="from", edgeToField="to", typeIdProperty="id")``. The CSV files are written
    once per invocation, before any timing.
  - ``raw``     the baseline: APSW alone, arcadelite's exact table layout and pragmas
    (``t1(pos INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, tags TEXT)``, the edge
    table with ``out_rid``/``in_rid``), orjson bodies, ``executemany`` in transactions of
    ``--commit-every`` rows, and the indexes the importer ends with -- ``(out_rid, in_rid)``,
    ``(in_rid, out_rid)`` and the vertices' ``json_extract(body, '$.id')`` -- built after the load,
    the edge indexes with ``temp_store=FILE`` (SQLite's sort on disk: arcadelite's in-memory
    temp store makes the 10M-edge build 2.2x slower and 600 MiB larger; the baseline is the
    fastest raw load, not arcadelite's pragmas).
  - ``ref``     each ``--reference PYTHON`` (arcadedb_embedded or the native arcadedb module):
    its GraphBatch (``create_vertices`` then ``new_edges`` in chunks of 100,000).

  ``--edges 10000000`` also runs the 1,000,000-edge base (``--base-edges``) and prints the
  growth ratio of each side (issue target: <= 12x).
* ``hops`` -- a 100,000-vertex / 1,000,000-edge graph (built outside the timing with the storage
  layer's bulk insert), then for ``--queries`` (2,000) random start vertices, each once:

  - one hop:  ``SELECT expand(out('Knows')) FROM ?`` (rows fetched) vs the hand-written join
    ``SELECT v.pos, v.body, v.tags FROM <edges> e JOIN <vertices> v ON v.pos = e.in_rid - B
    WHERE e.out_rid = ?`` on a separate APSW connection to the same file;
  - two hops, distinct count, in two forms the reference accepts and answers alike
    (docs/reference-notes.md §12): ``SELECT out('Knows').out('Knows').asSet().size() AS n
    FROM ?`` and ``SELECT count(DISTINCT @rid) AS n FROM (SELECT expand(out('Knows')
    .out('Knows')) FROM ?)``, vs ``SELECT count(DISTINCT e2.in_rid) FROM <edges> e1 JOIN
    <edges> e2 ON e2.out_rid = e1.in_rid WHERE e1.out_rid = ?``.
  The answers are checked against the join. Each ``--reference`` runs the same statements on
  the same graph (loaded by its GraphBatch).
* ``scan`` -- ``--docs`` (5,000,000) documents of 4 properties, written by one child; a second
  child opens the database and iterates ``SELECT FROM T`` to the end: its peak RSS (issue
  target <= 100 MB) and time, next to APSW iterating the same rows with ``orjson.loads``.

Commands:

    python bench/graph_bench.py --runs 3                              # everything, 1M edges
    python bench/graph_bench.py --runs 3 --only load --reference /work/refvenv/bin/python \\
        --reference /work/nativevenv/bin/python
    python bench/graph_bench.py --runs 1 --only load --edges 10000000   # 10M, with the 1M base
    python bench/graph_bench.py --runs 1 --vertices 10000 --edges 100000 --docs 100000  # quick

The parent uses the standard library only; children import apsw/orjson/arcadelite or the
reference module.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bytecode import compile_sources

RESULT_MARK = "BENCH_RESULT "
REPO_SRC = Path(__file__).resolve().parents[1] / "src"
PARTS = ("load", "hops", "scan")
LOADERS = ("async", "import", "raw")
POSITION_BITS = 40  # arcadelite packs a RID as bucket << 40 | position (src/arcadelite/rid.py)
CITIES = [f"city{i}" for i in range(100)]
REF_CHUNK = 100_000


# =========================================================================== child side


def _peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def _pairs(seed: int, vertices: int, edges: int):
    """The random (from, to) vertex numbers of every edge, 0-based, the same on every side."""
    rng = random.Random(seed)
    draw = rng.randrange
    for _ in range(edges):
        yield draw(vertices), draw(vertices)


def _import_arcadelite():
    import arcadelite

    return arcadelite


def _import_reference():
    try:
        import arcadedb_embedded as module
    except ImportError:
        import arcadedb as module
    return module


def load_async(args: argparse.Namespace) -> dict:
    arcadedb = _import_arcadelite()
    db = arcadedb.create_database(os.path.join(args.dir, "db"))
    db.command("sql", "CREATE VERTEX TYPE Person")
    db.command("sql", "CREATE EDGE TYPE Knows")
    started = time.perf_counter()
    ex = db.async_executor().set_commit_every(args.commit_every)
    vertices = []
    for i in range(args.vertices):
        vertex = db.new_vertex("Person").set("id", i)
        ex.create_record(vertex)
        vertices.append(vertex)
    ex.wait_completion()
    ex.close()
    rids = [v.get_identity() for v in vertices]
    del vertices
    vertices_done = time.perf_counter()
    with db.batch_context(batch_size=args.commit_every) as batch:
        create_edge = batch.create_edge
        for a, b in _pairs(args.seed, args.vertices, args.edges):
            create_edge(rids[a], rids[b], "Knows")
        errors = batch.get_errors()
    finished = time.perf_counter()
    counts = (db.count_type("Person"), db.count_type("Knows"))
    db.close()
    return {"seconds": finished - started, "vertex_seconds": vertices_done - started,
            "errors": len(errors), "stored": counts}  # fmt: skip


def load_import(args: argparse.Namespace) -> dict:
    arcadedb = _import_arcadelite()
    db = arcadedb.create_database(os.path.join(args.dir, "db"))
    started = time.perf_counter()
    v = arcadedb.import_csv(db, os.path.join(args.csv_dir, "vertices.csv"), "Person",
                            import_type="vertices", typeIdProperty="id", typeIdType="Long",
                            commitEvery=args.commit_every)  # fmt: skip
    vertices_done = time.perf_counter()
    e = arcadedb.Importer(db).import_file(
        os.path.join(args.csv_dir, "edges.csv"), import_type="edges", type_name="Knows",
        edgeFromField="from", edgeToField="to", typeIdProperty="id", typeIdType="Long",
        commitEvery=args.commit_every,
    )  # fmt: skip
    finished = time.perf_counter()
    counts = (db.count_type("Person"), db.count_type("Knows"))
    db.close()
    return {"seconds": finished - started, "vertex_seconds": vertices_done - started,
            "errors": v["errors"] + e["errors"], "stored": counts}  # fmt: skip


def _raw_connection(path: str):
    import apsw

    conn = apsw.Connection(path)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-16384",
                   "temp_store=MEMORY"):  # arcadelite's session pragmas (storage/engine.py)  # fmt: skip
        conn.execute(f"PRAGMA {pragma}").fetchall()
    return conn


def load_raw(args: argparse.Namespace) -> dict:
    import orjson

    conn = _raw_connection(os.path.join(args.dir, "raw.sqlite"))
    conn.execute(
        "CREATE TABLE t1(pos INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, tags TEXT);"
        "CREATE TABLE t2(pos INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, tags TEXT, "
        "out_rid INTEGER NOT NULL, in_rid INTEGER NOT NULL);"
    )
    step = args.commit_every
    dumps = orjson.dumps
    started = time.perf_counter()
    for start in range(0, args.vertices, step):
        with conn:
            conn.executemany("INSERT INTO t1(body) VALUES (?)",
                             [(dumps({"id": i}).decode(),)
                              for i in range(start, min(start + step, args.vertices))])  # fmt: skip
    with conn:
        conn.execute("CREATE INDEX x_person_id ON t1(json_extract(body, '$.id'))")
    vertices_done = time.perf_counter()
    base = 1 << POSITION_BITS  # bucket 1, positions 1..V
    rows = []
    sql = "INSERT INTO t2(body, out_rid, in_rid) VALUES ('{}', ?, ?)"
    for a, b in _pairs(args.seed, args.vertices, args.edges):
        rows.append((base + a + 1, base + b + 1))
        if len(rows) == step:
            with conn:
                conn.executemany(sql, rows)
            rows = []
    if rows:
        with conn:
            conn.executemany(sql, rows)
    conn.execute("PRAGMA temp_store=FILE")  # the build sorts on disk: 2.2x faster at 10M edges
    with conn:  # than in memory, 56 MiB peak instead of 664 (bench/prototypes/edge_load.py)
        conn.execute("CREATE INDEX t2_out ON t2(out_rid, in_rid)")
        conn.execute("CREATE INDEX t2_in ON t2(in_rid, out_rid)")
    finished = time.perf_counter()
    counts = tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("t1", "t2"))
    conn.close()
    return {"seconds": finished - started, "vertex_seconds": vertices_done - started,
            "errors": 0, "stored": counts}  # fmt: skip


def _ref_build(module, path: str, args: argparse.Namespace) -> tuple:
    db = module.create_database(path)
    db.command("sql", "CREATE VERTEX TYPE Person")
    db.command("sql", "CREATE EDGE TYPE Knows")
    started = time.perf_counter()
    with db.graph_batch(batch_size=args.commit_every) as batch:
        rids = batch.create_vertices("Person", [{"id": i} for i in range(args.vertices)])
    vertices_done = time.perf_counter()
    with db.graph_batch(batch_size=args.commit_every) as batch:
        sources, targets = [], []
        for a, b in _pairs(args.seed, args.vertices, args.edges):
            sources.append(rids[a])
            targets.append(rids[b])
            if len(sources) == REF_CHUNK:
                batch.new_edges(sources, "Knows", targets)
                sources, targets = [], []
        if sources:
            batch.new_edges(sources, "Knows", targets)
    finished = time.perf_counter()
    return db, rids, finished - started, vertices_done - started


def load_ref(args: argparse.Namespace) -> dict:
    module = _import_reference()
    db, _, seconds, vertex_seconds = _ref_build(module, os.path.join(args.dir, "db"), args)
    counts = tuple(db.query("sql", f"SELECT count(*) AS n FROM {t}").first().get("n")
                   for t in ("Person", "Knows"))  # fmt: skip
    db.close()
    return {"seconds": seconds, "vertex_seconds": vertex_seconds, "errors": 0, "stored": counts,
            "module": f"{module.__name__} {getattr(module, '__version__', '?')}"}  # fmt: skip


ONE_HOP = "SELECT expand(out('Knows')) FROM ?"
TWO_HOP_SET = "SELECT out('Knows').out('Knows').asSet().size() AS n FROM ?"
TWO_HOP_COUNT = (
    "SELECT count(DISTINCT @rid) AS n FROM (SELECT expand(out('Knows').out('Knows')) FROM ?)"
)


def _timed(run, items) -> tuple[float, list]:
    started = time.perf_counter()
    answers = [run(item) for item in items]
    return len(items) / (time.perf_counter() - started), answers


def _hop_starts(args: argparse.Namespace) -> list[int]:
    rng = random.Random(args.seed + 1)
    return [rng.randrange(args.vertices) for _ in range(args.queries)]


def hops(args: argparse.Namespace) -> dict:
    import apsw
    import orjson

    arcadedb = _import_arcadelite()
    from arcadelite.rid import RID

    folder = os.path.join(args.dir, "db")
    db = arcadedb.create_database(folder)
    db.set_wal_flush("no")
    db.command("sql", "CREATE VERTEX TYPE Person")
    db.command("sql", "CREATE EDGE TYPE Knows")
    # Built through the storage layer's bulk insert (what the executor's chunks use): the
    # figures here are about reading, and building by the public API would take a minute.
    storage = db._storage
    session = storage.session()
    person, knows = storage.catalog.get("Person"), storage.catalog.get("Knows")
    storage.begin_write(session)
    storage.insert_rows(session, person, [
        (orjson.dumps({"id": i}).decode(), None) for i in range(args.vertices)
    ])  # fmt: skip
    base = person.id << POSITION_BITS
    rows = []
    for a, b in _pairs(args.seed, args.vertices, args.edges):
        rows.append(("{}", None, base + a + 1, base + b + 1))
        if len(rows) == 50_000:
            storage.insert_rows(session, knows, rows)
            rows = []
    if rows:
        storage.insert_rows(session, knows, rows)
    storage.commit(session)
    raw = apsw.Connection(os.path.join(folder, "arcadelite.sqlite"),
                          flags=apsw.SQLITE_OPEN_READONLY)  # fmt: skip
    vt, et = person.table, knows.table
    starts = [RID(person.id, n + 1) for n in _hop_starts(args)]
    texts = [str(r) for r in starts]
    packed = [r.to_int() for r in starts]
    join1 = (f"SELECT v.pos, v.body, v.tags FROM {et} e JOIN {vt} v ON v.pos = e.in_rid - {base} "
             "WHERE e.out_rid = ?")  # fmt: skip
    join2 = (f"SELECT count(DISTINCT e2.in_rid) FROM {et} e1 JOIN {et} e2 "
             "ON e2.out_rid = e1.in_rid WHERE e1.out_rid = ?")  # fmt: skip
    query = db.query
    warm = min(200, len(texts))
    for t, p in zip(texts[:warm], packed[:warm]):  # page and statement caches, both sides
        list(query("sql", ONE_HOP, t))
        raw.execute(join1, (p,)).fetchall()
    out: dict = {}
    out["one_hop_qps"], ours1 = _timed(lambda t: list(query("sql", ONE_HOP, t)), texts)
    out["one_hop_join_qps"], join_rows = _timed(lambda p: raw.execute(join1, (p,)).fetchall(),
                                                packed)  # fmt: skip
    out["two_set_qps"], ours2 = _timed(lambda t: query("sql", TWO_HOP_SET, t).one().get("n"),
                                       texts)  # fmt: skip
    out["two_count_qps"], ours3 = _timed(lambda t: query("sql", TWO_HOP_COUNT, t).one().get("n"),
                                         texts)  # fmt: skip
    out["two_join_qps"], counts = _timed(lambda p: raw.execute(join2, (p,)).fetchone()[0], packed)
    same_rows = [len(r) for r in ours1] == [len(r) for r in join_rows]
    out["checked"] = same_rows and ours2 == counts == ours3
    out["answers"] = counts
    out["mean_one_hop_rows"] = sum(len(r) for r in join_rows) / len(join_rows)
    out["mean_two_hop_distinct"] = sum(counts) / len(counts)
    raw.close()
    db.close()
    return out


def hops_ref(args: argparse.Namespace) -> dict:
    module = _import_reference()
    db, rids, _, _ = _ref_build(module, os.path.join(args.dir, "db"), args)
    texts = [rids[n] for n in _hop_starts(args)]
    query = db.query
    for t in texts[:200]:
        list(query("sql", ONE_HOP, t))
    out: dict = {"module": f"{module.__name__} {getattr(module, '__version__', '?')}"}
    out["one_hop_qps"], _ = _timed(lambda t: list(query("sql", ONE_HOP, t)), texts)
    out["two_set_qps"], a = _timed(lambda t: query("sql", TWO_HOP_SET, t).first().get("n"), texts)
    out["two_count_qps"], b = _timed(lambda t: query("sql", TWO_HOP_COUNT, t).first().get("n"),
                                     texts)  # fmt: skip
    out["answers"] = [int(x) for x in a]
    out["checked"] = [int(x) for x in a] == [int(x) for x in b]
    db.close()
    return out


def scan_build(args: argparse.Namespace) -> dict:
    import orjson

    arcadedb = _import_arcadelite()
    db = arcadedb.create_database(os.path.join(args.dir, "db"))
    db.set_wal_flush("no")
    db.command("sql", "CREATE DOCUMENT TYPE T")
    storage = db._storage  # the storage layer's bulk insert: the build is not what is measured
    session = storage.session()
    t_type = storage.catalog.get("T")
    rng = random.Random(args.seed)
    storage.begin_write(session)
    step = 50_000
    for start in range(0, args.docs, step):
        storage.insert_rows(session, t_type, [
            (orjson.dumps({"id": i, "name": f"name{i}", "age": rng.randrange(100),
                           "city": rng.choice(CITIES)}).decode(), None)
            for i in range(start, min(start + step, args.docs))
        ])  # fmt: skip
        if (start // step) % 20 == 19:
            storage.commit(session)
            storage.begin_write(session)
    storage.commit(session)
    db.close()
    return {"table": t_type.table}


def scan(args: argparse.Namespace) -> dict:
    arcadedb = _import_arcadelite()
    db = arcadedb.open_database(os.path.join(args.dir, "db"))
    before = _peak_rss_mib()
    started = time.perf_counter()
    count = 0
    age = 0
    for record in db.query("sql", "SELECT FROM T"):
        count += 1
        age += record.get("age")
    seconds = time.perf_counter() - started
    db.close()
    return {"seconds": seconds, "rows": count, "rss_before_mib": before, "age_sum": age}


def scan_raw(args: argparse.Namespace) -> dict:
    import apsw
    import orjson

    conn = apsw.Connection(os.path.join(args.dir, "db", "arcadelite.sqlite"),
                           flags=apsw.SQLITE_OPEN_READONLY)  # fmt: skip
    before = _peak_rss_mib()
    started = time.perf_counter()
    count = 0
    age = 0
    loads = orjson.loads
    for _pos, body, _tags in conn.execute(f"SELECT pos, body, tags FROM {args.table}"):
        count += 1
        age += loads(body)["age"]
    seconds = time.perf_counter() - started
    conn.close()
    return {"seconds": seconds, "rows": count, "rss_before_mib": before, "age_sum": age}


CHILDREN = {
    "load-async": load_async,
    "load-import": load_import,
    "load-raw": load_raw,
    "load-ref": load_ref,
    "hops": hops,
    "hops-ref": hops_ref,
    "scan-build": scan_build,
    "scan": scan,
    "scan-raw": scan_raw,
}


def child_main(args: argparse.Namespace) -> int:
    result = CHILDREN[args.child](args)
    result["peak_rss_mib"] = _peak_rss_mib()
    result["python"] = sys.version.split()[0]
    print(RESULT_MARK + json.dumps(result), flush=True)
    return 0


# ========================================================================== parent side


def _child_env() -> dict:
    env = dict(os.environ)
    if REPO_SRC.is_dir():  # run against the working tree without an install
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_SRC), env.get("PYTHONPATH")) if p)
    return env


def run_child(python: str, child: str, args: argparse.Namespace, folder: str | None = None,
              **extra) -> dict:  # fmt: skip
    own = folder is None
    folder = folder or tempfile.mkdtemp(prefix=f"graph_bench_{child}_", dir=args.tmp)
    settings = {"vertices": args.vertices, "edges": args.edges_now, "seed": args.seed,
                "commit_every": args.commit_every, "queries": args.queries, "docs": args.docs,
                "csv_dir": args.csv_dir or "", **extra}  # fmt: skip
    cmd = [python, str(Path(__file__).resolve()), "--child", child, "--dir", folder]
    for key, value in settings.items():
        cmd += [f"--{key.replace('_', '-')}", str(value)]
    try:
        proc = subprocess.run(cmd, cwd=folder, env=_child_env(), capture_output=True, text=True,
                              timeout=args.timeout)  # fmt: skip
    except subprocess.TimeoutExpired:
        sys.exit(f"child timed out after {args.timeout}s: {shlex.join(cmd)}")
    finally:
        if own:
            shutil.rmtree(folder, ignore_errors=True)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_MARK)]
    if proc.returncode != 0 or not lines:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-25:])
        sys.exit(f"child failed (exit {proc.returncode}): {shlex.join(cmd)}\n{tail}")
    return json.loads(lines[-1][len(RESULT_MARK) :])


def _cell(values: list[float], fmt: str) -> str:
    med = format(statistics.median(values), fmt)
    if len(values) == 1:
        return med
    return f"{med} [{format(min(values), fmt)}-{format(max(values), fmt)}]"


def _table(head: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    print()
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(r, widths))))  # fmt: skip
    print(flush=True)


def write_csv(folder: str, args: argparse.Namespace, edges: int) -> None:
    with open(os.path.join(folder, "vertices.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id"])
        w.writerows([i] for i in range(args.vertices))
    with open(os.path.join(folder, "edges.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["from", "to"])
        w.writerows(_pairs(args.seed, args.vertices, edges))


def part_load(args: argparse.Namespace) -> None:
    sizes = [args.edges] if args.edges == args.base_edges else [args.base_edges, args.edges]
    sides = [(name, sys.executable, f"load-{name}") for name in args.loaders.split(",")]
    sides += [(f"ref{i + 1}", python, "load-ref") for i, python in enumerate(args.reference)]
    medians: dict[tuple[str, int], float] = {}
    for edges in sizes:
        args.edges_now = edges
        csv_dir = tempfile.mkdtemp(prefix="graph_bench_csv_", dir=args.tmp)
        args.csv_dir = csv_dir
        try:
            write_csv(csv_dir, args, edges)
            results: dict[str, list[dict]] = {name: [] for name, _, _ in sides}
            for run in range(1, args.runs + 1):
                for name, python, child in sides:
                    res = run_child(python, child, args)
                    results[name].append(res)
                    print(f"load {edges:,} edges run {run}/{args.runs} {name:<7} "
                          f"{res['seconds']:7.2f} s (vertices {res['vertex_seconds']:.2f} s)  "
                          f"peak RSS {res['peak_rss_mib']:6.1f} MiB  stored {res['stored']}  "
                          f"errors {res['errors']}", flush=True)  # fmt: skip
        finally:
            shutil.rmtree(csv_dir, ignore_errors=True)
            args.csv_dir = None
        raw = statistics.median(r["seconds"] for r in results.get("raw", [{"seconds": 0.0}]))
        rows = []
        for name, _python, _ in sides:
            runs = results[name]
            secs = [r["seconds"] for r in runs]
            medians[(name, edges)] = statistics.median(secs)
            label = name if not name.startswith("ref") else f"{name} {runs[0].get('module')}"
            rows.append([label, _cell(secs, ".2f"), _cell([r["vertex_seconds"] for r in runs], ".2f"),
                         f"{statistics.median(secs) / raw:.2f}x" if raw else "-",
                         _cell([r["peak_rss_mib"] for r in runs], ".1f"),
                         f"{edges / statistics.median(secs):,.0f}"])  # fmt: skip
        print(f"load: {args.vertices:,} vertices + {edges:,} edges "
              f"(median [min-max] of {args.runs})")  # fmt: skip
        _table(["side", "total s", "of which vertices s", "/ raw", "peak RSS MiB", "edges/s"], rows)
    if len(sizes) == 2:
        rows = [[name, f"{medians[(name, sizes[0])]:.2f}", f"{medians[(name, sizes[1])]:.2f}",
                 f"{medians[(name, sizes[1])] / medians[(name, sizes[0])]:.1f}x"]
                for name, _, _ in sides]  # fmt: skip
        print(f"growth {sizes[1]:,} / {sizes[0]:,} edges (target <= 12x)")
        _table(["side", f"{sizes[0]:,} s", f"{sizes[1]:,} s", "growth"], rows)


def part_hops(args: argparse.Namespace) -> None:
    args.edges_now = args.base_edges
    sides = [("arcadelite", sys.executable, "hops")]
    sides += [(f"ref{i + 1}", python, "hops-ref") for i, python in enumerate(args.reference)]
    results: dict[str, list[dict]] = {name: [] for name, _, _ in sides}
    for run in range(1, args.runs + 1):
        for name, python, child in sides:
            res = run_child(python, child, args)
            results[name].append(res)
            shown = {k: round(v) for k, v in res.items() if k.endswith("_qps")}
            print(f"hops run {run}/{args.runs} {name:<10} {shown} checked={res['checked']}",
                  flush=True)  # fmt: skip
    ours = results["arcadelite"]
    print(f"hops: {args.queries:,} random start vertices, {args.vertices:,} vertices, "
          f"{args.base_edges:,} edges; mean one-hop rows "
          f"{ours[0]['mean_one_hop_rows']:.1f}, mean two-hop distinct "
          f"{ours[0]['mean_two_hop_distinct']:.1f} (q/s, median [min-max] of {args.runs})")  # fmt: skip
    forms = [("one hop  expand(out())", "one_hop_qps", "one_hop_join_qps"),
             ("two hops .asSet().size()", "two_set_qps", "two_join_qps"),
             ("two hops count(DISTINCT @rid)", "two_count_qps", "two_join_qps")]  # fmt: skip
    head = ["query", "arcadelite q/s", "SQLite join q/s", "join / arcadelite"]
    head += [f"{name} q/s" for name, _, _ in sides[1:]]
    rows = []
    for label, key, join in forms:
        q = statistics.median(r[key] for r in ours)
        j = statistics.median(r[join] for r in ours)
        row = [label, _cell([r[key] for r in ours], ",.0f"), _cell([r[join] for r in ours], ",.0f"),
               f"{j / q:.1f}x"]  # fmt: skip
        for name, _, _ in sides[1:]:
            row.append(_cell([r[key] for r in results[name]], ",.0f"))
        rows.append(row)
    _table(head, rows)
    for name, _, _ in sides[1:]:
        agree = all(r["checked"] and r["answers"] == ours[0]["answers"] for r in results[name])
        print(f"{name}: {results[name][0].get('module')}; both its forms give arcadelite's "
              f"answers: {agree}")  # fmt: skip
    print(f"arcadelite answers equal the join's: {all(r['checked'] for r in ours)}")


def part_scan(args: argparse.Namespace) -> None:
    folder = tempfile.mkdtemp(prefix="graph_bench_scan_", dir=args.tmp)
    try:
        t0 = time.perf_counter()
        built = run_child(sys.executable, "scan-build", args, folder)
        print(f"scan: built {args.docs:,} documents in {time.perf_counter() - t0:.1f} s",
              flush=True)  # fmt: skip
        results: dict[str, list[dict]] = {"arcadelite": [], "raw": []}
        for run in range(1, args.runs + 1):
            for name, child in (("arcadelite", "scan"), ("raw", "scan-raw")):
                res = run_child(sys.executable, child, args, folder, table=built["table"])
                results[name].append(res)
                print(f"scan run {run}/{args.runs} {name:<10} {res['seconds']:.2f} s  rows "
                      f"{res['rows']:,}  peak RSS {res['peak_rss_mib']:.1f} MiB (at open "
                      f"{res['rss_before_mib']:.1f})", flush=True)  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rows = []
    for name, runs in results.items():
        rows.append([name, _cell([r["seconds"] for r in runs], ".2f"),
                     _cell([r["peak_rss_mib"] for r in runs], ".1f"),
                     _cell([r["rss_before_mib"] for r in runs], ".1f"),
                     f"{runs[0]['rows']:,}"])  # fmt: skip
    print(
        f"scan: SELECT FROM T over {args.docs:,} documents, iterated to the end "
        "(target: peak RSS <= 100 MB)"
    )
    _table(["side", "seconds", "peak RSS MiB", "RSS after open MiB", "rows"], rows)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3, help="runs per side (median reported)")
    p.add_argument("--only", default=",".join(PARTS), help="parts: load,hops,scan")
    p.add_argument("--vertices", type=int, default=100_000)
    p.add_argument("--edges", type=int, default=1_000_000)
    p.add_argument("--base-edges", type=int, default=1_000_000,
                   help="the edge count --edges is compared with (growth ratio)")  # fmt: skip
    p.add_argument("--loaders", default=",".join(LOADERS), help="load sides: async,import,raw")
    p.add_argument("--docs", type=int, default=5_000_000, help="documents for the scan part")
    p.add_argument("--queries", type=int, default=2_000, help="start vertices per hop query")
    p.add_argument("--commit-every", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--reference", action="append", default=[], metavar="PYTHON",
                   help="an interpreter with arcadedb_embedded or arcadedb (repeatable)")  # fmt: skip
    p.add_argument("--tmp", default=None, help="folder for the temporary databases")
    p.add_argument("--timeout", type=float, default=3600, help="seconds allowed per child")
    # child side
    p.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    p.add_argument("--dir", help=argparse.SUPPRESS)
    p.add_argument("--csv-dir", default="", help=argparse.SUPPRESS)
    p.add_argument("--table", default="", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        return child_main(args)

    compile_sources()  # measure as installed: with bytecode (see bench/bytecode.py)
    only = [part.strip() for part in args.only.split(",") if part.strip()]
    unknown = sorted(set(only) - set(PARTS))
    if unknown or args.runs < 1:
        p.error(f"--only takes {','.join(PARTS)}; --runs >= 1 (got {args.only!r}, {args.runs})")
    args.csv_dir = None
    command = shlex.join([sys.executable] + sys.argv)
    print(f"command: {command}")
    print(f"cpus: {os.cpu_count()}; runs: {args.runs}; seed {args.seed}", flush=True)
    if "load" in only:
        part_load(args)
    if "hops" in only:
        part_hops(args)
    if "scan" in only:
        part_scan(args)
    print(f"command: {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
