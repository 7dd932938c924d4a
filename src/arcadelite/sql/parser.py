"""SQL text → AST: `parse` one statement, `parse_script` a ``;``-separated script.

The grammar lives in ``grammar.lark`` (the readable spec of the dialect); Lark turns it into LALR
tables once per user and grammar version (cached by `arcadelite.lark_cache`, which also runs the
parse without importing Lark), and each reduction becomes an `arcadelite.sql.ast` node directly
(an embedded transformer: no intermediate parse tree). Results are cached by statement text, so a
statement that repeats costs one dictionary lookup. Every failure surfaces as `ParseError` carrying
the line, column and offending token.
"""

from __future__ import annotations

import functools
import gc
import os
import threading
from collections.abc import Iterator
from types import NoneType
from typing import Any, NoReturn

from arcadelite.exceptions import ParseError
from arcadelite.lark_cache import (
    Parser,
    Token,
    UnexpectedCharacters,
    UnexpectedInput,
    UnexpectedToken,
    load_parser,
)
from arcadelite.sql import ast as a
from arcadelite.vocabulary import (
    NULL_STRATEGIES,
    SQL_CONSTRAINTS,
    SQL_INDEX_TYPES,
    SQL_PROPERTY_TYPES,
)

GRAMMAR_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "grammar.lark")
LARK_OPTIONS = {"start": ["single", "script"], "maybe_placeholders": True}
"""Lark's options for the grammar (the tables are built with these; see arcadelite.lark_cache)."""
CACHE_SIZE = 1024
MAX_NESTING = 128
"""Deepest expression/statement nesting accepted; deeper input raises ParseError, not RecursionError."""

# The names of types, index types and constraints are the vocabulary module's (one owner).
PROPERTY_TYPES = SQL_PROPERTY_TYPES
INDEX_TYPES = frozenset(SQL_INDEX_TYPES)
PROPERTY_CONSTRAINTS = SQL_CONSTRAINTS
TRAVERSE_STRATEGIES = frozenset({"DEPTH_FIRST", "BREADTH_FIRST"})

_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "b": "\b",
    "f": "\f",
    "0": "\0",
}

# Friendly names for regex terminals in "expected one of ..." messages.
_TERMINAL_LABELS = {
    "NAME": "a name",
    "QUOTED_NAME": "a `quoted name`",
    "FUNC_NAME": "a function",
    "ATTR": "an @attribute",
    "VAR": "a $variable",
    "NAMED_PARAM": "a :parameter",
    "RID": "a record id",
    "INT": "an integer",
    "FLOAT": "a number",
    "STRING": "a string",
    "PREFIXED_TARGET": "schema:/bucket:/index:",
    "URL": "a URL",
    "$END": "end of input",
}
_MAX_EXPECTED_SHOWN = 20


class _NotAField(str):
    """A member that is a record attribute (``@rid``) or a variable (``$x``), not a field name."""


class _TokenRecorder:
    """Lark post-lexer: records the token stream of the current parse (for projection text).

    ``always_accept`` puts NAME in every lexer state, which makes keywords whole words: ``FROMX``
    lexes as one name (an error where a keyword is due), never as ``FROM`` + ``X``.
    """

    always_accept = ("NAME",)

    def __init__(self) -> None:
        self.tokens: list[Token] = []
        self.eof = False

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        append = self.tokens.append
        for token in stream:
            append(token)
            yield token
        self.eof = True


