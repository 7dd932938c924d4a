"""Import: CSV, TSV and JSONL files into documents, vertices or edges, and ArcadeDB dumps.

``Importer(db).import_file(path, ...)`` / ``import_csv(db, path, type_name, ...)`` stream a file
through a private AsyncExecutor: memory stays flat whatever the file size, every row ends imported
or reported (with its line number), and the result says how many. Into a type that checks
nothing per record (no declared property, no unique index), each batch of rows goes to SQLite as
one JSON array, with no record object per row::

    {"documents": 999_998, "vertices": 0, "edges": 0, "errors": 2, "duration_ms": 4210,
     "rows": 1_000_000, "failed_rows": [{"line": 17, "error": "..."}, ...]}

CSV values are typed per value: a plain decimal number (``42``, ``-7``, ``3.14``, ``1e-3``) becomes
an ``int`` or a ``float``, an empty cell is left out (the property reads as None), anything else
stays a string - including text that only looks numeric to a lenient parser (``007``, ``+5``,
``1_000``, ``nan``, an integer beyond 64 bits), so that nothing is altered. Columns the target
type declares are handed over as text and converted by the schema (a ``STRING`` zip code keeps its
leading zero, an ISO date fills a ``DATE``).

Options (ArcadeDB's importer names; snake_case spellings are accepted too):

- ``delimiter`` (default ``,`` for CSV, tab for TSV), ``header`` (True: the first row names the
  columns; False: columns ``col1``, ``col2``...; a list or a comma-separated string: these names,
  the file has no header row), ``skipEntries`` (rows to skip at the start, before the header),
  ``trimText`` (strip blanks around values, default True), ``encoding`` (default utf-8).
- ``commitEvery`` (rows per transaction, default 10,000), ``parallel`` (executor workers, 1).
- ``typeIdProperty``, ``typeIdType`` (default ``STRING``), ``typeIdPropertyIsUnique``: for
  vertices, the id column, declared with that type and indexed, so that edges can find vertices;
  for edges, the property by which ``edgeFromField``/``edgeToField`` values are looked up (values
  that are RIDs, ``#b:p``, are used as they are). ``vertexType`` narrows that lookup to one type.
- ``onRowError``: ``"skip"`` (default: report the row, go on) or ``"abort"`` (stop at the first
  failure and raise ``ImportAbortedError``; rows read before it stay imported, and a failure found
  at write time - a duplicate key, say - can leave up to a queue's worth of later rows imported
  too). ``stopOnError=True`` is the same as ``onRowError="abort"``.
- ``progress``: a tqdm bar of committed rows; by default on when stderr is a terminal.

``import_database(db, path_or_url)`` restores a dump written by ``export_database`` or by ArcadeDB
(see ``exporter`` for the format) into an empty database, in one transaction (a failure leaves the
database as it was): SQL ``IMPORT DATABASE file://...`` calls it. A first pass checks the file and
notes, per old bucket, runs of consecutive positions; the records are then written in file order,
so each one's new RID is its type's first position plus its rank, and links and edges remap by
arithmetic without a table of every RID in memory (a dump made here, without deleted records,
keeps its RIDs). Constraints are applied after the records, so a record stored before a
constraint was added comes back too. Values of a dump made here come back identical (types included, through the
dump's ``"al"`` tags). From an ArcadeDB dump, declared properties are converted by their declared
type (``DATE`` days, ``DATETIME`` epoch milliseconds in the dump's zone, ``DECIMAL``, ``BINARY``
signed bytes, ``LINK`` remapped); undeclared values stay as ArcadeDB wrote them (a date as an int,
a link as its old RID text), as ArcadeDB's own importer does. Unique indexes declared on a
supertype are not re-checked across its subtypes during a restore.
"""

from __future__ import annotations

import base64
import bisect
import csv
import datetime as dt
import gzip
import io
import itertools
import json
import math
import os
import re
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from itertools import repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import orjson

from .exceptions import ArcadeDBError, AsyncOperationError, SchemaError, TransactionError
from .graph import Document, Edge, Vertex
from .rid import RID
from .storage import codec
from .vocabulary import ARCADEDB_VALUE_TYPES, CODE_KINDS, FROM_ARCADEDB_TYPES

if TYPE_CHECKING:
    from .database import Database
    from .storage.catalog import TypeDef


class ImportAbortedError(ArcadeDBError):
    """``onRowError="abort"`` met a bad row: ``line`` is where, ``stats`` what was imported."""

    def __init__(self, message: str, line: int | None, stats: dict[str, Any]) -> None:
        super().__init__(message)
        self.line = line
        self.stats = stats


class ImportDatabaseError(ArcadeDBError):
    """A dump restore finished with failed records: ``stats`` and ``failures`` say which."""

    def __init__(self, message: str, stats: dict[str, Any], failures: list[dict[str, Any]]):
        super().__init__(message)
        self.stats = stats
        self.failures = failures


FORMATS = {"csv": "csv", "tsv": "tsv", "tab": "tsv", "jsonl": "jsonl", "ndjson": "jsonl",
           "arcadedb": "arcadedb", "dump": "arcadedb"}  # fmt: skip
IMPORT_TYPES = {"documents": "document", "document": "document", "vertices": "vertex",
                "vertex": "vertex", "edges": "edge", "edge": "edge"}  # fmt: skip
_DEFAULTS: dict[str, Any] = {
    "delimiter": None,
    "header": True,
    "skipEntries": 0,
    "commitEvery": 10_000,
    "parallel": 1,
    "typeIdProperty": None,
    "typeIdType": "STRING",
    "typeIdPropertyIsUnique": False,
    "edgeFromField": None,
    "edgeToField": None,
    "vertexType": None,
    "trimText": True,
    "onRowError": "skip",
    "progress": None,
    "encoding": "utf-8",
    "quotechar": '"',
}
_ALIASES = {
    "skip_entries": "skipEntries", "commit_every": "commitEvery",
    "type_id_property": "typeIdProperty", "type_id_type": "typeIdType",
    "type_id_property_is_unique": "typeIdPropertyIsUnique", "typeIdUnique": "typeIdPropertyIsUnique",
    "edge_from_field": "edgeFromField", "edge_to_field": "edgeToField",
    "vertex_type": "vertexType", "trim_text": "trimText", "on_row_error": "onRowError",
    "stop_on_error": "stopOnError",
}  # fmt: skip
_ID_TYPES = {"STRING": "STRING", "LONG": "LONG", "INTEGER": "INTEGER", "INT": "INTEGER",
             "SHORT": "SHORT", "BYTE": "BYTE"}  # fmt: skip
_BATCH = 2_000
_MAX_FAILED_ROWS = 1_000
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_RID_TEXT = re.compile(r"#(\d+):(\d+)")
_NUM_START_CHARS = frozenset("-0123456789")
_NUM_START = _NUM_START_CHARS | {""}
_DIGITS = frozenset("0123456789") | {""}
_NUMERIC_TYPES = {int, float, type(None)}
_first = itemgetter(slice(0, 1))
_last = itemgetter(slice(-1, None))


# Import records: the executor's record classes with the source line attached (same names).
class _ImportedDocument(Document):
    __slots__ = ("_line",)


class _ImportedVertex(Vertex):
    __slots__ = ("_line",)


class _ImportedEdge(Edge):
    __slots__ = ("_line",)


