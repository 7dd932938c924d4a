"""The ``arcadelite`` command: SQL, an interactive shell, import, export, info and a benchmark.

    arcadelite sql ./mydb "SELECT FROM Person LIMIT 5"        # a table (or --json, --csv)
    arcadelite sql ./mydb "INSERT INTO Person SET name = 'Ann'; UPDATE ..."   # commits on success
    arcadelite shell ./mydb                                   # interactive; statements end with ;
    arcadelite import ./mydb people.csv --type Person --as vertices --id-property id
    arcadelite import ./mydb knows.csv --type Knows --as edges --from a --to b --id-property id
    arcadelite import ./newdb backup.jsonl.gz                 # a database dump: restored
    arcadelite export ./mydb backup.jsonl.gz
    arcadelite info ./mydb
    arcadelite bench                                          # the AsyncExecutor seed's example
    arcadelite serve ./mydb --port 2480                       # ArcadeDB's HTTP API (Ctrl-C stops)

Exit status: 0 success, 1 an error (its message on stderr), 2 a usage error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

import orjson

from .exceptions import ArcadeDBError

PROMPT = "arcadelite> "
CONTINUATION = "       ...> "
HISTORY_FILE = os.path.join(os.path.expanduser("~"), ".arcadelite_history")
_MAX_CELL = 60


class CommandError(Exception):
    """A user-facing failure of the command line: printed, exit status 1."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except (ArcadeDBError, CommandError, OSError) as exc:
        print(f"arcadelite: error: {cli_message(str(exc))}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="arcadelite",
        description="arcadelite: ArcadeDB's embedded API and SQL on SQLite, from the shell.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("sql", help="run a SQL statement or script and print the last one's rows",
                       description="Runs a statement, or a script of statements separated by ';', "
                       "in one transaction: it commits when every statement succeeded and "
                       "changes nothing otherwise. --autocommit commits each write by itself "
                       "instead (for scripts with their own BEGIN/COMMIT, or IMPORT DATABASE).")  # fmt: skip
    p.add_argument("db", help="database folder")
    p.add_argument("statement", help="the SQL statement or script (use - to read it from stdin)")
    p.add_argument("--autocommit", action="store_true",
                   help="commit each write by itself instead of the whole script at the end")  # fmt: skip
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print rows as a JSON array")
    out.add_argument("--csv", action="store_true", help="print rows as CSV")
    p.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE",
                   help="a :NAME parameter (VALUE read as JSON when it parses, else text)")  # fmt: skip
    p.set_defaults(func=_cmd_sql)

    p = sub.add_parser("shell", help="interactive SQL shell (statements end with ';')")
    p.add_argument("db", help="database folder (created when missing)")
    p.set_defaults(func=_cmd_shell)

    p = sub.add_parser("import", help="import a CSV/TSV/JSONL file, or restore a dump")
    p.add_argument("db", help="database folder (created when missing)")
    p.add_argument("file", help="the file to import")
    p.add_argument("--type", "-t", dest="type_name", help="target type (default: file name)")
    p.add_argument("--as", dest="import_type", default="documents",
                   choices=["documents", "vertices", "edges"], help="what the rows become")  # fmt: skip
    p.add_argument("--format", dest="format_type", choices=["csv", "tsv", "jsonl", "arcadedb"],
                   help="file format (default: from the extension)")  # fmt: skip
    p.add_argument("--delimiter", help="field delimiter (default , for CSV, tab for TSV)")
    header = p.add_mutually_exclusive_group()
    header.add_argument("--no-header", action="store_true", help="the file has no header row")
    header.add_argument("--header", help="column names, comma-separated (file has no header)")
    p.add_argument("--skip", type=int, default=0, help="rows to skip at the start")
    p.add_argument("--commit-every", type=int, default=10_000, help="rows per transaction")
    p.add_argument("--id-property", help="vertex id property (typeIdProperty)")
    p.add_argument("--id-type", default="STRING", help="its type: String, Long, Integer")
    p.add_argument("--id-unique", action="store_true", help="make the id index unique")
    p.add_argument("--from", dest="edge_from", help="edge source field (edgeFromField)")
    p.add_argument("--to", dest="edge_to", help="edge target field (edgeToField)")
    p.add_argument("--vertex-type", help="vertex type where edge ends are looked up")
    p.add_argument("--no-trim", action="store_true", help="keep blanks around values")
    p.add_argument("--on-error", choices=["skip", "abort"], default="skip",
                   help="skip bad rows (reported) or stop at the first")  # fmt: skip
    progress = p.add_mutually_exclusive_group()
    progress.add_argument("--progress", dest="progress", action="store_true", default=None)
    progress.add_argument("--no-progress", dest="progress", action="store_false")
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser("export", help="export the database as an ArcadeDB JSONL dump (gzip)")
    p.add_argument("db", help="database folder")
    p.add_argument("file", help="dump file (a relative path goes under ./exports/)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing file")
    p.add_argument("--include", help="only these types' records (comma-separated)")
    p.add_argument("--exclude", help="not these types' records (comma-separated)")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("info", help="types, counts, indexes and file size")
    p.add_argument("db", help="database folder")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("bench", help="run the AsyncExecutor seed's Complete Example")
    p.add_argument("--count", type=int, default=100_000, help="vertices to create")
    p.add_argument("--parallel", type=int, default=8, help="set_parallel_level")
    p.add_argument("--commit-every", type=int, default=10_000, help="set_commit_every")
    p.add_argument("--back-pressure", type=int, default=75, help="set_back_pressure")
    p.add_argument("--path", help="database folder (default: a temporary one, removed)")
    p.set_defaults(func=_cmd_bench)
    _add_serve_parser(sub)
    return parser


