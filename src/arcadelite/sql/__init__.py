"""ArcadeDB's SQL dialect: text → typed AST (no execution, no storage).

>>> from arcadelite.sql import parse, ast
>>> parse("SELECT FROM Person WHERE age > ?").where
Comparison(op='>', left=Identifier(name='age'), right=Param(key=0))

The grammar (``grammar.lark``) is the readable spec of the dialect; `ast` holds the node types.
"""

from arcadelite.sql import ast
from arcadelite.sql.parser import clear_cache, parse, parse_script

__all__ = ["ast", "clear_cache", "parse", "parse_script"]
