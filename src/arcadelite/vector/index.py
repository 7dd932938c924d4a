"""One vector index: vectors in memory, exact or HNSW search, a snapshot never trusted over records.

State: the packed RIDs holding a vector, their vectors as the index sees them (float32, or the
dequantized form under INT8/BINARY), row norms, and, above ``exact_threshold`` vectors when an
HNSW library (faiss-cpu or usearch) is installed, an HNSW graph. The records (a
:class:`VectorSource`) are the truth; the index follows them by *generation*, a counter the
storage raises with every committed vector change.

Snapshot (``save_snapshot``): ``<dir>/meta.json`` plus the data files it names (ids, vectors, HNSW
graph), each written to a temporary name, fsynced and renamed; meta.json is replaced last, so a
crash leaves the previous snapshot or the new one, never a mix. On open the snapshot is used only
if it belongs to the same database and index configuration and its files are whole; then it is
caught up from the records: ids deleted since are dropped, ids added since are fetched, vectors
changed since (``changes_since``) are replaced. If the change log no longer reaches back, or the
records are older than the snapshot (a restored backup), the index is rebuilt from a full scan.
"""

from __future__ import annotations

import json
import os
import threading
import zlib
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from ..exceptions import VectorError
from . import ann as ann_module
from .exact import exact_search
from .quantization import Quantization, represent
from .space import (
    FLOAT,
    Similarity,
    check_query,
    coerce_vector,
    nearness_key,
    row_norms,
    scores,
    vector_from_blob,
)

SNAPSHOT_FORMAT = 1
#: Below this many vectors every search is exact (recall 1.0); measured in the vector report.
EXACT_THRESHOLD = 50_000
#: Default over-query of filtered ANN searches before falling back to exact (seed era default 4).
DEFAULT_OVERQUERY = 4
#: A filter allowing at most this many vectors is answered exactly over them (cheaper than HNSW).
EXACT_FILTER_ROWS = 20_000
#: The most candidates a filtered HNSW search asks for before answering exactly instead.
MAX_FILTER_CANDIDATES = 4096


class VectorSource(Protocol):
    """What storage provides to one vector index (the records are the source of truth).

    Every method reads *committed* data only. Calls made inside one ``reading()`` block see one
    consistent snapshot of the database, so a generation and the changes read with it agree.
    """

    def database_id(self) -> str:
        """A stable identity of the database file (e.g. a UUID kept in the catalog)."""

    def reading(self) -> AbstractContextManager[None]:
        """A read transaction: the calls inside it see one committed state."""

    def generation(self) -> int:
        """Highest committed change sequence of this index's vectors (0 when none ever)."""

    def ids(self) -> np.ndarray:
        """Packed RIDs of all records currently holding a vector (int64, any order)."""

    def fetch(self, ids: np.ndarray) -> Iterable[tuple[int, bytes]]:
        """(packed RID, float32 BLOB) for those of ``ids`` that hold a vector."""

    def scan(self) -> Iterable[tuple[int, bytes]]:
        """(packed RID, float32 BLOB) of every record holding a vector."""

    def changes_since(self, generation: int) -> Iterable[tuple[int, bytes | None]] | None:
        """Vector writes with a sequence above ``generation``, oldest first: (RID, BLOB) for a
        write, (RID, None) for a removal. None when the log no longer reaches that far back."""


@dataclass(frozen=True)
class IndexConfig:
    """What the snapshot must match to be reused."""

    name: str
    dimensions: int
    similarity: Similarity
    quantization: Quantization

    def as_json(self) -> dict:
        return {"name": self.name, "dimensions": self.dimensions,
                "similarity": self.similarity.value, "quantization": self.quantization.value}


@dataclass
class OpenReport:
    """How an open went: from a snapshot (and how much it caught up) or from a full scan."""

    from_snapshot: bool
    reason: str
    added: int = 0
    removed: int = 0
    replaced: int = 0


