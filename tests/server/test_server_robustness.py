"""Sessions, limits, concurrency and stopping: the server keeps serving and loses nothing."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import orjson
import pytest

import arcadelite

from .helpers import AUTH, PASSWORD, call, free_port, sql

SESSION = "arcadedb-session-id"


def count(port, where="") -> int:
    return sql(port, "demo", f"SELECT count(*) AS c FROM Person {where}", "query")[2]["result"][0]["c"]


def test_session_sees_its_writes_others_do_not_until_commit(port):
    status, headers, _ = call(port, "POST", "/api/v1/begin/demo")
    assert status == 204 and headers[SESSION].startswith("AS-")
    session = {SESSION: headers[SESSION]}
    status, reply, _ = call(port, "POST", "/api/v1/command/demo",
                            {"language": "sql", "command": "INSERT INTO Person SET name = 'carol'"},
                            headers=session)  # fmt: skip
    assert status == 200 and reply[SESSION] == session[SESSION]
    inside = call(port, "POST", "/api/v1/query/demo",
                  {"language": "sql", "command": "SELECT count(*) AS c FROM Person"}, headers=session)  # fmt: skip
    assert inside[2]["result"] == [{"c": 3}]
    assert count(port) == 2
    assert call(port, "POST", "/api/v1/commit/demo", headers=session)[0] == 204
    assert count(port) == 3
    status, _, body = call(port, "POST", "/api/v1/commit/demo", headers=session)
    assert status == 404 and body["exception"] == "com.arcadedb.server.http.HttpSessionException"


def test_rollback_discards_and_commit_without_session_fails(port):
    session = {SESSION: call(port, "POST", "/api/v1/begin/demo")[1][SESSION]}
    call(port, "POST", "/api/v1/command/demo",
         {"language": "sql", "command": "INSERT INTO Person SET name = 'dave'"}, headers=session)  # fmt: skip
    assert call(port, "POST", "/api/v1/rollback/demo", headers=session)[0] == 204
    assert count(port, "WHERE name = 'dave'") == 0
    status, _, body = call(port, "POST", "/api/v1/commit/demo")
    assert status == 500 and body["detail"] == "Transaction not begun"
    assert call(port, "POST", "/api/v1/rollback/demo")[0] == 204
    assert call(port, "POST", "/api/v1/command/demo", {"language": "sql", "command": "SELECT 1"},
                headers={SESSION: "AS-bogus"})[0] == 404  # fmt: skip


def test_idle_session_times_out_and_rolls_back(make_server):
    from .conftest import fill_demo

    server = make_server({"server_httpSessionExpireTimeout": 0.5})
    fill_demo(server.create_database("demo"))
    port = server.get_http_port()
    session = {SESSION: call(port, "POST", "/api/v1/begin/demo")[1][SESSION]}
    call(port, "POST", "/api/v1/command/demo",
         {"language": "sql", "command": "INSERT INTO Person SET name = 'idle'"}, headers=session)  # fmt: skip
    time.sleep(1.5)
    assert call(port, "POST", "/api/v1/commit/demo", headers=session)[0] == 404
    assert count(port, "WHERE name = 'idle'") == 0
    assert sql(port, "demo", "INSERT INTO Person SET name = 'after'")[0] == 200  # no lock left


def test_huge_body_is_413_and_server_keeps_serving(make_server):
    server = make_server({"server_httpBodyContentMaxSize": 10_000})
    server.create_database("demo")
    port = server.get_http_port()
    big = orjson.dumps({"language": "sql", "command": "SELECT 1", "params": {"x": "y" * 20_000}})
    status, headers, body = call(port, "POST", "/api/v1/command/demo", raw=big)
    assert status == 413 and "10,000" in body["detail"]
    assert sql(port, "demo", "SELECT 1 AS x")[2]["result"] == [{"x": 1}]


def _raw_socket(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def _read_all(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_slow_body_is_408_and_server_keeps_serving(make_server):
    server = make_server({"network_socketTimeout": 500})  # milliseconds, as ArcadeDB's setting
    server.create_database("demo")
    port = server.get_http_port()
    with _raw_socket(port) as sock:
        sock.sendall(b"POST /api/v1/command/demo HTTP/1.1\r\nHost: x\r\nAuthorization: " + AUTH.encode()
                     + b"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"lang")  # fmt: skip
        reply = _read_all(sock)
    assert reply.startswith(b"HTTP/1.1 408") and b"did not arrive" in reply
    assert sql(port, "demo", "SELECT 1 AS x")[2]["result"] == [{"x": 1}]


def test_slow_headers_are_408_and_server_keeps_serving(make_server):
    server = make_server({"network_socketTimeout": 500})
    server.create_database("demo")
    port = server.get_http_port()
    with _raw_socket(port) as sock:
        sock.sendall(b"POST /api/v1/command/demo HTTP/1.1\r\nHost: x\r\n")  # and then nothing
        started = time.monotonic()
        reply = _read_all(sock)
    assert reply.startswith(b"HTTP/1.1 408") and time.monotonic() - started < 5
    assert sql(port, "demo", "SELECT 1 AS x")[2]["result"] == [{"x": 1}]


def test_1000_concurrent_requests_from_32_threads_lose_nothing(port):
    sql(port, "demo", "CREATE DOCUMENT TYPE Hit")

    def one(i: int) -> int:
        if i % 2:
            return sql(port, "demo", "INSERT INTO Hit SET n = :n", params={"n": i})[0]
        return sql(port, "demo", "SELECT FROM Person WHERE name = 'alice'", "query")[0]

    with ThreadPoolExecutor(32) as pool:
        statuses = list(pool.map(one, range(1000)))
    assert statuses == [200] * 1000
    rows = sql(port, "demo", "SELECT n FROM Hit", "query", limit=-1)[2]["result"]
    assert sorted(r["n"] for r in rows) == list(range(1, 1000, 2))


def test_embedded_and_http_share_the_database(server, port):
    db = server.get_database("demo")
    with db.transaction():
        db.new_vertex("Person").set("name", "embedded").save()
    assert count(port, "WHERE name = 'embedded'") == 1
    sql(port, "demo", "INSERT INTO Person SET name = 'over-http'")
    assert db.count_type("Person") == 4


def test_a_database_opened_before_the_server_is_served_not_reopened(tmp_path, make_server):
    root = tmp_path / "root"
    own = arcadelite.create_database(str(root / "databases" / "mine"))
    try:
        own.command("sql", "CREATE DOCUMENT TYPE D")
        server = make_server(root=root)
        assert server.get_database("mine") is own
        assert sql(server.get_http_port(), "mine", "INSERT INTO D SET a = 1")[0] == 200
        server.stop()
        assert own.is_open() and own.count_type("D") == 1  # the server closes only what it opened
    finally:
        own.close()


def test_stop_finishes_in_flight_requests_and_closes_databases(server, port):
    db = server.get_database("demo")
    body = orjson.dumps({"language": "sql", "command": "INSERT INTO Person SET name = 'late'"})
    sock = _raw_socket(port)
    head = (f"POST /api/v1/command/demo HTTP/1.1\r\nHost: x\r\nAuthorization: {AUTH}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()  # fmt: skip
    sock.sendall(head + body[:10])  # the request is in flight: its body is half sent
    time.sleep(0.3)
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    time.sleep(0.3)
    sock.sendall(body[10:])
    reply = _read_all(sock)
    sock.close()
    stopper.join(30)
    assert reply.startswith(b"HTTP/1.1 200") and b'"late"' in reply
    assert not stopper.is_alive() and not server.is_started() and not db.is_open()
    again = arcadelite.open_database(os.path.join(server.get_root_path(), "databases", "demo"))
    try:
        assert again.query("sql", "SELECT count(*) AS c FROM Person WHERE name = 'late'").first().get("c") == 1
    finally:
        again.close()


def test_server_api_semantics(make_server, tmp_path):
    server = arcadelite.create_server(str(tmp_path / "r"), PASSWORD, {"http_port": free_port()})
    assert not server.is_started()
    with pytest.raises(arcadelite.ArcadeDBError, match="not started"):
        server.get_database("x")
    with server:
        assert server.is_started()
        assert server.get_studio_url() == f"http://127.0.0.1:{server.get_http_port()}/"
        with pytest.raises(arcadelite.ArcadeDBError, match="already started"):
            server.start()
        with pytest.raises(arcadelite.ArcadeDBError, match="not available"):
            server.get_database("missing")
        assert server.create_database("x") is server.get_database("x")
    assert not server.is_started()
    with pytest.raises(ValueError, match="Unknown server setting"):
        arcadelite.create_server(str(tmp_path / "r"), PASSWORD, {"bogus_key": 1})


def test_port_in_use_is_a_clear_error(server, tmp_path):
    other = arcadelite.create_server(str(tmp_path / "other"), PASSWORD,
                                     {"http_port": server.get_http_port()})  # fmt: skip
    with pytest.raises(arcadelite.ArcadeDBError, match="cannot listen"):
        other.start()


def test_cli_serve_stops_cleanly_on_sigint(tmp_path):
    path = str(tmp_path / "served")
    with arcadelite.create_database(path) as db:
        db.command("sql", "CREATE DOCUMENT TYPE D")
    port = free_port()
    env = dict(os.environ, ARCADELITE_ROOT_PASSWORD=PASSWORD)
    child = subprocess.Popen([sys.executable, "-m", "arcadelite.cli", "serve", path, "--port", str(port)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)  # fmt: skip
    try:
        line = child.stdout.readline()
        assert f"127.0.0.1:{port}" in line and "served" in line
        assert sql(port, "served", "INSERT INTO D SET a = 1")[0] == 200
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, err
    assert "stopped, databases closed" in err
    with arcadelite.open_database(path) as again:  # not held by the child any more
        assert again.count_type("D") == 1
