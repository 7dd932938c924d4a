"""Java-style names for programs ported from ``arcadedb_embedded``.

The upstream bindings hand some Java objects straight to Python code: a record identity from
``get_identity()``, the records async callbacks receive, schema types and indexes. Ported
programs (and upstream's own tests) then call Java methods on them: ``getIdentity()``,
``toString()``, ``getName()``, ``isUnique()`` ... This module holds those names as thin aliases
of arcadelite's own methods, in one place, so the Pythonic classes stay Pythonic.

Each alias set is a mixin (no state, ``__slots__ = ()``) that a class takes by listing it as a
base: ``class RID(RIDJavaNames):`` (RID, Document, Result, DocumentType and Index do). The
mixins only call
the public methods of the class they join, so this module imports nothing of arcadelite at load
time and any module can take a mixin without an import cycle.

Also here: upstream's vector helpers ``to_java_float_array`` / ``to_python_array``, which turn
array-likes into 32-bit float lists (what a Java ``float[]`` holds) and back.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import Any

__all__ = [
    "IndexJavaNames",
    "JavaOptional",
    "RIDJavaNames",
    "RecordJavaNames",
    "ResultJavaNames",
    "TypeJavaNames",
    "to_java_float_array",
    "to_python_array",
]


class JavaOptional:
    """What Java's ``Optional`` offers to a ported program: ``get()``, ``isPresent()`` ..."""

    __slots__ = ("_value",)

    def __init__(self, value: Any) -> None:
        self._value = value

    def isPresent(self) -> bool:
        return self._value is not None

    def isEmpty(self) -> bool:
        return self._value is None

    def get(self) -> Any:
        if self._value is None:
            raise ValueError("No value present (the Optional is empty)")
        return self._value

    def orElse(self, other: Any) -> Any:
        return other if self._value is None else self._value

    def __repr__(self) -> str:
        return f"Optional[{self._value!r}]" if self._value is not None else "Optional.empty"


class RIDJavaNames:
    """For ``RID``: ``getBucketId()``, ``getPosition()``, ``toString()``, ``isValid()``."""

    __slots__ = ()

    def getBucketId(self) -> int:
        return self.bucket_id  # type: ignore[attr-defined]  # the mixed-in class defines it

    def getPosition(self) -> int:
        return self.position  # type: ignore[attr-defined]  # the mixed-in class defines it

    def getIdentity(self) -> Any:  # a RID is its own identity in Java
        return self

    def isValid(self) -> bool:
        return self.bucket_id >= 0 and self.position >= 0  # type: ignore[attr-defined]  # the mixed-in class defines it

    def toString(self) -> str:
        return str(self)


class RecordJavaNames:
    """For ``Document`` / ``Vertex`` / ``Edge``: the Java record and vertex/edge names."""

    __slots__ = ()

    def getIdentity(self) -> Any:
        return self.get_identity()  # type: ignore[attr-defined]  # the mixed-in class defines it

    def getRecord(self) -> Any:
        return self

    def getTypeName(self) -> str:
        return self.get_type_name()  # type: ignore[attr-defined]  # the mixed-in class defines it

    def getPropertyNames(self) -> list[str]:
        return list(self.get_property_names())  # type: ignore[attr-defined]  # the mixed-in class defines it

    def has(self, name: str) -> bool:
        return self.has_property(name)  # type: ignore[attr-defined]  # the mixed-in class defines it

    def getString(self, name: str) -> str | None:
        value = self.get(name)  # type: ignore[attr-defined]  # the mixed-in class defines it
        return None if value is None else str(value)

    def toJSON(self) -> dict[str, Any]:
        return self.to_dict(include_metadata=True)  # type: ignore[attr-defined]  # the mixed-in class defines it

    def toString(self) -> str:
        return repr(self)

    def getOutVertex(self) -> Any:  # edges only, as in Java
        return self.get_out()  # type: ignore[attr-defined]  # the mixed-in class defines it

    def getInVertex(self) -> Any:
        return self.get_in()  # type: ignore[attr-defined]  # the mixed-in class defines it


