"""Instructions per record (or per query) on the hot paths, counted by callgrind: a figure that a
busy machine does not move, for comparing two trees (say main and a branch) operation for
operation where wall-clock figures drown in the load of a shared machine.

Each workload runs in a child process under ``valgrind --tool=callgrind`` twice, with N1 and N2
records (or queries); the figure is the difference in instructions divided by N2 - N1, so that
start-up, schema and fixed costs cancel. Workloads:

* ``inline``  -- AsyncExecutor(inline=True).create_record of the Complete Example's vertices
* ``csv``     -- import_csv of a 5-column CSV into an unchecked type (the JSON-array bulk path)
* ``iterate`` -- iterate_type over the records (created inline first: subtract ``inline``)
* ``scan``    -- SELECT FROM P, to_list() (created inline first: subtract ``inline``)
* ``sync``    -- new_vertex + set + save() in one transaction
* ``point``   -- SELECT FROM T WHERE id = ? (an index seek), per query
* ``hop1``    -- SELECT expand(out('Knows')) FROM ?, per query
* ``hop2``    -- SELECT out('Knows').out('Knows').asSet().size() AS n FROM ?, per query
* ``cold``    -- import arcadelite, create_database, close (absolute instructions)
* ``first``   -- ``cold`` plus a document type (by the schema API) and a first
  ``SELECT FROM T``: what a process pays up to its first result (absolute instructions)

Commands:

    python bench/instructions.py                           # this tree, every workload
    python bench/instructions.py --src /path/to/main/src --only inline csv point

Needs valgrind. The standard library only (plus the tree under test, in the children).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_SRC = Path(__file__).resolve().parents[1] / "src"
RECORD_WORKLOADS = {"inline": (10_000, 20_000), "csv": (10_000, 20_000),
                    "iterate": (10_000, 20_000), "scan": (10_000, 20_000), "sync": (10_000, 20_000),
                    "point": (200, 400), "hop1": (200, 400), "hop2": (200, 400)}  # fmt: skip
ABSOLUTE_WORKLOADS = ("cold", "first")
WORKLOADS = (*RECORD_WORKLOADS, *ABSOLUTE_WORKLOADS)


def child(src: str, work: str, n: int) -> None:
    sys.path.insert(0, src)
    import arcadelite as arcadedb  # first: "cold" counts this import, create_database and close

    tmp = tempfile.mkdtemp(prefix="instructions-")
    try:
        db = arcadedb.create_database(os.path.join(tmp, "db"))
        if work == "cold":
            db.close()
            return
        if work == "first":
            db.schema.create_document_type("T")
            list(db.query("sql", "SELECT FROM T"))
            db.close()
            return
        import random

        import orjson

        if work in ("inline", "iterate", "scan"):
            from arcadelite.async_executor import AsyncExecutor

            with db.transaction():
                db.command("sql", "CREATE VERTEX TYPE P")
            ex = AsyncExecutor(db, inline=True).set_commit_every(10_000)
            for i in range(n):
                v = db.new_vertex("P")
                v.set("productId", i)
                v.set("name", f"Product {i}")
                v.set("price", i * 0.5)
                ex.create_record(v)
            ex.wait_completion()
            ex.close()
            if work == "iterate":
                assert sum(1 for _ in db.iterate_type("P")) == n
            elif work == "scan":
                assert len(db.query("sql", "SELECT FROM P").to_list()) == n
        elif work == "csv":
            path = os.path.join(tmp, "rows.csv")
            with open(path, "w") as out:
                out.write("id,name,score,city,flag\n")
                out.writelines(f"{i},name{i},{i * 0.25},city{i % 100},{i % 2}\n" for i in range(n))
            arcadedb.import_csv(db, path, "Row", progress=False)
        elif work == "sync":
            db.schema.create_vertex_type("User")
            with db.transaction():
                for i in range(n):
                    v = db.new_vertex("User")
                    v.set("userId", i)
                    v.save()
        else:  # the SQL workloads: a 20,000-document, 2,000-vertex, 20,000-edge database, built
            # through storage as bench/sql_bench.py builds it (main and this branch alike)
            from arcadelite.rid import RID

            rng = random.Random(7)
            for statement in ("CREATE DOCUMENT TYPE T", "CREATE PROPERTY T.id INTEGER",
                              "CREATE VERTEX TYPE Person", "CREATE EDGE TYPE Knows"):  # fmt: skip
                db.command("sql", statement)
            storage = db._storage
            session = storage.session()
            storage.begin_write(session)
            storage.insert_rows(session, storage.catalog.get("T"), [
                (orjson.dumps({"id": i, "name": f"name{i}"}).decode(), None) for i in range(20_000)
            ])  # fmt: skip
            person = storage.catalog.get("Person").id
            storage.insert_rows(session, storage.catalog.get("Person"), [
                (orjson.dumps({"id": i}).decode(), None) for i in range(2_000)])  # fmt: skip
            storage.insert_rows(session, storage.catalog.get("Knows"), [
                ("{}", None, RID(person, rng.randrange(2_000) + 1).to_int(),
                 RID(person, rng.randrange(2_000) + 1).to_int()) for _ in range(20_000)
            ])  # fmt: skip
            storage.commit(session)
            db.command("sql", "CREATE INDEX ON T (id) NOTUNIQUE")
            starts = [str(RID(person, rng.randrange(2_000) + 1)) for _ in range(n)]
            ids = [rng.randrange(20_000) for _ in range(n)]
            texts = {"point": "SELECT FROM T WHERE id = ?",
                     "hop1": "SELECT expand(out('Knows')) FROM ?",
                     "hop2": "SELECT out('Knows').out('Knows').asSet().size() AS n FROM ?"}  # fmt: skip
            text = texts[work]
            values = ids if work == "point" else starts
            list(db.query("sql", text, values[0]))  # parse and plan once, outside the count
            for value in values:
                list(db.query("sql", text, value))
        db.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def instructions(src: str, work: str, n: int) -> int:
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
               __file__, "--child", work, "--n", str(n), "--src", src]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stderr
    return int(re.search(r"Collected : (\d+)", out).group(1))  # type: ignore[union-attr]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", default=str(REPO_SRC), help="the tree to measure (its src/)")
    parser.add_argument("--only", nargs="*", choices=WORKLOADS, help="workloads (default: all)")
    parser.add_argument("--child", choices=WORKLOADS, help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.src, args.child, args.n)
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed", file=sys.stderr)
        return 2
    subprocess.run([sys.executable, "-m", "compileall", "-q", args.src], check=True)
    print("command:", shlex.join([Path(sys.executable).name, *sys.argv]), flush=True)
    print("tree:", args.src, flush=True)
    for work in args.only or WORKLOADS:
        if work in ABSOLUTE_WORKLOADS:
            print(f"{work:8s} {instructions(args.src, work, 0):>14,} instructions", flush=True)
            continue
        low, high = RECORD_WORKLOADS[work]
        per = (instructions(args.src, work, high) - instructions(args.src, work, low)) / (high - low)
        unit = "query" if work in ("point", "hop1", "hop2") else "record"
        print(f"{work:8s} {per:>14,.0f} instructions/{unit}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
