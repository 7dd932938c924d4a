"""Fault injectors for issue 10, shared by ``tests/faults`` and ``python -m torture faults``.

Each one injects a real fault — a full disk (a small tmpfs), a real SIGINT, a forked child, a
read-only mount, an unprivileged user, bytes damaged on disk, SQLite's write lock held by another
process — and none of them mocks arcadelite: the database is driven through its public API only.
A scenario that may hang on a broken build runs in a thread or a child process with a deadline,
so that the fault shows as a failure instead of a stuck suite (``in_thread``, ``in_child``).

Injection that needs privileges (mount, setuid) raises ``Unavailable`` with the reason; the
tests turn it into a skip, the torture part into a line that says what was not tried.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import apsw

DB_FILE = "arcadelite.sqlite"
NOBODY = 65534


class Unavailable(Exception):
    """This fault cannot be injected on this machine (not root, mount refused, ...)."""


# --- outcomes of code run under a deadline ------------------------------------------------------


@dataclass
class Outcome:
    """What a call did: ``state`` is "ok" (``value``), "raised" (``error`` describes it),
    "timeout" (still running at the deadline) or "crashed" (a child died without a word)."""

    state: str
    value: Any = None
    error: dict[str, Any] | None = None
    thread_deaths: list[str] | None = None  # (in_child) threads killed by an uncaught exception

    @property
    def ok(self) -> bool:
        return self.state == "ok"

    def raised(self, name: str) -> bool:
        """True when it raised an exception whose class (or a base class) is called ``name``."""
        return self.state == "raised" and name in self.error["mro"]  # type: ignore[index]

    def __str__(self) -> str:
        if self.state == "ok":
            return f"returned {self.value!r}"[:300]
        if self.state == "raised":
            return f"raised {self.error['type']}: {self.error['message']}"[:300]  # type: ignore[index]
        return self.state + (f" ({self.value})" if self.value else "")


def describe(exc: BaseException) -> dict[str, Any]:
    """A picklable description of an exception: its class, bases, message and cause."""
    cls = type(exc)
    return {
        "type": f"{cls.__module__}.{cls.__qualname__}",
        "mro": [c.__name__ for c in cls.__mro__],
        "message": str(exc),
        "arcadedb": any(c.__name__ == "ArcadeDBError" for c in cls.__mro__),
        "cause": None if exc.__cause__ is None else f"{type(exc.__cause__).__name__}: {exc.__cause__}",
    }


def in_thread(fn: Callable[[], Any], timeout: float) -> Outcome:
    """Run ``fn`` in a daemon thread; give up waiting after ``timeout`` seconds (it may go on)."""
    box: list[Outcome] = []

    def run() -> None:
        try:
            box.append(Outcome("ok", fn()))
        except BaseException as exc:
            box.append(Outcome("raised", None, describe(exc)))

    thread = threading.Thread(target=run, daemon=True, name="faultkit-deadline")
    thread.start()
    thread.join(timeout)
    return box[0] if box else Outcome("timeout", f"still running after {timeout:g} s")


def in_child(fn: Callable[[], Any], timeout: float) -> Outcome:
    """Run ``fn`` in a forked child process, which reports through a pipe and leaves with
    ``os._exit`` (no atexit handlers, no buffered output of the parent flushed twice). A child
    still running at the deadline is killed with SIGKILL."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        deaths: list[str] = []

        def record_death(args: Any) -> None:
            name = args.thread.name if args.thread is not None else "?"
            deaths.append(f"{name}: {args.exc_type.__name__}: {args.exc_value}")

        threading.excepthook = record_death
        try:
            try:
                result = Outcome("ok", fn(), None, deaths)
                payload = pickle.dumps(result)
            except BaseException as exc:
                payload = pickle.dumps(Outcome("raised", None, describe(exc), deaths))
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
        finally:
            os._exit(0)
    os.close(write_end)
    data = b""
    deadline = time.monotonic() + timeout
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return Outcome("timeout", f"child killed after {timeout:g} s")
            ready, _, _ = select.select([read_end], [], [], remaining)
            if ready:
                chunk = os.read(read_end, 1 << 16)
                if not chunk:
                    break
                data += chunk
    finally:
        os.close(read_end)
    os.waitpid(pid, 0)
    if not data:
        return Outcome("crashed", "the child died without reporting")
    return pickle.loads(data)


