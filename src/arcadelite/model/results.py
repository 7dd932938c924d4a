"""Query results: ResultSet (a single-pass iterator) of Result rows (public through
``arcadelite.results``).

A Result is either an element (a record: ``_element``) or a projection (named values:
``_data``); the query engine builds them and reads these two slots directly."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from ..compat import ResultJavaNames
from ..rid import RID
from .records import Document, Edge, Vertex
from .serialize import json_default

_MISSING = object()


class Result(ResultJavaNames):
    """One row: either an element (a record) or a projection (named values)."""

    __slots__ = ("_element", "_data")

    def __init__(self, data: dict[str, Any] | None = None, element: Document | None = None):
        self._element = element
        self._data = data

    @classmethod
    def of_element(cls, element: Document) -> Result:
        return cls(None, element)

    def _source(self) -> dict[str, Any]:
        return self._element._props if self._element is not None else self._data  # type: ignore[return-value]  # a Result holds an element or data

    def get(self, name: str, default: Any = None) -> Any:
        """A property (or a projected value); ``@rid``/``@type``/``@out``/``@in`` on elements."""
        element = self._element
        if element is not None:
            value = element._props.get(name, _MISSING)
            if value is not _MISSING:
                return value
            if name.startswith("@"):
                return _metadata(element, name, default)
            return default
        return self._data.get(name, default)  # type: ignore[union-attr]  # a Result holds an element or data

    def get_property(self, name: str, default: Any = None) -> Any:
        return self.get(name, default)

    def __getitem__(self, name: str) -> Any:
        return self.get(name)

    def has_property(self, name: str) -> bool:
        return name in self._source()

    def get_property_names(self) -> list[str]:
        return list(self._source())

    @property
    def property_names(self) -> list[str]:
        return self.get_property_names()

    def is_element(self) -> bool:
        return self._element is not None

    def get_element(self) -> Document | None:
        return self._element

    def get_vertex(self) -> Vertex | None:
        return self._element if isinstance(self._element, Vertex) else None

    def get_edge(self) -> Edge | None:
        return self._element if isinstance(self._element, Edge) else None

    def get_record(self) -> Document | None:
        return self._element

    def get_rid(self) -> str | None:
        if self._element is not None:
            return self._element.get_rid()
        value = self._data.get("@rid") if self._data else None
        return None if value is None else str(value)

    def get_identity(self) -> RID | None:
        return self._element.get_identity() if self._element is not None else None

    def to_dict(self, convert_types: bool = True) -> dict[str, Any]:
        """The row as a dict (element rows carry ``@rid``, ``@type``, ``@cat``)."""
        if self._element is not None:
            data = dict(self._element._props)
            data.update(_element_metadata(self._element))
        else:
            data = dict(self._data)  # type: ignore[arg-type]  # a Result holds an element or data
        if convert_types:
            return {k: _plain(v) for k, v in data.items()}
        return data

    def to_json(self) -> str:
        return orjson.dumps(self.to_dict(), default=json_default).decode()

    def __iter__(self) -> Iterator[str]:
        return iter(self._source())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Result):
            return NotImplemented
        return self.to_dict(False) == other.to_dict(False)

    def __repr__(self) -> str:
        items = list(self.to_dict(False).items())
        shown = ", ".join(f"{k}={v!r}" for k, v in items[:8])
        return f"Result({shown}{', ...' if len(items) > 8 else ''})"


def _element_metadata(element: Document) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@rid": element.get_rid(),
        "@type": element._type.name,
        "@cat": element._category,
    }
    if isinstance(element, Edge):
        data["@out"] = str(element._out)
        data["@in"] = str(element._in)
    return data


def _metadata(element: Document, name: str, default: Any) -> Any:
    if name == "@rid":
        return element._rid
    if name in ("@type", "@class"):
        return element._type.name
    if name == "@cat":
        return element._category
    if name == "@out" and isinstance(element, Edge):
        return element._out
    if name == "@in" and isinstance(element, Edge):
        return element._in
    if name == "@this":
        return element
    return default


def _plain(value: Any) -> Any:
    """Types that travel as plain Python: RIDs and records become "#b:p" strings."""
    if isinstance(value, RID):
        return str(value)
    if isinstance(value, Document):
        return value.to_dict(include_metadata=True)
    if isinstance(value, Result):
        return value.to_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class ResultSet:
    """A single-pass iterator of Result rows."""

    def __init__(self, rows: Iterable[Result]) -> None:
        self._rows = iter(rows)
        self._peeked: Result | None | object = _MISSING

    def __iter__(self) -> Iterator[Result]:
        return self

    def __next__(self) -> Result:
        if self._peeked is not _MISSING:
            row, self._peeked = self._peeked, _MISSING
            return row  # type: ignore[return-value]  # a peeked row, not the marker
        return next(self._rows)

    def has_next(self) -> bool:
        if self._peeked is _MISSING:
            self._peeked = next(self._rows, _MISSING)
        return self._peeked is not _MISSING

    def next(self) -> Result:
        """The next row (StopIteration at the end)."""
        return self.__next__()

    def to_list(self, convert_types: bool = True) -> list[dict[str, Any]]:
        return [row.to_dict(convert_types) for row in self]

    def to_dataframe(self, convert_types: bool = True) -> Any:
        try:
            import pandas as pd
        except ImportError as exc:
            raise ImportError(
                "to_dataframe() needs pandas: pip install 'arcadelite[pandas]'"
            ) from exc
        return pd.DataFrame(self.to_list(convert_types))

    def iter_chunks(self, size: int = 1000) -> Iterator[list[Result]]:
        if size < 1:
            raise ValueError("chunk size must be at least 1")
        chunk: list[Result] = []
        for row in self:
            chunk.append(row)
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def count(self) -> int:
        """Consume the rest of the rows and count them."""
        return sum(1 for _ in self)

    def first(self) -> Result | None:
        return next(self, None)

    def one(self) -> Result:
        """The only row: ValueError when there are none or several."""
        first = next(self, None)
        if first is None:
            raise ValueError("Query returned no results: one() expects exactly one row")
        if self.has_next():
            raise ValueError("Query returned multiple results: one() expects exactly one row")
        return first

    def close(self) -> None:
        self._rows = iter(())
        self._peeked = _MISSING

    def __enter__(self) -> ResultSet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return "<ResultSet>"


__all__ = ["Result", "ResultSet"]
