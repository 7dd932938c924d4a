"""Export: a whole database as ArcadeDB's JSONL dump, and query results as CSV.

``export_database`` writes the dump format of ArcadeDB's own exporter, so that data moves both ways
between arcadelite and an ArcadeDB server (``IMPORT DATABASE file://...`` on either side): a gzip
file of JSON lines, each ``{"t": kind, "c": content}``:

1. ``info`` (producer and format version), 2. ``db`` (name, time of the export),
3. ``schema`` (types with their parents, properties, constraints and indexes),
4. the records: every vertex (``"v"``), then every document (``"d"``), then every edge (``"e"``),
   type by type in RID order; each ``{"p": properties, "r": "#bucket:position", "t": type}``, an
   edge adding ``"o"`` (its out vertex) and ``"i"`` (its in vertex).

Values inside ``"p"`` are written the way ArcadeDB writes them, so that its importer converts them
back where the property is declared: a ``datetime`` as epoch milliseconds (a naive one read as UTC;
the dump says ``zoneId: UTC``), a ``date`` as days since the epoch in a declared ``DATE`` (or
``LIST``/``MAP OF DATE``) property and as epoch milliseconds elsewhere, a ``Decimal`` as a JSON number, ``bytes`` as a list of signed
bytes, a link as its ``"#b:p"`` text.

ArcadeDB's format cannot carry every Python type: in an undeclared property a date, a datetime, a
decimal, bytes and a link are indistinguishable from an int, a float, a list and a string, and
microseconds and time zones are lost. So each record line that holds such a value also carries,
under the key ``"al"`` (which ArcadeDB's importer ignores), a list of ``[path, tag, exact]`` entries:
``["born"], "date", "1994-05-17"``, ``["meta", "when"], "dtz", "2024-01-02T03:04:05.123456+02:00"``,
``"dt"`` (naive datetime), ``"dec"`` (exact decimal text), ``"bin"`` (bytes), ``"rid"`` (a link,
remapped to the record's new RID on import). arcadelite's importer applies them, so a dump made here
restores every value with its exact type and value. One more case: a map with a key ``"t"`` is what
ArcadeDB's importer takes for an embedded record (it fails the whole import when ``"t"`` is no type
name), so such a map is written with that key renamed to ``"@t"`` (``"@@t"``... if taken) and a
``"keys"`` entry restores it. The schema line keeps what ArcadeDB's schema JSON cannot say under an
``"arcadelite"`` key of a property, which ArcadeDB ignores: the property's exact type (``EMBEDDED`` is declared as ``MAP`` for ArcadeDB, which refuses plain maps in an ``EMBEDDED``
property), the type of a ``LINK OF <type>`` (declared as a plain ``LINK`` for ArcadeDB, whose
importer fails on a ``LINK OF`` value that points forward in the dump), and typed
``min``/``max``/``default`` values (ArcadeDB keeps those as text).

Name dumps ``*.jsonl.gz`` (or ``.jsonl.tgz``): ArcadeDB's ``IMPORT DATABASE`` recognises the format
by ``jsonl`` in the file name (without it, it fails with "Transaction not begun"); exporting under
another name warns.

The dump is read from a consistent snapshot (one read transaction), written to a temporary file
and renamed into place, so a failed export never leaves a truncated file behind.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import gzip
import os
import sys
import time
import warnings
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import orjson

from ..exceptions import ArcadeDBError, DatabaseCorruptError
from ..model.records import Document
from ..model.serialize import json_default
from ..rid import RID
from ..storage import codec, os_error
from ..version import __version__
from ..vocabulary import ARCADEDB_TYPE_NAMES, KIND_CODES

if TYPE_CHECKING:
    from ..database import Database
    from ..storage import Session, Storage
    from ..storage.catalog import PropertyDef, TypeDef

#: Export formats; GraphML and GraphSON need ArcadeDB's optional Gremlin module, not offered here.
FORMATS = ("jsonl",)
EXPORTS_DIR = "exports"
DUMP_DESCRIPTION = "ArcadeDB Database Export"
DUMP_FORMAT_VERSION = 1
_EPOCH = dt.datetime(1970, 1, 1)
_EPOCH_DATE = dt.date(1970, 1, 1)
_UTC = dt.timezone.utc
_PLAIN = (str, int, float, bool, type(None))
_LINES_PER_WRITE = 512


# --- export_database ------------------------------------------------------------------------


def export_database(
    db: Database,
    file_path: str,
    format: str = "jsonl",
    overwrite: bool = False,
    include_types: list[str] | None = None,
    exclude_types: list[str] | None = None,
    verbose: int = 1,
) -> dict[str, Any]:
    """Write the whole database (schema, then records) as an ArcadeDB JSONL dump (gzip).

    A relative ``file_path`` goes under ``./exports/``. ``include_types``/``exclude_types`` choose
    whose records are written (the schema is always complete). Returns the statistics
    ``totalRecords``, ``documents``, ``vertices``, ``edges``, ``elapsedInSecs`` (and ``file``).
    """
    started = time.perf_counter()
    fmt = str(format).lower()
    if fmt not in FORMATS:
        if fmt in ("graphml", "graphson"):
            raise ArcadeDBError(
                f"Export format '{format}' is not supported: it needs ArcadeDB's Gremlin module. "
                "Use format='jsonl' (ArcadeDB's own dump format)"
            )
        raise ArcadeDBError(
            f"Unknown export format '{format}': supported formats are {', '.join(FORMATS)}"
        )
    path = resolve_export_path(file_path)
    if "jsonl" not in os.path.basename(path).lower():
        warnings.warn(
            f"'{os.path.basename(path)}' has no 'jsonl' in its name: ArcadeDB's IMPORT DATABASE "
            "only recognises a dump by it (name it e.g. backup.jsonl.gz)",
            UserWarning,
            stacklevel=3,
        )
    if os.path.exists(path) and not overwrite:
        raise ArcadeDBError(
            f"Export file '{path}' already exists: pass overwrite=True to replace it"
        )
    storage = db._live_storage()
    catalog = storage.catalog
    chosen = _chosen_types(catalog.types, include_types, exclude_types)
    counts = {"vertex": 0, "document": 0, "edge": 0}
    temp = f"{path}.tmp-{os.getpid()}"
    folder = os.path.dirname(path) or "."
    made_folder = not os.path.isdir(folder)
    try:
        os.makedirs(folder, exist_ok=True)
        with storage.read_snapshot() as session:  # one read snapshot for the whole dump
            try:
                types = sorted(catalog.types.values(), key=lambda t: t.id)
                with (
                    open(temp, "wb") as raw,
                    gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6,
                                  mtime=0) as out,
                ):  # fmt: skip
                    out.write(_header_lines(db, types))
                    for kind in ("vertex", "document", "edge"):
                        for type_def in types:
                            if type_def.kind == kind and type_def.name in chosen:
                                counts[kind] += _write_records(storage, session, type_def, out)
                                if verbose >= 2:
                                    print(f"- exported {type_def.name}", file=sys.stdout)
                os.replace(temp, path)
            except BaseException:
                if os.path.exists(temp):
                    os.remove(temp)
                raise
    except OSError as exc:
        if made_folder:
            try:
                os.rmdir(folder)  # only when left empty
            except OSError:
                pass
        raise os_error(exc, path, "exporting the database") from exc
    elapsed = time.perf_counter() - started
    total = sum(counts.values())
    stats = {
        "totalRecords": total,
        "documents": counts["document"],
        "vertices": counts["vertex"],
        "edges": counts["edge"],
        "elapsedInSecs": round(elapsed, 3),
        "file": path,
    }
    if verbose >= 1:
        print(
            f"Database exported to '{path}': {total} records in {elapsed:.2f} s "
            f"({counts['document']} documents, {counts['vertex']} vertices, "
            f"{counts['edge']} edges)",
            file=sys.stdout,
        )
    return stats


def resolve_export_path(file_path: str) -> str:
    """Where an export goes: a relative path lands under ``./exports/`` (as in ArcadeDB)."""
    path = os.fspath(file_path)
    if path.startswith("file://"):
        path = path[len("file://") :]
    if not os.path.isabs(path):
        parts = os.path.normpath(path).split(os.sep)
        if parts[0] != EXPORTS_DIR:
            path = os.path.join(EXPORTS_DIR, path)
    return os.path.abspath(path)


def _chosen_types(types: dict[str, TypeDef], include: Iterable[str] | None,
                  exclude: Iterable[str] | None) -> set[str]:  # fmt: skip
    include = [include] if isinstance(include, str) else include
    exclude = [exclude] if isinstance(exclude, str) else exclude
    unknown = [n for n in (*(include or ()), *(exclude or ())) if n not in types]
    if unknown:
        raise ArcadeDBError(f"Cannot export: unknown type(s) {', '.join(map(repr, unknown))}")
    chosen = set(include) if include else set(types)
    return chosen - set(exclude or ())


def _line(kind: str, content: Any) -> bytes:
    return orjson.dumps({"t": kind, "c": content}) + b"\n"


def _header_lines(db: Database, types: list[TypeDef]) -> bytes:
    now = dt.datetime.now(_UTC)
    info = {
        "description": DUMP_DESCRIPTION,
        "exporterVersion": DUMP_FORMAT_VERSION,
        "dbVersion": f"arcadelite-{__version__}",
        "dbBranch": "arcadelite",
        "dbBuild": "",
        "dbTimestamp": "",
        "producer": "arcadelite",
        "producerVersion": __version__,
    }
    head = {
        "name": db.get_name(),
        "executedOn": now.strftime("%Y-%m-%d %H:%M:%S.") + f"{now.microsecond // 1000:03d}",
        "executedOnTimestamp": int(now.timestamp() * 1000),
    }
    return _line("info", info) + _line("db", head) + _line("schema", schema_json(db, types))


# --- schema ---------------------------------------------------------------------------------


def schema_json(db: Database, types: list[TypeDef]) -> dict[str, Any]:
    """The schema as ArcadeDB's ``LocalSchema.toJSON`` shapes it, plus ``arcadelite`` keys."""
    catalog = db._live_storage().catalog
    out: dict[str, Any] = {}
    for type_def in types:
        bucket = f"{type_def.name}_0"
        indexes = {}
        for index in catalog.indexes.values():
            if index.type_name == type_def.name:
                indexes[index.name] = {
                    "type": index.kind,
                    "bucket": bucket,
                    "properties": list(index.properties),
                    "nullStrategy": index.null_strategy,
                    "unique": index.unique,
                }
                if index.vector is not None:  # an LSM_VECTOR index's configuration
                    indexes[index.name]["metadata"] = {
                        k: v for k, v in index.vector.items() if k != "nonce"}
        out[type_def.name] = {
            "type": KIND_CODES[type_def.kind],
            "parents": list(type_def.supertypes),
            "buckets": [bucket],
            "aliases": [],
            "properties": {p.name: _property_json(p) for p in type_def.properties.values()},
            "indexes": indexes,
            "custom": dict(type_def.custom),
        }
    return {
        "schemaVersion": 1,
        "dbmsVersion": f"arcadelite-{__version__}",
        "dbmsBuild": "",
        "settings": {
            "zoneId": "UTC",
            "dateFormat": "yyyy-MM-dd",
            "dateTimeFormat": "yyyy-MM-dd HH:mm:ss",
            "temporalStorage": "native",
        },
        "types": out,
        "triggers": {},
        "materializedViews": {},
        "continuousAggregates": {},
        "functions": {},
    }


