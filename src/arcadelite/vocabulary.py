"""The schema vocabulary, in one place: record kinds, property types, index types, constraints.

Everything that names a type reads it from here: the SQL parser (which also recognises the names
ArcadeDB has and arcadelite does not store, so that the schema can refuse them by name), the
catalog, the schema API (``PropertyType``, ``IndexType``), the SQL DDL statements and the dump
importer/exporter (ArcadeDB's spellings in its schema JSON). A leaf module: it imports nothing of
arcadelite but the exceptions.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from .exceptions import SchemaError

#: The kinds of record, as the catalog stores them; the words SQL uses; the codes of a dump.
RECORD_KINDS = ("document", "vertex", "edge")
SQL_KIND_WORDS = {"DOCUMENT": "document", "VERTEX": "vertex", "EDGE": "edge"}
KIND_CODES = {"document": "d", "vertex": "v", "edge": "e"}
CODE_KINDS = {code: kind for kind, code in KIND_CODES.items()}


class PropertyType(str, Enum):
    """The types a declared property can have (``db.schema.create_property``)."""

    BOOLEAN = "BOOLEAN"
    BYTE = "BYTE"
    SHORT = "SHORT"
    INTEGER = "INTEGER"
    LONG = "LONG"
    FLOAT = "FLOAT"
    DOUBLE = "DOUBLE"
    DECIMAL = "DECIMAL"
    STRING = "STRING"
    BINARY = "BINARY"
    DATE = "DATE"
    DATETIME = "DATETIME"
    EMBEDDED = "EMBEDDED"
    LIST = "LIST"
    MAP = "MAP"
    LINK = "LINK"
    ARRAY_OF_FLOATS = "ARRAY_OF_FLOATS"


class IndexType(str, Enum):
    """The kinds of index (``db.schema.create_index(..., index_type=...)``)."""

    LSM_TREE = "LSM_TREE"
    FULL_TEXT = "FULL_TEXT"
    LSM_VECTOR = "LSM_VECTOR"


#: The property types arcadelite stores, in declaration order.
PROPERTY_TYPES: tuple[str, ...] = tuple(member.value for member in PropertyType)
#: Other spellings the schema API accepts for them.
PROPERTY_TYPE_ALIASES = {"INT": "INTEGER", "BOOL": "BOOLEAN", "TEXT": "STRING", "BYTES": "BINARY",
                         "EMBEDDEDLIST": "LIST", "EMBEDDEDMAP": "MAP", "DATE_TIME": "DATETIME"}  # fmt: skip
#: ArcadeDB's property types that arcadelite does not store: SQL parses them, the schema refuses
#: them by name.
ARCADEDB_ONLY_PROPERTY_TYPES = frozenset(
    """DATETIME_MICROS DATETIME_NANOS DATETIME_SECOND ARRAY_OF_SHORTS ARRAY_OF_INTEGERS
    ARRAY_OF_LONGS ARRAY_OF_DOUBLES""".split()
)
#: The property type names SQL's ``CREATE PROPERTY`` reads.
SQL_PROPERTY_TYPES = frozenset(PROPERTY_TYPES) | ARCADEDB_ONLY_PROPERTY_TYPES

#: The index kinds arcadelite builds.
INDEX_KINDS: tuple[str, ...] = tuple(member.value for member in IndexType)
#: SQL ``CREATE INDEX ... <type>``: (unique, index kind), or None for ArcadeDB's index types that
#: arcadelite does not build (parsed, then refused by name).
SQL_INDEX_TYPES: dict[str, tuple[bool, str] | None] = {
    "UNIQUE": (True, "LSM_TREE"), "NOTUNIQUE": (False, "LSM_TREE"),
    "UNIQUE_HASH": (True, "LSM_TREE"), "NOTUNIQUE_HASH": (False, "LSM_TREE"),
    "FULL_TEXT": (False, "FULL_TEXT"), "HNSW": None, "LSM_VECTOR": None, "GEOSPATIAL": None,
}  # fmt: skip
#: How a unique index treats null keys (SQL ``NULL_STRATEGY``).
NULL_STRATEGIES = frozenset({"SKIP", "ERROR", "INDEX"})

#: Property constraints arcadelite keeps; the boolean ones among them.
CONSTRAINTS = ("mandatory", "notnull", "readonly", "min", "max", "default", "regexp")
FLAG_CONSTRAINTS = ("mandatory", "notnull", "readonly")
#: The constraint names SQL reads (ArcadeDB's ``hidden`` is parsed, then refused by name).
SQL_CONSTRAINTS = frozenset(CONSTRAINTS) | {"hidden"}

#: arcadelite property type -> the name ArcadeDB's schema JSON uses, where they differ.
ARCADEDB_TYPE_NAMES = {"ARRAY_OF_FLOATS": "FLOAT[]", "EMBEDDED": "MAP"}
#: ArcadeDB's schema JSON type -> (arcadelite property type, element type), where they differ.
FROM_ARCADEDB_TYPES: dict[str, tuple[str, str | None]] = {
    "FLOAT[]": ("ARRAY_OF_FLOATS", None), "DATETIME_SECOND": ("DATETIME", None),
    "DATETIME_MICROS": ("DATETIME", None), "DATETIME_NANOS": ("DATETIME", None),
    "INTEGER[]": ("LIST", "INTEGER"), "LONG[]": ("LIST", "LONG"), "SHORT[]": ("LIST", "SHORT"),
    "DOUBLE[]": ("LIST", "DOUBLE"), "BYTE[]": ("LIST", "BYTE"),
}  # fmt: skip
#: ArcadeDB's scalar and container type names (an element type outside them names a record type).
ARCADEDB_VALUE_TYPES = (frozenset(PROPERTY_TYPES) - {"ARRAY_OF_FLOATS"}) | {
    "DATETIME_SECOND", "DATETIME_MICROS", "DATETIME_NANOS"}  # fmt: skip


def normalize_property_type(name: Any) -> str:
    """Accept a PropertyType member or a name in any case; error naming it otherwise."""
    text = str(getattr(name, "value", name)).strip().upper()
    text = PROPERTY_TYPE_ALIASES.get(text, text)
    if text not in PROPERTY_TYPES:
        raise SchemaError(
            f"Unknown property type '{name}': expected one of {', '.join(PROPERTY_TYPES)}"
        )
    return text


__all__ = [
    "ARCADEDB_ONLY_PROPERTY_TYPES", "ARCADEDB_TYPE_NAMES", "ARCADEDB_VALUE_TYPES", "CODE_KINDS",
    "CONSTRAINTS", "FLAG_CONSTRAINTS", "FROM_ARCADEDB_TYPES", "INDEX_KINDS", "IndexType",
    "KIND_CODES", "NULL_STRATEGIES", "PROPERTY_TYPES", "PROPERTY_TYPE_ALIASES", "PropertyType",
    "RECORD_KINDS", "SQL_CONSTRAINTS", "SQL_INDEX_TYPES", "SQL_KIND_WORDS", "SQL_PROPERTY_TYPES",
    "normalize_property_type",
]  # fmt: skip
