"""A small predicate and ordering IR, compiled into SQLite SQL over the per-type tables.

The query planner describes *what* to read with these nodes; only this module knows how that reads
in SQLite. A type's records live in one table per type (``t<id>``), so a query on a type is one
SELECT per table of the type and its subtypes, glued with ``UNION ALL``. Each branch is compiled
for its own table, so ``@type`` and ``@rid`` become constants or primary-key seeks there.

Values are not inlined: every ``Value(slot)`` becomes a numbered SQLite parameter whose binder
converts the execution-time value (``values[slot]``) into the form it compares as inside SQLite
(see ``codec.sql_value``). A compiled query is therefore reusable for any parameter values.

Conditions are three-valued, as ArcadeDB evaluates them (measured on the reference, see
docs/reference-notes.md §10): a comparison with a missing or null operand is *unknown*, not false,
so ``i <> 5`` (compiled as ``NOT (i = 5)``), ``NOT (i = 5)`` and ``i NOT IN [5]`` do not hold
where ``i`` is missing; IN is unknown when nothing matches and the operand is null (the list not
empty) or the list holds a null; LIKE, IS NULL and IS DEFINED are never unknown; NOT, AND and OR
are Kleene's, as SQLite's are. In a positive position only "true" matters, so a condition
compiles to the plain, index-friendly SQL. Under ``NOT`` each atom compiles *exactly*: ``CASE
WHEN <true> THEN 1 WHEN <unknown> THEN NULL ELSE 0 END``, whatever the typed variants below
produce for null fields.

Index use: a comparison of a property with a value compiles to ``json_extract(body, '$.p') = ?``,
the very expression of the property's SQLite expression index, so SQLite seeks the index.

Text meets numbers as ArcadeDB converts them (the right operand takes the left one's type; see
``query.evaluate._cross``): ``i = '5'`` finds the integer 5, ``s > 6`` compares ``s`` with
``'6'`` as text. How a value converts is known only when the statement runs, so a comparison
whose field may hold text or numbers (``kinds``) compiles into one SQL *variant* per kind of value
(number, text that reads as a number, other text, anything else), each a union of range or
equality terms on the field that SQLite can still seek in an index. A field declared INTEGER,
DOUBLE or STRING holds that kind only, so its variants test only that kind.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import orjson

from ..exceptions import QueryError
from ..rid import POSITION_BITS, RID, bucket_base
from . import codec
from .catalog import TypeDef
from .sqltext import field_sql, json_path

if TYPE_CHECKING:
    from .engine import Storage
    from .sessions import Session

from .ir import (
    KINDS,
    Aggregate,
    And,
    Between,
    Compare,
    Field,
    In,
    IsDefined,
    IsNull,
    JsonType,
    Like,
    Not,
    Or,
    OrderKey,
    Special,
    Value,
)

# -------------------------------------------------------------------------------- binders


_INT64 = (-(1 << 63), (1 << 63) - 1)


def bind_scalar(value: Any) -> Any:
    """The SQLite form of a value compared with a stored property."""
    value = codec.sql_value(value)
    if isinstance(value, (list, tuple, dict)):
        return codec.dumps(_plain(value))
    if type(value) is int and not _INT64[0] <= value <= _INT64[1]:
        return float(value)  # beyond any stored integer; compares by value as a double
    if not isinstance(value, (str, int, float, bytes)) and value is not None:
        return str(value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    value = codec.sql_value(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if type(value) is int and not _INT64[0] <= value <= _INT64[1]:
        return float(value)
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None  # JSON has no NaN or infinity
    if not isinstance(value, (str, int, float)) and value is not None:
        return str(value)
    return value


# How a value meets a field of other types (a variant key): "o" plain SQLite comparison (null,
# booleans, links, lists, maps), "n" a number, else text: "t", plus "i" when it reads as an
# integer and "r" when it reads as a double, plus "=" when both give the same number.
_TEXT_LIKE = (str, dt.date, bytes, bytearray, memoryview)


def _text_of(value: Any) -> str:
    return value if isinstance(value, str) else codec.sql_value(value)


def _text_numbers(text: str) -> tuple[int | None, float | None]:
    real = codec.parse_double(text)
    return codec.parse_long(text), (None if real is None or real != real else real)


def value_key(value: Any) -> str:
    """The variant key of a value compared with a field (see above)."""
    kind = type(value)
    if kind is int or kind is float:
        return "n"
    if value is None or kind is bool:
        return "o"
    if isinstance(value, (int, float, Decimal)):
        return "n"
    if isinstance(value, _TEXT_LIKE):
        integer, real = _text_numbers(_text_of(value))
        key = "t" + ("i" if integer is not None else "") + ("r" if real is not None else "")
        return key + "=" if integer is not None and real == integer else key
    return "o"


def left_value_key(value: Any) -> str:
    """The key of a value that stood left of the field: a boolean is then a number (1 or 0),
    and a link ("k") reads as text against numeric values."""
    if isinstance(value, bool):
        return "n"
    if isinstance(value, RID) or hasattr(value, "__arcadelite_rid__"):
        return "k"
    return value_key(value)


def list_key(value: Any) -> str:
    """The key of a list compared with IN: which of its texts read as an integer only ("i") or
    as a double only ("r"); those need terms restricted to one kind of number."""
    key = "l"
    items = _list_items(value)
    keys = [value_key(v) for v in items]
    if any("i" in k and "=" not in k for k in keys):
        key += "i"
    if any("r" in k and "=" not in k for k in keys):
        key += "r"
    return key


def _bind_number(value: Any) -> Any:
    """The number integer and real values compare with ("n", or text with "=")."""
    if isinstance(value, _TEXT_LIKE):
        return codec.parse_long(_text_of(value))
    return bind_scalar(value)


def _bind_integer(value: Any) -> Any:
    return _text_numbers(_text_of(value))[0] if isinstance(value, _TEXT_LIKE) else None


def _bind_real(value: Any) -> Any:
    return _text_numbers(_text_of(value))[1] if isinstance(value, _TEXT_LIKE) else None


def _bind_text(value: Any) -> Any:
    """The text text values compare with: the value's own, or a number as Java writes it."""
    if isinstance(value, _TEXT_LIKE):
        return _text_of(value)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return codec.number_text(value)
    return None


