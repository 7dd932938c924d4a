"""Path finding over the adjacency indexes: ``shortestPath()`` and ``dijkstra()``.

Entry points (the SQL functions ``shortestPath(#a, #b, 'BOTH', 'E')`` and
``dijkstra(#a, #b, 'weight')`` call these)::

    shortest_path(db, session, from_rid, to_rid, direction="BOTH", edge_labels=None, *,
                  max_depth=None, with_edges=False) -> list[RID]
    dijkstra(db, session, from_rid, to_rid, weight_property, direction="OUT", *,
             edge_labels=None) -> list[RID]

``from_rid``/``to_rid`` are RIDs, ``"#b:p"`` texts or records; ``session`` None means the calling
thread's. Both return the RIDs of the path's vertices from source to destination (``[source]``
when they are the same vertex, ``[]`` when there is no path). ArcadeDB's ``shortestPath()``
returns exactly this list of RIDs; its ``dijkstra()`` returns the same path as vertex records, so
the SQL function should load these RIDs.

Semantics follow ArcadeDB (SQLFunctionShortestPath, SQLFunctionDijkstra/SQLFunctionAstar), pinned
in tests/sql/test_paths.py:
- shortestPath is a bidirectional breadth-first search: the source side walks ``direction``, the
  destination side the opposite one, expanding the smaller frontier first, a level at a time.
  ``max_depth`` (the ``{maxDepth: n}`` option) bounds the levels walked: paths of at most
  ``n - 1`` edges are found, as in ArcadeDB. ``with_edges`` (``{edge: true}``) interleaves the
  edges' RIDs between the vertices.
- dijkstra weighs each edge by its ``weight_property``; a missing, null or non-numeric weight
  counts 0, as in ArcadeDB. Direction defaults to OUT.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..exceptions import QueryError, RecordNotFoundError
from ..rid import RID, pack_rid
from ..storage.codec import decode_record

if TYPE_CHECKING:
    from ..model.store import Store
    from ..storage import Session, Storage

_OPPOSITE = {"out": "in", "in": "out", "both": "both"}


def _direction(value: Any, default: str) -> str:
    text = default if value is None else str(value).strip().lower()
    if text not in _OPPOSITE:
        raise QueryError(f"Direction must be OUT, IN or BOTH, got {value!r}")
    return text


def _labels(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else list(value)
    for item in items:
        if not isinstance(item, str):
            raise QueryError(f"Edge labels are type names (strings), got {item!r}")
    return tuple(items)


def _vertex(storage: Storage, session: Session, value: Any, role: str) -> int:
    """The packed RID of an existing vertex, or an error naming the role (source/destination)."""
    try:
        rid = RID.parse(value)
    except Exception:  # any other value is the caller's mistake, named below
        raise QueryError(f"The {role} must be a vertex or its RID, got {value!r}") from None
    type_def = storage.catalog.by_id.get(rid.bucket_id)
    if type_def is not None and type_def.kind != "vertex":
        raise QueryError(f"The {role} {rid} is a {type_def.kind}, not a vertex")
    if type_def is None or storage.load(session, rid) is None:
        raise RecordNotFoundError(f"The {role} vertex {rid} was not found")
    return rid.to_int()


def _storage(db: Store, session: Session | None) -> tuple[Storage, Session]:
    storage = db._live_storage()
    return storage, session if session is not None else storage.session()


# ----------------------------------------------------------------------------- shortestPath


def shortest_path(db: Store, session: Session | None, from_rid: Any, to_rid: Any,
                  direction: Any = "BOTH", edge_labels: Any = None, *,
                  max_depth: int | None = None, with_edges: bool = False) -> list[RID]:  # fmt: skip
    """The RIDs of a shortest path from from_rid to to_rid (see the module docstring)."""
    storage, session = _storage(db, session)
    source = _vertex(storage, session, from_rid, "source vertex")
    target = _vertex(storage, session, to_rid, "destination vertex")
    if source == target:
        return [RID.from_int(source)]
    left_direction = _direction(direction, "both")
    right_direction = _OPPOSITE[left_direction]
    labels = _labels(edge_labels)

    def expand(vertex: int, walk: str) -> Iterable[tuple[int, int | None]]:
        """(neighbour, edge) pairs; the edge is only read when the path shows edges."""
        if not with_edges:
            return ((n, None) for n in storage.neighbors(session, vertex, walk, labels))
        pairs = []
        for edge_type, (pos, _, _, out_rid, in_rid) in storage.edges(session, vertex, walk, labels):
            other = in_rid if out_rid == vertex else out_rid
            pairs.append((other, pack_rid(edge_type.id, pos)))
        return pairs

    previous: dict[int, int] = {}  # toward the source: vertex -> edge -> vertex (packed)
    following: dict[int, int] = {}  # toward the destination
    left = _Frontier([source], {source}, previous, left_direction)
    right = _Frontier([target], {target}, following, right_direction)

    def path_through(meeting: int) -> list[RID]:
        backwards = [meeting]
        while backwards[-1] in previous:
            backwards.append(previous[backwards[-1]])
        path = list(reversed(backwards))
        while path[-1] in following:
            path.append(following[path[-1]])
        return [RID.from_int(p) for p in path]

    def walk(side: _Frontier, other: _Frontier) -> list[RID] | None:
        """Expand one side by a level; a path as soon as it meets the other side."""
        next_level = []
        for current in side.queue:
            for neighbor, edge in expand(current, side.direction):
                if neighbor in other.seen:
                    _link(side.links, neighbor, edge, current)
                    return path_through(neighbor)
                if neighbor not in side.seen:
                    _link(side.links, neighbor, edge, current)
                    next_level.append(neighbor)
                    side.seen.add(neighbor)
        side.queue = next_level
        return None

    depth = 1
    while True:
        if max_depth is not None and max_depth <= depth:
            break
        if not left.queue or not right.queue:
            break
        first, second = (left, right) if len(left.queue) <= len(right.queue) else (right, left)
        found = walk(first, second)
        if found is not None:
            return found
        depth += 1
        if max_depth is not None and max_depth <= depth:
            break
        if not first.queue:
            break
        found = walk(second, first)
        if found is not None:
            return found
        depth += 1
    return []


@dataclass
class _Frontier:
    """One side of the bidirectional search: its level queue, what it reached, its links."""

    queue: list[int]
    seen: set[int]
    links: dict[int, int]
    direction: str


def _link(links: dict[int, int], vertex: int, edge: int | None, toward: int) -> None:
    if edge is None:
        links[vertex] = toward
    else:
        links[vertex] = edge
        links[edge] = toward


# --------------------------------------------------------------------------------- dijkstra


def _weight(props: dict[str, Any], name: str | None) -> float:
    if name is None:
        return 1.0
    value = props.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return 0.0  # ArcadeDB: a missing or non-numeric weight costs nothing
    return float(value)


def dijkstra(db: Store, session: Session | None, from_rid: Any, to_rid: Any,
             weight_property: str | None, direction: Any = "OUT", *,
             edge_labels: Any = None) -> list[RID]:  # fmt: skip
    """The RIDs of a cheapest path, edges weighing their weight_property (None: 1 each)."""
    storage, session = _storage(db, session)
    source = _vertex(storage, session, from_rid, "source vertex")
    target = _vertex(storage, session, to_rid, "destination vertex")
    if weight_property is not None and not isinstance(weight_property, str):
        raise QueryError(f"dijkstra() takes the weight property's name, got {weight_property!r}")
    walk = _direction(direction, "out")
    labels = _labels(edge_labels)
    cost: dict[int, float] = {source: 0.0}
    previous: dict[int, int] = {}
    settled: set[int] = set()
    heap: list[tuple[float, int, int]] = [(0.0, 0, source)]
    pushed = 1
    while heap:
        distance, _, vertex = heapq.heappop(heap)
        if vertex in settled:
            continue
        if vertex == target:
            path = [target]
            while path[-1] != source:
                path.append(previous[path[-1]])
            return [RID.from_int(p) for p in reversed(path)]
        settled.add(vertex)
        for _, (_, body, tags, out_rid, in_rid) in storage.edges(session, vertex, walk, labels):
            other = in_rid if out_rid == vertex else out_rid
            if other in settled:
                continue
            props = decode_record(body, tags) if weight_property is not None else {}
            candidate = distance + _weight(props, weight_property)
            if candidate < cost.get(other, float("inf")):
                cost[other] = candidate
                previous[other] = vertex
                heapq.heappush(heap, (candidate, pushed, other))
                pushed += 1
    return []


__all__ = ["dijkstra", "shortest_path"]
