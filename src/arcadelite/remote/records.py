"""Records and result rows of remote mode: the embedded API's methods, carried out over HTTP."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import orjson

from ..exceptions import ArcadeDBError
from ..results import Result
from ..rid import RID

if TYPE_CHECKING:
    from .database import RemoteDatabase

_IMMUTABLE_HINT = "this record is immutable (read from a query or lookup): call .modify() first"
METADATA = ("@rid", "@type", "@cat", "@in", "@out")


def quote_name(name: str) -> str:
    """A type or property name as an SQL identifier."""
    if "`" in name:
        raise ArcadeDBError(f"Invalid name {name!r}: backquotes are not allowed")
    return f"`{name}`"


class RemoteDocument:
    """A document of a remote database (``RemoteVertex``/``RemoteEdge`` for graph elements)."""

    __slots__ = ("_db", "_type_name", "_rid", "_props", "_mutable", "__weakref__")
    _category = "d"

    def __init__(self, db: RemoteDatabase, type_name: str, props: dict[str, Any] | None = None,
                 rid: RID | None = None, mutable: bool = True) -> None:  # fmt: skip
        self._db = db
        self._type_name = type_name
        self._rid = rid
        self._props = {} if props is None else props
        self._mutable = mutable

    def get(self, name: str) -> Any:
        return self._props.get(name)

    def __getitem__(self, name: str) -> Any:
        return self._props.get(name)

    def set(self, name: str, value: Any) -> RemoteDocument:
        if not self._mutable:
            raise AttributeError(f"Cannot set '{name}': {_IMMUTABLE_HINT}")
        if not isinstance(name, str):
            raise TypeError(f"Property names are strings, got {type(name).__name__}")
        self._props[name] = value
        return self

    def remove(self, name: str) -> RemoteDocument:
        if not self._mutable:
            raise AttributeError(f"Cannot remove '{name}': {_IMMUTABLE_HINT}")
        self._props.pop(name, None)
        return self

    def has_property(self, name: str) -> bool:
        return name in self._props

    def get_property_names(self) -> list[str]:
        return list(self._props)

    def to_dict(self, include_metadata: bool = False) -> dict[str, Any]:
        data = dict(self._props)
        if include_metadata:
            data["@rid"] = self.get_rid()
            data["@type"] = self._type_name
        return data

    def get_identity(self) -> RID | None:
        return self._rid

    def get_rid(self) -> str | None:
        return None if self._rid is None else str(self._rid)

    def get_type_name(self) -> str:
        return self._type_name

    def is_mutable(self) -> bool:
        return self._mutable

    def save(self) -> RemoteDocument:
        """Insert or update on the server (in this thread's transaction, if one is open)."""
        if not self._mutable:
            raise AttributeError(f"Cannot save: {_IMMUTABLE_HINT}")
        if self._rid is None:
            row = self._db._one_row(self._insert_statement(), {"content": self._props})
            self._rid = RID.parse(row["@rid"])
        else:
            self._db.command("sql", f"UPDATE {self._rid} CONTENT :content",
                             {"content": self._props})  # fmt: skip
        return self

    def _insert_statement(self) -> str:
        return f"INSERT INTO {quote_name(self._type_name)} CONTENT :content"

    def delete(self) -> None:
        if self._rid is None:
            raise ArcadeDBError(f"Cannot delete a {self._type_name} record that was never saved")
        self._db.command("sql", f"DELETE FROM {self._rid}")

    def modify(self) -> RemoteDocument:
        clone = copy.copy(self)
        clone._props = copy.deepcopy(self._props)
        clone._mutable = True
        return clone

    def reload(self) -> RemoteDocument:
        if self._rid is not None:
            self._props = copy.deepcopy(self._db.lookup_by_rid(self._rid)._props)
        return self

    def __copy__(self) -> RemoteDocument:
        clone = object.__new__(type(self))
        for cls in type(self).__mro__:
            for slot in getattr(cls, "__slots__", ()):
                if slot != "__weakref__" and hasattr(self, slot):
                    setattr(clone, slot, getattr(self, slot))
        return clone

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RemoteDocument):
            return NotImplemented
        if self._rid is None or other._rid is None:
            return self is other
        return self._rid == other._rid

    def __hash__(self) -> int:
        return hash(self._rid) if self._rid is not None else id(self)

    def __repr__(self) -> str:
        rid = self._rid if self._rid is not None else "(unsaved)"
        return f"<{type(self).__name__[6:]} rid={rid} type={self._type_name}>"


class RemoteVertex(RemoteDocument):
    __slots__ = ()
    _category = "v"

    def new_edge(self, label: str, target: Any, **props: Any) -> RemoteEdge:
        """Create and save an edge of type ``label`` from this vertex to ``target``."""
        if self._rid is None:
            raise ArcadeDBError("Save the vertex before creating edges from it")
        target_rid = RID.parse(target)
        edge = RemoteEdge(self._db, label, dict(props), None, True, self._rid, target_rid)
        edge.save()
        return edge

    def _edges(self, direction: str, labels: tuple[str, ...]) -> str:
        if direction not in ("out", "in", "both"):
            raise ValueError(f"direction must be 'out', 'in' or 'both', got {direction!r}")
        quoted = ", ".join(orjson.dumps(label).decode() for label in labels)
        return f"{direction}{{}}({quoted})"

    def get_edges(self, direction: str = "both", *labels: str) -> list[RemoteEdge]:
        if self._rid is None:
            return []
        text = f"SELECT expand({self._edges(direction, labels).format('E')}) FROM {self._rid}"
        return [row.get_element() for row in self._db.query("sql", text)]  # type: ignore[misc]  # expand() of edges yields edges

    def get_vertices(self, direction: str = "both", *labels: str) -> list[RemoteVertex]:
        if self._rid is None:
            return []
        text = f"SELECT expand({self._edges(direction, labels).format('')}) FROM {self._rid}"
        return [row.get_element() for row in self._db.query("sql", text)]  # type: ignore[misc]  # expand() of edges yields edges

    def count_edges(self, direction: str = "both", *labels: str) -> int:
        return len(self.get_edges(direction, *labels))


