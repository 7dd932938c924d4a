"""Cypher execution: ``run_cypher`` runs one parsed statement and returns its rows.

Layers inside: values.py (value semantics), evaluate.py (expressions, functions, aggregates),
graph.py (nodes and relationships over storage; writes through the SQL engine's record writes),
engine.py (the clauses). Labels are vertex types, relationship types edge types; both are
created on first use, as ArcadeDB does.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from ...cypher import ast as c
from ...cypher import parse
from ...exceptions import QueryError
from ...model.records import Document
from ...model.results import Result
from .check import CypherSemanticError, check
from .engine import Engine
from .graph import Graph
from .values import output

if TYPE_CHECKING:
    from ..executor import Executor


class CypherRow(Result):
    """A Cypher result row: named values; a row of one node or relationship is also an element
    row (``get_element()``, ``get_rid()``) while its value stays keyed by the column."""

    __slots__ = ()

    def _source(self) -> dict[str, Any]:
        return self._data  # type: ignore[return-value]  # Cypher rows always carry data

    def get(self, name: str, default: Any = None) -> Any:
        return self._data.get(name, default)  # type: ignore[union-attr]  # Cypher rows always carry data

    def to_dict(self, convert_types: bool = True) -> dict[str, Any]:
        return dict(self._data)  # type: ignore[arg-type]  # Cypher rows always carry data


@functools.lru_cache(maxsize=1024)
def prepare(text: str) -> tuple[c.Statement, bool]:
    """The statement, parsed and checked (cached by text), and whether it writes."""
    statement = parse(text)
    check(statement)
    return statement, c.is_updating(statement)


def run_cypher(executor: Executor, text: str, params: dict[Any, Any],
               read_only: bool) -> list[Result]:  # fmt: skip
    """Parse (cached) and run one Cypher statement; writes run in one savepoint."""
    statement, updating = prepare(text)
    if read_only and updating:
        raise QueryError(
            f"Query '{text.strip()}' is not idempotent (it changes the database): "
            "use db.command() instead of db.query()"
        )
    engine = Engine(Graph(executor), params)
    if updating:
        with executor.write_scope():
            columns, rows = engine.run(statement)
            return _results(columns, rows)
    columns, rows = engine.run(statement)
    return _results(columns, rows)


def _results(columns: list[str], rows: list[dict[str, Any]]) -> list[Result]:
    out: list[Result] = []
    single = len(columns) == 1
    for row in rows:
        data = {name: output(row.get(name)) for name in columns}
        element = row.get(columns[0]) if single else None
        out.append(CypherRow(data, element if isinstance(element, Document) else None))
    return out


__all__ = ["CypherRow", "CypherSemanticError", "prepare", "run_cypher"]
