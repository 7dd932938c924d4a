"""How long the Cypher front end takes: building the parser, a cold parse, a cache hit.

Run:  .venv/bin/python bench/cypher_parse_bench.py

A cold parse is the first ``parse`` of a text (lexing, LALR parsing, AST building); a cache hit is
``parse(text)`` again (one dictionary lookup). Figures are medians: per statement below, and over
every distinct query of the vendored openCypher TCK (tests/tck) as a corpus of real Cypher.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

STATEMENTS = {
    "match": "MATCH (p:Person)-[:KNOWS]->(f:Person) WHERE p.age > 30 AND p.name = $name "
    "RETURN p.name, f.name ORDER BY f.name LIMIT 10",
    "create": "CREATE (a:Person {name: 'Jay', age: 33, tags: ['a', 'b']})",
    "merge": "MERGE (p:Person {id: $id}) ON CREATE SET p.created = 1 ON MATCH SET p.seen = p.seen + 1",
    "aggregate": "MATCH (a)-[r]->(b) WITH a, count(r) AS c WHERE c > 2 RETURN a.name, c ORDER BY c DESC",
    "var-length": "MATCH p = (a:P {id: 1})-[:E*1..3]->(b) RETURN b.id, length(p)",
}


def median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def tck_queries() -> list[str]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tck import features, runner

    queries = set()
    for scenario in features.load_scenarios():
        expected = runner.expected_error(scenario)
        if expected is None or expected[1] != "compile time":
            queries.update(scenario.queries("executing query"))
    return sorted(queries)


def main() -> None:
    started = time.perf_counter()
    from arcadelite.cypher import clear_cache, parse

    imported = time.perf_counter()
    parse("RETURN 1")  # builds the parser
    built = time.perf_counter()
    print("$ .venv/bin/python bench/cypher_parse_bench.py")
    print(f"import arcadelite.cypher: {(imported - started) * 1e3:6.1f} ms")
    print(f"build the parser:         {(built - imported) * 1e3:6.1f} ms")
    print(f"{'statement':<12} {'chars':>6} {'cold parse':>12} {'cache hit':>12}")
    for label, text in STATEMENTS.items():
        cold = []
        for _ in range(300):
            clear_cache()
            t0 = time.perf_counter()
            parse(text)
            cold.append(time.perf_counter() - t0)
        parse(text)
        hits = []
        batch = 10_000
        for _ in range(30):
            t0 = time.perf_counter()
            for _ in range(batch):
                parse(text)
            hits.append((time.perf_counter() - t0) / batch)
        print(f"{label:<12} {len(text):>6} {median_us(cold):9.1f} µs {median_us(hits):9.3f} µs")

    queries = tck_queries()
    rounds = []
    for _ in range(5):
        clear_cache()
        t0 = time.perf_counter()
        for text in queries:
            parse(text)
        rounds.append((time.perf_counter() - t0) / len(queries))
    mean_chars = sum(map(len, queries)) / len(queries)
    print(
        f"TCK corpus: {len(queries)} distinct compiling queries, {mean_chars:.0f} chars on average: "
        f"{median_us(rounds):.1f} µs per cold parse (median of 5 rounds)"
    )


if __name__ == "__main__":
    main()