for _cls, _name in ((_ImportedDocument, "Document"), (_ImportedVertex, "Vertex"),
                    (_ImportedEdge, "Edge")):  # fmt: skip
    _cls.__name__ = _cls.__qualname__ = _name
_RECORD_CLASSES = {"document": _ImportedDocument, "vertex": _ImportedVertex}


# --- public entry points --------------------------------------------------------------------


class Importer:
    """Imports files into a database: ``Importer(db).import_file("people.csv", ...)``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def import_file(self, file_path: str, format_type: str | None = None,
                    import_type: str = "documents", type_name: str | None = None,
                    **options: Any) -> dict[str, Any]:  # fmt: skip
        """Import a CSV, TSV or JSONL file (format from the extension unless given).

        ``import_type`` is ``"documents"``, ``"vertices"`` or ``"edges"``; ``type_name`` the type
        to fill (created when missing; default: the file name). See the module doc for options.
        """
        self.db.live_storage()
        if self.db.is_transaction_active():
            raise TransactionError(
                "Importing a file cannot run inside a transaction: rows commit in transactions of "
                "their own, which need the writer lock. Commit or roll back first"
            )
        path = os.fspath(file_path)
        fmt = _format_of(path, format_type)
        if not os.path.isfile(path):
            raise ArcadeDBError(f"Import file not found: '{path}'")
        if fmt == "arcadedb" or (fmt == "jsonl" and _is_dump(path)):
            return import_database(self.db, path)
        kind = IMPORT_TYPES.get(str(import_type).lower())
        if kind is None:
            raise ArcadeDBError(
                f"Unknown import_type '{import_type}': expected documents, vertices or edges"
            )
        opts = _options(options, fmt)
        if kind == "edge":
            for needed in ("edgeFromField", "edgeToField"):
                if not opts[needed]:
                    raise ArcadeDBError(f"Importing edges needs the option '{needed}'")
        if type_name is None:
            type_name = _stem(path)
        job = _RowImport(self.db, kind, type_name, opts, path)
        if fmt == "jsonl":
            return job.run(job.read_jsonl)
        return job.run(job.read_csv)

    def import_csv(self, file_path: str, type_name: str, **options: Any) -> dict[str, Any]:
        return import_csv(self.db, file_path, type_name, **options)

    def import_jsonl(self, file_path: str, type_name: str | None = None,
                     **options: Any) -> dict[str, Any]:  # fmt: skip
        import_type = options.pop("import_type", "documents")
        return self.import_file(file_path, "jsonl", import_type, type_name, **options)

    def import_database(self, path_or_url: str) -> dict[str, Any]:
        return import_database(self.db, path_or_url)


def import_csv(db: Database, file_path: str, type_name: str, **options: Any) -> dict[str, Any]:
    """Import a CSV (or TSV, by extension) file into ``type_name``; see ``Importer.import_file``."""
    import_type = options.pop("import_type", "documents")
    format_type = options.pop("format_type", None)
    if format_type is None:
        format_type = (
            "tsv" if _format_of(os.fspath(file_path), None, strict=False) == "tsv" else "csv"
        )
    return Importer(db).import_file(file_path, format_type, import_type, type_name, **options)


def _format_of(path: str, given: str | None, strict: bool = True) -> str:
    if given is not None:
        fmt = FORMATS.get(str(given).lower())
        if fmt is None:
            raise ArcadeDBError(
                f"Unknown import format '{given}': supported formats are csv, tsv, jsonl "
                "(and arcadedb for a database dump)"
            )
        return fmt
    name = path.lower()
    if name.endswith(".tgz"):
        name = name[:-4] + ".gz"
    if name.endswith(".gz"):
        name = name[:-3]
    ext = os.path.splitext(name)[1].lstrip(".")
    fmt = FORMATS.get(ext)
    if fmt is None:
        if not strict:
            return "csv"
        raise ArcadeDBError(
            f"Unknown import format for '{path}' (extension '.{ext}'): pass format_type "
            "('csv', 'tsv' or 'jsonl')"
        )
    return fmt


def _is_dump(path: str) -> bool:
    """True when a JSONL file is a database dump (its first line is the dump's "info" line)."""
    try:
        first = next(_dump_lines(path), b"")
        entry = orjson.loads(first)
    except (ArcadeDBError, orjson.JSONDecodeError, OSError):
        return False
    return isinstance(entry, dict) and entry.get("t") == "info" and isinstance(entry.get("c"), dict)


def _stem(path: str) -> str:
    name = os.path.basename(path)
    while True:
        base, ext = os.path.splitext(name)
        if not ext:
            return base
        name = base


def _options(options: dict[str, Any], fmt: str) -> dict[str, Any]:
    opts = dict(_DEFAULTS)
    stop = None
    for key, value in options.items():
        name = _ALIASES.get(key, key)
        if name == "stopOnError":
            stop = bool(value)
            continue
        if name not in opts:
            raise ArcadeDBError(
                f"Unknown import option '{key}': expected one of {', '.join(sorted(_DEFAULTS))}"
            )
        opts[name] = value
    if stop is not None:
        opts["onRowError"] = "abort" if stop else "skip"
    mode = str(opts["onRowError"]).lower()
    if mode not in ("skip", "abort"):
        raise ArcadeDBError(
            f"Option 'onRowError' must be 'skip' or 'abort', got {opts['onRowError']!r}"
        )
    opts["onRowError"] = mode
    if opts["delimiter"] is None:
        opts["delimiter"] = "\t" if fmt == "tsv" else ","
    if not isinstance(opts["delimiter"], str) or len(opts["delimiter"]) != 1:
        raise ArcadeDBError(f"Option 'delimiter' must be one character, got {opts['delimiter']!r}")
    id_type = _ID_TYPES.get(str(opts["typeIdType"]).upper())
    if id_type is None:
        raise ArcadeDBError(
            f"Option 'typeIdType' must be one of String, Long, Integer, Short, Byte; "
            f"got {opts['typeIdType']!r}"
        )
    opts["typeIdType"] = id_type
    for name in ("skipEntries", "commitEvery", "parallel"):
        value = opts[name]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ArcadeDBError(f"Option '{name}' must be an integer >= 0, got {value!r}")
    return opts


# --- row imports (CSV, TSV, JSONL) ------------------------------------------------------------


class _RowImport:
    """One file into one type, through a private async executor."""

    def __init__(self, db: Database, kind: str, type_name: str, opts: dict[str, Any],
                 path: str) -> None:  # fmt: skip
        self.db = db
        self.kind = kind
        self.opts = opts
        self.path = path
        self.type_name = type_name
        self.rows = 0
        self.failed = 0
        self.failed_rows: list[dict[str, Any]] = []
        self.first_failure: tuple[int | None, str] | None = None
        self.stop = False
        self._lock = threading.Lock()
        self.lookup_cache: dict[Any, Any] = {}

    # -- set-up --------------------------------------------------------------------------------

    def _prepare_type(self) -> TypeDef:
        schema = self.db.schema
        name = self.type_name
        if self.kind == "document":
            schema.get_or_create_document_type(name)
        elif self.kind == "vertex":
            schema.get_or_create_vertex_type(name)
            id_prop = self.opts["typeIdProperty"]
            if id_prop:
                existing = schema.get_type(name).get_property(id_prop)  # type: ignore[union-attr]
                if existing is None:
                    schema.create_property(name, id_prop, self.opts["typeIdType"])
                if not any(
                    ix.properties == (id_prop,) for ix in self.db._storage.catalog.get(name).indexes
                ):
                    schema.create_index(
                        name, [id_prop], unique=bool(self.opts["typeIdPropertyIsUnique"])
                    )
        else:
            schema.get_or_create_edge_type(name)
        return self.db._storage.catalog.get(name)

    def _executor(self) -> Any:
        from .async_executor import AsyncExecutor

        # One reading thread: writing its chunks inline saves the hand-offs to a worker, which
        # under the GIL cost a third of the import (measured); parallel > 1 uses workers.
        ex = AsyncExecutor(self.db, inline=self.opts["parallel"] <= 1)
        ex.set_parallel_level(max(1, self.opts["parallel"]))
        ex.set_commit_every(self.opts["commitEvery"])
        ex.on_error(self._write_failed)
        progress = self.opts["progress"]
        if progress is None:
            progress = sys.stderr.isatty()
        if progress:
            ex.set_progress(True, None, f"Importing {self.type_name}")
        return ex

    def run(self, reader: Callable[[Any], None]) -> dict[str, Any]:
        started = time.perf_counter()
        self.type_def = self._prepare_type()
        ex = self._executor()
        try:
            reader(ex)
            ex.wait_completion()
        except BaseException:
            try:
                ex.close()
            except Exception:  # the first error is the one to see
                pass
            raise
        ex.close()
        stats = ex.stats()
        done = stats["committed"]
        result = {
            "documents": done if self.kind == "document" else 0,
            "vertices": done if self.kind == "vertex" else 0,
            "edges": done if self.kind == "edge" else 0,
            "errors": self.failed,
            "duration_ms": int((time.perf_counter() - started) * 1000),
            "rows": self.rows,
            "failed_rows": self.failed_rows,
        }
        if self.opts["onRowError"] == "abort" and self.first_failure is not None:
            line, message = self.first_failure
            where = f"line {line}" if line is not None else "a row"
            raise ImportAbortedError(
                f"Import of '{self.path}' aborted at {where}: {message} "
                f"({done} rows imported before it)",
                line,
                result,
            )
        return result

    # -- failures ------------------------------------------------------------------------------

    def fail(self, line: int | None, message: str) -> None:
        with self._lock:
            self.failed += 1
            if len(self.failed_rows) < _MAX_FAILED_ROWS:
                self.failed_rows.append({"line": line, "error": message})
            if self.first_failure is None:
                self.first_failure = (line, message)
            if self.opts["onRowError"] == "abort":
                self.stop = True

    def _write_failed(self, exc: BaseException) -> None:
        record = getattr(exc, "record", None)
        line = getattr(record, "_line", None)
        cause = exc.cause if isinstance(exc, AsyncOperationError) and exc.cause else exc
        self.fail(line, str(cause))

    # -- CSV / TSV -----------------------------------------------------------------------------

    def _open_text(self) -> io.TextIOBase:
        encoding = self.opts["encoding"]
        if self.path.lower().endswith((".gz", ".tgz")):
            return gzip.open(self.path, "rt", encoding=encoding, newline="")  # type: ignore[return-value]
        return open(self.path, encoding=encoding, newline="")

    def read_csv(self, ex: Any) -> None:
        opts = self.opts
        csv.field_size_limit(sys.maxsize)
        with self._open_text() as handle:
            reader = csv.reader(handle, delimiter=opts["delimiter"], quotechar=opts["quotechar"])
            try:
                for _ in range(opts["skipEntries"]):
                    if next(reader, None) is None:
                        return
                names = self._header(reader)
                if names is None:
                    return
                if self.kind == "edge":
                    self._csv_edges(reader, names, ex)
                else:
                    self._csv_records(reader, names, ex)
            except csv.Error as exc:
                raise ArcadeDBError(
                    f"CSV parse error in '{self.path}' at line {reader.line_num}: {exc}"
                ) from exc

    def _header(self, reader: Any) -> list[str] | None:
        header = self.opts["header"]
        trim = self.opts["trimText"]
        if header is True:
            row = next(reader, None)
            while row == []:
                row = next(reader, None)
            if row is None:
                return None
            names = [c.strip() if trim else c for c in row]
        elif header is False or header is None:
            return []  # named after the first row's width
        elif isinstance(header, str):
            names = [c.strip() for c in header.split(",")]
        else:
            names = [str(c) for c in header]
        if any(not n for n in names):
            raise ArcadeDBError(f"Header of '{self.path}' has an empty column name: {names}")
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ArcadeDBError(f"Header of '{self.path}' repeats column name(s) {dupes}")
        return names

    def _batches(
        self, reader: Any, names: list[str]
    ) -> Iterator[tuple[list[list[str]], list[int]]]:
        """(rows of the right width, their line numbers) per batch; without a header, ``names``
        is filled in from the first row."""
        width = len(names)
        while not self.stop:
            start = reader.line_num
            rows = list(itertools.islice(reader, _BATCH))
            if not rows:
                return
            if not names:  # no header: name the columns after the first row
                names.extend(f"col{i + 1}" for i in range(len(next((r for r in rows if r), []))))
                width = len(names)
            multiline = reader.line_num - start != len(rows)
            if multiline:
                lines = []
                line = start + 1
                for row in rows:
                    lines.append(line)
                    line += 1 + sum(field.count("\n") for field in row)
            else:
                lines = range(start + 1, start + 1 + len(rows))  # type: ignore[assignment]
            if set(map(len, rows)) != {width}:
                kept, kept_lines = [], []
                for row, line in zip(rows, lines):
                    if len(row) == width:
                        kept.append(row)
                        kept_lines.append(line)
                    elif row:  # a blank line is no row
                        self.rows += 1
                        self.fail(line, f"expected {width} fields, got {len(row)}")
                rows, lines = kept, kept_lines  # type: ignore[assignment]
                if not rows:
                    continue
            self.rows += len(rows)
            yield rows, list(lines)

    def _csv_records(self, reader: Any, names: list[str], ex: Any) -> None:
        type_def = self.type_def
        declared = set(type_def.all_properties)
        trim = self.opts["trimText"]
        # A type that checks nothing per record: each batch is one JSON array, no record objects
        bulk = ex._takes_json_rows(type_def)
        for rows, lines in self._batches(reader, names):
            columns = []
            sparse = False
            for name, column in zip(names, zip(*rows)):
                if trim:
                    column = _trimmed(column)
                if name in declared:
                    values, has_none = _text_column(column)
                else:
                    values, has_none = _typed_column(column, trim)
                columns.append(values)
                sparse = sparse or has_none
            # The per-row work runs in C-level map() loops: this loop is the import's hot path.
            if sparse:
                props = [{k: v for k, v in zip(names, values) if v is not None}
                         for values in zip(*columns)]  # fmt: skip
            else:
                props = list(map(dict, map(zip, repeat(names), zip(*columns))))
            self._submit_rows(ex, props, lines, bulk)
            if self.stop:
                return

    def _csv_edges(self, reader: Any, names: list[str], ex: Any) -> None:
        trim = self.opts["trimText"]
        for rows, lines in self._batches(reader, names):
            for name in (self.opts["edgeFromField"], self.opts["edgeToField"]):
                if name not in names:
                    raise ArcadeDBError(f"Edge field '{name}' is not a column of '{self.path}'")
            for line, row in zip(lines, rows):
                props = {}
                for name, text in zip(names, row):
                    if trim:
                        text = text.strip()
                    value = _infer_value(text, trim)
                    if value is not None:
                        props[name] = value
                self._submit_edge(ex, props, line)
                if self.stop:
                    return

    # -- edges ---------------------------------------------------------------------------------

    def _submit_edge(self, ex: Any, props: dict[str, Any], line: int) -> None:
        from_field, to_field = self.opts["edgeFromField"], self.opts["edgeToField"]
        try:
            ends = [self._resolve_vertex(props.pop(field, None), field) for field in
                    (from_field, to_field)]  # fmt: skip
        except ArcadeDBError as exc:
            self.fail(line, str(exc))
            return
        record = _ImportedEdge(self.db, self.type_def, props, None, True, ends[0], ends[1])
        record._line = line
        ex.create_record(record)  # a failure goes to on_error: _write_failed

    def _resolve_vertex(self, value: Any, field: str) -> RID:
        if value is None or value == "":
            raise ArcadeDBError(f"edge field '{field}' is empty")
        cache = self.lookup_cache
        key = (type(value), value)
        found = cache.get(key)
        if found is not None:
            return found
        storage = self.db._storage
        if isinstance(value, str) and _RID_TEXT.fullmatch(value):
            rid = RID.parse(value)
            target = storage.catalog.by_id.get(rid.bucket_id)
            if (
                target is None
                or target.kind != "vertex"
                or storage.load(storage.session(), rid) is None
            ):
                raise ArcadeDBError(f"edge field '{field}': vertex {value} not found")
        else:
            rid = self._lookup_vertex(value, field)
        if len(cache) >= 100_000:
            cache.clear()
        cache[key] = rid
        return rid

    def _lookup_vertex(self, value: Any, field: str) -> RID:
        id_prop = self.opts["typeIdProperty"]
        if not id_prop:
            raise ArcadeDBError(
                f"edge field '{field}' = {value!r} is not a RID: pass the option "
                "'typeIdProperty' to find vertices by an id property"
            )
        storage = self.db._storage
        catalog = storage.catalog
        if self.opts["vertexType"]:
            types = [catalog.get(self.opts["vertexType"])]
        else:
            types = [t for t in catalog.types.values() if t.kind == "vertex"
                     and storage.index_for(t, (id_prop,)) is not None]  # fmt: skip
            if not types:
                raise ArcadeDBError(
                    f"No vertex type has an index on '{id_prop}' to resolve edge ends: import "
                    "the vertices with typeIdProperty first (or pass vertexType)"
                )
        key = _id_value(value, self.opts["typeIdType"])
        matches = []
        seen = set()
        for type_def in types:
            if type_def.id in seen:
                continue
            for target, row in storage.find_by_key(storage.session(), type_def, (id_prop,), (key,)):
                if (target.id, row.pos) not in seen:
                    seen.add((target.id, row.pos))
                    matches.append(RID(target.id, row.pos))
        if not matches:
            raise ArcadeDBError(f"edge field '{field}': no vertex with {id_prop} = {key!r}")
        if len(matches) > 1:
            raise ArcadeDBError(
                f"edge field '{field}': {len(matches)} vertices have {id_prop} = {key!r}"
            )
        return matches[0]

    # -- JSONL ---------------------------------------------------------------------------------

    def read_jsonl(self, ex: Any) -> None:
        opts = self.opts
        if self.path.lower().endswith((".gz", ".tgz")):
            handle: Any = gzip.open(self.path, "rb")
        else:
            handle = open(self.path, "rb")
        type_def = self.type_def
        db = self.db
        cls = _RECORD_CLASSES.get(self.kind)
        id_prop = opts["typeIdProperty"] if self.kind == "vertex" else None
        # A type that checks nothing per record: rows go to SQLite as one JSON array per batch
        batch: list[dict[str, Any]] | None = [] if cls and ex._takes_json_rows(type_def) else None
        lines: list[int] = []
        with handle:
            for line_no, raw in enumerate(handle, start=1):
                if self.stop:  # onRowError="abort" and a row failed
                    break
                if line_no <= opts["skipEntries"] or not raw.strip():
                    continue
                self.rows += 1
                try:
                    long_digits = _DIGIT_RUN in raw.translate(_DIGITS_AS_NINES)
                    data = _exact_json(raw) if long_digits else orjson.loads(raw)
                except ValueError as exc:  # orjson's JSONDecodeError is one too
                    self.fail(line_no, f"invalid JSON: {exc}")
                    continue
                if not isinstance(data, dict):
                    self.fail(line_no, f"expected a JSON object, got {type(data).__name__}")
                    continue
                if b"@" in raw or b"\\u" in raw:  # a key may start with @ (maybe escaped)
                    props = {k: v for k, v in data.items() if not k.startswith("@")}
                else:
                    props = data
                if batch is not None:
                    batch.append(props)
                    lines.append(line_no)
                    if len(batch) >= _BATCH:
                        self._submit_rows(ex, batch, lines, bulk=True)
                        batch, lines = [], []
                elif cls is None:
                    self._submit_edge(ex, props, line_no)
                else:
                    if id_prop and id_prop in props:
                        try:
                            props[id_prop] = _id_value(props[id_prop], opts["typeIdType"])
                        except ArcadeDBError as exc:
                            self.fail(line_no, str(exc))
                            continue
                    record = cls(db, type_def, props)
                    record._line = line_no
                    ex.create_record(record)
            if batch:  # the rows read so far, also those before a row that stops the import
                self._submit_rows(ex, batch, lines, bulk=True)

    def _submit_rows(self, ex: Any, rows: list[dict[str, Any]], lines: list[int],
                     bulk: bool) -> None:  # fmt: skip
        """A batch of rows: one JSON array when ``bulk`` (the type checks nothing) and every
        value is plain, else record by record, each with its line, so that exactly a bad row is
        reported. Values are finite by construction (CSV typing and JSON parsing refuse the
        others). No list keeps the records and failures go to on_error: records only the
        executor holds are not kept until commit (see AsyncExecutor._give_rids)."""
        if bulk:
            bodies = codec.fast_encode_many(rows, finite=True)
            if bodies is not None:
                ex._write_json_rows(self.type_def, bodies, len(rows))
                return
        records = map(_RECORD_CLASSES[self.kind], repeat(self.db), repeat(self.type_def), rows)
        _consume(map(ex.create_record, map(_with_line, records, lines)))


#: A run of digits long enough to be an integer orjson would turn into a float (beyond 64 bits):
#: found as nines in the line with its digits made nines (a C-level scan, 3x faster than a regex)
_DIGITS_AS_NINES = bytes.maketrans(b"012345678", b"999999999")
_DIGIT_RUN = b"9" * 19


def _exact_json(raw: bytes) -> Any:
    """Parse a JSON line keeping every integer exact (the codec then refuses those beyond 64
    bits, and the row is reported) instead of rounding it to a float as orjson does."""
    return json.loads(raw, parse_constant=_no_constant, parse_float=_finite_float)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text} is out of range")
    return value


