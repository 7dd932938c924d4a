"""Record bodies: Python values <-> orjson text plus a small tag list for what JSON lacks.

A record is stored as ``body`` (JSON text of its properties) and ``tags`` (NULL for plain JSON
records, else a JSON list of ``[path, tag]`` pairs). Values JSON cannot hold are written into the
body in a form that SQLite compares and sorts by value, and the tag restores the Python type:

- naive ``datetime``  -> ``"YYYY-MM-DDTHH:MM:SS.ffffff"``        tag ``"dt"``
- aware ``datetime``  -> the same text in UTC                      tag ``["dtz", offset_seconds]``
- ``date``            -> ``"YYYY-MM-DD"``                          tag ``"date"``
- ``Decimal``         -> a JSON number (compares by value)         tag ``["dec", exact_text]``
- ``bytes``           -> base64 text                               tag ``"bin"``
- RID or record       -> ``"#bucket:position"``                    tag ``"rid"``
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import re
import sys
from decimal import Decimal
from typing import Any

import orjson

from ..exceptions import DatabaseCorruptError, ValidationError
from ..rid import RID

# STRICT_INTEGER sends ints beyond 53 bits to the slow path, which checks the signed 64-bit range
# (orjson alone accepts up to 2**64 - 1).
_FAST_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_STRICT_INTEGER
_DOUBLE_MAX_TEXT = repr(sys.float_info.max)
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
_UTC = dt.timezone.utc
_PLAIN = (str, int, float, bool, type(None))


def format_datetime(value: dt.datetime) -> str:
    """Fixed-width ISO text, so that text order is time order."""
    if value.tzinfo is not None and value.utcoffset() is not None:
        value = value.astimezone(_UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value.year >= 1000 else value.isoformat(
        timespec="microseconds"
    )


#: How deep lists and maps may nest in a value: orjson's own limit (it stops at 255), checked
#: before Python's recursion limit could bite in any thread.
MAX_NESTING = 254


def fast_encode(props: dict[str, Any]) -> tuple[str, None] | None:
    """(body, None) when the props are plain JSON as they stand, else None (use encode_record)."""
    try:
        body = orjson.dumps(props, option=_FAST_OPTIONS)
    except TypeError:
        return None
    # orjson writes NaN and infinities as null: only then look for them (slow path refuses).
    if body.find(b"null") < 0 or not _has_nonfinite(props):  # find(): 2x faster than `in`
        return body.decode(), None
    return None


def fast_encode_many(rows: list[dict[str, Any]], finite: bool = False) -> str | None:
    """One JSON array of the bodies of ``rows`` when each is plain JSON as it stands (what
    fast_encode accepts, checked for the whole list at once), else None. ``finite=True``: the
    caller guarantees that no float is NaN or infinite (parsed from JSON, say), so a ``null``
    in the text needs no look."""
    try:
        text = orjson.dumps(rows, option=_FAST_OPTIONS)
    except TypeError:
        return None
    if not finite and text.find(b"null") >= 0 and _has_nonfinite(rows):
        return None
    return text.decode()


def encode_record(props: dict[str, Any]) -> tuple[str, str | None]:
    """Encode a property dict into (body, tags)."""
    encoded = fast_encode(props)
    if encoded is not None:
        return encoded
    tags: list[Any] = []
    plain = {str(_check_key(k)): _encode_value(v, [k], tags) for k, v in props.items()}
    try:
        body = orjson.dumps(plain).decode()
    except TypeError as exc:  # text that is not valid Unicode (a lone surrogate)
        where = _path_text(_bad_text(props, []) or ["?"])
        where = where.encode("utf-8", "backslashreplace").decode()  # printable, culprit escaped
        raise ValidationError(f"Property '{where}' cannot be stored: {exc}") from None
    return body, (orjson.dumps(tags).decode() if tags else None)


def _bad_text(value: Any, path: list[Any]) -> list[Any] | None:
    """The path of the first key or string that UTF-8 cannot encode, if any."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return None
    items: Any = ()
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    for key, item in items:
        found = _bad_text(key, [*path, key]) or _bad_text(item, [*path, key])
        if found is not None:
            return found
    return None


def _has_nonfinite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_has_nonfinite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_nonfinite(v) for v in value)
    return False


