"""Query execution: AST -> plans -> rows, against a Store (a Database: model/store.py).

Layers inside (each module imports only those listed before it)::

    context.py     Ctx: what an expression sees (row, variables, parameters, the store)
    values.py      value semantics: field access, comparisons (three-valued), arithmetic
    paths.py       shortestPath() and dijkstra() over the adjacency indexes
    functions.py   SQL functions and methods (count, out, toUpperCase ...) and aggregates
    evaluate.py    Compiler: AST expressions -> closures ``f(ctx)``
    planner.py     SELECT -> plan: what SQLite does (storage.query IR), what Python does
    select.py      the SELECT pipeline (LET, WHERE, GROUP BY, projection, ORDER, SKIP, LIMIT)
    match.py       MATCH patterns; traverse.py: TRAVERSE
    statements/    the other statements: ddl, dml, graph, script (one HANDLERS table each)
    executor.py    Executor: one statement's session, parameters and dispatch
    runner.py      run(): parameters, parsing, read-only checks, error translation

Decisions: the engine imports nothing above it (no database, graph, results, schema,
async_executor, batch, importer, exporter, cli; tests/test_layers.py holds it to that): records
come from ``model.factory`` and the database is reached through the ``Store`` protocol, so
``IMPORT DATABASE`` calls ``Store._import_dump``. Plans are cached per statement and catalog
version and shared by every session, so what a plan runs finds its session in the ``Ctx``.
"""

from .runner import (
    SUPPORTED_LANGUAGES,
    bind_parameters,
    describe_match,
    execute_match,
    execute_traverse,
    run,
)

__all__ = ["SUPPORTED_LANGUAGES", "bind_parameters", "describe_match", "execute_match",
           "execute_traverse", "run"]  # fmt: skip