def _id_value(value: Any, id_type: str) -> Any:
    if id_type == "STRING":
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return value if isinstance(value, str) else str(value)
    if isinstance(value, bool):
        raise ArcadeDBError(f"id {value!r} is not an integer")
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise ArcadeDBError(f"id {value!r} is not an integer ({id_type})") from None


def _with_line(record: Any, line: int) -> Any:
    record._line = line
    return record


def _consume(iterator: Iterator[Any]) -> None:
    deque(iterator, maxlen=0)


def _trimmed(column: Any) -> Any:
    """The column with blanks stripped around values (untouched when no value has a blank: one
    join and a few C-level scans instead of a strip per value)."""
    joined = "\x00".join(column)
    if joined.isascii() and not any(blank in joined for blank in _ASCII_BLANKS):
        return column
    return list(map(str.strip, column))


_ASCII_BLANKS = (" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")


def _text_column(column: Any) -> tuple[Any, bool]:
    """A declared column: text for the schema to convert; empty cells become None."""
    if "" in column:
        return [v or None for v in column], True
    return column, False


def _typed_column(column: Any, trimmed: bool) -> tuple[Any, bool]:
    """An undeclared column, typed per value: int, float, else str; empty -> None.

    Fast path: a column whose values all start like numbers is parsed in one orjson call (JSON's
    number grammar is exactly the one accepted here); a column with no value starting like a
    number is text as it is. Anything else goes value by value.
    """
    firsts = set(map(_first, column))
    has_none = "" in firsts
    if firsts.isdisjoint(_NUM_START_CHARS):
        if has_none:
            return [v or None for v in column], True
        return column, False
    if (firsts <= _NUM_START and (trimmed or set(map(_last, column)) <= _DIGITS)
            and (max(map(len, column)) < 19 or not _has_long_integer(column))):  # fmt: skip
        text = "[" + ",".join(column) + "]"
        if has_none:
            text = text.replace("[,", "[null,").replace(",]", ",null]")
            while ",," in text:
                text = text.replace(",,", ",null,")
        try:
            values = orjson.loads(text)
        except orjson.JSONDecodeError:
            values = None
        if (
            values is not None
            and len(values) == len(column)
            and set(map(type, values)) <= _NUMERIC_TYPES
        ):
            return values, has_none
    return [_infer_value(v, trimmed) for v in column], has_none


