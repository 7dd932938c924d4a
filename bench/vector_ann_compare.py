"""Which ANN library for vector search: usearch, hnswlib, faiss-cpu HNSW, or numpy exact search.

Each library runs in its own child process on the same data, so peak RSS and timings belong to
that library alone. The data are float32, random low-rank (rank 32) plus noise, rows normalised
(cosine), generated from a fixed seed; the queries come from the same distribution. Exact top-k
(numpy, chunked) is the ground truth, computed once per size and cached beside the data.

Per library it prints: build time and add throughput (all vectors, `--threads` threads), query
latency (one query per call, single thread: median and p99) and recall@k against exact for each
search expansion in `--ef`, snapshot save and load time and file size, RSS after build and peak
RSS, and whether the library filters natively during the graph search.

Commands (figures in the vector report were taken with these):

    python bench/vector_ann_compare.py --size 100000
    python bench/vector_ann_compare.py --size 1000000 --queries 200 --libs usearch,faiss,hnswlib,numpy

Libraries that are not installed are reported as missing; numpy is always there.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

RESULT_MARK = "ANN_RESULT "
LIBS = ("numpy", "usearch", "hnswlib", "faiss")


def make_data(size: int, dim: int, queries: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Low-rank vectors plus noise, rows normalised; chunked so 1M rows stay within ~1 GB."""
    rng = np.random.default_rng(seed)
    rank = 32
    basis = rng.standard_normal((rank, dim), dtype=np.float32)
    out = np.empty((size + queries, dim), dtype=np.float32)
    for start in range(0, size + queries, 100_000):
        stop = min(start + 100_000, size + queries)
        coeffs = rng.standard_normal((stop - start, rank), dtype=np.float32)
        block = coeffs @ basis + 0.5 * rng.standard_normal((stop - start, dim), dtype=np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start:stop] = block
    return out[:size], out[size:]


def exact_top_k(data: np.ndarray, queries: np.ndarray, k: int, chunk: int = 65_536) -> np.ndarray:
    """Ids of the k largest inner products per query (cosine on normalised rows)."""
    best_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    best_ids = np.zeros((len(queries), k), dtype=np.int64)
    for start in range(0, len(data), chunk):
        scores = queries @ data[start : start + chunk].T
        top = np.argpartition(-scores, min(k, scores.shape[1] - 1), axis=1)[:, :k]
        cand_scores = np.take_along_axis(scores, top, axis=1)
        merged_scores = np.concatenate([best_scores, cand_scores], axis=1)
        merged_ids = np.concatenate([best_ids, top + start], axis=1)
        keep = np.argsort(-merged_scores, axis=1)[:, :k]
        best_scores = np.take_along_axis(merged_scores, keep, axis=1)
        best_ids = np.take_along_axis(merged_ids, keep, axis=1)
    return best_ids


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def recall(found: list[np.ndarray], truth: np.ndarray, k: int) -> float:
    hits = sum(len(set(f[:k].tolist()) & set(t[:k].tolist())) for f, t in zip(found, truth))
    return hits / (k * len(truth))


def time_queries(search, queries: np.ndarray) -> tuple[list[np.ndarray], list[float], list[float]]:
    """Run one query per call; wall and CPU (this thread) milliseconds per query."""
    found, lat, cpu = [], [], []
    for q in queries:
        c0 = time.thread_time()
        t0 = time.perf_counter()
        ids = search(q)
        lat.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        found.append(np.asarray(ids))
    return found, lat, cpu


def summarise(found: list[np.ndarray], truth: np.ndarray, k: int, lat: list[float],
              cpu: list[float]) -> dict:
    lat = sorted(lat)
    return {"recall": recall(found, truth, k), "median_ms": statistics.median(lat),
            "p99_ms": lat[int(0.99 * (len(lat) - 1))], "cpu_median_ms": statistics.median(cpu)}


# --------------------------------------------------------------------------- one library


