"""Files and locks: where a database lives on disk, and who may open it.

A database is a folder holding ``arcadelite.sqlite`` (plus SQLite's ``-wal``/``-shm``) and a
``lock`` file. Inside a process a folder is open at most once (a registry); against other
processes an exclusive ``flock`` on ``lock`` keeps a second writer out, and the holder writes its
pid there so that the refused one can say who holds it.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time

from ..exceptions import ArcadeDBError, DatabaseLockedError

DB_FILE = "arcadelite.sqlite"
LOCK_FILE = "lock"
#: Folders open in this process: (st_dev, st_ino) (or the real path of one not made yet) ->
#: (owner, the path it was opened by).
_PROCESS_OPEN: dict[object, tuple[object, str]] = {}
_PROCESS_OPEN_LOCK = threading.Lock()


def database_file(folder: str) -> str:
    """The SQLite file of a database folder."""
    return os.path.join(os.path.abspath(folder), DB_FILE)


def exists(folder: str) -> bool:
    """True when the folder holds a database."""
    return os.path.isfile(database_file(folder))


class FolderLock:
    """One process's claim on a database folder: registered in this process, then flock'ed."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._owner: object = None
        self._key: object = None
        self._fd: int | None = None
        self.created_folder = False  #: lock() made the folder (a failed creation removes it)
        self.held = False  #: the flock was ours (so were the files a failed creation made)

    def register(self, owner: object, create: bool) -> None:
        """Claim the folder in this process (refused when it is open here already, by whatever
        path: the registry knows folders by device and inode, equal through symlinks and bind
        mounts)."""
        with _PROCESS_OPEN_LOCK:
            key = _identity(self.folder)
            _refuse_if_open_here(self.folder, key)
            if create and exists(self.folder):
                raise ArcadeDBError(f"Database '{self.folder}' already exists")
            if not create and not exists(self.folder):
                raise ArcadeDBError(f"Database '{self.folder}' does not exist")
            _PROCESS_OPEN[key] = (owner, self.folder)
            self._owner, self._key = owner, key

    def _rekey(self) -> None:
        """Once the folder exists, know it by its identity (a new one was known by its path)."""
        with _PROCESS_OPEN_LOCK:
            key = _identity(self.folder)
            if key == self._key:
                return
            _refuse_if_open_here(self.folder, key)
            if _PROCESS_OPEN.get(self._key, (None,))[0] is self._owner:
                _PROCESS_OPEN[key] = _PROCESS_OPEN.pop(self._key)
                self._key = key

    def lock(self) -> None:
        """Take the exclusive flock against other processes; the error names the holder's pid.

        Any failure (a full disk, a folder that may not be written) leaves nothing locked."""
        if not os.path.isdir(self.folder):
            os.makedirs(self.folder, exist_ok=True)
            self.created_folder = True
        self._rekey()
        path = os.path.join(self.folder, LOCK_FILE)
        fd = self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._fd = None
            holder = ""
            for _ in range(50):  # the holder writes its pid just after it locks: wait for it
                holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
                if holder and _process_alive(holder):  # not a stale pid of a killed holder
                    break
                time.sleep(0.01)
            os.close(fd)
            raise DatabaseLockedError(
                f"Database '{self.folder}' is open for writing by another process "
                f"(pid {holder or 'unknown'})"
            ) from None
        self.held = True
        # One fixed-width write: a reader never sees the file emptied in between.
        os.pwrite(fd, f"{os.getpid():<20}".encode(), 0)

    def abandon(self) -> None:
        """In a forked child: drop this process's copy of the lock descriptor. The flock belongs
        to the description the parent shares: closing a copy keeps it, ``LOCK_UN`` (or a pid
        written over the parent's) would give the parent's lock away."""
        fd, self._fd, self._owner = self._fd, None, None
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass

    def release(self) -> None:
        """Give up the flock (leaving no stale pid) and the registration."""
        if self._fd is not None:
            try:
                try:
                    os.pwrite(self._fd, b" " * 20, 0)  # no stale pid for the next opener
                except OSError:
                    pass  # (a full disk) the next opener finds a pid that is not alive
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            finally:
                os.close(self._fd)
                self._fd = None
        with _PROCESS_OPEN_LOCK:
            if self._owner is not None and _PROCESS_OPEN.get(self._key, (None,))[0] is self._owner:
                del _PROCESS_OPEN[self._key]

    def remove_created(self) -> None:
        """After a failed creation: remove the files it made, and the folder if it made that."""
        made = (DB_FILE, DB_FILE + "-wal", DB_FILE + "-shm", DB_FILE + "-journal", LOCK_FILE)
        for name in made if self.held else ():
            try:
                os.remove(os.path.join(self.folder, name))
            except OSError:
                pass
        if self.created_folder:
            try:
                os.rmdir(self.folder)
            except OSError:
                pass


def _after_fork_in_child() -> None:
    """Every database open in the parent is inherited, not open, in a forked child: its owner
    is told (``inherited_by_fork``), and the child may open the folder itself later."""
    global _PROCESS_OPEN_LOCK
    _PROCESS_OPEN_LOCK = threading.Lock()  # another thread of the parent may have held it
    inherited = list(_PROCESS_OPEN.values())
    _PROCESS_OPEN.clear()
    for owner, _path in inherited:
        hook = getattr(owner, "inherited_by_fork", None)
        if hook is not None:
            hook()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _identity(folder: str) -> object:
    """What tells a folder from every other: its device and inode, whatever the path to it."""
    try:
        st = os.stat(folder)
    except OSError:
        return ("path", os.path.realpath(folder))
    return (st.st_dev, st.st_ino)


def _refuse_if_open_here(folder: str, key: object) -> None:
    """DatabaseLockedError when ``key`` is open in this process (caller holds the registry)."""
    entry = _PROCESS_OPEN.get(key)
    if entry is not None:
        first = entry[1]
        through = "" if first == folder else f" (as '{first}')"
        raise DatabaseLockedError(
            f"Database '{folder}' is already open in this process{through}: "
            "use the Database object you have, or close it first"
        )


def _process_alive(pid_text: str) -> bool:
    try:
        os.kill(int(pid_text), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


__all__ = ["DB_FILE", "LOCK_FILE", "FolderLock", "database_file", "exists"]