def _property_json(prop: PropertyDef) -> dict[str, Any]:
    data: dict[str, Any] = {"type": ARCADEDB_TYPE_NAMES.get(prop.type, prop.type)}
    exact: dict[str, Any] = {}
    if prop.of_type:
        if prop.type == "LINK":
            # ArcadeDB's importer fails on a LINK OF property whose link points forward in the
            # dump (a NullPointerException), so ArcadeDB gets a plain LINK; we keep the OF.
            exact["of"] = prop.of_type
        else:
            data["of"] = prop.of_type
    if prop.type in ARCADEDB_TYPE_NAMES:
        exact["type"] = prop.type
    if prop.default is not None:
        data["default"] = _sql_literal(prop.default)
        exact["default"] = exact_value(prop.default)
    if prop.readonly:
        data["readonly"] = True
    if prop.mandatory:
        data["mandatory"] = True
    if prop.notnull:
        data["notNull"] = True
    for key in ("max", "min"):
        bound = getattr(prop, key)
        if bound is not None:
            data[key] = _bound_text(bound)
            exact[key] = exact_value(bound)
    if prop.regexp is not None:
        data["regexp"] = prop.regexp
    data["custom"] = {}
    if exact:
        data["arcadelite"] = exact
    return data


def exact_value(value: Any) -> list[Any]:
    """A value in arcadelite's own tagged JSON form (see storage.codec), restored exactly."""
    body, tags = codec.encode_record({"v": value})
    return [body, tags]