def _has_long_integer(column: Any) -> bool:
    """True when a value is an integer literal too long for orjson to keep exact in 64 bits."""
    return any(len(v) >= 19 and "." not in v and "e" not in v and "E" not in v for v in column)


def _infer_value(text: str, trimmed: bool = True) -> Any:
    """One CSV value: None when empty, int or float when it is a plain number, else the text."""
    if not text:
        return None
    if text[0] in _NUM_START:
        match = _NUMBER.fullmatch(text)
        if match is not None:
            if match.group(1) is None and match.group(2) is None:
                number = int(text)
                return number if _INT64_MIN <= number <= _INT64_MAX else text
            real = float(text)
            return real if math.isfinite(real) else text
    return text


# --- database dumps -------------------------------------------------------------------------

_DUMP_CHUNK = 2_000
_TEMPORAL_UNITS = {"DATETIME": 1_000, "DATETIME_SECOND": 1_000, "DATETIME_MICROS": 1_000_000,
                   "DATETIME_NANOS": 1_000_000_000}  # fmt: skip
#: ArcadeDB importer settings accepted for compatibility; a restore here is one transaction.
_DUMP_SETTINGS = {"verbose", "verboseLevel", "commitEvery", "commit_every", "parallel", "wal"}
_CONSTRAINT_KEYS = {"mandatory": "mandatory", "notNull": "notnull", "readonly": "readonly",
                    "min": "min", "max": "max", "default": "default", "regexp": "regexp"}  # fmt: skip


