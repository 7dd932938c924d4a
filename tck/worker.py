"""A TCK engine in its own process: ``python -m tck.worker MODULE [WORKDIR]``.

Speaks JSON lines: each request on stdin (``{"op": "reset"}``, ``{"op": "execute", "query": q,
"params": {...}}``, ``{"op": "snapshot"}``, ``{"op": "close"}``) gets one response line on
stdout. Anything the engine itself prints goes to stderr, so it cannot corrupt the protocol.
Started by `tck.engines.WorkerEngine` under another Python (upstream's native build).
"""

from __future__ import annotations

import importlib
import json
import os
import sys


def main(argv: list[str]) -> int:
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # the engine's own prints (fd 1) now land on stderr
    sys.stdout = sys.stderr
    from tck.session import Session

    session = Session(importlib.import_module(argv[0]), argv[1] if len(argv) > 1 else None)
    try:
        for line in sys.stdin:
            request = json.loads(line)
            op = request["op"]
            try:
                if op == "reset":
                    session.reset()
                    response: dict = {"ok": True}
                elif op == "execute":
                    response = session.execute(request["query"], request.get("params"))
                elif op == "snapshot":
                    response = session.snapshot()
                elif op == "close":
                    break
                else:
                    response = {"error": {"type": "Protocol", "message": f"unknown op {op}"}}
            except Exception as error:  # report, keep serving
                response = {"error": {"type": type(error).__name__, "message": str(error)}}
            protocol.write(json.dumps(response) + "\n")
            protocol.flush()
    finally:
        session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
