"""Running statements: ``run`` is what ``Database.query``/``command`` call.

It binds parameters, parses (``sql``: one statement, ``sqlscript``: a script), refuses writes in
a read-only ``query()``, runs the statements through an ``Executor`` and turns any internal
error into a QueryError (SQLite's into storage's ArcadeDBErrors). ``execute_match``,
``describe_match`` and ``execute_traverse`` run those statements outside a query, for tests and
tools.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..exceptions import ArcadeDBError, QueryError, ValidationError
from ..model.results import ResultSet
from ..sql import ast as a
from ..sql import parse, parse_script
from ..storage import storage_error
from .cypher import run_cypher
from .executor import Executor, is_write
from .statements.script import run_script

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..model.results import Result
    from ..model.store import Store
    from ..storage import Session
    from .context import Ctx

SUPPORTED_LANGUAGES = ("sql", "sqlscript", "cypher", "opencypher")
CYPHER_LANGUAGES = ("cypher", "opencypher")


def _plain_param(value: Any) -> Any:
    """Parameters as the engine stores them: numpy arrays become lists, numpy scalars numbers."""
    if isinstance(value, (str, int, float, bool, bytes)) or value is None:
        return value
    if isinstance(value, tuple):
        return [_plain_param(v) for v in value]
    if isinstance(value, list):
        return [_plain_param(v) for v in value]
    tolist = getattr(value, "tolist", None)
    if tolist is not None and type(value).__module__.startswith("numpy"):
        return _plain_param(tolist())
    return value


def bind_parameters(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """Positional values fill ``?``; a single dict argument, or keyword arguments, fill ``:name``."""
    named: dict[Any, Any] = {}
    positional: tuple = ()
    if len(args) == 1 and isinstance(args[0], dict):
        named.update(args[0])
        positional = (_plain_param(args[0]),)  # and `?` takes the map itself (CONTENT ?)
    elif args:
        positional = tuple(_plain_param(v) for v in args)
    if kwargs:
        named.update(kwargs)
    if named:
        named = {k: _plain_param(v) for k, v in named.items()}
        for key in list(named):  # {"0": v} or {0: v} also fill the first "?"
            if isinstance(key, str) and key.isdigit():
                named.setdefault(int(key), named[key])
    return positional, named


def run(db: Store, language: str, text: str, args: tuple = (), kwargs: dict | None = None,
        read_only: bool = False, session: Session | None = None) -> ResultSet:  # fmt: skip
    """Run one statement (``sql``) or a script (``sqlscript``) and return its rows."""
    if not isinstance(language, str):
        raise TypeError(f"language must be a str such as 'sql', got {type(language).__name__}")
    if not isinstance(text, str):
        raise TypeError(f"the statement must be a str, got {type(text).__name__}")
    lang = language.strip().lower()
    if lang not in SUPPORTED_LANGUAGES:
        raise ArcadeDBError(
            f"Unknown query language '{language}': supported languages are "
            f"{', '.join(SUPPORTED_LANGUAGES)}"
        )
    storage = db._live_storage()
    if session is None:
        session = storage.session()
    try:
        positional, named = bind_parameters(args, kwargs or {})
    except RecursionError:
        raise ValidationError(
            "A parameter nests lists or maps too deeply to store (the limit is 254 levels)"
        ) from None

    try:
        if lang in CYPHER_LANGUAGES:
            executor = Executor(db, storage, session, positional, named)
            rows = run_cypher(executor, text, named, read_only)
        elif lang == "sql":
            statement = parse(text)
            if read_only and is_write(statement):
                raise QueryError(
                    f"Query '{text.strip()}' is not idempotent (it changes the database): "
                    "use db.command() instead of db.query()"
                )
            executor = Executor(db, storage, session, positional, named)
            rows = run_script(executor, [statement])
        else:
            statements = parse_script(text)
            if read_only and any(is_write(s) for s in statements):
                raise QueryError("This script changes the database: use db.command()")
            rows = run_script(Executor(db, storage, session, positional, named), statements)
    except ArcadeDBError:
        raise
    except RecursionError:
        raise QueryError("The statement nests too deeply to run") from None
    except Exception as exc:  # no internal error escapes a statement
        translated = storage_error(exc)
        if translated is not None:
            raise translated from exc
        raise QueryError(
            f"Internal error while running {text.strip()[:200]!r}: {type(exc).__name__}: {exc}"
        ) from exc
    return ResultSet(rows)


def execute_match(db: Store, stmt: a.Match | str, *args: Any, **kwargs: Any) -> list[Result]:
    """Run a MATCH statement (AST or text) with ``?``/``:name`` parameters, outside db.query."""
    from .match import run_match  # MATCH's planner loads on first use (start-up time)

    return _standalone(db, stmt, args, kwargs, run_match)


def describe_match(db: Store, stmt: a.Match | str) -> list[str]:
    """The search order MATCH plans for a statement, one line per step (for EXPLAIN)."""
    from .match import describe

    return _standalone(db, stmt, (), {}, describe)


def execute_traverse(db: Store, stmt: a.Traverse | str, *args: Any,
                     **kwargs: Any) -> list[Result]:  # fmt: skip
    """Run a TRAVERSE statement (AST or text) with ``?``/``:name`` parameters, outside db.query."""
    from .traverse import run_traverse  # loads on first use (start-up time)

    return _standalone(db, stmt, args, kwargs, run_traverse)


def _standalone(db: Store, stmt: Any, args: tuple, kwargs: dict,
                handler: Callable[[Executor, Any, Ctx], Any]) -> Any:  # fmt: skip
    storage = db._live_storage()
    positional, named = bind_parameters(args, kwargs)
    ex = Executor(db, storage, storage.session(), positional, named)
    return handler(ex, parse(stmt) if isinstance(stmt, str) else stmt, ex.ctx)


__all__ = ["SUPPORTED_LANGUAGES", "bind_parameters", "describe_match", "execute_match",
           "execute_traverse", "run"]  # fmt: skip
