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
_PROCESS_OPEN: dict[str, object] = {}
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
        self._fd: int | None = None
        self.created_folder = False  #: lock() made the folder (a failed creation removes it)
        self.held = False  #: the flock was ours (so were the files a failed creation made)

    def register(self, owner: object, create: bool) -> None:
        """Claim the folder in this process (refused when it is open here already)."""
        with _PROCESS_OPEN_LOCK:
            if self.folder in _PROCESS_OPEN:
                raise DatabaseLockedError(
                    f"Database '{self.folder}' is already open in this process: "
                    "use the Database object you have, or close it first"
                )
            if create and exists(self.folder):
                raise ArcadeDBError(f"Database '{self.folder}' already exists")
            if not create and not exists(self.folder):
                raise ArcadeDBError(f"Database '{self.folder}' does not exist")
            _PROCESS_OPEN[self.folder] = owner
            self._owner = owner

    def lock(self) -> None:
        """Take the exclusive flock against other processes; the error names the holder's pid.

        Any failure (a full disk, a folder that may not be written) leaves nothing locked."""
        if not os.path.isdir(self.folder):
            os.makedirs(self.folder, exist_ok=True)
            self.created_folder = True
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
            if self._owner is not None and _PROCESS_OPEN.get(self.folder) is self._owner:
                del _PROCESS_OPEN[self.folder]


    def remove_created(self) -> None:
        """After a failed creation: remove the files it made, and the folder if it made that."""
        for name in () if not self.held else (DB_FILE, DB_FILE + "-wal", DB_FILE + "-shm", DB_FILE + "-journal", LOCK_FILE):
            try:
                os.remove(os.path.join(self.folder, name))
            except OSError:
                pass
        if self.created_folder:
            try:
                os.rmdir(self.folder)
            except OSError:
                pass


def _process_alive(pid_text: str) -> bool:
    try:
        os.kill(int(pid_text), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


__all__ = ["DB_FILE", "LOCK_FILE", "FolderLock", "database_file", "exists"]
