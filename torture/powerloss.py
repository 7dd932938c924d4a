"""Simulated power loss: what each sync mode keeps when the machine, not the process, dies.

A process crash (``torture.crash``) loses nothing SQLite has handed to the OS. A power cut
also loses what the OS had not yet written to the disk. This part simulates that with an APSW
VFS (made the default for this process, so arcadelite's own connections go through it) that
passes every call to the real file system and also keeps, per file, the image the disk held at
the last ``fsync`` plus the writes issued since. At random moments during a load it takes a
"power-cut image": the synced content, plus an arbitrary subset of the later writes, some of
them torn at a 512-byte sector boundary (writes reach a disk in any order, partly, or not at
all until fsync returns). The image is written to a fresh folder and checked like a crash:
``PRAGMA integrity_check``, then every acknowledged transaction and no partial one.

Expected (SQLite's documented WAL guarantees): ``yes_full`` (synchronous=FULL) loses nothing
acknowledged; ``yes_nometadata`` (NORMAL, the default) never corrupts but may lose the last
acknowledged transactions; ``no`` (OFF) promises nothing: losses and corruption are both
allowed, and the figures say what was seen. ``set_transaction_use_wal(False)`` (OFF on the
executor's connection, which checkpoints under the database's own mode) may lose its recent
commits but never corrupts, and ``yes_full`` transactions beside it lose nothing.
"""

from __future__ import annotations

import os
import random
import shutil
import threading
from collections import Counter
from typing import Any

import apsw

import arcadelite as arcadedb

from .common import DB_FILE, Report, workdir

SECTOR = 512
PAD = "p" * 1500  # ~1.5 KB records: a transaction spans pages, a run spans several checkpoints


