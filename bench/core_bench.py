"""Cold start: a fresh interpreter that imports the module, creates an empty database, closes it.

Each run is a fresh child process in a fresh temporary directory, timed and measured by
``/usr/bin/time -v``:

    /usr/bin/time -v PYTHON -c "import arcadelite as a; db = a.create_database(P); db.close()"

(``import arcadedb_embedded as a`` for the reference). Reports the wall time (measured by this
script around the child, sub-millisecond resolution), the child's user+system CPU time and its
maximum RSS (both from ``/usr/bin/time -v``): median [min-max] of N runs. When ``/usr/bin/time``
is missing (``apt-get update && apt-get install -y time``) the same figures come from
``os.wait4`` instead.

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

from bytecode import compile_sources

REFERENCE_MODULE = "arcadedb_embedded"
REPO_SRC = Path(__file__).resolve().parents[1] / "src"
GNU_TIME = "/usr/bin/time"


def _child_env(module: str) -> dict:
    env = dict(os.environ)
    if module == "arcadelite" and REPO_SRC.is_dir():
        # Let `python bench/core_bench.py` run against the working tree without an install.
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_SRC), env.get("PYTHONPATH")) if p)
    return env


def _code(module: str, db_path_expr: str) -> str:
    return f"import {module} as a; db = a.create_database({db_path_expr}); db.close()"


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


def run_once(python: str, module: str, timeout: float) -> dict:
    tmp = tempfile.mkdtemp(prefix="core_bench_")
    cmd = [python, "-c", _code(module, repr(os.path.join(tmp, "db")))]
    env = _child_env(module)
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
    compile_sources()  # measure as installed: with bytecode (see bench/bytecode.py)
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
    args = p.parse_args(argv)
    if args.runs < 1:
        p.error("--runs must be >= 1")

    sides = [(args.module, args.python, args.module)]
    if args.reference:
        sides.append(("reference", args.reference, REFERENCE_MODULE))
    command = shlex.join([sys.executable] + sys.argv)
    print(f"command: {command}")
    print(f"measured by: {GNU_TIME + ' -v' if os.path.exists(GNU_TIME) else 'os.wait4'}")
    for label, python, module in sides:
        print(f"{label}: {GNU_TIME} -v {shlex.join([python, '-c', _code(module, 'P')])}")

    results: list[list[dict]] = [[] for _ in sides]
    for run in range(1, args.runs + 1):
        for (label, python, module), acc in zip(sides, results):
            res = run_once(python, module, args.timeout)
            acc.append(res)
            print(
                f"run {run}/{args.runs} {label:>10}: wall {res['wall_s']:.3f}s"
                f"  cpu {res['cpu_s']:.2f}s  max RSS {res['rss_mib']:.1f} MiB",
                flush=True,
            )

    metrics = [
        ("wall_s", "cold start wall s", ".3f"),
        ("cpu_s", "cold start CPU (user+sys) s", ".2f"),
        ("rss_mib", "cold start max RSS MiB", ".1f"),
    ]
    head = ["metric"] + [f"{label} (median [min-max])" for label, _, _ in sides]
    if len(sides) == 2:
        head.append(f"{sides[0][0]}/reference")
    rows = []
    for key, name, fmt in metrics:
        row = [name]
        medians = []
        for acc in results:
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
    print(f"\ncommand: {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
