"""Null and missing values in conditions: three-valued logic, as the reference evaluates it.

Every expected result below is what the reference (arcadedb-embedded, run side by side) returned
for the same statements on the same data, the same for an undeclared property (U), a declared one
(D) and a declared and indexed one (X); see docs/reference-notes.md §10. A comparison with a null
or missing operand is unknown, NOT of unknown is unknown, and AND/OR follow Kleene's rules, so
``i <> 5`` and ``NOT (i = 5)`` do not hold where ``i`` is null or missing.
"""

from __future__ import annotations

import itertools

import pytest

import arcadelite as arcadedb

# Record names: the first letter says what i (and s) hold, the second what j holds:
# M missing, N null, T the value the conditions look for (i 5, s 'b', j 1), F another (6, 'c', 2).
_I = {"N": None, "T": 5, "F": 6}
_S = {"N": None, "T": "b", "F": "c"}
_J = {"N": None, "T": 1, "F": 2}

# (condition, names of the records it returns on the reference)
TRUTH_TABLE = [
    ("i = 5", "TF TM TN TT"),
    ("i <> 5", "FF FM FN FT"),
    ("i != 5", "FF FM FN FT"),
    ("i < 6", "TF TM TN TT"),
    ("i > 5", "FF FM FN FT"),
    ("i <= 5", "TF TM TN TT"),
    ("i >= 6", "FF FM FN FT"),
    ("5 <> i", "FF FM FN FT"),
    ("NOT (5 = i)", "FF FM FN FT"),
    ("i <> 'abc'", "FF FM FN FT TF TM TN TT"),
    ("NOT (i = 5)", "FF FM FN FT"),
    ("NOT (i <> 5)", "TF TM TN TT"),
    ("NOT (i > 5)", "TF TM TN TT"),
    ("NOT (i <= 5)", "FF FM FN FT"),
    ("i = null", ""),
    ("i <> null", ""),
    ("NOT (i = null)", ""),
    ("i IN [5]", "TF TM TN TT"),
    ("i NOT IN [5]", "FF FM FN FT"),
    ("NOT (i IN [5])", "FF FM FN FT"),
    ("i IN [5, null]", "TF TM TN TT"),
    ("i NOT IN [5, null]", ""),
    ("NOT (i IN [6, null])", ""),
    ("i NOT IN []", "FF FM FN FT MF MM MN MT NF NM NN NT TF TM TN TT"),
    ("i NOT IN ['abc']", "FF FM FN FT TF TM TN TT"),
    ("i BETWEEN 4 AND 5", "TF TM TN TT"),
    ("NOT (i BETWEEN 4 AND 5)", "FF FM FN FT"),
    ("NOT (i BETWEEN null AND 5)", "FF FM FN FT"),
    ("NOT (i BETWEEN 6 AND null)", "TF TM TN TT"),
    ("s LIKE 'b'", "TF TM TN TT"),
    ("NOT (s LIKE 'b')", "FF FM FN FT MF MM MN MT NF NM NN NT"),
    ("s CONTAINSTEXT 'b'", "TF TM TN TT"),
    ("NOT (s CONTAINSTEXT 'b')", "FF FM FN FT MF MM MN MT NF NM NN NT"),
    ("s <> 'b'", "FF FM FN FT"),
    ("NOT (s < 'c')", "FF FM FN FT"),
    ("i IS NULL", "MF MM MN MT NF NM NN NT"),
    ("i IS NOT NULL", "FF FM FN FT TF TM TN TT"),
    ("NOT (i IS NULL)", "FF FM FN FT TF TM TN TT"),
    ("i IS DEFINED", "FF FM FN FT NF NM NN NT TF TM TN TT"),
    ("i IS NOT DEFINED", "MF MM MN MT"),
    ("NOT (i IS NOT DEFINED)", "FF FM FN FT NF NM NN NT TF TM TN TT"),
    ("i = 5 OR j = 1", "FT MT NT TF TM TN TT"),
    ("i = 5 AND j = 1", "TT"),
    ("i <> 5 OR j = 1", "FF FM FN FT MT NT TT"),
    ("i <> 5 AND j <> 1", "FF"),
    ("NOT (i = 5 AND j = 1)", "FF FM FN FT MF NF TF"),
    ("NOT (i = 5 OR j = 1)", "FF"),
    ("NOT (i <> 5 OR j <> 1)", "TT"),
    ("NOT (i = 5) OR j = 1", "FF FM FN FT MT NT TT"),
    ("NOT (NOT (i = 5) OR j = 1)", "TF"),
    ("NOT (i = 5 AND j IS NULL)", "FF FM FN FT MF MT NF NT TF TT"),
    ("NOT (i IS NULL OR j = 1)", "FF TF"),
    ("NOT (i IN [5] OR j IN [1])", "FF"),
    ("NOT (i BETWEEN 5 AND 5 AND j = 1)", "FF FM FN FT MF NF TF"),
    ("NOT (i > 5 OR j < 2)", "TF"),
    ("i <> j", "FF FT TF TT"),
    ("NOT (i = j)", "FF FT TF TT"),
]

