"""SQLite's errors, and the operating system's errors on the database's files, as ArcadeDBErrors:
the one place that recognises them.

Every storage method that runs SQL hands its ``apsw.Error`` to ``translate_error``, and every
``OSError`` of the folder, the lock file or a file being written goes to ``os_error``; nothing
above storage knows SQLite's exception classes. A unique-index failure becomes a
DuplicatedKeyError naming the index, the key and the record that holds it; a full disk a
DiskFullError, a file that may not be written a ReadOnlyDatabaseError, damaged pages a
DatabaseCorruptError, each saying what to do.
"""

from __future__ import annotations

import errno
import functools
import inspect
import os
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar, cast

import apsw

from ..exceptions import (
    ArcadeDBError,
    DatabaseClosedError,
    DatabaseCorruptError,
    DatabaseLockedError,
    DiskFullError,
    DuplicatedKeyError,
    ReadOnlyDatabaseError,
    ValidationError,
)
from ..rid import RID
from . import codec
from .sqltext import sql_index_name

if TYPE_CHECKING:
    from .catalog import IndexDef, TypeDef
    from .records import RecordsPart as Storage  # what translation reads of a Storage
    from .state import StorageState


def translate_error(exc: apsw.Error, storage: StorageState | None = None,
                    type_def: TypeDef | None = None,
                    encoded: tuple[str, str | None] | None = None,
                    rolled_back: bool | None = None) -> ArcadeDBError:  # fmt: skip
    """The ArcadeDBError for a SQLite error. With the type being written (and the record's
    ``encoded`` body and tags, when one record was), a unique-index failure names index and key.
    ``rolled_back``: whether SQLite ended the write transaction (None: not known, or no write)."""
    where = f"'{storage.folder}'" if storage is not None else "the database"
    if isinstance(exc, apsw.BusyError):
        return DatabaseLockedError(f"Database is busy: {exc}")
    if isinstance(exc, apsw.ConstraintError):
        if storage is not None and type_def is not None:
            return _constraint_error(cast("Storage", storage), exc, type_def, encoded)
        return ArcadeDBError(f"Constraint violated: {exc}")
    if isinstance(exc, apsw.FullError):
        return DiskFullError(
            f"The disk holding {where} is full ({exc}): "
            + _what_happened(rolled_back) + ". Free some space, then retry",
            rolled_back=bool(rolled_back),
        )
    if isinstance(exc, apsw.ReadOnlyError):
        return ReadOnlyDatabaseError(
            f"Database {where} is read-only here ({exc}): nothing was written. Open it where "
            "its folder and files may be written (file permissions, mount, user) to change it"
        )
    if isinstance(exc, apsw.NotADBError):
        return DatabaseCorruptError(
            f"Database {where} is not an arcadelite database, or its file is damaged ({exc}): "
            "check the path; restore a backup if it is yours"
        )
    if isinstance(exc, apsw.CorruptError):
        return DatabaseCorruptError(
            f"Database {where} is damaged ({exc}): run `arcadelite check {_folder(storage)}` "
            "to see what is wrong; "
            "export what is still readable, or restore a backup"
        )
    if isinstance(exc, apsw.TooBigError):
        culprit = _largest_property(encoded)
        what = f"The value of property '{culprit}'" if culprit else "A value"
        of_type = f" of a record of type '{type_def.name}'" if type_def is not None else ""
        return ValidationError(
            f"{what}{of_type} is too big for SQLite ({exc}): SQLite's length limit is "
            f"{_length_limit(storage):,} bytes for a record; store less in one record"
        )
    if isinstance(exc, apsw.IOError) and storage is not None and _nearly_full(storage.folder):
        # SQLite reports some writes the full disk refused as I/O errors (growing the -shm)
        return DiskFullError(
            f"The disk holding {where} is full (SQLite: {exc}): "
            + _what_happened(rolled_back) + ". Free some space, then retry",
            rolled_back=bool(rolled_back),
        )
    if isinstance(exc, apsw.IOError):
        return ArcadeDBError(
            f"The files of database {where} changed or failed while it was open ({exc}; "
            "was its WAL or -shm file removed, or the disk removed?): "
            + _what_happened(rolled_back) + ". Close the database and open it again"
        )
    if isinstance(exc, apsw.SQLError) and "malformed JSON" in str(exc):
        return DatabaseCorruptError(
            f"A record of {_database(storage)} is damaged ({exc}): run `arcadelite check "
            f"{_folder(storage)}` to find it; export what is still readable, or restore a backup"
        )
    if isinstance(exc, (apsw.CursorClosedError, apsw.ConnectionClosedError)):
        return DatabaseClosedError(f"Database {where} was closed while this was running ({exc})")
    return ArcadeDBError(f"Storage error: {exc}")


