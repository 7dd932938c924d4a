"""ArcadeDB's SQL dialect: text → typed AST (no execution, no storage).

>>> from arcadelite.sql import parse, ast
>>> parse("SELECT FROM Person WHERE age > ?").where
Comparison(op='>', left=Identifier(name='age'), right=Param(key=0))

The grammar (``grammar.lark``) is the readable spec of the dialect; `ast` holds the node types.

Layering: the only package that knows SQL text. It imports nothing of arcadelite but the
foundation (exceptions, and the type vocabulary for ``CREATE PROPERTY``/``CREATE INDEX``); the
query engine consumes its AST. A second language (Cypher) belongs beside it, producing its own
AST for the same engine.
"""

from arcadelite.sql import ast
from arcadelite.sql.parser import clear_cache, parse, parse_script

__all__ = ["ast", "clear_cache", "parse", "parse_script"]
