"""Benchmark of the AsyncExecutor page's own workloads (seeds/async_executor.md).

What it measures, each run in a fresh child process and a fresh temporary directory:

* ``complete``  -- the page's "Complete Example", exactly: ``CREATE VERTEX TYPE Product`` in a
  transaction; an executor with parallel level 8, commit every 10,000, back-pressure 75; then
  100,000 x (``new_vertex("Product")``, set ``productId``, ``name``, ``price``,
  ``create_record``) and ``wait_completion()``. Timed from just before the loop to just after
  ``wait_completion()``. Reports records/s and the child's peak RSS.
* ``compare``   -- the page's "Performance Comparison", exactly, after ``CREATE VERTEX TYPE User``:
  sync = ``with db.transaction():`` 10,000 x (``new_vertex("User")``, set ``userId``, ``save()``);
  async = ``db.async_executor().set_parallel_level(8)``, 10,000 x ``create_record``,
  ``wait_completion()``, ``close()``, all inside the timed span. Reports both records/s and the
  async/sync ratio (median of the per-run ratios).
* ``sync100k``  -- one transaction of 100,000 x (``new_vertex("User")``, two ``set``, ``save()``),
  timed from ``begin`` to after ``commit`` (issue target: >= 150,000 records/s).

Each child also counts the stored records afterwards (outside the timed span) and reports the
peak RSS of its own process (``resource.getrusage(RUSAGE_SELF).ru_maxrss``, which includes an
in-process JVM). The database module is imported by name, so the very same workload code runs on
arcadelite and on the reference bindings (``arcadedb_embedded``). Figures: median [min-max] of N runs.

Commands:

    python bench/async_bench.py                       # arcadelite, 5 runs
    python bench/async_bench.py --runs 3 --reference /work/refvenv/bin/python
    python bench/async_bench.py --runs 3 --python /work/refvenv/bin/python \\
        --module arcadedb_embedded                    # the reference alone
    python bench/async_bench.py --records 20000 --only complete --runs 1   # quick check

The script uses the standard library only (plus the module under test, in the children).
"""

from __future__ import annotations

import argparse
import json
import os
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
WORKLOADS = ("complete", "compare", "sync100k")
REFERENCE_MODULE = "arcadedb_embedded"
REPO_SRC = Path(__file__).resolve().parents[1] / "src"


# --------------------------------------------------------------------------- child side


def _peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def _complete_example(arcadedb, root: str, records: int) -> dict:
    """The seed's Complete Example, with the record count as a parameter (default 100,000)."""
    db = arcadedb.create_database(os.path.join(root, "async_demo"))
    with db.transaction():
        db.command("sql", "CREATE VERTEX TYPE Product")
    async_exec = (
        db.async_executor().set_parallel_level(8).set_commit_every(10000).set_back_pressure(75)
    )
    start = time.perf_counter()
    for i in range(records):
        vertex = db.new_vertex("Product")
        vertex.set("productId", i)
        vertex.set("name", f"Product {i}")
        vertex.set("price", i * 10.5)
        async_exec.create_record(vertex)
    async_exec.wait_completion()
    elapsed = time.perf_counter() - start
    async_exec.close()
    stored = db.count_type("Product")
    db.close()
    return {
        "complete_rps": records / elapsed,
        "complete_secs": elapsed,
        "complete_stored": stored,
        "complete_expected": records,
    }


def _performance_comparison(arcadedb, root: str, records: int) -> dict:
    """The seed's Performance Comparison (sync transaction vs async executor), same database."""
    db = arcadedb.create_database(os.path.join(root, "compare"))
    with db.transaction():
        db.command("sql", "CREATE VERTEX TYPE User")

    # Synchronous (baseline)
    start = time.perf_counter()
    with db.transaction():
        for i in range(records):
            vertex = db.new_vertex("User")
            vertex.set("userId", i)
            vertex.save()
    sync_time = time.perf_counter() - start

    # Asynchronous
    start = time.perf_counter()
    async_exec = db.async_executor().set_parallel_level(8)
    for i in range(records):
        vertex = db.new_vertex("User")
        vertex.set("userId", i)
        async_exec.create_record(vertex)
    async_exec.wait_completion()
    async_exec.close()
    async_time = time.perf_counter() - start

    stored = db.count_type("User")
    db.close()
    return {
        "sync_rps": records / sync_time,
        "async_rps": records / async_time,
        "speedup": sync_time / async_time,
        "compare_stored": stored,
        "compare_expected": 2 * records,
    }


