"""The Store: what records and the query engine need of a database.

``database.Database`` implements it; records hold one (``record._db``) and the query engine runs
against one, so that neither imports the public API above them. Every method raises
DatabaseClosedError once the database is closed. The methods that are not ArcadeDB's API (all
but ``get_name``, ``lookup_by_rid`` and ``count_type``) are underscored: they are arcadelite's
interface between its own layers, not the users'.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..rid import RID
    from ..storage import Storage
    from ..storage.catalog import TypeDef
    from .records import Document, Edge, Vertex


class Store(Protocol):
    """A database as the layers below the public API see it (``Database`` is the one)."""

    def _live_storage(self) -> Storage:
        """The open storage (DatabaseClosedError once closed)."""
        ...

    def get_name(self) -> str:
        """The database's name (its folder's)."""
        ...

    def lookup_by_rid(self, rid: RID | str) -> Document:
        """The record with this RID; RecordNotFoundError when there is none."""
        ...

    def count_type(self, type_name: str, polymorphic: bool = True) -> int:
        """How many records a type (and its subtypes) holds; 0 for an unknown type."""
        ...

    def _current_type(self, record: Document) -> TypeDef:
        """The record's type as the catalog holds it now (SchemaError when it was dropped)."""
        ...

    def _save_record(self, record: Document) -> None:
        """Insert or update the record, enforcing the schema (``record.save()``)."""
        ...

    def _delete_record(self, record: Document) -> None:
        """Delete the record; a vertex takes its edges with it (``record.delete()``)."""
        ...

    def _new_edge(self, vertex: Vertex, label: str, target: Any, props: dict[str, Any]) -> Edge:
        """Create and save an edge from a saved vertex to a target vertex (``new_edge``)."""
        ...

    def _edges_of(self, vertex: Vertex, direction: str, labels: tuple[str, ...]) -> Iterator[Edge]:
        """The edges touching a vertex ("out", "in" or "both"; of the given types, or any)."""
        ...

    def _neighbor_rids(self, vertex: Vertex, direction: str, labels: tuple[str, ...]) -> list[int]:
        """The packed RIDs of the vertices adjacent to a vertex (see ``_edges_of``)."""
        ...

    def _neighbors_of(self, vertex: Vertex, direction: str,
                     labels: tuple[str, ...]) -> list[Vertex]:  # fmt: skip
        """The vertices adjacent to a vertex (see ``_edges_of``)."""
        ...

    def _import_dump(self, url: str, **settings: Any) -> dict[str, Any]:
        """Restore an ArcadeDB JSONL dump into the database (SQL ``IMPORT DATABASE``)."""
        ...


__all__ = ["Store"]
