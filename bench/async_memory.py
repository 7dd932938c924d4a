"""Peak RSS of the seed's async load at two sizes: memory must not grow with the load.

Each run is a fresh child process that loads N Product vertices exactly as the seed's Complete
Example does (parallel level 8, commit every 10,000, back-pressure 75) and reports its peak RSS
(``ru_maxrss``) and throughput. Issue 4's bound: peak RSS at 2,000,000 records within 1.5x of
200,000.

    python bench/async_memory.py                 # 200,000 and 2,000,000, 3 runs each
    python bench/async_memory.py --runs 1 --small 50000 --large 500000
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bytecode import compile_sources

SRC = Path(__file__).resolve().parents[1] / "src"

CHILD = r"""
import json, resource, sys, tempfile, time
sys.path.insert(0, sys.argv[2])
import arcadelite as arcadedb
count = int(sys.argv[1])
db = arcadedb.create_database(tempfile.mkdtemp() + "/load")
with db.transaction():
    db.command("sql", "CREATE VERTEX TYPE Product")
ex = db.async_executor().set_parallel_level(8).set_commit_every(10000).set_back_pressure(75)
start = time.perf_counter()
for i in range(count):
    vertex = db.new_vertex("Product")
    vertex.set("productId", i)
    vertex.set("name", f"Product {i}")
    vertex.set("price", i * 10.5)
    ex.create_record(vertex)
ex.wait_completion()
elapsed = time.perf_counter() - start
ex.close()
stored = db.count_type("Product")
db.close()
print(json.dumps({"rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rate": count / elapsed, "stored": stored}))
"""


def run_child(count: int) -> dict:
    with tempfile.TemporaryDirectory() as cwd:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(count), str(SRC)],
            cwd=cwd, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    result = json.loads(out.strip().splitlines()[-1])
    if result["stored"] != count:
        raise SystemExit(f"stored {result['stored']} of {count} records")
    return result


def main() -> None:
    compile_sources()  # measure as installed: with bytecode (see bench/bytecode.py)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--small", type=int, default=200_000)
    parser.add_argument("--large", type=int, default=2_000_000)
    args = parser.parse_args()
    medians = {}
    for count in (args.small, args.large):
        results = [run_child(count) for _ in range(args.runs)]
        rss = statistics.median(r["rss_mib"] for r in results)
        rate = statistics.median(r["rate"] for r in results)
        medians[count] = rss
        print(f"{count:>10,} records: peak RSS {rss:6.1f} MiB   {rate:>9,.0f} records/s "
              f"(median of {args.runs})")  # fmt: skip
    ratio = medians[args.large] / medians[args.small]
    print(f"RSS ratio large/small: {ratio:.2f}x (bound 1.5x: {'PASS' if ratio <= 1.5 else 'FAIL'})")
    print("command:", shlex.join([Path(sys.executable).name, *sys.argv]))


if __name__ == "__main__":
    main()
