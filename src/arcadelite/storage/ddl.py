"""The catalog and schema changes: types, properties and indexes, kept in SQLite's own tables.

Layout inside the file: ``al_meta``, ``al_types``, ``al_properties``, ``al_indexes`` hold the
catalog; ``t<id>`` is the table of a type (the type id is its bucket id), edge tables with covering
indexes on ``out_rid``/``in_rid``; ``x<n>_<type id>`` are the SQLite expression indexes on
``json_extract(body, '$.prop')`` implementing a user index on every table of the indexed type and
its subtypes. Every change runs inside ``writing(schema=True)``: a savepoint inside a transaction,
a transaction of its own outside one; the in-memory ``Catalog`` is rebuilt after it.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

import apsw

from ..exceptions import DuplicatedKeyError, SchemaError, ValidationError
from ..rid import RID
from ..vocabulary import (
    CONSTRAINTS,
    INDEX_KINDS,
    PROPERTY_TYPES,
    RECORD_KINDS,
    normalize_property_type,
)
from . import codec, vectors
from .catalog import Catalog, IndexDef, PropertyDef, TypeDef
from .catalog import convert as convert_value
from .records import RecordsPart
from .sessions import Session
from .sqltext import field_sql, json_path, sql_index_name

FORMAT_VERSION = "1"
#: The JSON types (SQLite's json_type) a declared property's values are stored as when no
#: conversion is needed; other types, and tagged values, are checked by _conform_stored_values.
_NATIVE_JSON_TYPES = {
    **dict.fromkeys(("BYTE", "SHORT", "INTEGER", "LONG"), ("integer",)),
    **dict.fromkeys(("FLOAT", "DOUBLE"), ("real",)),
    "BOOLEAN": ("true", "false"),
    "STRING": ("text",),
}

_CATALOG_DDL = """
CREATE TABLE IF NOT EXISTS al_meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS al_types(
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
    supertypes TEXT NOT NULL DEFAULT '[]', custom TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS al_properties(
    type_id INTEGER NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, of_type TEXT,
    constraints TEXT NOT NULL DEFAULT '{}', PRIMARY KEY(type_id, name));
CREATE TABLE IF NOT EXISTS al_indexes(
    name TEXT PRIMARY KEY, type_name TEXT NOT NULL, properties TEXT NOT NULL,
    is_unique INTEGER NOT NULL, kind TEXT NOT NULL, null_strategy TEXT NOT NULL);
"""


#: al_meta keys ``deferred_adjacency:<edge table>`` mark adjacency indexes a bulk load dropped
_DEFERRED_KEY = "deferred_adjacency:"
_DEFERRED_RANGE = (_DEFERRED_KEY, _DEFERRED_KEY[:-1] + ";")  # every key with that prefix


def _adjacency_indexes(table: str, if_not_exists: bool = False) -> list[str]:
    """The two covering indexes every edge table has: by out vertex and by in vertex."""
    guard = "IF NOT EXISTS " if if_not_exists else ""
    return [f"CREATE INDEX {guard}{table}_out ON {table}(out_rid, in_rid)",
            f"CREATE INDEX {guard}{table}_in ON {table}(in_rid, out_rid)"]  # fmt: skip


class SchemaPart(RecordsPart):
    """The catalog and schema changes: the third part of ``Storage`` (see state.py)."""

    def _create_catalog(self) -> None:
        conn = self.main.conn
        # Not `with conn:` (a savepoint): on a full disk SQLite rolls the transaction back by
        # itself, and the savepoint's rollback would then hide the real error.
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(_CATALOG_DDL)
            conn.execute(
                "INSERT OR REPLACE INTO al_meta VALUES ('format', ?)", (FORMAT_VERSION,)
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _load_catalog(self) -> None:
        conn = self.session().conn
        catalog = Catalog()
        rows = cast("list[tuple[int, str, str, str, str]]", conn.execute(
            "SELECT id, name, kind, supertypes, custom FROM al_types").fetchall())  # fmt: skip
        for type_id, name, kind, supertypes, custom in rows:
            catalog.add_type(
                TypeDef(type_id, name, kind, codec.loads(supertypes), custom=codec.loads(custom))
            )
        for type_id, name, ptype, of_type, constraints in conn.execute(
            "SELECT type_id, name, type, of_type, constraints FROM al_properties"
        ):
            prop = PropertyDef(name, ptype, of_type, **_decode_constraints(constraints))
            catalog.by_id[type_id].properties[name] = prop
        for name, type_name, props, unique, kind, nulls in conn.execute(
            "SELECT name, type_name, properties, is_unique, kind, null_strategy FROM al_indexes"
        ):
            catalog.indexes[name] = IndexDef(
                name, type_name, tuple(codec.loads(props)), bool(unique), kind, nulls
            )
        for name, config in vectors.load_configs(conn).items():
            if name in catalog.indexes:
                catalog.indexes[name].vector = config
        catalog.rebuild()
        self.catalog = catalog

    def _changed(self) -> None:
        self.catalog.rebuild()

    def get_type(self, name: str) -> TypeDef:
        self.check_open()
        return self.catalog.get(name)

    # --- deferred adjacency indexes (bulk edge loads) -----------------------------------------

    def edge_rows_estimate(self, session: Session, type_def: TypeDef) -> int:
        """About how many rows an edge table holds (its highest position: one index seek)."""
        row = session.conn.execute(f"SELECT max(pos) FROM {type_def.table}").fetchone()
        return int(row[0] or 0) if row else 0

    def defer_edge_indexes(self, session: Session, type_def: TypeDef) -> bool:
        """Drop an edge type's two adjacency indexes for a bulk load, inside the session's open
        write transaction, with a marker row in ``al_meta`` written by the same transaction.

        Both commit (or roll back) together: a crash before ``restore_edge_indexes`` leaves the
        marker, and the next open builds the indexes again (a load in one transaction restores
        them before its commit: nothing to repair). Returns False (and changes nothing)
        when another loader deferred them already (it restores them).
        """
        key = _DEFERRED_KEY + type_def.table
        cur = session.cursor
        if cur.execute("SELECT 1 FROM al_meta WHERE key = ?", (key,)).fetchall():
            return False
        cur.execute(f"DROP INDEX IF EXISTS {type_def.table}_out")
        cur.execute(f"DROP INDEX IF EXISTS {type_def.table}_in")
        cur.execute("INSERT INTO al_meta VALUES (?, 'deferred')", (key,))
        return True

    def restore_edge_indexes(self, session: Session, tables: list[str] | None = None) -> list[str]:
        """Build the adjacency indexes a bulk load deferred (those of ``tables``, or every one a
        marker names) and delete their markers, one transaction of its own per table; returns
        the tables rebuilt. The build sorts on disk (``temp_store=FILE``): 2x faster than
        arcadelite's in-memory temp store at 10M edges, and with a small, flat memory peak.
        """
        conn = session.conn
        marked = [str(key)[len(_DEFERRED_KEY):] for (key,) in conn.execute(
            "SELECT key FROM al_meta WHERE key >= ? AND key < ?", _DEFERRED_RANGE).fetchall()]  # fmt: skip
        wanted = [t for t in marked if tables is None or t in tables]
        if not wanted:
            return []
        existing = {name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}  # fmt: skip
        on_disk = not conn.in_transaction  # SQLite refuses the change inside a transaction
        if on_disk:
            conn.execute("PRAGMA temp_store=FILE")
        try:
            for table in wanted:  # inside the session's transaction when one is open
                with self.writing(session, schema=True) as s:
                    if table in existing:  # else its type was dropped meanwhile
                        for sql in _adjacency_indexes(table, if_not_exists=True):
                            s.cursor.execute(sql)
                    s.cursor.execute("DELETE FROM al_meta WHERE key = ?", (_DEFERRED_KEY + table,))
        finally:
            if on_disk:
                conn.execute("PRAGMA temp_store=MEMORY")
        return wanted

    # --- types --------------------------------------------------------------------------------

    def create_type(
        self,
        session: Session,
        name: str,
        kind: str,
        supertypes: list[str] | tuple[str, ...] = (),
        if_not_exists: bool = False,
    ) -> TypeDef:
        if kind not in RECORD_KINDS:
            raise SchemaError(f"Unknown type kind '{kind}'")
        if not isinstance(name, str) or not name.strip() or "`" in name:
            raise SchemaError(f"Invalid type name {name!r}")
        existing = self.catalog.types.get(name)
        if existing is not None:
            if if_not_exists and existing.kind == kind:
                return existing
            if existing.kind != kind:
                raise SchemaError(
                    f"Type '{name}' already exists as a {existing.kind} type, not a {kind} type"
                )
            raise SchemaError(f"Type '{name}' already exists")
        supertypes = list(supertypes)
        for parent in supertypes:
            parent_def = self.catalog.get(parent)
            if parent_def.kind != kind:
                raise SchemaError(
                    f"Type '{name}' ({kind}) cannot extend '{parent}', a {parent_def.kind} type"
                )
        with self.writing(session, schema=True) as s:
            cur = s.cursor
            cur.execute(
                "INSERT INTO al_types(name, kind, supertypes) VALUES (?, ?, ?)",
                (name, kind, codec.dumps(supertypes)),
            )
            type_id = s.conn.last_insert_rowid()
            type_def = TypeDef(type_id, name, kind, supertypes)
            extra = ", out_rid INTEGER NOT NULL, in_rid INTEGER NOT NULL" if kind == "edge" else ""
            cur.execute(
                f"CREATE TABLE {type_def.table}(pos INTEGER PRIMARY KEY AUTOINCREMENT, "
                f"body TEXT NOT NULL, tags TEXT{extra})"
            )
            if kind == "edge":
                for sql in _adjacency_indexes(type_def.table):
                    cur.execute(sql)
            self.catalog.add_type(type_def)
            self._changed()
            for index in type_def.indexes:
                self._create_sql_index(s, index, type_def)
        return type_def

    def drop_type(self, session: Session, name: str, if_exists: bool = False,
                  unsafe: bool = False) -> None:  # fmt: skip
        if if_exists and name not in self.catalog.types:
            return
        type_def = self.catalog.get(name)
        subtypes = [t.name for t in type_def.polymorphic if t is not type_def]
        if subtypes:
            raise SchemaError(
                f"Cannot drop type '{name}': it has subtypes ({', '.join(subtypes)})"
            )
        if type_def.kind == "vertex" and not unsafe and self.count(session, type_def, False):
            # Dropping vertices would orphan their edges; ArcadeDB asks for UNSAFE here.
            if self.has_edges(session, type_def):
                raise SchemaError(
                    f"Cannot drop vertex type '{name}': its vertices have edges "
                    "(delete them first, or use DROP TYPE ... UNSAFE)"
                )
        with self.writing(session, schema=True) as s:
            cur = s.cursor
            for index in type_def.indexes:
                if index.vector is not None and index.type_name != name:
                    vectors.forget_type(cur, index, type_def)  # a supertype's vector index
            for index in [ix for ix in self.catalog.indexes.values() if ix.type_name == name]:
                if index.vector is not None:
                    vectors.drop(cur, index, [])
                cur.execute("DELETE FROM al_indexes WHERE name = ?", (index.name,))
                del self.catalog.indexes[index.name]
            cur.execute(f"DROP TABLE {type_def.table}")
            cur.execute("DELETE FROM al_properties WHERE type_id = ?", (type_def.id,))
            cur.execute("DELETE FROM al_types WHERE id = ?", (type_def.id,))
            del self.catalog.types[name]
            del self.catalog.by_id[type_def.id]
            self._changed()

    def alter_type(self, session: Session, name: str, attribute: str, value: Any) -> TypeDef:
        type_def = self.catalog.get(name)
        attribute = attribute.lower()
        with self.writing(session, schema=True) as s:
            if attribute == "supertype":
                text = str(value).strip()
                remove = text.startswith("-")
                parent = text.lstrip("+-").strip()
                if remove:
                    if parent in type_def.supertypes:
                        type_def.supertypes.remove(parent)
                else:
                    parent_def = self.catalog.get(parent)
                    if parent_def.kind != type_def.kind or type_def.name in parent_def.ancestors:
                        raise SchemaError(f"Type '{name}' cannot extend '{parent}'")
                    if parent not in type_def.supertypes:
                        type_def.supertypes.append(parent)
                s.cursor.execute(
                    "UPDATE al_types SET supertypes = ? WHERE id = ?",
                    (codec.dumps(type_def.supertypes), type_def.id),
                )
            elif attribute == "name":
                new_name = str(value)
                if new_name in self.catalog.types:
                    raise SchemaError(f"Type '{new_name}' already exists")
                s.cursor.execute("UPDATE al_types SET name = ? WHERE id = ?", (new_name, type_def.id))
                for other in self.catalog.types.values():
                    if name in other.supertypes:
                        other.supertypes[other.supertypes.index(name)] = new_name
                        s.cursor.execute(
                            "UPDATE al_types SET supertypes = ? WHERE id = ?",
                            (codec.dumps(other.supertypes), other.id),
                        )
                del self.catalog.types[name]
                type_def.name = new_name
                self.catalog.types[new_name] = type_def
            elif attribute == "custom":
                key, custom_value = value
                type_def.custom[key] = custom_value
                s.cursor.execute(
                    "UPDATE al_types SET custom = ? WHERE id = ?",
                    (codec.dumps(type_def.custom), type_def.id),
                )
            else:
                raise SchemaError(f"Unknown type attribute '{attribute}' for ALTER TYPE {name}")
            self._changed()
        return type_def

    # --- properties ---------------------------------------------------------------------------

    def create_property(
        self,
        session: Session,
        type_name: str,
        name: str,
        property_type: Any,
        of_type: str | None = None,
        if_not_exists: bool = False,
        constraints: dict[str, Any] | None = None,
    ) -> PropertyDef:
        type_def = self.catalog.get(type_name)
        ptype = normalize_property_type(property_type)
        if of_type is not None:
            of_type = str(getattr(of_type, "value", of_type))
            if ptype not in ("LIST", "MAP", "LINK"):
                raise SchemaError(f"'OF {of_type}' applies to LIST, MAP or LINK, not {ptype}")
            if of_type.upper() in ("INT", "BOOL") or of_type.upper() in PROPERTY_TYPES:
                of_type = normalize_property_type(of_type)
            elif of_type not in self.catalog.types:
                raise SchemaError(f"Unknown type '{of_type}' in {type_name}.{name} OF {of_type}")
        if name in type_def.properties:
            if if_not_exists:
                return type_def.properties[name]
            raise SchemaError(f"Property '{type_name}.{name}' already exists")
        if not isinstance(name, str) or not name or name.startswith("@"):
            raise SchemaError(f"Invalid property name {name!r}")
        prop = PropertyDef(name, ptype, of_type)
        for key, value in (constraints or {}).items():
            set_constraint(prop, key, value, type_name)
        with self.writing(session, schema=True) as s:
            s.cursor.execute(
                "INSERT INTO al_properties(type_id, name, type, of_type, constraints) "
                "VALUES (?, ?, ?, ?, ?)",
                (type_def.id, name, ptype, of_type, _encode_constraints(prop.constraints())),
            )
            type_def.properties[name] = prop
            self._changed()
            try:
                self._conform_stored_values(s, type_def, prop)
            except BaseException:
                del type_def.properties[name]
                self._changed()
                raise
        return prop

    def _conform_stored_values(self, session: Session, type_def: TypeDef,
                               prop: PropertyDef) -> None:  # fmt: skip
        """Make the values records already hold for a newly declared (or retyped) property
        read as its type: a value that cannot be converted is an error naming its record (as
        ArcadeDB refuses such a CREATE PROPERTY), one stored as another kind is converted (so
        SQLite filters may trust the declared type). Only rows that may differ are read."""
        path = json_path(prop.name)
        native = _NATIVE_JSON_TYPES.get(prop.type)
        suspect = f"json_type(body, {path}) NOT IN ('null')"
        if native is not None:
            allowed = ", ".join(f"'{t}'" for t in native)
            suspect += f" AND (json_type(body, {path}) NOT IN ({allowed}) OR tags IS NOT NULL)"
        for target in type_def.polymorphic:
            rows = cast("list[tuple[int, str, str | None]]", session.cursor.execute(
                f"SELECT pos, body, tags FROM {target.table} WHERE {suspect}"
            ).fetchall())  # fmt: skip
            changed = []
            for position, body, tags in rows:
                props = codec.decode_record(body, tags)
                value = props[prop.name]
                try:
                    converted = convert_value(prop, value, target.name)
                except ValidationError as exc:
                    raise SchemaError(
                        f"Cannot declare '{type_def.name}.{prop.name}' as {prop.type}: record "
                        f"{RID(target.id, position)} holds {value!r}, which cannot be read as "
                        f"one ({exc})"
                    ) from None
                if type(converted) is not type(value) or converted != value:
                    props[prop.name] = converted
                    changed.append((*codec.encode_record(props), position))
            if changed:
                self.update_rows(session, target, changed)

    def alter_property(self, session: Session, type_name: str, name: str, attribute: str,
                       value: Any) -> PropertyDef:  # fmt: skip
        type_def = self.catalog.get(type_name)
        prop = type_def.properties.get(name)
        if prop is None:
            raise SchemaError(f"Property '{type_name}.{name}' does not exist")
        attribute = attribute.lower()
        with self.writing(session, schema=True) as s:
            if attribute == "type":
                old_type, prop.type = prop.type, normalize_property_type(value)
                try:
                    self._conform_stored_values(s, type_def, prop)
                except BaseException:
                    prop.type = old_type
                    raise
            else:
                set_constraint(prop, attribute, value, type_name)
            s.cursor.execute(
                "UPDATE al_properties SET type = ?, constraints = ? WHERE type_id = ? AND name = ?",
                (prop.type, _encode_constraints(prop.constraints()), type_def.id, name),
            )
            self._changed()
        return prop

    def drop_property(self, session: Session, type_name: str, name: str, if_exists: bool = False,
                      force: bool = False) -> None:  # fmt: skip
        type_def = self.catalog.get(type_name)
        if name not in type_def.properties:
            if if_exists:
                return
            raise SchemaError(f"Property '{type_name}.{name}' does not exist")
        using = [ix.name for ix in self.catalog.indexes.values()
                 if ix.type_name == type_name and name in ix.properties]  # fmt: skip
        if using and not force:
            raise SchemaError(
                f"Cannot drop property '{type_name}.{name}': used by index {', '.join(using)} "
                "(drop the index first, or use FORCE)"
            )
        with self.writing(session, schema=True) as s:
            for index_name in using:
                self._drop_index(s, index_name)
            s.cursor.execute(
                "DELETE FROM al_properties WHERE type_id = ? AND name = ?", (type_def.id, name)
            )
            del type_def.properties[name]
            self._changed()

    # --- indexes ------------------------------------------------------------------------------

    def create_index(
        self,
        session: Session,
        type_name: str,
        properties: list[str] | tuple[str, ...],
        unique: bool = False,
        kind: str = "LSM_TREE",
        if_not_exists: bool = False,
        name: str | None = None,
        null_strategy: str = "SKIP",
        vector: dict[str, Any] | None = None,
    ) -> IndexDef:
        """``vector``: an LSM_VECTOR index's configuration (``dimensions`` at least)."""
        type_def = self.catalog.get(type_name)
        kind = str(getattr(kind, "value", kind)).upper()
        if kind == "FULL_TEXT" and unique:
            raise SchemaError("A FULL_TEXT index cannot be unique")
        if kind not in INDEX_KINDS:
            raise SchemaError(f"Unknown index type '{kind}': expected one of {', '.join(INDEX_KINDS)}")
        if isinstance(properties, str):
            properties = [properties]
        properties = tuple(properties)
        if not properties:
            raise SchemaError(f"An index on '{type_name}' needs at least one property")
        for prop in properties:
            if prop not in type_def.all_properties:
                raise SchemaError(
                    f"Cannot index '{type_name}.{prop}': the property is not declared "
                    f"(CREATE PROPERTY {type_name}.{prop} <type> first)"
                )
        index_name = name or f"{type_name}[{','.join(properties)}]"
        existing = self.catalog.indexes.get(index_name)
        if existing is None:
            existing = next(
                (ix for ix in self.catalog.indexes.values()
                 if ix.type_name == type_name and ix.properties == properties),
                None,
            )  # fmt: skip
        if existing is not None:
            if if_not_exists:
                return existing
            raise SchemaError(f"Index '{existing.name}' already exists")
        if (kind == "LSM_VECTOR") != (vector is not None) or (vector and len(properties) != 1):
            raise SchemaError(f"An LSM_VECTOR index needs one property and its configuration "
                              f"(index on '{type_name}')")
        if vector is not None:  # a new index is never mistaken for a dropped one's snapshot
            vector = {**vector, "nonce": uuid.uuid4().hex}
        index = IndexDef(index_name, type_name, properties, bool(unique), kind,
                         str(null_strategy).upper(), vector)  # fmt: skip
        with self.writing(session, schema=True) as s:
            if vector is not None:
                vectors.create_table(s.cursor, index, vector)
            s.cursor.execute(
                "INSERT INTO al_indexes(name, type_name, properties, is_unique, kind, null_strategy) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (index.name, type_name, codec.dumps(list(properties)), int(index.unique), kind,
                 index.null_strategy),
            )  # fmt: skip
            self.catalog.indexes[index.name] = index
            self._changed()
            try:
                for target in type_def.polymorphic:
                    self._create_sql_index(s, index, target)
                if index.unique and len(type_def.polymorphic) > 1:
                    self._check_no_duplicates_across(s, index, type_def.polymorphic)
            except apsw.ConstraintError as exc:
                del self.catalog.indexes[index.name]
                self._changed()
                raise DuplicatedKeyError(
                    f"Cannot create unique index '{index.name}': existing records of "
                    f"'{type_name}' share a key",
                    index.name,
                ) from exc
        return index

    def _check_no_duplicates_across(self, s: Session, index: IndexDef,
                                    targets: list[TypeDef]) -> None:  # fmt: skip
        """Raise apsw.ConstraintError when two records of different tables share a unique key."""
        columns = ", ".join(f"{field_sql(p)} AS k{i}" for i, p in enumerate(index.properties))
        not_null = " AND ".join(f"{field_sql(p)} IS NOT NULL" for p in index.properties)
        keys = ", ".join(f"k{i}" for i in range(len(index.properties)))
        union = " UNION ALL ".join(
            f"SELECT {columns} FROM {t.table} WHERE {not_null}" for t in targets
        )
        rows = s.cursor.execute(
            f"SELECT {keys} FROM ({union}) GROUP BY {keys} HAVING count(*) > 1 LIMIT 1"
        ).fetchall()
        if rows:
            raise apsw.ConstraintError(f"duplicate key {list(rows[0])!r} across the subtypes")

    def _create_sql_index(self, s: Session, index: IndexDef, target: TypeDef) -> None:
        if index.vector is not None:  # kept by triggers, not by a SQLite index
            vectors.create_triggers(s.cursor, index, target, int(index.vector["dimensions"]))
            return
        columns = ", ".join(field_sql(p) for p in index.properties)
        unique = "UNIQUE " if index.unique else ""
        where = ""
        if index.unique and index.null_strategy == "SKIP":
            where = " WHERE " + " AND ".join(f"{field_sql(p)} IS NOT NULL" for p in index.properties)
        s.cursor.execute(
            f"CREATE {unique}INDEX {sql_index_name(index.name, target.id)} "
            f"ON {target.table}({columns}){where}"
        )

    def drop_index(self, session: Session, name: str, if_exists: bool = False) -> None:
        if name not in self.catalog.indexes:
            if if_exists:
                return
            raise SchemaError(f"Index '{name}' does not exist")
        with self.writing(session, schema=True) as s:
            self._drop_index(s, name)
            self._changed()

    def _drop_index(self, s: Session, name: str) -> None:
        index = self.catalog.indexes[name]
        if index.vector is not None:
            vectors.drop(s.cursor, index, self.catalog.get(index.type_name).polymorphic)
        for target in self.catalog.get(index.type_name).polymorphic:
            s.cursor.execute(f"DROP INDEX IF EXISTS {sql_index_name(index.name, target.id)}")
        s.cursor.execute("DELETE FROM al_indexes WHERE name = ?", (name,))
        del self.catalog.indexes[name]

    def rebuild_index(self, session: Session, name: str) -> None:
        if name != "*" and name not in self.catalog.indexes:
            raise SchemaError(f"Index '{name}' does not exist")
        names = list(self.catalog.indexes) if name == "*" else [name]
        with self.writing(session, schema=True) as s:
            for index_name in names:
                index = self.catalog.indexes[index_name]
                if index.vector is not None:
                    continue  # its table is the records' own copy: nothing to rebuild
                for target in self.catalog.get(index.type_name).polymorphic:
                    s.cursor.execute(f"REINDEX {sql_index_name(index.name, target.id)}")

    def index_for(self, type_def: TypeDef, properties: tuple[str, ...]) -> IndexDef | None:
        for index in type_def.indexes:
            if index.properties == properties and index.vector is None:
                return index
        return None

    def indexes_named_in(self, text: str) -> list[str]:
        """The user indexes whose SQLite indexes a query plan line names (for EXPLAIN)."""
        found = []
        for index in self.catalog.indexes.values():
            for target in self.catalog.get(index.type_name).polymorphic:
                if sql_index_name(index.name, target.id) in text and index.name not in found:
                    found.append(index.name)
        return found


def _encode_constraints(constraints: dict[str, Any]) -> str:
    """Catalog text of a property's constraints; values JSON lacks (a bytes or Decimal default,
    a date bound) are kept with their codec tags so that they come back as they were set."""
    body, tags = codec.encode_record(constraints)
    return body if tags is None else codec.dumps({"@encoded": [body, tags]})


def _decode_constraints(text: str) -> dict[str, Any]:
    data = codec.loads(text)
    if "@encoded" in data:
        return codec.decode_record(*data["@encoded"])
    return data


def set_constraint(prop: PropertyDef, key: str, value: Any, type_name: str) -> None:
    key = key.lower()
    if key not in CONSTRAINTS:
        raise SchemaError(
            f"Unknown property constraint '{key}' on {type_name}.{prop.name}: expected one of "
            f"{', '.join(CONSTRAINTS)}"
        )
    if key in ("mandatory", "notnull", "readonly"):
        if not isinstance(value, bool):
            raise SchemaError(f"Constraint '{key}' of {type_name}.{prop.name} takes true or false")
    setattr(prop, key, value)


__all__ = ["FORMAT_VERSION", "SchemaPart", "set_constraint"]
