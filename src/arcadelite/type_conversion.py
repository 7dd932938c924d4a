"""Value conversion kept for compatibility with the JVM bindings: here values stay Python.

``convert_python_to_java`` normalises a value to what arcadelite stores (tuples and sets become
lists, numpy values become Python ones); ``convert_java_to_python`` returns values unchanged.
"""

from __future__ import annotations

from typing import Any


def convert_python_to_java(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: convert_python_to_java(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [convert_python_to_java(v) for v in value]
    tolist = getattr(value, "tolist", None)
    if tolist is not None and not isinstance(value, (str, bytes)):
        return convert_python_to_java(tolist())
    return value


def convert_java_to_python(value: Any) -> Any:
    return value
