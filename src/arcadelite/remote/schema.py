"""The schema API of remote mode, as DDL statements and ``schema:`` queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..exceptions import SchemaError
from .records import quote_name

if TYPE_CHECKING:
    from .database import RemoteDatabase


@dataclass
class RemoteType:
    name: str
    kind: str  # "document", "vertex" or "edge"
    supertypes: list[str] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)  # name -> type

    def get_name(self) -> str:
        return self.name


@dataclass
class RemoteIndex:
    name: str
    type_name: str
    properties: list[str]
    unique: bool
    index_type: str = "LSM_TREE"

    def get_name(self) -> str:
        return self.name

    def get_type_name(self) -> str:
        return self.type_name


def _type_text(value: Any) -> str:
    text = getattr(value, "name", None) or getattr(value, "value", None) or value
    return str(text).upper()


class RemoteSchema:
    """Types, properties and indexes of a remote database."""

    def __init__(self, db: RemoteDatabase) -> None:
        self._db = db
        self._kinds: dict[str, str] = {}  # type name -> kind, as last read (types are not renamed)

    def _types(self) -> dict[str, RemoteType]:
        rows = self._db._statement("query", "sql", "SELECT FROM schema:types", {})
        types = {}
        for row in rows:
            props = {str(p.get("name")): str(p.get("type")) for p in row.get("properties") or []
                     if isinstance(p, dict)}  # fmt: skip
            types[row["name"]] = RemoteType(row["name"], row.get("type", "document"),
                                            list(row.get("parentTypes") or []), props)  # fmt: skip
        self._kinds = {name: t.kind for name, t in types.items()}
        return types

    def _kind(self, name: str) -> str | None:
        """The kind of a type: from the last read, read again when unknown (new_vertex's check)."""
        kind = self._kinds.get(name)
        if kind is None:
            found = self._types().get(name)
            kind = found.kind if found else None
        return kind

    def get_types(self) -> list[RemoteType]:
        return list(self._types().values())

    def get_type(self, name: str) -> RemoteType | None:
        return self._types().get(name)

    def exists_type(self, name: str) -> bool:
        return name in self._types()

    def _create(self, kind: str, name: str, buckets: int | None, if_not_exists: bool) -> RemoteType:
        existing = self._types().get(name)
        if existing is not None:
            if not if_not_exists:
                raise SchemaError(f"Type '{name}' already exists")
            if existing.kind != kind:
                raise SchemaError(f"Type '{name}' exists as a {existing.kind} type, not {kind}")
            return existing
        text = f"CREATE {kind.upper()} TYPE {quote_name(name)}"
        if buckets:
            text += f" BUCKETS {int(buckets)}"
        self._db.command("sql", text)
        return RemoteType(name, kind)

    def create_document_type(self, name: str, buckets: int | None = None) -> RemoteType:
        return self._create("document", name, buckets, False)

    def create_vertex_type(self, name: str, buckets: int | None = None) -> RemoteType:
        return self._create("vertex", name, buckets, False)

    def create_edge_type(self, name: str, buckets: int | None = None) -> RemoteType:
        return self._create("edge", name, buckets, False)

    def get_or_create_document_type(self, name: str, buckets: int | None = None) -> RemoteType:
        return self._create("document", name, buckets, True)

    def get_or_create_vertex_type(self, name: str, buckets: int | None = None) -> RemoteType:
        return self._create("vertex", name, buckets, True)

    def get_or_create_edge_type(self, name: str, buckets: int | None = None) -> RemoteType:
        return self._create("edge", name, buckets, True)

    def drop_type(self, name: str) -> None:
        self._db.command("sql", f"DROP TYPE {quote_name(name)}")
        self._kinds.pop(name, None)

    def create_property(self, type_name: str, name: str, property_type: Any,
                        of_type: Any = None) -> None:  # fmt: skip
        text = f"CREATE PROPERTY {quote_name(type_name)}.{quote_name(name)} {_type_text(property_type)}"
        if of_type is not None:
            text += f" OF {quote_name(str(of_type)) if _type_text(property_type) == 'LINK' else _type_text(of_type)}"
        self._db.command("sql", text)

    def get_or_create_property(self, type_name: str, name: str, property_type: Any,
                               of_type: Any = None) -> None:  # fmt: skip
        found = self._types().get(type_name)
        if found is None or name not in found.properties:
            self.create_property(type_name, name, property_type, of_type)

    def drop_property(self, type_name: str, name: str) -> None:
        self._db.command("sql", f"DROP PROPERTY {quote_name(type_name)}.{quote_name(name)}")

    def get_indexes(self) -> list[RemoteIndex]:
        rows = self._db._statement("query", "sql", "SELECT FROM schema:indexes", {})
        indexes = []
        for row in rows:
            name = row.get("name", "")
            if "[" not in name:  # ArcadeDB also lists each bucket's sub-index
                continue
            props = row.get("properties") or []
            flat = [p[0] if isinstance(p, list) and p else p for p in props]
            indexes.append(RemoteIndex(name, row.get("typeName", ""), flat,
                                       bool(row.get("unique")), row.get("indexType", "LSM_TREE")))  # fmt: skip
        return indexes

    def _has_index(self, type_name: str, keys: tuple[str, ...]) -> bool:
        return any(ix.type_name == type_name and tuple(ix.properties) == keys
                   for ix in self.get_indexes())  # fmt: skip

    def exists_index(self, name: str) -> bool:
        return any(ix.name == name for ix in self.get_indexes())

    def get_index_by_name(self, name: str) -> RemoteIndex | None:
        return next((ix for ix in self.get_indexes() if ix.name == name), None)

    def create_index(self, type_name: str, property_names: list[str], unique: bool = False,
                     index_type: Any = "LSM_TREE") -> RemoteIndex:  # fmt: skip
        props = ", ".join(quote_name(p) for p in property_names)
        kind = _type_text(index_type)
        kind = ("UNIQUE" if unique else "NOTUNIQUE") if kind == "LSM_TREE" else kind
        self._db.command("sql", f"CREATE INDEX ON {quote_name(type_name)} ({props}) {kind}")
        name = f"{type_name}[{','.join(property_names)}]"
        return RemoteIndex(name, type_name, list(property_names), unique)

    def get_or_create_index(self, type_name: str, property_names: list[str], unique: bool = False,
                            index_type: Any = "LSM_TREE") -> RemoteIndex:  # fmt: skip
        name = f"{type_name}[{','.join(property_names)}]"
        return self.get_index_by_name(name) or self.create_index(type_name, property_names,
                                                                 unique, index_type)  # fmt: skip

    def drop_index(self, name: str, force: bool = False) -> None:
        self._db.command("sql", f"DROP INDEX `{name}`")