# --- opening ----------------------------------------------------------------------------------


def _open(path: str, create: bool = False) -> Any:
    import arcadelite

    if arcadelite.database_exists(path):
        return arcadelite.open_database(path)
    if create:
        return arcadelite.create_database(path)
    raise CommandError(f"no database at '{path}'")


# --- sql ----------------------------------------------------------------------------------------


def _cmd_sql(args: argparse.Namespace) -> int:
    """One statement or a script: atomic by default (one transaction, committed on success)."""
    statement = sys.stdin.read() if args.statement == "-" else args.statement
    params = dict(_param(text) for text in args.param)
    with _open(args.db) as db:
        if args.autocommit:
            db.set_auto_transaction(True)
            rows = list(db.command("sqlscript", statement, **params))
        else:
            try:
                with db.transaction():
                    rows = list(db.command("sqlscript", statement, **params))
            except ArcadeDBError as exc:
                if "inside a transaction" in str(exc):
                    raise CommandError(f"{exc} (run it with --autocommit)") from exc
                raise
        mode = "json" if args.json else "csv" if args.csv else "table"
        print_rows(rows, mode, sys.stdout)
    return 0


# Python API names in the library's messages, and the command-line flags that set them.
_FLAGS = {
    "typeIdProperty": "--id-property", "typeIdType": "--id-type",
    "typeIdPropertyIsUnique": "--id-unique", "edgeFromField": "--from", "edgeToField": "--to",
    "vertexType": "--vertex-type", "skipEntries": "--skip", "commitEvery": "--commit-every",
    "delimiter": "--delimiter", "trimText": "--no-trim", "onRowError": "--on-error",
    "format_type": "--format", "import_type": "--as", "type_name": "--type",
    "include_types": "--include", "exclude_types": "--exclude", "overwrite=True": "--overwrite",
}  # fmt: skip
_FLAG_PATTERN = re.compile(
    r"(?:the option |option )?'?\b(" + "|".join(re.escape(k) for k in _FLAGS) + r")(?:\b'?|(?<==True))"
)


