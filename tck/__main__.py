"""Command line: ``python -m tck [--engine arcadelite|native] [--parse-only] [--area A] ...``.

Prints pass/fail/skip counts by feature area (and the command that produced them); skipped
scenarios need what arcadelite will not support, each with its reason (``--all`` runs them too).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter

from tck.features import load_scenarios
from tck.runner import SKIP, check_parse, format_table, run_scenario, tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tck", description=__doc__)
    parser.add_argument("--engine", default="arcadelite", choices=("arcadelite", "native"))
    parser.add_argument("--parse-only", action="store_true",
                        help="check arcadelite's Cypher parser against the TCK's queries")  # fmt: skip
    parser.add_argument("--area", action="append", default=None,
                        help="feature area prefix, e.g. clauses/match (repeatable)")  # fmt: skip
    parser.add_argument("--match", default=None, help="only scenarios whose id contains this")
    parser.add_argument("--all", action="store_true", help="also run out-of-scope scenarios")
    parser.add_argument("--failures", type=int, default=0, help="list this many failures")
    parser.add_argument("--json", default=None, help="write every outcome to this file")
    parser.add_argument("--python", default=None, help="the Python of the native engine")
    parser.add_argument("--workdir", default=None, help="where databases go (default: /tmp)")
    parser.add_argument("--log", default=None, help="file for the native worker's stderr")
    args = parser.parse_args(argv)
    command = "python -m tck " + " ".join(argv if argv is not None else sys.argv[1:])
    scenarios = load_scenarios(areas=args.area, match=args.match)
    started = time.perf_counter()
    if args.parse_only:
        return parse_only(scenarios, args, command, started)

    from tck.engines import make_engine

    log = open(args.log, "a") if args.log else None
    engine = make_engine(args.engine, args.workdir, args.python, log)
    outcomes = []
    try:
        for scenario in scenarios:
            outcomes.append((scenario, run_scenario(engine, scenario, not args.all)))
    finally:
        engine.close()
        if log is not None:
            log.close()
    print(f"$ {command}")
    print(
        f"engine {args.engine}: {len(scenarios)} scenarios in {time.perf_counter() - started:.0f} s"
    )
    print(format_table(tally(outcomes)))
    reasons = Counter(o.reason for _, o in outcomes if o.status == SKIP)
    for reason, count in reasons.most_common():
        print(f"skipped {count}: {reason}")
    failures = [(s, o) for s, o in outcomes if o.status == "fail"]
    for scenario, outcome in failures[: args.failures]:
        print(f"FAIL {scenario.id}\n     {outcome.reason}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(
                [
                    {"id": s.id, "area": s.area, "status": o.status, "reason": o.reason}
                    for s, o in outcomes
                ],
                out,
                indent=1,
            )
    return 0


def parse_only(scenarios: list, args: argparse.Namespace, command: str, started: float) -> int:
    from arcadelite.cypher import parse

    report = check_parse(scenarios, parse)
    print(f"$ {command}")
    print(f"parser: {len(scenarios)} scenarios in {time.perf_counter() - started:.1f} s")
    print(f"  queries the TCK expects to compile: {report.compiling_accepted} of "
          f"{report.compiling} accepted")  # fmt: skip
    print(
        f"  setup and control queries:          {report.setup_accepted} of {report.setup} accepted"
    )
    print(f"  syntax errors the TCK expects:      {report.syntactic_rejected} of "
          f"{report.syntactic} rejected")  # fmt: skip
    print(f"  semantic compile-time errors:       {report.semantic_rejected} of "
          f"{report.semantic} rejected already (the rest is the planner's job)")  # fmt: skip
    for scenario_id, query, what in (report.wrong or [])[: max(args.failures, 20)]:
        print(f"WRONG {scenario_id}\n      {what}\n      {query!r}")
    return 0 if not report.wrong else 1


if __name__ == "__main__":
    sys.exit(main())
