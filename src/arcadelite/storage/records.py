"""Records: validate and encode, insert/update/delete, read by RID, by key, by scan; edges.

The one write path: every record goes through ``prepare`` (schema validation and encoding) and
then ``insert``/``update``/``delete`` (one record, inside the session's write transaction, opened
on demand by ``writing``) or the bulk statements ``insert_rows``/``update_rows``/``delete_row``
(many records per statement, inside a write transaction the caller opened with ``begin_write``).
Reads hand out ``Row``s (rows.py). SQLite errors leave as ArcadeDBErrors (errors.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain
from typing import TYPE_CHECKING, Any, cast

import apsw

from ..exceptions import DuplicatedKeyError, RecordNotFoundError, SchemaError, ValidationError
from ..rid import POSITION_BITS, RID, bucket_range, pack_rid, unpack_rid
from . import codec
from .catalog import TypeDef, validate
from .errors import damaged_text, translate_error, translated_rows, translating
from .sessions import Session, SessionsPart
from .sqltext import columns_of, field_sql, values_rows

if TYPE_CHECKING:
    from .rows import EdgeRow, Row

ROWS_PER_INSERT = 2000  # rows per multi-row INSERT in bulk loads (<= 32766 / 4 params)


class RecordsPart(SessionsPart):
    """Records, edges and scans: the second part of ``Storage`` (see state.py)."""

    def prepare(self, type_def: TypeDef, props: dict[str, Any],
                old: dict[str, Any] | None = None) -> tuple[dict, tuple[str, str | None]]:  # fmt: skip
        """Validate against the schema and encode: the one path every write goes through.

        Returns the (converted) properties and their encoded (body, tags).
        """
        if type_def.checked:
            props = validate(type_def, dict(props), old)
            self._check_links(type_def, props)
        return props, codec.encode_record(props)

    def _check_links(self, type_def: TypeDef, props: dict[str, Any]) -> None:
        for name, prop in type_def.all_properties.items():
            if prop.type == "LINK" and prop.of_type and isinstance(props.get(name), RID):
                target = self.catalog.by_id.get(props[name].bucket_id)
                if target is None or not target.is_a(prop.of_type):
                    raise_validation(
                        f"Property '{type_def.name}.{name}' links to {props[name]}, "
                        f"which is not a {prop.of_type}"
                    )

    def update_base(self, session: Session, type_def: TypeDef, rid: RID | None) -> dict[str, Any]:
        """What an update of a record is validated against (``prepare``'s ``old``): its stored
        properties where the type has read-only ones (they may not change), else nothing."""
        if rid is not None and any(p.readonly for p in type_def.all_properties.values()):
            found = self.load(session, rid)
            if found is not None:
                row = found[1]
                return codec.decode_record(row[1], row[2])  # a Row: (pos, body, tags...)
        return {}

    # --- one record ---------------------------------------------------------------------------

    def insert(self, session: Session, type_def: TypeDef, encoded: tuple[str, str | None],
               out_rid: int | None = None, in_rid: int | None = None) -> int:  # fmt: skip
        """Insert an encoded record; returns its position."""
        return self._in_write(session, self._insert, type_def, encoded, out_rid, in_rid)

    def _insert(self, s: Session, type_def: TypeDef, encoded: tuple[str, str | None],
                out_rid: int | None, in_rid: int | None) -> int:  # fmt: skip
        if type_def.unique_elsewhere:
            self._check_unique_elsewhere(s, type_def, encoded)
        try:
            if type_def.kind == "edge":
                s.cursor.execute(
                    f"INSERT INTO {type_def.table}(body, tags, out_rid, in_rid) VALUES (?,?,?,?)",
                    (*encoded, out_rid, in_rid),
                )
            else:
                s.cursor.execute(f"INSERT INTO {type_def.table}(body, tags) VALUES (?, ?)", encoded)
        except apsw.Error as exc:
            raise self.failed(s, exc, type_def, encoded) from exc
        return s.conn.last_insert_rowid()

    def update(self, session: Session, type_def: TypeDef, position: int,
               encoded: tuple[str, str | None]) -> None:  # fmt: skip
        self._in_write(session, self._update, type_def, position, encoded)

    def _update(self, s: Session, type_def: TypeDef, position: int,
                encoded: tuple[str, str | None]) -> None:  # fmt: skip
        if type_def.unique_elsewhere:
            self._check_unique_elsewhere(s, type_def, encoded)
        try:
            s.cursor.execute(
                f"UPDATE {type_def.table} SET body = ?, tags = ? WHERE pos = ?", (*encoded, position)
            )
        except apsw.Error as exc:
            raise self.failed(s, exc, type_def, encoded) from exc
        if s.conn.changes() == 0:
            raise_not_found(RID(type_def.id, position))

    def _check_unique_elsewhere(self, s: Session, type_def: TypeDef,
                                encoded: tuple[str, str | None]) -> None:  # fmt: skip
        """A unique index of a supertype covers its subtypes' tables too: seek the key there
        (SQLite compares exactly as the per-table unique index does; a null key part never
        matches, as with the SKIP null strategy)."""
        for index, others in type_def.unique_elsewhere:
            match = " AND ".join(f"{field_sql(p)} = {field_sql(p, '?1')}" for p in index.properties)
            for other in others:
                rows = cast("list[tuple[int]]", s.cursor.execute(
                    f"SELECT pos FROM {other.table} WHERE {match} LIMIT 1", (encoded[0],)
                ).fetchall())  # fmt: skip
                if rows:
                    props = codec.decode_record(*encoded)
                    values = [props.get(p) for p in index.properties]
                    key = values[0] if len(values) == 1 else values
                    raise DuplicatedKeyError(
                        f"Duplicated key {key!r} found on index '{index.name}' "
                        f"already assigned to record {RID(other.id, rows[0][0])}",
                        index.name,
                        key,
                    )

    def delete(self, session: Session, type_def: TypeDef, position: int) -> None:
        """Delete a record; a vertex takes its edges with it."""
        self._in_write(session, self._delete, type_def, position)

    def _delete(self, s: Session, type_def: TypeDef, position: int) -> None:
        cur = s.cursor
        if type_def.kind == "vertex":
            packed = pack_rid(type_def.id, position)
            for edge_type in self.catalog.types.values():
                if edge_type.kind == "edge":
                    cur.execute(
                        f"DELETE FROM {edge_type.table} WHERE out_rid = ?1 OR in_rid = ?1", (packed,)
                    )
        cur.execute(f"DELETE FROM {type_def.table} WHERE pos = ?", (position,))
        if s.conn.changes() == 0:
            raise_not_found(RID(type_def.id, position))

    # --- reads ------------------------------------------------------------------------------

    def load(self, session: Session, rid: RID) -> tuple[TypeDef, Row] | None:
        """(type, row) of the record with this RID, or None when there is none."""
        self.check_open()
        type_def = self.catalog.by_id.get(rid.bucket_id)
        if type_def is None:
            return None
        # fetchall, not fetchone: a statement left unfinished on the session's cursor would keep
        # the connection's read snapshot open, and later reads would miss others' commits.
        try:
            rows = session.cursor.execute(
                f"SELECT {columns_of(type_def.kind)} FROM {type_def.table} WHERE pos = ?",
                (rid.position,),
            ).fetchall()
        except apsw.Error as exc:  # (inline, not @translating: the hottest read)
            raise translate_error(exc, self) from exc
        except UnicodeDecodeError as exc:
            raise damaged_text(exc, self, rid) from exc
        return (type_def, rows[0]) if rows else None  # type: ignore[return-value]  # the columns are Row's

    @translating
    def load_many(self, session: Session,
                  rids: list[RID]) -> list[tuple[TypeDef, Row] | None]:  # fmt: skip
        """(type, row) for each RID in order (None where missing); one query per bucket."""
        self.check_open()
        if len(rids) < 3:
            return [self.load(session, rid) for rid in rids]
        wanted: dict[int, list[int]] = {}
        for rid in rids:
            wanted.setdefault(rid.bucket_id, []).append(rid.position)
        found: dict[tuple[int, int], tuple[TypeDef, Row]] = {}
        for bucket, positions in wanted.items():
            type_def = self.catalog.by_id.get(bucket)
            if type_def is None:
                continue
            for row in session.conn.execute(
                f"SELECT {columns_of(type_def.kind)} FROM {type_def.table} "
                "WHERE pos IN (SELECT value FROM json_each(?))",
                (codec.dumps(positions),),
            ):
                found[(bucket, row[0])] = (type_def, row)  # Row
        return [found.get((rid.bucket_id, rid.position)) for rid in rids]

    @translating
    def find_by_key(self, session: Session, type_def: TypeDef, keys: tuple[str, ...],
                    values: tuple[Any, ...]) -> Iterator[tuple[TypeDef, Row]]:  # fmt: skip
        """Records of the type (and subtypes) whose properties equal the values."""
        self.check_open()
        where = " AND ".join(f"{field_sql(k)} = ?" for k in keys)
        params = tuple(codec.sql_value(v) for v in values)
        for target in type_def.polymorphic:
            for row in session.conn.execute(
                f"SELECT {columns_of(target.kind)} FROM {target.table} WHERE {where}", params
            ):
                yield target, row  # Row's layout

    def key_positions(self, session: Session, type_def: TypeDef, name: str,
                      values: list[Any] | None = None) -> list[tuple[Any, int]]:  # fmt: skip
        """(value of property ``name``, position) of the records of one type's own table that
        have it: every one (one scan, of its index where there is one), or those whose value is
        among ``values`` (one join). Set-based key resolution for bulk loads."""
        self.check_open()
        if values is None:
            sql = f"SELECT {field_sql(name)}, pos FROM {type_def.table} WHERE {field_sql(name)} IS NOT NULL"
            params: tuple = ()
        else:
            sql = (f"SELECT j.value, v.pos FROM json_each(?) j JOIN {type_def.table} v "
                   f"ON {field_sql(name, 'v.body')} = j.value")  # fmt: skip
            params = (codec.dumps([codec.sql_value(v) for v in values]),)
        return cast("list[tuple[Any, int]]", session.conn.execute(sql, params).fetchall())

    def scan_type(self, session: Session, type_def: TypeDef) -> Iterator[Row]:
        """Every record of one type's own table (not its subtypes'), in position order, streamed
        (on a cursor of its own, so that other statements may run while it is read)."""
        self.check_open()
        cursor = self.execute_sql(
            session, f"SELECT {columns_of(type_def.kind)} FROM {type_def.table} ORDER BY pos"
        )
        return translated_rows(cursor, self)  # rows in Row's layout

    @translating
    def first_damaged(self, session: Session, type_def: TypeDef) -> RID | None:
        """The first record of the type's own table whose body is not valid JSON, if any."""
        self.check_open()
        rows = session.conn.execute(
            f"SELECT pos FROM {type_def.table} WHERE NOT json_valid(body) ORDER BY pos LIMIT 1"
        ).fetchall()
        return RID(type_def.id, int(rows[0][0])) if rows else None  # type: ignore[arg-type]  # pos is an INTEGER column

    @translating
    def count(self, session: Session, type_def: TypeDef, polymorphic: bool = True) -> int:
        self.check_open()
        targets = type_def.polymorphic if polymorphic else [type_def]
        total = 0
        for target in targets:
            (count,) = cast("tuple[int]", session.conn.execute(
                f"SELECT count(*) FROM {target.table}").fetchone())  # fmt: skip
            total += count
        return total

    @translating
    def edges(self, session: Session, packed_vertex: int, direction: str,
              labels: tuple[str, ...] = ()) -> Iterator[tuple[TypeDef, EdgeRow]]:  # fmt: skip
        """Edges of a vertex, as (edge type, row); index seeks only."""
        self.check_open()
        for edge_type in self.edge_types(labels):
            for column in ("out_rid", "in_rid") if direction == "both" else (
                ("out_rid",) if direction == "out" else ("in_rid",)
            ):
                for row in session.conn.execute(
                    f"SELECT pos, body, tags, out_rid, in_rid FROM {edge_type.table} "
                    f"WHERE {column} = ?",
                    (packed_vertex,),
                ):
                    yield edge_type, row  # Row's layout

    @translating
    def neighbors(self, session: Session, packed_vertex: int, direction: str,
                  labels: tuple[str, ...] = ()) -> list[int]:  # fmt: skip
        """Packed RIDs of adjacent vertices, read from the covering edge indexes alone."""
        self.check_open()
        found: list[int] = []
        for edge_type in self.edge_types(labels):
            if direction in ("out", "both"):
                found.extend(r[0] for r in session.conn.execute(
                    f"SELECT in_rid FROM {edge_type.table} WHERE out_rid = ?", (packed_vertex,)))  # fmt: skip
            if direction in ("in", "both"):
                found.extend(r[0] for r in session.conn.execute(
                    f"SELECT out_rid FROM {edge_type.table} WHERE in_rid = ?", (packed_vertex,)))  # fmt: skip
        return found

    def edge_types(self, labels: tuple[str, ...] = ()) -> list[TypeDef]:
        if not labels:
            return [t for t in self.catalog.types.values() if t.kind == "edge"]
        result: list[TypeDef] = []
        for label in labels:
            type_def = self.catalog.types.get(label)
            if type_def is None:
                continue
            if type_def.kind != "edge":
                raise SchemaError(f"'{label}' is a {type_def.kind} type, not an edge type")
            result.extend(t for t in type_def.polymorphic if t not in result)
        return result

    @translating
    def has_edges(self, session: Session, type_def: TypeDef) -> bool:
        """True when some edge touches a vertex of this (vertex) type."""
        low, high = bucket_range(type_def.id)
        for edge_type in self.catalog.types.values():
            if edge_type.kind != "edge":
                continue
            row = session.conn.execute(
                f"SELECT 1 FROM {edge_type.table} WHERE out_rid >= ?1 AND out_rid < ?2 "
                f"UNION ALL SELECT 1 FROM {edge_type.table} WHERE in_rid >= ?1 AND in_rid < ?2 "
                "LIMIT 1",
                (low, high),
            ).fetchone()
            if row:
                return True
        return False

    def execute_sql(self, session: Session, sql: str, params: Any = ()) -> apsw.Cursor:
        """Run SQLite SQL built by the storage query compiler (see ``storage.query``)."""
        self.check_open()
        try:
            return session.conn.cursor().execute(sql, params)
        except apsw.Error as exc:
            raise translate_error(exc) from exc

    @translating
    def explain(self, session: Session, sql: str, params: Any = ()) -> list[str]:
        rows = session.conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        return [str(row[-1]) for row in rows]  # (id, parent, notused, detail)

    # --- bulk writes (inside a write transaction the caller holds) ----------------------------

    def insert_rows(self, session: Session, type_def: TypeDef,
                    rows: list[tuple]) -> range:  # fmt: skip
        """Insert (body, tags[, out_rid, in_rid]) rows, many per statement; returns their positions.

        The session must hold the write transaction, so the rows get consecutive positions (a
        failure leaves none of them written). Multi-row VALUES statements matter:
        APSW releases the GIL around each SQLite step, and one step per row would make the
        writer queue for the GIL once per row behind the producing thread.
        """
        if type_def.unique_elsewhere:
            for row in rows:
                self._check_unique_elsewhere(session, type_def, row[:2])
        width = len(rows[0]) if rows else 2
        columns = "body, tags, out_rid, in_rid" if type_def.kind == "edge" else "body, tags"
        full = len(rows) - len(rows) % ROWS_PER_INSERT
        try:
            if full:
                sql = f"INSERT INTO {type_def.table}({columns}) VALUES "
                sql += values_rows(width, ROWS_PER_INSERT)
                for start in range(0, full, ROWS_PER_INSERT):
                    session.cursor.execute(
                        sql, list(chain.from_iterable(rows[start:start + ROWS_PER_INSERT]))
                    )
            rest = len(rows) - full
            if rest:
                sql = f"INSERT INTO {type_def.table}({columns}) VALUES {values_rows(width, rest)}"
                session.cursor.execute(sql, list(chain.from_iterable(rows[full:])))
        except apsw.Error as exc:
            one = rows[0][:2] if len(rows) == 1 else None  # a single record's key can be named
            raise self.failed(session, exc, type_def, one) from exc
        last = session.conn.last_insert_rowid()
        return range(last - len(rows) + 1, last + 1)

    def insert_json_rows(self, session: Session, type_def: TypeDef, bodies: str, start: int,
                         stop: int) -> range:  # fmt: skip
        """Insert the bodies ``start`` to ``stop - 1`` of a JSON array of plain records (no tags).

        One parameter for a whole batch: SQLite splits the array itself (bulk imports). Only for
        document and vertex types whose rows cannot fail one by one (no unique key). Returns the
        positions, as insert_rows does.
        """
        try:
            session.cursor.execute(
                f"INSERT INTO {type_def.table}(body) SELECT value FROM json_each(?) "
                "WHERE key >= ? AND key < ? ORDER BY key",
                (bodies, start, stop),
            )
        except apsw.Error as exc:
            raise self.failed(session, exc, type_def) from exc
        last = session.conn.last_insert_rowid()
        return range(last - (stop - start) + 1, last + 1)

    def update_rows(self, session: Session, type_def: TypeDef, rows: list[tuple]) -> int:
        """Apply (body, tags, pos) updates, many per statement; returns the rows changed."""
        if type_def.unique_elsewhere:
            for row in rows:
                self._check_unique_elsewhere(session, type_def, row[:2])
        before = session.conn.total_changes()
        try:
            for start in range(0, len(rows), ROWS_PER_INSERT):
                part = rows[start:start + ROWS_PER_INSERT]
                session.cursor.execute(
                    f"UPDATE {type_def.table} SET body = v.column1, tags = v.column2 "
                    f"FROM (VALUES {values_rows(3, len(part))}) AS v "
                    f"WHERE {type_def.table}.pos = v.column3",
                    list(chain.from_iterable(part)),
                )
        except apsw.Error as exc:
            one = rows[0][:2] if len(rows) == 1 else None  # a single record's key can be named
            raise self.failed(session, exc, type_def, one) from exc
        return session.conn.total_changes() - before

    def delete_row(self, session: Session, type_def: TypeDef, position: int) -> None:
        """Delete inside the session's open write transaction (vertex edges included)."""
        try:
            self._delete(session, type_def, position)
        except apsw.Error as exc:
            raise self.failed(session, exc, type_def) from exc

    def truncate(self, session: Session, type_def: TypeDef, polymorphic: bool = False) -> None:
        with self.writing(session, schema=True) as s:
            for target in type_def.polymorphic if polymorphic else [type_def]:
                if target.kind == "vertex":
                    positions = cast("list[tuple[int]]", s.conn.execute(
                        f"SELECT pos FROM {target.table}").fetchall())  # fmt: skip
                    for (pos,) in positions:
                        self._delete(s, target, pos)
                else:
                    s.cursor.execute(f"DELETE FROM {target.table}")

    @translating
    def missing_vertices(self, session: Session, packed: Iterable[int]) -> list[int]:
        """Which of these packed RIDs are not vertices that exist (index seeks by position)."""
        distinct = set(packed)
        if distinct:
            low, high = min(distinct), max(distinct)
            bucket = low >> POSITION_BITS
            type_def = self.catalog.by_id.get(bucket)
            if high >> POSITION_BITS == bucket and type_def is not None and (
                type_def.kind == "vertex"
            ):  # the common case, all in one vertex type: one statement counts those found
                row = session.cursor.execute(
                    f"SELECT count(*) FROM json_each(?1) j JOIN {type_def.table} v "
                    "ON v.pos = j.value - ?2",  # a join: 2x faster than IN (json_each)
                    (codec.dumps(list(distinct)), pack_rid(bucket, 0)),
                ).fetchall()
                if row[0][0] == len(distinct):
                    return []
        by_bucket: dict[int, set[int]] = {}
        for rid in packed:
            bucket, position = unpack_rid(rid)
            by_bucket.setdefault(bucket, set()).add(position)
        missing: list[int] = []
        for bucket, positions in by_bucket.items():
            type_def = self.catalog.by_id.get(bucket)
            if type_def is None or type_def.kind != "vertex":
                missing.extend(pack_rid(bucket, p) for p in positions)
                continue
            wanted = sorted(positions)
            found: set[int] = set()
            for start in range(0, len(wanted), 10_000):
                part = wanted[start:start + 10_000]
                found.update(row[0] for row in session.cursor.execute(
                    f"SELECT pos FROM {type_def.table} WHERE pos IN ({','.join('?' * len(part))})",
                    part,
                ))  # fmt: skip
            missing.extend(pack_rid(bucket, p) for p in wanted if p not in found)
        return missing


def raise_not_found(rid: RID) -> None:
    raise RecordNotFoundError(f"Record {rid} not found")


def raise_validation(message: str) -> None:
    raise ValidationError(message)


__all__ = ["ROWS_PER_INSERT", "RecordsPart"]