def damaged_text(exc: UnicodeDecodeError, storage: StorageState | None = None,
                 rid: object = None) -> ArcadeDBError:  # fmt: skip
    """A stored text that is not UTF-8 (SQLite hands back what the file holds)."""
    which = f"Record {rid}" if rid is not None else "A record"
    return DatabaseCorruptError(
        f"{which} of {_database(storage)} is damaged (its text is not UTF-8: {exc.reason} at "
        f"byte {exc.start}): run `arcadelite check {_folder(storage)}` to find it; export what "
        "is still readable, or restore a backup"
    )


def _database(storage: StorageState | None) -> str:
    return f"database '{storage.folder}'" if storage is not None else "the database"


def _folder(storage: StorageState | None) -> str:
    return storage.folder if storage is not None else "<folder>"


_Method = TypeVar("_Method", bound=Callable[..., Any])


def translating(method: _Method) -> _Method:
    """A storage method (or generator) whose SQLite errors, raised by ``execute()`` or while its
    rows are fetched, leave as ArcadeDBErrors."""
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def generator(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from method(self, *args, **kwargs)
            except apsw.Error as exc:
                raise translate_error(exc, self) from exc
            except UnicodeDecodeError as exc:
                raise damaged_text(exc, self) from exc

        return cast("_Method", generator)

    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except apsw.Error as exc:
            raise translate_error(exc, self) from exc
        except UnicodeDecodeError as exc:
            raise damaged_text(exc, self) from exc

    return cast("_Method", call)


def translated_rows(rows: Iterable[Any], storage: StorageState) -> Iterator[Any]:
    """``rows`` (a cursor being read), with SQLite's errors while reading them translated."""
    try:
        yield from rows
    except apsw.Error as exc:
        raise translate_error(exc, storage) from exc
    except UnicodeDecodeError as exc:
        raise damaged_text(exc, storage) from exc


def _largest_property(encoded: tuple[str, str | None] | None) -> str | None:
    """The name of the record's largest property (by its encoded size), if it can be told."""
    if encoded is None:
        return None
    try:
        props = codec.loads(encoded[0])
    except Exception:  # only for the message
        return None
    if not isinstance(props, dict) or not props:
        return None
    return max(props, key=lambda name: len(codec.dumps(props[name])))


def _nearly_full(folder: str) -> bool:
    """True when the file system holding ``folder`` has less than 1 MB free."""
    try:
        stat = os.statvfs(folder)
    except OSError:
        return False
    return stat.f_bavail * stat.f_frsize < (1 << 20)


def _what_happened(rolled_back: bool | None) -> str:
    if rolled_back:
        return "SQLite rolled the whole transaction back, nothing of it was written"
    if rolled_back is False:
        return "this write was not made (the transaction is still open: retry it or roll back)"
    return "nothing was written"


def _length_limit(storage: StorageState | None) -> int:
    if storage is not None:
        try:
            return storage.main.conn.limit(apsw.SQLITE_LIMIT_LENGTH, -1)
        except Exception:  # the limit is only for the message
            pass
    return 1_000_000_000


def os_error(exc: OSError, path: str, what: str) -> ArcadeDBError:
    """The ArcadeDBError for an operating system error while ``what`` (e.g. "creating the
    database") on ``path``: a full disk, a file that may not be written, or another cause."""
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullError(
            f"The disk holding '{path}' is full while {what} ({exc.strerror}): nothing was "
            "kept. Free some space, then retry"
        )
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "a read-only file system" if code == errno.EROFS else "permission denied"
        return ReadOnlyDatabaseError(
            f"'{path}' may not be written ({reason}) while {what}: a database folder must be "
            "writable even to read it (arcadelite writes its lock file there, SQLite its -wal "
            "and -shm files); run as a user who may write there, or copy it somewhere writable"
        )
    return ArcadeDBError(f"{what[:1].upper()}{what[1:]} failed on '{path}': {exc}")


def storage_error(exc: BaseException) -> ArcadeDBError | None:
    """The ArcadeDBError for an exception raised inside SQLite (or by damaged stored text), or
    None for any other one."""
    if isinstance(exc, apsw.Error):
        return translate_error(exc)
    if isinstance(exc, UnicodeDecodeError):
        return damaged_text(exc)
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


__all__ = ["damaged_text", "os_error", "storage_error", "translate_error", "translated_rows",
           "translating"]