def wait_child(pid: int, timeout: float) -> int | None:
    """The exit status of child ``pid``, or None (and the child SIGKILLed) after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None


# --- disk full ----------------------------------------------------------------------------------


def mount_tmpfs(path: str, size: str = "8m") -> None:
    """Mount a tmpfs of ``size`` at ``path`` (root only); ``Unavailable`` when refused."""
    os.makedirs(path, exist_ok=True)
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0777", "tmpfs", path],
                              capture_output=True, text=True, timeout=30)  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        raise Unavailable(f"cannot run mount: {exc}") from None
    if done.returncode != 0:
        raise Unavailable(
            f"mounting a {size} tmpfs was refused (needs root or CAP_SYS_ADMIN): "
            f"{done.stderr.strip() or done.returncode}"
        )


def unmount(path: str) -> None:
    """Unmount ``path`` (lazily if something still holds it open)."""
    if subprocess.run(["umount", path], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", path], capture_output=True)


@contextmanager
def tmpfs(path: str, size: str = "8m") -> Iterator[str]:
    """A small tmpfs at ``path`` for the duration of the block: a disk that really fills up."""
    mount_tmpfs(path, size)
    try:
        yield path
    finally:
        unmount(path)


def fill_disk(folder: str, leave: int = 0) -> str:
    """Write a filler file in ``folder`` until the disk is full, then give back ``leave`` bytes.
    Returns the filler's path (remove it to free the space)."""
    path = os.path.join(folder, "filler")
    block = b"\0" * (1 << 16)
    with open(path, "wb", buffering=0) as out:
        try:
            while True:
                out.write(block)
        except OSError:
            pass
    if leave:
        size = os.path.getsize(path)
        os.truncate(path, max(0, size - leave))
    return path


def open_files_under(folder: str) -> list[str]:
    """The files under ``folder`` that this process holds open (from /proc/self/fd)."""
    found = []
    prefix = os.path.realpath(folder) + os.sep
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(prefix):
            found.append(target)
    return found


# --- other processes ------------------------------------------------------------------------


_OPEN_ELSEWHERE = """
import sys
import arcadelite
try:
    db = arcadelite.open_database(sys.argv[1])
except Exception as exc:
    print(type(exc).__name__ + ": " + str(exc))
else:
    db.close()
    print("opened")
"""


def open_elsewhere(folder: str, timeout: float = 30) -> str:
    """Try ``open_database(folder)`` in a fresh interpreter: "opened", or "<Error>: message"."""
    done = subprocess.run([sys.executable, "-c", _OPEN_ELSEWHERE, folder], capture_output=True,
                          text=True, timeout=timeout)  # fmt: skip
    return (done.stdout.strip() or done.stderr.strip()[-500:]).splitlines()[-1]


_HOLD_AND_WAIT = """
import sys
import arcadelite
db = arcadelite.open_database(sys.argv[1])
for name in db.schema.get_types():
    pass
print("holding", flush=True)
sys.stdin.readline()
"""


