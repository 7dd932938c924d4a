"""Issue 10, item 14: ``db.check()``, ``arcadelite check DB``, and ``quick_check`` on opening a
database that was not closed cleanly.

The damage is real bytes on disk, made while the database is closed: an entry of a unique
index's leaf page relabelled (``k00777`` becomes a second ``k00778``; the page stays well formed,
so only an index-against-table check sees it and ``lookup_by_key`` silently misses the key), an
edge whose end vertex was deleted with plain SQLite, a duplicate key planted in a subtype's table
(arcadelite's own cross-table uniqueness), and table pages overwritten with garbage after an
unclean close (a process SIGKILLed while it had the database open).

The contract pinned here: ``db.check()`` returns a list of problems, each a sentence naming the
index, type or record (empty when the database is sound); ``arcadelite check DB`` prints them and
exits 1 (0 when sound); opening a database left open by a killed process runs SQLite's
``quick_check`` and refuses a damaged file with an ArcadeDBError that says so.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from torture import faultkit

import arcadelite as arcadedb
from arcadelite import ArcadeDBError

pending = pytest.mark.fault_pending
CLI = "import sys; from arcadelite.cli import main; sys.exit(main(sys.argv[1:]))"


def _keyed(path: str, count: int = 2000) -> str:
    with arcadedb.create_database(path) as db:
        db.schema.create_document_type("D")
        db.schema.create_property("D", "key", "STRING")
        db.schema.create_index("D", ["key"], unique=True)
        with db.transaction():
            for i in range(count):
                db.new_document("D").set("key", f"k{i:05d}").set("pad", "p" * 50).save()
    return path


def _relabel_index_entry(path: str, key: str, other: str) -> None:
    (name, _table), = faultkit.sqlite_indexes(path)
    pages, page_size = faultkit.btree_pages(path, name)
    changed = faultkit.replace_in_pages(path, pages, page_size, key.encode(), other.encode())
    assert changed == 1, f"{key} found in {changed} leaf pages of the index"


def _cli_check(path: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CLI, "check", path], capture_output=True,
                          text=True, timeout=60)  # fmt: skip


@pending("item 14")
def test_check_finds_an_index_that_disagrees_with_the_records(tmp_path):
    path = _keyed(str(tmp_path / "db"))
    with arcadedb.open_database(path) as db:
        assert db.check() == [], "a sound database has problems?"
    _relabel_index_entry(path, "k00777", "k00778")
    with arcadedb.open_database(path) as db:
        assert db.lookup_by_key("D", ["key"], ["k00777"]) is None  # the fault: a silent miss
        problems = db.check()
    assert problems, "check() found nothing wrong with a damaged index"
    assert any("D[key]" in p for p in problems), f"no problem names the index: {problems}"


@pending("item 14")
def test_the_check_command_reports_a_damaged_index_and_exits_nonzero(tmp_path):
    path = _keyed(str(tmp_path / "db"))
    sound = _cli_check(path)
    assert sound.returncode == 0, f"on a sound database: {sound.returncode} {sound.stderr}"
    _relabel_index_entry(path, "k00777", "k00778")
    damaged = _cli_check(path)
    assert damaged.returncode == 1, f"exit {damaged.returncode}: {damaged.stdout}{damaged.stderr}"
    assert "D[key]" in damaged.stdout + damaged.stderr


@pending("item 14")
def test_check_finds_an_edge_whose_vertex_is_gone(tmp_path):
    path = str(tmp_path / "db")
    with arcadedb.create_database(path) as db:
        db.schema.create_vertex_type("V")
        db.schema.create_edge_type("E")
        with db.transaction():
            a = db.new_vertex("V").set("n", 1).save()
            b = db.new_vertex("V").set("n", 2).save()
            edge = a.new_edge("E", b)
        gone = b.get_identity().position
    faultkit.raw_sql(path, f"DELETE FROM {faultkit.table_of(path, 'V')} WHERE pos = ?", (gone,))
    with arcadedb.open_database(path) as db:
        problems = db.check()
    assert any(edge.get_rid() in p for p in problems), f"the dangling edge is not named: {problems}"


@pending("item 14")
def test_check_finds_a_unique_key_shared_across_subtypes(tmp_path):
    """arcadelite keeps one SQLite index per table; uniqueness across a type's subtypes is its own
    check at write time, so the checker must verify it too."""
    path = str(tmp_path / "db")
    with arcadedb.create_database(path) as db:
        db.schema.create_document_type("P")
        db.schema.create_document_type("C")
        db.command("sql", "ALTER TYPE C SUPERTYPE +P")
        db.schema.create_property("P", "k", "LONG")
        db.schema.create_index("P", ["k"], unique=True)
        with db.transaction():
            db.new_document("P").set("k", 1).save()
    faultkit.raw_sql(path, f"INSERT INTO {faultkit.table_of(path, 'C')}(body) VALUES ('{{\"k\": 1}}')")
    with arcadedb.open_database(path) as db:
        problems = db.check()
    assert any("P[k]" in p for p in problems), f"the shared key is not reported: {problems}"


@pending("item 14")
def test_opening_a_damaged_database_left_open_by_a_killed_process_says_it_is_damaged(tmp_path):
    path = _keyed(str(tmp_path / "db"))
    faultkit.crash_while_open(path)  # not closed cleanly
    pages, page_size = faultkit.btree_pages(path, faultkit.table_of(path, "D"))
    faultkit.smash_pages(path, pages[len(pages) // 2:len(pages) // 2 + 2], page_size)
    with pytest.raises(ArcadeDBError) as caught:
        arcadedb.open_database(path)
    message = str(caught.value).lower()
    assert "damaged" in message or "corrupt" in message, message
    assert "check" in message, f"the error does not say what to do: {message}"


def test_a_sound_database_left_open_by_a_killed_process_opens(tmp_path):
    """Guard (passes today): quick_check on an unclean open must not refuse a sound file."""
    path = _keyed(str(tmp_path / "db"), count=200)
    faultkit.crash_while_open(path)
    with arcadedb.open_database(path) as db:
        assert db.count_type("D") == 200
        assert db.lookup_by_key("D", ["key"], ["k00123"]) is not None
    assert os.path.exists(path)
