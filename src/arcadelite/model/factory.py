"""The record factory: the one place that turns stored rows into records.

``record_from_row`` builds one record from a storage ``Row`` (a lookup, an edge of a vertex, a
scan of one type); ``records_from_scan`` builds the records of a compiled query scan, whose rows
also carry their type id (its loop is a hot path: one decode and one object per row);
``new_record`` builds a record of the class its type's kind wants.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..exceptions import DatabaseCorruptError
from ..rid import RID
from ..storage.codec import decode_record
from .records import RECORD_CLASSES, Document, Edge, Vertex

if TYPE_CHECKING:
    from ..storage import Row, ScanRow
    from ..storage.catalog import TypeDef
    from .store import Store


def record_from_row(store: Store, type_def: TypeDef, row: Row, mutable: bool = False) -> Document:
    """The record a storage row holds (immutable unless ``mutable``)."""
    edge = type_def.kind == "edge"
    if edge:
        pos, body, tags, out_rid, in_rid = row  # type: ignore[misc]  # an edge's row
    else:
        pos, body, tags = row  # type: ignore[misc]  # a document's or vertex's row
    try:
        props = decode_record(body, tags)
    except DatabaseCorruptError as exc:
        raise _damaged(exc, RID(type_def.id, pos)) from exc
    if edge:
        return Edge(store, type_def, props, RID(type_def.id, pos), mutable,
                    RID.from_int(out_rid), RID.from_int(in_rid))  # fmt: skip
    return RECORD_CLASSES[type_def.kind](store, type_def, props, RID(type_def.id, pos), mutable)


def _damaged(exc: DatabaseCorruptError, rid: RID) -> DatabaseCorruptError:
    return DatabaseCorruptError(f"Record {rid}: {exc}")


def records_from_scan(store: Store, by_id: dict[int, TypeDef],
                      rows: Iterable[ScanRow]) -> list[Document]:  # fmt: skip
    """The (immutable) records of a compiled scan's rows; ``by_id`` is the catalog's."""
    out: list[Document] = []
    append = out.append
    for tid, pos, body, tags, out_rid, in_rid in rows:
        type_def = by_id[tid]
        try:
            props = decode_record(body, tags)
        except DatabaseCorruptError as exc:
            raise _damaged(exc, RID(tid, pos)) from exc
        if out_rid is not None:
            append(Edge(store, type_def, props, RID(tid, pos), False, RID.from_int(out_rid),
                        RID.from_int(in_rid)))  # type: ignore[arg-type]  # fmt: skip
        elif type_def.kind == "vertex":
            append(Vertex(store, type_def, props, RID(tid, pos), False))
        else:
            append(Document(store, type_def, props, RID(tid, pos), False))
    return out


def new_record(store: Store, type_def: TypeDef, props: dict[str, Any] | None = None,
               rid: RID | None = None, mutable: bool = True, out_rid: RID | None = None,
               in_rid: RID | None = None) -> Document:  # fmt: skip
    """A record of ``type_def``'s kind holding ``props`` (an edge with its ends)."""
    if type_def.kind == "edge":
        return Edge(store, type_def, props, rid, mutable, out_rid, in_rid)
    return RECORD_CLASSES[type_def.kind](store, type_def, props, rid, mutable)


__all__ = ["new_record", "record_from_row", "records_from_scan"]
