"""SQLite's errors as ArcadeDBErrors: the one place that recognises them.

Every storage method that runs SQL hands its ``apsw.Error`` to ``translate_error``; nothing above
storage knows SQLite's exception classes. A unique-index failure becomes a DuplicatedKeyError
naming the index, the key and the record that holds it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import apsw

from ..exceptions import ArcadeDBError, DatabaseLockedError, DuplicatedKeyError
from ..rid import RID
from . import codec
from .sqltext import sql_index_name

if TYPE_CHECKING:
    from .catalog import IndexDef, TypeDef
    from .records import RecordsPart as Storage  # what translation reads of a Storage


def translate_error(exc: apsw.Error, storage: Storage | None = None, type_def: TypeDef | None = None,
                    encoded: tuple[str, str | None] | None = None) -> ArcadeDBError:  # fmt: skip
    """The ArcadeDBError for a SQLite error. With the type being written (and the record's
    ``encoded`` body and tags, when one record was), a unique-index failure names index and key."""
    if isinstance(exc, apsw.BusyError):
        return DatabaseLockedError(f"Database is busy: {exc}")
    if isinstance(exc, apsw.ConstraintError):
        if storage is not None and type_def is not None:
            return _constraint_error(storage, exc, type_def, encoded)
        return ArcadeDBError(f"Constraint violated: {exc}")
    return ArcadeDBError(f"Storage error: {exc}")


def storage_error(exc: BaseException) -> ArcadeDBError | None:
    """The ArcadeDBError for an exception raised inside SQLite, or None for any other one."""
    if isinstance(exc, apsw.Error):
        return translate_error(exc)
    return None


def _constraint_error(storage: Storage, exc: apsw.ConstraintError, type_def: TypeDef,
                      encoded: tuple[str, str | None] | None) -> ArcadeDBError:  # fmt: skip
    """SQLite's unique-index failure as a DuplicatedKeyError naming index, key and holder."""
    message = str(exc)
    catalog = storage.catalog
    for index in type_def.indexes:
        for target in catalog.get(index.type_name).polymorphic:
            if sql_index_name(index.name, target.id) in message:
                key: Any = None
                if encoded is not None:
                    props = codec.decode_record(*encoded)
                    values = [props.get(p) for p in index.properties]
                    key = values[0] if len(values) == 1 else values
                holder = _holder(storage, index, key)
                return DuplicatedKeyError(
                    f"Duplicated key {key!r} found on index '{index.name}' "
                    f"already assigned to record {holder}",
                    index.name,
                    key,
                )
    return ArcadeDBError(f"Constraint violated on type '{type_def.name}': {message}")


def _holder(storage: Storage, index: IndexDef, key: Any) -> str:
    """The RID of the record that holds a key (text), or "?" when it cannot be found."""
    values = key if isinstance(key, list) and len(index.properties) > 1 else [key]
    try:
        for target, row in storage.find_by_key(
            storage.session(), storage.catalog.get(index.type_name), index.properties,
            tuple(values),
        ):  # fmt: skip
            return str(RID(target.id, row[0]))  # a Row: (pos, body, tags...)
    except (ArcadeDBError, apsw.Error):
        pass
    return "?"


__all__ = ["storage_error", "translate_error"]
