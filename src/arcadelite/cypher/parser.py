"""Cypher text → AST: `parse` one statement.

The grammar lives in ``grammar.lark`` (the readable spec of the dialect); this module builds the
Lark LALR parser once, on first use, and turns reductions directly into `arcadelite.cypher.ast`
nodes (an embedded transformer: no intermediate parse tree). Results are cached by statement text;
parameters (``$name``) stay in the AST and bind at execution, so a repeated statement costs one
dictionary lookup. Every failure surfaces as `ParseError` carrying the line, column and token.
"""

from __future__ import annotations

import functools
import gc
import os
import threading
from typing import Any, NoReturn

from arcadelite.cypher import ast as a
from arcadelite.exceptions import ParseError
from arcadelite.lark_cache import (
    Parser,
    Token,
    UnexpectedCharacters,
    UnexpectedInput,
    UnexpectedToken,
    load_parser,
)
from arcadelite.sql.parser import (  # the pieces both languages' front ends share
    MAX_NESTING,
    _check_nesting,
    _position,
    _TokenRecorder,
    _where,
)

GRAMMAR_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "grammar.lark")
LARK_OPTIONS = {"start": "start", "maybe_placeholders": True}
"""Lark's options for the grammar (the tables are built with these; see arcadelite.lark_cache)."""
CACHE_SIZE = 1024

MAX_INT = 2**63 - 1
"""Integers are 64-bit, as in every Cypher implementation; larger literals are errors."""

QUANTIFIERS = frozenset({"all", "any", "none", "single"})
SHORTEST = {"shortestpath": "shortest", "allshortestpaths": "all"}
PATTERN_ARGUMENT_FUNCTIONS = frozenset({"exists", *SHORTEST})
"""Functions whose argument may be a pattern (elsewhere a pattern is a WHERE predicate only)."""

_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", "'": "'", '"': '"', "\\": "\\"}
_HEX = frozenset("0123456789abcdefABCDEF")

_TERMINAL_LABELS = {
    "NAME": "a name",
    "QUOTED_NAME": "a `quoted name`",
    "QUALIFIED_NAME": "a function",
    "FUNCTION_NAME": "shortestPath(",
    "PARAM": "a $parameter",
    "INT": "an integer",
    "FLOAT": "a number",
    "STRING": "a string",
    "EXISTS_BRACE": "EXISTS {",
    "COUNT_BRACE": "COUNT {",
    "REL_OPEN": "'-['",
    "REL_OPEN_LEFT": "'<-['",
    "REL_CLOSE_RIGHT": "'->'",
    "REL_LEFT_BOTH": "'<-->'",
    "REL_LEFT": "'<--'",
    "REL_BOTH": "'--'",
    "REL_RIGHT": "'-->'",
    "RANGE": "'..'",
    "$END": "end of input",
}
_MAX_EXPECTED_SHOWN = 20


