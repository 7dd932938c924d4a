"""Running TCK scenarios on an engine, and checking the parser alone against them.

`run_scenario` walks a scenario's steps: Given (a fresh database, a named graph, setup queries,
parameters), When (the query, with side-effect snapshots around it), Then (rows in any order or
in order, optionally ignoring list order; an empty result; an error; side effects).
`check_parse` does the parser-only pass: what the TCK expects to compile must parse, what it
calls a syntax error must not.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from tck import values
from tck.features import Scenario, named_graph

PASS, FAIL, SKIP = "pass", "fail", "skip"

# What arcadelite will not support: scenarios needing it are skipped, with the reason.
TEMPORAL = re.compile(
    r"\b(?:localtime|localdatetime|time|duration)\s*[.(]|\bdate(?:time)?\s*\.\s*\w+\s*\(|timezone",
    re.IGNORECASE,
)
SKIP_REASONS = {
    "ignored": "tagged @ignore upstream",
    "procedures": "needs the TCK's test procedures (CALL test.*), which no engine here registers",
    "temporal": "temporal types beyond DATE/DATETIME (time, localtime, localdatetime, duration, "
    "time zones, temporal functions) are out of scope",
}
# A message of an engine that has no Cypher at all: never counts as the error a scenario expects.
UNSUPPORTED = re.compile(r"not supported yet|unsupported language", re.IGNORECASE)
# The compile-time error details that are syntax (what a parser alone must reject).
SYNTACTIC_DETAILS = frozenset(
    {
        "UnexpectedSyntax",
        "InvalidNumberLiteral",
        "IntegerOverflow",
        "FloatingPointOverflow",
        "InvalidUnicodeLiteral",
        "InvalidUnicodeCharacter",
        "InvalidRelationshipPattern",
        "InvalidClauseComposition",
    }
)
_ERROR_STEP = re.compile(r"an? (\w+) should be raised at ([\w ]+?): (\w+)")
_SIDE_EFFECTS = ("nodes", "relationships", "properties", "labels")


@dataclass(frozen=True)
class Outcome:
    status: str  # pass, fail or skip
    reason: str = ""


def skip_reason(scenario: Scenario) -> str | None:
    """Why the scenario is out of arcadelite's scope (None when it is in scope)."""
    if "@ignore" in scenario.tags:
        return SKIP_REASONS["ignored"]
    if any(step.text.startswith("there exists a procedure") for step in scenario.steps):
        return SKIP_REASONS["procedures"]
    if scenario.area == "expressions/temporal" or any(
        TEMPORAL.search(_step_text(step)) for step in scenario.steps
    ):
        return SKIP_REASONS["temporal"]
    return None


def _step_text(step: Any) -> str:
    table = " ".join(" ".join(row) for row in step.table or ())
    return f"{step.doc or ''} {table}"


def expected_error(scenario: Scenario) -> tuple[str, str, str] | None:
    """(type, phase, detail) of the error the scenario expects, if it expects one."""
    for step in scenario.steps:
        found = _ERROR_STEP.search(step.text)
        if found:
            return found.group(1), found.group(2), found.group(3)
    return None


# ------------------------------------------------------------------------------ running


def run_scenario(engine: Any, scenario: Scenario, apply_skips: bool = True) -> Outcome:
    reason = skip_reason(scenario) if apply_skips else None
    if reason is None and any(
        s.text.startswith("there exists a procedure") for s in scenario.steps
    ):
        reason = SKIP_REASONS["procedures"]  # cannot run at all without them
    if reason is not None:
        return Outcome(SKIP, reason)
    engine.reset()
    params: dict[str, Any] = {}
    result: dict[str, Any] | None = None
    before = after = None
    wants_side_effects = any("side effects" in step.text for step in scenario.steps)
    for step in scenario.steps:
        text = step.text
        if text in ("an empty graph", "any graph"):
            continue
        if text.startswith("the ") and text.endswith(" graph"):
            outcome = _setup(engine, named_graph(text[4:-6]), {})
        elif text.startswith("having executed"):
            outcome = _setup(engine, step.doc or "", {})
        elif text.startswith("parameters are"):
            params = {row[0]: values.parse_value(row[1]) for row in step.table or ()}
            continue
        elif text.startswith("executing query") or text.startswith("executing control query"):
            control = "control" in text
            if wants_side_effects and not control:
                before = engine.snapshot()
            result = engine.execute(step.doc or "", params)
            if wants_side_effects and not control:
                after = engine.snapshot()
            continue
        elif text.startswith("the result should be"):
            outcome = _check_rows(result, step)
        elif "should be raised" in text:
            outcome = _check_error(result)
        elif text == "no side effects" or text.startswith("the side effects should be"):
            if result is not None and "error" in result and expected_error(scenario) is None:
                outcome = _check_error_free(result)
            else:
                outcome = _check_side_effects(before, after, step.table or ())
        else:
            return Outcome(FAIL, f"the runner does not know the step {text!r}")
        if outcome is not None:
            return outcome
    return Outcome(PASS)