def _check_key(key: Any) -> str:
    if not isinstance(key, str):
        raise ValidationError(f"Property names must be strings, got {key!r}")
    return key


def _encode_value(value: Any, path: list[Any], tags: list[Any]) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        if kind is int and not _INT64_MIN <= value <= _INT64_MAX:
            raise ValidationError(f"Integer {value} in '{_path_text(path)}' is outside 64 bits")
        if kind is float and not math.isfinite(value):
            raise ValidationError(f"Float {value} in '{_path_text(path)}' cannot be stored")
        return value
    if isinstance(value, dt.datetime):
        offset = value.utcoffset() if value.tzinfo is not None else None
        try:
            text = format_datetime(value)
        except OverflowError:
            raise ValidationError(
                f"Datetime {value.isoformat()} in '{_path_text(path)}' is out of range in UTC"
            ) from None
        if offset is None:
            tags.append([path, "dt"])
        else:
            tags.append([path, ["dtz", int(offset.total_seconds())]])
        return text
    if isinstance(value, dt.date):
        tags.append([path, "date"])
        return value.isoformat()
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValidationError(f"Decimal {value} in '{_path_text(path)}' cannot be stored")
        tags.append([path, ["dec", str(value)]])
        return orjson.Fragment(_decimal_number_text(value))
    if isinstance(value, (bytes, bytearray, memoryview)):
        tags.append([path, "bin"])
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, RID):
        tags.append([path, "rid"])
        return str(value)
    if hasattr(value, "__arcadelite_rid__"):
        rid = value.__arcadelite_rid__()
        if rid is None:
            raise ValidationError(
                f"Property '{_path_text(path)}' links to an unsaved record: save it first"
            )
        tags.append([path, "rid"])
        return str(rid)
    if isinstance(value, (dict, list, tuple, set, frozenset)) and len(path) >= MAX_NESTING:
        raise ValidationError(
            f"The value of property '{_path_text(path[:1])}' nests deeper than {MAX_NESTING} "
            "levels of lists and maps: store it flatter (or as a string)"
        )
    if isinstance(value, dict):
        return {_check_key(k): _encode_value(v, [*path, k], tags) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_encode_value(v, [*path, i], tags) for i, v in enumerate(value)]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return _encode_value(int(value), path, tags)
    if isinstance(value, float):
        return _encode_value(float(value), path, tags)
    if isinstance(value, str):
        return str(value)
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars
    if tolist is not None:
        return _encode_value(tolist(), path, tags)
    raise ValidationError(
        f"Property '{_path_text(path)}' has a value of unsupported type {kind.__name__}"
    )


def _decimal_number_text(value: Decimal) -> str:
    """JSON number text of a Decimal (the tag keeps the exact value); beyond the double range it
    is clamped to the largest double so that the body stays readable and still sorts at the end."""
    if value.adjusted() > 307 and math.isinf(float(value)):
        return ("-" if value < 0 else "") + _DOUBLE_MAX_TEXT
    text = format(value, "f") if abs(value.adjusted()) < 300 else str(value)
    if text.startswith("."):
        text = "0" + text
    return text.replace("E", "e").replace("e+", "e")


def _path_text(path: list[Any]) -> str:
    return ".".join(str(p) for p in path)


def decode_record(body: str | bytes, tags: str | None) -> dict[str, Any]:
    """Decode (body, tags) back into the property dict that was encoded."""
    try:
        props = orjson.loads(body)
        if tags:
            for path, tag in orjson.loads(tags):
                _apply_tag(props, path, tag)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise _damaged(f"{type(exc).__name__}: {exc}") from exc
    if type(props) is not dict:
        raise _damaged(f"its body is a JSON {type(props).__name__}, not an object")
    return props


def _damaged(why: str) -> DatabaseCorruptError:
    return DatabaseCorruptError(
        f"A stored record is damaged ({why}): run `arcadelite check <folder>` to find it; "
        "export what is still readable, or restore a backup"
    )


def _apply_tag(container: Any, path: list[Any], tag: Any) -> None:
    for step in path[:-1]:
        container = container[step]
    last = path[-1]
    container[last] = decode_tagged(container[last], tag)


