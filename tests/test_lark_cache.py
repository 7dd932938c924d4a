"""arcadelite.lark_cache: cached LALR tables, and a driver that parses exactly as Lark does."""

from __future__ import annotations

import ast as pyast
import os
import random
import re
import subprocess
import sys
import threading
from pathlib import Path

import lark
import pytest
from lark import Lark

from arcadelite import lark_cache
from arcadelite.exceptions import ParseError
from arcadelite.sql import parser as sql_parser

ROOT = Path(__file__).resolve().parents[1]

TOY_GRAMMAR = r"""
start: stmt+
?stmt: "LET"i NAME "=" expr ";"   -> let
     | expr ";"
?expr: expr "+" term              -> add
     | term
?term: NUMBER                     -> number
     | NAME                       -> name
     | "(" expr ")"
     | NAME "(" [_args] ")"       -> call
_args: expr ("," expr)*
NAME: /[a-z_]+/i
NUMBER: /\d+/
%ignore /\s+/
"""


class ToyBuilder:
    """Callbacks for every rule of the toy grammar but ``start`` (which becomes a Tree)."""

    def let(self, c):
        return ("let", str(c[0]), c[1])

    def add(self, c):
        return ("add", c[0], c[1])

    def number(self, c):
        return int(c[0])

    def name(self, c):
        return ("name", str(c[0]))

    def call(self, c):
        return ("call", str(c[0]), tuple(c[1:]))


def as_plain(value):
    """Trees of either implementation as (data, children) tuples, for comparison."""
    if isinstance(value, (lark.Tree, lark_cache.Tree)):
        return (str(value.data), [as_plain(v) for v in value.children])
    if isinstance(value, tuple):
        return tuple(as_plain(v) for v in value)
    return value


