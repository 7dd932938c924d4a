"""Loading the vendored TCK: feature files → expanded scenarios (Scenario Outlines included).

Gherkin parsing and the expansion of Scenario Outline + Examples into one scenario per example
row are the official Cucumber parser's (``gherkin-official``, a test extra); this module only
turns its "pickles" into plain `Scenario` objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "tests" / "tck"
FEATURES = ROOT / "features"
GRAPHS = ROOT / "graphs"


@dataclass(frozen=True)
class Step:
    """One step: its text (``executing query:``), and a doc string or a table if it has one."""

    keyword: str
    text: str
    doc: str | None = None
    table: tuple[tuple[str, ...], ...] | None = None


@dataclass(frozen=True)
class Scenario:
    feature: str  # path below features/, e.g. clauses/match/Match1.feature
    name: str
    line: int
    steps: tuple[Step, ...]
    tags: tuple[str, ...] = field(default=())

    @property
    def area(self) -> str:
        """The feature area: the folder of its file (``clauses/match``, ``expressions/list``)."""
        return self.feature.rsplit("/", 1)[0]

    @property
    def id(self) -> str:
        return f"{self.feature}:{self.line} {self.name}"

    def queries(self, prefix: str) -> list[str]:
        """The doc strings of the steps whose text starts with prefix."""
        return [s.doc for s in self.steps if s.text.startswith(prefix) and s.doc is not None]


def load_scenarios(
    root: Path = FEATURES, areas: list[str] | None = None, match: str | None = None
) -> list[Scenario]:
    """Every scenario of the feature files below root, in file order.

    areas keeps those whose area starts with one of the given prefixes (``clauses/match``);
    match keeps those whose feature path or name contains the text.
    """
    from gherkin.parser import Parser
    from gherkin.pickles.compiler import Compiler

    scenarios: list[Scenario] = []
    for path in sorted(root.rglob("*.feature")):
        feature = path.relative_to(root).as_posix()
        if areas and not any(feature.startswith(prefix.rstrip("/")) for prefix in areas):
            continue
        document = Parser().parse(path.read_text(encoding="utf-8"))
        document["uri"] = feature
        line_of = _scenario_lines(document)
        for pickle in Compiler().compile(document):
            scenario = Scenario(
                feature=feature,
                name=pickle["name"],
                line=line_of.get(pickle["astNodeIds"][0], 0),
                steps=tuple(_step(step) for step in pickle["steps"]),
                tags=tuple(tag["name"] for tag in pickle.get("tags", ())),
            )
            if match is None or match in scenario.id:
                scenarios.append(scenario)
    return scenarios


def _step(step: dict) -> Step:
    argument = step.get("argument", {})
    doc = argument.get("docString", {}).get("content")
    table = None
    if "dataTable" in argument:
        table = tuple(
            tuple(cell["value"] for cell in row["cells"]) for row in argument["dataTable"]["rows"]
        )
    return Step(step.get("type", ""), step["text"], doc, table)


def _scenario_lines(document: dict) -> dict[str, int]:
    """Scenario AST node id → its line in the feature file."""
    lines: dict[str, int] = {}
    for child in document.get("feature", {}).get("children", ()):
        scenario = child.get("scenario")
        if scenario:
            lines[scenario["id"]] = scenario["location"]["line"]
    return lines


def named_graph(name: str) -> str:
    """The Cypher script that builds one of the TCK's named graphs (binary-tree-1 ...)."""
    return (GRAPHS / f"{name}.cypher").read_text(encoding="utf-8")