def run_library(lib: str, args: argparse.Namespace, workdir: Path) -> dict:
    data, queries = make_data(args.size, args.dim, args.queries, args.seed)
    truth = np.load(workdir / f"truth_{args.size}_{args.queries}.npy")
    k = args.k
    rss_data = rss_mib()
    result: dict = {"lib": lib, "size": args.size, "rss_data_mib": round(rss_data)}
    efs = [int(x) for x in args.ef.split(",")]
    snap = workdir / f"{lib}_{args.size}.index"

    if lib == "numpy":
        c0, t0 = time.process_time(), time.perf_counter()
        matrix = np.ascontiguousarray(data)
        result["build_s"] = time.perf_counter() - t0
        build_cpu = time.process_time() - c0

        def search(q):
            scores = matrix @ q
            top = np.argpartition(-scores, k)[:k]
            return top[np.argsort(-scores[top])]

        found, lat, cpu = time_queries(search, queries)
        result["runs"] = [{"ef": "exact", **summarise(found, truth, k, lat, cpu)}]
        t0 = time.perf_counter()
        with open(snap, "wb") as fh:
            np.save(fh, matrix)
        result["save_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        with open(snap, "rb") as fh:
            np.load(fh)
        result["load_s"] = time.perf_counter() - t0
        result["filter"] = "boolean mask over the matrix (exact)"
    elif lib == "usearch":
        from usearch.index import Index

        index = Index(ndim=args.dim, metric="ip", dtype="f32", connectivity=args.M,
                      expansion_add=args.efc)
        keys = np.arange(args.size, dtype=np.uint64)
        c0, t0 = time.process_time(), time.perf_counter()
        index.add(keys, data, threads=args.threads)
        result["build_s"] = time.perf_counter() - t0
        build_cpu = time.process_time() - c0
        result["runs"] = []
        for ef in efs:
            index.expansion_search = ef
            found, lat, cpu = time_queries(lambda q: index.search(q, k, threads=1).keys, queries)
            result["runs"].append({"ef": ef, **summarise(found, truth, k, lat, cpu)})
        t0 = time.perf_counter()
        index.save(str(snap))
        result["save_s"] = time.perf_counter() - t0
        del index
        t0 = time.perf_counter()
        loaded = Index.restore(str(snap))
        result["load_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        viewed = Index.restore(str(snap), view=True)
        result["view_s"] = time.perf_counter() - t0
        assert len(loaded) == args.size and len(viewed) == args.size
        result["filter"] = "none in the Python API (over-query + exact fallback)"
    elif lib == "hnswlib":
        import hnswlib

        index = hnswlib.Index(space="ip", dim=args.dim)
        index.init_index(max_elements=args.size, ef_construction=args.efc, M=args.M)
        c0, t0 = time.process_time(), time.perf_counter()
        index.add_items(data, np.arange(args.size), num_threads=args.threads)
        result["build_s"] = time.perf_counter() - t0
        build_cpu = time.process_time() - c0
        result["runs"] = []
        for ef in efs:
            index.set_ef(ef)
            found, lat, cpu = time_queries(lambda q: index.knn_query(q, k, num_threads=1)[0][0], queries)
            result["runs"].append({"ef": ef, **summarise(found, truth, k, lat, cpu)})
        # The filter is a Python callable, called per visited node: time it with half the ids allowed.
        index.set_ef(max(efs))
        t0 = time.perf_counter()
        for q in queries[:20]:
            index.knn_query(q, k, num_threads=1, filter=lambda i: i % 2 == 0)
        result["filtered_ms"] = (time.perf_counter() - t0) * 1000 / 20
        t0 = time.perf_counter()
        index.save_index(str(snap))
        result["save_s"] = time.perf_counter() - t0
        del index
        t0 = time.perf_counter()
        loaded = hnswlib.Index(space="ip", dim=args.dim)
        loaded.load_index(str(snap), max_elements=args.size)
        result["load_s"] = time.perf_counter() - t0
        result["filter"] = "Python callable per visited node"
    elif lib == "faiss":
        import faiss

        faiss.omp_set_num_threads(args.threads)
        index = faiss.IndexHNSWFlat(args.dim, args.M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = args.efc
        c0, t0 = time.process_time(), time.perf_counter()
        index.add(data)
        result["build_s"] = time.perf_counter() - t0
        build_cpu = time.process_time() - c0
        faiss.omp_set_num_threads(1)
        result["runs"] = []
        for ef in efs:
            params = faiss.SearchParametersHNSW(efSearch=ef)
            found, lat, cpu = time_queries(
                lambda q, p=params: index.search(q.reshape(1, -1), k, params=p)[1][0], queries)
            result["runs"].append({"ef": ef, **summarise(found, truth, k, lat, cpu)})
        allowed = np.arange(0, args.size, 2, dtype=np.int64)
        sel = faiss.IDSelectorBatch(allowed)
        params = faiss.SearchParametersHNSW(efSearch=max(efs), sel=sel)
        t0 = time.perf_counter()
        for q in queries[:20]:
            index.search(q.reshape(1, -1), k, params=params)
        result["filtered_ms"] = (time.perf_counter() - t0) * 1000 / 20
        t0 = time.perf_counter()
        faiss.write_index(index, str(snap))
        result["save_s"] = time.perf_counter() - t0
        del index
        t0 = time.perf_counter()
        faiss.read_index(str(snap))
        result["load_s"] = time.perf_counter() - t0
        result["filter"] = "native IDSelector during the graph search"
    else:
        raise SystemExit(f"unknown library {lib}")

    result["build_cpu_s"] = build_cpu
    if "build_s" in result:
        result["adds_per_s"] = args.size / max(result["build_s"], 1e-9)
    result["snapshot_mib"] = round(snap.stat().st_size / 2**20, 1) if snap.exists() else None
    result["rss_after_mib"] = round(rss_mib())
    result["peak_rss_mib"] = round(peak_rss_mib())
    if snap.exists():
        snap.unlink()
    return result


# --------------------------------------------------------------------------- driver


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--M", type=int, default=16, help="HNSW connectivity")
    parser.add_argument("--efc", type=int, default=128, help="expansion while adding")
    parser.add_argument("--ef", default="16,32,64,128", help="search expansions to try")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--libs", default=",".join(LIBS))
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="vector_ann_"))

    if args.child:
        print(RESULT_MARK + json.dumps(run_library(args.child, args, workdir)), flush=True)
        return

    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    truth_file = workdir / f"truth_{args.size}_{args.queries}.npy"
    if not truth_file.exists():
        t0 = time.perf_counter()
        data, queries = make_data(args.size, args.dim, args.queries, args.seed)
        np.save(truth_file, exact_top_k(data, queries, args.k))
        del data, queries
        print(f"ground truth: {time.perf_counter() - t0:.1f} s")
    for lib in args.libs.split(","):
        cmd = [sys.executable, __file__, "--child", lib, "--workdir", str(workdir)]
        for name in ("size", "dim", "queries", "k", "seed", "M", "efc", "ef", "threads"):
            cmd += [f"--{name}", str(getattr(args, name))]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_MARK)]
        if not lines:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            print(f"{lib:8s} failed: {tail[0]}")
            continue
        res = json.loads(lines[0][len(RESULT_MARK):])
        print(f"{lib:8s} n={res['size']:,} build {res['build_s']:.2f} s, cpu {res['build_cpu_s']:.2f} s "
              f"({res['adds_per_s']:,.0f} adds/s)  save {res.get('save_s', 0):.2f} s  "
              f"load {res.get('load_s', 0):.2f} s"
              + (f" (view {res['view_s']:.3f} s)" if "view_s" in res else "")
              + f"  snapshot {res['snapshot_mib']} MiB  RSS data {res['rss_data_mib']} MiB"
              f" -> after {res['rss_after_mib']} MiB, peak {res['peak_rss_mib']} MiB")
        for run in res["runs"]:
            print(f"           ef={run['ef']!s:>5}: recall@{args.k} {run['recall']:.4f}  "
                  f"median {run['median_ms']:.3f} ms (cpu {run['cpu_median_ms']:.3f} ms)  "
                  f"p99 {run['p99_ms']:.3f} ms")
        extra = f"  filtered (half allowed) {res['filtered_ms']:.2f} ms/query" if "filtered_ms" in res else ""
        print(f"           filter: {res['filter']}{extra}")


if __name__ == "__main__":
    main()
