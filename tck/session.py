"""One engine's side of the TCK: run Cypher on a database module, return JSON-ready values.

Works with any module offering the ``arcadedb_embedded`` API (``create_database``,
``db.command(language, text, params)``, results with ``property_names`` and ``get``), so the same
code serves arcadelite in-process and upstream's native build inside `tck.worker`. Standard
library only: it must import under the other engine's Python.

Elements come back as ArcadeDB returns them in Cypher results: a dict with ``@rid`` and ``@type``
(a node's labels are its type name, ``A~B`` for two labels, ``~NO_LABEL~`` for none); paths as
text ``(#1:0)-[#7:0]->(#4:0)``. Both are resolved through ``db.lookup_by_rid`` into tagged values:
``{"~node": {labels, properties, rid}}``, ``{"~rel": {type, properties, rid}}``, ``{"~path": ...}``.
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
from typing import Any

NO_LABEL = "~NO_LABEL~"
LANGUAGE = "cypher"
_PATH_TEXT = re.compile(r"\((#\d+:\d+)\)((?:(?:<-\[#\d+:\d+\]-|-\[#\d+:\d+\]->)\(#\d+:\d+\))*)")
_PATH_STEP = re.compile(r"(<-|-)\[(#\d+:\d+)\](->|-)\((#\d+:\d+)\)")


def labels_of(type_name: str) -> list[str]:
    """A node's labels from its type name, as ArcadeDB names multi-label and unlabelled types."""
    if not type_name or type_name == NO_LABEL:
        return []
    return [label for label in type_name.split("~") if label]


class Session:
    """A fresh database per scenario (`reset`), queries through ``db.command``."""

    def __init__(self, module: Any, workdir: str | None = None) -> None:
        self.module = module
        self.workdir = tempfile.mkdtemp(prefix="tck-", dir=workdir)
        self.db: Any = None
        self.count = 0

    def reset(self) -> None:
        self.close_db()
        self.count += 1
        path = f"{self.workdir}/db{self.count}"
        self.db = self.module.create_database(path)

    def close_db(self) -> None:
        if self.db is not None:
            path = self.db.get_database_path() if hasattr(self.db, "get_database_path") else None
            try:
                self.db.close()
            finally:
                self.db = None
            if path:
                shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        self.close_db()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def execute(self, query: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run one statement in its own transaction: {"columns", "rows"} or {"error": {...}}."""
        try:
            with self.db.transaction():
                if params:
                    result = self.db.command(LANGUAGE, query, params)
                else:
                    result = self.db.command(LANGUAGE, query)
                columns: list[str] = []
                rows: list[list[Any]] = []
                for record in result if result is not None else ():
                    names = list(record.property_names)
                    if not columns:
                        columns = names
                    rows.append([self.encode(record.get(name)) for name in columns])
            return {"columns": columns, "rows": rows}
        except Exception as error:  # the engine's error is the scenario's outcome
            return {"error": {"type": type(error).__name__, "message": str(error)[:2000]}}

    def snapshot(self) -> dict[str, Any]:
        """Every node and relationship (rid → labels/type and properties), for side effects."""
        nodes = self.execute("MATCH (n) RETURN n")
        rels = self.execute("MATCH ()-[r]->() RETURN r")
        if "error" in nodes or "error" in rels:
            return {"error": nodes.get("error") or rels.get("error")}
        return {
            "nodes": {
                row[0]["~node"]["rid"]: row[0]["~node"]
                for row in nodes["rows"]
                if "~node" in row[0]
            },
            "relationships": {
                row[0]["~rel"]["rid"]: row[0]["~rel"] for row in rels["rows"] if "~rel" in row[0]
            },
        }

    # --------------------------------------------------------------------- values → JSON

    def encode(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | int | str):
            if isinstance(value, str):
                path = self.path_from_text(value)
                if path is not None:
                    return path
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else {"~float": repr(value)}
        if isinstance(value, list | tuple):
            return [self.encode(item) for item in value]
        if isinstance(value, dict):
            if "@rid" in value and "@type" in value:
                return self.element(str(value["@rid"]), value)
            return {str(key): self.encode(item) for key, item in value.items()}
        if hasattr(value, "get_rid") and hasattr(value, "get_type_name"):
            return self.element(str(value.get_rid()), None)
        if hasattr(value, "isoformat"):  # DATE, DATETIME: the TCK writes them as ISO text
            return value.isoformat()
        return {"~other": repr(value)}

    def element(self, rid: str, fallback: dict[str, Any] | None) -> dict[str, Any]:
        """A node or relationship by rid (looked up, since the row's dict does not say which)."""
        try:
            record = self.db.lookup_by_rid(rid)
        except Exception:
            record = None
        if record is None:  # deleted in this statement: only what the row carried
            fallback = fallback or {}
            properties = {k: self.encode(v) for k, v in fallback.items() if not k.startswith("@")}
            kind = "~rel" if "@out" in fallback or "@in" in fallback else "~node"
            type_name = str(fallback.get("@type", ""))
            if kind == "~rel":
                return {kind: {"type": type_name, "properties": properties, "rid": rid}}
            return {kind: {"labels": labels_of(type_name), "properties": properties, "rid": rid}}
        properties = {key: self.encode(item) for key, item in record.to_dict().items()}
        properties = {k: v for k, v in properties.items() if not k.startswith("@")}
        type_name = record.get_type_name()
        if hasattr(record, "get_out") and hasattr(record, "get_in"):
            out = str(record.get_out().get_rid())
            return {"~rel": {"type": type_name, "properties": properties, "rid": rid, "out": out}}
        return {"~node": {"labels": labels_of(type_name), "properties": properties, "rid": rid}}

    def path_from_text(self, text: str) -> dict[str, Any] | None:
        if not text.startswith("(#") or _PATH_TEXT.fullmatch(text) is None:
            return None
        first = text[1 : text.index(")")]
        nodes = [self.element(first, None)]
        relationships, forward = [], []
        previous = first
        for left, rel, right, node in _PATH_STEP.findall(text):
            element = self.element(rel, None)
            relationships.append(element)
            # the text does not say which way a relationship points: its start node does
            start = element.get("~rel", {}).get("out")
            forward.append(start == previous if start else left == "-" and right == "->")
            nodes.append(self.element(node, None))
            previous = node
        return {"~path": {"nodes": nodes, "relationships": relationships, "forward": forward}}
