"""The ``arcadelite`` command line: sql, shell, import, export, info, bench; exit codes."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys

import pytest

import arcadelite as arcadedb
from arcadelite.cli import main


@pytest.fixture
def people_db(tmp_path):
    path = str(tmp_path / "people")
    with arcadedb.create_database(path) as db:
        db.schema.create_vertex_type("Person")
        db.schema.create_property("Person", "name", "STRING")
        db.schema.create_index("Person", ["name"], unique=True)
        with db.transaction():
            db.new_vertex("Person").set("name", "Alice").set("age", 30).save()
            db.new_vertex("Person").set("name", "Bob").set("age", 25).save()
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sql_prints_a_table(people_db, capsys):
    code, out, err = run(capsys, "sql", people_db, "SELECT name, age FROM Person ORDER BY name")
    assert code == 0 and err == ""
    assert out == ("name  | age\n"
                   "------+----\n"
                   "Alice | 30\n"
                   "Bob   | 25\n"
                   "(2 rows)\n")  # fmt: skip


def test_sql_json_and_csv_and_parameters(people_db, capsys):
    code, out, _ = run(capsys, "sql", people_db, "SELECT FROM Person WHERE name = :n", "--json",
                       "--param", "n=Bob")  # fmt: skip
    assert code == 0
    (row,) = json.loads(out)
    assert row["name"] == "Bob" and row["age"] == 25 and row["@type"] == "Person"
    assert list(row)[:2] == ["@rid", "@type"]
    code, out, _ = run(capsys, "sql", people_db, "SELECT name, age FROM Person WHERE age > :a",
                       "--csv", "-p", "a=26")  # fmt: skip
    assert out.splitlines() == ["name,age", "Alice,30"]


def test_errors_give_exit_status_and_message(people_db, tmp_path, capsys):
    code, out, err = run(capsys, "sql", people_db, "SELEC name FROM Person")
    assert code == 1 and out == "" and err.startswith("arcadelite: error: ") and "SELEC" in err
    code, _, err = run(capsys, "sql", str(tmp_path / "nothing"), "SELECT 1")
    assert code == 1 and "no database at" in err
    assert not os.path.exists(tmp_path / "nothing")
    with pytest.raises(SystemExit) as caught:
        main(["sql"])
    assert caught.value.code == 2
    assert main([]) == 2


def test_shell_reads_multiline_statements_from_stdin(people_db, capsys, monkeypatch):
    script = ("SELECT name\n  FROM Person\n  ORDER BY name;\n"
              ".mode csv\nSELECT count(*) AS c FROM Person;\n"
              ".types\n.bogus\nSELECT FROM Nowhere;\n"
              "CREATE DOCUMENT TYPE Note;\n.quit\nSELECT 1;\n")  # fmt: skip
    monkeypatch.setattr(sys, "stdin", io.StringIO(script))
    code, out, err = run(capsys, "shell", people_db)
    assert code == 1  # a statement failed (script mode)
    assert out.startswith("name\n-----\nAlice\nBob\n(2 rows)\nc\n2\n")
    assert "Person | vertex |         | 2       | name STRING" in out
    assert "Unknown command '.bogus'" in err and "Nowhere" in err
    with arcadedb.open_database(people_db) as db:
        assert db.schema.exists_type("Note")


def test_shell_creates_a_missing_database(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("CREATE VERTEX TYPE V;\n"))
    code, out, _ = run(capsys, "shell", str(tmp_path / "fresh"))
    assert code == 0 and "create vertex type" in out
    assert arcadedb.database_exists(str(tmp_path / "fresh"))


def test_import_csv_vertices_and_edges(tmp_path, capsys):
    db_path = str(tmp_path / "g")
    (tmp_path / "p.csv").write_text("id,name\n1,a\n2,b\n")
    (tmp_path / "k.tsv").write_text("src\tdst\tw\n1\t2\t0.5\n2\t7\t1\n")
    code, out, _ = run(capsys, "import", db_path, str(tmp_path / "p.csv"), "--type", "P", "--as",
                       "vertices", "--id-property", "id", "--id-type", "Long", "--id-unique")  # fmt: skip
    assert code == 0 and out.startswith("Imported 2 vertices from 2 rows in ")
    code, out, err = run(capsys, "import", db_path, str(tmp_path / "k.tsv"), "--type", "K",
                         "--as", "edges", "--from", "src", "--to", "dst", "--id-property", "id",
                         "--id-type", "Long")  # fmt: skip
    assert code == 1 and "Imported 1 edges from 2 rows" in out and "1 error(s)" in out
    assert "line 3: edge field 'dst': no vertex with id = 7" in err
    with arcadedb.open_database(db_path) as db:
        assert db.count_type("P") == 2 and db.count_type("K") == 1


def test_import_options_reach_the_importer(tmp_path, capsys):
    db_path = str(tmp_path / "o")
    (tmp_path / "x.csv").write_text("skip me\n1;2\n")
    code, _, _ = run(capsys, "import", db_path, str(tmp_path / "x.csv"), "--type", "X",
                     "--delimiter", ";", "--header", "a,b", "--skip", "1")  # fmt: skip
    assert code == 0
    with arcadedb.open_database(db_path) as db:
        assert [r.to_dict() for r in db.iterate_type("X")] == [{"a": 1, "b": 2}]
    code, _, err = run(capsys, "import", db_path, str(tmp_path / "missing.csv"))
    assert code == 1 and "no file" in err


def test_export_then_import_restores_the_dump(people_db, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "export", people_db, "people.jsonl.gz")
    assert code == 0 and "2 records" in out
    dump = tmp_path / "exports" / "people.jsonl.gz"
    with gzip.open(dump, "rb") as handle:
        assert b'"t":"schema"' in handle.read()
    code, _, err = run(capsys, "export", people_db, "people.jsonl.gz")
    assert code == 1 and "already exists" in err
    assert run(capsys, "export", people_db, "people.jsonl.gz", "--overwrite")[0] == 0
    code, out, _ = run(capsys, "import", str(tmp_path / "copy"), str(dump))
    assert code == 0 and out.startswith("Restored 2 vertices, 0 documents, 0 edges")
    with arcadedb.open_database(str(tmp_path / "copy")) as db:
        assert db.lookup_by_key("Person", ["name"], ["Bob"]).get("age") == 25


def test_info_lists_types_counts_indexes_and_size(people_db, capsys):
    code, out, _ = run(capsys, "info", people_db)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"Database: {os.path.abspath(people_db)}"
    assert lines[1].startswith("Size on disk: ") and "bytes" in lines[1]
    assert "Person | vertex |         | 2       | name STRING" in out
    assert "Person[name] | Person | name       | true   | LSM_TREE" in out


def test_bench_runs_the_seed_example(capsys):
    code, out, _ = run(capsys, "bench", "--count", "3000")
    assert code == 0
    assert out.splitlines()[0] == ("$ arcadelite bench --count 3000 --parallel 8 --commit-every "
                                   "10000 --back-pressure 75")  # fmt: skip
    assert "✅ Created 3,000 vertices" in out and "records/sec" in out


def test_console_script_is_installed(people_db):
    script = os.path.join(os.path.dirname(sys.executable), "arcadelite")
    if not os.path.exists(script):
        pytest.skip("console script not installed in this environment (pip install -e .)")
    done = subprocess.run([script, "sql", people_db, "SELECT count(*) AS c FROM Person", "--csv"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert (done.returncode, done.stdout) == (0, "c\n2\n")
    done = subprocess.run([script, "info", people_db + "-nope"], capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert done.returncode == 1 and "no database" in done.stderr