def _bound_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _sql_literal(value: Any) -> str:
    """A default value as ArcadeDB keeps it: the text of a SQL expression."""
    if isinstance(value, str):
        if value.lower() in ("sysdate()", "now()"):
            return value
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, dt.datetime):
        return f"date('{value.strftime('%Y-%m-%d %H:%M:%S')}', 'yyyy-MM-dd HH:mm:ss')"
    if isinstance(value, dt.date):
        return f"date('{value.isoformat()}', 'yyyy-MM-dd')"
    try:
        return orjson.dumps(value, default=str).decode()
    except TypeError:
        return str(value)


# --- records --------------------------------------------------------------------------------


def _write_records(storage: Storage, session: Session, type_def: TypeDef, out: Any) -> int:
    """Stream one type's own records (not its subtypes') into the dump; returns how many."""
    code = KIND_CODES[type_def.kind]
    head = b'{"t":"' + code.encode() + b'","c":{"p":'
    middle = b',"r":"#' + str(type_def.id).encode() + b":"
    tail = b'","t":' + orjson.dumps(type_def.name)
    edge = type_def.kind == "edge"
    declared = {name: ("DATE" if p.type == "DATE" or p.of_type == "DATE" else p.type)
                for name, p in type_def.all_properties.items()}  # fmt: skip
    damaged = storage.first_damaged(session, type_def)  # plain bodies are copied unparsed
    if damaged is not None:
        raise DatabaseCorruptError(
            f"Record {damaged} is damaged (its body is not valid JSON): the export stopped. "
            f"Run `arcadelite check {storage.folder}`; delete or repair the record to export"
        )
    count = 0
    buffer: list[bytes] = []
    for pos, body, tags, *ends in storage.scan_type(session, type_def):
        if tags is None and '"t":' not in body:
            p_json = body.encode()  # plain JSON: exactly what ArcadeDB expects in "p"
            extra = b""
        else:
            p_json, extra = _encode_props(codec.decode_record(body, tags), declared)
        line = head + p_json + middle + str(pos).encode() + tail
        if edge:
            line += (b',"o":"' + str(RID.from_int(ends[0])).encode() + b'","i":"'
                     + str(RID.from_int(ends[1])).encode() + b'"')  # fmt: skip
        buffer.append(line + extra + b"}}\n")
        count += 1
        if len(buffer) >= _LINES_PER_WRITE:
            out.write(b"".join(buffer))
            buffer.clear()
    if buffer:
        out.write(b"".join(buffer))
    return count


