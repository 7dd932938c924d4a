"""Multi-process: one process at a time opens a database; the others get a clear error.

Decision (DESIGN.md, decision 6): the exclusive ``flock`` on ``<db>/lock`` is taken by every
open, so a second process can neither write nor read through arcadelite while the first holds
the database: ``open_database`` raises ``DatabaseLockedError`` at once, naming the holder's pid.
What another process *may* do: ``database_exists`` (a file test), and read the SQLite file with
plain SQLite read-only (a WAL snapshot reader: safe, never blocks the holder, but outside the
API — no records, no types, and it delays WAL checkpoints while it reads).

Checked here with real processes: the error (class, pid, speed) for open and create; the
in-process double open; the lock released by close() and by SIGKILL of the holder; a race of
several processes opening at the same instant (exactly one wins, the others name the winner);
a plain-SQLite reader next to a live writer.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import arcadelite as arcadedb

from .common import Report, integrity_check, workdir

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def child(cfg: dict, wait: bool = True, timeout: float = 60) -> dict | subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "torture.mp_child", json.dumps(cfg)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO,
                            text=True)  # fmt: skip
    if not wait:
        return proc
    out, err = proc.communicate(timeout=timeout)
    return _last_json(out, err)


def _last_json(out: str, err: str) -> dict:
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        return {"ok": False, "error": "no output", "message": err[-2000:]}
    return json.loads(lines[-1])


def run(quick: bool = False, base: str | None = None, seed: int | None = None,
        keep: bool = False) -> bool:  # fmt: skip
    report = Report("multiprocess")
    with workdir(base, "multiprocess", keep) as root:
        try:
            _run(report, root, racers=3 if quick else 6)
        except Exception as exc:
            import traceback

            report.fail(f"raised {exc!r}\n{traceback.format_exc()}")
    return report.finish()


def _locked(report: Report, result: dict, holder: int, what: str) -> None:
    report.check(not result.get("ok") and result.get("error") == "DatabaseLockedError",
                 f"{what}: expected DatabaseLockedError, got {result}")  # fmt: skip
    message = result.get("message", "")
    report.check(
        f"pid {holder}" in message, f"{what}: message does not name pid {holder}: {message!r}"
    )
    report.check("another process" in message, f"{what}: message does not say who: {message!r}")
    report.check(
        result.get("seconds", 99) < 1.0, f"{what}: took {result.get('seconds')} s (must not wait)"
    )


def _run(report: Report, root: str, racers: int) -> None:
    path = os.path.join(root, "db")
    me = os.getpid()
    db = arcadedb.create_database(path)
    db.schema.create_document_type("Item")
    with db.transaction():
        for n in range(100):
            db.new_document("Item").set("n", n).save()
    item_table = f"t{db.schema.get_type('Item')._def.id}"

    # 1. A second process while this one holds the database (idle, then mid-transaction).
    result = child({"action": "open", "path": path})
    _locked(report, result, me, "open while held")
    report.figure("second open (message)", result.get("message"))
    report.figure("second open (seconds)", result.get("seconds"))
    db.begin()
    db.new_document("Item").set("n", 100).save()
    result = child({"action": "open", "path": path})
    _locked(report, result, me, "open during a write transaction")
    result = child({"action": "create", "path": path})
    report.check(not result.get("ok") and result.get("is_arcadedb_error"),
                 f"create over a held database: {result}")  # fmt: skip
    report.figure("create over a held database", f"{result.get('error')}: {result.get('message')}")
    result = child({"action": "exists", "path": path})
    report.check(result.get("ok") and result.get("exists") is True, f"database_exists: {result}")
    # A plain-SQLite reader: sees committed data only (100 rows; the open transaction adds 1).
    result = child({"action": "rawread", "path": path, "table": item_table})
    report.check(result.get("ok") and result.get("counts") == [100]
                 and result.get("integrity") == "ok", f"plain SQLite reader: {result}")  # fmt: skip
    db.commit()

    # 2. In this process, a second open is refused too (use the object you have).
    try:
        arcadedb.open_database(path)
        report.fail("a second open_database in the same process succeeded")
    except arcadedb.DatabaseLockedError as exc:
        report.check("already open in this process" in str(exc), f"in-process message: {exc}")

    # 3. A plain-SQLite reader next to a live writer (async executor streaming).
    reader = child({"action": "rawread", "path": path, "table": item_table, "reads": 20,
                    "pause": 0.02}, wait=False)  # fmt: skip
    ex = db.async_executor().set_commit_every(200)
    written = 0
    while reader.poll() is None and written < 200_000:
        for _ in range(100):
            ex.create_record(db.new_document("Item").set("n", 1000 + written))
            written += 1
    ex.wait_completion()
    ex.close()
    out, err = reader.communicate(timeout=60)
    result = _last_json(out, err)
    counts = result.get("counts", [])
    report.check(result.get("ok") and counts == sorted(counts) and result.get("integrity") == "ok",
                 f"plain SQLite reader during async writes: {result}")  # fmt: skip
    report.figure("plain SQLite reader during writes: counts seen",
                  f"{counts[0] if counts else '-'} .. {counts[-1] if counts else '-'}")  # fmt: skip
    total = db.count_type("Item")

    # 4. After close(), another process opens, reads, writes; then we open again.
    db.close()
    result = child({"action": "open", "path": path, "write": True})
    report.check(result.get("ok") and result.get("count") == total,
                 f"open after close: {result} (expected {total} records)")  # fmt: skip
    with arcadedb.open_database(path) as again:
        report.check(again.count_type("Item") == total + 1, "the other process's write is missing")

    # 5. A holder killed with SIGKILL releases the lock (the OS drops the flock).
    holder = child({"action": "open", "path": path, "hold_forever": True}, wait=False)
    line = holder.stdout.readline()
    report.check('"opened": true' in line, f"holder did not open: {line!r}")
    result = child({"action": "open", "path": path})
    _locked(report, result, holder.pid, "open while another process holds it")
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    holder.stdout.close()
    holder.stderr.close()
    started = time.perf_counter()
    with arcadedb.open_database(path) as again:
        report.check(again.count_type("Item") == total + 1, "records lost after the holder's kill")
    report.figure("open after the holder's SIGKILL (s)", f"{time.perf_counter() - started:.3f}")

    # 6. A race: several processes open at the same instant; exactly one wins.
    at = time.time() + 1.5
    procs = [child({"action": "open", "path": path, "at": at, "hold": 1.0}, wait=False)
             for _ in range(racers)]  # fmt: skip
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        lines = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
        results.append(lines[0] if lines else {"ok": False, "error": "no output", "message": err})
    winners = [r for r in results if r.get("ok")]
    report.check(len(winners) == 1, f"race of {racers}: {len(winners)} winners: {results}")
    if len(winners) == 1:
        for loser in (r for r in results if not r.get("ok")):
            _locked(report, loser, winners[0]["pid"], "loser of the race")
    report.figure("race", f"{racers} processes, {len(winners)} opened, "
                          f"{racers - len(winners)} got DatabaseLockedError")  # fmt: skip
    report.check(integrity_check(path) == ["ok"], "integrity_check after the multi-process steps")
