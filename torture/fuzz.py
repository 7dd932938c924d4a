"""Model-based fuzz: a hypothesis state machine against an in-memory reference model.

Random sequences of API calls — create, update and delete documents (a type and its subtype
sharing a unique index), vertices and edges; nested transactions that commit or roll back;
lookups by RID and by key; counts; AsyncExecutor batches with predicted failures; and, once SQL
is available, INSERT/UPDATE/DELETE/SELECT statements — run against a fresh database and a plain
Python model of what it must contain. After every step:

- the calling thread's view (its open transaction included) equals the model's view, record by
  record (type, RID, every property with its Python type), edges with their ends;
- another thread sees exactly the committed model (READ COMMITTED: never uncommitted data);
- counts agree.

Every call either succeeds as the model predicts or raises the exception the model predicts
(e.g. DuplicatedKeyError); anything else escaping — above all anything that is not an
ArcadeDBError or a documented built-in — fails the run, and hypothesis shrinks it to a minimal
sequence of steps, printed as a reproducible program.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import queue
import shutil
import tempfile
import threading
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import seed as seeded
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

import arcadelite as arcadedb
from arcadelite import (
    ArcadeDBError,
    DuplicatedKeyError,
    RecordNotFoundError,
    TransactionError,
    ValidationError,
)

from .common import DOCUMENTED_BUILTINS, Report, rss_bytes, sql_available

# --- values -----------------------------------------------------------------------------------

_INT64 = st.integers(-(2**63), 2**63 - 1)
_SCALARS = (
    st.none()
    | st.booleans()
    | _INT64
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.binary(max_size=12)
    | st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
        lambda d: d.is_finite() and abs(d.adjusted()) < 300
    )
    | st.dates()
    | st.datetimes()
    | st.datetimes(timezones=st.timezones())
)
VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
NAMES = st.sampled_from(["a", "b", "c", "x y", "ü", "a.b", "$x", "long_property_name"])
PROPS = st.dictionaries(NAMES, VALUES, max_size=4)
KEYS = st.none() | st.integers(0, 7)  # a small key space: duplicates are frequent
SQL_VALUES = st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=8)
PICK = st.integers(0, 10**6)

RULES: Counter = Counter()  # how often each rule ran (a figure of the part)
DOC_TYPES = ("D", "D2")  # D2 extends D; the unique index D[k] covers both
FAMILY = {"D": "D", "D2": "D", "V": "V"}


def normal(value: Any) -> Any:
    """What reading a stored value gives back: tuples come back as lists."""
    if isinstance(value, (list, tuple)):
        return [normal(v) for v in value]
    if isinstance(value, dict):
        return {k: normal(v) for k, v in value.items()}
    return value


def unstorable(value: Any) -> bool:
    """An aware datetime is stored in UTC: one whose UTC time falls outside years 1..9999 is
    refused with ValidationError (a documented limit)."""
    if isinstance(value, dt.datetime) and value.utcoffset() is not None:
        try:
            value.astimezone(dt.timezone.utc)
        except OverflowError:
            return True
        return False
    if isinstance(value, (list, tuple)):
        return any(unstorable(v) for v in value)
    if isinstance(value, dict):
        return any(unstorable(v) for v in value.values())
    return False


def same(a: Any, b: Any) -> bool:
    """Equal values of the same Python types, recursively (1 != 1.0 != True here)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and a == 0.0:
        return str(a) == str(b)  # the sign of zero survives
    if isinstance(a, dt.datetime):
        # Compare instants by hand: Python never calls a time in a DST gap or fold equal to
        # one of another zone (PEP 495), and the zone comes back as its fixed offset.
        offset = a.utcoffset()
        if offset is None or b.utcoffset() is None:
            return offset is None and b.utcoffset() is None and a == b
        return offset == b.utcoffset() and a.replace(tzinfo=None) == b.replace(tzinfo=None)
    return a == b


# --- the model --------------------------------------------------------------------------------


