"""Query results: ResultSet and Result (the public import path; they live in ``model.results``)."""

from .model.results import Result, ResultSet

__all__ = ["Result", "ResultSet"]
