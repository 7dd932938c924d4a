"""arcadelite: ArcadeDB's embedded Python API and SQL, natively in Python on SQLite.

    import arcadelite as arcadedb
    with arcadedb.create_database("./mydb") as db:
        ...

Layers, top to bottom (each imports only those below it; tests/test_layers.py holds it):

    public API   database (the Store) · schema · transactions · cli · bulk/ · io/
    languages    sql/ (text -> AST)
    query        query/ (AST -> plans -> rows)
    model        model/ (records, results, the record factory, the Store protocol)
    storage      storage/ (the only package that talks to SQLite)
    foundation   exceptions · rid · vocabulary · version

``import arcadelite`` stays cheap: the query engine, the bulk writers and import/export load on
first use (the executor, batch, importer and exporter names below resolve lazily).
"""

from . import exceptions, graph, results, schema, transactions, type_conversion
from .database import Database, DatabaseFactory, create_database, database_exists, open_database
from .exceptions import (
    ArcadeDBError,
    AsyncCallbackError,
    AsyncExecutionError,
    AsyncOperationError,
    DatabaseClosedError,
    DatabaseCorruptError,
    DatabaseForkedError,
    DatabaseLockedError,
    DiskFullError,
    DuplicatedKeyError,
    ParseError,
    QueryError,
    ReadOnlyDatabaseError,
    RecordNotFoundError,
    SchemaError,
    TransactionError,
    ValidationError,
    VectorError,
)
from .graph import Document, Edge, Vertex
from .results import Result, ResultSet
from .rid import RID
from .schema import IndexType, PropertyType, Schema
from .transactions import TransactionContext
from .type_conversion import convert_java_to_python, convert_python_to_java
from .version import __version__


def _submodule(name: str):
    # import_module, not `from . import name`: the latter looks the name up on this package
    # first, which calls __getattr__ again (infinite recursion)
    import importlib

    return importlib.import_module(f"{__name__}.{name}")


def __getattr__(name: str):  # lazy: keep `import arcadelite` fast
    if name in ("AsyncExecutor", "async_executor"):
        async_executor = _submodule("async_executor")

        return async_executor if name == "async_executor" else async_executor.AsyncExecutor
    if name in ("BatchContext", "batch"):
        batch = _submodule("batch")

        return batch if name == "batch" else batch.BatchContext
    if name in ("Importer", "import_csv", "importer"):
        importer = _submodule("importer")

        return importer if name == "importer" else getattr(importer, name)
    if name in ("to_java_float_array", "to_python_array", "compat"):
        compat = _submodule("compat")

        return compat if name == "compat" else getattr(compat, name)
    if name in ("export_database", "export_to_csv", "exporter"):
        exporter = _submodule("exporter")

        return exporter if name == "exporter" else getattr(exporter, name)
    if name in ("create_server", "ArcadeDBServer", "server"):
        server = _submodule("server")

        return server if name == "server" else getattr(server, name)
    if name in ("connect", "remote"):
        remote = _submodule("remote")

        return remote if name == "remote" else remote.connect
    raise AttributeError(f"module 'arcadelite' has no attribute {name!r}")


__all__ = [
    "ArcadeDBError", "Database", "DatabaseFactory", "Document", "Vertex", "Edge", "ResultSet",
    "Result", "Schema", "IndexType", "PropertyType", "TransactionContext", "AsyncExecutor",
    "BatchContext", "Importer", "import_csv", "export_database", "export_to_csv",
    "convert_python_to_java", "convert_java_to_python", "create_database", "open_database",
    "database_exists", "RID", "exceptions", "graph", "results", "schema", "transactions",
    "type_conversion", "__version__", "AsyncCallbackError", "AsyncExecutionError",
    "AsyncOperationError", "DatabaseClosedError", "DatabaseForkedError", "DatabaseLockedError",
    "DuplicatedKeyError", "ParseError", "QueryError", "RecordNotFoundError", "SchemaError",
    "TransactionError", "ValidationError", "VectorError", "to_java_float_array", "to_python_array",
    "DiskFullError", "ReadOnlyDatabaseError", "DatabaseCorruptError",
]  # fmt: skip