def _sync_big(arcadedb, root: str, records: int) -> dict:
    """One transaction of N x (new_vertex, two set, save())."""
    db = arcadedb.create_database(os.path.join(root, "sync_big"))
    with db.transaction():
        db.command("sql", "CREATE VERTEX TYPE User")
    start = time.perf_counter()
    with db.transaction():
        for i in range(records):
            vertex = db.new_vertex("User")
            vertex.set("userId", i)
            vertex.set("name", f"User {i}")
            vertex.save()
    elapsed = time.perf_counter() - start
    stored = db.count_type("User")
    db.close()
    return {
        "sync_big_rps": records / elapsed,
        "sync_big_stored": stored,
        "sync_big_expected": records,
    }


def child_main(args: argparse.Namespace) -> int:
    import importlib

    arcadedb = importlib.import_module(args.module)
    if args.child == "complete":
        result = _complete_example(arcadedb, args.dir, args.records)
    elif args.child == "compare":
        result = _performance_comparison(arcadedb, args.dir, args.sync_records)
    else:
        result = _sync_big(arcadedb, args.dir, args.big_sync_records)
    result["peak_rss_mib"] = _peak_rss_mib()
    result["module_file"] = getattr(arcadedb, "__file__", None)
    result["module_version"] = getattr(arcadedb, "__version__", None)
    result["python"] = sys.version.split()[0]
    sys.stdout.flush()
    print(RESULT_MARK + json.dumps(result), flush=True)
    return 0


# --------------------------------------------------------------------------- parent side


def _child_env(module: str) -> dict:
    env = dict(os.environ)
    if module == "arcadelite" and REPO_SRC.is_dir():
        # Let `python bench/async_bench.py` run against the working tree without an install.
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_SRC), env.get("PYTHONPATH")) if p)
    return env


def run_child(python: str, module: str, workload: str, args: argparse.Namespace) -> dict:
    tmp = tempfile.mkdtemp(prefix=f"async_bench_{workload}_")
    cmd = [
        python,
        str(Path(__file__).resolve()),
        "--child",
        workload,
        "--module",
        module,
        "--dir",
        tmp,
        "--records",
        str(args.records),
        "--sync-records",
        str(args.sync_records),
        "--big-sync-records",
        str(args.big_sync_records),
    ]
    try:
        proc = subprocess.run(
            cmd,
            cwd=tmp,
            env=_child_env(module),
            capture_output=True,
            text=True,
            timeout=args.timeout,
        )
    except subprocess.TimeoutExpired:
        sys.exit(f"child timed out after {args.timeout}s: {shlex.join(cmd)}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_MARK)]
    if proc.returncode != 0 or not lines:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-25:])
        sys.exit(f"child failed (exit {proc.returncode}): {shlex.join(cmd)}\n{tail}")
    return json.loads(lines[-1][len(RESULT_MARK) :])


METRICS = [
    # (key, label, workload, unit)
    ("complete_rps", "complete example rec/s", "complete", "rate"),
    ("peak_rss_mib@complete", "peak RSS complete example MiB", "complete", "mib"),
    ("sync_rps", "sync rec/s (comparison)", "compare", "rate"),
    ("async_rps", "async rec/s (comparison)", "compare", "rate"),
    ("speedup", "async/sync ratio", "compare", "ratio"),
    ("peak_rss_mib@compare", "peak RSS comparison MiB", "compare", "mib"),
    ("sync_big_rps", "sync 100k rec/s", "sync100k", "rate"),
    ("peak_rss_mib@sync100k", "peak RSS sync 100k MiB", "sync100k", "mib"),
]


def _fmt(value: float, unit: str) -> str:
    if unit == "rate":
        return f"{value:,.0f}"
    if unit == "ratio":
        return f"{value:.2f}x"
    return f"{value:,.1f}"


def _cell(values: list[float], unit: str) -> str:
    if not values:
        return "-"
    med = statistics.median(values)
    if len(values) == 1:
        return _fmt(med, unit)
    return f"{_fmt(med, unit)} [{_fmt(min(values), unit)}-{_fmt(max(values), unit)}]"


def _collect(runs: list[dict], key: str) -> list[float]:
    name, _, workload = key.partition("@")
    return [r[name] for r in runs if r["_workload"] == (workload or r["_workload"]) and name in r]


def _label(side: int, module: str) -> str:
    return "reference" if side == 1 else module