def _encode_props(props: dict[str, Any], declared: dict[str, str]) -> tuple[bytes, bytes]:
    """``"p"`` in ArcadeDB's value encoding, and the ``"al"`` tags that make it exact."""
    tags: list[Any] = []
    plain = {name: encode_value(value, [name], tags, declared.get(name)) for name, value in
             props.items()}  # fmt: skip
    # (a declared type reaches nested values only as "DATE": ArcadeDB reads days there)
    p_json = orjson.dumps(plain)
    return p_json, (b',"al":' + orjson.dumps(tags) if tags else b"")


def encode_value(value: Any, path: list[Any], tags: list[Any], declared: str | None = None) -> Any:
    """One value as ArcadeDB writes it; appends the tags that restore it exactly to ``tags``."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            tags.append([path, "dtz", value.isoformat()])
            value = value.astimezone(_UTC).replace(tzinfo=None)
        else:
            tags.append([path, "dt", value.replace(tzinfo=None).isoformat()])
            value = value.replace(tzinfo=None)
        return epoch_millis(value)
    if isinstance(value, dt.date):
        tags.append([path, "date", value.isoformat()])
        if declared == "DATE":  # a DATE property, or an element of a LIST/MAP OF DATE
            return (value - _EPOCH_DATE).days
        return (value - _EPOCH_DATE).days * 86_400_000
    if isinstance(value, Decimal):
        tags.append([path, "dec", str(value)])
        return orjson.Fragment(codec._decimal_number_text(value))
    if isinstance(value, (bytes, bytearray, memoryview)):
        tags.append([path, "bin"])
        return [b - 256 if b > 127 else b for b in bytes(value)]
    if isinstance(value, RID):
        tags.append([path, "rid"])
        return str(value)
    if isinstance(value, Document):
        rid = value.get_identity()
        if rid is None:
            raise ArcadeDBError(f"Cannot export a link to an unsaved record at {path}")
        tags.append([path, "rid"])
        return str(rid)
    if isinstance(value, dict):
        renamed: dict[str, str] = {}
        if "t" in value:
            new = "@t"
            while new in value:
                new = "@" + new
            renamed[new] = "t"
            tags.append([path, "keys", renamed])
        return {
            (new_key(k, renamed)): encode_value(v, [*path, k], tags, declared)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [encode_value(v, [*path, i], tags, declared) for i, v in enumerate(value)]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    raise ArcadeDBError(f"Cannot export a value of type {kind.__name__} at {path}")


def new_key(key: str, renamed: dict[str, str]) -> str:
    if renamed and key == "t":
        return next(iter(renamed))
    return key


def epoch_millis(value: dt.datetime) -> int:
    """Milliseconds since the epoch of a naive datetime read as UTC (sub-ms part dropped)."""
    delta = value - _EPOCH
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000


# --- export_to_csv ----------------------------------------------------------------------------

_HEADER_SAMPLE = 1000


def export_to_csv(results_or_rows: Any, file_path: str, fieldnames: list[str] | None = None) -> int:
    """Write rows (a ResultSet, Results, records or dicts) to a CSV file; returns the row count.

    Without ``fieldnames`` the columns are every key met in the first 1,000 rows, in order of first
    appearance (a later row bringing a new key is an error that says to pass ``fieldnames``); with
    them, exactly those columns in that order. Values: None is an empty cell, booleans
    ``true``/``false``, dates ISO 8601, bytes base64, links ``#b:p``, lists and maps JSON.
    """
    rows = iter(results_or_rows)
    path = os.fspath(file_path)
    parent = os.path.dirname(path)
    try:
        if parent:
            os.makedirs(parent, exist_ok=True)
        sample: list[dict[str, Any]] = []
        if fieldnames is None:
            for row in rows:
                sample.append(as_row_dict(row))
                if len(sample) >= _HEADER_SAMPLE:
                    break
            seen: dict[str, None] = {}
            for row_dict in sample:
                for key in row_dict:
                    seen.setdefault(key)
            columns = list(seen)
            strict = True
        else:
            columns = list(fieldnames)
            strict = False
        count = 0
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            known = set(columns)

            def write(row_dict: dict[str, Any]) -> None:
                if strict and not known.issuperset(row_dict):
                    extra = [k for k in row_dict if k not in known]
                    raise ArcadeDBError(
                        f"CSV export: row {count + 1} has column(s) {extra} that the first rows "
                        "did not have: pass fieldnames naming every column"
                    )
                writer.writerow([csv_cell(row_dict.get(c)) for c in columns])

            for row_dict in sample:
                write(row_dict)
                count += 1
            for row in rows:
                write(as_row_dict(row))
                count += 1
        return count
    except OSError as exc:
        raise ArcadeDBError(f"CSV export to '{path}' failed: {exc}") from exc


def as_row_dict(row: Any) -> dict[str, Any]:
    if isinstance(row, dict):
        return row
    if isinstance(row, Document):
        return row.to_dict(include_metadata=True)
    to_dict = getattr(row, "to_dict", None)
    if to_dict is not None:
        data = to_dict(convert_types=False)
        data.pop("@cat", None)
        return data
    raise ArcadeDBError(f"CSV export: cannot write a row of type {type(row).__name__}")


def csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int)):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, RID):
        return str(value)
    if isinstance(value, Document):
        return value.get_rid() or ""
    return orjson.dumps(value, default=json_default).decode()


__all__ = ["FORMATS", "csv_cell", "export_database", "export_to_csv", "resolve_export_path",
           "as_row_dict"]  # fmt: skip
