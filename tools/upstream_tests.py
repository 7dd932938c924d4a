"""Run the upstream bindings' own test files against arcadelite, through a module-name alias.

Usage:
    python tools/upstream_tests.py PATH [--files test_a.py ...] [--reference PYTHON]
                                        [--with-compat] [-v]
    ARCADELITE_UPSTREAM_TESTS=PATH python tools/upstream_tests.py

PATH is a checkout of the upstream bindings' tests: the ``tests`` folder itself, or a checkout
root that holds ``bindings/python/tests``. Nothing of it is copied into this repository.

For arcadelite, a temporary folder gets one file, ``arcadedb_embedded.py``, that makes
``import arcadedb_embedded`` (and ``arcadedb_embedded.<submodule>``) give arcadelite; that
folder goes first on PYTHONPATH and pytest runs each test file in its own process (the
upstream conftest ends the process with ``os._exit(0)``, so results are read from a JUnit XML
report, never from the exit code). ``--reference PYTHON`` runs the same files without the alias
on an interpreter that has the real ``arcadedb_embedded``, as a baseline (that interpreter
needs pytest: put a folder made with ``pip install --target DIR pytest`` on PYTHONPATH rather
than installing into the reference's venv). ``--with-compat`` also calls
``arcadelite.compat.install()``, to preview the Java-style names before the classes take them.

Prints one line per file (passed/failed/errors/skipped) and, with ``-v``, every failing test
with the first line of its message; exits 1 when any test failed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

# The files issue 16 names as the acceptance set (upstream test files, by name).
ACCEPTANCE_FILES = (
    "test_async_executor.py",
    "test_batch_context.py",
    "test_concurrency.py",
    "test_database_utils.py",
    "test_exporter.py",
    "test_graph_api.py",
    "test_importer.py",
    "test_numpy_support.py",
    "test_resultset.py",
    "test_transaction_config.py",
    "test_type_conversion.py",
)

# The alias module: arcadelite under the upstream name, submodules included.
ALIAS_SOURCE = '''"""arcadedb_embedded -> arcadelite (written by tools/upstream_tests.py)."""
import importlib
import os
import sys

import arcadelite

for _name in ("async_executor", "batch", "exceptions", "exporter", "graph", "importer",
              "results", "schema", "transactions", "type_conversion", "compat"):
    try:
        sys.modules[__name__ + "." + _name] = importlib.import_module("arcadelite." + _name)
    except ImportError:
        pass
if os.environ.get("ARCADELITE_INSTALL_COMPAT"):
    arcadelite.compat.install()
sys.modules[__name__] = arcadelite
'''

REPORT_TIMEOUT_S = 900


@dataclass
class FileResult:
    name: str
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.failed and not self.errors and not self.note


def find_tests_dir(path: str) -> Path:
    """The folder holding the upstream test files, given it or a checkout root."""
    root = Path(path).expanduser().resolve()
    for candidate in (root, root / "tests", root / "bindings" / "python" / "tests"):
        if (candidate / "conftest.py").is_file() and any(candidate.glob("test_*.py")):
            return candidate
    raise SystemExit(
        f"upstream_tests: no upstream test folder (conftest.py + test_*.py) under {root}"
    )


def write_alias(folder: Path) -> None:
    (folder / "arcadedb_embedded.py").write_text(ALIAS_SOURCE)


def run_file(python: str, tests_dir: Path, name: str, work: Path, alias_dir: Path | None,
             timeout_s: float, compat: bool = False) -> FileResult:  # fmt: skip
    """Run one test file in its own pytest process and read its JUnit XML report."""
    result = FileResult(name)
    report = work / f"{name}.xml"
    env = dict(os.environ)
    if alias_dir is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(alias_dir), env.get("PYTHONPATH")]))
    if compat:
        env["ARCADELITE_INSTALL_COMPAT"] = "1"
    ini = work / "pytest.ini"
    ini.write_text("[pytest]\n")
    command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(ini),
               "--rootdir", str(tests_dir), f"--junitxml={report}", str(tests_dir / name)]  # fmt: skip
    try:
        completed = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True,
                                   timeout=timeout_s)  # fmt: skip
    except subprocess.TimeoutExpired:
        result.note = f"timed out after {timeout_s:.0f} s"
        return result
    if not report.is_file():
        tail = (completed.stdout + completed.stderr).strip().splitlines()[-5:]
        result.note = "no report: " + " | ".join(tail)
        return result
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        test = f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name')}"
        outcome = next(
            (child for child in case if child.tag in ("failure", "error", "skipped")), None
        )
        if outcome is None:
            result.passed += 1
        elif outcome.tag == "skipped":
            result.skipped += 1
        else:
            message = (outcome.get("message") or outcome.text or "").strip().splitlines()
            if outcome.tag == "failure":
                result.failed += 1
            else:
                result.errors += 1
            result.failures.append((test, message[0][:200] if message else outcome.tag))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "path",
        nargs="?",
        default=os.environ.get("ARCADELITE_UPSTREAM_TESTS"),
        help="upstream tests folder or checkout (or env ARCADELITE_UPSTREAM_TESTS)",
    )
    parser.add_argument(
        "--files",
        nargs="+",
        default=list(ACCEPTANCE_FILES),
        help="test files to run (default: the issue-16 acceptance set)",
    )
    parser.add_argument(
        "--reference",
        metavar="PYTHON",
        help="run on this interpreter's real arcadedb_embedded, without the alias",
    )
    parser.add_argument(
        "--with-compat",
        action="store_true",
        help="also install arcadelite.compat's Java-style names (compat.install())",
    )
    parser.add_argument("--timeout", type=float, default=REPORT_TIMEOUT_S, help="seconds per file")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every failing test")
    args = parser.parse_args(argv)  # fmt: skip
    if not args.path:
        parser.error("give the upstream tests PATH or set ARCADELITE_UPSTREAM_TESTS")
    tests_dir = find_tests_dir(args.path)
    python = args.reference or sys.executable
    engine = f"reference ({python})" if args.reference else "arcadelite (alias arcadedb_embedded)"
    if args.with_compat and not args.reference:
        engine += " + compat.install()"
    print(f"upstream tests: {tests_dir}\nengine: {engine}")
    results = []
    with tempfile.TemporaryDirectory(prefix="arcadelite_upstream_") as scratch:
        work = Path(scratch)
        alias_dir = None
        if not args.reference:
            alias_dir = work / "alias"
            alias_dir.mkdir()
            write_alias(alias_dir)
        for name in args.files:
            if not (tests_dir / name).is_file():
                results.append(FileResult(name, note="missing in the upstream checkout"))
            else:
                results.append(
                    run_file(
                        python, tests_dir, name, work, alias_dir, args.timeout, args.with_compat
                    )
                )
            r = results[-1]
            status = "PASS" if r.ok else "FAIL"
            print(f"{status}  {r.name:32} passed {r.passed:3}  failed {r.failed:3}  "
                  f"errors {r.errors:3}  skipped {r.skipped:3}  {r.note}", flush=True)  # fmt: skip
            if args.verbose:
                for test, message in r.failures:
                    print(f"        {test}: {message}")
    totals = [
        sum(getattr(r, key) for r in results) for key in ("passed", "failed", "errors", "skipped")
    ]
    print(f"files: {sum(r.ok for r in results)} of {len(results)} pass; tests: {totals[0]} passed, "
          f"{totals[1] + totals[2]} failed, {totals[3]} skipped")  # fmt: skip
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