class _Builder:
    """Embedded Lark transformer: one method per grammar rule or alias, each returning AST."""

    def __init__(self, recorder: _TokenRecorder) -> None:
        self.recorder = recorder
        self.text = ""
        self.positional = 0

    def reset(self, text: str) -> None:
        self.text = text
        self.positional = 0
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

    # ------------------------------------------------------------------------ entry points

    def single(self, c: list[Any]) -> a.Statement:
        return c[0]

    def script(self, c: list[Any]) -> tuple[a.Statement, ...]:
        return tuple(s for s in c if s is not None)

    # ---------------------------------------------------------------------------- SELECT

    def select(self, c: list[Any]) -> a.Select:
        distinct, projections, target, tail = c
        return a.Select(
            projections=projections, target=target, distinct=distinct is not None, **tail
        )

    def select_all(self, c: list[Any]) -> a.Select:
        distinct, target, tail = c
        return a.Select(target=target, distinct=distinct is not None, **tail)

    def from_clause(self, c: list[Any]) -> Any:
        return c[0]

    def select_tail(self, c: list[Any]) -> dict[str, Any]:
        let, where, group_by, _having, order_by, unwind, (skip, limit), timeout = c
        return {
            "let": let,
            "where": where,
            "group_by": group_by,
            "order_by": order_by,
            "unwind": unwind,
            "skip": skip,
            "limit": limit,
            "timeout": timeout,
        }

    def projections(self, c: list[Any]) -> tuple[a.Projection, ...]:
        return tuple(c)

    def pmark(self, c: list[Any]) -> int:
        # Reduced with the projection's first token as lookahead: the last token recorded.
        return len(self.recorder.tokens) - 1

    def projection(self, c: list[Any]) -> a.Projection:
        start, expr, alias = c
        tokens = self.recorder.tokens
        # The lookahead that triggered this reduction is the last recorded token (none at EOF);
        # with an alias, "AS alias" sits between the expression and the lookahead.
        end = len(tokens) - (1 if self.recorder.eof else 2) - (2 if alias is not None else 0)
        text = self.text[tokens[start].start_pos : tokens[end].end_pos]
        return a.Projection(expr, alias, text)

    def star_projection(self, c: list[Any]) -> a.Projection:
        return a.Projection(a.Star(), None, "*")

    def let_clause(self, c: list[Any]) -> tuple[a.LetItem, ...]:
        return tuple(c)

    def let_item(self, c: list[Any]) -> a.LetItem:
        return a.LetItem(c[0], c[1])

    def variable_name(self, c: list[Any]) -> str:
        return c[0].lstrip("$")

    def where_clause(self, c: list[Any]) -> a.Expr | None:
        return c[0] if c else None

    def group_by(self, c: list[Any]) -> tuple[a.Expr, ...]:
        return tuple(c)

    def having(self, c: list[Any]) -> None:
        if c:  # ArcadeDB's grammar has no HAVING either: say so, and what to write instead
            self.fail(
                c[0],
                "HAVING is not supported (ArcadeDB SQL has no HAVING): filter the grouped rows "
                "in an outer query, SELECT FROM (SELECT ... GROUP BY ...) WHERE ...",
            )

    def order_by(self, c: list[Any]) -> tuple[a.OrderItem, ...]:
        return tuple(c)

    def order_asc(self, c: list[Any]) -> a.OrderItem:
        return a.OrderItem(c[0], False)

    def order_desc(self, c: list[Any]) -> a.OrderItem:
        return a.OrderItem(c[0], True)

    def unwind(self, c: list[Any]) -> tuple[str, ...]:
        return tuple(c)

    def pagination(self, c: list[Any]) -> tuple[a.Expr | None, a.Expr | None]:
        parts = dict(part for part in c if part is not None)
        return parts.get("skip"), parts.get("limit")

    def skip_part(self, c: list[Any]) -> tuple[str, a.Expr]:
        return "skip", c[0]

    def limit_part(self, c: list[Any]) -> tuple[str, a.Expr]:
        return "limit", c[0]

    def limit_clause(self, c: list[Any]) -> a.Expr | None:
        return c[0] if c else None

    timeout = limit_clause
    batch_clause = limit_clause

    # ---------------------------------------------------------------------------- targets

    def type_target(self, c: list[Any]) -> a.TypeTarget:
        return a.TypeTarget(c[0])

    def prefixed_target(self, c: list[Any]) -> a.Node:
        token = c[0]
        prefix, _, rest = token.partition(":")
        prefix = prefix.lower()
        if prefix == "schema":
            kind = rest.lower()
            if kind not in ("types", "indexes", "database"):
                self.fail(token, f"Unknown schema target '{token}' (schema:types|indexes|database)")
            return a.SchemaTarget(kind)
        if prefix == "bucket":
            return a.BucketTarget(
                self.to_int(token, rest) if rest.isdigit() else _unquote_name(rest)
            )
        if prefix == "index":
            return a.IndexTarget(_unquote_name(rest))
        order = {"indexvalues": None, "indexvaluesasc": "ASC", "indexvaluesdesc": "DESC"}[prefix]
        return a.IndexTarget(_unquote_name(rest), values=True, order=order)

    def rid(self, c: list[Any]) -> a.RidLiteral:
        bucket, _, position = c[0][1:].partition(":")
        return a.RidLiteral(self.to_int(c[0], bucket), self.to_int(c[0], position))

    def subquery(self, c: list[Any]) -> a.Subquery:
        return a.Subquery(c[0])

    def variable(self, c: list[Any]) -> a.Variable:
        return a.Variable(c[0][1:])

    # -------------------------------------------------------------------------- expressions

    def or_expr(self, c: list[Any]) -> a.Or:
        return a.Or(_flatten(a.Or, c))

    def and_expr(self, c: list[Any]) -> a.And:
        return a.And(_flatten(a.And, c))

    def not_(self, c: list[Any]) -> a.UnaryOp:
        return a.UnaryOp("NOT", c[0])

    def comparison(self, c: list[Any]) -> a.Comparison:
        return a.Comparison(c[1], c[0], c[2])

    def comp_op(self, c: list[Any]) -> str:
        op = c[0].upper()
        return {"==": "=", "!=": "<>"}.get(op, op)

    def not_in(self, c: list[Any]) -> a.Comparison:
        return a.Comparison("NOT IN", c[0], c[1])

    def not_comparison(self, c: list[Any]) -> a.UnaryOp:
        return a.UnaryOp("NOT", a.Comparison(c[1], c[0], c[2]))

    def not_op(self, c: list[Any]) -> str:
        return c[0].upper()

    def between(self, c: list[Any]) -> a.Between:
        return a.Between(c[0], c[1], c[2])

    def not_between(self, c: list[Any]) -> a.UnaryOp:
        return a.UnaryOp("NOT", a.Between(c[0], c[1], c[2]))

    def is_null(self, c: list[Any]) -> a.IsNull:
        return a.IsNull(c[0])

    def is_not_null(self, c: list[Any]) -> a.IsNotNull:
        return a.IsNotNull(c[0])

    def is_defined(self, c: list[Any]) -> a.IsDefined:
        return a.IsDefined(c[0])

    def is_not_defined(self, c: list[Any]) -> a.IsNotDefined:
        return a.IsNotDefined(c[0])

    def add(self, c: list[Any]) -> a.BinaryOp:
        return a.BinaryOp("+", c[0], c[1])

    def sub(self, c: list[Any]) -> a.BinaryOp:
        return a.BinaryOp("-", c[0], c[1])

    def concat(self, c: list[Any]) -> a.BinaryOp:
        return a.BinaryOp("||", c[0], c[1])

    def mul(self, c: list[Any]) -> a.BinaryOp:
        return a.BinaryOp("*", c[0], c[1])

    def div(self, c: list[Any]) -> a.BinaryOp:
        return a.BinaryOp("/", c[0], c[1])

    def mod(self, c: list[Any]) -> a.BinaryOp:
        return a.BinaryOp("%", c[0], c[1])

    def neg(self, c: list[Any]) -> a.Expr:
        operand = c[0]
        if _is_number(operand):
            return a.Literal(-operand.value)
        return a.UnaryOp("-", operand)

    def pos(self, c: list[Any]) -> a.Expr:
        operand = c[0]
        return operand if _is_number(operand) else a.UnaryOp("+", operand)

    def field_access(self, c: list[Any]) -> a.Expr:
        target, name = c
        if isinstance(name, _NotAField):  # a.@rid, a.$x: not part of a plain field path
            return a.FieldAccess(target, str(name))
        if isinstance(target, a.Identifier) and not target.name.startswith("@"):
            return a.FieldPath((target.name, name))
        if isinstance(target, a.FieldPath):
            return a.FieldPath((*target.parts, name))
        return a.FieldAccess(target, name)

    def member(self, c: list[Any]) -> str:
        token = c[0]
        if token.type == "QUOTED_NAME":
            return _unquote_name(token)
        if token.type == "ATTR":
            return _NotAField(token.lower())
        if token.type == "VAR":
            return _NotAField(token)
        return str(token)

    def method_call(self, c: list[Any]) -> a.MethodCall:
        target, name, args = c
        return a.MethodCall(target, name.lower(), args or ())

    def subscript(self, c: list[Any]) -> a.Expr:
        target, index = c
        if a.is_condition(index):
            return a.Filter(target, index)
        return a.Subscript(target, index)

    def identifier(self, c: list[Any]) -> a.Identifier:
        return a.Identifier(c[0])

    def attribute(self, c: list[Any]) -> a.Identifier:
        return a.Identifier(c[0].lower())

    def positional_param(self, c: list[Any]) -> a.Param:
        index = self.positional
        self.positional += 1
        return a.Param(index)

    def named_param(self, c: list[Any]) -> a.Param:
        return a.Param(str(c[0][1:]))

    def int_literal(self, c: list[Any]) -> a.Literal:
        return a.Literal(self.to_int(c[0]))

    def negative_int(self, c: list[Any]) -> a.Literal:
        return a.Literal(-self.int_literal(c).value)  # type: ignore[operator]  # an int_literal's value is an int

    def float_literal(self, c: list[Any]) -> a.Literal:
        return a.Literal(float(c[0]))

    def string_literal(self, c: list[Any]) -> a.Literal:
        return a.Literal(self.unescape(c[0]))

    def true(self, c: list[Any]) -> a.Literal:
        return a.Literal(True)

    def false(self, c: list[Any]) -> a.Literal:
        return a.Literal(False)

    def null(self, c: list[Any]) -> a.Literal:
        return a.Literal(None)

    def list_literal(self, c: list[Any]) -> a.ListLiteral:
        return a.ListLiteral(tuple(c))

    paren_list = list_literal

    def map_literal(self, c: list[Any]) -> a.MapLiteral:
        return a.MapLiteral(tuple(c))

    def map_entry(self, c: list[Any]) -> tuple[str, a.Expr]:
        return c[0], c[1]

    def map_key(self, c: list[Any]) -> str:
        token = c[0]
        if token.type == "STRING":
            return self.unescape(token)
        if token.type == "QUOTED_NAME":
            return _unquote_name(token)
        return str(token)

    def function_call(self, c: list[Any]) -> a.FunctionCall:
        name, args = c
        return a.FunctionCall(name.lower(), args or ())

    def function_star(self, c: list[Any]) -> a.FunctionCall:
        return a.FunctionCall(c[0].lower(), (), star=True)

    def function_distinct(self, c: list[Any]) -> a.FunctionCall:
        return a.FunctionCall(c[0].lower(), c[2], distinct=True)

    def arguments(self, c: list[Any]) -> tuple[a.Expr, ...]:
        return tuple(c)

    def case_searched(self, c: list[Any]) -> a.Case:
        *whens, otherwise = c
        for token, condition, _ in whens:
            # As in ArcadeDB, a WHEN takes a condition (n > 1, s IS NULL, true ...), not a value:
            # CASE WHEN flag THEN ... is an error there too (write flag = true).
            if not (
                a.is_condition(condition)
                or (isinstance(condition, a.Literal) and type(condition.value) in (bool, NoneType))
            ):
                self.fail(
                    token,
                    "CASE WHEN needs a condition (such as x > 1, x = true, x IS NULL), not a "
                    "value; to compare one value with each WHEN, write CASE x WHEN v THEN ...",
                )
        return a.Case(None, tuple((w, t) for _, w, t in whens), otherwise)

    def case_simple(self, c: list[Any]) -> a.Case:
        subject, *whens, otherwise = c
        return a.Case(subject, tuple((w, t) for _, w, t in whens), otherwise)

    def case_when(self, c: list[Any]) -> tuple[Token, a.Expr, a.Expr]:
        return c[0], c[1], c[2]

    def case_else(self, c: list[Any]) -> a.Expr:
        return c[0]

    def name(self, c: list[Any]) -> str:
        token = c[0]
        return _unquote_name(token) if token.type == "QUOTED_NAME" else str(token)

    bare_name = name

    # ------------------------------------------------------------------------- INSERT & co

    def insert(self, c: list[Any]) -> a.Insert:
        (type_name, bucket), body, returning = c
        fields = _body_fields(body)
        return a.Insert(type_name, bucket, returning=returning, **fields)

    def insert_into_type(self, c: list[Any]) -> tuple[str | None, str | None]:
        return c[0], c[1]

    def insert_into_bucket(self, c: list[Any]) -> tuple[str | None, str | None]:
        token = c[0]
        prefix, _, rest = token.partition(":")
        if prefix.lower() != "bucket":
            self.fail(token, f"Cannot INSERT INTO '{token}' (a type or bucket:name)")
        return None, _unquote_name(rest)

    def body_set(self, c: list[Any]) -> tuple[str, Any]:
        return "assignments", c[0]

    def body_content(self, c: list[Any]) -> tuple[str, Any]:
        return "content", c[0]

    def insert_values(self, c: list[Any]) -> tuple[str, Any]:
        return "values", (c[0], tuple(c[1:]))

    def insert_query(self, c: list[Any]) -> tuple[str, Any]:
        return "query", c[0]

    def insert_return(self, c: list[Any]) -> a.Expr:
        return c[0]

    def name_list(self, c: list[Any]) -> tuple[str, ...]:
        return tuple(c)

    def value_row(self, c: list[Any]) -> tuple[a.Expr, ...]:
        return tuple(c)

    def assignments(self, c: list[Any]) -> tuple[a.Assignment, ...]:
        return tuple(c)

    def assignment(self, c: list[Any]) -> a.Assignment:
        return a.Assignment(c[0], c[2], c[1])

    def assign_op(self, c: list[Any]) -> str:
        return str(c[0])

    def field_ref(self, c: list[Any]) -> a.Identifier | a.FieldPath:
        return a.Identifier(c[0]) if len(c) == 1 else a.FieldPath(tuple(c))

    def create_vertex(self, c: list[Any]) -> a.CreateVertex:
        type_name, bucket, body = c
        return a.CreateVertex(type_name, bucket, **_body_fields(body))

    def create_edge(self, c: list[Any]) -> a.CreateEdge:
        (type_name, bucket, upsert, ine_before), source, destination, ine_after, body, options = c
        return a.CreateEdge(
            type_name,
            source,
            destination,
            bucket=bucket,
            if_not_exists=bool(ine_before or ine_after),
            upsert=upsert is not None,
            **_body_fields(body),
            **options,
        )

    def edge_head(self, c: list[Any]) -> tuple[Any, ...]:
        return tuple(c)

    def edge_options(self, c: list[Any]) -> dict[str, int | None]:
        options: dict[str, int | None] = {}
        for part in c:
            if part is not None:
                options.update(part)
        return options

    def retry_option(self, c: list[Any]) -> dict[str, int | None]:
        return {"retry": self.to_int(c[0]), "wait": self.to_int(c[1]) if c[1] is not None else None}

    def batch_option(self, c: list[Any]) -> dict[str, int | None]:
        return {"batch": self.to_int(c[0])}

    # ------------------------------------------------------------------------------ UPDATE

    def update(self, c: list[Any]) -> a.Update:
        target, operations = c[0], tuple(c[1:-5])
        upsert, returning, where, limit, timeout = c[-5:]
        return_mode, return_expr = returning if returning is not None else (None, None)
        return a.Update(
            target,
            operations,
            upsert=upsert is not None,
            return_mode=return_mode,
            return_expr=return_expr,
            where=where,
            limit=limit,
            timeout=timeout,
        )

    def update_set(self, c: list[Any]) -> a.UpdateSet:
        return a.UpdateSet(c[0])

    def update_remove(self, c: list[Any]) -> a.UpdateRemove:
        return a.UpdateRemove(tuple(c))

    def update_increment(self, c: list[Any]) -> a.UpdateIncrement:
        return a.UpdateIncrement(c[0])

    def update_add(self, c: list[Any]) -> a.UpdateAdd:
        return a.UpdateAdd(c[0])

    def update_put(self, c: list[Any]) -> a.UpdatePut:
        return a.UpdatePut(tuple(c))

    def update_merge(self, c: list[Any]) -> a.UpdateMerge:
        return a.UpdateMerge(c[0])

    def update_content(self, c: list[Any]) -> a.UpdateContent:
        return a.UpdateContent(c[0])

    def remove_item(self, c: list[Any]) -> a.RemoveItem:
        return a.RemoveItem(c[0], c[1])

    def put_item(self, c: list[Any]) -> a.PutItem:
        return a.PutItem(c[0], c[1], c[2])

    def update_return(self, c: list[Any]) -> tuple[str, a.Expr | None]:
        return c[0], c[1]

    def return_mode(self, c: list[Any]) -> str:
        return c[0].upper()

    # ------------------------------------------------------------------------------ DELETE

    def delete(self, c: list[Any]) -> a.Delete:
        target, return_before, where, limit, unsafe = c
        return a.Delete(target, where, limit, return_before is not None, unsafe is not None)

    def return_before(self, c: list[Any]) -> bool:
        return True

    def delete_vertex(self, c: list[Any]) -> a.DeleteVertex:
        return a.DeleteVertex(*c)

    def delete_edge(self, c: list[Any]) -> a.DeleteEdge:
        selector, where, limit, batch = c
        return a.DeleteEdge(where=where, limit=limit, batch=batch, **selector)

    def edges_by_record(self, c: list[Any]) -> dict[str, Any]:
        return {"target": c[0]}

    def edges_by_query(self, c: list[Any]) -> dict[str, Any]:
        return {"target": a.Subquery(c[0])}

    def edges_by_type(self, c: list[Any]) -> dict[str, Any]:
        return {"type_name": c[0], "source": c[1], "destination": c[2]}

    # ------------------------------------------------------------------------------ schema

    def create_document_type(self, c: list[Any]) -> a.CreateType:
        return a.CreateType("DOCUMENT", **c[0])

    def create_vertex_type(self, c: list[Any]) -> a.CreateType:
        return a.CreateType("VERTEX", **c[0])

    def create_edge_type(self, c: list[Any]) -> a.CreateType:
        return a.CreateType("EDGE", **c[0])

    def type_definition(self, c: list[Any]) -> dict[str, Any]:
        name, ine, supertypes, buckets, bucket_count = c
        return {
            "name": name,
            "if_not_exists": ine is not None,
            "supertypes": supertypes or (),
            "buckets": buckets or (),
            "bucket_count": bucket_count,
        }

    def extends(self, c: list[Any]) -> tuple[str, ...]:
        return tuple(c)

    def type_buckets(self, c: list[Any]) -> tuple[str | int, ...]:
        return tuple(c)

    def bucket_ref(self, c: list[Any]) -> str | int:
        value = c[0]
        return self.to_int(value) if getattr(value, "type", None) == "INT" else str(value)

    def bucket_count(self, c: list[Any]) -> int:
        return self.to_int(c[0])

    def alter_type(self, c: list[Any]) -> a.AlterType:
        name, attribute, modifier, *values = c
        value = values[0] if len(values) == 1 else a.ListLiteral(tuple(values))
        return a.AlterType(name, attribute.upper(), value, modifier)

    def alter_type_custom(self, c: list[Any]) -> a.AlterType:
        return a.AlterType(c[0], "CUSTOM", c[2], key=c[1])

    def sign(self, c: list[Any]) -> str:
        return str(c[0])

    def drop_type(self, c: list[Any]) -> a.DropType:
        name, if_exists, unsafe = c
        return a.DropType(name, if_exists is not None, unsafe is not None)

    def truncate_type(self, c: list[Any]) -> a.TruncateType:
        name, polymorphic, unsafe = c
        return a.TruncateType(name, polymorphic is not None, unsafe is not None)

    def if_exists(self, c: list[Any]) -> bool:
        return True

    if_not_exists = if_exists

    def create_property(self, c: list[Any]) -> a.CreateProperty:
        ref, ptype, ine, constraints = c
        return self._create_property(ref, ptype, ine, constraints)

    def create_property_ine_first(self, c: list[Any]) -> a.CreateProperty:
        ref, ine, ptype, constraints = c
        return self._create_property(ref, ptype, ine, constraints)

    def create_property_ine_last(self, c: list[Any]) -> a.CreateProperty:
        ref, ptype, constraints, ine = c
        return self._create_property(ref, ptype, ine, constraints)

    def _create_property(
        self, ref: tuple[str, str], ptype: Any, ine: Any, constraints: Any
    ) -> a.CreateProperty:
        property_type, of_type = ptype if ptype is not None else (None, None)
        return a.CreateProperty(
            ref[0], ref[1], property_type, of_type, ine is not None, constraints or ()
        )

    def property_ref(self, c: list[Any]) -> tuple[str, str]:
        return c[0], c[1]

    def property_type(self, c: list[Any]) -> tuple[str, str | None]:
        token = c[0]
        type_name = token.upper()
        if type_name not in PROPERTY_TYPES:
            self.fail(
                token,
                f"Unknown property type '{token}' "
                f"(expected one of {', '.join(sorted(PROPERTY_TYPES))})",
            )
        of_type = None
        if len(c) > 1:
            of_type = c[1].upper() if c[1].upper() in PROPERTY_TYPES else c[1]
        return type_name, of_type

    def constraints(self, c: list[Any]) -> tuple[a.PropertyConstraint, ...]:
        return tuple(c)

    def constraint(self, c: list[Any]) -> a.PropertyConstraint:
        token, value = c
        name = token.lower()
        if name not in PROPERTY_CONSTRAINTS:
            self.fail(
                token,
                f"Unknown property constraint '{token}' "
                f"(expected one of {', '.join(sorted(PROPERTY_CONSTRAINTS))})",
            )
        return a.PropertyConstraint(name, value if value is not None else a.Literal(True))

    def alter_property(self, c: list[Any]) -> a.AlterProperty:
        (type_name, name), attribute, value = c
        return a.AlterProperty(type_name, name, attribute.upper(), value)

    def alter_property_custom(self, c: list[Any]) -> a.AlterProperty:
        (type_name, name), key, value = c
        return a.AlterProperty(type_name, name, "CUSTOM", value, key)

    def drop_property(self, c: list[Any]) -> a.DropProperty:
        (type_name, name), if_exists, force = c
        return a.DropProperty(type_name, name, if_exists is not None, force is not None)

    def create_index(self, c: list[Any]) -> a.CreateIndex:
        name, ine, type_name = c[0], c[1], c[2]
        properties = c[3:-4]
        index_type, key_types, null_strategy, metadata = c[-4:]
        kind = index_type.upper()
        if kind not in INDEX_TYPES:
            self.fail(
                index_type,
                f"Unknown index type '{index_type}' (expected one of {', '.join(sorted(INDEX_TYPES))})",
            )
        return a.CreateIndex(
            name,
            type_name,
            tuple(p for p, _ in properties),
            kind,
            if_not_exists=ine is not None,
            null_strategy=null_strategy,
            key_types=key_types,
            by=tuple(by for _, by in properties),
            metadata=metadata,
        )

    def index_property(self, c: list[Any]) -> tuple[str, str | None]:
        name, by = c
        if by is not None and by.upper() not in ("KEY", "VALUE", "ITEM"):
            self.fail(by, f"Unknown index modifier 'BY {by}' (expected BY KEY, VALUE or ITEM)")
        return name, by.upper() if by is not None else None

    def key_types(self, c: list[Any]) -> tuple[str, ...]:
        return tuple(t.upper() for t in c)

    def null_strategy(self, c: list[Any]) -> str | None:
        if not c:
            return None
        strategy = c[0].upper()
        if strategy not in NULL_STRATEGIES:
            self.fail(c[0], f"Unknown NULL_STRATEGY '{c[0]}' (expected SKIP, ERROR or INDEX)")
        return strategy

    def index_metadata(self, c: list[Any]) -> a.MapLiteral | None:
        return c[0] if c else None

    def index_name(self, c: list[Any]) -> str:
        return c[0]

    def index_name_bracketed(self, c: list[Any]) -> str:
        return f"{c[0]}[{','.join(c[1:])}]"

    def drop_index(self, c: list[Any]) -> a.DropIndex:
        return a.DropIndex(c[0], c[1] is not None)

    def rebuild_index(self, c: list[Any]) -> a.RebuildIndex:
        return a.RebuildIndex(c[0])

    def rebuild_all_indexes(self, c: list[Any]) -> a.RebuildIndex:
        return a.RebuildIndex(None)

    # ------------------------------------------------------------------------------- MATCH

    def match(self, c: list[Any]) -> a.Match:
        paths = tuple(c[:-6])
        distinct, returns, group_by, _having, order_by, (skip, limit) = c[-6:]
        return a.Match(paths, returns, distinct is not None, group_by, order_by, skip, limit)

    def match_path(self, c: list[Any]) -> a.MatchPath:
        return a.MatchPath(c[0], tuple(c[1:]))

    def match_not_path(self, c: list[Any]) -> a.MatchPath:
        return a.MatchPath(c[0], tuple(c[1:]), negated=True)

    def match_node(self, c: list[Any]) -> a.MatchNode:
        fields: dict[str, Any] = {}
        for key, value in c:
            field, convert = self._match_key(key)
            if field in fields:
                self.fail(key, f"Duplicate MATCH key '{key}'")
            fields[field] = convert(key, value)
        return a.MatchNode(**fields)

    def match_property(self, c: list[Any]) -> tuple[Token, a.Expr]:
        return c[0], c[1]

    def _match_key(self, key: Token) -> tuple[str, Any]:
        lowered = key.lower()
        for names, field, convert in (
            (("type", "class"), "type_name", self._match_name),
            (("as",), "alias", self._match_name),
            (("where",), "where", _keep),
            (("while",), "while_condition", _keep),
            (("maxdepth",), "max_depth", self._match_int),
            (("optional",), "optional", self._match_bool),
            (("rid",), "rid", _keep),
            (("depthalias",), "depth_alias", self._match_name),
            (("pathalias",), "path_alias", self._match_name),
        ):
            if lowered in names:
                return field, convert
        self.fail(
            key,
            f"Unknown MATCH key '{key}' (expected type, class, as, where, while, maxDepth, "
            "optional, rid, depthAlias or pathAlias)",
        )

    def _match_name(self, key: Token, value: a.Expr) -> str:
        if isinstance(value, a.Identifier):
            return value.name
        if isinstance(value, a.Literal) and isinstance(value.value, str):
            return value.value
        self.fail(key, f"MATCH key '{key}' expects a name")

    def _match_int(self, key: Token, value: a.Expr) -> int:
        if isinstance(value, a.Literal) and type(value.value) is int:
            return value.value
        self.fail(key, f"MATCH key '{key}' expects an integer")

    def _match_bool(self, key: Token, value: a.Expr) -> bool:
        if isinstance(value, a.Literal) and isinstance(value.value, bool):
            return value.value
        self.fail(key, f"MATCH key '{key}' expects true or false")

    def method_step(self, c: list[Any]) -> a.MatchStep:
        name, args, node = c
        return a.MatchStep(name.lower(), args or (), node if node is not None else a.MatchNode())

    def out_arrow(self, c: list[Any]) -> a.MatchStep:
        return a.MatchStep("out", (a.Literal(c[0]),), c[1])

    def out_arrow_any(self, c: list[Any]) -> a.MatchStep:
        return a.MatchStep("out", (), c[0])

    def in_arrow(self, c: list[Any]) -> a.MatchStep:
        return a.MatchStep("in", (a.Literal(c[0]),), c[1])

    def in_arrow_any(self, c: list[Any]) -> a.MatchStep:
        return a.MatchStep("in", (), c[0])

    def both_arrow(self, c: list[Any]) -> a.MatchStep:
        return a.MatchStep("both", (a.Literal(c[0]),), c[1])

    def both_arrow_any(self, c: list[Any]) -> a.MatchStep:
        return a.MatchStep("both", (), c[0])

    # ---------------------------------------------------------------------------- TRAVERSE

    def traverse(self, c: list[Any]) -> a.Traverse:
        fields, target, options, limit, strategy = c
        seen: dict[str, Any] = {}
        for key, token, value in options:
            if key in seen:
                self.fail(token, f"{key.upper().replace('_', '')} given twice")
            seen[key] = value
        return a.Traverse(fields, target, limit=limit, strategy=strategy, **seen)

    def traverse_fields(self, c: list[Any]) -> tuple[a.Expr, ...]:
        return tuple(c)

    def star(self, c: list[Any]) -> a.Star:
        return a.Star()

    def traverse_options(self, c: list[Any]) -> tuple[Any, ...]:
        return tuple(c)

    def max_depth(self, c: list[Any]) -> tuple[str, Token, int]:
        return "max_depth", c[0], self.to_int(c[0])

    def while_condition(self, c: list[Any]) -> tuple[str, Token | None, a.Expr]:
        return "while_condition", None, c[0]

    def strategy(self, c: list[Any]) -> str | None:
        if not c:
            return None
        strategy = c[0].upper()
        if strategy not in TRAVERSE_STRATEGIES:
            self.fail(c[0], f"Unknown STRATEGY '{c[0]}' (expected DEPTH_FIRST or BREADTH_FIRST)")
        return strategy

    # ------------------------------------------------------------- wrappers and scripts

    def explain(self, c: list[Any]) -> a.Explain:
        return a.Explain(c[0])

    def profile(self, c: list[Any]) -> a.Profile:
        return a.Profile(c[0])

    def begin(self, c: list[Any]) -> a.Begin:
        return a.Begin(c[0].upper() if c[0] is not None else None)

    def commit(self, c: list[Any]) -> a.Commit:
        return a.Commit(self.to_int(c[0]) if c[0] is not None else None)

    def rollback(self, c: list[Any]) -> a.Rollback:
        return a.Rollback()

    def import_database(self, c: list[Any]) -> a.ImportDatabase:
        return a.ImportDatabase(c[0], c[1] or ())

    def import_source(self, c: list[Any]) -> str:
        token = c[0]
        return self.unescape(token) if token.type == "STRING" else str(token)

    def import_settings(self, c: list[Any]) -> tuple[tuple[str, a.Expr], ...]:
        return tuple(c)

    def import_setting(self, c: list[Any]) -> tuple[str, a.Expr]:
        return c[0], c[1]

    def let_statement(self, c: list[Any]) -> a.LetStatement:
        return a.LetStatement(c[0], c[1])

    def return_statement(self, c: list[Any]) -> a.ReturnStatement:
        return a.ReturnStatement(c[0])

    # ----------------------------------------------------------------------------- helpers

    def to_int(self, token: Token, digits: str | None = None) -> int:
        """int() of a token's digits (or of part of it), as a ParseError when it is too long."""
        text = token if digits is None else digits
        try:
            return int(text)
        except ValueError:
            self.fail(token, f"Number too large ({len(text)} digits)")

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
            if escaped == "u":
                digits = body[j + 2 : j + 6]
                if len(digits) != 4 or not all(ch in "0123456789abcdefABCDEF" for ch in digits):
                    self.fail(token, f"Invalid unicode escape '\\u{digits}' in string")
                code = int(digits, 16)
                i = j + 6
                # a UTF-16 surrogate pair written as two escapes (JSON style)
                if 0xD800 <= code < 0xDC00 and body[i : i + 2] == "\\u":
                    low_digits = body[i + 2 : i + 6]
                    if len(low_digits) == 4 and all(
                        ch in "0123456789abcdefABCDEF" for ch in low_digits
                    ):
                        low = int(low_digits, 16)
                        if 0xDC00 <= low < 0xE000:
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            i += 6
                out.append(chr(code))
            else:
                out.append(_ESCAPES.get(escaped, escaped))
                i = j + 2
        return "".join(out)


