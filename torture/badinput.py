"""Bad input table: every public method with wrong types, out-of-range values, unknown names,
closed databases and closed executors raises the documented exception and changes nothing.

Each row: what is called, the exception expected (``None``: must not raise), optionally a text
the message must contain. Around every row the whole database (schema and every record) is
snapshot and compared, and no transaction may be left open. Rows needing SQL are skipped until
``db.command("sql", ...)`` works. The part prints the rows that failed and which public methods
the table does not reach.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import arcadelite as arcadedb
from arcadelite import (
    ArcadeDBError,
    AsyncExecutionError,
    DatabaseClosedError,
    DatabaseLockedError,
    DuplicatedKeyError,
    RecordNotFoundError,
    SchemaError,
    TransactionError,
    ValidationError,
)
from arcadelite.results import Result, ResultSet

from .common import Report, sql_available, workdir

ERR = ArcadeDBError
ANY_DOCUMENTED = (ArcadeDBError, ValueError, TypeError, AttributeError, TimeoutError, RuntimeError)
WRONG_TYPE = (TypeError, ArcadeDBError)  # a wrong argument type: TypeError or a named error


@dataclass
class Row:
    covers: str  # "Class.method"
    what: str
    call: Callable[[Any], Any]
    expected: type[BaseException] | tuple[type[BaseException], ...] | None
    contains: str | None = None
    returns: Any = ...  # when expected is None: the value the call must return (... = any)
    sql: bool = False


# fmt: off
# One row per line, a table to read down: the formatter would explode it.
def rows() -> list[Row]:
    R = Row
    t: list[Row] = []
    add = t.append
    # --- module level ---------------------------------------------------------------------------
    add(R("module.create_database", "over a database open in this process", lambda c: arcadedb.create_database(c.path), ERR, "already"))
    add(R("module.create_database", "over an existing closed database", lambda c: arcadedb.create_database(c.other), ERR, "already exists"))
    add(R("module.open_database", "missing folder", lambda c: arcadedb.open_database(c.path + "-missing"), ERR, "does not exist"))
    add(R("module.open_database", "already open in this process", lambda c: arcadedb.open_database(c.path), DatabaseLockedError, "already open"))
    add(R("module.create_database", "None path", lambda c: arcadedb.create_database(None), TypeError))
    add(R("module.open_database", "int path", lambda c: arcadedb.open_database(12), WRONG_TYPE))
    add(R("module.database_exists", "missing folder", lambda c: arcadedb.database_exists(c.path + "-x"), None, returns=False))
    # --- Database: queries ----------------------------------------------------------------------
    add(R("Database.query", "unknown language", lambda c: c.db.query("gremlin", "g.V()"), ERR, "sql", sql=True))
    add(R("Database.query", "statement not a string", lambda c: c.db.query("sql", 42), WRONG_TYPE, sql=True))
    add(R("Database.query", "syntax error", lambda c: c.db.query("sql", "SELEC FROM P"), arcadedb.ParseError, sql=True))
    add(R("Database.query", "write statement given to query", lambda c: c.db.query("sql", "INSERT INTO P SET n = 99"), ERR, "command", sql=True))
    add(R("Database.query", "unknown type", lambda c: c.db.query("sql", "SELECT FROM Nope").to_list(), ERR, "Nope", sql=True))
    add(R("Database.query", "missing parameter", lambda c: c.db.query("sql", "SELECT FROM P WHERE n = :x").to_list(), ERR, sql=True))
    add(R("Database.command", "write outside a transaction", lambda c: c.db.command("sql", "INSERT INTO P SET n = 99"), TransactionError, "transaction", sql=True))
    add(R("Database.command", "duplicate key in a transaction", lambda c: _in_tx(c, lambda: c.db.command("sql", "INSERT INTO P SET n = 1")), DuplicatedKeyError, "P[n]", sql=True))
    add(R("Database.command", "unknown language", lambda c: c.db.command("cobol", "MOVE 1 TO X"), ERR, sql=True))
    add(R("Database.query", "positional parameter missing", lambda c: c.db.query("sql", "SELECT FROM P WHERE n = ?").to_list(), (ERR, ValueError, TypeError), sql=True))
    add(R("Database.query", "too many positional parameters (ignored, as ArcadeDB does)", lambda c: c.db.query("sql", "SELECT FROM P WHERE n = ?", 1, 2).to_list(), (None, ERR, ValueError, TypeError), sql=True))
    add(R("Database.query", "parameter of an unsupported type (compared, matches nothing)", lambda c: c.db.query("sql", "SELECT FROM P WHERE n = ?", object()).to_list(), (None, ERR, ValueError, TypeError), sql=True))
    add(R("Database.query", "malformed RID literal", lambda c: c.db.query("sql", "SELECT FROM #1:x").to_list(), ERR, sql=True))
    add(R("Database.command", "DROP TYPE unknown", lambda c: c.db.command("sql", "DROP TYPE Nope"), SchemaError, "Nope", sql=True))
    add(R("Database.command", "CREATE TYPE duplicate", lambda c: c.db.command("sql", "CREATE DOCUMENT TYPE P"), SchemaError, "P", sql=True))
    add(R("Database.command", "DELETE outside a transaction", lambda c: c.db.command("sql", "DELETE FROM P"), TransactionError, sql=True))
    add(R("Database.command", "UPDATE to a wrong declared type", lambda c: _in_tx(c, lambda: c.db.command("sql", "UPDATE P SET n = 'x'")), ValidationError, sql=True))
    add(R("Database.command", "UPDATE making duplicates", lambda c: _in_tx(c, lambda: c.db.command("sql", "UPDATE P SET n = 1")), DuplicatedKeyError, sql=True))
    add(R("Database.command", "unique index over duplicates", lambda c: c.db.command("sql", "CREATE INDEX ON P (name) UNIQUE"), DuplicatedKeyError, sql=True))
    add(R("Database.command", "index on an undeclared property", lambda c: c.db.command("sql", "CREATE INDEX ON P (zzz) NOTUNIQUE"), SchemaError, sql=True))
    add(R("Database.command", "edge from a missing vertex", lambda c: _in_tx(c, lambda: c.db.command("sql", f"CREATE EDGE E FROM #999:1 TO {c.v2.get_rid()}")), ERR, sql=True))
    add(R("Database.command", "integer beyond 64 bits", lambda c: _in_tx(c, lambda: c.db.command("sql", "INSERT INTO Base SET x = 99999999999999999999999")), (ERR, ValueError), sql=True))
    add(R("Database.command", "script that fails midway", lambda c: _in_tx(c, lambda: (c.db.command("sql", "INSERT INTO Base SET x = 5"), c.db.command("sql", "INSERT INTO P SET n = 2"))), DuplicatedKeyError, sql=True))
    add(R("Database.command", "statement of only spaces", lambda c: c.db.command("sql", "   "), ERR, sql=True))
    # --- Database: transactions -----------------------------------------------------------------
    add(R("Database.commit", "no active transaction", lambda c: c.db.commit(), TransactionError))
    add(R("Database.rollback", "no active transaction (no-op)", lambda c: c.db.rollback(), None))
    add(R("Database.begin", "begin + rollback leaves nothing", lambda c: (c.db.begin(), c.db.rollback()), None))
    add(R("Database.transaction", "exception inside the block", lambda c: _raising_tx(c), KeyError))
    add(R("Database.is_transaction_active", "outside a transaction", lambda c: c.db.is_transaction_active(), None, returns=False))
    # --- Database: records ----------------------------------------------------------------------
    add(R("Database.new_document", "unknown type", lambda c: c.db.new_document("Nope"), SchemaError, "Nope"))
    add(R("Database.new_document", "vertex type", lambda c: c.db.new_document("V"), SchemaError, "V"))
    add(R("Database.new_document", "None", lambda c: c.db.new_document(None), WRONG_TYPE))
    add(R("Database.new_vertex", "unknown type", lambda c: c.db.new_vertex("Nope"), SchemaError, "Nope"))
    add(R("Database.new_vertex", "document type", lambda c: c.db.new_vertex("P"), SchemaError, "P"))
    add(R("Database.new_vertex", "int", lambda c: c.db.new_vertex(3), WRONG_TYPE))
    add(R("Database.new_edge_record", "vertex type", lambda c: c.db.new_edge_record("V"), SchemaError))
    add(R("Database.lookup_by_rid", "malformed", lambda c: c.db.lookup_by_rid("garbage"), ERR, "garbage"))
    add(R("Database.lookup_by_rid", "negative bucket", lambda c: c.db.lookup_by_rid("#-1:3"), ERR))
    add(R("Database.lookup_by_rid", "unknown bucket", lambda c: c.db.lookup_by_rid("#999:1"), RecordNotFoundError, "#999:1"))
    add(R("Database.lookup_by_rid", "missing position", lambda c: c.db.lookup_by_rid(f"#{c.p_id}:987654"), RecordNotFoundError))
    add(R("Database.lookup_by_rid", "position beyond 64 bits", lambda c: c.db.lookup_by_rid(f"#{c.p_id}:99999999999999999999999"), ERR, "out of range"))
    add(R("Database.lookup_by_rid", "None", lambda c: c.db.lookup_by_rid(None), WRONG_TYPE))
    add(R("Database.lookup_by_rid", "unsaved record", lambda c: c.db.lookup_by_rid(c.db.new_document("P")), ERR))
    add(R("Database.lookup_by_key", "unknown type", lambda c: c.db.lookup_by_key("Nope", ["n"], [1]), SchemaError))
    add(R("Database.lookup_by_key", "no index on the property", lambda c: c.db.lookup_by_key("P", ["name"], ["a"]), SchemaError, "index"))
    add(R("Database.lookup_by_key", "more values than keys", lambda c: c.db.lookup_by_key("P", ["n"], [1, 2]), ValueError))
    add(R("Database.lookup_by_key", "value of another type", lambda c: c.db.lookup_by_key("P", ["n"], ["one"]), None, returns=None))
    add(R("Database.lookup_by_key", "unhashable/odd value", lambda c: c.db.lookup_by_key("P", ["n"], [{"a": 1}]), (None, *ANY_DOCUMENTED)))
    add(R("Database.count_type", "unknown type is 0", lambda c: c.db.count_type("Nope"), None, returns=0))
    add(R("Database.count_type", "None", lambda c: c.db.count_type(None), (None, *WRONG_TYPE)))
    add(R("Database.iterate_type", "unknown type", lambda c: list(c.db.iterate_type("Nope")), SchemaError))
    add(R("Database.set_wal_flush", "unknown mode", lambda c: c.db.set_wal_flush("maybe"), ValueError, "maybe"))
    add(R("Database.set_wal_flush", "None", lambda c: c.db.set_wal_flush(None), ValueError))
    add(R("Database.set_read_your_writes", "truthy value", lambda c: c.db.set_read_your_writes(True), None))
    add(R("Database.set_auto_transaction", "off stays off", lambda c: c.db.set_auto_transaction(False), None))
    add(R("Database.drop", "inside a transaction", lambda c: _in_tx(c, c.db.drop), ERR, "transaction"))
    add(R("Database.make_record", "not a public API row", lambda c: None, None))
    # --- records --------------------------------------------------------------------------------
    add(R("Document.set", "on an immutable record", lambda c: c.p1.set("n", 5), AttributeError, "modify"))
    add(R("Document.save", "an immutable record", lambda c: _in_tx(c, c.p1.save), AttributeError, "modify"))
    add(R("Document.remove", "on an immutable record", lambda c: c.p1.remove("n"), AttributeError))
    add(R("Document.set", "non-string property name", lambda c: c.p1.modify().set(3, 1), TypeError))
    add(R("Document.save", "outside a transaction", lambda c: c.db.new_document("P").set("n", 77).save(), TransactionError, "transaction"))
    add(R("Document.save", "wrong declared type", lambda c: _in_tx(c, lambda: c.db.new_document("P").set("n", "abc").save()), ValidationError, "n"))
    add(R("Document.save", "int beyond 64 bits", lambda c: _in_tx(c, lambda: c.db.new_document("P").set("big", 2**70).save()), (ValidationError, ValueError)))
    add(R("Document.save", "unsupported Python value", lambda c: _in_tx(c, lambda: c.db.new_document("P").set("o", object()).save()), (ValidationError, TypeError)))
    add(R("Document.save", "NaN", lambda c: _in_tx(c, lambda: c.db.new_document("P").set("f", float("nan")).save()), ValidationError, "nan"))
    add(R("Document.save", "infinity in a list", lambda c: _in_tx(c, lambda: c.db.new_document("P").set("f", [1.0, float("-inf")]).save()), ValidationError))
    add(R("Document.save", "dict with a non-string key", lambda c: _in_tx(c, lambda: c.db.new_document("P").set("m", {1: "a"}).save()), (ValidationError, TypeError)))
    add(R("Document.save", "duplicate unique key", lambda c: _in_tx(c, lambda: c.db.new_document("P").set("n", 1).save()), DuplicatedKeyError, "P[n]"))
    add(R("Document.save", "update of a record rolled back", lambda c: _in_tx(c, lambda: c.ghost.set("x", 1).save()), RecordNotFoundError))
    add(R("Document.delete", "never saved", lambda c: _in_tx(c, c.db.new_document("P").delete), ERR, "never saved"))
    add(R("Document.delete", "outside a transaction", lambda c: c.p1.delete(), TransactionError))
    add(R("Document.delete", "record rolled back", lambda c: _in_tx(c, c.ghost.delete), RecordNotFoundError))
    add(R("Document.reload", "record rolled back", lambda c: c.ghost.reload(), RecordNotFoundError))
    add(R("Document.get", "absent property", lambda c: c.p1.get("nope"), None, returns=None))
    add(R("Document.has_property", "absent property", lambda c: c.p1.has_property("nope"), None, returns=False))
    add(R("Document.modify", "copy is independent", lambda c: c.p1.modify().set("n", 99) and c.p1.get("n"), None, returns=1))
    add(R("Vertex.get_edges", "bad direction", lambda c: c.v1.get_edges("sideways"), ValueError, "sideways"))
    add(R("Vertex.get_edges", "label of a vertex type", lambda c: c.v1.get_edges("out", "V"), SchemaError))
    add(R("Vertex.get_vertices", "bad direction", lambda c: c.v1.get_vertices("up"), ValueError))
    add(R("Vertex.count_edges", "bad direction", lambda c: c.v1.count_edges(None), ValueError))
    add(R("Vertex.new_edge", "unknown edge type", lambda c: _in_tx(c, lambda: c.v1.new_edge("Nope", c.v2)), SchemaError, "Nope"))
    add(R("Vertex.new_edge", "document type as label", lambda c: _in_tx(c, lambda: c.v1.new_edge("P", c.v2)), SchemaError))
    add(R("Vertex.new_edge", "target is a document", lambda c: _in_tx(c, lambda: c.v1.new_edge("E", c.p1)), ERR))
    add(R("Vertex.new_edge", "target unknown bucket", lambda c: _in_tx(c, lambda: c.v1.new_edge("E", "#999:1")), ERR))
    add(R("Vertex.new_edge", "malformed target", lambda c: _in_tx(c, lambda: c.v1.new_edge("E", "v2")), ERR))
    add(R("Vertex.new_edge", "target rolled back", lambda c: _in_tx(c, lambda: c.v1.new_edge("E", c.ghost_v)), RecordNotFoundError))
    add(R("Vertex.new_edge", "from an unsaved vertex", lambda c: _in_tx(c, lambda: c.db.new_vertex("V").new_edge("E", c.v2)), ERR, "Save"))
    add(R("Vertex.new_edge", "outside a transaction", lambda c: c.v1.new_edge("E", c.v2), TransactionError))
    add(R("Edge.get_out", "vertex deleted in an open transaction (own view)", lambda c: _edge_after_delete(c), RecordNotFoundError))
    # --- Schema ---------------------------------------------------------------------------------
    s = "Schema."
    add(R(s + "create_document_type", "duplicate", lambda c: c.db.schema.create_document_type("P"), SchemaError, "already exists"))
    add(R(s + "create_vertex_type", "name of a document type", lambda c: c.db.schema.create_vertex_type("P"), SchemaError))
    add(R(s + "create_edge_type", "empty name", lambda c: c.db.schema.create_edge_type(""), SchemaError))
    add(R(s + "create_document_type", "None name", lambda c: c.db.schema.create_document_type(None), WRONG_TYPE))
    add(R(s + "create_document_type", "backquote in name", lambda c: c.db.schema.create_document_type("a`b"), SchemaError))
    add(R(s + "create_document_type", "unknown supertype", lambda c: c.db.schema.create_document_type("X", supertypes=["Nope"]), SchemaError))
    add(R(s + "create_vertex_type", "supertype of another kind", lambda c: c.db.schema.create_vertex_type("X", supertypes=["P"]), SchemaError))
    add(R(s + "get_or_create_document_type", "exists as a vertex type", lambda c: c.db.schema.get_or_create_document_type("V"), SchemaError))
    add(R(s + "get_or_create_vertex_type", "exists as a document type", lambda c: c.db.schema.get_or_create_vertex_type("P"), SchemaError))
    add(R(s + "get_or_create_edge_type", "exists as a vertex type", lambda c: c.db.schema.get_or_create_edge_type("V"), SchemaError))
    add(R(s + "get_or_create_document_type", "existing: same type back", lambda c: c.db.schema.get_or_create_document_type("P").name, None, returns="P"))
    add(R(s + "drop_type", "unknown", lambda c: c.db.schema.drop_type("Nope"), SchemaError, "Nope"))
    add(R(s + "drop_type", "has subtypes", lambda c: c.db.schema.drop_type("Base"), SchemaError, "subtypes"))
    add(R(s + "drop_type", "vertices with edges", lambda c: c.db.schema.drop_type("V"), SchemaError))
    add(R(s + "drop_type", "inside a transaction that rolls back", lambda c: _in_tx_then_fail(c, lambda: c.db.schema.drop_type("Sub")), KeyError))
    add(R(s + "get_type", "unknown is None", lambda c: c.db.schema.get_type("Nope"), None, returns=None))
    add(R(s + "exists_type", "unknown", lambda c: c.db.schema.exists_type("Nope"), None, returns=False))
    add(R(s + "get_types", "lists", lambda c: len(c.db.schema.get_types()) > 0, None, returns=True))
    add(R(s + "create_property", "unknown type", lambda c: c.db.schema.create_property("Nope", "x", "STRING"), SchemaError))
    add(R(s + "create_property", "duplicate", lambda c: c.db.schema.create_property("P", "n", "INTEGER"), SchemaError, "already exists"))
    add(R(s + "create_property", "unknown property type", lambda c: c.db.schema.create_property("P", "x", "NOTATYPE"), (SchemaError, ValueError), "NOTATYPE"))
    add(R(s + "create_property", "property type None", lambda c: c.db.schema.create_property("P", "x", None), (SchemaError, *WRONG_TYPE, ValueError)))
    add(R(s + "create_property", "OF on a STRING", lambda c: c.db.schema.create_property("P", "x", "STRING", of_type="INTEGER"), SchemaError))
    add(R(s + "create_property", "LIST OF unknown type", lambda c: c.db.schema.create_property("P", "x", "LIST", of_type="Nope"), SchemaError))
    add(R(s + "create_property", "name starting with @", lambda c: c.db.schema.create_property("P", "@x", "STRING"), SchemaError))
    add(R(s + "create_property", "empty name", lambda c: c.db.schema.create_property("P", "", "STRING"), SchemaError))
    add(R(s + "create_property", "unknown constraint", lambda c: c.db.schema.create_property("P", "x", "STRING", bogus=True), SchemaError, "bogus"))
    add(R(s + "create_property", "constraint of the wrong type", lambda c: c.db.schema.create_property("P", "x", "STRING", mandatory="yes"), SchemaError))
    add(R(s + "create_property", "mandatory over existing records", lambda c: _in_tx_then_fail(c, lambda: c.db.schema.create_property("P", "x", "STRING", mandatory=True)), KeyError))
    add(R(s + "create_index", "in a transaction that rolls back", lambda c: _in_tx_then_fail(c, lambda: c.db.schema.create_index("P", ["name"])), KeyError))
    add(R(s + "create_vertex_type", "in a transaction that rolls back", lambda c: _in_tx_then_fail(c, lambda: c.db.schema.create_vertex_type("Tmp")), KeyError))
    add(R(s + "get_or_create_property", "exists with another type", lambda c: c.db.schema.get_or_create_property("P", "n", "STRING"), SchemaError))
    add(R(s + "drop_property", "unknown", lambda c: c.db.schema.drop_property("P", "nope"), SchemaError))
    add(R(s + "drop_property", "used by an index", lambda c: c.db.schema.drop_property("P", "n"), SchemaError, "index"))
    add(R(s + "drop_property", "unknown type", lambda c: c.db.schema.drop_property("Nope", "n"), SchemaError))
    add(R(s + "create_index", "undeclared property", lambda c: c.db.schema.create_index("P", ["undeclared"]), SchemaError, "declared"))
    add(R(s + "create_index", "unknown type", lambda c: c.db.schema.create_index("Nope", ["n"]), SchemaError))
    add(R(s + "create_index", "no properties", lambda c: c.db.schema.create_index("P", []), SchemaError))
    add(R(s + "create_index", "exists", lambda c: c.db.schema.create_index("P", ["n"], unique=True), SchemaError, "exists"))
    add(R(s + "create_index", "unique over duplicates", lambda c: c.db.schema.create_index("P", ["name"], unique=True), DuplicatedKeyError))
    add(R(s + "create_index", "unique over duplicates, in a transaction", lambda c: _in_tx(c, lambda: c.db.schema.create_index("P", ["name"], unique=True)), DuplicatedKeyError))
    add(R(s + "create_index", "unknown index type", lambda c: c.db.schema.create_index("P", ["name"], index_type="BOGUS"), SchemaError, "BOGUS"))
    add(R(s + "create_index", "unique full-text", lambda c: c.db.schema.create_index("P", ["name"], unique=True, index_type="FULL_TEXT"), SchemaError))
    add(R(s + "get_or_create_index", "undeclared property", lambda c: c.db.schema.get_or_create_index("P", ["zzz"]), SchemaError))
    add(R(s + "drop_index", "unknown", lambda c: c.db.schema.drop_index("Nope[x]"), SchemaError))
    add(R(s + "get_index_by_name", "unknown", lambda c: c.db.schema.get_index_by_name("Nope[x]"), SchemaError))
    add(R(s + "exists_index", "unknown", lambda c: c.db.schema.exists_index("Nope[x]"), None, returns=False))
    add(R(s + "get_indexes", "lists", lambda c: len(c.db.schema.get_indexes()) >= 2, None, returns=True))
    add(R("DocumentType.get_property", "unknown is None", lambda c: c.db.schema.get_type("P").get_property("nope"), None, returns=None))
    add(R("DocumentType.create_property", "duplicate", lambda c: c.db.schema.get_type("P").create_property("n", "INTEGER"), SchemaError))
    # --- AsyncExecutor --------------------------------------------------------------------------
    a = "AsyncExecutor."
    add(R(a + "set_parallel_level", "0", lambda c: c.ex.set_parallel_level(0), ValueError))
    add(R(a + "set_parallel_level", "17", lambda c: c.ex.set_parallel_level(17), ValueError))
    add(R(a + "set_parallel_level", "string", lambda c: c.ex.set_parallel_level("4"), (TypeError, ValueError)))
    add(R(a + "set_parallel_level", "bool", lambda c: c.ex.set_parallel_level(True), (TypeError, ValueError)))
    add(R(a + "set_commit_every", "-1", lambda c: c.ex.set_commit_every(-1), ValueError))
    add(R(a + "set_commit_every", "float", lambda c: c.ex.set_commit_every(1.5), (TypeError, ValueError)))
    add(R(a + "set_back_pressure", "101", lambda c: c.ex.set_back_pressure(101), ValueError))
    add(R(a + "set_back_pressure", "-1", lambda c: c.ex.set_back_pressure(-1), ValueError))
    add(R(a + "set_transaction_use_wal", "string", lambda c: c.ex.set_transaction_use_wal("yes"), (TypeError, ValueError)))
    add(R(a + "set_transaction_sync", "unknown mode", lambda c: c.ex.set_transaction_sync("sometimes"), ValueError, "sometimes"))
    add(R(a + "create_record", "not a record", lambda c: c.ex.create_record("P"), TypeError))
    add(R(a + "create_record", "already saved", lambda c: c.ex.create_record(c.p1.modify()), ERR, "already saved"))
    add(R(a + "update_record", "None", lambda c: c.ex.update_record(None), TypeError))
    add(R(a + "delete_record", "int", lambda c: c.ex.delete_record(5), TypeError))
    add(R(a + "create_record", "duplicate key, no error callback", lambda c: _async(c, lambda ex: ex.create_record(c.db.new_document("P").set("n", 1))), AsyncExecutionError, "Duplicated"))
    add(R(a + "create_record", "wrong declared type, no error callback", lambda c: _async(c, lambda ex: ex.create_record(c.db.new_document("P").set("n", "x"))), AsyncExecutionError))
    add(R(a + "update_record", "never saved", lambda c: _async(c, lambda ex: ex.update_record(c.db.new_document("P").set("n", 50))), AsyncExecutionError, "never saved"))
    add(R(a + "update_record", "record rolled back", lambda c: _async(c, lambda ex: ex.update_record(c.ghost)), AsyncExecutionError))
    add(R(a + "delete_record", "record rolled back", lambda c: _async(c, lambda ex: ex.delete_record(c.ghost)), AsyncExecutionError))
    add(R(a + "delete_record", "never saved", lambda c: _async(c, lambda ex: ex.delete_record(c.db.new_document("P"))), AsyncExecutionError))
    add(R(a + "query", "no callback", lambda c: c.ex.query("sql", "SELECT FROM P", None), TypeError))
    add(R(a + "query", "language not a string", lambda c: c.ex.query(1, "SELECT FROM P", print), TypeError))
    add(R(a + "command", "syntax error, no error callback", lambda c: _async(c, lambda ex: ex.command("sql", "INSERT INT P")), AsyncExecutionError, sql=True))
    add(R(a + "query", "unknown type, no error callback", lambda c: _async(c, lambda ex: ex.query("sql", "SELECT FROM Nope", lambda rs: None)), AsyncExecutionError, sql=True))
    add(R(a + "wait_completion", "negative timeout", lambda c: c.ex.wait_completion(-1), ValueError))
    add(R(a + "wait_completion", "string timeout", lambda c: c.ex.wait_completion("1"), (ValueError, TypeError)))
    add(R(a + "wait_completion", "while holding a write transaction", lambda c: _wait_in_tx(c), TransactionError, "Commit or roll back"))
    add(R(a + "wait_completion", "from a callback", lambda c: _wait_from_callback(c), ERR, "callback"))
    add(R(a + "get_parallel_level", "after a refused setter", lambda c: c.ex.get_parallel_level(), None, returns=4))
    add(R(a + "get_commit_every", "after a refused setter", lambda c: c.ex.get_commit_every(), None, returns=10_000))
    add(R(a + "get_back_pressure", "after a refused setter", lambda c: c.ex.get_back_pressure(), None, returns=0))
    add(R(a + "is_transaction_use_wal", "after a refused setter", lambda c: c.ex.is_transaction_use_wal(), None, returns=True))
    add(R(a + "on_ok", "hook that raises", lambda c: _raising_ok_hook(c), AsyncExecutionError, "broke"))
    add(R(a + "set_progress", "enabled without total", lambda c: c.ex.set_progress(False) is c.ex, None, returns=True))
    add(R(a + "is_closed", "open executor", lambda c: c.ex.is_closed(), None, returns=False))
    add(R(a + "is_pending", "idle", lambda c: c.ex.is_pending(), None, returns=False))
    add(R(a + "on_error", "handler that raises", lambda c: _raising_handler(c), AsyncExecutionError, "error callback failed"))
    add(R(a + "close", "twice", lambda c: _close_twice(c), None))
    add(R(a + "create_record", "closed executor", lambda c: _closed_ex(c).create_record(c.db.new_document("P").set("n", 60)), DatabaseClosedError, "closed"))
    add(R(a + "update_record", "closed executor", lambda c: _closed_ex(c).update_record(c.p1.modify()), DatabaseClosedError))
    add(R(a + "delete_record", "closed executor", lambda c: _closed_ex(c).delete_record(c.p1), DatabaseClosedError))
    add(R(a + "query", "closed executor", lambda c: _closed_ex(c).query("sql", "SELECT FROM P", print), DatabaseClosedError))
    add(R(a + "command", "closed executor", lambda c: _closed_ex(c).command("sql", "SELECT FROM P"), DatabaseClosedError))
    add(R(a + "wait_completion", "closed executor", lambda c: _closed_ex(c).wait_completion(), (None, DatabaseClosedError)))
    add(R(a + "stats", "closed executor", lambda c: _closed_ex(c).stats()["pending"], None, returns=0))
    add(R("Database.async_executor", "after close: a working one", lambda c: _closed_ex(c) is not c.db.async_executor() and not c.db.async_executor().is_closed(), None, returns=True))
    # --- ResultSet / Result -----------------------------------------------------------------------
    add(R("Document.get_identity", "unsaved", lambda c: c.db.new_document("P").get_identity(), None, returns=None))
    add(R("Document.get_rid", "unsaved", lambda c: c.db.new_document("P").get_rid(), None, returns=None))
    add(R("Document.to_dict", "unsaved with metadata", lambda c: c.db.new_document("P").to_dict(include_metadata=True), None, returns={"@rid": None, "@type": "P"}))
    add(R("Document.get_property_names", "empty", lambda c: c.db.new_document("P").get_property_names(), None, returns=[]))
    add(R("Document.get_type_name", "record", lambda c: c.p1.get_type_name(), None, returns="P"))
    add(R("Document.is_mutable", "looked-up record", lambda c: c.p1.is_mutable(), None, returns=False))
    add(R("Edge.get_vertex", "unknown direction", lambda c: c.e1.get_vertex("sideways"), (ValueError, None)))
    add(R("Edge.get_in_rid", "unsaved edge record", lambda c: c.db.new_edge_record("E").get_in_rid(), None, returns=None))
    add(R("Edge.get_out_rid", "unsaved edge record", lambda c: c.db.new_edge_record("E").get_out_rid(), None, returns=None))
    add(R("Edge.to_dict", "with metadata", lambda c: sorted(c.e1.to_dict(include_metadata=True)), None, returns=["@in", "@out", "@rid", "@type", "w"]))
    add(R("Edge.save", "unsaved edge record without vertices", lambda c: _in_tx(c, c.db.new_edge_record("E").save), ERR, "vertices"))
    add(R("Database.is_open", "open", lambda c: c.db.is_open(), None, returns=True))
    add(R("ResultSet.close", "twice", lambda c: _closed_rs().close(), None))
    add(R("ResultSet.to_dataframe", "after close", lambda c: len(_closed_rs().to_dataframe()), None, returns=0))
    add(R("ResultSet.one", "no rows", lambda c: ResultSet([]).one(), ValueError))
    add(R("ResultSet.one", "two rows", lambda c: ResultSet([Result({"a": 1}), Result({"a": 2})]).one(), ValueError))
    add(R("ResultSet.iter_chunks", "size 0", lambda c: list(ResultSet([Result({"a": 1})]).iter_chunks(0)), ValueError))
    add(R("ResultSet.next", "past the end", lambda c: ResultSet([]).next(), StopIteration))
    add(R("ResultSet.first", "no rows", lambda c: ResultSet([]).first(), None, returns=None))
    add(R("ResultSet.count", "after close", lambda c: _closed_rs().count(), None, returns=0))
    add(R("ResultSet.has_next", "after close", lambda c: _closed_rs().has_next(), None, returns=False))
    add(R("ResultSet.to_list", "after close", lambda c: _closed_rs().to_list(), None, returns=[]))
    add(R("Result.get", "absent", lambda c: Result({"a": 1}).get("b"), None, returns=None))
    add(R("Result.get_element", "projection row", lambda c: Result({"a": 1}).get_element(), None, returns=None))
    add(R("RID.parse", "malformed", lambda c: arcadedb.RID.parse("#x:1"), ERR, "Malformed"))
    add(R("RID.parse", "float", lambda c: arcadedb.RID.parse(1.5), ERR))
    return t
# fmt: on


# --- helpers used by the rows ---------------------------------------------------------------------


def _in_tx(c, body):
    with c.db.transaction():
        return body()


def _in_tx_then_fail(c, body):
    with c.db.transaction():
        body()
        raise KeyError("rolled back on purpose")


def _raising_tx(c):
    with c.db.transaction():
        c.db.new_document("P").set("n", 1000).save()
        raise KeyError("inside the block")


def _edge_after_delete(c):
    with c.db.transaction():
        edge = c.v1.get_edges("out", "E")[0]
        c.db.lookup_by_rid(c.v2.get_rid()).delete()
        try:
            return edge.get_in()
        finally:
            c.db.rollback()  # the delete must not stay; the `with` then finds nothing to commit
            c.db.begin()


def _async(c, submit):
    ex = c.db.async_executor()
    submit(ex)
    ex.wait_completion()


def _wait_in_tx(c):
    ex = c.db.async_executor()
    with c.db.transaction():
        c.db.lookup_by_rid(c.p1.get_rid()).modify().set("name", "held").save()
        ex.create_record(c.db.new_document("P").set("n", 1))  # a duplicate: fails later
        try:
            ex.wait_completion()
        finally:
            c.db.rollback()
            c.db.begin()
    try:
        ex.wait_completion()
    except AsyncExecutionError:
        pass  # the duplicate, reported once the transaction ended


def _wait_from_callback(c):
    ex = c.db.async_executor()
    seen: list[BaseException] = []

    def callback(_):
        try:
            ex.wait_completion()
        except BaseException as exc:
            seen.append(exc)

    rec = c.db.lookup_by_rid(c.p1.get_rid()).modify()
    ex.update_record(rec, callback=callback)
    ex.wait_completion()
    if seen:
        raise seen[0]


def _raising_handler(c):
    ex = c.db.async_executor()

    def handler(exc):
        raise RuntimeError("handler broke")

    ex.on_error(handler)
    try:
        ex.create_record(c.db.new_document("P").set("n", 1))
        ex.wait_completion()
    finally:
        ex.on_error(None)


def _raising_ok_hook(c):
    ex = c.db.async_executor()

    def hook(count):
        raise RuntimeError("on_ok hook broke")

    ex.on_ok(hook)
    try:
        ex.update_record(c.db.lookup_by_rid(c.p1.get_rid()).modify())  # rewrites the same values
        ex.wait_completion()
    finally:
        ex.on_ok(None)


def _close_twice(c):
    ex = c.db.async_executor()
    ex.close()
    ex.close()


def _closed_ex(c):
    if c.closed_ex is None:
        c.closed_ex = c.db.async_executor()
        c.closed_ex.close()
    return c.closed_ex


def _closed_rs():
    rs = ResultSet([Result({"a": 1})])
    rs.close()
    return rs


# --- closed database ------------------------------------------------------------------------------


# fmt: off
def closed_rows() -> list[tuple[str, Callable[[Any], Any]]]:
    """Every method of a closed database (and of what it handed out) must say "closed"."""
    calls: list[tuple[str, Callable[[Any], Any]]] = [
        ("Database.query", lambda c: c.db.query("sql", "SELECT FROM P")),
        ("Database.command", lambda c: c.db.command("sql", "SELECT FROM P")),
        ("Database.begin", lambda c: c.db.begin()),
        ("Database.commit", lambda c: c.db.commit()),
        ("Database.rollback", lambda c: c.db.rollback()),
        ("Database.transaction", lambda c: c.db.transaction()),
        ("Database.is_transaction_active", lambda c: c.db.is_transaction_active()),
        ("Database.new_document", lambda c: c.db.new_document("P")),
        ("Database.new_vertex", lambda c: c.db.new_vertex("V")),
        ("Database.new_edge_record", lambda c: c.db.new_edge_record("E")),
        ("Database.lookup_by_rid", lambda c: c.db.lookup_by_rid(c.p1.get_rid())),
        ("Database.lookup_by_key", lambda c: c.db.lookup_by_key("P", ["n"], [1])),
        ("Database.count_type", lambda c: c.db.count_type("P")),
        ("Database.iterate_type", lambda c: list(c.db.iterate_type("P"))),
        ("Database.schema", lambda c: c.db.schema),
        ("Database.get_schema", lambda c: c.db.get_schema()),
        ("Database.async_executor", lambda c: c.db.async_executor()),
        ("Database.batch_context", lambda c: c.db.batch_context()),
        ("Database.export_database", lambda c: c.db.export_database(os.path.join(c.root, "x.jsonl.gz"))),
        ("Database.export_to_csv", lambda c: c.db.export_to_csv("SELECT FROM P", os.path.join(c.root, "x.csv"))),
        ("Database.set_wal_flush", lambda c: c.db.set_wal_flush("yes_full")),
        ("Database.set_read_your_writes", lambda c: c.db.set_read_your_writes(True)),
        ("Database.set_auto_transaction", lambda c: c.db.set_auto_transaction(True)),
        ("Database.is_auto_transaction", lambda c: c.db.is_auto_transaction()),
        ("Database.drop", lambda c: c.db.drop()),
        ("Database.get_name", lambda c: c.db.get_name()),
        ("Database.get_database_path", lambda c: c.db.get_database_path()),
        ("Schema.get_types (schema taken before close)", lambda c: c.schema.get_types()),
        ("Schema.create_document_type (before close)", lambda c: c.schema.create_document_type("Z")),
        ("Schema.get_type (before close)", lambda c: c.schema.get_type("P")),
        ("Schema.create_index (before close)", lambda c: c.schema.create_index("P", ["name"])),
        ("Document.save (record read before close)", lambda c: c.p1.modify().set("n", 8).save()),
        ("Document.delete (record read before close)", lambda c: c.p1.delete()),
        ("Document.reload (record read before close)", lambda c: c.p1.reload()),
        ("Vertex.new_edge (vertex read before close)", lambda c: c.v1.new_edge("E", c.v2)),
        ("Vertex.get_edges (vertex read before close)", lambda c: c.v1.get_edges()),
        ("Vertex.get_vertices (vertex read before close)", lambda c: c.v1.get_vertices()),
        ("Vertex.count_edges (vertex read before close)", lambda c: c.v1.count_edges()),
        ("Edge.get_out (edge read before close)", lambda c: c.e1.get_out()),
        ("Edge.get_in (edge read before close)", lambda c: c.e1.get_in()),
        ("AsyncExecutor.create_record (executor made before close)", lambda c: c.ex.create_record(c.new_p)),
        ("AsyncExecutor.update_record (executor made before close)", lambda c: c.ex.update_record(c.p1.modify())),
        ("AsyncExecutor.delete_record (executor made before close)", lambda c: c.ex.delete_record(c.p1)),
        ("AsyncExecutor.command (executor made before close)", lambda c: c.ex.command("sql", "SELECT 1")),
        ("module.open_database (the folder, once closed, opens)", None),
    ]
    return calls
# fmt: on


# --- the runner -----------------------------------------------------------------------------------


class Ctx:
    """The database under test and the records rows refer to."""

    closed_ex = None


def setup(path: str) -> Ctx:
    c = Ctx()
    c.path = path
    c.root = os.path.dirname(path)
    c.other = os.path.join(c.root, "other")
    arcadedb.create_database(c.other).close()
    db = c.db = arcadedb.create_database(path)
    schema = db.schema
    schema.create_document_type("P")
    schema.create_property("P", "n", "INTEGER")
    schema.create_property("P", "name", "STRING")
    schema.create_index("P", ["n"], unique=True)
    schema.create_document_type("Base")
    schema.create_document_type("Sub", supertypes=["Base"])
    schema.create_vertex_type("V")
    schema.create_property("V", "k", "LONG")
    schema.create_index("V", ["k"], unique=True)
    schema.create_edge_type("E")
    with db.transaction():
        for n in range(1, 6):
            db.new_document("P").set("n", n).set("name", "dup" if n < 3 else f"p{n}").save()
        db.new_document("Sub").set("x", 1).save()
        v1 = db.new_vertex("V").set("k", 1).save()
        v2 = db.new_vertex("V").set("k", 2).save()
        v1.new_edge("E", v2, w=1)
    # Records that were saved in a transaction then rolled back: RIDs pointing at nothing.
    db.begin()
    c.ghost = db.new_document("P").set("n", 500).save()
    c.ghost_v = db.new_vertex("V").set("k", 500).save()
    db.rollback()
    c.p1 = db.lookup_by_key("P", ["n"], [1])
    c.p_id = c.p1.get_identity().bucket_id
    c.v1 = db.lookup_by_key("V", ["k"], [1])
    c.v2 = db.lookup_by_key("V", ["k"], [2])
    c.e1 = c.v1.get_edges("out")[0]
    c.ex = db.async_executor()
    return c


def snapshot(db) -> dict:
    schema = db.schema
    types = {}
    for t in schema.get_types():
        props = sorted((p.name, p.type, p.of_type, p.is_mandatory(), p.is_not_null(),
                        p.is_read_only()) for p in t.properties)  # fmt: skip
        types[t.name] = (type(t).__name__, tuple(t.supertypes), tuple(props))
    indexes = sorted((ix.name, ix.type_name, tuple(ix.properties), ix.unique)
                     for ix in schema.get_indexes())  # fmt: skip
    records = {}
    for name in types:
        for record in db.iterate_type(name, polymorphic=False):
            extra = ""
            if isinstance(record, arcadedb.Edge):
                extra = f"{record.get_out_rid()}->{record.get_in_rid()}"
            records[record.get_rid()] = (name, repr(record.to_dict()), extra)
    return {"types": types, "indexes": indexes, "records": records}


def _matches(outcome: BaseException | None, expected) -> bool:
    allowed = expected if isinstance(expected, tuple) else (expected,)
    if outcome is None:
        return None in allowed
    return any(e is not None and isinstance(outcome, e) for e in allowed)


def _name(expected) -> str:
    allowed = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join("no error" if e is None else e.__name__ for e in allowed)


def run(quick: bool = False, base: str | None = None, seed: int | None = None,
        keep: bool = False) -> bool:  # fmt: skip
    report = Report("badinput")
    use_sql = sql_available()
    report.figure("SQL rows", "run" if use_sql else "skipped (SQL not available yet)")
    with workdir(base, "badinput", keep) as root:
        c = setup(os.path.join(root, "db"))
        try:
            covered = _run_rows(report, c, use_sql)
            covered |= _run_closed(report, c)
        finally:
            c.db.close()
        _coverage(report, covered)
    return report.finish()


def _run_rows(report: Report, c: Ctx, use_sql: bool) -> set[str]:
    covered: set[str] = set()
    table = rows()
    ran = skipped = 0
    for row in table:
        if row.sql and not use_sql:
            skipped += 1
            continue
        ran += 1
        covered.add(row.covers)
        label = f"{row.covers} [{row.what}]"
        before = snapshot(c.db)
        outcome: BaseException | None = None
        result = None
        try:
            result = row.call(c)
        except BaseException as exc:  # the point of the table
            outcome = exc
        if not _matches(outcome, row.expected):
            report.fail(f"{label}: expected {_name(row.expected)}, got "
                        f"{'no error' if outcome is None else repr(outcome)}")  # fmt: skip
        elif (
            outcome is not None
            and row.contains
            and row.contains.lower() not in str(outcome).lower()
        ):
            report.fail(f"{label}: message {str(outcome)!r} does not mention {row.contains!r}")
        elif outcome is None and row.returns is not ... and result != row.returns:
            report.fail(f"{label}: returned {result!r}, expected {row.returns!r}")
        if c.db.is_transaction_active():
            report.fail(f"{label}: left a transaction open")
            while c.db.is_transaction_active():
                c.db.rollback()
        try:
            after = snapshot(c.db)
        except Exception as exc:
            report.fail(f"{label}: the database is unreadable afterwards: {exc!r}")
            continue
        if after != before:
            report.fail(f"{label}: the data changed: {_delta(before, after)}")
    report.figure("rows run", ran)
    report.figure("rows skipped (need SQL)", skipped)
    return covered


def _run_closed(report: Report, c: Ctx) -> set[str]:
    covered: set[str] = set()
    before = snapshot(c.db)
    c.schema = c.db.schema
    c.new_p = c.db.new_document("P").set("n", 70)
    c.ex = c.db.async_executor()
    c.db.close()
    c.db.close()  # idempotent
    covered.add("Database.close")
    report.check(not c.db.is_open(), "is_open() is True after close()")
    count = 0
    for name, call in closed_rows():
        if call is None:
            continue
        covered.add(name.split(" (")[0])
        count += 1
        try:
            call(c)
        except ArcadeDBError as exc:
            if "closed" not in str(exc):
                report.fail(f"closed database, {name}: message {str(exc)!r} lacks 'closed'")
        except BaseException as exc:
            report.fail(f"closed database, {name}: {exc!r} is not an ArcadeDBError")
        else:
            report.fail(f"closed database, {name}: no error")
    report.figure("closed-database rows run", count)
    # Nothing changed, and the folder opens again (a closed database is not a dead end).
    c.db = arcadedb.open_database(c.path)
    after = snapshot(c.db)
    report.check(after == before, f"a closed-database call changed data: {_delta(before, after)}")
    return covered


def _coverage(report: Report, covered: set[str]) -> None:
    from arcadelite.async_executor import AsyncExecutor
    from arcadelite.schema import Schema

    classes = {"Database": arcadedb.Database, "Document": arcadedb.Document,
               "Vertex": arcadedb.Vertex, "Edge": arcadedb.Edge, "Schema": Schema,
               "AsyncExecutor": AsyncExecutor, "ResultSet": ResultSet}  # fmt: skip
    public = {f"{n}.{m}" for n, cls in classes.items() for m in vars(cls)
              if not m.startswith("_")}  # fmt: skip
    missing = sorted(public - covered)
    report.figure("public methods reached", f"{len(public) - len(missing)}/{len(public)}")
    report.say(f"not reached by a bad-input row: {', '.join(missing) or 'none'}")


def _delta(before: dict, after: dict) -> str:
    parts = []
    for key in ("types", "indexes"):
        if before[key] != after[key]:
            parts.append(f"{key}: {before[key]!r} -> {after[key]!r}")
    b, a = before["records"], after["records"]
    if b != a:
        parts.append(f"records added {sorted(a.keys() - b.keys())[:5]}, removed "
                     f"{sorted(b.keys() - a.keys())[:5]}, changed "
                     f"{[k for k in a.keys() & b.keys() if a[k] != b[k]][:5]}")  # fmt: skip
    return "; ".join(parts)[:1000]


_ = threading  # (threads are used by the executor under test only)
