"""A running arcadelite server with a small graph in database ``demo``."""

from __future__ import annotations

import pytest

pytest.importorskip("uvicorn", reason="server mode needs the [server] extra (uvicorn, httptools)")

import arcadelite

from .helpers import PASSWORD, free_port


def fill_demo(db) -> None:
    db.command("sql", "CREATE VERTEX TYPE Person")
    db.command("sql", "CREATE EDGE TYPE Knows")
    db.command("sql", "CREATE DOCUMENT TYPE Doc")
    db.command("sql", "CREATE PROPERTY Person.name STRING")
    db.command("sql", "CREATE INDEX ON Person (name) UNIQUE")
    with db.transaction():
        db.command("sql", "INSERT INTO Person SET name = 'alice', age = 30")
        db.command("sql", "INSERT INTO Person SET name = 'bob', age = 25")
        db.command("sql", "CREATE EDGE Knows FROM (SELECT FROM Person WHERE name = 'alice') "
                   "TO (SELECT FROM Person WHERE name = 'bob') SET since = 2020")  # fmt: skip


@pytest.fixture
def make_server(tmp_path):
    """``make_server(config)`` starts a server on a free port of the project's range."""
    started = []

    def _make(config: dict | None = None, root=None):
        server = arcadelite.create_server(str(root or tmp_path / "root"), PASSWORD,
                                          {"http_port": free_port(), **(config or {})})  # fmt: skip
        server.start()
        started.append(server)
        return server

    yield _make
    for server in started:
        server.stop()


@pytest.fixture
def server(make_server):
    srv = make_server()
    fill_demo(srv.create_database("demo"))
    return srv


@pytest.fixture
def port(server) -> int:
    return server.get_http_port()