def import_database(db: Database, path_or_url: str, **options: Any) -> dict[str, Any]:
    """Restore an ArcadeDB JSONL dump (from ``export_database`` or ArcadeDB) into ``db``.

    ``path_or_url``: a path, ``file://...`` or ``http(s)://...``. The dump's types must not exist
    yet (restore into an empty database). Returns ArcadeDB's statistics row: ``operation``,
    ``fromUrl``, ``parsedRecords`` (lines), ``createdDocuments``, ``createdVertices``,
    ``createdEdges``, ``result``, plus ``errors`` and ``warnings``. Records that cannot be restored
    do not stop the others; ``ImportDatabaseError`` lists them at the end.
    """
    db.live_storage()
    if db.is_transaction_active():
        raise ArcadeDBError(
            "IMPORT DATABASE cannot run inside a transaction: commit or roll back first"
        )
    unknown = [k for k in options if k not in _DUMP_SETTINGS]
    if unknown:
        raise ArcadeDBError(
            f"Unknown IMPORT DATABASE setting(s) {', '.join(unknown)}: accepted (and without "
            f"effect here) are {', '.join(sorted(_DUMP_SETTINGS))}"
        )
    url = os.fspath(path_or_url)
    path, cleanup = _local_copy(url)
    try:
        return _DumpRestore(db, path, url).run()
    finally:
        cleanup()


def _local_copy(url: str) -> tuple[str, Callable[[], None]]:
    if url.startswith("file://"):
        path = url[len("file://") :]
    elif url.startswith(("http://", "https://")):
        import shutil
        import urllib.request

        handle, temp = tempfile.mkstemp(prefix="arcadelite-import-", suffix=".jsonl.gz")
        try:
            with urllib.request.urlopen(url) as response, os.fdopen(handle, "wb") as out:
                shutil.copyfileobj(response, out)
        except OSError as exc:
            os.remove(temp)
            raise ArcadeDBError(f"Cannot download '{url}': {exc}") from exc
        return temp, lambda: os.remove(temp)
    else:
        path = url
    if not os.path.isfile(path):
        raise ArcadeDBError(f"Import file not found: '{path}'")
    return path, lambda: None


