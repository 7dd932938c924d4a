"""The async executor as bulk loaders (the importer) drive it.

``BulkWriter(db, inline=True)`` has no worker threads: each chunk is written by the submitting
thread as it fills, with the executor's batching, failure isolation and callbacks (it saves the
thread hand-offs, which under the GIL only cost when nothing else runs meanwhile). Besides
``create_record`` it writes whole batches of rows given as one JSON array (``write_json_rows``),
with no record object or operation per row, into types that check nothing per record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..exceptions import ArcadeDBError
from .executor import AsyncExecutor
from .operations import has_unique_key

if TYPE_CHECKING:
    from ..database import Database
    from ..storage.catalog import TypeDef


class BulkWriter(AsyncExecutor):
    """An AsyncExecutor for bulk loaders: inline by default, and JSON-array batches."""

    def __init__(self, db: Database, *, inline: bool = True) -> None:
        super().__init__(db, inline=inline)

    def takes_json_rows(self, type_def: TypeDef) -> bool:
        """True when ``write_json_rows`` can write records of this type (see there)."""
        return self._inline and not (
            type_def.kind == "edge" or type_def.checked or has_unique_key(type_def)
        )

    def write_json_rows(self, type_def: TypeDef, bodies: str, count: int) -> None:
        """Inline mode: create ``count`` records from one JSON array of plain bodies (no tags),
        without a record object or an operation each.

        Only for a document or vertex type that checks nothing per record (no declared
        property, no unique key), so no row can fail alone. The rows count as operations for
        commit_every, stats, progress and on_ok; a failed commit reports each of them.
        """
        if self._closed:
            self._raise_closed()
        if not self.takes_json_rows(type_def):
            raise ArcadeDBError(
                f"Records of '{type_def.name}' cannot be written as JSON rows here "
                "(an inline executor and a type that checks nothing per record are needed)"
            )
        if self._started_at is None:
            self._start()
        self._check_not_holding_writer("an inline bulk write")
        with self._token:
            self._write_queued(everything=True)  # what was submitted before goes first
            start = 0
            while start < count:
                room = self._commit_every - self._tx_count if self._commit_every else count
                stop = min(count, start + max(1, room))
                with self._lock:
                    self._taken += stop - start
                try:
                    session = self._ensure_transaction()
                    self._storage.insert_json_rows(session, type_def, bodies, start, stop)
                except Exception as exc:  # one statement: none of these rows was written
                    self._report_unseen([(type_def, (bodies, start, stop))], exc)
                    self._complete(stop - start, failed=stop - start)
                else:
                    self._tx_count += stop - start
                    self._tx_unseen.append((type_def, (bodies, start, stop)))
                start = stop
                if self._commit_every and self._tx_count >= self._commit_every:
                    self._commit()


__all__ = ["BulkWriter"]
