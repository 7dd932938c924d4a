"""Bulk writes: the AsyncExecutor, the BatchContext on it, and what they are made of.

Layout:

- operations.py: the operations queued, one typed tuple layout per kind (``CreateOp``,
  ``UpdateOp``, ``DeleteOp``, ``StatementOp``, ``FailedOp``), all starting with (kind, subject,
  callback, on_error); why tuples and not NamedTuples is measured there.
- chunks.py: the chunk writer, the one piece that writes many items in one go and, when that
  fails, rolls back to a savepoint and writes them one by one to report only the culprits (the
  executor's chunks and the dump restore's rows go through it).
- writing.py: the executor's writing side: a chunk into the open transaction, what the commit
  keeps, commits, failure reports.
- executor.py: ``AsyncExecutor``: configuration, submission, the bounded queue, worker threads
  taking turns as SQLite's one writer, completion and shutdown.
- loader.py: ``BulkWriter``, the executor as bulk loaders drive it (inline, JSON-array batches).
- batch.py: ``BatchContext``.

Decisions: the hot path (``create_record`` of a plain record, and a chunk of such creates) is
tuned in C-level loops over exact tuples and one multi-row INSERT per chunk. Public import paths stay ``arcadelite.async_executor`` and ``.batch``.
"""

from .batch import BatchContext
from .executor import AsyncExecutor
from .loader import BulkWriter

__all__ = ["AsyncExecutor", "BatchContext", "BulkWriter"]