class RemoteEdge(RemoteDocument):
    __slots__ = ("_out", "_in")
    _category = "e"

    def __init__(self, db: RemoteDatabase, type_name: str, props: dict[str, Any] | None = None,
                 rid: RID | None = None, mutable: bool = True, out_rid: Any = None,
                 in_rid: Any = None) -> None:  # fmt: skip
        super().__init__(db, type_name, props, rid, mutable)
        self._out = out_rid
        self._in = in_rid

    def _insert_statement(self) -> str:
        ends = [RID.parse(end) for end in (self._out, self._in)]
        return (f"CREATE EDGE {quote_name(self._type_name)} FROM {ends[0]} TO {ends[1]} "
                "CONTENT :content")  # fmt: skip

    def get_out(self) -> RemoteVertex:
        return self._db.lookup_by_rid(self._out)  # type: ignore[return-value]  # a RID of an edge end is a vertex

    def get_in(self) -> RemoteVertex:
        return self._db.lookup_by_rid(self._in)  # type: ignore[return-value]  # a RID of an edge end is a vertex

    def get_out_rid(self) -> RID | None:
        return None if self._out is None else RID.parse(self._out)

    def get_in_rid(self) -> RID | None:
        return None if self._in is None else RID.parse(self._in)

    def to_dict(self, include_metadata: bool = False) -> dict[str, Any]:
        data = super().to_dict(include_metadata)
        if include_metadata:
            data["@out"] = str(self._out)
            data["@in"] = str(self._in)
        return data


_CLASSES = {"d": RemoteDocument, "v": RemoteVertex, "e": RemoteEdge}


def element_from_json(db: RemoteDatabase, data: dict[str, Any]) -> RemoteDocument | None:
    """An immutable record from a serialized element row (None for a projection row)."""
    rid, type_name, category = data.get("@rid"), data.get("@type"), data.get("@cat")
    if not (isinstance(rid, str) and isinstance(type_name, str) and category in _CLASSES):
        return None
    props = {k: _value(db, v) for k, v in data.items() if k not in METADATA}
    if category == "e":
        return RemoteEdge(db, type_name, props, RID.parse(rid), False,
                          RID.parse(data["@out"]), RID.parse(data["@in"]))  # fmt: skip
    return _CLASSES[category](db, type_name, props, RID.parse(rid), False)


def _value(db: RemoteDatabase, value: Any) -> Any:
    if isinstance(value, dict):
        element = element_from_json(db, value)
        return element if element is not None else {k: _value(db, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_value(db, v) for v in value]
    return value


class RemoteResult(Result):
    """One row of a remote result: an element (a record) or a projection (named values)."""

    __slots__ = ()

    @classmethod
    def from_json(cls, db: RemoteDatabase, data: dict[str, Any]) -> RemoteResult:
        element = element_from_json(db, data)
        if element is not None:
            return cls(None, element)  # type: ignore[arg-type]  # data is None when an element is given
        return cls({k: _value(db, v) for k, v in data.items()}, None)

    def _props(self) -> dict[str, Any]:
        element = self._element
        return element._props if element is not None else self._data  # type: ignore[return-value]  # _props: the element's own dict

    def get(self, name: str, default: Any = None) -> Any:
        element: Any = self._element
        if element is not None:
            if name in element._props:
                return element._props[name]
            if name == "@rid":
                return element._rid
            if name in ("@type", "@class"):
                return element._type_name
            if name == "@cat":
                return element._category
            if name in ("@out", "@in") and isinstance(element, RemoteEdge):
                return RID.parse(element._out if name == "@out" else element._in)
            return default
        return self._data.get(name, default)  # type: ignore[union-attr]  # no element: _data is set

    def has_property(self, name: str) -> bool:
        return name in self._props()

    def get_property_names(self) -> list[str]:
        return list(self._props())

    def get_vertex(self) -> Any:
        return self._element if isinstance(self._element, RemoteVertex) else None

    def get_edge(self) -> Any:
        return self._element if isinstance(self._element, RemoteEdge) else None

    def get_rid(self) -> str | None:
        if self._element is not None:
            return self._element.get_rid()
        value = self._data.get("@rid") if self._data else None
        return None if value is None else str(value)

    def get_identity(self) -> RID | None:
        return self._element.get_identity() if self._element is not None else None

    def to_dict(self, convert_types: bool = True) -> dict[str, Any]:
        element: Any = self._element
        if element is None:
            data = dict(self._data)  # type: ignore[arg-type]  # data is None when an element is given
        else:
            data = dict(element._props)
            data.update({"@rid": element.get_rid(), "@type": element._type_name,
                         "@cat": element._category})  # fmt: skip
            if isinstance(element, RemoteEdge):
                data["@out"], data["@in"] = str(element._out), str(element._in)
        return {k: _plain(v) for k, v in data.items()} if convert_types else data

    def __iter__(self) -> Any:
        return iter(self._props())


def _plain(value: Any) -> Any:
    if isinstance(value, RemoteDocument):
        return value.to_dict(include_metadata=True)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, RID):
        return str(value)
    return value
