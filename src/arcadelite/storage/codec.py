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
import sys
from decimal import Decimal
from typing import Any

import orjson

from ..exceptions import ValidationError
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
    props = orjson.loads(body)
    if tags:
        for path, tag in orjson.loads(tags):
            _apply_tag(props, path, tag)
    return props


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


def dumps(value: Any) -> str:
    """JSON text of a plain value (used for catalog rows and SQL JSON literals)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


loads = orjson.loads
