"""A VectorSource over a real SQLite file: the executable spec of what storage must provide.

The tests drive the vector core through it exactly as the wiring step will drive it through
``storage/``: vectors are float32 BLOBs keyed by packed RID, every committed write or removal gets
a sequence number, reads happen in a read transaction on a second connection.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from pathlib import Path

import apsw
import numpy as np

from arcadelite.vector.space import coerce_vector, vector_to_blob

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value);
CREATE TABLE IF NOT EXISTS vectors(rid INTEGER PRIMARY KEY, vec BLOB NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS vectors_seq ON vectors(seq);
CREATE TABLE IF NOT EXISTS removed(rid INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS removed_seq ON removed(seq);
"""


class SqliteVectorSource:
    def __init__(self, path: Path, dimensions: int) -> None:
        self.path = Path(path)
        self.dimensions = dimensions
        self.writer = apsw.Connection(str(self.path))
        self.writer.execute("PRAGMA journal_mode=WAL")
        self.writer.execute(SCHEMA)
        with self.writer:
            self.writer.execute("INSERT OR IGNORE INTO meta VALUES ('database_id', ?)",
                                (str(uuid.uuid4()),))
            self.writer.execute("INSERT OR IGNORE INTO meta VALUES ('seq', 0)")
            self.writer.execute("INSERT OR IGNORE INTO meta VALUES ('log_start', 0)")
        self.reader = apsw.Connection(str(self.path))

    def close(self) -> None:
        self.reader.close()
        self.writer.close()

    # ---- writes (what the record layer does, in the record's transaction)

    def _next_seq(self) -> int:
        self.writer.execute("UPDATE meta SET value = value + 1 WHERE key = 'seq'")
        return self.writer.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0]

    def put(self, rid: int, vector) -> None:
        blob = vector_to_blob(coerce_vector(vector, self.dimensions))
        with self.writer:
            seq = self._next_seq()
            self.writer.execute("DELETE FROM removed WHERE rid = ?", (rid,))
            self.writer.execute("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", (rid, blob, seq))

    def put_many(self, rids, matrix) -> None:
        with self.writer:
            for rid, row in zip(rids, np.asarray(matrix, dtype=np.float32)):
                seq = self._next_seq()
                self.writer.execute("DELETE FROM removed WHERE rid = ?", (int(rid),))
                self.writer.execute("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                                    (int(rid), vector_to_blob(row), seq))

    def delete(self, rid: int) -> None:
        with self.writer:
            if self.writer.execute("SELECT 1 FROM vectors WHERE rid = ?", (rid,)).fetchone():
                seq = self._next_seq()
                self.writer.execute("DELETE FROM vectors WHERE rid = ?", (rid,))
                self.writer.execute("INSERT OR REPLACE INTO removed VALUES (?, ?)", (rid, seq))

    def trim_log(self) -> None:
        """Forget removal history (as a compaction would): older generations can't catch up."""
        with self.writer:
            self.writer.execute("DELETE FROM removed")
            self.writer.execute(
                "UPDATE meta SET value = (SELECT value FROM meta WHERE key = 'seq') "
                "WHERE key = 'log_start'")

    # ---- the VectorSource protocol

    def database_id(self) -> str:
        return self.reader.execute("SELECT value FROM meta WHERE key = 'database_id'").fetchone()[0]

    @contextmanager
    def reading(self):
        self.reader.execute("BEGIN")
        try:
            yield
        finally:
            self.reader.execute("COMMIT")

    def generation(self) -> int:
        return self.reader.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0]

    def ids(self) -> np.ndarray:
        return np.fromiter((r for (r,) in self.reader.execute("SELECT rid FROM vectors")),
                           dtype=np.int64)

    def fetch(self, ids):
        for rid in np.asarray(ids, dtype=np.int64).tolist():
            row = self.reader.execute("SELECT vec FROM vectors WHERE rid = ?", (rid,)).fetchone()
            if row:
                yield rid, row[0]

    def scan(self):
        yield from self.reader.execute("SELECT rid, vec FROM vectors")

    def changes_since(self, generation: int):
        start = self.reader.execute("SELECT value FROM meta WHERE key = 'log_start'").fetchone()[0]
        if generation < start:
            return None
        return list(self.reader.execute(
            "SELECT rid, vec FROM (SELECT rid, vec, seq FROM vectors WHERE seq > ?1 "
            "UNION ALL SELECT rid, NULL, seq FROM removed WHERE seq > ?1) ORDER BY seq",
            (generation,)))
