"""Vector search wired end to end: the bindings' API, SQL, persistence and crash safety, on real
database folders (the vectors kept by triggers in the records' own transactions)."""

from __future__ import annotations

import inspect
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import arcadelite as arcadedb
from arcadelite.exceptions import ArcadeDBError, VectorError
from arcadelite.query.vectors import indexes_of
from arcadelite.vector_index import VectorIndex

from .reference_values import OBSERVED, QUERY, VECTORS


def _db(tmp_path, name="db"):
    db = arcadedb.create_database(str(tmp_path / name))
    db.set_auto_transaction(True)
    db.schema.create_vertex_type("Doc")
    db.schema.create_property("Doc", "vec", "ARRAY_OF_FLOATS")
    db.schema.create_property("Doc", "name", "STRING")
    return db


def _fill(db, vectors=VECTORS):
    with db.transaction():
        for name, vector in vectors.items():
            db.new_vertex("Doc").set("name", name).set("vec", vector).save()


def _names(found):
    return [(record.get("name"), round(score, 6)) for record, score in found]


def test_the_seed_era_defaults_are_pinned():
    create = inspect.signature(arcadedb.Database.create_vector_index).parameters
    assert create["distance_function"].default == "cosine"
    assert create["max_connections"].default == 16
    assert create["beam_width"].default == 100
    assert create["quantization"].default == "INT8"
    assert create["build_graph_now"].default is True
    find = inspect.signature(VectorIndex.find_nearest).parameters
    assert find["k"].default == 10
    assert find["overquery_factor"].default == 4
    assert find["allowed_rids"].default is None
    assert inspect.signature(VectorIndex.find_nearest_approximate).parameters[
        "overquery_factor"].default == 1


@pytest.mark.parametrize("similarity,quantization", sorted(
    key for key in OBSERVED if key[1] != "BINARY"))
def test_find_nearest_gives_the_seed_era_scores(tmp_path, similarity, quantization):
    db = _db(tmp_path)
    _fill(db)
    index = db.create_vector_index("Doc", "vec", 3, distance_function=similarity.lower(),
                                   quantization=quantization)
    assert index.get_quantization() == quantization
    assert index.get_size() == 6
    found = _names(index.find_nearest(QUERY, k=6))
    assert [name for name, _ in found] == [name for name, _ in OBSERVED[similarity, quantization]]
    assert [s for _, s in found] == pytest.approx([s for _, s in OBSERVED[similarity,
                                                                            quantization]], abs=2e-6)
    db.close()


def test_records_written_after_the_index_are_found_and_numpy_goes_in(tmp_path):
    db = _db(tmp_path)
    index = db.create_vector_index("Doc", "vec", 3, quantization=None)
    assert index.get_size() == 0
    assert index.find_nearest([1, 0, 0]) == []
    _fill(db, {"x": np.array([1, 0, 0], dtype=np.float32), "y": [0, 1, 0]})
    record, score = index.find_nearest(np.array([0.9, 0.1, 0.0]), k=1)[0]
    assert record.get("name") == "x" and score < 0.01
    assert isinstance(record.get("vec"), list)


def test_bad_vectors_are_refused_and_change_nothing(tmp_path):
    db = _db(tmp_path)
    index = db.create_vector_index("Doc", "vec", 3)
    _fill(db, {"x": [1, 0, 0]})
    for bad, words in (([1, 2], "dimension 2"), ([1, "a", 2], "cannot store"),
                       ("text", "cannot store")):  # the declared ARRAY_OF_FLOATS refuses first
        with pytest.raises(ArcadeDBError, match=words):
            with db.transaction():
                db.new_vertex("Doc").set("name", "bad").set("vec", bad).save()
    with pytest.raises(VectorError, match="dimension"):
        db.command("sql", "UPDATE Doc SET vec = [1, 2] WHERE name = 'x'")
    db.schema.create_document_type("Loose")  # a LIST property: the index's own check refuses
    db.schema.create_property("Loose", "v", "LIST")
    db.create_vector_index("Loose", "v", 2)
    with pytest.raises(VectorError, match=r"component 1 is 'a'.*index 'Loose\[v\]'"):
        with db.transaction():
            db.new_document("Loose").set("v", [1, "a"]).save()
    assert db.count_type("Doc") == 1 and index.get_size() == 1
    assert db.query("sql", "SELECT vec FROM Doc").to_list()[0]["vec"] == [1, 0, 0]
    with pytest.raises(VectorError, match="3"):
        index.find_nearest([1, 0])
    with pytest.raises(VectorError):
        index.find_nearest([0, 0, 0])  # a zero query has no cosine