def cli_message(text: str) -> str:
    """An error message from the library with its Python option names turned into flags."""
    text = text.replace(
        "wrap it in `with db.transaction():` or call db.set_auto_transaction(True)",
        "run it with BEGIN; ... COMMIT; or with --autocommit",
    )
    return _FLAG_PATTERN.sub(lambda m: _FLAGS[m.group(1)], text)


def _param(text: str) -> tuple[str, Any]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise CommandError(f"--param expects NAME=VALUE, got {text!r}")
    try:
        return name, orjson.loads(value)
    except orjson.JSONDecodeError:
        return name, value


def _row_data(row: Any) -> dict[str, Any]:
    """A result row as an ordered dict: ``@rid``/``@type`` first for records."""
    from .io.export import as_row_dict

    data = as_row_dict(row)
    meta: dict[str, Any] = {k: data[k] for k in ("@rid", "@type", "@out", "@in") if k in data}
    rest = {k: v for k, v in data.items() if k not in meta}
    return {**meta, **rest}


def print_rows(rows: Iterable[Any], mode: str, out: TextIO) -> None:
    from .io.export import csv_cell
    from .model.serialize import json_default

    data = [_row_data(r) for r in rows]
    columns: dict[str, None] = {}
    for row in data:
        for key in row:
            columns.setdefault(key)
    names = list(columns)
    if mode == "json":
        out.write(orjson.dumps(data, default=json_default, option=orjson.OPT_INDENT_2).decode())
        out.write("\n")
        return
    if mode == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(names)
        for row in data:
            writer.writerow([csv_cell(row.get(c)) for c in names])
        return
    if not data:
        out.write("(0 rows)\n")
        return
    cells = [[_table_cell(row.get(c), c in row) for c in names] for row in data]
    widths = [max(len(n), *(len(r[i]) for r in cells)) for i, n in enumerate(names)]
    out.write(" | ".join(n.ljust(w) for n, w in zip(names, widths)).rstrip() + "\n")
    out.write("-+-".join("-" * w for w in widths) + "\n")
    for row_cells in cells:
        out.write(" | ".join(c.ljust(w) for c, w in zip(row_cells, widths)).rstrip() + "\n")
    out.write(f"({len(data)} row{'s' if len(data) != 1 else ''})\n")


def _table_cell(value: Any, present: bool) -> str:
    from .io.export import csv_cell

    if not present:
        return ""
    if value is None:
        return "NULL"
    text = str(csv_cell(value)).replace("\n", "\\n")
    return text if len(text) <= _MAX_CELL else text[: _MAX_CELL - 3] + "..."


# --- shell ------------------------------------------------------------------------------------

_SHELL_HELP = """Statements end with ';' and may span lines; each write commits by itself unless
BEGIN; opened a transaction (COMMIT; or ROLLBACK; closes it). Commands:
  .types            list the types with their record counts
  .indexes          list the indexes
  .mode table|json|csv   how rows are printed (now: {mode})
  .timer on|off     print each statement's time
  .help             this text
  .quit / .exit     leave (Ctrl-D too: an unfinished statement is dropped, and an open
                    transaction is committed only when you say so); Ctrl-C drops the
                    statement being typed"""


def _cmd_shell(args: argparse.Namespace) -> int:
    interactive = sys.stdin.isatty()
    created = not _exists(args.db)
    with _open(args.db, create=True) as db:
        db.set_auto_transaction(True)  # as sqlite3's shell: a write outside BEGIN commits at once
        if interactive:
            if created:
                print(f"Created database '{args.db}'", file=sys.stderr)
            _setup_readline()
            print(f"arcadelite shell on '{args.db}': statements end with ';', .help for help",
                  file=sys.stderr)  # fmt: skip
        shell = _Shell(db, interactive)
        try:
            shell.loop()
        finally:
            if interactive:
                _save_readline()
        return 1 if (shell.failed and not interactive) else 0


def _exists(path: str) -> bool:
    import arcadelite

    return arcadelite.database_exists(path)