@pytest.fixture
def caches(tmp_path, monkeypatch):
    """A private user cache folder and a grammar file in a folder of its own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    grammar_dir = tmp_path / "pkg"
    grammar_dir.mkdir()
    grammar = grammar_dir / "toy.lark"
    grammar.write_text(TOY_GRAMMAR)
    return {"user": tmp_path / "xdg" / "arcadelite", "beside": grammar_dir / "__pycache__",
            "grammar": str(grammar)}  # fmt: skip


def cache_files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.is_dir() else []


# --------------------------------------------------------------------------- behaviour


def test_toy_grammar_parses_as_lark_does(caches):
    ours = lark_cache.load_parser(caches["grammar"], ToyBuilder(), {"maybe_placeholders": True})
    reference = Lark(TOY_GRAMMAR, parser="lalr", lexer="contextual", transformer=ToyBuilder(),
                     maybe_placeholders=True)  # fmt: skip
    texts = ["let x = 1 + f(2, (3 + y)); g();", "LeT a=b;", "1;2;3;", "f(1)+2;"]
    for text in texts:
        assert as_plain(ours.parse(text, "start")) == as_plain(reference.parse(text))
    assert as_plain(ours.parse("LeT a=b;", "start")) == ("start", [("let", "a", ("name", "b"))])
    for bad in ["let = 1;", "1 +;", "f(1,);", "1 ? 2;", ""]:
        with pytest.raises(lark.exceptions.UnexpectedInput) as theirs:
            reference.parse(bad)
        with pytest.raises(lark_cache.UnexpectedInput) as mine:
            ours.parse(bad, "start")
        assert (mine.value.line, mine.value.column) == (theirs.value.line, theirs.value.column)
        assert type(mine.value).__name__ == type(theirs.value).__name__
        expected = getattr(theirs.value, "expected", None) or theirs.value.allowed
        assert (getattr(mine.value, "expected", None) or mine.value.allowed) == expected


def test_keywords_are_told_from_names_by_the_lexer_state(caches):
    parser = lark_cache.load_parser(caches["grammar"], ToyBuilder(), {})
    assert as_plain(parser.parse("let let_ = lets;", "start")) == (
        "start", [("let", "let_", ("name", "lets"))])  # fmt: skip
    # where only a name can follow, "let" is a name (Lark's contextual lexer does the same)
    assert as_plain(parser.parse("LET let = 1;", "start")) == ("start", [("let", "let", 1)])
    with pytest.raises(lark_cache.UnexpectedToken) as error:
        parser.parse("let;", "start")  # where both can, the keyword wins
    assert error.value.token.type == "SEMICOLON" and (error.value.line, error.value.column) == (
        1,
        4,
    )
    assert error.value.expected == {"NAME"}


def test_tokens_carry_positions_across_lines(caches):
    parser = lark_cache.load_parser(caches["grammar"], ToyBuilder(), {})
    with pytest.raises(lark_cache.UnexpectedCharacters) as error:
        parser.parse("1;\n  2 +\n   3 ? 4;", "start")
    assert (error.value.line, error.value.column, error.value.pos_in_stream) == (3, 6, 14)


# ------------------------------------------------------------------------------ the cache


def test_tables_are_written_once_to_the_user_cache_and_read_back(caches):
    first = lark_cache.load_tables(caches["grammar"], {})
    (written,) = cache_files(caches["user"])
    assert written.name.startswith("toy-") and written.suffix == ".lalr"
    assert oct(caches["user"].stat().st_mode & 0o777) == "0o700"
    assert not caches["beside"].exists()
    stamp = written.stat().st_mtime_ns
    again = lark_cache.load_tables(caches["grammar"], {})
    assert again == first and written.stat().st_mtime_ns == stamp  # read, not rebuilt


def test_the_key_follows_grammar_options_lark_python_and_format(caches, monkeypatch):
    key = lark_cache.cache_key(TOY_GRAMMAR, {})
    assert lark_cache.cache_key(TOY_GRAMMAR + "\n", {}) != key
    assert lark_cache.cache_key(TOY_GRAMMAR, {"maybe_placeholders": True}) != key
    assert lark_cache.lark_version() == lark.__version__
    monkeypatch.setattr(lark_cache, "lark_version", lambda: "0.0.1")
    assert lark_cache.cache_key(TOY_GRAMMAR, {}) != key
    monkeypatch.undo()
    monkeypatch.setattr(lark_cache, "FORMAT", lark_cache.FORMAT + 1)
    assert lark_cache.cache_key(TOY_GRAMMAR, {}) != key
    monkeypatch.undo()
    monkeypatch.setattr(sys, "version", sys.version + " other build")
    assert lark_cache.cache_key(TOY_GRAMMAR, {}) != key


def test_lark_version_is_read_without_importing_lark():
    code = ("import sys; from arcadelite import lark_cache; v = lark_cache.lark_version(); "
            "print(v, 'lark' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=_env()).stdout.split()  # fmt: skip
    assert out == [lark.__version__, "False"]


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty", "other_key", "format"])
def test_a_damaged_or_foreign_cache_file_is_rebuilt(caches, damage):
    good = lark_cache.load_tables(caches["grammar"], {})
    (path,) = cache_files(caches["user"])
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        path.write_bytes(data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:])
    elif damage == "garbage":
        path.write_bytes(os.urandom(len(data)))
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "other_key":  # a complete file written for another key, under this name
        other = lark_cache.cache_key(TOY_GRAMMAR + " ", {})
        assert lark_cache.write_cache(str(path), other, good)
    else:  # a valid file of another table format
        assert lark_cache.write_cache(str(path), path.stem.split("-")[-1], {**good, "format": -1})
    assert lark_cache.read_cache(str(path), path.stem.split("-")[-1]) is None
    rebuilt = lark_cache.load_tables(caches["grammar"], {})  # Lark numbers states anew each build
    assert lark_cache.read_cache(str(path), path.stem.split("-")[-1]) == rebuilt  # written whole
    parser = lark_cache.Parser(rebuilt, ToyBuilder())
    assert as_plain(parser.parse("let a = f(1) + 2;", "start")) == (
        "start", [("let", "a", ("add", ("call", "f", (1,)), 2))])  # fmt: skip
    assert [p.name for p in cache_files(caches["user"])] == [path.name]  # no temporary left


def test_unwritable_user_cache_falls_back_beside_the_grammar(caches, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "sub"))  # cannot be created, even by root
    parser = lark_cache.load_parser(caches["grammar"], ToyBuilder(), {})
    assert as_plain(parser.parse("1;", "start")) == ("start", [1])
    (written,) = cache_files(caches["beside"])
    assert written.suffix == ".lalr"


def test_read_only_everywhere_still_parses_and_writes_nothing(caches, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "sub"))
    caches["beside"].write_text("a file where the __pycache__ folder would go")
    parser = lark_cache.load_parser(caches["grammar"], ToyBuilder(), {})
    assert as_plain(parser.parse("f(1);", "start")) == ("start", [("call", "f", (1,))])
    assert sorted(p.name for p in Path(caches["grammar"]).parent.iterdir()) == [
        "__pycache__", "toy.lark"]  # fmt: skip


def test_a_folder_others_may_write_to_is_not_trusted(caches):
    caches["user"].mkdir(parents=True)
    caches["user"].chmod(0o777)
    lark_cache.load_tables(caches["grammar"], {})
    assert cache_files(caches["user"]) == []  # neither read nor written
    assert len(cache_files(caches["beside"])) == 1


def test_a_planted_file_in_an_untrusted_folder_is_never_read(caches):
    lark_cache.load_tables(caches["grammar"], {})
    (path,) = cache_files(caches["user"])
    key = path.stem.split("-")[-1]
    tables = lark_cache.read_cache(str(path), key)
    tables["terminals"]["NAME"] = (True, "planted")
    assert lark_cache.write_cache(str(path), key, tables)
    caches["user"].chmod(0o777)
    loaded = lark_cache.load_tables(caches["grammar"], {})
    assert loaded["terminals"]["NAME"] != (True, "planted")


def test_concurrent_processes_share_one_complete_cache_file(caches):
    """Several fresh processes build and write at once: all parse, one valid file remains."""
    code = (
        "import sys; from arcadelite import lark_cache; "
        "sys.path.insert(0, sys.argv[2]); from test_lark_cache import ToyBuilder, as_plain; "
        "p = lark_cache.load_parser(sys.argv[1], ToyBuilder(), {}); "
        "print(as_plain(p.parse('let a = f(1, 2) + 3;', 'start')))"
    )
    env = _env(XDG_CACHE_HOME=str(caches["user"].parent))
    procs = [subprocess.Popen([sys.executable, "-c", code, caches["grammar"], str(Path(__file__).parent)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(6)]  # fmt: skip
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, outputs
    assert {out for out, _ in outputs} == {
        "('start', [('let', 'a', ('add', ('call', 'f', (1, 2)), 3))])\n"}  # fmt: skip
    (path,) = cache_files(caches["user"])
    assert lark_cache.read_cache(str(path), path.stem.split("-")[-1]) is not None


def test_readers_never_see_a_partial_file_while_it_is_replaced(caches):
    tables = lark_cache.load_tables(caches["grammar"], {})
    (path,) = cache_files(caches["user"])
    key = path.stem.split("-")[-1]
    stop = threading.Event()
    seen = []

    def writer():
        while not stop.is_set():
            lark_cache.write_cache(str(path), key, tables)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(300):
            seen.append(lark_cache.read_cache(str(path), key) == tables)
    finally:
        stop.set()
        thread.join()
    assert all(seen)


# ------------------------------------------------------------------------ the SQL parser


def _env(**extra) -> dict:
    env = dict(os.environ, **extra)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    return env


def test_sql_parser_starts_from_the_cache_without_importing_lark(tmp_path):
    code = ("import sys; from arcadelite.sql import parse; "
            "s = parse('SELECT FROM T WHERE a = 1'); print(type(s).__name__, 'lark' in sys.modules)")  # fmt: skip
    env = _env(XDG_CACHE_HOME=str(tmp_path))
    cold = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    warm = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert cold.stdout.split() == ["Select", "True"], cold.stderr  # built by Lark the first time
    assert warm.stdout.split() == ["Select", "False"], warm.stderr
    assert [p.suffix for p in (tmp_path / "arcadelite").iterdir()] == [".lalr"]


class _LarkAdapter:
    """Lark's own parser behind the driver's interface, its errors translated (the reference)."""

    def __init__(self, parser: Lark) -> None:
        self.parser = parser

    def parse(self, text: str, start: str):
        try:
            return self.parser.parse(text, start=start)
        except lark.exceptions.UnexpectedToken as error:
            token = error.token
            ours = lark_cache.Token(token.type, str(token), token.start_pos, token.line,
                                    token.column)  # fmt: skip
            raise lark_cache.UnexpectedToken(ours, set(error.expected)) from None
        except lark.exceptions.UnexpectedCharacters as error:
            raise lark_cache.UnexpectedCharacters(
                text, error.pos_in_stream, error.line, error.column, set(error.allowed)
            ) from None


def _lark_sql_parser() -> sql_parser._Parser:
    parser = object.__new__(sql_parser._Parser)
    parser.recorder = sql_parser._TokenRecorder()
    parser.builder = sql_parser._Builder(parser.recorder)
    reference = Lark(Path(sql_parser.GRAMMAR_FILE).read_text(encoding="utf-8"), parser="lalr",
                     lexer="contextual", postlex=parser.recorder, transformer=parser.builder,
                     propagate_positions=False, **sql_parser.LARK_OPTIONS)  # fmt: skip
    parser.lark = _LarkAdapter(reference)
    parser.terminals = {t.name: (t.pattern.type == "str", t.pattern.value)
                        for t in reference.terminals}  # fmt: skip
    parser.lock = threading.Lock()
    return parser


_STATEMENT_START = re.compile(
    r"^\s*(SELECT|INSERT|CREATE|UPDATE|DELETE|DROP|ALTER|TRUNCATE|MATCH|TRAVERSE|EXPLAIN|PROFILE"
    r"|BEGIN|COMMIT|ROLLBACK|LET|RETURN|IMPORT|REBUILD)\b", re.IGNORECASE)  # fmt: skip


def sql_corpus() -> list[str]:
    """Every string constant in the SQL tests that starts like a statement."""
    found: set[str] = set()
    for path in sorted((ROOT / "tests" / "sql").glob("*.py")):
        for node in pyast.walk(pyast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, pyast.Constant) and isinstance(node.value, str):
                if _STATEMENT_START.match(node.value) and len(node.value) < 2000:
                    found.add(node.value)
    return sorted(found)


_PIECES = re.compile(r"\s+|\w+|'[^']*'|\"[^\"]*\"|.", re.S)


def mutants(text: str, rng: random.Random, count: int) -> list[str]:
    """Statements near ``text``: pieces deleted, duplicated, swapped, or characters changed."""
    out = []
    for _ in range(count):
        pieces = _PIECES.findall(text)
        i, j = rng.randrange(len(pieces)), rng.randrange(len(pieces))
        action = rng.randrange(4)
        if action == 0:
            del pieces[i]
        elif action == 1:
            pieces.insert(i, pieces[j])
        elif action == 2:
            pieces[i], pieces[j] = pieces[j], pieces[i]
        else:
            pieces[i] = rng.choice(["(", ")", "'", '"', "`", ",", ".", "#1:2", "-- ", "/*", "\n",
                                    "SELECT", "FROM", "@", "$", "?", ":x", "§", "1e5", "->"])  # fmt: skip
        out.append("".join(pieces))
    return out


def outcome(parser: sql_parser._Parser, text: str, start: str):
    try:
        return ("ok", parser.parse(text, start))
    except ParseError as error:
        return ("error", str(error), error.line, error.column, error.token)


def test_the_sql_parser_matches_lark_on_the_whole_test_corpus_and_its_mutants():
    corpus = sql_corpus()
    assert len(corpus) > 500
    reference, ours = _lark_sql_parser(), sql_parser._get_parser()
    rng = random.Random(11)
    texts = corpus + [m for text in corpus for m in mutants(text, rng, 3)]
    compared = errors = 0
    for text in texts:
        for start in ("single", "script"):
            expected, got = outcome(reference, text, start), outcome(ours, text, start)
            assert got == expected, text
            compared += 1
            errors += expected[0] == "error"
    assert compared == 2 * len(texts) and errors > len(texts) // 2  # both paths well covered


def test_cached_regex_programs_are_used_and_a_broken_one_falls_back_to_re(caches):
    import marshal

    tables = lark_cache.load_tables(caches["grammar"], {})
    programs, unless = marshal.loads(tables["lexers"][0][5])
    if sys.implementation.name == "cpython":  # the shortcut is CPython's; elsewhere re.compile
        assert all(p is not None for p in programs)
        pattern = lark_cache._scanner_pattern(tables["lexers"][0][0][0], tables["regexps"])
        assert lark_cache._from_program(pattern, programs[0]).pattern == pattern

    def broken(program):
        return None if program is None else (program[0], program[1][:-4], *program[2:])

    damaged = dict(tables)
    damaged["lexers"] = [
        (*spec[:5], marshal.dumps((tuple(broken(p) for p in progs),
                                   {k: tuple(broken(p) for p in v) for k, v in unl.items()})))
        for spec in tables["lexers"]
        for progs, unl in [marshal.loads(spec[5])]
    ]  # fmt: skip
    good, bad = lark_cache.Parser(tables, ToyBuilder()), lark_cache.Parser(damaged, ToyBuilder())
    for text in ["let x = 1 + f(2, (3 + y)); g();", "LeT a=b;", "LET let = 1;"]:
        assert as_plain(bad.parse(text, "start")) == as_plain(good.parse(text, "start"))


def test_a_killed_writer_s_temporary_file_is_removed_once_stale(caches):
    tables = lark_cache.load_tables(caches["grammar"], {})
    (path,) = cache_files(caches["user"])
    stale, fresh = caches["user"] / ".tables-stale", caches["user"] / ".tables-fresh"
    stale.write_bytes(b"half a file")
    fresh.write_bytes(b"being written")
    os.utime(stale, (1_000_000_000, 1_000_000_000))
    assert lark_cache.write_cache(str(path), path.stem.split("-")[-1], tables)
    assert [p.name for p in cache_files(caches["user"])] == [".tables-fresh", path.name]