# ---------------------------------------------------------------------------- module helpers


def _keep(key: Token, value: a.Expr) -> a.Expr:
    return value


def _flatten(kind: type, operands: list[Any]) -> tuple[a.Expr, ...]:
    flat: list[a.Expr] = []
    for operand in operands:
        if isinstance(operand, kind):
            flat.extend(operand.operands)  # type: ignore[attr-defined]  # an And/Or operand of the same kind has operands
        else:
            flat.append(operand)
    return tuple(flat)


def _is_number(expr: object) -> bool:
    return isinstance(expr, a.Literal) and type(expr.value) in (int, float)


def _unquote_name(text: str) -> str:
    """`name` → name (a backslash escapes the next character); other text is returned as is."""
    if len(text) >= 2 and text[0] == "`" and text[-1] == "`":
        body = text[1:-1]
        if "\\" in body:
            out, i = [], 0
            while i < len(body):
                if body[i] == "\\" and i + 1 < len(body):
                    i += 1
                out.append(body[i])
                i += 1
            return "".join(out)
        return body
    return text


def _body_fields(body: tuple[str, Any] | None) -> dict[str, Any]:
    """Map a tagged INSERT/CREATE body onto the statement's keyword arguments."""
    if body is None:
        return {}
    kind, value = body
    if kind == "values":
        columns, rows = value
        return {"columns": columns, "rows": rows}
    return {kind: value}


