"""Cold start: fresh interpreters that create an empty database, or open one and run a SELECT.

Two workloads, each run a fresh child process, timed and measured by ``/usr/bin/time -v``:

    create       PYTHON -c "import arcadelite as a; db = a.create_database(P); db.close()"
    first query  PYTHON -c "import arcadelite as a; db = a.open_database(P);
                            rows = list(db.query('sql', 'SELECT FROM T')); db.close()"

(``import arcadedb_embedded as a`` for the reference). ``create`` runs in a fresh temporary
directory each time; ``first query`` opens a database made once per side beforehand (document
type ``T`` holding one record), from process start to the first result (issue 11: <= 0.08 s).
The SQL parser's tables are cached per user (see ``arcadelite.lark_cache``); one untimed run
first makes sure they are, as any earlier use would have, and the cost of the very first process
that has to build them is printed on its own (``first query, tables not cached``, one run with an
empty ``XDG_CACHE_HOME``).

Reports the wall time (measured by this script around the child, sub-millisecond resolution), the
child's user+system CPU time and its maximum RSS (both from ``/usr/bin/time -v``): median
[min-max] of N runs. When ``/usr/bin/time`` is missing (``apt-get update && apt-get install -y
time``) the same figures come from ``os.wait4`` instead.

Commands:

    python bench/core_bench.py                                       # arcadelite, 5 runs
    python bench/core_bench.py --runs 3 --reference /work/refvenv/bin/python
    python bench/core_bench.py --runs 3 --python /work/refvenv/bin/python \\
        --module arcadedb_embedded                                   # the reference alone

The script uses the standard library only.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REFERENCE_MODULE = "arcadedb_embedded"
REPO_SRC = Path(__file__).resolve().parents[1] / "src"
SOURCES = [REPO_SRC]  # the arcadelite tree measured (--src replaces it)
GNU_TIME = "/usr/bin/time"


def _child_env(module: str) -> dict:
    env = dict(os.environ)
    if module == "arcadelite" and SOURCES[0].is_dir():
        # Let `python bench/core_bench.py` run against the working tree without an install.
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(SOURCES[0]), env.get("PYTHONPATH")) if p
        )
    return env


WORKLOADS = ("create", "first_query")


def _code(module: str, db_path_expr: str, workload: str = "create") -> str:
    if workload == "first_query":
        return (
            f"import {module} as a; db = a.open_database({db_path_expr}); "
            "rows = list(db.query('sql', 'SELECT FROM T')); db.close()"
        )
    return f"import {module} as a; db = a.create_database({db_path_expr}); db.close()"


QUERY_DB_SETUP = """\
import {module} as a
db = a.create_database({path!r})
db.command("sql", "CREATE DOCUMENT TYPE T")
with db.transaction():
    db.command("sql", "INSERT INTO T SET name = 'x', n = 1")
