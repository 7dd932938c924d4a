"""Records: Document, Vertex and Edge (the public import path; they live in ``model.records``)."""

from .model.records import RECORD_CLASSES, Document, Edge, Vertex
from .rid import RID

__all__ = ["Document", "Edge", "Vertex", "RID", "RECORD_CLASSES"]
