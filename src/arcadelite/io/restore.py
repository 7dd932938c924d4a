"""Restore an ArcadeDB JSONL dump.

``import_database(db, path_or_url)`` restores a dump written by ``export_database`` or by
ArcadeDB (see export.py for the format) into an empty database, in one transaction (a failure leaves the
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
import datetime as dt
import gzip
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import orjson

from ..bulk import writing as bulk_writing
from ..bulk.chunks import TransactionLost, write_chunk
from ..exceptions import ArcadeDBError, SchemaError
from ..rid import RID
from ..storage import codec
from ..vocabulary import ARCADEDB_VALUE_TYPES, CODE_KINDS, FROM_ARCADEDB_TYPES

if TYPE_CHECKING:
    from ..database import Database
    from ..storage.catalog import TypeDef

MAX_FAILED_ROWS = 1_000  # failures listed in an import's result (all are counted)
#: A plain decimal number literal (JSON's grammar): CSV values and dump defaults read as numbers.
NUMBER_TEXT = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
RID_TEXT = re.compile(r"#(\d+):(\d+)")


class ImportDatabaseError(ArcadeDBError):
    """A dump restore finished with failed records: ``stats`` and ``failures`` say which."""

    def __init__(self, message: str, stats: dict[str, Any], failures: list[dict[str, Any]]):
        super().__init__(message)
        self.stats = stats
        self.failures = failures


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
    db._live_storage()
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


def dump_lines(path: str) -> Iterator[bytes]:
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
        self.storage = db._live_storage()
        self.path = path
        self.url = url
        self.ours = False
        self.zone: Any = dt.timezone.utc
        self.buckets: dict[int, _Runs] = {}
        self.type_counts: dict[str, int] = {}  # records per type in the dump (pre-scan)
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
            for line_no, raw in enumerate(dump_lines(self.path), start=1):
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
        if len(self.failures) < MAX_FAILED_ROWS:
            self.failures.append({"line": line, "record": old_rid, "error": message})

    def _prescan(self) -> None:
        """Check every line and learn where each old record goes (its rank in its type)."""
        schema_seen = False
        ranks: dict[str, int] = {}
        for line_no, raw in enumerate(dump_lines(self.path), start=1):
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
        self.type_counts = ranks
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
            vector = spec.get("metadata") if kind == "LSM_VECTOR" else None
            if kind not in ("LSM_TREE", "FULL_TEXT") and not (
                    isinstance(vector, dict) and "dimensions" in vector):
                self.warnings.append(f"index {name} on {type_name} ({kind}) not created")
                continue
            try:
                storage.create_index(storage.session(), type_name, props, unique, kind,
                                     name=name if self.ours else None,
                                     null_strategy=spec.get("nullStrategy") or "SKIP",
                                     vector=vector)  # fmt: skip
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
            if isinstance(value, str) and RID_TEXT.fullmatch(value):
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
        self.deferred: list[str] = []  # edge tables whose adjacency indexes wait for finish()

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
        if type_def.kind == "edge" and type_def.table not in self.deferred:
            self._defer_indexes(type_def)
        empty = [i for i, info in enumerate(meta) if info is None]
        last = 0

        def write(indexes: Sequence[int]) -> range:
            chunk = rows if len(indexes) == len(rows) else [rows[i] for i in indexes]
            return storage.insert_rows(session, type_def, chunk)

        def written(indexes: Sequence[int], positions: range) -> None:
            nonlocal last
            last = positions[-1]

        def culprit(index: int, exc: Exception) -> None:
            nonlocal last
            line, old = meta[index]  # type: ignore[misc]  # placeholders cannot fail
            if type_def.kind == "vertex":
                self.restore.failed_vertices.add(old)
            self.restore.fail(line, old, str(exc))
            # a placeholder in its place keeps the positions of the rows after it
            last = storage.insert_rows(session, type_def, [_placeholder(type_def)])[-1]
            empty.append(index)

        try:
            write_chunk(storage, session, range(len(rows)), write, written, _nothing, culprit)
        except TransactionLost as lost:  # SQLite rolled the restore back (a full disk, ...)
            raise lost.cause from lost.cause.__cause__
        if last != self.first_position + len(rows) - 1:
            raise ArcadeDBError(
                f"internal error: restored rows of '{type_def.name}' ended at position {last}, "
                f"expected {self.first_position + len(rows) - 1}"
            )
        self.placeholders.extend((type_def, self.first_position + i) for i in empty)
        self.restore.counts[type_def.kind] += len(rows) - len(empty)

    def _defer_indexes(self, type_def: TypeDef) -> None:
        """Many edges of a type in the dump: build its adjacency indexes once, in finish()
        (the same transaction), instead of inserting into them edge by edge."""
        count = self.restore.type_counts.get(type_def.name, 0)
        if count >= bulk_writing.DEFER_EDGE_INDEXES_AFTER and (
            count * 5 >= self.storage.edge_rows_estimate(self.session, type_def)
        ) and self.storage.defer_edge_indexes(self.session, type_def):  # fmt: skip
            self.deferred.append(type_def.table)

    def finish(self) -> None:
        self.flush()
        if self.deferred:  # first: deleting a vertex placeholder seeks edges by its ends
            self.storage.restore_edge_indexes(self.session, self.deferred)
        for type_def, position in self.placeholders:
            self.storage.delete_row(self.session, type_def, position)


def _nothing(indexes: Sequence[int]) -> None:
    """Rows rolled back before their replay hold nothing to undo."""


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
    match = RID_TEXT.fullmatch(text)
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
    match = NUMBER_TEXT.fullmatch(stripped)
    if match:
        return (
            int(stripped) if match.group(1) is None and match.group(2) is None else float(stripped)
        )
    return stripped


__all__ = ["ImportDatabaseError", "dump_lines", "import_database"]
