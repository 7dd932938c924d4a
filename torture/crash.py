"""Crash: a child process writes, the parent SIGKILLs it at a random moment, then checks.

Configurations cover the AsyncExecutor (parallel levels 1-16, commit_every 0/1/100/.../10,000,
WAL on/off, every transaction sync mode), plain ``with db.transaction()`` writers under every
``set_wal_flush`` mode, and both at once. After each kill, before anything else touches the
database: ``PRAGMA integrity_check`` on a read-only APSW connection. Then the database is
reopened through arcadelite and compared with the side file of acknowledgements
(see ``crash_child``):

- every acknowledged create is present (unless a delete of it was submitted), every
  acknowledged delete is absent, every acknowledged update is visible (v >= the acked v);
- async records form a gap-free prefix of the submission order, and at most one commit's worth
  of them is present without acknowledgement;
- synchronous transactions are all or nothing: k records per transaction number, one vertex,
  one edge from the previous transaction's vertex, the Meta record naming the last one, with
  transaction numbers contiguous and at most one committed but unacknowledged;
- the unique index agrees with the data: ``lookup_by_key`` finds each record, and counting
  through the SQLite index equals counting by a table scan and ``count_type``.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict

import arcadelite as arcadedb

from .common import (
    Report,
    file_size,
    index_scan_counts,
    integrity_check,
    keep_for_post_mortem,
    workdir,
)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN_KEYS = 1_000_000_000  # key space of one child run
RUN_TXS = 1_000_000

#: name -> child settings. "wait" = the producer calls wait_completion() every that many ops.
CONFIGS: dict[str, dict] = {
    "async p1 ce1": {"mode": "async", "parallel": 1, "commit_every": 1},
    "async p2 ce100 sync=yes_full": {"mode": "async", "parallel": 2, "commit_every": 100,
                                     "tx_sync": "yes_full"},
    "async p4 ce1000 wal=off": {"mode": "async", "parallel": 4, "commit_every": 1000,
                                "use_wal": False},
    "async p8 ce10000 sync=no": {"mode": "async", "parallel": 8, "commit_every": 10_000,
                                 "tx_sync": "no"},
    "async p16 ce0 wait5000 sync=yes_nometadata": {"mode": "async", "parallel": 16,
                                                   "commit_every": 0, "wait_every": 5000,
                                                   "tx_sync": "yes_nometadata"},
    "async p4 ce500 wal=off sync=yes_full": {"mode": "async", "parallel": 4, "commit_every": 500,
                                             "use_wal": False, "tx_sync": "yes_full"},
    "async p3 ce2000 bp75 churn": {"mode": "async", "parallel": 3, "commit_every": 2000,
                                   "back_pressure": 75, "p_update": 0.3, "p_delete": 0.2,
                                   "wait_every": 7000},
    "sync k1 flush=no": {"mode": "sync", "k": 1, "wal_flush": "no"},
    "sync k10 flush=yes_nometadata": {"mode": "sync", "k": 10, "wal_flush": "yes_nometadata"},
    "sync k100 flush=yes_full": {"mode": "sync", "k": 100, "wal_flush": "yes_full"},
    "sync k7 default": {"mode": "sync", "k": 7},
    "mixed p4 ce1000 k10 flush=yes_full": {"mode": "mixed", "parallel": 4, "commit_every": 1000,
                                           "k": 10, "wal_flush": "yes_full"},
    "mixed p2 ce0 wait2000 k3 wal=off": {"mode": "mixed", "parallel": 2, "commit_every": 0,
                                         "wait_every": 2000, "k": 3, "use_wal": False,
                                         "wal_flush": "no"},
}  # fmt: skip

FULL_KILLS_PER_CONFIG = 16  # 13 configurations x 16 = 208 kills
KILLS_PER_DATABASE = 4  # a fresh database after this many kills (keeps verification fast)


def run(quick: bool = False, base: str | None = None, seed: int | None = None,
        kills: int | None = None, keep: bool = False, configs: dict | None = None) -> bool:  # fmt: skip
    seed = seed if seed is not None else int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)
    report = Report("crash")
    report.figure("seed", seed)
    configs = configs or CONFIGS
    names = list(configs)
    if kills is None:
        kills = 10 if quick else FULL_KILLS_PER_CONFIG * len(names)
    # Quick: one kill per configuration, in a random order. Full: round-robin over the
    # configurations, KILLS_PER_DATABASE consecutive kills on each database.
    plan: list[str] = []
    while len(plan) < kills:
        if quick:
            plan.extend(rng.sample(names, len(names)))
        else:
            for name in names:
                plan.extend([name] * KILLS_PER_DATABASE)
    plan = plan[:kills]
    stats: dict[str, Counter] = defaultdict(Counter)
    with workdir(base, "crash", keep) as root:
        crash = Crash(root, rng, report, quick)
        previous = None
        for number, name in enumerate(plan):
            if name != previous:
                crash.new_database()
                previous = name
            crash.kill_once(number, name, configs[name], stats[name])
            if (number + 1) % 25 == 0:
                report.say(f"{number + 1} kills, {len(report.failures)} failures")
        totals: Counter = Counter()
        for name in names:
            if name in stats:
                s = stats[name]
                totals.update(s)
                report.say(
                    f"  {name:<44} kills {s['kills']:>3}  acked {s['acked']:>8,}  "
                    f"committed-unacked max {s['excess_max']:>6,}  failures {s['failures']}"
                )
        report.figure("kills", totals["kills"])
        report.figure("kills before ready (during start/open)", totals["early"])
        report.figure("acknowledged operations checked", f"{totals['acked']:,}")
        report.figure("sync transactions checked", f"{totals['txs']:,}")
        report.figure("records verified after reopen", f"{totals['records']:,}")
        report.figure("max reopen time s", f"{crash.max_open:.3f}")
        report.figure("max WAL size at kill MB", f"{crash.max_wal / 2**20:.1f}")
        report.figure("failures", len(report.failures))
        if not report.ok:
            keep_for_post_mortem(root, report)
    return report.finish()


class Crash:
    def __init__(self, root: str, rng: random.Random, report: Report, quick: bool) -> None:
        self.root = root
        self.rng = rng
        self.report = report
        self.quick = quick
        self.db_number = 0
        self.path = ""
        self.max_open = 0.0
        self.max_wal = 0
        self.runs: list[dict] = []  # every child run on the current database

    def new_database(self) -> None:
        self.db_number += 1
        self.path = os.path.join(self.root, f"db{self.db_number}")
        self.runs = []
        with arcadedb.create_database(self.path) as db:
            schema = db.schema
            schema.create_document_type("Rec")
            schema.create_property("Rec", "key", "LONG")
            schema.create_index("Rec", ["key"], unique=True)
            schema.create_document_type("Meta")
            schema.create_vertex_type("TxV")
            schema.create_edge_type("Next")
            with db.transaction():
                self.meta_rid = db.new_document("Meta").set("last_tx", -1).save().get_rid()
            self.rec_type_id = schema.get_type("Rec")._def.id

    # --- one kill -----------------------------------------------------------------------------

    def kill_once(self, number: int, name: str, config: dict, stats: Counter) -> None:
        rng = self.rng
        run_no = len(self.runs) + 1 + self.db_number * 1000
        side = os.path.join(self.root, f"side-{number}.txt")
        cfg = dict(config, path=self.path, side=side, run=run_no, seed=rng.getrandbits(32),
                   key_start=run_no * RUN_KEYS, sync_key_start=run_no * RUN_KEYS + RUN_KEYS // 2,
                   tx_start=run_no * RUN_TXS, meta_rid=self.meta_rid)  # fmt: skip
        self.runs.append(cfg)
        where = f"kill {number} [{name}] db{self.db_number} run {run_no}"
        errors_path = os.path.join(self.root, f"stderr-{number}.txt")
        early = rng.random() < 0.1
        if early:
            delay = rng.uniform(0.0, 0.4)
        elif rng.random() < 0.2:
            delay = rng.uniform(0.0, 0.02)
        else:
            delay = rng.uniform(0.02, 0.25 if self.quick else 0.6)
        env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
        with open(errors_path, "w") as errors:
            child = subprocess.Popen(
                [sys.executable, "-m", "torture.crash_child", json.dumps(cfg)],
                stdout=subprocess.PIPE, stderr=errors, env=env, cwd=REPO,
            )  # fmt: skip
            try:
                if not early:
                    line = child.stdout.readline()
                    if line.strip() != b"ready":
                        child.wait(timeout=30)
                        self.report.fail(f"{where}: child did not start: {_read(errors_path)}")
                        stats["failures"] += 1
                        return
                time.sleep(delay)
                self.max_wal = max(self.max_wal, file_size(
                    os.path.join(self.path, "arcadelite.sqlite-wal")))  # fmt: skip
            finally:
                if child.poll() is None:
                    child.send_signal(signal.SIGKILL)
                child.wait(timeout=60)
                child.stdout.close()
        stats["kills"] += 1
        stats["early"] += early
        if child.returncode != -signal.SIGKILL:
            self.report.fail(f"{where}: child exited with {child.returncode} before the kill: "
                             f"{_read(errors_path)}")  # fmt: skip
            stats["failures"] += 1
        failures_before = len(self.report.failures)
        self.verify(where, cfg, side, stats)
        stats["failures"] += len(self.report.failures) - failures_before
        for path in (side, errors_path):
            if self.report.ok and os.path.exists(path):
                os.remove(path)

    # --- verification -------------------------------------------------------------------------

    def verify(self, where: str, cfg: dict, side: str, stats: Counter) -> None:
        report = self.report
        try:
            result = integrity_check(self.path)
        except Exception as exc:
            report.fail(f"{where}: integrity_check could not run: {exc!r}")
            return
        if not report.check(result == ["ok"], f"{where}: integrity_check: {result[:5]}"):
            return
        started = time.perf_counter()
        try:
            db = arcadedb.open_database(self.path)
        except Exception as exc:
            report.fail(f"{where}: reopen failed: {exc!r}")
            return
        self.max_open = max(self.max_open, time.perf_counter() - started)
        try:
            self._verify_open(db, where, cfg, side, stats)
        except Exception as exc:  # anything escaping is a failure
            report.fail(f"{where}: verification raised {exc!r}")
        finally:
            db.close()

    def _verify_open(self, db, where: str, cfg: dict, side: str, stats: Counter) -> None:
        report = self.report
        acks = _parse(side)
        stats["acked"] += sum(len(acks[tag]) for tag in ("c", "u", "d", "t"))
        records = list(db.iterate_type("Rec"))
        stats["records"] += len(records)
        by_run: dict[int, dict[int, object]] = defaultdict(dict)
        for record in records:
            by_run[record.get("run")][record.get("key")] = record
        # Global: count_type, the index, Meta.
        count = db.count_type("Rec")
        report.check(count == len(records), f"{where}: count_type {count} != scan {len(records)}")
        by_index, by_scan = index_scan_counts(self.path, self.rec_type_id, "key")
        report.check(by_index == by_scan == count,
                     f"{where}: index count {by_index}, scan {by_scan}, count_type {count}")  # fmt: skip
        # This run against its side file.
        mine = by_run.get(cfg["run"], {})
        if cfg["mode"] in ("async", "mixed"):
            self._verify_async(where, cfg, acks, mine, stats)
        if cfg["mode"] in ("sync", "mixed"):
            self._verify_sync(db, where, cfg, acks, mine, stats)
        # Every acknowledged key of this run (and a sample of the rest) through the index.
        keys = [k for k in acks["c"] if k in mine]
        others = [k for run in by_run.values() for k in run]
        keys += self.rng.sample(others, min(500, len(others)))
        for key in keys:
            found = db.lookup_by_key("Rec", ["key"], [key])
            expected = mine.get(key) or next(r[key] for r in by_run.values() if key in r)
            if not report.check(found is not None and found.get_rid() == expected.get_rid(),
                                f"{where}: lookup_by_key({key}) gave {found}"):  # fmt: skip
                break
        # The graph of synchronous transactions and Meta, across every run of this database.
        self._verify_graph(db, where, by_run)

    def _verify_async(self, where, cfg, acks, mine, stats) -> None:
        report = self.report
        start = cfg["key_start"]
        present = {k: r.get("v") for k, r in mine.items() if r.get("kind") == "a"}
        intents = acks["D"]
        lost = [k for k in acks["c"] if k not in present and k not in intents]
        report.check(not lost, f"{where}: acknowledged creates lost: {sorted(lost)[:10]}")
        undead = [k for k in acks["d"] if k in present]
        report.check(not undead, f"{where}: acknowledged deletes still present: {undead[:10]}")
        stale = [
            (k, present[k], v) for k, v in acks["u"].items() if k in present and present[k] < v
        ]
        report.check(not stale, f"{where}: acknowledged updates lost (key, stored, acked): "
                                f"{stale[:10]}")  # fmt: skip
        gone = [k for k, v in acks["u"].items() if k not in present and k not in intents]
        report.check(not gone, f"{where}: updated records vanished: {gone[:10]}")
        if present:
            top = max(present)
            holes = [k for k in range(start, top + 1) if k not in present and k not in intents]
            report.check(not holes, f"{where}: async records not a prefix of the submissions, "
                                    f"missing {holes[:10]} below {top}")  # fmt: skip
        unacked = len([k for k in present if k not in acks["c"]])
        bound = cfg["commit_every"] or cfg.get("wait_every") or 0
        stats["excess_max"] = max(stats["excess_max"], unacked)
        report.check(unacked <= bound,
                     f"{where}: {unacked} committed creates unacknowledged (one commit <= {bound})")  # fmt: skip
        for k, record in mine.items():
            if record.get("kind") == "a" and record.get("pad") != "a" * 64:
                report.fail(f"{where}: record {k} damaged: {record.to_dict()}")
                break

    def _verify_sync(self, db, where, cfg, acks, mine, stats) -> None:
        report = self.report
        per_tx = Counter(r.get("tx") for r in mine.values() if r.get("kind") == "s")
        k = cfg["k"]
        partial = {tx: n for tx, n in per_tx.items() if n != k}
        report.check(not partial, f"{where}: partial transactions (tx: records) {partial}")
        acked = acks["t"]
        stats["txs"] += len(per_tx)
        lost = sorted(acked - per_tx.keys())
        report.check(not lost, f"{where}: acknowledged transactions lost: {lost[:10]}")
        present = sorted(per_tx)
        expected = list(range(cfg["tx_start"], cfg["tx_start"] + len(present)))
        report.check(present == expected, f"{where}: transactions not contiguous: {present[:5]}...")
        extra = sorted(per_tx.keys() - acked)
        report.check(len(extra) <= 1 and (not extra or extra[0] == present[-1]),
                     f"{where}: committed but unacknowledged transactions: {extra[:10]}")  # fmt: skip
        stats["excess_max"] = max(stats["excess_max"], len(extra))
        for tx in present:
            records = [r for r in mine.values() if r.get("tx") == tx]
            if sorted(r.get("i") for r in records) != list(range(k)):
                report.fail(
                    f"{where}: transaction {tx} has records {sorted(r.get('i') for r in records)}"
                )
                break

    def _verify_graph(self, db, where, by_run) -> None:
        report = self.report
        vertices = list(db.iterate_type("TxV"))
        txs = Counter(v.get("tx") for v in vertices)
        report.check(
            all(n == 1 for n in txs.values()), f"{where}: duplicate TxV {txs.most_common(3)}"
        )
        sync_txs = {r.get("tx") for run in by_run.values() for r in run.values()
                    if r.get("kind") == "s"}  # fmt: skip
        report.check(set(txs) == sync_txs,
                     f"{where}: TxV vertices {sorted(set(txs) ^ sync_txs)[:10]} disagree with records")  # fmt: skip
        edges = list(db.iterate_type("Next"))
        by_tx = {v.get("tx"): v for v in vertices}
        expected_edges = sum(1 for tx in txs if tx - 1 in txs)
        report.check(len(edges) == expected_edges,
                     f"{where}: {len(edges)} Next edges, expected {expected_edges}")  # fmt: skip
        for edge in edges:
            tx = edge.get("tx")
            good = (tx in by_tx and tx - 1 in by_tx and edge.get_in_rid() == by_tx[tx].get_identity()
                    and edge.get_out_rid() == by_tx[tx - 1].get_identity())  # fmt: skip
            if not report.check(good, f"{where}: edge {edge.to_dict(True)} is wrong"):
                break
        meta = list(db.iterate_type("Meta"))
        last = max(txs, default=-1)
        report.check(len(meta) == 1 and meta[0].get("last_tx") == last,
                     f"{where}: Meta says {[m.get('last_tx') for m in meta]}, last tx is {last}")  # fmt: skip


def _parse(side: str) -> dict:
    acks: dict = {"c": set(), "d": set(), "D": set(), "t": set(), "u": {}}
    if not os.path.exists(side):
        return acks
    with open(side) as f:
        lines = f.read().split("\n")[:-1]  # a line cut by the kill has no newline
    for line in lines:
        parts = line.split()
        tag = parts[0]
        if tag == "u":
            key, v = int(parts[1]), int(parts[2])
            acks["u"][key] = max(v, acks["u"].get(key, v))
        else:
            acks[tag].add(int(parts[1]))
    return acks


def _read(path: str) -> str:
    with open(path) as f:
        return f.read()[-3000:]
