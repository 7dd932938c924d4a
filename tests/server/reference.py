"""Starting a real ArcadeDB server (the reference bindings) in a child process, for tests and
benchmarks. The interpreter comes from ARCADELITE_REFERENCE_PYTHON: never a fixed path."""

from __future__ import annotations

import os
import subprocess
import tempfile

ENV = "ARCADELITE_REFERENCE_PYTHON"

_SCRIPT = """
import sys
import arcadedb_embedded as arcadedb
server = arcadedb.create_server(sys.argv[1], sys.argv[2],
                                config={"http_port": int(sys.argv[3]), "host": "127.0.0.1"})
server.start()
print("READY", flush=True)
sys.stdin.read()  # runs until the parent closes our stdin
server.stop()
"""


def reference_python() -> str | None:
    """The interpreter named by ARCADELITE_REFERENCE_PYTHON, or None (unset or missing)."""
    path = os.environ.get(ENV)
    return path if path and os.path.exists(path) else None


class ReferenceServer:
    """A real ArcadeDB server on 127.0.0.1:port until stop()."""

    def __init__(self, python: str, port: int, password: str) -> None:
        self.port = port
        self.folder = tempfile.mkdtemp(prefix="arcadedb-reference-")
        script = os.path.join(self.folder, "serve.py")
        with open(script, "w") as out:
            out.write(_SCRIPT)
        self._child = subprocess.Popen(
            [python, script, os.path.join(self.folder, "root"), password, str(port)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=self.folder, text=True,
        )  # fmt: skip
        line = self._child.stdout.readline()  # type: ignore[union-attr]
        if "READY" not in line:
            self.stop()
            raise RuntimeError(f"the reference server did not start (exit {self._child.poll()})")

    def stop(self) -> None:
        import shutil

        if self._child.poll() is None:
            self._child.stdin.close()  # type: ignore[union-attr]
            try:
                self._child.wait(60)
            except subprocess.TimeoutExpired:
                self._child.kill()
                self._child.wait()
        shutil.rmtree(self.folder, ignore_errors=True)
