"""Server mode: ArcadeDB's HTTP API served by arcadelite (``pip install 'arcadelite[server]'``).

    server = arcadelite.create_server("./databases", "s3cret", {"http_port": 2480})
    with server:
        db = server.create_database("mydb")   # embedded use, served over HTTP at the same time
"""

from .server import ArcadeDBServer, create_server

__all__ = ["ArcadeDBServer", "create_server"]
