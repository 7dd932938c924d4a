"""Items 12-15 of issue 10: hostile property names, storage faults that must not escape raw,
damaged indexes, and the small ones (a NaN timeout, IN lists of 100,000 elements)."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

import arcadelite as arcadedb

from .. import faultkit
from ..faultkit import Outcome, Unavailable, in_thread
from .base import (
    Ctx,
    Verdict,
    fault,
    isolated,
    judge,
    keyed_db,
    short,
    write_one,
)

NAME_ALPHABET = list('ab."\\\'`$@ü名\x00 []*\n\t{}:,#%-') + ["\\u0041", "\\b", "\\\"", "$."]


def _names(folder: str, seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    problems = []
    db = arcadedb.create_database(os.path.join(folder, "db"))
    failing_names = 0
    for i in range(count):
        name = "".join(rng.choice(NAME_ALPHABET) for _ in range(rng.randint(0, 5)))
        may_be_refused = "\x00" in name or name == "" or name.startswith("@")
        try:
            found = faultkit.property_name_problems(db, f"T{i}", name, may_be_refused)
        except Exception as exc:
            found = [f"the check raised {type(exc).__name__}: {exc}"]
        if found:
            failing_names += 1
            if len(problems) < 3:
                problems.append(f"{name!r}: {found[0][:80]}")
    problems += faultkit.export_import_problems(db, folder)
    db.close()
    if failing_names:
        problems.append(f"{failing_names} of {count} names misbehave")
    return problems


@fault(12, "hostile property names", deadline=600)
def hostile_names(ctx: Ctx) -> Verdict:
    count = ctx.scale(60, 600)
    found = isolated(lambda: _names(ctx.sub("names"), ctx.rng.randrange(1 << 30), count), 500, "names")
    return judge(Counter(found), count, "random names")


def _make_keyed(path: str, count: int) -> str:
    with keyed_db(path) as db:
        with db.transaction():
            for n in range(count):
                db.new_document("D").set("n", n).set("text", f"value {n} " * 10).save()
    return path


ACCESSES: dict[str, Callable[[arcadedb.Database], Any]] = {
    "count_type": lambda db: db.count_type("D"),
    "iterate_type": lambda db: sum(1 for _ in db.iterate_type("D")),
    "lookup_by_rid": lambda db: [db.lookup_by_rid(f"#1:{p}") for p in range(1, 3000, 37)],
    "lookup_by_key": lambda db: [db.lookup_by_key("D", ["n"], [n]) for n in range(0, 3000, 37)],
    "query": lambda db: db.query("sql", "SELECT count(*) AS c FROM D WHERE text LIKE 'v%'").to_list(),
    "write": lambda db: write_one(db, 10**9),
    "export": lambda db: db.export_database(os.path.join(db.get_database_path(), "..", "d.jsonl.gz"),
                                            verbose=0, overwrite=True),
}


def _count_raw(label: str, outcome: Outcome, raw: Counter) -> None:
    if outcome.state == "raised" and not outcome.error["arcadedb"]:
        raw[f"{label}: {outcome.error['type'].split('.')[-1]}"] += 1
    elif outcome.state in ("timeout", "crashed"):
        raw[f"{label}: {outcome.state}"] += 1


def _corrupt_files(folder: str, seed: int, rounds: int) -> list[str]:
    rng = random.Random(seed)
    raw: Counter = Counter()
    for r in range(rounds):
        path = _make_keyed(os.path.join(folder, f"c{r}"), 3000)
        name = rng.choice([faultkit.table_of(path, "D"), faultkit.sqlite_indexes(path)[0][0]])
        pages, page_size = faultkit.btree_pages(path, name, rng.choice(["leaf", "internal"]))
        pages = pages or faultkit.btree_pages(path, name)[0]
        faultkit.smash_pages(path, rng.sample(pages, min(len(pages), rng.randint(1, 3))), page_size,
                             seed=rng.randrange(1 << 30))  # fmt: skip
        opened = in_thread(partial(arcadedb.open_database, path), timeout=30)
        _count_raw("open", opened, raw)
        if not opened.ok:
            continue
        for access, action in ACCESSES.items():
            _count_raw(access, in_thread(partial(action, opened.value), timeout=30), raw)
        in_thread(opened.value.close, timeout=30)
    return [f"raw {k}" for k, v in raw.items() for _ in range(v)]


ROW_ACCESSES: dict[str, Callable[[arcadedb.Database, int, str], Any]] = {
    "lookup_by_rid": lambda db, position, dump: db.lookup_by_rid(f"#1:{position}"),
    "iterate_type": lambda db, position, dump: list(db.iterate_type("R")),
    "query": lambda db, position, dump: db.query("sql", "SELECT FROM R").to_list(),
    "export": lambda db, position, dump: db.export_database(dump, verbose=0),
}


def _damaged_rows(folder: str, seed: int, rounds: int) -> list[str]:
    rng = random.Random(seed)
    raw: Counter = Counter()
    unnamed = 0
    garbage = [b'{"n": 3, bad', b"\xff\xfe{}", b"[1, 2]", b'"text"', b"", b"{\"n\": " + b"9" * 400 + b"}",
               b'{"n": 1, "x": {"$t": "no such tag"}}']  # fmt: skip
    for r in range(rounds):
        path = os.path.join(folder, f"r{r}")
        with arcadedb.create_database(path) as db:
            db.schema.create_document_type("R")
            with db.transaction():
                for n in range(50):
                    db.new_document("R").set("n", n).save()
        table = faultkit.table_of(path, "R")
        position = rng.randint(1, 50)
        body = rng.choice(garbage)
        faultkit.raw_sql(path, f"UPDATE {table} SET body = CAST(? AS TEXT) WHERE pos = ?", (body, position))
        if rng.random() < 0.3:
            faultkit.raw_sql(path, f"UPDATE {table} SET tags = CAST(? AS TEXT) WHERE pos = ?",
                             (os.urandom(8), rng.randint(1, 50)))  # fmt: skip
        dump = os.path.join(folder, f"e{r}.jsonl.gz")
        with arcadedb.open_database(path) as db:
            for label, action in ROW_ACCESSES.items():
                outcome = in_thread(partial(action, db, position, dump), timeout=30)
                _count_raw(label, outcome, raw)
                message = (outcome.error or {}).get("message", "")
                if outcome.state == "raised" and outcome.error["arcadedb"] and (
                        f"#1:{position}" not in message and "check" not in message.lower()):  # fmt: skip
                    unnamed += 1
    found = [f"raw {k}" for k, v in raw.items() for _ in range(v)]
    if unnamed:
        found.append(f"{unnamed} errors name neither the damaged record nor what to do")
    return found


def _wal_deleted(folder: str) -> list[str]:
    raw: Counter = Counter()
    for which in ("-wal", "-shm", "-wal and -shm"):
        path = _make_keyed(os.path.join(folder, which.replace(" ", "")), 100)
        db = arcadedb.open_database(path)
        write_one(db, 10_000)
        for suffix in ("-wal", "-shm"):
            if suffix in which:
                os.remove(os.path.join(path, "arcadelite.sqlite" + suffix))
        _count_raw(f"{which} deleted, new thread write", in_thread(partial(write_one, db, 10_001), 30), raw)
        _count_raw(f"{which} deleted, new thread read", in_thread(partial(db.count_type, "D"), 30), raw)
        _count_raw(f"{which} deleted, close", in_thread(db.close, 30), raw)
    return [f"raw {k}" for k, v in raw.items() for _ in range(v)]


def _nesting(folder: str) -> list[str]:
    db = arcadedb.create_database(os.path.join(folder, "db"))
    db.schema.create_document_type("D")
    problems = []
    for depth in (100, 250, 500, 999, 1000, 1001, 1200, 5000):
        for kind in ("list", "map"):
            value: Any = 1
            for _ in range(depth):
                value = [value] if kind == "list" else {"a": value}

            def save(value: Any = value) -> Any:
                with db.transaction():
                    return db.new_document("D").set("v", value).save().get_rid()

            outcome = in_thread(save, timeout=30)
            if outcome.state == "raised" and not outcome.raised("ValidationError"):
                problems.append(f"depth {depth} {kind}: {short(outcome)}")
            elif outcome.ok and db.lookup_by_rid(outcome.value).get("v") != value:
                problems.append(f"depth {depth} {kind}: saved, but reads back differently")
            def insert(value: Any = value) -> None:
                with db.transaction():
                    db.command("sql", "INSERT INTO D SET v = ?", value)

            sql = in_thread(insert, 30)
            if sql.state == "raised" and not sql.error["arcadedb"]:
                problems.append(f"depth {depth} {kind} through SQL: {short(sql)}")
    db.close()
    return problems


def _too_big(folder: str, quick: bool) -> list[str]:
    import apsw

    available = 0
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    available = int(line.split()[1]) * 1024
    except OSError:
        pass
    real = not quick and available > 10 * 10**9

    def lower_the_limit(conn: apsw.Connection) -> None:
        conn.limit(apsw.SQLITE_LIMIT_LENGTH, 1_000_000)

    if not real:
        apsw.connection_hooks.append(lower_the_limit)
    try:
        db = arcadedb.create_database(os.path.join(folder, "db"))
        db.schema.create_document_type("D")
        size = 1_000_000_001 if real else 2_000_000
        big = "x" * size

        def save() -> None:
            with db.transaction():
                db.new_document("D").set("v", big).save()

        outcome = in_thread(save, timeout=300)
        big = ""  # (free it before closing)
        db.close()
    finally:
        if not real:
            apsw.connection_hooks.remove(lower_the_limit)
    where = "a real 1,000,000,001-character value" if real else "a 2 MB value under a 1 MB limit"
    if outcome.state == "raised" and outcome.error["arcadedb"]:
        return []
    return [f"{where}: {short(outcome)}"]


def _close_mid_iteration(folder: str, seed: int, rounds: int) -> list[str]:
    rng = random.Random(seed)
    path = _make_keyed(os.path.join(folder, "db"), 2000)
    raw: Counter = Counter()
    for _ in range(rounds):
        db = arcadedb.open_database(path)
        records = db.iterate_type("D")
        for _ in range(rng.randint(1, 1500)):
            next(records)
        closer = threading.Thread(target=db.close)
        closer.start()
        time.sleep(rng.uniform(0, 0.005))

        outcome = in_thread(partial(_drain, records), timeout=30)
        closer.join(30)
        if outcome.state == "raised" and not outcome.raised("DatabaseClosedError"):
            raw[f"next() after close: {outcome.error['type'].split('.')[-1]}"] += 1
    return [k for k, v in raw.items() for _ in range(v)]


def _drain(records: Any) -> int:
    return sum(1 for _ in records)


def _read_only(folder: str) -> list[str]:
    problems = []
    shared = os.path.join("/tmp", f"arcadelite-faults-ro-{os.getpid()}")
    os.makedirs(shared, exist_ok=True)
    os.chmod(shared, 0o755)
    try:
        path = _make_keyed(os.path.join(shared, "db"), 50)

        def probe(target: str) -> list[str]:
            found = []
            opened = in_thread(lambda: arcadedb.open_database(target), timeout=20)
            if opened.state == "raised" and not opened.error["arcadedb"]:
                return [f"open: {short(opened)}"]
            if opened.ok:
                db = opened.value
                wrote = in_thread(lambda: write_one(db, 999), timeout=20)
                if wrote.ok:
                    found.append("wrote to a read-only database?")
                elif not wrote.error["arcadedb"]:
                    found.append(f"write: {short(wrote)}")
                in_thread(db.close, timeout=20)
            return found

        nobody = faultkit.as_nobody(lambda: probe(path))
        if not nobody.ok:
            problems.append(f"unprivileged, folder not writable: the probe {short(nobody)}")
        for p in nobody.value or []:
            problems.append(f"unprivileged, folder not writable: {p}")
        try:
            with faultkit.bind_mount(path, os.path.join(folder, "ro"), read_only=True) as mounted:
                problems += [f"read-only mount: {p}" for p in probe(mounted)]
        except Unavailable as exc:
            problems.append(f"(info) read-only mount not tried: {exc}")
    finally:
        shutil.rmtree(shared, ignore_errors=True)
    return problems


@fault(13, "storage faults raise ArcadeDBErrors, never raw ones", deadline=1200)
def raw_exceptions(ctx: Ctx) -> Verdict:
    problems: Counter = Counter()
    rounds = ctx.scale(4, 30)
    seed = ctx.rng.randrange(1 << 30)
    scenarios: list[tuple[str, Callable[[], list[str]], float]] = [
        ("corrupt file", lambda: _corrupt_files(ctx.sub("corrupt"), seed, rounds), 600),
        ("damaged rows", lambda: _damaged_rows(ctx.sub("rows"), seed, rounds), 600),
        ("WAL/shm deleted", lambda: _wal_deleted(ctx.sub("wal")), 300),
        ("deep nesting", lambda: _nesting(ctx.sub("nest")), 300),
        ("too big", lambda: _too_big(ctx.sub("big"), ctx.quick), 600),
        ("close mid-iteration", lambda: _close_mid_iteration(ctx.sub("close"), seed, rounds * 3), 300),
        ("read-only", lambda: _read_only(ctx.sub("ro")), 120),
    ]
    for name, scenario, deadline in scenarios:
        try:
            for p in isolated(scenario, deadline, name):
                problems[p if p.startswith("(info)") else f"{name}: {p}"] += 1
        except Unavailable as exc:
            problems[f"(info) {name} not tried: {exc}"] += 1
    return judge(problems, len(scenarios), "fault kinds")


def _damaged_index(folder: str, seed: int, rounds: int) -> list[str]:
    rng = random.Random(seed)
    problems: list[str] = []
    misses = flagged = 0
    for r in range(rounds):
        path = os.path.join(folder, f"i{r}")
        with arcadedb.create_database(path) as db:
            db.schema.create_document_type("D")
            db.schema.create_property("D", "key", "STRING")
            db.schema.create_index("D", ["key"], unique=True)
            with db.transaction():
                for i in range(5000):
                    db.new_document("D").set("key", f"k{i:06d}").save()
        victim = rng.randrange(1, 4999)
        ((index, _table),) = faultkit.sqlite_indexes(path)
        pages, page_size = faultkit.btree_pages(path, index)
        changed = faultkit.replace_in_pages(path, pages, page_size, f"k{victim:06d}".encode(),
                                            f"k{victim + 1:06d}".encode())  # fmt: skip
        if changed != 1:
            problems.append(f"(info) round {r}: the damage did not take ({changed} pages)")
            continue
        with arcadedb.open_database(path) as db:
            if db.lookup_by_key("D", ["key"], [f"k{victim:06d}"]) is None:
                misses += 1
            checked = in_thread(db.check, timeout=60) if hasattr(db, "check") else None
        if checked is None:
            problems.append("db.check() does not exist")
        elif checked.ok and any("D[key]" in p for p in checked.value):
            flagged += 1
        else:
            problems.append(f"check() on a damaged index: {short(checked)}")
        cli = subprocess.run([sys.executable, "-c", "import sys; from arcadelite.cli import main; "
                              "sys.exit(main(sys.argv[1:]))", "check", path], capture_output=True,
                             text=True, timeout=120)  # fmt: skip
        if cli.returncode != 1:
            problems.append(f"arcadelite check on a damaged index exits {cli.returncode}, not 1")
    problems.append(f"(info) {misses} of {rounds} damaged indexes made lookup_by_key miss; "
                    f"check() flagged {flagged}")  # fmt: skip
    path = os.path.join(folder, "unclean")
    _make_keyed(path, 3000)
    faultkit.crash_while_open(path)
    pages, page_size = faultkit.btree_pages(path, faultkit.table_of(path, "D"))
    faultkit.smash_pages(path, pages[len(pages) // 2:len(pages) // 2 + 2], page_size)
    opened = in_thread(lambda: arcadedb.open_database(path), timeout=60)
    if opened.ok:
        problems.append("a damaged database left open by a killed process opened without a word")
        in_thread(opened.value.close, timeout=30)
    elif not opened.error["arcadedb"]:
        problems.append(f"opening a damaged database: {short(opened)}")
    return problems


@fault(14, "a damaged index: check() and quick_check on an unclean open", deadline=900)
def damaged_index(ctx: Ctx) -> Verdict:
    rounds = ctx.scale(3, 20)
    found = isolated(lambda: _damaged_index(ctx.sub("index"), ctx.rng.randrange(1 << 30), rounds),
                     800, "damaged index")  # fmt: skip
    return judge(Counter(found), rounds + 1, "damaged databases")


def _small(folder: str, quick: bool, many: int, smoke: bool = False) -> list[str]:
    problems = []
    db = keyed_db(os.path.join(folder, "db"))
    with db.transaction():
        for n in range(2000):
            db.new_document("D").set("n", n).save()
    executor = db.async_executor()
    idle = in_thread(lambda: executor.wait_completion(timeout=float("nan")), timeout=5)
    if not idle.raised("ValueError"):
        problems.append(f"wait_completion(timeout=nan) when idle: {short(idle)}")
    release = threading.Event()
    executor.create_record(db.new_document("D").set("n", -1), callback=lambda r: release.wait(30))
    pending = in_thread(lambda: executor.wait_completion(timeout=float("nan")), timeout=5)
    if not pending.raised("ValueError"):
        problems.append(f"wait_completion(timeout=nan) with work pending: {short(pending)}")
    release.set()
    executor.wait_completion(timeout=30)
    forms = {
        f"IN [{many:,} literals]": f"SELECT count(*) AS c FROM D WHERE n IN [{','.join(map(str, range(many)))}]",
        f"IN ({many:,} literals)": f"SELECT count(*) AS c FROM D WHERE n IN ({','.join(map(str, range(many)))})",
        f"NOT IN [{many:,} literals]": f"SELECT count(*) AS c FROM D WHERE n NOT IN [{','.join(map(str, range(many)))}]",
    }
    expected = {f"IN [{many:,} literals]": 2000, f"IN ({many:,} literals)": 2000,
                f"NOT IN [{many:,} literals]": 1}
    timings = []
    for label, text in list(forms.items())[: 1 if smoke else None]:
        started = time.perf_counter()
        outcome = in_thread(lambda text=text: db.query("sql", text).to_list(), timeout=120)
        timings.append(f"{label} {time.perf_counter() - started:.1f} s")
        if not outcome.ok or outcome.value != [{"c": expected[label]}]:
            problems.append(f"{label}: {short(outcome)}")
    values = list(range(1_000_000 if not quick else 200_000))
    started = time.perf_counter()
    outcome = in_thread(lambda: db.query("sql", "SELECT count(*) AS c FROM D WHERE n IN ?", values).to_list(), 120)
    timings.append(f"IN ? ({len(values):,} values) {time.perf_counter() - started:.1f} s")
    if not outcome.ok or outcome.value != [{"c": 2000}]:
        problems.append(f"IN ? with {len(values):,} values: {short(outcome)}")

    def update() -> None:
        with db.transaction():
            db.command("sql", f"UPDATE D SET hit = true WHERE n IN [{','.join(map(str, range(many)))}]")

    outcome = in_thread(update, timeout=120)
    if not outcome.ok:
        problems.append(f"UPDATE ... WHERE n IN [{many:,} literals]: {short(outcome)}")
    db.close()
    problems.append("(info) " + ", ".join(timings))
    return problems


@fault(15, "wait_completion(timeout=nan); IN lists of 100,000 elements", deadline=600)
def small_ones(ctx: Ctx) -> Verdict:
    many = 33_000 if ctx.smoke else 100_000  # a smoke run: just above SQLite's 32,766 parameters
    found = isolated(partial(_small, ctx.sub("small"), ctx.quick, many, ctx.smoke), 500, "small")
    return judge(Counter(found), 7, "checks")