class Model:
    """Records by RID: (type, props, out_rid, in_rid). A frame holds a transaction's changes."""

    def __init__(self) -> None:
        self.committed: dict[str, tuple] = {}
        self.frames: list[dict[str, Any]] = []  # {"changes": {rid: rec or None}, "wrote": bool}

    def view(self) -> dict[str, tuple]:
        """What the calling thread sees: committed, plus its innermost transaction's changes
        (an inner transaction runs on a connection of its own: it does not see its outer one's)."""
        if not self.frames:
            return self.committed
        merged = dict(self.committed)
        for rid, rec in self.frames[-1]["changes"].items():
            if rec is None:
                merged.pop(rid, None)
            else:
                merged[rid] = rec
        return merged

    def apply(self, changes: dict[str, Any]) -> None:
        if self.frames:
            frame = self.frames[-1]
            frame["changes"].update(changes)
            frame["wrote"] = True
        else:
            for rid, rec in changes.items():
                if rec is None:
                    self.committed.pop(rid, None)
                else:
                    self.committed[rid] = rec

    def outer_wrote(self) -> bool:
        return any(f["wrote"] for f in self.frames[:-1])

    def key_taken(self, type_name: str, k: Any, ignore: str | None = None) -> bool:
        if k is None:
            return False
        family = FAMILY[type_name]
        return any(
            FAMILY.get(rec[0]) == family and rec[1].get("k") == k and rid != ignore
            for rid, rec in self.view().items()
        )

    def cascade(self, rid: str) -> dict[str, Any]:
        """Changes deleting a record; a vertex takes its edges."""
        changes: dict[str, Any] = {rid: None}
        for other, rec in self.view().items():
            if rec[0] == "E" and rid in (rec[2], rec[3]):
                changes[other] = None
        return changes


class Unexpected(AssertionError):
    pass


def call(fn, expected: type[BaseException] | None = None):
    """Run ``fn``; it must raise ``expected`` (or succeed when None). Returns (result, exc)."""
    try:
        result = fn()
    except BaseException as exc:  # judged below
        if expected is not None and isinstance(exc, expected):
            return None, exc
        if not isinstance(exc, (ArcadeDBError, *DOCUMENTED_BUILTINS)):
            raise Unexpected(f"undocumented exception escaped: {exc!r}") from exc
        if expected is None or not isinstance(exc, expected):
            raise Unexpected(f"expected {expected.__name__ if expected else 'success'}, got "
                             f"{exc!r}") from exc  # fmt: skip
        return None, exc
    if expected is not None:
        raise Unexpected(f"expected {expected.__name__}, the call succeeded with {result!r}")
    return result, None


class Reader:
    """Another thread that reads the whole database: must see exactly the committed model."""

    def __init__(self, db) -> None:
        self.db = db
        self.requests: queue.Queue = queue.Queue()
        self.replies: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._main, daemon=True)
        self.thread.start()

    def _main(self) -> None:
        while True:
            job = self.requests.get()
            if job is None:
                return
            try:
                self.replies.put(("ok", snapshot(self.db)))
            except BaseException as exc:
                self.replies.put(("error", exc))

    def read(self) -> dict:
        self.requests.put(1)
        status, value = self.replies.get(timeout=120)
        if status == "error":
            raise Unexpected(f"the reader thread got {value!r}") from value
        return value

    def stop(self) -> None:
        self.requests.put(None)
        self.thread.join(timeout=30)


def snapshot(db) -> dict[str, tuple]:
    out: dict[str, tuple] = {}
    for name in ("D", "D2", "V", "E"):
        for rec in db.iterate_type(name, polymorphic=False):
            ends = (None, None)
            if name == "E":
                ends = (str(rec.get_out_rid()), str(rec.get_in_rid()))
            out[rec.get_rid()] = (name, rec.to_dict(), *ends)
    return out