class ResultJavaNames:
    """For ``Result``: ``getProperty()``, ``getPropertyNames()``, ``getElement()`` (an
    Optional, as in Java), ``getIdentity()`` (an Optional too), ``isElement()``, ``toString()``."""

    __slots__ = ()

    def getProperty(self, name: str) -> Any:
        return self.get(name)  # type: ignore[attr-defined]  # the mixed-in class defines it

    def getPropertyNames(self) -> list[str]:
        return list(self.get_property_names())  # type: ignore[attr-defined]  # the mixed-in class defines it

    def hasProperty(self, name: str) -> bool:
        return self.has_property(name)  # type: ignore[attr-defined]  # the mixed-in class defines it

    def getElement(self) -> JavaOptional:
        return JavaOptional(self.get_element())  # type: ignore[attr-defined]  # the mixed-in class defines it

    def getRecord(self) -> JavaOptional:
        return JavaOptional(self.get_element())  # type: ignore[attr-defined]  # the mixed-in class defines it

    def getIdentity(self) -> JavaOptional:
        return JavaOptional(self.get_identity())  # type: ignore[attr-defined]  # the mixed-in class defines it

    def isElement(self) -> bool:
        return self.get_element() is not None  # type: ignore[attr-defined]  # the mixed-in class defines it

    def toString(self) -> str:
        return repr(self)


class TypeJavaNames:
    """For the schema's type classes: ``getName()``, ``getSuperTypes()`` (names here),
    ``getPropertyNames()``, ``existsProperty()``, ``toString()``."""

    __slots__ = ()

    def getName(self) -> str:
        return self.get_name()  # type: ignore[attr-defined]  # the mixed-in class defines it

    def getSuperTypes(self) -> list[str]:
        return list(self.get_super_types())  # type: ignore[attr-defined]  # the mixed-in class defines it

    def getPropertyNames(self) -> list[str]:
        return list(self.get_property_names())  # type: ignore[attr-defined]  # the mixed-in class defines it

    def existsProperty(self, name: str) -> bool:
        return self.exists_property(name)  # type: ignore[attr-defined]  # the mixed-in class defines it

    def toString(self) -> str:
        return self.get_name()  # type: ignore[attr-defined]  # the mixed-in class defines it


class IndexJavaNames:
    """For the schema's index class: ``getName()``, ``getTypeName()``, ``isUnique()``,
    ``getPropertyNames()``, ``getType()`` (the index type's name, e.g. ``'LSM_TREE'``)."""

    __slots__ = ()

    def getName(self) -> str:
        return self.get_name()  # type: ignore[attr-defined]  # the mixed-in class defines it

    def getTypeName(self) -> str:
        return self.get_type_name()  # type: ignore[attr-defined]  # the mixed-in class defines it

    def isUnique(self) -> bool:
        return self.is_unique()  # type: ignore[attr-defined]  # the mixed-in class defines it

    def getPropertyNames(self) -> list[str]:
        return list(self.get_property_names())  # type: ignore[attr-defined]  # the mixed-in class defines it

    def getType(self) -> str:
        index_type = self.index_type  # type: ignore[attr-defined]  # the mixed-in class defines it
        return str(getattr(index_type, "value", index_type))

    def toString(self) -> str:
        return self.get_name()  # type: ignore[attr-defined]  # the mixed-in class defines it


def to_java_float_array(vector: Iterable[Any]) -> list[float]:
    """An array-like (list, tuple, numpy array) as a list of 32-bit floats, the values a Java
    ``float[]`` would hold (0.1 becomes 0.10000000149011612); anything else is a TypeError."""
    tolist = getattr(vector, "tolist", None)
    items = tolist() if callable(tolist) else vector
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise TypeError(f"to_java_float_array() takes an array-like of numbers, got "
                        f"{type(vector).__name__}")  # fmt: skip
    values = list(items)
    try:
        packed = struct.pack(f"<{len(values)}f", *values)
    except struct.error as exc:
        raise TypeError(f"to_java_float_array() takes numbers: {exc}") from None
    return list(struct.unpack(f"<{len(values)}f", packed))


def to_python_array(values: Iterable[Any], use_numpy: bool = True) -> Any:
    """A float array as a numpy float32 array (when numpy is installed and wanted), else a
    list."""
    items = list(values) if isinstance(values, Iterable) else [values]
    if use_numpy:
        try:
            import numpy as np
        except ImportError:
            return items
        return np.array(items, dtype=np.float32)
    return items
