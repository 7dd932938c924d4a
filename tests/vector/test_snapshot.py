"""The snapshot is never trusted over the records: real SQLite files, real snapshot files, crashes.

Each test writes vectors through SqliteVectorSource (committed SQLite transactions), saves a
snapshot, then changes the records behind its back -- as a crash between a commit and the next
snapshot would -- and checks that a reopened index answers exactly what brute force over the
records answers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from arcadelite.vector.index import IndexConfig, VectorIndexCore
from arcadelite.vector.quantization import Quantization
from arcadelite.vector.space import Similarity

from .sqlite_source import SqliteVectorSource

DIMS = 8
ROOT = Path(__file__).resolve().parents[2]


def config() -> IndexConfig:
    return IndexConfig("Doc[embedding]", DIMS, Similarity.COSINE, Quantization.NONE)


def vectors(n, seed=0):
    return np.random.default_rng(seed).standard_normal((n, DIMS)).astype(np.float32)


@pytest.fixture
def source(tmp_path):
    src = SqliteVectorSource(tmp_path / "db.sqlite", DIMS)
    yield src
    src.close()


def open_core(source, snap, **kw) -> tuple[VectorIndexCore, object]:
    core = VectorIndexCore(config(), **kw)
    report = core.open(source, snap)
    return core, report


def saved(source, snap, n=30, database_id=None, **kw) -> VectorIndexCore:
    """Commit n vectors, open an index over them and save its snapshot."""
    source.put_many(range(n), vectors(n))
    core, _ = open_core(source, snap, **kw)
    core.save_snapshot(snap, database_id or source.database_id())
    return core


def truth(source) -> dict[int, np.ndarray]:
    with source.reading():
        return {rid: np.frombuffer(blob, "<f4") for rid, blob in source.scan()}


def assert_matches_records(core, source, queries=5):
    """Every query answers exactly the brute-force result over the committed records."""
    records = truth(source)
    assert core.ids().tolist() == sorted(records)
    rids = np.array(sorted(records))
    matrix = np.stack([records[r] for r in rids]) if len(rids) else np.empty((0, DIMS))
    for q in vectors(queries, seed=99):
        got = core.search(q, 10)
        if not len(rids):
            assert got == []
            continue
        cos = matrix @ q / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(q))
        order = np.lexsort((rids, (1 - cos) / 2))[:10]
        assert [r for r, _ in got] == rids[order].tolist()
        assert [s for _, s in got] == pytest.approx(((1 - cos) / 2)[order], abs=1e-6)


def test_first_open_scans_the_records(source, tmp_path):
    source.put_many(range(100), vectors(100))
    core, report = open_core(source, tmp_path / "snap")
    assert not report.from_snapshot and report.reason == "no snapshot"
    assert core.generation == 100
    assert_matches_records(core, source)


def test_reopen_uses_the_snapshot_and_catches_up_additions_deletions_updates(source, tmp_path):
    snap = tmp_path / "snap"
    saved(source, snap, 200)
    # "crash": the records move on, the snapshot does not
    source.put_many(range(200, 260), vectors(60, seed=1))          # added
    for rid in range(0, 200, 10):
        source.delete(rid)                                         # deleted
    source.put(15, vectors(1, seed=2)[0])                          # updated
    source.delete(205)                                             # added then deleted
    core2, report = open_core(source, snap)
    assert report.from_snapshot, report.reason
    assert (report.added, report.removed, report.replaced) == (59, 20, 1)
    assert core2.vector(15).tolist() == vectors(1, seed=2)[0].tolist()
    assert_matches_records(core2, source)


def test_refresh_follows_commits_after_open(source, tmp_path):
    source.put_many(range(50), vectors(50))
    core, _ = open_core(source, None)
    assert core.refresh(source) == 0
    source.delete(3)
    source.put(4, vectors(1, seed=4)[0])
    source.put(77, vectors(1, seed=5)[0])
    assert core.refresh(source) == 3
    assert_matches_records(core, source)


def test_snapshot_from_another_database_is_refused(source, tmp_path):
    snap = tmp_path / "snap"
    saved(source, snap, 30, database_id="some-other-database")
    core2, report = open_core(source, snap)
    assert not report.from_snapshot and "another database" in report.reason
    assert_matches_records(core2, source)


def test_snapshot_of_another_configuration_is_refused(source, tmp_path):
    snap = tmp_path / "snap"
    saved(source, snap, 30)
    other = VectorIndexCore(IndexConfig("Doc[embedding]", DIMS, Similarity.EUCLIDEAN,
                                        Quantization.NONE))
    report = other.open(source, snap)
    assert not report.from_snapshot and "configuration" in report.reason
    assert len(other) == 30


def test_records_older_than_the_snapshot_force_a_rebuild(source, tmp_path):
    snap = tmp_path / "snap"
    saved(source, snap, 30)
    meta = json.loads((snap / "meta.json").read_text())
    meta["generation"] = 10_000  # as if the database were restored from an older backup
    (snap / "meta.json").write_text(json.dumps(meta))
    core2, report = open_core(source, snap)
    assert not report.from_snapshot and "older than the snapshot" in report.reason
    assert_matches_records(core2, source)


def test_a_trimmed_change_log_forces_a_rebuild(source, tmp_path):
    snap = tmp_path / "snap"
    saved(source, snap, 30)
    source.delete(1)
    source.trim_log()
    core2, report = open_core(source, snap)
    assert not report.from_snapshot and "change log" in report.reason
    assert_matches_records(core2, source)


@pytest.mark.parametrize("damage", ["truncate-vectors", "delete-ids", "garbage-meta"])
def test_a_damaged_snapshot_is_ignored(source, tmp_path, damage):
    snap = tmp_path / "snap"
    saved(source, snap, 40)
    files = json.loads((snap / "meta.json").read_text())["files"]
    if damage == "truncate-vectors":
        path = snap / files["vectors"]
        path.write_bytes(path.read_bytes()[:-16])
    elif damage == "delete-ids":
        (snap / files["ids"]).unlink()
    else:
        (snap / "meta.json").write_text("{not json")
    core2, report = open_core(source, snap)
    assert not report.from_snapshot
    assert_matches_records(core2, source)


def test_saving_again_replaces_files_and_removes_stale_ones(source, tmp_path):
    snap = tmp_path / "snap"
    core = saved(source, snap, 40)
    source.put(100, vectors(1, seed=3)[0])
    core.refresh(source)
    core.save_snapshot(snap, source.database_id())
    names = sorted(p.name for p in snap.iterdir())
    assert len(names) == 3 and "meta.json" in names  # ids, vectors, meta: no leftovers
    _, report = open_core(source, snap)
    assert report.from_snapshot and report.added == 0


@pytest.mark.usefixtures("ann_library")
def test_the_hnsw_graph_is_saved_and_caught_up_too(source, tmp_path):
    snap = tmp_path / "snap"
    source.put_many(range(600), vectors(600))
    core, _ = open_core(source, snap, exact_threshold=100)
    core.search(vectors(1)[0], 5)
    assert core.has_ann
    core.save_snapshot(snap, source.database_id())
    assert "ann" in json.loads((snap / "meta.json").read_text())["files"]
    for rid in range(0, 600, 2):
        source.delete(rid)
    source.put_many(range(1000, 1050), vectors(50, seed=8))
    core2, report = open_core(source, snap, exact_threshold=100)
    assert report.from_snapshot and core2.has_ann
    assert_matches_records(core2, source)  # exact answers through the caught-up graph


# --------------------------------------------------------------------------- real crashes

CHILD = textwrap.dedent("""
    import os, signal, sys
    import numpy as np
    sys.path.insert(0, {tests!r})
    from vector.sqlite_source import SqliteVectorSource
    from arcadelite.vector.index import IndexConfig, VectorIndexCore
    from arcadelite.vector.quantization import Quantization
    from arcadelite.vector.space import Similarity
    import arcadelite.vector.index as index_module

    src = SqliteVectorSource({db!r}, {dims})
    core = VectorIndexCore(IndexConfig("Doc[embedding]", {dims}, Similarity.COSINE,
                                       Quantization.NONE))
    core.open(src, {snap!r})
    rng = np.random.default_rng(int(sys.argv[2]))
    src.put_many(range(1000, 1100), rng.standard_normal((100, {dims})).astype(np.float32))
    for rid in range(0, 50, 5):
        src.delete(rid)
    core.refresh(src)
    if sys.argv[1] == "before-snapshot":
        os.kill(os.getpid(), signal.SIGKILL)      # records committed, snapshot still old
    real_write = index_module._write_file
    def dying_write(path, write):
        if path.name == "meta.json":             # data files written, meta not yet
            os.kill(os.getpid(), signal.SIGKILL)
        real_write(path, write)
    index_module._write_file = dying_write
    core.save_snapshot({snap!r}, src.database_id())
""")


@pytest.mark.parametrize("moment", ["before-snapshot", "during-snapshot"])
def test_sigkill_between_commit_and_snapshot_loses_nothing(source, tmp_path, moment):
    snap = tmp_path / "snap"
    saved(source, snap, 100)
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(tests=str(ROOT / "tests"), db=str(source.path), dims=DIMS,
                                   snap=str(snap)))
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run([sys.executable, str(script), moment, "7"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    core2, report = open_core(source, snap)
    assert report.from_snapshot, report.reason  # the old snapshot survived intact
    assert (report.added, report.removed) == (100, 10)
    assert_matches_records(core2, source)