def test_deleted_updated_and_rolled_back_vectors(tmp_path):
    db = _db(tmp_path)
    _fill(db)
    index = db.create_vector_index("Doc", "vec", 3, quantization=None)
    db.command("sql", "DELETE FROM Doc WHERE name = 'big'")
    db.command("sql", "UPDATE Doc SET vec = [0, 0, -1] WHERE name = 'x'")
    found = [name for name, _ in _names(index.find_nearest(QUERY, k=6))]
    assert "big" not in found and found[0] == "d" and len(found) == 5
    db.begin()  # inside a transaction its own changes count
    db.command("sql", "DELETE FROM Doc WHERE name = 'd'")
    db.new_vertex("Doc").set("name", "new").set("vec", [1, 0.2, 0.1]).save()
    inside = _names(index.find_nearest(QUERY, k=2))
    assert inside[0] == ("new", 0.0) and "d" not in [n for n, _ in inside]
    assert index.get_size() == 5
    db.rollback()
    assert [n for n, _ in _names(index.find_nearest(QUERY, k=1))] == ["d"]
    db.command("sql", "UPDATE Doc REMOVE vec WHERE name = 'd'")
    assert index.get_size() == 4
    assert "d" not in [n for n, _ in _names(index.find_nearest(QUERY, k=6))]


def test_allowed_rids_return_k_when_k_are_allowed(tmp_path):
    db = _db(tmp_path)
    rng = np.random.default_rng(7)
    _fill(db, {f"v{i}": rng.normal(size=3).tolist() for i in range(300)})
    index = db.create_vector_index("Doc", "vec", 3, quantization=None)
    rids = [r["@rid"] for r in db.query("sql", "SELECT FROM Doc WHERE name < 'v2'").to_list()]
    allowed = rids[::7]
    found = index.find_nearest([1, 0, 0], k=5, allowed_rids=[str(r) for r in allowed])
    assert len(found) == 5 and {str(r.get_rid()) for r, _ in found} <= {str(r) for r in allowed}
    assert len(index.find_nearest([1, 0, 0], k=5, allowed_rids=allowed[:2])) == 2
    assert len(index.find_nearest([1, 0, 0], k=5, allowed_rids=[])) == 5  # [] = no filter
    with pytest.raises(VectorError, match="RID"):
        index.find_nearest([1, 0, 0], allowed_rids=["nope"])


def test_schema_lookups_and_drop(tmp_path):
    db = _db(tmp_path)
    db.schema.create_vertex_type("Special", supertypes=["Doc"])
    index = db.create_vector_index("Doc", "vec", 3)
    with db.transaction():
        db.new_vertex("Special").set("name", "s").set("vec", [1, 0, 0]).save()
    assert db.schema.list_vector_indexes() == ["Doc[vec]"]
    assert db.schema.get_vector_index("Doc", "vec").name == "Doc[vec]"
    assert db.schema.get_vector_index("Special", "vec").name == "Doc[vec]"
    assert db.schema.get_vector_index("Doc", "name") is None
    assert db.schema.get_vector_index("Nope", "vec") is None
    assert db.schema.get_index_by_name("Doc[vec]").get_type_name() == "Doc"
    assert index.find_nearest([1, 0, 0], k=1)[0][0].get("name") == "s"
    with pytest.raises(ArcadeDBError, match="already exists"):
        db.create_vector_index("Doc", "vec", 3)
    with pytest.raises(ArcadeDBError, match="not found|does not exist"):
        db.create_vector_index("Doc", "nope", 3)
    with pytest.raises(VectorError, match="similarity"):
        db.create_vector_index("Doc", "name", 3, distance_function="manhattan")
    db.schema.drop_type("Special")
    assert index.get_size() == 0
    db.schema.drop_index("Doc[vec]")
    assert db.schema.list_vector_indexes() == []
    assert not (tmp_path / "db" / "vectors" / "vb1d0e3563cac").exists()
    with pytest.raises(ArcadeDBError):
        index.get_size()