def _dump_lines(path: str) -> Iterator[bytes]:
    with open(path, "rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    handle: Any = gzip.open(path, "rb") if gzipped else open(path, "rb")
    with handle:
        try:
            yield from handle
        except (OSError, EOFError) as exc:
            raise ArcadeDBError(f"Cannot read the dump '{path}': {exc}") from exc


class _Runs:
    """Where one old bucket's records went: runs of consecutive old positions, each with the
    rank (in its type, in file order) of its first record. The new position of a record is its
    type's first new position plus its rank, so links and edges remap by arithmetic."""

    __slots__ = ("type_name", "starts", "lengths", "ranks")

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name
        self.starts: list[int] = []
        self.lengths: list[int] = []
        self.ranks: list[int] = []

    def add(self, position: int, rank: int) -> None:
        if self.starts:
            last = len(self.starts) - 1
            length = self.lengths[last]
            if position == self.starts[last] + length and rank == self.ranks[last] + length:
                self.lengths[last] = length + 1
                return
        self.starts.append(position)
        self.lengths.append(1)
        self.ranks.append(rank)

    def seal(self) -> None:
        order = sorted(range(len(self.starts)), key=self.starts.__getitem__)
        self.starts = [self.starts[i] for i in order]
        self.lengths = [self.lengths[i] for i in order]
        self.ranks = [self.ranks[i] for i in order]

    def rank(self, position: int) -> int | None:
        index = bisect.bisect_right(self.starts, position) - 1
        if index < 0 or position >= self.starts[index] + self.lengths[index]:
            return None
        return self.ranks[index] + position - self.starts[index]


class _DumpRestore:
    """Restores a dump in one transaction: a failure leaves the database as it was."""

    def __init__(self, db: Database, path: str, url: str) -> None:
        self.db = db
        self.storage = db._storage
        self.path = path
        self.url = url
        self.ours = False
        self.zone: Any = dt.timezone.utc
        self.buckets: dict[int, _Runs] = {}
        self.declared: dict[str, dict[str, tuple[str, str | None]]] = {}
        self.type_names: set[str] = set()
        self.base: dict[str, int] = {}
        self.next_rank: dict[str, int] = {}
        self.deferred: list[tuple[str, str, str, Any]] = []
        self.failures: list[dict[str, Any]] = []
        self.failed_count = 0
        self.failed_vertices: set[str] = set()
        self.warnings: list[str] = []
        self.unresolved = 0
        self.counts = {"document": 0, "vertex": 0, "edge": 0}
        self.parsed = 0
        self.schema_done = False

    # -- driver --------------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        self._prescan()
        storage = self.storage
        session = storage.session()
        storage.begin_write(session)
        writer = _DumpWriter(self, session)
        try:
            for line_no, raw in enumerate(_dump_lines(self.path), start=1):
                if not raw.strip():
                    continue
                self.parsed += 1
                entry = orjson.loads(raw)  # the pre-scan checked every line
                kind, content = entry["t"], entry["c"]
                if kind in ("v", "d", "e"):
                    self._record(writer, kind, content, line_no)
                elif kind == "info" and isinstance(content, dict):
                    self.ours = content.get("producer") == "arcadelite"
                elif kind == "schema":
                    self._schema(content)
                elif kind == "ts":
                    self.warnings.append(f"line {line_no}: time-series samples are not imported")
            writer.finish()
            self._apply_constraints()
            storage.commit(session)
        except BaseException:
            storage.rollback(session)
            raise
        stats = {
            "operation": "import database",
            "fromUrl": self.url,
            "parsedRecords": self.parsed,
            "createdDocuments": self.counts["document"],
            "createdVertices": self.counts["vertex"],
            "createdEdges": self.counts["edge"],
            "errors": self.failed_count,
            "unresolvedLinks": self.unresolved,
            "warnings": self.warnings,
            "result": "OK" if not self.failed_count else "ERRORS",
        }
        if self.failed_count:
            shown = "; ".join(f"line {f['line']} ({f['record']}): {f['error']}"
                              for f in self.failures[:5])  # fmt: skip
            more = f" and {self.failed_count - 5} more" if self.failed_count > 5 else ""
            raise ImportDatabaseError(
                f"IMPORT DATABASE '{self.url}': {self.failed_count} record(s) could not be "
                f"restored ({shown}{more}); {sum(self.counts.values())} restored",
                stats,
                self.failures,
            )
        return stats

    def fail(self, line: int, old_rid: str, message: str) -> None:
        self.failed_count += 1
        if len(self.failures) < _MAX_FAILED_ROWS:
            self.failures.append({"line": line, "record": old_rid, "error": message})

    def _prescan(self) -> None:
        """Check every line and learn where each old record goes (its rank in its type)."""
        schema_seen = False
        ranks: dict[str, int] = {}
        for line_no, raw in enumerate(_dump_lines(self.path), start=1):
            if not raw.strip():
                continue
            try:
                entry = orjson.loads(raw)
                kind, content = entry["t"], entry["c"]
            except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
                raise ArcadeDBError(
                    f"Line {line_no} of '{self.url}' is not a dump line ({exc})"
                ) from None
            if kind == "schema":
                if schema_seen:
                    raise ArcadeDBError(f"'{self.url}' has two schema lines (line {line_no})")
                schema_seen = True
            if kind not in ("v", "d", "e"):
                continue
            if not schema_seen:
                raise ArcadeDBError(f"Line {line_no} of '{self.url}': a record before the schema")
            if not isinstance(content, dict) or not isinstance(content.get("t"), str):
                raise ArcadeDBError(f"Line {line_no} of '{self.url}': a record without a type")
            type_name = content["t"]
            rank = ranks.get(type_name, 0)
            ranks[type_name] = rank + 1
            parsed = _parse_rid(content.get("r"))
            if parsed is None:
                continue  # e.g. a lightweight edge: nothing links to it
            runs = self.buckets.get(parsed[0])
            if runs is None:
                runs = self.buckets[parsed[0]] = _Runs(type_name)
            elif runs.type_name != type_name:
                raise ArcadeDBError(
                    f"Line {line_no} of '{self.url}': bucket #{parsed[0]} holds records of "
                    f"'{runs.type_name}' and '{type_name}'"
                )
            runs.add(parsed[1], rank)
        if not schema_seen:
            raise ArcadeDBError(f"'{self.url}' is not a database dump: it has no schema line")
        for runs in self.buckets.values():
            runs.seal()

    # -- schema --------------------------------------------------------------------------------

    def _schema(self, content: dict[str, Any]) -> None:
        settings = content.get("settings") or {}
        self.zone = _zone(settings.get("zoneId"))
        types: dict[str, Any] = content.get("types") or {}
        storage = self.storage
        catalog = storage.catalog
        clash = [name for name in types if name in catalog.types]
        if clash:
            raise ArcadeDBError(
                "IMPORT DATABASE restores into an empty database: type(s) "
                f"{', '.join(map(repr, clash))} already exist"
            )
        schema = self.db.schema
        creators = {"document": schema.create_document_type, "vertex": schema.create_vertex_type,
                    "edge": schema.create_edge_type}  # fmt: skip
        session = storage.session()
        for name in _parents_first(list(types), types):
            spec = types[name]
            kind = CODE_KINDS.get(spec.get("type"))
            if kind is None:
                self.warnings.append(f"type '{name}' of kind {spec.get('type')!r} skipped")
                continue
            parents = [p for p in spec.get("parents") or [] if p in self.type_names]
            creators[kind](name, supertypes=parents)
            self.type_names.add(name)
            for key, value in (spec.get("custom") or {}).items():
                storage.alter_type(session, name, "custom", (key, value))
            self.base[name] = 1  # a new table's first position (checked on every insert)
        for name in self.type_names:
            for prop_name, prop in (types[name].get("properties") or {}).items():
                self._property(name, prop_name, prop)
        for name in self.type_names:
            self._indexes(name, types[name].get("indexes") or {})
        self._declarations(types)
        self.schema_done = True

    def _property(self, type_name: str, name: str, spec: dict[str, Any]) -> None:
        exact = spec.get("arcadelite") or {}
        raw_type = str(spec.get("type", "")).upper()
        of_type = spec.get("of")
        if "of" in exact:
            of_type = exact["of"]
        if "type" in exact:
            ptype = exact["type"]
        elif raw_type in FROM_ARCADEDB_TYPES:
            ptype, element = FROM_ARCADEDB_TYPES[raw_type]
            of_type = element or of_type
        else:
            ptype = raw_type
        if ptype == "EMBEDDED":
            of_type = None
        try:
            self.db.schema.create_property(type_name, name, ptype, of_type)
        except SchemaError as exc:
            self.warnings.append(f"property {type_name}.{name} ({raw_type}) not declared: {exc}")
            return
        for key, attribute in _CONSTRAINT_KEYS.items():
            if key not in spec:
                continue
            if key in exact:
                value = codec.decode_record(*exact[key])["v"]
            elif key in ("min", "max"):
                value = _bound_value(spec[key])
            elif key == "default":
                value = _default_value(spec[key])
            else:
                value = spec[key]
            self.deferred.append((type_name, name, attribute, value))

    def _indexes(self, type_name: str, indexes: dict[str, Any]) -> None:
        storage = self.storage
        done = set()
        for name, spec in indexes.items():
            kind = str(spec.get("type", "LSM_TREE")).upper()
            props = tuple(spec.get("properties") or ())
            unique = bool(spec.get("unique"))
            if (props, unique, kind) in done:
                continue  # ArcadeDB lists a type's index once per bucket
            done.add((props, unique, kind))
            if kind not in ("LSM_TREE", "FULL_TEXT"):
                self.warnings.append(f"index {name} on {type_name} ({kind}) not created")
                continue
            try:
                storage.create_index(storage.session(), type_name, props, unique, kind,
                                     name=name if self.ours else None,
                                     null_strategy=spec.get("nullStrategy") or "SKIP")  # fmt: skip
            except SchemaError as exc:
                self.warnings.append(f"index {name} on {type_name} not created: {exc}")

    def _declarations(self, types: dict[str, Any]) -> None:
        """Declared property types per type (inherited ones too), as the dump names them."""

        def collect(name: str, seen: set[str]) -> dict[str, tuple[str, str | None]]:
            spec = types.get(name) or {}
            found: dict[str, tuple[str, str | None]] = {}
            for parent in spec.get("parents") or []:
                if parent not in seen:
                    seen.add(parent)
                    found.update(collect(parent, seen))
            for prop, pspec in (spec.get("properties") or {}).items():
                found[prop] = (str(pspec.get("type", "")).upper(), pspec.get("of"))
            return found

        for name in types:
            self.declared[name] = collect(name, {name})

    # -- records -------------------------------------------------------------------------------

    def remap(self, text: Any) -> RID | None:
        """The new RID of an old one (None when the dump does not hold that record)."""
        parsed = (text.bucket_id, text.position) if isinstance(text, RID) else _parse_rid(text)
        if parsed is None:
            return None
        runs = self.buckets.get(parsed[0])
        if runs is None or runs.type_name not in self.type_names:
            return None
        rank = runs.rank(parsed[1])
        if rank is None:
            return None
        type_def = self.storage.catalog.types[runs.type_name]
        return RID(type_def.id, self.base[runs.type_name] + rank)

    def _record(self, writer: _DumpWriter, kind: str, content: dict[str, Any], line: int) -> None:
        type_name = content["t"]
        old = str(content.get("r"))
        rank = self.next_rank.get(type_name, 0)
        self.next_rank[type_name] = rank + 1
        type_def = self.storage.catalog.types.get(type_name)
        if type_def is None or type_name not in self.type_names:
            self.fail(line, old, f"type '{type_name}' is not in the dump's schema")
            return
        position = self.base[type_name] + rank
        if type_def.kind != CODE_KINDS[kind]:
            writer.failed(type_def, position, line, old,
                          f"type '{type_name}' is a {type_def.kind} type, not {kind}")  # fmt: skip
            return
        try:
            props = self._decode(content, type_name)
        except (
            ValueError,
            TypeError,
            KeyError,
            IndexError,
            InvalidOperation,
            ArcadeDBError,
        ) as exc:
            writer.failed(type_def, position, line, old, f"cannot decode the properties: {exc}")
            return
        ends = None
        if kind == "e":
            ends = []
            for key, label in (("o", "out"), ("i", "in")):
                end_text = content.get(key)
                end = self.remap(end_text)
                end_type = self.storage.catalog.by_id.get(end.bucket_id) if end else None
                if end is None or end_type is None or end_type.kind != "vertex" or \
                        str(end_text) in self.failed_vertices:  # fmt: skip
                    writer.failed(type_def, position, line, old,
                                  f"{label} vertex {end_text} was not restored")  # fmt: skip
                    return
                ends.append(end.to_int())
        writer.add(type_def, position, props, line, old, ends)

    def _decode(self, content: dict[str, Any], type_name: str) -> dict[str, Any]:
        props = content.get("p") or {}
        if not isinstance(props, dict):
            raise ValueError("'p' is not an object")
        if self.ours:
            for tag in content.get("al") or ():
                self._apply_tag(props, tag)
            return props
        declared = self.declared.get(type_name, {})
        return {
            name: self._foreign_value(value, declared.get(name)) for name, value in props.items()
        }

    def _apply_tag(self, props: dict[str, Any], tag: list[Any]) -> None:
        path, kind = tag[0], tag[1]
        container: Any = props
        for step in path[:-1]:
            container = container[step]
        last = path[-1]
        value = container[last]
        if kind == "dt" or kind == "dtz":
            container[last] = dt.datetime.fromisoformat(tag[2])
        elif kind == "date":
            container[last] = dt.date.fromisoformat(tag[2])
        elif kind == "dec":
            container[last] = Decimal(tag[2])
        elif kind == "bin":
            container[last] = bytes(b & 0xFF for b in value)
        elif kind == "rid":
            rid = self.remap(value)
            if rid is None:
                self.unresolved += 1
            container[last] = rid
        elif kind == "keys":
            renamed = tag[2]
            container[last] = {renamed.get(k, k): v for k, v in value.items()}
        else:
            raise ValueError(f"unknown value tag {kind!r}")

    def _foreign_value(self, value: Any, declared: tuple[str, str | None] | None) -> Any:
        """A value of an ArcadeDB dump, converted by its declared type (when there is one)."""
        if declared is None or value is None:
            if isinstance(value, dict):
                return self._embedded(value)
            if isinstance(value, list):
                return [self._foreign_value(v, None) for v in value]
            return value
        ptype, of_type = declared
        if ptype in ("LIST", "MAP") or ptype.endswith("[]"):
            element = FROM_ARCADEDB_TYPES.get(ptype, (None, None))[1] or of_type
            inner: tuple[str, str | None] | None = None
            if element:
                name = str(element).upper()
                # LIST OF <a type> holds links
                inner = (name if name in ARCADEDB_VALUE_TYPES else "LINK", None)
            if isinstance(value, list):
                return [self._foreign_value(v, inner) for v in value]
            if isinstance(value, dict):
                return {k: self._foreign_value(v, inner) for k, v in value.items()}
            return value
        if isinstance(value, dict):
            return self._embedded(value)
        return self._scalar(value, ptype)

    def _scalar(self, value: Any, ptype: str) -> Any:
        if ptype == "DATE":
            if isinstance(value, str):
                return dt.date.fromisoformat(value[:10])
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                # days since the epoch, or (ArcadeDB writes list elements so) milliseconds: any
                # date but 1970-01-01 in milliseconds is beyond the 3,000,000 days to year 9999
                if abs(value) <= 3_000_000:
                    return _EPOCH_DATE + dt.timedelta(days=int(value))
                return self._from_epoch(value, 1_000).date()
            return value
        if ptype in _TEMPORAL_UNITS:
            if isinstance(value, str):
                return _parse_datetime(value)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return self._from_epoch(value, _TEMPORAL_UNITS[ptype])
            return value
        if ptype == "DECIMAL":
            if isinstance(value, bool):
                return value
            if isinstance(value, float):
                return Decimal(repr(value))
            if isinstance(value, (int, str)):
                return Decimal(value)
            return value
        if ptype == "BINARY":
            if isinstance(value, list):
                return bytes(b & 0xFF for b in value)
            if isinstance(value, str):
                return base64.b64decode(value)
            return value
        if ptype == "LINK":
            if isinstance(value, str) and _RID_TEXT.fullmatch(value):
                rid = self.remap(value)
                if rid is None:
                    self.unresolved += 1
                return rid
            return value
        return value

    def _embedded(self, value: dict[str, Any]) -> dict[str, Any]:
        kind = value.get("t")
        if isinstance(kind, str) and kind in self.declared and isinstance(value.get("p"), dict):
            declared = self.declared[kind]
            inner = {k: self._foreign_value(v, declared.get(k)) for k, v in value["p"].items()}
            return {"@type": kind, **inner}
        return {k: self._foreign_value(v, None) for k, v in value.items()}

    def _from_epoch(self, value: float, per_second: int) -> dt.datetime:
        seconds, fraction = divmod(int(value), per_second)
        micros = fraction * 1_000_000 // per_second
        moment = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(
            seconds=seconds, microseconds=micros
        )
        return moment.astimezone(self.zone).replace(tzinfo=None)

    # -- constraints ---------------------------------------------------------------------------

    def _apply_constraints(self) -> None:
        storage = self.storage
        for type_name, name, attribute, value in self.deferred:
            try:
                storage.alter_property(storage.session(), type_name, name, attribute, value)
            except ArcadeDBError as exc:
                self.warnings.append(f"constraint {attribute} of {type_name}.{name} not set: {exc}")




class _DumpWriter:
    """Writes restored records in file order, a multi-row INSERT per chunk of one type, so each
    gets the position its rank predicts. A record that cannot be restored leaves a placeholder
    row in its place (deleted at the end): the positions of the others stay as predicted."""

    def __init__(self, restore: _DumpRestore, session: Any) -> None:
        self.restore = restore
        self.storage = restore.storage
        self.session = session
        self.type_def: TypeDef | None = None
        self.rows: list[tuple] = []
        self.meta: list[tuple[int, str] | None] = []  # None marks a placeholder
        self.first_position = 0
        self.placeholders: list[tuple[TypeDef, int]] = []

    def _slot(self, type_def: TypeDef, position: int) -> None:
        if type_def is not self.type_def or len(self.rows) >= _DUMP_CHUNK:
            self.flush()
            self.type_def = type_def
        if not self.rows:
            self.first_position = position
        elif position != self.first_position + len(self.rows):
            raise ArcadeDBError(f"internal error: restore position {position} out of sequence")

    def add(self, type_def: TypeDef, position: int, props: dict[str, Any], line: int,
            old: str, ends: list[int] | None) -> None:  # fmt: skip
        try:
            _, encoded = self.storage.prepare(type_def, props)
        except ArcadeDBError as exc:
            self.failed(type_def, position, line, old, str(exc))
            return
        self._slot(type_def, position)
        self.rows.append((*encoded, *ends) if ends else encoded)
        self.meta.append((line, old))

    def failed(self, type_def: TypeDef, position: int, line: int, old: str, message: str) -> None:
        if type_def.kind == "vertex":
            self.restore.failed_vertices.add(old)
        self.restore.fail(line, old, message)
        self._slot(type_def, position)
        self.rows.append(_placeholder(type_def))
        self.meta.append(None)

    def flush(self) -> None:
        rows, meta, type_def = self.rows, self.meta, self.type_def
        if not rows or type_def is None:
            return
        self.rows, self.meta = [], []
        storage, session = self.storage, self.session
        empty = [i for i, info in enumerate(meta) if info is None]
        storage.savepoint(session, "al_restore")
        try:
            last = storage.insert_rows(session, type_def, rows)[-1]
        except Exception:  # replay one by one to find the culprits
            storage.rollback_to_savepoint(session, "al_restore")
            empty = []
            for index, (row, info) in enumerate(zip(rows, meta)):
                if info is not None:
                    storage.savepoint(session, "al_row")
                    try:
                        last = storage.insert_rows(session, type_def, [row])[-1]
                    except Exception as exc:
                        storage.rollback_to_savepoint(session, "al_row")
                        storage.release_savepoint(session, "al_row")
                        if type_def.kind == "vertex":
                            self.restore.failed_vertices.add(info[1])
                        self.restore.fail(info[0], info[1], str(exc))
                    else:
                        storage.release_savepoint(session, "al_row")
                        continue
                last = storage.insert_rows(session, type_def, [_placeholder(type_def)])[-1]
                empty.append(index)
        storage.release_savepoint(session, "al_restore")
        if last != self.first_position + len(rows) - 1:
            raise ArcadeDBError(
                f"internal error: restored rows of '{type_def.name}' ended at position {last}, "
                f"expected {self.first_position + len(rows) - 1}"
            )
        self.placeholders.extend((type_def, self.first_position + i) for i in empty)
        self.restore.counts[type_def.kind] += len(rows) - len(empty)

    def finish(self) -> None:
        self.flush()
        for type_def, position in self.placeholders:
            self.storage.delete_row(self.session, type_def, position)


def _placeholder(type_def: TypeDef) -> tuple:
    return ("{}", None, 0, 0) if type_def.kind == "edge" else ("{}", None)


def _parents_first(order: list[str], types: dict[str, Any]) -> list[str]:
    done: list[str] = []
    placed: set[str] = set()

    def place(name: str, trail: set[str]) -> None:
        if name in placed or name not in types:
            return
        if name in trail:
            raise ArcadeDBError(f"The dump's types inherit in a cycle through '{name}'")
        for parent in types[name].get("parents") or []:
            place(parent, trail | {name})
        placed.add(name)
        done.append(name)

    for name in order:
        place(name, set())
    return done


def _parse_rid(text: Any) -> tuple[int, int] | None:
    if not isinstance(text, str):
        return None
    match = _RID_TEXT.fullmatch(text)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2))