def differences(got: dict[str, tuple], want: dict[str, tuple]) -> list[str]:
    problems = []
    for rid in sorted(want.keys() - got.keys()):
        problems.append(f"missing {rid} {want[rid]}")
    for rid in sorted(got.keys() - want.keys()):
        problems.append(f"unexpected {rid} {got[rid]}")
    for rid in sorted(got.keys() & want.keys()):
        g, w = got[rid], want[rid]
        if g[0] != w[0] or g[2:] != w[2:] or not same(g[1], normal(w[1])):
            problems.append(f"{rid}: stored {g}, expected {w}")
    return problems


# --- the state machine ------------------------------------------------------------------------


class DatabaseMachine(RuleBasedStateMachine):
    use_sql = False
    base: str | None = None
    steps = 0

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.mkdtemp(prefix="torture-fuzz-", dir=self.base)
        self.db = arcadedb.create_database(os.path.join(self.folder, "db"))
        self.model = Model()
        self.reader = Reader(self.db)

    @initialize()
    def schema(self) -> None:
        s = self.db.schema
        s.create_document_type("D")
        s.create_property("D", "k", "INTEGER")
        s.create_index("D", ["k"], unique=True)
        s.create_document_type("D2", supertypes=["D"])
        s.create_vertex_type("V")
        s.create_property("V", "k", "INTEGER")
        s.create_index("V", ["k"], unique=True)
        s.create_edge_type("E")

    def teardown(self) -> None:
        try:
            self.reader.stop()
            self.db.close()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    # --- helpers ------------------------------------------------------------------------------

    def write(self, body, expected: type[BaseException] | None, checked_first: bool = False):
        """Run a write in the open transaction, or in a ``with db.transaction()`` of its own.

        ``checked_first``: the expected error is found before the write starts (e.g. a missing
        edge end), so it comes before the inner-transaction refusal.
        """
        DatabaseMachine.steps += 1
        if self.model.frames:
            if self.model.outer_wrote() and not (checked_first and expected is not None):
                expected = TransactionError  # an inner transaction cannot write then
            result = call(body, expected)
            if isinstance(result[1], DuplicatedKeyError):
                self.model.frames[-1]["wrote"] = True  # it failed inside an open write transaction
            return result

        def own():
            with self.db.transaction():
                return body()

        return call(own, expected)

    def pick(self, n: int, types: tuple[str, ...]) -> str | None:
        rids = sorted(rid for rid, rec in self.model.view().items() if rec[0] in types)
        return rids[n % len(rids)] if rids else None

    # --- records ------------------------------------------------------------------------------

    @rule(type_name=st.sampled_from(("D", "D2", "V")), k=KEYS, props=PROPS)
    def create(self, type_name: str, k: Any, props: dict) -> None:
        RULES["create"] += 1
        full = dict(props)
        if k is not None:
            full["k"] = k
        expected = DuplicatedKeyError if self.model.key_taken(type_name, k) else None
        if unstorable(full):
            expected = ValidationError
        factory = self.db.new_vertex if type_name == "V" else self.db.new_document

        def body():
            record = factory(type_name)
            for name, value in full.items():
                record.set(name, value)
            return record.save().get_rid()

        rid, exc = self.write(body, expected, checked_first=expected is ValidationError)
        if exc is None:
            self.model.apply({rid: (type_name, full, None, None)})

    @rule(n=PICK, k=KEYS, props=PROPS, drop=st.lists(NAMES, max_size=2))
    def update(self, n: int, k: Any, props: dict, drop: list) -> None:
        RULES["update"] += 1
        rid = self.pick(n, ("D", "D2", "V", "E"))
        if rid is None:
            return
        type_name, old, out, in_ = self.model.view()[rid]
        full = {key: value for key, value in old.items() if key not in drop}
        full.update(props)
        if type_name != "E":
            if k is None:
                full.pop("k", None)
            else:
                full["k"] = k
        expected = (
            DuplicatedKeyError if self.model.key_taken(type_name, full.get("k"), rid) else None
        )

        def body():
            record = self.db.lookup_by_rid(rid).modify()
            for name in drop:
                record.remove(name)
            for name, value in full.items():
                record.set(name, value)
            if type_name != "E" and k is None:
                record.remove("k")
            record.save()

        if unstorable(full):
            expected = ValidationError
        _, exc = self.write(body, expected, checked_first=expected is ValidationError)
        if exc is None:
            self.model.apply({rid: (type_name, full, out, in_)})

    @rule(n=PICK)
    def delete(self, n: int) -> None:
        RULES["delete"] += 1
        rid = self.pick(n, ("D", "D2", "V", "E"))
        if rid is None:
            return
        _, exc = self.write(lambda: self.db.lookup_by_rid(rid).delete(), None)
        if exc is None:
            self.model.apply(self.model.cascade(rid))

    @rule(a=PICK, b=PICK, props=st.dictionaries(NAMES, VALUES, max_size=2))
    def new_edge(self, a: int, b: int, props: dict) -> None:
        RULES["new_edge"] += 1
        out, in_ = self.pick(a, ("V",)), self.pick(b, ("V",))
        if out is None:
            return

        def body():
            vertex = self.db.lookup_by_rid(out)
            return vertex.new_edge("E", in_, **props).get_rid()

        expected = ValidationError if unstorable(props) else None
        rid, exc = self.write(body, expected, checked_first=expected is not None)
        if exc is None:
            self.model.apply({rid: ("E", dict(props), out, in_)})

    @rule(n=PICK)
    def edge_to_deleted_vertex(self, n: int) -> None:
        """An edge towards a vertex deleted earlier: RecordNotFoundError, nothing written."""
        RULES["edge_to_deleted_vertex"] += 1
        out = self.pick(n, ("V",))
        gone = [rid for rid in self.deleted_vertices if rid not in self.model.view()]
        if out is None or not gone:
            return
        target = gone[n % len(gone)]
        self.write(
            lambda: self.db.lookup_by_rid(out).new_edge("E", target),
            RecordNotFoundError,
            checked_first=True,
        )

    @property
    def deleted_vertices(self) -> list[str]:
        seen = getattr(self, "_vertices_ever", set())
        seen.update(rid for rid, rec in self.model.view().items() if rec[0] == "V")
        self._vertices_ever = seen
        return sorted(seen)

    # --- transactions -------------------------------------------------------------------------

    @precondition(lambda self: len(self.model.frames) < 3)
    @rule()
    def begin(self) -> None:
        RULES["begin"] += 1
        _ = self.deleted_vertices  # remember the vertices seen so far
        call(self.db.begin)
        self.model.frames.append({"changes": {}, "wrote": False})

    @precondition(lambda self: bool(self.model.frames))
    @rule()
    def commit(self) -> None:
        RULES["commit"] += 1
        call(self.db.commit)
        frame = self.model.frames.pop()
        committed = self.model.committed
        for rid, rec in frame["changes"].items():
            if rec is None:
                committed.pop(rid, None)
            else:
                committed[rid] = rec

    @precondition(lambda self: bool(self.model.frames))
    @rule()
    def rollback(self) -> None:
        RULES["rollback"] += 1
        call(self.db.rollback)
        self.model.frames.pop()

    @precondition(lambda self: not self.model.frames)
    @rule()
    def commit_without_transaction(self) -> None:
        RULES["commit_without_transaction"] += 1
        call(self.db.commit, TransactionError)

    @rule(k=KEYS)
    def failing_block(self, k: Any) -> None:
        """An exception inside ``with db.transaction()`` leaves nothing of the block."""
        RULES["failing_block"] += 1
        if self.model.outer_wrote() or (self.model.frames and self.model.frames[-1]["wrote"]):
            return  # a nested block could not write here; covered by `write`

        def body():
            with self.db.transaction():
                self.db.new_document("D").set("k", None).set("a", k).save()
                raise KeyError("abort the block")

        call(body, KeyError)

    # --- reads --------------------------------------------------------------------------------

    @rule(n=PICK)
    def lookup_by_rid(self, n: int) -> None:
        RULES["lookup_by_rid"] += 1
        rid = self.pick(n, ("D", "D2", "V", "E"))
        if rid is not None:
            record, _ = call(lambda: self.db.lookup_by_rid(rid))
            want = self.model.view()[rid]
            assert record.get_type_name() == want[0] and same(record.to_dict(), normal(want[1])), (
                f"lookup_by_rid({rid}) = {record.to_dict()}, expected {want}"
            )
            assert not record.is_mutable()
            call(lambda: record.set("a", 1), AttributeError)
        missing = f"#{n % 7 + 1}:{10**9 + n}"
        call(lambda: self.db.lookup_by_rid(missing), RecordNotFoundError)

    @rule(type_name=st.sampled_from(("D", "D2", "V")), k=st.integers(0, 7))
    def lookup_by_key(self, type_name: str, k: int) -> None:
        RULES["lookup_by_key"] += 1
        found, _ = call(lambda: self.db.lookup_by_key(type_name, ["k"], [k]))
        types = ("D", "D2") if type_name == "D" else (type_name,)
        want = [rid for rid, rec in self.model.view().items()
                if rec[0] in types and rec[1].get("k") == k]  # fmt: skip
        assert (found.get_rid() if found else None) == (want[0] if want else None), (
            f"lookup_by_key({type_name}, k={k}) = {found}, expected {want}"
        )

    @rule(n=PICK)
    def traverse(self, n: int) -> None:
        RULES["traverse"] += 1
        rid = self.pick(n, ("V",))
        if rid is None:
            return
        vertex, _ = call(lambda: self.db.lookup_by_rid(rid))
        view = self.model.view()
        for direction, end in (("out", 2), ("in", 3)):
            got = sorted(e.get_rid() for e in vertex.get_edges(direction))
            want = sorted(r for r, rec in view.items() if rec[0] == "E" and rec[end] == rid)
            assert got == want, f"{rid}.get_edges({direction}) = {got}, expected {want}"
            neighbours = sorted(v.get_rid() for v in vertex.get_vertices(direction))
            other = 3 if end == 2 else 2
            assert neighbours == sorted(view[r][other] for r in want), f"{rid} {direction} vertices"

    # --- async --------------------------------------------------------------------------------

    @precondition(lambda self: not self.model.frames)
    @rule(ops=st.lists(st.tuples(st.sampled_from(["create", "update", "delete"]),
                                 st.sampled_from(("D", "D2", "V")), KEYS, PICK,
                                 st.dictionaries(NAMES, VALUES, max_size=2)),
                       min_size=1, max_size=12),
          parallel=st.integers(1, 4), commit_every=st.sampled_from([0, 1, 3, 100]))  # fmt: skip
    def async_batch(self, ops: list, parallel: int, commit_every: int) -> None:
        """A batch through the executor: exactly the predicted operations fail."""
        RULES["async_batch"] += 1
        DatabaseMachine.steps += 1
        ex = self.db.async_executor().set_parallel_level(parallel).set_commit_every(commit_every)
        state = dict(self.model.committed)  # what the batch's operations see, in order
        planned = []  # (kind, record, prediction, change)
        for kind, type_name, k, n, props in ops:
            rids = sorted(
                r for r, rec in self.model.committed.items() if rec[0] in DOC_TYPES + ("V",)
            )
            if kind != "create" and not rids:
                kind = "create"
            if kind == "create":
                factory = self.db.new_vertex if type_name == "V" else self.db.new_document
                record = factory(type_name)
                full = dict(props, **({"k": k} if k is not None else {}))
                for name, value in full.items():
                    record.set(name, value)
                taken = k is not None and any(FAMILY[rec[0]] == FAMILY[type_name]
                                              and rec[1].get("k") == k for rec in state.values()
                                              if rec[0] != "E")  # fmt: skip
                taken = taken or unstorable(full)
                planned.append(("create", record, not taken, (type_name, full)))
                if not taken:
                    state[id(record)] = (type_name, full, None, None)
            else:
                rid = rids[n % len(rids)]
                record = self.db.lookup_by_rid(rid).modify()
                if kind == "update":
                    type_now, old = self.model.committed[rid][:2]
                    full = dict(old, **props)
                    if k is not None:
                        full["k"] = k
                    for name, value in full.items():
                        record.set(name, value)
                    exists = rid in state
                    taken = full.get("k") is not None and any(
                        FAMILY.get(rec[0]) == FAMILY[type_now] and rec[1].get("k") == full["k"]
                        and key != rid for key, rec in state.items())  # fmt: skip
                    ok = exists and not taken and not unstorable(full)
                    planned.append(("update", record, ok, (rid, type_now, full)))
                    if ok:
                        state[rid] = (type_now, full, None, None)
                else:
                    ok = rid in state
                    planned.append(("delete", record, ok, rid))
                    if ok:
                        for gone in self._cascade_in(state, rid):
                            state.pop(gone, None)
        outcomes: dict[int, str] = {}
        lock = threading.Lock()

        def done(i, what):
            def callback(arg):
                with lock:
                    outcomes[i] = what if what == "ok" else f"failed: {arg!r}"

            return callback

        for i, (kind, record, _, _) in enumerate(planned):
            submit = {"create": ex.create_record, "update": ex.update_record,
                      "delete": ex.delete_record}[kind]  # fmt: skip
            submit(record, callback=done(i, "ok"), error_callback=done(i, "error"))
        call(ex.wait_completion)
        for i, (kind, record, ok, change) in enumerate(planned):
            got = outcomes.get(i, "no callback")
            if (got == "ok") != ok:
                raise Unexpected(f"async op {i} ({kind}) predicted {'ok' if ok else 'failure'}, "
                                 f"got {got}")  # fmt: skip
            if not ok:
                continue
            if kind == "create":
                self.model.committed[record.get_rid()] = (change[0], change[1], None, None)
            elif kind == "update":
                self.model.committed[change[0]] = (change[1], change[2], None, None)
            else:
                for gone in self._cascade_in(self.model.committed, change):
                    self.model.committed.pop(gone, None)

    @staticmethod
    def _cascade_in(state: dict, rid: str) -> list:
        return [rid] + [r for r, rec in state.items() if rec[0] == "E" and rid in (rec[2], rec[3])]

    # --- SQL (once available) -----------------------------------------------------------------

    @precondition(lambda self: self.use_sql)
    @rule(type_name=st.sampled_from(DOC_TYPES), k=KEYS, a=SQL_VALUES)
    def sql_insert(self, type_name: str, k: Any, a: Any) -> None:
        RULES["sql_insert"] += 1
        expected = DuplicatedKeyError if self.model.key_taken(type_name, k) else None
        rows, exc = self.write(lambda: self.db.command(
            "sql", f"INSERT INTO {type_name} SET k = ?, a = ?", k, a).to_list(), expected)  # fmt: skip
        if exc is None:
            assert len(rows) == 1, rows
            props = {"k": k, "a": a}
            self.model.apply({rows[0]["@rid"]: (type_name, props, None, None)})

    @precondition(lambda self: self.use_sql)
    @rule(k=st.integers(0, 7), a=SQL_VALUES)
    def sql_update(self, k: int, a: Any) -> None:
        RULES["sql_update"] += 1
        targets = {rid: rec for rid, rec in self.model.view().items()
                   if rec[0] in DOC_TYPES and rec[1].get("k") == k}  # fmt: skip
        rows, exc = self.write(lambda: self.db.command(
            "sql", "UPDATE D SET a = ? WHERE k = ?", a, k).to_list(), None)  # fmt: skip
        if exc is None:
            assert rows and rows[0].get("count") == len(targets), (rows, len(targets))
            self.model.apply({rid: (rec[0], dict(rec[1], a=a), None, None)
                              for rid, rec in targets.items()})  # fmt: skip

    @precondition(lambda self: self.use_sql)
    @rule(k=st.integers(0, 7))
    def sql_delete(self, k: int) -> None:
        RULES["sql_delete"] += 1
        targets = [rid for rid, rec in self.model.view().items()
                   if rec[0] in DOC_TYPES and rec[1].get("k") == k]  # fmt: skip
        rows, exc = self.write(lambda: self.db.command(
            "sql", "DELETE FROM D WHERE k = ?", k).to_list(), None)  # fmt: skip
        if exc is None:
            assert rows and rows[0].get("count") == len(targets), (rows, len(targets))
            self.model.apply({rid: None for rid in targets})

    @precondition(lambda self: self.use_sql)
    @rule(k=st.integers(0, 7))
    def sql_select(self, k: int) -> None:
        RULES["sql_select"] += 1
        rows, _ = call(lambda: self.db.query("sql", "SELECT FROM D WHERE k = :k", k=k).to_list())
        want = sorted(rid for rid, rec in self.model.view().items()
                      if rec[0] in DOC_TYPES and rec[1].get("k") == k)  # fmt: skip
        assert sorted(r["@rid"] for r in rows) == want, (rows, want)
        count, _ = call(lambda: self.db.query("sql", "SELECT count(*) AS c FROM D").to_list())
        total = sum(1 for rec in self.model.view().values() if rec[0] in DOC_TYPES)
        assert count == [{"c": total}], (count, total)

    # --- invariants ---------------------------------------------------------------------------

    @invariant()
    def own_view_matches(self) -> None:
        problems = differences(snapshot(self.db), self.model.view())
        assert not problems, "this thread's view differs from the model:\n" + "\n".join(
            problems[:10]
        )
        view = self.model.view()
        for name, types in (("D", DOC_TYPES), ("D2", ("D2",)), ("V", ("V",)), ("E", ("E",))):
            want = sum(1 for rec in view.values() if rec[0] in types)
            got = self.db.count_type(name)
            assert got == want, f"count_type({name}) = {got}, expected {want}"
        assert self.db.count_type("D", polymorphic=False) == sum(
            1 for rec in view.values() if rec[0] == "D"
        )
        assert self.db.is_transaction_active() == bool(self.model.frames)

    @invariant()
    def other_thread_sees_committed(self) -> None:
        problems = differences(self.reader.read(), self.model.committed)
        assert not problems, (
            "another thread's view differs from the committed model:\n" + "\n".join(problems[:10])
        )


