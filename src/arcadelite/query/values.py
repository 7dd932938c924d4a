"""Value semantics of the SQL dialect: field access, comparisons, arithmetic, membership.

Comparison semantics mirror what the storage layer compiles for SQLite, so that a condition gives
the same answer whether it was pushed down or evaluated here: dates compare as their ISO text,
decimals as numbers, and text meets numbers as ArcadeDB converts them (`_cross`); ORDER BY, min()
and max() put numbers before strings. Comparisons are three-valued where the reference's are
(see evaluate.py): ``equals`` and ``compare`` answer about two values, the compiled conditions
decide what a null operand makes of them.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import orjson

from ..exceptions import QueryError
from ..model.records import Document, Edge
from ..model.results import Result
from ..rid import RID
from ..storage import codec
from .context import Ctx, Fn


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

NUMBER_TYPES = (int, float, Decimal)


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
        if not isinstance(left, NUMBER_TYPES):
            return None
        if codec.number_kind(left) == "integer":
            number: Any = codec.parse_long(right)
        else:
            number = codec.parse_double(right)
        if number is None or number != number:  # no number, or NaN (never equal, never ordered)
            return _NOT_COMPARABLE
        return left, number
    if (type(left) is str or isinstance(left, RID)) and isinstance(right, NUMBER_TYPES):
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
    if not isinstance(left, NUMBER_TYPES) or not isinstance(right, NUMBER_TYPES):
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
        return -right if isinstance(right, NUMBER_TYPES) else None
    return None


def _date_arithmetic(op: str, left: Any, right: Any) -> Any:
    # date ± milliseconds (ArcadeDB counts time in ms), date - date = milliseconds
    if isinstance(left, (dt.date, dt.datetime)) and isinstance(right, NUMBER_TYPES) and op in "+-":
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