class Disk:
    """Per tracked file: the bytes on the platter at the last sync, and writes since."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        self.durable: dict[str, bytearray] = {}
        self.pending: dict[str, list[tuple]] = {}
        self.writes = 0
        self.cut_points: set[int] = set()
        self.on_cut: Any = None

    def track(self, path: str) -> None:
        with self.lock:
            if path not in self.durable:
                try:
                    with open(path, "rb") as f:
                        self.durable[path] = bytearray(f.read())
                except FileNotFoundError:
                    self.durable[path] = bytearray()
                self.pending[path] = []

    def write(self, path: str, offset: int, data: bytes) -> None:
        with self.lock:
            self.pending[path].append(("w", offset, bytes(data)))
            self.writes += 1
            if self.writes in self.cut_points and self.on_cut is not None:
                self.on_cut()

    def truncate(self, path: str, size: int) -> None:
        with self.lock:
            self.pending[path].append(("t", size))

    def sync(self, path: str) -> None:
        with self.lock:
            image = self.durable[path]
            for op in self.pending[path]:
                _apply(image, op)
            self.pending[path] = []

    def deleted(self, path: str) -> None:
        with self.lock:
            if path in self.durable:
                self.durable[path] = bytearray()
                self.pending[path] = []

    def cut(self, rng: random.Random) -> dict[str, bytes]:
        """The images a power cut now could leave: synced bytes plus a random part of the rest."""
        with self.lock:
            images = {}
            for path, durable in self.durable.items():
                image = bytearray(durable)
                for op in self.pending[path]:
                    r = rng.random()
                    if r < 0.45:
                        continue  # never reached the disk
                    if op[0] == "w" and r < 0.6 and len(op[2]) > SECTOR:
                        sectors = rng.randrange(1, len(op[2]) // SECTOR)
                        op = ("w", op[1], op[2][: sectors * SECTOR])  # torn
                    _apply(image, op)
                images[path] = bytes(image)
            return images


def _apply(image: bytearray, op: tuple) -> None:
    if op[0] == "t":
        del image[op[1] :]
        return
    _, offset, data = op
    if offset > len(image):
        image.extend(b"\0" * (offset - len(image)))
    image[offset : offset + len(data)] = data


class PowerLossVFS(apsw.VFS):
    """Default VFS of the process while installed; tracks files under ``root`` only."""

    def __init__(self, disk: Disk, root: str) -> None:
        self.disk = disk
        self.root = root
        self.base = apsw.vfs_names()[0]  # the real default (unix), before this one replaces it
        super().__init__("torture-powerloss", self.base, makedefault=True)

    def xOpen(self, name: Any, flags: list[int]) -> apsw.VFSFile:
        path = name.filename() if hasattr(name, "filename") else name
        tracked = isinstance(path, str) and path.startswith(self.root) and (
            path.endswith(DB_FILE) or path.endswith(DB_FILE + "-wal")
        )  # fmt: skip
        return TrackedFile(self.base, self.disk if tracked else None, path, name, flags)

    def xDelete(self, name: str, syncdir: bool) -> None:
        super().xDelete(name, syncdir)
        self.disk.deleted(name)


class TrackedFile(apsw.VFSFile):
    def __init__(self, base: str, disk: Disk | None, path: str, name: Any,
                 flags: list[int]) -> None:  # fmt: skip
        super().__init__(base, name, flags)
        self.disk = disk
        self.path = path
        if disk is not None:
            disk.track(path)

    def xWrite(self, data: bytes, offset: int) -> None:
        if self.disk is not None:
            self.disk.write(self.path, offset, data)
        super().xWrite(data, offset)

    def xTruncate(self, size: int) -> None:
        if self.disk is not None:
            self.disk.truncate(self.path, size)
        super().xTruncate(size)

    def xSync(self, flags: int) -> None:
        super().xSync(flags)
        if self.disk is not None:
            self.disk.sync(self.path)


# --- loads ----------------------------------------------------------------------------------------

#: name -> (how the load writes, its settings). "sync": `with db.transaction()` of K records.
MODES = {
    "sync flush=yes_full (FULL)": ("sync", {"wal_flush": "yes_full"}),
    "sync flush=yes_nometadata (NORMAL, default)": ("sync", {"wal_flush": "yes_nometadata"}),
    "sync flush=no (OFF)": ("sync", {"wal_flush": "no"}),
    "async sync=yes_full (FULL)": ("async", {"tx_sync": "yes_full"}),
    "async use_wal=False (OFF, synced checkpoints)": ("async", {"use_wal": False}),
    "sync yes_full + async use_wal=False (FULL+OFF)": (
        "mixed",
        {"wal_flush": "yes_full", "use_wal": False},
    ),
}
#: What each mode must show (by the text in its name's last parentheses). The executor's OFF
#: connection checkpoints under the database's mode, so it only ever loses recent commits, and
#: FULL transactions beside it stay intact.
EXPECT = {"FULL": "intact", "NORMAL": "consistent", "OFF": "anything",
          "OFF, synced checkpoints": "consistent", "FULL+OFF": "intact"}  # fmt: skip
K = 10  # records per transaction (async: commit_every)


def load(db, how: str, settings: dict, txs: int, acked: list[int]) -> None:
    if how == "sync":
        db.set_wal_flush(settings["wal_flush"])
        for tx in range(txs):
            with db.transaction():
                for i in range(K):
                    db.new_document("Rec").set("tx", tx).set("i", i).set("pad", PAD).save()
            acked.append(tx)
        return
    if how == "mixed":  # FULL transactions (checked) next to an OFF executor (other type)
        db.schema.get_or_create_document_type("Other")

        def other() -> None:
            ex = db.async_executor().set_commit_every(K).set_transaction_use_wal(False)
            for n in range(txs * K):
                ex.create_record(db.new_document("Other").set("n", n).set("pad", PAD))
            ex.wait_completion()

        thread = threading.Thread(target=other)
        thread.start()
        load(db, "sync", settings, txs, acked)
        thread.join()
        return
    ex = db.async_executor().set_parallel_level(2).set_commit_every(K)
    if "tx_sync" in settings:
        ex.set_transaction_sync(settings["tx_sync"])
    if "use_wal" in settings:
        ex.set_transaction_use_wal(settings["use_wal"])
    for tx in range(txs):
        for i in range(K):
            record = db.new_document("Rec").set("tx", tx).set("i", i).set("pad", PAD)
            ex.create_record(record, callback=lambda r: acked.append(r.get("tx")))
        if tx % 25 == 24:
            ex.wait_completion()
    ex.wait_completion()
    ex.close()


def check_image(folder: str, images: dict[str, bytes], acked: set[int]) -> tuple[str, int]:
    """Write the images as a database folder and judge it: (verdict, acknowledged txs lost)."""
    os.makedirs(folder)
    for path, data in images.items():
        with open(os.path.join(folder, os.path.basename(path)), "wb") as f:
            f.write(data)
    try:
        conn = apsw.Connection(os.path.join(folder, DB_FILE))
        try:
            result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        finally:
            conn.close()
        if result != ["ok"]:
            return "corrupt", -1
        with arcadedb.open_database(folder) as db:
            per_tx = Counter(r.get("tx") for r in db.iterate_type("Rec"))
    except Exception:  # an unreadable image is a corrupt one
        return "corrupt", -1
    if any(n != K for n in per_tx.values()) or sorted(per_tx) != list(range(len(per_tx))):
        return "partial", -1
    lost = len(acked - per_tx.keys())
    return ("intact" if lost == 0 else "lost"), lost


def run(quick: bool = False, base: str | None = None, seed: int | None = None,
        keep: bool = False, cuts: int | None = None) -> bool:  # fmt: skip
    seed = seed if seed is not None else int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)
    report = Report("powerloss")
    report.figure("seed", seed)
    cuts = cuts or (6 if quick else 200)
    txs = 60 if quick else 600
    report.figure("power cuts per mode", cuts)
    with workdir(base, "powerloss", keep) as root:
        for number, (name, (how, settings)) in enumerate(MODES.items()):
            level = name.split("(")[-1].rstrip(")").replace(", default", "")
            _mode(report, rng, os.path.join(root, f"m{number}"), name, how, settings, txs, cuts,
                  EXPECT[level])  # fmt: skip
    return report.finish()


def _mode(report, rng, root, name, how, settings, txs, cuts, expect) -> None:
    os.makedirs(root)
    path = os.path.join(root, "db")
    with arcadedb.create_database(path) as db:
        db.schema.create_document_type("Rec")
    disk = Disk()
    vfs = PowerLossVFS(disk, path)
    captured: list[tuple[dict, list[int]]] = []
    acked: list[int] = []
    try:
        # A first run counts the writes; the second cuts at random points among them.
        estimate = 0
        for attempt in range(2):
            shutil.rmtree(path)
            with arcadedb.create_database(path) as db:
                db.schema.create_document_type("Rec")
            disk.reset()
            if attempt == 1:
                disk.cut_points = set(rng.sample(range(1, estimate + 1), min(cuts, estimate)))
                disk.on_cut = lambda: captured.append((disk.cut(rng), list(acked)))
            acked.clear()
            try:
                db = arcadedb.open_database(path)
                try:
                    load(db, how, settings, txs, acked)
                finally:
                    db.close()
            finally:
                estimate = disk.writes
    finally:
        vfs.unregister()
    verdicts: Counter = Counter()
    worst_loss = 0
    for index, (images, acks) in enumerate(captured):
        verdict, lost = check_image(os.path.join(root, f"cut{index}"), images, set(acks))
        verdicts[verdict] += 1
        worst_loss = max(worst_loss, lost)
    summary = ", ".join(f"{v} {n}" for v, n in sorted(verdicts.items()))
    report.say(f"  {name:<44} {len(captured)} cuts over {estimate} writes: {summary}; "
               f"most acknowledged transactions lost in one cut: {worst_loss}")  # fmt: skip
    report.figures[name] = dict(verdicts, worst_loss=worst_loss)
    report.check(len(captured) > 0, f"{name}: no power cut was taken")
    if expect == "intact":
        report.check(set(verdicts) <= {"intact"}, f"{name}: expected every cut intact: {summary}")
    elif expect == "consistent":
        report.check(set(verdicts) <= {"intact", "lost"},
                     f"{name}: expected no corruption or partial transaction: {summary}")  # fmt: skip