class _Builder:
    """Embedded Lark transformer: one method per grammar rule or alias, each returning AST."""

    def __init__(self, recorder: _TokenRecorder) -> None:
        self.recorder = recorder
        self.text = ""
        # integer literals equal to 2**63: valid only when negated (-9223372036854775808)
        self.pending_min_int: list[tuple[a.Literal, Token]] = []
        # pattern predicates built, with their first token: checked for placement at the end
        self.pattern_predicates: list[tuple[a.PatternPredicate, Token | None]] = []

    def reset(self, text: str) -> None:
        self.text = text
        self.pending_min_int = []
        self.pattern_predicates = []
        self.recorder.tokens = []
        self.recorder.eof = False

    def fail(self, token: Token | None, message: str) -> NoReturn:
        """Raise a ParseError pointing at token (or the start of the statement)."""
        line = getattr(token, "line", None) or 1
        column = getattr(token, "column", None) or 1
        raise ParseError(
            f"{message} at line {line}, column {column}{_where(self.text, line, column)}",
            text=self.text,
            line=line,
            column=column,
            token=str(token) if token is not None else None,
        )

    def last_token(self) -> Token | None:
        tokens = self.recorder.tokens
        return tokens[-1] if tokens else None

    # ------------------------------------------------------------------------ statements

    def start(self, c: list[Any]) -> a.Statement:
        return c[0]

    def explain(self, c: list[Any]) -> a.Explain:
        return a.Explain(c[0])

    def profile(self, c: list[Any]) -> a.Profile:
        return a.Profile(c[0])

    def union_query(self, c: list[Any]) -> a.Union:
        queries = tuple(c[0::2])
        kinds = c[1::2]
        if len(set(kinds)) > 1:
            self.fail(self.last_token(), "UNION and UNION ALL cannot be mixed in one query")
        return a.Union(queries, all=kinds[0])

    def union(self, c: list[Any]) -> bool:
        return c[0] is not None

    def single_query(self, c: list[Any]) -> a.SingleQuery:
        for clause in c[:-1]:
            if isinstance(clause, a.Return):
                self.fail(self.last_token(), "RETURN can only be the last clause of a query")
        if len(c) > 1 and any(isinstance(x, a.Call) and x.yield_all for x in c):
            self.fail(self.last_token(), "YIELD * is only allowed in a query of one CALL")
        return a.SingleQuery(tuple(c))

    # ------------------------------------------------------------------------ reading clauses

    def match(self, c: list[Any]) -> a.Match:
        optional, patterns, where = c
        return a.Match(patterns, where, optional is not None)

    def unwind(self, c: list[Any]) -> a.Unwind:
        return a.Unwind(c[0], c[1])

    def where(self, c: list[Any]) -> a.Expr | None:
        return c[0] if c else None

    # ------------------------------------------------------------------------ projections

    def with_(self, c: list[Any]) -> a.With:
        return a.With(**c[0], where=c[1])

    def return_(self, c: list[Any]) -> a.Return:
        return a.Return(**c[0])

    def projection_body(self, c: list[Any]) -> dict[str, Any]:
        distinct, (star, items), order_by, skip, limit = c
        return {
            "items": items,
            "star": star,
            "distinct": distinct is not None,
            "order_by": order_by,
            "skip": skip,
            "limit": limit,
        }

    def project_star(self, c: list[Any]) -> tuple[bool, tuple[a.ProjectionItem, ...]]:
        return True, tuple(c)

    def projection_items(self, c: list[Any]) -> tuple[bool, tuple[a.ProjectionItem, ...]]:
        return False, tuple(c)

    def pmark(self, c: list[Any]) -> int:
        # Reduced with the projection's first token as lookahead: the last token recorded.
        return len(self.recorder.tokens) - 1

    def projection(self, c: list[Any]) -> a.ProjectionItem:
        start, expr, alias = c
        tokens = self.recorder.tokens
        # The lookahead that triggered this reduction is the last recorded token (none at EOF);
        # with an alias, "AS alias" sits between the expression and the lookahead.
        end = len(tokens) - (1 if self.recorder.eof else 2) - (2 if alias is not None else 0)
        text = self.text[tokens[start].start_pos : tokens[end].end_pos]
        return a.ProjectionItem(expr, alias, text)

    def order_by(self, c: list[Any]) -> tuple[a.SortItem, ...]:
        return tuple(c)

    def sort_asc(self, c: list[Any]) -> a.SortItem:
        return a.SortItem(c[0], False)

    def sort_desc(self, c: list[Any]) -> a.SortItem:
        return a.SortItem(c[0], True)

    def skip(self, c: list[Any]) -> a.Expr | None:
        return c[0] if c else None

    limit = skip

    # ------------------------------------------------------------------------ updating clauses

    def create(self, c: list[Any]) -> a.Create:
        return a.Create(c[0])

    def merge(self, c: list[Any]) -> a.Merge:
        on_create: list[Any] = []
        on_match: list[Any] = []
        for kind, items in c[1:]:
            (on_create if kind == "create" else on_match).extend(items)
        return a.Merge(c[0], tuple(on_create), tuple(on_match))

    def on_match(self, c: list[Any]) -> tuple[str, list[Any]]:
        return "match", c

    def on_create(self, c: list[Any]) -> tuple[str, list[Any]]:
        return "create", c

    def set_(self, c: list[Any]) -> a.SetClause:
        return a.SetClause(tuple(c))

    def set_equals(self, c: list[Any]) -> a.SetItem:
        target, value = c
        if isinstance(target, a.Property):
            return a.SetProperty(target, value)
        if isinstance(target, a.Variable):
            return a.SetAllProperties(target.name, value)
        self.fail(self.last_token(), "SET needs a property (n.key = value) or a variable (n = map)")

    def set_merge(self, c: list[Any]) -> a.MergeProperties:
        return a.MergeProperties(self.variable_of(c[0], "SET ... +="), c[1])

    def set_labels(self, c: list[Any]) -> a.SetLabels:
        return a.SetLabels(self.variable_of(c[0], "SET n:Label"), c[1])

    def remove(self, c: list[Any]) -> a.Remove:
        return a.Remove(tuple(c))

    def remove_property(self, c: list[Any]) -> a.RemoveProperty:
        if not isinstance(c[0], a.Property):
            self.fail(self.last_token(), "REMOVE needs a property (n.key) or labels (n:Label)")
        return a.RemoveProperty(c[0])

    def remove_labels(self, c: list[Any]) -> a.RemoveLabels:
        return a.RemoveLabels(self.variable_of(c[0], "REMOVE n:Label"), c[1])

    def variable_of(self, expr: a.Expr, what: str) -> str:
        if not isinstance(expr, a.Variable):
            self.fail(self.last_token(), f"{what} needs a variable on its left")
        return expr.name

    def delete(self, c: list[Any]) -> a.Delete:
        return a.Delete(tuple(c[1:]), c[0] is not None)

    def foreach(self, c: list[Any]) -> a.Foreach:
        return a.Foreach(c[0], c[1], tuple(c[2:]))

    # ------------------------------------------------------------------------ procedures

    def call(self, c: list[Any]) -> a.Call:
        name, arguments, yielded = c
        items, yield_all, where = yielded if yielded is not None else ((), False, None)
        return a.Call(name, arguments, items, yield_all, where)

    def procedure_name(self, c: list[Any]) -> str:
        return ".".join(str(token) for token in c)

    def procedure_args(self, c: list[Any]) -> tuple[a.Expr, ...]:
        return tuple(item for item in c if item is not None)

    def yield_star(self, c: list[Any]) -> tuple[tuple[a.YieldItem, ...], bool, None]:
        return (), True, None

    def yield_(self, c: list[Any]) -> tuple[tuple[a.YieldItem, ...], bool, a.Expr | None]:
        return tuple(c[:-1]), False, c[-1]

    def yield_item(self, c: list[Any]) -> a.YieldItem:
        return a.YieldItem(c[0], c[1])

    def call_subquery(self, c: list[Any]) -> a.CallSubquery:
        return a.CallSubquery(c[0])

    # ------------------------------------------------------------------------ patterns

    def pattern(self, c: list[Any]) -> tuple[a.PathPattern, ...]:
        return tuple(c)

    def pattern_part(self, c: list[Any]) -> a.PathPattern:
        return a.PathPattern(c[1], c[0])

    def shortest_part(self, c: list[Any]) -> a.PathPattern:
        variable, function, elements = c
        if len(elements) != 3:
            self.fail(function, f"{function} needs a pattern of exactly one relationship")
        return a.PathPattern(elements, variable, SHORTEST[function.lower()])

    def path(self, c: list[Any]) -> tuple[a.NodePattern | a.RelationshipPattern, ...]:
        return tuple(c)

    def node_pattern(self, c: list[Any]) -> a.NodePattern:
        return a.NodePattern(c[0], c[1] or (), c[2])

    def labels(self, c: list[Any]) -> tuple[str, ...]:
        return tuple(c)

    def rel_left_detail(self, c: list[Any]) -> a.RelationshipPattern:
        return self.relationship(c[1], "both" if len(c) == 3 else "in")

    def rel_both_detail(self, c: list[Any]) -> a.RelationshipPattern:
        return self.relationship(c[1], "both")

    def rel_right_detail(self, c: list[Any]) -> a.RelationshipPattern:
        return self.relationship(c[1], "out")

    def rel_both(self, c: list[Any]) -> a.RelationshipPattern:
        return a.RelationshipPattern(direction="both")

    def rel_left(self, c: list[Any]) -> a.RelationshipPattern:
        return a.RelationshipPattern(direction="in")

    def rel_right(self, c: list[Any]) -> a.RelationshipPattern:
        return a.RelationshipPattern(direction="out")

    def relationship(self, detail: list[Any], direction: str) -> a.RelationshipPattern:
        variable, types, length, properties = detail
        return a.RelationshipPattern(variable, types or (), direction, length, properties)

    def rel_detail(self, c: list[Any]) -> list[Any]:
        return c

    def rel_types(self, c: list[Any]) -> tuple[str, ...]:
        return tuple(c)

    def var_length(self, c: list[Any]) -> a.VarLength:
        low, dots, high = c
        low_value = self.to_int(low) if low is not None else None
        if dots is None:  # *n is exactly n; * alone is unbounded
            return a.VarLength(low_value, low_value)
        return a.VarLength(low_value, self.to_int(high) if high is not None else None)

    # A pattern in an expression: its first node was parsed as "(" expr ")" or a near form.

    def pattern_from_expr(self, c: list[Any]) -> a.PatternPredicate:
        return self.pattern_predicate(self.node_from_expr(c[0]), c[1:])

    def pattern_from_empty(self, c: list[Any]) -> a.PatternPredicate:
        return self.pattern_predicate(a.NodePattern(), c)

    def pattern_from_labels(self, c: list[Any]) -> a.PatternPredicate:
        return self.pattern_predicate(a.NodePattern(None, c[0], c[1]), c[2:])

    def pattern_from_node(self, c: list[Any]) -> a.PatternPredicate:
        name = self.variable_of(c[0], "A node pattern")
        return self.pattern_predicate(a.NodePattern(name, c[1], c[2]), c[3:])

    def pattern_from_node_param(self, c: list[Any]) -> a.PatternPredicate:
        return self.pattern_predicate(a.NodePattern(c[0].name, (), c[1]), c[2:])

    def pattern_predicate(self, first: a.NodePattern, rest: list[Any]) -> a.PatternPredicate:
        node = a.PatternPredicate(a.PathPattern((first, *rest)))
        self.pattern_predicates.append((node, self.pattern_start(len(rest) // 2 + 1)))
        return node

    def pattern_start(self, node_count: int) -> Token | None:
        """The first token of the pattern just reduced: the "(" opening its first node.

        Walks the recorded tokens backwards (skipping the lookahead) over balanced brackets,
        counting node patterns, which are the parenthesised groups at the pattern's own level.
        """
        tokens = self.recorder.tokens
        depth = 0
        end = len(tokens) - (0 if self.recorder.eof else 1)
        for index in range(end - 1, -1, -1):
            kind = tokens[index].type
            if kind in _CLOSERS:
                depth += 1
            elif kind in _OPENERS:
                depth -= 1
                if depth == 0 and kind == "LPAR":
                    node_count -= 1
                    if node_count == 0:
                        return tokens[index]
        return None

    def node_from_expr(self, expr: a.Expr) -> a.NodePattern:
        """(n), (n:L), (n {k: v}) read as expressions, turned into the node pattern they are."""
        match expr:
            case a.Variable(name):
                return a.NodePattern(name)
            case a.HasLabels(a.Variable(name), labels):
                return a.NodePattern(name, labels)
            case a.MapProjection(a.Variable(name), selectors) if all(
                isinstance(s, tuple) for s in selectors
            ):
                return a.NodePattern(name, (), a.MapLiteral(selectors))  # type: ignore[arg-type]  # checked: all pairs
            case a.MapLiteral() | a.Parameter():
                return a.NodePattern(None, (), expr)
        self.fail(self.last_token(), "A pattern must start with a node, such as (n) or (n:Label)")

    def pattern_subquery(self, c: list[Any]) -> a.SingleQuery:
        return a.SingleQuery((a.Match(c[0], c[1]),))

    def exists_subquery(self, c: list[Any]) -> a.ExistsSubquery:
        return a.ExistsSubquery(self.read_only(c[0], c[1]))

    def count_subquery(self, c: list[Any]) -> a.CountSubquery:
        return a.CountSubquery(self.read_only(c[0], c[1]))

    def read_only(self, keyword: Token, query: a.Statement) -> a.Statement:
        if a.is_updating(query):
            self.fail(keyword, f"{keyword.upper()} {{...}} cannot contain updating clauses")
        return query

    # ------------------------------------------------------------------------ expressions

    def expr(self, c: list[Any]) -> a.Expr:
        if len(c) == 1 and not isinstance(c[0], _Operand):
            return c[0]  # the common case: one operand, no operator
        stream: list[tuple[str, Any]] = []
        for index, item in enumerate(c):
            if index % 2:
                stream.append(("binary", item))
            elif isinstance(item, _Operand):
                stream.extend(("prefix", op) for op in item.prefixes)
                stream.append(("value", item.value))
                stream.extend(("postfix", op) for op in item.suffixes)
            else:
                stream.append(("value", item))
        return _Folder(self, stream).fold()

    def operand(self, c: list[Any]) -> Any:
        if len(c) == 1:
            return c[0]
        index = next(i for i, item in enumerate(c) if not isinstance(item, _Op))
        return _Operand(tuple(c[:index]), c[index], tuple(c[index + 1 :]))

    def prefix_op(self, c: list[Any]) -> _Op:
        return _Op(c[0].upper(), c[0])

    def null_test(self, c: list[Any]) -> _Op:
        return _Op("IS NOT NULL" if len(c) == 3 else "IS NULL", c[0])

    def binary_op(self, c: list[Any]) -> _Op:
        text = " ".join(token.upper() for token in c)
        return _Op("<>" if text == "!=" else text, c[0])

    def prefix(self, op: _Op, operand: a.Expr) -> a.Expr:
        if op.name == "NOT":
            return a.Not(operand)
        if _is_number(operand):  # -5 is the literal -5
            if op.name == "+":
                return operand
            self.pending_min_int = [p for p in self.pending_min_int if p[0] is not operand]
            return a.Literal(-operand.value)  # type: ignore[attr-defined]  # _is_number: a Literal
        return a.UnaryOp(op.name, operand)

    def binary(self, op: str, left: a.Expr, right: a.Expr) -> a.Expr:
        kind = _BINARY_NODES[op]
        if kind is a.Or or kind is a.Xor or kind is a.And:
            return kind(_flatten(kind, [left, right]))
        if kind is a.StringPredicate:
            return a.StringPredicate(op, left, right)
        if kind is a.In:
            return a.In(left, right)
        return a.BinaryOp(op, left, right)

    def has_labels(self, c: list[Any]) -> a.HasLabels:
        return a.HasLabels(c[0], c[1])

    def lookup(self, c: list[Any]) -> a.Property:
        return a.Property(c[0], c[1])

    def subscript(self, c: list[Any]) -> a.Subscript:
        return a.Subscript(c[0], c[1])

    def slice_range(self, c: list[Any]) -> a.Slice:
        return a.Slice(c[0], c[1], c[3])

    # ------------------------------------------------------------------------ calls

    def case_expr(self, c: list[Any]) -> a.Case:
        return a.Case(c[0], tuple(c[1:-1]), c[-1])

    def case_when(self, c: list[Any]) -> tuple[a.Expr, a.Expr]:
        return c[0], c[1]

    def function_call(self, c: list[Any]) -> a.FunctionCall:
        name, distinct, *args = c
        args = [arg for arg in args if arg is not None]
        if distinct is not None and not args:
            self.fail(distinct, f"{name}(DISTINCT) needs an argument")
        return a.FunctionCall(name.lower(), tuple(args), distinct is not None)

    def count_star(self, c: list[Any]) -> a.CountStar:
        if c[0].lower() != "count":
            self.fail(c[0], f"Only count(*) takes '*', not {c[0]}(*)")
        return a.CountStar()

    def quantifier(self, c: list[Any]) -> a.Expr:
        name, head, where = c
        kind = name.lower()
        variable, source = self.iteration(name, head)
        if kind in QUANTIFIERS:
            return a.Quantifier(kind, variable, source, where)
        if kind == "filter":  # Cypher 9's filter(x IN l WHERE p)
            return a.ListComprehension(variable, source, where)
        self.fail(
            name, f"{name}(x IN list WHERE ...) is not a function (use all, any, none, single)"
        )

    def extract(self, c: list[Any]) -> a.ListComprehension:
        name, head, projection = c
        if name.lower() != "extract":
            self.fail(
                name, f"{name}(x IN list | ...) is not a function (use extract or [x IN ...])"
            )
        variable, source = self.iteration(name, head)
        return a.ListComprehension(variable, source, None, projection)

    def reduce(self, c: list[Any]) -> a.Reduce:
        name, init, head, expression = c
        if name.lower() != "reduce":
            self.fail(name, f"{name}(acc = init, x IN list | ...) is not a function (use reduce)")
        match init:
            case a.Comparison("=", a.Variable(accumulator), initial):
                pass
            case _:
                self.fail(name, "reduce() starts with accumulator = initial value")
        variable, source = self.iteration(name, head)
        return a.Reduce(accumulator, initial, variable, source, expression)

    def iteration(self, at: Token | None, head: a.Expr) -> tuple[str, a.Expr]:
        """The (variable, source) of ``variable IN source``."""
        match head:
            case a.In(a.Variable(variable), source):
                return variable, source
        self.fail(at, "Expected 'variable IN list'")

    # ------------------------------------------------------------------------ lists and maps

    def list_literal(self, c: list[Any]) -> a.Expr:
        items = tuple(item for item in c if item is not None)
        match items:  # [x IN list] is a comprehension, as on ArcadeDB
            case (a.In(a.Variable(variable), source),):
                return a.ListComprehension(variable, source)
        return a.ListLiteral(items)

    def comprehension(self, c: list[Any]) -> a.Expr:
        return self.comprehend(c[0], c[1], c[2])

    def comprehension_projection(self, c: list[Any]) -> a.Expr:
        return self.comprehend(c[0], None, c[1])

    def comprehend(self, head: a.Expr, where: a.Expr | None, projection: a.Expr | None) -> a.Expr:
        match head:
            case a.In(a.Variable(variable), source):
                return a.ListComprehension(variable, source, where, projection)
            case a.PatternPredicate(pattern) | a.Comparison(
                "=", a.Variable(), a.PatternPredicate(pattern)
            ):
                if projection is None:
                    self.fail(self.last_token(), "A pattern comprehension needs '| expression'")
                if isinstance(head, a.Comparison):
                    pattern = a.PathPattern(pattern.elements, head.left.name)  # type: ignore[attr-defined]  # matched a.Variable
                return a.PatternComprehension(pattern, where, projection)
        self.fail(self.last_token(), "Expected [x IN list ...] or [(pattern) ... | expression]")

    def map_literal(self, c: list[Any]) -> a.MapLiteral:
        return a.MapLiteral(tuple(entry for entry in c if entry is not None))

    def map_entry(self, c: list[Any]) -> tuple[str, a.Expr]:
        return c[0], c[1]

    def map_projection(self, c: list[Any]) -> a.MapProjection:
        return a.MapProjection(c[0], tuple(s for s in c[1:] if s is not None))

    def select_property(self, c: list[Any]) -> a.PropertySelector:
        return a.PropertySelector(c[0])

    def select_all(self, c: list[Any]) -> a.AllPropertiesSelector:
        return a.AllPropertiesSelector()

    def select_entry(self, c: list[Any]) -> tuple[str, a.Expr]:
        return c[0], c[1]

    def select_variable(self, c: list[Any]) -> tuple[str, a.Expr]:
        return c[0].name, c[0]

    # ------------------------------------------------------------------------ atoms

    def int_literal(self, c: list[Any]) -> a.Literal:
        token = c[0]
        text = token.lower()
        if text.startswith("0x"):
            value = int(text[2:], 16)
        elif text.startswith("0o"):
            value = int(text[2:], 8)
        else:
            value = self.to_int(token)
        if value > MAX_INT + 1:
            self.fail(token, f"Integer literal {token} is out of the 64-bit range")
        literal = a.Literal(value)
        if value == MAX_INT + 1:  # fine only as -9223372036854775808: checked at the end
            self.pending_min_int.append((literal, token))
        return literal

    def float_literal(self, c: list[Any]) -> a.Literal:
        value = float(c[0])
        if value in (float("inf"), float("-inf")):
            self.fail(c[0], f"Float literal {c[0]} is out of the 64-bit range")
        return a.Literal(value)

    def string_literal(self, c: list[Any]) -> a.Literal:
        return a.Literal(self.unescape(c[0]))

    def true(self, c: list[Any]) -> a.Literal:
        return a.Literal(True)

    def false(self, c: list[Any]) -> a.Literal:
        return a.Literal(False)

    def null(self, c: list[Any]) -> a.Literal:
        return a.Literal(None)

    def parameter(self, c: list[Any]) -> a.Parameter:
        key = _unquote(c[0][1:])
        return a.Parameter(int(key) if key.isdigit() else key)

    def variable(self, c: list[Any]) -> a.Variable:
        return a.Variable(_unquote(c[0]))

    def variable_name(self, c: list[Any]) -> str:
        return _unquote(c[0])

    symbolic_name = variable_name

    # ------------------------------------------------------------------------ helpers

    def to_int(self, token: Token) -> int:
        """int() of a decimal token, as a ParseError when it is absurdly long."""
        try:
            return int(token)
        except ValueError:
            self.fail(token, f"Number too large ({len(token)} digits)")

    def unescape(self, token: Token) -> str:
        """The value of a quoted string token: quotes removed, backslash escapes decoded."""
        body = token[1:-1]
        if "\\" not in body:
            return body
        out: list[str] = []
        i, n = 0, len(body)
        while i < n:
            j = body.find("\\", i)
            if j < 0:
                out.append(body[i:])
                break
            out.append(body[i:j])
            escaped = body[j + 1]  # the lexer guarantees a character after each backslash
            if escaped in "uU":
                width = 4 if escaped == "u" else 8
                digits = body[j + 2 : j + 2 + width]
                if len(digits) != width or not _HEX.issuperset(digits):
                    self.fail(token, f"Invalid unicode escape '\\{escaped}{digits}' in string")
                code = int(digits, 16)
                i = j + 2 + width
                if 0xD800 <= code < 0xDC00 and body[i : i + 2] == "\\u":  # a surrogate pair
                    low = body[i + 2 : i + 6]
                    if len(low) == 4 and _HEX.issuperset(low) and 0xDC00 <= int(low, 16) < 0xE000:
                        code = 0x10000 + ((code - 0xD800) << 10) + (int(low, 16) - 0xDC00)
                        i += 6
                if code > 0x10FFFF:
                    self.fail(token, f"Invalid unicode escape '\\{escaped}{digits}' in string")
                out.append(chr(code))
            else:
                out.append(_ESCAPES.get(escaped, "\\" + escaped))
                i = j + 2
        return "".join(out)

    # ------------------------------------------------------------------------ final checks

    def finish(self, result: a.Statement) -> a.Statement:
        """Checks that need the whole statement: -2**63 literals and pattern placement."""
        if self.pending_min_int:
            self.fail(self.pending_min_int[0][1], "Integer literal is out of the 64-bit range")
        if self.pattern_predicates:
            misplaced = _misplaced_pattern(result)
            if misplaced is not None:
                token = next(
                    (tok for node, tok in self.pattern_predicates if node is misplaced), None
                )
                self.fail(
                    token,
                    "A pattern can only be a predicate (in WHERE, NOT/AND/OR or exists()); "
                    "use a pattern comprehension [(a)-->(b) | b] for a list",
                )
        return result


# ---------------------------------------------------------------------------- module helpers


class _Op:
    """An operator of an expression chain: its name (``AND``, ``STARTS WITH``) and first token."""

    __slots__ = ("name", "token")

    def __init__(self, name: str, token: Token) -> None:
        self.name = name
        self.token = token


class _Operand:
    """One operand of a chain with its prefix (NOT, -, +) and IS [NOT] NULL operators."""

    __slots__ = ("prefixes", "value", "suffixes")

    def __init__(self, prefixes: tuple[_Op, ...], value: a.Expr, suffixes: tuple[_Op, ...]):
        self.prefixes = prefixes
        self.value = value
        self.suffixes = suffixes


# Binding power of each operator: higher binds tighter (openCypher's precedence).
OPERATORS = {
    "OR": 1,
    "XOR": 2,
    "AND": 3,
    "NOT": 4,
    **dict.fromkeys(("=", "<>", "<", "<=", ">", ">="), 5),
    **dict.fromkeys(("STARTS WITH", "ENDS WITH", "CONTAINS", "=~", "IN"), 6),
    **dict.fromkeys(("IS NULL", "IS NOT NULL"), 6),
    **dict.fromkeys(("+", "-"), 7),
    **dict.fromkeys(("*", "/", "%"), 8),
    "^": 9,
}
UNARY_SIGN_POWER = 10
"""Unary + and - bind tighter than every binary operator: -3 ^ 2 is (-3) ^ 2."""
COMPARISONS = frozenset(("=", "<>", "<", "<=", ">", ">="))
_BINARY_NODES: dict[str, type] = {
    "OR": a.Or,
    "XOR": a.Xor,
    "AND": a.And,
    **dict.fromkeys(("STARTS WITH", "ENDS WITH", "CONTAINS", "=~"), a.StringPredicate),
    "IN": a.In,
    **dict.fromkeys(("+", "-", "*", "/", "%", "^"), a.BinaryOp),
}


class _Folder:
    """Folds a flat chain of operands and operators into a tree by binding power (Pratt)."""

    def __init__(self, builder: _Builder, stream: list[tuple[str, Any]]) -> None:
        self.builder = builder
        self.stream = stream
        self.pos = 0

    def fold(self) -> a.Expr:
        return self.expression(0)

    def expression(self, min_power: int) -> a.Expr:
        kind, item = self.stream[self.pos]
        self.pos += 1
        if kind == "prefix":
            power = OPERATORS["NOT"] if item.name == "NOT" else UNARY_SIGN_POWER
            if power + 1 < min_power:  # a = NOT b: the grammar of openCypher has no such thing
                self.builder.fail(item.token, f"{item.name} needs parentheses here")
            left = self.builder.prefix(item, self.expression(power + 1))
        else:
            left = item
        chain: list[a.Comparison] | None = None  # a < b < c: comparisons sharing operands
        while self.pos < len(self.stream):
            kind, op = self.stream[self.pos]
            power = OPERATORS[op.name]
            if power < min_power:
                break
            self.pos += 1
            if kind == "postfix":
                left = a.IsNull(left) if op.name == "IS NULL" else a.IsNotNull(left)
                chain = None
                continue
            right = self.expression(power + 1)  # every binary operator is left-associative
            if op.name in COMPARISONS:
                if chain is None:
                    chain = [a.Comparison(op.name, left, right)]
                else:
                    chain.append(a.Comparison(op.name, chain[-1].right, right))
                left = chain[0] if len(chain) == 1 else a.And(tuple(chain))
            else:
                left = self.builder.binary(op.name, left, right)
                chain = None
        return left


_OPENERS = frozenset({"LPAR", "LSQB", "LBRACE", "REL_OPEN", "REL_OPEN_LEFT"})
_CLOSERS = frozenset({"RPAR", "RSQB", "RBRACE"})


def _flatten(kind: type, operands: list[Any]) -> tuple[a.Expr, ...]:
    flat: list[a.Expr] = []
    for operand in operands:
        if type(operand) is kind:
            flat.extend(operand.operands)  # type: ignore[attr-defined]  # an And/Or/Xor has operands
        else:
            flat.append(operand)
    return tuple(flat)


def _is_number(expr: object) -> bool:
    return isinstance(expr, a.Literal) and type(expr.value) in (int, float)


def _unquote(text: str) -> str:
    """`name` → name (a doubled backtick stands for one); other text is returned as is."""
    if len(text) >= 2 and text[0] == "`" and text[-1] == "`":
        return text[1:-1].replace("``", "`")
    return str(text)  # a plain str, not the Lark token


_PREDICATE_HOLDERS = (
    a.Match,
    a.With,
    a.Call,
    a.ListComprehension,
    a.PatternComprehension,
    a.Quantifier,
)


def _misplaced_pattern(root: a.Statement) -> a.PatternPredicate | None:
    """The first pattern predicate used as a value rather than a condition, if any.

    A pattern is a condition as a WHERE (or comprehension/quantifier WHERE), a searched CASE's
    WHEN, an operand of NOT/AND/OR/XOR there, or the argument of exists()/shortestPath().
    """
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, allowed = stack.pop()
        if isinstance(node, tuple):
            stack.extend((item, allowed) for item in node)
            continue
        if not isinstance(node, a.Node):
            continue
        if isinstance(node, a.PatternPredicate):
            if not allowed:
                return node
            stack.append((node.pattern, False))
            continue
        if isinstance(node, (a.Not, a.And, a.Or, a.Xor)):
            children_allowed = allowed
            stack.extend((child, children_allowed) for child in _children(node))
            continue
        for name in a.slot_names(node):
            child = getattr(node, name)
            child_allowed = name == "where" and isinstance(node, _PREDICATE_HOLDERS)
            if isinstance(node, a.FunctionCall) and name == "args":
                child_allowed = node.name in PATTERN_ARGUMENT_FUNCTIONS
            if isinstance(node, a.Case) and name == "whens" and node.subject is None:
                stack.extend((when, True) for when, _ in child)
                stack.extend((then, False) for _, then in child)
                continue
            stack.append((child, child_allowed))
    return None


def _children(node: a.Node) -> list[object]:
    return [getattr(node, name) for name in a.slot_names(node)]


# ----------------------------------------------------------------------------- the parser


class _Parser:
    """The LALR parser (tables cached by arcadelite.lark_cache) plus its transformer; one per
    process, used under a lock."""

    def __init__(self) -> None:
        self.recorder = _TokenRecorder()
        self.builder = _Builder(self.recorder)
        self.lark: Parser = load_parser(GRAMMAR_FILE, self.builder, LARK_OPTIONS,
                                        postlex=self.recorder, name="cypher-grammar")  # fmt: skip
        self.terminals = self.lark.terminals
        self.lock = threading.Lock()
        # The parser's objects live as long as the process: count them as old now (see sql/).
        gc.collect()

    def parse(self, text: str) -> a.Statement:
        with self.lock:
            builder = self.builder
            builder.reset(text)
            try:
                result = builder.finish(self.lark.parse(text, "start"))
                token_count = len(self.recorder.tokens)
            except ParseError:
                raise
            except UnexpectedInput as error:
                raise self.syntax_error(text, error) from None
            except RecursionError:
                raise ParseError(
                    f"Statement nests too deeply to parse (more than {MAX_NESTING} levels)",
                    text=text,
                ) from None
            except Exception as error:  # a bug here must still surface as a ParseError
                raise ParseError(
                    f"Could not parse statement ({type(error).__name__}: {error})", text=text
                ) from error
            finally:
                builder.text = ""
                builder.pending_min_int = []
                builder.pattern_predicates = []
                self.recorder.tokens = []
        if token_count > MAX_NESTING:  # shallower input cannot nest that deep
            _check_nesting(result, text)
        return result

    def syntax_error(self, text: str, error: UnexpectedInput) -> ParseError:
        """Turn any Lark UnexpectedInput into a ParseError naming line, column and token."""
        expected: set[str] = set()
        if isinstance(error, UnexpectedToken):
            token = error.token
            expected = set(error.expected or ())
            if token.type == "$END":
                line, column = _position(text, len(text))
                near, shown_token = "end of input", ""
            else:
                line, column = token.line or 1, token.column or 1
                near, shown_token = repr(str(token)), str(token)
        elif isinstance(error, UnexpectedCharacters):
            line, column = error.line, error.column
            position = error.pos_in_stream
            char = text[position] if position is not None and 0 <= position < len(text) else ""
            expected = set(error.allowed or ())
            shown_token, near = char, repr(char)
            if char and char in "'\"`":
                near += " (unterminated quote?)"
        else:
            line = getattr(error, "line", None) or 1
            column = getattr(error, "column", None) or 1
            near, shown_token = "end of input", ""
        message = f"Syntax error at line {line}, column {column} near {near}"
        if expected:
            message += f": expected one of {self.describe(expected)}"
        message += _where(text, line, column)
        return ParseError(message, text=text, line=line, column=column, token=shown_token)

    def describe(self, names: set[str]) -> str:
        labels = set()
        for name in names:
            terminal = self.terminals.get(name)
            if name in _TERMINAL_LABELS:
                labels.add(_TERMINAL_LABELS[name])
            elif terminal is not None and terminal[0]:  # a literal string terminal
                value = terminal[1]
                labels.add(value.upper() if value[:1].isalpha() else f"'{value}'")
            else:
                labels.add(name)
        shown = sorted(  # descriptions ("a name") first, then KEYWORDS, then 'symbols'
            labels, key=lambda s: (0 if s[:1].islower() else 1 if s[:1].isalpha() else 2, s)
        )
        if len(shown) > _MAX_EXPECTED_SHOWN:
            shown = [*shown[:_MAX_EXPECTED_SHOWN], "..."]
        return ", ".join(shown)


_parser: _Parser | None = None
_parser_lock = threading.Lock()


def _get_parser() -> _Parser:
    global _parser
    if _parser is None:
        with _parser_lock:
            if _parser is None:
                _parser = _Parser()
    return _parser


@functools.lru_cache(maxsize=CACHE_SIZE)
def parse(text: str) -> a.Statement:
    """Parse one Cypher statement (an optional trailing ``;`` is allowed) into its AST.

    Results are cached by text: parsing the same text again returns the same (immutable) object.
    Raises `ParseError` (with ``line``, ``column`` and ``token``) for any invalid input.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse() expects the statement as a str, got {type(text).__name__}")
    return _get_parser().parse(text)


def clear_cache() -> None:
    """Forget every cached parse (tests and benchmarks use this to measure cold parses)."""
    parse.cache_clear()


__all__ = ["CACHE_SIZE", "MAX_NESTING", "clear_cache", "parse"]
