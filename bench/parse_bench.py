"""How long the SQL front end takes: a cache hit, a cold parse, and building the parser.

Run:  .venv/bin/python bench/parse_bench.py

A cache hit is ``parse(text)`` for a text parsed before (one dictionary lookup); a cold parse is
the first ``parse`` of a text (lexing, LALR parsing and AST building). Figures are medians.
"""

from __future__ import annotations

import statistics
import time

STATEMENTS = {
    "select": "SELECT name, age FROM Person WHERE name = ? AND age > 30 ORDER BY age DESC LIMIT 10",
    "insert": "INSERT INTO Person SET name = 'Jay', age = 33, tags = ['a', 'b']",
    "update": "UPDATE Person SET age = age + 1 WHERE name = :name",
    "create edge": "CREATE EDGE Knows FROM #12:3 TO (SELECT FROM Person WHERE id = ?) SET w = 1",
    "match": "MATCH {type: Person, as: p, where: (age > 30)}.out('Knows'){as: f} RETURN p.name, f.name",
    "ddl": "CREATE PROPERTY Person.name STRING (mandatory true, notnull true)",
}


def median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def main() -> None:
    started = time.perf_counter()
    from arcadelite.sql import clear_cache, parse

    imported = time.perf_counter()
    parse("SELECT 1")  # builds the parser (from Lark's on-disk grammar cache when present)
    built = time.perf_counter()
    print(f"import arcadelite.sql: {(imported - started) * 1e3:6.1f} ms")
    print(f"build the parser:      {(built - imported) * 1e3:6.1f} ms")
    print(f"{'statement':<12} {'cold parse':>12} {'cache hit':>12}")

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

        print(f"{label:<12} {median_us(cold):9.1f} µs {median_us(hits):9.3f} µs")


if __name__ == "__main__":
    main()