def report(sides: list[tuple[str, str, list[dict]]], args: argparse.Namespace) -> None:
    labels = [_label(i, m) for i, (_, m, _) in enumerate(sides)]
    head = ["metric"] + [f"{label} (median [min-max])" for label in labels]
    if len(sides) == 2:
        head.append("/".join(labels))
    rows = []
    for key, label, workload, unit in METRICS:
        if workload not in args.only:
            continue
        label = label.replace("100k", _count_label(args.big_sync_records))
        cells = [label]
        medians = []
        for _, _, runs in sides:
            values = _collect(runs, key)
            cells.append(_cell(values, unit))
            medians.append(statistics.median(values) if values else None)
        if len(sides) == 2:
            a, b = medians
            cells.append(f"{a / b:.2f}" if a and b else "-")
        rows.append(cells)
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    print()
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))
            )
        )
    print()
    for label, (python, module, runs) in zip(labels, sides):
        bad = [
            f"{r['_workload']}: stored {r[k]} of {r[k.replace('stored', 'expected')]}"
            for r in runs
            for k in r
            if k.endswith("_stored") and r[k] != r[k.replace("stored", "expected")]
        ]
        info = runs[0]
        print(
            f"{label}: {module} {info.get('module_version')} from {info.get('module_file')}"
            f" on Python {info.get('python')} ({python})"
        )
        for line in bad:
            print(f"  WARNING record count mismatch -- {line}")


def _count_label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def parent_main(args: argparse.Namespace) -> int:
    sides = [(args.python, args.module)]
    if args.reference:
        sides.append((args.reference, REFERENCE_MODULE))
    results: list[list[dict]] = [[] for _ in sides]
    command = shlex.join([sys.executable] + sys.argv)
    print(f"command: {command}")
    print(
        f"workloads: {', '.join(args.only)}; runs: {args.runs}; complete example records: "
        f"{args.records:,}; comparison records: {args.sync_records:,}; big sync records: "
        f"{args.big_sync_records:,}; cpus: {os.cpu_count()}"
    )
    for run in range(1, args.runs + 1):
        for side, ((python, module), acc) in enumerate(zip(sides, results)):
            for workload in args.only:
                t0 = time.perf_counter()
                res = run_child(python, module, workload, args)
                res["_workload"] = workload
                acc.append(res)
                shown = {
                    k: round(v, 2) if isinstance(v, float) else v
                    for k, v in res.items()
                    if k.endswith(("_rps", "speedup", "_mib", "_stored"))
                }
                print(
                    f"run {run}/{args.runs} {_label(side, module):>10} {workload:<9}"
                    f" {time.perf_counter() - t0:6.1f}s child  {shown}",
                    flush=True,
                )
    report([(p, m, r) for (p, m), r in zip(sides, results)], args)
    print(f"\ncommand: {command}")
    if args.json:
        payload = {
            "command": command,
            "sides": [{"python": p, "module": m, "runs": r} for (p, m), r in zip(sides, results)],
        }
        Path(args.json).write_text(json.dumps(payload, indent=2))
        print(f"raw results written to {args.json}")
    return 0


def main(argv: list[str] | None = None) -> int:
    compile_sources()  # measure as installed: with bytecode (see bench/bytecode.py)
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5, help="runs per workload (median reported)")
    p.add_argument("--records", type=int, default=100_000, help="complete example record count")
    p.add_argument("--sync-records", type=int, default=10_000, help="comparison record count")
    p.add_argument("--big-sync-records", type=int, default=100_000, help="'sync 100k' record count")
    p.add_argument("--python", default=sys.executable, help="interpreter for the main side")
    p.add_argument(
        "--module", default="arcadelite", help="module for the main side (default arcadelite)"
    )
    p.add_argument(
        "--reference",
        metavar="PYTHON",
        help=f"also run with this interpreter, which has {REFERENCE_MODULE} installed",
    )
    p.add_argument(
        "--only",
        default=",".join(WORKLOADS),
        help=f"comma-separated subset of {','.join(WORKLOADS)}",
    )
    p.add_argument("--timeout", type=float, default=1800, help="seconds allowed per child")
    p.add_argument("--json", help="also write the raw per-run results to this file")
    p.add_argument("--child", choices=WORKLOADS, help=argparse.SUPPRESS)
    p.add_argument("--dir", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        return child_main(args)
    args.only = [w.strip() for w in args.only.split(",") if w.strip()]
    unknown = set(args.only) - set(WORKLOADS)
    if unknown or not args.only:
        p.error(f"--only takes a subset of {','.join(WORKLOADS)}")
    if args.runs < 1:
        p.error("--runs must be >= 1")
    return parent_main(args)


if __name__ == "__main__":
    sys.exit(main())