class VectorIndexCore:
    """Search over the vectors of one index; storage-agnostic (it talks to a VectorSource)."""

    def __init__(self, config: IndexConfig, *, exact_threshold: int = EXACT_THRESHOLD,
                 use_ann: bool | None = None) -> None:
        self.config = config
        self.exact_threshold = exact_threshold
        self.use_ann = ann_module.ann_available() if use_ann is None else use_ann
        self.generation = 0
        self._lock = threading.RLock()
        d = config.dimensions
        self._ids = np.empty(0, dtype=np.int64)       # per row: packed RID
        self._matrix = np.empty((0, d), dtype=FLOAT)  # per row: the vector as the index sees it
        self._norms = np.empty(0, dtype=FLOAT)
        self._alive = np.empty(0, dtype=bool)
        self._count = 0                               # rows in use (alive or dead)
        self._row_of: dict[int, int] = {}             # RID -> row, alive rows only
        self._ann: ann_module.AnnIndex | ann_module.FaissAnnIndex | None = None
        self._sorted: tuple[np.ndarray, np.ndarray] | None = None  # (RIDs, rows) for filters
        self._ann_removed = 0  # removals since the graph was built
        #: The HNSW search breadth (the index's efSearch), None: the library's default (256)
        self.expansion_search: int | None = None

    # ------------------------------------------------------------------ size and contents

    def __len__(self) -> int:
        return len(self._row_of)

    def ids(self) -> np.ndarray:
        """RIDs currently indexed, sorted."""
        with self._lock:
            return np.sort(self._ids[: self._count][self._alive[: self._count]])

    def vector(self, rid: int) -> np.ndarray | None:
        """The vector of ``rid`` as the index sees it (dequantized under INT8/BINARY)."""
        row = self._row_of.get(int(rid))
        return None if row is None else self._matrix[row].copy()

    @property
    def has_ann(self) -> bool:
        return self._ann is not None

    # ------------------------------------------------------------------ mutation

    def upsert(self, rids: Iterable[int], vectors) -> None:
        """Index or re-index these RIDs with these vectors (validated; quantized if configured)."""
        rids = np.asarray(list(rids) if not isinstance(rids, np.ndarray) else rids, dtype=np.int64)
        matrix = _as_matrix(vectors, self.config.dimensions)
        if len(rids) != len(matrix):
            raise VectorError(f"{len(rids)} RIDs but {len(matrix)} vectors")
        if len(rids) == 0:
            return
        # the last write of a RID in one batch wins, as it would in the records
        _, last = np.unique(rids[::-1], return_index=True)
        keep = np.sort(len(rids) - 1 - last)
        rids, matrix = rids[keep], matrix[keep]
        shown = represent(matrix, self.config.quantization)
        with self._lock:
            self._sorted = None
            self._kill(rids)
            start = self._count
            self._reserve(start + len(rids))
            stop = start + len(rids)
            self._ids[start:stop] = rids
            self._matrix[start:stop] = shown
            self._norms[start:stop] = row_norms(shown)
            self._alive[start:stop] = True
            self._count = stop
            self._row_of.update(zip(rids.tolist(), range(start, stop)))
            if self._ann is not None:
                usable = self._norms[start:stop] > 0 \
                    if self.config.similarity is Similarity.COSINE else slice(None)
                self._ann.add(rids[usable], shown[usable])

    def remove(self, rids: Iterable[int]) -> None:
        """Forget these RIDs (absent ones are ignored)."""
        rids = np.asarray(list(rids) if not isinstance(rids, np.ndarray) else rids, dtype=np.int64)
        with self._lock:
            self._sorted = None
            self._kill(rids)

    def _kill(self, rids: np.ndarray) -> None:
        rows = [self._row_of.pop(int(r)) for r in rids.tolist() if int(r) in self._row_of]
        if rows:
            self._alive[np.asarray(rows)] = False
            if self._ann is not None:
                self._ann.remove(self._ids[np.asarray(rows)])
                self._ann_removed += len(rows)
                if self._ann_removed > max(1000, len(self._ann) // 4):
                    self._ann = None  # many removals wear an HNSW graph: rebuilt on demand
        if self._count > 1024 and len(self._row_of) < self._count // 2:
            self._compact()

    def _reserve(self, rows: int) -> None:
        if rows <= len(self._ids):
            return
        capacity = max(rows, 2 * len(self._ids), 1024)
        d = self.config.dimensions
        for name, shape, dtype in (("_ids", (capacity,), np.int64), ("_norms", (capacity,), FLOAT),
                                   ("_alive", (capacity,), bool), ("_matrix", (capacity, d), FLOAT)):
            grown = np.zeros(shape, dtype=dtype)
            grown[: self._count] = getattr(self, name)[: self._count]
            setattr(self, name, grown)

    def _compact(self) -> None:
        alive = np.flatnonzero(self._alive[: self._count])
        self._ids = self._ids[alive].copy()
        self._matrix = self._matrix[alive].copy()
        self._norms = self._norms[alive].copy()
        self._alive = np.ones(len(alive), dtype=bool)
        self._count = len(alive)
        self._row_of = dict(zip(self._ids.tolist(), range(self._count)))

    def clear(self) -> None:
        with self._lock:
            self._sorted = None
            self._count = 0
            self._row_of = {}
            self._ann = None
            self._alive[:] = False

    # ------------------------------------------------------------------ search

    def search(self, query, k: int = 10, *, allowed: Iterable[int] | None = None,
               overquery_factor: int = DEFAULT_OVERQUERY,
               approximate: bool = False) -> list[tuple[int, float]]:
        """The k nearest (RID, seed-era score) pairs, nearest first.

        ``approximate`` uses the HNSW graph (when a library is installed) whatever the size.

        ``allowed`` (RIDs) restricts the result; k results come back whenever k allowed RIDs
        hold a vector. Exact below ``exact_threshold`` vectors; above it the HNSW graph proposes
        ``k * overquery_factor`` candidates, re-scored exactly, and a filtered search that does
        not find k allowed candidates that way is answered exactly over the allowed RIDs.
        """
        query = coerce_vector(query, self.config.dimensions, "query vector")
        check_query(self.config.similarity, query)
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise VectorError(f"k must be an integer, got {k!r}")
        if k <= 0:
            return []
        with self._lock:
            allowed_rows = None
            if allowed is not None:
                allowed_rows = self._rows_of(allowed)
                if allowed_rows.size == 0:
                    return []
            small_filter = allowed_rows is not None and len(allowed_rows) <= EXACT_FILTER_ROWS
            big = len(self._row_of) >= self.exact_threshold or (approximate and bool(self._row_of))
            if big and self.use_ann and not small_filter:
                if self._ann is None:
                    self._build_ann()
                found = self._ann_search(query, k, allowed_rows, max(1, int(overquery_factor)))
                if found is not None:
                    return found
            return self._exact(query, k, allowed_rows)

    def _rows_of(self, rids: Iterable[int]) -> np.ndarray:
        """Rows of those RIDs that are indexed (vectorised: sorted RIDs + searchsorted)."""
        if isinstance(rids, np.ndarray):
            wanted = rids.astype(np.int64, copy=False).reshape(-1)
        else:
            wanted = np.fromiter((int(r) for r in rids), dtype=np.int64)
        if self._sorted is None:
            alive = np.flatnonzero(self._alive[: self._count])
            order = np.argsort(self._ids[alive], kind="stable")
            self._sorted = (self._ids[alive][order], alive[order])
        keys, rows = self._sorted
        if len(keys) == 0 or len(wanted) == 0:
            return np.empty(0, dtype=np.int64)
        at = np.clip(np.searchsorted(keys, wanted), 0, len(keys) - 1)
        return np.unique(rows[at[keys[at] == wanted]])

    def _exact(self, query, k, allowed_rows) -> list[tuple[int, float]]:
        n = self._count
        if allowed_rows is None:
            mask = self._alive[:n]
            rows, values = exact_search(self._matrix[:n], query, k, self.config.similarity,
                                        norms=self._norms[:n], allowed=mask,
                                        tie_keys=self._ids[:n])
        else:
            rows, values = exact_search(self._matrix[:n], query, k, self.config.similarity,
                                        norms=self._norms[:n], allowed=allowed_rows,
                                        tie_keys=self._ids[:n])
        return list(zip(self._ids[rows].tolist(), values.tolist()))

    def _ann_search(self, query, k, allowed_rows, overquery) -> list[tuple[int, float]] | None:
        assert self._ann is not None
        want = k * overquery
        if allowed_rows is not None:  # ask for more the fewer are allowed
            want = int(want * len(self._row_of) / max(1, len(allowed_rows))) + 1
            if want > MAX_FILTER_CANDIDATES:
                return None
        if self.expansion_search is not None:
            self._ann.expansion_search = self.expansion_search
        candidates = self._ann.search(query, min(want, len(self._ann)))
        rows = np.asarray([self._row_of.get(int(c), -1) for c in candidates.tolist()],
                          dtype=np.int64)
        rows = rows[rows >= 0]  # the graph may lag: only rows alive in memory count
        if allowed_rows is not None:
            mask = np.zeros(self._count, dtype=bool)
            mask[allowed_rows] = True
            rows = rows[mask[rows]]
            if len(rows) < k and len(allowed_rows) > len(rows):
                return None  # not enough allowed candidates: answer exactly over the allowed
        if len(rows) == 0:
            return None
        values = scores(self.config.similarity, self._matrix[rows], query, self._norms[rows])
        defined = ~np.isnan(values)
        rows, values = rows[defined], values[defined]
        order = np.lexsort((self._ids[rows], nearness_key(self.config.similarity, values)))[:k]
        if len(order) < k and len(self._row_of) > len(order) and allowed_rows is None:
            return None
        return list(zip(self._ids[rows[order]].tolist(), values[order].tolist()))

    def build_ann(self) -> bool:
        """Build the HNSW graph now (e.g. after a bulk load) instead of on the first search.

        Returns False when no HNSW library is installed or the index is below the threshold.
        At 1M x 128 vectors this takes minutes of CPU: do it before saving a snapshot, so that
        later opens load the graph instead of rebuilding it.
        """
        with self._lock:
            if not self.use_ann or len(self._row_of) < self.exact_threshold:
                return False
            if self._ann is None:
                self._build_ann()
            return True

    def _build_ann(self) -> None:
        ann = ann_module.ann_backend()(self.config.dimensions, self.config.similarity)
        alive = np.flatnonzero(self._alive[: self._count])
        if self.config.similarity is Similarity.COSINE:
            alive = alive[self._norms[alive] > 0]
        ann.add(self._ids[alive], self._matrix[alive])
        self._ann = ann
        self._ann_removed = 0

    # ------------------------------------------------------------------ following the records

    def open(self, source: VectorSource, snapshot_dir: Path | None) -> OpenReport:
        """Load from the snapshot when it is usable and catch it up, else scan the records."""
        with self._lock:
            loaded = None
            reason = "no snapshot directory"
            if snapshot_dir is not None:
                loaded, reason = self._read_snapshot(Path(snapshot_dir), source)
            with source.reading():
                now = source.generation()
                if loaded is not None and now < loaded:
                    reason = f"records (generation {now}) are older than the snapshot ({loaded})"
                    loaded = None
                changes = source.changes_since(loaded) if loaded is not None else None
                if loaded is not None and changes is None:
                    reason = f"the change log no longer reaches generation {loaded}"
                    loaded = None
                if loaded is None:
                    self.clear()
                    self._ingest(source.scan())
                    self.generation = now
                    return OpenReport(False, reason)
                report = self._catch_up(source, changes)
                self.generation = now
                report.reason = reason
                return report

    def _catch_up(self, source: VectorSource, changes) -> OpenReport:
        """Apply changes since the snapshot, then make the RID set equal the records' set."""
        before = self.ids()
        written: dict[int, bytes | None] = {}
        for rid, blob in changes:
            written[int(rid)] = blob
        rewritten = np.sort(np.fromiter((rid for rid, blob in written.items() if blob is not None),
                                        dtype=np.int64))
        self._ingest((int(rid), written[int(rid)] or b"") for rid in rewritten)
        truth = _sorted_unique(np.asarray(source.ids(), dtype=np.int64))
        mine = self.ids()
        gone = mine[~_member(truth, mine)]
        missing = truth[~_member(mine, truth)]
        self.remove(gone)
        if len(missing):
            self._ingest(source.fetch(missing))
        was_there = _member(before, rewritten)
        return OpenReport(True, "", added=len(missing) + int((~was_there).sum()),
                          removed=len(gone), replaced=int(was_there.sum()))

    def refresh(self, source: VectorSource) -> int:
        """Catch up with commits made since the last open/refresh; returns changes applied."""
        with self._lock, source.reading():
            now = source.generation()
            if now == self.generation:
                return 0
            changes = source.changes_since(self.generation) if now > self.generation else None
            if changes is None:
                self.clear()
                self._ingest(source.scan())
                self.generation = now
                return len(self)
            applied = 0
            upserts: dict[int, bytes] = {}
            removals: list[int] = []
            for rid, blob in changes:
                applied += 1
                if blob is None:
                    upserts.pop(int(rid), None)
                    removals.append(int(rid))
                else:
                    upserts[int(rid)] = blob
            self.remove(np.asarray([r for r in removals if r not in upserts], dtype=np.int64))
            self._ingest(upserts.items())
            self.generation = now
            return applied

    def _ingest(self, pairs: Iterable[tuple[int, bytes]], batch: int = 50_000) -> None:
        """Upsert (RID, BLOB) pairs in batches; a BLOB of the wrong size is named corruption."""
        d = self.config.dimensions
        rids: list[int] = []
        blobs: list[bytes] = []

        def flush() -> None:
            if not rids:
                return
            joined = b"".join(blobs)
            if len(joined) != 4 * d * len(rids):
                for rid, blob in zip(rids, blobs):
                    vector_from_blob(blob, d, f"#{rid >> 40}:{rid & ((1 << 40) - 1)}")
            matrix = np.frombuffer(joined, dtype="<f4").reshape(len(rids), d)
            if not np.isfinite(matrix).all():
                bad = int(np.flatnonzero(~np.isfinite(matrix).all(axis=1))[0])
                rid = rids[bad]
                raise VectorError(f"Stored vector of #{rid >> 40}:{rid & ((1 << 40) - 1)} "
                                  "holds a non-finite component")
            self.upsert(np.asarray(rids, dtype=np.int64), matrix)
            rids.clear()
            blobs.clear()

        for rid, blob in pairs:
            rids.append(int(rid))
            blobs.append(bytes(blob))
            if len(rids) >= batch:
                flush()
        flush()

    # ------------------------------------------------------------------ snapshot files

    def save_snapshot(self, snapshot_dir: Path, database_id: str) -> None:
        """Write the current state as a snapshot (atomic: meta.json is replaced last)."""
        directory = Path(snapshot_dir)
        directory.mkdir(parents=True, exist_ok=True)
        with self._lock:
            alive = np.flatnonzero(self._alive[: self._count])
            ids = self._ids[alive]
            matrix = np.ascontiguousarray(self._matrix[alive])
            tag = f"{self.generation}-{os.getpid()}-{threading.get_ident() % 100000}"
            files = {"ids": f"ids-{tag}.npy", "vectors": f"vectors-{tag}.npy"}
            _write_file(directory / files["ids"], lambda fh: np.save(fh, ids))
            _write_file(directory / files["vectors"], lambda fh: np.save(fh, matrix))
            if self._ann is not None:
                files["ann"] = f"ann-{tag}.{self._ann.name}"
                tmp = directory / (files["ann"] + ".tmp")
                self._ann.save(tmp)
                _fsync_path(tmp)
                os.replace(tmp, directory / files["ann"])
            meta = {
                "format": SNAPSHOT_FORMAT,
                "database_id": database_id,
                "config": self.config.as_json(),
                "generation": self.generation,
                "count": int(len(ids)),
                "ids_crc32": zlib.crc32(ids.tobytes()),
                "files": files,
                "sizes": {key: (directory / name).stat().st_size for key, name in files.items()},
            }
            _write_file(directory / "meta.json",
                        lambda fh: fh.write(json.dumps(meta, indent=1).encode()))
            _fsync_path(directory)
            keep = set(files.values()) | {"meta.json"}
            for stale in directory.iterdir():
                if stale.name not in keep:
                    stale.unlink(missing_ok=True)

    def _read_snapshot(self, directory: Path, source: VectorSource) -> tuple[int | None, str]:
        """Load a usable snapshot into memory; (its generation, '') or (None, why not)."""
        try:
            meta = json.loads((directory / "meta.json").read_text())
        except FileNotFoundError:
            return None, "no snapshot"
        except (OSError, ValueError) as exc:
            return None, f"unreadable snapshot meta.json ({exc})"
        if meta.get("format") != SNAPSHOT_FORMAT:
            return None, f"snapshot format {meta.get('format')!r} is not {SNAPSHOT_FORMAT}"
        if meta.get("database_id") != source.database_id():
            return None, "snapshot belongs to another database"
        if meta.get("config") != self.config.as_json():
            return None, "snapshot was made for another index configuration"
        files = meta.get("files", {})
        for key, name in files.items():
            path = directory / name
            if not path.exists() or path.stat().st_size != meta["sizes"].get(key):
                return None, f"snapshot file {name} is missing or torn"
        try:
            ids = np.load(directory / files["ids"])
            with open(directory / files["vectors"], "rb") as fh:
                matrix = np.load(fh)
        except (OSError, ValueError, KeyError) as exc:
            return None, f"snapshot data unreadable ({exc})"
        if (len(ids) != meta["count"] or zlib.crc32(ids.tobytes()) != meta["ids_crc32"]
                or matrix.shape != (len(ids), self.config.dimensions)):
            return None, "snapshot ids or vectors do not match its meta.json"
        self.clear()
        self._ids = ids.astype(np.int64)
        self._matrix = matrix.astype(FLOAT, copy=False)
        self._norms = row_norms(self._matrix)
        self._alive = np.ones(len(ids), dtype=bool)
        self._count = len(ids)
        self._row_of = dict(zip(self._ids.tolist(), range(self._count)))
        self._sorted = None
        backend = ann_module.ann_backend()
        if "ann" in files and self.use_ann and backend is not None \
                and files["ann"].endswith("." + backend.name):
            try:
                self._ann = backend.load(directory / files["ann"], self.config.dimensions,
                                         self.config.similarity)
            except (OSError, ValueError, RuntimeError):
                self._ann = None  # rebuilt on demand: the graph is only an accelerator
            if self._ann is not None and len(self._ann) < self._count:
                self._ann = None
        return int(meta["generation"]), ""


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _member(sorted_unique: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Which ``values`` occur in ``sorted_unique`` (binary search, no hashing)."""
    if len(sorted_unique) == 0:
        return np.zeros(len(values), dtype=bool)
    at = np.clip(np.searchsorted(sorted_unique, values), 0, len(sorted_unique) - 1)
    return sorted_unique[at] == values


def _as_matrix(vectors, dimensions: int) -> np.ndarray:
    from .space import coerce_matrix

    return coerce_matrix(vectors, dimensions)


def _write_file(path: Path, write) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