def _forms(key: str, kinds: tuple[str, ...]) -> dict[str, Callable[[Any], Any]]:
    """Which binders a value of this key needs against fields of these kinds: "num" for
    integer and real values alike, "integer" or "real" for one of them, "text"."""
    forms: dict[str, Callable[[Any], Any]] = {}
    if key == "n" or key.endswith("="):
        if "integer" in kinds or "real" in kinds:
            forms["num"] = bind_scalar if key == "n" else _bind_number
    else:
        if "i" in key and "integer" in kinds:
            forms["integer"] = _bind_integer
        if "r" in key and "real" in kinds:
            forms["real"] = _bind_real
    if "text" in kinds:
        forms["text"] = _bind_text
    return forms


def _list_items(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return list(value.tolist())
    return [value]


@functools.cache
def _list_binder(kinds: tuple[str, ...], role: str) -> Callable[[Any], str]:
    """Binder of the JSON array that ``json_each`` unrolls for ``IN ?``: role "main" holds every
    value in the form that finds its own kind (numbers, texts, anything else as is), "integer"
    and "real" the texts that read as one kind of number only."""

    def bind(value: Any) -> str:
        out: list[Any] = []
        for item in _list_items(value):
            key = value_key(item)
            if key == "o":
                if role == "main":
                    out.append(_plain(item))
                continue
            for form, binder in _forms(key, kinds).items():
                if form == role or (role == "main" and form in ("num", "text")):
                    out.append(_plain(binder(item)))
        return codec.dumps(out)

    return bind


def bind_packed_rid(value: Any) -> int | None:
    """A RID (or "#b:p" text, or record) as the packed integer stored in out_rid/in_rid."""
    try:
        return RID.parse(value).to_int()
    except Exception:  # anything that is not a RID matches nothing
        return None


def bind_list(value: Any) -> str:
    """A list of values as the JSON array that ``json_each`` unrolls for ``IN``."""
    if value is None:
        items: list[Any] = []
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
    elif hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        items = list(value.tolist())
    else:
        items = [value]
    return codec.dumps([_plain(v) for v in items])


def bind_packed_list(value: Any) -> str:
    items = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
    return codec.dumps([bind_packed_rid(v) for v in items])


_GLOB_SPECIAL = re.compile(r"[*?\[]")


def like_to_glob(pattern: Any) -> str | None:
    """Translate an ArcadeDB LIKE pattern into a SQLite GLOB pattern (both case-sensitive)."""
    if pattern is None:
        return None
    text = str(codec.sql_value(pattern)) if not isinstance(pattern, str) else pattern
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in "%?":
            out.append("[?]" if text[i + 1] == "?" else "%")
            i += 2
            continue
        if char == "%":
            out.append("*")
        elif char == "?":
            out.append("?")
        elif _GLOB_SPECIAL.match(char):
            out.append(f"[{char}]")
        else:
            out.append(char)
        i += 1
    return "".join(out)


# ------------------------------------------------------------------------------- compiler


class Compiled:
    """SQLite text plus how to build its parameters from the execution-time values.

    A statement with typed comparisons (see the module docstring) has one SQL text per variant:
    the key of each typed value picks it, compiled on first use. ``sql``/``binders`` are the
    variant of plain SQLite comparisons, what EXPLAIN shows when it has no values.
    """

    __slots__ = ("sql", "binders", "kind", "extra", "_build", "_typed", "_variants")

    def __init__(self, sql: str, binders: list[tuple[int, Callable[[Any], Any]]], kind: str,
                 extra: Any = None, build: Callable[[dict], tuple[str, list]] | None = None,
                 typed: tuple[tuple[int, Callable[[Any], str]], ...] = ()) -> None:  # fmt: skip
        self.sql = sql
        self.binders = binders
        self.kind = kind
        self.extra = extra
        self._build = build
        self._typed = typed
        self._variants: dict[tuple[str, ...], tuple[str, list]] = {}

    def prepare(self, values: list[Any]) -> tuple[str, list[Any]]:
        """The SQL text for these values and its parameters."""
        sql, binders = self.sql, self.binders
        typed = self._typed
        if typed:
            if len(typed) == 1:
                slot, classify = typed[0]
                key: tuple[str, ...] = (classify(values[slot]),)
            else:
                key = tuple([classify(values[slot]) for slot, classify in typed])
            variant = self._variants.get(key)
            if variant is None:
                if len(self._variants) >= 64:
                    self._variants.clear()
                assert self._build is not None
                variant = self._build(dict(zip(self._typed, key)))
                self._variants[key] = variant
            sql, binders = variant
        return sql, [bind(values[slot]) for slot, bind in binders]

    def params(self, values: list[Any]) -> list[Any]:
        return self.prepare(values)[1]

    def sql_for(self, values: list[Any] | None) -> str:
        return self.sql if values is None else self.prepare(values)[0]

    def run(self, storage: Storage, session: Session, values: list[Any]) -> list[tuple]:
        """Execute and fetch every row (rows are materialized: no cursor stays open)."""
        sql, params = self.prepare(values)
        return storage.execute_sql(session, sql, params).fetchall()

    def explain(self, storage: Storage, session: Session, values: list[Any] | None) -> list[str]:
        if values is None:
            sql, params = self.sql, [None] * len(self.binders)
        else:
            sql, params = self.prepare(values)
        return storage.explain(session, sql, params)


class _Builder:
    """Numbers parameters across the branches of one statement (shared by every table).

    variant: the key of each typed value ((slot, classifier) -> key) this text is compiled for;
    None compiles plain SQLite comparisons. ``typed`` collects the typed values met.
    """

    def __init__(self, variant: dict | None = None) -> None:
        self.binders: list[tuple[int, Callable[[Any], Any]]] = []
        self.numbers: dict[tuple[int, Any], int] = {}
        self.variant = variant
        self.typed: dict[tuple[int, Callable[[Any], str]], None] = {}

    def param(self, slot: int, bind: Callable[[Any], Any] = bind_scalar) -> str:
        key = (slot, bind)
        number = self.numbers.get(key)
        if number is None:
            self.binders.append((slot, bind))
            number = self.numbers[key] = len(self.binders)
        return f"?{number}"

    def key(self, slot: int, classify: Callable[[Any], str] = value_key) -> str:
        """The variant key of a typed value ("o", plain SQLite, when compiling no variant)."""
        self.typed[(slot, classify)] = None
        return "o" if self.variant is None else self.variant[(slot, classify)]


def _compiled(build: Callable[[_Builder], str], kind: str, extra: Any = None) -> Compiled:
    """Compile build's SQL; when it meets typed values, keep build to compile variants."""
    b = _Builder()
    sql = build(b)
    typed = tuple(b.typed)

    def variant(keys: dict) -> tuple[str, list]:
        vb = _Builder(keys)
        return build(vb), vb.binders

    return Compiled(sql, b.binders, kind, extra, variant if typed else None, typed)


def _operand(node: Any, table: TypeDef, b: _Builder, rid_context: bool = False) -> str:
    if isinstance(node, Field):
        return field_sql(node.path)
    if isinstance(node, Value):
        return b.param(node.slot, bind_packed_rid if rid_context else bind_scalar)
    if isinstance(node, Special):
        name = node.name
        if name == "@rid":
            return f"(pos + {bucket_base(table.id)})"
        if name == "@type":
            return "'" + table.name.replace("'", "''") + "'"
        if name in ("@out", "@in"):
            return ("out_rid" if name == "@out" else "in_rid") if table.kind == "edge" else "NULL"
    raise ValueError(f"not a storage operand: {node!r}")


def _is_rid_special(node: Any) -> bool:
    return isinstance(node, Special) and node.name in ("@rid", "@out", "@in")


def _typed_compare(op: str, field: str, slot: int, kinds: tuple[str, ...], b: _Builder,
                   swapped: bool = False, exact: list[bool] | None = None) -> str:  # fmt: skip
    """``field op value`` where text and numbers meet as ArcadeDB converts them.

    exact, when given, receives whether the SQL is NULL exactly where the field is null (given
    parameters that are not null): True for a plain comparison of SQLite's, False for a constant
    or a term guarded by ``typeof``.
    """
    key = b.key(slot, left_value_key if swapped else value_key)
    numeric = "integer" in kinds or "real" in kinds
    if exact is not None:
        exact.append(not swapped and key != "k")
    if key in ("o", "k"):  # SQLite's own comparison (a link on the left: and every number)
        plain = f"{field} {op} {b.param(slot)}"
        return f"({plain} OR {field} < '')" if key == "k" and numeric else plain
    forms = _forms(key, kinds)
    if swapped and (op != "=" or key == "n"):
        # a superset: rows of the value's own kind exactly, the others all. ('5' = i holds only
        # where i reads back from '5' too, so text keeps the exact terms below for "=".)
        if key == "n":
            terms = [f"{field} {op} {b.param(slot, _bind_number)}"] if numeric else []
            if "text" in kinds:
                terms.append(f"{field} >= ''")
        else:
            terms = [_text_term(op, field, b.param(slot, _bind_text), numeric)]
            if numeric:
                terms.append(f"{field} < ''")
        return "(" + " OR ".join(terms) + ")"
    number = b.param(slot, forms["num"]) if "num" in forms else None
    text = b.param(slot, forms["text"]) if "text" in forms else None
    if number is not None and text is not None:  # the usual mixed field: one seek or range each
        if op == "=":
            return f"{field} IN ({number}, {text})"
        if op in ("<", "<="):
            return f"({field} {op} {number} OR ({field} >= '' AND {field} {op} {text}))"
        return f"({field} {op} {number} AND ({field} < '' OR {field} {op} {text}))"
    terms = []
    if number is not None:  # (no text values here: with them, the form above)
        terms.append(f"{field} {op} {number}")
    for kind in ("integer", "real"):
        if kind in forms:
            guard = f" AND typeof({field}) = '{kind}'" if len(kinds) > 1 else ""
            terms.append(f"{field} {op} {b.param(slot, forms[kind])}{guard}")
            if guard and exact is not None:
                exact[0] = False  # a null field makes the guard 0, not NULL
    if text is not None:
        terms.append(_text_term(op, field, text, numeric))
    if not terms:
        if exact is not None:
            exact[0] = False
        return "0"
    return terms[0] if len(terms) == 1 else "(" + " OR ".join(f"({t})" for t in terms) + ")"


def _text_term(op: str, field: str, text: str, numeric: bool) -> str:
    """field op text over text values only (numbers sort before any text in SQLite)."""
    if op in ("<", "<=") and numeric:
        return f"({field} >= '' AND {field} {op} {text})"
    return f"{field} {op} {text}"


def _typed_in(field: str, values: Any, kinds: tuple[str, ...], b: _Builder) -> str:
    """``field IN values`` with each value meeting the field as ``=`` would."""
    common: list[str] = []
    only: dict[str, list[str]] = {"integer": [], "real": []}
    if isinstance(values, Value):
        key = b.key(values.slot, list_key)

        def unrolled(role: str) -> str:
            return f"SELECT value FROM json_each({b.param(values.slot, _list_binder(kinds, role))})"

        common.append(unrolled("main"))
        for kind, flag in (("integer", "i"), ("real", "r")):
            if flag in key and kind in kinds:
                only[kind].append(unrolled(kind))
        terms = [f"{field} IN ({common[0]})"]
        for kind, lists in only.items():
            guard = f" AND typeof({field}) = '{kind}'" if len(kinds) > 1 else ""
            terms += [f"({field} IN ({q}){guard})" for q in lists]
        return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"
    for value in values:
        key = b.key(value.slot)
        if key == "o":
            common.append(b.param(value.slot))
            continue
        for form, binder in _forms(key, kinds).items():
            (common if form in ("num", "text") else only[form]).append(b.param(value.slot, binder))
    terms = [f"{field} IN ({', '.join(common)})"] if common else []
    for kind, params in only.items():
        if params:
            guard = f" AND typeof({field}) = '{kind}'" if len(kinds) > 1 else ""
            terms.append(f"({field} IN ({', '.join(params)}){guard})")
    if not terms:
        return "0"
    return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"


def _bound_form(kind: str, key: str) -> Callable[[Any], Any] | None:
    """How a BETWEEN bound of this key reads for values of one kind (None: it matches none)."""
    if key == "o" or (key == "n" and kind != "text"):
        return bind_scalar
    if kind == "text":
        return _bind_text
    if key.endswith("="):
        return _bind_number
    if kind == "integer" and "i" in key:
        return _bind_integer
    if kind == "real" and "r" in key:
        return _bind_real
    return None


def _typed_between(field: str, low: Value, high: Value, kinds: tuple[str, ...],
                   b: _Builder) -> str:  # fmt: skip
    """``field BETWEEN low AND high``, each bound meeting the field as ``>=``/``<=`` would."""
    keys = (b.key(low.slot), b.key(high.slot))
    if keys == ("o", "o"):
        return f"{field} BETWEEN {b.param(low.slot)} AND {b.param(high.slot)}"
    branches: list[tuple[list[str], Any, Any]] = []
    for kind in KINDS:
        if kind not in kinds:
            continue
        forms = (_bound_form(kind, keys[0]), _bound_form(kind, keys[1]))
        if forms[0] is None or forms[1] is None:
            continue
        if kind == "real" and branches and branches[-1] == (["integer"], *forms):
            branches[-1][0].append(kind)  # the same bounds for both kinds of number
        else:
            branches.append(([kind], *forms))
    numeric = [k for k in kinds if k != "text"]
    terms = []
    for branch_kinds, lo, hi in branches:
        term = f"{field} BETWEEN {b.param(low.slot, lo)} AND {b.param(high.slot, hi)}"
        # bounds of the branch's own kind select only values of that kind (numbers sort before
        # text); values of other kinds (a bound that is a boolean, a list ...) need the test
        own = "o" not in keys and branch_kinds in (["text"], numeric)
        if len(kinds) > 1 and not own:
            names = ", ".join(f"'{k}'" for k in branch_kinds)
            term += f" AND typeof({field}) IN ({names})"
        terms.append(term)
    if not terms:
        return "0"
    return terms[0] if len(terms) == 1 else "(" + " OR ".join(f"({t})" for t in terms) + ")"


def _binds_null(value: Any) -> str:
    """Variant key: "x" when a value that is not null binds as NULL (a NaN, an unsaved record),
    so SQLite's own comparison would be unknown where the reference's is false; else "e"."""
    if value is None:
        return "e"
    bound = bind_scalar(value)
    return "x" if bound is None or (isinstance(bound, float) and bound != bound) else "e"


def _is_null_flag(value: Any) -> int:
    """1 when a compared value is null (the comparison is then unknown)."""
    return 1 if value is None else 0


def _list_unknown(value: Any) -> int:
    """How ``x IN value`` is unknown when nothing matches: 2 always (the list is null or holds a
    null), 1 when x is null (a list with items), 0 never (an empty list)."""
    if value is None:
        return 2
    items = _list_items(value)
    return 2 if any(item is None for item in items) else (1 if items else 0)


def _null_sql(node: Any, table: TypeDef, b: _Builder) -> str | None:
    """SQL that holds when an operand is null (None: it never is)."""
    if isinstance(node, Field):
        return f"{field_sql(node.path)} IS NULL"
    if isinstance(node, Value):
        return b.param(node.slot, _is_null_flag)
    if isinstance(node, Special) and node.name in ("@out", "@in") and table.kind != "edge":
        return "1"
    return None


def _unknown(node: Any, table: TypeDef, b: _Builder) -> str | None:
    """SQL that holds when an atom that is not true is unknown (None: it never is)."""
    if isinstance(node, Compare):
        terms = [t for t in (_null_sql(x, table, b) for x in (node.left, node.right)) if t]
        return " OR ".join(terms) if terms else None
    if isinstance(node, In):
        operand = _null_sql(node.operand, table, b)
        if isinstance(node.values, Value):
            flag = b.param(node.values.slot, _list_unknown)
            return f"{flag} = 2" + (f" OR ({flag} = 1 AND {operand})" if operand else "")
        terms = [t for t in (_null_sql(v, table, b) for v in node.values) if t]
        if operand and node.values:
            terms.insert(0, operand)
        return " OR ".join(terms) if terms else None
    return None  # LIKE, IS NULL, IS DEFINED, JSON types: never unknown


def _exact(node: Any, table: TypeDef, b: _Builder) -> str:
    """The condition's three-valued value: 1 true, 0 false, NULL unknown (for use under NOT)."""
    if isinstance(node, And):
        return "(" + " AND ".join(_exact(i, table, b) for i in node.items) + ")"
    if isinstance(node, Or):
        return "(" + " OR ".join(_exact(i, table, b) for i in node.items) + ")"
    if isinstance(node, Not):
        return f"NOT {_exact(node.item, table, b)}"
    if isinstance(node, (IsNull, IsDefined)):
        return f"({_condition(node, table, b)})"  # never null in SQLite
    if isinstance(node, Between):  # as the reference: operand >= low AND operand <= high
        low = Compare(">=", node.operand, node.low, node.kinds)
        high = Compare("<=", node.operand, node.high, node.kinds)
        return f"({_exact(low, table, b)} AND {_exact(high, table, b)})"
    if isinstance(node, Compare) and node.op == "<>":
        return (
            f"NOT {_exact(Compare('=', node.left, node.right, node.kinds, node.swapped), table, b)}"
        )
    if isinstance(node, Compare):
        direct = _direct_compare(node, table, b)
        if direct is not None:
            return f"({direct})"
    true = _condition(node, table, b)
    unknown = _unknown(node, table, b)
    if unknown is None:
        return f"coalesce({true}, 0)"
    return f"CASE WHEN {true} THEN 1 WHEN {unknown} THEN NULL ELSE 0 END"


def _direct_compare(node: Compare, table: TypeDef, b: _Builder) -> str | None:
    """A field compared with a value as SQLite's own expression, when that is already 1, 0 and
    NULL exactly where the reference's comparison is true, false and unknown (None otherwise):
    it then needs no CASE, which evaluates the field twice, under NOT."""
    if node.swapped or node.kinds is None or not isinstance(node.left, Field):
        return None
    if not isinstance(node.right, Value) or b.key(node.right.slot, _binds_null) != "e":
        return None
    exact: list[bool] = []
    sql = _typed_compare(node.op, _operand(node.left, table, b), node.right.slot, node.kinds, b,
                         exact=exact)  # fmt: skip
    return sql if exact[0] else None


def _condition(node: Any, table: TypeDef, b: _Builder) -> str:
    """The condition as SQL that holds exactly where it is true (unknown and false alike fail)."""
    if isinstance(node, Compare) and node.op == "<>":
        return _exact(node, table, b)
    if isinstance(node, Compare) and node.kinds is not None and isinstance(node.left, Field):
        field = _operand(node.left, table, b)
        return _typed_compare(node.op, field, node.right.slot, node.kinds, b, node.swapped)
    if isinstance(node, In) and node.kinds is not None and isinstance(node.operand, Field):
        return _typed_in(_operand(node.operand, table, b), node.values, node.kinds, b)
    if isinstance(node, Between) and node.kinds is not None and isinstance(node.operand, Field):
        field = _operand(node.operand, table, b)
        return _typed_between(field, node.low, node.high, node.kinds, b)
    if isinstance(node, Compare):
        rid = _is_rid_special(node.left) or _is_rid_special(node.right)
        if (
            node.op == "="
            and isinstance(node.left, Special)
            and node.left.name == "@rid"
            and (isinstance(node.right, Value))
        ):
            # a primary-key seek: pos = packed - bucket offset (matches only in the RID's table)
            return f"pos = ({_operand(node.right, table, b, True)} - {bucket_base(table.id)})"
        left = _operand(node.left, table, b, rid)
        right = _operand(node.right, table, b, rid)
        return f"{left} {node.op} {right}"
    if isinstance(node, And):
        return "(" + " AND ".join(_condition(i, table, b) for i in node.items) + ")"
    if isinstance(node, Or):
        return "(" + " OR ".join(_condition(i, table, b) for i in node.items) + ")"
    if isinstance(node, Not):
        return f"NOT {_exact(node.item, table, b)}"
    if isinstance(node, IsNull):
        return f"{_operand(node.operand, table, b)} IS NULL"
    if isinstance(node, IsDefined):
        return f"json_type(body, {json_path(node.field.path)}) IS NOT NULL"
    if isinstance(node, In):
        rid = _is_rid_special(node.operand)
        left = _operand(node.operand, table, b, rid)
        if isinstance(node.values, Value):
            bind = bind_packed_list if rid else bind_list
            return f"{left} IN (SELECT value FROM json_each({b.param(node.values.slot, bind)}))"
        items = ", ".join(_operand(v, table, b, rid) for v in node.values)
        return f"{left} IN ({items})"
    if isinstance(node, Like):
        left = _operand(node.operand, table, b)
        glob = b.param(node.pattern.slot, like_to_glob)
        return f"({left} GLOB {glob} AND ({left} <> '' OR {glob} = ''))"
    if isinstance(node, Between):
        return (
            f"{_operand(node.operand, table, b)} BETWEEN {_operand(node.low, table, b)} "
            f"AND {_operand(node.high, table, b)}"
        )
    if isinstance(node, JsonType):
        kinds = ", ".join("'" + k.replace("'", "''") + "'" for k in node.kinds)
        return f"json_type(body, {json_path(node.field.path)}) IN ({kinds})"
    raise ValueError(f"not a storage condition: {node!r}")


_SCAN_COLUMNS = ("tid", "pos", "body", "tags", "out_rid", "in_rid")


def _columns(table: TypeDef) -> str:
    edge = "out_rid, in_rid" if table.kind == "edge" else "NULL AS out_rid, NULL AS in_rid"
    return f"{table.id} AS tid, pos, body, tags, {edge}"


def _where(filter: Any, table: TypeDef, b: _Builder) -> str:
    return "" if filter is None else " WHERE " + _condition(filter, table, b)


def compile_scan(targets: list[TypeDef], filter: Any = None, order: tuple[OrderKey, ...] = (),
                 skip: Value | None = None, limit: Value | None = None) -> Compiled:  # fmt: skip
    """Rows ``(type id, pos, body, tags, out_rid, in_rid)`` of the targets matching filter."""
    return _compiled(lambda b: _scan_sql(b, targets, filter, order, skip, limit), "scan")


def _scan_sql(b: _Builder, targets: list[TypeDef], filter: Any, order: tuple[OrderKey, ...],
              skip: Value | None, limit: Value | None) -> str:  # fmt: skip
    if len(targets) == 1:
        table = targets[0]
        sql = f"SELECT {_columns(table)} FROM {table.table}{_where(filter, table, b)}"
        if order:
            terms = []
            for key in order:
                if isinstance(key.expr, Special) and key.expr.name == "@rid":
                    term = "pos"
                else:
                    term = _operand(key.expr, table, b)
                terms.append(term + (" DESC" if key.descending else ""))
            sql += " ORDER BY " + ", ".join(terms)
    else:
        branches = []
        for table in targets:
            keys = "".join(f", {_operand(k.expr, table, b)} AS k{i}" for i, k in enumerate(order))
            branches.append(
                f"SELECT {_columns(table)}{keys} FROM {table.table}{_where(filter, table, b)}"
            )
        sql = " UNION ALL ".join(branches)
        if order:
            sql = f"SELECT {', '.join(_SCAN_COLUMNS)} FROM ({sql}) ORDER BY " + ", ".join(
                f"k{i}" + (" DESC" if k.descending else "") for i, k in enumerate(order)
            )
    if limit is not None or skip is not None:
        sql += " LIMIT " + (b.param(limit.slot, _bind_limit) if limit is not None else "-1")
        if skip is not None:
            sql += " OFFSET " + b.param(skip.slot, _bind_skip)
    return sql


def _count_value(value: Any, clause: str) -> int:
    if value is None:
        return -1
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise QueryError(f"{clause} needs an integer, got {value!r}")
    return max(min(value, (1 << 62)), -1)


def _bind_limit(value: Any) -> int:
    return _count_value(value, "LIMIT")


def _bind_skip(value: Any) -> int:
    return max(_count_value(value, "SKIP"), 0)


def compile_count(targets: list[TypeDef], filter: Any = None) -> Compiled:
    """One row holding the number of matching records."""

    def build(b: _Builder) -> str:
        if len(targets) == 1:
            table = targets[0]
            return f"SELECT count(*) FROM {table.table}{_where(filter, table, b)}"
        parts = " UNION ALL ".join(
            f"SELECT count(*) AS c FROM {t.table}{_where(filter, t, b)}" for t in targets
        )
        return f"SELECT coalesce(sum(c), 0) FROM ({parts})"

    return _compiled(build, "count")


def _tag_probe(path: tuple[str, ...]) -> str:
    """SQL true when the row's tag list mentions this exact path (a date, decimal, link ...)."""
    needle = "[" + orjson.dumps(list(path)).decode() + ","
    return f"(tags IS NOT NULL AND instr(tags, '{needle.replace(chr(39), chr(39) * 2)}') > 0)"


def compile_aggregate(targets: list[TypeDef], group: tuple[Any, ...],
                      aggregates: tuple[Aggregate, ...], filter: Any = None) -> Compiled:  # fmt: skip
    """One row per group: group values (with their JSON types), then per aggregate its result
    (``avg`` as sum and count), then a flag that is 1 when some aggregated or grouped value was
    a tagged type (date, decimal, link ...): the caller must then aggregate in Python instead."""
    return _compiled(
        lambda b: _aggregate_sql(b, targets, group, aggregates, filter),
        "aggregate",
        (len(group), aggregates),
    )


def _aggregate_sql(b: _Builder, targets: list[TypeDef], group: tuple[Any, ...],
                   aggregates: tuple[Aggregate, ...], filter: Any) -> str:  # fmt: skip
    typed_paths: list[tuple[str, ...]] = []
    for expr in list(group) + [a.expr for a in aggregates if a.function != "count"]:
        if isinstance(expr, Field) and expr.path not in typed_paths:
            typed_paths.append(expr.path)

    def inner_columns(table: TypeDef) -> list[str]:
        cols = []
        for i, expr in enumerate(group):
            cols.append(f"{_operand(expr, table, b)} AS g{i}")
            if isinstance(expr, Field):
                cols.append(f"json_type(body, {json_path(expr.path)}) AS t{i}")
            else:
                cols.append(f"NULL AS t{i}")
        for i, agg in enumerate(aggregates):
            if agg.expr is not None:
                cols.append(f"{_operand(agg.expr, table, b)} AS a{i}")
        probes = [_tag_probe(p) for p in typed_paths]
        cols.append(("(" + " OR ".join(probes) + ")" if probes else "0") + " AS tagged")
        return cols

    outer: list[str] = []
    for i in range(len(group)):
        outer += [f"g{i}", f"t{i}"]
    for i, agg in enumerate(aggregates):
        if agg.function == "count":
            outer.append("count(*)" if agg.expr is None else f"count(a{i})")
        elif agg.function == "avg":
            outer += [f"sum(a{i})", f"count(a{i})"]
        else:
            outer.append(f"{agg.function}(a{i})")
    outer.append("max(tagged)")
    branches = [
        f"SELECT {', '.join(inner_columns(t))} FROM {t.table}{_where(filter, t, b)}"
        for t in targets
    ]
    sql = f"SELECT {', '.join(outer)} FROM ({' UNION ALL '.join(branches)})"
    if group:
        sql += " GROUP BY " + ", ".join(f"g{i}" for i in range(len(group)))
    return sql


# ------------------------------------------------------------------------ graph walks


def _exists_sql(column: str, types: tuple[TypeDef, ...]) -> str:
    """SQL true when the packed RID in column names a record of one of these types. A record
    of a live vertex type goes only with its edges (``_delete``) and type ids and positions are
    never reused (AUTOINCREMENT), so an edge end is gone exactly when its bucket's type is: DROP
    TYPE ... UNSAFE leaves such edges. The bucket alone decides, with no seek."""
    if not types:
        return "0"
    if len(types) == 1:
        return f"{column} >> {POSITION_BITS} = {types[0].id}"
    return f"{column} >> {POSITION_BITS} IN ({', '.join(str(t.id) for t in types)})"


def compile_walk(hops: tuple[tuple[str, tuple[TypeDef, ...]], ...], through: tuple[TypeDef, ...],
                 ends: tuple[TypeDef, ...], result: str) -> str:  # fmt: skip
    """SQL walking edges from the vertex ``?1`` (a packed RID): each hop is a direction
    ("out", "in", "both") and the edge tables it follows, in the order the step-by-step walk
    reads them. Every vertex passed through must be a record of ``through``, every end one of
    ``ends``. result: "rows" the packed RIDs of the ends of every walk (one row per walk, in the
    order of a depth-first walk that reads each vertex's edges type by type, outgoing before
    incoming, by the adjacency index), "records" the same with each end's body and tags (ends
    all vertex types: a few, one LEFT JOIN each), "count" how many walks, "distinct" how many
    ends.
    """
    if not hops:
        raise ValueError("a walk needs at least one hop")
    if result not in ("rows", "records", "count", "distinct"):
        raise ValueError(f"unknown walk result {result!r}")
    if not all(tables for _, tables in hops):  # a label naming no type: no walk at all
        if result in ("rows", "records"):
            return "SELECT ?1, NULL, NULL WHERE 0"
        return "SELECT count(*) FROM (SELECT ?1 WHERE 0)"
    ctes: list[str] = []
    keys: list[str] = []
    for number, (direction, tables) in enumerate(hops, 1):
        previous = f"h{number - 1}" if number > 1 else None
        source = f"{previous}.v{number - 1}" if previous else "?1"
        carried = (", ".join(f"{previous}.{k}" for k in keys) + ", ") if previous else ""
        sides = [("out_rid", "in_rid")] if direction == "out" else [("in_rid", "out_rid")] if (
            direction == "in") else [("out_rid", "in_rid"), ("in_rid", "out_rid")]  # fmt: skip
        branches = []
        branch = 0
        for table in tables:
            for near, far in sides:
                joined = f" JOIN {table.table} e ON e.{near} = {source}" if previous else ""
                where = "" if previous else f" WHERE e.{near} = ?1"
                origin = f"{previous}{joined}" if previous else f"{table.table} e"
                branches.append(
                    f"SELECT {carried}{branch} AS b{number}, e.{far} AS v{number}, "
                    f"e.pos AS p{number} FROM {origin}{where}"
                )
                branch += 1
        keys += [f"b{number}", f"v{number}", f"p{number}"]
        allowed = ends if number == len(hops) else through
        body = " UNION ALL ".join(branches)
        ctes.append(
            f"h{number} AS (SELECT * FROM ({body}) WHERE {_exists_sql(f'v{number}', allowed)})"
        )
    last = f"v{len(hops)}"
    if result == "rows":
        tail = f"SELECT {last} FROM h{len(hops)} ORDER BY {', '.join(keys)}"
    elif result == "records":
        joins = "".join(
            f" LEFT JOIN {t.table} r{i} ON {last} >> {POSITION_BITS} = {t.id} "
            f"AND r{i}.pos = {last} - {bucket_base(t.id)}"
            for i, t in enumerate(ends)
        )
        bodies = ", ".join(f"r{i}.body" for i in range(len(ends)))
        tags = ", ".join(f"r{i}.tags" for i in range(len(ends)))
        if len(ends) > 1:
            bodies, tags = f"coalesce({bodies})", f"coalesce({tags})"
        tail = (f"SELECT {last}, {bodies}, {tags} FROM h{len(hops)}{joins} "
                f"ORDER BY {', '.join(keys)}")  # fmt: skip
    elif result == "count":
        tail = f"SELECT count(*) FROM h{len(hops)}"
    else:
        tail = f"SELECT count(DISTINCT {last}) FROM h{len(hops)}"
    return "WITH " + ", ".join(ctes) + " " + tail


def decode_group_value(value: Any, json_type: str | None) -> Any:
    """A group value read back from SQLite, typed as JSON had it."""
    if json_type == "true" or json_type == "false":
        return bool(value)
    if json_type in ("object", "array") and isinstance(value, str):
        return orjson.loads(value)
    return value


__all__ = [
    "Compiled",
    "compile_aggregate",
    "compile_count",
    "compile_scan",
    "compile_walk",
    "decode_group_value",
]