def _where(text: str, line: int, column: int) -> str:
    """The tail of an error message: the statement, plus the offending line with a caret."""
    lines = text.splitlines() or [""]
    shown = text if len(text) <= 200 and len(lines) == 1 else None
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    if len(source_line) > 120:  # keep a window around the column
        start = max(0, column - 60)
        source_line = source_line[start : start + 120]
        column -= start
    head = f" in: {shown}" if shown is not None else ""
    return f"{head}\n  {source_line}\n  {' ' * max(0, column - 1)}^"


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# ----------------------------------------------------------------------------- the parser


class _Parser:
    """The LALR parser (tables cached by arcadelite.lark_cache) plus its transformer; one per
    process, used under a lock."""

    def __init__(self) -> None:
        self.recorder = _TokenRecorder()
        self.builder = _Builder(self.recorder)
        self.lark: Parser = load_parser(GRAMMAR_FILE, self.builder, LARK_OPTIONS,
                                        postlex=self.recorder, name="sql-grammar")  # fmt: skip
        self.terminals = self.lark.terminals
        self.lock = threading.Lock()
        # The parser's objects live as long as the process. One full collection now counts them
        # (and the modules imported so far) as old; otherwise the full collection they make due
        # lands in whatever allocates next: measured with Lark's own parser (~28,000 objects), a
        # 10-30 ms collection inside a program's first 10,000-record async load. The cached
        # tables leave ~4,000 and no such collection was measured without this call either; it
        # stays as the cheap guarantee (~2 ms on a fresh process's heap).
        gc.collect()

    def parse(self, text: str, start: str) -> Any:
        with self.lock:
            builder = self.builder
            builder.reset(text)
            try:
                result = self.lark.parse(text, start=start)
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
                near = "end of input"
                shown_token = ""
            else:
                line, column = token.line or 1, token.column or 1
                near = repr(str(token))
                shown_token = str(token)
        elif isinstance(error, UnexpectedCharacters):
            line, column = error.line, error.column
            position = error.pos_in_stream
            char = text[position] if position is not None and 0 <= position < len(text) else ""
            expected = set(error.allowed or ())
            shown_token = char
            near = repr(char)
            if char and char in "'\"`":
                near += " (unterminated quote?)"
        else:
            line = getattr(error, "line", None) or 1
            column = getattr(error, "column", None) or 1
            if line < 1 or column < 1:
                line, column = _position(text, len(text))
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
        # descriptions ("a name") first, then KEYWORDS, then 'symbols'
        shown = sorted(
            labels, key=lambda s: (0 if s[:1].islower() else 1 if s[:1].isalpha() else 2, s)
        )
        if len(shown) > _MAX_EXPECTED_SHOWN:
            shown = [*shown[:_MAX_EXPECTED_SHOWN], "..."]
        return ", ".join(shown)


