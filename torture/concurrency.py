"""Concurrency: 8 reader threads, an async writer and a synchronous writer on one database.

- The synchronous writer runs ``with db.transaction():`` blocks that create a group of k records
  sharing a transaction id, update every record of a group to a new version, or delete a group;
  one in ten raises inside the block (rolled back). Readers must see every group whole (k
  records, one version), never a rolled-back group or version.
- The async writer streams ``create seq=n`` and, once n >= W, ``delete seq=n-W`` through the
  AsyncExecutor. The executor commits in submission order, so readers must always see a
  contiguous window of seqs: [0, n] while filling, then W or W+1 records; never shrinking back.
- Readers scan both types (``iterate_type``; SQL ``GROUP BY`` once SQL is there), look records
  up by key and by RID, and count. Any exception anywhere ("database is locked" included) fails
  the part. At the end the database equals the writers' models exactly.
"""

from __future__ import annotations

import os
import random
import threading
import time
import traceback
from collections import Counter, deque

import arcadelite as arcadedb

from .common import Report, sql_available, workdir

READERS = 8
WINDOW = 5_000


def run(quick: bool = False, base: str | None = None, seed: int | None = None,
        duration: float | None = None, keep: bool = False) -> bool:  # fmt: skip
    duration = duration or (3.0 if quick else 60.0)
    seed = seed if seed is not None else int.from_bytes(os.urandom(4), "little")
    report = Report("concurrency")
    report.figure("seed", seed)
    report.figure("duration s", duration)
    with workdir(base, "concurrency", keep) as root:
        db = arcadedb.create_database(os.path.join(root, "db"))
        try:
            Concurrency(db, report, seed, duration, sql_available()).run()
        finally:
            db.close()
    return report.finish()


