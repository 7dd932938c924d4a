"""The schema API (``db.schema``): types, properties and indexes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .compat import IndexJavaNames, TypeJavaNames
from .exceptions import SchemaError
from .storage.catalog import IndexDef, PropertyDef, TypeDef
from .vocabulary import IndexType, PropertyType, normalize_property_type

if TYPE_CHECKING:
    from .database import Database
    from .vector_index import VectorIndex


class Property:
    """A declared property of a type."""

    def __init__(self, owner: str, definition: PropertyDef) -> None:
        self._owner = owner
        self._def = definition

    name = property(lambda self: self._def.name)
    type = property(lambda self: self._def.type)
    of_type = property(lambda self: self._def.of_type)

    def get_name(self) -> str:
        return self._def.name

    def get_type(self) -> str:
        return self._def.type

    def is_mandatory(self) -> bool:
        return self._def.mandatory

    def is_not_null(self) -> bool:
        return self._def.notnull

    def is_read_only(self) -> bool:
        return self._def.readonly

    def get_min(self) -> Any:
        return self._def.min

    def get_max(self) -> Any:
        return self._def.max

    def get_default_value(self) -> Any:
        return self._def.default

    def __repr__(self) -> str:
        return f"<Property {self._owner}.{self.name} {self.type}>"


class Index(IndexJavaNames):
    """An index over one or more properties of a type (and its subtypes)."""

    def __init__(self, definition: IndexDef) -> None:
        self._def = definition

    name = property(lambda self: self._def.name)
    type_name = property(lambda self: self._def.type_name)
    properties = property(lambda self: list(self._def.properties))
    unique = property(lambda self: self._def.unique)
    index_type = property(lambda self: IndexType(self._def.kind))

    def get_name(self) -> str:
        return self._def.name

    def get_type_name(self) -> str:
        return self._def.type_name

    def get_property_names(self) -> list[str]:
        return list(self._def.properties)

    def is_unique(self) -> bool:
        return self._def.unique

    def __repr__(self) -> str:
        return f"<Index {self.name}{' UNIQUE' if self.unique else ''}>"


class DocumentType(TypeJavaNames):
    """A type of the schema; VertexType and EdgeType are its vertex and edge kinds."""

    kind = "document"

    def __init__(self, schema: Schema, definition: TypeDef) -> None:
        self._schema = schema
        self._def = definition

    @property
    def name(self) -> str:
        return self._def.name

    def get_name(self) -> str:
        return self._def.name

    @property
    def supertypes(self) -> list[str]:
        return list(self._def.supertypes)

    def get_super_types(self) -> list[str]:
        return self.supertypes

    def get_subtypes(self) -> list[str]:
        return [t.name for t in self._def.polymorphic if t is not self._def]

    def is_subtype_of(self, name: str) -> bool:
        return self._def.is_a(name)

    @property
    def properties(self) -> list[Property]:
        return [Property(self.name, p) for p in self._def.all_properties.values()]

    def get_properties(self) -> list[Property]:
        return self.properties

    def get_property_names(self) -> list[str]:
        return list(self._def.all_properties)

    def get_property(self, name: str) -> Property | None:
        prop = self._def.all_properties.get(name)
        return None if prop is None else Property(self.name, prop)

    def exists_property(self, name: str) -> bool:
        return name in self._def.all_properties

    def create_property(self, name: str, property_type: Any, of_type: str | None = None) -> Property:
        return self._schema.create_property(self.name, name, property_type, of_type)

    def get_indexes(self) -> list[Index]:
        return [Index(ix) for ix in self._def.indexes]

    def get_bucket_ids(self) -> list[int]:
        return [self._def.id]

    def count(self, polymorphic: bool = True) -> int:
        return self._schema._db.count_type(self.name, polymorphic)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DocumentType) and other._def.id == self._def.id

    def __hash__(self) -> int:
        return hash(self._def.id)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class VertexType(DocumentType):
    kind = "vertex"


class EdgeType(DocumentType):
    kind = "edge"


_TYPE_CLASSES = {"document": DocumentType, "vertex": VertexType, "edge": EdgeType}


class Schema:
    """Schema operations; changes are transactional and take effect immediately."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def _storage(self) -> Any:
        return self._db._live_storage()

    def _wrap(self, definition: TypeDef) -> DocumentType:
        return _TYPE_CLASSES[definition.kind](self, definition)

    def _create(self, kind: str, name: str, buckets: Any, if_not_exists: bool,
                supertypes: Any = ()) -> DocumentType:  # fmt: skip
        storage = self._storage
        if isinstance(supertypes, str):
            supertypes = [supertypes]
        definition = storage.create_type(storage.session(), name, kind, supertypes, if_not_exists)
        return self._wrap(definition)

    def create_document_type(self, name: str, buckets: int | None = None,
                             supertypes: Any = ()) -> DocumentType:  # fmt: skip
        return self._create("document", name, buckets, False, supertypes)

    def create_vertex_type(self, name: str, buckets: int | None = None,
                           supertypes: Any = ()) -> DocumentType:  # fmt: skip
        return self._create("vertex", name, buckets, False, supertypes)

    def create_edge_type(self, name: str, buckets: int | None = None,
                         supertypes: Any = ()) -> DocumentType:  # fmt: skip
        return self._create("edge", name, buckets, False, supertypes)

    def get_or_create_document_type(self, name: str, buckets: int | None = None) -> DocumentType:
        return self._create("document", name, buckets, True)

    def get_or_create_vertex_type(self, name: str, buckets: int | None = None) -> DocumentType:
        return self._create("vertex", name, buckets, True)

    def get_or_create_edge_type(self, name: str, buckets: int | None = None) -> DocumentType:
        return self._create("edge", name, buckets, True)

    def drop_type(self, name: str, unsafe: bool = False) -> None:
        storage = self._storage
        storage.drop_type(storage.session(), name, unsafe=unsafe)

    def get_type(self, name: str) -> DocumentType | None:
        definition = self._storage.catalog.types.get(name)
        return None if definition is None else self._wrap(definition)

    def exists_type(self, name: str) -> bool:
        return name in self._storage.catalog.types

    def get_types(self) -> list[DocumentType]:
        return [self._wrap(t) for t in self._storage.catalog.types.values()]

    def create_property(self, type_name: str, name: str, property_type: Any,
                        of_type: str | None = None, **constraints: Any) -> Property:  # fmt: skip
        storage = self._storage
        storage.create_property(storage.session(), type_name, name, property_type, of_type,
                                constraints=constraints)  # fmt: skip
        return Property(type_name, storage.catalog.get(type_name).properties[name])

    def get_or_create_property(self, type_name: str, name: str, property_type: Any,
                               of_type: str | None = None) -> Property:  # fmt: skip
        storage = self._storage
        definition = storage.catalog.get(type_name).properties.get(name)
        if definition is not None:
            wanted = normalize_property_type(property_type)
            if definition.type != wanted:
                raise SchemaError(
                    f"Property '{type_name}.{name}' exists as {definition.type}, not {wanted}"
                )
            return Property(type_name, definition)
        return self.create_property(type_name, name, property_type, of_type)

    def drop_property(self, type_name: str, name: str) -> None:
        storage = self._storage
        storage.drop_property(storage.session(), type_name, name)

    def create_index(self, type_name: str, property_names: list[str] | str, unique: bool = False,
                     index_type: Any = IndexType.LSM_TREE) -> Index:  # fmt: skip
        storage = self._storage
        definition = storage.create_index(storage.session(), type_name, property_names, unique,
                                          index_type)  # fmt: skip
        return Index(definition)

    def get_or_create_index(self, type_name: str, property_names: list[str] | str,
                            unique: bool = False,
                            index_type: Any = IndexType.LSM_TREE) -> Index:  # fmt: skip
        storage = self._storage
        definition = storage.create_index(storage.session(), type_name, property_names, unique,
                                          index_type, if_not_exists=True)  # fmt: skip
        return Index(definition)

    def drop_index(self, name: str, force: bool = False) -> None:
        storage = self._storage
        index = storage.catalog.indexes.get(name)
        storage.drop_index(storage.session(), name)
        if index is not None and index.vector is not None:
            from .query.vectors import indexes_of

            indexes_of(storage).forget(name)

    def get_vector_index(self, type_name: str, property_name: str) -> VectorIndex | None:
        """The LSM_VECTOR index on ``type_name.property_name`` (or inherited from a supertype),
        None when there is none or the type does not exist."""
        from .vector_index import VectorIndex

        type_def = self._storage.catalog.types.get(type_name)
        if type_def is None:
            return None
        for index in type_def.indexes:
            if index.vector is not None and index.properties == (property_name,):
                return VectorIndex(self._db, index.name)
        return None

    def list_vector_indexes(self) -> list[str]:
        """The names of the LSM_VECTOR indexes (``'Type[property]'``)."""
        return sorted(ix.name for ix in self._storage.catalog.indexes.values()
                      if ix.vector is not None)  # fmt: skip

    def get_indexes(self) -> list[Index]:
        return [Index(ix) for ix in self._storage.catalog.indexes.values()]

    def exists_index(self, name: str) -> bool:
        return name in self._storage.catalog.indexes

    def get_index_by_name(self, name: str) -> Index:
        definition = self._storage.catalog.indexes.get(name)
        if definition is None:
            raise SchemaError(f"Index '{name}' does not exist")
        return Index(definition)

    def __repr__(self) -> str:
        return f"<Schema types={[t.name for t in self.get_types()]}>"


__all__ = ["DocumentType", "EdgeType", "Index", "IndexType", "Property", "PropertyType", "Schema",
           "VertexType"]  # fmt: skip
