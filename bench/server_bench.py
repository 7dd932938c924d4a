"""Server and remote mode throughput: point lookups over HTTP, and the AsyncExecutor seed's
Complete Example through remote mode, against arcadelite's server and (when
ARCADELITE_REFERENCE_PYTHON names a Python with arcadedb_embedded) a real ArcadeDB server.

    python bench/server_bench.py [--seconds 4] [--runs 3] [--count 100000]

The server runs in a child process (as a deployed server would), the clients in this one.
Prints medians of --runs runs.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import orjson

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from tests.server.helpers import AUTH, PASSWORD, free_port
from tests.server.reference import ReferenceServer, reference_python

import arcadelite

_SERVE = """
import sys, arcadelite
server = arcadelite.create_server(sys.argv[1], sys.argv[2], {"http_port": int(sys.argv[3])})
server.start(); print("READY", flush=True); sys.stdin.read(); server.stop()
"""


class OurServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.folder = tempfile.mkdtemp(prefix="arcadelite-server-bench-")
        self._child = subprocess.Popen([sys.executable, "-c", _SERVE, self.folder, PASSWORD, str(port)],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
        assert "READY" in self._child.stdout.readline()

    def stop(self) -> None:
        self._child.stdin.close()
        self._child.wait(120)
        shutil.rmtree(self.folder, ignore_errors=True)


def lookups_per_second(port: int, database: str, clients: int, seconds: float, n: int) -> float:
    done, stop = [0], time.perf_counter() + seconds
    lock = threading.Lock()

    def client() -> None:
        conn, rnd, count = http.client.HTTPConnection("127.0.0.1", port, timeout=60), random.Random(), 0
        while time.perf_counter() < stop:
            body = orjson.dumps({"language": "sql", "command": "SELECT FROM Product WHERE productId = :id",
                                 "params": {"id": rnd.randrange(n)}})  # fmt: skip
            conn.request("POST", f"/api/v1/query/{database}", body=body, headers={"Authorization": AUTH})
            response = conn.getresponse()
            rows = orjson.loads(response.read())["result"]
            assert response.status == 200 and len(rows) == 1, rows
            count += 1
        with lock:
            done[0] += count

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0] / (time.perf_counter() - start)


def complete_example(db, count: int) -> float:
    """The seed's Complete Example, through remote mode: records/s."""
    async_exec = db.async_executor().set_parallel_level(8).set_commit_every(10000).set_back_pressure(75)
    start = time.time()
    for i in range(count):
        vertex = db.new_vertex("Product")
        vertex.set("productId", i)
        vertex.set("name", f"Product {i}")
        vertex.set("price", i * 10.5)
        async_exec.create_record(vertex)
    async_exec.wait_completion()
    elapsed = time.time() - start
    async_exec.close()
    return count / elapsed


def bench(label: str, port: int, args: argparse.Namespace) -> None:
    url = f"http://127.0.0.1:{port}"
    rates = []
    for run in range(args.runs):
        db = arcadelite.connect(url, database=f"bench{run}", password=PASSWORD, create=True)
        db.schema.create_vertex_type("Product")
        db.schema.create_property("Product", "productId", "LONG")
        db.schema.create_index("Product", ["productId"], unique=True)
        rates.append(complete_example(db, args.count))
        assert db.count_type("Product") == args.count
        db.close()
    print(f"{label}: remote Complete Example ({args.count:,} vertices, parallel 8, commit every "
          f"10,000): median {statistics.median(rates):,.0f} records/s  runs {[round(r) for r in rates]}")
    for clients in (1, 8, 32):
        runs = [lookups_per_second(port, "bench0", clients, args.seconds, args.count) for _ in range(args.runs)]
        print(f"{label}: point lookups, {clients:>2} client threads: median "
              f"{statistics.median(runs):,.0f} queries/s  runs {[round(r) for r in runs]}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    print(f"$ python bench/server_bench.py --seconds {args.seconds} --runs {args.runs} --count {args.count}")
    ours = OurServer(free_port())
    try:
        bench("arcadelite server", ours.port, args)
    finally:
        ours.stop()
    python = reference_python()
    if python is None:
        print("ArcadeDB server: skipped (set ARCADELITE_REFERENCE_PYTHON)")
        return
    reference = ReferenceServer(python, free_port(), PASSWORD)
    try:
        bench("ArcadeDB server", reference.port, args)
    finally:
        reference.stop()


if __name__ == "__main__":
    main()