class Concurrency:
    def __init__(self, db, report: Report, seed: int, duration: float, use_sql: bool) -> None:
        self.db = db
        self.report = report
        self.seed = seed
        self.duration = duration
        self.use_sql = use_sql
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.errors_lock = threading.Lock()
        self.counters: Counter = Counter()
        self.counters_lock = threading.Lock()
        # Synchronous writer's model: tx -> (k, version, [rids]); what must never be seen.
        self.groups: dict[int, tuple[int, int, list[str]]] = {}
        self.rolled_back_txs: set[int] = set()
        self.rolled_back_versions: set[int] = set()
        # Async writer's progress.
        self.async_created = 0
        self.latencies: list[float] = []  # seconds per synchronous writer step

    def error(self, where: str, exc: BaseException) -> None:
        with self.errors_lock:
            self.errors.append(f"{where}: {exc!r}\n{''.join(traceback.format_exception(exc))}")
        self.stop.set()

    def count(self, **kw: int) -> None:
        with self.counters_lock:
            self.counters.update(kw)

    def run(self) -> None:
        db, report = self.db, self.report
        db.schema.create_document_type("S")
        db.schema.create_property("S", "key", "LONG")
        db.schema.create_index("S", ["key"], unique=True)
        db.schema.create_document_type("A")
        db.schema.create_property("A", "seq", "LONG")
        db.schema.create_index("A", ["seq"], unique=True)
        threads = [
            threading.Thread(target=self.guard, args=("sync writer", self.sync_writer)),
            threading.Thread(target=self.guard, args=("async writer", self.async_writer)),
        ]
        threads += [threading.Thread(target=self.guard, args=(f"reader {i}", self.reader, i))
                    for i in range(READERS)]  # fmt: skip
        for thread in threads:
            thread.start()
        self.stop.wait(self.duration)
        self.stop.set()
        for thread in threads:
            thread.join(timeout=300)
            report.check(not thread.is_alive(), f"{thread.name} did not stop (deadlock?)")
        for text in self.errors:
            report.fail(text)
        c = self.counters
        report.figure("sync transactions committed", c["sync_commit"])
        report.figure("  of which create/update/delete", f"{c['sync_create']}/{c['sync_update']}/"
                                                        f"{c['sync_delete']}")  # fmt: skip
        report.figure("sync transactions rolled back", c["sync_rollback"])
        if self.latencies:
            lat = sorted(self.latencies)
            report.figure("sync transaction time ms (median / p99 / max)",
                          f"{lat[len(lat) // 2] * 1000:.1f} / {lat[int(len(lat) * 0.99)] * 1000:.1f}"
                          f" / {lat[-1] * 1000:.1f}")  # fmt: skip
        report.figure("async operations committed", c["async_ops"])
        report.figure("reader scans (S/A)", f"{c['scan_s']}/{c['scan_a']}")
        report.figure("records checked by readers", f"{c['records_seen']:,}")
        report.figure("reader lookups (key/rid)", f"{c['lookup_key']}/{c['lookup_rid']}")
        report.figure("reader SQL group checks", c["sql_groups"])
        if not self.errors:
            self.final_check()

    def guard(self, where: str, body, *args) -> None:
        try:
            body(*args)
        except BaseException as exc:  # everything escaping is a failure
            self.error(where, exc)

    # --- writers ------------------------------------------------------------------------------

    def sync_writer(self) -> None:
        db, rng = self.db, random.Random(self.seed)
        tx = version = key = 0
        step_started = None
        while not self.stop.is_set():
            now = time.perf_counter()
            if step_started is not None:
                self.latencies.append(now - step_started)  # the previous transaction, begin to end
            step_started = now
            r = rng.random()
            doomed = rng.random() < 0.1
            if not self.groups or r < 0.5:
                tx += 1
                k = rng.randint(1, 20)
                if doomed:
                    self.rolled_back_txs.add(tx)
                rids = []
                try:
                    with db.transaction():
                        for i in range(k):
                            rec = db.new_document("S").set("key", key).set("tx", tx)
                            rec.set("i", i).set("k", k).set("v", 0).save()
                            rids.append(rec.get_rid())
                            key += 1
                        if doomed:
                            raise _Doomed
                except _Doomed:
                    self.count(sync_rollback=1)
                    continue
                self.groups[tx] = (k, 0, rids)
                self.count(sync_commit=1, sync_create=1)
            elif r < 0.8:
                target = rng.choice(list(self.groups))
                k, _, rids = self.groups[target]
                version += 1
                if doomed:
                    self.rolled_back_versions.add(version)
                try:
                    with db.transaction():
                        for rid in rids:
                            db.lookup_by_rid(rid).modify().set("v", version).save()
                        if doomed:
                            raise _Doomed
                except _Doomed:
                    self.count(sync_rollback=1)
                    continue
                self.groups[target] = (k, version, rids)
                self.count(sync_commit=1, sync_update=1)
            else:
                target = rng.choice(list(self.groups))
                try:
                    with db.transaction():
                        for rid in self.groups[target][2]:
                            db.lookup_by_rid(rid).delete()
                        if doomed:
                            raise _Doomed
                except _Doomed:
                    self.count(sync_rollback=1)
                    continue
                del self.groups[target]
                self.count(sync_commit=1, sync_delete=1)

    def async_writer(self) -> None:
        db = self.db
        failures: list[BaseException] = []
        ex = (db.async_executor().set_parallel_level(4).set_commit_every(500)
              .set_back_pressure(50).on_error(failures.append))  # fmt: skip
        live: deque = deque()
        n = 0
        while not self.stop.is_set():
            for _ in range(200):
                rec = db.new_document("A").set("seq", n)
                ex.create_record(rec)
                live.append(rec)
                n += 1
                if n > WINDOW:
                    ex.delete_record(live.popleft())
            if failures:
                raise failures[0]
            time.sleep(0.001)  # leave the GIL to the readers now and then
        ex.wait_completion()
        stats = ex.stats()
        ex.close()
        if failures:
            raise failures[0]
        self.async_created = n
        self.count(async_ops=stats["committed"])

    # --- readers ------------------------------------------------------------------------------

    def reader(self, number: int) -> None:
        rng = random.Random(self.seed + number + 1)
        last_top = -1
        seen_rids: list[str] = []
        checks = ["scan_s", "scan_a", "lookups"] + (["sql"] if self.use_sql else [])
        while not self.stop.is_set():
            check = rng.choice(checks)
            if check == "scan_s":
                seen_rids = self.scan_s()
            elif check == "scan_a":
                last_top = self.scan_a(last_top)
            elif check == "lookups":
                self.lookups(rng, seen_rids)
            else:
                self.sql_groups()

    def scan_s(self) -> list[str]:
        groups: dict[int, list] = {}
        for rec in self.db.iterate_type("S"):
            groups.setdefault(rec.get("tx"), []).append(rec)
        seen = 0
        for tx, records in groups.items():
            k = records[0].get("k")
            versions = {r.get("v") for r in records}
            if len(records) != k or sorted(r.get("i") for r in records) != list(range(k)):
                raise AssertionError(f"partial transaction {tx}: {len(records)} of {k} records")
            if len(versions) != 1:
                raise AssertionError(f"transaction {tx} seen with mixed versions {versions}")
            if tx in self.rolled_back_txs or versions & self.rolled_back_versions:
                raise AssertionError(f"rolled-back work visible: tx {tx} versions {versions}")
            seen += len(records)
        self.count(scan_s=1, records_seen=seen)
        return [r.get_rid() for records in groups.values() for r in records[:1]]

    def scan_a(self, last_top: int) -> int:
        seqs = [rec.get("seq") for rec in self.db.iterate_type("A")]
        if seqs:
            low, top = min(seqs), max(seqs)
            if len(seqs) != top - low + 1:
                raise AssertionError(
                    f"async window has holes: {len(seqs)} records in [{low}, {top}]"
                )
            if low > 0 and len(seqs) not in (WINDOW, WINDOW + 1):
                raise AssertionError(f"async window of {len(seqs)} records, expected {WINDOW}(+1)")
            if top < last_top:
                raise AssertionError(f"async window went back from {last_top} to {top}")
            last_top = top
        self.count(scan_a=1, records_seen=len(seqs))
        return last_top

    def lookups(self, rng: random.Random, seen_rids: list[str]) -> None:
        db = self.db
        for _ in range(20):
            seq = rng.randrange(max(1, self.async_created or 10**9))
            hit = db.lookup_by_key("A", ["seq"], [seq])
            if hit is not None and hit.get("seq") != seq:
                raise AssertionError(f"lookup_by_key(A, seq={seq}) returned {hit.to_dict()}")
            self.count(lookup_key=1)
        for rid in rng.sample(seen_rids, min(20, len(seen_rids))):
            try:
                rec = db.lookup_by_rid(rid)
            except arcadedb.RecordNotFoundError:
                continue  # deleted since the scan
            if rec.get("v") in self.rolled_back_versions or rec.get("tx") in self.rolled_back_txs:
                raise AssertionError(f"rolled-back state visible through lookup_by_rid: {rec}")
            self.count(lookup_rid=1)
        a = self.db.count_type("A")
        if not 0 <= a <= WINDOW + 1:
            raise AssertionError(f"count_type(A) = {a}")

    def sql_groups(self) -> None:
        rows = self.db.query(
            "sql", "SELECT tx, k, count(*) AS c, min(v) AS lo, max(v) AS hi FROM S GROUP BY tx, k"
        ).to_list()
        for row in rows:
            if row["c"] != row["k"] or row["lo"] != row["hi"]:
                raise AssertionError(f"SQL sees a partial or mixed transaction: {row}")
            if row["tx"] in self.rolled_back_txs or row["lo"] in self.rolled_back_versions:
                raise AssertionError(f"SQL sees rolled-back work: {row}")
        self.count(sql_groups=1)

    # --- end ----------------------------------------------------------------------------------

    def final_check(self) -> None:
        db, report = self.db, self.report
        stored: dict[int, list] = {}
        for rec in db.iterate_type("S"):
            stored.setdefault(rec.get("tx"), []).append(rec)
        expected = {tx: (k, v, sorted(rids)) for tx, (k, v, rids) in self.groups.items()}
        got = {tx: (len(recs), recs[0].get("v"), sorted(r.get_rid() for r in recs))
               for tx, recs in stored.items()}  # fmt: skip
        report.check(got == expected, f"S differs from the writer's model: "
                                      f"{len(got)} groups stored, {len(expected)} expected")  # fmt: skip
        report.check(db.count_type("S") == sum(k for k, _, _ in expected.values()),
                     "count_type(S) differs from the model")  # fmt: skip
        n = self.async_created
        seqs = sorted(rec.get("seq") for rec in db.iterate_type("A"))
        report.check(seqs == list(range(max(0, n - WINDOW), n)),
                     f"A holds {len(seqs)} records, expected seqs [{max(0, n - WINDOW)}, {n})")  # fmt: skip
        report.check(db.count_type("A") == len(seqs), "count_type(A) differs from a scan")
        report.figure("final S records / groups", f"{db.count_type('S')} / {len(got)}")
        report.figure("final A records (created in total)", f"{len(seqs)} ({n})")


class _Doomed(Exception):
    """Raised inside a transaction the writer decided to roll back."""
