"""The openCypher TCK runner (``python -m tck``): value notation, comparison, steps, smoke runs.

Marked ``tck``: ``pytest -m tck`` runs just these. The full runs are ``python -m tck`` commands.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tck.engines import NATIVE_PYTHON, make_engine
from tck.runner import (
    FAIL,
    PASS,
    SKIP,
    SKIP_REASONS,
    check_parse,
    expected_error,
    run_scenario,
    side_effects,
    skip_reason,
)
from tck.values import Node, Relationship, parse_value, rows_match
from tck.values import Path as TckPath

from arcadelite.cypher import parse
from tck import values
from tck.features import FEATURES, Scenario, Step, load_scenarios, named_graph

pytestmark = pytest.mark.tck
REPO = Path(__file__).resolve().parents[2]


# ================================================================================ value notation


@pytest.mark.parametrize(
    "text, value",
    [
        ("null", None),
        ("true", True),
        ("false", False),
        ("42", 42),
        ("-7", -7),
        ("1.5", 1.5),
        ("-0.0", -0.0),
        ("1e3", 1000.0),
        ("'it\\'s'", "it's"),
        ("''", ""),
        ("'a | b'", "a | b"),
        ("[]", []),
        ("[1, 'a', [null]]", [1, "a", [None]]),
        ("{}", {}),
        ("{name: 'x', n: {k: [1]}}", {"name": "x", "n": {"k": [1]}}),
        ("{`odd key`: 1}", {"odd key": 1}),
        ("()", Node()),
        ("(:A:B {p: 0, q: 'string'})", Node(frozenset({"A", "B"}), {"p": 0, "q": "string"})),
        ("({name: 'c'})", Node(frozenset(), {"name": "c"})),
        ("[:T]", Relationship("T")),
        ("[:T {w: 2.5}]", Relationship("T", {"w": 2.5})),
        ("<()>", TckPath((Node(),))),
        (
            "<(:A)-[:T]->(:B)<-[:U {k: 1}]-()>",
            TckPath(
                (Node(frozenset({"A"})), Node(frozenset({"B"})), Node()),
                (Relationship("T"), Relationship("U", {"k": 1})),
                (True, False),
            ),
        ),
    ],
)
def test_parse_value(text, value):
    parsed = parse_value(text)
    assert values.normalize(parsed) == values.normalize(value)


def test_special_floats():
    assert math.isnan(parse_value("NaN"))
    assert parse_value("Inf") == math.inf and parse_value("-Inf") == -math.inf


@pytest.mark.parametrize("bad", ["'open", "[1, 2", "{k 1}", "(:A", "nonsense", "[:A:B]", "1 2"])
def test_malformed_values_are_errors(bad):
    with pytest.raises(values.ValueSyntaxError):
        parse_value(bad)


def test_show_writes_the_notation_back():
    for text in ["(:A:B {p: 0})", "[:T {w: 'x'}]", "<(:A)-[:T]->()<-[:U]-(:B)>", "[1, null, 'a']"]:
        assert parse_value(values.show(parse_value(text))) == parse_value(text)


# ================================================================================== comparison


def test_integers_and_floats_differ():
    assert values.normalize(1) != values.normalize(1.0)
    assert values.normalize(True) != values.normalize(1)


def test_nan_equals_nan_for_the_tck():
    assert values.normalize(float("nan")) == values.normalize(parse_value("NaN"))


def test_rows_in_any_order_are_multisets():
    assert rows_match([[1], [2], [2]], [[2], [1], [2]])
    assert not rows_match([[1], [2], [2]], [[1], [1], [2]])
    assert not rows_match([[1]], [[1], [1]])


def test_rows_in_order():
    assert rows_match([[1], [2]], [[1], [2]], ordered=True)
    assert not rows_match([[1], [2]], [[2], [1]], ordered=True)


def test_ignoring_element_order_for_lists():
    assert not rows_match([[[1, 2]]], [[[2, 1]]])
    assert rows_match([[[1, 2]]], [[[2, 1]]], ignore_list_order=True)
    assert rows_match([[{"k": [3, 1]}]], [[{"k": [1, 3]}]], ignore_list_order=True)


def test_nodes_compare_by_labels_and_properties():
    assert rows_match([[parse_value("(:A:B {x: 1})")]], [[Node(frozenset({"B", "A"}), {"x": 1})]])
    assert not rows_match([[parse_value("(:A)")]], [[Node(frozenset({"A"}), {"x": 1})]])


def test_engine_values_decode_from_tagged_json():
    encoded = {
        "~path": {
            "nodes": [
                {"~node": {"labels": ["A"], "properties": {}, "rid": "#1:0"}},
                {"~node": {"labels": [], "properties": {"k": 1}, "rid": "#1:1"}},
            ],
            "relationships": [{"~rel": {"type": "T", "properties": {}, "rid": "#2:0"}}],
            "forward": [False],
        }
    }
    assert values.decode(encoded) == parse_value("<(:A)<-[:T]-({k: 1})>")
    assert math.isinf(values.decode({"~float": "inf"}))


# ================================================================================== side effects


def snapshot(nodes: dict, rels: dict | None = None) -> dict:
    return {"nodes": nodes, "relationships": rels or {}}


def test_side_effect_counts_follow_the_tck_definitions():
    before = snapshot({"#1:0": {"labels": ["A"], "properties": {"x": 1}}})
    after = snapshot(
        {
            "#1:0": {"labels": ["A"], "properties": {"x": 2}},
            "#1:1": {"labels": ["B"], "properties": {}},
        },
        {"#3:0": {"type": "T", "properties": {"w": 1}}},
    )
    assert side_effects(before, after) == {
        "+nodes": 1,
        "-nodes": 0,
        "+relationships": 1,
        "-relationships": 0,
        "+properties": 2,  # x changed (one removed, one added) and w added
        "-properties": 1,
        "+labels": 1,
        "-labels": 0,
    }


# ====================================================================================== scenarios


def test_outlines_expand_into_one_scenario_per_example_row():
    scenarios = load_scenarios(areas=["expressions/precedence"], match="Precedence2.feature")
    # Precedence2 [3] is an outline over two additive operators: two scenarios with its name
    named = [s for s in scenarios if s.name.startswith("[3] ")]
    assert len(named) == 2
    queries = {s.queries("executing query")[0].split("AS a")[0].strip() for s in named}
    assert queries == {"RETURN 4 ^ 3 + 2 ^ 3", "RETURN 4 ^ 3 - 2 ^ 3"}
    assert all(s.area == "expressions/precedence" for s in scenarios)


def test_the_whole_tck_is_vendored():
    assert len(list(FEATURES.rglob("*.feature"))) == 220
    assert (FEATURES.parent / "LICENSE").exists() and (FEATURES.parent / "NOTICE").exists()
    assert "CREATE" in named_graph("binary-tree-1")


def scenario(*steps: Step, tags: tuple[str, ...] = ()) -> Scenario:
    return Scenario("clauses/match/Fake.feature", "fake", 1, steps, tags)


def test_skip_reasons():
    query = Step("Action", "executing query:", "RETURN duration('P1D') AS d")
    assert skip_reason(scenario(query)) == SKIP_REASONS["temporal"]
    assert (
        skip_reason(scenario(Step("Context", "there exists a procedure test.x() :")))
        == (SKIP_REASONS["procedures"])
    )
    plain = Step("Action", "executing query:", "RETURN date('2020-01-01') AS d")
    assert skip_reason(scenario(plain)) is None
    assert skip_reason(scenario(plain, tags=("@ignore",))) == SKIP_REASONS["ignored"]


def test_expected_error_step():
    step = Step("Outcome", "a SyntaxError should be raised at compile time: UnexpectedSyntax")
    assert expected_error(scenario(step)) == ("SyntaxError", "compile time", "UnexpectedSyntax")


class FakeEngine:
    """An engine that answers from a table: query text → response."""

    def __init__(self, responses: dict[str, dict]) -> None:
        self.responses = responses
        self.executed: list[str] = []

    def reset(self) -> None:
        self.executed.clear()

    def execute(self, query, params=None):
        self.executed.append(query)
        return self.responses[query]

    def snapshot(self):
        return {"nodes": {}, "relationships": {}}


def table(*rows: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(cell.strip() for cell in row.split("|")) for row in rows)


def test_run_scenario_passes_matching_rows_and_fails_others():
    steps = (
        Step("Context", "an empty graph"),
        Step("Action", "executing query:", "Q"),
        Step("Outcome", "the result should be, in any order:", None, table("n", "1", "2")),
        Step("Outcome", "no side effects"),
    )
    good = FakeEngine({"Q": {"columns": ["n"], "rows": [[2], [1]]}})
    assert run_scenario(good, scenario(*steps)).status == PASS
    bad = FakeEngine({"Q": {"columns": ["n"], "rows": [[2], [2]]}})
    outcome = run_scenario(bad, scenario(*steps))
    assert outcome.status == FAIL and "rows differ" in outcome.reason
    renamed = FakeEngine({"Q": {"columns": ["m"], "rows": [[1], [2]]}})
    assert "columns" in run_scenario(renamed, scenario(*steps)).reason


def test_an_unsupported_language_never_counts_as_the_expected_error():
    steps = (
        Step("Action", "executing query:", "Q"),
        Step("Outcome", "a SyntaxError should be raised at compile time: UnexpectedSyntax"),
    )
    unsupported = {
        "error": {"type": "X", "message": "Query language 'cypher' is not supported yet"}
    }
    assert run_scenario(FakeEngine({"Q": unsupported}), scenario(*steps)).status == FAIL
    real = {"error": {"type": "ParseError", "message": "Syntax error at line 1"}}
    assert run_scenario(FakeEngine({"Q": real}), scenario(*steps)).status == PASS


def test_out_of_scope_scenarios_are_skipped_unless_asked():
    steps = (
        Step("Action", "executing query:", "RETURN localtime() AS t"),
        Step("Outcome", "the result should be empty"),
    )
    engine = FakeEngine({"RETURN localtime() AS t": {"columns": [], "rows": []}})
    assert run_scenario(engine, scenario(*steps)).status == SKIP
    assert run_scenario(engine, scenario(*steps), apply_skips=False).status == PASS


# ================================================================================== smoke runs


def test_parse_only_over_the_whole_tck():
    """The parser accepts every query the TCK expects to compile and rejects its syntax errors."""
    report = check_parse(load_scenarios(), parse)
    assert report.wrong == []
    assert report.compiling == report.compiling_accepted >= 3297
    assert report.setup == report.setup_accepted > 300
    assert report.syntactic == report.syntactic_rejected >= 42


def test_command_line_parse_only_smoke():
    result = subprocess.run(
        [sys.executable, "-m", "tck", "--parse-only", "--area", "clauses/match"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "queries the TCK expects to compile: 172 of 172 accepted" in result.stdout


SMOKE = [  # (area, feature file): a small slice of every clause area, run in the unit suite
    ("clauses/match", "Match4.feature"),
    ("clauses/match-where", "MatchWhere1.feature"),
    ("clauses/return", "Return2.feature"),
    ("clauses/with", "With1.feature"),
    ("clauses/return-orderby", "ReturnOrderBy1.feature"),
    ("clauses/return-skip-limit", "ReturnSkipLimit1.feature"),
    ("expressions/aggregation", "Aggregation1.feature"),
    ("clauses/unwind", "Unwind1.feature"),
    ("clauses/create", "Create2.feature"),
    ("clauses/merge", "Merge1.feature"),
    ("clauses/set", "Set1.feature"),
    ("clauses/delete", "Delete1.feature"),
    ("useCases/triadicSelection", "TriadicSelection1.feature"),
]


@pytest.mark.parametrize("area, feature", SMOKE, ids=[f for _, f in SMOKE])
def test_arcadelite_engine_passes_a_smoke_feature(area, feature, tmp_path):
    """A TCK smoke run on arcadelite's Cypher engine (the full run: ``python -m tck``)."""
    engine = make_engine("arcadelite", str(tmp_path))
    try:
        scenarios = load_scenarios(areas=[area], match=feature)
        outcomes = [(s.id, run_scenario(engine, s)) for s in scenarios]
    finally:
        engine.close()
    assert len(outcomes) >= 2
    assert [(sid, o.reason) for sid, o in outcomes if o.status == FAIL] == []


@pytest.mark.skipif(not NATIVE_PYTHON or not os.access(NATIVE_PYTHON, os.X_OK),
                    reason="no native reference engine: set ARCADELITE_NATIVE_PYTHON")
def test_native_engine_passes_a_feature(tmp_path):
    """Validates the runner end to end against upstream's native build (a reference, not a dep)."""
    engine = make_engine("native", str(tmp_path))
    try:
        scenarios = load_scenarios(areas=["clauses/match"], match="Match4.feature")
        outcomes = [run_scenario(engine, s) for s in scenarios]
    finally:
        engine.close()
    assert len(outcomes) >= 10
    assert [o.reason for o in outcomes if o.status != PASS] == []
