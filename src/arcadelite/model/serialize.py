"""The JSON fallback serializer: values orjson cannot write, as JSON text writes them.

One rule wherever records and results become JSON (``Result.to_json``, the SQL ``toJSON()``
method, ``arcadelite sql --json``, CSV cells holding lists or maps): decimals and RIDs as their
text, bytes as base64, dates and datetimes in ISO 8601, a record as its RID (null unsaved).
"""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from typing import Any

from ..rid import RID
from .records import Document


def json_default(value: Any) -> Any:
    """orjson's ``default=``: the JSON form of a value it cannot write (TypeError for others)."""
    if isinstance(value, (Decimal, RID)):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Document):
        return value.get_rid()
    raise TypeError(f"cannot serialize {type(value).__name__}")


__all__ = ["json_default"]