def test_reopen_uses_the_snapshot_and_catches_up(tmp_path):
    db = _db(tmp_path)
    _fill(db)
    db.create_vector_index("Doc", "vec", 3, quantization=None)
    db.close()
    db = arcadedb.open_database(str(tmp_path / "db"))
    index = db.schema.get_vector_index("Doc", "vec")
    assert index.get_size() == 6
    assert indexes_of(db._storage).open_report("Doc[vec]").from_snapshot
    db.close()


CRASHER = textwrap.dedent("""
    import os, signal, sys
    import arcadelite as arcadedb
    db = arcadedb.open_database(sys.argv[1])
    db.set_auto_transaction(True)
    index = db.schema.get_vector_index("Doc", "vec")
    assert index.get_size() == 6  # the index is loaded (from its snapshot), then records change
    db.command("sql", "DELETE FROM Doc WHERE name = 'big'")
    with db.transaction():
        db.new_vertex("Doc").set("name", "late").set("vec", [1.0, 0.2, 0.1]).save()
    db.command("sql", "UPDATE Doc SET vec = [0, 0, -1] WHERE name = 'x'")
    print("committed", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
""")


def test_a_crash_after_commits_leaves_no_deleted_record_and_misses_no_new_one(tmp_path):
    db = _db(tmp_path)
    _fill(db)
    db.create_vector_index("Doc", "vec", 3, quantization=None)
    db.close()  # the snapshot now holds the six vectors
    done = subprocess.run([sys.executable, "-c", CRASHER, str(tmp_path / "db")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL and "committed" in done.stdout, done.stderr
    db = arcadedb.open_database(str(tmp_path / "db"))
    index = db.schema.get_vector_index("Doc", "vec")
    found = _names(index.find_nearest(QUERY, k=6))
    names = [name for name, _ in found]
    assert names[0] == "late" and "big" not in names and len(names) == 6
    assert dict(found)["x"] == pytest.approx((1 + 0.1 / np.linalg.norm(QUERY)) / 2, abs=1e-5)
    report = indexes_of(db._storage).open_report("Doc[vec]")
    assert report.from_snapshot and report.removed == 1 and report.added == 1
    db.close()


def test_async_executor_inserts_are_indexed(tmp_path):
    db = _db(tmp_path)
    index = db.create_vector_index("Doc", "vec", 4, distance_function="euclidean", quantization=None)
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(500, 4)).astype(np.float32)
    executor = db.async_executor().set_commit_every(100)
    for i, vector in enumerate(vectors):
        executor.create_record(db.new_vertex("Doc").set("name", f"n{i}").set("vec", vector.tolist()))
    executor.wait_completion()
    assert index.get_size() == 500
    record, score = index.find_nearest(vectors[123], k=1)[0]
    assert record.get("name") == "n123" and score == pytest.approx(1.0)
    db.close()


def test_sql_create_index_neighbors_and_functions(tmp_path):
    db = _db(tmp_path)
    _fill(db)
    created = db.command("sql", "CREATE INDEX ON Doc (vec) LSM_VECTOR METADATA "
                         "{dimensions: 3, similarity: 'EUCLIDEAN'}").to_list()
    assert created == [{"operation": "create index", "name": "Doc[vec]", "type": "LSM_VECTOR",
                        "created": True, "totalIndexed": 6}]
    assert db.schema.get_vector_index("Doc", "vec").get_quantization() == "NONE"  # SQL's default
    row = db.query("sql", "SELECT vectorNeighbors('Doc[vec]', [1.0, 0.2, 0.1], 2) AS res").to_list()
    assert [(m["record"].get("name"), round(m["distance"], 6)) for m in row[0]["res"]] == [
        ("d", 0.606061), ("x", 0.952381)]  # ascending by distance, as the seed era sorts
    rows = db.query("sql", "SELECT expand(vectorNeighbors('Doc[vec]', ?, 1))", [1, 0, 0]).to_list()
    assert len(rows) == 1 and rows[0]["distance"] == pytest.approx(1.0)
    values = db.query("sql", "SELECT vectorAdd([1.5, 2.25], [0.1, 0.2]) AS a, "
                      "vectorL2Distance([1, 0], [0, 1]) AS b, vectorScale([1, 2], 2) AS c, "
                      "vectorDequantizeInt8([-128, 0, 127], -1, 1) AS d").to_list()[0]
    assert values["a"] == [1.600000023841858, 2.450000047683716]
    assert values["b"] == 1.4142135381698608 and values["c"] == [2.0, 4.0]
    assert values["d"] == pytest.approx([-1.0, 0.0039216, 1.0], abs=1e-6)
    sums = db.query("sql", "SELECT vectorSum(vec) AS s, vectorMax(vec) AS m FROM Doc "
                    "WHERE name IN ['x', 'y']").to_list()[0]
    assert sums["s"] == [1.0, 1.0, 0.0] and sums["m"] == [1.0, 1.0, 0.0]
    nearest = db.query("sql", "SELECT name FROM Doc ORDER BY vectorL2Distance(vec, [0, 0, 3]) "
                       "LIMIT 1").to_list()
    assert nearest[0]["name"] == "z"
    for text, words in (("SELECT vectorNeighbors('Doc[nope]', [1, 0, 0], 2)", "property 'nope'"),
                        ("SELECT vectorNeighbors('Nope[vec]', [1, 0, 0], 2)", "'Nope'"),
                        ("SELECT vectorNeighbors('nosuch', [1, 0, 0], 2)", "'nosuch'"),
                        ("SELECT vectorNeighbors('Doc[vec]', [1, 0], 2)", "dimension"),
                        ("SELECT vectorAdd([1, 'a'], [1, 2])", "numbers")):
        with pytest.raises(ArcadeDBError, match=words):
            db.query("sql", text).to_list()
    with pytest.raises(ArcadeDBError, match="distanceFunction"):
        db.command("sql", "CREATE INDEX ON Doc (name) LSM_VECTOR METADATA "
                   "{dimensions: 3, distanceFunction: 'EUCLIDEAN'}")
    with pytest.raises(ArcadeDBError, match="METADATA"):
        db.command("sql", "CREATE INDEX ON Doc (name) LSM_VECTOR")
    db.command("sql", "DROP INDEX `Doc[vec]`")
    assert db.schema.list_vector_indexes() == []
    db.close()


def test_import_arcadelite_does_not_import_numpy():
    code = ("import sys, arcadelite as a; a.to_java_float_array([1, 2]); "
            "print('numpy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert done.stdout.strip() == "False", done.stderr


def test_approximate_search_uses_the_graph_and_reopens_with_it(tmp_path, ann_library):
    db = _db(tmp_path)
    rng = np.random.default_rng(11)
    vectors = rng.normal(size=(2000, 8)).astype(np.float32)
    index = db.create_vector_index("Doc", "vec", 8, quantization=None, ef_search=64)
    with db.transaction():
        for i, vector in enumerate(vectors):
            db.new_vertex("Doc").set("name", f"n{i}").set("vec", vector.tolist()).save()
    exact = [r.get("name") for r, _ in index.find_nearest(vectors[5], k=10)]
    approx = [r.get("name") for r, _ in index.find_nearest_approximate(vectors[5], k=10)]
    core = indexes_of(db._storage).core("Doc[vec]")
    assert core.has_ann and core.expansion_search == 64
    assert exact[0] == approx[0] == "n5" and len(set(exact) & set(approx)) >= 8
    db.close()
    db = arcadedb.open_database(str(tmp_path / "db"))
    index = db.schema.get_vector_index("Doc", "vec")
    assert index.get_size() == 2000
    assert indexes_of(db._storage).core("Doc[vec]").has_ann  # loaded from the snapshot
    assert index.find_nearest_approximate(vectors[7], k=1)[0][0].get("name") == "n7"
    db.close()


def test_a_dump_keeps_the_vector_index(tmp_path):
    db = _db(tmp_path)
    _fill(db)
    db.create_vector_index("Doc", "vec", 3, distance_function="euclidean", quantization=None)
    db.export_database(str(tmp_path / "dump.jsonl.gz"))
    db.close()
    copy = arcadedb.create_database(str(tmp_path / "copy"))
    copy.command("sql", f"IMPORT DATABASE file://{tmp_path / 'dump.jsonl.gz'}")
    index = copy.schema.get_vector_index("Doc", "vec")
    assert index.get_similarity() == "EUCLIDEAN" and index.get_size() == 6
    assert _names(index.find_nearest(QUERY, k=1)) == [("x", 0.952381)]
    copy.close()