def _check_nesting(root: Any, text: str) -> None:
    """Reject ASTs nested deeper than MAX_NESTING (walked iteratively: no recursion here)."""
    stack: list[tuple[Any, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, tuple):
            stack.extend((item, depth) for item in node)
        elif isinstance(node, a.Node):
            if depth > MAX_NESTING:
                raise ParseError(
                    f"Statement nests too deeply (more than {MAX_NESTING} levels)", text=text
                )
            fields: tuple[str, ...] = node.__slots__
            stack.extend((getattr(node, field), depth + 1) for field in fields)


_parser: _Parser | None = None
_parser_lock = threading.Lock()


def _get_parser() -> _Parser:
    global _parser
    if _parser is None:
        with _parser_lock:
            if _parser is None:
                _parser = _Parser()
    return _parser


def _check_text(text: object, function: str) -> None:
    if not isinstance(text, str):
        raise TypeError(f"{function}() expects the statement as a str, got {type(text).__name__}")


@functools.lru_cache(maxsize=CACHE_SIZE)
def parse(text: str) -> a.Statement:
    """Parse one SQL statement (an optional trailing ``;`` is allowed) into its AST.

    Results are cached by text: parsing the same text again returns the same (immutable) object.
    Raises `ParseError` (with ``line``, ``column`` and ``token``) for any invalid input.
    """
    _check_text(text, "parse")
    return _get_parser().parse(text, "single")


@functools.lru_cache(maxsize=256)
def _parse_script(text: str) -> tuple[a.Statement, ...]:
    _check_text(text, "parse_script")
    return _get_parser().parse(text, "script")


def parse_script(text: str) -> list[a.Statement]:
    """Parse a ``;``-separated script (BEGIN/COMMIT, LET, RETURN ...) into its statements.

    Positional ``?`` parameters are numbered across the whole script, in text order.
    """
    return list(_parse_script(text))


def clear_cache() -> None:
    """Forget every cached parse (tests and benchmarks use this to measure cold parses)."""
    parse.cache_clear()
    _parse_script.cache_clear()


def __getattr__(name: str) -> Any:
    """``GRAMMAR_PATH``, the grammar file as a Path (pathlib is imported only when asked for)."""
    if name == "GRAMMAR_PATH":
        from pathlib import Path

        return Path(GRAMMAR_FILE)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["CACHE_SIZE", "MAX_NESTING", "clear_cache", "parse", "parse_script"]