def crash_while_open(folder: str) -> None:
    """Open the database in another process and SIGKILL that process: an unclean close."""
    proc = subprocess.Popen([sys.executable, "-c", _HOLD_AND_WAIT, folder], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        line = proc.stdout.readline().strip()  # type: ignore[union-attr]
        if line != "holding":
            raise RuntimeError(f"the holder did not open {folder}: {line!r}")
    finally:
        proc.kill()
        proc.wait()


_LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


class ExternalWriter:
    """Another process (plain SQLite, no arcadelite) holding SQLite's write lock on a database
    file: arcadelite's ``BEGIN IMMEDIATE`` then waits in SQLite's busy handler until
    ``release()``. (A connection of a second SQLite library *in this process* would not do:
    POSIX record locks do not conflict within one process.)"""

    def __init__(self, folder: str) -> None:
        self._proc = subprocess.Popen([sys.executable, "-c", _LOCKER, os.path.join(folder, DB_FILE)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
        line = self._proc.stdout.readline().strip()  # type: ignore[union-attr]
        if line != "locked":
            self._proc.kill()
            raise RuntimeError(f"the external writer could not lock {folder}: {line!r}")

    def release(self) -> None:
        if self._proc.poll() is None:
            try:
                self._proc.stdin.write("\n")  # type: ignore[union-attr]
                self._proc.stdin.flush()  # type: ignore[union-attr]
            except OSError:
                pass
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def __enter__(self) -> ExternalWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


# --- Ctrl-C -------------------------------------------------------------------------------------


@contextmanager
def default_sigint() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt in the main thread during the block (as in a REPL)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def blocked_inside(ident: int, marker: str = f"{os.sep}arcadelite{os.sep}", settle: float = 0.15,
                   timeout: float = 10.0) -> bool:  # fmt: skip
    """Wait until thread ``ident`` sits still in code whose file path contains ``marker`` (a
    call into SQLite, a lock wait) for ``settle`` seconds. False at the timeout."""
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        frame = sys._current_frames().get(ident)
        where = None if frame is None else (frame.f_code.co_filename, frame.f_lineno)
        now = time.monotonic()
        if where != last:
            last, since = where, now
        elif where is not None and marker in where[0] and now - since >= settle:
            return True
        time.sleep(0.01)
    return False


def landed_inside(exc: BaseException, marker: str = f"{os.sep}arcadelite{os.sep}") -> bool:
    """True when the innermost frame of ``exc``'s traceback is in arcadelite's code (or in the
    standard library called from it, e.g. a lock wait): the interrupt hit arcadelite, not the
    caller's own loop."""
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_filename)
        tb = tb.tb_next
    inside = [i for i, name in enumerate(frames) if marker in name]
    return bool(inside) and all(marker in name or "python3" in name or "threading" in name
                                for name in frames[inside[0]:])  # fmt: skip


class Interrupter:
    """SIGINT to the main thread after a random delay, only while armed (``with
    interrupter.armed(delay):``): then SIGINT raises KeyboardInterrupt as in a REPL; outside, it is
    ignored. The signal is sent with ``signal.pthread_kill`` from a timer thread; like a real
    Ctrl-C it only sets a flag, and the main thread raises at its next check."""

    def __init__(self) -> None:
        self.main = threading.main_thread().ident
        self.sent = 0

    def _send(self) -> None:
        self.sent += 1
        signal.pthread_kill(self.main, signal.SIGINT)  # type: ignore[arg-type]

    @contextmanager
    def armed(self, delay: float) -> Iterator[None]:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        timer = threading.Timer(delay, self._send)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
            signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def interrupt_main_when_a_thread_starts() -> Iterator[list[str]]:
    """SIGINT to the main thread from the first thread started in the block, as soon as that
    thread runs Python code; the thread then pauses 50 ms so the main thread handles it first.
    For a fresh AsyncExecutor this lands while the producer is starting its workers."""
    main = threading.main_thread().ident
    fired: list[str] = []
    lock = threading.Lock()

    def hook(frame: Any, event: str, arg: Any) -> None:
        sys.setprofile(None)
        with lock:
            if fired:
                return
            fired.append(threading.current_thread().name)
        signal.pthread_kill(main, signal.SIGINT)  # type: ignore[arg-type]
        time.sleep(0.05)

    threading.setprofile(hook)
    try:
        yield fired
    finally:
        threading.setprofile(None)  # type: ignore[arg-type]


# --- damage on disk -----------------------------------------------------------------------------


def _readonly(db_file: str) -> apsw.Connection:
    return apsw.Connection(db_file, flags=apsw.SQLITE_OPEN_READONLY)


def sqlite_indexes(folder: str) -> list[tuple[str, str]]:
    """(SQLite index name, table) of the expression indexes arcadelite made for user indexes."""
    conn = _readonly(os.path.join(folder, DB_FILE))
    try:
        return [(r[0], r[1]) for r in conn.execute(
            "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql LIKE '%json_extract%'"
        )]  # fmt: skip
    finally:
        conn.close()


def btree_pages(folder: str, name: str, kind: str = "leaf") -> tuple[list[int], int]:
    """The page numbers of a table's or index's b-tree (``kind`` "leaf" or "internal") and the
    page size, from SQLite's dbstat table (read-only)."""
    conn = _readonly(os.path.join(folder, DB_FILE))
    try:
        pages = [r[0] for r in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = ?", (name, kind))]  # fmt: skip
        return pages, conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()


def replace_in_pages(folder: str, pages: list[int], page_size: int, old: bytes,
                     new: bytes) -> int:  # fmt: skip
    """Overwrite the first occurrence of ``old`` with ``new`` (same length) in each of these
    pages of the (closed, checkpointed) database file. Returns how many pages changed."""
    if len(old) != len(new):
        raise ValueError("old and new must have the same length")
    changed = 0
    with open(os.path.join(folder, DB_FILE), "r+b") as f:
        for page in pages:
            f.seek((page - 1) * page_size)
            data = f.read(page_size)
            at = data.find(old)
            if at >= 0:
                f.seek((page - 1) * page_size + at)
                f.write(new)
                changed += 1
    return changed


def smash_pages(folder: str, pages: list[int], page_size: int, seed: int = 0) -> None:
    """Overwrite these pages of the (closed) database file with garbage."""
    import random

    rng = random.Random(seed)
    with open(os.path.join(folder, DB_FILE), "r+b") as f:
        for page in pages:
            f.seek((page - 1) * page_size)
            f.write(bytes(rng.getrandbits(8) for _ in range(page_size)))


def raw_sql(folder: str, sql: str, params: Any = ()) -> list[tuple]:
    """Run SQL on the database file with plain APSW, bypassing arcadelite (to damage rows or
    remove what arcadelite keeps consistent). The database must not be open."""
    conn = apsw.Connection(os.path.join(folder, DB_FILE))
    try:
        return list(conn.execute(sql, params))
    finally:
        conn.close()


def table_of(folder: str, type_name: str) -> str:
    """The SQLite table holding a type's records (white-box: ``t<type id>``)."""
    conn = _readonly(os.path.join(folder, DB_FILE))
    try:
        row = conn.execute("SELECT id FROM al_types WHERE name = ?", (type_name,)).fetchone()
    finally:
        conn.close()
    if row is None:
        raise KeyError(type_name)
    return f"t{row[0]}"


# --- users and mounts ---------------------------------------------------------------------------


def require_root(what: str) -> None:
    if os.geteuid() != 0:
        raise Unavailable(f"{what} needs root (to switch to an unprivileged user or mount)")


def preload_arcadelite() -> None:
    """Import every arcadelite module a child may need before it drops its privileges (after
    setuid it may no longer read the interpreter's own files)."""
    import arcadelite.async_executor
    import arcadelite.batch
    import arcadelite.exporter
    import arcadelite.importer
    import arcadelite.query
    import arcadelite.query.executor
    import arcadelite.sql  # noqa: F401


def as_nobody(fn: Callable[[], Any], timeout: float = 60) -> Outcome:
    """Run ``fn`` in a forked child that has switched to the unprivileged user ``nobody``."""
    require_root("running as an unprivileged user")
    preload_arcadelite()

    def child() -> Any:
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
        return fn()

    return in_child(child, timeout)


@contextmanager
def bind_mount(source: str, target: str, read_only: bool = False) -> Iterator[str]:
    """``source`` visible at ``target`` too (a bind mount; read-only if asked)."""
    require_root("a bind mount")
    os.makedirs(target, exist_ok=True)
    done = subprocess.run(["mount", "--bind", source, target], capture_output=True, text=True)
    if done.returncode != 0:
        raise Unavailable(f"bind mount refused: {done.stderr.strip()}")
    try:
        if read_only:
            done = subprocess.run(["mount", "-o", "remount,ro,bind", target], capture_output=True,
                                  text=True)  # fmt: skip
            if done.returncode != 0:
                raise Unavailable(f"read-only remount refused: {done.stderr.strip()}")
        yield target
    finally:
        unmount(target)


# --- hostile property names ----------------------------------------------------------------------


def quote_name(name: str) -> str:
    """A property name as a backquoted identifier of arcadelite's SQL (``\\`` escapes)."""
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def name_decoys(name: str) -> list[str]:
    """Names a broken escaping could confuse with ``name``."""
    candidates = {name.replace("\\", ""), name.replace('"', ""), name.replace("'", ""),
                  name.split(".")[0], name.split(".")[-1], name.replace("\x00", ""),
                  name.split("\x00")[0], name.replace("\\", "\\\\")}  # fmt: skip
    return sorted(c for c in candidates if c != name and c and not c.startswith("@"))


def property_name_problems(db: Any, type_name: str, name: str, may_be_refused: bool) -> list[str]:
    """What goes wrong with the property ``name`` on a fresh type ``type_name``: save and read
    back (next to decoy records holding names a broken escaping would confuse with it), SQL
    WHERE / SELECT / UPDATE, ``create_property`` with a unique index, a duplicate refused,
    ``lookup_by_key``. Empty when the name round-trips everywhere, or when it is refused up
    front (ValidationError at ``set``, and an ArcadeDBError at DDL) and ``may_be_refused``."""
    from arcadelite import ArcadeDBError
    from arcadelite.exceptions import (
        DuplicatedKeyError,
        ParseError,
        SchemaError,
        ValidationError,
    )

    problems: list[str] = []
    db.schema.create_document_type(type_name)
    first = db.new_document(type_name)
    try:
        first.set(name, 1)
    except ValidationError:
        if not may_be_refused:
            problems.append(f"{name!r} is refused at set(), but the reference accepts it")
        try:
            db.schema.create_property(type_name, name, "INTEGER")
            problems.append(f"{name!r} is refused at set() but accepted by create_property")
        except (SchemaError, ValidationError):
            pass
        return problems

    def step(what: str, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except ArcadeDBError as exc:
            problems.append(f"{what}: {type(exc).__name__}: {exc}")
        except Exception as exc:
            problems.append(f"{what}: raw {type(exc).__module__}.{type(exc).__name__}: {exc}")
        return None

    decoys = name_decoys(name)

    def save_three() -> tuple[Any, Any, Any]:
        with db.transaction():
            a = first.save()
            b = db.new_document(type_name).set(name, 2).save()
            c = db.new_document(type_name)
            for other in decoys:
                c.set(other, 1)
            c.save()
        return a, b, c

    saved = step("save", save_three)
    if saved is None:
        return problems
    a, b, c = saved
    rid_a, rid_b = a.get_rid(), b.get_rid()
    back = step("lookup_by_rid", lambda: db.lookup_by_rid(rid_a).get(name))
    if back != 1:
        problems.append(f"lookup_by_rid reads {back!r} for {name!r}, not 1")
    decoy = db.lookup_by_rid(c.get_rid())
    if decoy.get(name) is not None:
        problems.append(f"{name!r} reads a decoy's value: {decoy.to_dict()}")
    quoted = quote_name(name)

    def where(value: int) -> set[str]:
        rows = db.query("sql", f"SELECT FROM {type_name} WHERE {quoted} = ?", value)
        return {row.get_rid() for row in rows}

    spelled = True
    try:
        found = where(1)
        if found != {rid_a}:
            problems.append(f"WHERE {quoted} = 1 finds {sorted(found)}, not {rid_a}")
    except ParseError:
        spelled = False
        if name != "":
            problems.append(f"SQL cannot spell {name!r} as {quoted}")
    except Exception as exc:
        problems.append(f"WHERE {quoted}: {type(exc).__module__}.{type(exc).__name__}: {exc}")
    if spelled:
        values = step(f"SELECT {quoted}", lambda: [r.get("v") for r in db.query(
            "sql", f"SELECT {quoted} AS v FROM {type_name} ORDER BY @rid")])  # fmt: skip
        if values is not None and values != [1, 2, None]:
            problems.append(f"SELECT {quoted} reads {values}, not [1, 2, None]")

        def update() -> None:
            with db.transaction():
                db.command("sql", f"UPDATE {type_name} SET {quoted} = 3 WHERE {quoted} = 2")

        step(f"UPDATE ... SET {quoted}", update)
    value_b = db.lookup_by_rid(rid_b).get(name)
    try:
        db.schema.create_property(type_name, name, "INTEGER")
        db.schema.create_index(type_name, [name], unique=True)
    except (SchemaError, ValidationError) as exc:
        if not may_be_refused:
            problems.append(f"DDL refuses {name!r}, which the reference accepts: {exc}")
        return problems
    except Exception as exc:
        problems.append(f"DDL on {name!r}: {type(exc).__module__}.{type(exc).__name__}: {exc}")
        return problems
    try:
        with db.transaction():
            db.new_document(type_name).set(name, 1).save()
        problems.append(f"the unique index on {name!r} accepted a duplicate")
    except DuplicatedKeyError:
        pass
    except Exception as exc:
        problems.append(f"duplicate on {name!r}: {type(exc).__module__}.{type(exc).__name__}: {exc}")
    for value, rid in ((1, rid_a), (value_b, rid_b), (7, None)):
        hit = step(f"lookup_by_key {value}", lambda value=value: db.lookup_by_key(
            type_name, [name], [value]))  # fmt: skip
        got = None if hit is None else hit.get_rid()
        if got != rid:
            problems.append(f"lookup_by_key({name!r} = {value!r}) gives {got}, not {rid}")
    if spelled:
        found = step("WHERE through the index", lambda: where(1))
        if found is not None and found != {rid_a}:
            problems.append(f"WHERE {quoted} = 1 through the index finds {sorted(found)}")
    return problems


def export_import_problems(db: Any, folder: str) -> list[str]:
    """Export ``db``, restore the dump into a new database, and compare every record."""
    import arcadelite as arcadedb

    dump = os.path.join(folder, "names.jsonl.gz")
    db.export_database(dump, verbose=0, overwrite=True)
    problems = []
    with arcadedb.create_database(os.path.join(folder, "restored")) as again:
        again.command("sql", f"IMPORT DATABASE file://{dump}")
        for type_ in db.schema.get_types():
            mine = sorted(repr(sorted(r.to_dict().items())) for r in db.iterate_type(type_.name))
            theirs = sorted(repr(sorted(r.to_dict().items())) for r in again.iterate_type(type_.name))
            if mine != theirs:
                problems.append(f"type {type_.name} changed through export/import")
    return problems
