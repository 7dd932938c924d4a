"""Records: Document, Vertex and Edge (public through ``arcadelite.graph``).

Records made by ``new_document``/``new_vertex``/``new_edge`` and ``modify()`` are mutable;
records read from queries and lookups are immutable (``set`` raises AttributeError).

A record holds the ``Store`` it came from (a ``Database``: see store.py) and reaches storage only
through it. Its slots are the model's interface to the layers above it inside arcadelite (the
query engine, the bulk writers, import/export read them directly on hot paths): ``_type`` (the
catalog's TypeDef), ``_rid`` (None until saved), ``_props`` (the property dict), ``_mutable``, and
an edge's ``_out``/``_in`` (RIDs). Users see the methods.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, cast

from ..compat import RecordJavaNames
from ..exceptions import ArcadeDBError
from ..rid import RID

if TYPE_CHECKING:
    from ..storage.catalog import TypeDef
    from .store import Store

_IMMUTABLE_HINT = "this record is immutable (read from a query or lookup): call .modify() first"


class Document(RecordJavaNames):
    """A record of a document type; base class of Vertex and Edge."""

    __slots__ = ("_db", "_type", "_rid", "_props", "_mutable", "__weakref__")
    _category = "d"

    def __init__(
        self,
        db: Store,
        type_def: TypeDef,
        props: dict[str, Any] | None = None,
        rid: RID | None = None,
        mutable: bool = True,
    ) -> None:
        self._db = db
        self._type = type_def
        self._rid = rid
        self._props = {} if props is None else props
        self._mutable = mutable

    # --- properties -------------------------------------------------------------------------

    def get(self, name: str) -> Any:
        """The value of a property, or None when absent."""
        return self._props.get(name)

    def __getitem__(self, name: str) -> Any:
        return self._props.get(name)

    def set(self, name: str, value: Any) -> Document:
        """Set a property in memory (``save()`` persists it); returns self for chaining."""
        if not self._mutable:
            raise AttributeError(f"Cannot set '{name}': {_IMMUTABLE_HINT}")
        if not isinstance(name, str):
            raise TypeError(f"Property names are strings, got {type(name).__name__}")
        self._props[name] = value
        return self

    def remove(self, name: str) -> Document:
        """Remove a property in memory; returns self."""
        if not self._mutable:
            raise AttributeError(f"Cannot remove '{name}': {_IMMUTABLE_HINT}")
        self._props.pop(name, None)
        return self

    def has_property(self, name: str) -> bool:
        return name in self._props

    def get_property_names(self) -> list[str]:
        return list(self._props)

    def to_dict(self, include_metadata: bool = False) -> dict[str, Any]:
        """The user properties (plus ``@rid``, ``@type`` with include_metadata)."""
        data = dict(self._props)
        if include_metadata:
            data["@rid"] = str(self._rid) if self._rid is not None else None
            data["@type"] = self._type.name
        return data

    # --- identity ---------------------------------------------------------------------------

    def get_identity(self) -> RID | None:
        return self._rid

    def get_rid(self) -> str | None:
        return None if self._rid is None else str(self._rid)

    def __arcadelite_rid__(self) -> RID | None:
        return self._rid

    def get_type_name(self) -> str:
        return self._type.name

    def is_mutable(self) -> bool:
        return self._mutable

    # --- persistence ------------------------------------------------------------------------

    def save(self) -> Document:
        """Insert or update, enforcing the schema; needs a transaction (or auto-transaction)."""
        if not self._mutable:
            raise AttributeError(f"Cannot save: {_IMMUTABLE_HINT}")
        self._db._save_record(self)
        return self

    def delete(self) -> None:
        """Delete the record (a vertex takes its edges with it)."""
        if self._rid is None:
            raise ArcadeDBError(f"Cannot delete a {self._type.name} record that was never saved")
        self._db._delete_record(self)

    def modify(self) -> Document:
        """A mutable copy of this record."""
        clone = object.__new__(type(self))
        clone._db = self._db
        clone._type = self._type
        clone._rid = self._rid
        clone._props = copy.deepcopy(self._props)
        clone._mutable = True
        self._copy_extra(clone)
        return clone

    def reload(self) -> Document:
        """Read the stored state again (only for saved records)."""
        fresh = self._db.lookup_by_rid(self._rid) if self._rid is not None else self
        self._props = copy.deepcopy(fresh._props)
        return self

    def _copy_extra(self, clone: Document) -> None:
        pass

    # --- Python protocol --------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Document):
            return NotImplemented
        if self._rid is None or other._rid is None:
            return self is other
        return self._rid == other._rid

    def __hash__(self) -> int:
        return hash(self._rid) if self._rid is not None else id(self)

    def __repr__(self) -> str:
        rid = self._rid if self._rid is not None else "(unsaved)"
        return f"<{type(self).__name__} rid={rid} type={self._type.name}>"


class Vertex(Document):
    """A vertex: a document that edges connect."""

    __slots__ = ()
    _category = "v"

    def new_edge(self, label: str, target: Vertex | RID | str, **props: Any) -> Edge:
        """Create and save an edge of type ``label`` from this vertex to ``target``."""
        return self._db._new_edge(self, label, target, props)

    def get_edges(self, direction: str = "both", *labels: str) -> list[Edge]:
        """Edges touching this vertex; direction is "out", "in" or "both"."""
        return list(self._db._edges_of(self, direction, labels))

    def get_vertices(self, direction: str = "both", *labels: str) -> list[Vertex]:
        """Vertices adjacent to this one through edges of the given labels."""
        return self._db._neighbors_of(self, direction, labels)

    def count_edges(self, direction: str = "both", *labels: str) -> int:
        return len(self._db._neighbor_rids(self, direction, labels))


class Edge(Document):
    """An edge from an ``out`` vertex to an ``in`` vertex."""

    __slots__ = ("_out", "_in")
    _category = "e"

    def __init__(
        self,
        db: Store,
        type_def: TypeDef,
        props: dict[str, Any] | None = None,
        rid: RID | None = None,
        mutable: bool = True,
        out_rid: RID | None = None,
        in_rid: RID | None = None,
    ) -> None:
        super().__init__(db, type_def, props, rid, mutable)
        self._out = out_rid
        self._in = in_rid

    def _copy_extra(self, clone: Document) -> None:
        clone._out = self._out  # type: ignore[attr-defined]  # clone is an Edge (same class as self)
        clone._in = self._in  # type: ignore[attr-defined]  # clone is an Edge (same class as self)

    def get_out(self) -> Vertex:
        """The vertex this edge leaves from."""
        return cast("Vertex", self._db.lookup_by_rid(RID.parse(self._out)))

    def get_in(self) -> Vertex:
        """The vertex this edge points to."""
        return cast("Vertex", self._db.lookup_by_rid(RID.parse(self._in)))

    def get_out_rid(self) -> RID | None:
        return self._out

    def get_in_rid(self) -> RID | None:
        return self._in

    def get_vertex(self, direction: str = "out") -> Vertex:
        return self.get_out() if direction == "out" else self.get_in()

    def to_dict(self, include_metadata: bool = False) -> dict[str, Any]:
        data = super().to_dict(include_metadata)
        if include_metadata:
            data["@out"] = str(self._out)
            data["@in"] = str(self._in)
        return data


#: The record class of each kind of type.
RECORD_CLASSES: dict[str, type[Document]] = {"document": Document, "vertex": Vertex, "edge": Edge}


__all__ = ["RECORD_CLASSES", "Document", "Edge", "Vertex"]
