"""export_database (ArcadeDB's JSONL dump), import_database (restore) and export_to_csv."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import os
from decimal import Decimal
from pathlib import Path

import orjson
import pytest

import arcadelite as arcadedb
from arcadelite.exceptions import ArcadeDBError
from arcadelite.importer import ImportDatabaseError, import_database
from arcadelite.rid import RID
from arcadelite.schema import IndexType
from conftest import take_snapshot

FIXTURE = Path(__file__).parent / "fixtures" / "arcadedb_export.jsonl.gz"
PLUS2 = dt.timezone(dt.timedelta(hours=2))
MINUS530 = dt.timezone(-dt.timedelta(hours=5, minutes=30))


def read_dump(path) -> list[dict]:
    with gzip.open(path, "rb") as handle:
        return [orjson.loads(line) for line in handle]


def build_everything(db) -> dict[str, RID]:
    """A database using every schema feature and every value type of API.md 10."""
    s = db.schema
    s.create_vertex_type("Base")
    s.create_vertex_type("Person", supertypes=["Base"])
    s.create_vertex_type("City")
    s.create_document_type("Doc")
    s.create_document_type("Note", supertypes=["Doc"])
    s.create_edge_type("Knows")
    s.create_edge_type("LivesIn")
    s.create_property("Base", "code", "STRING", mandatory=True, notnull=True, readonly=True,
                      regexp="[a-z]+", min=1, max=10)  # fmt: skip
    s.create_property("Person", "age", "INTEGER", min=0, max=150, default=18)
    s.create_property("Person", "nick", "STRING", default="bob's")
    s.create_property("Person", "born", "DATE", min=dt.date(1900, 1, 1))
    s.create_property("Person", "seen", "DATETIME", default="sysdate()")
    s.create_property("Person", "balance", "DECIMAL", max=Decimal("1e9"))
    s.create_property("Person", "blob", "BINARY")
    s.create_property("Person", "best", "LINK", of_type="Person")
    s.create_property("Person", "tags", "LIST", of_type="STRING")
    s.create_property("Person", "scores", "MAP", of_type="INTEGER")
    s.create_property("Person", "vec", "ARRAY_OF_FLOATS")
    s.create_property("Person", "emb", "EMBEDDED")
    s.create_property("Person", "days", "LIST", of_type="DATE")
    for name, ptype in (("tiny", "BYTE"), ("small", "SHORT"), ("big", "LONG"), ("flag", "BOOLEAN"),
                        ("ratio", "FLOAT"), ("dbl", "DOUBLE")):  # fmt: skip
        s.create_property("Person", name, ptype)
    s.create_property("Knows", "since", "DATETIME")
    s.create_property("Doc", "txt", "STRING")
    s.create_index("Base", ["code"], unique=True)
    s.create_index("Person", ["nick", "age"])
    s.create_index("Doc", ["txt"], index_type=IndexType.FULL_TEXT)
    with db.transaction():
        paris = db.new_vertex("City").set("name", "Paris").set("zip", "75001").save()
        alice = db.new_vertex("Person")
        for key, value in {
            "code": "alice", "age": 30, "nick": "al", "born": dt.date(1994, 5, 17),
            "seen": dt.datetime(2024, 1, 2, 3, 4, 5, 123456), "balance": Decimal("1234.50"),
            "blob": b"\x00\x01binary\xff", "tags": ["a", "b"], "scores": {"x": 1, "y": 2},
            "vec": [0.5, 1.25], "days": [dt.date(2020, 2, 29)], "emb": {"street": "Main", "t": "not a type", "n": 1},
            "tiny": -5, "small": 300, "big": 2**62, "flag": True, "ratio": 0.1, "dbl": -0.0,
            "naive": dt.datetime(1999, 12, 31, 23, 59, 59, 999999),
            "aware": dt.datetime(2024, 6, 1, 12, 0, 0, 7, tzinfo=PLUS2),
            "aware2": dt.datetime(1969, 7, 20, 20, 17, tzinfo=MINUS530),
            "day": dt.date(1200, 1, 1), "pi": Decimal("3.14159265358979323846264338327950288"),
            "raw": b"", "nested": {"when": [dt.date(2020, 2, 29), {"t": 1, "@t": 2, "b": b"z"}],
                                   "empty": {}, "list": [], "none": None},
            "ridlike": "#1:1", "tuple": (1, "two", 3.0), "unicode": "żółw 🐢", "neg": -(2**63),
            "home": paris.get_identity(), "places": [paris.get_identity()],
        }.items():  # fmt: skip
            alice.set(key, value)
        alice.save()
        bob = db.new_vertex("Person").set("code", "bob").set("best", alice.get_identity())
        bob.set("missing", None).save()
        alice.modify().set("best", bob.get_identity()).save()
        db.new_document("Doc").set("txt", "hello world").set("owner", alice.get_identity()).save()
        db.new_document("Note").set("txt", "sub").set("at", dt.date(2000, 1, 1)).save()
        alice.new_edge("Knows", bob, since=dt.datetime(2010, 5, 5, 5, 5, 5), weight=Decimal("0.5"))
        bob.new_edge("LivesIn", paris)
        alice.new_edge("LivesIn", paris, note={"t": "x"})
    return {"alice": alice.get_identity(), "bob": bob.get_identity(), "paris": paris.get_identity()}


def edges_of(db) -> list[tuple]:
    found = []
    for name in ("Knows", "LivesIn"):
        for edge in db.iterate_type(name):
            found.append((edge.get_rid(), name, str(edge.get_out_rid()), str(edge.get_in_rid()),
                          repr(edge.to_dict())))  # fmt: skip
    return sorted(found)


# --- export_database ----------------------------------------------------------------------------


def test_relative_path_goes_under_exports_and_stats_count_records(db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    build_everything(db)
    stats = db.export_database("dump.jsonl.gz", verbose=0)
    assert stats["file"] == str(tmp_path / "exports" / "dump.jsonl.gz")
    assert (tmp_path / "exports" / "dump.jsonl.gz").is_file()
    assert {k: stats[k] for k in ("totalRecords", "documents", "vertices", "edges")} == {
        "totalRecords": 8, "documents": 2, "vertices": 3, "edges": 3}  # fmt: skip
    assert isinstance(stats["elapsedInSecs"], float)
    again = db.export_database("exports/dump.jsonl.gz", overwrite=True, verbose=0)
    assert again["file"] == stats["file"]


def test_existing_file_needs_overwrite(db, tmp_path):
    target = tmp_path / "d.jsonl.gz"
    target.write_bytes(b"keep me")
    with pytest.raises(ArcadeDBError, match="already exists"):
        db.export_database(str(target), verbose=0)
    assert target.read_bytes() == b"keep me"
    db.export_database(str(target), overwrite=True, verbose=0)
    assert read_dump(target)[0]["t"] == "info"


def test_unknown_format_and_unknown_types_are_errors(db, tmp_path):
    with pytest.raises(ArcadeDBError, match="Unknown export format 'xml'"):
        db.export_database(str(tmp_path / "a.jsonl"), format="xml", verbose=0)
    with pytest.raises(ArcadeDBError, match="Gremlin"):
        db.export_database(str(tmp_path / "a.jsonl"), format="graphml", verbose=0)
    with pytest.raises(ArcadeDBError, match="unknown type.*'Nope'"):
        db.export_database(str(tmp_path / "a.jsonl"), include_types=["Nope"], verbose=0)
    assert not (tmp_path / "a.jsonl").exists()
    with pytest.warns(UserWarning, match="no 'jsonl' in its name"):
        db.export_database(str(tmp_path / "backup.gz"), verbose=0)


def test_verbose_prints_a_summary(db, tmp_path, capsys):
    db.export_database(str(tmp_path / "a.jsonl.gz"), verbose=1)
    assert "0 records" in capsys.readouterr().out
    db.export_database(str(tmp_path / "b.jsonl.gz"), verbose=0)
    assert capsys.readouterr().out == ""


def test_dump_has_arcadedb_line_kinds_and_fields(db, tmp_path):
    build_everything(db)
    ours = read_dump(db.export_database(str(tmp_path / "d.jsonl.gz"), verbose=0)["file"])
    theirs = read_dump(FIXTURE)
    kinds = ["info", "db", "schema", "v", "v", "v", "d", "d", "e", "e", "e"]
    assert [line["t"] for line in ours] == kinds
    for index in range(3):  # info, db, schema: every field ArcadeDB writes
        assert set(theirs[index]["c"]) <= set(ours[index]["c"])
    their_type = theirs[2]["c"]["types"]["Person"]
    our_types = ours[2]["c"]["types"]
    assert set(their_type) == set(our_types["Person"])
    assert our_types["Person"]["parents"] == ["Base"]
    assert set(next(iter(their_type["indexes"].values()))) == set(
        our_types["Base"]["indexes"]["Base[code]"]
    )
    assert our_types["Base"]["indexes"]["Base[code]"] == {
        "type": "LSM_TREE", "bucket": "Base_0", "properties": ["code"], "nullStrategy": "SKIP",
        "unique": True}  # fmt: skip
    assert our_types["Base"]["properties"]["code"] == {
        "type": "STRING", "readonly": True, "mandatory": True, "notNull": True, "max": "10",
        "min": "1", "regexp": "[a-z]+", "custom": {},
        "arcadelite": {"max": ['{"v":10}', None], "min": ['{"v":1}', None]}}  # fmt: skip
    props = our_types["Person"]["properties"]
    assert props["nick"]["default"] == "'bob\\'s'"
    assert props["seen"]["default"] == "sysdate()"
    assert props["vec"]["type"] == "FLOAT[]"
    assert props["emb"]["type"] == "MAP" and props["emb"]["arcadelite"] == {"type": "EMBEDDED"}
    assert props["best"] == {"type": "LINK", "custom": {}, "arcadelite": {"of": "Person"}}
    assert props["days"] == {"type": "LIST", "of": "DATE", "custom": {}}
    for kind in ("v", "d", "e"):
        their_keys = set(next(line for line in theirs if line["t"] == kind)["c"])
        for line in ours:
            if line["t"] == kind:
                assert their_keys <= set(line["c"]) <= their_keys | {"al"}


def test_values_are_written_the_way_arcadedb_writes_them(db, tmp_path):
    ids = build_everything(db)
    lines = read_dump(db.export_database(str(tmp_path / "d.jsonl.gz"), verbose=0)["file"])
    alice = next(line["c"] for line in lines if line["c"].get("r") == str(ids["alice"]))
    p = alice["p"]
    assert p["born"] == 8902  # declared DATE: days since the epoch
    assert p["days"] == [18321]  # LIST OF DATE: days too (ArcadeDB's importer refuses ms there)
    assert p["day"] == -24298876800000  # undeclared date: epoch milliseconds
    assert p["seen"] == 1704164645123  # epoch ms, sub-millisecond part dropped
    assert p["balance"] == 1234.5 and p["pi"] == 3.141592653589793
    assert p["blob"] == [0, 1, 98, 105, 110, 97, 114, 121, -1]
    assert p["home"] == str(ids["paris"]) and p["best"] == str(ids["bob"])
    assert p["aware"] == 1717236000000  # the instant, in UTC
    assert p["emb"] == {"street": "Main", "@t": "not a type", "n": 1}
    assert p["nested"]["when"][1] == {"@@t": 1, "@t": 2, "b": [122]}
    tags = {tuple(tag[0]): tag[1:] for tag in alice["al"]}
    assert tags[("born",)] == ["date", "1994-05-17"]
    assert tags[("seen",)] == ["dt", "2024-01-02T03:04:05.123456"]
    assert tags[("aware",)] == ["dtz", "2024-06-01T12:00:00.000007+02:00"]
    assert tags[("pi",)] == ["dec", "3.14159265358979323846264338327950288"]
    assert tags[("blob",)] == ["bin"]
    assert tags[("best",)] == ["rid"]
    assert tags[("emb",)] == ["keys", {"@t": "t"}]
    assert tags[("nested", "when", 1)] == ["keys", {"@@t": "t"}]
    assert "al" not in next(line["c"] for line in lines if line["c"].get("t") == "City")


def test_include_and_exclude_types_choose_records_not_schema(db, tmp_path):
    build_everything(db)
    only = read_dump(db.export_database(str(tmp_path / "a.jsonl.gz"), include_types=["City", "Doc"],
                                        verbose=0)["file"])  # fmt: skip
    assert [(line["t"], line["c"]["t"]) for line in only[3:]] == [("v", "City"), ("d", "Doc")]
    assert set(only[2]["c"]["types"]) == {"Base", "Person", "City", "Doc", "Note", "Knows",
                                          "LivesIn"}  # fmt: skip
    rest = read_dump(db.export_database(str(tmp_path / "b.jsonl.gz"), exclude_types=["Person", "Note"],
                                        verbose=0)["file"])  # fmt: skip
    assert sorted({line["c"]["t"] for line in rest[3:]}) == ["City", "Doc", "Knows", "LivesIn"]


# --- round trip ---------------------------------------------------------------------------------


def test_round_trip_restores_everything_identically(db, tmp_path):
    build_everything(db)
    before, edges_before = take_snapshot(db), edges_of(db)
    dump = db.export_database(str(tmp_path / "d.jsonl.gz"), verbose=0)["file"]
    with arcadedb.create_database(str(tmp_path / "copy")) as copy:
        stats = import_database(copy, dump)
        assert {k: stats[k] for k in ("parsedRecords", "createdDocuments", "createdVertices",
                                      "createdEdges", "errors", "result")} == {
            "parsedRecords": 11, "createdDocuments": 2, "createdVertices": 3, "createdEdges": 3,
            "errors": 0, "result": "OK"}  # fmt: skip
        assert take_snapshot(copy) == before
        assert edges_of(copy) == edges_before
        alice = copy.lookup_by_key("Base", ["code"], ["alice"])
        assert type(alice.get("pi")) is Decimal and alice.get("aware").utcoffset() == dt.timedelta(
            hours=2
        )
        assert alice.get("nested")["when"][1] == {"t": 1, "@t": 2, "b": b"z"}
        assert copy.schema.get_index_by_name("Doc[txt]").index_type == IndexType.FULL_TEXT
        with pytest.raises(ArcadeDBError, match="read-only"):  # constraints are back
            with copy.transaction():
                alice.modify().set("code", "other").save()


def test_round_trip_with_gaps_remaps_links_and_edges(db, tmp_path):
    db.schema.create_vertex_type("Gone")
    db.schema.create_vertex_type("V")
    db.schema.create_edge_type("E")
    with db.transaction():
        vertices = [db.new_vertex("V").set("n", i).save() for i in range(6)]
        for v in vertices[:3]:
            v.delete()
        keep = vertices[3:]
        keep[0].set("next", keep[1].get_identity()).save()
        keep[1].set("all", {"a": keep[2].get_identity(), "l": [keep[0].get_identity()]}).save()
        keep[2].new_edge("E", keep[0], w=1)
    db.schema.drop_type("Gone")
    dump = db.export_database(str(tmp_path / "d.jsonl.gz"), verbose=0)["file"]
    with arcadedb.create_database(str(tmp_path / "copy")) as copy:
        import_database(copy, dump)
        restored = {v.get("n"): v for v in copy.iterate_type("V")}
        assert sorted(restored) == [3, 4, 5]
        assert [v.get_identity().position for v in copy.iterate_type("V")] == [1, 2, 3]
        rid = {n: v.get_identity() for n, v in restored.items()}
        assert restored[3].get("next") == rid[4]
        assert restored[4].get("all") == {"a": rid[5], "l": [rid[3]]}
        (edge,) = list(copy.iterate_type("E"))
        assert (edge.get_out_rid(), edge.get_in_rid(), edge.get("w")) == (rid[5], rid[3], 1)


def test_links_to_records_outside_the_dump_come_back_as_none(db, tmp_path):
    build_everything(db)
    dump = db.export_database(str(tmp_path / "d.jsonl.gz"), include_types=["Doc"], verbose=0)[
        "file"
    ]
    with arcadedb.create_database(str(tmp_path / "copy")) as copy:
        stats = import_database(copy, dump)
        assert stats["unresolvedLinks"] == 1
        (doc,) = list(copy.iterate_type("Doc", polymorphic=False))
        assert doc.has_property("owner") and doc.get("owner") is None


def test_restore_refuses_existing_types_and_bad_sources(db, tmp_path):
    build_everything(db)
    dump = db.export_database(str(tmp_path / "d.jsonl.gz"), verbose=0)["file"]
    with pytest.raises(ArcadeDBError, match="empty database.*'Base'"):
        import_database(db, dump)
    with pytest.raises(ArcadeDBError, match="not found"):
        import_database(db, str(tmp_path / "missing.gz"))
    (tmp_path / "x.jsonl").write_text('{"a": 1}\n')
    with pytest.raises(ArcadeDBError, match="Line 1 .* not a dump line"):
        import_database(db, str(tmp_path / "x.jsonl"))
    with pytest.raises(ArcadeDBError, match="Unknown IMPORT DATABASE setting"):
        import_database(db, dump, speed=3)


def test_restore_reports_bad_records_and_keeps_the_rest(tmp_path):
    lines = read_dump(FIXTURE)
    lines[4]["c"]["p"]["age"] = "not a number"  # Alice: declared INTEGER
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    with arcadedb.create_database(str(tmp_path / "copy")) as copy:
        with pytest.raises(ImportDatabaseError) as caught:
            import_database(copy, f"file://{path}")
        error = caught.value
        assert error.stats["createdVertices"] == 2 and error.stats["createdEdges"] == 1
        assert error.stats["errors"] == 2
        assert [(f["line"], f["record"]) for f in error.failures] == [(5, "#3:0"), (10, "#10:0")]
        assert "age" in error.failures[0]["error"] and "not restored" in error.failures[1]["error"]
        bob = copy.lookup_by_key("Person", ["name"], ["Bob"])
        assert bob.get("friend") is not None and copy.count_type("Person") == 1


def test_restore_inside_a_transaction_is_refused(db):
    db.begin()
    try:
        with pytest.raises(ArcadeDBError, match="inside a transaction"):
            import_database(db, str(FIXTURE))
    finally:
        db.rollback()


# --- ArcadeDB's own dump (fixture) -------------------------------------------------------------


def test_arcadedb_dump_imports_with_types_from_the_schema(db):
    stats = import_database(db, f"file://{FIXTURE}")
    assert stats["createdVertices"] == 3 and stats["createdDocuments"] == 2
    assert stats["createdEdges"] == 2 and stats["parsedRecords"] == 10
    alice = db.lookup_by_key("Person", ["name"], ["Alice"])
    bob = db.lookup_by_key("Person", ["name"], ["Bob"])
    paris = db.lookup_by_rid(next(iter(db.iterate_type("City"))).get_identity())
    assert alice.to_dict() == {
        "name": "Alice", "age": 30, "score": 9.5, "active": True, "born": dt.date(1994, 5, 17),
        "seen": dt.datetime(2024, 1, 2, 3, 4, 5, 123000), "balance": Decimal("1234.56"),
        "blob": b"\x00\x01binary\xff", "tags": ["a", "b", 3],
        "meta": {"k": "v", "nested": {"x": [1, 2]}, "n": 1}}  # fmt: skip
    assert bob.to_dict() == {"name": "Bob", "age": 25, "friend": alice.get_identity()}
    # undeclared values stay as ArcadeDB wrote them, as its own importer leaves them
    assert paris.to_dict() == {
        "name": "Paris", "population": 2148000, "founded": -24298876800000,
        "updated": 1767225599000, "area": 105.4, "raw": [104, 105], "coords": [48.85, 2.35],
        "capital": True, "mayor": None}  # fmt: skip
    owner = db.lookup_by_key("Config", ["key"], ["owner"])
    assert owner.get("value") == "#3:0"
    assert [v.get("name") for v in alice.get_vertices("out", "Knows")] == ["Bob"]
    assert [v.get("name") for v in bob.get_vertices("out", "LivesIn")] == ["Paris"]
    indexes = sorted((ix.name, ix.unique) for ix in db.schema.get_indexes())
    assert indexes == [("Config[key]", True), ("Person[name]", True)]
    assert db.schema.get_type("Person").get_property("seen").type == "DATETIME"


def test_sql_import_database_restores_the_fixture(db):
    rows = list(db.command("sql", f"IMPORT DATABASE file://{FIXTURE}"))
    assert rows[0].get("operation") == "import database"
    assert rows[0].get("createdVertices") == 3
    assert db.count_type("Person") == 2


def test_import_file_recognises_a_dump(db):
    stats = arcadedb.Importer(db).import_file(str(FIXTURE))
    assert stats["createdEdges"] == 2


# --- export_to_csv ------------------------------------------------------------------------------


def read_csv(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_export_to_csv_from_dicts_with_value_formatting(tmp_path):
    rows = [
        {"a": 1, "b": None, "c": True},
        {"a": 2.5, "d": dt.date(2020, 1, 2), "e": Decimal("1.10"), "f": b"hi",
         "g": RID(3, 4), "h": [1, {"x": dt.datetime(2020, 1, 1, 5)}], "c": False},
    ]  # fmt: skip
    path = tmp_path / "out" / "rows.csv"
    assert arcadedb.export_to_csv(rows, str(path)) == 2
    assert read_csv(path) == [
        ["a", "b", "c", "d", "e", "f", "g", "h"],
        ["1", "", "true", "", "", "", "", ""],
        ["2.5", "", "false", "2020-01-02", "1.10", "aGk=", "#3:4",
         '[1,{"x":"2020-01-01T05:00:00"}]'],
    ]  # fmt: skip


def test_export_to_csv_with_fieldnames_picks_columns(tmp_path):
    path = tmp_path / "rows.csv"
    rows = [{"a": 1, "b": 2, "c": 3}, {"b": 5}]
    assert arcadedb.export_to_csv(rows, str(path), fieldnames=["b", "a"]) == 2
    assert read_csv(path) == [["b", "a"], ["2", "1"], ["5", ""]]
    assert arcadedb.export_to_csv([], str(path), fieldnames=["x"]) == 0
    assert read_csv(path) == [["x"]]


def test_export_to_csv_from_a_resultset_and_records(db, tmp_path):
    db.schema.create_document_type("T")
    with db.transaction():
        for i in range(3):
            db.new_document("T").set("n", i).set("name", f"x{i}").save()
    path = tmp_path / "q.csv"
    assert db.export_to_csv("SELECT name, n FROM T ORDER BY n", str(path)) == 3
    assert read_csv(path) == [["name", "n"], ["x0", "0"], ["x1", "1"], ["x2", "2"]]
    records = list(db.iterate_type("T"))
    assert arcadedb.export_to_csv(records, str(path), fieldnames=["@rid", "n"]) == 3
    assert read_csv(path)[1] == [records[0].get_rid(), "0"]
    resultset = db.query("sql", "SELECT FROM T ORDER BY n")
    assert arcadedb.export_to_csv(resultset, str(path)) == 3
    header = read_csv(path)[0]
    assert header[:2] == ["n", "name"] and "@rid" in header and "@cat" not in header


def test_export_to_csv_refuses_a_column_the_header_missed(tmp_path):
    rows = iter([{"a": i} for i in range(1000)] + [{"a": 1, "late": 2}])
    with pytest.raises(ArcadeDBError, match="'late'.*fieldnames"):
        arcadedb.export_to_csv(rows, str(tmp_path / "x.csv"))
    assert os.path.exists(tmp_path / "x.csv")
