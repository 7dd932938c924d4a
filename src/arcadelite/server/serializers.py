"""Query results as ArcadeDB's HTTP serializers write them: ``record``, ``graph``, ``studio``.

- record: one JSON object per row; element rows carry ``@rid``, ``@type``, ``@cat`` (and ``@in``,
  ``@out`` for edges) before their properties.
- graph: ``{"vertices": [...], "edges": [...]}``, each element as ``{"p": props, "r": rid,
  "t": type, "i": .., "o": ..}`` (a vertex's in/out edge counts; an edge's in/out vertex RIDs),
  each element once; records found inside projection values are included too.
- studio: graph plus ``records`` (the rows, vertices with their ``@in``/``@out`` edge counts); the
  vertices at both ends of every edge, and the edges between included vertices, are added.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ..graph import Document, Edge, Vertex
from ..results import Result
from ..rid import RID

SERIALIZERS = ("record", "graph", "studio")


def json_value(value: Any) -> Any:
    """A value as JSON carries it: dates as ArcadeDB formats them, records as objects, RIDs as text."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_value(v) for v in value]
    if isinstance(value, Document):
        return element_json(value)
    if isinstance(value, Result):
        return row_json(value)
    if isinstance(value, RID):
        return str(value)
    if isinstance(value, dt.datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S")
        return text + f".{value.microsecond:06d}" if value.microsecond else text
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, Decimal):
        return float(value) if not value == value.to_integral_value() else int(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars
    if tolist is not None:
        return json_value(tolist())
    return str(value)


def _category(element: Document) -> str:
    return "e" if isinstance(element, Edge) else "v" if isinstance(element, Vertex) else "d"


def element_json(element: Document, edge_counts: bool = False) -> dict[str, Any]:
    """An element as the record serializer writes it (studio adds a vertex's edge counts)."""
    data: dict[str, Any] = {"@rid": element.get_rid(), "@type": element.get_type_name(),
                            "@cat": _category(element)}  # fmt: skip
    if isinstance(element, Edge):
        data["@in"] = str(element.get_in_rid())
        data["@out"] = str(element.get_out_rid())
    elif edge_counts and isinstance(element, Vertex):
        data["@out"] = element.count_edges("out")
        data["@in"] = element.count_edges("in")
    for name, value in element.to_dict().items():
        data[name] = json_value(value)
    return data


def row_json(row: Any, edge_counts: bool = False) -> dict[str, Any]:
    element = _element_of(row)
    if element is not None:
        return element_json(element, edge_counts)
    data = row.to_dict(convert_types=False) if isinstance(row, Result) else dict(row)
    return {str(k): json_value(v) for k, v in data.items()}


def _element_of(row: Any) -> Document | None:
    if isinstance(row, Result):
        return row.get_element()
    return row if isinstance(row, Document) else None


def _graph_element(element: Document) -> dict[str, Any]:
    props = {name: json_value(value) for name, value in element.to_dict().items()}
    rid, type_name, category = element.get_rid(), element.get_type_name(), _category(element)
    props.update({"@cat": category, "@type": type_name, "@rid": rid})
    if isinstance(element, Edge):
        props.update({"@in": str(element.get_in_rid()), "@out": str(element.get_out_rid())})
        return {"p": props, "r": rid, "t": type_name, "i": str(element.get_in_rid()),
                "o": str(element.get_out_rid())}  # fmt: skip
    if isinstance(element, Vertex):
        return {"p": props, "r": rid, "t": type_name, "i": element.count_edges("in"),
                "o": element.count_edges("out")}  # fmt: skip
    return {"p": props, "r": rid, "t": type_name, "i": 0, "o": 0}


class _Graph:
    """Vertices and edges collected once each, in the order first seen."""

    def __init__(self, db: Any, limit: int) -> None:
        self.db = db
        self.limit = limit
        self.vertices: dict[str, dict[str, Any]] = {}
        self.edges: dict[str, dict[str, Any]] = {}
        self.vertex_records: dict[str, Vertex] = {}

    def full(self) -> bool:
        return self.limit > 0 and len(self.vertices) + len(self.edges) >= self.limit

    def add(self, element: Document, with_ends: bool) -> None:
        rid = element.get_rid()
        if rid is None:
            return
        if isinstance(element, Vertex):
            if rid not in self.vertices:
                self.vertices[rid] = _graph_element(element)
                self.vertex_records[rid] = element
        elif isinstance(element, Edge):
            if rid not in self.edges:
                self.edges[rid] = _graph_element(element)
                if with_ends:
                    for end in (element.get_in_rid(), element.get_out_rid()):
                        if str(end) not in self.vertices:
                            self._add_by_rid(end)

    def _add_by_rid(self, rid: Any) -> None:
        try:
            self.add(self.db.lookup_by_rid(rid), with_ends=False)
        except Exception:
            pass

    def scan(self, value: Any) -> None:
        """Records inside a projection's values (RIDs under ``@rid``, lists, nested rows)."""
        if self.full():
            return
        if isinstance(value, Document):
            self.add(value, with_ends=True)
        elif isinstance(value, Result):
            element = value.get_element()
            if element is not None:
                self.add(element, with_ends=True)
            else:
                for item in value.to_dict(convert_types=False).values():
                    self.scan(item)
        elif isinstance(value, (list, tuple, set)):
            for item in value:
                self.scan(item)

    def scan_row(self, row: Any) -> None:
        data = row.to_dict(convert_types=False) if isinstance(row, Result) else dict(row)
        for name, value in data.items():
            if name == "@rid" and isinstance(value, (RID, str)):
                try:
                    self._add_by_rid(RID.parse(value))
                except Exception:
                    pass
            else:
                self.scan(value)

    def connect_vertices(self) -> None:
        """Studio: the edges running between vertices that are already in the result."""
        for vertex in list(self.vertex_records.values()):
            if self.full():
                return
            for direction in ("out", "in"):
                for edge in vertex.get_edges(direction):
                    other = edge.get_in_rid() if direction == "out" else edge.get_out_rid()
                    edge_rid = edge.get_rid()
                    if str(other) in self.vertices and edge_rid and edge_rid not in self.edges:
                        self.edges[edge_rid] = _graph_element(edge)


def serialize(rows: Iterable[Any], serializer: str, limit: int, db: Any) -> Any:
    """The ``result`` of a response, for ``serializer`` in SERIALIZERS (rows cut at ``limit``)."""
    if serializer == "record":
        out: list[dict[str, Any]] = []
        for row in rows:
            out.append(row_json(row))
            if 0 < limit <= len(out):
                break
        return out
    studio = serializer == "studio"
    graph = _Graph(db, limit)
    records: list[dict[str, Any]] = []
    for row in rows:
        if studio:
            records.append(row_json(row, edge_counts=True))
        element = _element_of(row)
        if element is not None:
            graph.add(element, with_ends=studio)
        else:
            graph.scan_row(row)
        if (studio and 0 < limit <= len(records)) or (not studio and graph.full()):
            break
    result: dict[str, Any] = {"vertices": list(graph.vertices.values())}
    if studio:
        graph.connect_vertices()
    result["edges"] = list(graph.edges.values())
    if studio:
        result["records"] = records
    return result