def _setup(engine: Any, query: str, params: dict[str, Any]) -> Outcome | None:
    response = engine.execute(query, params)
    if "error" in response:
        return Outcome(FAIL, f"setup query failed: {_error_text(response)}")
    return None


def _error_text(response: dict[str, Any]) -> str:
    error = response["error"]
    return f"{error['type']}: {error['message'].splitlines()[0][:300] if error['message'] else ''}"


def _check_error_free(result: dict[str, Any]) -> Outcome:
    return Outcome(FAIL, f"query failed: {_error_text(result)}")


def _check_rows(result: dict[str, Any] | None, step: Any) -> Outcome | None:
    if result is None:
        return Outcome(FAIL, "no query was executed")
    if "error" in result:
        return _check_error_free(result)
    actual = [[values.decode(v) for v in row] for row in result["rows"]]
    if step.text.startswith("the result should be empty"):
        return None if not actual else Outcome(FAIL, f"expected no rows, got {len(actual)}")
    header, *cells = step.table or ((),)
    expected = [[values.parse_value(cell) for cell in row] for row in cells]
    if actual:  # columns are compared by name, as the TCK's records are maps
        columns = list(result["columns"])
        if sorted(columns) != sorted(header):
            return Outcome(FAIL, f"columns {columns} instead of {list(header)}")
        order = [columns.index(name) for name in header]
        actual = [[row[i] for i in order] for row in actual]
    ordered = "in order" in step.text
    ignore_list_order = "ignoring element order for lists" in step.text
    if values.rows_match(expected, actual, ordered, ignore_list_order):
        return None
    shown = "; ".join(" | ".join(values.show(v) for v in row) for row in actual[:5])
    more = f" (+{len(actual) - 5} more)" if len(actual) > 5 else ""
    return Outcome(FAIL, f"rows differ: got {len(actual)} row(s): {shown}{more}")


def _check_error(result: dict[str, Any] | None) -> Outcome | None:
    if result is None:
        return Outcome(FAIL, "no query was executed")
    if "error" not in result:
        return Outcome(FAIL, f"expected an error, got {len(result['rows'])} row(s)")
    if UNSUPPORTED.search(result["error"]["message"] or ""):
        return Outcome(FAIL, f"the engine does not run Cypher: {_error_text(result)}")
    return None


def side_effects(before: dict[str, Any], after: dict[str, Any]) -> dict[str, int]:
    """The TCK's side-effect counts (+nodes, -properties ...) between two snapshots."""
    counts: dict[str, int] = {}
    for kind in ("nodes", "relationships"):
        old, new = set(before[kind]), set(after[kind])
        counts[f"+{kind}"], counts[f"-{kind}"] = len(new - old), len(old - new)
    old_props, new_props = _properties(before), _properties(after)
    counts["+properties"] = len(new_props - old_props)
    counts["-properties"] = len(old_props - new_props)
    old_labels, new_labels = _labels(before), _labels(after)
    counts["+labels"], counts["-labels"] = (
        len(new_labels - old_labels),
        len(old_labels - new_labels),
    )
    return counts