class _Shell:
    def __init__(self, db: Any, interactive: bool) -> None:
        self.db = db
        self.interactive = interactive
        self.mode = "table"
        self.timer = False
        self.failed = False

    def _read(self, prompt: str) -> str:
        if self.interactive:
            return input(prompt)
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    def loop(self) -> None:
        buffer: list[str] = []
        while True:
            try:
                line = self._read(CONTINUATION if buffer else PROMPT)
            except EOFError:
                if self.interactive:
                    print(file=sys.stderr)
                if buffer:  # never run what was not finished with ';'
                    text = " ".join(part.strip() for part in buffer)
                    print(f"Dropped the unfinished statement (no ';'): {text}", file=sys.stderr)
                    self.failed = True
                self.close_transaction()
                return
            except KeyboardInterrupt:
                print("^C", file=sys.stderr)
                buffer = []
                continue
            stripped = line.strip()
            if not buffer and stripped.startswith("."):
                if not self.dot(stripped):
                    self.close_transaction()
                    return
                continue
            if not stripped and not buffer:
                continue
            buffer.append(line)
            if stripped.endswith(";"):
                text = "\n".join(buffer).strip()
                buffer = []
                self.run(text)

    def run(self, text: str) -> None:
        text = text.strip().rstrip(";").strip()
        if not text:
            return
        started = time.perf_counter()
        try:
            rows = list(self.db.command("sql", text))
        except ArcadeDBError as exc:
            self.failed = True
            print(f"Error: {exc}", file=sys.stderr)
            return
        print_rows(rows, self.mode, sys.stdout)
        if self.timer:
            print(f"Time: {time.perf_counter() - started:.3f} s", file=sys.stderr)
        sys.stdout.flush()

    def close_transaction(self) -> None:
        """Leaving with a transaction open (BEGIN without COMMIT): commit only when the user
        says so at the terminal; otherwise roll back, and say so."""
        if not self.db.is_transaction_active():
            return
        if self.interactive:
            try:
                answer = input("A transaction is open (BEGIN without COMMIT). Commit it? [y/N] ")
            except (EOFError, KeyboardInterrupt):
                answer = ""
                print(file=sys.stderr)
            if answer.strip().lower() in ("y", "yes"):
                try:
                    self.db.commit()
                except ArcadeDBError as exc:
                    self.failed = True
                    print(f"Error: commit failed, nothing was written: {exc}", file=sys.stderr)
                    return
                print("Committed.", file=sys.stderr)
                return
        self.db.rollback()
        self.failed = True
        print("The open transaction (BEGIN without COMMIT) was rolled back: its changes are "
              "not saved.", file=sys.stderr)  # fmt: skip

    def dot(self, command: str) -> bool:
        """Run a dot-command; False means leave the shell."""
        name, _, rest = command.partition(" ")
        rest = rest.strip()
        if name in (".quit", ".exit", ".q"):
            return False
        if name == ".help":
            print(_SHELL_HELP.format(mode=self.mode))
        elif name == ".types":
            _print_types(self.db, sys.stdout)
        elif name == ".indexes":
            _print_indexes(self.db, sys.stdout)
        elif name == ".mode" and rest in ("table", "json", "csv"):
            self.mode = rest
        elif name == ".timer" and rest in ("on", "off"):
            self.timer = rest == "on"
        else:
            print(f"Unknown command {command!r}: .help lists them", file=sys.stderr)
        return True


def _setup_readline() -> None:
    try:
        import readline
    except ImportError:  # pragma: no cover - no readline on this platform
        return
    try:
        readline.read_history_file(HISTORY_FILE)
    except OSError:
        pass
    readline.set_history_length(1000)


def _save_readline() -> None:
    try:
        import readline

        readline.write_history_file(HISTORY_FILE)
    except (ImportError, OSError):  # pragma: no cover
        pass


# --- import / export --------------------------------------------------------------------------


