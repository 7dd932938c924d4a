"""Remote mode: the embedded Database API over ArcadeDB's HTTP API, against arcadelite's own
server or a real ArcadeDB server or HA cluster (standard library only: no extra needed).

    db = arcadelite.connect("http://localhost:2480", database="mydb", password="s3cret")
"""

from .async_executor import RemoteAsyncExecutor, RemoteBatchContext
from .client import AuthenticationError, RemoteError, RemoteOutcomeUnknownError
from .database import RemoteDatabase, connect
from .records import RemoteDocument, RemoteEdge, RemoteResult, RemoteVertex
from .schema import RemoteIndex, RemoteSchema, RemoteType

__all__ = [
    "connect", "RemoteDatabase", "RemoteAsyncExecutor", "RemoteBatchContext", "RemoteDocument",
    "RemoteVertex", "RemoteEdge", "RemoteResult", "RemoteSchema", "RemoteType", "RemoteIndex",
    "RemoteError", "AuthenticationError", "RemoteOutcomeUnknownError",
]  # fmt: skip
