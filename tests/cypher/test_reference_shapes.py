"""The pinned reference shapes (tests/cypher/reference_shapes.py) are well formed and parse."""

from __future__ import annotations

import pytest
from tests.cypher.reference_shapes import GRAPH, RID, RID_PATH, SHAPES, Numpy

from arcadelite.cypher import ast, parse
from arcadelite.exceptions import ParseError


def test_shape_names_are_unique():
    names = [shape.name for shape in SHAPES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
def test_every_pinned_statement_parses_or_is_a_pinned_syntax_error(shape):
    if shape.error == "syntax error":
        with pytest.raises(ParseError):
            parse(shape.statement)
        return
    statement = parse(shape.statement)
    assert ast.is_updating(statement) == (shape.via == "command" or shape.error == "command")


@pytest.mark.parametrize("shape", [s for s in SHAPES if s.columns], ids=lambda s: s.name)
def test_pinned_columns_are_the_keys_and_the_projection_names(shape):
    for row in shape.rows:
        assert tuple(row) == shape.columns
    (ret,) = [c for c in parse(shape.statement).clauses if isinstance(c, ast.Return)]
    if not ret.star:
        assert tuple(item.name for item in ret.items) == shape.columns


def test_graph_statements_parse():
    for statement in GRAPH:
        assert ast.is_updating(parse(statement))


def test_rid_and_path_markers():
    assert RID == "#12:3" and RID != "12:3" and RID != 5
    assert RID_PATH == "(#1:0)-[#4:0]->(#1:1)" and RID_PATH == "(#1:0)"
    assert RID_PATH != "(#1:0)<-[#4:0]-(#1:1)"


def test_numpy_parameters_build_when_numpy_is_there():
    numpy = pytest.importorskip("numpy")
    assert Numpy("array", [1, 2]).build().tolist() == [1, 2]
    assert Numpy("int64", 7).build() == numpy.int64(7)
