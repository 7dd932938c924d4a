"""Issue 16's command-line items: ``arcadelite sql`` writes and scripts commit, errors name the
command's flags, and the shell never runs an unfinished statement nor drops an open
transaction silently (tested through real stdin pipes and a real pseudo-terminal)."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time

import pytest

import arcadelite as arcadedb
from arcadelite.cli import main

CLI = [sys.executable, "-c", "import sys; from arcadelite.cli import main; sys.exit(main())"]


@pytest.fixture
def db_path(tmp_path):
    path = str(tmp_path / "db")
    with arcadedb.create_database(path) as db:
        db.schema.create_document_type("T")
        db.schema.create_document_type("X")
    return path


def count(path: str, type_name: str = "T") -> int:
    with arcadedb.open_database(path) as db:
        return db.count_type(type_name)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------ arcadelite sql


def test_sql_write_statement_commits(db_path, capsys):
    code, out, err = run(capsys, "sql", db_path, "INSERT INTO T SET a = 1")
    assert (code, err) == (0, "")
    assert "(1 row)" in out
    assert count(db_path) == 1


def test_sql_script_commits_as_a_whole_or_changes_nothing(db_path, capsys):
    code, out, err = run(capsys, "sql", db_path,
                         "INSERT INTO T SET a = 1; INSERT INTO T SET a = 2; "
                         "SELECT count(*) AS n FROM T;", "--json")  # fmt: skip
    assert (code, err) == (0, "")
    assert '"n": 2' in out
    assert count(db_path) == 2
    # a script that fails part way changes nothing, its DDL included
    code, _, err = run(capsys, "sql", db_path, "CREATE DOCUMENT TYPE U; INSERT INTO T SET a = 3; "
                       "INSERT INTO Nope SET a = 4")  # fmt: skip
    assert code == 1 and "Nope" in err
    assert count(db_path) == 2
    with arcadedb.open_database(db_path) as db:
        assert not db.schema.exists_type("U")


def test_sql_autocommit_commits_each_write(db_path, capsys):
    code, _, err = run(capsys, "sql", db_path, "--autocommit",
                       "INSERT INTO T SET a = 1; INSERT INTO Nope SET a = 2")  # fmt: skip
    assert code == 1 and "Nope" in err
    assert count(db_path) == 1  # the first write had committed by itself


def test_sql_reads_a_script_from_stdin(db_path):
    done = subprocess.run([*CLI, "sql", db_path, "-"], input="INSERT INTO T SET a = 1;\n"
                          "INSERT INTO T SET a = 2;\n", capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert count(db_path) == 2


# ------------------------------------------------------------------ errors name flags


def test_import_errors_name_the_command_line_flags(db_path, tmp_path, capsys):
    csv_file = tmp_path / "e.csv"
    csv_file.write_text("a,b\n1,2\n")
    code, _, err = run(capsys, "import", db_path, str(csv_file), "--as", "edges", "--type", "E",
                       "--from", "a")  # fmt: skip
    assert code == 1
    assert "--to" in err and "edgeToField" not in err
    code, _, err = run(capsys, "import", db_path, str(csv_file), "--delimiter", "ab")
    assert code == 1 and "--delimiter" in err
    code, _, err = run(capsys, "import", db_path, str(csv_file), "--as", "edges", "--type", "E",
                       "--from", "a", "--to", "b")  # fmt: skip
    assert "--id-property" in err and "typeIdProperty" not in err


def test_export_error_names_the_overwrite_flag(db_path, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "export", db_path, "d.jsonl.gz")[0] == 0
    code, _, err = run(capsys, "export", db_path, "d.jsonl.gz")
    assert code == 1
    assert "--overwrite" in err and "overwrite=True" not in err


# ------------------------------------------------------------------ the shell, piped stdin


def shell(db_path: str, text: str, home: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "shell", db_path], input=text, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "HOME": home})  # fmt: skip


def test_shell_writes_outside_begin_commit_at_once(db_path, tmp_path):
    done = shell(db_path, "INSERT INTO T SET a = 1;\n", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert count(db_path) == 1


def test_shell_end_of_input_drops_an_unfinished_statement(db_path, tmp_path):
    done = shell(db_path, "INSERT INTO T SET a = 1;\nDROP TYPE X", str(tmp_path))
    assert done.returncode == 1
    assert "Dropped the unfinished statement" in done.stderr and "DROP TYPE X" in done.stderr
    with arcadedb.open_database(db_path) as db:
        assert db.schema.exists_type("X")  # the half-typed DROP never ran
        assert db.count_type("T") == 1


def test_shell_end_of_input_with_an_open_transaction_rolls_back_and_says_so(db_path, tmp_path):
    done = shell(db_path, "BEGIN;\nINSERT INTO T SET a = 1;\n", str(tmp_path))
    assert done.returncode == 1
    assert "rolled back" in done.stderr
    assert count(db_path) == 0


# ------------------------------------------------------------------ the shell, a real terminal


class Terminal:
    """The shell on a pseudo-terminal: stdin is a tty, so it prompts and uses readline."""

    def __init__(self, db_path: str, home: str) -> None:
        self.master, slave = os.openpty()
        self.process = subprocess.Popen([*CLI, "shell", db_path], stdin=slave, stdout=slave,
                                        stderr=slave, env={**os.environ, "HOME": home,
                                                           "TERM": "dumb"})  # fmt: skip
        os.close(slave)
        self.seen = ""
        self.consumed = 0  # expect() looks only past what earlier expects matched

    def expect(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.seen[self.consumed :]:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{text!r} not seen; the terminal shows:\n{self.seen}")
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:  # the shell has exited
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"{text!r} not seen before exit:\n{self.seen}")
                self.seen += chunk.decode(errors="replace")
        self.consumed = self.seen.index(text, self.consumed) + len(text)

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def finish(self) -> int:
        code = self.process.wait(timeout=30)
        os.close(self.master)
        return code


def test_terminal_ctrl_d_drops_a_half_typed_statement(db_path, tmp_path):
    term = Terminal(db_path, str(tmp_path))
    term.expect("arcadelite> ")
    term.type("DROP TYPE X\n")
    term.expect("...> ")
    term.type("\x04")  # Ctrl-D at the continuation prompt
    term.expect("Dropped the unfinished statement")
    term.finish()
    with arcadedb.open_database(db_path) as db:
        assert db.schema.exists_type("X")


@pytest.mark.parametrize(("answer", "kept"), [("y", 1), ("n", 0)])
def test_terminal_ctrl_d_asks_before_leaving_an_open_transaction(db_path, tmp_path, answer, kept):
    term = Terminal(db_path, str(tmp_path))
    term.expect("arcadelite> ")
    term.type("BEGIN;\n")
    term.expect("(1 row)")
    term.expect("arcadelite> ")
    term.type("INSERT INTO T SET a = 1;\n")
    term.expect("(1 row)")
    term.expect("arcadelite> ")
    term.type("\x04")
    term.expect("Commit it? [y/N]")
    term.type(answer + "\n")
    term.expect("Committed." if answer == "y" else "rolled back")
    term.finish()
    assert count(db_path) == kept