db.close()
"""


def make_query_database(python: str, module: str, folder: str, timeout: float) -> str:
    """The database ``first query`` opens: type T with one record, written by that side itself."""
    path = os.path.join(folder, "db")
    code = QUERY_DB_SETUP.format(module=module, path=path)
    subprocess.run([python, "-c", code], cwd=folder, env=_child_env(module), check=True,
                   capture_output=True, timeout=timeout)  # fmt: skip
    return path


def _parse_time_v(text: str) -> dict:
    def grab(label: str) -> float:
        m = re.search(rf"^\s*{re.escape(label)}:\s*(\S+)\s*$", text, re.MULTILINE)
        if not m:
            raise ValueError(f"{label!r} missing from /usr/bin/time -v output")
        return float(m.group(1))

    return {
        "rss_mib": grab("Maximum resident set size (kbytes)") / 1024.0,
        "cpu_s": grab("User time (seconds)") + grab("System time (seconds)"),
    }


def run_once(python: str, module: str, timeout: float, workload: str = "create",
             db_path: str | None = None, env_extra: dict | None = None) -> dict:  # fmt: skip
    tmp = tempfile.mkdtemp(prefix="core_bench_")
    cmd = [python, "-c", _code(module, repr(db_path or os.path.join(tmp, "db")), workload)]
    env = {**_child_env(module), **(env_extra or {})}
    try:
        if os.path.exists(GNU_TIME):
            t0 = time.perf_counter()
            proc = subprocess.run(
                [GNU_TIME, "-v", *cmd],
                cwd=tmp,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
            wall = time.perf_counter() - t0
            if proc.returncode != 0:
                own = proc.stderr.split("\tCommand being timed:")[0]
                tail = "\n".join(own.splitlines()[-30:])
                sys.exit(f"child failed (exit {proc.returncode}): {shlex.join(cmd)}\n{tail}")
            figures = _parse_time_v(proc.stderr)
        else:
            t0 = time.perf_counter()
            child = subprocess.Popen(
                cmd, cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - t0
            child.returncode = os.waitstatus_to_exitcode(status)
            err = child.stderr.read().decode(errors="replace") if child.stderr else ""
            if child.returncode != 0:
                sys.exit(f"child failed (exit {child.returncode}): {shlex.join(cmd)}\n{err}")
            figures = {
                "rss_mib": usage.ru_maxrss / 1024.0,
                "cpu_s": usage.ru_utime + usage.ru_stime,
            }
    except subprocess.TimeoutExpired:
        sys.exit(f"child timed out after {timeout}s: {shlex.join(cmd)}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    figures["wall_s"] = wall
    return figures


def _cell(values: list[float], fmt: str) -> str:
    med = format(statistics.median(values), fmt)
    if len(values) == 1:
        return med
    return f"{med} [{format(min(values), fmt)}-{format(max(values), fmt)}]"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5, help="runs per side (median reported)")
    p.add_argument("--python", default=sys.executable, help="interpreter for the main side")
    p.add_argument(
        "--module", default="arcadelite", help="module for the main side (default arcadelite)"
    )
    p.add_argument(
        "--reference",
        metavar="PYTHON",
        help=f"also run with this interpreter, which has {REFERENCE_MODULE} installed",
    )
    p.add_argument("--timeout", type=float, default=300, help="seconds allowed per child")
    p.add_argument(
        "--src",
        type=Path,
        default=REPO_SRC,
        help="the arcadelite source tree to measure (e.g. a checkout of main, for a before figure)",
    )
    args = p.parse_args(argv)
    SOURCES[0] = args.src.resolve()
    # measure as installed: with bytecode (see bench/bytecode.py)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(SOURCES[0])], check=True)
    if args.runs < 1:
        p.error("--runs must be >= 1")

    sides = [(args.module, args.python, args.module)]
    if args.reference:
        sides.append(("reference", args.reference, REFERENCE_MODULE))
    command = shlex.join([sys.executable] + sys.argv)
    print(f"command: {command}")
    print(f"measured by: {GNU_TIME + ' -v' if os.path.exists(GNU_TIME) else 'os.wait4'}")
    for workload in WORKLOADS:
        for label, python, module in sides:
            code = _code(module, "P", workload)
            print(f"{workload} {label}: {GNU_TIME} -v {shlex.join([python, '-c', code])}")

    keep = tempfile.mkdtemp(prefix="core_bench_query_")
    try:
        databases = [make_query_database(python, module, os.path.join(keep, str(i)), args.timeout)
                     if os.makedirs(os.path.join(keep, str(i))) is None else None
                     for i, (_, python, module) in enumerate(sides)]  # fmt: skip
        first_ever = None
        if args.module == "arcadelite":  # the one process that builds the parser tables
            fresh = os.path.join(keep, "empty-cache")
            os.makedirs(fresh)
            first_ever = run_once(args.python, args.module, args.timeout, "first_query",
                                  databases[0], {"XDG_CACHE_HOME": fresh})  # fmt: skip
        for (_, python, module), path in zip(sides, databases):  # warm: tables cached, as after
            run_once(python, module, args.timeout, "first_query", path)  # any earlier use
        results: dict[str, list[list[dict]]] = {w: [[] for _ in sides] for w in WORKLOADS}
        for run in range(1, args.runs + 1):
            for workload in WORKLOADS:
                for (label, python, module), acc, path in zip(sides, results[workload], databases):
                    res = run_once(python, module, args.timeout, workload,
                                   path if workload == "first_query" else None)  # fmt: skip
                    acc.append(res)
                    print(
                        f"run {run}/{args.runs} {workload:<11} {label:>10}: wall "
                        f"{res['wall_s']:.3f}s  cpu {res['cpu_s']:.2f}s  max RSS "
                        f"{res['rss_mib']:.1f} MiB",
                        flush=True,
                    )
    finally:
        shutil.rmtree(keep, ignore_errors=True)

    metrics = [
        ("wall_s", "wall s", ".3f"),
        ("cpu_s", "CPU (user+sys) s", ".2f"),
        ("rss_mib", "max RSS MiB", ".1f"),
    ]
    head = ["metric"] + [f"{label} (median [min-max])" for label, _, _ in sides]
    if len(sides) == 2:
        head.append(f"{sides[0][0]}/reference")
    rows = []
    for workload in WORKLOADS:
        title = "cold start" if workload == "create" else "first query"
        for key, name, fmt in metrics:
            row = [f"{title} {name}"]
            medians = []
            for acc in results[workload]:
                values = [r[key] for r in acc]
                row.append(_cell(values, fmt))
                medians.append(statistics.median(values))
            if len(sides) == 2:
                row.append(f"{medians[0] / medians[1]:.3f}" if medians[1] else "-")
            rows.append(row)
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    print()
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))
            )
        )
    if first_ever is not None:
        print(
            f"\nfirst query, tables not cached (the first process after install or a grammar "
            f"change, once): wall {first_ever['wall_s']:.3f}s, max RSS "
            f"{first_ever['rss_mib']:.1f} MiB"
        )
    target = statistics.median(r["wall_s"] for r in results["first_query"][0])
    print(
        f"first query target <= 0.08 s: {'met' if target <= 0.08 else 'NOT met'} ({target:.3f} s)"
    )
    print(f"\ncommand: {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