def decode_tagged(raw: Any, tag: Any) -> Any:
    """Restore one tagged value from its stored form."""
    if tag == "dt":
        return dt.datetime.fromisoformat(raw)
    if tag == "date":
        return dt.date.fromisoformat(raw)
    if tag == "bin":
        return base64.b64decode(raw)
    if tag == "rid":
        return RID.parse(raw)
    name, extra = tag
    if name == "dtz":
        zone = dt.timezone(dt.timedelta(seconds=extra))
        return dt.datetime.fromisoformat(raw).replace(tzinfo=_UTC).astimezone(zone)
    if name == "dec":
        return Decimal(extra)
    raise ValueError(f"unknown value tag {tag!r}")


def sql_value(value: Any) -> Any:
    """The form in which a Python value compares against stored values inside SQLite."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and _INT64_MIN <= value <= _INT64_MAX:
            return int(value)
        return float(value)
    if isinstance(value, RID):
        return str(value)
    if hasattr(value, "__arcadelite_rid__"):
        rid = value.__arcadelite_rid__()
        return str(rid) if rid is not None else None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, (int, float, str)):
        return value
    tolist = getattr(value, "tolist", None)
    if tolist is not None:
        return tolist()
    return value


# --- text <-> number, as ArcadeDB converts them when a comparison mixes the two -----------------
# (measured on the reference: the right operand is converted to the type of the left one)

_LONG_TEXT = re.compile(r"[+-]?\d+")  # Long.parseLong: a sign and digits (of any script), no spaces
_DOUBLE_TEXT = re.compile(
    r"[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?"
    r"|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+[fFdD]?)",
    re.ASCII,
)
_JAVA_BLANKS = "".join(map(chr, range(33)))  # what Java's String.trim() removes


def parse_long(text: str) -> int | None:
    """The integer Java's Long.parseLong reads from text, or None where it fails."""
    if not _LONG_TEXT.fullmatch(text):
        return None
    number = int(text)
    return number if _INT64_MIN <= number <= _INT64_MAX else None


def parse_double(text: str) -> float | None:
    """The float Java's Double.parseDouble reads from text, or None where it fails."""
    text = text.strip(_JAVA_BLANKS)
    if not _DOUBLE_TEXT.fullmatch(text):
        return None
    if text[-1] in "fFdD" and not text.endswith(("NaN", "Infinity")) and "x" not in text.lower():
        text = text[:-1]
    if "x" in text.lower():
        return float.fromhex(text.rstrip("fFdD"))
    return float(text.replace("Infinity", "inf"))


def number_text(value: Any) -> str:
    """A number as Java writes it (Long.toString, Double.toString): 5, 5.0, 1.0E7, 1.0E-4."""
    value = sql_value(value)  # a Decimal as the integer or double it is stored as
    if type(value) is not float:
        return str(int(value))
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e7:
        text = repr(value)  # the shortest digits, in plain notation in this range
        return text if "." in text else text + ".0"
    digits, point = _shortest_digits(magnitude)
    return ("-" if value < 0 else "") + f"{digits[0]}.{digits[1:] or '0'}E{point}"


def _shortest_digits(magnitude: float) -> tuple[str, int]:
    """Digits of a positive float as Java's Double.toString picks them, and the power of ten of
    the first one: the shortest that read back as the same float; where that is one digit, the
    two digits nearest the exact value (Java always prints two: 1.0E7, but 4.9E-324)."""
    _, digits, exponent = Decimal(repr(magnitude)).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    point = len(digits) + int(exponent) - 1
    if len(text) == 1:
        two = f"{Decimal(magnitude):.1e}"
        if float(two) == magnitude:
            mantissa, _, power = two.partition("e")
            text, point = mantissa.replace(".", "").rstrip("0") or "0", int(power)
    return text, point


def number_kind(value: Any) -> str:
    """How a stored number reads back in SQLite: "integer" or "real" (bool counts as integer)."""
    if isinstance(value, float):
        return "real"
    if isinstance(value, Decimal):
        if not value.is_finite():
            return "real"
        text = _decimal_number_text(value)
        if "." in text or "e" in text or not _INT64_MIN <= int(value) <= _INT64_MAX:
            return "real"
    return "integer"


def dumps(value: Any) -> str:
    """JSON text of a plain value (used for catalog rows and SQL JSON literals)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


loads = orjson.loads
