"""arcadelite.compat: the Java-style names ported programs call (issue 16), and upstream's
float-array helpers. RID, records, results, schema types and indexes take them as mixins."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

import arcadelite as arcadedb
from arcadelite.compat import JavaOptional, to_java_float_array, to_python_array


def test_rid_answers_java_names():
    rid = arcadedb.RID(3, 7)
    assert (rid.getBucketId(), rid.getPosition(), rid.toString()) == (3, 7, "#3:7")
    assert rid.isValid() and rid.getIdentity() is rid


def test_saved_record_identity_answers_java_names(tmp_path):
    with arcadedb.create_database(str(tmp_path / "db")) as db:
        db.schema.create_vertex_type("P")
        with db.transaction():
            v = db.new_vertex("P").set("n", 1).save()
        assert v.get_identity().toString() == v.get_rid()
        assert v.get_identity().getBucketId() == v.get_identity().bucket_id


def test_float_array_helpers_hold_32_bit_floats(tmp_path):
    np = pytest.importorskip("numpy")
    values = to_java_float_array(np.array([0.1, 0.2, 0.3], dtype=np.float32))
    assert values == [float(np.float32(x)) for x in (0.1, 0.2, 0.3)]
    assert to_java_float_array([1, 2.5]) == [1.0, 2.5]
    assert arcadedb.to_java_float_array((0.5,)) == [0.5]
    back = to_python_array(values)
    assert back.dtype == np.float32 and back.tolist() == values
    assert to_python_array(values, use_numpy=False) == values
    with pytest.raises(TypeError):
        to_java_float_array("abc")
    with pytest.raises(TypeError):
        to_java_float_array([1, "x"])
    with arcadedb.create_database(str(tmp_path / "db")) as db:
        db.schema.create_vertex_type("V")
        db.schema.create_property("V", "vec", "ARRAY_OF_FLOATS")
        with db.transaction():
            db.new_vertex("V").set("vec", values).save()
        stored = db.query("sql", "SELECT FROM V").first().get("vec")
        assert len(stored) == 3 and abs(stored[0] - 0.1) < 1e-6


def test_java_optional():
    assert JavaOptional(5).get() == 5 and JavaOptional(5).isPresent()
    assert JavaOptional(None).isEmpty() and JavaOptional(None).orElse(3) == 3
    with pytest.raises(ValueError, match="No value present"):
        JavaOptional(None).get()


CHILD = textwrap.dedent("""
    import json, sys
    import arcadelite as arcadedb

    out = {}
    with arcadedb.create_database(sys.argv[1]) as db:
        db.schema.create_vertex_type("Person")
        db.schema.create_edge_type("Knows")
        db.schema.create_property("Person", "name", "STRING")
        db.schema.create_index("Person", ["name"], unique=True)
        ids = []
        with db.async_executor() as ex:
            for name in ("a", "b"):
                ex.create_record(db.new_vertex("Person").set("name", name),
                                 callback=lambda r: ids.append(r.getIdentity().toString()))
        out["callback_rids"] = sorted(ids)
        with db.transaction():
            a = db.lookup_by_key("Person", ["name"], ["a"])
            e = a.new_edge("Knows", db.lookup_by_key("Person", ["name"], ["b"]))
        v = db.query("sql", "SELECT FROM Person WHERE name = 'a'").first()
        element = v.getElement().get()
        out["record"] = [element.getIdentity().toString(), element.getTypeName(),
                         element.getPropertyNames(), element.getRecord() is element,
                         element.has("name"), element.getString("name")]
        out["edge"] = [e.getOutVertex().get_rid(), e.getInVertex().get_rid()]
        out["result"] = [v.getProperty("name"), v.getPropertyNames(), v.isElement(),
                         v.getIdentity().get().toString()]
        row = db.query("sql", "SELECT count(*) AS c FROM Person").first()
        out["projection"] = [row.isElement(), row.getElement().isPresent(), row.getProperty("c")]
        t = db.schema.get_type("Person")
        out["type"] = [t.getName(), t.getPropertyNames(), t.existsProperty("name")]
        out["indexes"] = [[i.getName(), i.getTypeName(), i.isUnique(), i.getPropertyNames(),
                           i.getType()] for i in db.schema.get_indexes()]
    print("COMPAT " + json.dumps(out))
""")


def test_records_results_types_and_indexes_answer_java_names(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "db")],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert "COMPAT " in done.stdout, done.stdout + done.stderr
    out = json.loads(done.stdout.split("COMPAT ", 1)[1])
    assert len(out["callback_rids"]) == 2 and all(r.startswith("#") for r in out["callback_rids"])
    rid_a = out["record"][0]
    assert out["record"] == [rid_a, "Person", ["name"], True, True, "a"]
    assert out["edge"][0] == rid_a
    assert out["result"] == ["a", ["name"], True, rid_a]
    assert out["projection"] == [False, False, 2]
    assert out["type"] == ["Person", ["name"], True]
    assert out["indexes"] == [["Person[name]", "Person", True, ["name"], "LSM_TREE"]]
