"""Shared pieces of the torture suite: reporting, RSS, integrity checks, temporary folders."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import apsw

DB_FILE = "arcadelite.sqlite"

#: Built-in exceptions the API documents for Python-level misuse (API.md, "Conventions").
DOCUMENTED_BUILTINS = (ValueError, TypeError, AttributeError, TimeoutError, RuntimeError)


class Report:
    """Figures and failures of one part; ``finish()`` prints the PASS/FAIL line."""

    def __init__(self, name: str, out: Any = None) -> None:
        self.name = name
        self.failures: list[str] = []
        self.figures: dict[str, Any] = {}
        self.started = time.monotonic()
        self.out = out if out is not None else sys.stdout

    def say(self, text: str) -> None:
        print(f"[{self.name}] {text}", file=self.out, flush=True)

    def figure(self, key: str, value: Any) -> None:
        self.figures[key] = value
        self.say(f"{key}: {value}")

    def fail(self, message: str) -> None:
        self.failures.append(message)
        self.say(f"FAILURE: {message}")

    def check(self, condition: bool, message: str) -> bool:
        if not condition:
            self.fail(message)
        return condition

    @property
    def ok(self) -> bool:
        return not self.failures

    def finish(self) -> bool:
        elapsed = time.monotonic() - self.started
        verdict = "PASS" if self.ok else f"FAIL ({len(self.failures)} failure(s))"
        self.say(f"{verdict} in {elapsed:.1f} s")
        return self.ok


def rss_bytes() -> int:
    """Resident set size of this process (Linux /proc; ru_maxrss elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def integrity_check(folder: str) -> list[str]:
    """``PRAGMA integrity_check`` on the database file, opened read-only with APSW directly.

    The SQLite file must not be held by a live writer process. A read-only connection can still
    replay the WAL left by a killed writer (it only needs the -shm file to be writable).
    """
    conn = apsw.Connection(os.path.join(folder, DB_FILE), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def index_scan_counts(folder: str, type_id: int, prop: str) -> tuple[int, int]:
    """(rows counted through the SQLite index on ``prop``, rows counted by a table scan).

    White-box: arcadelite implements an index on property ``p`` of type id ``n`` as a SQLite
    expression index on ``json_extract(body, '$.p')`` of table ``t<n>``.
    """
    table = f"t{type_id}"
    expr = f"json_extract(body, '$.{prop}')"
    conn = apsw.Connection(os.path.join(folder, DB_FILE), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql LIKE ?",
                (table, f"%{expr}%"),
            )
        ]
        if not names:
            raise AssertionError(f"no SQLite index on {expr} of {table}")
        where = f"WHERE {expr} IS NOT NULL"
        by_index = conn.execute(
            f"SELECT count(*) FROM {table} INDEXED BY {names[0]} {where}"
        ).fetchone()[0]
        by_scan = conn.execute(f"SELECT count(*) FROM {table} NOT INDEXED {where}").fetchone()[0]
        return by_index, by_scan
    finally:
        conn.close()


@contextmanager
def workdir(base: str | None, name: str, keep: bool = False) -> Iterator[str]:
    """A fresh folder for one part; removed afterwards unless ``keep``, an exception, or
    ``keep_for_post_mortem``."""
    root = tempfile.mkdtemp(prefix=f"torture-{name}-", dir=base)
    ok = False
    try:
        yield root
        ok = True
    finally:
        if ok and not keep and not os.path.exists(os.path.join(root, KEEP_MARK)):
            shutil.rmtree(root, ignore_errors=True)


KEEP_MARK = ".keep"


def keep_for_post_mortem(root: str, report: Report) -> None:
    """Keep a part's folder (databases, side files) after a failure, and say where."""
    open(os.path.join(root, KEEP_MARK), "w").close()
    report.say(f"kept for inspection: {root}")


def file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def sql_available() -> bool:
    """True once ``db.command("sql", "CREATE DOCUMENT TYPE X")`` works (SQL lands separately)."""
    import arcadelite as arcadedb

    folder = tempfile.mkdtemp(prefix="torture-sqlprobe-")
    try:
        with arcadedb.create_database(os.path.join(folder, "db")) as db:
            db.command("sql", "CREATE DOCUMENT TYPE X")
            return db.schema.exists_type("X")
    except Exception:  # any failure means "not yet"
        return False
    finally:
        shutil.rmtree(folder, ignore_errors=True)
