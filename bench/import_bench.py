"""CSV import benchmark: arcadelite's ``import_csv`` against the ``sqlite3`` shell's ``.import``.

One generated file (default 1,000,000 rows, 5 columns: ``id`` int, ``name`` text, ``score``
float, ``city`` text, ``age`` int; seeded, so every run reads the same bytes) is imported, in the
same run and alternately, by:

* ``floor``  -- ``sqlite3 floor.db ".mode csv" ".import rows.csv t"``: SQLite's own C importer
  into a plain table (every value a TEXT column, no JSON, no types): the floor no Python import
  can beat.
* ``import`` -- ``arcadelite.import_csv(db, "rows.csv", "Row")`` into a fresh database, as
  documents (types inferred per value), in a child process that reports its peak RSS.

Each measurement runs in a fresh database and a fresh process; wall time includes opening the
file and the final commit. Figures: median [min-max] of ``--runs`` runs. Targets (issue 6):
>= 150,000 rows/s, within 3x of the floor's time, peak RSS under 100 MB.

    python bench/import_bench.py                 # 1,000,000 rows, 3 runs
    python bench/import_bench.py --rows 200000 --runs 5
    python bench/import_bench.py --profile       # one import under cProfile (main thread)

Needs the ``sqlite3`` command (``apt-get install sqlite3``).
"""

from __future__ import annotations

import argparse
import csv
import json
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

REPO_SRC = Path(__file__).resolve().parents[1] / "src"
RESULT_MARK = "BENCH_RESULT "
CITIES = ["Paris", "Rome", "Berlin", "Madrid", "Oslo", "Lima", "Quito", "Cairo"]

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {src!r})
import arcadelite
db = arcadelite.create_database({db!r})
started = time.perf_counter()
result = arcadelite.import_csv(db, {csv!r}, "Row", progress=False)
seconds = time.perf_counter() - started
stored = db.count_type("Row")
db.close()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print({mark!r} + json.dumps({{"seconds": seconds, "stored": stored, "rss_mib": rss,
                              "errors": result["errors"]}}))
"""

PROFILE = r"""
import cProfile, pstats, shutil, sys
sys.path.insert(0, {src!r})
import arcadelite
shutil.rmtree({db!r}, ignore_errors=True)
db = arcadelite.create_database({db!r})
profiler = cProfile.Profile()
profiler.runcall(arcadelite.import_csv, db, {csv!r}, "Row", progress=False)
profiler.dump_stats({out!r})
db.close()
pstats.Stats({out!r}).sort_stats("tottime").print_stats(25)
"""


def generate(path: Path, rows: int) -> None:
    rng = random.Random(6)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "score", "city", "age"])
        for i in range(rows):
            writer.writerow([i, f"user{i}", round(rng.random() * 100, 3), rng.choice(CITIES),
                             rng.randint(18, 90)])  # fmt: skip


def run_floor(sqlite: str, csv_path: Path, work: Path) -> float:
    target = work / "floor.db"
    if target.exists():
        target.unlink()
    started = time.perf_counter()
    subprocess.run([sqlite, str(target), ".mode csv", f".import {csv_path} t"], check=True)
    seconds = time.perf_counter() - started
    target.unlink()
    return seconds


def run_import(csv_path: Path, work: Path) -> dict:
    folder = work / "importdb"
    shutil.rmtree(folder, ignore_errors=True)
    code = CHILD.format(src=str(REPO_SRC), db=str(folder), csv=str(csv_path), mark=RESULT_MARK)
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    shutil.rmtree(folder, ignore_errors=True)
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK) :])
    raise RuntimeError(f"no result from the import child:\n{done.stdout}\n{done.stderr}")


def spread(values: list[float], fmt: str) -> str:
    return (f"{format(statistics.median(values), fmt)} "
            f"[{format(min(values), fmt)}-{format(max(values), fmt)}]")  # fmt: skip


def main() -> int:
    compile_sources()  # measure as installed: with bytecode (see bench/bytecode.py)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sqlite", default=shutil.which("sqlite3") or "sqlite3")
    parser.add_argument("--keep", help="work in this folder and keep the CSV there")
    parser.add_argument("--profile", action="store_true", help="profile one import instead")
    args = parser.parse_args()
    if not shutil.which(args.sqlite):
        print("the sqlite3 command is missing: apt-get install sqlite3", file=sys.stderr)
        return 2
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="import-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        csv_path = work / f"rows-{args.rows}.csv"
        if not csv_path.exists():
            generate(csv_path, args.rows)
        size = csv_path.stat().st_size
        print(f"$ {shlex.join([sys.executable, *sys.argv])}")
        print(f"file: {args.rows:,} rows x 5 columns, {size / 1e6:.1f} MB")
        if args.profile:
            out = work / "profile.out"
            code = PROFILE.format(src=str(REPO_SRC), db=str(work / "profdb"), csv=str(csv_path),
                                  out=str(out))  # fmt: skip
            subprocess.run([sys.executable, "-c", code], check=True)
            return 0
        floors, imports = [], []
        for run in range(1, args.runs + 1):
            floors.append(run_floor(args.sqlite, csv_path, work))
            result = run_import(csv_path, work)
            if result["stored"] != args.rows or result["errors"]:
                print(f"run {run}: stored {result['stored']:,} rows, {result['errors']} errors",
                      file=sys.stderr)  # fmt: skip
                return 1
            imports.append(result)
            print(f"run {run}: sqlite3 .import {floors[-1]:.2f} s, import_csv "
                  f"{result['seconds']:.2f} s, peak RSS {result['rss_mib']:.0f} MiB")  # fmt: skip
        seconds = [r["seconds"] for r in imports]
        rates = [args.rows / s for s in seconds]
        floor_rates = [args.rows / s for s in floors]
        ratios = [i / f for i, f in zip(seconds, floors)]
        rss = [r["rss_mib"] for r in imports]
        print()
        print(f"sqlite3 .import (floor): {spread(floors, '.2f')} s = "
              f"{spread(floor_rates, ',.0f')} rows/s")  # fmt: skip
        print(
            f"arcadelite import_csv  : {spread(seconds, '.2f')} s = {spread(rates, ',.0f')} rows/s"
        )
        print(f"time vs floor          : {spread(ratios, '.2f')} x   (target <= 3.00 x)")
        print(f"rows/s                 : {statistics.median(rates):,.0f}   (target >= 150,000)")
        print(f"peak RSS of the import : {spread(rss, '.0f')} MiB   (target < 100 MiB)")
        ok = (statistics.median(rates) >= 150_000 and statistics.median(ratios) <= 3.0
              and max(rss) < 100)  # fmt: skip
        print("targets met" if ok else "targets NOT met")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