def _cmd_import(args: argparse.Namespace) -> int:
    from .io.restore import import_database
    from .io.rows import FORMATS, Importer, format_of, is_dump

    if not os.path.isfile(args.file):
        raise CommandError(f"no file '{args.file}'")
    fmt = args.format_type or format_of(args.file, None)
    dump = FORMATS.get(fmt) == "arcadedb" or (fmt == "jsonl" and is_dump(args.file))
    with _open(args.db, create=True) as db:
        if dump:
            stats = import_database(db, os.path.abspath(args.file))
            print(f"Restored {stats['createdVertices']} vertices, {stats['createdDocuments']} "
                  f"documents, {stats['createdEdges']} edges from '{args.file}'")  # fmt: skip
            for warning in stats["warnings"]:
                print(f"warning: {warning}", file=sys.stderr)
            return 0
        options: dict[str, Any] = {
            "skipEntries": args.skip,
            "commitEvery": args.commit_every,
            "trimText": not args.no_trim,
            "onRowError": args.on_error,
            "typeIdType": args.id_type,
            "typeIdPropertyIsUnique": args.id_unique,
            "progress": args.progress,
        }
        if args.delimiter is not None:
            options["delimiter"] = "\t" if args.delimiter in ("\\t", "tab") else args.delimiter
        if args.no_header:
            options["header"] = False
        elif args.header:
            options["header"] = args.header
        for key, value in (("typeIdProperty", args.id_property), ("edgeFromField", args.edge_from),
                           ("edgeToField", args.edge_to), ("vertexType", args.vertex_type)):  # fmt: skip
            if value:
                options[key] = value
        result = Importer(db).import_file(args.file, fmt, args.import_type, args.type_name,
                                          **options)  # fmt: skip
    kind = {"documents": "documents", "vertices": "vertices", "edges": "edges"}[args.import_type]
    seconds = result["duration_ms"] / 1000
    rate = result[kind] / seconds if seconds > 0 else 0
    print(f"Imported {result[kind]:,} {kind} from {result['rows']:,} rows in {seconds:.2f} s "
          f"({rate:,.0f}/s); {result['errors']} error(s)")  # fmt: skip
    for failure in result["failed_rows"][:20]:
        print(f"  line {failure['line']}: {cli_message(str(failure['error']))}", file=sys.stderr)
    if result["errors"] > 20:
        print(f"  ... and {result['errors'] - 20} more", file=sys.stderr)
    return 1 if result["errors"] else 0


def _cmd_export(args: argparse.Namespace) -> int:
    include = args.include.split(",") if args.include else None
    exclude = args.exclude.split(",") if args.exclude else None
    with _open(args.db) as db:
        db.export_database(args.file, overwrite=args.overwrite, include_types=include,
                           exclude_types=exclude, verbose=1)  # fmt: skip
    return 0


# --- info -------------------------------------------------------------------------------------


def _cmd_info(args: argparse.Namespace) -> int:
    with _open(args.db) as db:
        out = sys.stdout
        size = _folder_size(db.get_database_path())
        out.write(f"Database: {db.get_database_path()}\n")
        out.write(f"Size on disk: {_human(size)} ({size:,} bytes)\n\n")
        _print_types(db, out)
        out.write("\n")
        _print_indexes(db, out)
    return 0


def _print_types(db: Any, out: TextIO) -> None:
    types = sorted(db.schema.get_types(), key=lambda t: t.name)
    if not types:
        out.write("No types.\n")
        return
    rows = []
    for t in types:
        rows.append({
            "type": t.name,
            "kind": t.kind,
            "extends": ", ".join(t.supertypes),
            "records": db.count_type(t.name, polymorphic=False),
            "properties": ", ".join(f"{p.name} {p.type}" for p in t.properties),
        })  # fmt: skip
    print_rows(rows, "table", out)


