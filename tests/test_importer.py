"""Importer / import_csv: CSV, TSV and JSONL into documents, vertices and edges."""

from __future__ import annotations

import datetime as dt
import gzip

import pytest

import arcadelite as arcadedb
from arcadelite.exceptions import ArcadeDBError
from arcadelite.importer import ImportAbortedError
from arcadelite.io.rows import _typed_column

RESULT_KEYS = {"documents", "vertices", "edges", "errors", "duration_ms", "rows", "failed_rows"}


def write(path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def records(db, type_name: str) -> list[dict]:
    return [r.to_dict() for r in db.iterate_type(type_name)]


# --- documents from CSV ---------------------------------------------------------------------------


def test_csv_rows_become_documents_typed_per_value(db, tmp_path):
    path = write(tmp_path / "people.csv",
                 "name,age,score,note\nAlice,30,9.5,x\nBob,,1e3,\n  Carol , 7 ,-0.25,12abc\n")  # fmt: skip
    result = arcadedb.import_csv(db, path, "Person")
    assert set(result) == RESULT_KEYS
    assert {k: result[k] for k in ("documents", "vertices", "edges", "errors", "rows")} == {
        "documents": 3, "vertices": 0, "edges": 0, "errors": 0, "rows": 3}  # fmt: skip
    assert result["failed_rows"] == [] and isinstance(result["duration_ms"], int)
    assert records(db, "Person") == [
        {"name": "Alice", "age": 30, "score": 9.5, "note": "x"},
        {"name": "Bob", "score": 1000.0},
        {"name": "Carol", "age": 7, "score": -0.25, "note": "12abc"},
    ]
    assert type(db.schema.get_type("Person")).__name__ == "DocumentType"


def test_only_plain_numbers_become_numbers(db, tmp_path):
    values = ["007", "+5", "1_000", "nan", "inf", "0x1F", "1.", ".5", "-", "1e400",
              "99999999999999999999", "2024-01-31", "12 Main St", "0", "-0.0", "42", "-17",
              "3.25", "6E2"]  # fmt: skip
    path = write(tmp_path / "v.csv", "v\n" + "\n".join(values) + "\n")
    arcadedb.import_csv(db, path, "V")
    got = [r["v"] for r in records(db, "V")]
    assert got == ["007", "+5", "1_000", "nan", "inf", "0x1F", "1.", ".5", "-", "1e400",
                   "99999999999999999999", "2024-01-31", "12 Main St", 0, -0.0, 42, -17, 3.25,
                   600.0]  # fmt: skip
    assert [type(v) for v in got[-6:]] == [int, float, int, int, float, float]


@pytest.mark.parametrize(
    "column, expected",
    [
        (("1", "2", "3"), [1, 2, 3]),
        (("1", "", "2.5", ""), [1, None, 2.5, None]),
        (("", "a"), [None, "a"]),
        (("1,2", "3"), ["1,2", 3]),
        (("null", "1"), ["null", 1]),
        (("1", "true"), [1, "true"]),
        (("12345678901234567890", "1"), ["12345678901234567890", 1]),
        (("-122.41941550000001", "1"), [-122.41941550000001, 1]),
        (("x", "y"), ("x", "y")),
    ],
)
def test_column_typing_fast_path_agrees_with_per_value_rules(column, expected):
    values, _ = _typed_column(column, True)
    assert list(values) == list(expected)
    assert [type(v) for v in values] == [type(v) for v in expected]


def test_blanks_kept_when_trimtext_is_off(db, tmp_path):
    path = write(tmp_path / "t.csv", "a,b\n 42, x \n7,y\n")
    arcadedb.import_csv(db, path, "T", trimText=False)
    assert records(db, "T") == [{"a": " 42", "b": " x "}, {"a": 7, "b": "y"}]


def test_declared_columns_are_converted_by_the_schema(db, tmp_path):
    db.schema.create_document_type("Place")
    db.schema.create_property("Place", "zip", "STRING")
    db.schema.create_property("Place", "since", "DATE")
    db.schema.create_property("Place", "pop", "LONG")
    path = write(tmp_path / "p.csv", "zip,since,pop,other\n00042,2020-02-29,12,007\n")
    result = arcadedb.import_csv(db, path, "Place")
    assert result["errors"] == 0
    assert records(db, "Place") == [
        {"zip": "00042", "since": dt.date(2020, 2, 29), "pop": 12, "other": "007"}]  # fmt: skip


def test_tsv_by_extension_and_custom_delimiter(db, tmp_path):
    arcadedb.import_csv(db, write(tmp_path / "a.tsv", "x\ty\n1\thello, world\n"), "A")
    assert records(db, "A") == [{"x": 1, "y": "hello, world"}]
    arcadedb.import_csv(db, write(tmp_path / "b.csv", "x;y\n2;z\n"), "B", delimiter=";")
    assert records(db, "B") == [{"x": 2, "y": "z"}]
    arcadedb.Importer(db).import_file(write(tmp_path / "c.txt", "x|y\n3|w\n"), "csv",
                                      type_name="C", delimiter="|")  # fmt: skip
    assert records(db, "C") == [{"x": 3, "y": "w"}]


def test_header_options_and_skip_entries(db, tmp_path):
    body = "# exported 2024\nid,name\n1,a\n2,b\n"
    arcadedb.import_csv(db, write(tmp_path / "h.csv", body), "H", skipEntries=1)
    assert records(db, "H") == [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]
    arcadedb.import_csv(db, write(tmp_path / "n.csv", "1,a\n2,b\n"), "N", header=False)
    assert records(db, "N") == [{"col1": 1, "col2": "a"}, {"col1": 2, "col2": "b"}]
    arcadedb.import_csv(db, write(tmp_path / "g.csv", "1,a\n"), "G", header="num,letter")
    arcadedb.import_csv(db, write(tmp_path / "g2.csv", "x,y\n2,b\n"), "G", header=["num", "letter"],
                        skip_entries=1)  # fmt: skip
    assert records(db, "G") == [{"num": 1, "letter": "a"}, {"num": 2, "letter": "b"}]
    with pytest.raises(ArcadeDBError, match="repeats column name"):
        arcadedb.import_csv(db, write(tmp_path / "d.csv", "a,a\n1,2\n"), "D")


def test_gzip_csv_and_empty_files(db, tmp_path):
    with gzip.open(tmp_path / "z.csv.gz", "wt") as handle:
        handle.write("k\n1\n2\n")
    assert arcadedb.import_csv(db, str(tmp_path / "z.csv.gz"), "Z")["documents"] == 2
    result = arcadedb.import_csv(db, write(tmp_path / "e.csv", ""), "E")
    assert (result["documents"], result["rows"], result["errors"]) == (0, 0, 0)
    assert db.schema.exists_type("E")


# --- bad rows -------------------------------------------------------------------------------------


def test_bad_rows_are_reported_with_line_numbers_and_the_rest_imported(db, tmp_path):
    text = 'id,text\n1,ok\n2,"two\nlines"\n3\n\n4,ok,extra\n5,fine\n'
    result = arcadedb.import_csv(db, write(tmp_path / "bad.csv", text), "B")
    assert result["documents"] == 3 and result["errors"] == 2 and result["rows"] == 5
    assert result["failed_rows"] == [
        {"line": 5, "error": "expected 2 fields, got 1"},
        {"line": 7, "error": "expected 2 fields, got 3"},
    ]
    assert [r["id"] for r in records(db, "B")] == [1, 2, 5]
    assert records(db, "B")[1]["text"] == "two\nlines"


def test_write_time_failures_carry_their_line(db, tmp_path):
    db.schema.create_document_type("U")
    db.schema.create_property("U", "k", "INTEGER")
    db.schema.create_index("U", ["k"], unique=True)
    rows = "\n".join(str(k) for k in [1, 2, 1, 3, "x", 2])
    result = arcadedb.import_csv(db, write(tmp_path / "u.csv", "k\n" + rows + "\n"), "U")
    assert result["documents"] == 3 and result["errors"] == 3
    lines = sorted(f["line"] for f in result["failed_rows"])
    assert lines == [4, 6, 7]
    messages = {f["line"]: f["error"] for f in result["failed_rows"]}
    assert "Duplicated key" in messages[4] and "U.k" in messages[6]
    assert sorted(r["k"] for r in records(db, "U")) == [1, 2, 3]


def test_abort_stops_at_the_first_bad_row(db, tmp_path):
    text = "a,b\n1,x\n2\n3,y\n"
    with pytest.raises(ImportAbortedError, match="line 3: expected 2 fields") as caught:
        arcadedb.import_csv(db, write(tmp_path / "a.csv", text), "A", onRowError="abort")
    assert caught.value.line == 3 and caught.value.stats["errors"] == 1
    assert caught.value.stats["documents"] == db.count_type("A")
    with pytest.raises(ImportAbortedError):
        arcadedb.import_csv(db, write(tmp_path / "b.csv", text), "B", stopOnError=True)


# --- vertices and edges ---------------------------------------------------------------------------


def test_vertices_with_an_id_property_then_edges_between_them(db, tmp_path):
    people = write(tmp_path / "people.csv", "id,name\n1,Alice\n2,Bob\n3,Carol\n")
    result = arcadedb.import_csv(db, people, "Person", import_type="vertices",
                                 typeIdProperty="id", typeIdType="Long",
                                 typeIdPropertyIsUnique=True)  # fmt: skip
    assert result["vertices"] == 3 and result["documents"] == 0
    person = db.schema.get_type("Person")
    assert person.get_property("id").type == "LONG"
    assert [(ix.name, ix.unique) for ix in person.get_indexes()] == [("Person[id]", True)]
    knows = write(tmp_path / "knows.csv", "from,to,since\n1,2,2001\n2,3,2002\n3,9,2003\n1,,1\n")
    result = arcadedb.Importer(db).import_file(knows, import_type="edges", type_name="Knows",
                                               edgeFromField="from", edgeToField="to",
                                               typeIdProperty="id", typeIdType="LONG")  # fmt: skip
    assert result["edges"] == 2 and result["errors"] == 2
    assert result["failed_rows"] == [
        {"line": 4, "error": "edge field 'to': no vertex with id = 9"},
        {"line": 5, "error": "edge field 'to' is empty"},
    ]
    alice = db.lookup_by_key("Person", ["id"], [1])
    (edge,) = alice.get_edges("out", "Knows")
    assert edge.get_in().get("name") == "Bob" and edge.to_dict() == {"since": 2001}


def test_edge_ends_may_be_rids_and_string_ids(db, tmp_path):
    arcadedb.import_csv(db, write(tmp_path / "v.csv", "id\na\nb\n"), "V", import_type="vertices",
                        typeIdProperty="id")  # fmt: skip
    assert db.schema.get_type("V").get_property("id").type == "STRING"
    a = db.lookup_by_key("V", ["id"], ["a"])
    b = db.lookup_by_key("V", ["id"], ["b"])
    text = f"s,d\n{a.get_rid()},{b.get_rid()}\n#99:1,{b.get_rid()}\n"
    result = arcadedb.import_csv(db, write(tmp_path / "e.csv", text), "E", import_type="edges",
                                 edgeFromField="s", edgeToField="d")  # fmt: skip
    assert result["edges"] == 1
    assert result["failed_rows"] == [{"line": 3, "error": "edge field 's': vertex #99:1 not found"}]
    text = "s,d\na,b\n"
    result = arcadedb.import_csv(db, write(tmp_path / "f.csv", text), "E", import_type="edges",
                                 edgeFromField="s", edgeToField="d")  # fmt: skip
    assert "typeIdProperty" in result["failed_rows"][0]["error"]
    result = arcadedb.import_csv(db, write(tmp_path / "g.csv", text), "E", import_type="edges",
                                 edgeFromField="s", edgeToField="d", typeIdProperty="id",
                                 vertexType="V")  # fmt: skip
    assert result["edges"] == 1 and db.count_type("E") == 2


# --- JSONL ----------------------------------------------------------------------------------------


def test_jsonl_documents_vertices_and_edges(db, tmp_path):
    docs = write(tmp_path / "d.jsonl", '{"a": 1, "b": {"c": [1, 2]}, "@type": "X"}\n\n'
                                       'not json\n[1]\n{"a": null}\n')  # fmt: skip
    result = arcadedb.Importer(db).import_file(docs, type_name="D")
    assert (result["documents"], result["errors"], result["rows"]) == (2, 2, 4)
    assert [f["line"] for f in result["failed_rows"]] == [3, 4]
    assert records(db, "D") == [{"a": 1, "b": {"c": [1, 2]}}, {"a": None}]
    people = write(tmp_path / "p.ndjson", '{"id": 1, "n": "a"}\n{"id": 2, "n": "b"}\n')
    arcadedb.Importer(db).import_file(people, import_type="vertices", type_name="P",
                                      typeIdProperty="id", typeIdType="Integer")  # fmt: skip
    links = write(tmp_path / "l.jsonl", '{"f": 1, "t": 2, "w": 0.5}\n')
    result = arcadedb.Importer(db).import_file(links, import_type="edges", type_name="L",
                                               edgeFromField="f", edgeToField="t",
                                               typeIdProperty="id", typeIdType="Integer")  # fmt: skip
    assert result["edges"] == 1
    (edge,) = list(db.iterate_type("L"))
    assert edge.to_dict() == {"w": 0.5} and edge.get_out().get("n") == "a"


# --- errors before anything happens -----------------------------------------------------------------


def test_missing_file_unknown_format_and_options_name_the_problem(db, tmp_path):
    with pytest.raises(ArcadeDBError, match="not found: '.*nope.csv'"):
        arcadedb.import_csv(db, str(tmp_path / "nope.csv"), "X")
    path = write(tmp_path / "x.xml", "<a/>")
    with pytest.raises(ArcadeDBError, match=r"Unknown import format .*'\.xml'"):
        arcadedb.Importer(db).import_file(path)
    with pytest.raises(ArcadeDBError, match="Unknown import format 'parquet'"):
        arcadedb.Importer(db).import_file(path, "parquet")
    csv_path = write(tmp_path / "x.csv", "a,b\n1,2\n")
    with pytest.raises(ArcadeDBError, match="needs the option 'edgeFromField'"):
        arcadedb.Importer(db).import_file(csv_path, import_type="edges", edgeToField="b")
    with pytest.raises(ArcadeDBError, match="needs the option 'edgeToField'"):
        arcadedb.Importer(db).import_file(csv_path, import_type="edges", edgeFromField="a")
    with pytest.raises(ArcadeDBError, match="Unknown import option 'delimeter'"):
        arcadedb.import_csv(db, csv_path, "X", delimeter=";")
    with pytest.raises(ArcadeDBError, match="Unknown import_type 'rows'"):
        arcadedb.Importer(db).import_file(csv_path, import_type="rows")
    with pytest.raises(ArcadeDBError, match="onRowError"):
        arcadedb.import_csv(db, csv_path, "X", onRowError="maybe")
    db.schema.create_vertex_type("Taken")
    with pytest.raises(ArcadeDBError, match="Taken"):
        arcadedb.import_csv(db, csv_path, "Taken")
    assert not db.schema.exists_type("X")


def test_progress_bar_counts_committed_rows(db, tmp_path, capsys):
    path = write(tmp_path / "p.csv", "n\n" + "\n".join(map(str, range(50))) + "\n")
    arcadedb.import_csv(db, path, "P")
    assert "Importing" not in capsys.readouterr().err  # not a terminal: no bar by default
    arcadedb.import_csv(db, path, "Q", progress=True)
    err = capsys.readouterr().err
    assert "Importing Q" in err and "50" in err


def test_type_name_defaults_to_the_file_name(db, tmp_path):
    arcadedb.Importer(db).import_file(write(tmp_path / "cities.csv", "n\n1\n"))
    assert db.count_type("cities") == 1


def test_import_inside_a_transaction_is_refused(db, tmp_path):
    path = write(tmp_path / "t.csv", "a\n1\n")
    with db.transaction():
        with pytest.raises(ArcadeDBError, match="inside a transaction"):
            arcadedb.import_csv(db, path, "T")
    assert not db.schema.exists_type("T")


# --- the bulk path: batches written as one JSON array ----------------------------------------------


@pytest.fixture
def batches(monkeypatch) -> list[int]:
    """The sizes of the batches written as one JSON array (a spy on the bulk writer's path)."""
    from arcadelite.bulk import BulkWriter

    sizes: list[int] = []
    write_rows = BulkWriter.write_json_rows
    monkeypatch.setattr(BulkWriter, "write_json_rows",
                        lambda ex, *args: sizes.append(args[2]) or write_rows(ex, *args))  # fmt: skip
    return sizes


def _big_csv(tmp_path, rows: int, note=lambda i: f"n{i}") -> str:
    lines = ["id,name,score,note"] + [f"{i},name {i},{i / 4},{note(i)}" for i in range(rows)]
    return write(tmp_path / "big.csv", "\n".join(lines) + "\n")


def test_bulk_path_stores_what_the_record_path_stores_in_file_order(db, tmp_path, batches):
    """An unchecked type takes the JSON-array path (but for a batch with an integer beyond 53
    bits, which the record path checks); a declared property forces the record path."""
    path = _big_csv(tmp_path, 5000, note=lambda i: str(2**53 + 1) if i == 4500 else f"null{i}")
    db.schema.create_document_type("Checked")
    db.schema.create_property("Checked", "name", "STRING")
    bulk = arcadedb.import_csv(db, path, "Bulk")
    assert batches == [2000, 2000]  # the third batch holds 2**53 + 1: record by record
    checked = arcadedb.import_csv(db, path, "Checked")
    assert batches == [2000, 2000]
    assert bulk["documents"] == checked["documents"] == 5000
    assert records(db, "Bulk") == records(db, "Checked")  # same values, same order
    assert [r["id"] for r in records(db, "Bulk")] == list(range(5000))
    assert records(db, "Bulk")[4500] == {"id": 4500, "name": "name 4500", "score": 1125.0,
                                         "note": 2**53 + 1}  # fmt: skip
    assert records(db, "Bulk")[7]["note"] == "null7"
    rids = [r.get_identity().position for r in db.iterate_type("Bulk")]
    assert rids == sorted(rids)


def test_bulk_path_never_puts_more_than_commit_every_in_a_transaction(db, tmp_path):
    from arcadelite.bulk import BulkWriter

    db.schema.create_document_type("Row")
    type_def = db._storage.catalog.get("Row")
    commits = []
    ex = BulkWriter(db).set_commit_every(300).on_ok(commits.append)
    bodies = "[" + ",".join(f'{{"i":{i}}}' for i in range(1000)) + "]"
    ex.write_json_rows(type_def, bodies, 1000)
    ex.wait_completion()
    ex.close()
    assert commits == [300, 300, 300, 100]
    assert [r["i"] for r in records(db, "Row")] == list(range(1000))
    assert ex.stats()["committed"] == 1000


def test_bulk_rows_of_a_failed_commit_are_each_reported(db, tmp_path):
    from arcadelite.bulk import BulkWriter

    db.schema.create_document_type("Row")
    type_def = db._storage.catalog.get("Row")
    errors = []
    ex = BulkWriter(db).set_commit_every(0).on_error(errors.append)
    ex.write_json_rows(type_def, '[{"i":1},{"i":2},{"i":3}]', 3)
    ex._session.conn.setcommithook(lambda: True)  # veto the commit
    ex.wait_completion()
    ex._session.conn.setcommithook(None)
    ex.close()
    assert db.count_type("Row") == 0
    assert sorted(e.record.get("i") for e in errors) == [1, 2, 3]
    assert all(e.record.get_identity() is None for e in errors)
    assert ex.stats()["failed"] == 3 and ex.stats()["committed"] == 0


def test_bulk_rows_are_refused_for_types_that_check_records(db):
    from arcadelite.bulk import BulkWriter

    db.schema.create_document_type("Keyed")
    db.schema.create_property("Keyed", "k", "INTEGER")
    db.schema.create_document_type("Free")
    threaded = BulkWriter(db, inline=False)
    inline = BulkWriter(db)
    with pytest.raises(ArcadeDBError, match="cannot be written as JSON rows"):
        inline.write_json_rows(db._storage.catalog.get("Keyed"), '[{"k":1}]', 1)
    with pytest.raises(ArcadeDBError, match="inline executor"):
        threaded.write_json_rows(db._storage.catalog.get("Free"), '[{"k":1}]', 1)
    inline.close()
    threaded.close()
    assert db.count_type("Keyed") == 0 and db.count_type("Free") == 0


def test_jsonl_bulk_path_matches_the_record_path_and_reports_only_bad_rows(db, tmp_path, batches):
    rows = [{"i": i, "v": None if i % 3 else {"deep": [i, "x", 1.5]}, "@rid": "#9:9"}
            for i in range(4500)]  # fmt: skip
    text = "\n".join(orjson_text(r) for r in rows)
    text = text.replace('"i":4100,', '"i":4100,"huge":123456789012345678901234567890,')
    path = write(tmp_path / "rows.jsonl", text + "\n")
    db.schema.create_document_type("Checked")
    db.schema.create_property("Checked", "i", "INTEGER")
    bulk = arcadedb.Importer(db).import_jsonl(path, "Bulk")
    assert batches == [2000, 2000]  # the last batch holds the huge integer: one by one
    checked = arcadedb.Importer(db).import_jsonl(path, "Checked")
    for result in (bulk, checked):
        assert (result["documents"], result["errors"]) == (4499, 1)
        assert result["failed_rows"][0]["line"] == 4101
    assert records(db, "Bulk") == records(db, "Checked")
    assert records(db, "Bulk")[:2] == [{"i": 0, "v": {"deep": [0, "x", 1.5]}}, {"i": 1, "v": None}]


def test_jsonl_abort_keeps_the_rows_before_the_bad_one_and_none_after(db, tmp_path):
    lines = [f'{{"i": {i}}}' for i in range(10)]
    lines[6] = "not json"
    path = write(tmp_path / "rows.jsonl", "\n".join(lines) + "\n")
    with pytest.raises(ImportAbortedError, match="line 7") as caught:
        arcadedb.Importer(db).import_jsonl(path, "R", onRowError="abort")
    assert [r["i"] for r in records(db, "R")] == [0, 1, 2, 3, 4, 5]
    assert caught.value.stats["documents"] == 6


def orjson_text(value) -> str:
    import orjson

    return orjson.dumps(value).decode()


def test_jsonl_integers_are_kept_exact_or_reported_never_rounded(db, tmp_path):
    """orjson reads integers beyond 64 bits as floats; the importer must not store those."""
    path = write(tmp_path / "ints.jsonl", "\n".join([
        '{"n": 9223372036854775807, "s": "123456789012345678901234567890"}',
        '{"n": 123456789012345678901234567890}',
        '{"n": 18446744073709551615}',
        '{"n": 1e999}',
        '{"n": NaN}',
        '{"n": -9223372036854775808, "x": 1.5}',
    ]) + "\n")  # fmt: skip
    result = arcadedb.Importer(db).import_jsonl(path, "Ints")
    assert (result["documents"], result["errors"]) == (2, 4)
    failures = {f["line"]: f["error"] for f in result["failed_rows"]}
    assert sorted(failures) == [2, 3, 4, 5]
    assert "outside 64 bits" in failures[2] and "outside 64 bits" in failures[3]
    assert "invalid JSON" in failures[4] and "invalid JSON" in failures[5]
    assert records(db, "Ints") == [
        {"n": 2**63 - 1, "s": "123456789012345678901234567890"},
        {"n": -(2**63), "x": 1.5},
    ]


# --- set-based edge-end resolution (issue 11) -------------------------------------------------------


@pytest.mark.parametrize("whole_map", [True, False], ids=["one-scan", "join-per-batch"])
def test_edge_ends_resolve_by_key_in_either_mode(db, tmp_path, monkeypatch, whole_map):
    """typeIdProperty keys resolve through one scan into a dict, or (past ID_MAP_LIMIT vertices)
    one join per batch of edges; both answer alike: missing and ambiguous keys fail alone."""
    from arcadelite.io import rows

    if not whole_map:
        monkeypatch.setattr(rows, "ID_MAP_LIMIT", 0)
    vertices = "id,name\n" + "".join(f"{i},v{i}\n" for i in range(3000)) + "5000,a\n5000,b\n"
    arcadedb.import_csv(db, write(tmp_path / "v.csv", vertices), "V", import_type="vertices",
                        typeIdProperty="id", typeIdType="Long")  # fmt: skip
    lines = [f"{i},{(i * 7) % 3000}" for i in range(2500)]
    lines[5] = "5,99999"  # no such vertex
    lines[2200] = "5000,1"  # two vertices have id 5000
    edges = write(tmp_path / "e.csv", "from,to\n" + "\n".join(lines) + "\n")
    result = arcadedb.import_csv(db, edges, "E", import_type="edges", edgeFromField="from",
                                 edgeToField="to", typeIdProperty="id", typeIdType="Long")  # fmt: skip
    assert result["failed_rows"] == [
        {"line": 7, "error": "edge field 'to': no vertex with id = 99999"},
        {"line": 2202, "error": "edge field 'from': 2 vertices have id = 5000"},
    ]
    assert result["edges"] == 2498 == db.count_type("E")
    one = db.lookup_by_key("V", ["id"], [2499])
    (edge,) = one.get_edges("out", "E")
    assert edge.get_in().get("id") == (2499 * 7) % 3000
    jsonl = write(tmp_path / "e.jsonl", '{"from": 1, "to": 2}\n{"from": 3, "to": 424242}\n'
                                        'not json\n{"from": 4, "to": 5}\n')  # fmt: skip
    result = arcadedb.Importer(db).import_file(jsonl, import_type="edges", type_name="E",
                                               edgeFromField="from", edgeToField="to",
                                               typeIdProperty="id", typeIdType="Long")  # fmt: skip
    assert result["edges"] == 2 and [f["line"] for f in result["failed_rows"]] == [2, 3]
    with pytest.raises(ImportAbortedError) as caught:  # rows before the bad one are written
        arcadedb.Importer(db).import_file(jsonl, import_type="edges", type_name="E2",
                                          edgeFromField="from", edgeToField="to",
                                          typeIdProperty="id", typeIdType="Long",
                                          onRowError="abort")  # fmt: skip
    assert caught.value.line == 2 and db.count_type("E2") == 1
