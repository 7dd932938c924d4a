"""Engines the TCK runs on: arcadelite in-process, or any ArcadeDB-API module in a worker process.

Each engine offers reset() (a fresh, empty database), execute(query, params) → ``{"columns",
"rows"}`` or ``{"error": {"type", "message"}}`` with values tagged as `tck.session` encodes them,
snapshot() (every node and relationship, for side effects) and close().
"""

from __future__ import annotations

import json
import os
import select
import subprocess
from pathlib import Path
from typing import Any

from tck.session import Session

REPO = Path(__file__).resolve().parents[1]
#: A python that can ``import arcadedb`` (the native build), from the environment; "" when unset.
NATIVE_PYTHON = os.environ.get("ARCADELITE_NATIVE_PYTHON", "")
QUERY_TIMEOUT = 60.0
"""Seconds one request may take before the worker is restarted and the scenario failed."""


class InProcessEngine:
    """An engine imported into this process (arcadelite)."""

    def __init__(self, module_name: str, workdir: str | None = None) -> None:
        import importlib

        self.name = module_name
        self.session = Session(importlib.import_module(module_name), workdir)

    def reset(self) -> None:
        self.session.reset()

    def execute(self, query: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.session.execute(query, params)

    def snapshot(self) -> dict[str, Any]:
        return self.session.snapshot()

    def close(self) -> None:
        self.session.close()


class WorkerEngine:
    """An engine in a child process under another Python, started once, restarted on a hang."""

    def __init__(
        self, python: str, module_name: str, workdir: str | None = None, log: Any = None
    ) -> None:
        self.name = module_name
        self.command = [python, "-m", "tck.worker", module_name] + ([workdir] if workdir else [])
        self.log = log if log is not None else subprocess.DEVNULL
        self.process: subprocess.Popen[str] | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command,
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            bufsize=1,
        )

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        assert self.process is not None and self.process.stdin and self.process.stdout
        try:
            self.process.stdin.write(json.dumps(message) + "\n")
            self.process.stdin.flush()
            ready, _, _ = select.select([self.process.stdout], [], [], QUERY_TIMEOUT)
            line = self.process.stdout.readline() if ready else ""
        except (BrokenPipeError, OSError):
            line = ""
        if not line:
            why = "timed out" if self.process.poll() is None else "died"
            self.restart()
            return {"error": {"type": "WorkerFailure", "message": f"engine worker {why}"}}
        return json.loads(line)

    def restart(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
        self.start()

    def reset(self) -> None:
        response = self.request({"op": "reset"})
        if "error" in response:
            raise RuntimeError(f"could not create a database: {response['error']}")

    def execute(self, query: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.request({"op": "execute", "query": query, "params": params or {}})

    def snapshot(self) -> dict[str, Any]:
        return self.request({"op": "snapshot"})

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                self.process.stdin.write(json.dumps({"op": "close"}) + "\n")  # type: ignore[union-attr]
                self.process.stdin.flush()  # type: ignore[union-attr]
                self.process.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()


def make_engine(
    name: str, workdir: str | None = None, python: str | None = None, log: Any = None
) -> Any:
    """``arcadelite`` (in-process) or ``native`` (upstream's native build in a worker).

    log receives the worker's stderr (the engine's own chatter); by default it is discarded.
    """
    if name == "arcadelite":
        return InProcessEngine("arcadelite", workdir)
    if name == "native":
        if not (python or NATIVE_PYTHON):
            raise SystemExit("the native engine needs --python or ARCADELITE_NATIVE_PYTHON set to a "
                             "python that can import arcadedb")  # fmt: skip
        return WorkerEngine(python or NATIVE_PYTHON, "arcadedb", workdir, log=log)
    raise ValueError(f"unknown engine {name!r} (arcadelite or native)")
