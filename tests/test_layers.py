"""The layers hold: the run-time import graph of src/arcadelite has no cycle, and each layer
imports only the layers below it (README's layout; DESIGN.md's "data flows one way").

The graph is read from the source (every ``import`` statement, function-level ones included;
those under ``if TYPE_CHECKING:`` are type hints only and never run, so they are left out).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "arcadelite"

#: Each layer, bottom first, by module-name prefix; a module may import its own layer and those
#: listed before it (the languages layer, sql/, stands beside the others: only the foundation
#: below it, and the query engine above may use its AST).
LAYERS = [
    ("foundation", ("exceptions", "rid", "vocabulary", "version", "type_conversion", "compat",
                    "frozen")),
    ("storage", ("storage",)),
    ("model", ("model",)),
    ("languages", ("sql", "cypher", "lark_cache")),
    ("vector", ("vector",)),
    ("query", ("query",)),
    ("public API", ("database", "schema", "transactions", "graph", "results", "bulk", "io",
                    "async_executor", "batch", "importer", "exporter", "cli", "server", "remote",
                    "vector_index", "")),
]  # fmt: skip
#: What a layer may import besides itself: the languages and vector layers are not below the
#: model; vector search is mathematics over arrays, storage-free.
ALLOWED = {
    "foundation": {"foundation"},
    "storage": {"foundation", "storage"},
    "model": {"foundation", "storage", "model"},
    "languages": {"foundation", "languages"},
    "vector": {"foundation", "vector"},
    "query": {"foundation", "storage", "model", "languages", "vector", "query"},
    "public API": {"foundation", "storage", "model", "languages", "vector", "query", "public API"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in (SRC / PACKAGE).rglob("*.py")}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: all of them but those under ``if TYPE_CHECKING``."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph() -> dict[str, set[str]]:
    """module -> the arcadelite modules it imports at run time."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]
        edges: set[str] = set()
        for node in _imports(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    prefix = ".".join(base + ([node.module] if node.module else []))
                else:
                    prefix = node.module or ""
                # `from package import submodule` imports the submodule
                targets = [f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in modules
                           else prefix for alias in node.names]  # fmt: skip
            for target in targets:
                while target and target not in modules:  # `import a.b.c`: the module it names
                    target = target.rpartition(".")[0]
                if target.startswith(PACKAGE) and target != name:
                    edges.add(target)
        graph[name] = edges
    return graph


def layer_of(module: str) -> str:
    local = module[len(PACKAGE) + 1 :] if module != PACKAGE else ""
    for layer, prefixes in LAYERS:
        for prefix in prefixes:
            if local == prefix or (prefix and local.startswith(prefix + ".")):
                return layer
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS in this test")


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component that has one (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def strongconnect(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                strongconnect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            strongconnect(node)
    return found


GRAPH = import_graph()


def test_the_graph_is_read_from_every_module():
    assert len(GRAPH) >= 40 and f"{PACKAGE}.query.runner" in GRAPH
    # a function-level import counts, one under `if TYPE_CHECKING:` does not
    assert f"{PACKAGE}.query" in GRAPH[f"{PACKAGE}.database"]
    assert f"{PACKAGE}.database" not in GRAPH[f"{PACKAGE}.model.records"]


def test_the_import_graph_has_no_cycle():
    assert _cycles(GRAPH) == []


@pytest.mark.parametrize("layer", [name for name, _ in LAYERS])
def test_each_layer_imports_only_the_layers_below_it(layer):
    wrong = sorted(
        f"{module} -> {target} ({layer_of(target)})"
        for module, targets in GRAPH.items()
        if layer_of(module) == layer
        for target in targets
        if layer_of(target) not in ALLOWED[layer]
    )
    assert wrong == []


def test_the_query_engine_imports_nothing_of_the_public_api():
    above = ("database", "graph", "results", "schema", "transactions", "async_executor", "batch",
             "importer", "exporter", "cli", "bulk", "io")  # fmt: skip
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        if module.startswith(f"{PACKAGE}.query")
        for target in targets
        if target == PACKAGE or target.split(".")[1] in above
    )
    assert wrong == []


def test_only_storage_imports_apsw():
    users = []
    for name, path in _modules().items():
        if layer_of(name) == "storage":
            continue
        for node in _imports(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            if any(n and n.split(".")[0] == "apsw" for n in names):
                users.append(name)
    assert users == []


def test_the_cycle_finder_finds_cycles():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
