"""The paths issue 10's fixes touched (items 1-4, 13), against another source tree.

Each round runs one child per side, alternately, each doing the same four workloads on a fresh
database: 20,000 ``lookup_by_rid`` calls, 2,000 saves in auto-transaction (one write transaction,
the writer lock and a reconcile each), 20 transactions of 500 saves, and 20,000 async creates.
Reported: the median seconds of each workload per side over the rounds, and their ratio (this
tree / the other one; on a shared machine only ratios of interleaved runs mean much).

    python bench/write_path_bench.py --other-src /work/main/src --rounds 7

The script uses the standard library (and arcadelite, from each side's source tree).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import json, os, sys, tempfile, time, shutil
import arcadelite as arcadedb
folder = tempfile.mkdtemp(dir=sys.argv[1])
out = {}
try:
    with arcadedb.create_database(os.path.join(folder, "db")) as db:
        db.schema.create_document_type("D")
        with db.transaction():
            rids = [db.new_document("D").set("n", i).save().get_rid() for i in range(20_000)]
        t = time.perf_counter()
        for rid in rids:
            db.lookup_by_rid(rid)
        out["lookup_by_rid x20000"] = time.perf_counter() - t
        db.set_auto_transaction(True)
        t = time.perf_counter()
        for i in range(2_000):
            db.new_document("D").set("n", i).save()
        out["auto-transaction save x2000"] = time.perf_counter() - t
        db.set_auto_transaction(False)
        t = time.perf_counter()
        for _ in range(20):
            with db.transaction():
                for i in range(500):
                    db.new_document("D").set("n", i).save()
        out["20 transactions x500 saves"] = time.perf_counter() - t
        executor = db.async_executor()
        t = time.perf_counter()
        for i in range(20_000):
            executor.create_record(db.new_document("D").set("n", i))
        executor.wait_completion()
        out["async create x20000"] = time.perf_counter() - t
finally:
    shutil.rmtree(folder, ignore_errors=True)
print(json.dumps(out))
"""


def run_side(src: str, workdir: str) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=src)
    done = subprocess.run([sys.executable, "-c", CHILD, workdir], env=env, capture_output=True,
                          text=True, timeout=600, check=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    p.add_argument("--src", default=os.path.abspath(here), help="this side's source tree")
    p.add_argument("--other-src", required=True, help="the other side's source tree")
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args()
    results: dict[str, dict[str, list[float]]] = {"this": {}, "other": {}}
    with tempfile.TemporaryDirectory() as workdir:
        for _ in range(args.rounds):
            for side, src in (("this", args.src), ("other", args.other_src)):
                for name, seconds in run_side(src, workdir).items():
                    results[side].setdefault(name, []).append(seconds)
    print(f"# {' '.join(sys.argv)}  ({args.rounds} interleaved rounds, medians)")
    for name, this in results["this"].items():
        mine, theirs = statistics.median(this), statistics.median(results["other"][name])
        print(f"{name:32} this {mine:7.3f} s   other {theirs:7.3f} s   ratio {mine / theirs:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
