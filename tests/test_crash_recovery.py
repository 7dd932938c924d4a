"""A writer killed with SIGKILL at a random moment: the database reopens cleanly with every
acknowledged transaction, and never a part of one."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter

import apsw
import pytest

import arcadelite as arcadedb

K = 25  # records per transaction
ITERATIONS = 6

_WRITER = textwrap.dedent(
    """
    import sys
    import arcadelite as arcadedb

    path, side, first, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    k = int(sys.argv[5])
    db = arcadedb.open_database(path)
    db.set_wal_flush(mode)
    print("ready", flush=True)
    number = first
    with open(side, "a") as acknowledged:
        while True:
            with db.transaction():
                for i in range(k):
                    db.new_document("Item").set("tx", number).set("i", i).set("pad", "x" * 200).save()
            acknowledged.write(f"{number}\\n")
            acknowledged.flush()
            number += 1
    """
)


def _acknowledged(side) -> list[int]:
    if not os.path.exists(side):
        return []
    with open(side) as f:
        # A line cut by the kill has no newline: it was not acknowledged.
        return [int(line) for line in f.read().split("\n")[:-1]]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_during_commits_loses_no_acknowledged_transaction(tmp_path):
    seed = int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)
    path = str(tmp_path / "db")
    side = str(tmp_path / "acknowledged.txt")
    with arcadedb.create_database(path) as db:
        db.schema.create_document_type("Item")
    next_tx = 0
    earlier_unacknowledged: set[int] = set()
    for iteration in range(ITERATIONS):
        where = f"(seed {seed}, iteration {iteration})"
        mode = rng.choice(["no", "yes_nometadata", "yes_full"])
        child = subprocess.Popen(
            [sys.executable, "-c", _WRITER, path, side, str(next_tx), mode, str(K)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout.readline().strip() == "ready", child.stderr.read()
            time.sleep(rng.uniform(0.05, 0.4))
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL, child.stderr.read()
        child.stdout.close()
        child.stderr.close()

        acknowledged = _acknowledged(side)
        # Reopen: no error, the lock of the dead process is gone.
        with arcadedb.open_database(path) as db:
            per_tx = Counter(r.get("tx") for r in db.iterate_type("Item"))
            total = db.count_type("Item")
        assert total % K == 0, f"partial transaction {where}: {total} records"
        assert all(n == K for n in per_tx.values()), f"partial transaction {where}: {per_tx}"
        assert set(acknowledged) <= set(per_tx), f"lost acknowledged transactions {where}"
        # At most one more per kill: committed, killed before its acknowledgement was written.
        unacknowledged = set(per_tx) - set(acknowledged) - earlier_unacknowledged
        assert len(unacknowledged) <= 1, f"{where}: {unacknowledged}"
        assert not unacknowledged or unacknowledged == {max(per_tx)}, where
        earlier_unacknowledged |= unacknowledged
        assert set(per_tx) == set(range(len(per_tx))), f"gaps {where}: {sorted(per_tx)}"

        conn = apsw.Connection(os.path.join(path, "arcadelite.sqlite"))
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], where
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        finally:
            conn.close()
        next_tx = max(per_tx, default=-1) + 1

    assert len(_acknowledged(side)) > 0, "the writers never committed: the test proved nothing"
