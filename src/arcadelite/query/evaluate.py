"""Python evaluation of SQL expressions: each AST expression is compiled once into a closure.

``Compiler.expr(node)`` returns ``f(ctx) -> value``; ``Compiler.condition(node)`` returns
``f(ctx) -> True | False | None`` (None: unknown, see below). The closures read the row being evaluated from ``ctx.current`` (a record, a
projected dict, a Result or a plain value) and parameters, variables and the database from ``ctx``.

Comparison semantics mirror what the storage layer compiles for SQLite, so that a condition gives
the same answer whether it was pushed down or evaluated here: dates compare as their ISO text,
decimals as numbers, and text meets numbers as ArcadeDB converts them (`_cross`); ORDER BY, min()
and max() put numbers before strings.

Conditions are three-valued, as the reference evaluates them (docs/reference-notes.md §10): a
comparison (``= <> < <= > >=``, BETWEEN) with a null or missing operand is *unknown* (None), IN
is unknown when nothing matches and the operand is null (the list not empty) or the list holds a
null, and NOT, AND, OR follow Kleene's rules, so ``i <> 5`` and ``NOT (i = 5)`` do not hold where
``i`` is missing. LIKE, MATCHES, the CONTAINS family, IS [NOT] NULL/DEFINED and INSTANCEOF are
never unknown. A WHERE keeps the rows whose condition is True; a projected condition shows
unknown as null.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import orjson

from ..exceptions import ArcadeDBError, QueryError
from ..model.factory import record_from_row
from ..model.records import Document, Edge
from ..model.results import Result
from ..rid import RID
from ..sql import ast as a
from ..storage import codec

if TYPE_CHECKING:
    from ..model.store import Store
    from ..storage import Session, Storage

Fn = Callable[["Ctx"], Any]

_MISSING = object()


class Ctx:
    """What an expression sees while it runs: the current row, variables, parameters, the store."""

    __slots__ = ("store", "storage", "session", "positional", "named", "current", "vars", "parent",
                 "agg", "cache", "depth", "path", "executor")  # fmt: skip

    def __init__(self, store: Store, storage: Storage, session: Session, positional: tuple,
                 named: dict, parent: Ctx | None = None) -> None:  # fmt: skip
        self.store = store
        self.storage = storage
        self.session = session
        self.positional = positional
        self.named = named
        self.current: Any = None
        self.vars: dict[str, Any] = {}
        self.parent = parent
        self.agg: list[Any] | None = None
        self.cache: dict[RID, Any] = parent.cache if parent is not None else {}
        self.depth: int = 0
        self.path: Any = None
        # The statement's executor: cached plans are shared by every session and thread, so
        # what they run (sub-queries) must reach the session through the context, never through
        # the executor that happened to build them.
        self.executor: Any = parent.executor if parent is not None else None

    def child(self) -> Ctx:
        """A context for a sub-query: same parameters and database, ``$parent`` is this one."""
        return Ctx(self.store, self.storage, self.session, self.positional, self.named, self)

    def derive(self, current: Any) -> Ctx:
        """Same variables, another current row (filters like ``out('E')[age > 3]``)."""
        other = Ctx.__new__(Ctx)
        other.store = self.store
        other.storage = self.storage
        other.session = self.session
        other.positional = self.positional
        other.named = self.named
        other.current = current
        other.vars = self.vars
        other.parent = self.parent
        other.agg = self.agg
        other.cache = self.cache
        other.depth = self.depth
        other.path = self.path
        other.executor = self.executor
        return other

    def param(self, key: int | str) -> Any:
        if isinstance(key, int):
            if key < len(self.positional):
                return self.positional[key]
            if key in self.named:
                return self.named[key]
            raise QueryError(
                f"Missing value for positional parameter #{key + 1}: the statement has more '?' "
                f"than the {len(self.positional)} value(s) given"
            )
        if key in self.named:
            return self.named[key]
        raise QueryError(f"Missing value for parameter :{key}")

    def load(self, rid: RID) -> Document | None:
        """The record with this RID (cached for the statement), or None when it is gone."""
        record = self.cache.get(rid, _MISSING)
        if record is _MISSING:
            found = self.storage.load(self.session, rid)
            record = None if found is None else record_from_row(self.store, *found)
            if len(self.cache) > 100_000:
                self.cache.clear()
            self.cache[rid] = record
        return record  # type: ignore[return-value]

    def load_many(self, rids: list[RID]) -> list[Document]:
        missing = [rid for rid in rids if rid not in self.cache]
        if missing:
            if len(self.cache) > 100_000:
                self.cache.clear()
            store = self.store
            for rid, found in zip(missing, self.storage.load_many(self.session, missing)):
                self.cache[rid] = None if found is None else record_from_row(store, *found)
        cache = self.cache
        return [r for r in (cache.get(rid) for rid in rids) if r is not None]

    def variable(self, name: str) -> Any:
        if name == "current":
            return self.current
        if name == "parent":
            return self.parent
        if name == "depth":
            return self.depth
        if name == "path":
            return self.path
        if name in self.vars:
            return self.vars[name]
        parent = self.parent
        while parent is not None:  # LET variables of enclosing queries are visible inside
            if name in parent.vars:
                return parent.vars[name]
            parent = parent.parent
        return None


# ------------------------------------------------------------------------------ value access


def as_record(value: Any) -> Any:
    """Unwrap a Result holding an element into the record."""
    if type(value) is Result and value._element is not None:
        return value._element
    return value


def record_attribute(ctx: Ctx, value: Any, name: str) -> Any:
    """``@rid``, ``@type``, ``@out``, ``@in``, ``@this`` ... of a record (or a projected row)."""
    value = as_record(value)
    if isinstance(value, Document):
        if name == "@rid":
            return value._rid
        if name in ("@type", "@class"):
            return value._type.name
        if name == "@this":
            return value
        if name == "@out":
            return value._out if isinstance(value, Edge) else None
        if name == "@in":
            return value._in if isinstance(value, Edge) else None
        if name == "@cat":
            return value._category
        if name == "@version":
            return 0
        return None
    if name == "@this":
        return value
    if isinstance(value, dict):
        return value.get(name)
    if type(value) is Result:
        return value.get(name)
    if isinstance(value, RID):
        record = ctx.load(value)
        return None if record is None else record_attribute(ctx, record, name)
    return None


def get_field(ctx: Ctx, value: Any, name: str) -> Any:
    """``value.name``: a property of a record or map; mapped over lists; links are followed."""
    kind = type(value)
    if kind is dict:
        return value.get(name)
    if isinstance(value, Document):
        return value._props.get(name)
    if kind is Result:
        return value.get(name)
    if isinstance(value, RID):
        record = ctx.load(value)
        return None if record is None else record._props.get(name)
    if kind is list or kind is tuple:
        out = []
        for item in value:
            got = get_field(ctx, item, name)
            if got is not None:
                out.append(got)
        return out
    if isinstance(value, Ctx):
        if name.startswith("$"):
            return value.variable(name[1:])
        return get_field(ctx, value.current, name)
    return None


def is_multi(value: Any) -> bool:
    return isinstance(value, (list, tuple, set, frozenset))


def to_list(value: Any) -> list[Any]:
    """A value as a list of items: lists stay, None is empty, anything else is one item."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    if isinstance(value, dict):
        return [value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        got = value.tolist()
        return got if isinstance(got, list) else [got]
    return [value]


# ---------------------------------------------------------------------------- comparisons

_NUMBER = (int, float, Decimal)


def _norm(value: Any) -> Any:
    """The form a value compares as (see module docstring)."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool:
        return value
    if kind is Result:
        value = value._element if value._element is not None else _first_value(value)
        return _norm(value)
    if isinstance(value, Document):
        return value._rid
    if isinstance(value, dt.datetime):
        return codec.format_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return codec.sql_value(value)
    return value


def _first_value(result: Result) -> Any:
    data = result._data or {}
    for value in data.values():
        return value
    return None


_NOT_COMPARABLE = object()


def _cross(left: Any, right: Any) -> Any:
    """The pair to compare when text meets a number, as ArcadeDB converts it: the right operand
    takes the type of the left one (measured on the reference, declared or not, indexed or not).

    A number on the left reads the text as a number of its own kind: an integer (or a boolean)
    as Java's Long.parseLong would ('05' is 5, '5.0' is not an integer), a double as
    Double.parseDouble would (' 5.5', '1e1', '5d'); text that does not read matches nothing.
    Text on the left compares as text with the number written as Java writes it: '12' > 6 is
    '12' > '6', false. A link on the left counts as its "#b:p" text, as SQLite sees it. Returns
    None when the rule does not apply and _NOT_COMPARABLE when the text is not such a number.
    """
    if type(right) is str:
        if not isinstance(left, _NUMBER):
            return None
        if codec.number_kind(left) == "integer":
            number: Any = codec.parse_long(right)
        else:
            number = codec.parse_double(right)
        if number is None or number != number:  # no number, or NaN (never equal, never ordered)
            return _NOT_COMPARABLE
        return left, number
    if (type(left) is str or isinstance(left, RID)) and isinstance(right, _NUMBER):
        if type(right) is bool:
            return None
        return str(left), codec.number_text(right)
    return None


def _operands(left: Any, right: Any, convert: bool) -> tuple[Any, Any] | None:
    """Both sides normalised and, with ``convert``, met as `_cross` says; None when either is
    null or text that is no number meets a number (equals is then false, compare None)."""
    if left is None or right is None:
        return None
    left = _norm(left)
    right = _norm(right)
    if left is None or right is None:
        return None
    if convert:
        crossed = _cross(left, right)
        if crossed is _NOT_COMPARABLE:
            return None
        if crossed is not None:
            return crossed
    return left, right


def equals(left: Any, right: Any, convert: bool = True) -> bool:
    """SQL ``=``: null equals nothing; text and numbers meet as `_cross` says (``convert``)."""
    operands = _operands(left, right, convert)
    if operands is None:
        return False
    left, right = operands
    if type(left) is Decimal and type(right) is float:
        return float(left) == right
    if type(right) is Decimal and type(left) is float:
        return left == float(right)
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        return len(left) == len(right) and all(  # items compare strictly: [5] is not ['5']
            (x is None and y is None) or equals(x, y, False) for x, y in zip(left, right)
        )
    if isinstance(left, RID) or isinstance(right, RID):
        return (
            str(left) == str(right)
            if isinstance(left, (RID, str)) and isinstance(right, (RID, str))
            else False
        )
    try:
        return bool(left == right)
    except Exception:  # values that cannot be compared are not equal
        return False


def case_equals(left: Any, right: Any) -> bool:
    """The match of a simple CASE: equal values of the same type (null matches null)."""
    left, right = _norm(left), _norm(right)
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        return len(left) == len(right) and all(case_equals(x, y) for x, y in zip(left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(
            case_equals(value, right[key]) for key, value in left.items()
        )
    if type(left) is not type(right):
        return False
    try:
        return bool(left == right)
    except Exception:  # values that cannot be compared do not match
        return False


def _rank(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, (bool, int, float, Decimal)):
        return 1
    if isinstance(value, RID):
        return 2
    return 3


def _comparable(value: Any) -> Any:
    if isinstance(value, (list, tuple, dict)):
        return orjson.dumps(value, default=_comparable_text).decode()
    if isinstance(value, RID):
        return (value.bucket_id, value.position)
    return value


def _comparable_text(value: Any) -> Any:
    """orjson's default= for comparable keys of lists and maps: a value as the text it compares as."""
    return str(_norm(value))


def compare(left: Any, right: Any, convert: bool = True) -> int | None:
    """-1, 0 or 1; None when either side is null, or (``convert``) when text that is no number
    meets a number on its left (the comparison is then false). Without ``convert`` (min, max)
    values of different types order as SQLite orders them: numbers before text."""
    operands = _operands(left, right, convert)
    if operands is None:
        return None
    left, right = operands
    rl, rr = _rank(left), _rank(right)
    if rl != rr:
        return -1 if rl < rr else 1
    if type(left) is Decimal and type(right) is float:
        left = float(left)
    elif type(right) is Decimal and type(left) is float:
        right = float(right)
    left, right = _comparable(left), _comparable(right)
    try:
        return -1 if left < right else (1 if left > right else 0)
    except TypeError:
        left, right = str(left), str(right)
        return -1 if left < right else (1 if left > right else 0)


def sort_key(value: Any) -> tuple:
    """A key that orders values as SQLite orders them (nulls first, numbers, then text)."""
    value = _norm(value)
    if value is None:
        return (0, 0)
    rank = _rank(value)
    if type(value) is Decimal:
        value = float(value)
    value = _comparable(value)
    if rank == 3 and not isinstance(value, str):
        value = str(value)
    return (rank, value)


def freeze(value: Any) -> Any:
    """A hashable stand-in for a value (group keys, DISTINCT)."""
    value = _norm(value)
    if isinstance(value, dict):
        return ("{}", tuple(sorted((str(k), freeze(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return ("[]", tuple(freeze(v) for v in value))
    if isinstance(value, (set, frozenset)):
        return ("set", frozenset(freeze(v) for v in value))
    try:
        hash(value)
    except TypeError:
        return ("repr", repr(value))
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def truthy(value: Any) -> bool:
    if value is True:
        return True
    if value is None or value is False:
        return False
    try:
        return bool(value)
    except Exception:
        return True


def like(value: Any, pattern: Any, ignore_case: bool = False) -> bool:
    if value is None or pattern is None or is_multi(pattern):
        return False
    if is_multi(value):
        return any(like(v, pattern, ignore_case) for v in value if v is not None)
    text = value if isinstance(value, str) else str(_norm(value))
    pattern = pattern if isinstance(pattern, str) else str(_norm(pattern))
    if not text or not pattern:
        return text == pattern
    return like_regex(pattern, ignore_case).fullmatch(text) is not None


_LIKE_CACHE: dict[tuple[str, bool], re.Pattern] = {}


def like_regex(pattern: str, ignore_case: bool = False) -> re.Pattern:
    key = (pattern, ignore_case)
    compiled = _LIKE_CACHE.get(key)
    if compiled is None:
        out = []
        i = 0
        while i < len(pattern):
            char = pattern[i]
            if char == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "%?":
                out.append(re.escape(pattern[i + 1]))
                i += 2
                continue
            out.append(".*" if char == "%" else "." if char == "?" else re.escape(char))
            i += 1
        flags = re.S | (re.I if ignore_case else 0)
        compiled = re.compile("".join(out), flags)
        if len(_LIKE_CACHE) > 1000:
            _LIKE_CACHE.clear()
        _LIKE_CACHE[key] = compiled
    return compiled


def _subquery_values(value: Any) -> list[Any]:
    """Right-hand side of IN: a list (sub-query rows unwrap to a record or their first value)."""
    items = to_list(value)
    return [as_record(v) if type(v) is Result else v for v in items]


def in_list(left: Any, right: Any) -> bool:
    if left is None:
        return False
    items = _subquery_values(right)
    if is_multi(left):
        return any(in_list(item, items) for item in left)
    return any(equals(left, item) for item in items)


def in_list3(left: Any, right: Any) -> bool | None:
    """Three-valued ``left IN right``: True on a match; else unknown (None) when left is null
    and right is no empty list, or right holds a null; else False (as the reference answers)."""
    if right is None:
        return None
    items = _subquery_values(right)
    if left is None:
        return None if items else False
    if is_multi(left):
        return any(in_list(item, items) for item in left)
    if any(equals(left, item) for item in items):
        return True
    return None if any(item is None for item in items) else False


def _and3(parts: list[Callable[[Ctx], Any]]) -> Callable[[Ctx], bool | None]:
    """Kleene AND: False wins, then unknown (None), else True."""

    def and_(ctx: Ctx) -> bool | None:
        unknown = False
        for part in parts:
            value = part(ctx)
            if value is None:
                unknown = True
            elif not value:
                return False
        return None if unknown else True

    return and_


def _or3(parts: list[Callable[[Ctx], Any]]) -> Callable[[Ctx], bool | None]:
    """Kleene OR: True wins, then unknown (None), else False."""

    def or_(ctx: Ctx) -> bool | None:
        unknown = False
        for part in parts:
            value = part(ctx)
            if value is None:
                unknown = True
            elif value:
                return True
        return None if unknown else False

    return or_


def _ordered3(
    result: int | None, left: Any, right: Any, test: Callable[[int], bool]
) -> bool | None:
    """An ordering test of compare()'s result: unknown when an operand is null, false when the
    values do not compare (text that is no number against a number)."""
    if left is None or right is None:
        return None
    return result is not None and test(result)


def contains(ctx: Ctx, left: Any, right: Any, condition: Fn | None) -> bool:
    if left is None:
        return False
    if isinstance(left, str) and condition is None:
        return isinstance(right, str) and right in left
    if isinstance(left, dict):
        items = [left]
    else:
        items = to_list(left)
    if condition is not None:
        return any(condition(ctx.derive(as_record(item))) for item in items)
    return any(_item_equals(item, right) for item in items)


def _item_equals(item: Any, wanted: Any) -> bool:
    """An item of a collection matches as the reference's CONTAINS family matches: a null item
    is found by a null (``tags CONTAINS null``), otherwise as ``=``."""
    return (item is None and wanted is None) or equals(item, wanted)


def _wanted(right: Any) -> list[Any]:
    return [None] if right is None else to_list(right)  # CONTAINSALL null is CONTAINSALL [null]


def contains_all(left: Any, right: Any) -> bool:
    """Every wanted item is in left; ``CONTAINSALL []`` holds for any non-null left, [] too."""
    if left is None:
        return False
    items = to_list(left)
    return all(any(_item_equals(i, w) for i in items) for w in _wanted(right))


def contains_any(left: Any, right: Any) -> bool:
    items = to_list(left)
    return any(any(_item_equals(i, w) for i in items) for w in _wanted(right))


def matches(left: Any, right: Any) -> bool:
    if left is None or right is None:
        return False
    try:
        return re.fullmatch(str(right), _text(left)) is not None
    except re.error as exc:
        raise QueryError(f"Invalid regular expression {right!r} in MATCHES: {exc}") from None


def instance_of(ctx: Ctx, left: Any, right: Any) -> bool:
    left = as_record(left)
    if isinstance(right, str):
        name = right
    else:
        return False
    if isinstance(left, Document):
        return left._type.is_a(name)
    if isinstance(left, RID):
        record = ctx.load(left)
        return record is not None and record._type.is_a(name)
    if isinstance(left, str):
        type_def = ctx.storage.catalog.types.get(left)
        return type_def is not None and type_def.is_a(name)
    return False


# ---------------------------------------------------------------------------- arithmetic


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    return value


def arithmetic(op: str, left: Any, right: Any) -> Any:
    if op == "||":
        if left is None or right is None:
            return left if right is None else right
        if is_multi(left) or is_multi(right):
            return to_list(left) + to_list(right)
        return _text(left) + _text(right)
    if left is None or right is None:
        return _null_operand(op, left, right)
    if op == "+" and (isinstance(left, str) or isinstance(right, str)):
        return _text(left) + _text(right)
    if op == "+" and isinstance(left, list):
        return left + to_list(right)
    left, right = _number(left), _number(right)
    if isinstance(left, (dt.date, dt.datetime)) or isinstance(right, (dt.date, dt.datetime)):
        try:
            return _date_arithmetic(op, left, right)
        except (OverflowError, ValueError) as exc:
            raise QueryError(f"Date arithmetic out of range: {exc}") from None
    if not isinstance(left, _NUMBER) or not isinstance(right, _NUMBER):
        raise QueryError(
            f"Operator '{op}' needs numbers, got {type(left).__name__} and {type(right).__name__}"
        )
    if isinstance(left, Decimal) and isinstance(right, float):
        right = Decimal(repr(right))
    elif isinstance(right, Decimal) and isinstance(left, float):
        left = Decimal(repr(left))
    try:
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        if op == "/":
            if isinstance(left, int) and isinstance(right, int):
                if right == 0:
                    raise QueryError("Division by zero")
                quotient, remainder = divmod(left, right)
                return quotient if remainder == 0 else left / right
            return left / right
        if op == "%":
            if isinstance(left, int) and isinstance(right, int):
                if right == 0:
                    raise QueryError("Division by zero")
                result = abs(left) % abs(right)  # Java's remainder keeps the dividend's sign
                return -result if left < 0 else result
            return left % right
    except ZeroDivisionError:
        raise QueryError("Division by zero") from None
    except ArithmeticError as exc:
        raise QueryError(f"Arithmetic error: {exc}") from None
    raise QueryError(f"Unknown operator '{op}'")


def _null_operand(op: str, left: Any, right: Any) -> Any:
    """The reference's ``+`` and ``-`` pass over one null operand (``null + 1`` is 1, ``'x' + null``
    is 'x', ``null - 1`` is -1); a text minus null, ``*``, ``/``, ``%`` and two nulls give null."""
    if op == "+":
        return left if right is None else right
    if op == "-":
        if right is None:
            return None if isinstance(left, str) else left
        right = _number(right)
        return -right if isinstance(right, _NUMBER) else None
    return None


def _date_arithmetic(op: str, left: Any, right: Any) -> Any:
    # date ± milliseconds (ArcadeDB counts time in ms), date - date = milliseconds
    if isinstance(left, (dt.date, dt.datetime)) and isinstance(right, _NUMBER) and op in "+-":
        delta = dt.timedelta(milliseconds=float(right))
        return left + delta if op == "+" else left - delta
    if op == "-" and type(left) is type(right):
        return int((left - right).total_seconds() * 1000)
    raise QueryError(f"Operator '{op}' is not defined for {type(left).__name__} and "
                     f"{type(right).__name__}")  # fmt: skip


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Document):
        return str(value._rid)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


# ------------------------------------------------------------------------------- compiler


_AT_LEAST: Callable[[int], bool] = lambda c: c >= 0  # noqa: E731
_AT_MOST: Callable[[int], bool] = lambda c: c <= 0  # noqa: E731
_ORDER_TESTS: dict[str, Callable[[int], bool]] = {
    "<": lambda c: c < 0, "<=": _AT_MOST, ">": lambda c: c > 0, ">=": _AT_LEAST,
}  # fmt: skip


class Compiler:
    """Compiles expressions of one statement; aggregates register here when allowed."""

    def __init__(self, subquery: Callable[[a.Statement], Callable[[Ctx], list]],
                 aggregates: list | None = None) -> None:  # fmt: skip
        self._subquery = subquery
        self.aggregates = aggregates  # None: aggregate functions are not allowed here

    def condition(self, node: a.Expr) -> Callable[[Ctx], bool]:
        fn = self.expr(node)
        if a.is_condition(node):
            return fn
        return lambda ctx: truthy(fn(ctx))

    def expr(self, node: a.Expr) -> Fn:  # one dispatch on node type
        kind = type(node)
        if kind is a.Literal:
            value = node.value
            return lambda ctx: value
        if kind is a.Identifier:
            return self._identifier(node.name)
        if kind is a.FieldPath:
            return self._path(node.parts)
        if kind is a.Param:
            key = node.key
            return lambda ctx: ctx.param(key)
        if kind is a.Comparison:
            return self._comparison(node)
        if kind is a.And:
            return _and3([self.condition(x) for x in node.operands])
        if kind is a.Or:
            return _or3([self.condition(x) for x in node.operands])
        if kind is a.UnaryOp:
            return self._unary(node)
        if kind is a.BinaryOp:
            left, right, op = self.expr(node.left), self.expr(node.right), node.op
            return lambda ctx: arithmetic(op, left(ctx), right(ctx))
        if kind is a.IsNull:
            inner = self.expr(node.expr)
            return lambda ctx: inner(ctx) is None
        if kind is a.IsNotNull:
            inner = self.expr(node.expr)
            return lambda ctx: inner(ctx) is not None
        if kind is a.IsDefined or kind is a.IsNotDefined:
            return self._defined(node.expr, kind is a.IsDefined)
        if kind is a.Between:
            value, low, high = self.expr(node.expr), self.expr(node.low), self.expr(node.high)

            def between(ctx: Ctx) -> bool | None:
                v, lo, hi = value(ctx), low(ctx), high(ctx)
                above = _ordered3(compare(v, lo), v, lo, _AT_LEAST)
                if above is False:
                    return False
                below = _ordered3(compare(v, hi), v, hi, _AT_MOST)
                if below is False:
                    return False
                return None if above is None or below is None else True

            return between
        if kind is a.RidLiteral:
            rid = RID(node.bucket, node.position)
            return lambda ctx: rid
        if kind is a.ListLiteral:
            items = [self.expr(x) for x in node.items]
            return lambda ctx: [item(ctx) for item in items]
        if kind is a.MapLiteral:
            entries = [(key, self.expr(value)) for key, value in node.entries]
            return lambda ctx: {key: value(ctx) for key, value in entries}
        if kind is a.Variable:
            name = node.name
            return lambda ctx: ctx.variable(name)
        if kind is a.FunctionCall:
            from .functions import compile_function

            return compile_function(self, node)
        if kind is a.MethodCall:
            from .functions import compile_method

            return compile_method(self, node)
        if kind is a.FieldAccess:
            return self._field_access(node)
        if kind is a.Subscript:
            return self._subscript(node)
        if kind is a.Filter:
            return self._filter(node)
        if kind is a.Subquery:
            return self._subquery(node.statement)
        if kind is a.Star:
            return lambda ctx: ctx.current
        if kind is a.Case:
            return self._case(node)
        raise QueryError(f"Unsupported expression {type(node).__name__}")

    # --- pieces -------------------------------------------------------------------------------

    def _identifier(self, name: str) -> Fn:
        if name.startswith("@"):
            return lambda ctx: record_attribute(ctx, ctx.current, name)

        def field(ctx: Ctx) -> Any:
            current = ctx.current
            if isinstance(current, Document):
                return current._props.get(name)
            return get_field(ctx, current, name)

        return field

    def _path(self, parts: tuple[str, ...]) -> Fn:
        first, rest = parts[0], parts[1:]

        def path(ctx: Ctx) -> Any:
            current = ctx.current
            value = (
                current._props.get(first)
                if isinstance(current, Document)
                else get_field(ctx, current, first)
            )
            for part in rest:
                if value is None:
                    return None
                value = get_field(ctx, value, part)
            return value

        return path

    def _field_access(self, node: a.FieldAccess) -> Fn:
        target, name = self.expr(node.target), node.name
        if name.startswith("@"):
            return lambda ctx: record_attribute(ctx, target(ctx), name)
        return lambda ctx: get_field(ctx, target(ctx), name)

    def _subscript(self, node: a.Subscript) -> Fn:
        target, index = self.expr(node.target), self.expr(node.index)

        def subscript(ctx: Ctx) -> Any:
            value, key = target(ctx), index(ctx)
            if value is None or key is None:
                return None
            if isinstance(value, RID):
                value = ctx.load(value)
            value = as_record(value)
            if isinstance(value, Document):
                return value._props.get(key) if isinstance(key, str) else None
            if isinstance(value, dict):
                return value.get(key if isinstance(key, str) else str(key))
            if type(value) is Result:
                return value.get(key) if isinstance(key, str) else None
            if isinstance(value, (list, tuple, str)):
                if isinstance(key, list):
                    return [
                        value[k]
                        for k in key
                        if isinstance(k, int) and -len(value) <= k < len(value)
                    ]
                if isinstance(key, bool) or not isinstance(key, int):
                    if isinstance(key, str) and isinstance(value, (list, tuple)):
                        return get_field(ctx, list(value), key)
                    return None
                return value[key] if -len(value) <= key < len(value) else None
            return None

        return subscript

    def _filter(self, node: a.Filter) -> Fn:
        target, condition = self.expr(node.target), self.condition(node.condition)

        def filter_(ctx: Ctx) -> Any:
            value = target(ctx)
            if value is None:
                return None
            items = to_list(value) if not isinstance(value, dict) else [value]
            out = []
            for item in items:
                element = ctx.load(item) if isinstance(item, RID) else as_record(item)
                if element is not None and condition(ctx.derive(element)):
                    out.append(item if not isinstance(item, RID) else element)
            return out

        return filter_

    def _unary(self, node: a.UnaryOp) -> Fn:
        if node.op == "NOT":
            inner = self.condition(node.operand)

            def not_(ctx: Ctx) -> bool | None:
                value = inner(ctx)
                return None if value is None else not value

            return not_
        inner_value = self.expr(node.operand)
        if node.op == "-":

            def negate(ctx: Ctx) -> Any:
                value = inner_value(ctx)
                if value is None:
                    return 0  # as the reference: -null is 0
                if isinstance(value, bool) or not isinstance(value, _NUMBER):
                    raise QueryError(f"Cannot negate {type(value).__name__} value {value!r}")
                return -value

            return negate
        return inner_value

    def _case(self, node: a.Case) -> Fn:
        """CASE: the THEN of the first WHEN that holds, else the ELSE (null when there is none).

        The searched form tests each WHEN as a condition (null counts as false). The simple form
        matches as ArcadeDB does (measured on the reference): like Java's equals, so a value only
        matches one of the same type (1 is not 1.0, 5 is not '5') and null matches null.
        """
        otherwise = self.expr(node.otherwise) if node.otherwise is not None else None
        thens = [self.expr(then) for _, then in node.whens]
        if node.subject is None:
            tests = [self.condition(when) for when, _ in node.whens]

            def searched(ctx: Ctx) -> Any:
                for test, then in zip(tests, thens):
                    if test(ctx):
                        return then(ctx)
                return otherwise(ctx) if otherwise is not None else None

            return searched
        subject = self.expr(node.subject)
        values = [self.expr(when) for when, _ in node.whens]

        def simple(ctx: Ctx) -> Any:
            value = subject(ctx)
            for candidate, then in zip(values, thens):
                if case_equals(value, candidate(ctx)):
                    return then(ctx)
            return otherwise(ctx) if otherwise is not None else None

        return simple

    def _defined(self, node: a.Expr, defined: bool) -> Fn:
        if isinstance(node, a.Identifier) and not node.name.startswith("@"):
            name = node.name

            def has(ctx: Ctx) -> bool:
                current = as_record(ctx.current)
                if isinstance(current, Document):
                    return (name in current._props) is defined
                if isinstance(current, dict):
                    return (name in current) is defined
                if type(current) is Result:
                    return current.has_property(name) is defined
                return not defined

            return has
        inner = self.expr(node)
        return lambda ctx: (inner(ctx) is not None) is defined

    def _comparison(self, node: a.Comparison) -> Fn:
        op = node.op
        left = self.expr(node.left)
        if op == "CONTAINS" and a.is_condition(node.right):
            condition = self.condition(node.right)
            return lambda ctx: contains(ctx, left(ctx), None, condition)
        right = self.expr(node.right)
        if op == "=" or op == "<>":
            equal = op == "="

            def equality(ctx: Ctx) -> bool | None:
                x, y = left(ctx), right(ctx)
                if x is None or y is None:
                    return None
                return equals(x, y) is equal

            return equality
        if op in ("<", "<=", ">", ">="):
            test = _ORDER_TESTS[op]

            def ordered(ctx: Ctx) -> bool | None:
                x, y = left(ctx), right(ctx)
                if x is None or y is None:
                    return None
                result = compare(x, y)
                return result is not None and test(result)

            return ordered
        if op == "LIKE" or op == "ILIKE":
            ignore = op == "ILIKE"
            return lambda ctx: like(left(ctx), right(ctx), ignore)
        if op == "IN":
            return lambda ctx: in_list3(left(ctx), right(ctx))
        if op in ("NOT IN", "NOT_IN"):

            def not_in(ctx: Ctx) -> bool | None:
                found = in_list3(left(ctx), right(ctx))
                return None if found is None else not found

            return not_in
        if op == "CONTAINS":
            return lambda ctx: contains(ctx, left(ctx), right(ctx), None)
        if op == "CONTAINSKEY":

            def contains_key(ctx: Ctx) -> bool:
                value = as_record(left(ctx))
                key = right(ctx)
                if not isinstance(key, str):
                    return False  # map keys are strings
                if isinstance(value, Document):
                    return key in value._props
                return isinstance(value, dict) and key in value

            return contains_key
        if op == "CONTAINSVALUE":

            def contains_value(ctx: Ctx) -> bool:
                value = as_record(left(ctx))
                wanted = right(ctx)
                values = (
                    value._props.values()
                    if isinstance(value, Document)
                    else (value.values() if isinstance(value, dict) else ())
                )
                return any(equals(v, wanted) for v in values)

            return contains_value
        if op == "CONTAINSANY":
            return lambda ctx: contains_any(left(ctx), right(ctx))
        if op == "CONTAINSALL":
            return lambda ctx: contains_all(left(ctx), right(ctx))
        if op == "CONTAINSTEXT":

            def contains_text(ctx: Ctx) -> bool:
                value, text = left(ctx), right(ctx)
                if value is None or text is None:
                    return False
                return _text(text) in _text(value)

            return contains_text
        if op == "MATCHES":
            return lambda ctx: matches(left(ctx), right(ctx))
        if op == "INSTANCEOF":
            if isinstance(node.right, a.Identifier) and not node.right.name.startswith("@"):
                type_name = node.right.name
                return lambda ctx: instance_of(ctx, left(ctx), type_name)
            return lambda ctx: instance_of(ctx, left(ctx), right(ctx))
        raise QueryError(f"Unknown operator '{op}'")


def evaluate_constant(node: a.Expr, ctx: Ctx) -> Any:
    """Evaluate an expression that needs no row (DDL values, LIMIT ...)."""
    return Compiler(_no_subquery).expr(node)(ctx)


def _no_subquery(statement: a.Statement) -> Callable[[Ctx], list]:
    raise QueryError("A sub-query is not allowed here")


__all__ = [
    "ArcadeDBError",
    "Compiler",
    "Ctx",
    "as_record",
    "compare",
    "equals",
    "evaluate_constant",
    "freeze",
    "get_field",
    "sort_key",
    "to_list",
    "truthy",
]
