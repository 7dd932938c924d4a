"""Benchmark of the vector search core (src/arcadelite/vector) alone, at 100k or 1M vectors.

Data: float32, random low-rank (rank 32) plus noise, rows normalised, fixed seed -- the same
generator as bench/vector_ann_compare.py -- 128 dimensions, COSINE. It measures, in this process:

* load:    ``VectorIndexCore.upsert`` of all vectors (validation, copy, norms) -- records/s;
* build:   the HNSW graph, built on the first search above the exact threshold (faiss-cpu, or
           usearch: ARCADELITE_ANN=usearch);
* query:   one query per call, k=10: median and p99 latency, QPS, recall@10 against exact search
           (numpy), for the HNSW path and for the exact path;
* filtered: k=10 with 1% of the RIDs allowed (at 1M: 10,000, answered exactly over them) and
           with 50% allowed (HNSW asked for k * 4 / 0.5 candidates);
* snapshot: save time and size; reopen = ``open()`` from the snapshot plus catch-up, with the
           records served from memory (reading the RIDs from SQLite is added at wiring time);
* RSS:     after loading and peak.

The end-to-end parts (inserts through the async executor, vectors as BLOBs in the records'
transaction) are added when the core is wired to storage.

Commands:

    python bench/vector_bench.py --size 100000
    python bench/vector_bench.py --size 1000000 --queries 200

Targets (issue 14): at 1M, recall@10 >= 0.95 at <= 2 ms/query; reopen of a 1M index <= 2 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from vector_ann_compare import make_data

from arcadelite.vector.ann import ann_backend
from arcadelite.vector.exact import exact_search
from arcadelite.vector.index import IndexConfig, VectorIndexCore
from arcadelite.vector.quantization import Quantization
from arcadelite.vector.space import Similarity, vector_to_blob


class MemorySource:
    """Committed records served from memory: measures the core, not storage."""

    def __init__(self, ids: np.ndarray, matrix: np.ndarray, generation: int) -> None:
        self._ids, self._matrix, self._generation = ids, matrix, generation

    def database_id(self) -> str:
        return "bench"

    @contextmanager
    def reading(self):
        yield

    def generation(self) -> int:
        return self._generation

    def ids(self) -> np.ndarray:
        return self._ids

    def fetch(self, ids):
        rows = np.searchsorted(self._ids, ids)
        return ((int(self._ids[r]), vector_to_blob(self._matrix[r])) for r in rows)

    def scan(self):
        return ((int(r), vector_to_blob(v)) for r, v in zip(self._ids, self._matrix))

    def changes_since(self, generation: int):
        return []


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def timed_queries(core, queries, **kw):
    """Results, median and p99 wall ms, median CPU ms of this thread (the machine is shared)."""
    lat, cpu, results = [], [], []
    for q in queries:
        c0, t0 = time.thread_time(), time.perf_counter()
        results.append(core.search(q, 10, **kw))
        lat.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    lat.sort()
    return results, statistics.median(lat), lat[int(0.99 * (len(lat) - 1))], statistics.median(cpu)


def recall(results, truth_rows, ids) -> float:
    hits = sum(len({rid for rid, _ in got} & set(ids[rows].tolist()))
               for got, rows in zip(results, truth_rows))
    return hits / (10 * len(truth_rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--exact-threshold", type=int, default=None)
    parser.add_argument("--ef", default="64,128,256", help="HNSW search breadths to try")
    args = parser.parse_args()
    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    backend = ann_backend()
    print(f"HNSW library: {backend.name if backend else 'none (exact search only)'}")

    data, queries = make_data(args.size, args.dim, args.queries, args.seed)
    ids = np.arange(1, args.size + 1, dtype=np.int64) * 7  # sparse, sorted RIDs
    config = IndexConfig("Doc[embedding]", args.dim, Similarity.COSINE, Quantization.NONE)
    kw = {} if args.exact_threshold is None else {"exact_threshold": args.exact_threshold}
    core = VectorIndexCore(config, **kw)
    base_rss = rss_mib()

    t0 = time.perf_counter()
    for start in range(0, args.size, 100_000):
        core.upsert(ids[start:start + 100_000], data[start:start + 100_000])
    load_s = time.perf_counter() - t0
    print(f"load    {args.size:,} vectors in {load_s:.2f} s = {args.size / load_s:,.0f} vectors/s"
          f"  (RSS +{rss_mib() - base_rss:.0f} MiB)")

    c0, t0 = time.process_time(), time.perf_counter()
    core.search(queries[0], 10)
    first_s, first_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"build   first search {first_s:.2f} s, cpu {first_cpu:.2f} s "
          f"(HNSW graph built: {core.has_ann})"
          f"  = {args.size / first_s:,.0f} vectors/s  (RSS +{rss_mib() - base_rss:.0f} MiB)")

    truth = [exact_search(data, q, 10, Similarity.COSINE)[0] for q in queries]
    results, med, p99, cpu = timed_queries(core, queries)
    path = "HNSW" if core.has_ann else "exact"
    print(f"query   {path}: median {med:.3f} ms (cpu {cpu:.3f} ms)  p99 {p99:.3f} ms  "
          f"QPS {1000 / med:,.0f}  "
          f"recall@10 {recall(results, truth, ids):.4f}")
    if core.has_ann:
        default_ef = core._ann.expansion_search
        for ef in (int(x) for x in args.ef.split(",")):
            core._ann.expansion_search = ef
            res, med, p99, cpu = timed_queries(core, queries)
            print(f"query   HNSW ef={ef}: median {med:.3f} ms (cpu {cpu:.3f} ms)  "
                  f"p99 {p99:.3f} ms  recall@10 {recall(res, truth, ids):.4f}")
        core._ann.expansion_search = default_ef
        exact_ms, exact_cpu = [], []
        for q in queries[:50]:
            c0, t0 = time.thread_time(), time.perf_counter()
            exact_search(data, q, 10, Similarity.COSINE)
            exact_ms.append((time.perf_counter() - t0) * 1000)
            exact_cpu.append((time.thread_time() - c0) * 1000)
        print(f"query   exact (numpy) for comparison: median {statistics.median(exact_ms):.3f} ms "
              f"(cpu {statistics.median(exact_cpu):.3f} ms)")

    for fraction in (0.01, 0.5):
        allowed = ids[:: int(1 / fraction)]
        allowed_rows = np.arange(0, args.size, int(1 / fraction))
        t_truth = [exact_search(data, q, 10, Similarity.COSINE, allowed=allowed_rows)[0]
                   for q in queries[:50]]
        allowed_set = set(allowed.tolist())
        res, med, p99, cpu = timed_queries(core, queries[:50], allowed=allowed_set)
        assert all(len(r) == 10 for r in res)
        print(f"filter  {fraction:.0%} allowed: median {med:.3f} ms (cpu {cpu:.3f} ms)  "
              f"p99 {p99:.3f} ms  "
              f"recall@10 {recall(res, t_truth, ids):.4f}")

    with tempfile.TemporaryDirectory(prefix="vector_bench_") as tmp:
        snap = Path(tmp) / "snap"
        c0, t0 = time.process_time(), time.perf_counter()
        core.save_snapshot(snap, "bench")
        save_s, save_cpu = time.perf_counter() - t0, time.process_time() - c0
        size = sum(p.stat().st_size for p in snap.iterdir()) / 2**20
        print(f"snapshot save {save_s:.2f} s (cpu {save_cpu:.2f} s), {size:.0f} MiB")
        source = MemorySource(ids, data, generation=0)
        reopened = VectorIndexCore(config, **kw)
        c0, t0 = time.process_time(), time.perf_counter()
        report = reopened.open(source, snap)
        reopen_s, reopen_cpu = time.perf_counter() - t0, time.process_time() - c0
        res, med, _, _ = timed_queries(reopened, queries[:50])
        print(f"reopen  {reopen_s:.2f} s (cpu {reopen_cpu:.2f} s) from snapshot={report.from_snapshot} "
              f"(graph loaded: {reopened.has_ann}); then median {med:.3f} ms, "
              f"recall@10 {recall(res, truth[:50], ids):.4f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RSS     now {rss_mib():.0f} MiB, peak {peak:.0f} MiB")
    print("context (issue 14, upstream seed-era benchmark on SIFT-1M, another data set and "
          "machine): ArcadeDB LSM_VECTOR recall@10 0.991 at 26 ms/query; FAISS HNSW 0.984 at "
          "0.26 ms/query")


if __name__ == "__main__":
    main()
