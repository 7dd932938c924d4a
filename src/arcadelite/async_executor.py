"""The AsyncExecutor (the public import path; it lives in ``bulk.executor``)."""

from .bulk.executor import CHUNK, QUEUE_CAPACITY, AsyncExecutor

__all__ = ["AsyncExecutor", "CHUNK", "QUEUE_CAPACITY"]