BATCH = 200  # examples per hypothesis run: its bookkeeping grows with a run's length


def run(quick: bool = False, base: str | None = None, seed: int | None = None,
        keep: bool = False, examples: int | None = None, steps: int | None = None) -> bool:  # fmt: skip
    report = Report("fuzz")
    use_sql = sql_available()
    report.figure("SQL rules", "on" if use_sql else "off (SQL not available yet)")
    examples = examples or (25 if quick else 2000)
    steps = steps or (25 if quick else 60)
    report.figure("examples x max steps", f"{examples} x {steps}")
    DatabaseMachine.steps = 0
    RULES.clear()
    done = 0
    while done < examples and report.ok:
        batch = min(BATCH, examples - done)
        machine = type("Machine", (DatabaseMachine,), {"use_sql": use_sql, "base": base})
        if seed is not None:
            seeded(seed + done)(machine)
        config = settings(max_examples=batch, stateful_step_count=steps, deadline=None,
                          database=None, print_blob=True, report_multiple_bugs=False,
                          suppress_health_check=list(HealthCheck))  # fmt: skip
        try:
            run_state_machine_as_test(machine, settings=config)
        except Exception as exc:  # the falsifying example is printed below
            for failure in getattr(exc, "exceptions", [exc]):
                notes = "\n".join(getattr(failure, "__notes__", []))
                report.fail(f"{type(failure).__name__}: {failure}\n{notes}")
        done += batch
    report.figure("examples run", done)
    report.figure("RSS at the end MB", f"{rss_bytes() / 2**20:.0f}")
    report.figure("write steps run (incl. shrinking)", DatabaseMachine.steps)
    report.figure("rules run", dict(sorted(RULES.items())))
    return report.finish()


_ = decimal  # decimals come from hypothesis strategies
