"""Cypher clauses over binding rows: MATCH (patterns, variable length, shortest paths),
OPTIONAL MATCH, WITH/RETURN (projection, aggregation, DISTINCT, ORDER BY, SKIP, LIMIT), UNWIND,
CREATE, MERGE, SET, REMOVE, DELETE, FOREACH and UNION.

Clauses run one after the other, each over every row the one before produced (a binding row is a
dict of variable → value); a pattern is matched from its bound or most selective end, and a
relationship is used at most once per MATCH.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from ...cypher import ast as c
from ...exceptions import QueryError
from ...model.records import Document, Edge, Vertex
from ...rid import RID
from .evaluate import Evaluator, aggregate_calls, contains_aggregate
from .graph import Graph
from .values import ORDER_KEY, Path, equals, hashable, labels_of, output

_MEMBERS = "\x00members"  # an aggregated row's group, for ORDER BY expressions over aggregates
_FLIP = {"out": "in", "in": "out", "both": "both"}
_UNBOUNDED = 1 << 30


class Engine:
    """Runs one statement's clauses on a graph with its parameters."""

    def __init__(self, graph: Graph, params: dict[Any, Any]) -> None:
        self.graph = graph
        self.ev = Evaluator(self, params)
        self.merging = False

    # ------------------------------------------------------------------------ statements

    def run(self, statement: c.Statement) -> tuple[list[str], list[dict[str, Any]]]:
        """(columns, rows) of a statement; rows are dicts keyed by column."""
        if isinstance(statement, (c.Explain, c.Profile)):
            raise QueryError("EXPLAIN and PROFILE of Cypher are not supported yet")
        if isinstance(statement, c.Union):
            return self.union(statement)
        assert isinstance(statement, c.SingleQuery)
        return self.single(statement, [{}])

    def union(self, statement: c.Union) -> tuple[list[str], list[dict[str, Any]]]:
        columns: list[str] | None = None
        rows: list[dict[str, Any]] = []
        for query in statement.queries:
            names, found = self.single(query, [{}])
            if columns is None:
                columns = names
            elif sorted(names) != sorted(columns):
                raise QueryError("All sub queries in a UNION must have the same return column names")
            rows.extend(found)
        if not statement.all:
            rows = _distinct(rows, columns or [])
        return columns or [], rows

    def single(self, query: c.SingleQuery, rows: list[dict[str, Any]]
               ) -> tuple[list[str], list[dict[str, Any]]]:  # fmt: skip
        for clause in query.clauses:
            if isinstance(clause, c.Return):
                return self.project(rows, clause, final=True)
            rows = self.clause(clause, rows)
        return [], []

    def subquery_rows(self, statement: c.Statement, row: dict[str, Any],
                      limit: int | None = None) -> list[dict[str, Any]]:  # fmt: skip
        """Rows of an EXISTS/COUNT sub-query run with the outer row's variables in scope."""
        if isinstance(statement, c.Union):
            found: list[dict[str, Any]] = []
            for query in statement.queries:
                found.extend(self.subquery_rows(query, row, limit))
            return found
        assert isinstance(statement, c.SingleQuery)
        rows = [dict(row)]
        for clause in statement.clauses:
            if isinstance(clause, c.Return):
                return self.project(rows, clause, final=True)[1]
            rows = self.clause(clause, rows)
            if not rows:
                break
        return rows

    def clause(self, clause: c.Clause, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        handler = _CLAUSES.get(type(clause))
        if handler is None:
            raise QueryError(f"Cypher {type(clause).__name__} clauses are not supported yet")
        return handler(self, clause, rows)

    # ------------------------------------------------------------------------------ MATCH

    def match(self, clause: c.Match, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        new_vars = _pattern_variables(clause.patterns)
        for row in rows:
            found = False
            for match in self.match_patterns(clause.patterns, row):
                if clause.where is None or self.ev.truth(clause.where, match):
                    out.append(match)
                    found = True
            if clause.optional and not found:
                extended = dict(row)
                for name in new_vars:
                    extended.setdefault(name, None)
                out.append(extended)
        return out

    def match_patterns(self, patterns: tuple[c.PathPattern, ...], row: dict[str, Any]
                       ) -> Iterator[dict[str, Any]]:  # fmt: skip
        def extend(index: int, current: dict[str, Any], used: frozenset) -> Iterator[dict[str, Any]]:
            if index == len(patterns):
                yield current
                return
            for bound, now_used in self.match_path(patterns[index], current, used):
                yield from extend(index + 1, bound, now_used)

        yield from extend(0, row, frozenset())

    def pattern_matches(self, pattern: c.PathPattern, row: dict[str, Any]) -> list[dict[str, Any]]:
        return [bound for bound, _ in self.match_path(pattern, row, frozenset())]

    def pattern_exists(self, pattern: c.PathPattern, row: dict[str, Any]) -> bool:
        for _ in self.match_path(pattern, row, frozenset()):
            return True
        return False

    def _props(self, props: c.MapLiteral | c.Parameter | None, row: dict[str, Any]) -> dict | None:
        if props is None:
            return None
        value = self.ev.eval(props, row)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise QueryError("A pattern's properties must be a map")
        return value

    def match_path(self, pattern: c.PathPattern, row: dict[str, Any], used: frozenset
                   ) -> Iterator[tuple[dict[str, Any], frozenset]]:  # fmt: skip
        if pattern.shortest is not None:
            yield from self.shortest(pattern, row, used)
            return
        elements = list(pattern.elements)
        first, last = elements[0], elements[-1]
        assert isinstance(first, c.NodePattern) and isinstance(last, c.NodePattern)
        reverse = False
        if len(elements) > 1 and not _is_bound(first, row):
            if _is_bound(last, row) or (
                not (first.labels or first.properties) and (last.labels or last.properties)
            ):
                reverse = True
        if reverse:
            elements = [
                e if isinstance(e, c.NodePattern) else _flipped(e) for e in reversed(elements)
            ]
        node_props = [self._props(e.properties, row) for e in elements]
        start: c.NodePattern = elements[0]  # type: ignore[assignment]  # even slots are nodes
        for node in self.candidates(start, node_props[0], row):
            bound = dict(row)
            if start.variable is not None:
                bound[start.variable] = node
            yield from self._walk(elements, node_props, 1, node, bound, used, [node], [],
                                  pattern.variable, reverse)  # fmt: skip

    def candidates(self, pattern: c.NodePattern, props: dict | None, row: dict[str, Any]) -> list[Vertex]:
        if pattern.variable is not None and pattern.variable in row:
            value = row[pattern.variable]
            if isinstance(value, Vertex) and self.node_fits(value, pattern, props):
                return [value]
            if value is not None and not isinstance(value, Vertex):
                raise QueryError(f"Variable '{pattern.variable}' is not a node")
            return []
        if props and any(v is None for v in props.values()):
            return []
        found = self.graph.nodes(pattern.labels, props)
        if not props:
            return found  # the scan already selected the labels
        return [n for n in found if self.node_fits(n, pattern, props)]

    @staticmethod
    def node_fits(node: Vertex, pattern: c.NodePattern, props: dict | None) -> bool:
        if pattern.labels:
            labels = labels_of(node._type)
            if not all(label in labels for label in pattern.labels):
                return False
        if props:
            for key, value in props.items():
                if equals(node._props.get(key), value) is not True:
                    return False
        return True

    @staticmethod
    def edge_fits(edge: Edge, props: dict | None) -> bool:
        if props:
            for key, value in props.items():
                if equals(edge._props.get(key), value) is not True:
                    return False
        return True

    def _walk(self, elements: list, node_props: list, index: int, node: Vertex,
              bound: dict[str, Any], used: frozenset, nodes: list, rels: list,
              path_var: str | None, reverse: bool) -> Iterator[tuple[dict[str, Any], frozenset]]:  # fmt: skip
        if index >= len(elements):
            if path_var is not None:
                bound = dict(bound)
                bound[path_var] = (
                    Path(nodes[::-1], rels[::-1]) if reverse else Path(list(nodes), list(rels))
                )
            yield bound, used
            return
        rel: c.RelationshipPattern = elements[index]
        target: c.NodePattern = elements[index + 1]
        rel_props = self._props(rel.properties, bound)
        target_props = node_props[index + 1]
        if rel.length is None:
            edges = self.graph.edges(node, rel.direction, rel.types)
            self.graph.prefetch([other for _, other in edges])
            for edge, other_rid in edges:
                if edge._rid in used or not self.edge_fits(edge, rel_props):
                    continue
                if rel.variable is not None and rel.variable in bound:
                    if not isinstance(bound[rel.variable], Edge) or bound[rel.variable]._rid != edge._rid:
                        continue
                other = self.graph.load(other_rid)
                if other is None or not self._target_ok(other, target, target_props, bound):  # type: ignore[arg-type]  # edge ends are vertices
                    continue
                step = dict(bound)
                if rel.variable is not None:
                    step[rel.variable] = edge
                if target.variable is not None:
                    step[target.variable] = other
                yield from self._walk(elements, node_props, index + 2, other, step,  # type: ignore[arg-type]  # edge ends are vertices
                                      used | {edge._rid}, nodes + [other], rels + [edge],
                                      path_var, reverse)  # fmt: skip
            return
        low = 1 if rel.length.min is None else rel.length.min
        high = _UNBOUNDED if rel.length.max is None else rel.length.max
        given = bound.get(rel.variable) if rel.variable is not None else None
        walks = (self._given_trail(node, rel, given, reverse) if isinstance(given, list)
                 else self._var_length(node, rel, rel_props, low, high, used))  # fmt: skip
        for trail, trail_nodes, end in walks:
            if not self._target_ok(end, target, target_props, bound):
                continue
            step = dict(bound)
            if rel.variable is not None:
                step[rel.variable] = trail[::-1] if reverse else list(trail)
            if target.variable is not None:
                step[target.variable] = end
            yield from self._walk(elements, node_props, index + 2, end, step,
                                  used | {e._rid for e in trail}, nodes + trail_nodes,
                                  rels + trail, path_var, reverse)  # fmt: skip

    def _target_ok(self, node: Vertex, pattern: c.NodePattern, props: dict | None,
                   bound: dict[str, Any]) -> bool:  # fmt: skip
        if pattern.variable is not None and pattern.variable in bound:
            value = bound[pattern.variable]
            if not isinstance(value, Vertex) or value._rid != node._rid:
                return False
        return self.node_fits(node, pattern, props)

    def _given_trail(self, start: Vertex, rel: c.RelationshipPattern, given: list, reverse: bool
                     ) -> Iterator[tuple[list[Edge], list[Vertex], Vertex]]:  # fmt: skip
        """A relationship list bound before: the walk that follows exactly those edges."""
        edges = given[::-1] if reverse else list(given)
        node, nodes = start, []
        for edge in edges:
            if not isinstance(edge, Edge):
                return
            ends = {"out": (edge._out, edge._in), "in": (edge._in, edge._out)}
            options = [ends[rel.direction]] if rel.direction != "both" else list(ends.values())
            step = next((b for a, b in options if a == node._rid), None)
            other = self.graph.load(step) if step is not None else None
            if other is None:
                return
            node = other  # type: ignore[assignment]  # edge ends are vertices
            nodes.append(node)
        yield edges, nodes, node

    def _var_length(self, start: Vertex, rel: c.RelationshipPattern, props: dict | None,
                    low: int, high: int, used: frozenset
                    ) -> Iterator[tuple[list[Edge], list[Vertex], Vertex]]:  # fmt: skip
        stack: list[tuple[Vertex, list[Edge], list[Vertex], set]] = [(start, [], [], set())]
        while stack:
            node, trail, trail_nodes, seen = stack.pop()
            if low <= len(trail) <= high:
                yield trail, trail_nodes, node
            if len(trail) >= high:
                continue
            for edge, other_rid in reversed(self.graph.edges(node, rel.direction, rel.types)):
                if edge._rid in used or edge._rid in seen or not self.edge_fits(edge, props):
                    continue
                other = self.graph.load(other_rid)
                if other is None:
                    continue
                stack.append((other, trail + [edge], trail_nodes + [other], seen | {edge._rid}))  # type: ignore[arg-type,list-item]  # edge ends are vertices

    def shortest(self, pattern: c.PathPattern, row: dict[str, Any], used: frozenset
                 ) -> Iterator[tuple[dict[str, Any], frozenset]]:  # fmt: skip
        if len(pattern.elements) != 3:
            raise QueryError("shortestPath needs a pattern of one relationship between two nodes")
        first, rel, last = pattern.elements
        assert isinstance(first, c.NodePattern) and isinstance(last, c.NodePattern)
        assert isinstance(rel, c.RelationshipPattern)
        low = 1 if rel.length is None or rel.length.min is None else rel.length.min
        high = 1 if rel.length is None else (rel.length.max if rel.length.max is not None else _UNBOUNDED)
        rel_props = self._props(rel.properties, row)
        first_props, last_props = self._props(first.properties, row), self._props(last.properties, row)
        for start in self.candidates(first, first_props, row):
            for end in self.candidates(last, last_props, row):
                paths = self._shortest_paths(start, end, rel, rel_props, low, high,
                                             pattern.shortest == "all")  # fmt: skip
                for nodes, rels in paths:
                    bound = dict(row)
                    if first.variable is not None:
                        bound[first.variable] = start
                    if last.variable is not None:
                        bound[last.variable] = end
                    if rel.variable is not None:
                        bound[rel.variable] = list(rels)
                    if pattern.variable is not None:
                        bound[pattern.variable] = Path(nodes, rels)
                    yield bound, used

    def _shortest_paths(self, start: Vertex, end: Vertex, rel: c.RelationshipPattern,
                        props: dict | None, low: int, high: int, every: bool
                        ) -> list[tuple[list[Vertex], list[Edge]]]:  # fmt: skip
        if start._rid == end._rid and low == 0:
            return [([start], [])]
        frontier: deque[tuple[Vertex, list[Vertex], list[Edge]]] = deque([(start, [start], [])])
        best: int | None = None
        found: list[tuple[list[Vertex], list[Edge]]] = []
        depth_seen: dict[RID, int] = {start._rid: 0}  # type: ignore[dict-item]  # stored vertices have RIDs
        while frontier:
            node, nodes, rels = frontier.popleft()
            if best is not None and len(rels) >= best:
                continue
            if len(rels) >= high:
                continue
            for edge, other_rid in self.graph.edges(node, rel.direction, rel.types):
                if not self.edge_fits(edge, props) or any(e._rid == edge._rid for e in rels):
                    continue
                other = self.graph.load(other_rid)
                if other is None:
                    continue
                depth = len(rels) + 1
                if other._rid == end._rid and depth >= low:
                    best = depth
                    found.append((nodes + [other], rels + [edge]))  # type: ignore[list-item]  # edge ends are vertices
                    if not every:
                        return found
                    continue
                previous = depth_seen.get(other_rid)
                if previous is not None and (previous < depth or (not every and previous <= depth)):
                    continue
                depth_seen[other_rid] = depth
                frontier.append((other, nodes + [other], rels + [edge]))  # type: ignore[arg-type,list-item]  # edge ends are vertices
        return found

    # ------------------------------------------------------------------- UNWIND, WITH, RETURN

    def unwind(self, clause: c.Unwind, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for row in rows:
            value = self.ev.eval(clause.expression, row)
            items = [] if value is None else value if isinstance(value, list) else [value]
            for item in items:
                bound = dict(row)
                bound[clause.variable] = item
                out.append(bound)
        return out

    def with_clause(self, clause: c.With, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        _, out, envs = self.project(rows, clause, final=False, with_env=True)
        if clause.where is None:
            return out
        # WHERE sees the projection and, unless it aggregates, the variables bound before it
        return [row for row, env in zip(out, envs) if self.ev.truth(clause.where, env)]

    def project(self, rows: list[dict[str, Any]], clause: c.With | c.Return, final: bool,
                with_env: bool = False) -> Any:  # fmt: skip
        items: list[tuple[str, c.Expr]] = []
        if clause.star:
            names = sorted({k for row in rows[:1] for k in row}) if rows else []
            items.extend((name, c.Variable(name)) for name in names)
        for item in clause.items:
            if item.alias is None and not final and not isinstance(item.expression, c.Variable):
                raise QueryError(f"Expression in WITH must be aliased (use AS): {item.text}")
            name = item.alias if item.alias is not None else (
                item.expression.name if isinstance(item.expression, c.Variable) and not final
                else item.name)  # fmt: skip
            items.append((name, item.expression))
        columns = [name for name, _ in items]
        aggregating = any(contains_aggregate(expr) for _, expr in items)
        # (projected row, environment for ORDER BY)
        projected: list[tuple[dict[str, Any], dict[str, Any]]] = []
        if aggregating:
            keys = [(n, e) for n, e in items if not contains_aggregate(e)]
            calls = {n: aggregate_calls(e) for n, e in items if contains_aggregate(e)}
            groups: dict[Any, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
            for row in rows:
                values = {n: self.ev.eval(e, row) for n, e in keys}
                key = tuple(hashable(v) for v in values.values())
                group = groups.get(key)
                if group is None:
                    groups[key] = (values, [row])
                else:
                    group[1].append(row)
            if not groups and not keys:
                groups[()] = ({}, [])
            for values, members in groups.values():
                out: dict[str, Any] = {}
                base = dict(members[0]) if members else {}
                for name, expr in items:
                    if name in values:
                        out[name] = values[name]
                        continue
                    self.ev.aggregated = {call: self.ev.aggregate(call, members)
                                          for call in calls[name]}  # fmt: skip
                    try:
                        out[name] = self.ev.eval(expr, {**base, **values})
                    finally:
                        self.ev.aggregated = None
                projected.append((out, {**out, _MEMBERS: members}))
        else:
            for row in rows:
                out = {name: self.ev.eval(expr, row) for name, expr in items}
                projected.append((out, {**row, **out}))
        if clause.distinct:
            seen: set[Any] = set()
            unique = []
            for out, env in projected:
                key = tuple(hashable(out[n]) for n in columns)
                if key not in seen:
                    seen.add(key)
                    unique.append((out, env))
            projected = unique
        if clause.order_by:
            by_expr = {expr: name for name, expr in items}

            def sort_value(expr: c.Expr, out: dict, env: dict) -> Any:
                name = by_expr.get(expr)
                if name is not None:
                    return out[name]
                if aggregating:
                    members = env[_MEMBERS]
                    self.ev.aggregated = {call: self.ev.aggregate(call, members)
                                          for call in aggregate_calls(expr)}  # fmt: skip
                    try:
                        return self.ev.eval(expr, {**(members[0] if members else {}), **out})
                    finally:
                        self.ev.aggregated = None
                if clause.distinct:
                    return self.ev.eval(expr, out)
                return self.ev.eval(expr, env)

            keyed = [
                ([sort_value(s.expression, out, env) for s in clause.order_by], out, env)
                for out, env in projected
            ]
            for position in range(len(clause.order_by) - 1, -1, -1):
                keyed.sort(key=lambda item: ORDER_KEY(item[0][position]),
                           reverse=clause.order_by[position].descending)  # fmt: skip
            projected = [(out, env) for _, out, env in keyed]
        skip = self._count(clause.skip, "SKIP")
        limit = self._count(clause.limit, "LIMIT")
        if skip:
            projected = projected[skip:]
        if limit is not None:
            projected = projected[:limit]
        if with_env:
            return columns, [out for out, _ in projected], [env for _, env in projected]
        return columns, [out for out, _ in projected]

    def _count(self, expr: c.Expr | None, what: str) -> int | None:
        if expr is None:
            return None
        value = self.ev.eval(expr, {})
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise QueryError(f"{what} needs a non-negative integer, got {value!r}")
        return value

    # ------------------------------------------------------------------------------ writes

    def create(self, clause: c.Create, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for row in rows:
            bound = dict(row)
            for pattern in clause.patterns:
                self.create_path(pattern, bound)
            out.append(bound)
        return out

    def create_path(self, pattern: c.PathPattern, bound: dict[str, Any]) -> None:
        nodes: list[Vertex] = []
        rels: list[Edge] = []
        for position, element in enumerate(pattern.elements):
            if isinstance(element, c.NodePattern):
                nodes.append(self._create_node(element, bound))
                if position >= 2:
                    rel = pattern.elements[position - 1]
                    assert isinstance(rel, c.RelationshipPattern)
                    rels.append(self._create_rel(rel, nodes[-2], nodes[-1], bound))
        if pattern.variable is not None:
            bound[pattern.variable] = Path(nodes, rels)

    def _create_node(self, pattern: c.NodePattern, bound: dict[str, Any]) -> Vertex:
        if pattern.variable is not None and pattern.variable in bound:
            value = bound[pattern.variable]
            if pattern.labels or pattern.properties is not None:
                raise QueryError(f"Variable '{pattern.variable}' already declared: cannot create it")
            if not isinstance(value, Vertex):
                raise QueryError(f"Variable '{pattern.variable}' is not a node")
            return value
        props = self._props(pattern.properties, bound) or {}
        node = self.graph.create_node(pattern.labels, props)
        if pattern.variable is not None:
            bound[pattern.variable] = node
        return node

    def _create_rel(self, pattern: c.RelationshipPattern, left: Vertex, right: Vertex,
                    bound: dict[str, Any]) -> Edge:  # fmt: skip
        if len(pattern.types) != 1:
            raise QueryError("A relationship to CREATE needs exactly one type")
        if pattern.direction == "both" and not self.merging:
            raise QueryError("A relationship to CREATE needs a direction (-> or <-)")
        if pattern.length is not None:
            raise QueryError("A variable-length relationship cannot be created")
        if pattern.variable is not None and pattern.variable in bound:
            raise QueryError(f"Variable '{pattern.variable}' already declared: cannot create it")
        props = self._props(pattern.properties, bound) or {}
        source, target = (right, left) if pattern.direction == "in" else (left, right)
        edge = self.graph.create_edge(pattern.types[0], source, target, props)
        if pattern.variable is not None:
            bound[pattern.variable] = edge
        return edge

    def merge(self, clause: c.Merge, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for row in rows:
            matches = self.pattern_matches(clause.pattern, row)
            if matches:
                for match in matches:
                    self.set_items(clause.on_match, match)
                    out.append(match)
                continue
            bound = dict(row)
            for element in clause.pattern.elements:
                if isinstance(element, c.NodePattern) and element.variable in bound and (
                    element.labels or element.properties is not None
                ):
                    raise QueryError(f"Variable '{element.variable}' already declared")
                props = self._props(getattr(element, "properties", None), bound)
                if props and any(v is None for v in props.values()):
                    raise QueryError("Cannot merge a node or relationship with a null property value")
            self.merging = True
            try:
                self.create_path(clause.pattern, bound)
            finally:
                self.merging = False
            self.set_items(clause.on_create, bound)
            out.append(bound)
        return out

    def set_clause(self, clause: c.SetClause, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for row in rows:
            self.set_items(clause.items, row)
        return rows

    def set_items(self, items: tuple, row: dict[str, Any]) -> None:
        for item in items:
            if isinstance(item, c.SetProperty):
                target = self.ev.eval(item.target.subject, row)
                value = self.ev.eval(item.value, row)
                if target is None:
                    continue
                self._require_element(target, "SET")
                props = dict(target._props)
                props[item.target.key] = _storable(value)
                self.graph.replace_properties(target, props)
            elif isinstance(item, (c.SetAllProperties, c.MergeProperties)):
                target = row.get(item.variable)
                value = self.ev.eval(item.value, row)
                if target is None:
                    continue
                self._require_element(target, "SET")
                if isinstance(value, Document):
                    value = dict(value._props)
                if value is None:
                    value = {}
                if not isinstance(value, dict):
                    raise QueryError(f"SET {item.variable} needs a map, got {value!r}")
                merged = dict(target._props) if isinstance(item, c.MergeProperties) else {}
                merged.update({k: _storable(v) for k, v in value.items()})
                self.graph.replace_properties(target, merged)
            elif isinstance(item, c.SetLabels):
                node = row.get(item.variable)
                if node is None:
                    continue
                if not isinstance(node, Vertex):
                    raise QueryError(f"SET {item.variable}:... needs a node")
                labels = labels_of(node._type)
                if not all(label in labels for label in item.labels):
                    self.graph.relabel(node, sorted(set(labels) | set(item.labels)))

    @staticmethod
    def _require_element(target: Any, what: str) -> None:
        if not isinstance(target, Document):
            raise QueryError(f"{what} needs a node or relationship, got {type(target).__name__}")

    def remove(self, clause: c.Remove, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for row in rows:
            for item in clause.items:
                if isinstance(item, c.RemoveProperty):
                    target = self.ev.eval(item.target.subject, row)
                    if target is None:
                        continue
                    self._require_element(target, "REMOVE")
                    if item.target.key in target._props:
                        props = dict(target._props)
                        del props[item.target.key]
                        self.graph.replace_properties(target, props)
                else:
                    node = row.get(item.variable)
                    if node is None:
                        continue
                    labels = labels_of(node._type)
                    if any(label in labels for label in item.labels):
                        kept = [label for label in labels if label not in item.labels]
                        own = [p for p in node._type.name.split("~") if p and p not in item.labels]
                        self.graph.relabel(node, own if set(own) != set(labels) else kept)
        return rows

    def delete(self, clause: c.Delete, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        nodes: list[Vertex] = []
        rels: list[Edge] = []
        for row in rows:
            for expr in clause.expressions:
                _collect_deletable(self.ev.eval(expr, row), nodes, rels)
        for rel in rels:
            self.graph.delete(rel, True)
        for node in nodes:
            self.graph.delete(node, clause.detach)
        return rows

    def foreach(self, clause: c.Foreach, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for row in rows:
            items = self.ev.eval(clause.source, row)
            if items is None:
                continue
            if not isinstance(items, list):
                raise QueryError("FOREACH needs a list")
            for item in items:
                inner = [{**row, clause.variable: item}]
                for sub in clause.clauses:
                    inner = self.clause(sub, inner)
        return rows

    def call(self, clause: c.Call, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        raise QueryError(f"Procedure '{clause.procedure}' is not supported")

    def call_subquery(self, clause: c.CallSubquery, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for row in rows:
            for found in self.subquery_rows(clause.query, row):
                out.append({**row, **found})
        return out


def _collect_deletable(value: Any, nodes: list[Vertex], rels: list[Edge]) -> None:
    if value is None:
        return
    if isinstance(value, Vertex):
        nodes.append(value)
    elif isinstance(value, Edge):
        rels.append(value)
    elif isinstance(value, Path):
        rels.extend(value.relationships)
        nodes.extend(value.nodes)
    elif isinstance(value, list):
        for item in value:
            _collect_deletable(item, nodes, rels)
    else:
        raise QueryError(f"DELETE needs nodes, relationships or paths, got {value!r}")


def _storable(value: Any) -> Any:
    if isinstance(value, (Document, Path)):
        raise QueryError("A property value cannot be a node, relationship or path")
    if isinstance(value, dict):
        raise QueryError("A property value cannot be a map")
    if isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list, Document, Path)):
                raise QueryError("A property value must be a list of simple values")
    return value


def _is_bound(pattern: c.NodePattern, row: dict[str, Any]) -> bool:
    return pattern.variable is not None and pattern.variable in row


def _flipped(rel: c.RelationshipPattern) -> c.RelationshipPattern:
    return c.RelationshipPattern(rel.variable, rel.types, _FLIP[rel.direction], rel.length,
                                 rel.properties)  # fmt: skip


def _pattern_variables(patterns: tuple[c.PathPattern, ...]) -> list[str]:
    names: list[str] = []
    for pattern in patterns:
        if pattern.variable is not None:
            names.append(pattern.variable)
        for element in pattern.elements:
            if element.variable is not None:
                names.append(element.variable)
    return names


def _distinct(rows: list[dict[str, Any]], columns: list[str]) -> list[dict[str, Any]]:
    seen: set[Any] = set()
    out = []
    for row in rows:
        key = tuple(hashable(row.get(n)) for n in columns)
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


_CLAUSES: dict[type, Any] = {
    c.Match: Engine.match,
    c.Unwind: Engine.unwind,
    c.With: Engine.with_clause,
    c.Create: Engine.create,
    c.Merge: Engine.merge,
    c.SetClause: Engine.set_clause,
    c.Remove: Engine.remove,
    c.Delete: Engine.delete,
    c.Foreach: Engine.foreach,
    c.Call: Engine.call,
    c.CallSubquery: Engine.call_subquery,
}

__all__ = ["Engine", "output"]
