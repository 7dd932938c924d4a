"""BatchContext (the public import path; it lives in ``bulk.batch``)."""

from .bulk.batch import BatchContext

__all__ = ["BatchContext"]
