"""Soak: millions of mixed operations through the AsyncExecutor with back-pressure.

One producer thread submits creates, updates and deletes of a live set of records to one
executor (parallel level 4, commit every 5,000, back-pressure 75) and runs queries: through
``executor.query("sql", ...)`` once SQL is available, else ``db.lookup_by_key`` in the producer.
The live set is filled to its target size first, then a tenth of the run (at most 100,000
operations) warms the WAL and caches up; neither is measured. Creates and deletes then balance, so the database keeps a steady size and any growth in RSS or loss of throughput is the
library's own.

Per tenth of the run it prints RSS, throughput, WAL and database file sizes. Pass criteria: every
operation committed (no failures), the final content equals the producer's model, RSS after the
warm-up tenth stays within 20% of its value at the end of the second tenth, and the throughput of
the last three tenths (median) run at least 80% of the first three.
"""

from __future__ import annotations

import os
import random
import statistics
import time

import arcadelite as arcadedb

from .common import Report, file_size, rss_bytes, sql_available, workdir

FULL_OPS = 10_000_000
QUICK_OPS = 200_000


def run(quick: bool = False, base: str | None = None, seed: int | None = None,
        ops: int | None = None, keep: bool = False, min_kept: float = 0.80) -> bool:  # fmt: skip
    total = ops or (QUICK_OPS if quick else FULL_OPS)
    target_live = 5_000 if total <= 500_000 else 50_000
    seed = seed if seed is not None else int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)
    report = Report("soak")
    report.figure("seed", seed)
    report.figure("operations", f"{total:,}")
    use_sql = sql_available()
    report.figure("queries", "executor.query('sql', ...)" if use_sql else "db.lookup_by_key")
    with workdir(base, "soak", keep) as root:
        path = os.path.join(root, "db")
        db = arcadedb.create_database(path)
        try:
            _soak(db, path, report, rng, total, target_live, use_sql, min_kept)
        finally:
            db.close()
    return report.finish()


