"""The operations an async executor queues: one layout per kind.

An operation is a plain tuple. Its first four slots mean the same for every kind: ``KIND``,
``SUBJECT`` (the record, or the statement text), ``CALLBACK`` (called after the commit that made
the operation durable), ``ON_ERROR`` (its own error callback). The rest is the kind's own:

- ``CreateOp``: ``TYPE_DEF``, the encoded ``PAYLOAD`` (body, tags), an edge's ``ENDS`` (out, in:
  RIDs, or vertices created earlier in the same stream, resolved when written).
- ``UpdateOp``: ``TYPE_DEF``, the encoded ``PAYLOAD``, or None when read-only properties make it
  be validated against the stored state at write time from the ``SNAPSHOT`` of the properties.
- ``DeleteOp``: ``TYPE_DEF``.
- ``StatementOp`` (a query or a command): ``LANGUAGE``, ``PARAMS``, ``READ_ONLY``.
- ``FailedOp``: an operation that failed when it was submitted (validation, say): the ``ERROR``
  and the ``FAILED_KIND`` it was; it is reported in queue order.

Why tuples and not a NamedTuple per kind: measured with callgrind on the inline bulk path
(20,000 creates), NamedTuple operations cost ~1,000 more instructions per record (+4%): a tuple
subclass is built through ``tp_new``, freed through ``subtype_dealloc``, traversed by the cyclic
GC through ``subtype_traverse``, and ``itemgetter`` leaves its fast path for it; the per-record
loops of the writer (C-level ``map`` over chunks) need exact tuples. The layouts are typed
(``CreateOp`` ...) and their slots named, so a slot never changes meaning within a kind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import repeat
from operator import is_, itemgetter
from typing import TYPE_CHECKING, Any

from ..exceptions import ArcadeDBError
from ..model.records import Document, Edge
from ..rid import RID

if TYPE_CHECKING:
    from ..storage.catalog import TypeDef

Callback = Callable[..., Any]
Encoded = tuple[str, "str | None"]

#: The kinds (CREATE is 0: a chunk of creates is recognised by ``not any(map(kind, ops))``).
CREATE, UPDATE, DELETE, STATEMENT, FAILED = range(5)
KIND_NAMES = ("create", "update", "delete", "statement", "failed")

#: Slots every kind has.
KIND, SUBJECT, CALLBACK, ON_ERROR = 0, 1, 2, 3
#: Slots of CREATE, UPDATE and DELETE.
TYPE_DEF, PAYLOAD = 4, 5
ENDS = 6  # CREATE
SNAPSHOT = 6  # UPDATE
#: Slots of STATEMENT.
LANGUAGE, PARAMS, READ_ONLY = 4, 5, 6
#: Slots of FAILED.
ERROR, FAILED_KIND = 4, 5

CreateOp = tuple[int, Document, "Callback | None", "Callback | None", "TypeDef", Encoded, Any]
UpdateOp = tuple[int, Document, "Callback | None", "Callback | None", "TypeDef", "Encoded | None",
                 "dict[str, Any] | None"]  # fmt: skip
DeleteOp = tuple[int, Document, "Callback | None", "Callback | None", "TypeDef"]
StatementOp = tuple[int, str, "Callback | None", "Callback | None", str, "dict[str, Any]", bool]
FailedOp = tuple[int, Document, "Callback | None", "Callback | None", ArcadeDBError, int]
Operation = Any  # one of the layouts above (mypy cannot narrow a union of them by KIND)

#: C-level readers of those slots (``map(kind_of, chunk)`` ...).
kind_of, subject_of, callback_of, on_error_of = map(itemgetter, (KIND, SUBJECT, CALLBACK, ON_ERROR))
type_def_of, payload_of = itemgetter(TYPE_DEF), itemgetter(PAYLOAD)


def kind_name(op: Operation) -> str:
    """What an operation is, for messages: "create", "update", "delete", "query", "command"."""
    kind = op[KIND]
    if kind == STATEMENT:
        return "query" if op[READ_ONLY] else "command"
    if kind == FAILED:
        return KIND_NAMES[op[FAILED_KIND]]
    return KIND_NAMES[kind]


def plain_creates(ops: Sequence[Any]) -> bool:
    """True when every operation is a create with no callback (the bulk loop's chunks), told by
    C-level loops."""
    return not (any(map(kind_of, ops)) or any(map(callback_of, ops)) or any(map(on_error_of, ops)))


def creates_of_one_type(ops: Sequence[Any], kinds: set[int]) -> bool:
    """True when the operations (whose kinds are ``kinds``) are all creates of one type, told by
    C-level loops."""
    return kinds == {CREATE} and all(map(is_, map(type_def_of, ops), repeat(ops[0][TYPE_DEF])))


def has_unique_key(type_def: Any) -> bool:
    return bool(type_def.unique_elsewhere) or any(ix.unique for ix in type_def.indexes)


def edge_ends(edge: Edge) -> tuple[Any, Any]:
    if edge._out is None or edge._in is None:
        raise ArcadeDBError(f"Edge {edge!r} has no out/in vertices")
    return edge._out, edge._in


def resolve_end(end: Any) -> RID:
    """An edge end given as a RID, or as a vertex created earlier in the same stream."""
    if isinstance(end, RID):
        return end
    rid = end.get_identity() if isinstance(end, Document) else RID.parse(end)
    if rid is None:
        raise ArcadeDBError(f"Edge end {end!r} was never saved")
    return rid


__all__ = [
    "CALLBACK", "CREATE", "DELETE", "ENDS", "ERROR", "FAILED", "FAILED_KIND", "KIND", "LANGUAGE",
    "ON_ERROR", "PARAMS", "PAYLOAD", "READ_ONLY", "SNAPSHOT", "STATEMENT", "SUBJECT", "TYPE_DEF",
    "UPDATE", "CreateOp", "DeleteOp", "FailedOp", "Operation", "StatementOp", "UpdateOp",
    "creates_of_one_type", "edge_ends", "has_unique_key", "kind_name", "plain_creates",
    "resolve_end",
]  # fmt: skip
