"""Cypher facts of a reference engine, as JSON: what docs/reference-notes.md section 13 records.

Run under the reference's own Python, from the repository root, e.g.
    /work/nativevenv/bin/python tck/reference_probe.py arcadedb cypher > native.json
    /work/refvenv26/bin/python tck/reference_probe.py arcadedb_embedded opencypher > seed.json
(put numpy on PYTHONPATH for the numpy probes). Standard library only; scratch files in /tmp.
"""

import importlib
import json
import shutil
import sys
import tempfile

mod = importlib.import_module(sys.argv[1])
LANG = sys.argv[2] if len(sys.argv) > 2 else "cypher"
path = tempfile.mkdtemp(prefix="cypher-probe-") + "/db"
shutil.rmtree(path, ignore_errors=True)
db = mod.create_database(path)
facts = {}


def safe(v):
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, dict):
        return {str(k): safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [safe(x) for x in v]
    t = type(v).__name__
    if "String" in t:
        return str(v)
    return f"<{t}> {v!r}"


def describe_row(r):
    d = {}
    d["property_names"] = safe(list(r.property_names))
    try:
        d["to_dict"] = safe(r.to_dict())
    except Exception as e:
        d["to_dict"] = f"ERR {type(e).__name__}: {e}"
    for m in ("get_element", "get_rid", "get_vertex", "get_edge"):
        try:
            v = getattr(r, m)()
            d[m] = safe(
                repr(v) if v is not None and not isinstance(v, (str, int, float, dict, list)) else v
            )
            if m == "get_element" and v is not None:
                d["element_type"] = type(v).__name__
        except Exception as e:
            d[m] = f"ERR {type(e).__name__}: {str(e)[:150]}"
    d["values"] = {}
    for n in r.property_names:
        v = r.get(n)
        d["values"][str(n)] = {"python_type": type(v).__name__, "value": safe(v)}
    return d


def probe(key, text, *args, via="command", tx=True):
    try:

        def run():
            rs = (db.command if via == "command" else db.query)(LANG, text, *args)
            if rs is None:
                return {"result": None}
            rows = [describe_row(r) for r in rs]
            return {"rows": rows}

        if tx:
            with db.transaction():
                out = run()
        else:
            out = run()
    except Exception as e:
        out = {"error": type(e).__name__, "message": str(e)[:600]}
    out["statement"] = text
    if args:
        out["args"] = safe(args)
    out["via"] = via
    facts[key] = out


def schema_types():
    return (
        sorted(
            t
            for t in [
                "Person",
                "Company",
                "Animal",
                "Dog",
                "NewLabel",
                "WORKS_AT",
                "KNOWS",
                "LIKES",
            ]
            if db.schema.exists_type(t)
        )
        if hasattr(db.schema, "exists_type")
        else None
    )


probe("create_return_nothing", "CREATE (p:Person {name: 'Ann', age: 30})")
facts["types_after_create"] = {"value": schema_types()}
probe("create_return_node", "CREATE (p:Person {name: 'Bob', age: 40}) RETURN p")
probe(
    "create_rel",
    "MATCH (a:Person {name: 'Ann'}), (b:Person {name: 'Bob'}) CREATE (a)-[k:KNOWS {since: 2020}]->(b) RETURN k",
)
facts["types_after_rel"] = {"value": schema_types()}
probe("return_property", "MATCH (p:Person) RETURN p.name ORDER BY p.name", via="query", tx=False)
probe(
    "return_property_alias",
    "MATCH (p:Person) RETURN p.name AS name ORDER BY name",
    via="query",
    tx=False,
)
probe("return_node", "MATCH (p:Person {name: 'Ann'}) RETURN p", via="query", tx=False)
probe("return_two_nodes", "MATCH (a:Person)-[r:KNOWS]->(b) RETURN a, r, b", via="query", tx=False)
probe("return_count_star", "MATCH (p:Person) RETURN count(*)", via="query", tx=False)
probe("return_count_alias", "MATCH (p:Person) RETURN count(p) AS n", via="query", tx=False)
probe("return_path", "MATCH path = (a:Person)-[:KNOWS]->(b) RETURN path", via="query", tx=False)
probe("return_list_of_nodes", "MATCH (p:Person) RETURN collect(p) AS people", via="query", tx=False)
probe(
    "return_map",
    "MATCH (p:Person {name: 'Ann'}) RETURN {name: p.name, n: p} AS m",
    via="query",
    tx=False,
)
probe(
    "return_null_missing",
    "MATCH (p:Person {name: 'Ann'}) RETURN p.missing, null AS z",
    via="query",
    tx=False,
)
probe("return_expression_text", "RETURN 1 + 2, toUpper('a'), [1,2][0]", via="query", tx=False)
probe("return_star", "MATCH (p:Person {name: 'Ann'}) RETURN *", via="query", tx=False)
probe(
    "labels_type_id",
    "MATCH (p:Person {name: 'Ann'})-[r]->() RETURN labels(p) AS l, type(r) AS t, id(p) AS i, keys(p) AS k, properties(p) AS props",
    via="query",
    tx=False,
)
probe(
    "params_dict",
    "MATCH (p:Person) WHERE p.name = $name RETURN p.age AS age",
    {"name": "Bob"},
    via="query",
    tx=False,
)
probe("params_list", "UNWIND $xs AS x RETURN x", {"xs": [1, 2, 3]}, via="query", tx=False)
try:
    import numpy as np

    probe(
        "params_numpy_array",
        "UNWIND $xs AS x RETURN x",
        {"xs": np.array([1, 2, 3])},
        via="query",
        tx=False,
    )
    probe("params_numpy_scalar", "RETURN $x AS x", {"x": np.int64(7)}, via="query", tx=False)
    probe(
        "params_numpy_float_array",
        "RETURN $v AS v",
        {"v": np.array([0.5, 1.5], dtype=np.float32)},
        via="query",
        tx=False,
    )
except ImportError:
    facts["params_numpy_array"] = {"error": "numpy not installed"}
probe("positional_param", "RETURN $0 AS x", {"0": 5}, via="query", tx=False)
probe("syntax_error", "MATCH (p:Person RETURN p", via="query", tx=False)
probe("unknown_function", "RETURN nosuchfunction(1) AS x", via="query", tx=False)
probe("write_through_query", "CREATE (x:Person {name: 'Zed'})", via="query", tx=True)
probe(
    "count_after_write_through_query",
    "MATCH (p:Person) RETURN count(p) AS n",
    via="query",
    tx=False,
)
probe("merge_create", "MERGE (c:Company {name: 'Acme'}) ON CREATE SET c.created = true RETURN c")
probe("merge_match", "MERGE (c:Company {name: 'Acme'}) ON MATCH SET c.matched = true RETURN c")
probe("merge_no_return", "MERGE (c:Company {name: 'Beta'})")
probe("set_no_return", "MATCH (p:Person {name: 'Ann'}) SET p.age = 31")
probe("delete_no_return", "MATCH (p:Person {name: 'Nobody'}) DELETE p")
probe("new_label", "CREATE (n:NewLabel {x: 1}) RETURN labels(n) AS l")
facts["types_after_new_label"] = {"value": schema_types()}
# supertype matching
try:
    db.command("sql", "CREATE VERTEX TYPE Animal")
    db.command("sql", "CREATE VERTEX TYPE Dog EXTENDS Animal")
    facts["supertype_setup"] = {"value": "ok"}
except Exception as e:
    facts["supertype_setup"] = {"error": repr(e)}
probe("create_dog", "CREATE (d:Dog {name: 'Rex'}) RETURN labels(d) AS l")
probe(
    "match_supertype",
    "MATCH (a:Animal) RETURN a.name AS name, labels(a) AS l",
    via="query",
    tx=False,
)
probe("match_subtype", "MATCH (a:Dog) RETURN a.name AS name", via="query", tx=False)
probe(
    "optional_match_null",
    "MATCH (p:Person {name: 'Bob'}) OPTIONAL MATCH (p)-[:KNOWS]->(x) RETURN p.name AS name, x",
    via="query",
    tx=False,
)
probe(
    "distinct_order_skip_limit",
    "UNWIND [3,1,2,3] AS x RETURN DISTINCT x ORDER BY x DESC SKIP 1 LIMIT 1",
    via="query",
    tx=False,
)
probe(
    "aggregates",
    "UNWIND [1,2,3,null] AS x RETURN count(x) AS c, sum(x) AS s, avg(x) AS a, min(x) AS mi, max(x) AS ma, collect(x) AS l",
    via="query",
    tx=False,
)
probe(
    "integer_division",
    "RETURN 7 / 2 AS a, 7.0 / 2 AS b, 7 % 3 AS c, 2 ^ 3 AS d",
    via="query",
    tx=False,
)
probe(
    "string_ops",
    "RETURN 'abc' STARTS WITH 'a' AS s, 'abc' =~ 'a.c' AS r, 'abc' CONTAINS 'z' AS c",
    via="query",
    tx=False,
)
probe(
    "null_logic",
    "RETURN null = null AS a, null IS NULL AS b, 1 IN [1, null] AS c, 2 IN [1, null] AS d, null AND false AS e",
    via="query",
    tx=False,
)
probe(
    "case_expr",
    "UNWIND [1,2] AS x RETURN CASE x WHEN 1 THEN 'one' ELSE 'other' END AS c",
    via="query",
    tx=False,
)
probe(
    "list_comprehension",
    "RETURN [x IN range(1,5) WHERE x % 2 = 1 | x * 10] AS l",
    via="query",
    tx=False,
)
probe(
    "shortest_path",
    "MATCH p = shortestPath((a:Person {name: 'Ann'})-[*]-(b:Person {name: 'Bob'})) RETURN length(p) AS len, nodes(p) AS ns",
    via="query",
    tx=False,
)
probe(
    "variable_length",
    "MATCH (a:Person {name: 'Ann'})-[:KNOWS*1..2]->(b) RETURN b.name AS name",
    via="query",
    tx=False,
)
probe(
    "relationship_uniqueness",
    "MATCH (a)-[r1]-(b)-[r2]-(c) RETURN count(*) AS n",
    via="query",
    tx=False,
)
probe("detach_delete", "MATCH (c:Company {name: 'Beta'}) DETACH DELETE c RETURN count(*) AS n")
probe("delete_connected_fails", "MATCH (p:Person {name: 'Ann'}) DELETE p")
probe("remove", "MATCH (p:Person {name: 'Bob'}) REMOVE p.age RETURN p")
probe(
    "set_map_plus",
    "MATCH (p:Person {name: 'Bob'}) SET p += {city: 'Rome', age: 41} RETURN p.city AS city, p.age AS age",
)
probe("set_label", "MATCH (p:Person {name: 'Bob'}) SET p:Admin RETURN labels(p) AS l")
probe("opencypher_language", "RETURN 1 AS one", via="query", tx=False)
try:
    rs = db.query("cypher" if LANG == "opencypher" else "opencypher", "RETURN 1 AS one")
    facts["language_opencypher"] = {"rows": [safe(r.to_dict()) for r in rs]}
except Exception as e:
    facts["language_opencypher"] = {"error": type(e).__name__, "message": str(e)[:300]}
try:
    rs = db.query(LANG, "MATCH (p:Person) RETURN p.name AS name ORDER BY name")
    facts["resultset_to_list"] = {"value": safe(rs.to_list())}
except Exception as e:
    facts["resultset_to_list"] = {"error": repr(e)}
try:
    rs = db.query(LANG, "MATCH (p:Person) RETURN p ORDER BY p.name")
    facts["resultset_to_list_nodes"] = {"value": safe(rs.to_list())}
except Exception as e:
    facts["resultset_to_list_nodes"] = {"error": repr(e)}
try:
    rs = db.query(LANG, "RETURN 1 AS x", name="a")
    facts["kwargs_params"] = {"value": [safe(r.to_dict()) for r in rs]}
except Exception as e:
    facts["kwargs_params"] = {"error": type(e).__name__, "message": str(e)[:300]}
probe("match_supertype_after", "MATCH (a:Animal) RETURN a.name AS name", via="query", tx=False)
probe(
    "create_on_existing_supertype_label",
    "CREATE (a:Animal {name: 'Generic'}) RETURN labels(a) AS l",
)
probe(
    "match_supertype_again",
    "MATCH (a:Animal) RETURN a.name AS name ORDER BY name",
    via="query",
    tx=False,
)
probe(
    "create_edge_auto_type",
    "CREATE (a:Person {name: 'Cy'})-[:LIKES]->(b:Person {name: 'Di'}) RETURN a.name AS a, b.name AS b",
)
probe("error_type_mismatch", "RETURN 'a' + {} AS x", via="query", tx=False)
probe("error_missing_param", "RETURN $nope AS x", via="query", tx=False)
probe("error_undefined_variable", "MATCH (n) RETURN m", via="query", tx=False)
probe("division_by_zero", "RETURN 1 / 0 AS x", via="query", tx=False)
probe("empty_result_columns", "MATCH (n:Nothing) RETURN n.name AS name", via="query", tx=False)
db.close()
print(json.dumps(facts, indent=1, default=repr))
