"""What every fault scenario shares: the verdict, the context, the registry, and helpers."""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import arcadelite as arcadedb

from ..faultkit import Outcome, Unavailable, in_child, in_thread


@dataclass
class Verdict:
    """One item's result: ``ok`` (None: not tried), one line saying what happened, and every
    problem found (printed after the summary lines)."""

    ok: bool | None
    detail: str
    details: list[str] = field(default_factory=list)


@dataclass
class Ctx:
    """Where an item works (its folder), its random numbers, and how big it runs."""

    folder: str
    rng: random.Random
    quick: bool
    smoke: bool = False

    def scale(self, quick: int, full: int) -> int:
        """A repeat count: ``full``, ``quick``, or for a smoke run a third of ``quick``."""
        if self.smoke:
            return max(1, quick // 3)
        return quick if self.quick else full

    def sub(self, name: str) -> str:
        path = os.path.join(self.folder, name)
        os.makedirs(path, exist_ok=True)
        return path


FAULTS: list[tuple[int, str, Callable[[Ctx], Verdict], int]] = []


def fault(item: int, title: str, deadline: int) -> Callable:
    def register(fn: Callable[[Ctx], Verdict]) -> Callable[[Ctx], Verdict]:
        FAULTS.append((item, title, fn, deadline))
        return fn

    return register


# --- shared pieces --------------------------------------------------------------------------------


def keyed_db(path: str, kind: str = "document") -> arcadedb.Database:
    db = arcadedb.create_database(path)
    if kind == "vertex":
        db.schema.create_vertex_type("D")
    else:
        db.schema.create_document_type("D")
    db.schema.create_property("D", "n", "LONG")
    db.schema.create_index("D", ["n"], unique=True)
    return db


def present(path: str) -> set[int] | str:
    """The keys in the database at ``path`` (opened anew), or what went wrong opening it."""
    outcome = in_thread(lambda: _keys(path), timeout=60)
    return outcome.value if outcome.ok else f"reopening: {outcome}"


def _keys(path: str) -> set[int]:
    with arcadedb.open_database(path) as db:
        return {r.get("n") for r in db.query("sql", "SELECT n FROM D")}


def says_disk_full(text: str) -> bool:
    text = text.lower()
    return "full" in text and ("disk" in text or "space" in text)


def write_one(db: arcadedb.Database, n: int) -> None:
    with db.transaction():
        db.new_document("D").set("n", n).save()


def judge(problems: Counter, runs: int, what: str = "runs", info: str = "") -> Verdict:
    """The verdict of an item from its problems (text -> how often seen) over ``runs`` tries.
    Lines starting "(info)" are figures, not problems."""
    figures = [p[7:] for p in problems if p.startswith("(info)")]
    found = Counter({p: c for p, c in problems.items() if not p.startswith("(info)") and c})
    info = "; ".join(x for x in [info, *figures] if x)
    suffix = f" [{info}]" if info else ""
    if not found:
        return Verdict(True, f"{runs} {what}, all as required{suffix}")
    top, count = found.most_common(1)[0]
    line = (f"{len(found)} kind(s) of problem in {runs} {what}; e.g. {top}"
            f"{f' (x{count})' if count > 1 else ''}{suffix}")  # fmt: skip
    details = [f"{text}{f' (x{c})' if c > 1 else ''}" for text, c in found.most_common()]
    return Verdict(False, line, details)


def short(outcome: Outcome) -> str:
    if outcome.state == "raised":
        kind = "" if outcome.error["arcadedb"] else "raw "
        return f"{kind}{outcome.error['type'].split('.')[-1]}: {outcome.error['message'][:90]}"
    return str(outcome)[:120]


def isolated(fn: Callable[[], list[str]], deadline: float, what: str) -> list[str]:
    """Run a sub-scenario in a grandchild; its problems, or one saying it hung or crashed."""
    outcome = in_child(fn, deadline)
    deaths = [f"{what}: a thread died: {d}" for d in outcome.thread_deaths or []]
    if outcome.ok:
        return outcome.value + deaths
    if outcome.state == "timeout":
        return [f"{what}: hung (killed after {deadline:g} s)"]
    if outcome.raised("Unavailable"):
        raise Unavailable(outcome.error["message"])
    return [f"{what}: the scenario itself {short(outcome)}"]


@dataclass
class Tally:
    """Async outcomes of keyed operations: committed and failed keys, and what failed them."""

    committed: set[int]
    failed: dict[int, str]
    reports: Counter

    @classmethod
    def new(cls) -> Tally:
        return cls(set(), {}, Counter())

    def ok(self, n: int) -> None:
        self.reports[n] += 1
        self.committed.add(n)

    def err(self, n: int, exc: BaseException) -> None:
        self.reports[n] += 1
        self.failed[n] = f"{type(exc).__name__}: {getattr(exc, 'cause', None) or exc}"

    def problems(self, accepted: set[int], stored: set[int] | str) -> list[str]:
        found = []
        if isinstance(stored, str):
            return [stored]
        both = self.committed & set(self.failed)
        if both:
            found.append(f"{len(both)} reported both committed and failed")
        twice = [n for n, c in self.reports.items() if c > 1]
        if twice:
            found.append(f"{len(twice)} reported more than once")
        lost = accepted - self.committed - set(self.failed)
        if lost:
            found.append(f"{len(lost)} of {len(accepted)} neither committed nor reported")
        wrongly_failed = stored & set(self.failed)
        if wrongly_failed:
            found.append(f"{len(wrongly_failed)} reported failed but committed (a retry duplicates)")
        missing = self.committed - stored
        if missing:
            found.append(f"{len(missing)} reported committed but missing")
        unreported = stored - self.committed - set(self.failed)
        if unreported & accepted:
            found.append(f"{len(unreported & accepted)} committed without their callback")
        return found
