"""The graph as Cypher sees it: nodes are vertices, relationships are edges, labels are types.

One ``Graph`` per statement: it reads through storage (type scans, key lookups, the edge
indexes), keeps one record object per RID (so a SET is seen by every row holding the node), and
writes through the SQL engine's record writes (schema validation, unique indexes, savepoints).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...exceptions import QueryError, SchemaError
from ...model.factory import record_from_row
from ...model.records import Document, Edge, Vertex
from ...rid import RID
from .values import NO_LABEL, labels_of

if TYPE_CHECKING:
    from ...storage.catalog import TypeDef
    from ..executor import Executor

_KEY_TYPES = (str, int)
_TYPES_BY_LABELS: dict[tuple[int, tuple[str, ...]], list[TypeDef]] = {}
"""Vertex types by (catalog version, labels): the scan targets of a label test."""


def type_name_for(labels: tuple[str, ...] | list[str]) -> str:
    """The vertex type of a node with these labels: ``A``, ``A~B`` (sorted), ``~NO_LABEL~``."""
    unique = sorted(set(labels))
    if not unique:
        return NO_LABEL
    return "~".join(unique)


class Graph:
    """Reads and writes of one Cypher statement."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor
        self.storage = executor.storage
        self.session = executor.session
        self.store = executor.store
        self.records: dict[RID, Document] = {}
        self.deleted: set[RID] = set()

    # ----------------------------------------------------------------------------- reads

    def record(self, type_def: TypeDef, row: Any) -> Document:
        rid = RID(type_def.id, row[0])
        known = self.records.get(rid)
        if known is None:
            known = self.records[rid] = record_from_row(self.store, type_def, row)
        return known

    def load(self, rid: RID) -> Document | None:
        known = self.records.get(rid)
        if known is not None:
            return None if rid in self.deleted else known
        found = self.storage.load(self.session, rid)
        if found is None:
            return None
        return self.record(found[0], found[1])

    def prefetch(self, rids: list[RID]) -> None:
        """Load these records in one query per type (neighbours of a vertex, before a hop)."""
        missing = [rid for rid in rids if rid not in self.records]
        if len(missing) > 2:
            for found in self.storage.load_many(self.session, missing):
                if found is not None:
                    self.record(found[0], found[1])

    def vertex_types(self, labels: tuple[str, ...]) -> list[TypeDef]:
        """The types whose nodes carry every label (a label's subtypes included)."""
        catalog = self.storage.catalog
        key = (catalog.version, labels)
        cached = _TYPES_BY_LABELS.get(key)
        if cached is not None:
            return cached
        if len(_TYPES_BY_LABELS) > 4096:
            _TYPES_BY_LABELS.clear()
        found = _TYPES_BY_LABELS[key] = self._vertex_types(labels)
        return found

    def _vertex_types(self, labels: tuple[str, ...]) -> list[TypeDef]:
        types = self.storage.catalog.types
        if not labels:
            return [t for t in types.values() if t.kind == "vertex"]
        first = types.get(labels[0])
        if first is None or first.kind != "vertex":
            return []
        return [t for t in first.polymorphic if all(label in labels_of(t) for label in labels[1:])]

    def nodes(self, labels: tuple[str, ...], props: dict[str, Any] | None) -> list[Vertex]:
        """Nodes with these labels; a property map narrows the scan to a key lookup."""
        keys = tuple(k for k, v in (props or {}).items() if type(v) in _KEY_TYPES)
        out: list[Vertex] = []
        for type_def in self.vertex_types(labels):
            if keys:
                assert props is not None
                values = tuple(props[k] for k in keys)
                for target, row in self.storage.find_by_key(self.session, type_def, keys, values):
                    if target is type_def:
                        out.append(self.record(target, row))  # type: ignore[arg-type]  # a vertex type's rows are vertices
            else:
                out.extend(self.record(type_def, row) for row in self.storage.scan_type(self.session, type_def))  # type: ignore[misc]  # a vertex type's rows are vertices
        return [n for n in out if n._rid not in self.deleted]

    def edges(self, vertex: Vertex, direction: str, types: tuple[str, ...]) -> list[tuple[Edge, RID]]:
        """(edge, the other end) of a vertex's edges; direction is out, in or both."""
        if types:
            known = self.storage.catalog.types
            types = tuple(t for t in types if t in known and known[t].kind == "edge")
            if not types:
                return []
        rid = vertex._rid
        assert rid is not None
        found: list[tuple[Edge, RID]] = []
        seen: set[RID] = set()
        for edge_type, row in self.storage.edges(self.session, rid.to_int(), direction, types):
            edge: Edge = self.record(edge_type, row)  # type: ignore[assignment]  # an edge type's rows are edges
            if edge._rid in seen or edge._rid in self.deleted:
                continue
            seen.add(edge._rid)  # type: ignore[arg-type]  # stored edges have RIDs
            other = edge._in if edge._out == rid else edge._out
            if direction == "in":
                other = edge._out
            elif direction == "out":
                other = edge._in
            found.append((edge, other))  # type: ignore[arg-type]  # stored edges have both ends
        return found

    def node(self, rid: RID) -> Vertex:
        record = self.load(rid)
        if record is None:
            raise QueryError(f"Node {rid} not found")
        return record  # type: ignore[return-value]  # edge ends are vertices

    # ---------------------------------------------------------------------------- schema

    def ensure_vertex_type(self, labels: tuple[str, ...] | list[str]) -> TypeDef:
        name = type_name_for(labels)
        catalog = self.storage.catalog
        existing = catalog.types.get(name)
        if existing is not None:
            if existing.kind != "vertex":
                raise SchemaError(f"Label '{name}' names a {existing.kind} type, not a vertex type")
            return existing
        supertypes: list[str] = []
        if "~" in name and name != NO_LABEL:
            for label in sorted(set(labels)):
                self.ensure_vertex_type((label,))
                supertypes.append(label)
        return self.storage.create_type(self.session, name, "vertex", supertypes, if_not_exists=True)

    def ensure_edge_type(self, name: str) -> TypeDef:
        existing = self.storage.catalog.types.get(name)
        if existing is not None:
            if existing.kind != "edge":
                raise SchemaError(f"Relationship type '{name}' names a {existing.kind} type")
            return existing
        return self.storage.create_type(self.session, name, "edge", (), if_not_exists=True)

    # ---------------------------------------------------------------------------- writes

    def create_node(self, labels: tuple[str, ...], props: dict[str, Any]) -> Vertex:
        type_def = self.ensure_vertex_type(labels)
        record = self.executor.insert_record(type_def, _present(props))
        self.records[record._rid] = record  # type: ignore[index]  # inserted records have RIDs
        return record  # type: ignore[return-value]  # a vertex type's records are vertices

    def create_edge(self, type_name: str, source: Vertex, target: Vertex,
                    props: dict[str, Any]) -> Edge:  # fmt: skip
        type_def = self.ensure_edge_type(type_name)
        edge = self.executor.create_edge(type_def, source._rid, target._rid, _present(props))  # type: ignore[arg-type]  # stored vertices have RIDs
        self.records[edge._rid] = edge  # type: ignore[index]  # inserted records have RIDs
        return edge

    def replace_properties(self, record: Document, props: dict[str, Any]) -> None:
        """Store the record with exactly these properties (nulls dropped), in place."""
        if record._rid in self.deleted:
            raise QueryError(f"Cannot set a property of deleted entity {record._rid}")
        updated = self.executor.update_record(record, _present(props))
        record._props = updated._props

    def relabel(self, node: Vertex, labels: list[str]) -> None:
        """Move a node to the type of these labels: a new record (new RID), edges moved along."""
        type_def = self.ensure_vertex_type(labels)
        if type_def is node._type:
            return
        old_rid = node._rid
        edges = self.edges(node, "both", ())
        moved = self.executor.insert_record(type_def, dict(node._props))
        new_rid = moved._rid
        for edge, _ in edges:
            source = new_rid if edge._out == old_rid else edge._out
            target = new_rid if edge._in == old_rid else edge._in
            copy = self.executor.create_edge(self.storage.catalog.by_id[edge._rid.bucket_id],  # type: ignore[union-attr]  # stored edges have RIDs
                                             source, target, dict(edge._props))  # type: ignore[arg-type]  # fmt: skip
            self.records.pop(edge._rid, None)  # type: ignore[arg-type]  # stored edges have RIDs
            edge._rid, edge._out, edge._in = copy._rid, copy._out, copy._in
            self.records[edge._rid] = edge  # type: ignore[index]  # stored edges have RIDs
        self.executor.delete_record(node)
        self.records.pop(old_rid, None)  # type: ignore[arg-type]  # stored vertices have RIDs
        node._rid, node._type = new_rid, type_def
        self.records[new_rid] = node  # type: ignore[index]  # inserted records have RIDs

    def delete(self, record: Document, detach: bool) -> None:
        rid = record._rid
        if rid in self.deleted:
            return
        if isinstance(record, Vertex):
            edges = self.edges(record, "both", ())
            if edges and not detach:
                raise QueryError(
                    f"Cannot delete node {rid} because it still has relationships. To delete "
                    "this node, you must first delete its relationships, or use DETACH DELETE"
                )
            for edge, _ in edges:
                self.deleted.add(edge._rid)  # type: ignore[arg-type]  # stored edges have RIDs
        self.executor.delete_record(record)
        self.deleted.add(rid)  # type: ignore[arg-type]  # stored records have RIDs

    def has_edges(self, vertex: Vertex) -> bool:
        return bool(self.edges(vertex, "both", ()))


def _present(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if v is not None}


__all__ = ["Graph", "type_name_for"]
