"""SQLite SQL fragments shared by the DDL, the record statements and the query compiler.

A record is a row of its type's table (``TypeDef.table``, ``t<id>``): ``pos`` (the RID
position), ``body`` (JSON), ``tags`` (see codec); edge tables add ``out_rid``/``in_rid``. A property
is ``json_extract(body, '$.name')``, the very expression a user index is built on, so that a
condition on it can seek the index.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

try:  # hashlib's own BLAKE2, imported alone: hashlib loads OpenSSL first (2-6 ms at start-up)
    from _blake2 import blake2s
except ImportError:  # another Python
    from hashlib import blake2s

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

#: The columns of a stored record, in the order of ``Row`` (see rows.py); an edge's add its ends.
RECORD_COLUMNS = "pos, body, tags"
EDGE_COLUMNS = "pos, body, tags, out_rid, in_rid"


def is_identifier(name: str) -> bool:
    """True for a name SQLite takes without quotes (a pragma, a plain JSON key)."""
    return _IDENT.match(name) is not None


def json_path(name: str | Sequence[str]) -> str:
    """The SQLite JSON path literal of a (possibly dotted) property path."""
    parts = [name] if isinstance(name, str) else name
    out = "$"
    for part in parts:
        if _IDENT.match(part):
            out += "." + part
        else:
            out += '."' + part.replace('"', '""') + '"'
    return "'" + out.replace("'", "''") + "'"


def field_sql(name: str | Sequence[str], column: str = "body") -> str:
    """The SQL of a property of the record in ``column`` (a path into embedded maps too)."""
    return f"json_extract({column}, {json_path(name)})"


def columns_of(kind: str) -> str:
    """The columns to select for a record of this kind (``Row``'s fields)."""
    return EDGE_COLUMNS if kind == "edge" else RECORD_COLUMNS


def sql_index_name(index_name: str, type_id: int) -> str:
    """The SQLite index implementing a user index on one type's table (stable across reopen)."""
    return f"x{blake2s(index_name.encode(), digest_size=6).hexdigest()}_{type_id}"


@lru_cache(maxsize=256)
def values_rows(width: int, count: int) -> str:
    """``(?,?),(?,?),...``: the parameter rows of a multi-row INSERT or UPDATE ... FROM VALUES."""
    row = "(" + ",".join("?" * width) + ")"
    return ",".join([row] * count)


__all__ = ["EDGE_COLUMNS", "RECORD_COLUMNS", "columns_of", "field_sql", "is_identifier",
           "json_path", "sql_index_name", "values_rows"]  # fmt: skip
