"""openCypher for arcadelite: the grammar (grammar.lark), the typed AST and the parser."""

from arcadelite.cypher.parser import clear_cache, parse

__all__ = ["clear_cache", "parse"]