def _soak(db, path, report, rng, total, target_live, use_sql, min_kept) -> None:
    db.schema.create_document_type("Soak")
    db.schema.create_property("Soak", "key", "LONG")
    db.schema.create_index("Soak", ["key"], unique=True)
    failures: list[BaseException] = []
    ex = (
        db.async_executor()
        .set_parallel_level(4)
        .set_commit_every(5_000)
        .set_back_pressure(75)
        .on_error(failures.append)
    )
    live: list = []  # mutable Document objects, the producer's model of the database
    counts = {"create": 0, "update": 0, "delete": 0, "query": 0}
    found = [0]

    def on_rows(resultset) -> None:
        found[0] += sum(1 for _ in resultset)

    tenth = total // 10
    wal = os.path.join(path, "arcadelite.sqlite-wal")
    dbfile = os.path.join(path, "arcadelite.sqlite")
    rows = []
    next_key = 0
    pad = "p" * 80
    # The live set is filled before the measured run, so that every tenth runs the same mix.
    for _ in range(target_live):
        rec = db.new_document("Soak").set("key", next_key).set("v", 0).set("pad", pad)
        next_key += 1
        ex.create_record(rec)
        live.append(rec)
    ex.wait_completion()
    report.figure("live records filled before the run", f"{target_live:,}")
    warmup = min(total // 10, 100_000)  # unmeasured: the WAL and caches reach their steady size
    report.figure("unmeasured warm-up operations", f"{warmup:,}")
    report.say(
        f"{'tenth':>5} {'ops/s':>9} {'ops/cpu-s':>9} {'RSS MB':>8} {'WAL MB':>8} {'DB MB':>7} "
        f"{'live':>7} {'committed':>10}"
    )
    rand = rng.random
    for i in range(-warmup, total):
        if i == 0:
            ex.wait_completion()
            counts = dict.fromkeys(counts, 0)
            found[0] = 0
            started = last = time.perf_counter()
            last_cpu = time.process_time()
        r = rand()
        n = len(live)
        if n < target_live or r < 0.30:
            rec = db.new_document("Soak")
            rec.set("key", next_key).set("v", 0).set("pad", pad)
            next_key += 1
            ex.create_record(rec)
            live.append(rec)
            counts["create"] += 1
        elif r < 0.60:
            j = int(rand() * n)
            rec = live[j]
            live[j] = live[-1]
            live.pop()
            ex.delete_record(rec)
            counts["delete"] += 1
        elif r < 0.85:
            rec = live[int(rand() * n)]
            rec.set("v", i)
            ex.update_record(rec)
            counts["update"] += 1
        else:
            key = live[int(rand() * n)].get("key")
            if use_sql:
                ex.query("sql", "SELECT FROM Soak WHERE key = :k", on_rows, k=key)
            else:
                found[0] += db.lookup_by_key("Soak", ["key"], [key]) is not None
            counts["query"] += 1
        if i >= 0 and (i + 1) % tenth == 0:
            ex.wait_completion()  # drain: the tenth's figure counts finished work only
            now = time.perf_counter()
            cpu = time.process_time()
            rate, cpu_rate = tenth / (now - last), tenth / max(1e-9, cpu - last_cpu)
            last, last_cpu = now, cpu
            stats = ex.stats()
            row = (len(rows) + 1, rate, cpu_rate, rss_bytes() / 2**20, file_size(wal) / 2**20,
                   file_size(dbfile) / 2**20, len(live), stats["committed"])  # fmt: skip
            rows.append(row)
            report.say("{:>5} {:>9,.0f} {:>9,.0f} {:>8.1f} {:>8.1f} {:>7.1f} {:>7,} {:>10,}"
                       .format(*row))  # fmt: skip
    ex.wait_completion()
    elapsed = time.perf_counter() - started
    stats = ex.stats()
    ex.close()
    report.figure("elapsed s", f"{elapsed:.1f}")
    report.figure("mean ops/s", f"{total / elapsed:,.0f}")
    report.figure("mix", counts)
    report.figure("query hits", found[0])
    report.figure("executor", {k: stats[k] for k in ("committed", "failed", "commits")})
    report.check(not failures, f"{len(failures)} operations failed: {failures[:3]}")
    report.check(stats["failed"] == 0, f"executor counted {stats['failed']} failures")
    # The database equals the model.
    count = db.count_type("Soak")
    report.check(count == len(live), f"count_type {count} != live records {len(live)}")
    stored = {r.get("key"): r.get("v") for r in db.iterate_type("Soak")}
    expected = {r.get("key"): r.get("v") for r in live}
    report.check(stored == expected, f"content differs from the model: {_diff(stored, expected)}")
    for rec in rng.sample(live, min(1000, len(live))):
        hit = db.lookup_by_key("Soak", ["key"], [rec.get("key")])
        if not report.check(hit is not None and hit.get_rid() == rec.get_rid(),
                            f"index lookup of key {rec.get('key')} gave {hit}"):  # fmt: skip
            break
    # RSS flat after warm-up, throughput kept.
    if len(rows) >= 3:
        base = rows[1][3]
        worst = max(rows[1:], key=lambda row: abs(row[3] - base))
        drift = (worst[3] - base) / base
        report.figure("RSS drift after warm-up", f"{drift:+.1%} (tenth {worst[0]} vs tenth 2)")
        report.check(abs(drift) <= 0.20, f"RSS moved {drift:+.1%} after warm-up (limit 20%)")
        # medians of the last and first three tenths: one tenth of a short run is a fraction of a
        # second that a single checkpoint or a neighbour's burst on 2 shared cores can halve
        kept = _median_of(rows[-3:], 1) / _median_of(rows[:3], 1)
        report.figure("throughput last/first three tenths (medians)", f"{kept:.0%}")
        per_cpu = _median_of(rows[-3:], 2) / _median_of(rows[:3], 2)
        report.figure("ops per CPU-second last/first three tenths", f"{per_cpu:.0%}")
        if not report.check(
            kept >= min_kept,
            f"the last tenths ran at {kept:.0%} of the first (limit {min_kept:.0%})",
        ):
            if per_cpu >= min_kept:
                report.say(
                    "note: per CPU-second the last tenths kept their pace: the machine was "
                    "busier (2 shared cores), rerun on a quiet machine"
                )


def _median_of(rows: list, column: int) -> float:
    return statistics.median(row[column] for row in rows)


def _diff(stored: dict, expected: dict) -> str:
    missing = expected.keys() - stored.keys()
    extra = stored.keys() - expected.keys()
    changed = [k for k in stored.keys() & expected.keys() if stored[k] != expected[k]]
    return f"missing {sorted(missing)[:5]}, extra {sorted(extra)[:5]}, changed {changed[:5]}"