def _properties(snapshot: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {
        (rid, key, json.dumps(value, sort_keys=True))
        for kind in ("nodes", "relationships")
        for rid, element in snapshot[kind].items()
        for key, value in element["properties"].items()
    }


def _labels(snapshot: dict[str, Any]) -> set[str]:
    return {label for node in snapshot["nodes"].values() for label in node["labels"]}


def _check_side_effects(
    before: dict[str, Any] | None, after: dict[str, Any] | None, table: tuple
) -> Outcome | None:
    if before is None or after is None:
        return Outcome(FAIL, "no snapshots around the query")
    for snapshot in (before, after):
        if "error" in snapshot:
            return Outcome(FAIL, f"side-effect snapshot failed: {_error_text(snapshot)}")
    expected = {f"{sign}{kind}": 0 for kind in _SIDE_EFFECTS for sign in "+-"}
    expected.update({name: int(count) for name, count in table})
    actual = side_effects(before, after)
    if actual == expected:
        return None
    diff = ", ".join(
        f"{name} {actual[name]} (expected {expected[name]})"
        for name in expected
        if actual[name] != expected[name]
    )
    return Outcome(FAIL, f"side effects differ: {diff}")


# ------------------------------------------------------------------------------ parse only


@dataclass
class ParseReport:
    """Counts of the parser-only pass, and the queries it got wrong."""

    compiling: int = 0
    compiling_accepted: int = 0
    setup: int = 0
    setup_accepted: int = 0
    syntactic: int = 0
    syntactic_rejected: int = 0
    semantic: int = 0
    semantic_rejected: int = 0
    wrong: list[tuple[str, str, str]] | None = None  # (scenario id, query, what went wrong)


def check_parse(scenarios: list[Scenario], parse: Any) -> ParseReport:
    """Parse every query of the scenarios with parse(text) (which raises on a syntax error)."""
    report = ParseReport(wrong=[])
    assert report.wrong is not None
    seen_setup: set[str] = set()
    for scenario in scenarios:
        for query in scenario.queries("having executed") + scenario.queries(
            "executing control query"
        ):
            if query in seen_setup:
                continue
            seen_setup.add(query)
            report.setup += 1
            error = _parse_error(parse, query)
            if error is None:
                report.setup_accepted += 1
            else:
                report.wrong.append((scenario.id, query, f"setup query rejected: {error}"))
        for query in scenario.queries("executing query"):
            error = _parse_error(parse, query)
            expected = expected_error(scenario)
            if expected is None or expected[1] != "compile time":
                report.compiling += 1
                if error is None:
                    report.compiling_accepted += 1
                else:
                    report.wrong.append((scenario.id, query, f"rejected: {error}"))
            elif expected[2] in SYNTACTIC_DETAILS:
                report.syntactic += 1
                if error is not None:
                    report.syntactic_rejected += 1
                else:
                    report.wrong.append((scenario.id, query, f"accepted, TCK: {expected[2]}"))
            else:
                report.semantic += 1
                report.semantic_rejected += error is not None
    return report


def _parse_error(parse: Any, query: str) -> str | None:
    try:
        parse(query)
    except Exception as error:
        return str(error).splitlines()[0]
    return None


# ------------------------------------------------------------------------------ reporting


def tally(outcomes: list[tuple[Scenario, Outcome]]) -> dict[str, Counter]:
    """Outcome counts per feature area."""
    by_area: dict[str, Counter] = defaultdict(Counter)
    for scenario, outcome in outcomes:
        by_area[scenario.area][outcome.status] += 1
    return dict(sorted(by_area.items()))


def format_table(by_area: dict[str, Counter]) -> str:
    lines = [f"{'area':<40} {'scenarios':>9} {'pass':>6} {'fail':>6} {'skip':>6} {'pass %':>7}"]
    total: Counter = Counter()
    for area, counts in [*by_area.items(), ("TOTAL", None)]:
        if counts is None:
            counts = total
        else:
            total.update(counts)
        run = counts[PASS] + counts[FAIL]
        rate = f"{100 * counts[PASS] / run:6.1f}%" if run else "      -"
        scenarios = sum(counts.values())
        lines.append(
            f"{area:<40} {scenarios:>9} {counts[PASS]:>6} {counts[FAIL]:>6} {counts[SKIP]:>6} {rate}"
        )
    return "\n".join(lines)