def _print_indexes(db: Any, out: TextIO) -> None:
    indexes = sorted(db.schema.get_indexes(), key=lambda ix: ix.name)
    if not indexes:
        out.write("No indexes.\n")
        return
    rows = [{"index": ix.name, "type": ix.type_name, "properties": ", ".join(ix.properties),
             "unique": ix.unique, "kind": ix.index_type.value} for ix in indexes]  # fmt: skip
    print_rows(rows, "table", out)


def _folder_size(path: str) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


def _human(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"  # pragma: no cover


# --- bench ------------------------------------------------------------------------------------


def _cmd_bench(args: argparse.Namespace) -> int:
    """The seed's Complete Example: N Product vertices through the async executor."""
    import arcadelite as arcadedb

    temp = None
    path = args.path
    if path is None:
        temp = tempfile.mkdtemp(prefix="arcadelite-bench-")
        path = os.path.join(temp, "async_demo")
    command = (f"arcadelite bench --count {args.count} --parallel {args.parallel} "
               f"--commit-every {args.commit_every} --back-pressure {args.back_pressure}")  # fmt: skip
    print(f"$ {command}")
    try:
        db = arcadedb.create_database(path)
        try:
            try:
                with db.transaction():
                    db.command("sql", "CREATE VERTEX TYPE Product")
            except (ArcadeDBError, ImportError):
                db.schema.get_or_create_vertex_type("Product")
            async_exec = (db.async_executor()
                          .set_parallel_level(args.parallel)
                          .set_commit_every(args.commit_every)
                          .set_back_pressure(args.back_pressure))  # fmt: skip
            start = time.time()
            for i in range(args.count):
                vertex = db.new_vertex("Product")
                vertex.set("productId", i)
                vertex.set("name", f"Product {i}")
                vertex.set("price", i * 10.5)
                async_exec.create_record(vertex)
            async_exec.wait_completion()
            elapsed = time.time() - start
            throughput = args.count / elapsed if elapsed > 0 else float("inf")
            async_exec.close()
            stored = db.count_type("Product")
        finally:
            db.close()
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    print(f"✅ Created {stored:,} vertices")
    print(f"⏱️  Time: {elapsed:.2f}s")
    print(f"🚀 Throughput: {throughput:,.0f} records/sec")
    return 0 if stored == args.count else 1


# --- serve -------------------------------------------------------------------------------------


def _add_serve_parser(sub: Any) -> None:
    p = sub.add_parser("serve", help="serve ArcadeDB's HTTP API (needs arcadelite[server])")
    p.add_argument("path", help="a database folder (served alone, under its folder name) or a "
                   "server root (its databases/ folder is served)")  # fmt: skip
    p.add_argument("--port", type=int, default=2480, help="HTTP port (default 2480)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; 0.0.0.0 exposes it to the network)")  # fmt: skip
    p.add_argument("--root-password", default=os.environ.get("ARCADELITE_ROOT_PASSWORD"),
                   help="root's password (default: $ARCADELITE_ROOT_PASSWORD; only its hash is "
                   "stored, and later starts may omit it)")  # fmt: skip
    p.set_defaults(func=_cmd_serve)


def _cmd_serve(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM, then finish the requests in flight and close cleanly."""
    import signal
    import threading

    import arcadelite

    from .server import ArcadeDBServer

    path = os.path.abspath(args.path)
    db = arcadelite.open_database(path) if arcadelite.database_exists(path) else None
    root = os.path.dirname(path) if db is not None else path
    try:
        server = ArcadeDBServer(root, args.root_password, {"http_port": args.port, "host": args.host})
        if db is not None:
            server.add_database(db)
        stop = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
        server.start()
        try:
            names = ", ".join(server.list_databases()) or "no database yet"
            print(f"arcadelite: serving {names} on {server.get_studio_url()} (Ctrl-C stops)",
                  flush=True)  # fmt: skip
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            print("arcadelite: stopping (finishing requests in flight)", file=sys.stderr, flush=True)
            server.stop()
            signal.signal(signal.SIGTERM, previous)
    finally:
        if db is not None:
            db.close()
    print("arcadelite: stopped, databases closed", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