def _zone(name: Any) -> Any:
    if not name or name in ("UTC", "Etc/UTC", "GMT", "Z"):
        return dt.timezone.utc
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(str(name))
    except Exception:  # unknown zone: UTC, said in no warning as ArcadeDB does
        return dt.timezone.utc


def _parse_datetime(text: str) -> dt.datetime:
    text = text.strip().replace(" ", "T", 1)
    match = re.match(r"(.*T\d\d:\d\d:\d\d)\.(\d+)(.*)", text)
    if match:  # keep at most microseconds (ArcadeDB may write nanoseconds)
        text = f"{match.group(1)}.{match.group(2)[:6].ljust(6, '0')}{match.group(3)}"
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


_EPOCH_DATE = dt.date(1970, 1, 1)


def _bound_value(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def _default_value(text: Any) -> Any:
    """A default as ArcadeDB keeps it (SQL expression text) -> the Python value arcadelite keeps."""
    if not isinstance(text, str):
        return text
    stripped = text.strip()
    if len(stripped) >= 2 and stripped[0] == stripped[-1] and stripped[0] in "'\"":
        body = stripped[1:-1]
        return re.sub(r"\\(.)", r"\1", body)
    lowered = stripped.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    match = _NUMBER.fullmatch(stripped)
    if match:
        return (
            int(stripped) if match.group(1) is None and match.group(2) is None else float(stripped)
        )
    return stripped


__all__ = ["Importer", "import_csv", "import_database", "ImportAbortedError",
           "ImportDatabaseError", "FORMATS"]  # fmt: skip
