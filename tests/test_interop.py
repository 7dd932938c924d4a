"""Interop with the real engine (arcadedb-embedded), both ways, through dumps.

The reference runs in its own interpreter: the one named by the environment variable
ARCADELITE_REFERENCE_PYTHON (a python that can ``import arcadedb_embedded``); skipped without it.

arcadelite -> ArcadeDB: a database using every feature is exported here and restored by ArcadeDB's
``IMPORT DATABASE``; ArcadeDB -> arcadelite: a database built by ArcadeDB is exported there and
restored here. One run of the reference (one JVM) serves every test. Skipped where the reference
is not installed (e.g. in CI); tests/fixtures/arcadedb_export.jsonl.gz keeps the ArcadeDB ->
arcadelite direction tested everywhere (test_exporter.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from decimal import Decimal

import pytest

import arcadelite as arcadedb
from arcadelite.importer import import_database
from test_exporter import build_everything

REFERENCE_PYTHON = os.environ.get("ARCADELITE_REFERENCE_PYTHON", "")
MARK = "INTEROP "

pytestmark = pytest.mark.skipif(
    not REFERENCE_PYTHON or not os.path.exists(REFERENCE_PYTHON),
    reason=f"no reference engine: {REFERENCE_PYTHON!r} does not exist; set "
    "ARCADELITE_REFERENCE_PYTHON to a python that has arcadedb-embedded installed",
)

REFERENCE_SIDE = '"""Runs in the reference venv: import an arcadelite dump; build and export an ArcadeDB dump."""\nimport datetime as dt, decimal, json, os, sys\n\nimport arcadedb_embedded as arcadedb\n\nour_dump, their_dump, work = sys.argv[1], sys.argv[2], sys.argv[3]\n\n\ndef describe(value):\n    if value is None:\n        return None\n    if isinstance(value, (bool, int, float, str)):\n        return [type(value).__name__, value]\n    if isinstance(value, (dt.datetime, dt.date, decimal.Decimal)):\n        return [type(value).__name__, str(value)]\n    if isinstance(value, dict):\n        return ["dict", {str(k): describe(v) for k, v in value.items()}]\n    if isinstance(value, (list, tuple)):\n        return ["list", [describe(v) for v in value]]\n    try:\n        items = list(value)\n    except TypeError:\n        return [type(value).__name__.split(".")[-1], str(value)]\n    return ["list", [describe(v) for v in items]]\n\n\nout = {}\ndb = arcadedb.create_database(os.path.join(work, "restored"))\nrows = [r.to_dict() for r in db.command("sql", f"IMPORT DATABASE file://{our_dump}")]\nout["result"] = {k: v for k, v in rows[0].items() if k != "fromUrl"}\nschema = {}\nfor t in db.schema.get_types():\n    name = t.getName()\n    props = {}\n    for p in t.getProperties():\n        props[str(p.getName())] = {"type": str(p.getType()), "of": str(p.getOfType()),\n                                   "mandatory": bool(p.isMandatory()), "readonly": bool(p.isReadonly()),\n                                   "notnull": bool(p.isNotNull()), "min": str(p.getMin()),\n                                   "max": str(p.getMax())}\n    schema[str(name)] = {"parents": sorted(str(s.getName()) for s in t.getSuperTypes()), "properties": props}\nout["schema"] = schema\nout["indexes"] = sorted({(str(ix.getTypeName()), ",".join(str(p) for p in ix.getPropertyNames()), bool(ix.isUnique()), str(ix.getType()))\n                         for ix in db.schema.get_indexes()})\nrecords = {}\nfor name in schema:\n    for row in db.query("sql", f"SELECT FROM `{name}`"):\n        el = row.get_element()\n        if el.get_type_name() != name:\n            continue\n        data = {str(k): describe(el.get(k)) for k in el.get_property_names()}\n        data["@rid"] = row.get_rid()\n        if hasattr(el, "get_out"):\n            data["@out"] = str(el.get_out().get_rid())\n            data["@in"] = str(el.get_in().get_rid())\n        records.setdefault(str(name), []).append(data)\nout["records"] = records\ndb.close()\n\ndb = arcadedb.create_database(os.path.join(work, "theirs"))\nfor statement in [\n    "CREATE DOCUMENT TYPE Addr", "CREATE VERTEX TYPE Animal", "CREATE VERTEX TYPE Dog EXTENDS Animal",\n    "CREATE PROPERTY Animal.name STRING (mandatory true, notnull true)",\n    "CREATE PROPERTY Animal.born DATE", "CREATE PROPERTY Animal.weight DECIMAL (min 0)",\n    "CREATE PROPERTY Dog.addr EMBEDDED OF Addr", "CREATE PROPERTY Dog.mic DATETIME_MICROS",\n    "CREATE PROPERTY Dog.days LIST OF DATE", "CREATE PROPERTY Dog.friends LIST OF Animal",\n    "CREATE PROPERTY Dog.best LINK", "CREATE PROPERTY Dog.tags MAP OF INTEGER",\n    "CREATE PROPERTY Dog.chip BINARY",\n    "CREATE INDEX ON Animal (name) UNIQUE", "CREATE INDEX ON Dog (born) NOTUNIQUE",\n    "CREATE DOCUMENT TYPE Doc", "CREATE PROPERTY Doc.txt STRING", "CREATE INDEX ON Doc (txt) FULL_TEXT",\n    "CREATE EDGE TYPE Owns", "CREATE PROPERTY Owns.since DATETIME",\n]:\n    db.command("sql", statement)\nwith db.transaction():\n    db.command("sql", "INSERT INTO Animal SET name = \'gone\'")\n    db.command("sql", "INSERT INTO Animal SET name = \'cat\', born = date(\'2020-01-01\', \'yyyy-MM-dd\'), weight = 3.5")\n    db.command("sql", "DELETE FROM Animal WHERE name = \'gone\'")\n    cat = db.query("sql", "SELECT FROM Animal WHERE name = \'cat\'").first().get_rid()\n    db.command("sql", "INSERT INTO Dog SET name = \'rex\', addr = {\'@type\': \'Addr\', \'city\': \'X\'}, "\n                      "mic = \'2024-01-02 03:04:05.123456\', days = [date(\'2020-01-01\', \'yyyy-MM-dd\')], "\n                      f"best = {cat}, friends = [{cat}], tags = {{\'a\': 1}}, age = 7")\n    dog = db.new_vertex("Dog"); dog.set("name", "fido"); dog.set("chip", b"\\x01\\xff"); dog.save()\n    db.command("sql", "CREATE EDGE Owns FROM (SELECT FROM Dog WHERE name = \'rex\') TO (SELECT FROM Animal WHERE name = \'cat\') "\n                      "SET since = date(\'2021-03-04 05:06:07\', \'yyyy-MM-dd HH:mm:ss\'), w = 2")\n    rex = db.query("sql", "SELECT FROM Dog WHERE name = \'rex\'").first().get_rid()\n    db.command("sql", f"INSERT INTO Doc SET txt = \'hello world\', who = {rex}")\ndb.export_database(their_dump, overwrite=True)\ndb.close()\nprint("INTEROP " + json.dumps(out))\n'


@pytest.fixture(scope="module")
def exchange(tmp_path_factory):
    """Run the reference once: it imports our dump and exports its own."""
    work = tmp_path_factory.mktemp("interop")
    with arcadedb.create_database(str(work / "ours")) as db:
        ids = build_everything(db)
        db.export_database(str(work / "ours.jsonl.gz"), verbose=0)
    script = work / "reference_side.py"
    script.write_text(REFERENCE_SIDE)
    done = subprocess.run(
        [REFERENCE_PYTHON, str(script), str(work / "ours.jsonl.gz"),
         str(work / "theirs.jsonl.tgz"), str(work)],
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    if MARK not in done.stdout:
        pytest.fail(f"the reference side failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}")
    report = json.loads(done.stdout.rsplit(MARK, 1)[1])
    return {"report": report, "ids": ids, "theirs": str(work / "theirs.jsonl.tgz"), "work": work}


def value(described):
    return None if described is None else described[1]


# --- arcadelite -> ArcadeDB -----------------------------------------------------------------------


def test_arcadedb_imports_our_dump_schema_and_indexes(exchange):
    report = exchange["report"]
    assert report["result"] == {"operation": "import database", "parsedRecords": 11,
                                "createdDocuments": 2, "createdVertices": 3, "createdEdges": 3,
                                "result": "OK"}  # fmt: skip
    schema = report["schema"]
    assert set(schema) == {"Base", "Person", "City", "Doc", "Note", "Knows", "LivesIn"}
    assert schema["Person"]["parents"] == ["Base"] and schema["Note"]["parents"] == ["Doc"]
    code = schema["Base"]["properties"]["code"]
    assert (code["type"], code["mandatory"], code["notnull"], code["readonly"], code["min"],
            code["max"]) == ("STRING", True, True, True, "1", "10")  # fmt: skip
    person = schema["Person"]["properties"]
    assert {name: p["type"] for name, p in person.items()} == {
        "age": "INTEGER", "nick": "STRING", "born": "DATE", "seen": "DATETIME",
        "balance": "DECIMAL", "blob": "BINARY", "best": "LINK", "tags": "LIST", "scores": "MAP",
        "vec": "ARRAY_OF_FLOATS", "emb": "MAP", "days": "LIST", "tiny": "BYTE", "small": "SHORT",
        "big": "LONG", "flag": "BOOLEAN", "ratio": "FLOAT", "dbl": "DOUBLE"}  # fmt: skip
    assert person["tags"]["of"] == "STRING" and person["days"]["of"] == "DATE"
    assert person["best"]["of"] == "None"  # kept here, dropped for ArcadeDB (see exporter)
    assert (person["age"]["min"], person["age"]["max"]) == ("0", "150")
    assert [tuple(ix) for ix in report["indexes"]] == [
        ("Base", "code", True, "LSM_TREE"), ("Doc", "txt", False, "FULL_TEXT"),
        ("Person", "nick,age", False, "LSM_TREE")]  # fmt: skip


def test_arcadedb_keeps_declared_values_and_rebuilds_links_and_edges(exchange):
    records = exchange["report"]["records"]
    people = {value(r["code"]): r for r in records["Person"]}
    alice, bob = people["alice"], people["bob"]
    assert alice["born"] == ["date", "1994-05-17"]
    assert alice["seen"] == ["datetime", "2024-01-02 03:04:05.123000"]  # ms precision there
    assert alice["balance"] == ["Decimal", "1234.50"]
    assert alice["days"] == ["list", [["date", "2020-02-29"]]]
    assert alice["big"] == ["int", 2**62] and alice["neg"] == ["int", -(2**63)]
    assert alice["tuple"] == ["list", [["int", 1], ["str", "two"], ["float", 3.0]]]
    assert alice["unicode"] == ["str", "żółw 🐢"] and alice["ridlike"] == ["str", "#1:1"]
    assert alice["best"] == ["DatabaseRID", bob["@rid"]]  # a forward link, remapped
    assert bob["best"] == ["DatabaseRID", alice["@rid"]]
    knows = records["Knows"][0]
    assert (knows["@out"], knows["@in"]) == (alice["@rid"], bob["@rid"])
    assert knows["since"] == ["datetime", "2010-05-05 05:05:05"]
    city = records["City"][0]["@rid"]
    assert sorted((e["@out"], e["@in"]) for e in records["LivesIn"]) == sorted(
        [(alice["@rid"], city), (bob["@rid"], city)])  # fmt: skip


def test_what_arcadedb_loses_from_our_dump(exchange):
    """ArcadeDB's format has no type for these outside a declared property (as in its own
    dumps): our "al" tags keep them for arcadelite, ArcadeDB reads the plain form."""
    alice = next(r for r in exchange["report"]["records"]["Person"] if value(r["code"]) == "alice")
    assert alice["day"] == ["int", -24298876800000]  # an undeclared date: epoch ms
    assert alice["naive"] == ["int", 946684799999]  # an undeclared datetime: epoch ms
    assert alice["aware"] == ["int", 1717236000000]  # the instant; its zone is gone
    assert alice["blob"][0] == "list" and alice["raw"] == ["list", []]  # bytes: signed ints
    assert alice["home"] == ["str", str(exchange["ids"]["paris"])]  # undeclared link: old RID
    assert alice["emb"] == ["dict", {"@t": ["str", "not a type"], "street": ["str", "Main"],
                                     "n": ["int", 1]}]  # fmt: skip
    assert alice["ratio"] == ["float", 0.10000000149011612]  # FLOAT is 32-bit there


# --- ArcadeDB -> arcadelite -----------------------------------------------------------------------


def test_arcadedb_dump_restores_here(exchange, tmp_path):
    with arcadedb.create_database(str(tmp_path / "restored")) as db:
        stats = import_database(db, exchange["theirs"])
        assert (stats["createdVertices"], stats["createdDocuments"], stats["createdEdges"],
                stats["errors"], stats["warnings"]) == (3, 1, 1, 0, [])  # fmt: skip
        dog = db.schema.get_type("Dog")
        assert dog.supertypes == ["Animal"]
        kinds = {p.name: (p.type, p.of_type) for p in dog.properties}
        assert kinds["mic"] == ("DATETIME", None) and kinds["addr"] == ("EMBEDDED", None)
        assert kinds["days"] == ("LIST", "DATE") and kinds["friends"] == ("LIST", "Animal")
        name = db.schema.get_type("Animal").get_property("name")
        assert name.is_mandatory() and name.is_not_null()
        assert db.schema.get_type("Animal").get_property("weight").get_min() == 0
        assert sorted((ix.name, ix.unique) for ix in db.schema.get_indexes()) == [
            ("Animal[name]", True), ("Doc[txt]", False), ("Dog[born]", False)]  # fmt: skip
        cat = db.lookup_by_key("Animal", ["name"], ["cat"])
        rex = db.lookup_by_key("Animal", ["name"], ["rex"])
        fido = db.lookup_by_key("Animal", ["name"], ["fido"])
        assert cat.to_dict() == {"name": "cat", "born": dt.date(2020, 1, 1),
                                 "weight": Decimal("3.5")}  # fmt: skip
        assert rex.to_dict() == {
            "name": "rex", "addr": {"@type": "Addr", "city": "X"},
            "mic": dt.datetime(2024, 1, 2, 3, 4, 5, 123456), "days": [dt.date(2020, 1, 1)],
            "best": cat.get_identity(), "friends": [cat.get_identity()], "tags": {"a": 1},
            "age": 7}  # fmt: skip
        assert fido.get("chip") == b"\x01\xff"
        (owns,) = rex.get_edges("out", "Owns")
        assert owns.get_in() == cat
        assert owns.to_dict() == {"since": dt.datetime(2021, 3, 4, 5, 6, 7), "w": 2}
        (doc,) = list(db.iterate_type("Doc"))
        assert doc.get("txt") == "hello world" and isinstance(doc.get("who"), str)
