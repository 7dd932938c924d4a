"""The writer that ``torture.crash`` kills: ``python -m torture.crash_child '<json config>'``.

It opens the database, prints ``ready``, then writes until it is killed. Every acknowledged
operation is appended to the side file only after the acknowledgement (a success callback of
the AsyncExecutor, or ``with db.transaction():`` having returned), so every line in the side
file names something the database promised to keep:

    c <key>         async create acknowledged
    u <key> <v>     async update acknowledged (the record's v is now >= this)
    D <key>         async delete about to be submitted (intent; may or may not commit)
    d <key>         async delete acknowledged
    t <tx>          synchronous transaction committed
"""

from __future__ import annotations

import json
import random
import sys
import threading

import arcadelite as arcadedb


class Acks:
    """Append-only side file; each line is flushed to the OS at once (a SIGKILL keeps it)."""

    def __init__(self, path: str) -> None:
        self._file = open(path, "a", buffering=1)  # lives until the kill
        self._lock = threading.Lock()

    def __call__(self, line: str) -> None:
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()


def sync_writer(db, cfg: dict, ack: Acks, stop: threading.Event) -> None:
    """Transactions of k records + a Meta update + a vertex and an edge, all or nothing."""
    k, run = cfg["k"], cfg["run"]
    tx = cfg["tx_start"]
    key = cfg["sync_key_start"]
    meta_rid = cfg["meta_rid"]
    previous = None
    pad = "s" * 64
    while not stop.is_set():
        with db.transaction():
            if cfg.get("lie"):  # harness self-test only: acknowledge before writing anything
                ack(f"t {tx}")
            for i in range(k):
                doc = db.new_document("Rec")
                doc.set("key", key).set("run", run).set("kind", "s").set("tx", tx)
                doc.set("i", i).set("k", k).set("v", 0).set("pad", pad).save()
                key += 1
            meta = db.lookup_by_rid(meta_rid).modify()
            meta.set("last_tx", tx).save()
            vertex = db.new_vertex("TxV").set("tx", tx).set("run", run).save()
            if previous is not None:
                previous.new_edge("Next", vertex, tx=tx)
        if not cfg.get("lie"):
            ack(f"t {tx}")
        previous = vertex
        tx += 1


def async_writer(db, cfg: dict, ack: Acks, rng: random.Random) -> None:
    """Creates (with some updates and deletes of acknowledged records) through the executor."""
    ex = db.async_executor()
    ex.set_parallel_level(cfg["parallel"]).set_commit_every(cfg["commit_every"])
    ex.set_back_pressure(cfg.get("back_pressure", 0))
    if "use_wal" in cfg:
        ex.set_transaction_use_wal(cfg["use_wal"])
    if cfg.get("tx_sync"):
        ex.set_transaction_sync(cfg["tx_sync"])
    errors: list[BaseException] = []
    ex.on_error(errors.append)
    acked: list = []  # records whose creation was acknowledged (updated and deleted later)

    def created(record) -> None:
        ack(f"c {record.get('key')}")
        acked.append(record)

    def updater(v: int):
        return lambda record: ack(f"u {record.get('key')} {v}")

    def deleted(record) -> None:
        ack(f"d {record.get('key')}")

    key, run, pad = cfg["key_start"], cfg["run"], "a" * 64
    wait_every = cfg.get("wait_every", 0)
    p_update, p_delete = cfg.get("p_update", 0.10), cfg.get("p_delete", 0.05)
    v = 0
    submitted = 0
    while True:
        r = rng.random()
        if acked and r < p_delete:
            record = acked.pop(rng.randrange(len(acked)))
            ack(f"D {record.get('key')}")
            ex.delete_record(record, callback=deleted)
        elif acked and r < p_delete + p_update:
            record = acked[rng.randrange(len(acked))]
            v += 1
            record.set("v", v)
            ex.update_record(record, callback=updater(v))
        else:
            doc = db.new_document("Rec")
            doc.set("key", key).set("run", run).set("kind", "a").set("v", 0).set("pad", pad)
            key += 1
            ex.create_record(doc, callback=created)
        submitted += 1
        if wait_every and submitted % wait_every == 0:
            ex.wait_completion()
        if errors:
            raise SystemExit(f"async operation failed: {errors[0]!r}")


def main() -> None:
    cfg = json.loads(sys.argv[1])
    rng = random.Random(cfg["seed"])
    db = arcadedb.open_database(cfg["path"])
    if cfg.get("wal_flush"):
        db.set_wal_flush(cfg["wal_flush"])
    ack = Acks(cfg["side"])
    stop = threading.Event()
    print("ready", flush=True)
    if cfg["mode"] == "sync":
        sync_writer(db, cfg, ack, stop)
    elif cfg["mode"] == "async":
        async_writer(db, cfg, ack, rng)
    else:  # mixed: a synchronous writer thread next to the async producer
        failure: list[BaseException] = []

        def body() -> None:
            try:
                sync_writer(db, cfg, ack, stop)
            except BaseException as exc:  # reported by the parent via stderr
                failure.append(exc)
                import traceback

                traceback.print_exc()
                sys.stderr.flush()
                import os

                os._exit(3)

        threading.Thread(target=body, daemon=True).start()
        async_writer(db, cfg, ack, rng)


if __name__ == "__main__":
    main()
