"""The context an expression runs in: the current row, variables, parameters, the store.

A statement's closures (compiled by evaluate.py) all take one ``Ctx``; sub-queries get a child
(``$parent``), filters like ``out('E')[age > 3]`` a derived one (another current row).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..exceptions import QueryError
from ..model.factory import record_from_row
from ..model.records import Document
from ..rid import RID

if TYPE_CHECKING:
    from ..model.store import Store
    from ..storage import Session, Storage

#: A compiled expression: ``f(ctx) -> value``.
Fn = Callable[["Ctx"], Any]

_MISSING = object()


class Ctx:
    """What an expression sees while it runs: the current row, variables, parameters, the store."""

    __slots__ = ("store", "storage", "session", "positional", "named", "current", "vars", "parent",
                 "agg", "cache", "depth", "path", "executor")  # fmt: skip

    def __init__(self, store: Store, storage: Storage, session: Session, positional: tuple,
                 named: dict, parent: Ctx | None = None) -> None:  # fmt: skip
        self.store = store
        self.storage = storage
        self.session = session
        self.positional = positional
        self.named = named
        self.current: Any = None
        self.vars: dict[str, Any] = {}
        self.parent = parent
        self.agg: list[Any] | None = None
        self.cache: dict[RID, Any] = parent.cache if parent is not None else {}
        self.depth: int = 0
        self.path: Any = None
        # The statement's executor: cached plans are shared by every session and thread, so
        # what they run (sub-queries) must reach the session through the context, never through
        # the executor that happened to build them.
        self.executor: Any = parent.executor if parent is not None else None

    def child(self) -> Ctx:
        """A context for a sub-query: same parameters and database, ``$parent`` is this one."""
        return Ctx(self.store, self.storage, self.session, self.positional, self.named, self)

    def derive(self, current: Any) -> Ctx:
        """Same variables, another current row (filters like ``out('E')[age > 3]``)."""
        other = Ctx.__new__(Ctx)
        other.store = self.store
        other.storage = self.storage
        other.session = self.session
        other.positional = self.positional
        other.named = self.named
        other.current = current
        other.vars = self.vars
        other.parent = self.parent
        other.agg = self.agg
        other.cache = self.cache
        other.depth = self.depth
        other.path = self.path
        other.executor = self.executor
        return other

    def param(self, key: int | str) -> Any:
        if isinstance(key, int):
            if key < len(self.positional):
                return self.positional[key]
            if key in self.named:
                return self.named[key]
            raise QueryError(
                f"Missing value for positional parameter #{key + 1}: the statement has more '?' "
                f"than the {len(self.positional)} value(s) given"
            )
        if key in self.named:
            return self.named[key]
        raise QueryError(f"Missing value for parameter :{key}")

    def load(self, rid: RID) -> Document | None:
        """The record with this RID (cached for the statement), or None when it is gone."""
        record = self.cache.get(rid, _MISSING)
        if record is _MISSING:
            found = self.storage.load(self.session, rid)
            # (type_def, row) unpacked, not *found: f(x, *pair) builds a list and a tuple a call
            record = None if found is None else record_from_row(self.store, found[0], found[1])
            if len(self.cache) > 100_000:
                self.cache.clear()
            self.cache[rid] = record
        return record

    def load_many(self, rids: list[RID]) -> list[Document]:
        missing = [rid for rid in rids if rid not in self.cache]
        if missing:
            if len(self.cache) > 100_000:
                self.cache.clear()
            store = self.store
            for rid, found in zip(missing, self.storage.load_many(self.session, missing)):
                self.cache[rid] = (
                    None if found is None else record_from_row(store, found[0], found[1])
                )
        cache = self.cache
        return [r for r in (cache.get(rid) for rid in rids) if r is not None]

    def variable(self, name: str) -> Any:
        if name == "current":
            return self.current
        if name == "parent":
            return self.parent
        if name == "depth":
            return self.depth
        if name == "path":
            return self.path
        if name in self.vars:
            return self.vars[name]
        parent = self.parent
        while parent is not None:  # LET variables of enclosing queries are visible inside
            if name in parent.vars:
                return parent.vars[name]
            parent = parent.parent
        return None


__all__ = ["Ctx", "Fn"]