# (condition, its value as a projection per record: T true, F false, N null)
PROJECTED = [
    ("i <> 5", "FF:T FM:T FN:T FT:T MF:N MM:N MN:N MT:N NF:N NM:N NN:N NT:N TF:F TM:F TN:F TT:F"),
    (
        "NOT (i = 5)",
        "FF:T FM:T FN:T FT:T MF:N MM:N MN:N MT:N NF:N NM:N NN:N NT:N TF:F TM:F TN:F TT:F",
    ),
    (
        "i NOT IN [5]",
        "FF:T FM:T FN:T FT:T MF:N MM:N MN:N MT:N NF:N NM:N NN:N NT:N TF:F TM:F TN:F TT:F",
    ),
    (
        "i = 5 OR j = 1",
        "FF:F FM:N FN:N FT:T MF:N MM:N MN:N MT:T NF:N NM:N NN:N NT:T TF:T TM:T TN:T TT:T",
    ),
    (
        "i <> 5 AND j <> 1",
        "FF:T FM:N FN:N FT:F MF:N MM:N MN:N MT:F NF:N NM:N NN:N NT:F TF:F TM:F TN:F TT:F",
    ),
    (
        "s LIKE 'b'",
        "FF:F FM:F FN:F FT:F MF:F MM:F MN:F MT:F NF:F NM:F NN:F NT:F TF:T TM:T TN:T TT:T",
    ),
]


@pytest.fixture(scope="module")
def tri(tmp_path_factory):
    db = arcadedb.create_database(str(tmp_path_factory.mktemp("tri") / "db"))
    for name in ("U", "D", "X"):
        db.command("sql", f"CREATE DOCUMENT TYPE {name}")
    for name in ("D", "X"):
        db.command("sql", f"CREATE PROPERTY {name}.i INTEGER")
        db.command("sql", f"CREATE PROPERTY {name}.j INTEGER")
        db.command("sql", f"CREATE PROPERTY {name}.s STRING")
    for prop in ("i", "j", "s"):
        db.command("sql", f"CREATE INDEX ON X ({prop}) NOTUNIQUE")
    with db.transaction():
        for name in ("U", "D", "X"):
            for first, second in itertools.product("MNTF", "MNTF"):
                props = {"n": first + second}
                if first != "M":
                    props.update(i=_I[first], s=_S[first])
                if second != "M":
                    props["j"] = _J[second]
                document = db.new_document(name)
                for key, value in props.items():
                    document.set(key, value)
                document.save()
    yield db
    db.close()


def _names(db, text, *args) -> str:
    return " ".join(sorted(row.get("n") for row in db.query("sql", text, *args)))


@pytest.mark.parametrize("type_name", ["U", "D", "X"])
def test_where_is_three_valued_as_the_reference(tri, type_name):
    got = {c: _names(tri, f"SELECT n FROM {type_name} WHERE {c}") for c, _ in TRUTH_TABLE}
    assert got == dict(TRUTH_TABLE)


@pytest.mark.parametrize("type_name", ["U", "D", "X"])
def test_where_is_three_valued_in_python_evaluation_too(tri, type_name):
    # an OR with a condition SQLite cannot take keeps the whole WHERE in Python
    got = {
        c: _names(tri, f"SELECT n FROM {type_name} WHERE ({c}) OR n.asString() = 'never'")
        for c, _ in TRUTH_TABLE
    }
    assert got == dict(TRUTH_TABLE)


@pytest.mark.parametrize("type_name", ["U", "D", "X"])
def test_a_projected_condition_is_null_when_unknown(tri, type_name):
    letter = {True: "T", False: "F", None: "N"}
    got = {}
    for condition, _ in PROJECTED:
        result = tri.query("sql", f"SELECT n, ({condition}) AS b FROM {type_name} ORDER BY n")
        got[condition] = " ".join(f"{r.get('n')}:{letter[r.get('b')]}" for r in result)
    assert got == dict(PROJECTED)


@pytest.mark.parametrize("type_name", ["U", "D", "X"])
def test_not_in_a_list_parameter_is_unknown_for_nulls_and_for_lists_holding_null(tri, type_name):
    # read as the literal lists [5], [5, null], [] are on the reference (its list parameters bind
    # only their first element, reference-notes §9; arcadelite reads the whole list)
    text = f"SELECT n FROM {type_name} WHERE i NOT IN ?"
    assert _names(tri, text, [5]) == "FF FM FN FT"
    assert _names(tri, text, [5, None]) == ""
    assert _names(tri, text, []) == _names(tri, f"SELECT n FROM {type_name}")
    assert _names(tri, f"SELECT n FROM {type_name} WHERE NOT (i IN ?)", ["abc"]) == (
        "FF FM FN FT TF TM TN TT"
    )


def test_a_negated_conjunct_leaves_the_index_to_the_others(tri):
    text = "SELECT n FROM X WHERE i = 5 AND NOT (j = 1)"
    assert _names(tri, text) == "TF"  # TM, TN: j = 1 is unknown there, and so is its NOT
    plan = tri.query("sql", "EXPLAIN " + text).one().get("executionPlan")
    assert plan["indexes"] == ["X[i]"]
    assert any("USING INDEX" in line for line in plan["sqlitePlan"])
    text = "SELECT n FROM X WHERE j = 2 AND i <> 5"
    assert _names(tri, text) == "FF"
    plan = tri.query("sql", "EXPLAIN " + text).one().get("executionPlan")
    assert plan["indexes"] == ["X[j]"]
