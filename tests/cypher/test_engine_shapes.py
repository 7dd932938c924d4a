"""The pinned reference shapes (tests/cypher/reference_shapes.py) hold on arcadelite's Cypher.

Each shape runs on a database built with the shapes' SCHEMA and GRAPH (a fresh one when the
shape writes), through ``query`` or ``command`` as pinned, under both language names.
"""

from __future__ import annotations

import pytest
from tests.cypher.reference_shapes import GRAPH, LANGUAGES, SCHEMA, SHAPES, Numpy

import arcadelite as arcadedb
from arcadelite.exceptions import ArcadeDBError


def _load(path: str) -> arcadedb.Database:
    db = arcadedb.create_database(path)
    for statement in SCHEMA:
        db.command("sql", statement)
    with db.transaction():
        for statement in GRAPH:
            db.command("cypher", statement)
    return db


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    db = _load(str(tmp_path_factory.mktemp("shapes") / "db"))
    yield db
    db.close()


def _params(shape):
    if shape.params is None:
        return None
    params = {}
    for key, value in shape.params.items():
        if isinstance(value, Numpy):
            pytest.importorskip("numpy")
            value = value.build()
        params[key] = value
    return params


def _run(db, shape, language):
    params = _params(shape)
    args = (params,) if params is not None else ()
    if shape.via == "command":
        with db.transaction():
            return list(db.command(language, shape.statement, *args))
    return list(db.query(language, shape.statement, *args))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
def test_shape(shape, language, shared, tmp_path):
    db = _load(str(tmp_path / "fresh")) if shape.fresh else shared
    try:
        for statement in shape.extra.get("before", ()):
            with db.transaction():
                db.command(language, statement)
        if shape.error is not None:
            with pytest.raises(ArcadeDBError) as raised:
                _run(db, shape, language)
            wanted = "syntax" if shape.error == "syntax error" else shape.error.lower()
            assert wanted in str(raised.value).lower() or (
                shape.error == "syntax error" and type(raised.value).__name__ == "ParseError"
            )
            if "count_after" in shape.extra:
                statement, count = shape.extra["count_after"]
                assert db.query(language, statement).to_list() == [{"n": count}]
            return
        rows = _run(db, shape, language)
        dicts = [row.to_dict() for row in rows]
        if shape.ordered:
            assert dicts == list(shape.rows)
        else:
            assert sorted(map(repr, dicts)) == sorted(map(repr, shape.rows))
        if shape.columns is not None:
            for row in rows:
                assert tuple(row.property_names) == shape.columns
        if shape.element is not None:
            kind, type_name = shape.element
            (row,) = rows
            element = row.get_element()
            assert element is not None and element.get_type_name() == type_name
            assert (row.get_vertex() is element) == (kind == "vertex")
            assert (row.get_edge() is element) == (kind == "edge")
            assert row.get_rid() == element.get_rid() == dicts[0][shape.columns[0] if shape.columns else next(iter(dicts[0]))]["@rid"]
        if shape.extra.get("get_element", "absent") is None:
            assert all(row.get_element() is None and row.get_rid() is None for row in rows)
        for name in shape.types_after:
            assert db.schema.exists_type(name)
    finally:
        if shape.fresh:
            db.close()
