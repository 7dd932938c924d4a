"""Import: CSV, TSV and JSONL files into documents, vertices or edges, and ArcadeDB dumps.

``Importer(db).import_file(path, ...)`` / ``import_csv(db, path, type_name, ...)`` stream a file
through a private async executor (``bulk.BulkWriter``): memory stays flat whatever the file size, every row ends imported
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

``Importer.import_file`` of a dump goes to ``import_database`` (restore.py).
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
import math
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from itertools import repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import orjson

from ..bulk.loader import BulkWriter
from ..exceptions import ArcadeDBError, AsyncOperationError, TransactionError
from ..model.records import Document, Edge, Vertex
from ..rid import RID
from ..storage import codec
from .restore import MAX_FAILED_ROWS, NUMBER_TEXT, RID_TEXT, dump_lines, import_database

if TYPE_CHECKING:
    from ..database import Database
    from ..storage import Storage
    from ..storage.catalog import TypeDef


class ImportAbortedError(ArcadeDBError):
    """``onRowError="abort"`` met a bad row: ``line`` is where, ``stats`` what was imported."""

    def __init__(self, message: str, line: int | None, stats: dict[str, Any]) -> None:
        super().__init__(message)
        self.line = line
        self.stats = stats


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
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
_NUM_START_CHARS = frozenset("-0123456789")
_NUM_START = _NUM_START_CHARS | {""}
_DIGITS = frozenset("0123456789") | {""}
_NUMERIC_TYPES = {int, float, type(None)}
_first = itemgetter(slice(0, 1))
_last = itemgetter(slice(-1, None))


# Import records: the executor's record classes with the source line attached (same names).
class _ImportedDocument(Document):
    __slots__ = ("_line",)
    _line: int  # the source line of the row


class _ImportedVertex(Vertex):
    __slots__ = ("_line",)
    _line: int  # the source line of the row


class _ImportedEdge(Edge):
    __slots__ = ("_line",)
    _line: int  # the source line of the row


for _cls, _name in ((_ImportedDocument, "Document"), (_ImportedVertex, "Vertex"),
                    (_ImportedEdge, "Edge")):  # fmt: skip
    _cls.__name__ = _cls.__qualname__ = _name
_RECORD_CLASSES: dict[str, type[_ImportedDocument] | type[_ImportedVertex]] = {
    "document": _ImportedDocument, "vertex": _ImportedVertex}  # fmt: skip


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
        self.db._live_storage()
        if self.db.is_transaction_active():
            raise TransactionError(
                "Importing a file cannot run inside a transaction: rows commit in transactions of "
                "their own, which need the writer lock. Commit or roll back first"
            )
        path = os.fspath(file_path)
        fmt = format_of(path, format_type)
        if not os.path.isfile(path):
            raise ArcadeDBError(f"Import file not found: '{path}'")
        if fmt == "arcadedb" or (fmt == "jsonl" and is_dump(path)):
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
            "tsv" if format_of(os.fspath(file_path), None, strict=False) == "tsv" else "csv"
        )
    return Importer(db).import_file(file_path, format_type, import_type, type_name, **options)


def format_of(path: str, given: str | None, strict: bool = True) -> str:
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


def is_dump(path: str) -> bool:
    """True when a JSONL file is a database dump (its first line is the dump's "info" line)."""
    try:
        first = next(dump_lines(path), b"")
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


#: Vertices whose typeIdProperty keys an edge import reads into one dict up front (~100 bytes
#: each); past it, the keys of each batch of edges are resolved by one join.
ID_MAP_LIMIT = 500_000


class _VertexIds:
    """typeIdProperty values to vertex RIDs, resolved set-based: one scan of every key into a
    dict when the vertices are few enough (ID_MAP_LIMIT), else one join per batch of edges
    (``prefetch``). ``get`` answers a RID, None (no such vertex) or how many vertices share the
    key (ambiguous)."""

    def __init__(self, storage: Storage, types: list[TypeDef], name: str) -> None:
        self.storage = storage
        self.name = name
        tables: dict[int, TypeDef] = {}
        for type_def in types:
            for target in type_def.polymorphic:
                tables.setdefault(target.id, target)
        self.tables = list(tables.values())
        session = storage.session()
        total = sum(storage.count(session, t, polymorphic=False) for t in self.tables)
        self.complete = total <= ID_MAP_LIMIT
        self.found: dict[Any, RID | int] = {}
        self.asked: set[Any] = set()
        if self.complete:
            self._read(None)

    def _read(self, values: list[Any] | None) -> None:
        found = self.found
        session = self.storage.session()
        for target in self.tables:
            type_id = target.id
            for value, pos in self.storage.key_positions(session, target, self.name, values):
                earlier = found.get(value)
                if earlier is None:
                    found[value] = RID(type_id, pos)
                else:  # a second vertex with this key: ambiguous
                    found[value] = (earlier if isinstance(earlier, int) else 1) + 1

    def prefetch(self, keys: set[Any]) -> None:
        """Make ``get`` know these keys (the keys of the next batch of edges)."""
        if not self.complete:
            self.found = {}
            self.asked = keys
            if keys:
                self._read(list(keys))

    def get(self, key: Any) -> RID | int | None:
        if not self.complete and key not in self.found and key not in self.asked:
            self._read([key])  # a key no prefetch named (one edge at a time)
        return self.found.get(key)


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
        self.lookup_cache: dict[Any, Any] = {}  # RID texts of edge ends, checked
        self.vertex_ids: _VertexIds | None = None  # typeIdProperty keys of edge ends

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
                existing = schema.get_type(name).get_property(id_prop)  # type: ignore[union-attr]  # created just above
                if existing is None:
                    schema.create_property(name, id_prop, self.opts["typeIdType"])
                if not any(
                    ix.properties == (id_prop,) for ix in self.db._live_storage().catalog.get(name).indexes
                ):
                    schema.create_index(
                        name, [id_prop], unique=bool(self.opts["typeIdPropertyIsUnique"])
                    )
        else:
            schema.get_or_create_edge_type(name)
        return self.db._live_storage().catalog.get(name)

    def _executor(self) -> BulkWriter:
        # One reading thread: writing its chunks inline saves the hand-offs to a worker, which
        # under the GIL cost a third of the import (measured); parallel > 1 uses workers.
        ex = BulkWriter(self.db, inline=self.opts["parallel"] <= 1)
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
            if len(self.failed_rows) < MAX_FAILED_ROWS:
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
            return gzip.open(self.path, "rt", encoding=encoding, newline="")
        return open(self.path, encoding=encoding, newline="")

    def read_csv(self, ex: BulkWriter) -> None:
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
                lines = range(start + 1, start + 1 + len(rows))  # type: ignore[assignment]  # either form is a sequence of line numbers
            if set(map(len, rows)) != {width}:
                kept, kept_lines = [], []
                for row, line in zip(rows, lines):
                    if len(row) == width:
                        kept.append(row)
                        kept_lines.append(line)
                    elif row:  # a blank line is no row
                        self.rows += 1
                        self.fail(line, f"expected {width} fields, got {len(row)}")
                rows, lines = kept, kept_lines
                if not rows:
                    continue
            self.rows += len(rows)
            yield rows, list(lines)

    def _csv_records(self, reader: Any, names: list[str], ex: BulkWriter) -> None:
        type_def = self.type_def
        declared = set(type_def.all_properties)
        trim = self.opts["trimText"]
        # A type that checks nothing per record: each batch is one JSON array, no record objects
        bulk = ex.takes_json_rows(type_def)
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

    def _csv_edges(self, reader: Any, names: list[str], ex: BulkWriter) -> None:
        trim = self.opts["trimText"]
        for rows, lines in self._batches(reader, names):
            for name in (self.opts["edgeFromField"], self.opts["edgeToField"]):
                if name not in names:
                    raise ArcadeDBError(f"Edge field '{name}' is not a column of '{self.path}'")
            batch = []
            for row in rows:
                props = {}
                for name, text in zip(names, row):
                    if trim:
                        text = text.strip()
                    value = _infer_value(text, trim)
                    if value is not None:
                        props[name] = value
                batch.append(props)
            self._prefetch_ends(batch)
            for line, props in zip(lines, batch):
                self._submit_edge(ex, props, line)
                if self.stop:
                    return

    # -- edges ---------------------------------------------------------------------------------

    def _submit_edge(self, ex: BulkWriter, props: dict[str, Any], line: int) -> None:
        from_field, to_field = self.opts["edgeFromField"], self.opts["edgeToField"]
        ids = self.vertex_ids
        if ids is not None and ids.complete and self.opts["typeIdType"] != "STRING":
            # the bulk case: whole-number keys found in the map as they stand (what _id_value
            # would make of them); anything else takes the general path below
            source, target = props.get(from_field), props.get(to_field)
            if type(source) is int and type(target) is int:
                out_end, in_end = ids.found.get(source), ids.found.get(target)
                if type(out_end) is RID and type(in_end) is RID:
                    del props[from_field], props[to_field]
                    record = _ImportedEdge(self.db, self.type_def, props, None, True, out_end,
                                           in_end)  # fmt: skip
                    record._line = line
                    ex.create_record(record)
                    return
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
        if not isinstance(value, str) or not RID_TEXT.fullmatch(value):
            return self._lookup_vertex(value, field)
        cache = self.lookup_cache
        key = (type(value), value)
        found = cache.get(key)
        if found is not None:
            return found
        storage = self.db._live_storage()
        rid = RID.parse(value)
        target = storage.catalog.by_id.get(rid.bucket_id)
        if target is None or target.kind != "vertex" or storage.load(storage.session(), rid) is None:
            raise ArcadeDBError(f"edge field '{field}': vertex {value} not found")
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
        key = _id_value(value, self.opts["typeIdType"])
        found = self._vertex_ids().get(key)
        if found is None:
            raise ArcadeDBError(f"edge field '{field}': no vertex with {id_prop} = {key!r}")
        if isinstance(found, int):
            raise ArcadeDBError(f"edge field '{field}': {found} vertices have {id_prop} = {key!r}")
        return found

    def _vertex_ids(self) -> _VertexIds:
        if self.vertex_ids is None:
            id_prop = self.opts["typeIdProperty"]
            storage = self.db._live_storage()
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
            self.vertex_ids = _VertexIds(storage, types, id_prop)
        return self.vertex_ids

    def _prefetch_ends(self, rows: list[dict[str, Any]]) -> None:
        """Resolve the id keys of a batch of edges in one go (see _VertexIds)."""
        if not self.opts["typeIdProperty"]:
            return
        try:
            if self._vertex_ids().complete:
                return  # every key is known already
        except ArcadeDBError:
            return  # no type to look in: each row reports it
        keys = set()
        id_type = self.opts["typeIdType"]
        for field in (self.opts["edgeFromField"], self.opts["edgeToField"]):
            for props in rows:
                value = props.get(field)
                if value is None or value == "" or (isinstance(value, str) and RID_TEXT.fullmatch(value)):
                    continue
                try:
                    keys.add(_id_value(value, id_type))
                except ArcadeDBError:
                    continue  # reported with its row
        try:
            self._vertex_ids().prefetch(keys)
        except ArcadeDBError:
            return  # no type to look in: each row reports it

    # -- JSONL ---------------------------------------------------------------------------------

    def read_jsonl(self, ex: BulkWriter) -> None:
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
        batch: list[dict[str, Any]] | None = [] if cls and ex.takes_json_rows(type_def) else None
        lines: list[int] = []
        edges: list[tuple[dict[str, Any], int]] = []  # their ends are resolved a batch at a time

        def submit_edges() -> None:  # before any later row can fail (and stop the import)
            self._prefetch_ends([props for props, _ in edges])
            for props, line in edges:
                self._submit_edge(ex, props, line)
                if self.stop:
                    break
            edges.clear()

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
                    if edges:
                        submit_edges()
                    self.fail(line_no, f"invalid JSON: {exc}")
                    continue
                if not isinstance(data, dict):
                    if edges:
                        submit_edges()
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
                    edges.append((props, line_no))
                    if len(edges) >= _BATCH:
                        submit_edges()
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
            if edges and not self.stop:
                submit_edges()
            if batch:  # the rows read so far, also those before a row that stops the import
                self._submit_rows(ex, batch, lines, bulk=True)

    def _submit_rows(self, ex: BulkWriter, rows: list[dict[str, Any]], lines: list[int],
                     bulk: bool) -> None:  # fmt: skip
        """A batch of rows: one JSON array when ``bulk`` (the type checks nothing) and every
        value is plain, else record by record, each with its line, so that exactly a bad row is
        reported. Values are finite by construction (CSV typing and JSON parsing refuse the
        others). No list keeps the records and failures go to on_error: records only the
        executor holds are not kept until commit (see bulk/writing.py, _give_rids)."""
        if bulk:
            bodies = codec.fast_encode_many(rows, finite=True)
            if bodies is not None:
                ex.write_json_rows(self.type_def, bodies, len(rows))
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
        match = NUMBER_TEXT.fullmatch(text)
        if match is not None:
            if match.group(1) is None and match.group(2) is None:
                number = int(text)
                return number if _INT64_MIN <= number <= _INT64_MAX else text
            real = float(text)
            return real if math.isfinite(real) else text
    return text


__all__ = ["FORMATS", "IMPORT_TYPES", "ImportAbortedError", "Importer", "format_of", "import_csv",
           "is_dump"]  # fmt: skip
