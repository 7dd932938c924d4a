"""Helpers for the server and remote tests: free ports in this project's range, raw requests."""

from __future__ import annotations

import base64
import http.client
import random
import socket
from typing import Any

import orjson

PORT_RANGE = (28500, 28999)  # the TCP ports these tests may use
PASSWORD = "playwithdata"
AUTH = "Basic " + base64.b64encode(f"root:{PASSWORD}".encode()).decode()


def free_port() -> int:
    """A port of PORT_RANGE nobody listens on now."""
    ports = list(range(*PORT_RANGE))
    random.shuffle(ports)
    for port in ports:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORT_RANGE}")


def call(port: int, method: str, path: str, body: Any = None, headers: dict | None = None,
         auth: str | None = AUTH, raw: bytes | None = None) -> tuple[int, dict, Any]:  # fmt: skip
    """One request on a fresh connection: (status, lower-cased headers, JSON body or None)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        sent = dict(headers or {})
        if auth:
            sent["Authorization"] = auth
        data = raw if raw is not None else (orjson.dumps(body) if body is not None else None)
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        payload = response.read()
        reply = {k.lower(): v for k, v in response.getheaders()}
        return response.status, reply, orjson.loads(payload) if payload else None
    finally:
        conn.close()


def sql(port: int, db: str, text: str, endpoint: str = "command", **extra: Any) -> tuple[int, dict, Any]:
    return call(port, "POST", f"/api/v1/{endpoint}/{db}", {"language": "sql", "command": text, **extra})
